//! The local store: the shared conformance suite on a temp folder, plus local-only tests
//! (hostile names never leave the store folder, atomic writes, cross-process appends).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

mod support;

use batchout::store::local::LocalStore;
use batchout::store::Store;
use std::sync::Arc;

async fn local_fixture() -> (Arc<dyn Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(LocalStore::open(&dir.path().join("store")).unwrap());
    (store, dir)
}

store_conformance_suite!(local_fixture());

// ---------------------------------------------------------------- local-only tests

use batchout::store::{list_all_blobs, ByteRange, ListItem, ListQuery, PutOptions, StoreError};
use bytes::Bytes;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn tree(root: &Path) -> BTreeSet<PathBuf> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .map(|e| e.unwrap().path().to_path_buf())
        .collect()
}

fn hostile_names() -> Vec<String> {
    let mut v: Vec<String> = [
        "../../etc/passwd",
        "../x",
        "..",
        ".",
        "./x",
        "x/..",
        "x/../../../y",
        "/abs",
        "/",
        "//",
        "a//b",
        "a///",
        "\\..\\x",
        "..\\..\\windows\\system32",
        "C:\\x",
        "C:/x",
        "con",
        "NUL.txt",
        "a\u{0}b",
        "tab\there",
        "nl\nhere",
        "esc\u{1b}[31mred",
        "del\u{7f}",
        "%2e%2e/%2f",
        "~/.ssh/id_rsa",
        "a.b.d",
        "x.d/y.b",
        "$JobOutput/../../../../escape",
        "t/$TaskLog/../../../../../escape",
        "Mixed/CASE",
        "mixed/case",
        "é/日本/🚀",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.push("a".repeat(1024));
    v.push("é".repeat(1024));
    v.push("/".repeat(1024));
    v.push("../".repeat(341));
    v.push(format!("t/$TaskOutput/{}", "é/".repeat(500)));
    v.push(format!(
        "{}/{}/{}",
        "x".repeat(300),
        "y".repeat(300),
        "z".repeat(300)
    ));
    v.push(format!("{}/{}", "é".repeat(400), "..".repeat(100)));
    v
}

#[tokio::test]
async fn hostile_names_stay_inside_the_store() {
    let outer = tempfile::tempdir().unwrap();
    let store_dir = outer.path().join("a").join("b").join("store");
    let store = LocalStore::open(&store_dir).unwrap();
    let before = tree(outer.path());
    store
        .create_container("job-hostile", &BTreeMap::new())
        .await
        .unwrap();
    let names = hostile_names();
    for (i, n) in names.iter().enumerate() {
        let data = format!("blob {i}");
        let info = store
            .put_block_blob("job-hostile", n, Bytes::from(data), &PutOptions::default())
            .await
            .unwrap();
        assert_eq!(&info.name, n);
    }
    // Nothing new outside the store folder.
    let after = tree(outer.path());
    for p in after.difference(&before) {
        assert!(
            p.starts_with(&store_dir),
            "created outside the store: {}",
            p.display()
        );
    }
    // Every file name inside is one of ours: no `..`, nothing absolute, short.
    for p in tree(&store_dir) {
        for c in p.strip_prefix(&store_dir).unwrap().components() {
            assert!(
                matches!(c, std::path::Component::Normal(_)),
                "{}",
                p.display()
            );
            assert!(c.as_os_str().len() <= 255);
        }
    }
    // Listed exactly, in byte order; read back exactly.
    let listed: Vec<String> = list_all_blobs(&store, "job-hostile", &ListQuery::flat(""))
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.name().to_string())
        .collect();
    let mut want = names.clone();
    want.sort();
    assert_eq!(listed, want);
    for (i, n) in names.iter().enumerate() {
        let r = store
            .read_range("job-hostile", n, ByteRange::all(), None)
            .await
            .unwrap();
        assert_eq!(r.data, Bytes::from(format!("blob {i}")), "{n:?}");
    }
    // Hierarchy at the top and under hostile prefixes.
    let top = list_all_blobs(&store, "job-hostile", &ListQuery::hierarchy(""))
        .await
        .unwrap();
    let mut want_top: Vec<String> = names
        .iter()
        .map(|n| match n.find('/') {
            Some(i) => n[..=i].to_string(),
            None => n.clone(),
        })
        .collect();
    want_top.sort();
    want_top.dedup();
    assert_eq!(
        top.iter().map(|i| i.name().to_string()).collect::<Vec<_>>(),
        want_top
    );
    let dots = list_all_blobs(&store, "job-hostile", &ListQuery::hierarchy("../"))
        .await
        .unwrap();
    assert_eq!(
        dots.iter()
            .map(|i| i.name().to_string())
            .collect::<Vec<_>>(),
        vec!["../../", "../x"]
    );
    // Deleted exactly: one at a time, the others stay.
    for (i, n) in names.iter().enumerate() {
        store.delete_blob("job-hostile", n).await.unwrap();
        assert!(store
            .blob_info("job-hostile", n)
            .await
            .unwrap_err()
            .is_not_found());
        if let Some(next) = names.get(i + 1) {
            assert!(
                store.blob_info("job-hostile", next).await.is_ok(),
                "{next:?} vanished with {n:?}"
            );
        }
    }
    assert!(list_all_blobs(&store, "job-hostile", &ListQuery::flat(""))
        .await
        .unwrap()
        .is_empty());
    // The blob tree is empty again (no folders left behind).
    assert_eq!(
        std::fs::read_dir(store_dir.join("job-hostile").join("b"))
            .unwrap()
            .count(),
        0
    );
}

