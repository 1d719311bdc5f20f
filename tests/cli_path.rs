//! `batchout path`, driving the real binary.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

use std::process::Command;

fn batchout(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_batchout"))
        .args(args)
        .env_remove("BATCHOUT_STORE")
        .output()
        .unwrap()
}

#[test]
fn prints_container_and_blob_one_per_line() {
    let out = batchout(&[
        "path",
        "MyTerrificJob",
        "task-1",
        "--kind",
        "TaskLog",
        "stdout.txt",
    ]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "job-myterrificjob\ntask-1/$TaskLog/stdout.txt\n"
    );
    let out = batchout(&["path", "my_job-bob"]);
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "job-my-job-bob-e04620bc2add214df74e158ba60d24273a0e0927\n"
    );
    let out = batchout(&["path", "j", "-", "out/x.bin"]);
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "job-j\n$JobOutput/out/x.bin\n"
    );
}

#[test]
fn bad_input_is_one_line_on_stderr_with_exit_1() {
    let out = batchout(&["path", "bad.job", "t", "x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("'.'"), "{err}");
    let out = batchout(&["path", "job", "t", "--kind", "a/b", "x"]);
    assert_eq!(out.status.code(), Some(1));
    let out = batchout(&["path", "job", "t", "../x"]);
    assert_eq!(out.status.code(), Some(1));
    let out = batchout(&["path", "--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2));
}
