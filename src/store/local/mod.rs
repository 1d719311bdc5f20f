//! The embedded store: containers and blobs in a local folder, with Azure semantics
//! (block vs append blobs, append positions, etags, metadata, ordered paged listings).
//!
//! - [`names`]: blob names -> files; no name can reach outside the folder.
//! - `format`: one file per blob, header + bytes.
//! - `containers`, `blobs`, `append`, `listing`: the operations.
//!
//! Concurrency: every change of which file a name points to (put, commit, create,
//! append, delete) takes a lock file of the container, chosen by the name's first
//! segment (flock, so it holds across processes: `batchout track` in one process and the
//! browser in another share a store; different tasks still write in parallel). Bytes are
//! written to a temp file, fsynced outside the lock and renamed into place under it, so
//! readers never see half a blob and never wait for a lock. An append writes its bytes
//! past the recorded length, then rewrites the blob's header (see `format`). The blocking
//! file work runs on tokio's blocking pool.

mod append;
mod blobs;
mod containers;
mod format;
mod fsutil;
mod listing;
mod metadata;
pub mod names;
mod stream;

use super::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug)]
pub struct LocalStore {
    core: Arc<Core>,
}

/// The synchronous implementation behind [`LocalStore`].
#[derive(Debug)]
pub(crate) struct Core {
    root: PathBuf,
    describe: String,
    /// fsync every write before it becomes visible (see [`LocalStore::open_with`]).
    durable: bool,
    /// Sorted entries of big folders, for paging through 100,000 tasks.
    folders: listing::FolderCache,
}

/// How a local store writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalOptions {
    /// fsync each blob before it becomes visible, so a written blob survives a power cut.
    /// Off only for throwaway stores (benchmarks, seeding demos): writes stay atomic for
    /// readers either way, only crash durability is lost.
    pub durable: bool,
}

impl Default for LocalOptions {
    fn default() -> Self {
        LocalOptions { durable: true }
    }
}

impl LocalStore {
    /// Open (creating if needed) a store in `root`.
    pub fn open(root: &Path) -> StoreResult<Self> {
        Self::open_with(root, LocalOptions::default())
    }

    /// Open a store that must already exist, creating nothing (for reads: a mistyped
    /// `--store` path must not leave a folder behind).
    pub fn open_existing(root: &Path) -> StoreResult<Self> {
        match std::fs::metadata(root) {
            Ok(m) if m.is_dir() => Self::open_with(root, LocalOptions::default()),
            Ok(_) => Err(StoreError::Config(format!(
                "local store {} is not a folder; check --store",
                root.display()
            ))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(StoreError::Config(format!(
                    "local store {} does not exist; check --store (a write such as `batchout prepare JOB` or `batchout demo --dir` creates it)",
                    root.display()
                )))
            }
            Err(e) => Err(StoreError::io(
                format!("cannot open store folder {}", root.display()),
                e,
            )),
        }
    }

    /// Open with explicit options.
    pub fn open_with(root: &Path, options: LocalOptions) -> StoreResult<Self> {
        std::fs::create_dir_all(root).map_err(|e| {
            StoreError::io(format!("cannot create store folder {}", root.display()), e)
        })?;
        let root = std::fs::canonicalize(root).map_err(|e| {
            StoreError::io(format!("cannot open store folder {}", root.display()), e)
        })?;
        let describe = format!("local store {}", root.display());
        Ok(LocalStore {
            core: Arc::new(Core {
                root,
                describe,
                durable: options.durable,
                folders: Default::default(),
            }),
        })
    }
    pub fn root(&self) -> &Path {
        &self.core.root
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Core) -> StoreResult<T> + Send + 'static,
    ) -> StoreResult<T> {
        let core = self.core.clone();
        tokio::task::spawn_blocking(move || f(&core))
            .await
            .map_err(|e| {
                StoreError::io(
                    "local store worker failed",
                    std::io::Error::other(e.to_string()),
                )
            })?
    }
}

#[async_trait]
impl Store for LocalStore {
    fn describe(&self) -> String {
        self.core.describe.clone()
    }

    async fn list_containers(
        &self,
        prefix: &str,
        marker: Option<&str>,
    ) -> StoreResult<Page<ContainerInfo>> {
        let (prefix, marker) = (prefix.to_string(), marker.map(str::to_string));
        self.blocking(move |c| c.list_containers(&prefix, marker.as_deref()))
            .await
    }

    async fn container_info(&self, container: &str) -> StoreResult<ContainerInfo> {
        let container = container.to_string();
        self.blocking(move |c| c.container_info(&container)).await
    }

    async fn list_blobs(
        &self,
        container: &str,
        query: &ListQuery,
        marker: Option<&str>,
    ) -> StoreResult<Page<ListItem>> {
        let (container, query, marker) = (
            container.to_string(),
            query.clone(),
            marker.map(str::to_string),
        );
        self.blocking(move |c| c.list_blobs(&container, &query, marker.as_deref()))
            .await
    }

