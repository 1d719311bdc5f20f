//! Every task's status from the best evidence storage holds, saying which evidence.
//!
//! One flat listing of the job's container with metadata ([`scan_tasks`]), page by page:
//! names come in byte order, so each task's blobs are contiguous and a task is complete as
//! soon as the next one begins. Per task only a small [`TaskActivity`] is kept (log sizes,
//! last write, output count and bytes, the record of `batchout run`), so memory grows with
//! the tasks, not the blobs, and the first page's tasks are known after one request.
//!
//! [`TaskActivity::judge`] turns it into a [`Status`]:
//! - a record with an end: `ok` (exit 0) or `failed` (exit N or signal N);
//! - a record without an end: `running` while the writer's heartbeat (refreshed every
//!   minute) is younger than [`StatusPolicy::lost_after`], else `lost` (the writer died: a
//!   node lost, `kill -9`);
//! - no record (the .NET library, Batch OutputFiles): `running` while a tracked log (an
//!   append blob) was written within `lost_after`, else `unknown`. Never an exit code that
//!   nothing recorded.

use super::record::{TaskRecord, RECORD_FILE, RECORD_KIND};
use crate::store::{BlobInfo, BlobType, ListItem, ListQuery, Store, StoreResult};
use std::time::Duration;
use time::OffsetDateTime;

/// What a task's status is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    // Declared most urgent first: the `status` sort order.
    Failed,
    Lost,
    Running,
    Unknown,
    Ok,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Ok,
        Status::Failed,
        Status::Lost,
        Status::Running,
        Status::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Failed => "failed",
            Status::Lost => "lost",
            Status::Running => "running",
            Status::Unknown => "unknown",
        }
    }

    /// Parse `ok`, `failed`, `lost`, `running` or `unknown`.
    pub fn parse(s: &str) -> Result<Status, String> {
        Status::ALL
            .into_iter()
            .find(|st| st.as_str() == s.trim())
            .ok_or_else(|| {
                format!(
                    "unknown status {:?}: use ok, failed, lost, running or unknown",
                    crate::text::one_line(s)
                )
            })
    }
}

/// Which evidence a status rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Evidence {
    /// The task record written by `batchout run`.
    Record,
    /// No record, but a tracked log written recently.
    RecentWrite,
    /// No record: only what storage shows (sizes, times).
    Storage,
}

impl Evidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Evidence::Record => "record",
            Evidence::RecentWrite => "recent-write",
            Evidence::Storage => "storage",
        }
    }
}

/// How long a task may stay silent before a record without an end means `lost`, and how
/// recent a write must be for a task without a record to count as `running`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusPolicy {
    pub lost_after: Duration,
}

/// Five heartbeats (`batchout run` refreshes its record every minute).
pub const DEFAULT_LOST_AFTER: Duration = Duration::from_secs(5 * 60);

impl Default for StatusPolicy {
    fn default() -> Self {
        StatusPolicy {
            lost_after: DEFAULT_LOST_AFTER,
        }
    }
}

/// What storage holds for one task.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskActivity {
    pub task: String,
    /// The record of `batchout run` (latest attempt), if any.
    pub record: Option<TaskRecord>,
    /// Sizes of `TaskLog/stdout.txt` and `TaskLog/stderr.txt`, when present.
    pub stdout_len: Option<u64>,
    pub stderr_len: Option<u64>,
    /// Whether any of its blobs is an append blob (a tracked, growing file).
    pub tracked: bool,
    /// The latest last-modified time of its blobs (the record's writes included).
    pub last_write: Option<OffsetDateTime>,
    /// Files outside `TaskLog`, and their bytes.
    pub outputs: u64,
    pub output_bytes: u64,
}

/// A task's status with what it rests on.
#[derive(Debug, Clone, PartialEq)]
pub struct Judged {
    pub status: Status,
    pub evidence: Evidence,
    /// Start to end (finished), start to now (running), start to last write (lost).
    pub duration: Option<Duration>,
    /// Time since the last write.
    pub idle: Option<Duration>,
}

