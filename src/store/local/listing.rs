//! Blob listings in byte order of names, flat or rolled up at `/`, page by page.
//!
//! The walk visits folders in name order and skips whole folders that lie before the
//! marker or outside the prefix, so a page costs the folders on its path, not the whole
//! tree. Inside a folder, a subfolder for segment `s` sorts as `s/` (all its names start
//! with that), which interleaves it correctly with blobs such as `s.txt` and `s0`.
//! The marker is the last name returned (a blob name or a virtual folder).

use super::containers::ContainerDir;
use super::format::read_header;
use super::names::{decode_file_name, Decoded, DIR_LEVELS, SEGMENT_FILE};
use super::Core;
use crate::store::{ListItem, ListQuery, Page, StoreResult, MAX_PAGE};
use std::fs::File;
use std::path::{Path, PathBuf};

struct Entry {
    /// Full blob name (file) or full folder prefix ending with `/` (folder).
    key: String,
    is_dir: bool,
    path: PathBuf,
}

struct Walk<'a> {
    prefix: &'a str,
    delimiter: Option<char>,
    marker: Option<&'a str>,
    want: usize,
    items: Vec<ListItem>,
}

impl Core {
    pub(super) fn list_blobs(&self, container: &str, query: &ListQuery, marker: Option<&str>) -> StoreResult<Page<ListItem>> {
        let dir: ContainerDir = self.container(container)?;
        let limit = query.max_results.unwrap_or(MAX_PAGE).clamp(1, MAX_PAGE) as usize;
        // Only "/" rolls up in batchout; any other delimiter is treated the same way.
        let mut walk = Walk {
            prefix: &query.prefix,
            delimiter: query.delimiter,
            marker: marker.filter(|m| !m.is_empty()),
            want: limit + 1,
            items: Vec::new(),
        };
        walk.folder(&dir.blobs(), "", 0)?;
        let next_marker = if walk.items.len() > limit {
            walk.items.truncate(limit);
            walk.items.last().map(|i| i.name().to_string())
        } else {
            None
        };
        Ok(Page { items: walk.items, next_marker })
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
        let mut entries: Vec<Entry> = read_entries(path, folder_name, depth)?
            .into_iter()
            .filter(|e| {
                if e.is_dir {
                    let overlaps = e.key.starts_with(self.prefix) || self.prefix.starts_with(e.key.as_str());
                    // Every name in the folder sorts before the marker.
                    let before = self.marker.is_some_and(|m| e.key.as_str() < m && !m.starts_with(e.key.as_str()));
                    overlaps && !before
                } else {
                    e.key.starts_with(self.prefix) && self.after_marker(&e.key)
                }
            })
            .collect();
        entries.sort_unstable_by(|a, b| a.key.cmp(&b.key));
        for e in entries {
            if self.full() {
                break;
            }
            if e.is_dir {
                let rolls_up = self.delimiter.is_some() && e.key.len() > self.prefix.len() && e.key.starts_with(self.prefix);
                if rolls_up {
                    if has_blobs(&e.path, depth + 1) {
                        self.push_prefix(e.key);
                    }
                } else {
                    self.folder(&e.path, &e.key, depth + 1)?;
                }
            } else {
                self.blob(e)?;
            }
        }
        Ok(())
    }

    fn blob(&mut self, e: Entry) -> StoreResult<()> {
        if let Some(d) = self.delimiter {
            if let Some(i) = e.key[self.prefix.len()..].find(d) {
                let end = self.prefix.len() + i + d.len_utf8();
                return {
                    self.push_prefix(e.key[..end].to_string());
                    Ok(())
                };
            }
        }
        let mut file = match File::open(&e.path) {
            Ok(f) => f,
            // Deleted since the folder was read: not part of this listing.
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(err) => return Err(crate::store::StoreError::io(format!("cannot open blob {}", e.key), err)),
        };
        let (header, _) = read_header(&mut file, &e.key)?;
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
        Err(e) => return Err(crate::store::StoreError::io(format!("cannot read {}", path.display()), e)),
    };
    let mut out = Vec::new();
    for ent in rd.flatten() {
        let Ok(file_name) = ent.file_name().into_string() else { continue };
        let Some((decoded, is_dir)) = decode_file_name(&file_name) else { continue };
        if is_dir && depth >= DIR_LEVELS {
            continue;
        }
        let path = ent.path();
        let key = match (decoded, is_dir) {
            (Decoded::Plain(s), true) => format!("{folder_name}{s}/"),
            (Decoded::Plain(s), false) => format!("{folder_name}{s}"),
            (Decoded::Hashed, true) => match std::fs::read_to_string(path.join(SEGMENT_FILE)) {
                Ok(s) => format!("{folder_name}{s}/"),
                Err(_) => continue,
            },
            (Decoded::Hashed, false) => {
                let Ok(mut f) = File::open(&path) else { continue };
                match read_header(&mut f, &file_name) {
                    Ok((h, _)) if h.name.starts_with(folder_name) => h.name,
                    _ => continue,
                }
            }
        };
        out.push(Entry { key, is_dir, path });
    }
    Ok(out)
}

/// Whether a folder still holds a blob (folders are removed when emptied, but a reader
/// can race a delete).
fn has_blobs(path: &Path, depth: usize) -> bool {
    let Ok(rd) = std::fs::read_dir(path) else { return false };
    for ent in rd.flatten() {
        let name = ent.file_name();
        let Some(name) = name.to_str() else { continue };
        match decode_file_name(name) {
            Some((_, false)) => return true,
            Some((_, true)) if depth < DIR_LEVELS && has_blobs(&ent.path(), depth + 1) => return true,
            _ => {}
        }
    }
    false
}
