//! One ranged read, pinned to the blob's etag, retried on network trouble (cut connections,
//! stalls, throttling, 5xx) with backoff, under a shared memory budget.

use super::download::Shared;
use crate::store::{ByteRange, StoreError};
use bytes::Bytes;
use std::time::Duration;

/// Why a range could not be read.
#[derive(Debug)]
pub enum FetchError {
    /// The blob is no longer the version being downloaded (etag, length or existence).
    Changed(String),
    Failed(String),
}

/// Read `len` bytes at `start` of the blob with etag `etag`. The returned bytes count
/// against the memory budget until the permit is dropped.
pub async fn read_range(
    sh: &Shared,
    container: &str,
    blob: &str,
    etag: &str,
    start: u64,
    len: u64,
    mut on_retry: impl FnMut(&str),
) -> Result<(Bytes, tokio::sync::OwnedSemaphorePermit), FetchError> {
    let permit = sh.budget_permit(len).await;
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        sh.pace(len).await;
        let read = sh
            .store
            .read_range(container, blob, ByteRange::new(start, len), Some(etag));
        let problem = match tokio::time::timeout(sh.opts.request_timeout, read).await {
            Ok(Ok(rd)) if rd.data.len() as u64 == len && rd.etag == etag => {
                return Ok((rd.data, permit))
            }
            Ok(Ok(rd)) if rd.etag != etag => {
                return Err(FetchError::Changed("its etag changed".into()))
            }
            Ok(Ok(rd)) => format!(
                "short read at byte {start}: {} of {len} bytes",
                rd.data.len()
            ),
            Ok(Err(StoreError::ConditionNotMet { .. })) => {
                return Err(FetchError::Changed("its etag changed".into()))
            }
            Ok(Err(StoreError::InvalidRange { .. })) => {
                return Err(FetchError::Changed("it became shorter".into()))
            }
            Ok(Err(e)) if e.is_not_found() => {
                return Err(FetchError::Changed("it was deleted".into()))
            }
            Ok(Err(e)) if worth_retrying(&e) => e.to_string(),
            Ok(Err(e)) => return Err(FetchError::Failed(e.to_string())),
            Err(_) => format!("no answer within {}s", sh.opts.request_timeout.as_secs()),
        };
        if attempt >= sh.opts.max_attempts {
            return Err(FetchError::Failed(format!(
                "{problem} (gave up after {attempt} attempts)"
            )));
        }
        on_retry(&format!("retrying after: {problem}"));
        tokio::time::sleep(backoff(attempt)).await;
    }
}

/// Network-ish trouble that a new request may not hit again. Status 0 is a client-side
/// failure of the HTTP stack (e.g. a body cut off mid-way), not an answer of the service.
fn worth_retrying(e: &StoreError) -> bool {
    e.is_transient()
        || matches!(
            e,
            StoreError::Io { .. } | StoreError::Service { status: 0, .. }
        )
}

/// 100 ms, 200 ms, 400 ms, ... at most 2 s.
fn backoff(attempt: u32) -> Duration {
    Duration::from_millis((100u64 << attempt.min(5).saturating_sub(1)).min(2000))
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(super::backoff(1).as_millis(), 100);
        assert_eq!(super::backoff(2).as_millis(), 200);
        assert_eq!(super::backoff(9).as_millis(), 1600);
    }
}
