//! `batchout prepare/save/track/run` as a user runs them, on every backend (the local store,
//! tests/engine_cli.rs; Azurite, tests/engine_cli_azure.rs): real processes, real signals
//! (including kill -9), blobs read back byte for byte.
#![allow(dead_code)]

use assert_cmd::Command;
use batchout::store::{local::LocalStore, ByteRange, ListQuery, Store};
use rand::{Rng, SeedableRng};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

/// One `#[test]` per scenario, each on a fresh backend made by `$make`.
#[macro_export]
macro_rules! engine_cli_scenarios {
    ($make:expr) => {
        #[test]
        fn prepare_is_idempotent() {
            $crate::engine_cli_support::prepare_is_idempotent(&$make)
        }
        #[test]
        fn save_files_folders_and_globs_under_the_relative_path_rule() {
            $crate::engine_cli_support::save_files_folders_and_globs_under_the_relative_path_rule(&$make)
        }
        #[test]
        fn save_takes_job_and_task_from_the_batch_environment_and_strips_leading_dotdot() {
            $crate::engine_cli_support::save_takes_job_and_task_from_the_batch_environment_and_strips_leading_dotdot(&$make)
        }
        #[test]
        fn job_level_saves_need_a_job_kind() {
            $crate::engine_cli_support::job_level_saves_need_a_job_kind(&$make)
        }
        #[test]
        fn bad_input_gets_one_line_errors_and_writes_nothing() {
            $crate::engine_cli_support::bad_input_gets_one_line_errors_and_writes_nothing(&$make)
        }
        #[test]
        fn run_streams_stdout_and_stderr_to_tasklog_and_passes_the_exit_code() {
            $crate::engine_cli_support::run_streams_stdout_and_stderr_to_tasklog_and_passes_the_exit_code(&$make)
        }
        #[test]
        fn run_of_a_missing_command_exits_127_with_one_line() {
            $crate::engine_cli_support::run_of_a_missing_command_exits_127_with_one_line(&$make)
        }
        #[test]
        fn run_passes_sigterm_on_and_flushes_what_the_command_wrote() {
            $crate::engine_cli_support::run_passes_sigterm_on_and_flushes_what_the_command_wrote(&$make)
        }
        #[test]
        fn run_reports_a_command_killed_by_a_signal_as_128_plus_the_signal() {
            $crate::engine_cli_support::run_reports_a_command_killed_by_a_signal_as_128_plus_the_signal(&$make)
        }
        #[test]
        fn track_with_a_command_exits_with_its_code_after_a_last_flush() {
            $crate::engine_cli_support::track_with_a_command_exits_with_its_code_after_a_last_flush(&$make)
        }
        #[test]
        fn track_refuses_a_bad_interval_as_a_usage_error() {
            $crate::engine_cli_support::track_refuses_a_bad_interval_as_a_usage_error(&$make)
        }
        #[test]
        fn track_restarted_after_the_file_was_replaced_appends_only_the_new_bytes() {
            $crate::engine_cli_support::track_restarted_after_the_file_was_replaced_appends_only_the_new_bytes(&$make)
        }
        #[test]
        fn track_killed_with_sigkill_and_restarted_never_doubles_or_loses_a_byte() {
            $crate::engine_cli_support::track_killed_with_sigkill_and_restarted_never_doubles_or_loses_a_byte(&$make)
        }
    };
}

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("batchout")
}

/// Where a scenario runs: a temp folder (its working folder `work/`) and a store, either the
/// local store in `store/` or a fresh Azurite account reached through a connection string.
pub struct Backend {
    dir: tempfile::TempDir,
    azure: Option<(String, Arc<dyn Store>)>,
}

impl Backend {
    pub fn local() -> Backend {
        Backend {
            dir: tempfile::tempdir().unwrap(),
            azure: None,
        }
    }
    pub fn azure(connection_string: String, store: Arc<dyn Store>) -> Backend {
        Backend {
            dir: tempfile::tempdir().unwrap(),
            azure: Some((connection_string, store)),
        }
    }
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
    fn store(&self) -> Arc<dyn Store> {
        match &self.azure {
            Some((_, store)) => store.clone(),
            None => Arc::new(LocalStore::open(&self.dir.path().join("store")).unwrap()),
        }
    }
    /// The process environment for `batchout` on this backend, without the machine's own.
    pub fn configure(&self, cmd: &mut std::process::Command) {
        cmd.env_remove("AZ_BATCH_JOB_ID")
            .env_remove("AZ_BATCH_TASK_ID")
            .env_remove("BATCHOUT_STORE")
            .env_remove("AZURE_STORAGE_CONNECTION_STRING")
            .env_remove("AZURE_STORAGE_ACCOUNT")
            .env_remove("AZURE_STORAGE_KEY");
        match &self.azure {
            Some((conn, _)) => {
                cmd.env("AZURE_STORAGE_CONNECTION_STRING", conn);
            }
            None => {
                cmd.arg("--store").arg(self.dir.path().join("store"));
            }
        }
    }
    fn process(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(bin());
        self.configure(&mut cmd);
        cmd
    }
}

