//! Resume state of a large download: which ranges of `.NAME.batchout-part` are already on
//! disk, and for which version (etag) of the blob. Kept beside the temp file as
//! `.NAME.batchout-state` (JSON), replaced atomically, so a run that is killed at any moment
//! (network cut, Ctrl-C, kill -9) leaves a state that only lists ranges whose bytes were
//! written. The next run continues from there when the blob's etag is unchanged.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const VERSION: u32 = 1;

/// The temp file and the state file of a final path. Long names get a hashed temp name, so
/// the prefix and suffix never push a name over the file system's 255-byte limit.
pub fn temp_paths(target: &Path) -> (PathBuf, PathBuf) {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = if name.len() > 200 {
        use sha2::{Digest, Sha256};
        hex::encode(&Sha256::digest(name.as_bytes())[..16])
    } else {
        name
    };
    let dir = target.parent().unwrap_or(Path::new("."));
    (
        dir.join(format!(".{stem}.batchout-part")),
        dir.join(format!(".{stem}.batchout-state")),
    )
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResumeState {
    pub version: u32,
    pub container: String,
    pub blob: String,
    pub etag: String,
    pub len: u64,
    pub range_size: u64,
    /// Ranges (of `range_size` bytes) already written to the temp file, as half-open
    /// intervals of range indices `[from, to)`: a handful, since ranges finish nearly in order.
    pub done: Vec<[u64; 2]>,
    /// Ranges partly written, as `[index, bytes from the range's start]` (only for ranges
    /// not checked by a transactional MD5, whose bytes count only once complete).
    #[serde(default)]
    pub partial: Vec<[u64; 2]>,
}

impl ResumeState {
    pub fn new(container: &str, blob: &str, etag: &str, len: u64, range_size: u64) -> Self {
        ResumeState {
            version: VERSION,
            container: container.into(),
            blob: blob.into(),
            etag: etag.into(),
            len,
            range_size,
            done: Vec::new(),
            partial: Vec::new(),
        }
    }

    /// The state left by an earlier run, if readable and about this blob. Anything else
    /// (missing, corrupt, another blob, another format) is None: start over.
    pub fn load(path: &Path, container: &str, blob: &str) -> Option<Self> {
        let f = super::safe_fs::open_read(path).ok()?;
        let st: ResumeState = serde_json::from_reader(std::io::BufReader::new(f)).ok()?;
        let ranges = st.len.div_ceil(st.range_size.max(1));
        let sane = st.version == VERSION
            && st.container == container
            && st.blob == blob
            && st.range_size > 0
            && st.done.iter().all(|&[a, b]| a < b && b <= ranges)
            && st
                .partial
                .iter()
                .all(|&[i, n]| i < ranges && n < st.range_size.min(st.len - i * st.range_size));
        sane.then_some(st)
    }

    /// The done ranges as a set of indices.
    pub fn done_set(&self) -> BTreeSet<u64> {
        self.done.iter().flat_map(|&[a, b]| a..b).collect()
    }

    /// Record a set of done ranges as intervals.
    pub fn set_done(&mut self, done: &BTreeSet<u64>) {
        self.done.clear();
        for &i in done {
            match self.done.last_mut() {
                Some(last) if last[1] == i => last[1] = i + 1,
                _ => self.done.push([i, i + 1]),
            }
        }
    }

    /// Write atomically: a temp file renamed over the old state.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let tmp = path.with_extension("batchout-state-new");
        let json = serde_json::to_vec(self).map_err(std::io::Error::other)?;
        {
            use std::io::Write;
            let mut f = super::safe_fs::create_part(&tmp, 0)?;
            f.write_all(&json)?;
        }
        std::fs::rename(&tmp, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_refuse_other_blobs() {
        let dir = tempfile::tempdir().unwrap();
        let (part, state) = temp_paths(&dir.path().join("big.bin"));
        assert!(part.ends_with(".big.bin.batchout-part"));
        let mut st = ResumeState::new(
            "job-x",
            "t/$TaskOutput/big.bin",
            "\"0x1\"",
            20 << 20,
            4 << 20,
        );
        st.set_done(&[0, 1, 2, 4].into());
        assert_eq!(st.done, vec![[0, 3], [4, 5]]);
        assert_eq!(st.done_set(), [0, 1, 2, 4].into());
        st.save(&state).unwrap();
        assert_eq!(
            ResumeState::load(&state, "job-x", "t/$TaskOutput/big.bin"),
            Some(st.clone())
        );
        assert_eq!(ResumeState::load(&state, "job-x", "other"), None);
        // Partly written ranges come back; a partial as long as its range does not.
        st.partial = vec![[3, 1000]];
        st.save(&state).unwrap();
        let back = ResumeState::load(&state, "job-x", "t/$TaskOutput/big.bin").unwrap();
        assert_eq!(back.partial, vec![[3, 1000]]);
        st.partial = vec![[3, 4 << 20]];
        st.save(&state).unwrap();
        assert_eq!(
            ResumeState::load(&state, "job-x", "t/$TaskOutput/big.bin"),
            None
        );
        std::fs::write(&state, b"{not json").unwrap();
        assert_eq!(
            ResumeState::load(&state, "job-x", "t/$TaskOutput/big.bin"),
            None
        );
    }

    #[test]
    fn long_names_get_short_temp_names() {
        let long = "x".repeat(250);
        let (part, _) = temp_paths(Path::new(&long));
        assert!(part.file_name().unwrap().len() < 100);
    }
}
