//! What a job's persisted outputs look like, read through any [`Store`]: jobs, the tasks
//! and job-level kinds of a job, the kinds of a task, the files of a kind, and streaming
//! one file. Pure async over `&dyn Store`, no UI: the CLI (`jobs`, `ls`, `cat`) and the
//! TUI call the same functions.
//!
//! API:
//! - [`list_jobs`] (all pages) / [`list_jobs_page`] -> [`JobEntry`]s (containers named
//!   `job-...`, original id from metadata).
//! - [`job_container`]: job id -> container, failing with [`missing_job_message`] when the
//!   container does not exist.
//! - [`job_top`] (all pages) / [`job_top_page`] (one page, for incremental loading of
//!   100,000 tasks) -> [`JobTop`] { tasks, job_kinds }.
//! - [`scope_kinds`]: kinds found under a task (or the job level), any `$Something`.
//! - [`kind_files`]: files of one kind ([`OutputFile`]: scope, kind, path, blob info);
//!   [`scope_files`]: files of every kind of a scope, kind by kind; [`kind_files_page`]: one
//!   page of a kind's files (the TUI lists and counts with it).
//! - [`kind_summaries`]: per kind, file count and total bytes.
//! - [`task_logs`]: the task logs (`TaskLog` kind) of some or all tasks, for following.
//! - [`format`]: times for tables.
//! - [`stream_file`]: a file's bytes in ranged reads pinned to one version by etag.
//! - [`TaskRecord`]: the lifecycle record `batchout run` keeps on `TaskLog/stdout.txt`.
//! - [`status`]: every task's status (ok, failed, running, lost, unknown) and activity from
//!   one flat listing with metadata, streamed page by page ([`status::scan_tasks`]).
//!
//! [`Store`]: crate::store::Store

mod files;
pub mod format;
mod jobs;
mod kind_page;
mod logs;
mod read;
mod record;
pub mod status;
mod tree;

pub use files::{kind_files, kind_summaries, scope_files, KindSummary, OutputFile};
pub use jobs::{for_job, job_container, list_jobs, list_jobs_page, missing_job_message, JobEntry};
pub use kind_page::kind_files_page;
pub use logs::{task_logs, TaskLog, LOG_KIND};
pub use read::{stream_file, StreamStats, CAT_CHUNK};
pub use record::{record_blob, TaskRecord, RECORD_FILE, RECORD_KIND};
pub use tree::{job_top, job_top_page, scope_kinds, JobTop};
