//! The reading side of one file's search: ranged reads streamed into a bounded channel
//! that the (blocking) searcher reads as a `std::io::Read`, so memory stays a few chunks
//! per file whatever its size. On the way it notes where lines end (for the cache's
//! resume point), keeps the last bytes (for the cache's check) and, when resuming,
//! checks that the bytes searched before are still there before any new byte is passed on.

use super::cache::{tail_hash, Entry, CHECK_BYTES};
use crate::store::{Store, StoreError};
use bytes::Bytes;
use std::collections::VecDeque;
use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::mpsc;

/// Chunks queued between reading and searching, per file (a chunk is at most 1 MiB from
/// the local store, tens of KiB from Azure): with the chunk being searched, what a file
/// holds in memory besides the searcher's line buffer.
const QUEUE: usize = 2;

/// Where to read and what to check.
#[derive(Debug, Clone)]
pub struct FeedPlan {
    /// Read `[read_from, len)`; pass `[feed_from, len)` to the searcher.
    pub read_from: u64,
    pub feed_from: u64,
    /// Lines before `feed_from`.
    pub feed_lines: u64,
    pub len: u64,
    /// Pin the reads to this etag (block blobs: their bytes can be replaced).
    pub if_match: Option<String>,
    /// Resuming: bytes `[check_from, check_end)` must hash to `check_sha256`.
    pub check: Option<(u64, u64, String)>,
    /// Complete lines to re-read next time (the search's context window).
    pub window: usize,
}

impl FeedPlan {
    /// Search a whole blob of `len` bytes.
    pub fn full(len: u64, if_match: Option<String>, window: usize) -> FeedPlan {
        FeedPlan {
            read_from: 0,
            feed_from: 0,
            feed_lines: 0,
            len,
            if_match,
            check: None,
            window,
        }
    }

    /// Search what an append blob gained since `prior`, from its window of lines.
    pub fn resume(prior: &Entry, len: u64, window: usize) -> FeedPlan {
        let check_from = prior.len - prior.len.min(CHECK_BYTES);
        FeedPlan {
            read_from: check_from.min(prior.window_start),
            feed_from: prior.window_start,
            feed_lines: prior.window_lines,
            len,
            if_match: None,
            check: Some((check_from, prior.len, prior.tail_sha256.clone())),
            window,
        }
    }
}

/// Where the lines of what was fed end, for the next resume.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scan {
    pub complete_end: u64,
    pub complete_lines: u64,
    pub window_start: u64,
    pub window_lines: u64,
    pub tail_sha256: String,
}

/// How reading ended.
#[derive(Debug)]
pub enum FeedEnd {
    /// Every byte was passed on.
    Done(Scan),
    /// The searcher stopped reading (enough found, binary, or cancelled).
    Stopped,
    /// Resuming: the bytes searched before are not there any more (a replaced blob).
    Replaced,
    Failed(StoreError),
}

/// The message a reader error carries when the blob was replaced.
pub const REPLACED: &str = "the blob was replaced";

/// Read the plan's bytes and send them to `tx`, counting bytes fetched.
pub async fn feed(
    store: Arc<dyn Store>,
    container: String,
    blob: String,
    plan: FeedPlan,
    range: u64,
    tx: mpsc::Sender<std::io::Result<Bytes>>,
    fetched: Arc<AtomicU64>,
) -> FeedEnd {
    let mut st = State::new(&plan);
    let mut pos = plan.read_from;
    while pos < plan.len {
        let want = range.min(plan.len - pos);
        let range_end = pos + want;
        let rs = match store
            .read_range_stream(
                &container,
                &blob,
                pos,
                want,
                plan.if_match.as_deref(),
                false,
            )
            .await
        {
            Ok(rs) => rs,
            Err(e) => return fail(&tx, e).await,
        };
        let mut body = rs.body;
        use futures::StreamExt;
        while let Some(chunk) = body.next().await {
            let chunk = match chunk {
                Ok(c) => c,
                Err(e) => return fail(&tx, e).await,
            };
            fetched.fetch_add(chunk.len() as u64, Ordering::Relaxed);
            let mut chunk = chunk.slice(..chunk.len().min((range_end - pos) as usize));
            // Split at the check's end, so the check happens before any later byte moves on.
            while !chunk.is_empty() {
                let cut = match &plan.check {
                    Some((_, end, _)) if pos < *end => chunk.len().min((end - pos) as usize),
                    _ => chunk.len(),
                };
                let part = chunk.split_to(cut);
                match st.take(pos, &part, &plan) {
                    Ok(Some(send)) => {
                        if tx.send(Ok(send)).await.is_err() {
                            return FeedEnd::Stopped;
                        }
                    }
                    Ok(None) => {}
                    Err(()) => {
                        let _ = tx.send(Err(std::io::Error::other(REPLACED))).await;
                        return FeedEnd::Replaced;
                    }
                }
                pos += part.len() as u64;
            }
        }
        if pos < range_end {
            return fail(
                &tx,
                StoreError::Corrupt(format!("{blob} ended at byte {pos}, expected {}", plan.len)),
            )
            .await;
        }
    }
    FeedEnd::Done(st.finish(&plan))
}

