//! Running a download plan: many files at once, large ones as parallel ranged reads, under
//! one memory budget, cancellable as a whole or file by file. Per-file steps: file.rs.

use super::events::{EventSink, Outcome, Summary, TransferEvent, TransferId};
use super::plan::Plan;
use crate::store::Store;
use futures::StreamExt;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;

#[derive(Debug, Clone)]
pub struct DownloadOptions {
    /// Size of one ranged read of a large blob whose Content-MD5 checks the whole file.
    /// Blobs without one use ranges of at most 4 MiB, each checked by the service's
    /// transactional MD5. Blobs up to 4 MiB (or up to this size if smaller) are one read.
    /// Large ranges are streamed to disk, so they cost requests, not memory.
    pub range_size: u64,
    /// Ranged reads in flight per large blob.
    pub ranges_per_file: usize,
    /// Files downloading at the same time.
    pub files_at_once: usize,
    /// Bytes of read buffers in flight across all files: what bounds memory, whatever the
    /// size of the blobs.
    pub memory_budget: u64,
    /// Replace existing files that differ (identical ones are always skipped).
    pub overwrite: bool,
    /// Longest wait for one read before it is retried (a stalled connection).
    pub request_timeout: Duration,
    /// Tries per read before the file fails.
    pub max_attempts: u32,
    /// Restarts of one file whose blob keeps changing while it downloads.
    pub max_restarts: u32,
    /// Bandwidth limit in bytes per second across the run (None: as fast as it goes).
    pub max_rate: Option<u64>,
}

impl Default for DownloadOptions {
    fn default() -> Self {
        DownloadOptions {
            range_size: 16 << 20,
            ranges_per_file: 8,
            files_at_once: 16,
            memory_budget: 32 << 20,
            overwrite: false,
            request_timeout: Duration::from_secs(60),
            max_attempts: 8,
            max_restarts: 3,
            max_rate: None,
        }
    }
}

/// Cancellation of a whole run (`all`) or of single files (for the TUI's transfers panel).
#[derive(Debug, Clone, Default)]
pub struct CancelSet {
    pub all: CancellationToken,
    per_file: HashMap<TransferId, CancellationToken>,
}

impl CancelSet {
    pub fn new(plan: &Plan) -> Self {
        Self::with_parent(plan, CancellationToken::new())
    }
    /// Cancelling `all` (e.g. a token made before the plan existed) cancels every file.
    pub fn with_parent(plan: &Plan, all: CancellationToken) -> Self {
        let per_file = plan
            .files
            .iter()
            .map(|f| (f.id, all.child_token()))
            .collect();
        CancelSet { all, per_file }
    }
    pub fn cancel(&self, id: TransferId) {
        if let Some(t) = self.per_file.get(&id) {
            t.cancel();
        }
    }
    pub fn cancel_all(&self) {
        self.all.cancel();
    }
    fn token(&self, id: TransferId) -> CancellationToken {
        self.per_file
            .get(&id)
            .cloned()
            .unwrap_or_else(|| self.all.child_token())
    }
}

/// What every file download of a run shares.
pub(super) struct Shared {
    pub store: Arc<dyn Store>,
    pub opts: DownloadOptions,
    pub root: PathBuf,
    pub events: Option<EventSink>,
    budget: Arc<Semaphore>,
    budget_units: u32,
    /// With a bandwidth limit: when the next read may start.
    pacer: std::sync::Mutex<Instant>,
}

/// The memory budget is counted in 4 KiB units.
const UNIT: u64 = 4096;

impl Shared {
    pub fn emit(&self, e: TransferEvent) {
        if let Some(tx) = &self.events {
            let _ = tx.send(e);
        }
    }
    /// Wait until `len` more bytes fit in the memory budget.
    pub async fn budget_permit(&self, len: u64) -> OwnedSemaphorePermit {
        let units = len.div_ceil(UNIT).clamp(1, self.budget_units as u64) as u32;
        self.budget
            .clone()
            .acquire_many_owned(units)
            .await
            .expect("budget semaphore is never closed")
    }
    /// With a bandwidth limit, wait for the slot of a read of `len` bytes.
    pub async fn pace(&self, len: u64) {
        let Some(rate) = self.opts.max_rate.filter(|r| *r > 0) else {
            return;
        };
        let start = {
            let mut next = self.pacer.lock().unwrap_or_else(|p| p.into_inner());
            let start = (*next).max(Instant::now());
            *next = start + Duration::from_secs_f64(len as f64 / rate as f64);
            start
        };
        tokio::time::sleep_until(start.into()).await;
    }
}

