//! `batchout tail` as a user runs it: the real binary on a local store in a temp folder.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

mod support;

use assert_cmd::Command;
use batchout::store::local::LocalStore;
use batchout::store::{PutOptions, Store};
use bytes::Bytes;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

const JOB: &str = "tailjob";
const C: &str = "job-tailjob";

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Append to a log the way `batchout run` does (an append blob, created if missing).
fn append(dir: &Path, blob: &str, data: &[u8]) {
    let store = LocalStore::open(dir).unwrap();
    rt().block_on(async {
        store.create_container(C, &BTreeMap::new()).await.unwrap();
        let (info, _) = store
            .create_append_blob(C, blob, &PutOptions::default())
            .await
            .unwrap();
        let mut pos = info.len;
        for part in data.chunks(4 * 1024 * 1024) {
            pos = store
                .append_block(C, blob, Bytes::copy_from_slice(part), pos)
                .await
                .unwrap()
                .len;
        }
    });
}

fn delete(dir: &Path, blob: &str) {
    let store = LocalStore::open(dir).unwrap();
    rt().block_on(store.delete_blob(C, blob)).unwrap();
}

fn tail(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("batchout").unwrap();
    cmd.arg("--store")
        .arg(dir)
        .arg("tail")
        .env_remove("NO_COLOR");
    cmd
}

fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("tail output is UTF-8")
}

fn numbered(from: usize, to: usize) -> String {
    (from..to).map(|i| format!("line {i}\n")).collect()
}

#[test]
fn prints_the_last_lines() {
    let dir = tempfile::tempdir().unwrap();
    append(
        dir.path(),
        "t1/$TaskLog/stdout.txt",
        numbered(0, 30).as_bytes(),
    );
    assert_eq!(
        stdout_of(tail(dir.path()).args([JOB, "t1"])),
        numbered(20, 30)
    );
    assert_eq!(
        stdout_of(tail(dir.path()).args([JOB, "t1", "-n", "3"])),
        numbered(27, 30)
    );
    assert_eq!(
        stdout_of(tail(dir.path()).args([JOB, "t1", "-n", "all"])),
        numbered(0, 30)
    );
    assert_eq!(stdout_of(tail(dir.path()).args([JOB, "t1", "-n", "0"])), "");
    assert_eq!(
        stdout_of(tail(dir.path()).args([JOB, "t1", "stdout.txt", "-n", "1"])),
        "line 29\n"
    );
}

#[test]
fn an_unfinished_last_line_is_printed_as_is() {
    let dir = tempfile::tempdir().unwrap();
    append(
        dir.path(),
        "t1/$TaskLog/stdout.txt",
        b"one\ntwo\nthree without newline",
    );
    assert_eq!(
        stdout_of(tail(dir.path()).args([JOB, "t1", "-n", "2"])),
        "two\nthree without newline"
    );
}

#[test]
fn stderr_and_both_with_plain_prefixes_when_piped() {
    let dir = tempfile::tempdir().unwrap();
    append(dir.path(), "t1/$TaskLog/stdout.txt", b"out 1\nout 2\n");
    append(dir.path(), "t1/$TaskLog/stderr.txt", b"err 1\n");
    assert_eq!(
        stdout_of(tail(dir.path()).args([JOB, "t1", "--stderr"])),
        "err 1\n"
    );
    let both = stdout_of(tail(dir.path()).args([JOB, "t1", "--both"]));
    assert_eq!(both, "stderr err 1\nstdout out 1\nstdout out 2\n");
    assert!(!both.contains('\x1b'), "no colours when piped");
}

#[test]
fn several_tasks_and_all_tasks() {
    let dir = tempfile::tempdir().unwrap();
    for t in ["a", "b", "c"] {
        append(
            dir.path(),
            &format!("{t}/$TaskLog/stdout.txt"),
            format!("hi from {t}\n").as_bytes(),
        );
    }
    let two = stdout_of(tail(dir.path()).args([JOB, "a", "--task", "c"]));
    assert_eq!(two, "a/stdout hi from a\nc/stdout hi from c\n");
    let all = stdout_of(tail(dir.path()).args([JOB, "--all"]));
    assert_eq!(
        all,
        "a/stdout hi from a\nb/stdout hi from b\nc/stdout hi from c\n"
    );
}

