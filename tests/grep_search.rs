//! The search behind `batchout grep`, on both backends (a local store in a temp folder and
//! Azurite): matches across range boundaries and on a last line without a newline, CRLF
//! logs, binary files, and the cache: a repeated search fetches nothing for unchanged blobs,
//! only the new bytes of a grown log (with the same results as a fresh search), and a
//! replaced blob is searched again from 0. Bytes are counted by a wrapper around the real
//! store.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

mod grep_support;
mod support;

use batchout::search::{self, Cache, Filter, SearchOptions, Selection};
use batchout::store::local::LocalStore;
use batchout::store::{PutOptions, Store};
use bytes::Bytes;
use grep_support::{search_all, Counting, Found};
use std::collections::BTreeMap;
use std::sync::Arc;

const C: &str = "job-grepjob";

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

async fn put(store: &dyn Store, blob: &str, data: &[u8]) {
    store.create_container(C, &BTreeMap::new()).await.unwrap();
    store
        .put_block_blob(
            C,
            blob,
            Bytes::copy_from_slice(data),
            &PutOptions::default(),
        )
        .await
        .unwrap();
}

async fn append(store: &dyn Store, blob: &str, data: &[u8]) {
    store.create_container(C, &BTreeMap::new()).await.unwrap();
    let (info, _) = store
        .create_append_blob(C, blob, &PutOptions::default())
        .await
        .unwrap();
    let mut pos = info.len;
    for part in data.chunks(4 * 1024 * 1024) {
        pos = store
            .append_block(C, blob, Bytes::copy_from_slice(part), pos)
            .await
            .unwrap()
            .len;
    }
}

fn opts(pattern: &str) -> SearchOptions {
    SearchOptions {
        pattern: pattern.into(),
        ..Default::default()
    }
}

async fn run(
    store: &Arc<Counting>,
    sel: Selection,
    o: &SearchOptions,
    cache: Option<&Cache>,
    range: u64,
) -> Found {
    let filter = Filter::new(sel).unwrap();
    let files = search::select_files(store.as_ref(), C, &filter)
        .await
        .unwrap();
    let found = search_all(store.clone(), C, files, o, cache.cloned(), range).await;
    // The search's own count of bytes fetched agrees with the store's.
    assert_eq!(found.fetched(), store.take(), "bytes fetched");
    found
}

async fn boundaries_last_line_and_crlf(inner: Arc<dyn Store>) {
    let store = Counting::wrap(inner);
    put(
        store.as_ref(),
        "t1/$TaskLog/stdout.txt",
        b"first needle\nno\nlong line with a needle in the middle of it\nneedle at the end",
    )
    .await;
    put(
        store.as_ref(),
        "t2/$TaskLog/stdout.txt",
        b"x\r\nthe needle\r\ny\r\nends with needle\r\n",
    )
    .await;
    append(store.as_ref(), "t10/$TaskLog/stderr.txt", b"needle\n").await;
    let want = vec![
        "t1/TaskLog/stdout.txt:1:first needle",
        "t1/TaskLog/stdout.txt:3:long line with a needle in the middle of it",
        "t1/TaskLog/stdout.txt:4:needle at the end",
        "t2/TaskLog/stdout.txt:2:the needle",
        "t2/TaskLog/stdout.txt:4:ends with needle",
        "t10/TaskLog/stderr.txt:1:needle",
    ];
    // Ranges of 1, 5 and 7 bytes cut every line and the pattern itself.
    for range in [1, 5, 7, 1 << 20] {
        let found = run(&store, Selection::default(), &opts("needle"), None, range).await;
        assert_eq!(found.text(), want, "range {range}");
    }
    // `$` matches before CRLF, and `\r` never reaches the text.
    let found = run(&store, Selection::default(), &opts("needle$"), None, 3).await;
    assert_eq!(
        found.text(),
        vec![
            "t1/TaskLog/stdout.txt:1:first needle",
            "t2/TaskLog/stdout.txt:2:the needle",
            "t2/TaskLog/stdout.txt:4:ends with needle",
            "t10/TaskLog/stderr.txt:1:needle",
        ]
    );
}

async fn binary_files_are_skipped_unless_text(inner: Arc<dyn Store>) {
    let store = Counting::wrap(inner);
    put(
        store.as_ref(),
        "t1/$TaskLog/core.bin",
        b"ELF\0\x01 needle\n",
    )
    .await;
    let found = run(&store, Selection::default(), &opts("needle"), None, 4).await;
    let s = found.summary("t1/TaskLog/core.bin");
    assert_eq!(s.binary_at, Some(3));
    assert_eq!(s.matches, 0);
    assert!(found.text().is_empty());
    let text = SearchOptions {
        text: true,
        ..opts("needle")
    };
    let found = run(&store, Selection::default(), &text, None, 4).await;
    assert_eq!(
        found.text(),
        vec!["t1/TaskLog/core.bin:1:ELF\0\u{1} needle"]
    );
}

