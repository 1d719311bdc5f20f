//! A log that cannot be read while others can: both front ends run the one follow driver,
//! so `batchout tail` and the TUI's log worker both keep showing the readable log and both
//! report the unreadable one (the TUI used to drop these errors). Real local store in a
//! temp folder; the unreadable log is a blob file cut short on disk (its header still
//! lists it, its bytes are gone).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

use assert_cmd::Command;
use batchout::follow::single::FollowEvent;
use batchout::store::local::LocalStore;
use batchout::store::{PutOptions, Store};
use batchout::tui::requests::log::{LogMsg, LogRequest, LogTarget};
use batchout::tui::workers::Out;
use batchout::tui::Msg;
use bytes::Bytes;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

const JOB: &str = "demo";
const C: &str = "job-demo";
const OUT: &str = "t1/$TaskLog/stdout.txt";
const ERR: &str = "t1/$TaskLog/stderr.txt";

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// t1 with a readable stdout.txt and a stderr.txt whose bytes are gone from disk.
fn seed(root: &Path) {
    let store = LocalStore::open(root).unwrap();
    rt().block_on(async {
        store.create_container(C, &BTreeMap::new()).await.unwrap();
        for (blob, text) in [(OUT, "out one\nout two\n"), (ERR, "err one\nerr two\n")] {
            store
                .put_block_blob(C, blob, Bytes::from(text), &PutOptions::default())
                .await
                .unwrap();
        }
    });
    cut_bytes_of(root, ERR);
}

/// Truncate the local store's file of `blob` to its header (the blob file layout is
/// `BOBLOB01`, data offset as u64 LE, header length, header JSON, then the bytes).
fn cut_bytes_of(root: &Path, blob: &str) {
    let needle = serde_json::to_string(blob).unwrap();
    let mut cut = 0;
    for entry in walkdir::WalkDir::new(root) {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        let mut head = Vec::new();
        std::fs::File::open(entry.path())
            .unwrap()
            .take(4096)
            .read_to_end(&mut head)
            .unwrap();
        if !head.starts_with(b"BOBLOB01") || !String::from_utf8_lossy(&head).contains(&needle) {
            continue;
        }
        let data_offset = u64::from_le_bytes(head[8..16].try_into().unwrap());
        std::fs::OpenOptions::new()
            .write(true)
            .open(entry.path())
            .unwrap()
            .set_len(data_offset)
            .unwrap();
        cut += 1;
    }
    assert_eq!(cut, 1, "exactly one blob file holds {blob}");
}

#[test]
fn tail_prints_the_readable_log_and_names_the_unreadable_one() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path());
    let out = Command::cargo_bin("batchout")
        .unwrap()
        .arg("--store")
        .arg(dir.path())
        .args(["tail", "--both", JOB, "t1", "-n", "all"])
        .env("NO_COLOR", "1")
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "tail failed: {stderr}");
    assert!(stdout.contains("stdout out one"), "{stdout}");
    assert!(!stdout.contains("err one"), "{stdout}");
    assert!(
        stderr.contains("cannot read t1/stderr.txt") && stderr.contains("retrying"),
        "{stderr}"
    );
}

#[test]
fn log_worker_reports_a_log_it_cannot_read() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path());
    let store: Arc<dyn Store> = Arc::new(LocalStore::open(dir.path()).unwrap());
    rt().block_on(async {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let req = LogRequest::Follow {
            container: C.into(),
            target: LogTarget::Task { task: "t1".into() },
        };
        let worker = tokio::spawn(batchout::tui::workers::log::run(
            store,
            req,
            Out::new(3, tx, |id, msg| Msg::Log { id, msg }),
        ));
        let (mut lines, mut problems) = (Vec::new(), Vec::new());
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while problems.is_empty() || lines.len() < 2 {
            let m = tokio::time::timeout_at(deadline, rx.recv())
                .await
                .unwrap_or_else(|_| panic!("in time; lines {lines:?}, problems {problems:?}"))
                .expect("the worker keeps running");
            match m {
                Msg::Log {
                    id: 3,
                    msg: LogMsg::Batch { events, .. },
                } => lines.extend(events.into_iter().filter_map(|(_, e)| match e {
                    FollowEvent::Piece(p) => Some(p.text),
                    FollowEvent::Notice(_) => None,
                })),
                Msg::Log {
                    id: 3,
                    msg: LogMsg::Problem(p),
                } => problems.push(p),
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(lines, ["out one", "out two"]);
        assert!(
            problems[0].starts_with("cannot read t1/stderr.txt: ")
                && problems[0].ends_with("; retrying"),
            "{problems:?}"
        );
        // The follower keeps going (the log is retried on each poll) until the screen goes.
        drop(rx);
        worker.abort();
    });
}