#[test]
fn escape_sequences_and_controls_are_neutralised() {
    let dir = tempfile::tempdir().unwrap();
    let hostile = "\x1b]0;pwned\x07ok \x1b[31mred\x1b[0m\x1b[2J\x07 \u{202E}evil\x1bP1$qm\x1b\\ \u{9b}2Jx\tcol\r\n";
    append(dir.path(), "t1/$TaskLog/stdout.txt", hostile.as_bytes());
    let out = stdout_of(tail(dir.path()).args([JOB, "t1"]));
    for bad in ['\x1b', '\x07', '\u{202E}', '\u{9b}', '\r'] {
        assert!(!out.contains(bad), "{bad:?} reached the terminal: {out:?}");
    }
    assert!(
        out.contains("ok ")
            && out.contains("red")
            && out.contains("evil")
            && out.contains("x\tcol\n")
    );
    assert!(!out.contains("pwned"), "an OSC title is removed whole");
}

#[test]
fn invalid_utf8_and_a_10_mb_line_are_printed_safely() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = b"bad \xff\xfe\n".to_vec();
    data.extend(std::iter::repeat_n(b'y', 10 * 1024 * 1024));
    data.extend_from_slice(b"\nlast\n");
    append(dir.path(), "t1/$TaskLog/stdout.txt", &data);
    let out = stdout_of(tail(dir.path()).args([JOB, "t1", "-n", "all"]));
    let lines: Vec<&str> = out.split('\n').collect();
    assert_eq!(lines[0], "bad \u{FFFD}\u{FFFD}");
    assert_eq!(
        lines[1].len(),
        10 * 1024 * 1024,
        "the long line arrives whole"
    );
    assert_eq!(&lines[2..], ["last", ""]);
}

#[test]
fn errors_are_one_line_with_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    append(dir.path(), "t1/$TaskLog/stdout.txt", b"x\n");
    let cases: [(&[&str], i32, &str); 6] = [
        (&[JOB, "t2"], 1, "no log t2/stdout.txt"),
        (
            &["otherjob", "t1"],
            1,
            "no persisted outputs for job otherjob",
        ),
        (&[JOB, "t1", "-n", "lots"], 2, "-n takes a number"),
        (&[JOB], 2, "needs a TASK"),
        (&[JOB, "t1", "--all"], 2, "--all follows every task"),
        (
            &[JOB, "t1", "x.txt", "--stderr"],
            2,
            "either FILE or --stderr",
        ),
    ];
    for (args, code, msg) in cases {
        let out = tail(dir.path()).args(args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
        assert!(err.contains(msg), "{args:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
    }
}

/// Reads a child's stdout lines on a thread, so the test can wait with a timeout.
fn line_reader(stdout: std::process::ChildStdout) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn expect_line(rx: &mpsc::Receiver<String>, want: &str) -> Duration {
    let t = Instant::now();
    let got = rx
        .recv_timeout(Duration::from_secs(10))
        .unwrap_or_else(|_| panic!("no line {want:?} within 10 s"));
    assert_eq!(got, want);
    t.elapsed()
}

#[test]
fn follow_picks_up_appended_lines_across_a_truncation() {
    let dir = tempfile::tempdir().unwrap();
    let blob = "t1/$TaskLog/stdout.txt";
    append(dir.path(), blob, b"old 1\nold 2\n");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("batchout"))
        .arg("--store")
        .arg(dir.path())
        .args(["tail", "-f", "-n", "1", JOB, "t1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let rx = line_reader(child.stdout.take().unwrap());
    expect_line(&rx, "old 2");
    for i in 0..5 {
        append(dir.path(), blob, format!("new {i}\n").as_bytes());
        let waited = expect_line(&rx, &format!("new {i}"));
        assert!(waited < Duration::from_secs(3), "line {i} took {waited:?}");
    }
    // Truncated (re-created): the new content is shown from its start, once.
    delete(dir.path(), blob);
    append(dir.path(), blob, b"fresh 1\nfresh 2\n");
    expect_line(&rx, "fresh 1");
    expect_line(&rx, "fresh 2");
    append(dir.path(), blob, b"fresh 3\n");
    expect_line(&rx, "fresh 3");
    assert!(
        rx.recv_timeout(Duration::from_millis(1500)).is_err(),
        "nothing doubled"
    );
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("t1/stdout.txt"),
        "the reload was announced on stderr: {err}"
    );
}

#[test]
fn follow_all_picks_up_tasks_that_start_later() {
    let dir = tempfile::tempdir().unwrap();
    append(dir.path(), "a/$TaskLog/stdout.txt", b"a1\n");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("batchout"))
        .arg("--store")
        .arg(dir.path())
        .args(["tail", "-f", JOB, "--all", "--both"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let rx = line_reader(child.stdout.take().unwrap());
    expect_line(&rx, "a/stdout a1");
    append(dir.path(), "b/$TaskLog/stderr.txt", b"b says hi\n");
    expect_line(&rx, "b/stderr b says hi");
    append(dir.path(), "a/$TaskLog/stdout.txt", b"a2\n");
    expect_line(&rx, "a/stdout a2");
    child.kill().unwrap();
    child.wait().unwrap();
}
