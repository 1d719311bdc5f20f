//! `run -- CMD`: batchout owns CMD's stdout and stderr. Every chunk CMD writes is passed
//! through to batchout's own stdout/stderr and spooled to a local file that a [`Tracker`]
//! streams into `TaskLog/stdout.txt` and `TaskLog/stderr.txt`. No grace period is needed:
//! when CMD ends, its pipes reach end-of-file and the last flush has every byte.
//! Spooling to disk (not memory) keeps CMD from ever blocking on a slow network and keeps
//! memory bounded; the spool folder is removed after a successful last flush.
//!
//! Around the command, the task record ([`crate::outputs::TaskRecord`], see `record.rs`)
//! says when it started, that it is alive (a heartbeat) and how it ended.
//!
//! Also `track ... -- CMD` ([`track_while`]) and `track` until a signal ([`track_until_signal`]).

use super::child;
use super::error::{EngineError, EngineResult};
use super::events::Event;
use super::record::{RecordWriter, DEFAULT_HEARTBEAT};
use super::signals::StopSignals;
use super::target::Target;
use super::track::{TrackOptions, TrackReport, TrackSpec, Tracker};
use crate::store::Store;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// After CMD exits, how long a process it started may keep its output open before batchout
/// stops capturing (a daemon holding the pipe must not keep the task alive forever).
const OUTPUT_CLOSE_WAIT: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub track: TrackOptions,
    /// Where to spool the output (default: a new folder in the system temp folder).
    pub spool_dir: Option<PathBuf>,
    /// How often the task record is refreshed while the command runs (default
    /// [`DEFAULT_HEARTBEAT`]).
    pub heartbeat: Option<Duration>,
    /// Keep the command's output out of our own stdout/stderr (it is still saved), e.g.
    /// when a full-screen UI owns the terminal.
    pub quiet: bool,
}

/// Run `command` for task `task_id` of `job_id`, streaming its output to the task's
/// `TaskLog` `stdout.txt` and `stderr.txt`. Returns the command's exit code (128 + signal
/// when a signal killed it); an error when the last flush failed or CMD could not start.
pub async fn run(
    store: Arc<dyn Store>,
    job_id: &str,
    task_id: &str,
    command: &[String],
    options: RunOptions,
) -> EngineResult<i32> {
    let target = Target::task(job_id, task_id, "TaskLog")?;
    let mut signals =
        StopSignals::install().map_err(|e| EngineError::io("cannot install signal handlers", e))?;
    let spool = match &options.spool_dir {
        Some(dir) => dir.clone(),
        None => new_spool_dir()?,
    };
    std::fs::create_dir_all(&spool)
        .map_err(|e| EngineError::io(format!("cannot create {}", spool.display()), e))?;
    let out_path = spool.join("stdout.txt");
    let err_path = spool.join("stderr.txt");
    let out_file = new_file(&out_path)?;
    let err_file = new_file(&err_path)?;

    let events = options.track.events.clone();
    let record = RecordWriter::begin(
        store.clone(),
        &target.container,
        job_id,
        task_id,
        &events,
        options.heartbeat.unwrap_or(DEFAULT_HEARTBEAT),
    )
    .await;
    let mut child = match child::spawn(command, Stdio::piped(), Stdio::piped()) {
        Ok(c) => c,
        Err(e) => {
            if let Some(r) = record {
                // What a shell reports for a command it cannot run.
                r.end(127, None).await;
            }
            return Err(e);
        }
    };
    let spec = |path: &Path, name: &str| -> EngineResult<TrackSpec> {
        Ok(TrackSpec {
            source: path.to_path_buf(),
            container: target.container.clone(),
            blob: target.blob_name(name)?,
            job_id: job_id.to_string(),
        })
    };
    let specs = vec![
        spec(&out_path, "stdout.txt")?,
        spec(&err_path, "stderr.txt")?,
    ];
    let tracker = Tracker::start(store, specs, options.track);

    let quiet = options.quiet;
    let mut pumps = Vec::new();
    if let Some(out) = child.stdout.take() {
        let through = (!quiet).then(tokio::io::stdout);
        pumps.push(("stdout", tokio::spawn(pump(out, out_file, through))));
    }
    if let Some(err) = child.stderr.take() {
        let through = (!quiet).then(tokio::io::stderr);
        pumps.push(("stderr", tokio::spawn(pump(err, err_file, through))));
    }
    let status = child::wait(&mut child, &mut signals, &events).await;
    let ended = status
        .as_ref()
        .ok()
        .map(|s| (child::exit_code(*s), child::signal_of(*s)));
    let code = status.map(child::exit_code);

    let deadline = tokio::time::sleep(OUTPUT_CLOSE_WAIT);
    tokio::pin!(deadline);
    let mut pump_error = None;
    for (stream, mut handle) in pumps {
        tokio::select! {
            joined = &mut handle => {
                if let Ok(Err(e)) = joined {
                    pump_error.get_or_insert(EngineError::io(format!("cannot spool the command's {stream}"), e));
                }
            }
            _ = &mut deadline => {
                events.emit(Event::OutputStillOpen { stream });
                handle.abort();
            }
        }
    }
    let finished = tracker.finish().await;
    // The end goes after the last flush: the record's write is then the blob's last.
    if let (Some(r), Some((exit, signal))) = (record, ended) {
        r.end(exit, signal).await;
    }
    match (finished, pump_error) {
        (Ok(_), None) => {
            if options.spool_dir.is_none() {
                let _ = std::fs::remove_dir_all(&spool);
            }
            code
        }
        (Err(e), _) | (Ok(_), Some(e)) => Err(EngineError::Failed(format!(
            "{e} (the command's output is kept in {})",
            spool.display()
        ))),
    }
}

