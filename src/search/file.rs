//! Searching one file: from the cache when the blob is unchanged, only its new bytes when
//! a log grew (re-reading a window of lines so context comes out right), else from 0.
//! Lines go to the caller in order as they are found, through a bounded channel.

use super::cache::{Cache, Entry, MAX_ENTRY_BYTES};
use super::feed::{self, ChannelReader, FeedEnd, FeedPlan, REPLACED};
use super::limit::Limit;
use super::{FileEvent, FileSummary, Line, SearchOptions};
use crate::outputs::OutputFile;
use crate::store::{BlobInfo, BlobType, Store, StoreError};
use grep_regex::RegexMatcher;
use grep_searcher::{Searcher, SinkContext, SinkContextKind, SinkMatch};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc;

const CHANGED: &str = "it changed while it was being searched; run the command again";

/// What every file's search shares.
pub struct Shared {
    pub store: Arc<dyn Store>,
    pub container: String,
    pub opts: SearchOptions,
    pub matcher: RegexMatcher,
    pub cache: Option<Cache>,
    /// Bytes per ranged read.
    pub range: u64,
}

/// Search one file, sending its lines and then a summary to `tx`.
pub async fn search_file(shared: Arc<Shared>, file: OutputFile, tx: mpsc::Sender<FileEvent>) {
    let summary = search(&shared, &file, &tx)
        .await
        .unwrap_or_else(|(e, fetched)| FileSummary {
            error: Some(e),
            fetched,
            ..Default::default()
        });
    let _ = tx.send(FileEvent::Done(summary)).await;
}

async fn search(
    shared: &Arc<Shared>,
    file: &OutputFile,
    tx: &mpsc::Sender<FileEvent>,
) -> Result<FileSummary, (String, u64)> {
    let key = shared.cache.as_ref().map(|_| {
        Cache::key(
            &shared.store.describe(),
            &shared.container,
            &file.blob.name,
            &shared.opts.fingerprint(),
        )
    });
    let mut prior = match (&shared.cache, &key) {
        (Some(c), Some(k)) => c.load(k),
        _ => None,
    };
    let mut blob = file.blob.clone();
    let mut fetched = 0u64;
    for attempt in 0..2 {
        if let Some(e) = prior
            .as_ref()
            .filter(|e| e.etag == blob.etag && e.len == blob.len)
        {
            return Ok(replay(e, &shared.opts, tx).await);
        }
        let resume = prior.as_ref().filter(|e| {
            e.append
                && blob.blob_type == BlobType::Append
                && blob.len >= e.len
                && e.binary_at.is_none()
        });
        match pass(shared, &blob, resume, tx).await {
            Pass::Done(summary, entry) => {
                if let (Some(c), Some(k), Some(e)) = (&shared.cache, &key, entry) {
                    c.save(k, &e);
                }
                return Ok(FileSummary {
                    fetched: fetched + summary.fetched,
                    ..summary
                });
            }
            Pass::Replaced(n) => {
                // The log was replaced by a longer one: search it from 0.
                fetched += n;
                prior = None;
            }
            Pass::Changed(n) if attempt == 0 => {
                // Replaced or shrunk since the listing: look again, search from 0.
                fetched += n;
                prior = None;
                blob = shared
                    .store
                    .blob_info(&shared.container, &blob.name)
                    .await
                    .map_err(|e| (e.to_string(), fetched))?;
            }
            Pass::Changed(n) => return Err((CHANGED.into(), fetched + n)),
            Pass::Failed(e, n) => return Err((e, fetched + n)),
        }
    }
    Err((CHANGED.into(), fetched))
}

/// Send the cached lines: nothing is fetched.
async fn replay(e: &Entry, opts: &SearchOptions, tx: &mpsc::Sender<FileEvent>) -> FileSummary {
    let mut limit = Limit::new(opts.max_count, opts.after);
    let mut matches = 0;
    for line in &e.lines {
        match limit.admit(line) {
            Some(l) => {
                matches += l.is_match as u64;
                if tx.send(FileEvent::Line(l)).await.is_err() {
                    break;
                }
            }
            None if limit.done() => break,
            None => {}
        }
    }
    FileSummary {
        matches,
        binary_at: e.binary_at,
        from_cache: true,
        ..Default::default()
    }
}

enum Pass {
    Done(FileSummary, Option<Entry>),
    /// Resuming found the old bytes changed (bytes fetched so far).
    Replaced(u64),
    /// The blob changed or shrank under the read (bytes fetched so far).
    Changed(u64),
    Failed(String, u64),
}

