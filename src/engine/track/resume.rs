//! Where a (re)started tracker picks up: how much of the file its append blob already holds.
//!
//! The blob may hold earlier bytes (an older generation of the file, which was replaced or
//! shrank, or another writer's data) and then the start of the current file. Nothing in
//! the blob says where that start is, so it is found from the content: the longest end of
//! the blob that is the file's start. The tracker appends the file from there on. Whatever
//! the answer, the blob keeps every byte it had (an append blob is never truncated) and
//! then ends with the whole file; the longest overlap is the one that sends the fewest
//! bytes twice (none, unless the content repeats itself exactly across the junction).
//!
//! The overlap is compared byte for byte: wholly when it is at most 128 KiB, otherwise its
//! first and its last 64 KiB (the middle is taken on trust, as resuming always was: reading
//! it back would cost as much as sending it again).
//!
//! Cost: the usual case (the blob is this file from its first byte) compares the two ends,
//! two reads of 64 KiB. Otherwise the local file is read once, up to the blob's length,
//! looking for the blob's last 64 KiB in it (KMP, linear, 256 KiB of table).

use crate::engine::error::{EngineError, EngineResult};
use crate::store::{ByteRange, Store};
use std::collections::VecDeque;
use std::path::Path;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

/// How much of each end of the overlap is compared.
const COMPARE: u64 = 64 * 1024;
/// Candidates kept while scanning (the longest ones; more only for repetitive content).
const CANDIDATES: usize = 16;
/// Read size while scanning the file.
const SCAN_CHUNK: usize = 1 << 20;

/// The blob being resumed and the file whose start it may end with.
pub(crate) struct Resume<'a> {
    pub store: &'a dyn Store,
    pub container: &'a str,
    pub blob: &'a str,
    pub blob_len: u64,
    pub source: &'a Path,
    pub file_len: u64,
}

impl Resume<'_> {
    /// How many of the file's first bytes the blob ends with (0: none).
    pub async fn overlap(&self) -> EngineResult<u64> {
        let (b, f) = (self.blob_len, self.file_len);
        if b == 0 || f == 0 {
            return Ok(0);
        }
        let n = b.min(COMPARE);
        let tail = self.blob_bytes(b - n, n).await?;
        if tail.len() as u64 != n {
            return Ok(0); // the blob changed under us: treat it as other data
        }
        // The usual case: the blob is this file from its first byte.
        if f >= b && self.file_bytes(b - n, n).await? == tail && self.head_matches(b, n).await? {
            return Ok(b);
        }
        // The file's start is inside the blob, at least 64 KiB before its end (so the file
        // holds at least those 64 KiB).
        if b > n && f >= n {
            for end in self.scan_for(&tail, f.min(b - 1)).await?.into_iter().rev() {
                if self.head_matches(end, n).await? {
                    return Ok(end);
                }
            }
        }
        // ... or within the blob's last 64 KiB.
        let start = self.file_bytes(0, f.min(n)).await?;
        Ok(longest_suffix_prefix(&tail, &start) as u64)
    }

    /// For an overlap of `len` bytes whose last `n` are already compared: do the blob's bytes
    /// where the overlap starts equal the file's first bytes?
    async fn head_matches(&self, len: u64, n: u64) -> EngineResult<bool> {
        let h = (len - n).min(COMPARE);
        if h == 0 {
            return Ok(true);
        }
        let there = self.blob_bytes(self.blob_len - len, h).await?;
        Ok(there.len() as u64 == h && there == self.file_bytes(0, h).await?)
    }

    /// Ends (exclusive offsets, at most `limit`) of the places where `needle` occurs in the
    /// file, the longest [`CANDIDATES`] of them in increasing order.
    async fn scan_for(&self, needle: &[u8], limit: u64) -> EngineResult<Vec<u64>> {
        let mut found = VecDeque::new();
        let mut file = self.open().await?;
        let mut m = Matcher::new(needle);
        let mut buf = vec![0u8; SCAN_CHUNK];
        let mut at = 0u64;
        while at < limit {
            let want = ((limit - at) as usize).min(SCAN_CHUNK);
            let got = file
                .read(&mut buf[..want])
                .await
                .map_err(|e| self.io_error(e))?;
            if got == 0 {
                break; // the file shrank while we read it
            }
            for (i, &byte) in buf[..got].iter().enumerate() {
                if m.push(byte) {
                    if found.len() == CANDIDATES {
                        found.pop_front();
                    }
                    found.push_back(at + i as u64 + 1);
                }
            }
            at += got as u64;
        }
        Ok(found.into())
    }

    async fn blob_bytes(&self, start: u64, len: u64) -> EngineResult<Vec<u8>> {
        let store = self.store;
        let range = ByteRange::new(start, len);
        let there = store
            .read_range(self.container, self.blob, range, None)
            .await?;
        Ok(there.data.to_vec())
    }

    /// Up to `len` bytes of the file from `start` (fewer if it is shorter now).
    async fn file_bytes(&self, start: u64, len: u64) -> EngineResult<Vec<u8>> {
        let mut file = self.open().await?;
        file.seek(std::io::SeekFrom::Start(start))
            .await
            .map_err(|e| self.io_error(e))?;
        let mut out = Vec::with_capacity(len as usize);
        file.take(len)
            .read_to_end(&mut out)
            .await
            .map_err(|e| self.io_error(e))?;
        Ok(out)
    }

    async fn open(&self) -> EngineResult<tokio::fs::File> {
        tokio::fs::File::open(self.source)
            .await
            .map_err(|e| self.io_error(e))
    }

    fn io_error(&self, e: std::io::Error) -> EngineError {
        EngineError::io(format!("cannot read {}", self.source.display()), e)
    }
}

