//! Task status end to end, on both backends (a local store in a temp folder, Azurite): the
//! real binary's `run` records each task's lifecycle, `ls JOB` and `status JOB` read it
//! back. Commands that succeed, fail, are killed by a signal, are retried; a `run` killed
//! with kill -9 turns `lost` after the threshold; tasks written by another client show what
//! storage shows and never an exit code.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

mod support;

use batchout::conventions::{blob_name, container_name, Scope};
use batchout::store::{PutOptions, Store};
use bytes::Bytes;
use serde_json::Value;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::azurite;

/// Where the binary stores: its `--store`/environment and the same store for direct writes.
struct Backend {
    store: Arc<dyn Store>,
    local: Option<tempfile::TempDir>,
    connection_string: Option<String>,
}

impl Backend {
    fn local() -> Backend {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> =
            Arc::new(batchout::store::local::LocalStore::open(dir.path()).unwrap());
        Backend {
            store,
            local: Some(dir),
            connection_string: None,
        }
    }

    fn azure() -> Backend {
        let acct = azurite::fresh_account();
        Backend {
            store: acct.store(),
            local: None,
            connection_string: Some(acct.connection_string()),
        }
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_batchout"));
        for v in [
            "BATCHOUT_STORE",
            "AZURE_STORAGE_CONNECTION_STRING",
            "AZURE_STORAGE_ACCOUNT",
            "AZURE_STORAGE_KEY",
            "AZ_BATCH_JOB_ID",
            "AZ_BATCH_TASK_ID",
            "AZ_BATCH_NODE_ID",
            "AZ_BATCH_POOL_ID",
        ] {
            c.env_remove(v);
        }
        match (&self.local, &self.connection_string) {
            (Some(dir), _) => {
                c.arg("--store").arg(dir.path());
            }
            (None, Some(cs)) => {
                c.env("AZURE_STORAGE_CONNECTION_STRING", cs);
            }
            _ => unreachable!(),
        }
        c
    }

    fn run_task(&self, job: &str, task: &str, script: &str) -> Output {
        self.cmd()
            .env("AZ_BATCH_NODE_ID", "tvm-node-7")
            .env("AZ_BATCH_POOL_ID", "render-pool")
            .args([
                "run", "--job", job, "--task", task, "--", "sh", "-c", script,
            ])
            .output()
            .unwrap()
    }

    fn ls_json(&self, job: &str, extra: &[&str]) -> Vec<Value> {
        self.try_ls_json(job, extra)
            .unwrap_or_else(|e| panic!("ls {job} failed: {e}"))
    }

    /// Task rows of `ls JOB --json`, or the error (e.g. no container yet).
    fn try_ls_json(&self, job: &str, extra: &[&str]) -> Result<Vec<Value>, String> {
        let o = self
            .cmd()
            .args(["ls", job, "--json"])
            .args(extra)
            .output()
            .unwrap();
        if !o.status.success() {
            return Err(text(&o.stderr));
        }
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        Ok(v.as_array()
            .unwrap()
            .iter()
            .filter(|r| r["scope"] == "task")
            .cloned()
            .collect())
    }

    fn status(&self, job: &str, extra: &[&str]) -> (Option<i32>, String) {
        let o = self
            .cmd()
            .args(["status", job])
            .args(extra)
            .output()
            .unwrap();
        (o.status.code(), text(&o.stdout))
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn row<'a>(rows: &'a [Value], task: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["task"] == task)
        .unwrap_or_else(|| panic!("no row for {task} in {rows:?}"))
}

// ---------------------------------------------------------------- finished tasks

