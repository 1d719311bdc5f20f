//! The demo's finished tasks run through the real run engine ([`crate::engine::run`]), so
//! their logs and records (start, end, exit code or signal, attempt) are what `batchout
//! run` writes on a node: a small shell script prints the task's prepared stdout and
//! stderr, then exits with the task's code, or is killed by SIGKILL (exit 137).
//!
//! One task of the scheduled job shows what a killed batchout leaves behind (`lost`): the
//! record of a start and a last heartbeat long ago, with no end. That record is written
//! with [`TaskRecord`] in the documented format (a run cannot be killed inside the demo's
//! own process, and the storage clock cannot be turned back for a real one).

use crate::engine::{self, EventSink, RunOptions, TrackOptions};
use crate::outputs::{record_blob, TaskRecord};
use crate::store::{Store, StoreError, StoreResult};
use std::path::PathBuf;
use std::sync::Arc;
use time::OffsetDateTime;

/// How a demo task's command ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    Exit(i32),
    /// Killed by SIGKILL, as the OOM killer does (exit 137).
    Killed,
}

/// Run one task through the run engine: its stdout and stderr become the task's TaskLog
/// files and its ending the record's.
pub async fn run_task(
    store: Arc<dyn Store>,
    job: &str,
    task: &str,
    stdout: &[u8],
    stderr: &[u8],
    ending: Ending,
) -> StoreResult<()> {
    let work = WorkDir::new(task)?;
    let out = work.0.join("stdout.src");
    let err = work.0.join("stderr.src");
    let write = |path: &PathBuf, bytes: &[u8]| {
        std::fs::write(path, bytes)
            .map_err(|e| StoreError::io(format!("cannot write {}", path.display()), e))
    };
    write(&out, stdout)?;
    write(&err, stderr)?;
    let end = match ending {
        Ending::Exit(code) => format!("exit {code}"),
        Ending::Killed => "kill -9 $$".to_string(),
    };
    let command: Vec<String> = [
        "sh",
        "-c",
        &format!("cat \"$1\"; cat \"$2\" >&2; {end}"),
        "sh",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([out.display().to_string(), err.display().to_string()])
    .collect();
    let options = RunOptions {
        track: TrackOptions {
            events: EventSink::none(),
            ..Default::default()
        },
        spool_dir: Some(work.0.join("spool")),
        quiet: true,
        ..Default::default()
    };
    engine::run(store, job, task, &command, options)
        .await
        .map_err(|e| StoreError::Config(format!("demo task {task}: {e}")))?;
    Ok(())
}

/// Leave the record a `batchout run` killed with kill -9 leaves: started `minutes_ago`,
/// its last heartbeat `silent_for` minutes ago, no end.
pub async fn record_killed_run(
    store: &dyn Store,
    container: &str,
    task: &str,
    minutes_ago: i64,
    silent_for: i64,
) -> StoreResult<()> {
    let blob = record_blob(task).map_err(|e| StoreError::InvalidName(e.to_string()))?;
    let now = OffsetDateTime::now_utc();
    let mut record = TaskRecord::start(1, now - time::Duration::minutes(minutes_ago));
    record.beat = Some(now - time::Duration::minutes(silent_for));
    let existing = store.blob_info(container, &blob).await?.metadata;
    store
        .set_blob_metadata(container, &blob, &record.to_metadata(&existing))
        .await
}

/// A temporary working folder, removed when dropped.
struct WorkDir(PathBuf);

impl WorkDir {
    fn new(task: &str) -> StoreResult<WorkDir> {
        let dir = std::env::temp_dir().join(format!(
            "batchout-demo-{}-{task}-{:08x}",
            std::process::id(),
            rand::random::<u32>()
        ));
        std::fs::create_dir_all(&dir)
            .map_err(|e| StoreError::io(format!("cannot create {}", dir.display()), e))?;
        Ok(WorkDir(dir))
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
