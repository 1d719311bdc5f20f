//! One file of a download: check what is already there, fetch into `.NAME.batchout-part`
//! (one read for small blobs, resumable parallel ranges for large ones), verify, and only
//! then rename to the final name.

use super::events::{Outcome, Progress, RateMeter, TransferEvent};
use super::fetch::{fetch_range_into, read_small, FetchError};
use super::plan::PlannedFile;
use super::resume::{temp_paths, ResumeState};
use super::safe_fs::{self, ParentError, Published};
use super::shared::Shared;
use super::verify::{hex_md5, is_identical, md5_of, OrderedHasher};
use crate::store::{BlobInfo, MAX_RANGE_MD5};
use futures::StreamExt;
use std::collections::BTreeSet;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};
use tokio_util::sync::CancellationToken;

/// Why fetching stopped before the temp file was complete.
enum Stop {
    Changed(String),
    Cancelled(u64),
    Failed(String),
}

impl From<FetchError> for Stop {
    fn from(e: FetchError) -> Self {
        match e {
            FetchError::Changed(w) => Stop::Changed(w),
            FetchError::Failed(e) => Stop::Failed(e),
        }
    }
}

/// The temp file is complete.
struct Fetched {
    resumed_from: u64,
    verified: bool,
}

pub(super) async fn download_file(
    sh: &Shared,
    f: &PlannedFile,
    cancel: &CancellationToken,
) -> Outcome {
    let rel = match &f.local {
        Ok(p) => p.clone(),
        Err(reason) => {
            return Outcome::Refused {
                reason: reason.clone(),
            }
        }
    };
    let (root, blob, overwrite) = (sh.root.clone(), f.blob.clone(), sh.opts.overwrite);
    let target = match blocking(move || check_target(&root, &rel, &blob, overwrite)).await {
        Ok(Ok(t)) => t,
        Ok(Err(outcome)) => return outcome,
        Err(e) => return Outcome::Failed { error: e },
    };
    let (part, state) = temp_paths(&target);
    let mut blob = f.blob.clone();
    let mut restarts = 0;
    loop {
        let fetched = if blob.len <= range_size_for(sh, &blob).min(MAX_RANGE_MD5) {
            fetch_small(sh, f, &blob, &part, cancel).await
        } else {
            fetch_large(sh, f, &blob, &part, &state, cancel).await
        };
        match fetched {
            Ok(done) => return publish(sh, &blob, &part, &state, &target, done).await,
            Err(Stop::Changed(why)) => {
                safe_fs::remove_if_present(&part);
                safe_fs::remove_if_present(&state);
                restarts += 1;
                if restarts > sh.opts.max_restarts {
                    return Outcome::Failed {
                        error: format!("the blob changed {restarts} times while downloading (still being written?); try again later"),
                    };
                }
                match sh.store.blob_info(&f.container, &f.blob.name).await {
                    Ok(b) => {
                        sh.emit(TransferEvent::Notice {
                            id: f.id,
                            message: format!(
                                "the blob changed while downloading ({why}); starting over"
                            ),
                        });
                        blob = b;
                    }
                    Err(e) => {
                        return Outcome::Failed {
                            error: format!("the blob changed ({why}): {e}"),
                        }
                    }
                }
            }
            Err(Stop::Cancelled(done)) => return Outcome::Cancelled { done },
            Err(Stop::Failed(error)) => return Outcome::Failed { error },
        }
    }
}

/// Make the folders and look at what is under the final name. Err: the file is done
/// (identical, exists, refused or failed) without fetching anything.
fn check_target(
    root: &Path,
    rel: &Path,
    blob: &BlobInfo,
    overwrite: bool,
) -> Result<PathBuf, Outcome> {
    let target = safe_fs::prepare_parents(root, rel).map_err(|e| match e {
        ParentError::Unsafe(reason) => Outcome::Refused { reason },
        ParentError::Io(error) => Outcome::Failed { error },
    })?;
    let failed = |error: String| Outcome::Failed { error };
    match std::fs::symlink_metadata(&target) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(target),
        Err(e) => Err(failed(format!("cannot inspect {}: {e}", target.display()))),
        Ok(m) if m.is_dir() => Err(failed(format!(
            "a folder is in the way at {}",
            target.display()
        ))),
        Ok(m) if m.file_type().is_symlink() && !overwrite => Err(Outcome::Exists { path: target }),
        Ok(m) if m.file_type().is_symlink() => Ok(target),
        Ok(m) => match is_identical(&m, &target, blob) {
            Ok(true) => Err(Outcome::Identical),
            Ok(false) if overwrite => Ok(target),
            Ok(false) => Err(Outcome::Exists { path: target }),
            Err(e) => Err(failed(format!("cannot read {}: {e}", target.display()))),
        },
    }
}

fn mismatch(expected: &[u8; 16], actual: &[u8; 16]) -> String {
    format!(
        "MD5 mismatch: the blob's Content-MD5 is {} but its bytes hash to {}; nothing was written",
        hex_md5(expected),
        hex_md5(actual)
    )
}

