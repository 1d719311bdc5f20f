//! Streaming ranged reads: the range is read from the open blob file in chunks on the
//! blocking pool, so a large download never holds more than a chunk per read in memory.

use super::blobs::{shorter_than_header, OpenBlob};
use crate::store::{FileSlice, RangeStream, StoreError};
use std::sync::Arc;

/// Turn an opened, checked read into a stream of its bytes.
pub(super) fn stream_range(
    opened: OpenBlob,
    blob: String,
    start: u64,
    len: u64,
    info: crate::store::RangeData,
) -> RangeStream {
    let slice = FileSlice {
        file: Arc::new(opened.file),
        offset: opened.data_offset + start,
        len,
    };
    let body = futures::stream::unfold(0u64, move |done| {
        let (slice, blob) = (slice.clone(), blob.clone());
        async move {
            if done >= len {
                return None;
            }
            // One step per chunk: what a read in flight holds in memory.
            let n = FileSlice::STEP.min(len - done);
            let read = tokio::task::spawn_blocking(move || {
                slice
                    .read_at(done, n as usize)
                    .map_err(|e| shorter_than_header(&blob, e))
            })
            .await
            .unwrap_or_else(|e| {
                Err(StoreError::io(
                    "local store worker failed",
                    std::io::Error::other(e.to_string()),
                ))
            });
            // After an error the stream ends: the next poll sees `done == len`.
            let next = if read.is_ok() { done + n } else { len };
            Some((read, next))
        }
    });
    RangeStream {
        start,
        len,
        total_len: info.total_len,
        etag: info.etag,
        content_md5: info.content_md5,
        range_md5: None,
        body: Box::pin(body),
    }
}
