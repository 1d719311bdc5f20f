//! Writes for task code on compute nodes: `prepare`, `save`, `track` and `run`, in place of
//! the .NET library's PrepareOutputStorageAsync, SaveAsync and SaveTrackedAsync.
//!
//! - [`prepare()`]: the job's container, created private if missing, with the original job id
//!   in its metadata (`store::JOB_ID_METADATA_KEY`). Saving and tracking call it implicitly
//!   when the container is missing.
//! - [`save()`]: files, folders (recursive) and globs as block blobs (replacing older ones);
//!   large files in parallel staged blocks (16 MiB, 8 in flight, each read from disk while it
//!   is sent, so memory stays near 40 MiB whatever the size) with the whole file's
//!   Content-MD5 (hashed on its own thread) on commit.
//! - [`Tracker`]: growing files streamed into append blobs, several at once. Only new bytes,
//!   blocks of at most 4 MiB, each with the append-position condition; resumes from the
//!   blob's length after a restart (after checking the blob's tail is the file's bytes at
//!   that offset); a lost response is recognised by reading the blob back, so no byte is
//!   ever doubled or lost. A file that shrinks or is replaced is reported and its new
//!   content appended after what was saved.
//! - [`run()`]: a command whose stdout/stderr batchout owns: passed through and streamed to
//!   `TaskLog/stdout.txt` and `TaskLog/stderr.txt`; signals passed on; its exit code returned.
//!   Its lifecycle (start, heartbeat, end with exit code or signal, node, pool, attempt) is
//!   the task record, metadata on `TaskLog/stdout.txt` ([`crate::outputs::TaskRecord`]).
//!
//! # Flush schedule
//!
//! Every 0.5 s for the first 5 minutes; then the interval grows with the time tracked
//! (0.5 s x minutes / 5) up to a cap of 30 s (`--interval` / [`FlushSchedule::with_cap`]
//! replaces the cap). That is at most 22,619 flushes in 7 days, within a budget of 25,000
//! (half the append blob's 50,000-block limit), leaving room for the full 4 MiB blocks a
//! heavy writer needs. An idle file
//! costs no request (only a local `stat`). Details and the 7-day worst case: [`schedule`].
//!
//! Progress and problems are [`Event`]s sent to an [`EventSink`]; the engine prints nothing.
//! Background flush failures are reported as events and retried; the last flush's failure
//! is the error of [`Tracker::finish`].
//!
//! # Example
//!
//! ```no_run
//! use batchout::engine::{self, EventSink, SaveOptions, Target, TrackOptions, TrackSpec, Tracker};
//! use batchout::store::{open, StoreSpec};
//!
//! # async fn task() -> Result<(), Box<dyn std::error::Error>> {
//! // A container SAS URL, as Batch tasks usually receive credentials (or a local folder).
//! let store = open(&StoreSpec::parse("https://acct.blob.core.windows.net/job-render?sv=...")).await?;
//! let events = EventSink::new(|e| eprintln!("{e}"));
//!
//! // Stream a log while the task works ...
//! let logs = Target::task("render", "frame-0042", "TaskLog")?;
//! let tracker = Tracker::start(
//!     store.clone(),
//!     vec![TrackSpec::new(&logs, "progress.log", None)?],
//!     TrackOptions { events: events.clone(), ..Default::default() },
//! );
//!
//! // ... save its results (out/frame.png -> frame-0042/$TaskOutput/out/frame.png) ...
//! let outputs = Target::task("render", "frame-0042", "TaskOutput")?;
//! let options = SaveOptions { events: events.clone(), ..Default::default() };
//! let summary = engine::save(store.clone(), &outputs, &["out".to_string()], None, &options).await?;
//! println!("saved {} files", summary.saved.len());
//!
//! // ... and flush the log a last time; its error is the result.
//! tracker.finish().await?;
//! # Ok(()) }
//! ```

mod child;
mod error;
mod events;
mod prepare;
mod record;
mod run;
mod save;
pub mod schedule;
mod signals;
mod target;
mod track;
mod upload;

pub use child::{exit_code, signal_of};
pub use error::{EngineError, EngineResult};
pub use events::{Event, EventSink};
pub use prepare::prepare;
pub use record::{RecordWriter, DEFAULT_HEARTBEAT};
pub use run::{run, track_until_signal, track_while, RunOptions};
pub use save::{plan, save, save_planned, PlannedFile, SaveOptions, SaveSummary};
pub use schedule::{parse_interval, FlushSchedule};
pub use signals::StopSignals;
pub use target::{destination_of, Target};
pub use track::{TrackOptions, TrackReport, TrackSpec, TrackedFile, Tracker};
pub use upload::{content_type_of, upload_file, UploadOptions};
