//! What a job's persisted outputs look like, read through any [`Store`]: jobs, the tasks
//! and job-level kinds of a job, the kinds of a task, the files of a kind, and streaming
//! one file. Pure async over `&dyn Store`, no UI: the CLI (`jobs`, `ls`, `cat`) and the
//! TUI call the same functions.
//!
//! API:
//! - [`list_jobs`] -> [`JobEntry`]s (containers named `job-...`, original id from metadata).
//! - [`job_container`]: job id -> container, failing with [`missing_job_message`] when the
//!   container does not exist.
//! - [`job_top`] (all pages) / [`job_top_page`] (one page, for incremental loading of
//!   100,000 tasks) -> [`JobTop`] { tasks, job_kinds }.
//! - [`scope_kinds`]: kinds found under a task (or the job level), any `$Something`.
//! - [`kind_files`]: files of one kind ([`OutputFile`]: scope, kind, path, blob info);
//!   [`scope_files`]: files of every kind of a scope, kind by kind.
//! - [`kind_summaries`]: per kind, file count and total bytes.
//! - [`format`]: sizes and times for tables.
//! - [`stream_file`]: a file's bytes in ranged reads pinned to one version by etag.
//!
//! [`Store`]: crate::store::Store

mod files;
pub mod format;
mod jobs;
mod read;
mod tree;

pub use files::{kind_files, kind_summaries, scope_files, KindSummary, OutputFile};
pub use jobs::{for_job, job_container, list_jobs, missing_job_message, JobEntry};
pub use read::{stream_file, StreamStats, CAT_CHUNK};
pub use tree::{job_top, job_top_page, scope_kinds, JobTop};
