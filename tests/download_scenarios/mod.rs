//! Download scenarios run against every real store backend (tests/download_local.rs: the
//! local store in a temp folder; tests/download_azure.rs: Azurite). Each takes a store and
//! a fresh container name, seeds blobs through the Store API and checks what lands on disk.
#![allow(dead_code)]

use batchout::conventions::Scope;
use batchout::download::events::{Outcome, Summary, TransferEvent, TransferId};
use batchout::download::plan::{build_plan, GlobFilter, Plan, Selection};
use batchout::download::verify::md5_of;
use batchout::download::{download, CancelSet, DownloadOptions};
use batchout::store::{PutOptions, Store};
use bytes::Bytes;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Deterministic bytes that do not compress or repeat in range-sized blocks.
pub fn data(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

pub fn sha256(b: &[u8]) -> Vec<u8> {
    Sha256::digest(b).to_vec()
}

pub fn sha256_file(p: &Path) -> Vec<u8> {
    sha256(&std::fs::read(p).unwrap_or_else(|e| panic!("read {}: {e}", p.display())))
}

/// Upload with a correct Content-MD5 (or the given one), in blocks when large.
pub async fn put(store: &dyn Store, c: &str, name: &str, bytes: &[u8], md5: Option<[u8; 16]>) {
    let opts = PutOptions {
        content_md5: md5.or(Some(md5_of(bytes))),
        ..Default::default()
    };
    put_with(store, c, name, bytes, &opts).await
}

pub async fn put_with(store: &dyn Store, c: &str, name: &str, bytes: &[u8], opts: &PutOptions) {
    put_blocks(store, c, name, bytes, opts, false).await
}

/// `staged`: always through Put Block + Put Block List, which stores the given Content-MD5
/// without checking it (the way to make a blob whose Content-MD5 lies).
pub async fn put_blocks(
    store: &dyn Store,
    c: &str,
    name: &str,
    bytes: &[u8],
    opts: &PutOptions,
    staged: bool,
) {
    const BLOCK: usize = 8 << 20;
    if bytes.len() <= BLOCK && !staged {
        store
            .put_block_blob(c, name, Bytes::copy_from_slice(bytes), opts)
            .await
            .unwrap_or_else(|e| panic!("put {name}: {e}"));
        return;
    }
    let mut ids = Vec::new();
    for (i, chunk) in bytes.chunks(BLOCK).enumerate() {
        let id = base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            format!("block-{i:06}"),
        );
        store
            .stage_block(c, name, &id, Bytes::copy_from_slice(chunk))
            .await
            .expect("stage block");
        ids.push(id);
    }
    store
        .commit_block_list(c, name, &ids, opts)
        .await
        .expect("commit block list");
}

pub async fn new_container(store: &dyn Store, c: &str) {
    store
        .create_container(c, &BTreeMap::new())
        .await
        .expect("create container");
}

/// Small ranges so that a few MiB exercise the parallel ranged path.
pub fn small_ranges() -> DownloadOptions {
    DownloadOptions {
        range_size: 256 << 10,
        ranges_per_file: 4,
        memory_budget: 2 << 20,
        ..Default::default()
    }
}

pub struct Run {
    pub plan: Plan,
    pub summary: Summary,
    pub events: Vec<TransferEvent>,
}

impl Run {
    pub fn outcome_of(&self, blob: &str) -> Outcome {
        let f = self
            .plan
            .files
            .iter()
            .find(|f| f.blob.name == blob)
            .unwrap_or_else(|| panic!("{blob} not planned"));
        self.events
            .iter()
            .find_map(|e| match e {
                TransferEvent::Finished { id, outcome } if *id == f.id => Some(outcome.clone()),
                _ => None,
            })
            .expect("finished event")
    }
    pub fn notices(&self) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|e| match e {
                TransferEvent::Notice { message, .. } => Some(message.clone()),
                _ => None,
            })
            .collect()
    }
}

pub async fn plan(store: &Arc<dyn Store>, c: &str, sel: &[Selection], globs: &[&str]) -> Plan {
    let globs: Vec<String> = globs.iter().map(|s| s.to_string()).collect();
    build_plan(&**store, c, sel, &GlobFilter::new(&globs).unwrap())
        .await
        .expect("plan")
}

pub async fn run_plan(
    store: &Arc<dyn Store>,
    plan: Plan,
    dir: &Path,
    opts: DownloadOptions,
    cancel: &CancelSet,
) -> Run {
    run_plan_watching(store, plan, dir, opts, cancel, |_| {}).await
}