async fn fail(tx: &mpsc::Sender<std::io::Result<Bytes>>, e: StoreError) -> FeedEnd {
    let _ = tx.send(Err(std::io::Error::other(e.to_string()))).await;
    FeedEnd::Failed(e)
}

/// What the reading side remembers about the bytes that went by.
struct State {
    check: Option<sha2::Sha256>,
    /// Offsets of the last `window + 1` line terminators fed.
    ends: VecDeque<u64>,
    lines: u64,
    tail: Vec<u8>,
}

impl State {
    fn new(plan: &FeedPlan) -> State {
        use sha2::Digest;
        State {
            check: plan.check.as_ref().map(|_| sha2::Sha256::new()),
            ends: VecDeque::with_capacity(plan.window + 1),
            lines: plan.feed_lines,
            tail: Vec::with_capacity(CHECK_BYTES as usize),
        }
    }

    /// Note `part` (at `pos`, never straddling the check's end); returns what to pass on,
    /// or Err when the check failed.
    fn take(&mut self, pos: u64, part: &Bytes, plan: &FeedPlan) -> Result<Option<Bytes>, ()> {
        use sha2::Digest;
        let end = pos + part.len() as u64;
        if let (Some(h), Some((from, to, want))) = (&mut self.check, &plan.check) {
            let (a, b) = (pos.max(*from), end.min(*to));
            if a < b {
                h.update(&part[(a - pos) as usize..(b - pos) as usize]);
            }
            if end == *to {
                let got = hex::encode(std::mem::take(h).finalize());
                self.check = None;
                if &got != want {
                    return Err(());
                }
            }
        }
        // The last CHECK_BYTES bytes of the blob, for the next check.
        let keep = CHECK_BYTES as usize;
        if part.len() >= keep {
            self.tail.clear();
            self.tail.extend_from_slice(&part[part.len() - keep..]);
        } else {
            self.tail.extend_from_slice(part);
            if self.tail.len() > keep {
                self.tail.drain(..self.tail.len() - keep);
            }
        }
        if end <= plan.feed_from {
            return Ok(None);
        }
        let fed = part.slice((plan.feed_from.saturating_sub(pos)) as usize..);
        let base = end - fed.len() as u64;
        for i in memchr::memchr_iter(b'\n', &fed) {
            self.lines += 1;
            if self.ends.len() == plan.window + 1 {
                self.ends.pop_front();
            }
            self.ends.push_back(base + i as u64);
        }
        Ok(Some(fed))
    }

    fn finish(self, plan: &FeedPlan) -> Scan {
        let (complete_end, window_start, window_lines) = match (self.ends.back(), self.ends.front())
        {
            (Some(last), Some(first)) if self.ends.len() == plan.window + 1 => {
                (last + 1, first + 1, self.lines - plan.window as u64)
            }
            (Some(last), _) => (last + 1, plan.feed_from, plan.feed_lines),
            _ => (plan.feed_from, plan.feed_from, plan.feed_lines),
        };
        Scan {
            complete_end,
            complete_lines: self.lines,
            window_start,
            window_lines,
            tail_sha256: tail_hash(&self.tail),
        }
    }
}

/// The searcher's side of the channel. CRLF line ends are passed on as LF, so that CRLF
/// and LF logs search alike (`$` matches before either) and no `\r` reaches the text.
pub struct ChannelReader {
    rx: mpsc::Receiver<std::io::Result<Bytes>>,
    cur: Bytes,
    /// A `\r` ended the last chunk: dropped if the next byte is `\n`.
    held_cr: bool,
}

impl ChannelReader {
    pub fn new(rx: mpsc::Receiver<std::io::Result<Bytes>>) -> ChannelReader {
        ChannelReader {
            rx,
            cur: Bytes::new(),
            held_cr: false,
        }
    }

    /// Copy from `cur` into `buf`, turning `\r\n` into `\n`; returns bytes written.
    fn copy(&mut self, buf: &mut [u8]) -> usize {
        use bytes::Buf;
        let mut n = 0;
        if self.held_cr {
            self.held_cr = false;
            if self.cur[0] != b'\n' {
                buf[0] = b'\r';
                n = 1;
            }
        }
        while n < buf.len() && !self.cur.is_empty() {
            let lim = (buf.len() - n).min(self.cur.len());
            match memchr::memchr(b'\r', &self.cur[..lim]) {
                None => {
                    buf[n..n + lim].copy_from_slice(&self.cur[..lim]);
                    n += lim;
                    self.cur.advance(lim);
                }
                Some(i) => {
                    buf[n..n + i].copy_from_slice(&self.cur[..i]);
                    n += i;
                    match self.cur.get(i + 1) {
                        Some(b'\n') => {}
                        Some(_) => {
                            buf[n] = b'\r';
                            n += 1;
                        }
                        None => self.held_cr = true,
                    }
                    self.cur.advance(i + 1);
                }
            }
        }
        n
    }
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            while self.cur.is_empty() {
                match self.rx.blocking_recv() {
                    Some(Ok(b)) => self.cur = b,
                    Some(Err(e)) => return Err(e),
                    None if self.held_cr => {
                        self.held_cr = false;
                        buf[0] = b'\r';
                        return Ok(1);
                    }
                    None => return Ok(0),
                }
            }
            let n = self.copy(buf);
            if n > 0 {
                return Ok(n);
            }
        }
    }
}

