//! Containers: one folder each under the store root, holding `container.json`
//! (metadata, etag, creation time), lock files `locks/`, the blob tree `b/`, staged blocks
//! `staging/` and temp files `tmp/` (on the same disk, so renames are atomic).

use super::format::{new_etag, now_ns};
use super::fsutil::{io, LockGuard};
use super::names::validate_container_name;
use super::Core;
use crate::store::{ContainerInfo, Page, StoreError, StoreResult, MAX_PAGE};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::PathBuf;
use time::OffsetDateTime;

const META_FILE: &str = "container.json";
/// Lock files per container (see [`ContainerDir::lock`]).
const LOCK_STRIPES: u64 = 64;

#[derive(serde::Serialize, serde::Deserialize)]
struct ContainerMeta {
    etag: String,
    modified_ns: i64,
    #[serde(default)]
    metadata: BTreeMap<String, String>,
}

/// An existing container's folder.
#[derive(Debug, Clone)]
pub(super) struct ContainerDir {
    pub path: PathBuf,
}

impl ContainerDir {
    pub fn blobs(&self) -> PathBuf {
        self.path.join("b")
    }
    pub fn tmp(&self) -> PathBuf {
        self.path.join("tmp")
    }
    pub fn staging(&self) -> PathBuf {
        self.path.join("staging")
    }
    /// Serializes every change to which file a blob name points (create, replace,
    /// delete, append), across threads and processes. Names are spread over
    /// [`LOCK_STRIPES`] lock files by their first segment (the task, or `$KIND` at job
    /// level): every name that shares folders with another shares its lock too (a delete
    /// prunes folders only along its own first segment), while different tasks write in
    /// parallel.
    pub fn lock(&self, blob: &str) -> StoreResult<LockGuard> {
        let first = blob.split_once('/').map_or(blob, |(first, _)| first);
        let digest = Sha256::digest(first.as_bytes());
        let stripe = u64::from_le_bytes(std::array::from_fn(|i| digest[i])) % LOCK_STRIPES;
        let dir = self.path.join("locks");
        if !dir.is_dir() {
            std::fs::create_dir_all(&dir).map_err(io("cannot create the store's lock folder"))?;
        }
        super::fsutil::lock_exclusive(&dir.join(format!("{stripe:02}")))
    }
}

impl Core {
    /// The folder of an existing container.
    pub(super) fn container(&self, name: &str) -> StoreResult<ContainerDir> {
        validate_container_name(name)?;
        let path = self.root.join(name);
        if !path.join(META_FILE).is_file() {
            return Err(self.container_not_found(name));
        }
        Ok(ContainerDir { path })
    }

    pub(super) fn container_not_found(&self, name: &str) -> StoreError {
        StoreError::ContainerNotFound {
            container: name.to_string(),
            store: self.describe.clone(),
        }
    }

    pub(super) fn create_container(
        &self,
        name: &str,
        metadata: &BTreeMap<String, String>,
    ) -> StoreResult<bool> {
        validate_container_name(name)?;
        let target = self.root.join(name);
        if target.join(META_FILE).is_file() {
            return Ok(false);
        }
        // Build it beside the target and rename it into place: a container is either
        // absent or complete, and of two racing creators exactly one wins.
        let staging = self
            .root
            .join(format!(".new-{:016x}", rand::random::<u64>()));
        let build = || -> StoreResult<()> {
            for sub in ["b", "tmp", "staging"] {
                std::fs::create_dir_all(staging.join(sub))
                    .map_err(io(format!("cannot create {}", staging.display())))?;
            }
            let meta = ContainerMeta {
                etag: new_etag(),
                modified_ns: now_ns(),
                metadata: metadata.clone(),
            };
            let json =
                serde_json::to_vec_pretty(&meta).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            std::fs::write(staging.join(META_FILE), json)
                .map_err(io("cannot write container metadata"))?;
            std::fs::create_dir_all(staging.join("locks"))
                .map_err(io("cannot create container locks"))?;
            Ok(())
        };
        if let Err(e) = build() {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
        match std::fs::rename(&staging, &target) {
            Ok(()) => Ok(true),
            Err(e) => {
                let _ = std::fs::remove_dir_all(&staging);
                if target.join(META_FILE).is_file() {
                    Ok(false)
                } else {
                    Err(StoreError::io(
                        format!("cannot create container folder {}", target.display()),
                        e,
                    ))
                }
            }
        }
    }

    pub(super) fn container_info(&self, name: &str) -> StoreResult<ContainerInfo> {
        let dir = self.container(name)?;
        let raw = std::fs::read(dir.path.join(META_FILE)).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                self.container_not_found(name)
            } else {
                StoreError::io(format!("cannot read container {name}"), e)
            }
        })?;
        let meta: ContainerMeta = serde_json::from_slice(&raw)
            .map_err(|e| StoreError::Corrupt(format!("container {name}: {e}")))?;
        Ok(ContainerInfo {
            name: name.to_string(),
            last_modified: OffsetDateTime::from_unix_timestamp_nanos(meta.modified_ns as i128)
                .unwrap_or(OffsetDateTime::UNIX_EPOCH),
            etag: meta.etag,
            metadata: meta.metadata,
        })
    }

    pub(super) fn list_containers(
        &self,
        prefix: &str,
        marker: Option<&str>,
    ) -> StoreResult<Page<ContainerInfo>> {
        let entries = match std::fs::read_dir(&self.root) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Page {
                    items: vec![],
                    next_marker: None,
                })
            }
            Err(e) => {
                return Err(StoreError::io(
                    format!("cannot read store folder {}", self.root.display()),
                    e,
                ))
            }
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| n.starts_with(prefix) && marker.is_none_or(|m| n.as_str() > m))
            .filter(|n| {
                validate_container_name(n).is_ok() && self.root.join(n).join(META_FILE).is_file()
            })
            .collect();
        names.sort();
        let more = names.len() > MAX_PAGE as usize;
        names.truncate(MAX_PAGE as usize);
        let mut items = Vec::with_capacity(names.len());
        for n in &names {
            match self.container_info(n) {
                Ok(info) => items.push(info),
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(e),
            }
        }
        let next_marker = if more { names.last().cloned() } else { None };
        Ok(Page { items, next_marker })
    }
}
