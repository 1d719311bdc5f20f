//! Running a download plan: many files at once, large ones as parallel ranged reads, under
//! one memory budget, cancellable as a whole or file by file. Per-file steps: file.rs;
//! what the files of a run share (store, memory budget, pacing): shared.rs.

use super::events::{EventSink, Outcome, Summary, TransferEvent, TransferId};
use super::file::download_file;
use super::options::DownloadOptions;
use super::plan::Plan;
use super::shared::Shared;
use crate::store::Store;
use futures::StreamExt;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;
use tokio_util::sync::CancellationToken;

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
    let sh = Shared::new(store, opts, root, events);
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
                    Ok(()) => download_file(sh, &f, &token).await,
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
