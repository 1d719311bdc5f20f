//! What earlier searches found, so that a repeated grep fetches only the bytes a log
//! gained since (none for an unchanged blob).
//!
//! One JSON file per (store, container, blob, search options) in the user cache folder.
//! An entry holds the blob's etag, type and the length searched, the reported lines,
//! where the last complete line ends (the last incomplete line is searched again when
//! the log grows), the start of the window of lines re-read on resume (so context
//! across the old end comes out as a full search's would), and a hash of the last bytes
//! searched (a log replaced by a longer one is caught and searched again from 0).
//! Entries are written atomically; a damaged or unreadable entry is a miss. The folder
//! is bounded: oldest entries are removed past [`Cache::DEFAULT_MAX_BYTES`], and a file
//! whose results exceed [`MAX_ENTRY_BYTES`] is not cached.

use super::Line;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Results larger than this (line text) are not cached: the file is searched again.
pub const MAX_ENTRY_BYTES: usize = 2 * 1024 * 1024;
/// Bytes at the end of what was searched whose hash must be unchanged to resume.
pub const CHECK_BYTES: u64 = 1024;
const VERSION: u32 = 1;

/// What one search of one blob found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub version: u32,
    pub etag: String,
    /// An append blob (only those are resumed: their bytes never change).
    pub append: bool,
    /// Bytes searched (the blob's length then).
    pub len: u64,
    /// Offset just after the last line terminator searched, and lines before it.
    pub complete_end: u64,
    pub complete_lines: u64,
    /// Start of the last `window` complete lines, and lines before it.
    pub window_start: u64,
    pub window_lines: u64,
    /// SHA-256 (hex) of bytes `[len - min(len, CHECK_BYTES), len)`.
    pub tail_sha256: String,
    /// The file was found binary at this offset (searching stopped there).
    pub binary_at: Option<u64>,
    /// Every line a full search reported (match and context), in order.
    pub lines: Vec<Line>,
}

/// The cache folder.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
    max_bytes: u64,
}

impl Cache {
    /// Total size past which the oldest entries are removed.
    pub const DEFAULT_MAX_BYTES: u64 = 128 * 1024 * 1024;

    /// The cache in the user cache folder (`.../batchout/grep`), if the platform has one.
    pub fn user() -> Option<Cache> {
        directories::ProjectDirs::from("", "", "batchout")
            .map(|d| Cache::at(d.cache_dir().join("grep")))
    }

    /// A cache in `dir` (created on first save).
    pub fn at(dir: impl Into<PathBuf>) -> Cache {
        Cache {
            dir: dir.into(),
            max_bytes: Self::DEFAULT_MAX_BYTES,
        }
    }

    pub fn with_max_bytes(mut self, max_bytes: u64) -> Cache {
        self.max_bytes = max_bytes;
        self
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The entry's file name: a hash of everything that identifies the results.
    pub fn key(store: &str, container: &str, blob: &str, fingerprint: &str) -> String {
        let mut h = Sha256::new();
        for part in [store, container, blob, fingerprint] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        hex::encode(h.finalize())
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.json"))
    }

    /// The entry, if present and readable (anything else is a miss).
    pub fn load(&self, key: &str) -> Option<Entry> {
        let bytes = std::fs::read(self.path(key)).ok()?;
        let e: Entry = serde_json::from_slice(&bytes).ok()?;
        (e.version == VERSION).then_some(e)
    }

    /// Write an entry atomically (temp file + rename). Errors are ignored: the cache
    /// only saves work.
    pub fn save(&self, key: &str, entry: &Entry) {
        let _ = self.try_save(key, entry);
    }

    fn try_save(&self, key: &str, entry: &Entry) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let tmp = self.dir.join(format!(
            ".{key}.{}.{}.tmp",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::write(&tmp, serde_json::to_vec(entry)?)?;
        std::fs::rename(&tmp, self.path(key)).inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
    }

    /// Keep the folder under its bound: remove the least recently written entries.
    pub fn trim(&self) {
        let Ok(rd) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let mut files: Vec<(std::time::SystemTime, u64, PathBuf)> = rd
            .filter_map(|e| {
                let e = e.ok()?;
                let m = e.metadata().ok()?;
                m.is_file().then(|| {
                    (
                        m.modified().unwrap_or(std::time::UNIX_EPOCH),
                        m.len(),
                        e.path(),
                    )
                })
            })
            .collect();
        let mut total: u64 = files.iter().map(|f| f.1).sum();
        if total <= self.max_bytes {
            return;
        }
        files.sort();
        for (_, len, path) in files {
            if total <= self.max_bytes * 3 / 4 {
                break;
            }
            if std::fs::remove_file(&path).is_ok() {
                total -= len;
            }
        }
    }
}

impl Entry {
    pub fn new(etag: String, append: bool) -> Entry {
        Entry {
            version: VERSION,
            etag,
            append,
            len: 0,
            complete_end: 0,
            complete_lines: 0,
            window_start: 0,
            window_lines: 0,
            tail_sha256: String::new(),
            binary_at: None,
            lines: Vec::new(),
        }
    }
}

/// The hash stored in [`Entry::tail_sha256`].
pub fn tail_hash(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_and_the_folder_stays_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::at(dir.path().join("grep")).with_max_bytes(4000);
        let mut e = Entry::new("\"0x1\"".into(), true);
        e.lines.push(Line {
            number: 3,
            is_match: true,
            text: "x".repeat(1000),
        });
        for i in 0..10 {
            cache.save(&format!("k{i}"), &e);
        }
        assert_eq!(cache.load("k9"), Some(e.clone()));
        assert_eq!(cache.load("missing"), None);
        cache.trim();
        let total: u64 = std::fs::read_dir(cache.dir())
            .unwrap()
            .map(|f| f.unwrap().metadata().unwrap().len())
            .sum();
        assert!(total <= 4000, "{total}");
        std::fs::write(cache.dir().join("bad.json"), b"{not json").unwrap();
        assert_eq!(cache.load("bad"), None);
    }

    #[test]
    fn keys_separate_every_part() {
        assert_ne!(
            Cache::key("s", "c", "ab", "f"),
            Cache::key("s", "ca", "b", "f")
        );
    }
}