/// A channel pair for [`feed`] and [`ChannelReader`].
pub fn channel() -> (
    mpsc::Sender<std::io::Result<Bytes>>,
    mpsc::Receiver<std::io::Result<Bytes>>,
) {
    mpsc::channel(QUEUE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(plan: &FeedPlan, data: &[u8], step: usize) -> (Vec<u8>, Result<Scan, ()>) {
        let mut st = State::new(plan);
        let mut out = Vec::new();
        let mut pos = plan.read_from;
        let bytes = Bytes::copy_from_slice(data);
        while pos < plan.len {
            let mut chunk = bytes.slice(pos as usize..(pos as usize + step).min(data.len()));
            while !chunk.is_empty() {
                let cut = match &plan.check {
                    Some((_, end, _)) if pos < *end => chunk.len().min((end - pos) as usize),
                    _ => chunk.len(),
                };
                let part = chunk.split_to(cut);
                match st.take(pos, &part, plan) {
                    Ok(Some(b)) => out.extend_from_slice(&b),
                    Ok(None) => {}
                    Err(()) => return (out, Err(())),
                }
                pos += part.len() as u64;
            }
        }
        (out, Ok(st.finish(plan)))
    }

    #[test]
    fn scan_finds_the_window_and_the_last_complete_line() {
        let data = b"l1\nl2\nl3\nl4\npart";
        for step in [1, 3, 100] {
            let (fed, scan) = run(&FeedPlan::full(data.len() as u64, None, 2), data, step);
            let scan = scan.unwrap();
            assert_eq!(fed, data);
            assert_eq!(scan.complete_end, 12);
            assert_eq!(scan.complete_lines, 4);
            assert_eq!((scan.window_start, scan.window_lines), (6, 2));
            assert_eq!(scan.tail_sha256, tail_hash(data));
        }
        // Fewer lines than the window: it starts where feeding started.
        let (_, scan) = run(&FeedPlan::full(5, None, 3), b"a\nbcd", 2);
        let scan = scan.unwrap();
        assert_eq!(
            (scan.complete_end, scan.window_start, scan.window_lines),
            (2, 0, 0)
        );
    }

    #[test]
    fn crlf_reaches_the_searcher_as_lf_across_chunks() {
        for step in [1, 2, 3, 64] {
            let data = b"a\r\nb\rc\r\n\r\r\nend\r";
            let (tx, rx) = mpsc::channel(64);
            for c in data.chunks(step) {
                tx.try_send(Ok(Bytes::copy_from_slice(c))).unwrap();
            }
            drop(tx);
            let mut out = Vec::new();
            let mut r = ChannelReader::new(rx);
            let mut buf = [0u8; 2];
            loop {
                let n = r.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                out.extend_from_slice(&buf[..n]);
            }
            assert_eq!(out, b"a\nb\rc\n\r\nend\r", "step {step}");
        }
    }

    #[test]
    fn resume_checks_old_bytes_and_feeds_from_the_window() {
        let old = b"l1\nl2\nl3\npa";
        let (_, scan) = run(&FeedPlan::full(old.len() as u64, None, 1), old, 4);
        let scan = scan.unwrap();
        let mut prior = Entry::new("e".into(), true);
        prior.len = old.len() as u64;
        prior.complete_end = scan.complete_end;
        prior.complete_lines = scan.complete_lines;
        prior.window_start = scan.window_start;
        prior.window_lines = scan.window_lines;
        prior.tail_sha256 = scan.tail_sha256;
        let grown = b"l1\nl2\nl3\npart\nl5\n";
        let plan = FeedPlan::resume(&prior, grown.len() as u64, 1);
        let (fed, scan) = run(&plan, grown, 3);
        assert_eq!(fed, b"l3\npart\nl5\n");
        let scan = scan.unwrap();
        assert_eq!((scan.complete_end, scan.complete_lines), (17, 5));
        assert_eq!((scan.window_start, scan.window_lines), (14, 4));
        let replaced = b"l1\nl2\nl3\nXXrt\nl5\n";
        assert!(run(&plan, replaced, 3).1.is_err());
    }
}
