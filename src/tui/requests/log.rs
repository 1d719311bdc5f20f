//! Requests and results of the live log screen (worker: `workers/log.rs`).
//!
//! A follow request runs until it is cancelled (the screen closed or reloaded) and sends one
//! [`LogMsg::Batch`] per poll that found something; `update` applies the batches, so it
//! stays pure. Older parts and saving are one-shot requests.

use crate::follow::lines::LinePiece;
use crate::follow::single::FollowEvent;
use std::path::PathBuf;

/// What a log screen follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogTarget {
    /// One file (any blob; usually `TASK/$TaskLog/stdout.txt`).
    File {
        task: Option<String>,
        path: String,
        blob: String,
    },
    /// A task's stdout.txt and stderr.txt merged.
    Task { task: String },
    /// Every task of the job (stdout and stderr), including tasks that start later.
    Job,
}

impl LogTarget {
    /// One log (no prefixes; older parts can be loaded).
    pub fn is_single(&self) -> bool {
        matches!(self, LogTarget::File { .. })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogRequest {
    /// Follow the target until cancelled ([`LogMsg::Batch`] per poll with news).
    Follow {
        container: String,
        target: LogTarget,
    },
    /// The lines before byte `end` of one blob ([`LogMsg::Older`]).
    Older {
        container: String,
        blob: String,
        end: u64,
    },
    /// Save to a new file in `dir` (None: the current folder) named after `name`; never
    /// overwrites ([`LogMsg::Saved`]).
    Save {
        container: String,
        what: SaveWhat,
        dir: Option<PathBuf>,
        name: String,
    },
}

/// What to save: a whole blob (streamed from the store), or the lines of a merged view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveWhat {
    Blob(String),
    Lines(Vec<String>),
}

/// A source of a followed stream, as the worker announces it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogSource {
    /// Raw (as stored); the screen sanitizes it.
    pub label: String,
    pub colour: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogMsg {
    /// What one poll found. `new_sources` extend the source list (indexes are stable).
    Batch {
        new_sources: Vec<LogSource>,
        events: Vec<(usize, FollowEvent)>,
        older_start: u64,
    },
    /// Older lines of a single log, starting at byte `start`.
    Older { pieces: Vec<LinePiece>, start: u64 },
    /// Saved `bytes` to `path`.
    Saved { path: String, bytes: u64 },
    /// A passing problem while following (e.g. throttled); following goes on.
    Problem(String),
}

impl LogMsg {
    /// Whether this is the request's last Msg. A follow request keeps sending; its screen
    /// keeps owning the id, so counting it as answered only stops the spinner.
    pub fn is_final(&self) -> bool {
        true
    }
}

/// A file name for saving a target: safe characters only, no folders.
pub fn save_name(target: &LogTarget) -> String {
    let raw = match target {
        LogTarget::File { task, path, .. } => match task {
            Some(t) => format!("{t}-{path}"),
            None => path.clone(),
        },
        LogTarget::Task { task } => format!("{task}-logs.txt"),
        LogTarget::Job => "job-logs.txt".to_string(),
    };
    let clean: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let clean = clean.trim_start_matches('.').to_string();
    if clean.is_empty() {
        "log.txt".into()
    } else {
        clean
    }
}
