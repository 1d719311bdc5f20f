//! Block blobs, reads and deletes. Every change of which file a name points to happens
//! under the container lock; the bytes themselves are written to a temp file first, so
//! the lock is held only for the type check and the rename.

use super::containers::ContainerDir;
use super::format::{encode_header, read_header, Header};
use super::fsutil::{io, TempFile};
use super::names::{validate_blob_name, BlobLocation, SEGMENT_FILE};
use super::Core;
use crate::store::{BlobInfo, BlobType, ByteRange, PutOptions, RangeData, StoreError, StoreResult};
use base64::Engine;
use bytes::Bytes;
use fs4::fs_std::FileExt;
use md5::{Digest, Md5};
use sha2::Sha256;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Largest block Put Block accepts (Azure: 4000 MiB).
const MAX_STAGED_BLOCK: usize = 4000 * 1024 * 1024;

/// A blob file opened for reading, with its header.
pub(super) struct OpenBlob {
    pub file: File,
    pub header: Header,
    pub data_offset: u64,
}

impl Core {
    /// Container folder and the blob's file path, after validating both names.
    pub(super) fn locate(
        &self,
        container: &str,
        blob: &str,
    ) -> StoreResult<(ContainerDir, BlobLocation, PathBuf)> {
        validate_blob_name(blob)?;
        let dir = self.container(container)?;
        let loc = BlobLocation::of(blob);
        let path = dir.blobs().join(loc.relative_path());
        Ok((dir, loc, path))
    }

    pub(super) fn blob_not_found(&self, container: &str, blob: &str) -> StoreError {
        StoreError::BlobNotFound {
            container: container.to_string(),
            blob: blob.to_string(),
        }
    }

