//! The real binary against Azurite: `jobs`, `ls`, `cat` with every way of naming an Azure
//! store (`--store` SAS URL, account URL + account variables, `--store azurite`, the
//! connection string), and the one-line errors a user sees.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

mod support;

use batchout::conventions::{self, Scope};
use batchout::store::{PutOptions, Store};
use bytes::Bytes;
use std::collections::BTreeMap;
use std::process::{Command, Output};
use support::azurite;

/// The binary with no Azure or batchout variables from the caller's environment.
fn batchout() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_batchout"));
    for v in [
        "BATCHOUT_STORE",
        "AZURE_STORAGE_CONNECTION_STRING",
        "AZURE_STORAGE_ACCOUNT",
        "AZURE_STORAGE_KEY",
        "AZURE_STORAGE_SAS_TOKEN",
        "BATCHOUT_AZURITE_BLOB_ENDPOINT",
    ] {
        c.env_remove(v);
    }
    c
}

fn run(c: &mut Command) -> Output {
    c.output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn one_line_failure(o: &Output) -> String {
    let e = stderr(o);
    assert_eq!(
        o.status.code(),
        Some(1),
        "stdout: {} stderr: {e}",
        stdout(o)
    );
    assert_eq!(e.trim_end().lines().count(), 1, "one line: {e:?}");
    assert!(
        !e.contains("panicked") && !e.contains("RUST_BACKTRACE"),
        "{e}"
    );
    e
}

/// Outputs as the .NET Batch File Conventions library writes them (no batchout metadata),
/// for a job whose id needs a hashed container name, plus a log appended in two blocks.
async fn seed(store: &dyn Store, job: &str) -> String {
    let container = conventions::container_name(job).unwrap();
    store
        .create_container(&container, &BTreeMap::new())
        .await
        .unwrap();
    let files = [
        (
            Scope::Job,
            "JobOutput",
            "report.txt",
            b"job report\n".to_vec(),
        ),
        (
            Scope::Task("task-1".into()),
            "TaskOutput",
            "images/frame 1.png",
            vec![0x89, b'P', b'N', b'G', 0, 7],
        ),
        (
            Scope::Task("task-2".into()),
            "TaskOutput",
            "x.txt",
            b"x\n".to_vec(),
        ),
    ];
    for (scope, kind, path, data) in files {
        let blob = conventions::blob_name(&scope, kind, path).unwrap();
        store
            .put_block_blob(&container, &blob, Bytes::from(data), &PutOptions::default())
            .await
            .unwrap();
    }
    let log =
        conventions::blob_name(&Scope::Task("task-1".into()), "TaskLog", "stdout.txt").unwrap();
    store
        .create_append_blob(&container, &log, &PutOptions::default())
        .await
        .unwrap();
    store
        .append_block(&container, &log, Bytes::from_static(b"one\n"), 0)
        .await
        .unwrap();
    store
        .append_block(&container, &log, Bytes::from_static(b"two\n"), 4)
        .await
        .unwrap();
    container
}

const JOB: &str = "Nightly_Render:42";

#[tokio::test]
async fn connection_string_jobs_ls_cat() {
    let acct = azurite::fresh_account();
    let container = seed(&*acct.store(), JOB).await;
    let cs = acct.connection_string();
    let o = run(batchout()
        .env("AZURE_STORAGE_CONNECTION_STRING", &cs)
        .args(["jobs", "--json"]));
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["container"], container.as_str());
    assert!(v[0]["job"].is_null(), "the .NET library records no job id");

    let o = run(batchout()
        .env("AZURE_STORAGE_CONNECTION_STRING", &cs)
        .args(["ls", JOB]));
    assert!(o.status.success(), "{}", stderr(&o));
    // SCOPE first, NAME last (status columns in between: tests/status_cli.rs).
    let rows: Vec<(String, String)> = stdout(&o)
        .lines()
        .map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            (w[0].to_string(), w[w.len() - 1].to_string())
        })
        .collect();
    let want = [
        ("SCOPE", "NAME"),
        ("job", "JobOutput"),
        ("task", "task-1"),
        ("task", "task-2"),
    ];
    assert_eq!(rows, want.map(|(a, b)| (a.to_string(), b.to_string())));

    let o = run(batchout()
        .env("AZURE_STORAGE_CONNECTION_STRING", &cs)
        .args(["ls", JOB, "task-1", "--json"]));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut got: Vec<(String, String, u64)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap().into(),
                f["path"].as_str().unwrap().into(),
                f["size"].as_u64().unwrap(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("TaskLog".into(), "stdout.txt".into(), 8),
            ("TaskOutput".into(), "images/frame 1.png".into(), 6)
        ]
    );

    let o = run(batchout()
        .env("AZURE_STORAGE_CONNECTION_STRING", &cs)
        .args(["cat", JOB, "task-1", "TaskLog", "stdout.txt"]));
    assert_eq!(o.stdout, b"one\ntwo\n", "{}", stderr(&o));
    let o = run(batchout()
        .env("AZURE_STORAGE_CONNECTION_STRING", &cs)
        .args(["cat", JOB, "-", "JobOutput", "report.txt"]));
    assert_eq!(o.stdout, b"job report\n", "{}", stderr(&o));
}