/// A log that grows in pieces that cut lines anywhere: after each piece, the cached
/// search (which fetches only what is new) reports exactly what a fresh search does.
async fn grown_logs_fetch_only_new_bytes(inner: Arc<dyn Store>) {
    let store = Counting::wrap(inner);
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::at(dir.path());
    let blob = "t1/$TaskLog/stdout.txt";
    let mut log = Vec::new();
    for i in 0..300u32 {
        let what = if i.is_multiple_of(37) || i == 298 {
            "ERROR disk full"
        } else {
            "ok"
        };
        log.extend_from_slice(format!("{i:04} {what}\n").as_bytes());
    }
    log.extend_from_slice(b"0300 ERROR at the very end");
    let cuts = [
        0,
        100,
        101,
        1500,
        1505,
        2304,
        2400,
        2401,
        log.len() - 3,
        log.len(),
    ];
    let option_sets = [
        opts("ERROR"),
        SearchOptions {
            before: 2,
            after: 1,
            ..opts("ERROR")
        },
        SearchOptions {
            invert: true,
            max_count: Some(5),
            ..opts("ok$")
        },
    ];
    let mut written = 0;
    for w in cuts.windows(2) {
        let (from, to) = (w[0], w[1]);
        append(store.as_ref(), blob, &log[from..to]).await;
        written = to;
        for o in &option_sets {
            let fresh = run(&store, Selection::default(), o, None, 64).await;
            if o.max_count.is_none() {
                assert_eq!(fresh.fetched(), to as u64);
            }
            let cached = run(&store, Selection::default(), o, Some(&cache), 64).await;
            assert_eq!(cached.text(), fresh.text(), "after {to} bytes, {o:?}");
            // New bytes, plus the re-read window and the 1 KiB check at most.
            let window = (o.before.max(o.after) as u64 + 1) * 32 + 1024;
            assert!(
                cached.fetched() <= (to - from) as u64 + window,
                "fetched {} for {} new bytes",
                cached.fetched(),
                to - from
            );
            // Unchanged now: nothing at all is fetched.
            let again = run(&store, Selection::default(), o, Some(&cache), 64).await;
            assert_eq!(again.fetched(), 0);
            assert_eq!(again.text(), fresh.text());
            assert!(again.summary("t1/TaskLog/stdout.txt").from_cache);
        }
    }
    assert_eq!(written, log.len());
}

async fn replaced_blobs_are_searched_again(inner: Arc<dyn Store>) {
    let store = Counting::wrap(inner);
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::at(dir.path());
    let o = opts("needle");
    let log = "t1/$TaskLog/stdout.txt";
    let out = "t2/$TaskLog/stdout.txt";
    append(store.as_ref(), log, b"a needle\nb\nc").await;
    put(store.as_ref(), out, b"old needle\n").await;
    let first = run(&store, Selection::default(), &o, Some(&cache), 1 << 20).await;
    assert_eq!(first.text().len(), 2);
    // The log is deleted and written again, longer, by a rerun of the task; the block
    // blob is replaced by another upload.
    store.delete_blob(C, log).await.unwrap();
    append(
        store.as_ref(),
        log,
        b"a rerun\nwith another needle\nand more lines\n",
    )
    .await;
    put(store.as_ref(), out, b"new\nnew needle\n").await;
    let cached = run(&store, Selection::default(), &o, Some(&cache), 1 << 20).await;
    let fresh = run(&store, Selection::default(), &o, None, 1 << 20).await;
    assert_eq!(cached.text(), fresh.text());
    assert_eq!(
        fresh.text(),
        vec![
            "t1/TaskLog/stdout.txt:2:with another needle",
            "t2/TaskLog/stdout.txt:2:new needle"
        ]
    );
    // Truncated (replaced by a shorter log): from 0 again.
    store.delete_blob(C, log).await.unwrap();
    append(store.as_ref(), log, b"needle\n").await;
    let cached = run(&store, Selection::default(), &o, Some(&cache), 1 << 20).await;
    assert_eq!(cached.text()[0], "t1/TaskLog/stdout.txt:1:needle");
}

async fn bad_patterns_are_refused_before_any_read(inner: Arc<dyn Store>) {
    let store = Counting::wrap(inner);
    let e = search::start(
        store.clone(),
        C.into(),
        Vec::new(),
        opts("(unclosed"),
        None,
        search::Tuning::default(),
    )
    .unwrap_err();
    assert!(e.0.contains("unclosed group at position 1"), "{}", e.0);
    assert_eq!(store.take(), 0);
}

macro_rules! on_both_backends {
    ($($t:ident),* $(,)?) => {
        mod local {
            $(#[test]
            fn $t() {
                let dir = tempfile::tempdir().unwrap();
                let store: std::sync::Arc<dyn batchout::store::Store> =
                    std::sync::Arc::new(super::LocalStore::open(dir.path()).unwrap());
                super::rt().block_on(super::$t(store));
            })*
        }
        mod azurite {
            $(#[test]
            fn $t() {
                super::rt().block_on(super::$t(super::support::azurite::fresh_store()));
            })*
        }
    };
}

on_both_backends!(
    boundaries_last_line_and_crlf,
    binary_files_are_skipped_unless_text,
    grown_logs_fetch_only_new_bytes,
    replaced_blobs_are_searched_again,
    bad_patterns_are_refused_before_any_read,
);