/// One read-and-search of `blob`: all of it, or what it gained since `prior`.
async fn pass(
    shared: &Arc<Shared>,
    blob: &BlobInfo,
    prior: Option<&Entry>,
    tx: &mpsc::Sender<FileEvent>,
) -> Pass {
    let opts = &shared.opts;
    let window = opts.window();
    let plan = match prior {
        Some(e) => FeedPlan::resume(e, blob.len, window),
        None => FeedPlan::full(
            blob.len,
            (blob.blob_type == BlobType::Block).then(|| blob.etag.clone()),
            window,
        ),
    };
    let counter = Arc::new(AtomicU64::new(0));
    let (btx, brx) = feed::channel();
    let feeder = tokio::spawn(feed::feed(
        shared.store.clone(),
        shared.container.clone(),
        blob.name.clone(),
        plan.clone(),
        shared.range,
        btx,
        counter.clone(),
    ));
    let mut sink = Merge::new(
        prior,
        plan.feed_from,
        plan.feed_lines,
        opts,
        shared.cache.is_some(),
        tx.clone(),
    );
    let matcher = shared.matcher.clone();
    let searcher_opts = opts.clone();
    let searched = tokio::task::spawn_blocking(move || {
        let mut searcher: Searcher = searcher_opts.searcher();
        let r = searcher.search_reader(&matcher, ChannelReader::new(brx), &mut sink);
        (r, sink)
    })
    .await;
    let fed = feeder.await;
    let fetched = counter.load(Ordering::Relaxed);
    let (result, sink) = match searched {
        Ok(x) => x,
        Err(e) => return Pass::Failed(format!("the search thread failed: {e}"), fetched),
    };
    let fed = match fed {
        Ok(f) => f,
        Err(e) => return Pass::Failed(format!("the reading task failed: {e}"), fetched),
    };
    match (&fed, result) {
        (FeedEnd::Replaced, _) => return Pass::Replaced(fetched),
        (FeedEnd::Failed(StoreError::ConditionNotMet { .. }), _)
        | (FeedEnd::Failed(StoreError::InvalidRange { .. }), _)
        | (FeedEnd::Failed(StoreError::BlobNotFound { .. }), _) => return Pass::Changed(fetched),
        (FeedEnd::Failed(e), _) => return Pass::Failed(e.to_string(), fetched),
        (_, Err(e)) if e.to_string() == REPLACED => return Pass::Replaced(fetched),
        (_, Err(_)) if sink.cancelled => return Pass::Failed("cancelled".into(), fetched),
        (_, Err(e)) => return Pass::Failed(one_line_io(&e), fetched),
        _ => {}
    }
    let summary = FileSummary {
        matches: sink.out.matches,
        binary_at: sink.binary_at,
        fetched,
        ..Default::default()
    };
    let entry = match (&fed, sink.out.collected) {
        (FeedEnd::Done(scan), Some(lines)) if sink.binary_at.is_none() => Some(Entry {
            len: blob.len,
            complete_end: scan.complete_end,
            complete_lines: scan.complete_lines,
            window_start: scan.window_start,
            window_lines: scan.window_lines,
            tail_sha256: scan.tail_sha256.clone(),
            lines,
            ..Entry::new(blob.etag.clone(), blob.blob_type == BlobType::Append)
        }),
        (_, Some(lines)) if sink.binary_at.is_some() => Some(Entry {
            len: blob.len,
            binary_at: sink.binary_at,
            lines,
            ..Entry::new(blob.etag.clone(), blob.blob_type == BlobType::Append)
        }),
        _ => None,
    };
    Pass::Done(summary, entry)
}

fn one_line_io(e: &std::io::Error) -> String {
    let s = e.to_string();
    if s.contains("heap limit") || s.contains("configured allocation limit") {
        format!(
            "a line is longer than {} MiB; not searched further",
            super::pattern::MAX_LINE >> 20
        )
    } else {
        s
    }
}

/// The searcher's sink when resuming: lines the cache already has (before the window)
/// go out first, once the bytes searched before are known to be unchanged; lines in the
/// window are merged with the cached ones (a line found again is sent once); new lines
/// follow.
struct Merge {
    /// Lines before the feed start (`Line::number` counts from 1).
    base_lines: u64,
    base_offset: u64,
    /// The last complete line the cache had (0: not resuming).
    last_complete: u64,
    head: Vec<Line>,
    window: BTreeMap<u64, Line>,
    binary_at: Option<u64>,
    cancelled: bool,
    out: Out,
}

