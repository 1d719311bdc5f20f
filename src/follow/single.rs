//! Following one growing log blob with ranged reads.
//!
//! - Opens at the end: one ranged read of the last `tail_bytes`, aligned to a line start;
//!   older parts are read on demand ([`LogFollower::load_older`]).
//! - Each poll reads only what is new: a ranged read from the known length, starting
//!   `verify_bytes` early. Those few bytes are compared with the bytes already seen, which
//!   tells an append (they match) from a blob that was rewritten with other content. A
//!   shorter blob, a different blob type or a mismatch is a replacement: the follower says
//!   so ([`Notice`]) and reloads the new blob's tail (all of it when it is small, so nothing
//!   written after the replacement is missed).
//! - One request per poll, whatever happens; memory is bounded by `max_read` per poll and
//!   `max_piece` per unfinished line.
//!
//! No timers here: the caller decides when to poll ([`super::poll::PollPolicy`]).

use super::lines::{LinePiece, LineSplitter, DEFAULT_MAX_PIECE};
use crate::store::{BlobType, ByteRange, Store, StoreError, StoreResult};
use std::sync::Arc;

/// Sizes that trade requests against bytes; the defaults suit interactive use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FollowConfig {
    /// How much of the end of a log to read when opening it.
    pub tail_bytes: u64,
    /// How much older log to read per [`LogFollower::load_older`].
    pub older_chunk: u64,
    /// Most bytes read per poll (a log that grew more is caught up over several polls).
    pub max_read: u64,
    /// Longest line piece (longer lines are cut, see [`LineSplitter`]).
    pub max_piece: usize,
    /// Bytes re-read before the known end to tell an append from a rewrite.
    pub verify_bytes: u64,
    /// What to show after the blob was replaced.
    pub reload: Start,
    /// Most bytes [`Start::Lines`] reads backwards looking for enough lines (bounds memory
    /// for a log that is one huge line).
    pub max_backfill: u64,
}

impl Default for FollowConfig {
    fn default() -> Self {
        FollowConfig {
            tail_bytes: 64 * 1024,
            older_chunk: 256 * 1024,
            max_read: 4 * 1024 * 1024,
            max_piece: DEFAULT_MAX_PIECE,
            verify_bytes: 8,
            reload: Start::Window,
            max_backfill: 16 * 1024 * 1024,
        }
    }
}

/// Where to start showing a log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// The last `tail_bytes` of the log, from the first line start in them.
    Window,
    /// The last N lines (reading older parts until there are enough).
    Lines(usize),
    /// The whole log (read over several polls, `max_read` at a time).
    Beginning,
    /// Only what is written from now on.
    Now,
}

/// Something the user should be told about the followed blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// The blob does not exist (yet); the follower keeps waiting for it.
    Waiting,
    /// The blob now exists.
    Appeared,
    /// The blob was deleted while followed; the follower waits for it to come back.
    Vanished,
    /// The blob got shorter: it was truncated or replaced; reloaded.
    Shrunk { from: u64, to: u64 },
    /// Bytes already shown changed: the blob was replaced; reloaded.
    Replaced,
    /// The blob type changed (e.g. an append blob overwritten by a block blob); reloaded.
    TypeChanged { from: BlobType, to: BlobType },
}

impl Notice {
    /// The lines shown so far no longer belong to this blob (a view should clear them).
    pub fn is_reload(&self) -> bool {
        matches!(
            self,
            Notice::Shrunk { .. } | Notice::Replaced | Notice::TypeChanged { .. }
        )
    }

    /// One line for the user, naming the log.
    pub fn describe(&self, name: &str) -> String {
        match self {
            Notice::Waiting => format!("{name} does not exist yet; waiting for it"),
            Notice::Appeared => format!("{name} appeared"),
            Notice::Vanished => format!("{name} was deleted; waiting for it to come back"),
            Notice::Shrunk { from, to } => {
                format!("{name} shrank from {from} to {to} bytes (truncated or replaced); reloaded")
            }
            Notice::Replaced => format!("{name} was replaced; reloaded"),
            Notice::TypeChanged { from, to } => format!(
                "{name} was replaced (a {} blob became a {} blob); reloaded",
                from.as_str(),
                to.as_str()
            ),
        }
    }
}

