//! What the fetch steps of one file share (file.rs runs them, large.rs is one of them):
//! why fetching stopped, what a complete fetch is, and small helpers.

use super::events::TransferEvent;
use super::fetch::FetchError;
use super::plan::PlannedFile;
use super::shared::Shared;
use super::verify::hex_md5;
use crate::store::{BlobInfo, MAX_RANGE_MD5};

/// Why fetching stopped before the temp file was complete.
pub(super) enum Stop {
    Changed(String),
    Cancelled(u64),
    Failed(String),
}

impl From<FetchError> for Stop {
    fn from(e: FetchError) -> Self {
        match e {
            FetchError::Changed(w) => Stop::Changed(w),
            FetchError::Failed(e) => Stop::Failed(e),
        }
    }
}

/// The temp file is complete.
pub(super) struct Fetched {
    pub resumed_from: u64,
    pub verified: bool,
}

pub(super) fn mismatch(expected: &[u8; 16], actual: &[u8; 16]) -> String {
    format!(
        "MD5 mismatch: the blob's Content-MD5 is {} but its bytes hash to {}; nothing was written",
        hex_md5(expected),
        hex_md5(actual)
    )
}

pub(super) fn notice(sh: &Shared, f: &PlannedFile, message: &str) {
    sh.emit(TransferEvent::Notice {
        id: f.id,
        message: message.to_string(),
    });
}

/// Run blocking file system work off the async threads.
pub(super) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, String> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| format!("internal error: {e}"))
}

/// Ranged read size for `blob`: the configured size when its Content-MD5 will check the
/// whole file, else at most the largest range the service gives a transactional MD5 for.
pub(super) fn range_size_for(sh: &Shared, blob: &BlobInfo) -> u64 {
    let size = sh.opts.range_size.max(1);
    if blob.content_md5.is_some() {
        size
    } else {
        size.min(MAX_RANGE_MD5)
    }
}
