//! Retrying idempotent store requests on transient errors (network, throttling, 5xx).

use crate::store::StoreResult;
use std::future::Future;
use std::time::Duration;

/// Attempts per request, backoff from 200 ms doubling (about 3 s in all).
const ATTEMPTS: u32 = 5;

/// Run `op` until it succeeds, fails for good, or `ATTEMPTS` transient failures passed.
/// Only for requests that may safely be repeated (staging a block, committing a list,
/// reading); appends use their position condition instead (see `track::append`).
pub(crate) async fn idempotent<T, F, Fut>(mut op: F) -> StoreResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = StoreResult<T>>,
{
    let mut attempt = 0;
    loop {
        match op().await {
            Err(e) if e.is_transient() && attempt + 1 < ATTEMPTS => {
                tokio::time::sleep(backoff(attempt)).await;
                attempt += 1;
            }
            other => return other,
        }
    }
}

pub(crate) fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(200 * (1 << attempt.min(6)))
}

pub(crate) const MAX_ATTEMPTS: u32 = ATTEMPTS;