#[tokio::test]
async fn invalid_names_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(dir.path()).unwrap();
    for bad in [
        "", "ab", "../x", "UPPER", "a--b", "-ab", "ab-", "a/b", "a.b", "$root",
    ] {
        let e = store
            .create_container(bad, &BTreeMap::new())
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::InvalidName(_)), "{bad}: {e:?}");
        let e = store.container_info(bad).await.unwrap_err();
        assert!(matches!(e, StoreError::InvalidName(_)), "{bad}: {e:?}");
    }
    store
        .create_container("job-x", &BTreeMap::new())
        .await
        .unwrap();
    for bad in [String::new(), "a".repeat(1025), "é".repeat(1025)] {
        let e = store
            .put_block_blob("job-x", &bad, Bytes::new(), &PutOptions::default())
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::InvalidName(_)), "{e:?}");
    }
    // Nothing but the container was created.
    let entries: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(entries, vec![std::ffi::OsString::from("job-x")]);
}

#[tokio::test]
async fn names_differing_only_in_case_do_not_collide() {
    let (store, _dir) = local_fixture().await;
    store
        .create_container("job-case", &BTreeMap::new())
        .await
        .unwrap();
    for n in ["Task/$TaskLog/a", "task/$TaskLog/a", "TASK/$tasklog/A"] {
        store
            .put_block_blob(
                "job-case",
                n,
                Bytes::from(n.to_string()),
                &PutOptions::default(),
            )
            .await
            .unwrap();
    }
    for n in ["Task/$TaskLog/a", "task/$TaskLog/a", "TASK/$tasklog/A"] {
        let r = store
            .read_range("job-case", n, ByteRange::all(), None)
            .await
            .unwrap();
        assert_eq!(r.data, Bytes::from(n.to_string()));
    }
}

