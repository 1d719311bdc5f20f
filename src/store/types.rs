//! Domain types shared by every store backend.

use bytes::Bytes;
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// One page of a listing; `next_marker` is the opaque continuation (None: last page).
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_marker: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ContainerInfo {
    pub name: String,
    pub last_modified: OffsetDateTime,
    pub etag: String,
    pub metadata: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BlobType {
    Block,
    Append,
}

impl BlobType {
    pub fn as_str(self) -> &'static str {
        match self {
            BlobType::Block => "block",
            BlobType::Append => "append",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct BlobInfo {
    pub name: String,
    pub len: u64,
    pub etag: String,
    pub last_modified: OffsetDateTime,
    pub blob_type: BlobType,
    pub content_md5: Option<[u8; 16]>,
    pub content_type: Option<String>,
    /// Committed blocks of an append blob (None when the backend does not report it).
    pub committed_blocks: Option<u32>,
    /// The blob's metadata (names lower-cased). Filled by `blob_info`, and by listings only
    /// when [`ListQuery::include_metadata`] asks for it; empty otherwise.
    pub metadata: BTreeMap<String, String>,
}

/// An entry of a hierarchical listing: a blob, or a virtual folder ending with the delimiter.
#[derive(Debug, Clone, PartialEq)]
pub enum ListItem {
    Blob(BlobInfo),
    Prefix(String),
}

impl ListItem {
    pub fn name(&self) -> &str {
        match self {
            ListItem::Blob(b) => &b.name,
            ListItem::Prefix(p) => p,
        }
    }
}

/// What to list: names starting with `prefix`; with `delimiter` (always "/" in batchout),
/// names are rolled up into virtual folders at the first delimiter after the prefix.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListQuery {
    pub prefix: String,
    pub delimiter: Option<char>,
    /// Page size (None: the backend's default, 5000).
    pub max_results: Option<u32>,
    /// Return each blob's metadata too (Azure: `include=metadata`), so that one listing
    /// reads what writers recorded on many blobs.
    pub include_metadata: bool,
}

impl ListQuery {
    pub fn flat(prefix: impl Into<String>) -> Self {
        ListQuery {
            prefix: prefix.into(),
            delimiter: None,
            max_results: None,
            include_metadata: false,
        }
    }
    pub fn hierarchy(prefix: impl Into<String>) -> Self {
        ListQuery {
            prefix: prefix.into(),
            delimiter: Some('/'),
            max_results: None,
            include_metadata: false,
        }
    }
    pub fn page_size(mut self, n: u32) -> Self {
        self.max_results = Some(n);
        self
    }
    /// Ask for each blob's metadata in the listing.
    pub fn with_metadata(mut self) -> Self {
        self.include_metadata = true;
        self
    }
}

/// A byte range: `len` None reads to the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRange {
    pub start: u64,
    pub len: Option<u64>,
}

impl ByteRange {
    pub fn all() -> Self {
        ByteRange {
            start: 0,
            len: None,
        }
    }
    pub fn from(start: u64) -> Self {
        ByteRange { start, len: None }
    }
    pub fn new(start: u64, len: u64) -> Self {
        ByteRange {
            start,
            len: Some(len),
        }
    }
}

/// Bytes of a ranged read, with the blob's properties at the time of the read.
#[derive(Debug, Clone)]
pub struct RangeData {
    pub data: Bytes,
    /// Offset of `data[0]` in the blob.
    pub start: u64,
    /// Whole blob's length at the time of the read.
    pub total_len: u64,
    pub etag: String,
    pub blob_type: BlobType,
    pub last_modified: OffsetDateTime,
    /// Whole blob's Content-MD5, if it has one.
    pub content_md5: Option<[u8; 16]>,
}

/// A ranged read whose bytes arrive as a stream of chunks, so that memory does not grow
/// with the range (large downloads write each chunk to disk as it comes).
pub struct RangeStream {
    /// Offset of the first byte in the blob.
    pub start: u64,
    /// How many bytes `body` yields when it runs to the end.
    pub len: u64,
    /// Whole blob's length at the time of the read.
    pub total_len: u64,
    pub etag: String,
    /// Whole blob's Content-MD5, if it has one.
    pub content_md5: Option<[u8; 16]>,
    /// The service's MD5 of exactly these bytes (a transactional checksum), when it was
    /// asked for and the service offers it (Azure: ranges of at most 4 MiB).
    pub range_md5: Option<[u8; 16]>,
    /// The bytes; an error item means the read broke off (e.g. a cut connection).
    pub body: futures::stream::BoxStream<'static, crate::store::StoreResult<Bytes>>,
}

impl std::fmt::Debug for RangeStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RangeStream")
            .field("start", &self.start)
            .field("len", &self.len)
            .field("total_len", &self.total_len)
            .field("etag", &self.etag)
            .finish_non_exhaustive()
    }
}

/// The largest range for which Azure computes a transactional MD5.
pub const MAX_RANGE_MD5: u64 = 4 * 1024 * 1024;

/// A byte range of an open local file: what a large upload stages as one block, read
/// from disk while it is sent instead of being held in memory.
#[derive(Debug, Clone)]
pub struct FileSlice {
    pub file: std::sync::Arc<std::fs::File>,
    pub offset: u64,
    pub len: u64,
}

impl FileSlice {
    /// Bytes read from disk per step when a slice is copied or sent.
    pub const STEP: u64 = 1024 * 1024;

    /// `n` bytes at `at` (relative to the slice). A file that became shorter than the
    /// slice is an `UnexpectedEof` error: it changed while it was being saved.
    pub fn read_at(&self, at: u64, n: usize) -> std::io::Result<Bytes> {
        let mut buf = vec![0u8; n];
        crate::store::file_at::read_exact_at(&self.file, &mut buf, self.offset + at)?;
        Ok(Bytes::from(buf))
    }

    /// Whether the file still reaches the end of the slice (it may have shrunk since).
    pub fn check_len(&self) -> std::io::Result<()> {
        let len = self.file.metadata()?.len();
        if len < self.offset + self.len {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!("the file is {len} bytes, shorter than the block it was cut into"),
            ));
        }
        Ok(())
    }

    /// The whole slice in memory.
    pub fn read_all(&self) -> std::io::Result<Bytes> {
        self.read_at(0, self.len as usize)
    }

    /// Copy the slice to `out`, one step at a time.
    pub fn copy_to(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        let mut at = 0;
        while at < self.len {
            let n = Self::STEP.min(self.len - at);
            out.write_all(&self.read_at(at, n as usize)?)?;
            at += n;
        }
        Ok(())
    }
}

/// Options for creating or replacing a blob.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PutOptions {
    pub content_type: Option<String>,
    /// Whole-blob MD5 recorded as the blob's Content-MD5 property.
    pub content_md5: Option<[u8; 16]>,
    pub metadata: BTreeMap<String, String>,
}
