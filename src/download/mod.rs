//! Downloads: ranged, parallel, resumable reads of whole blobs to local files, with
//! integrity checks.
//!
//! [`plan::build_plan`] lists what a selection picks (with safe local paths from
//! [`local_path`]), [`download`] fetches it and reports [`events`]. Inside, the modules
//! depend one way: `run` (the whole plan) -> `file` (one file) -> `large` (parallel ranges
//! of one big file) -> `step` (what a file's fetch steps share) -> `fetch` (one ranged
//! read, retried) -> `shared` (what a run shares) -> `options`.

pub mod events;
mod fetch;
mod file;
mod large;
pub mod local_path;
mod options;
pub mod plan;
pub mod resume;
mod run;
mod safe_fs;
mod shared;
mod step;
pub mod verify;

pub use options::{limit_from_env, parse_rate, DownloadOptions, LIMIT_ENV};
pub use run::{download, CancelSet};