/// A `batchout` command on the backend's store, run in `work/`.
fn batchout(b: &Backend) -> Command {
    let work = b.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let mut cmd = b.process();
    cmd.current_dir(&work);
    Command::from_std(cmd)
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn blob(b: &Backend, container: &str, name: &str) -> Option<Vec<u8>> {
    let store = b.store();
    rt().block_on(async {
        let info = store.blob_info(container, name).await.ok()?;
        if info.len == 0 {
            return Some(Vec::new());
        }
        Some(
            store
                .read_range(container, name, ByteRange::all(), None)
                .await
                .unwrap()
                .data
                .to_vec(),
        )
    })
}

fn blob_names(b: &Backend, container: &str) -> Vec<String> {
    let store = b.store();
    rt().block_on(async {
        match batchout::store::list_all_blobs(store.as_ref(), container, &ListQuery::flat("")).await
        {
            Ok(items) => items.into_iter().map(|i| i.name().to_string()).collect(),
            Err(_) => Vec::new(),
        }
    })
}

fn write(b: &Backend, rel: &str, bytes: &[u8]) {
    let path = b.path().join("work").join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

pub fn prepare_is_idempotent(b: &Backend) {
    let dir = b;
    let container = format!("job-nightly-run-{}", sha1_hex("nightly_run"));
    batchout(dir)
        .args(["prepare", "Nightly_Run"])
        .assert()
        .success()
        .stdout(format!("{container} (created)\n"));
    let again = batchout(dir)
        .args(["prepare", "Nightly_Run"])
        .output()
        .unwrap();
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stdout).ends_with("(exists)\n"));
}

fn sha1_hex(s: &str) -> String {
    use sha1::Digest;
    hex::encode(sha1::Sha1::digest(s.as_bytes()))
}