fn ok_failed_and_signalled(b: Backend) {
    let job = "render";
    assert_eq!(b.run_task(job, "good", "echo hello").status.code(), Some(0));
    let o = b.run_task(job, "bad", "echo oops >&2; exit 3");
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(text(&o.stderr), "oops\n", "output still passes through");
    let o = b.run_task(job, "killed", "echo bye; kill -9 $$");
    assert_eq!(o.status.code(), Some(137));

    let rows = b.ls_json(job, &[]);
    assert_eq!(rows.len(), 3);
    let good = row(&rows, "good");
    assert_eq!(good["status"], "ok");
    assert_eq!(good["evidence"], "record");
    assert_eq!(good["exit_code"], 0);
    assert_eq!(good["signal"], Value::Null);
    assert_eq!(good["attempt"], 1);
    assert_eq!(good["node"], "tvm-node-7");
    assert_eq!(good["pool"], "render-pool");
    assert!(good["writer"].as_str().unwrap().starts_with("batchout "));
    assert_eq!(good["stdout_bytes"], 6);
    assert_eq!(good["stderr_bytes"], 0);
    assert!(good["duration_s"].as_f64().unwrap() < 60.0);
    assert!(good["ended"].as_str().unwrap() >= good["started"].as_str().unwrap());
    let bad = row(&rows, "bad");
    assert_eq!(
        (&bad["status"], &bad["exit_code"]),
        (&"failed".into(), &3.into())
    );
    assert_eq!(bad["stderr_bytes"], 5);
    let killed = row(&rows, "killed");
    assert_eq!(killed["status"], "failed");
    assert_eq!(killed["exit_code"], 137);
    assert_eq!(killed["signal"], 9);

    // Filters and orders.
    let failed = b.ls_json(job, &["--status", "failed"]);
    let mut names: Vec<&str> = failed.iter().map(|r| r["task"].as_str().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["bad", "killed"]);
    let by_stderr = b.ls_json(job, &["--sort", "stderr"]);
    assert_eq!(by_stderr[0]["task"], "bad");
    let by_status = b.ls_json(job, &["--sort", "status"]);
    assert_eq!(by_status.last().unwrap()["task"], "good");

    // The table: every row fits 80 columns, exit codes and statuses in their columns.
    let o = b.cmd().args(["ls", job]).output().unwrap();
    let table = text(&o.stdout);
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0].starts_with("SCOPE  STATUS   EXIT  DURATION"),
        "{table}"
    );
    assert!(lines.iter().all(|l| l.chars().count() <= 80), "{table}");
    let bad_line = lines.iter().find(|l| l.ends_with(" bad")).unwrap();
    assert!(bad_line.starts_with("task   failed      3 "), "{bad_line}");

    let (code, line) = b.status(job, &[]);
    assert_eq!(line, "3 tasks: 1 ok, 2 failed\n");
    assert_eq!(code, Some(3), "failures and nothing running: exit 3");
    let o = b.cmd().args(["status", job, "--json"]).output().unwrap();
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"tasks": 3, "ok": 1, "failed": 2, "lost": 0, "running": 0, "unknown": 0})
    );
}

#[test]
fn local_ok_failed_and_signalled() {
    ok_failed_and_signalled(Backend::local());
}

#[test]
fn azure_ok_failed_and_signalled() {
    ok_failed_and_signalled(Backend::azure());
}

// ---------------------------------------------------------------- a retried task

fn retried_task_shows_latest_attempt(b: Backend) {
    let job = "retry";
    assert_eq!(
        b.run_task(job, "t", "echo first; exit 1").status.code(),
        Some(1)
    );
    assert_eq!(row(&b.ls_json(job, &[]), "t")["status"], "failed");
    assert_eq!(b.run_task(job, "t", "echo second").status.code(), Some(0));
    let rows = b.ls_json(job, &[]);
    let t = row(&rows, "t");
    assert_eq!(t["status"], "ok");
    assert_eq!(t["attempt"], 2);
    assert_eq!(t["exit_code"], 0);
    // The retry appended to the same log.
    let o = b
        .cmd()
        .args(["cat", job, "t", "TaskLog", "stdout.txt"])
        .output()
        .unwrap();
    assert_eq!(text(&o.stdout), "first\nsecond\n");
    assert_eq!(b.status(job, &[]), (Some(0), "1 task: 1 ok\n".to_string()));
}

#[test]
fn local_retried_task_shows_latest_attempt() {
    retried_task_shows_latest_attempt(Backend::local());
}

#[test]
fn azure_retried_task_shows_latest_attempt() {
    retried_task_shows_latest_attempt(Backend::azure());
}

// ---------------------------------------------------------------- kill -9 -> lost