#[tokio::test]
async fn store_sas_url_for_one_container() {
    let acct = azurite::fresh_account();
    let container = seed(&*acct.store(), JOB).await;
    let sas = azurite::container_sas(&acct, &container, "rl", "2099-01-01T00:00:00Z");
    let url = format!("{}/{container}?{sas}", acct.blob_endpoint);
    let o = run(batchout().args(["--store", &url, "jobs"]));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains(&container), "{}", stdout(&o));
    let o = run(batchout().args(["--store", &url, "cat", JOB, "task-2", "TaskOutput", "x.txt"]));
    assert_eq!(o.stdout, b"x\n", "{}", stderr(&o));
    // Secrets never reach the screen, even in errors.
    let o = run(batchout().args([
        "--store",
        &url,
        "cat",
        JOB,
        "task-2",
        "TaskOutput",
        "missing.txt",
    ]));
    let e = one_line_failure(&o);
    assert!(!e.contains(sas.split("sig=").nth(1).unwrap()), "{e}");
}

#[tokio::test]
async fn account_url_with_account_variables_and_batchout_store() {
    let acct = azurite::fresh_account();
    seed(&*acct.store(), JOB).await;
    let o = run(batchout()
        .env("AZURE_STORAGE_ACCOUNT", &acct.name)
        .env("AZURE_STORAGE_KEY", &acct.key)
        .args(["--store", &acct.blob_endpoint, "ls", JOB, "task-2"]));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("x.txt"), "{}", stdout(&o));
    // BATCHOUT_STORE names the same store without --store.
    let o = run(batchout()
        .env("BATCHOUT_STORE", &acct.blob_endpoint)
        .env("AZURE_STORAGE_ACCOUNT", &acct.name)
        .env("AZURE_STORAGE_KEY", &acct.key)
        .args(["ls", JOB, "task-2"]));
    assert!(stdout(&o).contains("x.txt"), "{}", stderr(&o));
}

#[tokio::test]
async fn store_azurite_uses_the_well_known_account() {
    let endpoint = azurite::devstore_endpoint();
    let s = batchout::store::azure::AzureStore::with_account_key(
        &endpoint,
        batchout::store::azure::AZURITE_ACCOUNT,
        batchout::store::azure::AZURITE_ACCOUNT_KEY,
    )
    .unwrap();
    let job = "cli-azurite-job";
    seed(&s, job).await;
    let o = run(batchout()
        .env("BATCHOUT_AZURITE_BLOB_ENDPOINT", &endpoint)
        .args(["--store", "azurite", "ls", job]));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("task-1"));
    let o = run(batchout()
        .env("BATCHOUT_AZURITE_BLOB_ENDPOINT", &endpoint)
        .env(
            "AZURE_STORAGE_CONNECTION_STRING",
            "UseDevelopmentStorage=true",
        )
        .args(["ls", job]));
    assert!(stdout(&o).contains("task-1"), "{}", stderr(&o));
}

#[tokio::test]
async fn errors_are_one_line_and_actionable() {
    let acct = azurite::fresh_account();
    seed(&*acct.store(), JOB).await;
    let cs = acct.connection_string();
    let e = one_line_failure(&run(batchout()
        .env("AZURE_STORAGE_CONNECTION_STRING", &cs)
        .args(["ls", "no-such-job"])));
    assert!(e.contains("no persisted outputs for job no-such-job: container job-no-such-job does not exist in azure account"), "{e}");
    assert!(e.contains(&acct.name), "{e}");

    let wrong = cs.replace(
        &acct.key,
        "d3Jvbmcga2V5IHdyb25nIGtleSB3cm9uZyBrZXkgd3Jvbmcga2V5IHdyb25nIGtleQ==",
    );
    let e = one_line_failure(&run(batchout()
        .env("AZURE_STORAGE_CONNECTION_STRING", &wrong)
        .args(["jobs"])));
    assert!(
        e.contains("not authorized") && e.contains("AccountKey"),
        "{e}"
    );
    assert!(!e.contains("d3Jvbmcga2V5"), "{e}");

    let e = one_line_failure(&run(batchout()
        .env(
            "AZURE_STORAGE_CONNECTION_STRING",
            "AccountName=x;AccountKey=SECRETKEY;;junk",
        )
        .args(["jobs"])));
    assert!(e.contains("AZURE_STORAGE_CONNECTION_STRING"), "{e}");
    assert!(!e.contains("SECRETKEY"), "{e}");

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let t = std::time::Instant::now();
    let e = one_line_failure(&run(batchout().args([
        "--store",
        &format!("http://127.0.0.1:{port}/devstoreaccount1"),
        "jobs",
    ])));
    assert!(e.contains("cannot reach"), "{e}");
    assert!(
        t.elapsed() < std::time::Duration::from_secs(10),
        "{:?}",
        t.elapsed()
    );

    let e = one_line_failure(&run(batchout().args([
        "--store",
        "https://acct.blob.core.windows.net/c/deep/blob?sig=SECRET",
        "jobs",
    ])));
    assert!(!e.contains("SECRET"), "{e}");
}