impl TaskActivity {
    fn add(&mut self, blob: &BlobInfo, rest: &str) {
        self.last_write = Some(match self.last_write {
            Some(t) => t.max(blob.last_modified),
            None => blob.last_modified,
        });
        self.tracked |= blob.blob_type == BlobType::Append;
        match rest.strip_prefix('$').and_then(|r| r.split_once('/')) {
            Some((RECORD_KIND, path)) => {
                if path == RECORD_FILE {
                    self.stdout_len = Some(blob.len);
                    self.record = TaskRecord::from_metadata(&blob.metadata);
                } else if path == "stderr.txt" {
                    self.stderr_len = Some(blob.len);
                }
            }
            _ => {
                self.outputs += 1;
                self.output_bytes += blob.len;
            }
        }
    }

    /// The status at `now`.
    pub fn judge(&self, now: OffsetDateTime, policy: &StatusPolicy) -> Judged {
        let since = |t: OffsetDateTime| Duration::try_from(now - t).unwrap_or(Duration::ZERO);
        let between = |a: OffsetDateTime, b: OffsetDateTime| Duration::try_from(b - a).ok();
        let idle = self.last_write.map(since);
        let quiet = idle.is_none_or(|d| d > policy.lost_after);
        let (status, evidence, duration) = match &self.record {
            Some(r) => match r.ended {
                Some(end) => {
                    let ok = r.exit_code == Some(0) && r.signal.is_none();
                    let status = if ok { Status::Ok } else { Status::Failed };
                    (status, Evidence::Record, between(r.started, end))
                }
                // The writer's own heartbeat says whether it lives, whatever its output does.
                None if since(r.alive_at()) > policy.lost_after => (
                    Status::Lost,
                    Evidence::Record,
                    between(r.started, r.alive_at()),
                ),
                None => (Status::Running, Evidence::Record, Some(since(r.started))),
            },
            None if self.tracked && !quiet => (Status::Running, Evidence::RecentWrite, None),
            None => (Status::Unknown, Evidence::Storage, None),
        };
        Judged {
            status,
            evidence,
            duration,
            idle,
        }
    }
}

/// Groups a flat, name-ordered listing into tasks.
#[derive(Debug, Default)]
pub struct TaskScanner {
    current: Option<TaskActivity>,
    /// Job-level kinds seen (`$KIND/...` blobs come first, contiguous per kind); a scan
    /// takes them page by page.
    pub job_kinds: Vec<String>,
    last_kind: String,
}

impl TaskScanner {
    /// Add one blob; returns the previous task when this blob begins another one.
    /// Job-level blobs (`$KIND/...`) add to `job_kinds`; blobs outside any folder are
    /// skipped.
    pub fn push(&mut self, blob: &BlobInfo) -> Option<TaskActivity> {
        let (task, rest) = blob.name.split_once('/')?;
        if let Some(kind) = task.strip_prefix('$') {
            if !kind.is_empty() && self.last_kind != kind {
                self.last_kind = kind.to_string();
                self.job_kinds.push(kind.to_string());
            }
            return None;
        }
        if task.is_empty() {
            return None;
        }
        let done = match &self.current {
            Some(c) if c.task == task => None,
            _ => self.current.replace(TaskActivity {
                task: task.to_string(),
                ..Default::default()
            }),
        };
        if let Some(c) = self.current.as_mut() {
            c.add(blob, rest);
        }
        done
    }

    /// The last task.
    pub fn finish(&mut self) -> Option<TaskActivity> {
        self.current.take()
    }
}

/// What a scan cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanStats {
    pub requests: u64,
    pub blobs: u64,
    pub tasks: u64,
}

/// What one page of a scan completed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScanPage {
    pub tasks: Vec<TaskActivity>,
    /// Job-level kinds first seen on this page.
    pub job_kinds: Vec<String>,
}

