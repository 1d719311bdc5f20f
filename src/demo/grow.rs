//! The demo's running task: a renderer writes its stdout.txt in a local working folder, and
//! the real track engine ([`crate::engine::Tracker`]) streams it into the task's TaskLog
//! append blob while the browser is open, exactly as `batchout track` does on a node.

use super::content::{render_line, Rng};
use super::MAIN_JOB;
use crate::conventions::{blob_name, Scope};
use crate::engine::{
    EventSink, FlushSchedule, RecordWriter, Target, TrackOptions, TrackSpec, Tracker,
    DEFAULT_HEARTBEAT,
};
use crate::store::{ByteRange, Store};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The task whose log grows.
pub const RUNNING_TASK: &str = "frame-012";

/// Removes the working folder when the demo ends.
struct WorkDir(PathBuf);
impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Write a render line to the running task's stdout.txt every `every` and track it (flushed
/// every `every` too), until the future is dropped. Errors are one line.
pub async fn grow(store: Arc<dyn Store>, every: Duration) -> Result<(), String> {
    let target = Target::task(MAIN_JOB, RUNNING_TASK, "TaskLog").map_err(|e| e.to_string())?;
    let blob = blob_name(&Scope::Task(RUNNING_TASK.into()), "TaskLog", "stdout.txt")
        .map_err(|e| e.to_string())?;
    // The task's working folder starts with what the seeded blob already holds, so the
    // tracker resumes at the blob's end instead of appending the start again.
    let work = WorkDir(std::env::temp_dir().join(format!("batchout-demo-{}", std::process::id())));
    std::fs::create_dir_all(&work.0)
        .map_err(|e| format!("cannot create {}: {e}", work.0.display()))?;
    let source = work.0.join("stdout.txt");
    let seeded = store
        .read_range(&target.container, &blob, ByteRange::all(), None)
        .await
        .map_err(|e| e.to_string())?;
    std::fs::write(&source, &seeded.data)
        .map_err(|e| format!("cannot write {}: {e}", source.display()))?;

    // The run engine's record: started now, a heartbeat while the demo runs, and no end
    // when it stops (the task then turns `lost`, as after a killed batchout).
    let _record = RecordWriter::begin(
        store.clone(),
        &target.container,
        MAIN_JOB,
        RUNNING_TASK,
        &EventSink::none(),
        DEFAULT_HEARTBEAT,
    )
    .await;
    let spec = TrackSpec::new(&target, &source, Some("stdout.txt")).map_err(|e| e.to_string())?;
    let options = TrackOptions {
        schedule: FlushSchedule::with_cap(Some(every)),
        events: EventSink::none(),
    };
    let tracker = Tracker::start(store, vec![spec], options);
    let _stop = StopOnDrop(Some(tracker));

    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&source)
        .map_err(|e| e.to_string())?;
    let mut rng = Rng::new("running");
    for i in 20.. {
        tokio::time::sleep(every).await;
        let line = render_line(&mut rng, RUNNING_TASK, i, time::OffsetDateTime::now_utc());
        writeln!(file, "{line}").map_err(|e| format!("cannot write {}: {e}", source.display()))?;
    }
    Ok(())
}

/// Ends tracking (with its last flush, in the background) when `grow` is dropped.
struct StopOnDrop(Option<Tracker>);
impl Drop for StopOnDrop {
    fn drop(&mut self) {
        if let Some(t) = self.0.take() {
            if let Ok(rt) = tokio::runtime::Handle::try_current() {
                rt.spawn(async move {
                    let _ = t.finish().await;
                });
            }
        }
    }
}
