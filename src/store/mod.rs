//! The one seam between batchout and where outputs live.
//!
//! [`Store`] is implemented by [`local::LocalStore`] (a folder, the embedded default) and
//! [`azure::AzureStore`] (Azure Blob Storage through the official SDK). Both pass the same
//! conformance suite (tests/support/conformance.rs). [`open`] picks one from `--store` and
//! the environment.

pub mod azure;
mod error;
pub mod file_at;
pub mod local;
pub mod open;
pub mod retry;
mod types;

pub use error::{StoreError, StoreResult};
pub use open::{open, open_as, Access, StoreSpec};
pub use types::*;

use async_trait::async_trait;
use bytes::Bytes;
use std::collections::BTreeMap;

/// Storage operations batchout needs, with Azure Blob semantics.
///
/// Names are passed verbatim (container names must already be valid; blob names may hold
/// any character Azure allows). Every method is cancel-safe in the sense that dropping the
/// future leaves the store consistent (a write either happened or did not).
#[async_trait]
pub trait Store: Send + Sync + std::fmt::Debug {
    /// A short human description for status bars and errors (never contains secrets).
    fn describe(&self) -> String;

    /// One page of containers whose name starts with `prefix`, in name order.
    async fn list_containers(
        &self,
        prefix: &str,
        marker: Option<&str>,
    ) -> StoreResult<Page<ContainerInfo>>;

    /// Properties and metadata of one container.
    async fn container_info(&self, container: &str) -> StoreResult<ContainerInfo>;

    /// One page of blobs (and, with a delimiter, virtual folders) in name order.
    async fn list_blobs(
        &self,
        container: &str,
        query: &ListQuery,
        marker: Option<&str>,
    ) -> StoreResult<Page<ListItem>>;

    /// Properties of one blob.
    async fn blob_info(&self, container: &str, blob: &str) -> StoreResult<BlobInfo>;

    /// Read a byte range. A range starting at or past the end of a non-empty blob is
    /// [`StoreError::InvalidRange`]; reading an empty blob from 0 gives no bytes.
    /// With `if_match`, fails with [`StoreError::ConditionNotMet`] when the etag differs.
    async fn read_range(
        &self,
        container: &str,
        blob: &str,
        range: ByteRange,
        if_match: Option<&str>,
    ) -> StoreResult<RangeData>;

    /// Read `len` bytes at `start` as a stream of chunks (see [`RangeStream`]); the range
    /// must lie inside the blob. `with_md5` asks the service for the range's MD5, which
    /// Azure gives for ranges of at most [`MAX_RANGE_MD5`] bytes. The default reads the
    /// range in one piece; backends override it to stream.
    async fn read_range_stream(
        &self,
        container: &str,
        blob: &str,
        start: u64,
        len: u64,
        if_match: Option<&str>,
        with_md5: bool,
    ) -> StoreResult<RangeStream> {
        let _ = with_md5;
        let rd = self
            .read_range(container, blob, ByteRange::new(start, len), if_match)
            .await?;
        Ok(RangeStream {
            start: rd.start,
            len: rd.data.len() as u64,
            total_len: rd.total_len,
            etag: rd.etag,
            content_md5: rd.content_md5,
            range_md5: None,
            body: Box::pin(futures::stream::once(std::future::ready(Ok(rd.data)))),
        })
    }

    /// Create a private container if missing. Returns true when it was created; an
    /// existing container keeps its metadata.
    async fn create_container(
        &self,
        container: &str,
        metadata: &BTreeMap<String, String>,
    ) -> StoreResult<bool>;

    /// Upload a whole block blob in one request, replacing any block blob of that name.
    /// An existing append blob of that name is [`StoreError::BlobTypeMismatch`].
    async fn put_block_blob(
        &self,
        container: &str,
        blob: &str,
        data: Bytes,
        options: &PutOptions,
    ) -> StoreResult<BlobInfo>;

    /// Stage one uncommitted block (ids: base64 of equal-length strings, as Azure requires).
    async fn stage_block(
        &self,
        container: &str,
        blob: &str,
        block_id: &str,
        data: Bytes,
    ) -> StoreResult<()>;

    /// Stage one block read from `slice` of a local file. Backends override the default
    /// (which reads the block into memory) to stream it from disk, so that an upload's
    /// memory does not grow with its block size.
    async fn stage_block_from_file(
        &self,
        container: &str,
        blob: &str,
        block_id: &str,
        slice: &FileSlice,
    ) -> StoreResult<()> {
        let s = slice.clone();
        let data = tokio::task::spawn_blocking(move || s.read_all())
            .await
            .map_err(|e| StoreError::io("reading thread failed", std::io::Error::other(e)))?
            .map_err(|e| StoreError::io("cannot read the file being saved", e))?;
        self.stage_block(container, blob, block_id, data).await
    }