    /// Open a blob and read its header under a shared lock (an append rewrites the
    /// header under an exclusive one). None when there is no such blob.
    pub(super) fn open_existing(&self, path: &Path, blob: &str) -> StoreResult<Option<OpenBlob>> {
        let mut file = match File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(StoreError::io(format!("cannot open blob {blob}"), e)),
        };
        FileExt::lock_shared(&file).map_err(io(format!("cannot lock blob {blob}")))?;
        let read = read_header(&mut file, blob);
        let _ = FileExt::unlock(&file);
        let (header, data_offset) = read?;
        if header.name != blob {
            return Err(StoreError::Corrupt(format!(
                "file for {blob} holds {}",
                header.name
            )));
        }
        Ok(Some(OpenBlob {
            file,
            header,
            data_offset,
        }))
    }

    pub(super) fn blob_info(&self, container: &str, blob: &str) -> StoreResult<BlobInfo> {
        let (_, _, path) = self.locate(container, blob)?;
        match self.open_existing(&path, blob)? {
            Some(b) => Ok(b.header.info()),
            None => Err(self.blob_not_found(container, blob)),
        }
    }

    pub(super) fn read_range(
        &self,
        container: &str,
        blob: &str,
        range: ByteRange,
        if_match: Option<&str>,
    ) -> StoreResult<RangeData> {
        let (mut opened, mut rd, n) = self.open_range(container, blob, range, if_match)?;
        let mut data = vec![0u8; n as usize];
        opened
            .file
            .seek(SeekFrom::Start(opened.data_offset + range.start))
            .and_then(|_| opened.file.read_exact(&mut data))
            .map_err(|e| shorter_than_header(blob, e))?;
        rd.data = Bytes::from(data);
        Ok(rd)
    }

    /// Check a read (existence, etag, range) and open the blob for it. Returns the open
    /// file, the read's properties (with no data yet) and how many bytes it covers. The
    /// open file keeps this version readable even if a writer replaces the blob.
    pub(super) fn open_range(
        &self,
        container: &str,
        blob: &str,
        range: ByteRange,
        if_match: Option<&str>,
    ) -> StoreResult<(OpenBlob, RangeData, u64)> {
        let (_, _, path) = self.locate(container, blob)?;
        let Some(b) = self.open_existing(&path, blob)? else {
            return Err(self.blob_not_found(container, blob));
        };
        let h = &b.header;
        if let Some(etag) = if_match {
            if etag != h.etag && etag != "*" {
                return Err(StoreError::ConditionNotMet {
                    blob: blob.to_string(),
                });
            }
        }
        let past_end = if h.len == 0 {
            range.start > 0
        } else {
            range.start >= h.len
        };
        if past_end {
            return Err(StoreError::InvalidRange {
                blob: blob.to_string(),
                start: range.start,
                len: h.len,
            });
        }
        let end = match range.len {
            Some(n) => range.start.saturating_add(n).min(h.len),
            None => h.len,
        };
        let rd = RangeData {
            data: Bytes::new(),
            start: range.start,
            total_len: h.len,
            etag: h.etag.clone(),
            blob_type: h.blob_type(),
            last_modified: h.last_modified(),
            content_md5: h.md5(),
        };
        Ok((b, rd, end - range.start))
    }

    /// The type of the blob at `path`, if any (read under the container lock by writers).
    pub(super) fn existing_type(&self, path: &Path, blob: &str) -> StoreResult<Option<BlobType>> {
        Ok(self
            .open_existing(path, blob)?
            .map(|b| b.header.blob_type()))
    }

    /// Create the blob's parent folders (under the container lock). A hashed folder is
    /// built with its segment file and renamed into place, so it is never seen without.
    pub(super) fn ensure_parents(&self, dir: &ContainerDir, loc: &BlobLocation) -> StoreResult<()> {
        let mut path = dir.blobs();
        for (enc, raw) in &loc.dirs {
            path.push(enc);
            if path.is_dir() {
                continue;
            }
            if enc.starts_with('~') {
                let tmp = dir
                    .tmp()
                    .join(format!("{:016x}.dir", rand::random::<u64>()));
                std::fs::create_dir(&tmp).map_err(io("cannot create a folder in the store"))?;
                std::fs::write(tmp.join(SEGMENT_FILE), raw.as_bytes())
                    .map_err(io("cannot write a folder name"))?;
                std::fs::rename(&tmp, &path)
                    .map_err(io(format!("cannot create {}", path.display())))?;
            } else {
                match std::fs::create_dir(&path) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                    Err(e) => {
                        return Err(StoreError::io(
                            format!("cannot create {}", path.display()),
                            e,
                        ))
                    }
                }
            }
        }
        Ok(())
    }

    /// Write a complete block blob to a temp file (header then the parts), fsynced later.
    fn write_block_temp(
        &self,
        dir: &ContainerDir,
        header: &Header,
        parts: &mut dyn FnMut(&mut File) -> StoreResult<()>,
    ) -> StoreResult<TempFile> {
        let mut tmp = TempFile::create(&dir.tmp(), self.durable)?;
        let head = encode_header(header)?;
        tmp.file
            .write_all(&head)
            .map_err(io(format!("cannot write {}", header.name)))?;
        parts(&mut tmp.file)?;
        Ok(tmp)
    }

    /// Rename a finished block blob into place unless an append blob holds the name.
    fn install_block(
        &self,
        dir: &ContainerDir,
        loc: &BlobLocation,
        path: &Path,
        blob: &str,
        tmp: TempFile,
    ) -> StoreResult<()> {
        tmp.sync()?;
        let _lock = dir.lock(blob)?;
        if self.existing_type(path, blob)? == Some(BlobType::Append) {
            return Err(StoreError::BlobTypeMismatch {
                blob: blob.to_string(),
                expected: "block",
                found: "append",
            });
        }
        self.ensure_parents(dir, loc)?;
        tmp.rename_to(path)
    }

    pub(super) fn put_block_blob(
        &self,
        container: &str,
        blob: &str,
        data: Bytes,
        opts: &PutOptions,
    ) -> StoreResult<BlobInfo> {
        let (dir, loc, path) = self.locate(container, blob)?;
        let mut header = Header::new(blob, BlobType::Block, data.len() as u64, opts);
        // Like Azure's Put Blob, record the MD5 of the bytes when the caller gave none.
        if opts.content_md5.is_none() {
            header.md5 = Some(hex::encode(Md5::digest(&data)));
        }
        let tmp = self.write_block_temp(&dir, &header, &mut |f| {
            f.write_all(&data)
                .map_err(io(format!("cannot write {blob}")))
        })?;
        self.install_block(&dir, &loc, &path, blob, tmp)?;
        self.drop_staged(&dir, blob);
        Ok(header.info())
    }

    fn staging_dir(&self, dir: &ContainerDir, blob: &str) -> PathBuf {
        dir.staging()
            .join(hex::encode(Sha256::digest(blob.as_bytes())))
    }

    fn drop_staged(&self, dir: &ContainerDir, blob: &str) {
        let _ = std::fs::remove_dir_all(self.staging_dir(dir, blob));
    }

    pub(super) fn stage_block(
        &self,
        container: &str,
        blob: &str,
        block_id: &str,
        data: Bytes,
    ) -> StoreResult<()> {
        self.stage_block_with(container, blob, block_id, data.len() as u64, |f| {
            f.write_all(&data)
        })
    }

    /// Stage a block written by `write` (`len` bytes) into the blob's staging folder.
    pub(super) fn stage_block_with(
        &self,
        container: &str,
        blob: &str,
        block_id: &str,
        len: u64,
        write: impl FnOnce(&mut File) -> std::io::Result<()>,
    ) -> StoreResult<()> {
        let (dir, _, path) = self.locate(container, blob)?;
        let id_file = block_file_name(block_id)?;
        if len > MAX_STAGED_BLOCK as u64 {
            return Err(too_large(len as usize, MAX_STAGED_BLOCK));
        }
        if self.existing_type(&path, blob)? == Some(BlobType::Append) {
            return Err(StoreError::BlobTypeMismatch {
                blob: blob.to_string(),
                expected: "block",
                found: "append",
            });
        }
        let sdir = self.staging_dir(&dir, blob);
        std::fs::create_dir_all(&sdir).map_err(io("cannot create a staging folder"))?;
        let mut tmp = TempFile::create(&dir.tmp(), self.durable)?;
        write(&mut tmp.file).map_err(io(format!("cannot stage a block of {blob}")))?;
        tmp.persist(&sdir.join(id_file))
    }

    pub(super) fn commit_block_list(
        &self,
        container: &str,
        blob: &str,
        block_ids: &[String],
        opts: &PutOptions,
    ) -> StoreResult<BlobInfo> {
        let (dir, loc, path) = self.locate(container, blob)?;
        let sdir = self.staging_dir(&dir, blob);
        // Like Azure's "Latest" list: a staged block first, else a committed one.
        let mut current = self
            .open_existing(&path, blob)?
            .filter(|b| b.header.blob_type() == BlobType::Block);
        let mut committed: std::collections::HashMap<&str, (u64, u64)> = Default::default();
        if let Some(cur) = &current {
            let mut offset = 0;
            for (id, len) in &cur.header.block_list {
                committed.insert(id.as_str(), (offset, *len));
                offset += len;
            }
        }
        enum Source {
            Staged(File),
            Committed { offset: u64, len: u64 },
        }
        let mut sources = Vec::with_capacity(block_ids.len());
        let mut list = Vec::with_capacity(block_ids.len());
        let mut total = 0u64;
        for id in block_ids {
            let len = match File::open(sdir.join(block_file_name(id)?)) {
                Ok(f) => {
                    let len = f
                        .metadata()
                        .map_err(io("cannot read a staged block"))?
                        .len();
                    sources.push(Source::Staged(f));
                    len
                }
                Err(_) => match committed.get(id.as_str()) {
                    Some(&(offset, len)) => {
                        sources.push(Source::Committed { offset, len });
                        len
                    }
                    None => {
                        return Err(StoreError::Service {
                            status: 400,
                            code: "InvalidBlockList".into(),
                            message: format!(
                                "block {id} of {blob} was neither staged nor committed"
                            ),
                        })
                    }
                },
            };
            total += len;
            list.push((id.clone(), len));
        }
        let mut header = Header::new(blob, BlobType::Block, total, opts);
        header.block_list = list;
        let tmp = self.write_block_temp(&dir, &header, &mut |out| {
            for src in sources.iter_mut() {
                match src {
                    Source::Staged(f) => {
                        std::io::copy(f, out).map_err(io(format!("cannot write {blob}")))?;
                    }
                    Source::Committed { offset, len } => {
                        let Some(cur) = current.as_mut() else {
                            return Err(StoreError::Corrupt(format!(
                                "{blob}: a committed block without a current blob"
                            )));
                        };
                        cur.file
                            .seek(SeekFrom::Start(cur.data_offset + *offset))
                            .map_err(io(format!("cannot read {blob}")))?;
                        let copied = std::io::copy(&mut (&cur.file).take(*len), out)
                            .map_err(io(format!("cannot write {blob}")))?;
                        if copied != *len {
                            return Err(StoreError::Corrupt(format!(
                                "{blob} is shorter than its block list"
                            )));
                        }
                    }
                }
            }
            Ok(())
        })?;
        self.install_block(&dir, &loc, &path, blob, tmp)?;
        // Azure discards the uncommitted blocks of a blob when its block list is committed.
        self.drop_staged(&dir, blob);
        Ok(header.info())
    }

    pub(super) fn delete_blob(&self, container: &str, blob: &str) -> StoreResult<()> {
        let (dir, loc, path) = self.locate(container, blob)?;
        let _lock = dir.lock(blob)?;
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(self.blob_not_found(container, blob))
            }
            Err(e) => return Err(StoreError::io(format!("cannot delete {blob}"), e)),
        }
        self.drop_staged(&dir, blob);
        // Remove folders left empty, deepest first, so listings never show empty prefixes.
        let mut folders: Vec<PathBuf> = Vec::new();
        let mut p = dir.blobs();
        for (enc, _) in &loc.dirs {
            p.push(enc);
            folders.push(p.clone());
        }
        for f in folders.iter().rev() {
            if !remove_if_empty(f) {
                break;
            }
        }
        Ok(())
    }
}

