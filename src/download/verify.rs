//! Integrity: MD5 of what was written, computed in blob order while ranges still arrive out
//! of order, and the "is the existing local file identical?" check.

use md5::{Digest, Md5};
use std::collections::BTreeSet;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::mpsc;
use std::thread::JoinHandle;
use time::OffsetDateTime;

use crate::store::file_at::hash_range;
use crate::store::BlobInfo;

/// Bytes read back per step (the hasher's memory, whatever the range size).
const READ_BACK: u64 = 1 << 20;

/// Hashes a temp file range by range in order, reading back ranges as soon as the ones
/// before them are on disk, so the check costs almost no time after the last range and one
/// read-back buffer of memory. Runs on its own thread (MD5 is CPU work).
pub struct OrderedHasher {
    tx: Option<mpsc::Sender<u64>>,
    handle: JoinHandle<io::Result<[u8; 16]>>,
}

impl OrderedHasher {
    /// `already`: ranges written by an earlier run.
    pub fn spawn(file: File, len: u64, range_size: u64, already: BTreeSet<u64>) -> Self {
        let (tx, rx) = mpsc::channel::<u64>();
        let handle = std::thread::spawn(move || {
            let count = len.div_ceil(range_size);
            let mut ready = already;
            let mut next = 0u64;
            let mut md5 = Md5::new();
            let mut buf = vec![0u8; READ_BACK.min(len) as usize];
            while next < count {
                if ready.remove(&next) {
                    let start = next * range_size;
                    let end = start + range_size.min(len - start);
                    hash_range(&file, start, end, &mut md5, &mut buf)?;
                    next += 1;
                    continue;
                }
                match rx.recv() {
                    Ok(i) => {
                        ready.insert(i);
                    }
                    Err(_) => return Err(io::Error::other("download stopped")),
                }
            }
            Ok(md5.finalize().into())
        });
        OrderedHasher {
            tx: Some(tx),
            handle,
        }
    }

    /// Range `index` is now on disk.
    pub fn written(&self, index: u64) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(index);
        }
    }

    /// Wait for the digest (after every range was reported).
    pub async fn finish(mut self) -> io::Result<[u8; 16]> {
        self.tx.take();
        tokio::task::spawn_blocking(move || {
            self.handle
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("hasher panicked")))
        })
        .await
        .unwrap_or_else(|e| Err(io::Error::other(e)))
    }
}

/// MD5 of a whole file, streamed.
pub fn md5_of_file(path: &Path) -> io::Result<[u8; 16]> {
    let mut f = super::safe_fs::open_read(path)?;
    let mut md5 = Md5::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            return Ok(md5.finalize().into());
        }
        md5.update(&buf[..n]);
    }
}

pub fn md5_of(data: &[u8]) -> [u8; 16] {
    Md5::digest(data).into()
}

/// An existing regular file counts as the blob when sizes match and, if the blob has a
/// Content-MD5, the MD5 matches; without one, when its modification time is the blob's
/// last-modified time (downloads set it), like rsync's quick check.
pub fn is_identical(meta: &std::fs::Metadata, path: &Path, blob: &BlobInfo) -> io::Result<bool> {
    if meta.len() != blob.len {
        return Ok(false);
    }
    match blob.content_md5 {
        Some(expected) => Ok(md5_of_file(path)? == expected),
        None => {
            let local = meta.modified().map(OffsetDateTime::from)?;
            Ok(local.unix_timestamp() == blob.last_modified.unix_timestamp())
        }
    }
}

pub fn hex_md5(d: &[u8; 16]) -> String {
    hex::encode(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn ordered_hash_equals_plain_md5_whatever_the_arrival_order() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i * 7) as u8).collect();
        let mut tmp = tempfile::NamedTempFile::new().unwrap();
        tmp.write_all(&data).unwrap();
        let h = OrderedHasher::spawn(
            tmp.reopen().unwrap(),
            data.len() as u64,
            1024,
            [0, 3].into(),
        );
        for i in [9, 1, 2, 5, 4, 8, 7, 6] {
            h.written(i);
        }
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        assert_eq!(rt.block_on(h.finish()).unwrap(), md5_of(&data));
    }
}
