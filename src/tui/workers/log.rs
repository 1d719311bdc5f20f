//! Runs the live log screen's requests ([`LogRequest`]): followers (cancellable tokio tasks
//! running the one follow driver, `crate::follow::driver`, as `batchout tail` does), older
//! parts, and saving a log to a new file.

use crate::follow::driver::{Driver, Step};
use crate::follow::merged::{MergeScope, MergedFollower, SourceInfo};
use crate::follow::single::{read_older, FollowConfig, LogFollower, Start};
use crate::store::{ByteRange, Store, StoreError};
use crate::tui::requests::log::{LogMsg, LogRequest, LogSource, LogTarget, SaveWhat};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Sends one log request's Msgs.
type Out = super::Out<LogMsg>;

/// Run one request to its end (a follow request: until cancelled or the screen is gone).
pub async fn run(store: Arc<dyn Store>, req: LogRequest, out: Out) {
    match req {
        LogRequest::Follow { container, target } => {
            if let Err(e) = follow(store, &container, &target, &out).await {
                out.fail(e.to_string());
            }
        }
        LogRequest::Older {
            container,
            blob,
            end,
        } => match read_older(&*store, &container, &blob, end, &FollowConfig::default()).await {
            Ok((pieces, start)) => {
                out.send(LogMsg::Older { pieces, start });
            }
            Err(e) => out.fail(e.to_string()),
        },
        LogRequest::Save {
            container,
            what,
            dir,
            name,
        } => {
            let dir = dir.unwrap_or_else(|| PathBuf::from("."));
            match save(&*store, &container, &what, &dir, &name).await {
                Ok((path, bytes)) => {
                    out.send(LogMsg::Saved {
                        path: path.display().to_string(),
                        bytes,
                    });
                }
                Err(e) => out.fail(format!("cannot save the log: {e}")),
            }
        }
    }
}

/// Follow until the receiver is gone, through the one follow driver (as `batchout tail`
/// does): one Batch per poll with news, a Problem for a transient failure (once) and for
/// each log that could not be read this time.
async fn follow(
    store: Arc<dyn Store>,
    container: &str,
    target: &LogTarget,
    out: &Out,
) -> Result<(), StoreError> {
    let cfg = FollowConfig::default();
    let files = vec!["stdout.txt".to_string(), "stderr.txt".to_string()];
    let merged = |scope| {
        Driver::merged(MergedFollower::new(
            store.clone(),
            container,
            scope,
            cfg,
            Start::Window,
        ))
    };
    let mut driver = match target {
        LogTarget::File { task, path, blob } => Driver::single(
            LogFollower::new(store.clone(), container, blob, cfg),
            SourceInfo {
                task: task.clone().unwrap_or_default(),
                file: path.clone(),
                blob: blob.clone(),
                label: path.clone(),
                colour: 0,
            },
        ),
        LogTarget::Task { task } => merged(MergeScope::Tasks {
            tasks: vec![task.clone()],
            files,
        }),
        LogTarget::Job => merged(MergeScope::AllTasks { files }),
    };
    // A single log opens first; many open on their first poll.
    let mut update = match target {
        LogTarget::File { .. } => Some(driver.open(Start::Window).await?),
        _ => None,
    };
    // The first batch is sent even when empty: the screen learns that the log opened (or
    // the listing worked and there are no logs yet).
    let mut sent_any = false;
    loop {
        if let Some(u) = update.take() {
            let problems: Vec<String> = u
                .errors
                .iter()
                .map(|(i, e)| driver.read_error(*i, e))
                .collect();
            if !sent_any || !u.new_sources.is_empty() || !u.events.is_empty() {
                let new_sources = u
                    .new_sources
                    .iter()
                    .filter_map(|&i| driver.source(i))
                    .map(|s| LogSource {
                        label: s.label.clone(),
                        colour: s.colour,
                    })
                    .collect();
                let batch = LogMsg::Batch {
                    new_sources,
                    events: u.events,
                    older_start: u.older_start,
                };
                if !out.send(batch) {
                    return Ok(());
                }
                sent_any = true;
            }
            for p in problems {
                if !out.send(LogMsg::Problem(p)) {
                    return Ok(());
                }
            }
        }
        update = match driver.step().await? {
            Step::Update(u) => Some(u),
            Step::Retrying { error, first } => {
                if first && !out.send(LogMsg::Problem(format!("{error}; retrying"))) {
                    return Ok(());
                }
                None
            }
        };
    }
}

/// Write to a new file (never replacing one): `name`, else `name-1`, `name-2`, ...
async fn save(
    store: &dyn Store,
    container: &str,
    what: &SaveWhat,
    dir: &Path,
    name: &str,
) -> Result<(PathBuf, u64), String> {
    let (path, mut file) =
        create_new(dir, name).map_err(|e| format!("{e} in {}", dir.display()))?;
    let result = match what {
        SaveWhat::Lines(lines) => {
            let mut n = 0u64;
            let mut r = Ok(());
            for l in lines {
                if let Err(e) = writeln!(file, "{l}") {
                    r = Err(e.to_string());
                    break;
                }
                n += l.len() as u64 + 1;
            }
            r.map(|_| n)
        }
        SaveWhat::Blob(blob) => copy_blob(store, container, blob, &mut file).await,
    };
    match result.and_then(|n| file.sync_all().map(|_| n).map_err(|e| e.to_string())) {
        Ok(n) => Ok((path, n)),
        Err(e) => {
            // Leave no half-written file behind.
            drop(file);
            let _ = std::fs::remove_file(&path);
            Err(e)
        }
    }
}

/// The blob's bytes as long as it is when the save starts, in 4 MiB ranged reads.
async fn copy_blob(
    store: &dyn Store,
    container: &str,
    blob: &str,
    file: &mut std::fs::File,
) -> Result<u64, String> {
    const CHUNK: u64 = 4 * 1024 * 1024;
    let len = store
        .blob_info(container, blob)
        .await
        .map_err(|e| e.to_string())?
        .len;
    let mut pos = 0;
    while pos < len {
        let r = store
            .read_range(
                container,
                blob,
                ByteRange::new(pos, CHUNK.min(len - pos)),
                None,
            )
            .await
            .map_err(|e| e.to_string())?;
        if r.data.is_empty() {
            break; // it shrank meanwhile: keep what there was
        }
        file.write_all(&r.data).map_err(|e| e.to_string())?;
        pos += r.data.len() as u64;
    }
    Ok(pos)
}

fn create_new(dir: &Path, name: &str) -> std::io::Result<(PathBuf, std::fs::File)> {
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s.to_string(), format!(".{e}")),
        _ => (name.to_string(), String::new()),
    };
    for i in 0..1000 {
        let candidate = if i == 0 {
            dir.join(name)
        } else {
            dir.join(format!("{stem}-{i}{ext}"))
        };
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(f) => return Ok((candidate, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AlreadyExists,
        format!("{name} and 999 numbered variants exist"),
    ))
}
