//! Streaming one file: ranged reads pinned to the version first read (if_match), so the
//! bytes written out always belong to one version even if the blob is replaced meanwhile
//! (the read then fails with ConditionNotMet instead of mixing versions). Append blobs
//! are the exception: a live log changes its etag on every append, but its bytes never
//! change, so it is read unpinned up to the length seen first (and must not shrink).

use crate::store::{BlobType, ByteRange, Store, StoreError, StoreResult};

/// Bytes per ranged read.
pub const CAT_CHUNK: u64 = 4 * 1024 * 1024;

/// What was streamed.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamStats {
    pub bytes: u64,
    pub etag: String,
    pub blob_type: Option<BlobType>,
}

/// Read `blob` from the start in `chunk`-sized ranges and hand each chunk to `sink`.
/// An append blob that grows while being read is read up to its length at the first read.
pub async fn stream_file<F: FnMut(&[u8]) -> std::io::Result<()>>(
    store: &dyn Store,
    container: &str,
    blob: &str,
    chunk: u64,
    sink: &mut F,
) -> StoreResult<StreamStats> {
    let chunk = chunk.max(1);
    let first = store
        .read_range(container, blob, ByteRange::new(0, chunk), None)
        .await?;
    let total = first.total_len;
    let etag = first.etag.clone();
    let blob_type = Some(first.blob_type);
    sink(&first.data).map_err(|e| StoreError::io("cannot write output", e))?;
    let mut done = first.data.len() as u64;
    while done < total {
        let want = chunk.min(total - done);
        let pin = (first.blob_type == BlobType::Block).then_some(etag.as_str());
        let r = store
            .read_range(container, blob, ByteRange::new(done, want), pin)
            .await?;
        if r.blob_type != first.blob_type || r.total_len < total {
            return Err(StoreError::ConditionNotMet {
                blob: blob.to_string(),
            });
        }
        if r.data.is_empty() {
            return Err(StoreError::Corrupt(format!(
                "{blob} ended at byte {done}, expected {total}"
            )));
        }
        sink(&r.data).map_err(|e| StoreError::io("cannot write output", e))?;
        done += r.data.len() as u64;
    }
    Ok(StreamStats {
        bytes: done,
        etag,
        blob_type,
    })
}