#[test]
fn readers_never_see_a_mix_of_two_versions() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(LocalStore::open(dir.path()).unwrap());
    rt.block_on(store.create_container("job-race", &BTreeMap::new()))
        .unwrap();
    const LEN: usize = 256 * 1024;
    rt.block_on(store.put_block_blob(
        "job-race",
        "f",
        Bytes::from(vec![0u8; LEN]),
        &PutOptions::default(),
    ))
    .unwrap();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (store, stop) = (store.clone(), stop.clone());
        let handle = rt.handle().clone();
        std::thread::spawn(move || {
            let mut v = 1u8;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                // Versions differ in length too, so a torn read shows either way.
                let data = Bytes::from(vec![v; LEN + v as usize]);
                handle
                    .block_on(store.put_block_blob("job-race", "f", data, &PutOptions::default()))
                    .unwrap();
                v = v.wrapping_add(1);
            }
            v
        })
    };
    let mut reads = 0;
    let deadline = std::time::Instant::now() + std::time::Duration::from_millis(1500);
    while std::time::Instant::now() < deadline {
        let r = rt
            .block_on(store.read_range("job-race", "f", ByteRange::all(), None))
            .unwrap();
        let first = r.data[0];
        assert_eq!(
            r.data.len(),
            if first == 0 {
                LEN
            } else {
                LEN + first as usize
            }
        );
        assert!(
            r.data.iter().all(|b| *b == first),
            "mixed versions in one read"
        );
        assert_eq!(r.total_len as usize, r.data.len());
        let info = rt.block_on(store.blob_info("job-race", "f")).unwrap();
        assert!(info.len as usize >= LEN);
        reads += 1;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let versions = writer.join().unwrap();
    assert!(
        reads > 5 && versions > 2,
        "reads {reads}, versions {versions}"
    );
}

#[test]
fn readers_of_a_growing_append_blob_see_whole_blocks() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(LocalStore::open(dir.path()).unwrap());
    rt.block_on(store.create_container("job-grow", &BTreeMap::new()))
        .unwrap();
    rt.block_on(store.create_append_blob("job-grow", "log", &PutOptions::default()))
        .unwrap();
    const BLOCK: usize = 64 * 1024;
    const BLOCKS: usize = 60;
    let writer = {
        let store = store.clone();
        let handle = rt.handle().clone();
        std::thread::spawn(move || {
            for i in 0..BLOCKS {
                let data = Bytes::from(vec![b'a' + (i % 26) as u8; BLOCK]);
                handle
                    .block_on(store.append_block("job-grow", "log", data, (i * BLOCK) as u64))
                    .unwrap();
            }
        })
    };
    loop {
        let r = rt
            .block_on(store.read_range("job-grow", "log", ByteRange::all(), None))
            .unwrap();
        assert_eq!(r.data.len() % BLOCK, 0, "a reader saw part of an append");
        for (i, chunk) in r.data.chunks(BLOCK).enumerate() {
            assert!(chunk.iter().all(|b| *b == b'a' + (i % 26) as u8));
        }
        if r.data.len() == BLOCK * BLOCKS {
            break;
        }
    }
    writer.join().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_container_creation_has_one_winner() {
    let (store, _dir) = local_fixture().await;
    let mut tasks = Vec::new();
    for i in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let meta = BTreeMap::from([("n".to_string(), i.to_string())]);
            store
                .create_container("job-contended", &meta)
                .await
                .unwrap()
        }));
    }
    let mut created = 0;
    for t in tasks {
        created += t.await.unwrap() as usize;
    }
    assert_eq!(created, 1);
    assert_eq!(
        store
            .container_info("job-contended")
            .await
            .unwrap()
            .metadata
            .len(),
        1
    );
}

#[tokio::test]
async fn a_crashed_append_leaves_the_blob_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(dir.path()).unwrap();
    store
        .create_container("job-crash", &BTreeMap::new())
        .await
        .unwrap();
    store
        .create_append_blob("job-crash", "t/$TaskLog/stdout.txt", &PutOptions::default())
        .await
        .unwrap();
    store
        .append_block(
            "job-crash",
            "t/$TaskLog/stdout.txt",
            Bytes::from_static(b"safe\n"),
            0,
        )
        .await
        .unwrap();
    // Simulate a crash between writing bytes and recording them: bytes past the length.
    let file = tree(dir.path())
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "b"))
        .expect("blob file");
    use std::io::Write;
    std::fs::OpenOptions::new()
        .append(true)
        .open(&file)
        .unwrap()
        .write_all(b"GARBAGE")
        .unwrap();
    let r = store
        .read_range("job-crash", "t/$TaskLog/stdout.txt", ByteRange::all(), None)
        .await
        .unwrap();
    assert_eq!(&r.data[..], b"safe\n");
    store
        .append_block(
            "job-crash",
            "t/$TaskLog/stdout.txt",
            Bytes::from_static(b"next\n"),
            5,
        )
        .await
        .unwrap();
    let r = store
        .read_range("job-crash", "t/$TaskLog/stdout.txt", ByteRange::all(), None)
        .await
        .unwrap();
    assert_eq!(&r.data[..], b"safe\nnext\n");
    // Temp files left by a crashed writer are not blobs.
    std::fs::write(
        dir.path().join("job-crash").join("tmp").join("dead.tmp"),
        b"x",
    )
    .unwrap();
    let all = list_all_blobs(&store, "job-crash", &ListQuery::flat(""))
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
}