/// Download every file of `plan` below `root` (created if missing). Sends events to
/// `events` (the last one is `AllDone`) and returns the summary. Never panics on bad data;
/// each file's problem is its own outcome.
pub async fn download(
    store: Arc<dyn Store>,
    plan: &Plan,
    root: &Path,
    opts: DownloadOptions,
    events: Option<EventSink>,
    cancel: &CancelSet,
) -> Summary {
    let started = Instant::now();
    let one_read = opts.range_size.min(crate::store::MAX_RANGE_MD5);
    let budget_units = (opts.memory_budget.max(one_read) / UNIT).max(1) as u32;
    let sh = Shared {
        store,
        budget: Arc::new(Semaphore::new(budget_units as usize)),
        budget_units,
        pacer: std::sync::Mutex::new(Instant::now()),
        opts,
        root: root.to_path_buf(),
        events,
    };
    let mut summary = Summary::default();
    let root_ok = std::fs::create_dir_all(root)
        .map_err(|e| format!("cannot create the download folder {}: {e}", root.display()));
    let sh = &sh;
    // Owned items (not `&PlannedFile`) keep the future `Send` for `tokio::spawn`.
    let mut outcomes = futures::stream::iter(plan.files.iter().cloned())
        .map(|f| {
            let token = cancel.token(f.id);
            let root_ok = root_ok.clone();
            async move {
                let outcome = match root_ok {
                    Err(e) => Outcome::Failed { error: e },
                    Ok(()) if token.is_cancelled() => Outcome::Cancelled { done: 0 },
                    Ok(()) => super::file::download_file(sh, &f, &token).await,
                };
                (f.id, outcome)
            }
        })
        .buffer_unordered(sh.opts.files_at_once.max(1));
    while let Some((id, outcome)) = outcomes.next().await {
        summary.add(&outcome);
        sh.emit(TransferEvent::Finished { id, outcome });
    }
    summary.elapsed = started.elapsed();
    sh.emit(TransferEvent::AllDone(summary.clone()));
    summary
}

/// Environment variable: bandwidth limit of downloads, CLI and TUI (e.g. `20M` = 20 MiB/s).
pub const LIMIT_ENV: &str = "BATCHOUT_GET_LIMIT";

/// The limit set in [`LIMIT_ENV`] (None when unset or empty), or why it is not a rate.
pub fn limit_from_env() -> Result<Option<u64>, String> {
    match std::env::var(LIMIT_ENV) {
        Ok(v) if !v.trim().is_empty() => parse_rate(&v)
            .map(Some)
            .ok_or_else(|| format!("{LIMIT_ENV}={v:?} is not a rate (e.g. 500K, 20M, 1G)")),
        _ => Ok(None),
    }
}

/// Bytes per second, with an optional K, M or G suffix (powers of 1024), `/s` and `B`/`iB`.
pub fn parse_rate(v: &str) -> Option<u64> {
    let v = v
        .trim()
        .trim_end_matches("/s")
        .trim_end_matches(['B', 'b', 'i']);
    let (num, mult) = match v.chars().last()? {
        'k' | 'K' => (&v[..v.len() - 1], 1u64 << 10),
        'm' | 'M' => (&v[..v.len() - 1], 1 << 20),
        'g' | 'G' => (&v[..v.len() - 1], 1 << 30),
        _ => (v, 1),
    };
    let n: f64 = num.trim().parse().ok()?;
    (n > 0.0 && n.is_finite()).then_some((n * mult as f64) as u64)
}

#[cfg(test)]
mod tests {
    #[test]
    fn rates() {
        assert_eq!(super::parse_rate("20M"), Some(20 << 20));
        assert_eq!(super::parse_rate("1.5KiB/s"), Some(1536));
        assert_eq!(super::parse_rate("100"), Some(100));
        assert_eq!(super::parse_rate("fast"), None);
        assert_eq!(super::parse_rate("0"), None);
    }
}
