//! `batchout prepare/save/track/run` as a user runs them, on the local store in a temp
//! folder: real processes, real signals (including kill -9), blobs read back byte for byte.

mod support;

use assert_cmd::Command;
use batchout::store::{local::LocalStore, ByteRange, ListQuery, Store};
use rand::Rng;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("batchout")
}

/// A `batchout` command on the store in `dir/store`, run in `dir/work`, without the
/// environment of the machine the tests run on.
fn batchout(dir: &Path) -> Command {
    let work = dir.join("work");
    std::fs::create_dir_all(&work).unwrap();
    let mut cmd = Command::new(bin());
    cmd.current_dir(&work)
        .arg("--store")
        .arg(dir.join("store"))
        .env_remove("AZ_BATCH_JOB_ID")
        .env_remove("AZ_BATCH_TASK_ID")
        .env_remove("BATCHOUT_STORE");
    cmd
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

fn blob(dir: &Path, container: &str, name: &str) -> Option<Vec<u8>> {
    let store = LocalStore::open(&dir.join("store")).unwrap();
    rt().block_on(async {
        let info = store.blob_info(container, name).await.ok()?;
        if info.len == 0 {
            return Some(Vec::new());
        }
        Some(store.read_range(container, name, ByteRange::all(), None).await.unwrap().data.to_vec())
    })
}

fn blob_names(dir: &Path, container: &str) -> Vec<String> {
    let store = LocalStore::open(&dir.join("store")).unwrap();
    rt().block_on(async {
        match batchout::store::list_all_blobs(&store, container, &ListQuery::flat("")).await {
            Ok(items) => items.into_iter().map(|i| i.name().to_string()).collect(),
            Err(_) => Vec::new(),
        }
    })
}

fn write(dir: &Path, rel: &str, bytes: &[u8]) {
    let path = dir.join("work").join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

#[test]
fn prepare_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let container = format!("job-nightly-run-{}", sha1_hex("nightly_run"));
    batchout(dir.path()).args(["prepare", "Nightly_Run"]).assert().success().stdout(format!("{container} (created)\n"));
    let again = batchout(dir.path()).args(["prepare", "Nightly_Run"]).output().unwrap();
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stdout).ends_with("(exists)\n"));
}

fn sha1_hex(s: &str) -> String {
    use sha1::Digest;
    hex::encode(sha1::Sha1::digest(s.as_bytes()))
}

#[test]
fn save_files_folders_and_globs_under_the_relative_path_rule() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "out/a.txt", b"a");
    write(dir.path(), "out/sub/b.csv", b"b,c\n");
    write(dir.path(), "logs/1.log", b"one");
    write(dir.path(), "logs/2.log", b"two");
    write(dir.path(), "logs/skip.txt", b"no");
    write(dir.path(), "single.json", b"{}");
    let out = batchout(dir.path())
        .args(["save", "--job", "j1", "--task", "t1", "out", "logs/*.log", "./single.json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("-> job-j1/t1/$TaskOutput/out/sub/b.csv"), "{stdout}");
    assert!(stdout.contains("saved 5 files"), "{stdout}");
    let mut names = blob_names(dir.path(), "job-j1");
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
    assert_eq!(blob(dir.path(), "job-j1", "t1/$TaskOutput/out/sub/b.csv").unwrap(), b"b,c\n");
}

#[test]
fn save_takes_job_and_task_from_the_batch_environment_and_strips_leading_dotdot() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "x/result.txt", b"r");
    let out = batchout(dir.path())
        .current_dir(dir.path().join("work/x"))
        .env("AZ_BATCH_JOB_ID", "EnvJob")
        .env("AZ_BATCH_TASK_ID", "task-7")
        .args(["save", "--kind", "TaskPreview", "../x/result.txt"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(blob(dir.path(), "job-envjob", "task-7/$TaskPreview/x/result.txt").unwrap(), b"r");
}

#[test]
fn job_level_saves_need_a_job_kind() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "merged.mp4", b"video");
    let no_kind = batchout(dir.path()).args(["save", "--job", "j", "merged.mp4"]).output().unwrap();
    assert_eq!(no_kind.status.code(), Some(1));
    assert!(stderr_of(&no_kind).contains("--kind"), "{}", stderr_of(&no_kind));
    let task_kind = batchout(dir.path()).args(["save", "--job", "j", "--task", "-", "--kind", "TaskOutput", "merged.mp4"]).output().unwrap();
    assert_eq!(task_kind.status.code(), Some(1));
    assert!(stderr_of(&task_kind).contains("task kind"));
    batchout(dir.path()).args(["save", "--job", "j", "--kind", "JobOutput", "merged.mp4"]).assert().success();
    assert_eq!(blob(dir.path(), "job-j", "$JobOutput/merged.mp4").unwrap(), b"video");
}

#[test]
fn bad_input_gets_one_line_errors_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "ok.txt", b"ok");
    let abs = dir.path().join("work/ok.txt");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec!["ok.txt".into(), "missing.txt".into()], "missing.txt: no such file"),
        (vec![abs.to_str().unwrap().into()], "--as"),
        (vec!["--kind".into(), "Bad/Kind".into(), "ok.txt".into()], "invalid kind"),
        (vec!["--as".into(), "../escape.txt".into(), "ok.txt".into()], "invalid destination"),
        (vec!["nothing-*.txt".into()], "no files match"),
        (vec!["--as".into(), "a.txt".into(), "ok.txt".into(), "ok.txt".into()], "exactly one"),
    ];
    for (args, expected) in cases {
        let out = batchout(dir.path()).args(["save", "--job", "j", "--task", "t"]).args(&args).output().unwrap();
        let err = stderr_of(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(expected), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(!err.contains("panicked"));
    }
    assert!(blob_names(dir.path(), "job-j").is_empty());
    // An absolute path with --as is fine.
    batchout(dir.path()).args(["save", "--job", "j", "--task", "t", "--as", "kept/ok.txt"]).arg(&abs).assert().success();
    assert_eq!(blob(dir.path(), "job-j", "t/$TaskOutput/kept/ok.txt").unwrap(), b"ok");
}

