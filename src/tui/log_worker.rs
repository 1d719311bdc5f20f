//! Runs the live log screen's requests: followers (cancellable tokio tasks that poll with
//! the default [`PollPolicy`]), older parts, and saving a log to a new file.

use super::app::RequestId;
use super::log_msg::{LogMsg, LogRequest, LogSource, LogTarget, SaveWhat};
use super::msg::Msg;
use crate::follow::merged::{MergeScope, MergedFollower};
use crate::follow::poll::PollPolicy;
use crate::follow::single::{read_older, FollowConfig, FollowEvent, LogFollower, Start};
use crate::store::{ByteRange, Store, StoreError};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::mpsc::UnboundedSender;

/// Sends one request's Msgs.
struct Out {
    id: RequestId,
    tx: UnboundedSender<Msg>,
}

impl Out {
    /// False when the screen is gone (stop working).
    fn send(&self, msg: LogMsg) -> bool {
        self.tx.send(Msg::Log { id: self.id, msg }).is_ok()
    }
    fn fail(&self, error: String) {
        let _ = self.tx.send(Msg::Failed { id: self.id, error });
    }
}

/// Run one request to its end (a follow request: until cancelled or the screen is gone).
pub async fn run(store: Arc<dyn Store>, id: RequestId, req: LogRequest, tx: UnboundedSender<Msg>) {
    let out = Out { id, tx };
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

enum Follower {
    One(LogFollower),
    Many(MergedFollower),
}

/// Poll until the receiver is gone. Transient errors are reported once and retried.
async fn follow(
    store: Arc<dyn Store>,
    container: &str,
    target: &LogTarget,
    out: &Out,
) -> Result<(), StoreError> {
    let cfg = FollowConfig::default();
    // Poll again at once (no sleep) while the last poll says more is waiting.
    let mut again = true;
    let files = vec!["stdout.txt".to_string(), "stderr.txt".to_string()];
    let mut f = match target {
        LogTarget::File { path, blob, .. } => {
            let mut one = LogFollower::new(store, container, blob, cfg);
            let opened = one.open(Start::Window).await?;
            let source = LogSource {
                label: path.clone(),
                colour: 0,
            };
            let events = opened.events.into_iter().map(|e| (0, e)).collect();
            if !out.send(LogMsg::Batch {
                new_sources: vec![source],
                events,
                older_start: one.older_start(),
            }) {
                return Ok(());
            }
            again = opened.more;
            Follower::One(one)
        }
        LogTarget::Task { task } => Follower::Many(MergedFollower::new(
            store,
            container,
            MergeScope::Tasks {
                tasks: vec![task.clone()],
                files,
            },
            cfg,
            Start::Window,
        )),
        LogTarget::Job => Follower::Many(MergedFollower::new(
            store,
            container,
            MergeScope::AllTasks { files },
            cfg,
            Start::Window,
        )),
    };
    let policy = PollPolicy::default();
    let mut last_growth = Instant::now();
    let mut failing = false;
    // The first poll of a merged stream is sent even when empty: the screen learns that
    // the listing worked and there are no logs yet.
    let mut sent_any = matches!(f, Follower::One(_));
    loop {
        if !again {
            tokio::time::sleep(policy.delay(last_growth.elapsed())).await;
        }
        let result = match &mut f {
            Follower::One(one) => one.poll().await.map(|p| {
                let events: Vec<(usize, FollowEvent)> =
                    p.events.into_iter().map(|e| (0, e)).collect();
                (Vec::new(), events, p.grew, p.more, one.older_start())
            }),
            Follower::Many(m) => m.poll().await.map(|p| {
                let sources = p
                    .new_sources
                    .iter()
                    .filter_map(|&i| m.source(i))
                    .map(|s| LogSource {
                        label: s.label.clone(),
                        colour: s.colour,
                    })
                    .collect();
                let events = p.events.into_iter().map(|e| (e.source, e.event)).collect();
                (sources, events, p.grew, p.more, 0)
            }),
        };
        match result {
            Ok((new_sources, events, grew, more, older_start)) => {
                failing = false;
                if grew {
                    last_growth = Instant::now();
                }
                if (!sent_any || !new_sources.is_empty() || !events.is_empty())
                    && !out.send(LogMsg::Batch {
                        new_sources,
                        events,
                        older_start,
                    })
                {
                    return Ok(());
                }
                sent_any = true;
                again = more;
            }
            Err(e) if e.is_transient() => {
                if !failing && !out.send(LogMsg::Problem(format!("{e}; retrying"))) {
                    return Ok(());
                }
                failing = true;
                again = false;
            }
            Err(e) => return Err(e),
        }
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

/// A file name for saving a target: safe characters only, no folders.
pub fn save_name(target: &LogTarget) -> String {
    let raw = match target {
        LogTarget::File { task, path, .. } => match task {
            Some(t) => format!("{t}-{path}"),
            None => path.clone(),
        },
        LogTarget::Task { task } => format!("{task}-logs.txt"),
        LogTarget::Job => "job-logs.txt".to_string(),
    };
    let clean: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let clean = clean.trim_start_matches('.').to_string();
    if clean.is_empty() {
        "log.txt".into()
    } else {
        clean
    }
}
