//! Listings for the jobs and job screens (worker: `workers/listing.rs`, which calls
//! [`crate::outputs`], the same listing code as the CLI). Each answers page by page, so
//! the first page shows while the rest streams in; `done` marks the last.

use crate::conventions::Scope;
use crate::outputs::{JobEntry, OutputFile};
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq)]
pub enum ListingRequest {
    /// Containers named `job-...` ([`ListingMsg::Jobs`]).
    Jobs,
    /// The top level of a job's container: job-level kinds and task ids
    /// ([`ListingMsg::JobRoot`]).
    JobRoot { container: String },
    /// The kinds found under one task ([`ListingMsg::TaskKinds`]).
    TaskKinds { container: String, task: String },
    /// Count the files of one kind ([`ListingMsg::KindCount`]).
    CountFiles {
        container: String,
        scope: Scope,
        kind: String,
    },
    /// The files of one kind ([`ListingMsg::Files`]).
    Files {
        container: String,
        scope: Scope,
        kind: String,
    },
}

/// One file of a kind, as the files pane needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct FileEntry {
    pub blob: String,
    /// Path within the kind (the blob name minus the kind prefix).
    pub path: String,
    pub len: u64,
    pub modified: OffsetDateTime,
}

impl From<OutputFile> for FileEntry {
    fn from(f: OutputFile) -> Self {
        FileEntry {
            path: f.path,
            len: f.blob.len,
            modified: f.blob.last_modified,
            blob: f.blob.name,
        }
    }
}

/// Strings are raw (as stored); `update` wraps them in [`crate::tui::name::Name`].
#[derive(Debug, Clone, PartialEq)]
pub enum ListingMsg {
    /// One page of jobs.
    Jobs { jobs: Vec<JobEntry>, done: bool },
    /// One page of a job's top level.
    JobRoot {
        job_kinds: Vec<String>,
        tasks: Vec<String>,
        done: bool,
    },
    /// Kinds found under a task.
    TaskKinds { kinds: Vec<String>, done: bool },
    /// Files counted in one more page of a kind (add to the running count).
    KindCount { added: u64, done: bool },
    /// One page of a kind's files.
    Files { files: Vec<FileEntry>, done: bool },
}

impl ListingMsg {
    /// Whether this is the request's last Msg.
    pub fn is_final(&self) -> bool {
        match self {
            ListingMsg::Jobs { done, .. }
            | ListingMsg::JobRoot { done, .. }
            | ListingMsg::TaskKinds { done, .. }
            | ListingMsg::KindCount { done, .. }
            | ListingMsg::Files { done, .. } => *done,
        }
    }
}
