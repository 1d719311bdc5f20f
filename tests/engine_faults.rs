//! The engine through the fault proxy in front of Azurite: connections cut mid-append,
//! answers lost after the service acted, refusals and throttling. Whatever happens, the
//! append blob ends up equal to the file (no byte doubled or lost) and saves match.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

mod support;

use batchout::engine::{
    self, Event, EventSink, FlushSchedule, SaveOptions, Target, TrackOptions, TrackSpec, Tracker,
    UploadOptions,
};
use batchout::store::{ByteRange, Store};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;
use support::fault_proxy::{Fault, FaultProxy};

async fn read_all(store: &dyn Store, container: &str, blob: &str) -> Vec<u8> {
    store
        .read_range(container, blob, ByteRange::all(), None)
        .await
        .unwrap()
        .data
        .to_vec()
}

fn proxied() -> (FaultProxy, Arc<dyn Store>, Arc<dyn Store>) {
    let account = support::azurite::fresh_account();
    let proxy = FaultProxy::start(support::azurite::azurite().port);
    let through = proxy.store(&account);
    (proxy, through, account.store())
}

/// Track a file that grows in many small steps while appends fail in every way the proxy
/// knows; the blob must equal the file byte for byte.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appends_cut_lost_refused_or_throttled_never_double_or_lose_a_byte() {
    let (proxy, through, direct) = proxied();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("faulty.log");
    let target = Target::task("faultjob", "t1", "TaskLog").unwrap();
    let spec = TrackSpec::new(&target, &log, Some("faulty.log")).unwrap();
    let (events, seen) = crate::support::events::collect_events();
    let tracker = Tracker::start(
        through.clone(),
        vec![spec.clone()],
        TrackOptions {
            schedule: FlushSchedule::with_cap(Some(Duration::from_millis(50))),
            events,
        },
    );
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log)
        .unwrap();
    let faults = [
        Fault::DropResponse,
        Fault::CutAfter(0),
        Fault::Refuse,
        Fault::Busy {
            retry_after_secs: 1,
        },
        Fault::DropResponse,
        Fault::TooManyRequests,
        Fault::DropResponse,
    ];
    for (round, fault) in faults.iter().cycle().take(14).enumerate() {
        proxy.inject_matching("comp=appendblock", fault.clone(), 1);
        for line in 0..20 {
            writeln!(
                file,
                "round {round:02} line {line:02} {}",
                "x".repeat(line * 7)
            )
            .unwrap();
        }
        file.flush().unwrap();
        // One fault per append: wait until this one hit and the round's lines are saved
        // before arming the next (else retries of one request would meet all the faults).
        let want = file.metadata().unwrap().len();
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let len = direct
                .blob_info("job-faultjob", &spec.blob)
                .await
                .map(|i| i.len)
                .unwrap_or(0);
            if proxy.faults_injected() > round && len == want {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "round {round} ({fault:?}) never got through"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let report = tracker.finish().await.unwrap();
    let expected = std::fs::read(&log).unwrap();
    let saved = read_all(direct.as_ref(), "job-faultjob", &spec.blob).await;
    assert_eq!(proxy.faults_injected(), 14);
    assert_eq!(
        saved.len(),
        expected.len(),
        "events: {:?}",
        seen.lock().unwrap()
    );
    assert!(saved == expected, "blob differs from the file");
    assert_eq!(report.files[0].blob_len, expected.len() as u64);
    // Lost answers to appends that did land were recognised by reading the blob back.
    assert!(seen
        .lock()
        .unwrap()
        .iter()
        .any(|e| matches!(e, Event::RecoveredAppend { .. })));
}

/// A lost answer to an append whose request did land, on the last flush: recognised.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_on_the_final_flush_is_recognised() {
    let (proxy, through, direct) = proxied();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("end.log");
    std::fs::write(&log, b"all of it, flushed at the end\n").unwrap();
    let target = Target::task("faultjob", "t2", "TaskLog").unwrap();
    let spec = TrackSpec::new(&target, &log, Some("end.log")).unwrap();
    // Every answer to an append is lost three times in a row: the service applies the first,
    // the condition refuses the repeats, and the engine reads the blob back.
    proxy.inject_matching("comp=appendblock", Fault::DropResponse, 3);
    let (events, seen) = crate::support::events::collect_events();
    Tracker::start(
        through,
        vec![spec.clone()],
        TrackOptions {
            schedule: FlushSchedule::default(),
            events,
        },
    )
    .finish()
    .await
    .unwrap();
    assert_eq!(
        read_all(direct.as_ref(), "job-faultjob", &spec.blob).await,
        b"all of it, flushed at the end\n"
    );
    assert_eq!(proxy.faults_injected(), 3);
    assert!(seen
        .lock()
        .unwrap()
        .iter()
        .any(|e| matches!(e, Event::RecoveredAppend { .. })));
}

/// A multi-block save whose stage and commit requests are cut, lost or refused still ends
/// with exactly the file (by SHA-256) and its Content-MD5.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_block_save_survives_cut_and_lost_requests() {
    let (proxy, through, direct) = proxied();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.bin");
    let data: Vec<u8> = (0..12 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    std::fs::write(&path, &data).unwrap();
    engine::prepare(direct.as_ref(), "faultjob", &EventSink::none())
        .await
        .unwrap();
    proxy.inject_matching("blockid=", Fault::DropResponse, 2);
    proxy.inject_matching("blockid=", Fault::Refuse, 1);
    proxy.inject_matching("comp=blocklist", Fault::DropResponse, 1);
    let target = Target::task("faultjob", "t3", "TaskOutput").unwrap();
    let options = SaveOptions {
        upload: UploadOptions {
            block_size: 1024 * 1024,
            in_flight: 4,
            ..Default::default()
        },
        events: EventSink::none(),
    };
    let summary = engine::save(
        through,
        &target,
        &[path.to_str().unwrap().to_string()],
        Some("data.bin"),
        &options,
    )
    .await
    .unwrap();
    assert!(summary.failed.is_empty(), "{:?}", summary.failed);
    assert!(proxy.faults_injected() >= 3, "{}", proxy.faults_injected());
    let back = read_all(direct.as_ref(), "job-faultjob", "t3/$TaskOutput/data.bin").await;
    assert_eq!(Sha256::digest(&back), Sha256::digest(&data));
    let info = direct
        .blob_info("job-faultjob", "t3/$TaskOutput/data.bin")
        .await
        .unwrap();
    assert_eq!(info.content_md5, Some(md5::Md5::digest(&data).into()));
}
