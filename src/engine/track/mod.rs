//! `track`: stream growing files into append blobs while they grow.
//!
//! A [`Tracker`] flushes every tracked file right away, then on the [`FlushSchedule`]
//! (every 0.5 s at first, slower as time passes, capped at 30 s or `--interval`), and a last
//! time in [`Tracker::finish`]. Each flush appends only the bytes the file gained, in blocks
//! of at most 4 MiB, each with the append-position condition, so a retried request or a
//! restart never doubles or drops a byte (see `file.rs` and `append.rs`; where a restart
//! picks up, also after the file was replaced: `resume.rs`). A tick that comes while the
//! previous flush still runs is skipped.

mod append;
mod file;
mod resume;

pub use file::TrackSpec;

use super::error::{EngineError, EngineResult};
use super::events::EventSink;
use super::schedule::FlushSchedule;
use super::target::Target;
use crate::store::Store;
use file::FileTracker;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;

impl TrackSpec {
    /// Track `source` under `target`, stored as `dest` or by the relative-path rule.
    pub fn new(
        target: &Target,
        source: impl Into<PathBuf>,
        dest: Option<&str>,
    ) -> EngineResult<TrackSpec> {
        let source = source.into();
        let blob = target.blob_for_source(&source, dest)?;
        Ok(TrackSpec {
            source,
            container: target.container.clone(),
            blob,
            job_id: target.job_id.clone(),
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct TrackOptions {
    pub schedule: FlushSchedule,
    pub events: EventSink,
}

/// What tracking did, per file.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackReport {
    pub files: Vec<TrackedFile>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TrackedFile {
    pub source: PathBuf,
    pub blob: String,
    /// Bytes appended by this tracker.
    pub appended: u64,
    /// The blob's length as far as this tracker knows.
    pub blob_len: u64,
}

/// Tracks several files at once in the background (on the current tokio runtime).
///
/// ```no_run
/// # async fn demo(store: std::sync::Arc<dyn batchout::Store>) -> Result<(), batchout::engine::EngineError> {
/// use batchout::engine::{Target, TrackOptions, TrackSpec, Tracker};
/// let target = Target::task("my-job", "task-1", "TaskLog")?;
/// let spec = TrackSpec::new(&target, "progress.log", None)?;
/// let tracker = Tracker::start(store, vec![spec], TrackOptions::default());
/// // ... the task writes progress.log ...
/// let report = tracker.finish().await?; // last flush; its error is returned
/// # Ok(()) }
/// ```
pub struct Tracker {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<EngineResult<TrackReport>>,
}

impl Tracker {
    pub fn start(store: Arc<dyn Store>, specs: Vec<TrackSpec>, options: TrackOptions) -> Tracker {
        let (stop, stopped) = watch::channel(false);
        let files = specs
            .into_iter()
            .map(|spec| FileTracker::new(spec, store.clone(), options.events.clone()))
            .collect();
        let task = tokio::spawn(track_loop(files, options, stopped));
        Tracker { stop, task }
    }

    /// Stop the schedule, flush every file a last time and report. The error of that last
    /// flush (for any file) is the result: nothing is silently left unsaved.
    pub async fn finish(self) -> EngineResult<TrackReport> {
        let _ = self.stop.send(true);
        self.task
            .await
            .map_err(|e| EngineError::Failed(format!("tracking task failed: {e}")))?
    }
}

async fn track_loop(
    mut files: Vec<FileTracker>,
    options: TrackOptions,
    mut stopped: watch::Receiver<bool>,
) -> EngineResult<TrackReport> {
    let started = Instant::now();
    let mut next = started;
    loop {
        tokio::select! {
            _ = tokio::time::sleep_until(next) => {}
            _ = stopped.changed() => break,
        }
        if *stopped.borrow() {
            break;
        }
        let tick = Instant::now();
        flush_all(&mut files, false).await;
        // Skip ticks that passed while this flush ran rather than flushing back to back.
        let interval = options.schedule.interval_at(tick - started);
        next = tick + interval;
        let now = Instant::now();
        while next <= now {
            next += interval.max(Duration::from_millis(1));
        }
    }
    let errors = flush_all(&mut files, true).await;
    if !errors.is_empty() {
        let count = errors.len();
        let first = errors.into_iter().next().unwrap_or_default();
        return Err(EngineError::Failed(if count == 1 {
            format!("final flush failed: {first}")
        } else {
            format!("final flush failed for {count} files; first: {first}")
        }));
    }
    Ok(report(&files))
}

/// Flush every file concurrently; returns the errors (already reported as events unless last).
async fn flush_all(files: &mut [FileTracker], last: bool) -> Vec<String> {
    let results = futures::future::join_all(files.iter_mut().map(|f| async move {
        let outcome = f.flush(last).await;
        (f.spec.source.clone(), f.spec.blob.clone(), outcome)
    }))
    .await;
    results
        .into_iter()
        .filter_map(|(source, blob, r)| {
            r.err()
                .map(|e| format!("{} -> {blob}: {e}", source.display()))
        })
        .collect()
}

fn report(files: &[FileTracker]) -> TrackReport {
    TrackReport {
        files: files
            .iter()
            .map(|f| TrackedFile {
                source: f.spec.source.clone(),
                blob: f.spec.blob.clone(),
                appended: f.appended,
                blob_len: f.blob_len(),
            })
            .collect(),
    }
}
