//! Blob listings in byte order of names, flat or rolled up at `/`, page by page.
//!
//! The walk visits folders in name order and only the part of each folder that can hold
//! names after the marker and under the prefix:
//! - a prefix segment that is complete (followed by `/`) names its folder directly, so
//!   listing `TASK/$TaskLog/` reads that one folder, never the container's top folder;
//! - inside a folder, entries are sorted once and searched for the start (binary search
//!   on the marker and prefix), and the walk stops at the first entry past the prefix;
//! - sorted entries of big folders (a job's top folder with 100,000 tasks) are cached
//!   while the folder is unchanged, so the next page does not re-read it.
//!
//! Inside a folder, a subfolder for segment `s` sorts as `s/` (all its names start with
//! that), which interleaves it correctly with blobs such as `s.txt` and `s0`.
//! The marker is the last name returned (a blob name or a virtual folder).

use super::containers::ContainerDir;
use super::format::read_header;
use super::names::{component, decode_file_name, Decoded, DIR_LEVELS, DIR_SUFFIX, SEGMENT_FILE};
use super::Core;
use crate::store::{ListItem, ListQuery, Page, StoreResult, MAX_PAGE};
use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// One entry of a folder.
#[derive(Debug)]
struct Entry {
    /// Full blob name (file) or full folder prefix ending with `/` (folder).
    key: String,
    is_dir: bool,
    file_name: String,
}

/// Folders with at least this many entries are worth caching.
const CACHE_MIN_ENTRIES: usize = 1000;
/// Folders cached at once.
const CACHE_FOLDERS: usize = 16;
/// A folder changed this recently is not cached: its modification time might not yet
/// tell a later change apart (file systems keep it with coarse clock ticks).
const QUIET: Duration = Duration::from_secs(2);

/// Sorted entries of big folders, valid while the folder's modification time is unchanged.
#[derive(Debug, Default)]
pub(super) struct FolderCache {
    folders: Mutex<HashMap<PathBuf, CachedFolder>>,
}

/// A folder's modification time when read, and its sorted entries.
type CachedFolder = (SystemTime, Arc<Vec<Entry>>);

struct Walk<'a> {
    core: &'a Core,
    prefix: &'a str,
    delimiter: Option<char>,
    marker: Option<&'a str>,
    want: usize,
    /// Return each blob's metadata (otherwise left empty, as Azure does).
    metadata: bool,
    items: Vec<ListItem>,
}

impl Core {
    pub(super) fn list_blobs(
        &self,
        container: &str,
        query: &ListQuery,
        marker: Option<&str>,
    ) -> StoreResult<Page<ListItem>> {
        let dir: ContainerDir = self.container(container)?;
        let limit = query.max_results.unwrap_or(MAX_PAGE).clamp(1, MAX_PAGE) as usize;
        let mut walk = Walk {
            core: self,
            prefix: &query.prefix,
            delimiter: query.delimiter,
            marker: marker.filter(|m| !m.is_empty()),
            want: limit + 1,
            metadata: query.include_metadata,
            items: Vec::new(),
        };
        walk.folder(&dir.blobs(), "", 0)?;
        let next_marker = if walk.items.len() > limit {
            walk.items.truncate(limit);
            walk.items.last().map(|i| i.name().to_string())
        } else {
            None
        };
        Ok(Page {
            items: walk.items,
            next_marker,
        })
    }

    /// The sorted entries of a folder, from the cache when the folder is unchanged.
    fn sorted_entries(
        &self,
        path: &Path,
        folder_name: &str,
        depth: usize,
    ) -> StoreResult<Arc<Vec<Entry>>> {
        let mtime = std::fs::metadata(path).and_then(|m| m.modified()).ok();
        if let Some(mtime) = mtime {
            let cache = self
                .folders
                .folders
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            if let Some((t, entries)) = cache.get(path) {
                if *t == mtime {
                    return Ok(entries.clone());
                }
            }
        }
        let mut entries = read_entries(path, folder_name, depth)?;
        entries.sort_unstable_by(|a, b| a.key.cmp(&b.key));
        let entries = Arc::new(entries);
        let quiet = mtime.is_some_and(|t| {
            SystemTime::now()
                .duration_since(t)
                .is_ok_and(|age| age > QUIET)
        });
        if let (true, Some(mtime)) = (entries.len() >= CACHE_MIN_ENTRIES && quiet, mtime) {
            let mut cache = self
                .folders
                .folders
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            if cache.len() >= CACHE_FOLDERS {
                cache.clear();
            }
            cache.insert(path.to_path_buf(), (mtime, entries.clone()));
        }
        Ok(entries)
    }
}