/// List the whole container flat with metadata, page by page (`page_size` None: 5000),
/// and hand each page's completed tasks to `each` (a task whose blobs continue on the
/// next page comes with that page). `each` returns false to stop early.
pub async fn scan_tasks(
    store: &dyn Store,
    container: &str,
    page_size: Option<u32>,
    mut each: impl FnMut(ScanPage) -> bool,
) -> StoreResult<ScanStats> {
    let mut query = ListQuery::flat("").with_metadata();
    query.max_results = page_size;
    let mut scanner = TaskScanner::default();
    let mut stats = ScanStats::default();
    let mut marker: Option<String> = None;
    loop {
        let page = store
            .list_blobs(container, &query, marker.as_deref())
            .await?;
        stats.requests += 1;
        let mut done = Vec::new();
        for item in &page.items {
            if let ListItem::Blob(b) = item {
                stats.blobs += 1;
                done.extend(scanner.push(b));
            }
        }
        marker = page.next_marker;
        if marker.is_none() {
            done.extend(scanner.finish());
        }
        stats.tasks += done.len() as u64;
        let page = ScanPage {
            tasks: done,
            job_kinds: std::mem::take(&mut scanner.job_kinds),
        };
        let any = !page.tasks.is_empty() || !page.job_kinds.is_empty();
        if (any && !each(page)) || marker.is_none() {
            return Ok(stats);
        }
    }
}

/// Tasks per status, for the one-line summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct StatusCounts {
    pub ok: u64,
    pub failed: u64,
    pub lost: u64,
    pub running: u64,
    pub unknown: u64,
}

impl StatusCounts {
    pub fn add(&mut self, s: Status) {
        *self.slot(s) += 1;
    }
    /// Take back one `add` (a task judged again).
    pub fn remove(&mut self, s: Status) {
        let n = self.slot(s);
        *n = n.saturating_sub(1);
    }
    fn slot(&mut self, s: Status) -> &mut u64 {
        match s {
            Status::Ok => &mut self.ok,
            Status::Failed => &mut self.failed,
            Status::Lost => &mut self.lost,
            Status::Running => &mut self.running,
            Status::Unknown => &mut self.unknown,
        }
    }
    pub fn get(&self, s: Status) -> u64 {
        let mut c = *self;
        *c.slot(s)
    }
    pub fn total(&self) -> u64 {
        self.ok + self.failed + self.lost + self.running + self.unknown
    }

    /// `1,000 tasks: 950 ok, 12 failed, 30 running, 8 unknown` (zero counts left out).
    pub fn line(&self) -> String {
        let total = self.total();
        let noun = if total == 1 { "task" } else { "tasks" };
        let parts: Vec<String> = Status::ALL
            .into_iter()
            .filter(|s| self.get(*s) > 0)
            .map(|s| format!("{} {}", thousands(self.get(s)), s.as_str()))
            .collect();
        if parts.is_empty() {
            format!("{} {noun}", thousands(total))
        } else {
            format!("{} {noun}: {}", thousands(total), parts.join(", "))
        }
    }
}

