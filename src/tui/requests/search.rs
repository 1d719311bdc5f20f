//! The job-wide search screen's request (worker: `workers/search.rs`): search the TaskLog
//! files of a job's tasks with `crate::search` (the engine and cache `batchout grep` uses),
//! answered by a list of the files, then coalesced batches of hits and per-file counts.
//! Hits stop at `max_hits` (a pattern matching everything stays cheap); counts go on.

use crate::search::SearchOptions;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRequest {
    pub container: String,
    pub opts: SearchOptions,
    /// Exact task ids to search (the tree's filter); None: every task.
    pub tasks: Option<Vec<String>>,
    /// Matching lines sent at most; beyond, files only report their counts.
    pub max_hits: usize,
}

/// One file searched (raw names, as stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchFile {
    /// None: a job-level file.
    pub task: Option<String>,
    pub kind: String,
    pub path: String,
    pub blob: String,
}

/// One matching line: `text` is already sanitized for the terminal (and cut to a bounded
/// length); `spans` are the byte ranges of the matches in `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHit {
    pub file: usize,
    pub number: u64,
    pub text: String,
    pub spans: Vec<(usize, usize)>,
}

/// How one file's search ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDone {
    pub file: usize,
    pub matches: u64,
    pub binary: bool,
    /// One line, raw.
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchMsg {
    /// The files to be searched, in report order (indexes of hits and counts).
    Files(Vec<SearchFile>),
    /// What arrived since the last batch.
    Batch {
        hits: Vec<SearchHit>,
        done: Vec<FileDone>,
    },
    /// Every file was searched.
    Finished,
}

impl SearchMsg {
    /// Whether this is the request's last Msg.
    pub fn is_final(&self) -> bool {
        matches!(self, SearchMsg::Finished)
    }
}