impl Merge {
    fn new(
        prior: Option<&Entry>,
        base_offset: u64,
        base_lines: u64,
        opts: &SearchOptions,
        collect: bool,
        tx: mpsc::Sender<FileEvent>,
    ) -> Merge {
        let (mut head, mut window) = (Vec::new(), BTreeMap::new());
        let mut last_complete = 0;
        if let Some(e) = prior {
            last_complete = e.complete_lines;
            for l in kept_lines(e, opts) {
                if l.number > base_lines {
                    window.insert(l.number, l);
                } else {
                    head.push(l);
                }
            }
        }
        Merge {
            base_lines,
            base_offset,
            last_complete,
            head,
            window,
            binary_at: None,
            cancelled: false,
            out: Out {
                tx,
                limit: Limit::new(opts.max_count, opts.after),
                collected: collect.then(Vec::new),
                collected_bytes: 0,
                matches: 0,
                // Without a cache to fill, stop reading once the limit is reached.
                stop_early: !collect,
            },
        }
    }

    /// Send the cached lines and the window: everything up to the old end is settled.
    fn flush(&mut self) -> std::io::Result<bool> {
        let mut go = true;
        for l in std::mem::take(&mut self.head) {
            go &= self.out.emit(l)?;
        }
        for (_, l) in std::mem::take(&mut self.window) {
            go &= self.out.emit(l)?;
        }
        Ok(go)
    }

    fn line(&mut self, rel: Option<u64>, bytes: &[u8], is_match: bool) -> std::io::Result<bool> {
        let mut go = true;
        for (i, raw) in bytes.split_inclusive(|b| *b == b'\n').enumerate() {
            let number = self.base_lines + rel.unwrap_or(0) + i as u64;
            let line = Line {
                number,
                is_match,
                text: String::from_utf8_lossy(strip_eol(raw)).into_owned(),
            };
            if number <= self.last_complete {
                self.window.entry(number).or_insert(line);
                continue;
            }
            go &= self.flush()?;
            go &= self.out.emit(line)?;
        }
        if !go && self.out.tx.is_closed() {
            self.cancelled = true;
        }
        Ok(go)
    }
}

/// The cached lines still true after the log grew: the last incomplete line may have
/// been completed differently, so its line and the context only it justified are dropped
/// (the re-read window reports them again if they still apply).
fn kept_lines(e: &Entry, opts: &SearchOptions) -> Vec<Line> {
    let complete = e.complete_lines;
    let matches: Vec<u64> = e
        .lines
        .iter()
        .filter(|l| l.is_match && l.number <= complete)
        .map(|l| l.number)
        .collect();
    let justified = |n: u64| {
        let from = matches.partition_point(|m| *m + (opts.after as u64) < n);
        matches[from..]
            .iter()
            .take_while(|m| **m <= n + opts.before as u64)
            .any(|m| *m != n)
    };
    e.lines
        .iter()
        .filter(|l| l.number <= complete && (l.is_match || justified(l.number)))
        .cloned()
        .collect()
}

fn strip_eol(b: &[u8]) -> &[u8] {
    let b = b.strip_suffix(b"\n").unwrap_or(b);
    b.strip_suffix(b"\r").unwrap_or(b)
}

impl grep_searcher::Sink for Merge {
    type Error = std::io::Error;

    fn matched(&mut self, _s: &Searcher, m: &SinkMatch<'_>) -> Result<bool, std::io::Error> {
        self.line(m.line_number(), m.bytes(), true)
    }

    fn context(&mut self, _s: &Searcher, c: &SinkContext<'_>) -> Result<bool, std::io::Error> {
        if matches!(c.kind(), SinkContextKind::Other) {
            return Ok(true);
        }
        self.line(c.line_number(), c.bytes(), false)
    }

    fn binary_data(&mut self, _s: &Searcher, offset: u64) -> Result<bool, std::io::Error> {
        self.binary_at = Some(self.base_offset + offset);
        Ok(false)
    }

    fn finish(
        &mut self,
        _s: &Searcher,
        _f: &grep_searcher::SinkFinish,
    ) -> Result<(), std::io::Error> {
        self.flush().map(|_| ())
    }
}

/// Where settled lines go: through the `-m` limit to the caller, and all of them into
/// the cache entry being built (until it would be too large to keep).
struct Out {
    tx: mpsc::Sender<FileEvent>,
    limit: Limit,
    collected: Option<Vec<Line>>,
    collected_bytes: usize,
    matches: u64,
    stop_early: bool,
}

impl Out {
    fn emit(&mut self, line: Line) -> std::io::Result<bool> {
        if let Some(c) = &mut self.collected {
            self.collected_bytes += line.text.len() + 16;
            if self.collected_bytes > MAX_ENTRY_BYTES {
                self.collected = None;
            } else {
                c.push(line.clone());
            }
        }
        if let Some(l) = self.limit.admit(&line) {
            self.matches += l.is_match as u64;
            if self.tx.blocking_send(FileEvent::Line(l)).is_err() {
                return Ok(false);
            }
        }
        Ok(!(self.stop_early && self.limit.done()))
    }
}
