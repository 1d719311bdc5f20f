//! One large blob: parallel ranged reads written at their offsets of the temp file,
//! resuming from the state file when the blob's etag is unchanged (the state lists only
//! ranges already written), progress every 200 ms, the state saved about once a second,
//! then the whole-file MD5 check. One function per step; [`fetch_large`] runs them.

use super::events::{Progress, RateMeter, TransferEvent};
use super::fetch::{fetch_range_into, FetchError};
use super::plan::PlannedFile;
use super::resume::ResumeState;
use super::safe_fs;
use super::shared::Shared;
use super::step::{mismatch, notice, range_size_for, Fetched, Stop};
use super::verify::OrderedHasher;
use crate::store::BlobInfo;
use futures::StreamExt;
use std::collections::BTreeSet;
use std::fs::File;
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};
use tokio_util::sync::CancellationToken;

/// How a blob is cut into ranges.
#[derive(Debug, Clone, Copy)]
struct Ranges {
    len: u64,
    size: u64,
    count: u64,
}

impl Ranges {
    fn new(len: u64, size: u64) -> Self {
        Ranges {
            len,
            size,
            count: len.div_ceil(size),
        }
    }
    /// (start, length) of range `i`.
    fn get(&self, i: u64) -> (u64, u64) {
        (i * self.size, self.size.min(self.len - i * self.size))
    }
}

/// The temp file to write, and what an interrupted run of this same blob version left.
struct Part {
    file: File,
    range_size: u64,
    done: BTreeSet<u64>,
    /// Ranges partly written: [index, bytes].
    partial: Vec<[u64; 2]>,
}

fn io_err(part: &Path, what: &str, e: io::Error) -> Stop {
    Stop::Failed(format!("cannot {what} {}: {e}", part.display()))
}

/// Reopen the temp file of an interrupted run when the state file matches the blob (etag,
/// length) and the temp file has the blob's length; otherwise start a new temp file.
fn open_part(
    sh: &Shared,
    f: &PlannedFile,
    blob: &BlobInfo,
    part: &Path,
    state_path: &Path,
) -> Result<Part, Stop> {
    if let Some(st) = ResumeState::load(state_path, &f.container, &blob.name) {
        if st.etag != blob.etag || st.len != blob.len {
            notice(
                sh,
                f,
                "the blob changed since the interrupted download; starting over",
            );
        } else if let Ok(file) = safe_fs::open_part(part) {
            if file.metadata().map(|m| m.len()).ok() == Some(blob.len) {
                return Ok(Part {
                    file,
                    range_size: st.range_size,
                    done: st.done_set(),
                    partial: st.partial.clone(),
                });
            }
        }
    }
    safe_fs::remove_if_present(state_path);
    let file = safe_fs::create_part(part, blob.len).map_err(|e| io_err(part, "create", e))?;
    Ok(Part {
        file,
        range_size: range_size_for(sh, blob),
        done: BTreeSet::new(),
        partial: Vec::new(),
    })
}

/// Bytes on disk per range, counted as they are written, so progress and the resume
/// state see inside ranges.
struct Ledger {
    ranges: Ranges,
    on_disk: Vec<AtomicU64>,
    /// Every range is checked by its transactional MD5: only whole ranges count.
    with_md5: bool,
}

impl Ledger {
    fn new(ranges: Ranges, done: &BTreeSet<u64>, partial: &[[u64; 2]], with_md5: bool) -> Self {
        let on_disk: Vec<AtomicU64> = (0..ranges.count)
            .map(|i| {
                AtomicU64::new(if done.contains(&i) {
                    ranges.get(i).1
                } else {
                    0
                })
            })
            .collect();
        // A partly written range is not checked yet: without whole-range MD5s it counts.
        if !with_md5 {
            for &[i, n] in partial {
                if !done.contains(&i) {
                    on_disk[i as usize].store(n, Ordering::Relaxed);
                }
            }
        }
        Ledger {
            ranges,
            on_disk,
            with_md5,
        }
    }

    fn total(&self) -> u64 {
        self.on_disk.iter().map(|n| n.load(Ordering::Relaxed)).sum()
    }

    /// Record the ranges done (and, without transactional MD5s, the partly written ones)
    /// in the state file. A state that cannot be saved only costs the resume, not the
    /// download.
    fn save(&self, state: &mut ResumeState, done: &BTreeSet<u64>, path: &Path) {
        state.set_done(done);
        state.partial = if self.with_md5 {
            Vec::new()
        } else {
            (0..self.ranges.count)
                .filter(|i| !done.contains(i))
                .map(|i| [i, self.on_disk[i as usize].load(Ordering::Relaxed)])
                .filter(|&[i, n]| n > 0 && n < self.ranges.get(i).1)
                .collect()
        };
        let _ = state.save(path);
    }
}

/// Everything one large file's reads need.
struct Job<'a> {
    sh: &'a Shared,
    f: &'a PlannedFile,
    blob: &'a BlobInfo,
    file: Arc<File>,
    ledger: Ledger,
    state_path: &'a Path,
}