fn wait_for(what: &str, deadline: Duration, mut check: impl FnMut() -> bool) {
    let end = Instant::now() + deadline;
    while !check() {
        assert!(Instant::now() < end, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn killed_run_turns_lost(b: Backend) {
    let job = "crash";
    let work = tempfile::tempdir().unwrap();
    let pid_file = work.path().join("child.pid");
    let script = format!(
        "echo started; echo $$ > {}; exec sleep 60",
        pid_file.display()
    );
    let mut run = b
        .cmd()
        .args([
            "run", "--job", job, "--task", "victim", "--", "sh", "-c", &script,
        ])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    wait_for("the record's start", Duration::from_secs(30), || {
        b.try_ls_json(job, &[]).is_ok_and(|rows| {
            rows.first()
                .is_some_and(|r| r["status"] == "running" && r["stdout_bytes"] == 8)
        })
    });
    assert_eq!(b.status(job, &[]).0, Some(4), "running: exit 4");
    // kill -9: batchout gets no chance to record an end.
    run.kill().unwrap();
    run.wait().unwrap();
    if let Ok(pid) = std::fs::read_to_string(&pid_file) {
        let _ = Command::new("kill").args(["-9", pid.trim()]).status();
    }
    // Still "running" under the default threshold (5 minutes) ...
    assert_eq!(row(&b.ls_json(job, &[]), "victim")["status"], "running");
    // ... and lost once nothing was written for longer than the one asked for.
    wait_for("lost", Duration::from_secs(30), || {
        row(&b.ls_json(job, &["--lost-after", "2s"]), "victim")["status"] == "lost"
    });
    let rows = b.ls_json(job, &["--lost-after", "2s"]);
    let v = row(&rows, "victim");
    assert_eq!(v["exit_code"], Value::Null, "no invented exit code");
    assert_eq!(v["ended"], Value::Null);
    let (code, line) = b.status(job, &["--lost-after", "2s"]);
    assert_eq!((code, line.as_str()), (Some(3), "1 task: 1 lost\n"));
}

#[test]
fn local_killed_run_turns_lost() {
    killed_run_turns_lost(Backend::local());
}

#[test]
fn azure_killed_run_turns_lost() {
    killed_run_turns_lost(Backend::azure());
}

// ---------------------------------------------------------------- another client

/// Outputs as the .NET library writes them (a tracked stdout as an append blob, outputs as
/// block blobs, no record) and as Batch OutputFiles uploads them (block blobs at the end).
fn other_clients_get_storage_evidence(b: Backend) {
    let job = "dotnet-job";
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let s = b.store.as_ref();
        let c = container_name(job).unwrap();
        s.create_container(&c, &Default::default()).await.unwrap();
        let name = |task: &str, kind: &str, path: &str| {
            blob_name(&Scope::Task(task.into()), kind, path).unwrap()
        };
        let log = name("tracked", "TaskLog", "stdout.txt");
        s.create_append_blob(&c, &log, &PutOptions::default())
            .await
            .unwrap();
        s.append_block(&c, &log, Bytes::from_static(b"working\n"), 0)
            .await
            .unwrap();
        for (task, kind, path, body) in [
            ("tracked", "TaskOutput", "a.bin", &b"12345"[..]),
            ("uploaded", "TaskLog", "stdout.txt", b"done\n"),
            ("uploaded", "TaskLog", "stderr.txt", b"warn\n"),
            ("uploaded", "TaskOutput", "r.csv", b"1,2\n"),
        ] {
            s.put_block_blob(
                &c,
                &name(task, kind, path),
                Bytes::from_static(body),
                &PutOptions::default(),
            )
            .await
            .unwrap();
        }
        s.put_block_blob(
            &c,
            "$JobOutput/all.csv",
            Bytes::from_static(b"x"),
            &PutOptions::default(),
        )
        .await
        .unwrap();
    });
    let rows = b.ls_json(job, &[]);
    let tracked = row(&rows, "tracked");
    assert_eq!(tracked["status"], "running");
    assert_eq!(tracked["evidence"], "recent-write");
    assert_eq!(tracked["exit_code"], Value::Null);
    assert_eq!(tracked["attempt"], Value::Null);
    assert_eq!(
        (&tracked["outputs"], &tracked["output_bytes"]),
        (&1.into(), &5.into())
    );
    let uploaded = row(&rows, "uploaded");
    assert_eq!(uploaded["status"], "unknown");
    assert_eq!(uploaded["evidence"], "storage");
    assert_eq!(uploaded["exit_code"], Value::Null);
    assert_eq!(uploaded["stderr_bytes"], 5);
    assert!(uploaded["last_write"].is_string());
    // The job-level kind is listed as before.
    let o = b.cmd().args(["ls", job, "--json"]).output().unwrap();
    let all: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        all[0],
        serde_json::json!({"scope": "job", "kind": "JobOutput"})
    );
    let (code, line) = b.status(job, &[]);
    assert_eq!(
        (code, line.as_str()),
        (Some(4), "2 tasks: 1 running, 1 unknown\n")
    );
    // Once the tracked log is older than the threshold, nothing says it still runs.
    wait_for("the tracked log to age", Duration::from_secs(30), || {
        b.status(job, &["--lost-after", "1s"]) == (Some(0), "2 tasks: 2 unknown\n".to_string())
    });
}

#[test]
fn local_other_clients_get_storage_evidence() {
    other_clients_get_storage_evidence(Backend::local());
}

#[test]
fn azure_other_clients_get_storage_evidence() {
    other_clients_get_storage_evidence(Backend::azure());
}

// ---------------------------------------------------------------- usage

#[test]
fn bad_status_options_are_usage_errors() {
    let b = Backend::local();
    assert_eq!(b.run_task("j", "t", "true").status.code(), Some(0));
    let o = b
        .cmd()
        .args(["ls", "j", "--status", "done"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("use ok, failed, lost, running or unknown"));
    let o = b
        .cmd()
        .args(["ls", "j", "t", "--status", "ok"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let e = text(&o.stderr);
    assert_eq!(e.lines().count(), 1, "{e}");
    let o = b.cmd().args(["status", "no-such-job"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
}