/// `1234567` -> `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-12-07 12:00:00 UTC);

    fn blob(name: &str, len: u64, age_s: i64, append: bool) -> BlobInfo {
        BlobInfo {
            name: name.into(),
            len,
            etag: "\"e\"".into(),
            last_modified: NOW - time::Duration::seconds(age_s),
            blob_type: if append {
                BlobType::Append
            } else {
                BlobType::Block
            },
            content_md5: None,
            content_type: None,
            committed_blocks: None,
            metadata: BTreeMap::new(),
        }
    }

    fn record(age_s: i64, end: Option<(i64, i32, Option<i32>)>) -> TaskRecord {
        TaskRecord {
            attempt: 1,
            started: NOW - time::Duration::seconds(age_s),
            ended: end.map(|(a, _, _)| NOW - time::Duration::seconds(a)),
            beat: None,
            exit_code: end.map(|(_, c, _)| c),
            signal: end.and_then(|(_, _, s)| s),
            node: None,
            pool: None,
            writer: "batchout test".into(),
        }
    }

    fn scan(blobs: &[BlobInfo]) -> Vec<TaskActivity> {
        let mut s = TaskScanner::default();
        let mut out: Vec<TaskActivity> = blobs.iter().filter_map(|b| s.push(b)).collect();
        out.extend(s.finish());
        out
    }

    #[test]
    fn groups_blobs_by_task_and_skips_job_level() {
        let tasks = scan(&[
            blob("$JobOutput/a.mp4", 9, 10, false),
            blob("t-1/$TaskLog/stderr.txt", 3, 50, true),
            blob("t-1/$TaskLog/stdout.txt", 7, 40, true),
            blob("t-1/$TaskOutput/x.png", 100, 30, false),
            blob("t-1/$TaskOutput/y.png", 20, 60, false),
            blob("t/$TaskOutput/z", 1, 5, false),
            blob("toplevel.txt", 1, 5, false),
        ]);
        assert_eq!(tasks.len(), 2);
        let mut s = TaskScanner::default();
        s.push(&blob("$JobOutput/a", 1, 1, false));
        s.push(&blob("$JobOutput/b", 1, 1, false));
        s.push(&blob("$JobPreview/c", 1, 1, false));
        assert_eq!(s.job_kinds, ["JobOutput", "JobPreview"]);
        let t1 = &tasks[0];
        assert_eq!(t1.task, "t-1");
        assert_eq!((t1.stdout_len, t1.stderr_len), (Some(7), Some(3)));
        assert_eq!((t1.outputs, t1.output_bytes), (2, 120));
        assert_eq!(t1.last_write, Some(NOW - time::Duration::seconds(30)));
        assert!(t1.tracked && t1.record.is_none());
        assert_eq!(tasks[1].task, "t");
        assert!(!tasks[1].tracked);
    }

    #[test]
    fn statuses_from_records_and_from_storage() {
        let policy = StatusPolicy {
            lost_after: Duration::from_secs(60),
        };
        let judge = |record: Option<TaskRecord>, age: i64, tracked: bool| {
            TaskActivity {
                task: "t".into(),
                record,
                tracked,
                last_write: Some(NOW - time::Duration::seconds(age)),
                ..Default::default()
            }
            .judge(NOW, &policy)
        };
        let ok = judge(Some(record(100, Some((10, 0, None)))), 10, true);
        assert_eq!((ok.status, ok.evidence), (Status::Ok, Evidence::Record));
        assert_eq!(ok.duration, Some(Duration::from_secs(90)));
        let failed = judge(Some(record(100, Some((10, 2, None)))), 10, true);
        assert_eq!(failed.status, Status::Failed);
        let killed = judge(Some(record(100, Some((10, 137, Some(9))))), 10, true);
        assert_eq!(killed.status, Status::Failed);
        let beating = TaskRecord {
            beat: Some(NOW - time::Duration::seconds(20)),
            ..record(100, None)
        };
        let running = judge(Some(beating), 90, true);
        assert_eq!(
            running.status,
            Status::Running,
            "a quiet command still beats"
        );
        assert_eq!(running.duration, Some(Duration::from_secs(100)));
        let stopped = TaskRecord {
            beat: Some(NOW - time::Duration::seconds(200)),
            ..record(300, None)
        };
        // Output written a moment ago does not revive a writer whose heartbeat stopped.
        let lost = judge(Some(stopped), 1, true);
        assert_eq!(
            (lost.status, lost.evidence),
            (Status::Lost, Evidence::Record)
        );
        assert_eq!(lost.duration, Some(Duration::from_secs(100)));
        let live = judge(None, 30, true);
        assert_eq!(
            (live.status, live.evidence, live.duration),
            (Status::Running, Evidence::RecentWrite, None)
        );
        let old = judge(None, 300, true);
        assert_eq!(
            (old.status, old.evidence),
            (Status::Unknown, Evidence::Storage)
        );
        // Block blobs (Batch OutputFiles uploads them at the end) never mean running.
        assert_eq!(judge(None, 5, false).status, Status::Unknown);
    }

    #[test]
    fn summary_line() {
        let mut c = StatusCounts::default();
        for _ in 0..950 {
            c.add(Status::Ok);
        }
        for (s, n) in [
            (Status::Failed, 12),
            (Status::Running, 30),
            (Status::Unknown, 8),
        ] {
            for _ in 0..n {
                c.add(s);
            }
        }
        assert_eq!(
            c.line(),
            "1,000 tasks: 950 ok, 12 failed, 30 running, 8 unknown"
        );
        assert_eq!(StatusCounts::default().line(), "0 tasks");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(Status::parse(" lost").unwrap(), Status::Lost);
        assert!(Status::parse("done").unwrap_err().contains("use ok"));
    }
}