/// Copy a pipe to the spool file and to our own stream, chunk by chunk as it arrives.
/// If our own stream goes away (a closed pipe), capture goes on without passing through.
async fn pump(
    mut from: impl AsyncRead + Unpin,
    mut spool: tokio::fs::File,
    through: Option<impl AsyncWrite + Unpin>,
) -> std::io::Result<()> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut passing = through.is_some();
    let mut through = through;
    loop {
        let n = from.read(&mut buf).await?;
        if n == 0 {
            spool.flush().await?;
            return Ok(());
        }
        if let Some(t) = through.as_mut().filter(|_| passing) {
            if t.write_all(&buf[..n]).await.is_err() || t.flush().await.is_err() {
                passing = false;
            }
        }
        spool.write_all(&buf[..n]).await?;
        // The tracker reads the file by length: the bytes must be in it, not in a buffer.
        spool.flush().await?;
    }
}

fn new_spool_dir() -> EngineResult<PathBuf> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    Ok(std::env::temp_dir().join(format!("batchout-run-{}-{nanos}", std::process::id())))
}

fn new_file(path: &Path) -> EngineResult<tokio::fs::File> {
    let file = std::fs::File::create(path)
        .map_err(|e| EngineError::io(format!("cannot create {}", path.display()), e))?;
    Ok(tokio::fs::File::from_std(file))
}

/// `track ... -- CMD`: track `specs` while `command` runs (stdio inherited), pass signals
/// on, flush a last time when it ends, and return its exit code.
pub async fn track_while(
    store: Arc<dyn Store>,
    specs: Vec<TrackSpec>,
    command: &[String],
    options: TrackOptions,
) -> EngineResult<i32> {
    let mut signals =
        StopSignals::install().map_err(|e| EngineError::io("cannot install signal handlers", e))?;
    let mut child = child::spawn(command, Stdio::inherit(), Stdio::inherit())?;
    let events = options.events.clone();
    let tracker = Tracker::start(store, specs, options);
    let status = child::wait(&mut child, &mut signals, &events).await;
    tracker.finish().await?;
    status.map(child::exit_code)
}

/// `track` without a command: track `specs` until SIGINT or SIGTERM, then flush a last time.
pub async fn track_until_signal(
    store: Arc<dyn Store>,
    specs: Vec<TrackSpec>,
    options: TrackOptions,
) -> EngineResult<TrackReport> {
    let mut signals =
        StopSignals::install().map_err(|e| EngineError::io("cannot install signal handlers", e))?;
    let tracker = Tracker::start(store, specs, options);
    signals.recv().await;
    tracker.finish().await
}
