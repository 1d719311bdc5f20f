//! Engine scenarios (save, track) through the library API, run on every backend: the
//! local store in a temp folder (tests/engine.rs) and Azurite (tests/engine_azure.rs).
#![allow(dead_code)]

use batchout::engine::{
    self, Event, EventSink, FlushSchedule, SaveOptions, Target, TrackOptions, TrackSpec, Tracker,
    UploadOptions,
};
use batchout::store::{BlobType, ByteRange, Store};
use md5::{Digest as _, Md5};
use sha2::Sha256;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One `#[tokio::test]` per scenario, each on a fresh store made by `$make` (a function of
/// the scenario's temp folder).
#[macro_export]
macro_rules! engine_scenarios {
    ($make:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn prepare_creates_a_private_container_with_the_job_id_once() {
            $crate::engine_support::prepare_creates_a_private_container_with_the_job_id_once($make).await
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_large_save_goes_up_in_parallel_blocks_and_matches_by_sha256() {
            $crate::engine_support::a_large_save_goes_up_in_parallel_blocks_and_matches_by_sha256($make).await
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn save_replaces_an_older_blob_and_sets_the_content_type() {
            $crate::engine_support::save_replaces_an_older_blob_and_sets_the_content_type($make).await
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn save_checks_every_input_before_uploading_anything() {
            $crate::engine_support::save_checks_every_input_before_uploading_anything($make).await
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn tracking_appends_only_new_bytes_and_resumes_after_a_restart() {
            $crate::engine_support::tracking_appends_only_new_bytes_and_resumes_after_a_restart($make).await
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn large_backlogs_go_in_blocks_of_at_most_4_mib() {
            $crate::engine_support::large_backlogs_go_in_blocks_of_at_most_4_mib($make).await
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_shrunk_or_replaced_file_is_reported_and_appended_after_what_was_saved() {
            $crate::engine_support::a_shrunk_or_replaced_file_is_reported_and_appended_after_what_was_saved($make).await
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_restart_after_a_replaced_file_appends_only_what_the_new_file_gained() {
            $crate::engine_support::a_restart_after_a_replaced_file_appends_only_what_the_new_file_gained($make).await
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_blob_ending_with_the_files_start_keeps_all_it_had_and_ends_with_the_file() {
            $crate::engine_support::a_blob_ending_with_the_files_start_keeps_all_it_had_and_ends_with_the_file($make).await
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_missing_file_is_waited_for_quietly_without_requests() {
            $crate::engine_support::a_missing_file_is_waited_for_quietly_without_requests($make).await
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn several_files_are_tracked_at_once() {
            $crate::engine_support::several_files_are_tracked_at_once($make).await
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn an_append_that_landed_without_a_response_is_recognised_not_repeated() {
            $crate::engine_support::an_append_that_landed_without_a_response_is_recognised_not_repeated($make).await
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn another_writers_bytes_are_kept_and_ours_follow() {
            $crate::engine_support::another_writers_bytes_are_kept_and_ours_follow($make).await
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn a_blob_with_other_content_is_never_truncated() {
            $crate::engine_support::a_blob_with_other_content_is_never_truncated($make).await
        }
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn tracking_into_a_block_blob_fails_the_final_flush_with_a_clear_error() {
            $crate::engine_support::tracking_into_a_block_blob_fails_the_final_flush_with_a_clear_error($make).await
        }
    };
}

async fn blob_bytes(store: &dyn Store, container: &str, blob: &str) -> Vec<u8> {
    let info = store.blob_info(container, blob).await.unwrap();
    if info.len == 0 {
        return Vec::new();
    }
    store
        .read_range(container, blob, ByteRange::all(), None)
        .await
        .unwrap()
        .data
        .to_vec()
}

/// Wait (up to 20 s) until the blob holds exactly `expected`: flushes are asynchronous and
/// a loaded machine may be slow, so tests wait for the state instead of sleeping blindly.
async fn wait_for_blob(store: &dyn Store, container: &str, blob: &str, expected: &[u8]) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let now = match store.blob_info(container, blob).await {
            Ok(info) if info.len == expected.len() as u64 => {
                blob_bytes(store, container, blob).await
            }
            _ => Vec::new(),
        };
        if now == expected {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{blob} never held {:?}",
            String::from_utf8_lossy(expected)
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn append(path: &Path, bytes: &[u8]) {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    f.write_all(bytes).unwrap();
}

fn fast() -> FlushSchedule {
    FlushSchedule::with_cap(Some(Duration::from_millis(100)))
}

fn options(events: EventSink) -> TrackOptions {
    TrackOptions {
        schedule: fast(),
        events,
    }
}

/// Pseudo-random but reproducible content (so a shifted or doubled block would show).
fn content(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn has(events: &Arc<Mutex<Vec<Event>>>, pred: impl Fn(&Event) -> bool) -> bool {
    events.lock().unwrap().iter().any(pred)
}

pub async fn prepare_creates_a_private_container_with_the_job_id_once(
    make: impl FnOnce(&Path) -> Arc<dyn Store>,
) {
    let dir = tempfile::tempdir().unwrap();
    let store = make(dir.path());
    let job = "My_Very-Long:Schedule-Job-Id";
    assert!(engine::prepare(store.as_ref(), job, &EventSink::none())
        .await
        .unwrap());
    assert!(!engine::prepare(store.as_ref(), job, &EventSink::none())
        .await
        .unwrap());
    let container = batchout::conventions::container_name(job).unwrap();
    let info = store.container_info(&container).await.unwrap();
    assert_eq!(
        info.metadata
            .get(batchout::store::JOB_ID_METADATA_KEY)
            .map(String::as_str),
        Some(job)
    );
    assert!(
        engine::prepare(store.as_ref(), "bad job", &EventSink::none())
            .await
            .is_err()
    );
}

pub async fn a_large_save_goes_up_in_parallel_blocks_and_matches_by_sha256(
    make: impl FnOnce(&Path) -> Arc<dyn Store>,
) {
    let dir = tempfile::tempdir().unwrap();
    let store = make(dir.path());
    let path = dir.path().join("big.bin");
    let data = content(64 * 1024 * 1024 + 12_345, 7);
    std::fs::write(&path, &data).unwrap();
    let target = Target::task("bigjob", "t1", "TaskOutput").unwrap();
    let (events, seen) = crate::support::events::collect_events();
    let options = SaveOptions {
        events,
        upload: UploadOptions::default(),
    };
    let summary = engine::save(
        store.clone(),
        &target,
        &[path.to_str().unwrap().to_string()],
        Some("out/big.bin"),
        &options,
    )
    .await
    .unwrap();
    assert_eq!(summary.saved.len(), 1);
    assert!(
        has(&seen, |e| matches!(e, Event::ContainerCreated { .. })),
        "implicit prepare"
    );
    let info = store
        .blob_info("job-bigjob", "t1/$TaskOutput/out/big.bin")
        .await
        .unwrap();
    assert_eq!(info.len, data.len() as u64);
    assert_eq!(info.blob_type, BlobType::Block);
    let md5: [u8; 16] = Md5::digest(&data).into();
    assert_eq!(info.content_md5, Some(md5));
    let back = blob_bytes(store.as_ref(), "job-bigjob", "t1/$TaskOutput/out/big.bin").await;
    assert_eq!(Sha256::digest(&back), Sha256::digest(&data));
}

pub async fn save_replaces_an_older_blob_and_sets_the_content_type(
    make: impl FnOnce(&Path) -> Arc<dyn Store>,
) {
    let dir = tempfile::tempdir().unwrap();
    let store = make(dir.path());
    let path = dir.path().join("report.json");
    let target = Target::new("j", None, Some("JobOutput"), "TaskOutput").unwrap();
    let save = |bytes: &'static [u8]| {
        std::fs::write(&path, bytes).unwrap();
        let (store, target, p) = (
            store.clone(),
            target.clone(),
            path.to_str().unwrap().to_string(),
        );
        async move {
            engine::save(
                store,
                &target,
                &[p],
                Some("report.json"),
                &SaveOptions::default(),
            )
            .await
            .unwrap()
        }
    };
    save(b"{\"first\": \"a much longer version\"}").await;
    save(b"{}").await;
    assert_eq!(
        blob_bytes(store.as_ref(), "job-j", "$JobOutput/report.json").await,
        b"{}"
    );
    let info = store
        .blob_info("job-j", "$JobOutput/report.json")
        .await
        .unwrap();
    assert_eq!(info.content_type.as_deref(), Some("application/json"));
}

pub async fn save_checks_every_input_before_uploading_anything(
    make: impl FnOnce(&Path) -> Arc<dyn Store>,
) {
    let dir = tempfile::tempdir().unwrap();
    let store = make(dir.path());
    let ok = dir.path().join("ok.txt");
    std::fs::write(&ok, b"ok").unwrap();
    let target = Target::task("j", "t", "TaskOutput").unwrap();
    let inputs = [
        ok.to_str().unwrap().to_string(),
        dir.path().join("missing.txt").to_str().unwrap().to_string(),
    ];
    let err = engine::save(
        store.clone(),
        &target,
        &inputs,
        None,
        &SaveOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(
        err.to_string().contains("absolute path") || err.to_string().contains("no such file"),
        "{err}"
    );
    assert!(
        store.container_info("job-j").await.is_err(),
        "nothing was written"
    );
}

pub async fn tracking_appends_only_new_bytes_and_resumes_after_a_restart(
    make: impl FnOnce(&Path) -> Arc<dyn Store>,
) {
    let dir = tempfile::tempdir().unwrap();
    let store = make(dir.path());
    let log = dir.path().join("progress.log");
    let target = Target::task("trackjob", "t1", "TaskLog").unwrap();
    let spec = TrackSpec::new(&target, &log, Some("progress.log")).unwrap();
    append(&log, b"line 1\n");
    let tracker = Tracker::start(
        store.clone(),
        vec![spec.clone()],
        options(EventSink::none()),
    );
    wait_for_blob(store.as_ref(), "job-trackjob", &spec.blob, b"line 1\n").await;
    append(&log, b"line 2\n");
    // Visible while tracking runs, before the last flush.
    wait_for_blob(
        store.as_ref(),
        "job-trackjob",
        &spec.blob,
        b"line 1\nline 2\n",
    )
    .await;
    append(&log, b"line 3 written just before the end\n");
    let report = tracker.finish().await.unwrap();
    let file = std::fs::read(&log).unwrap();
    assert_eq!(
        blob_bytes(store.as_ref(), "job-trackjob", &spec.blob).await,
        file
    );
    assert_eq!(report.files[0].appended, file.len() as u64);
    let info = store.blob_info("job-trackjob", &spec.blob).await.unwrap();
    assert_eq!(info.blob_type, BlobType::Append);

    // A restart resumes from the blob's length: only the new bytes go up.
    append(&log, b"line 4 after restart\n");
    let (events, seen) = crate::support::events::collect_events();
    let tracker = Tracker::start(store.clone(), vec![spec.clone()], options(events));
    let report = tracker.finish().await.unwrap();
    assert_eq!(
        report.files[0].appended,
        b"line 4 after restart\n".len() as u64
    );
    assert_eq!(
        blob_bytes(store.as_ref(), "job-trackjob", &spec.blob).await,
        std::fs::read(&log).unwrap()
    );
    assert!(has(
        &seen,
        |e| matches!(e, Event::Resumed { offset, .. } if *offset == file.len() as u64)
    ));
}

pub async fn large_backlogs_go_in_blocks_of_at_most_4_mib(
    make: impl FnOnce(&Path) -> Arc<dyn Store>,
) {
    let dir = tempfile::tempdir().unwrap();
    let store = make(dir.path());
    let log = dir.path().join("big.log");
    let data = content(9 * 1024 * 1024 + 5, 3);
    std::fs::write(&log, &data).unwrap();
    let target = Target::task("j", "t", "TaskLog").unwrap();
    let spec = TrackSpec::new(&target, &log, Some("big.log")).unwrap();
    Tracker::start(
        store.clone(),
        vec![spec.clone()],
        options(EventSink::none()),
    )
    .finish()
    .await
    .unwrap();
    assert_eq!(blob_bytes(store.as_ref(), "job-j", &spec.blob).await, data);
    let info = store.blob_info("job-j", &spec.blob).await.unwrap();
    if let Some(blocks) = info.committed_blocks {
        assert_eq!(blocks, 3);
    }
}

pub async fn a_shrunk_or_replaced_file_is_reported_and_appended_after_what_was_saved(
    make: impl FnOnce(&Path) -> Arc<dyn Store>,
) {
    let dir = tempfile::tempdir().unwrap();
    let store = make(dir.path());
    let log = dir.path().join("app.log");
    append(&log, b"first generation, fairly long\n");
    let target = Target::task("j", "t", "TaskLog").unwrap();
    let spec = TrackSpec::new(&target, &log, Some("app.log")).unwrap();
    let (events, seen) = crate::support::events::collect_events();
    let tracker = Tracker::start(store.clone(), vec![spec.clone()], options(events));
    wait_for_blob(
        store.as_ref(),
        "job-j",
        &spec.blob,
        b"first generation, fairly long\n",
    )
    .await;
    std::fs::write(&log, b"short\n").unwrap(); // truncated in place
    wait_for_blob(
        store.as_ref(),
        "job-j",
        &spec.blob,
        b"first generation, fairly long\nshort\n",
    )
    .await;
    let replacement = dir.path().join("app.log.new");
    std::fs::write(&replacement, b"replaced by rename\n").unwrap();
    std::fs::rename(&replacement, &log).unwrap();
    tracker.finish().await.unwrap();
    assert_eq!(
        blob_bytes(store.as_ref(), "job-j", &spec.blob).await,
        b"first generation, fairly long\nshort\nreplaced by rename\n"
    );
    assert!(has(&seen, |e| matches!(e, Event::FileShrank { .. })));
    assert!(has(&seen, |e| matches!(e, Event::FileReplaced { .. })));
}

/// The file is replaced (new inode, new content) while tracked, so the blob holds the old
/// generation then the start of the new one; the tracker stops; the new file grows; a
/// restart must append only what it gained: not the new file again from its start. Sizes
/// put the generation's start inside and outside the 64 KiB the restart compares, and the
/// new generation shorter and longer than it. A second restart appends nothing.
pub async fn a_restart_after_a_replaced_file_appends_only_what_the_new_file_gained(
    make: impl FnOnce(&Path) -> Arc<dyn Store>,
) {
    let dir = tempfile::tempdir().unwrap();
    let store = make(dir.path());
    let target = Target::task("j", "t", "TaskLog").unwrap();
    let cases: [(usize, usize, usize); 4] = [
        (30, 20, 9),
        (100 << 10, 5 << 10, 3 << 10),
        (100 << 10, 300 << 10, 40 << 10),
        (20, 200 << 10, 70 << 10),
    ];
    for (i, (old_len, new_len, gained_len)) in cases.into_iter().enumerate() {
        let log = dir.path().join(format!("gen{i}.log"));
        let spec = TrackSpec::new(&target, &log, Some(&format!("gen{i}.log"))).unwrap();
        let old = content(old_len, 10 + i as u64);
        let new = content(new_len, 20 + i as u64);
        let gained = content(gained_len, 30 + i as u64);
        std::fs::write(&log, &old).unwrap();
        let tracker = Tracker::start(
            store.clone(),
            vec![spec.clone()],
            options(EventSink::none()),
        );
        wait_for_blob(store.as_ref(), "job-j", &spec.blob, &old).await;
        let replacement = dir.path().join(format!("gen{i}.log.new"));
        std::fs::write(&replacement, &new).unwrap();
        std::fs::rename(&replacement, &log).unwrap();
        let saved = [old.clone(), new.clone()].concat();
        wait_for_blob(store.as_ref(), "job-j", &spec.blob, &saved).await;
        tracker.finish().await.unwrap();

        append(&log, &gained);
        let (events, seen) = crate::support::events::collect_events();
        let report = Tracker::start(store.clone(), vec![spec.clone()], options(events))
            .finish()
            .await
            .unwrap();
        let want = [saved.clone(), gained.clone()].concat();
        let got = blob_bytes(store.as_ref(), "job-j", &spec.blob).await;
        assert_eq!(
            got.len(),
            want.len(),
            "case {i}: the blob is {} bytes, not {} (doubled: {})",
            got.len(),
            want.len(),
            got.len() == want.len() + new.len()
        );
        assert!(got == want, "case {i}: the bytes differ");
        assert_eq!(report.files[0].appended, gained_len as u64, "case {i}");
        assert!(
            has(&seen, |e| matches!(
                e,
                Event::Resumed { offset, after, .. }
                    if *offset == new_len as u64 && *after == old_len as u64
            )),
            "case {i}: {:?}",
            seen.lock().unwrap()
        );

        // Once more, with nothing new: not a byte.
        let report = Tracker::start(
            store.clone(),
            vec![spec.clone()],
            options(EventSink::none()),
        )
        .finish()
        .await
        .unwrap();
        assert_eq!(report.files[0].appended, 0, "case {i}");
        assert_eq!(blob_bytes(store.as_ref(), "job-j", &spec.blob).await, want);
    }
}

/// What README promises when the blob's end is the file's start but nothing says where the
/// file began (content that repeats across the junction): the blob keeps every byte it had,
/// then holds the whole file, and a restart sends nothing twice.
pub async fn a_blob_ending_with_the_files_start_keeps_all_it_had_and_ends_with_the_file(
    make: impl FnOnce(&Path) -> Arc<dyn Store>,
) {
    let dir = tempfile::tempdir().unwrap();
    let store = make(dir.path());
    let target = Target::task("j", "t", "TaskLog").unwrap();
    let log = dir.path().join("tick.log");
    let spec = TrackSpec::new(&target, &log, Some("tick.log")).unwrap();
    engine::prepare(store.as_ref(), "j", &EventSink::none())
        .await
        .unwrap();
    let before = b"attempt 1\ntick\ntick\n";
    store
        .create_append_blob("job-j", &spec.blob, &Default::default())
        .await
        .unwrap();
    store
        .append_block("job-j", &spec.blob, bytes::Bytes::from_static(before), 0)
        .await
        .unwrap();
    std::fs::write(&log, b"tick\ntick\ntick\ndone\n").unwrap();
    let report = Tracker::start(
        store.clone(),
        vec![spec.clone()],
        options(EventSink::none()),
    )
    .finish()
    .await
    .unwrap();
    let got = blob_bytes(store.as_ref(), "job-j", &spec.blob).await;
    assert!(
        got.starts_with(before),
        "{:?}",
        String::from_utf8_lossy(&got)
    );
    assert!(
        got.ends_with(b"tick\ntick\ntick\ndone\n"),
        "{:?}",
        String::from_utf8_lossy(&got)
    );
    // The longest overlap ("tick\ntick\n") counts as saved: the rest goes up once.
    assert_eq!(got, b"attempt 1\ntick\ntick\ntick\ndone\n");
    assert_eq!(report.files[0].appended, b"tick\ndone\n".len() as u64);
    let again = Tracker::start(
        store.clone(),
        vec![spec.clone()],
        options(EventSink::none()),
    )
    .finish()
    .await
    .unwrap();
    assert_eq!(again.files[0].appended, 0);
    assert_eq!(blob_bytes(store.as_ref(), "job-j", &spec.blob).await, got);
}

pub async fn a_missing_file_is_waited_for_quietly_without_requests(
    make: impl FnOnce(&Path) -> Arc<dyn Store>,
) {
    let dir = tempfile::tempdir().unwrap();
    let store = make(dir.path());
    let log = dir.path().join("later.log");
    let target = Target::task("j", "t", "TaskLog").unwrap();
    let spec = TrackSpec::new(&target, &log, Some("later.log")).unwrap();
    let (events, seen) = crate::support::events::collect_events();
    let tracker = Tracker::start(store.clone(), vec![spec.clone()], options(events));
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert!(
        store.blob_info("job-j", &spec.blob).await.is_err(),
        "no blob before the file exists"
    );
    append(&log, b"now it exists\n");
    wait_for_blob(store.as_ref(), "job-j", &spec.blob, b"now it exists\n").await;
    tracker.finish().await.unwrap();
    assert!(
        seen.lock().unwrap().iter().all(|e| !e.is_problem()),
        "{:?}",
        seen.lock().unwrap()
    );
}

pub async fn several_files_are_tracked_at_once(make: impl FnOnce(&Path) -> Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let store = make(dir.path());
    let target = Target::task("j", "t", "TaskLog").unwrap();
    let paths: Vec<_> = (0..3)
        .map(|i| dir.path().join(format!("f{i}.log")))
        .collect();
    let specs: Vec<_> = paths
        .iter()
        .enumerate()
        .map(|(i, p)| TrackSpec::new(&target, p, Some(&format!("f{i}.log"))).unwrap())
        .collect();
    let tracker = Tracker::start(store.clone(), specs.clone(), options(EventSink::none()));
    for round in 0..5 {
        for (i, p) in paths.iter().enumerate() {
            append(p, format!("file {i} round {round}\n").as_bytes());
        }
        tokio::time::sleep(Duration::from_millis(60)).await;
    }
    tracker.finish().await.unwrap();
    for (p, s) in paths.iter().zip(&specs) {
        assert_eq!(
            blob_bytes(store.as_ref(), "job-j", &s.blob).await,
            std::fs::read(p).unwrap()
        );
    }
}

pub async fn an_append_that_landed_without_a_response_is_recognised_not_repeated(
    make: impl FnOnce(&Path) -> Arc<dyn Store>,
) {
    let dir = tempfile::tempdir().unwrap();
    let store = make(dir.path());
    let log = dir.path().join("lost.log");
    append(&log, b"abc");
    let target = Target::task("j", "t", "TaskLog").unwrap();
    let spec = TrackSpec::new(&target, &log, Some("lost.log")).unwrap();
    let (events, seen) = crate::support::events::collect_events();
    let tracker = Tracker::start(
        store.clone(),
        vec![spec.clone()],
        TrackOptions {
            schedule: FlushSchedule::with_cap(Some(Duration::from_millis(400))),
            events,
        },
    );
    wait_for_blob(store.as_ref(), "job-j", &spec.blob, b"abc").await;
    // What a lost response leaves behind: the tracker's bytes are in the blob, but the
    // tracker does not know. (The file then grows further before the next flush.)
    store
        .append_block("job-j", &spec.blob, bytes::Bytes::from_static(b"def"), 3)
        .await
        .unwrap();
    append(&log, b"defgh");
    wait_for_blob(store.as_ref(), "job-j", &spec.blob, b"abcdefgh").await;
    tracker.finish().await.unwrap();
    assert_eq!(
        blob_bytes(store.as_ref(), "job-j", &spec.blob).await,
        b"abcdefgh"
    );
    assert!(has(&seen, |e| matches!(
        e,
        Event::RecoveredAppend { bytes: 3, .. }
    )));
}

pub async fn another_writers_bytes_are_kept_and_ours_follow(
    make: impl FnOnce(&Path) -> Arc<dyn Store>,
) {
    let dir = tempfile::tempdir().unwrap();
    let store = make(dir.path());
    let log = dir.path().join("shared.log");
    append(&log, b"ours-1\n");
    let target = Target::task("j", "t", "TaskLog").unwrap();
    let spec = TrackSpec::new(&target, &log, Some("shared.log")).unwrap();
    let (events, seen) = crate::support::events::collect_events();
    let tracker = Tracker::start(
        store.clone(),
        vec![spec.clone()],
        TrackOptions {
            schedule: FlushSchedule::with_cap(Some(Duration::from_millis(400))),
            events,
        },
    );
    wait_for_blob(store.as_ref(), "job-j", &spec.blob, b"ours-1\n").await;
    store
        .append_block(
            "job-j",
            &spec.blob,
            bytes::Bytes::from_static(b"THEIRS\n"),
            7,
        )
        .await
        .unwrap();
    append(&log, b"ours-2\n");
    wait_for_blob(
        store.as_ref(),
        "job-j",
        &spec.blob,
        b"ours-1\nTHEIRS\nours-2\n",
    )
    .await;
    tracker.finish().await.unwrap();
    assert_eq!(
        blob_bytes(store.as_ref(), "job-j", &spec.blob).await,
        b"ours-1\nTHEIRS\nours-2\n"
    );
    assert!(has(&seen, |e| matches!(
        e,
        Event::ForeignAppend { bytes: 7, .. }
    )));
}

pub async fn a_blob_with_other_content_is_never_truncated(
    make: impl FnOnce(&Path) -> Arc<dyn Store>,
) {
    let dir = tempfile::tempdir().unwrap();
    let store = make(dir.path());
    let target = Target::task("j", "t", "TaskLog").unwrap();
    let log = dir.path().join("x.log");
    let spec = TrackSpec::new(&target, &log, Some("x.log")).unwrap();
    engine::prepare(store.as_ref(), "j", &EventSink::none())
        .await
        .unwrap();
    store
        .create_append_blob("job-j", &spec.blob, &Default::default())
        .await
        .unwrap();
    store
        .append_block(
            "job-j",
            &spec.blob,
            bytes::Bytes::from_static(b"from an earlier attempt\n"),
            0,
        )
        .await
        .unwrap();
    append(&log, b"new attempt\n");
    let (events, seen) = crate::support::events::collect_events();
    Tracker::start(store.clone(), vec![spec.clone()], options(events))
        .finish()
        .await
        .unwrap();
    assert_eq!(
        blob_bytes(store.as_ref(), "job-j", &spec.blob).await,
        b"from an earlier attempt\nnew attempt\n"
    );
    assert!(has(&seen, |e| matches!(
        e,
        Event::BlobHoldsOtherData { .. }
    )));
}

pub async fn tracking_into_a_block_blob_fails_the_final_flush_with_a_clear_error(
    make: impl FnOnce(&Path) -> Arc<dyn Store>,
) {
    let dir = tempfile::tempdir().unwrap();
    let store = make(dir.path());
    let target = Target::task("j", "t", "TaskLog").unwrap();
    let log = dir.path().join("y.log");
    append(&log, b"data\n");
    let spec = TrackSpec::new(&target, &log, Some("y.log")).unwrap();
    engine::prepare(store.as_ref(), "j", &EventSink::none())
        .await
        .unwrap();
    store
        .put_block_blob(
            "job-j",
            &spec.blob,
            bytes::Bytes::from_static(b"block"),
            &Default::default(),
        )
        .await
        .unwrap();
    let err = Tracker::start(store.clone(), vec![spec], options(EventSink::none()))
        .finish()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("block blob"), "{err}");
    assert!(!err.to_string().contains('\n'));
}
