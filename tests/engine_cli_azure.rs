//! The CLI scenarios of tests/engine_cli_support on Azurite (each on a fresh account, reached
//! through AZURE_STORAGE_CONNECTION_STRING), plus what only Azure has: container SAS URLs.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

mod engine_cli_support;
mod support;

use assert_cmd::Command;
use engine_cli_support::Backend;

fn azurite() -> Backend {
    let account = support::azurite::fresh_account();
    Backend::azure(account.connection_string(), account.store())
}

engine_cli_scenarios!(azurite());

/// Tasks usually get a container SAS URL: save and track work through it; when the
/// container is missing, the SAS cannot create it and the error says what to do.
#[test]
fn save_and_track_through_a_container_sas_url() {
    let account = support::azurite::fresh_account();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("result.txt"), b"through a SAS").unwrap();
    std::fs::write(dir.path().join("log.txt"), b"tracked through a SAS\n").unwrap();
    let sas =
        support::azurite::container_sas(&account, "job-sasjob", "racwl", "2099-01-01T00:00:00Z");
    let url = format!("{}/job-sasjob?{sas}", account.blob_endpoint);
    let clean = |cmd: &mut Command| {
        cmd.current_dir(dir.path())
            .env_remove("BATCHOUT_STORE")
            .env_remove("AZURE_STORAGE_CONNECTION_STRING")
            .env_remove("AZ_BATCH_JOB_ID")
            .env_remove("AZ_BATCH_TASK_ID")
            .env("AZ_BATCH_JOB_ID", "sasjob")
            .env("AZ_BATCH_TASK_ID", "t1");
    };

    let mut missing = Command::new(assert_cmd::cargo::cargo_bin("batchout"));
    clean(&mut missing);
    let out = missing
        .args(["--store", &url, "save", "result.txt"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("batchout prepare sasjob"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!err.contains("sig="), "no secret in errors: {err}");

    let store = account.store();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(batchout::engine::prepare(
        store.as_ref(),
        "sasjob",
        &Default::default(),
    ))
    .unwrap();
    let mut save = Command::new(assert_cmd::cargo::cargo_bin("batchout"));
    clean(&mut save);
    save.args(["--store", &url, "save", "result.txt"])
        .assert()
        .success();
    let mut track = Command::new(assert_cmd::cargo::cargo_bin("batchout"));
    clean(&mut track);
    track
        .args(["--store", &url, "track", "log.txt", "--", "true"])
        .assert()
        .success();
    let read = |name: &str| {
        rt.block_on(store.read_range("job-sasjob", name, batchout::store::ByteRange::all(), None))
            .unwrap()
            .data
            .to_vec()
    };
    assert_eq!(read("t1/$TaskOutput/result.txt"), b"through a SAS");
    assert_eq!(read("t1/$TaskLog/log.txt"), b"tracked through a SAS\n");
}