#[test]
fn run_streams_stdout_and_stderr_to_tasklog_and_passes_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let script = "printf 'out 1\\n'; printf 'err 1\\n' >&2; sleep 0.3; printf 'out 2 no newline'; printf 'err 2\\n' >&2; exit 3";
    let out = batchout(dir.path())
        .args(["run", "--job", "runjob", "--task", "t1", "--", "sh", "-c", script])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr_of(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "out 1\nout 2 no newline");
    assert_eq!(stderr_of(&out), "err 1\nerr 2\n");
    assert_eq!(blob(dir.path(), "job-runjob", "t1/$TaskLog/stdout.txt").unwrap(), b"out 1\nout 2 no newline");
    assert_eq!(blob(dir.path(), "job-runjob", "t1/$TaskLog/stderr.txt").unwrap(), b"err 1\nerr 2\n");
}

#[test]
fn run_of_a_missing_command_exits_127_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = batchout(dir.path())
        .args(["run", "--job", "j", "--task", "t", "--", "no-such-command-batchout-test"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(127));
    assert_eq!(stderr_of(&out).lines().count(), 1, "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("command not found"));
}

#[test]
fn run_passes_sigterm_on_and_flushes_what_the_command_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let child = std::process::Command::new(bin())
        .current_dir(dir.path())
        .arg("--store")
        .arg(dir.path().join("store"))
        .args(["run", "--job", "j", "--task", "t", "--", "sh", "-c"])
        .arg("trap 'echo got TERM; exit 7' TERM; echo started; while true; do sleep 0.05; done")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(800));
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(7), "{}", stderr_of(&out));
    assert_eq!(blob(dir.path(), "job-j", "t/$TaskLog/stdout.txt").unwrap(), b"started\ngot TERM\n");
}

#[test]
fn run_reports_a_command_killed_by_a_signal_as_128_plus_the_signal() {
    let dir = tempfile::tempdir().unwrap();
    let out = batchout(dir.path()).args(["run", "--job", "j", "--task", "t", "--", "sh", "-c", "echo bye; kill -9 $$"]).output().unwrap();
    assert_eq!(out.status.code(), Some(128 + 9));
    assert_eq!(blob(dir.path(), "job-j", "t/$TaskLog/stdout.txt").unwrap(), b"bye\n");
}

#[test]
fn track_with_a_command_exits_with_its_code_after_a_last_flush() {
    let dir = tempfile::tempdir().unwrap();
    let out = batchout(dir.path())
        .args(["track", "--job", "j", "--task", "t", "progress.log", "--", "sh", "-c", "echo one > progress.log; sleep 0.2; echo two >> progress.log; exit 4"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr_of(&out));
    assert_eq!(blob(dir.path(), "job-j", "t/$TaskLog/progress.log").unwrap(), b"one\ntwo\n");
}

#[test]
fn track_refuses_a_bad_interval_as_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = batchout(dir.path()).args(["track", "--job", "j", "--task", "t", "--interval", "soon", "x.log"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("invalid interval"));
}

/// The lead's check: a file that another process appends to, `batchout track` killed with
/// SIGKILL at random moments and restarted; at the end the blob equals the file.
#[test]
fn track_killed_with_sigkill_and_restarted_never_doubles_or_loses_a_byte() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let log = work.join("growing.log");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (log, stop) = (log.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut f = std::fs::OpenOptions::new().create(true).append(true).open(&log).unwrap();
            let mut n = 0u64;
            let mut rng = rand::rng();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                // Lines of varying size, sometimes a burst larger than one 4 MiB block.
                let len = if n % 397 == 396 { 5 * 1024 * 1024 } else { rng.random_range(1..300) };
                let line: String = format!("{n:08} {}\n", "x".repeat(len));
                f.write_all(line.as_bytes()).unwrap();
                n += 1;
                std::thread::sleep(Duration::from_millis(rng.random_range(0..4)));
            }
        })
    };
    let mut rng = rand::rng();
    for _ in 0..6 {
        let mut child = std::process::Command::new(bin())
            .current_dir(&work)
            .arg("--store")
            .arg(dir.path().join("store"))
            .args(["track", "--job", "killjob", "--task", "t", "--interval", "100ms", "growing.log"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.random_range(150..900)));
        child.kill().unwrap(); // SIGKILL: no chance to flush or clean up
        child.wait().unwrap();
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.join().unwrap();
    // A last run to completion: `-- true` ends at once, after the last flush.
    let out = batchout(dir.path())
        .args(["track", "--job", "killjob", "--task", "t", "growing.log", "--", "true"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("resuming"), "{}", stderr_of(&out));
    let file = std::fs::read(&log).unwrap();
    let saved = blob(dir.path(), "job-killjob", "t/$TaskLog/growing.log").unwrap();
    assert_eq!(saved.len(), file.len());
    assert!(saved == file, "blob differs from the file");
}