/// One read for the whole blob; hashed and written in one blocking step.
async fn fetch_small(
    sh: &Shared,
    f: &PlannedFile,
    blob: &BlobInfo,
    part: &Path,
    cancel: &CancellationToken,
) -> Result<Fetched, Stop> {
    sh.emit(TransferEvent::Started {
        id: f.id,
        total: blob.len,
        resumed_from: 0,
    });
    // Without a Content-MD5 to check the whole file, the service's MD5 of the read checks it.
    let with_md5 = blob.content_md5.is_none();
    let (data, range_checked) = if blob.len == 0 {
        (bytes::Bytes::new(), false)
    } else {
        let read = read_small(
            sh,
            &f.container,
            &blob.name,
            &blob.etag,
            blob.len,
            with_md5,
            |m| notice(sh, f, m),
        );
        tokio::select! {
            biased;
            _ = cancel.cancelled() => return Err(Stop::Cancelled(0)),
            r = read => { let (d, _permit, c) = r?; (d, c) }
        }
    };
    let (part, expected, mtime) = (
        part.to_path_buf(),
        blob.content_md5,
        SystemTime::from(blob.last_modified),
    );
    blocking(move || -> Result<bool, String> {
        if let Some(expected) = expected {
            let actual = md5_of(&data);
            if actual != expected {
                return Err(mismatch(&expected, &actual));
            }
        }
        let write = || -> io::Result<()> {
            let mut file = safe_fs::create_part(&part, 0)?;
            file.write_all(&data)?;
            file.set_modified(mtime)
        };
        write().map_err(|e| format!("cannot write {}: {e}", part.display()))?;
        Ok(expected.is_some() || range_checked)
    })
    .await
    .map_err(Stop::Failed)?
    .map(|verified| Fetched {
        resumed_from: 0,
        verified,
    })
    .map_err(Stop::Failed)
}

