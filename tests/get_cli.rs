//! `batchout get` on the local store, driving the real binary: layout, summary, exit codes,
//! globs, hostile names, and kill -9 in the middle of a 64 MiB download, then resume.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

mod download_scenarios;
mod support;

use batchout::store::local::LocalStore;
use download_scenarios::{data, new_container, put, sha256, sha256_file, tree};
use rand::Rng;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;
use support::process;

struct Env {
    _tmp: tempfile::TempDir,
    store_dir: PathBuf,
    out: PathBuf,
    store: LocalStore,
    rt: tokio::runtime::Runtime,
}

fn env() -> Env {
    let tmp = tempfile::tempdir().unwrap();
    let store_dir = tmp.path().join("store");
    let out = tmp.path().join("out");
    let store = LocalStore::open(&store_dir).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    Env {
        store_dir,
        out,
        store,
        rt,
        _tmp: tmp,
    }
}

impl Env {
    fn seed(&self, container: &str, files: &[(&str, &[u8])]) {
        self.rt.block_on(async {
            new_container(&self.store, container).await;
            for (n, b) in files {
                put(&self.store, container, n, b, None).await;
            }
        })
    }
    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_batchout"));
        c.arg("--store")
            .arg(&self.store_dir)
            .arg("get")
            .args(args)
            .arg("-o")
            .arg(&self.out);
        c.env_remove("BATCHOUT_STORE")
            .env_remove("BATCHOUT_GET_LIMIT");
        c
    }
    fn get(&self, args: &[&str]) -> (Output, String, String) {
        let out = self.cmd(args).output().unwrap();
        let (so, se) = (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        );
        (out, so, se)
    }
}

