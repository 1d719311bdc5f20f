//! Errors a new user meets first (issue 16, item 6), driving the real binary: a read on a
//! local store that does not exist says so and creates nothing (writes still create it),
//! unsupported `--store` schemes are refused, and a missing job has one wording everywhere.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

use std::path::Path;
use std::process::{Command, Output};

fn batchout(store: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_batchout"))
        .arg("--store")
        .arg(store)
        .args(args)
        .env_remove("BATCHOUT_STORE")
        .env_remove("BATCHOUT_PROFILE")
        // No user config file can change the outcome.
        .env("BATCHOUT_CONFIG", "/dev/null")
        .output()
        .unwrap()
}

/// One line on stderr, exit 1, no panic.
fn one_line_failure(o: &Output) -> String {
    let err = String::from_utf8(o.stderr.clone()).unwrap();
    assert_eq!(o.status.code(), Some(1), "stderr: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err:?}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn reads_on_a_missing_local_store_say_so_and_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("typo").join("path");
    let m = missing.to_str().unwrap();
    for args in [
        &["jobs"][..],
        &["ls", "job1"],
        &["cat", "job1", "t1", "TaskOutput", "a.txt"],
        &["tail", "job1", "t1"],
        &[
            "get",
            "job1",
            "-o",
            dir.path().join("out").to_str().unwrap(),
        ],
        &["ui"],
    ] {
        let o = batchout(m, args);
        let err = one_line_failure(&o);
        assert!(
            err.contains(&format!("local store {m} does not exist")),
            "{args:?}: {err}"
        );
        assert!(
            !dir.path().join("typo").exists(),
            "{args:?} created the folder"
        );
        assert!(!dir.path().join("out").exists(), "{args:?} created -o");
    }
}

#[test]
fn writes_still_create_a_missing_local_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("new-store");
    let o = batchout(store.to_str().unwrap(), &["prepare", "job1"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(store.is_dir());
    let o = batchout(store.to_str().unwrap(), &["jobs"]);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("job1"));
}

#[test]
fn a_file_given_as_store_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("f");
    std::fs::write(&file, b"x").unwrap();
    let err = one_line_failure(&batchout(file.to_str().unwrap(), &["jobs"]));
    assert!(err.contains("is not a folder"), "{err}");
}

#[test]
fn unsupported_schemes_are_refused_not_taken_as_folders() {
    let dir = tempfile::tempdir().unwrap();
    for url in [
        "ftp://x",
        "s3://bucket/key",
        "file:///tmp/x",
        "wasbs://c@a.blob.core.windows.net",
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_batchout"))
            .current_dir(dir.path())
            .args(["--store", url, "prepare", "job1"])
            .env("BATCHOUT_CONFIG", "/dev/null")
            .output()
            .unwrap();
        let err = one_line_failure(&o);
        let scheme = url.split("://").next().unwrap();
        assert!(
            err.contains(&format!("{scheme}:// is not supported")),
            "{url}: {err}"
        );
        assert!(err.contains("https://"), "{err}");
    }
    // Nothing named `ftp:` (or anything else) appeared in the working folder.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_missing_job_has_one_wording_in_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    std::fs::create_dir(&store).unwrap();
    let s = store.to_str().unwrap();
    let canonical = std::fs::canonicalize(&store).unwrap();
    let expected = format!(
        "batchout: no persisted outputs for job nosuch: container job-nosuch does not exist in local store {}",
        canonical.display()
    );
    let out = dir.path().join("out");
    // (`tail -f` waits for a job whose container is not there yet: tasks may create it.)
    for args in [
        &["ls", "nosuch"][..],
        &["ls", "nosuch", "t1"],
        &["cat", "nosuch", "t1", "TaskOutput", "a.txt"],
        &["tail", "nosuch", "t1"],
        &["tail", "nosuch", "--both", "t1"],
        &["get", "nosuch", "-o", out.to_str().unwrap()],
    ] {
        let err = one_line_failure(&batchout(s, args));
        assert_eq!(err.trim_end(), expected, "{args:?}");
    }
    assert!(!Path::new(&out).exists());
}