pub fn save_files_folders_and_globs_under_the_relative_path_rule(b: &Backend) {
    let dir = b;
    write(dir, "out/a.txt", b"a");
    write(dir, "out/sub/b.csv", b"b,c\n");
    write(dir, "logs/1.log", b"one");
    write(dir, "logs/2.log", b"two");
    write(dir, "logs/skip.txt", b"no");
    write(dir, "single.json", b"{}");
    let out = batchout(dir)
        .args([
            "save",
            "--job",
            "j1",
            "--task",
            "t1",
            "out",
            "logs/*.log",
            "./single.json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("-> job-j1/t1/$TaskOutput/out/sub/b.csv"),
        "{stdout}"
    );
    assert!(stdout.contains("saved 5 files"), "{stdout}");
    let mut names = blob_names(dir, "job-j1");
    names.sort();
    assert_eq!(
        names,
        [
            "t1/$TaskOutput/logs/1.log",
            "t1/$TaskOutput/logs/2.log",
            "t1/$TaskOutput/out/a.txt",
            "t1/$TaskOutput/out/sub/b.csv",
            "t1/$TaskOutput/single.json"
        ]
    );
    assert_eq!(
        blob(dir, "job-j1", "t1/$TaskOutput/out/sub/b.csv").unwrap(),
        b"b,c\n"
    );
}

pub fn save_takes_job_and_task_from_the_batch_environment_and_strips_leading_dotdot(b: &Backend) {
    let dir = b;
    write(dir, "x/result.txt", b"r");
    let out = batchout(dir)
        .current_dir(dir.path().join("work/x"))
        .env("AZ_BATCH_JOB_ID", "EnvJob")
        .env("AZ_BATCH_TASK_ID", "task-7")
        .args(["save", "--kind", "TaskPreview", "../x/result.txt"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(
        blob(dir, "job-envjob", "task-7/$TaskPreview/x/result.txt").unwrap(),
        b"r"
    );
}

pub fn job_level_saves_need_a_job_kind(b: &Backend) {
    let dir = b;
    write(dir, "merged.mp4", b"video");
    let no_kind = batchout(dir)
        .args(["save", "--job", "j", "merged.mp4"])
        .output()
        .unwrap();
    assert_eq!(no_kind.status.code(), Some(1));
    assert!(
        stderr_of(&no_kind).contains("--kind"),
        "{}",
        stderr_of(&no_kind)
    );
    let task_kind = batchout(dir)
        .args([
            "save",
            "--job",
            "j",
            "--task",
            "-",
            "--kind",
            "TaskOutput",
            "merged.mp4",
        ])
        .output()
        .unwrap();
    assert_eq!(task_kind.status.code(), Some(1));
    assert!(stderr_of(&task_kind).contains("task kind"));
    batchout(dir)
        .args(["save", "--job", "j", "--kind", "JobOutput", "merged.mp4"])
        .assert()
        .success();
    assert_eq!(
        blob(dir, "job-j", "$JobOutput/merged.mp4").unwrap(),
        b"video"
    );
}

pub fn bad_input_gets_one_line_errors_and_writes_nothing(b: &Backend) {
    let dir = b;
    write(dir, "ok.txt", b"ok");
    let abs = dir.path().join("work/ok.txt");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["ok.txt".into(), "missing.txt".into()],
            "missing.txt: no such file",
        ),
        (vec![abs.to_str().unwrap().into()], "--as"),
        (
            vec!["--kind".into(), "Bad/Kind".into(), "ok.txt".into()],
            "invalid kind",
        ),
        (
            vec!["--as".into(), "../escape.txt".into(), "ok.txt".into()],
            "invalid destination",
        ),
        (vec!["nothing-*.txt".into()], "no files match"),
        (
            vec![
                "--as".into(),
                "a.txt".into(),
                "ok.txt".into(),
                "ok.txt".into(),
            ],
            "exactly one",
        ),
    ];
    for (args, expected) in cases {
        let out = batchout(dir)
            .args(["save", "--job", "j", "--task", "t"])
            .args(&args)
            .output()
            .unwrap();
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(expected), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(!err.contains("panicked"));
    }
    assert!(blob_names(dir, "job-j").is_empty());
    // An absolute path with --as is fine.
    batchout(dir)
        .args(["save", "--job", "j", "--task", "t", "--as", "kept/ok.txt"])
        .arg(&abs)
        .assert()
        .success();
    assert_eq!(
        blob(dir, "job-j", "t/$TaskOutput/kept/ok.txt").unwrap(),
        b"ok"
    );
}

pub fn run_streams_stdout_and_stderr_to_tasklog_and_passes_the_exit_code(b: &Backend) {
    let dir = b;
    let script = "printf 'out 1\\n'; printf 'err 1\\n' >&2; sleep 0.3; printf 'out 2 no newline'; printf 'err 2\\n' >&2; exit 3";
    let out = batchout(dir)
        .args([
            "run", "--job", "runjob", "--task", "t1", "--", "sh", "-c", script,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "out 1\nout 2 no newline"
    );
    assert_eq!(stderr_of(&out), "err 1\nerr 2\n");
    assert_eq!(
        blob(dir, "job-runjob", "t1/$TaskLog/stdout.txt").unwrap(),
        b"out 1\nout 2 no newline"
    );
    assert_eq!(
        blob(dir, "job-runjob", "t1/$TaskLog/stderr.txt").unwrap(),
        b"err 1\nerr 2\n"
    );
}

pub fn run_of_a_missing_command_exits_127_with_one_line(b: &Backend) {
    let dir = b;
    let out = batchout(dir)
        .args([
            "run",
            "--job",
            "j",
            "--task",
            "t",
            "--",
            "no-such-command-batchout-test",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(127));
    assert_eq!(stderr_of(&out).lines().count(), 1, "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("command not found"));
}

pub fn run_passes_sigterm_on_and_flushes_what_the_command_wrote(b: &Backend) {
    let dir = b;
    let child = dir
        .process()
        .current_dir(dir.path())
        .args(["run", "--job", "j", "--task", "t", "--", "sh", "-c"])
        .arg("trap 'echo got TERM; exit 7' TERM; echo started; while true; do sleep 0.05; done")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The trap is set before "started" is echoed: wait for it to reach the blob.
    assert!(
        crate::support::process::wait_until(Duration::from_secs(20), || {
            blob(dir, "job-j", "t/$TaskLog/stdout.txt").is_some_and(|b| b == b"started\n")
        }),
        "the command never started"
    );
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(7), "{}", stderr_of(&out));
    assert_eq!(
        blob(dir, "job-j", "t/$TaskLog/stdout.txt").unwrap(),
        b"started\ngot TERM\n"
    );
}

pub fn run_reports_a_command_killed_by_a_signal_as_128_plus_the_signal(b: &Backend) {
    let dir = b;
    let out = batchout(dir)
        .args([
            "run",
            "--job",
            "j",
            "--task",
            "t",
            "--",
            "sh",
            "-c",
            "echo bye; kill -9 $$",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(128 + 9));
    assert_eq!(
        blob(dir, "job-j", "t/$TaskLog/stdout.txt").unwrap(),
        b"bye\n"
    );
}

pub fn track_with_a_command_exits_with_its_code_after_a_last_flush(b: &Backend) {
    let dir = b;
    let out = batchout(dir)
        .args([
            "track",
            "--job",
            "j",
            "--task",
            "t",
            "progress.log",
            "--",
            "sh",
            "-c",
            "echo one > progress.log; sleep 0.2; echo two >> progress.log; exit 4",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr_of(&out));
    assert_eq!(
        blob(dir, "job-j", "t/$TaskLog/progress.log").unwrap(),
        b"one\ntwo\n"
    );
}

pub fn track_refuses_a_bad_interval_as_a_usage_error(b: &Backend) {
    let dir = b;
    let out = batchout(dir)
        .args([
            "track",
            "--job",
            "j",
            "--task",
            "t",
            "--interval",
            "soon",
            "x.log",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("invalid interval"));
}

/// `track` runs three times on one file: the first saves it; before the second it is
/// replaced (new inode, new content), which goes after what was saved; before the third the
/// new file grows, and only what it gained may go up (it used to go up whole again).
pub fn track_restarted_after_the_file_was_replaced_appends_only_the_new_bytes(b: &Backend) {
    let dir = b;
    let track = || {
        let out = batchout(dir)
            .args([
                "track", "--job", "j", "--task", "t", "app.log", "--", "true",
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr_of(&out));
        stderr_of(&out)
    };
    let first = b"first attempt: a longer line than the rest\n";
    write(dir, "app.log", first);
    track();
    let work = dir.path().join("work");
    std::fs::write(work.join("app.log.new"), b"second attempt\n").unwrap();
    std::fs::rename(work.join("app.log.new"), work.join("app.log")).unwrap();
    let said = track();
    assert!(said.contains("not the start of"), "{said}");
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(work.join("app.log"))
        .unwrap();
    f.write_all(b"more\n").unwrap();
    let said = track();
    assert!(
        said.contains(&format!(
            "the blob already holds its first 15 bytes, after {} bytes saved before it",
            first.len()
        )),
        "{said}"
    );
    assert_eq!(
        String::from_utf8(blob(dir, "job-j", "t/$TaskLog/app.log").unwrap()).unwrap(),
        "first attempt: a longer line than the rest\nsecond attempt\nmore\n"
    );
}

/// The lead's check: a file that another process appends to, `batchout track` killed with
/// SIGKILL at random moments and restarted; at the end the blob equals the file.
pub fn track_killed_with_sigkill_and_restarted_never_doubles_or_loses_a_byte(b: &Backend) {
    let dir = b;
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let log = work.join("growing.log");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Seeded and printed, so a failing run can be repeated.
    let mut rng = crate::support::process::seeded_rng(
        "track_killed_with_sigkill_and_restarted_never_doubles_or_loses_a_byte",
    );
    let writer = {
        let (log, stop) = (log.clone(), stop.clone());
        let mut rng = rand::rngs::StdRng::seed_from_u64(rng.random());
        std::thread::spawn(move || {
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&log)
                .unwrap();
            let mut n = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                // Lines of varying size, sometimes a burst larger than one 4 MiB block.
                let len = if n % 1500 == 1499 {
                    5 * 1024 * 1024
                } else {
                    rng.random_range(1..300)
                };
                let line: String = format!("{n:08} {}\n", "x".repeat(len));
                f.write_all(line.as_bytes()).unwrap();
                n += 1;
                std::thread::sleep(Duration::from_millis(rng.random_range(0..4)));
            }
        })
    };
    for _ in 0..6 {
        let child = dir
            .process()
            .current_dir(&work)
            .args([
                "track",
                "--job",
                "killjob",
                "--task",
                "t",
                "--interval",
                "100ms",
                "growing.log",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // SIGKILL at a random moment: no chance to flush or clean up.
        let at = Duration::from_millis(rng.random_range(200..2000));
        crate::support::process::kill_midway(child, Duration::ZERO, || true, at);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.join().unwrap();
    // A last run to completion: `-- true` ends at once, after the last flush.
    let out = batchout(dir)
        .args([
            "track",
            "--job",
            "killjob",
            "--task",
            "t",
            "growing.log",
            "--",
            "true",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("resuming"), "{}", stderr_of(&out));
    let file = std::fs::read(&log).unwrap();
    let saved = blob(dir, "job-killjob", "t/$TaskLog/growing.log").unwrap();
    assert_eq!(saved.len(), file.len());
    assert!(saved == file, "blob differs from the file");
}