#[test]
fn downloads_a_job_into_the_layout_with_a_summary() {
    let e = env();
    e.seed(
        "job-myjob",
        &[
            ("t1/$TaskOutput/a.txt", b"a"),
            ("t1/$TaskLog/stdout.txt", b"log"),
            ("$JobOutput/j.txt", b"j"),
        ],
    );
    let (out, stdout, stderr) = e.get(&["MyJob"]);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert_eq!(
        std::fs::read(e.out.join("t1/TaskOutput/a.txt")).unwrap(),
        b"a"
    );
    assert_eq!(
        std::fs::read(e.out.join("t1/TaskLog/stdout.txt")).unwrap(),
        b"log"
    );
    assert_eq!(
        std::fs::read(e.out.join("_job/JobOutput/j.txt")).unwrap(),
        b"j"
    );
    assert!(
        stdout.contains("t1/TaskOutput/a.txt: downloaded"),
        "{stdout}"
    );
    assert!(
        stdout.lines().last().unwrap().starts_with("3 downloaded"),
        "{stdout}"
    );

    // Again: identical, skipped, success.
    let (out, stdout, _) = e.get(&["MyJob"]);
    assert!(out.status.success());
    assert!(stdout.contains("3 identical skipped"), "{stdout}");

    // A local edit is not overwritten: exit 1 with the reason; --overwrite replaces it.
    std::fs::write(e.out.join("t1/TaskOutput/a.txt"), b"mine").unwrap();
    let (out, _, stderr) = e.get(&["MyJob"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("not overwritten (use --overwrite)"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read(e.out.join("t1/TaskOutput/a.txt")).unwrap(),
        b"mine"
    );
    let (out, _, _) = e.get(&["MyJob", "--overwrite"]);
    assert!(out.status.success());
    assert_eq!(
        std::fs::read(e.out.join("t1/TaskOutput/a.txt")).unwrap(),
        b"a"
    );
}

#[test]
fn task_kind_and_globs_select() {
    let e = env();
    e.seed(
        "job-j",
        &[
            ("t1/$TaskOutput/a.txt", b"a"),
            ("t1/$TaskOutput/b.csv", b"b"),
            ("t1/$TaskLog/stdout.txt", b"log"),
            ("t2/$TaskOutput/c.txt", b"c"),
        ],
    );
    let (out, _, _) = e.get(&["j", "t1", "--kind", "TaskOutput", "*.csv"]);
    assert!(out.status.success());
    let files = |root: &Path| -> Vec<String> {
        tree(root)
            .into_iter()
            .filter(|p| root.join(p).is_file())
            .map(|p| p.display().to_string())
            .collect()
    };
    assert_eq!(files(&e.out), vec!["t1/TaskOutput/b.csv"]);
    // A glob in the TASK position (task ids never hold '.' or '*') means every task.
    let (out, _, _) = e.get(&["j", "*.txt"]);
    assert!(out.status.success());
    assert_eq!(
        files(&e.out),
        vec![
            "t1/TaskLog/stdout.txt",
            "t1/TaskOutput/a.txt",
            "t1/TaskOutput/b.csv",
            "t2/TaskOutput/c.txt"
        ]
    );
    let (out, _, stderr) = e.get(&["j", "t9"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("nothing to download"), "{stderr}");
    let (out, _, stderr) = e.get(&["nosuchjob"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn hostile_names_fail_the_run_and_write_nothing_outside() {
    let e = env();
    e.seed(
        "job-j",
        &[
            ("t1/$TaskOutput/../../../../evil.txt", b"evil"),
            ("t1/$TaskOutput/ok.txt", b"ok"),
        ],
    );
    let (out, _, stderr) = e.get(&["j"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("refused"), "{stderr}");
    assert_eq!(
        std::fs::read(e.out.join("t1/TaskOutput/ok.txt")).unwrap(),
        b"ok"
    );
    let parent = e.out.parent().unwrap();
    // Everything in the temp folder except the store itself: only the download folder.
    let written: Vec<_> = tree(parent)
        .into_iter()
        .filter(|p| !p.starts_with("store"))
        .collect();
    let expected: Vec<PathBuf> = [
        "out",
        "out/t1",
        "out/t1/TaskOutput",
        "out/t1/TaskOutput/ok.txt",
    ]
    .iter()
    .map(PathBuf::from)
    .collect();
    assert_eq!(written, expected);
}

/// `batchout get j`, killed with SIGKILL `extra` after its download got under way.
fn kill_midway(e: &Env, target: &Path, extra: Duration) {
    let child = e
        .cmd(&["j"])
        .env("BATCHOUT_GET_LIMIT", "16M")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    process::kill_midway(
        child,
        Duration::from_secs(20),
        || process::download_under_way(target),
        extra,
    );
    assert!(!target.exists(), "a partial file under the final name");
}

#[test]
fn kill_9_mid_download_then_resume_gives_the_same_bytes() {
    let e = env();
    let big = data(64 << 20, 11);
    e.seed("job-j", &[("t1/$TaskOutput/big.bin", &big)]);
    let target = e.out.join("t1/TaskOutput/big.bin");
    // A random moment within the ~4 s download (16 MiB/s), seeded and printed.
    let mut rng = process::seeded_rng("kill_9_mid_download_then_resume_gives_the_same_bytes");
    let jitter = Duration::from_millis(rng.random_range(200..1700));
    kill_midway(&e, &target, jitter);
    let (out, stdout, stderr) = e.get(&["j"]);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stderr.contains("resuming at"), "{stderr}");
    assert!(stdout.contains("1 resumed"), "{stdout}");
    assert_eq!(sha256_file(&target), sha256(&big));
    let leftovers: Vec<_> = tree(&e.out)
        .into_iter()
        .filter(|p| p.to_string_lossy().contains(".batchout-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn blob_changed_between_attempts_is_detected_and_restarted() {
    let e = env();
    e.seed("job-j", &[("t1/$TaskOutput/big.bin", &data(32 << 20, 12))]);
    let target = e.out.join("t1/TaskOutput/big.bin");
    kill_midway(&e, &target, Duration::from_millis(100));
    let newer = data(32 << 20, 13);
    e.seed("job-j", &[("t1/$TaskOutput/big.bin", &newer)]);
    let (out, _, stderr) = e.get(&["j"]);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("changed since the interrupted download; starting over"),
        "{stderr}"
    );
    assert_eq!(sha256_file(&target), sha256(&newer));
}

#[test]
fn ctrl_c_stops_with_130_and_the_next_run_resumes() {
    let e = env();
    let big = data(48 << 20, 14);
    e.seed("job-j", &[("t1/$TaskOutput/big.bin", &big)]);
    let target = e.out.join("t1/TaskOutput/big.bin");
    let child = e
        .cmd(&["j"])
        .env("BATCHOUT_GET_LIMIT", "16M")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    assert!(
        process::wait_until(Duration::from_secs(20), || process::download_under_way(
            &target
        )),
        "download never progressed"
    );
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("run the same command again to resume"),
        "{stderr}"
    );
    assert!(!target.exists());
    let (out, _, stderr) = e.get(&["j"]);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("resuming at"), "{stderr}");
    assert_eq!(sha256_file(&target), sha256(&big));
}