impl Walk<'_> {
    fn full(&self) -> bool {
        self.items.len() >= self.want
    }

    fn after_marker(&self, name: &str) -> bool {
        self.marker.is_none_or(|m| name > m)
    }

    fn folder(&mut self, path: &Path, folder_name: &str, depth: usize) -> StoreResult<()> {
        // The prefix names the next segment whole: go straight to its folder.
        if depth < DIR_LEVELS && self.prefix.len() > folder_name.len() {
            if let Some(i) = self.prefix[folder_name.len()..].find('/') {
                let seg = &self.prefix[folder_name.len()..folder_name.len() + i];
                let key = format!("{folder_name}{seg}/");
                if self
                    .marker
                    .is_some_and(|m| key.as_str() < m && !m.starts_with(key.as_str()))
                {
                    return Ok(());
                }
                return self.folder(&path.join(component(seg, DIR_SUFFIX)), &key, depth + 1);
            }
        }
        let entries = self.core.sorted_entries(path, folder_name, depth)?;
        // Start at the first entry that can hold a name under the prefix and after the
        // marker (see the module docs): both bounds cut at this folder's next segment.
        let rel_bound = |s: &str| -> Option<String> {
            let rest = s.strip_prefix(folder_name)?;
            Some(format!(
                "{folder_name}{}",
                rest.split('/').next().unwrap_or("")
            ))
        };
        let mut lower = rel_bound(self.prefix).unwrap_or_default();
        if let Some(m) = self.marker.and_then(rel_bound) {
            lower = lower.max(m);
        }
        let start = entries.partition_point(|e| e.key.as_str() < lower.as_str());
        for e in &entries[start..] {
            if self.full() {
                break;
            }
            let under_prefix = e.key.starts_with(self.prefix);
            if !under_prefix && e.key.as_str() > self.prefix {
                break;
            }
            if e.is_dir {
                if !(under_prefix || self.prefix.starts_with(e.key.as_str())) {
                    continue;
                }
                if self
                    .marker
                    .is_some_and(|m| e.key.as_str() < m && !m.starts_with(e.key.as_str()))
                {
                    continue;
                }
                let sub = path.join(&e.file_name);
                let rolls_up =
                    self.delimiter.is_some() && e.key.len() > self.prefix.len() && under_prefix;
                if rolls_up {
                    if holds_entries(&sub) {
                        self.push_prefix(e.key.clone());
                    }
                } else {
                    self.folder(&sub, &e.key, depth + 1)?;
                }
            } else if under_prefix && self.after_marker(&e.key) {
                self.blob(e, &path.join(&e.file_name))?;
            }
        }
        Ok(())
    }

    fn blob(&mut self, e: &Entry, path: &Path) -> StoreResult<()> {
        if let Some(d) = self.delimiter {
            if let Some(i) = e.key[self.prefix.len()..].find(d) {
                let end = self.prefix.len() + i + d.len_utf8();
                self.push_prefix(e.key[..end].to_string());
                return Ok(());
            }
        }
        let mut file = match File::open(path) {
            Ok(f) => f,
            // Deleted since the folder was read: not part of this listing.
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(err) => {
                return Err(crate::store::StoreError::io(
                    format!("cannot open blob {}", e.key),
                    err,
                ))
            }
        };
        let (mut header, _) = read_header(&mut file, &e.key)?;
        if !self.metadata {
            header.metadata.clear();
        }
        self.items.push(ListItem::Blob(header.info()));
        Ok(())
    }

    fn push_prefix(&mut self, p: String) {
        if !self.after_marker(&p) {
            return;
        }
        if let Some(ListItem::Prefix(last)) = self.items.last() {
            if *last == p {
                return;
            }
        }
        self.items.push(ListItem::Prefix(p));
    }
}

/// The entries of one folder with their full names; a missing folder is empty.
fn read_entries(path: &Path, folder_name: &str, depth: usize) -> StoreResult<Vec<Entry>> {
    let rd = match std::fs::read_dir(path) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
        Err(e) => {
            return Err(crate::store::StoreError::io(
                format!("cannot read {}", path.display()),
                e,
            ))
        }
    };
    let mut out = Vec::new();
    for ent in rd.flatten() {
        let Ok(file_name) = ent.file_name().into_string() else {
            continue;
        };
        let Some((decoded, is_dir)) = decode_file_name(&file_name) else {
            continue;
        };
        if is_dir && depth >= DIR_LEVELS {
            continue;
        }
        let key = match (decoded, is_dir) {
            (Decoded::Plain(s), true) => format!("{folder_name}{s}/"),
            (Decoded::Plain(s), false) => format!("{folder_name}{s}"),
            (Decoded::Hashed, true) => {
                match std::fs::read_to_string(path.join(&file_name).join(SEGMENT_FILE)) {
                    Ok(s) => format!("{folder_name}{s}/"),
                    Err(_) => continue,
                }
            }
            (Decoded::Hashed, false) => {
                let Ok(mut f) = File::open(path.join(&file_name)) else {
                    continue;
                };
                match read_header(&mut f, &file_name) {
                    Ok((h, _)) if h.name.starts_with(folder_name) => h.name,
                    _ => continue,
                }
            }
        };
        out.push(Entry {
            key,
            is_dir,
            file_name,
        });
    }
    Ok(out)
}

/// Whether a folder still holds a blob or a subfolder. Folders are removed when their
/// last blob is deleted; this guards against a reader racing that delete.
fn holds_entries(path: &Path) -> bool {
    // Where directories count their subdirectories in their link count (ext4, xfs, ...),
    // one stat answers for the usual task folder (it holds kind folders).
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match std::fs::symlink_metadata(path) {
            Ok(m) if m.nlink() > 2 => return true,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
    let Ok(rd) = std::fs::read_dir(path) else {
        return false;
    };
    rd.flatten().any(|ent| {
        ent.file_name()
            .to_str()
            .and_then(decode_file_name)
            .is_some()
    })
}