/// Parallel ranged reads written at their offsets, resuming from the state file when the
/// blob's etag is unchanged; the state lists only ranges already written.
pub(super) async fn fetch_large(
    sh: &Shared,
    f: &PlannedFile,
    blob: &BlobInfo,
    part: &Path,
    state_path: &Path,
    cancel: &CancellationToken,
) -> Result<Fetched, Stop> {
    let Part {
        file,
        range_size,
        mut done,
        partial,
    } = open_part(sh, f, blob, part, state_path)?;
    let ranges = Ranges::new(blob.len, range_size);
    // Without a whole-blob MD5, every range is checked by its transactional MD5 instead.
    let with_md5 = blob.content_md5.is_none();
    let ledger = Ledger::new(ranges, &done, &partial, with_md5);
    let resumed_from = ledger.total();
    sh.emit(TransferEvent::Started {
        id: f.id,
        total: blob.len,
        resumed_from,
    });
    let hasher = match blob.content_md5 {
        Some(_) => Some(OrderedHasher::spawn(
            file.try_clone().map_err(|e| io_err(part, "open", e))?,
            blob.len,
            range_size,
            done.clone(),
        )),
        None => None,
    };
    let job = Job {
        sh,
        f,
        blob,
        file: Arc::new(file),
        ledger,
        state_path,
    };
    let all_ranges_checked = job.read_ranges(&mut done, hasher.as_ref(), cancel).await?;
    let verified = match (hasher, blob.content_md5) {
        (Some(h), Some(expected)) => check_whole(h, expected, part, state_path).await?,
        _ => all_ranges_checked,
    };
    job.file
        .set_modified(SystemTime::from(blob.last_modified))
        .map_err(|e| io_err(part, "set the time of", e))?;
    Ok(Fetched {
        resumed_from,
        verified,
    })
}

impl Job<'_> {
    /// Read every range not yet `done`, `ranges_per_file` at a time; report progress and
    /// save the state as they go. Returns whether every range read now had a
    /// transactional MD5 (resumed ranges had theirs before).
    async fn read_ranges(
        &self,
        done: &mut BTreeSet<u64>,
        hasher: Option<&OrderedHasher>,
        cancel: &CancellationToken,
    ) -> Result<bool, Stop> {
        let (sh, f, blob) = (self.sh, self.f, self.blob);
        let (ranges, ledger) = (self.ledger.ranges, &self.ledger);
        let with_md5 = ledger.with_md5;
        let mut state =
            ResumeState::new(&f.container, &blob.name, &blob.etag, blob.len, ranges.size);
        let pending: Vec<u64> = (0..ranges.count).filter(|i| !done.contains(i)).collect();
        let mut reads = futures::stream::iter(pending)
            .map(|i| {
                let (file, written) = (self.file.clone(), &ledger.on_disk[i as usize]);
                async move {
                    let (start, n) = ranges.get(i);
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
        let mut all_ranges_checked = with_md5;
        let mut ticks = tokio::time::interval(Duration::from_millis(200));
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut tick_count = 0u32;
        let mut emit_progress = |on_disk: u64| {
            let progress: Progress = meter.update(Instant::now(), on_disk.min(blob.len), blob.len);
            sh.emit(TransferEvent::Progress { id: f.id, progress });
        };
        loop {
            let next = tokio::select! {
                biased;
                _ = cancel.cancelled() => {
                    ledger.save(&mut state, done, self.state_path);
                    return Err(Stop::Cancelled(ledger.total()));
                }
                n = reads.next() => n,
                _ = ticks.tick() => {
                    emit_progress(ledger.total());
                    // About once a second, so a kill -9 loses little of the ranges in flight.
                    tick_count += 1;
                    if tick_count.is_multiple_of(5) {
                        ledger.save(&mut state, done, self.state_path);
                    }
                    continue;
                }
            };
            match next {
                None => return Ok(all_ranges_checked),
                Some(Ok((i, checked))) => {
                    all_ranges_checked &= checked;
                    done.insert(i);
                    ledger.save(&mut state, done, self.state_path);
                    if let Some(h) = hasher {
                        h.written(i);
                    }
                    if done.len() as u64 == ranges.count {
                        emit_progress(blob.len);
                    }
                }
                Some(Err(FetchError::Changed(why))) => return Err(Stop::Changed(why)),
                Some(Err(FetchError::Failed(e))) => {
                    ledger.save(&mut state, done, self.state_path);
                    return Err(Stop::Failed(e));
                }
            }
        }
    }
}

/// The whole file's MD5 (hashed in order as ranges landed) against the blob's Content-MD5;
/// a mismatch removes the temp file and its state.
async fn check_whole(
    hasher: OrderedHasher,
    expected: [u8; 16],
    part: &Path,
    state_path: &Path,
) -> Result<bool, Stop> {
    let actual = hasher
        .finish()
        .await
        .map_err(|e| io_err(part, "read back", e))?;
    if actual != expected {
        safe_fs::remove_if_present(part);
        safe_fs::remove_if_present(state_path);
        return Err(Stop::Failed(mismatch(&expected, &actual)));
    }
    Ok(true)
}
