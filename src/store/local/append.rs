//! Append blobs: created once, never truncated; each append lands only at the position
//! the writer expects, checked under the container lock, so of several writers (threads
//! or processes, e.g. `batchout track` and a second tracker after a restart) racing for
//! one position exactly one wins and the others learn the real length.

use super::format::{encode_header, read_header, rewrite_header, Header};
use super::fsutil::{io, TempFile};
use super::Core;
use crate::store::{
    BlobInfo, BlobType, PutOptions, StoreError, StoreResult, MAX_APPEND_BLOCK, MAX_APPEND_BLOCKS,
};
use bytes::Bytes;
use fs4::fs_std::FileExt;
use std::fs::OpenOptions;
use std::io::{Seek, SeekFrom, Write};

impl Core {
    pub(super) fn create_append_blob(
        &self,
        container: &str,
        blob: &str,
        opts: &PutOptions,
    ) -> StoreResult<(BlobInfo, bool)> {
        let (dir, loc, path) = self.locate(container, blob)?;
        let header = Header::new(blob, BlobType::Append, 0, opts);
        let mut tmp = TempFile::create(&dir.tmp(), self.durable)?;
        tmp.file
            .write_all(&encode_header(&header)?)
            .map_err(io(format!("cannot write {blob}")))?;
        tmp.sync()?;
        let _lock = dir.lock(blob)?;
        if let Some(existing) = self.open_existing(&path, blob)? {
            return match existing.header.blob_type() {
                BlobType::Append => Ok((existing.header.info(), false)),
                BlobType::Block => Err(StoreError::BlobTypeMismatch {
                    blob: blob.to_string(),
                    expected: "append",
                    found: "block",
                }),
            };
        }
        self.ensure_parents(&dir, &loc)?;
        tmp.rename_to(&path)?;
        Ok((header.info(), true))
    }

    pub(super) fn append_block(
        &self,
        container: &str,
        blob: &str,
        data: Bytes,
        expected: u64,
    ) -> StoreResult<BlobInfo> {
        if data.len() > MAX_APPEND_BLOCK {
            return Err(super::blobs::too_large(data.len(), MAX_APPEND_BLOCK));
        }
        let (dir, _, path) = self.locate(container, blob)?;
        let _lock = dir.lock(blob)?;
        let mut file = match OpenOptions::new().read(true).write(true).open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(self.blob_not_found(container, blob))
            }
            Err(e) => return Err(StoreError::io(format!("cannot open {blob}"), e)),
        };
        // The container lock keeps other writers out; the header cannot change under us.
        let (mut header, data_offset) = read_header(&mut file, blob)?;
        if header.blob_type() != BlobType::Append {
            return Err(StoreError::BlobTypeMismatch {
                blob: blob.to_string(),
                expected: "append",
                found: "block",
            });
        }
        if header.len != expected {
            return Err(StoreError::AppendPositionMismatch {
                blob: blob.to_string(),
                expected,
                actual: Some(header.len),
            });
        }
        if header.blocks >= MAX_APPEND_BLOCKS {
            return Err(StoreError::BlockCountExceeded {
                blob: blob.to_string(),
            });
        }
        // Bytes first (past the recorded length, invisible to readers), then the header
        // that makes them visible. A crash in between leaves the blob as it was.
        file.seek(SeekFrom::Start(data_offset + header.len))
            .and_then(|_| file.write_all(&data))
            .and_then(|_| {
                if self.durable {
                    file.sync_data()
                } else {
                    Ok(())
                }
            })
            .map_err(io(format!("cannot append to {blob}")))?;
        header.len += data.len() as u64;
        header.blocks += 1;
        header.touch();
        FileExt::lock_exclusive(&file).map_err(io(format!("cannot lock {blob}")))?;
        let written = rewrite_header(&mut file, &header, data_offset).and_then(|_| {
            if self.durable {
                file.sync_data().map_err(io(format!("cannot flush {blob}")))
            } else {
                Ok(())
            }
        });
        let _ = FileExt::unlock(&file);
        written?;
        Ok(header.info())
    }
}
