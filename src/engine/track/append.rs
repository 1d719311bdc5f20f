//! Appending exactly once: Append Block with the append-position condition, and, when the
//! condition fails, a look at the blob to tell our own landed bytes (a lost response, a
//! retried request) from someone else's.

use crate::store::retry::RetrySettings;
use crate::store::{BlobInfo, ByteRange, Store, StoreError, StoreResult};
use bytes::Bytes;

/// What became of one append of `data` at `position`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Appended {
    /// All of `data` was appended now.
    Done(BlobInfo),
    /// The blob already held the first `bytes` bytes of `data` at `position` (an earlier
    /// attempt landed although its response never came back). Nothing was appended now.
    AlreadyThere { bytes: u64 },
    /// The blob grew by `bytes` that are not ours; nothing was appended now.
    Foreign { bytes: u64 },
}

/// Append `data` (at most 4 MiB) at `position`. The store retries a failed request (see
/// `crate::store::retry`); a retry can never double a byte: every attempt carries the same
/// position condition, and a mismatch is resolved here by reading what the blob holds
/// there. Only a mismatch that resolves to "the blob is at `position` after all" is tried
/// again, a few times.
pub(crate) async fn append_at(
    store: &dyn Store,
    container: &str,
    blob: &str,
    data: &Bytes,
    position: u64,
) -> StoreResult<Appended> {
    let settings = RetrySettings::default();
    let mut again = settings.start();
    loop {
        let result = store
            .append_block(container, blob, data.clone(), position)
            .await;
        match result {
            Ok(info) => return Ok(Appended::Done(info)),
            Err(StoreError::AppendPositionMismatch { .. }) => {
                // None: the blob is exactly at `position` after all: try again.
                if let Some(outcome) =
                    resolve_mismatch(store, container, blob, data, position).await?
                {
                    return Ok(outcome);
                }
            }
            Err(e) => return Err(e),
        }
        match again.wait() {
            Some(wait) => tokio::time::sleep(wait).await,
            None => {
                return Err(StoreError::AppendPositionMismatch {
                    blob: blob.to_string(),
                    expected: position,
                    actual: None,
                })
            }
        }
    }
}

/// The blob is not `position` bytes long. Compare what it holds past `position` with `data`.
async fn resolve_mismatch(
    store: &dyn Store,
    container: &str,
    blob: &str,
    data: &Bytes,
    position: u64,
) -> StoreResult<Option<Appended>> {
    let info = store.blob_info(container, blob).await?;
    if info.len == position {
        return Ok(None);
    }
    if info.len < position {
        // Bytes we saw committed are gone: someone truncated or replaced the blob.
        return Err(StoreError::Corrupt(format!(
            "{blob} is {} bytes long but {position} bytes had been appended; it was replaced by someone else",
            info.len
        )));
    }
    let extra = info.len - position;
    let compare = extra.min(data.len() as u64);
    let there = store
        .read_range(container, blob, ByteRange::new(position, compare), None)
        .await?;
    if there.data.len() as u64 == compare && there.data[..] == data[..compare as usize] {
        Ok(Some(Appended::AlreadyThere { bytes: compare }))
    } else {
        Ok(Some(Appended::Foreign { bytes: extra }))
    }
}