#[tokio::test]
async fn a_corrupt_blob_file_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(dir.path()).unwrap();
    store
        .create_container("job-corrupt", &BTreeMap::new())
        .await
        .unwrap();
    store
        .put_block_blob(
            "job-corrupt",
            "f",
            Bytes::from_static(b"data"),
            &PutOptions::default(),
        )
        .await
        .unwrap();
    let file = dir.path().join("job-corrupt").join("b").join("f.b");
    std::fs::write(&file, b"not a blob file").unwrap();
    let e = store
        .read_range("job-corrupt", "f", ByteRange::all(), None)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Corrupt(_)), "{e:?}");
    assert!(!e.to_string().contains('\n'));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_tasks_list_in_pages() {
    let (store, _dir) = local_fixture().await;
    store
        .create_container("job-many", &BTreeMap::new())
        .await
        .unwrap();
    let n = 600;
    // Written 32 at a time (each put is fsynced; parallel puts overlap their fsyncs).
    use futures::StreamExt;
    futures::stream::iter(0..n)
        .map(|t| {
            let store = store.clone();
            async move {
                let name = format!("task-{t}/$TaskLog/stdout.txt");
                store
                    .put_block_blob("job-many", &name, Bytes::new(), &PutOptions::default())
                    .await
                    .unwrap();
            }
        })
        .buffer_unordered(32)
        .collect::<Vec<()>>()
        .await;
    store
        .put_block_blob(
            "job-many",
            "$JobOutput/all.txt",
            Bytes::new(),
            &PutOptions::default(),
        )
        .await
        .unwrap();
    let mut seen = Vec::new();
    let mut marker: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = store
            .list_blobs(
                "job-many",
                &ListQuery::hierarchy("").page_size(250),
                marker.as_deref(),
            )
            .await
            .unwrap();
        pages += 1;
        for item in page.items {
            let ListItem::Prefix(p) = item else {
                panic!("no blobs at the top")
            };
            seen.push(p);
        }
        match page.next_marker {
            Some(m) => marker = Some(m),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let mut want: Vec<String> = (0..n).map(|t| format!("task-{t}/")).collect();
    want.push("$JobOutput/".into());
    want.sort();
    assert_eq!(seen, want);
}

// ------------------------------------------- several processes racing for one append position

const CHILD_ENV: &str = "BATCHOUT_TEST_APPEND_CHILD";

/// Run as a child process (re-executing this test binary): append to one blob.
/// Mode "once": one attempt at position 5 after the start file appears; exit code 0 when
/// it won, 3 on a position mismatch. Mode "many": 20 appends of whole lines, each at the
/// current length, retrying on mismatch.
#[tokio::test]
async fn append_child_process() {
    let Ok(spec) = std::env::var(CHILD_ENV) else {
        return;
    };
    let mut parts = spec.splitn(3, '|');
    let (mode, root, id) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    let store = LocalStore::open(Path::new(root)).unwrap();
    let start = Path::new(root).join("start");
    while !start.exists() {
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    if mode == "once" {
        match store
            .append_block("job-procs", "log", Bytes::from(format!("winner {id}\n")), 5)
            .await
        {
            Ok(_) => std::process::exit(0),
            Err(StoreError::AppendPositionMismatch { .. }) => std::process::exit(3),
            Err(e) => panic!("{e}"),
        }
    }
    for i in 0..20 {
        let line = Bytes::from(format!("process {id} line {i:02}\n"));
        loop {
            let len = store.blob_info("job-procs", "log").await.unwrap().len;
            match store
                .append_block("job-procs", "log", line.clone(), len)
                .await
            {
                Ok(_) => break,
                Err(StoreError::AppendPositionMismatch { .. }) => continue,
                Err(e) => panic!("{e}"),
            }
        }
    }
    std::process::exit(0);
}

fn spawn_children(root: &Path, mode: &str, n: usize) -> Vec<std::process::Child> {
    (0..n)
        .map(|i| {
            std::process::Command::new(std::env::current_exe().unwrap())
                .args([
                    "--exact",
                    "append_child_process",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(CHILD_ENV, format!("{mode}|{}|{i}", root.display()))
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect()
}

#[tokio::test]
async fn processes_racing_one_append_position_have_one_winner() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(dir.path()).unwrap();
    store
        .create_container("job-procs", &BTreeMap::new())
        .await
        .unwrap();
    store
        .create_append_blob("job-procs", "log", &PutOptions::default())
        .await
        .unwrap();
    store
        .append_block("job-procs", "log", Bytes::from_static(b"head\n"), 0)
        .await
        .unwrap();
    let children = spawn_children(store.root(), "once", 6);
    std::fs::write(store.root().join("start"), b"").unwrap();
    let codes: Vec<i32> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap().status.code().unwrap())
        .collect();
    let winners: Vec<usize> = codes
        .iter()
        .enumerate()
        .filter(|(_, c)| **c == 0)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(winners.len(), 1, "exit codes {codes:?}");
    assert!(codes.iter().all(|c| *c == 0 || *c == 3), "{codes:?}");
    let r = store
        .read_range("job-procs", "log", ByteRange::all(), None)
        .await
        .unwrap();
    assert_eq!(
        String::from_utf8(r.data.to_vec()).unwrap(),
        format!("head\nwinner {}\n", winners[0])
    );
}

#[tokio::test]
async fn processes_appending_concurrently_lose_and_duplicate_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(dir.path()).unwrap();
    store
        .create_container("job-procs", &BTreeMap::new())
        .await
        .unwrap();
    store
        .create_append_blob("job-procs", "log", &PutOptions::default())
        .await
        .unwrap();
    let children = spawn_children(store.root(), "many", 4);
    std::fs::write(store.root().join("start"), b"").unwrap();
    for c in children {
        assert!(c.wait_with_output().unwrap().status.success());
    }
    let r = store
        .read_range("job-procs", "log", ByteRange::all(), None)
        .await
        .unwrap();
    let text = String::from_utf8(r.data.to_vec()).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 80);
    // Each process's lines in its own order, none twice.
    for p in 0..4 {
        let mine: Vec<&str> = lines
            .iter()
            .copied()
            .filter(|l| l.starts_with(&format!("process {p} ")))
            .collect();
        let want: Vec<String> = (0..20)
            .map(|i| format!("process {p} line {i:02}"))
            .collect();
        assert_eq!(mine, want);
    }
    lines.sort();
    lines.dedup();
    assert_eq!(lines.len(), 80);
    assert_eq!(
        store
            .blob_info("job-procs", "log")
            .await
            .unwrap()
            .committed_blocks,
        Some(80)
    );
}

/// Measurement, not a check of speed: `cargo test --release --test store_local --
/// --ignored --nocapture listing_100k_tasks`. Seeds a job with 100,000 tasks (two logs
/// each) and times listing its top level page by page, one kind, and one late page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn listing_100k_tasks() {
    use batchout::store::local::LocalOptions;
    use futures::StreamExt;
    let tasks: usize = std::env::var("TASKS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    // KEEP_DIR=path keeps the seeded store there and reuses it on the next run.
    let (_tmp, root) = match std::env::var_os("KEEP_DIR") {
        Some(d) => (None, PathBuf::from(d)),
        None => {
            let t = tempfile::tempdir().unwrap();
            let p = t.path().to_path_buf();
            (Some(t), p)
        }
    };
    let store: Arc<dyn Store> =
        Arc::new(LocalStore::open_with(&root, LocalOptions { durable: false }).unwrap());
    let seeded = !store
        .create_container("job-big", &BTreeMap::new())
        .await
        .unwrap();
    let t0 = std::time::Instant::now();
    futures::stream::iter(if seeded { 0..0 } else { 0..tasks })
        .map(|t| {
            let store = store.clone();
            async move {
                for f in ["stdout.txt", "stderr.txt"] {
                    let name = format!("task-{t:06}/$TaskLog/{f}");
                    store
                        .put_block_blob(
                            "job-big",
                            &name,
                            Bytes::from_static(b"x\n"),
                            &PutOptions::default(),
                        )
                        .await
                        .unwrap();
                }
            }
        })
        .buffer_unordered(16)
        .collect::<Vec<()>>()
        .await;
    println!(
        "seeded {tasks} tasks ({} blobs) in {:.1?}",
        tasks * 2,
        t0.elapsed()
    );
    let t1 = std::time::Instant::now();
    let mut marker: Option<String> = None;
    let (mut pages, mut prefixes, mut first_page) = (0, 0, None);
    loop {
        let page = store
            .list_blobs("job-big", &ListQuery::hierarchy(""), marker.as_deref())
            .await
            .unwrap();
        pages += 1;
        prefixes += page.items.len();
        first_page.get_or_insert(t1.elapsed());
        match page.next_marker {
            Some(m) => marker = Some(m),
            None => break,
        }
    }
    assert_eq!(prefixes, tasks);
    println!(
        "top level: {prefixes} tasks in {pages} pages of 5000: first page {:.1?}, all {:.1?} ({:.1?} per page)",
        first_page.unwrap(),
        t1.elapsed(),
        t1.elapsed() / pages
    );
    let t2 = std::time::Instant::now();
    let kind = list_all_blobs(
        store.as_ref(),
        "job-big",
        &ListQuery::flat("task-054321/$TaskLog/"),
    )
    .await
    .unwrap();
    println!(
        "one kind of one task: {} files in {:.1?}",
        kind.len(),
        t2.elapsed()
    );
    let t3 = std::time::Instant::now();
    let late = store
        .list_blobs(
            "job-big",
            &ListQuery::hierarchy("").page_size(100),
            Some("task-090000/"),
        )
        .await
        .unwrap();
    println!(
        "a page of 100 after task-090000: {} items in {:.1?}",
        late.items.len(),
        t3.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cached_big_folders_still_show_every_change() {
    use batchout::store::local::LocalOptions;
    use futures::StreamExt;
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> =
        Arc::new(LocalStore::open_with(dir.path(), LocalOptions { durable: false }).unwrap());
    store
        .create_container("job-cache", &BTreeMap::new())
        .await
        .unwrap();
    let n = 1100;
    futures::stream::iter(0..n)
        .map(|t| {
            let store = store.clone();
            async move {
                let name = format!("t{t:05}/$TaskLog/stdout.txt");
                store
                    .put_block_blob("job-cache", &name, Bytes::new(), &PutOptions::default())
                    .await
                    .unwrap();
            }
        })
        .buffer_unordered(16)
        .collect::<Vec<()>>()
        .await;
    // Let the folder go quiet so that the listing may cache it.
    tokio::time::sleep(std::time::Duration::from_millis(2200)).await;
    let top = |store: Arc<dyn Store>| async move {
        list_all_blobs(
            store.as_ref(),
            "job-cache",
            &ListQuery::hierarchy("").page_size(300),
        )
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.name().to_string())
        .collect::<Vec<_>>()
    };
    let first = top(store.clone()).await;
    assert_eq!(first.len(), n);
    let again = top(store.clone()).await;
    assert_eq!(again, first);
    // Changes right after the cached read show up at once.
    store
        .put_block_blob(
            "job-cache",
            "t00500x/$TaskLog/stdout.txt",
            Bytes::new(),
            &PutOptions::default(),
        )
        .await
        .unwrap();
    store
        .delete_blob("job-cache", "t00007/$TaskLog/stdout.txt")
        .await
        .unwrap();
    let after = top(store.clone()).await;
    assert_eq!(after.len(), n);
    assert!(after.contains(&"t00500x/".to_string()));
    assert!(!after.contains(&"t00007/".to_string()));
    let mut sorted = after.clone();
    sorted.sort();
    assert_eq!(after, sorted);
}

/// Listings against a model of Azure's rules, on random names built from the characters
/// that matter for ordering and roll-up (`/`, `.`, `0`, upper case, non-ASCII), with
/// random prefixes, delimiters and page sizes, before and after deleting half the blobs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listings_match_a_model_on_random_names() {
    use batchout::store::local::LocalOptions;
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x5eed);
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> =
        Arc::new(LocalStore::open_with(dir.path(), LocalOptions { durable: false }).unwrap());
    store
        .create_container("job-model", &BTreeMap::new())
        .await
        .unwrap();
    let alphabet = ['a', 'b', '/', '/', '.', '0', 'A', 'é', '$'];
    let mut names = BTreeSet::new();
    while names.len() < 250 {
        let len = rng.random_range(1..9);
        let n: String = (0..len)
            .map(|_| alphabet[rng.random_range(0..alphabet.len())])
            .collect();
        names.insert(n);
    }
    for n in &names {
        store
            .put_block_blob(
                "job-model",
                n,
                Bytes::from(n.clone()),
                &PutOptions::default(),
            )
            .await
            .unwrap();
    }
    fn model(names: &BTreeSet<String>, prefix: &str, delimiter: bool) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for n in names.iter().filter(|n| n.starts_with(prefix)) {
            let rest = &n[prefix.len()..];
            match rest.find('/').filter(|_| delimiter) {
                Some(i) => {
                    let p = format!("{}*", &n[..prefix.len() + i + 1]);
                    if out.last() != Some(&p) {
                        out.push(p);
                    }
                }
                None => out.push(n.clone()),
            }
        }
        out
    }
    for round in 0..2 {
        for _ in 0..150 {
            let prefix: String = if rng.random_bool(0.7) {
                let n: Vec<char> = names
                    .iter()
                    .nth(rng.random_range(0..names.len()))
                    .unwrap()
                    .chars()
                    .collect();
                n[..rng.random_range(0..=n.len())].iter().collect()
            } else {
                (0..rng.random_range(0..4))
                    .map(|_| alphabet[rng.random_range(0..alphabet.len())])
                    .collect()
            };
            let delimiter = rng.random_bool(0.5);
            let size = rng.random_range(1..12);
            let q = ListQuery {
                prefix: prefix.clone(),
                delimiter: delimiter.then_some('/'),
                max_results: Some(size),
                include_metadata: false,
            };
            let mut got = Vec::new();
            let mut marker: Option<String> = None;
            loop {
                let page = store
                    .list_blobs("job-model", &q, marker.as_deref())
                    .await
                    .unwrap();
                assert!(page.items.len() <= size as usize);
                got.extend(page.items.iter().map(|i| match i {
                    ListItem::Blob(b) => b.name.clone(),
                    ListItem::Prefix(p) => format!("{p}*"),
                }));
                match page.next_marker {
                    Some(m) => marker = Some(m),
                    None => break,
                }
            }
            assert_eq!(
                got,
                model(&names, &prefix, delimiter),
                "round {round}, prefix {prefix:?}, delimiter {delimiter}, page {size}"
            );
        }
        // Delete half, then check again (folders emptied by deletes must vanish).
        let doomed: Vec<String> = names
            .iter()
            .filter(|_| rng.random_bool(0.5))
            .cloned()
            .collect();
        for n in &doomed {
            store.delete_blob("job-model", n).await.unwrap();
            names.remove(n);
        }
    }
}