    /// Commit staged blocks in order as the blob's content, replacing any block blob.
    async fn commit_block_list(
        &self,
        container: &str,
        blob: &str,
        block_ids: &[String],
        options: &PutOptions,
    ) -> StoreResult<BlobInfo>;

    /// Create an empty append blob if no blob of that name exists. Never truncates.
    /// Returns the blob's properties and whether it was created now. An existing block
    /// blob is [`StoreError::BlobTypeMismatch`].
    async fn create_append_blob(
        &self,
        container: &str,
        blob: &str,
        options: &PutOptions,
    ) -> StoreResult<(BlobInfo, bool)>;

    /// Append one block (at most [`MAX_APPEND_BLOCK`] bytes) if the blob's length is
    /// exactly `expected_position`; otherwise [`StoreError::AppendPositionMismatch`].
    /// Returns the blob's properties after the append.
    async fn append_block(
        &self,
        container: &str,
        blob: &str,
        data: Bytes,
        expected_position: u64,
    ) -> StoreResult<BlobInfo>;

    /// Replace a blob's metadata (all of it, as Azure's Set Blob Metadata does) without
    /// touching its bytes: an append blob keeps its length and append position, so a
    /// concurrent appender (whose only condition is the position) and a reader following
    /// the blob are not disturbed. Changes the etag and last-modified time, like any write.
    /// Names must be identifiers (letters, digits, `_`; not starting with a digit); they
    /// are stored lower-cased. Values are printable ASCII. See [`check_metadata`].
    async fn set_blob_metadata(
        &self,
        container: &str,
        blob: &str,
        metadata: &BTreeMap<String, String>,
    ) -> StoreResult<()>;

    /// Delete a blob. Missing blob: [`StoreError::BlobNotFound`].
    async fn delete_blob(&self, container: &str, blob: &str) -> StoreResult<()>;
}

/// Largest block Append Block accepts.
pub const MAX_APPEND_BLOCK: usize = 4 * 1024 * 1024;
/// Most committed blocks an append blob can hold.
pub const MAX_APPEND_BLOCKS: u32 = 50_000;
/// Azure's limit for a blob's metadata (names and values together).
pub const MAX_METADATA: usize = 8 * 1024;
/// Azure's page size limit for listings.
pub const MAX_PAGE: u32 = 5000;

/// Metadata key under which batchout records the original job id of a container it made.
pub const JOB_ID_METADATA_KEY: &str = "batchoutjobid";

/// Check metadata the way Azure does (names are C# identifiers, values travel as HTTP
/// header values) and lower-case its names. Both backends call it, so bad metadata is the
/// same clear error everywhere.
pub fn check_metadata(
    metadata: &BTreeMap<String, String>,
) -> StoreResult<BTreeMap<String, String>> {
    let size: usize = metadata.iter().map(|(k, v)| k.len() + v.len()).sum();
    if size > MAX_METADATA {
        return Err(StoreError::InvalidName(format!(
            "metadata of {size} bytes is over the {MAX_METADATA} byte limit"
        )));
    }
    let mut out = BTreeMap::new();
    for (k, v) in metadata {
        let ident = k
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ident {
            return Err(StoreError::InvalidName(format!(
                "metadata name {:?} is not allowed: use letters, digits and _ (not starting with a digit)",
                crate::text::one_line(k)
            )));
        }
        if !v.chars().all(|c| (' '..='~').contains(&c)) {
            return Err(StoreError::InvalidName(format!(
                "metadata value of {k} is not printable ASCII"
            )));
        }
        out.insert(k.to_ascii_lowercase(), v.clone());
    }
    Ok(out)
}

/// Convenience: walk every page of a blob listing.
pub async fn list_all_blobs(
    store: &dyn Store,
    container: &str,
    query: &ListQuery,
) -> StoreResult<Vec<ListItem>> {
    let mut out = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let page = store
            .list_blobs(container, query, marker.as_deref())
            .await?;
        out.extend(page.items);
        match page.next_marker {
            Some(m) => marker = Some(m),
            None => return Ok(out),
        }
    }
}

/// Convenience: walk every page of a container listing.
pub async fn list_all_containers(
    store: &dyn Store,
    prefix: &str,
) -> StoreResult<Vec<ContainerInfo>> {
    let mut out = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let page = store.list_containers(prefix, marker.as_deref()).await?;
        out.extend(page.items);
        match page.next_marker {
            Some(m) => marker = Some(m),
            None => return Ok(out),
        }
    }
}
