//! `batchout tail -f` of the real binary on Azurite (connection string in the environment),
//! with the log appended through the Azure store while it follows.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

mod support;

use batchout::store::{PutOptions, Store};
use bytes::Bytes;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

const C: &str = "job-tailjob";

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn append(store: &Arc<dyn Store>, blob: &str, data: &[u8]) {
    rt().block_on(async {
        store.create_container(C, &BTreeMap::new()).await.unwrap();
        let (info, _) = store
            .create_append_blob(C, blob, &PutOptions::default())
            .await
            .unwrap();
        store
            .append_block(C, blob, Bytes::copy_from_slice(data), info.len)
            .await
            .unwrap();
    });
}

fn spawn_tail(conn: &str, args: &[&str]) -> (std::process::Child, mpsc::Receiver<String>) {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("batchout"))
        .arg("tail")
        .args(args)
        .env("AZURE_STORAGE_CONNECTION_STRING", conn)
        .env_remove("BATCHOUT_STORE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (child, rx)
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
fn follow_on_azurite_picks_up_appends_and_a_replacement() {
    let acct = support::azurite::fresh_account();
    let store = acct.store();
    let blob = "t1/$TaskLog/stdout.txt";
    append(&store, blob, b"before 1\nbefore 2\n");
    let (mut child, rx) = spawn_tail(
        &acct.connection_string(),
        &["-f", "-n", "1", "tailjob", "t1"],
    );
    expect_line(&rx, "before 2");
    for i in 0..5 {
        append(
            &store,
            blob,
            format!("new {i} \x1b[31mred\x1b[0m\n").as_bytes(),
        );
        let waited = expect_line(&rx, &format!("new {i} red"));
        assert!(waited < Duration::from_secs(3), "line {i} took {waited:?}");
    }
    // Replaced by a block blob with other content (e.g. an upload at task end).
    rt().block_on(store.delete_blob(C, blob)).unwrap();
    rt().block_on(store.put_block_blob(
        C,
        blob,
        Bytes::from_static(b"final 1\nfinal 2\n"),
        &PutOptions::default(),
    ))
    .unwrap();
    expect_line(&rx, "final 1");
    expect_line(&rx, "final 2");
    assert!(
        rx.recv_timeout(Duration::from_millis(1500)).is_err(),
        "nothing doubled"
    );
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("t1/stdout.txt"),
        "the replacement was announced: {err}"
    );
}

#[test]
fn follow_all_on_azurite_merges_tasks_that_start_later() {
    let acct = support::azurite::fresh_account();
    let store = acct.store();
    append(&store, "a/$TaskLog/stdout.txt", b"a1\n");
    let (mut child, rx) = spawn_tail(
        &acct.connection_string(),
        &["-f", "tailjob", "--all", "--both"],
    );
    expect_line(&rx, "a/stdout a1");
    append(&store, "b/$TaskLog/stderr.txt", b"b says hi\n");
    expect_line(&rx, "b/stderr b says hi");
    append(&store, "a/$TaskLog/stdout.txt", b"a2\n");
    expect_line(&rx, "a/stdout a2");
    child.kill().unwrap();
    child.wait().unwrap();
}