/// [`run_plan`], with `on_event` seeing each event as it arrives (e.g. to cancel once a
/// file is under way: a condition, not a guess of how long that takes).
pub async fn run_plan_watching(
    store: &Arc<dyn Store>,
    plan: Plan,
    dir: &Path,
    opts: DownloadOptions,
    cancel: &CancelSet,
    mut on_event: impl FnMut(&TransferEvent) + Send + 'static,
) -> Run {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let (seen_tx, mut seen) = tokio::sync::mpsc::unbounded_channel();
    // Ends when the download drops its sender.
    let watcher = tokio::spawn(async move {
        while let Some(e) = rx.recv().await {
            on_event(&e);
            let _ = seen_tx.send(e);
        }
    });
    let summary = download(store.clone(), &plan, dir, opts, Some(tx), cancel).await;
    watcher.await.unwrap();
    let mut events = Vec::new();
    while let Ok(e) = seen.try_recv() {
        events.push(e);
    }
    assert!(
        matches!(events.last(), Some(TransferEvent::AllDone(_))),
        "last event is AllDone"
    );
    Run {
        plan,
        summary,
        events,
    }
}

/// A file of the run has bytes on disk.
fn under_way(e: &TransferEvent) -> Option<usize> {
    match e {
        TransferEvent::Progress { id, progress } if progress.done > 0 => Some(*id),
        _ => None,
    }
}

pub async fn get_all(store: &Arc<dyn Store>, c: &str, dir: &Path, opts: DownloadOptions) -> Run {
    let plan = plan(store, c, &[Selection::job()], &[]).await;
    let cancel = CancelSet::new(&plan);
    run_plan(store, plan, dir, opts, &cancel).await
}

/// Every path below `root` (files, folders, links), relative, sorted.
pub fn tree(root: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .follow_links(false)
        .min_depth(1)
        .into_iter()
        .map(|e| e.unwrap().path().strip_prefix(root).unwrap().to_path_buf())
        .collect();
    v.sort();
    v
}

fn leftovers(root: &Path) -> Vec<PathBuf> {
    tree(root)
        .into_iter()
        .filter(|p| p.to_string_lossy().contains(".batchout-"))
        .collect()
}

// ---------------------------------------------------------------------------------------

/// Layout DIR/TASK/KIND/PATH and DIR/_job/KIND/PATH, exact bytes, identical re-runs skipped,
/// differing files kept unless overwrite.
pub async fn layout_integrity_and_rerun(store: Arc<dyn Store>, c: &str) {
    new_container(&*store, c).await;
    let big = data(3 * 1024 * 1024 + 7, 1);
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("t1/$TaskOutput/a.txt", b"hello a\n".to_vec()),
        ("t1/$TaskOutput/sub/dir/big.bin", big.clone()),
        ("t2/$TaskOutput/c.txt", data(5000, 2)),
        ("t2/$TaskOutput/empty.txt", Vec::new()),
        ("$JobOutput/merged.txt", b"merged\n".to_vec()),
    ];
    for (n, b) in &files {
        put(&*store, c, n, b, None).await;
    }
    // An append blob (a log): no Content-MD5.
    let log = "t1/$TaskLog/stdout.txt";
    store
        .create_append_blob(c, log, &PutOptions::default())
        .await
        .expect("append blob");
    store
        .append_block(c, log, Bytes::from_static(b"line 1\nline 2\n"), 0)
        .await
        .expect("append");

    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    let run = get_all(&store, c, &dir, small_ranges()).await;
    assert_eq!(run.summary.downloaded, 6, "{:?}", run.summary);
    assert_eq!(run.summary.failures(), 0);
    let expect = [
        ("t1/TaskOutput/a.txt", sha256(b"hello a\n")),
        ("t1/TaskOutput/sub/dir/big.bin", sha256(&big)),
        ("t2/TaskOutput/c.txt", sha256(&data(5000, 2))),
        ("t2/TaskOutput/empty.txt", sha256(b"")),
        ("_job/JobOutput/merged.txt", sha256(b"merged\n")),
        ("t1/TaskLog/stdout.txt", sha256(b"line 1\nline 2\n")),
    ];
    for (p, h) in &expect {
        assert_eq!(&sha256_file(&dir.join(p)), h, "{p}");
    }
    assert!(leftovers(&dir).is_empty(), "{:?}", leftovers(&dir));
    // The big file went as ranges with progress; MD5 checked.
    assert!(run
        .events
        .iter()
        .any(|e| matches!(e, TransferEvent::Progress { .. })));
    assert!(matches!(
        run.outcome_of("t1/$TaskOutput/sub/dir/big.bin"),
        Outcome::Downloaded {
            verified: true,
            resumed_from: 0,
            ..
        }
    ));

    // Again: everything identical (the log by size + time), nothing fetched.
    let again = get_all(&store, c, &dir, small_ranges()).await;
    assert_eq!(
        (again.summary.identical, again.summary.downloaded),
        (6, 0),
        "{:?}",
        again.summary
    );

    // A local edit is kept, reported, and replaced only with overwrite.
    std::fs::write(dir.join("t1/TaskOutput/a.txt"), b"edited!\n").unwrap();
    let kept = get_all(&store, c, &dir, small_ranges()).await;
    assert_eq!(kept.summary.exists, 1);
    assert!(kept.summary.failures() > 0);
    assert_eq!(
        std::fs::read(dir.join("t1/TaskOutput/a.txt")).unwrap(),
        b"edited!\n"
    );
    let replaced = get_all(
        &store,
        c,
        &dir,
        DownloadOptions {
            overwrite: true,
            ..small_ranges()
        },
    )
    .await;
    assert_eq!(
        (replaced.summary.downloaded, replaced.summary.identical),
        (1, 5)
    );
    assert_eq!(
        std::fs::read(dir.join("t1/TaskOutput/a.txt")).unwrap(),
        b"hello a\n"
    );
}

