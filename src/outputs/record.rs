//! The task record: what `batchout run` knows about a task's lifecycle, kept as metadata on
//! the task's `TASK/$TaskLog/stdout.txt` blob, so that one flat listing of the container
//! with metadata reads every task's record (no extra files for the portal to show, no
//! request per task). The format is documented in docs/status.md for other writers.
//!
//! Names (all lower-case, values printable ASCII):
//! - `batchoutrecord`: the format version, `1`.
//! - `batchoutattempt`: 1 for the first run, one more for each retry (a Batch retry
//!   appends to the same logs, so the record shows the latest attempt and how many).
//! - `batchoutstart`, `batchoutend`: RFC 3339 UTC times; no end while the command runs.
//! - `batchoutbeat`: RFC 3339 UTC time of the writer's latest heartbeat (while running).
//! - `batchoutexit`: the exit code as a shell reports it (128 + N when signal N killed it).
//! - `batchoutsignal`: the signal number, when a signal killed the command.
//! - `batchoutnode`, `batchoutpool`: `AZ_BATCH_NODE_ID`, `AZ_BATCH_POOL_ID` when set.
//! - `batchoutwriter`: who wrote the record, e.g. `batchout 0.1.0`.
//!
//! A writer refreshes `batchoutbeat` every minute while the command runs, so a record
//! without an end whose beat is old tells of a writer that died (`lost`), however quiet or
//! busy the command's output was. Start, beat and end come from the writer's clock.

use crate::conventions::{blob_name, Scope};
use std::collections::BTreeMap;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The log file whose blob carries the record.
pub const RECORD_KIND: &str = "TaskLog";
pub const RECORD_FILE: &str = "stdout.txt";

const VERSION: &str = "batchoutrecord";
const ATTEMPT: &str = "batchoutattempt";
const START: &str = "batchoutstart";
const END: &str = "batchoutend";
const BEAT: &str = "batchoutbeat";
const EXIT: &str = "batchoutexit";
const SIGNAL: &str = "batchoutsignal";
const NODE: &str = "batchoutnode";
const POOL: &str = "batchoutpool";
const WRITER: &str = "batchoutwriter";
const NAMES: [&str; 9] = [
    VERSION, ATTEMPT, START, END, EXIT, SIGNAL, NODE, POOL, WRITER,
];

/// One task's lifecycle as its writer recorded it (the latest attempt).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRecord {
    pub attempt: u32,
    pub started: OffsetDateTime,
    pub ended: Option<OffsetDateTime>,
    /// The latest heartbeat of a running writer.
    pub beat: Option<OffsetDateTime>,
    /// The exit code as a shell reports it (128 + N for signal N).
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    pub node: Option<String>,
    pub pool: Option<String>,
    pub writer: String,
}

impl TaskRecord {
    /// When the writer was last known alive: its latest beat, else its start.
    pub fn alive_at(&self) -> OffsetDateTime {
        self.beat.map_or(self.started, |b| b.max(self.started))
    }

    /// A record of attempt `attempt` starting now on this node (from the Batch
    /// environment variables).
    pub fn start(attempt: u32, now: OffsetDateTime) -> TaskRecord {
        let env = |name: &str| {
            std::env::var(name)
                .ok()
                .map(|v| printable(&v))
                .filter(|v| !v.is_empty())
        };
        TaskRecord {
            attempt,
            started: now,
            ended: None,
            beat: None,
            exit_code: None,
            signal: None,
            node: env("AZ_BATCH_NODE_ID"),
            pool: env("AZ_BATCH_POOL_ID"),
            writer: format!("batchout {}", env!("CARGO_PKG_VERSION")),
        }
    }

    /// Read a record from a blob's metadata; None when it holds none (or one this version
    /// cannot read: a newer format, a missing or unreadable start time).
    pub fn from_metadata(metadata: &BTreeMap<String, String>) -> Option<TaskRecord> {
        if metadata.get(VERSION).map(String::as_str) != Some("1") {
            return None;
        }
        let time = |k: &str| {
            metadata
                .get(k)
                .and_then(|v| OffsetDateTime::parse(v, &Rfc3339).ok())
        };
        let num = |k: &str| metadata.get(k).and_then(|v| v.trim().parse::<i32>().ok());
        Some(TaskRecord {
            attempt: metadata
                .get(ATTEMPT)
                .and_then(|v| v.parse().ok())
                .unwrap_or(1),
            started: time(START)?,
            ended: time(END),
            beat: time(BEAT),
            exit_code: num(EXIT),
            signal: num(SIGNAL),
            node: metadata.get(NODE).cloned(),
            pool: metadata.get(POOL).cloned(),
            writer: metadata.get(WRITER).cloned().unwrap_or_default(),
        })
    }