/// Remove a folder holding nothing but (maybe) its segment file; true when removed.
fn remove_if_empty(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    for e in entries.flatten() {
        if e.file_name() != SEGMENT_FILE {
            return false;
        }
    }
    let _ = std::fs::remove_file(dir.join(SEGMENT_FILE));
    std::fs::remove_dir(dir).is_ok()
}

/// A staged block's file name: hex of the id, after checking it is base64 of at most
/// 64 bytes as Azure requires.
fn block_file_name(block_id: &str) -> StoreResult<String> {
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(block_id)
        .ok();
    match decoded {
        Some(d) if !d.is_empty() && d.len() <= 64 => {
            Ok(format!("{}.blk", hex::encode(block_id.as_bytes())))
        }
        _ => Err(StoreError::Service {
            status: 400,
            code: "InvalidQueryParameterValue".into(),
            message: format!("block id {block_id:?} is not base64 of 1 to 64 bytes"),
        }),
    }
}

pub(super) fn too_large(len: usize, max: usize) -> StoreError {
    StoreError::Service {
        status: 413,
        code: "RequestBodyTooLarge".into(),
        message: format!("a block of {len} bytes is larger than the limit of {max} bytes"),
    }
}

pub(super) fn shorter_than_header(blob: &str, e: std::io::Error) -> StoreError {
    StoreError::Corrupt(format!("{blob} is shorter than its header says: {e}"))
}
