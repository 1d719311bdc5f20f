//! Set Blob Metadata: a new header for the same bytes.
//!
//! An append blob's header has room to spare (see `format`), so its metadata is rewritten
//! in place under the container lock (which keeps appenders out) and the file's exclusive
//! lock (which readers take, shared, to read a header): the bytes, the length and so the
//! append position stay exactly as they were, and a reader following the blob never sees
//! a different file. A block blob's header has no spare room, and metadata too large for
//! an append blob's room, are written as a new file (new header, the same bytes copied)
//! renamed over the old one, like any other replacement.

use super::format::{encode_header, read_header, rewrite_header};
use super::fsutil::{io, TempFile};
use super::Core;
use crate::store::{BlobType, StoreError, StoreResult};
use fs4::fs_std::FileExt;
use std::collections::BTreeMap;
use std::fs::OpenOptions;
use std::io::{Seek, SeekFrom, Write};

impl Core {
    pub(super) fn set_blob_metadata(
        &self,
        container: &str,
        blob: &str,
        metadata: BTreeMap<String, String>,
    ) -> StoreResult<()> {
        let (dir, _, path) = self.locate(container, blob)?;
        let _lock = dir.lock(blob)?;
        let mut file = match OpenOptions::new().read(true).write(true).open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(self.blob_not_found(container, blob))
            }
            Err(e) => return Err(StoreError::io(format!("cannot open {blob}"), e)),
        };
        let (mut header, data_offset) = read_header(&mut file, blob)?;
        header.metadata = metadata;
        header.touch();
        if header.blob_type() == BlobType::Append {
            FileExt::lock_exclusive(&file).map_err(io(format!("cannot lock {blob}")))?;
            let written = rewrite_header(&mut file, &header, data_offset);
            let _ = FileExt::unlock(&file);
            match written {
                Ok(()) => {
                    return if self.durable {
                        file.sync_data().map_err(io(format!("cannot flush {blob}")))
                    } else {
                        Ok(())
                    }
                }
                // Outgrew the header's room: fall through to writing a new file.
                Err(StoreError::Corrupt(_)) => {}
                Err(e) => return Err(e),
            }
        }
        let mut tmp = TempFile::create(&dir.tmp(), self.durable)?;
        tmp.file
            .write_all(&encode_header(&header)?)
            .map_err(io(format!("cannot write {blob}")))?;
        file.seek(SeekFrom::Start(data_offset))
            .map_err(io(format!("cannot read {blob}")))?;
        let mut bytes = std::io::Read::take(&mut file, header.len);
        std::io::copy(&mut bytes, &mut tmp.file).map_err(io(format!("cannot copy {blob}")))?;
        tmp.persist(&path)
    }
}