    async fn blob_info(&self, container: &str, blob: &str) -> StoreResult<BlobInfo> {
        let (container, blob) = (container.to_string(), blob.to_string());
        self.blocking(move |c| c.blob_info(&container, &blob)).await
    }

    async fn read_range(
        &self,
        container: &str,
        blob: &str,
        range: ByteRange,
        if_match: Option<&str>,
    ) -> StoreResult<RangeData> {
        let (container, blob, if_match) = (
            container.to_string(),
            blob.to_string(),
            if_match.map(str::to_string),
        );
        self.blocking(move |c| c.read_range(&container, &blob, range, if_match.as_deref()))
            .await
    }

    async fn read_range_stream(
        &self,
        container: &str,
        blob: &str,
        start: u64,
        len: u64,
        if_match: Option<&str>,
        _with_md5: bool,
    ) -> StoreResult<RangeStream> {
        let (container, name, if_match) = (
            container.to_string(),
            blob.to_string(),
            if_match.map(str::to_string),
        );
        let (opened, info, n) = self
            .blocking(move |c| {
                c.open_range(
                    &container,
                    &name,
                    ByteRange::new(start, len),
                    if_match.as_deref(),
                )
            })
            .await?;
        if n < len {
            // The range must lie inside the blob (Azure would clip it silently).
            return Err(StoreError::InvalidRange {
                blob: blob.to_string(),
                start,
                len: info.total_len,
            });
        }
        Ok(stream::stream_range(
            opened,
            blob.to_string(),
            start,
            n,
            info,
        ))
    }

    async fn create_container(
        &self,
        container: &str,
        metadata: &BTreeMap<String, String>,
    ) -> StoreResult<bool> {
        let (container, metadata) = (container.to_string(), metadata.clone());
        self.blocking(move |c| c.create_container(&container, &metadata))
            .await
    }

    async fn put_block_blob(
        &self,
        container: &str,
        blob: &str,
        data: Bytes,
        options: &PutOptions,
    ) -> StoreResult<BlobInfo> {
        let (container, blob, options) = (container.to_string(), blob.to_string(), options.clone());
        self.blocking(move |c| c.put_block_blob(&container, &blob, data, &options))
            .await
    }

    async fn stage_block(
        &self,
        container: &str,
        blob: &str,
        block_id: &str,
        data: Bytes,
    ) -> StoreResult<()> {
        let (container, blob, block_id) = (
            container.to_string(),
            blob.to_string(),
            block_id.to_string(),
        );
        self.blocking(move |c| c.stage_block(&container, &blob, &block_id, data))
            .await
    }

    async fn stage_block_from_file(
        &self,
        container: &str,
        blob: &str,
        block_id: &str,
        slice: &FileSlice,
    ) -> StoreResult<()> {
        let (container, blob, id, slice) = (
            container.to_string(),
            blob.to_string(),
            block_id.to_string(),
            slice.clone(),
        );
        self.blocking(move |c| {
            c.stage_block_with(&container, &blob, &id, slice.len, |f| slice.copy_to(f))
        })
        .await
    }

    async fn commit_block_list(
        &self,
        container: &str,
        blob: &str,
        block_ids: &[String],
        options: &PutOptions,
    ) -> StoreResult<BlobInfo> {
        let (container, blob, ids, options) = (
            container.to_string(),
            blob.to_string(),
            block_ids.to_vec(),
            options.clone(),
        );
        self.blocking(move |c| c.commit_block_list(&container, &blob, &ids, &options))
            .await
    }

    async fn create_append_blob(
        &self,
        container: &str,
        blob: &str,
        options: &PutOptions,
    ) -> StoreResult<(BlobInfo, bool)> {
        let (container, blob, options) = (container.to_string(), blob.to_string(), options.clone());
        self.blocking(move |c| c.create_append_blob(&container, &blob, &options))
            .await
    }

    async fn append_block(
        &self,
        container: &str,
        blob: &str,
        data: Bytes,
        expected_position: u64,
    ) -> StoreResult<BlobInfo> {
        let (container, blob) = (container.to_string(), blob.to_string());
        self.blocking(move |c| c.append_block(&container, &blob, data, expected_position))
            .await
    }

    async fn set_blob_metadata(
        &self,
        container: &str,
        blob: &str,
        metadata: &BTreeMap<String, String>,
    ) -> StoreResult<()> {
        let metadata = check_metadata(metadata)?;
        let (container, blob) = (container.to_string(), blob.to_string());
        self.blocking(move |c| c.set_blob_metadata(&container, &blob, metadata))
            .await
    }

    async fn delete_blob(&self, container: &str, blob: &str) -> StoreResult<()> {
        let (container, blob) = (container.to_string(), blob.to_string());
        self.blocking(move |c| c.delete_blob(&container, &blob))
            .await
    }
}