/// Task, kind, file and glob selections pick exactly what they say.
pub async fn selections_and_globs(store: Arc<dyn Store>, c: &str) {
    new_container(&*store, c).await;
    for n in [
        "t1/$TaskOutput/a.txt",
        "t1/$TaskOutput/deep/b.csv",
        "t1/$TaskLog/stdout.txt",
        "t10/$TaskOutput/x.txt",
        "t1/$TaskLogArchive/old.txt",
        "$JobOutput/j.txt",
    ] {
        put(&*store, c, n, n.as_bytes(), None).await;
    }
    let names = |p: &Plan| -> Vec<String> { p.files.iter().map(|f| f.blob.name.clone()).collect() };
    let t1 = Scope::Task("t1".into());
    let p = plan(&store, c, &[Selection::scope(t1.clone())], &[]).await;
    assert_eq!(names(&p).len(), 4, "t1 only, not t10: {:?}", names(&p));
    let p = plan(
        &store,
        c,
        &[Selection::kind(Some(t1.clone()), "TaskLog")],
        &[],
    )
    .await;
    assert_eq!(
        names(&p),
        vec!["t1/$TaskLog/stdout.txt"],
        "TaskLog is not TaskLogArchive"
    );
    let p = plan(
        &store,
        c,
        &[Selection::kind(None, "TaskOutput")],
        &["*.txt"],
    )
    .await;
    assert_eq!(
        names(&p),
        vec!["t1/$TaskOutput/a.txt", "t10/$TaskOutput/x.txt"]
    );
    let p = plan(&store, c, &[Selection::job()], &["deep/*.csv"]).await;
    assert_eq!(names(&p), vec!["t1/$TaskOutput/deep/b.csv"]);
    let p = plan(&store, c, &[Selection::scope(Scope::Job)], &[]).await;
    assert_eq!(names(&p), vec!["$JobOutput/j.txt"]);
    // Overlapping marks (a file and its task) download it once.
    let p = plan(
        &store,
        c,
        &[
            Selection::file(t1.clone(), "TaskOutput", "a.txt"),
            Selection::scope(t1),
        ],
        &[],
    )
    .await;
    assert_eq!(names(&p).len(), 4);
}

/// Blob names that try to leave the folder are refused; nothing is written outside it,
/// not even through a symlink planted inside it.
pub async fn hostile_names(store: Arc<dyn Store>, c: &str) {
    hostile_names_with(store, c, true).await
}