    /// The blob's new metadata: `existing` with this record's names replaced (other
    /// writers' names are kept; Set Blob Metadata replaces the whole set).
    pub fn to_metadata(&self, existing: &BTreeMap<String, String>) -> BTreeMap<String, String> {
        let mut m: BTreeMap<String, String> = existing
            .iter()
            .filter(|(k, _)| !NAMES.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let mut put = |k: &str, v: String| {
            m.insert(k.to_string(), v);
        };
        put(VERSION, "1".into());
        put(ATTEMPT, self.attempt.to_string());
        put(START, stamp(self.started));
        if let Some(t) = self.ended {
            put(END, stamp(t));
        }
        if let Some(t) = self.beat {
            put(BEAT, stamp(t));
        }
        if let Some(c) = self.exit_code {
            put(EXIT, c.to_string());
        }
        if let Some(s) = self.signal {
            put(SIGNAL, s.to_string());
        }
        if let Some(n) = &self.node {
            put(NODE, n.clone());
        }
        if let Some(p) = &self.pool {
            put(POOL, p.clone());
        }
        put(WRITER, printable(&self.writer));
        m
    }
}

/// The blob holding `task`'s record.
pub fn record_blob(task: &str) -> Result<String, crate::conventions::ConventionError> {
    blob_name(&Scope::Task(task.to_string()), RECORD_KIND, RECORD_FILE)
}

/// RFC 3339 UTC with milliseconds (sorts as text, reads back exactly to the millisecond).
fn stamp(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    let t = t
        .replace_nanosecond(t.millisecond() as u32 * 1_000_000)
        .unwrap_or(t);
    t.format(&Rfc3339).unwrap_or_default()
}

/// Metadata values travel as HTTP headers: printable ASCII only, bounded.
fn printable(s: &str) -> String {
    s.chars()
        .filter(|c| (' '..='~').contains(c))
        .take(256)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn round_trips_and_keeps_other_names() {
        let r = TaskRecord {
            attempt: 2,
            started: datetime!(2026-12-07 10:00:00.250 UTC),
            ended: Some(datetime!(2026-12-07 10:05:01 UTC)),
            beat: Some(datetime!(2026-12-07 10:05:00 UTC)),
            exit_code: Some(137),
            signal: Some(9),
            node: Some("tvm-1_2".into()),
            pool: Some("render".into()),
            writer: "batchout 0.1.0".into(),
        };
        let mut other = BTreeMap::new();
        other.insert("owner".to_string(), "ops".to_string());
        other.insert(END.to_string(), "stale".to_string());
        let m = r.to_metadata(&other);
        assert_eq!(m["owner"], "ops");
        assert_eq!(m[START], "2026-12-07T10:00:00.25Z");
        assert_eq!(TaskRecord::from_metadata(&m), Some(r.clone()));
        // A running attempt has no end, even when the previous attempt's end was there.
        let running = TaskRecord {
            ended: None,
            exit_code: None,
            signal: None,
            ..r
        };
        let m2 = running.to_metadata(&m);
        assert!(!m2.contains_key(END) && !m2.contains_key(EXIT));
        assert_eq!(TaskRecord::from_metadata(&m2), Some(running));
    }

    #[test]
    fn no_record_without_version_and_start() {
        assert_eq!(TaskRecord::from_metadata(&BTreeMap::new()), None);
        let mut m = BTreeMap::new();
        m.insert(VERSION.to_string(), "2".to_string());
        m.insert(START.to_string(), "2026-12-07T10:00:00Z".to_string());
        assert_eq!(TaskRecord::from_metadata(&m), None, "a newer format");
        m.insert(VERSION.to_string(), "1".to_string());
        m.insert(START.to_string(), "yesterday".to_string());
        assert_eq!(TaskRecord::from_metadata(&m), None);
    }
}
