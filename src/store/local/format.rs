//! The blob file: a small header (the blob's properties, JSON) followed by the bytes.
//!
//! Layout: `BOBLOB01` magic, data offset (u64 LE), header length (u32 LE), header JSON,
//! zero padding up to the data offset, then the blob's bytes. One file per blob, so a
//! block blob is replaced with one rename and a reader holding the old file keeps a
//! consistent old version. Append blobs reserve room in the header so that an append
//! rewrites the header in place (under the blob file's exclusive lock) after writing the
//! new bytes: bytes before the recorded length never change, so readers need the lock
//! only for the header.

use crate::store::{BlobInfo, BlobType, StoreError, StoreResult};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use time::OffsetDateTime;

const MAGIC: &[u8; 8] = b"BOBLOB01";
const PREFIX_LEN: u64 = 20;
/// Room left after an append blob's header for the fields that grow on append.
const APPEND_SLACK: u64 = 512;

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(super) struct Header {
    pub name: String,
    /// "block" or "append".
    #[serde(rename = "type")]
    pub blob_type: String,
    pub len: u64,
    pub etag: String,
    pub modified_ns: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub md5: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, String>,
    /// Committed blocks (append blobs).
    #[serde(default)]
    pub blocks: u32,
    /// Committed block list (id, length) of a block blob made by Put Block List, so that
    /// a later commit may name blocks already committed (as Azure allows: a retried
    /// commit whose first answer was lost succeeds).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub block_list: Vec<(String, u64)>,
}

impl Header {
    pub fn new(
        name: &str,
        blob_type: BlobType,
        len: u64,
        opts: &crate::store::PutOptions,
    ) -> Header {
        Header {
            name: name.to_string(),
            blob_type: blob_type.as_str().to_string(),
            len,
            etag: new_etag(),
            modified_ns: now_ns(),
            md5: opts.content_md5.map(hex::encode),
            content_type: opts.content_type.clone(),
            metadata: opts.metadata.clone(),
            blocks: 0,
            block_list: Vec::new(),
        }
    }

    pub fn blob_type(&self) -> BlobType {
        if self.blob_type == "append" {
            BlobType::Append
        } else {
            BlobType::Block
        }
    }

    pub fn md5(&self) -> Option<[u8; 16]> {
        self.md5
            .as_deref()
            .and_then(|h| hex::decode(h).ok())
            .and_then(|v| v.try_into().ok())
    }

    pub fn last_modified(&self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp_nanos(self.modified_ns as i128)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    pub fn info(&self) -> BlobInfo {
        let append = self.blob_type() == BlobType::Append;
        BlobInfo {
            name: self.name.clone(),
            len: self.len,
            etag: self.etag.clone(),
            last_modified: self.last_modified(),
            blob_type: self.blob_type(),
            content_md5: self.md5(),
            content_type: self.content_type.clone(),
            committed_blocks: append.then_some(self.blocks),
            metadata: self.metadata.clone(),
        }
    }

    /// Record a write: new etag and modification time.
    pub fn touch(&mut self) {
        self.etag = new_etag();
        self.modified_ns = now_ns();
    }
}

/// A fresh etag, quoted like Azure's.
pub(super) fn new_etag() -> String {
    format!("\"0x{:016X}\"", rand::random::<u64>())
}

pub(super) fn now_ns() -> i64 {
    (OffsetDateTime::now_utc().unix_timestamp_nanos()) as i64
}

/// Serialize a header with its prefix; returns the bytes to write at offset 0 (prefix,
/// JSON, padding up to the data offset).
pub(super) fn encode_header(h: &Header) -> StoreResult<Vec<u8>> {
    let json = serde_json::to_vec(h)
        .map_err(|e| StoreError::Corrupt(format!("cannot encode blob header: {e}")))?;
    let used = PREFIX_LEN + json.len() as u64;
    let data_offset = if h.blob_type() == BlobType::Append {
        (used + APPEND_SLACK).div_ceil(4096) * 4096
    } else {
        used
    };
    Ok(prefix_and_json(data_offset, &json))
}

fn prefix_and_json(data_offset: u64, json: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data_offset as usize);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&data_offset.to_le_bytes());
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(json);
    out.resize(data_offset as usize, 0);
    out
}

/// Read the header of an open blob file; returns it with the data offset.
pub(super) fn read_header(file: &mut File, what: &str) -> StoreResult<(Header, u64)> {
    let corrupt = |why: String| StoreError::Corrupt(format!("{what}: {why}"));
    file.seek(SeekFrom::Start(0))
        .map_err(|e| StoreError::io(format!("cannot read {what}"), e))?;
    let mut prefix = [0u8; PREFIX_LEN as usize];
    file.read_exact(&mut prefix)
        .map_err(|_| corrupt("truncated header".into()))?;
    if &prefix[..8] != MAGIC {
        return Err(corrupt("not a batchout blob file".into()));
    }
    let data_offset = u64::from_le_bytes(le_bytes(&prefix[8..16]));
    let json_len = u32::from_le_bytes(le_bytes(&prefix[16..20])) as u64;
    if PREFIX_LEN + json_len > data_offset || json_len > 16 << 20 {
        return Err(corrupt("bad header length".into()));
    }
    let mut json = vec![0u8; json_len as usize];
    file.read_exact(&mut json)
        .map_err(|_| corrupt("truncated header".into()))?;
    let h: Header =
        serde_json::from_slice(&json).map_err(|e| corrupt(format!("bad header: {e}")))?;
    Ok((h, data_offset))
}

/// Rewrite an append blob's header in place; it must fit before the data offset.
pub(super) fn rewrite_header(file: &mut File, h: &Header, data_offset: u64) -> StoreResult<()> {
    let json = serde_json::to_vec(h)
        .map_err(|e| StoreError::Corrupt(format!("cannot encode blob header: {e}")))?;
    if PREFIX_LEN + json.len() as u64 > data_offset {
        return Err(StoreError::Corrupt(format!(
            "header of {} outgrew its room",
            h.name
        )));
    }
    let bytes = prefix_and_json(data_offset, &json);
    file.seek(SeekFrom::Start(0))
        .and_then(|_| file.write_all(&bytes))
        .map_err(|e| StoreError::io(format!("cannot write {}", h.name), e))
}

/// The first N bytes of `b` as an array (the caller slices exactly N bytes from a fixed
/// header; a shorter slice is zero-padded rather than panicking).
fn le_bytes<const N: usize>(b: &[u8]) -> [u8; N] {
    let mut a = [0u8; N];
    let n = b.len().min(N);
    a[..n].copy_from_slice(&b[..n]);
    a
}
