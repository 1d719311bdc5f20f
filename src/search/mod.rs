//! Searching the contents of a job's files (`batchout grep`): each file is read in
//! ranged reads and searched by ripgrep's searcher as the bytes arrive, many files at
//! once, results reported in file order; memory stays bounded whatever the sizes. A
//! cache in the user cache folder remembers what each blob held, so a repeated search
//! fetches only the bytes a log gained since (none for an unchanged blob). No UI here:
//! the CLI prints the events, a TUI screen can show them.
//!
//! API:
//! - [`SearchOptions`] (pattern, -i -F -w -v -a, context, -m) -> [`SearchOptions::matcher`]
//!   (a bad pattern is a one-line [`PatternError`] with its position).
//! - [`Selection`] -> [`Filter`] -> [`select_files`]: which files, in report order
//!   (default: the TaskLog kind of every task); [`label`]: `TASK/KIND/PATH`.
//! - [`start`]: search the files; returns a channel of [`Event`]s (each file's lines in
//!   order, then its [`FileSummary`]), files in the order given. Dropping the receiver
//!   cancels the search.
//! - [`Cache`]: the on-disk cache (`Cache::user()`, bounded, atomic writes).

mod cache;
mod feed;
mod file;
mod limit;
mod pattern;
mod select;

pub use cache::{Cache, Entry as CacheEntry};
pub use pattern::{PatternError, SearchOptions, MAX_LINE};
pub use select::{label, report_order, select_files, Filter, Selection, DEFAULT_KIND};

use crate::outputs::OutputFile;
use crate::store::Store;
use std::collections::VecDeque;
use std::sync::Arc;
use tokio::sync::mpsc;

/// How much runs at once and how much one read asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tuning {
    /// Files searched at once.
    pub in_flight: usize,
    /// Bytes per ranged read (each read streams in chunks: this does not set memory).
    pub range: u64,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            in_flight: 16,
            range: 16 * 1024 * 1024,
        }
    }
}
/// Lines queued per file ahead of the one being reported (the bound on a file that is
/// waiting its turn: it stops reading until the files before it are reported).
const LINES_QUEUED: usize = 256;

/// One reported line (`number` counts from 1; `text` without its line terminator, not
/// yet cleaned for a terminal).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Line {
    pub number: u64,
    /// A matching line (with `-v`: a line that does not match); false: context.
    pub is_match: bool,
    pub text: String,
}

/// How the search of one file ended.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FileSummary {
    /// Matching lines reported (after `-m`).
    pub matches: u64,
    /// Bytes read from the store for this file.
    pub fetched: u64,
    /// Every line came from the cache.
    pub from_cache: bool,
    /// Binary (a NUL byte at this offset): searching stopped there.
    pub binary_at: Option<u64>,
    /// The file could not be searched (one line).
    pub error: Option<String>,
}

/// What one file's search sends.
#[derive(Debug, Clone, PartialEq)]
pub enum FileEvent {
    Line(Line),
    Done(FileSummary),
}

/// A search's output: events of file `file` (an index into the files given to [`start`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub file: usize,
    pub event: FileEvent,
}

/// Search `files` (in this order) of `container`; `cache` None searches everything
/// afresh (and lets `-m`/`-l` stop reading a file early). Must run inside a tokio runtime.
pub fn start(
    store: Arc<dyn Store>,
    container: String,
    files: Vec<OutputFile>,
    opts: SearchOptions,
    cache: Option<Cache>,
    tuning: Tuning,
) -> Result<mpsc::Receiver<Event>, PatternError> {
    let matcher = opts.matcher()?;
    let shared = Arc::new(file::Shared {
        store,
        container,
        opts,
        matcher,
        cache,
        range: tuning.range.max(1),
    });
    let (tx, rx) = mpsc::channel(LINES_QUEUED);
    tokio::spawn(coordinate(shared, files, tuning.in_flight.max(1), tx));
    Ok(rx)
}

/// Keep `in_flight` files searching, and pass their events on in file order.
async fn coordinate(
    shared: Arc<file::Shared>,
    files: Vec<OutputFile>,
    in_flight: usize,
    tx: mpsc::Sender<Event>,
) {
    let mut queue = VecDeque::new();
    let mut files = files.into_iter().enumerate();
    loop {
        while queue.len() < in_flight {
            let Some((i, f)) = files.next() else { break };
            let (ftx, frx) = mpsc::channel(LINES_QUEUED);
            tokio::spawn(file::search_file(shared.clone(), f, ftx));
            queue.push_back((i, frx));
        }
        let Some((i, mut rx)) = queue.pop_front() else {
            break;
        };
        while let Some(event) = rx.recv().await {
            if tx.send(Event { file: i, event }).await.is_err() {
                return; // the receiver is gone: dropping the queue cancels the rest
            }
        }
    }
    if let Some(c) = shared.cache.clone() {
        let _ = tokio::task::spawn_blocking(move || c.trim()).await;
    }
}