/// What a poll (or an open) produced, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowEvent {
    Piece(LinePiece),
    Notice(Notice),
}

/// The result of one open or poll.
#[derive(Debug, Default)]
pub struct Polled {
    pub events: Vec<FollowEvent>,
    /// New bytes arrived (the caller polls fast again).
    pub grew: bool,
    /// More bytes are known to be waiting (poll again right away).
    pub more: bool,
}

impl Polled {
    pub fn pieces(&self) -> impl Iterator<Item = &LinePiece> {
        self.events.iter().filter_map(|e| match e {
            FollowEvent::Piece(p) => Some(p),
            FollowEvent::Notice(_) => None,
        })
    }
}

/// What the follower knows about the blob's current generation.
#[derive(Debug, Clone)]
struct Known {
    /// Bytes consumed, from byte 0 of the blob.
    len: u64,
    etag: String,
    blob_type: BlobType,
    /// The last up to `verify_bytes` bytes consumed (ending at `len`).
    last: Vec<u8>,
}

#[derive(Debug, Clone)]
enum State {
    /// Not opened yet.
    Closed,
    /// The blob does not exist; `had` is what it was, if it existed before.
    Missing {
        had: bool,
    },
    Live(Known),
}

/// Follows one log blob. Cheap to create; every method does at most one request,
/// except `open` with [`Start::Lines`] (which may read older parts until it has the lines).
#[derive(Debug)]
pub struct LogFollower {
    store: Arc<dyn Store>,
    container: String,
    blob: String,
    cfg: FollowConfig,
    state: State,
    splitter: LineSplitter,
    /// Offset of the oldest byte shown (0: the whole log is loaded).
    older_start: u64,
}

impl LogFollower {
    pub fn new(store: Arc<dyn Store>, container: &str, blob: &str, cfg: FollowConfig) -> Self {
        LogFollower {
            store,
            container: container.to_string(),
            blob: blob.to_string(),
            splitter: LineSplitter::new(cfg.max_piece),
            cfg,
            state: State::Closed,
            older_start: 0,
        }
    }