/// `control_chars`: also names with ESC and NUL (Azurite 3.35 stores them but then fails
/// every listing of the container with a 500, so the Azure run leaves them out; the
/// local store and the unit tests of local_path cover them).
pub async fn hostile_names_with(store: Arc<dyn Store>, c: &str, control_chars: bool) {
    new_container(&*store, c).await;
    let hostile = [
        "t1/$TaskOutput/../../../escaped-dotdot.txt",
        "t1/$TaskOutput/a/../../../../escaped-mid.txt",
        "t1/$TaskOutput//tmp/escaped-abs.txt",
        "$JobOutput/../../escaped-job.txt",
        "t1/$../escaped-kind.txt",
        "t1/$TaskOutput/..\\..\\escaped-backslash.txt",
        "t1/$TaskOutput/C:escaped-drive.txt",
        "t1/$TaskOutput/ctrl\u{1b}[31m.txt",
        "t1/$TaskOutput/nul\u{0}.txt",
        "../../escaped-top.txt",
        "/escaped-root.txt",
    ];
    let mut created = Vec::new();
    for n in hostile {
        if !control_chars && n.contains(|ch: char| ch.is_control()) {
            continue;
        }
        // A backend may refuse some names outright (that is safe too); use the rest.
        if store
            .put_block_blob(c, n, Bytes::from_static(b"evil"), &PutOptions::default())
            .await
            .is_ok()
        {
            created.push(n);
        }
    }
    assert!(
        created.len() >= 5,
        "too few hostile names could be created: {created:?}"
    );
    put(&*store, c, "t1/$TaskOutput/fine.txt", b"fine", None).await;
    put(&*store, c, "t2/$TaskOutput/victim.txt", b"via link", None).await;

    let tmp = tempfile::tempdir().unwrap();
    let parent = tmp.path().join("parent");
    let dir = parent.join("dir");
    let outside = tmp.path().join("outside");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&outside, dir.join("t2")).unwrap();

    let run = get_all(&store, c, &dir, small_ranges()).await;
    assert_eq!(
        std::fs::read(dir.join("t1/TaskOutput/fine.txt")).unwrap(),
        b"fine"
    );
    // Whatever the store listed of the hostile names is refused.
    let listed: Vec<_> = run
        .plan
        .files
        .iter()
        .filter(|f| f.blob.name != "t1/$TaskOutput/fine.txt")
        .collect();
    for f in &listed {
        let o = run.outcome_of(&f.blob.name);
        assert!(
            matches!(o, Outcome::Refused { .. }),
            "{:?} -> {o:?}",
            f.blob.name
        );
    }
    assert!(run.summary.refused >= 2, "{:?}", run.summary);
    // The whole tree above the download folder holds only the one good file (and the link).
    let mut expected: Vec<PathBuf> = [
        "dir",
        "dir/t1",
        "dir/t1/TaskOutput",
        "dir/t1/TaskOutput/fine.txt",
    ]
    .iter()
    .map(PathBuf::from)
    .collect();
    if cfg!(unix) {
        expected.push("dir/t2".into());
    }
    expected.sort();
    assert_eq!(tree(&parent), expected);
    assert!(
        tree(&outside).is_empty(),
        "written through the symlink: {:?}",
        tree(&outside)
    );
    let top: Vec<_> = tree(tmp.path())
        .into_iter()
        .filter(|p| p.components().count() == 1)
        .collect();
    assert_eq!(top, vec![PathBuf::from("outside"), PathBuf::from("parent")]);
}

/// A stored Content-MD5 that does not match the bytes is an error, small or ranged, and
/// leaves no file under the final name (nor a temp file).
pub async fn md5_mismatch(store: Arc<dyn Store>, c: &str) {
    new_container(&*store, c).await;
    let lying = PutOptions {
        content_md5: Some([7u8; 16]),
        ..Default::default()
    };
    put_blocks(
        &*store,
        c,
        "t1/$TaskOutput/small.txt",
        b"small but lying",
        &lying,
        true,
    )
    .await;
    put_blocks(
        &*store,
        c,
        "t1/$TaskOutput/large.bin",
        &data(1 << 20, 9),
        &lying,
        true,
    )
    .await;
    let info = store
        .blob_info(c, "t1/$TaskOutput/large.bin")
        .await
        .unwrap();
    assert_eq!(
        info.content_md5,
        Some([7u8; 16]),
        "the store kept the lying Content-MD5"
    );
    let tmp = tempfile::tempdir().unwrap();
    let run = get_all(&store, c, tmp.path(), small_ranges()).await;
    assert_eq!(run.summary.failed, 2, "{:?}", run.summary);
    for n in ["t1/$TaskOutput/small.txt", "t1/$TaskOutput/large.bin"] {
        match run.outcome_of(n) {
            Outcome::Failed { error } => assert!(error.contains("MD5 mismatch"), "{error}"),
            o => panic!("{n}: {o:?}"),
        }
    }
    let files: Vec<_> = tree(tmp.path())
        .into_iter()
        .filter(|p| tmp.path().join(p).is_file())
        .collect();
    assert!(files.is_empty(), "{files:?}");
}

