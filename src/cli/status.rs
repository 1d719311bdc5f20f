//! `batchout ls JOB` (tasks with their status, a table or JSON) and `batchout status JOB`
//! (the one-line summary and an exit code a script can wait on). Both read one flat
//! listing of the container with metadata ([`crate::outputs::status::scan_tasks`]).
//! Sorted by name, rows are printed page by page as the listing arrives (the first page of
//! 100,000 tasks shows after one request); other orders need every task first.

use super::args::{LsArgs, SortKey, StatusArgs};
use super::stdout::write_out;
use super::{CliError, CliResult, Context};
use crate::outputs::format;
use crate::outputs::status::{scan_tasks, Judged, StatusCounts, StatusPolicy, TaskActivity};
use crate::store::Store;
use crate::text::sanitize;
use std::io::Write;
use time::OffsetDateTime;

/// `status JOB` exit codes (documented in `--help` and README).
pub const EXIT_DONE_WITH_FAILURES: i32 = 3;
pub const EXIT_RUNNING: i32 = 4;

pub fn run(ctx: &Context, args: StatusArgs) -> CliResult {
    crate::conventions::container_name(&args.job)?;
    let policy = StatusPolicy {
        lost_after: args.policy.lost_after,
    };
    let store = ctx.store()?;
    let counts = ctx.runtime.block_on(async {
        let container = crate::outputs::job_container(store.as_ref(), &args.job).await?;
        let now = OffsetDateTime::now_utc();
        let mut counts = StatusCounts::default();
        scan_tasks(store.as_ref(), &container, None, |page| {
            for t in &page.tasks {
                counts.add(t.judge(now, &policy).status);
            }
            true
        })
        .await?;
        Ok::<_, CliError>(counts)
    })?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let v = serde_json::json!({
            "tasks": counts.total(),
            "ok": counts.ok,
            "failed": counts.failed,
            "lost": counts.lost,
            "running": counts.running,
            "unknown": counts.unknown,
        });
        write_out(&mut out, format!("{v}\n").as_bytes())?;
    } else {
        write_out(&mut out, format!("{}\n", counts.line()).as_bytes())?;
    }
    match exit_code(&counts) {
        0 => Ok(()),
        code => Err(CliError::exit(code)),
    }
}

/// 4 while anything runs; then 3 if anything failed or was lost; else 0.
pub fn exit_code(c: &StatusCounts) -> i32 {
    if c.running > 0 {
        EXIT_RUNNING
    } else if c.failed + c.lost > 0 {
        EXIT_DONE_WITH_FAILURES
    } else {
        0
    }
}

/// `ls JOB`: job-level kinds, then every task with its status, filtered and sorted.
pub(super) async fn list_tasks(store: &dyn Store, container: &str, args: &LsArgs) -> CliResult {
    let policy = StatusPolicy {
        lost_after: args.policy.lost_after,
    };
    let now = OffsetDateTime::now_utc();
    let sort = args.sort.unwrap_or(SortKey::Name);
    let mut printer = Printer::new(args.json);
    let mut held: Vec<(TaskActivity, Judged)> = Vec::new();
    let mut failed: Option<CliError> = None;
    let mut any = false;
    scan_tasks(store, container, None, |page| {
        any |= !page.tasks.is_empty() || !page.job_kinds.is_empty();
        let step = || -> CliResult {
            if args.status.is_empty() {
                for kind in &page.job_kinds {
                    printer.job_kind(kind)?;
                }
            }
            for t in page.tasks {
                let j = t.judge(now, &policy);
                if !args.status.is_empty() && !args.status.contains(&j.status) {
                    continue;
                }
                if sort == SortKey::Name {
                    printer.task(&t, &j)?;
                } else {
                    held.push((t, j));
                }
            }
            Ok(())
        };
        match step() {
            Ok(()) => true,
            Err(e) => {
                failed = Some(e);
                false
            }
        }
    })
    .await?;
    if let Some(e) = failed {
        return Err(e);
    }
    sort_tasks(&mut held, sort);
    for (t, j) in &held {
        printer.task(t, j)?;
    }
    printer.finish()?;
    if !any && !args.json {
        eprintln!("the job's container {container} holds no outputs yet");
    }
    Ok(())
}

fn sort_tasks(rows: &mut [(TaskActivity, Judged)], key: SortKey) {
    match key {
        SortKey::Name => {}
        SortKey::Status => rows.sort_by_key(|r| r.1.status),
        SortKey::Activity => rows.sort_by_key(|r| std::cmp::Reverse(r.0.last_write)),
        SortKey::Duration => rows.sort_by_key(|r| std::cmp::Reverse(r.1.duration)),
        SortKey::Stderr => rows.sort_by_key(|r| std::cmp::Reverse(r.0.stderr_len)),
    }
}