/// The longest `l` such that `text` ends with `pattern[..l]`.
fn longest_suffix_prefix(text: &[u8], pattern: &[u8]) -> usize {
    if pattern.is_empty() {
        return 0;
    }
    let mut m = Matcher::new(pattern);
    for &byte in text {
        m.push(byte);
    }
    m.state
}

/// Knuth-Morris-Pratt: feed bytes one at a time; `state` is the length of the longest
/// prefix of the pattern that the bytes so far end with.
struct Matcher<'a> {
    pattern: &'a [u8],
    /// fail[i]: the longest proper prefix of pattern[..=i] that is also its suffix.
    fail: Vec<u32>,
    state: usize,
}

impl<'a> Matcher<'a> {
    fn new(pattern: &'a [u8]) -> Self {
        let mut fail = vec![0u32; pattern.len()];
        let mut k = 0usize;
        for i in 1..pattern.len() {
            while k > 0 && pattern[i] != pattern[k] {
                k = fail[k - 1] as usize;
            }
            if pattern[i] == pattern[k] {
                k += 1;
            }
            fail[i] = k as u32;
        }
        Matcher {
            pattern,
            fail,
            state: 0,
        }
    }

    /// Feed one byte; true when the whole pattern ends here.
    fn push(&mut self, byte: u8) -> bool {
        if self.state == self.pattern.len() {
            self.state = self.fail[self.state - 1] as usize;
        }
        while self.state > 0 && self.pattern[self.state] != byte {
            self.state = self.fail[self.state - 1] as usize;
        }
        if self.pattern[self.state] == byte {
            self.state += 1;
        }
        self.state == self.pattern.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_suffix_prefix_finds_the_junction() {
        assert_eq!(
            longest_suffix_prefix(b"old stuff|new st", b"new stuff and more"),
            6
        );
        assert_eq!(longest_suffix_prefix(b"abc", b"xyz"), 0);
        assert_eq!(longest_suffix_prefix(b"abcabc", b"abc"), 3);
        assert_eq!(longest_suffix_prefix(b"aaaa", b"aa"), 2);
        assert_eq!(longest_suffix_prefix(b"xxab", b"abab"), 2);
        assert_eq!(longest_suffix_prefix(b"abc", b""), 0);
    }

    #[test]
    fn the_matcher_reports_every_end_even_overlapping_ones() {
        let mut m = Matcher::new(b"aba");
        let ends: Vec<usize> = b"ababa_aba"
            .iter()
            .enumerate()
            .filter_map(|(i, &c)| m.push(c).then_some(i + 1))
            .collect();
        assert_eq!(ends, vec![3, 5, 9]);
    }
}