/// Parallel ranged reads written at their offsets, resuming from the state file when the
/// blob's etag is unchanged; the state lists only ranges already written.
async fn fetch_large(
    sh: &Shared,
    f: &PlannedFile,
    blob: &BlobInfo,
    part: &Path,
    state_path: &Path,
    cancel: &CancellationToken,
) -> Result<Fetched, Stop> {
    let io_err =
        |what: &str, e: io::Error| Stop::Failed(format!("cannot {what} {}: {e}", part.display()));
    let (mut range_size, mut done, mut file) = (range_size_for(sh, blob), BTreeSet::new(), None);
    let mut partial: Vec<[u64; 2]> = Vec::new();
    if let Some(st) = ResumeState::load(state_path, &f.container, &blob.name) {
        if st.etag != blob.etag || st.len != blob.len {
            notice(
                sh,
                f,
                "the blob changed since the interrupted download; starting over",
            );
        } else if let Ok(fh) = safe_fs::open_part(part) {
            if fh.metadata().map(|m| m.len()).ok() == Some(blob.len) {
                range_size = st.range_size;
                done = st.done_set();
                partial = st.partial.clone();
                file = Some(fh);
            }
        }
    }
    let file = match file {
        Some(fh) => fh,
        None => {
            safe_fs::remove_if_present(state_path);
            safe_fs::create_part(part, blob.len).map_err(|e| io_err("create", e))?
        }
    };
    let len = blob.len;
    let count = len.div_ceil(range_size);
    let range = move |i: u64| (i * range_size, range_size.min(len - i * range_size));
    // Without a whole-blob MD5, every range is checked by its transactional MD5 instead,
    // and only whole ranges count (a partly written one is not checked yet).
    let with_md5 = blob.content_md5.is_none();
    // Bytes on disk per range, counted as they are written: progress and resume state
    // see inside ranges.
    let on_disk: Vec<AtomicU64> = (0..count)
        .map(|i| AtomicU64::new(if done.contains(&i) { range(i).1 } else { 0 }))
        .collect();
    if !with_md5 {
        for &[i, n] in &partial {
            if !done.contains(&i) {
                on_disk[i as usize].store(n, Ordering::Relaxed);
            }
        }
    }
    let total_on_disk = || {
        on_disk
            .iter()
            .map(|n| n.load(Ordering::Relaxed))
            .sum::<u64>()
    };
    let resumed_from: u64 = total_on_disk();
    sh.emit(TransferEvent::Started {
        id: f.id,
        total: len,
        resumed_from,
    });

    let hasher = match blob.content_md5 {
        Some(_) => Some(OrderedHasher::spawn(
            file.try_clone().map_err(|e| io_err("open", e))?,
            len,
            range_size,
            done.clone(),
        )),
        None => None,
    };
    let mut state = ResumeState::new(&f.container, &blob.name, &blob.etag, len, range_size);
    let file = Arc::new(file);
    let pending: Vec<u64> = (0..count).filter(|i| !done.contains(i)).collect();
    let mut reads = futures::stream::iter(pending)
        .map(|i| {
            let (file, written) = (file.clone(), &on_disk[i as usize]);
            async move {
                let (start, n) = range(i);
                let checked = fetch_range_into(
                    sh,
                    &f.container,
                    &blob.name,
                    &blob.etag,
                    start,
                    n,
                    &file,
                    with_md5,
                    written,
                    |m| notice(sh, f, m),
                )
                .await?;
                Ok::<(u64, bool), FetchError>((i, checked))
            }
        })
        .buffer_unordered(sh.opts.ranges_per_file.max(1));

    let mut meter = RateMeter::default();
    // Every range fetched now had a transactional MD5 (resumed ranges had theirs before).
    let mut all_ranges_checked = with_md5;
    let mut ticks = tokio::time::interval(Duration::from_millis(200));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut tick_count = 0u32;
    let mut emit_progress = |on_disk: u64| {
        let progress: Progress = meter.update(Instant::now(), on_disk.min(len), len);
        sh.emit(TransferEvent::Progress { id: f.id, progress });
    };
    let mut save = |done: &BTreeSet<u64>| {
        state.set_done(done);
        state.partial = if with_md5 {
            Vec::new()
        } else {
            (0..count)
                .filter(|i| !done.contains(i))
                .map(|i| [i, on_disk[i as usize].load(Ordering::Relaxed)])
                .filter(|&[i, n]| n > 0 && n < range(i).1)
                .collect()
        };
        // A state that cannot be saved only costs the resume, not the download.
        let _ = state.save(state_path);
    };
    loop {
        let next = tokio::select! {
            biased;
            _ = cancel.cancelled() => {
                save(&done);
                return Err(Stop::Cancelled(total_on_disk()));
            }
            n = reads.next() => n,
            _ = ticks.tick() => {
                emit_progress(total_on_disk());
                // About once a second, so a kill -9 loses little of the ranges in flight.
                tick_count += 1;
                if tick_count.is_multiple_of(5) {
                    save(&done);
                }
                continue;
            }
        };
        match next {
            None => break,
            Some(Ok((i, checked))) => {
                all_ranges_checked &= checked;
                done.insert(i);
                save(&done);
                if let Some(h) = &hasher {
                    h.written(i);
                }
                if done.len() as u64 == count {
                    emit_progress(len);
                }
            }
            Some(Err(FetchError::Changed(why))) => return Err(Stop::Changed(why)),
            Some(Err(FetchError::Failed(e))) => {
                save(&done);
                return Err(Stop::Failed(e));
            }
        }
    }
    drop(reads);
    let verified = match (hasher, blob.content_md5) {
        (Some(h), Some(expected)) => {
            let actual = h.finish().await.map_err(|e| io_err("read back", e))?;
            if actual != expected {
                safe_fs::remove_if_present(part);
                safe_fs::remove_if_present(state_path);
                return Err(Stop::Failed(mismatch(&expected, &actual)));
            }
            true
        }
        _ => all_ranges_checked,
    };
    let mtime = SystemTime::from(blob.last_modified);
    file.set_modified(mtime)
        .map_err(|e| io_err("set the time of", e))?;
    Ok(Fetched {
        resumed_from,
        verified,
    })
}

/// Rename the complete temp file to its final name and drop the resume state.
async fn publish(
    sh: &Shared,
    blob: &BlobInfo,
    part: &Path,
    state: &Path,
    target: &Path,
    done: Fetched,
) -> Outcome {
    let (p, t, overwrite) = (part.to_path_buf(), target.to_path_buf(), sh.opts.overwrite);
    let published = blocking(move || safe_fs::publish(&p, &t, overwrite)).await;
    safe_fs::remove_if_present(state);
    match published {
        Ok(Ok(Published::Done)) => Outcome::Downloaded {
            bytes: blob.len,
            resumed_from: done.resumed_from,
            verified: done.verified,
        },
        Ok(Ok(Published::Exists)) => {
            safe_fs::remove_if_present(part);
            Outcome::Exists {
                path: target.to_path_buf(),
            }
        }
        Ok(Err(e)) => Outcome::Failed {
            error: format!("cannot rename to {}: {e}", target.display()),
        },
        Err(e) => Outcome::Failed { error: e },
    }
}

fn notice(sh: &Shared, f: &PlannedFile, message: &str) {
    sh.emit(TransferEvent::Notice {
        id: f.id,
        message: message.to_string(),
    });
}

/// Run blocking file system work off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, String> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| format!("internal error: {e}"))
}

/// Ranged read size for `blob`: the configured size when its Content-MD5 will check the
/// whole file, else at most the largest range the service gives a transactional MD5 for.
fn range_size_for(sh: &Shared, blob: &BlobInfo) -> u64 {
    let size = sh.opts.range_size.max(1);
    if blob.content_md5.is_some() {
        size
    } else {
        size.min(MAX_RANGE_MD5)
    }
}
