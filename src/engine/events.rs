//! Progress and problems, reported as values. The engine owns no UI: the CLI prints these
//! as lines, library users do what they like with them.

use crate::text::size::human_size;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// Something the engine did or ran into. `Display` gives one line for people.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// `prepare` (explicit or implicit) made the job's container.
    ContainerCreated { container: String },
    /// `prepare` found the container already there.
    ContainerExists { container: String },
    /// One file saved as a block blob.
    Saved {
        source: PathBuf,
        container: String,
        blob: String,
        bytes: u64,
    },
    /// One file could not be saved; the others go on.
    SaveFailed { source: PathBuf, error: String },
    /// Tracking resumed after a restart: the blob already holds the file's first `offset`
    /// bytes, after `after` bytes of earlier content (0 when the blob began with this file;
    /// more when an earlier file of that name was replaced, or the blob held other data).
    Resumed {
        source: PathBuf,
        blob: String,
        offset: u64,
        after: u64,
    },
    /// The blob holds bytes that are not the start of the file; the file's content goes after them.
    BlobHoldsOtherData {
        source: PathBuf,
        blob: String,
        blob_len: u64,
    },
    /// The tracked file got shorter (truncated or rewritten); its new content is appended after
    /// what was already saved.
    FileShrank {
        source: PathBuf,
        blob: String,
        was: u64,
        now: u64,
    },
    /// The tracked file was replaced by another file (or rewritten in place); its content is
    /// appended after what was already saved.
    FileReplaced { source: PathBuf, blob: String },
    /// The tracked file disappeared; tracking waits for it to come back.
    FileVanished { source: PathBuf },
    /// An append whose response was lost had in fact landed; it was recognised, not repeated.
    RecoveredAppend { blob: String, bytes: u64 },
    /// Someone else appended to the blob; our bytes continue after theirs.
    ForeignAppend { blob: String, bytes: u64 },
    /// A background flush failed; it is retried at the next tick.
    FlushFailed {
        source: PathBuf,
        blob: String,
        error: String,
    },
    /// A flush succeeded after earlier failures.
    FlushRecovered { source: PathBuf, blob: String },
    /// Tracking of one file stopped for good (e.g. the blob reached its block limit).
    TrackStopped {
        source: PathBuf,
        blob: String,
        error: String,
    },
    /// A process started by the wrapped command still holds its output open.
    OutputStillOpen { stream: &'static str },
    /// A signal was passed on to the wrapped command.
    SignalForwarded { signal: i32 },
    /// A note worth showing once (e.g. an interval that risks the block limit).
    Warning { message: String },
}

impl Event {
    /// Failures and surprises (shown even when progress is not).
    pub fn is_problem(&self) -> bool {
        matches!(
            self,
            Event::SaveFailed { .. }
                | Event::BlobHoldsOtherData { .. }
                | Event::FileShrank { .. }
                | Event::FileReplaced { .. }
                | Event::FileVanished { .. }
                | Event::ForeignAppend { .. }
                | Event::FlushFailed { .. }
                | Event::TrackStopped { .. }
                | Event::OutputStillOpen { .. }
                | Event::Warning { .. }
        )
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::ContainerCreated { container } => write!(f, "created container {container}"),
            Event::ContainerExists { container } => write!(f, "container {container} already exists"),
            Event::Saved { source, container, blob, bytes } => {
                write!(f, "saved {} -> {container}/{blob} ({})", source.display(), human_size(*bytes))
            }
            Event::SaveFailed { source, error } => write!(f, "cannot save {}: {error}", source.display()),
            Event::Resumed {
                source,
                blob,
                offset,
                after: 0,
            } => write!(
                f,
                "resuming {} -> {blob}: the blob already holds its first {offset} bytes",
                source.display()
            ),
            Event::Resumed {
                source,
                blob,
                offset,
                after,
            } => write!(
                f,
                "resuming {} -> {blob}: the blob already holds its first {offset} bytes, after {after} bytes saved before it",
                source.display()
            ),
            Event::BlobHoldsOtherData { source, blob, blob_len } => write!(
                f,
                "{blob} already holds {blob_len} bytes that are not the start of {}; appending the file after them",
                source.display()
            ),
            Event::FileShrank { source, blob, was, now } => write!(
                f,
                "{} shrank from {was} to {now} bytes; its new content is appended to {blob} after what was saved",
                source.display()
            ),
            Event::FileReplaced { source, blob } => write!(
                f,
                "{} was replaced or rewritten; its new content is appended to {blob} after what was saved",
                source.display()
            ),
            Event::FileVanished { source } => {
                write!(f, "{} disappeared; waiting for it to come back", source.display())
            }
            Event::RecoveredAppend { blob, bytes } => write!(
                f,
                "an append of {bytes} bytes to {blob} had landed although its response was lost; not repeated"
            ),
            Event::ForeignAppend { blob, bytes } => write!(
                f,
                "another writer appended {bytes} bytes to {blob}; continuing after them"
            ),
            Event::FlushFailed { source, blob, error } => write!(
                f,
                "flushing {} -> {blob} failed (retrying at the next tick): {error}",
                source.display()
            ),
            Event::FlushRecovered { source, blob } => {
                write!(f, "flushing {} -> {blob} works again", source.display())
            }
            Event::TrackStopped { source, blob, error } => {
                write!(f, "stopped tracking {} -> {blob}: {error}", source.display())
            }
            Event::OutputStillOpen { stream } => write!(
                f,
                "the command exited but a process it started still holds its {stream} open; stopped capturing it"
            ),
            Event::SignalForwarded { signal } => write!(f, "passed signal {signal} on to the command"),
            Event::Warning { message } => write!(f, "{message}"),
        }
    }
}

/// Where events go. Cheap to clone; `EventSink::none()` drops them.
#[derive(Clone, Default)]
pub struct EventSink(Option<Arc<dyn Fn(Event) + Send + Sync>>);

impl EventSink {
    pub fn new(f: impl Fn(Event) + Send + Sync + 'static) -> Self {
        EventSink(Some(Arc::new(f)))
    }
    pub fn none() -> Self {
        EventSink(None)
    }
    pub fn emit(&self, event: Event) {
        if let Some(f) = &self.0 {
            f(event);
        }
    }
}

impl fmt::Debug for EventSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "EventSink(..)"
        } else {
            "EventSink(none)"
        })
    }
}
