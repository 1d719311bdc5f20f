//! What every file download of a run shares: the store, the options, the memory budget
//! (a semaphore counted in 4 KiB units) and the bandwidth pacer. The leaf of the download
//! modules: it depends on none of them but events and options.

use super::events::{EventSink, TransferEvent};
use super::options::DownloadOptions;
use crate::store::retry::RetrySettings;
use crate::store::Store;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// What every file download of a run shares.
pub(super) struct Shared {
    pub store: Arc<dyn Store>,
    pub opts: DownloadOptions,
    pub root: PathBuf,
    pub events: Option<EventSink>,
    /// Resuming a ranged read (see `crate::store::retry`), from the options.
    pub retry: RetrySettings,
    budget: Arc<Semaphore>,
    budget_units: u32,
    /// With a bandwidth limit: when the next read may start.
    pacer: std::sync::Mutex<Instant>,
}

/// The memory budget is counted in 4 KiB units.
const UNIT: u64 = 4096;

impl Shared {
    pub fn new(
        store: Arc<dyn Store>,
        opts: DownloadOptions,
        root: &Path,
        events: Option<EventSink>,
    ) -> Self {
        let one_read = opts.range_size.min(crate::store::MAX_RANGE_MD5);
        let budget_units = (opts.memory_budget.max(one_read) / UNIT).max(1) as u32;
        Shared {
            store,
            budget: Arc::new(Semaphore::new(budget_units as usize)),
            budget_units,
            pacer: std::sync::Mutex::new(Instant::now()),
            retry: RetrySettings {
                max_retries: opts.max_attempts.saturating_sub(1),
                initial_delay: Duration::from_millis(100),
                max_delay: Duration::from_secs(2),
                budget: opts.retry_budget,
                ..RetrySettings::default()
            },
            opts,
            root: root.to_path_buf(),
            events,
        }
    }
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
            // The semaphore lives in self and is never closed, so acquiring cannot fail.
            .unwrap_or_else(|_| unreachable!("budget semaphore is never closed"))
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