    pub fn container(&self) -> &str {
        &self.container
    }
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }
    pub fn blob(&self) -> &str {
        &self.blob
    }
    pub fn config(&self) -> &FollowConfig {
        &self.cfg
    }
    /// Bytes of the blob consumed so far (the next read starts here).
    pub fn known_len(&self) -> Option<u64> {
        match &self.state {
            State::Live(k) => Some(k.len),
            _ => None,
        }
    }
    /// The etag seen by the last read (None while the blob is missing).
    pub fn etag(&self) -> Option<&str> {
        match &self.state {
            State::Live(k) => Some(&k.etag),
            _ => None,
        }
    }
    /// Whether older parts of the log can still be loaded.
    pub fn has_older(&self) -> bool {
        matches!(self.state, State::Live(_)) && self.older_start > 0
    }
    pub fn is_open(&self) -> bool {
        !matches!(self.state, State::Closed)
    }

    /// Show an unfinished last line now (no request): for a caller that learned from a
    /// listing that the log did not grow.
    pub fn flush_partial(&mut self) -> Option<LinePiece> {
        match self.state {
            State::Live(_) => self.splitter.flush_partial(),
            _ => None,
        }
    }

    /// Open the log at `start`. A missing blob is not an error: the follower reports
    /// [`Notice::Waiting`] and picks it up once it exists.
    pub async fn open(&mut self, start: Start) -> StoreResult<Polled> {
        match self.store.blob_info(&self.container, &self.blob).await {
            Ok(info) => self.open_at(info.len, start).await,
            Err(e) if e.is_not_found() => {
                self.state = State::Missing { had: false };
                Ok(Polled {
                    events: vec![FollowEvent::Notice(Notice::Waiting)],
                    ..Default::default()
                })
            }
            Err(e) => Err(e),
        }
    }

    /// Open the log at `start`, knowing its length already (e.g. from a listing), which
    /// saves the properties request.
    pub async fn open_at(&mut self, len: u64, start: Start) -> StoreResult<Polled> {
        let mut out = Polled::default();
        self.load_generation(len, start, &mut out).await?;
        Ok(out)
    }

    /// Read what is new since the last poll (one request).
    pub async fn poll(&mut self) -> StoreResult<Polled> {
        let mut out = Polled::default();
        match self.state.clone() {
            State::Closed => {
                self.load_generation_from_info(Start::Beginning, &mut out)
                    .await?;
            }
            State::Missing { had } => match self.store.blob_info(&self.container, &self.blob).await
            {
                Ok(info) => {
                    let (notice, start) = if had {
                        (Notice::Replaced, self.cfg.reload)
                    } else {
                        (Notice::Appeared, Start::Beginning)
                    };
                    out.events.push(FollowEvent::Notice(notice));
                    self.load_generation(info.len, start, &mut out).await?;
                }
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(e),
            },
            State::Live(k) => self.poll_live(k, &mut out).await?,
        }
        Ok(out)
    }

    async fn poll_live(&mut self, k: Known, out: &mut Polled) -> StoreResult<()> {
        let overlap = k.last.len() as u64;
        let from = k.len - overlap;
        let range = ByteRange::new(from, overlap + self.cfg.max_read);
        let r = match self
            .store
            .read_range(&self.container, &self.blob, range, None)
            .await
        {
            Ok(r) => r,
            Err(StoreError::InvalidRange { len, .. }) => {
                return self
                    .reload(
                        Notice::Shrunk {
                            from: k.len,
                            to: len,
                        },
                        len,
                        out,
                    )
                    .await;
            }
            Err(e) if e.is_not_found() => {
                self.finish_generation(out);
                out.events.push(FollowEvent::Notice(Notice::Vanished));
                self.state = State::Missing { had: true };
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        if r.blob_type != k.blob_type {
            let notice = Notice::TypeChanged {
                from: k.blob_type,
                to: r.blob_type,
            };
            return self.reload(notice, r.total_len, out).await;
        }
        if r.total_len < k.len {
            return self
                .reload(
                    Notice::Shrunk {
                        from: k.len,
                        to: r.total_len,
                    },
                    r.total_len,
                    out,
                )
                .await;
        }
        let ov = overlap as usize;
        if r.start != from || r.data.len() < ov || r.data[..ov] != k.last[..] {
            return self.reload(Notice::Replaced, r.total_len, out).await;
        }
        let new = &r.data[ov..];
        let mut pieces = Vec::new();
        self.splitter.push(new, &mut pieces);
        let len = k.len + new.len() as u64;
        out.grew = !new.is_empty();
        out.more = len < r.total_len;
        if !out.grew && !out.more {
            // The log paused mid-line: show what there is; the rest continues this piece.
            pieces.extend(self.splitter.flush_partial());
        }
        out.events
            .extend(pieces.into_iter().map(FollowEvent::Piece));
        let last = tail_of(&k.last, new, self.cfg.verify_bytes as usize);
        self.state = State::Live(Known {
            len,
            etag: r.etag,
            blob_type: r.blob_type,
            last,
        });
        Ok(())
    }

    /// The blob changed under us: close this generation, say so, load the new one.
    async fn reload(&mut self, notice: Notice, new_len: u64, out: &mut Polled) -> StoreResult<()> {
        self.finish_generation(out);
        out.events.push(FollowEvent::Notice(notice));
        out.grew = true;
        self.load_generation(new_len, self.cfg.reload, out).await
    }

    /// Emit the unfinished line of the generation that ends now.
    fn finish_generation(&mut self, out: &mut Polled) {
        if let Some(p) = self.splitter.finish() {
            out.events.push(FollowEvent::Piece(p));
        }
    }

    async fn load_generation_from_info(
        &mut self,
        start: Start,
        out: &mut Polled,
    ) -> StoreResult<()> {
        match self.store.blob_info(&self.container, &self.blob).await {
            Ok(info) => self.load_generation(info.len, start, out).await,
            Err(e) if e.is_not_found() => {
                self.state = State::Missing { had: false };
                out.events.push(FollowEvent::Notice(Notice::Waiting));
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// Read a blob of (about) `len` bytes from where `start` says, and make it current.
    async fn load_generation(
        &mut self,
        len: u64,
        start: Start,
        out: &mut Polled,
    ) -> StoreResult<()> {
        self.splitter = LineSplitter::new(self.cfg.max_piece);
        let verify = self.cfg.verify_bytes;
        let from = match start {
            Start::Window | Start::Lines(_) => len.saturating_sub(self.cfg.tail_bytes),
            Start::Beginning => 0,
            Start::Now => len.saturating_sub(verify),
        };
        // At most `max_read` (the rest follows over the next polls); one byte at least, so
        // the read also tells an empty blob's etag and type.
        let want = (len - from).clamp(1, self.cfg.max_read.max(1));
        let range = ByteRange::new(from, want);
        let r = match self
            .store
            .read_range(&self.container, &self.blob, range, None)
            .await
        {
            Ok(r) => r,
            // It shrank or vanished between the length and the read: start over once.
            Err(StoreError::InvalidRange { len: now, .. }) if now < len => {
                return Box::pin(self.load_generation(now, start, out)).await;
            }
            Err(e) if e.is_not_found() => {
                self.state = State::Missing { had: true };
                out.events.push(FollowEvent::Notice(Notice::Vanished));
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        let data = &r.data[..];
        let consumed = from + data.len() as u64;
        let mut pieces = Vec::new();
        let mut shown_from = from;
        match start {
            Start::Now => shown_from = consumed,
            _ => {
                // Begin at a line start, unless the window holds no line start at all
                // (one huge line): then show the fragment rather than nothing.
                let skip = if from > 0 { line_start(data) } else { 0 };
                shown_from += skip as u64;
                self.splitter.push(&data[skip..], &mut pieces);
            }
        }
        self.older_start = shown_from;
        out.more = consumed < r.total_len;
        out.grew |= !data.is_empty() && start != Start::Now;
        let last = tail_of(&[], data, verify as usize);
        self.state = State::Live(Known {
            len: consumed,
            etag: r.etag,
            blob_type: r.blob_type,
            last,
        });
        if !out.more {
            pieces.extend(self.splitter.flush_partial());
        }
        if let Start::Lines(n) = start {
            let floor = consumed.saturating_sub(self.cfg.max_backfill);
            while count_lines(&pieces) < n && self.older_start > floor {
                let mut older = self.load_older().await?;
                older.append(&mut pieces);
                pieces = older;
            }
            trim_to_last_lines(&mut pieces, n);
        }
        out.events
            .extend(pieces.into_iter().map(FollowEvent::Piece));
        Ok(())
    }

    /// The part of the log just before what is shown (up to `older_chunk` bytes, from a line
    /// start), to be put in front of it. Empty when the whole log is shown.
    pub async fn load_older(&mut self) -> StoreResult<Vec<LinePiece>> {
        if self.older_start == 0 || !matches!(self.state, State::Live(_)) {
            return Ok(Vec::new());
        }
        let (pieces, start) = read_older(
            &*self.store,
            &self.container,
            &self.blob,
            self.older_start,
            &self.cfg,
        )
        .await?;
        self.older_start = start;
        Ok(pieces)
    }

    /// Offset of the oldest byte shown (0: the log is shown from its start).
    pub fn older_start(&self) -> u64 {
        self.older_start
    }
}

/// The lines of `blob` just before byte `end` (a line start): up to `cfg.older_chunk` bytes,
/// from the first line start in them. Returns the pieces and the offset they start at. A
/// view that keeps only that offset can page backwards without a follower.
pub async fn read_older(
    store: &dyn Store,
    container: &str,
    blob: &str,
    end: u64,
    cfg: &FollowConfig,
) -> StoreResult<(Vec<LinePiece>, u64)> {
    if end == 0 {
        return Ok((Vec::new(), 0));
    }
    let from = end.saturating_sub(cfg.older_chunk.max(1));
    let r = store
        .read_range(container, blob, ByteRange::new(from, end - from), None)
        .await?;
    let data = &r.data[..r.data.len().min((end - from) as usize)];
    let skip = if from > 0 { line_start(data) } else { 0 };
    let mut splitter = LineSplitter::new(cfg.max_piece);
    let mut pieces = Vec::new();
    splitter.push(&data[skip..], &mut pieces);
    // `end` is a line start unless the shown part began inside one huge line.
    pieces.extend(splitter.finish());
    Ok((pieces, from + skip as u64))
}

/// Where the first whole line of a window that starts mid-blob begins: after its first
/// newline; without one (a single huge line), at its first character boundary.
fn line_start(data: &[u8]) -> usize {
    match data.iter().position(|&b| b == b'\n') {
        Some(i) => i + 1,
        None => data
            .iter()
            .take(3)
            .take_while(|&&b| b & 0xC0 == 0x80)
            .count(),
    }
}

/// The last `n` bytes of `old ++ new`.
fn tail_of(old: &[u8], new: &[u8], n: usize) -> Vec<u8> {
    if new.len() >= n {
        return new[new.len() - n..].to_vec();
    }
    let keep_old = (n - new.len()).min(old.len());
    let mut v = old[old.len() - keep_old..].to_vec();
    v.extend_from_slice(new);
    v
}

/// Lines among `pieces`, an unfinished last line included (as `tail -n` counts).
pub fn count_lines(pieces: &[LinePiece]) -> usize {
    let unfinished = pieces.last().is_some_and(|p| !p.ends_line);
    pieces.iter().filter(|p| p.ends_line).count() + unfinished as usize
}

/// Keep the last `n` lines (an unfinished last line counts as one).
pub fn trim_to_last_lines(pieces: &mut Vec<LinePiece>, n: usize) {
    if n == 0 {
        pieces.clear();
        return;
    }
    let mut seen = pieces.last().is_some_and(|p| !p.ends_line) as usize;
    for i in (0..pieces.len()).rev() {
        if pieces[i].ends_line {
            seen += 1;
            if seen > n {
                pieces.drain(..=i);
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trim_keeps_last_lines_and_partial_tail() {
        let mut v = vec![
            LinePiece::line("a"),
            LinePiece::partial("b1"),
            LinePiece::line("b2"),
            LinePiece::line("c"),
            LinePiece::partial("d"),
        ];
        trim_to_last_lines(&mut v, 3);
        assert_eq!(
            v,
            vec![
                LinePiece::partial("b1"),
                LinePiece::line("b2"),
                LinePiece::line("c"),
                LinePiece::partial("d")
            ]
        );
        trim_to_last_lines(&mut v, 1);
        assert_eq!(v, vec![LinePiece::partial("d")]);
        let mut v = vec![LinePiece::line("a"), LinePiece::line("b")];
        trim_to_last_lines(&mut v, 1);
        assert_eq!(v, vec![LinePiece::line("b")]);
        trim_to_last_lines(&mut v, 0);
        assert!(v.is_empty());
    }

    #[test]
    fn tail_of_combines_old_and_new() {
        assert_eq!(tail_of(b"abcdef", b"gh", 4), b"efgh");
        assert_eq!(tail_of(b"ab", b"c", 8), b"abc");
        assert_eq!(tail_of(b"ab", b"0123456789", 4), b"6789");
    }
}