/// Rows as a table (fits 80 columns for task ids up to 18 characters) or one JSON array,
/// written as they come.
struct Printer {
    json: bool,
    out: std::io::StdoutLock<'static>,
    first: bool,
}

const HEADER: &str = "SCOPE  STATUS   EXIT  DURATION    AGE  STDERR  FILES   BYTES  NAME\n";

impl Printer {
    fn new(json: bool) -> Printer {
        Printer {
            json,
            out: std::io::stdout().lock(),
            first: true,
        }
    }

    fn begin(&mut self) -> CliResult {
        if self.first {
            self.first = false;
            let head: &[u8] = if self.json { b"[" } else { HEADER.as_bytes() };
            write_out(&mut self.out, head)
        } else if self.json {
            write_out(&mut self.out, b",")
        } else {
            Ok(())
        }
    }

    fn job_kind(&mut self, kind: &str) -> CliResult {
        self.begin()?;
        let line = if self.json {
            serde_json::json!({ "scope": "job", "kind": kind }).to_string()
        } else {
            format!("{:<5}  {:<53}  {}\n", "job", "", sanitize(kind))
        };
        write_out(&mut self.out, line.as_bytes())
    }

    fn task(&mut self, t: &TaskActivity, j: &Judged) -> CliResult {
        self.begin()?;
        let line = if self.json {
            task_json(t, j).to_string()
        } else {
            let exit = match &t.record {
                Some(r) if j.evidence == crate::outputs::status::Evidence::Record => {
                    r.exit_code.map_or("-".to_string(), |c| c.to_string())
                }
                _ => "-".to_string(),
            };
            format!(
                "{:<5}  {:<7}  {:>4}  {:>8}  {:>5}  {:>6}  {:>5}  {:>6}  {}\n",
                "task",
                j.status.as_str(),
                exit,
                j.duration.map_or("-".to_string(), short_duration),
                j.idle.map_or("-".to_string(), short_duration),
                t.stderr_len.map_or("-".to_string(), compact_size),
                t.outputs,
                compact_size(t.output_bytes),
                sanitize(&t.task)
            )
        };
        write_out(&mut self.out, line.as_bytes())
    }

    fn finish(&mut self) -> CliResult {
        if self.json {
            if self.first {
                write_out(&mut self.out, b"[")?;
            }
            write_out(&mut self.out, b"]\n")?;
        }
        self.out
            .flush()
            .map_err(|e| CliError::failure(format!("cannot write output: {e}")))
    }
}

/// Every field of a task's row, for `--json`.
fn task_json(t: &TaskActivity, j: &Judged) -> serde_json::Value {
    let r = t.record.as_ref();
    serde_json::json!({
        "scope": "task",
        "task": t.task,
        "status": j.status,
        "evidence": j.evidence,
        "exit_code": r.and_then(|r| r.exit_code),
        "signal": r.and_then(|r| r.signal),
        "attempt": r.map(|r| r.attempt),
        "started": r.map(|r| format::rfc3339(r.started)),
        "ended": r.and_then(|r| r.ended).map(format::rfc3339),
        "duration_s": j.duration.map(|d| d.as_secs_f64()),
        "last_write": t.last_write.map(format::rfc3339),
        "idle_s": j.idle.map(|d| d.as_secs_f64()),
        "node": r.and_then(|r| r.node.clone()),
        "pool": r.and_then(|r| r.pool.clone()),
        "writer": r.map(|r| r.writer.clone()),
        "stdout_bytes": t.stdout_len,
        "stderr_bytes": t.stderr_len,
        "outputs": t.outputs,
        "output_bytes": t.output_bytes,
    })
}

pub use crate::text::compact::{compact_size, short_duration};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outputs::status::Status;
    use std::time::Duration;

    #[test]
    fn compact_columns() {
        assert_eq!(short_duration(Duration::from_millis(850)), "850ms");
        assert_eq!(short_duration(Duration::from_secs(42)), "42s");
        assert_eq!(short_duration(Duration::from_secs(723)), "12m03s");
        assert_eq!(
            short_duration(Duration::from_secs(5 * 3600 + 7 * 60)),
            "5h07m"
        );
        assert_eq!(
            short_duration(Duration::from_secs(3 * 86400 + 4 * 3600)),
            "3d04h"
        );
        assert_eq!(compact_size(512), "512B");
        assert_eq!(compact_size(1536), "1.5K");
        assert_eq!(compact_size(12 << 20), "12M");
    }

    #[test]
    fn exit_codes() {
        let mut c = StatusCounts::default();
        c.add(Status::Ok);
        c.add(Status::Unknown);
        assert_eq!(exit_code(&c), 0);
        c.add(Status::Lost);
        assert_eq!(exit_code(&c), EXIT_DONE_WITH_FAILURES);
        c.add(Status::Running);
        assert_eq!(exit_code(&c), EXIT_RUNNING);
    }
}