/// Cancel mid-way (as Ctrl-C does), resume: only the rest is fetched, bytes equal. Then
/// cancel again, change the blob, and the next run notices and starts over.
pub async fn cancel_resume_and_change(store: Arc<dyn Store>, c: &str) {
    new_container(&*store, c).await;
    let name = "t1/$TaskOutput/big.bin";
    let first = data(4 << 20, 3);
    put(&*store, c, name, &first, None).await;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let slow = DownloadOptions {
        max_rate: Some(4 << 20),
        ..small_ranges()
    };

    let interrupted = cancel_midway(&store, c, dir, slow.clone()).await;
    let Outcome::Cancelled { done } = interrupted.outcome_of(name) else {
        panic!("{:?}", interrupted.outcome_of(name))
    };
    assert!(
        done > 0 && done < first.len() as u64,
        "cancelled after {done} bytes"
    );
    let target = dir.join("t1/TaskOutput/big.bin");
    assert!(!target.exists(), "a partial file under the final name");
    assert!(dir.join("t1/TaskOutput/.big.bin.batchout-part").exists());

    let resumed = get_all(&store, c, dir, small_ranges()).await;
    match resumed.outcome_of(name) {
        Outcome::Downloaded {
            resumed_from,
            verified: true,
            ..
        } => assert_eq!(resumed_from, done),
        o => panic!("{o:?}"),
    }
    assert!(resumed.summary.resumed == 1);
    assert_eq!(sha256_file(&target), sha256(&first));
    assert!(leftovers(dir).is_empty());

    // Changed between attempts: detected, restarted, the new bytes land.
    std::fs::remove_file(&target).unwrap();
    let _ = cancel_midway(&store, c, dir, slow).await;
    let second = data(4 << 20, 4);
    put(&*store, c, name, &second, None).await;
    let restarted = get_all(&store, c, dir, small_ranges()).await;
    assert!(
        restarted
            .notices()
            .iter()
            .any(|m| m.contains("changed since the interrupted download")),
        "{:?}",
        restarted.notices()
    );
    assert!(matches!(
        restarted.outcome_of(name),
        Outcome::Downloaded {
            resumed_from: 0,
            ..
        }
    ));
    assert_eq!(sha256_file(&target), sha256(&second));
}

async fn cancel_midway(store: &Arc<dyn Store>, c: &str, dir: &Path, opts: DownloadOptions) -> Run {
    let plan = plan(store, c, &[Selection::job()], &[]).await;
    let cancel = CancelSet::new(&plan);
    let canceller = cancel.clone();
    run_plan_watching(store, plan, dir, opts, &cancel, move |e| {
        if under_way(e).is_some() {
            canceller.cancel_all();
        }
    })
    .await
}

/// The blob is replaced while its ranges are being read: the etag pin notices, the file
/// starts over and ends with the new bytes, never a mix.
pub async fn changed_during_download(store: Arc<dyn Store>, c: &str) {
    new_container(&*store, c).await;
    let name = "t1/$TaskOutput/moving.bin";
    put(&*store, c, name, &data(3 << 20, 5), None).await;
    let tmp = tempfile::tempdir().unwrap();
    let plan = plan(&store, c, &[Selection::job()], &[]).await;
    let cancel = CancelSet::new(&plan);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let opts = DownloadOptions {
        max_rate: Some(3 << 20),
        ..small_ranges()
    };
    let dl = {
        let (store, dir) = (store.clone(), tmp.path().to_path_buf());
        tokio::spawn(async move { download(store, &plan, &dir, opts, Some(tx), &cancel).await })
    };
    // Wait for the first progress, then replace the blob.
    let mut events = Vec::new();
    while let Some(e) = rx.recv().await {
        let progressed = matches!(e, TransferEvent::Progress { .. });
        events.push(e);
        if progressed {
            break;
        }
    }
    let newer = data(3 << 20, 6);
    put(&*store, c, name, &newer, None).await;
    let summary = dl.await.unwrap();
    while let Some(e) = rx.recv().await {
        events.push(e);
    }
    assert_eq!(summary.downloaded, 1, "{summary:?}");
    assert!(
        events.iter().any(|e| matches!(e, TransferEvent::Notice { message, .. } if message.contains("changed while downloading"))),
        "no restart notice"
    );
    assert_eq!(
        sha256_file(&tmp.path().join("t1/TaskOutput/moving.bin")),
        sha256(&newer)
    );
}

/// Cancelling one transfer leaves the others running.
pub async fn cancel_one_transfer(store: Arc<dyn Store>, c: &str) {
    new_container(&*store, c).await;
    put(
        &*store,
        c,
        "t1/$TaskOutput/slow.bin",
        &data(2 << 20, 7),
        None,
    )
    .await;
    put(&*store, c, "t1/$TaskOutput/quick.txt", b"quick", None).await;
    let tmp = tempfile::tempdir().unwrap();
    let plan = plan(&store, c, &[Selection::job()], &[]).await;
    let cancel = CancelSet::new(&plan);
    let slow_id = plan
        .files
        .iter()
        .find(|f| f.blob.name.ends_with("slow.bin"))
        .unwrap()
        .id;
    let canceller = cancel.clone();
    let run = run_plan_watching(
        &store,
        plan,
        tmp.path(),
        DownloadOptions {
            max_rate: Some(1 << 20),
            ..small_ranges()
        },
        &cancel,
        move |e| {
            if under_way(e) == Some(slow_id) {
                canceller.cancel(slow_id);
            }
        },
    )
    .await;
    assert!(matches!(
        run.outcome_of("t1/$TaskOutput/slow.bin"),
        Outcome::Cancelled { .. }
    ));
    assert!(matches!(
        run.outcome_of("t1/$TaskOutput/quick.txt"),
        Outcome::Downloaded { .. }
    ));
}

/// Progress shows inside a range, not only when the range completes: a 6 MiB blob is one
/// 16 MiB-range read, paced to 4 MiB/s, and several progress events in between report a
/// growing, partial count with a rate. The limit also holds (it takes over a second), and
/// a small file is not stuck behind the big one's pacing.
pub async fn progress_within_a_range(store: Arc<dyn Store>, c: &str) {
    new_container(&*store, c).await;
    let big = data(6 << 20, 41);
    put(&*store, c, "t1/$TaskOutput/big.bin", &big, None).await;
    put(&*store, c, "t1/$TaskOutput/tiny.txt", b"tiny", None).await;
    let tmp = tempfile::tempdir().unwrap();
    let opts = DownloadOptions {
        max_rate: Some(4 << 20),
        ..Default::default()
    };
    let started = std::time::Instant::now();
    let run = get_all(&store, c, tmp.path(), opts).await;
    assert!(
        started.elapsed() >= Duration::from_millis(1200),
        "the limit did not hold"
    );
    assert_eq!(run.summary.downloaded, 2, "{:?}", run.summary);
    let big_id = run
        .plan
        .files
        .iter()
        .find(|f| f.blob.name.ends_with("big.bin"))
        .unwrap()
        .id;
    let partial: Vec<(u64, f64)> = run
        .events
        .iter()
        .filter_map(|e| match e {
            TransferEvent::Progress { id, progress } if *id == big_id => {
                Some((progress.done, progress.rate))
            }
            _ => None,
        })
        .filter(|(done, _)| *done > 0 && *done < big.len() as u64)
        .collect();
    assert!(partial.len() >= 3, "progress inside the range: {partial:?}");
    assert!(partial.windows(2).all(|w| w[0].0 <= w[1].0), "{partial:?}");
    assert!(partial.iter().any(|(_, rate)| *rate > 0.0), "{partial:?}");
    // The tiny file finished long before the big one (it did not wait for its slots).
    let finished: Vec<TransferId> = run
        .events
        .iter()
        .filter_map(|e| match e {
            TransferEvent::Finished { id, .. } => Some(*id),
            _ => None,
        })
        .collect();
    assert_eq!(finished.last(), Some(&big_id), "{finished:?}");
    assert_eq!(
        sha256_file(&tmp.path().join("t1/TaskOutput/big.bin")),
        sha256(&big)
    );
}

/// `blob` was downloaded, verified, to `dir/rel` with exactly `bytes`.
pub fn assert_verified_copy(run: &Run, dir: &Path, blob: &str, rel: &str, bytes: &[u8]) {
    assert!(
        matches!(
            run.outcome_of(blob),
            Outcome::Downloaded { verified: true, .. }
        ),
        "{blob}: {:?} {:?}",
        run.outcome_of(blob),
        run.notices()
    );
    assert_eq!(sha256_file(&dir.join(rel)), sha256(bytes), "{rel}");
}
