//! Follower scenarios, run against each real backend (local store, Azurite).
#![allow(dead_code)]

use crate::support::counting_store::CountingStore;
use batchout::follow::lines::LinePiece;
use batchout::follow::merged::{MergeScope, MergedFollower};
use batchout::follow::single::{FollowConfig, FollowEvent, LogFollower, Notice, Start};
use batchout::store::{PutOptions, Store, MAX_APPEND_BLOCK};
use bytes::Bytes;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub async fn container(store: &dyn Store, name: &str) {
    store
        .create_container(name, &BTreeMap::new())
        .await
        .unwrap();
}

/// Append `data` to an append blob (created if missing) in blocks of at most `chunk` bytes.
pub async fn append(store: &dyn Store, c: &str, blob: &str, data: &[u8], chunk: usize) -> u64 {
    let (info, _) = store
        .create_append_blob(c, blob, &PutOptions::default())
        .await
        .unwrap();
    let mut pos = info.len;
    for part in data.chunks(chunk.clamp(1, MAX_APPEND_BLOCK)) {
        pos = store
            .append_block(c, blob, Bytes::copy_from_slice(part), pos)
            .await
            .unwrap()
            .len;
    }
    pos
}

/// Pieces back into text: each piece, and a newline after each piece that ends a line.
pub fn rejoin<'a>(pieces: impl IntoIterator<Item = &'a LinePiece>) -> String {
    let mut s = String::new();
    for p in pieces {
        s.push_str(&p.text);
        if p.ends_line {
            s.push('\n');
        }
    }
    s
}

/// The text between notices, one string per stretch (empty stretches dropped).
pub fn segments(events: &[FollowEvent]) -> Vec<String> {
    let mut out = vec![String::new()];
    for e in events {
        match e {
            FollowEvent::Piece(p) => {
                let last = out.last_mut().unwrap();
                last.push_str(&p.text);
                if p.ends_line {
                    last.push('\n');
                }
            }
            FollowEvent::Notice(_) => out.push(String::new()),
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

fn generation(g: usize, lines: usize) -> String {
    (0..lines)
        .map(|i| format!("{i:04} written by generation {g}\n"))
        .collect()
}

async fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// A writer appends in small random pieces while a follower polls; then the blob is
/// truncated (deleted and re-created), replaced by a block blob, rewritten with the same
/// prefix, replaced by other content and by shorter content. The follower's text between
/// its notices must equal each generation exactly, and it must download each byte once
/// (plus the few verification bytes per poll).
pub async fn exactly_once_across_truncation_and_replacement(store: Arc<dyn Store>) {
    let c = "job-tail-exact";
    let blob = "t1/$TaskLog/stdout.txt";
    container(&*store, c).await;
    store
        .create_append_blob(c, blob, &PutOptions::default())
        .await
        .unwrap();
    let counting = Arc::new(CountingStore::new(store.clone()));
    let events: Arc<Mutex<Vec<FollowEvent>>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let polls = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let follower = {
        let (events, stop, polls) = (events.clone(), stop.clone(), polls.clone());
        let mut f = LogFollower::new(counting.clone(), c, blob, FollowConfig::default());
        tokio::spawn(async move {
            let opened = f.open(Start::Beginning).await.unwrap();
            events.lock().unwrap().extend(opened.events);
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let p = f.poll().await.unwrap();
                polls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                events.lock().unwrap().extend(p.events);
                tokio::time::sleep(Duration::from_millis(3)).await;
            }
        })
    };
    let last_segment = || {
        segments(&events.lock().unwrap())
            .last()
            .cloned()
            .unwrap_or_default()
    };
    let write_slowly = |text: String| {
        let store = store.clone();
        async move {
            let mut pos = 0;
            let bytes = text.as_bytes();
            let mut i = 0;
            let mut n = 0usize;
            while i < bytes.len() {
                n = (n * 7 + 13) % 97 + 1; // irregular sizes, lines split across appends
                let end = (i + n).min(bytes.len());
                pos = store
                    .append_block(c, blob, Bytes::copy_from_slice(&bytes[i..end]), pos)
                    .await
                    .unwrap()
                    .len;
                i = end;
                if n.is_multiple_of(3) {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            }
        }
    };

    let g1 = generation(1, 300);
    write_slowly(g1.clone()).await;
    wait_until("generation 1", || last_segment() == g1).await;

    // Truncation: an append blob cannot shrink in place; it is deleted and re-created.
    store.delete_blob(c, blob).await.unwrap();
    store
        .create_append_blob(c, blob, &PutOptions::default())
        .await
        .unwrap();
    let g2 = generation(2, 300);
    write_slowly(g2.clone()).await;
    wait_until("generation 2", || last_segment() == g2).await;

    // Replaced by a block blob (what Batch's own OutputFiles upload does at task end;
    // the Store contract wants the append blob deleted first).
    let g3 = generation(3, 40);
    store.delete_blob(c, blob).await.unwrap();
    store
        .put_block_blob(c, blob, Bytes::from(g3.clone()), &PutOptions::default())
        .await
        .unwrap();
    wait_until("generation 3", || last_segment() == g3).await;
    // Rewritten with the same beginning and more after it: shown as a continuation.
    let g3b = format!("{g3}{}", generation(33, 40));
    store
        .put_block_blob(c, blob, Bytes::from(g3b.clone()), &PutOptions::default())
        .await
        .unwrap();
    wait_until("generation 3b", || last_segment() == g3b).await;
    // Replaced by different, longer content; then by shorter content.
    let g4 = generation(4, 200);
    store
        .put_block_blob(c, blob, Bytes::from(g4.clone()), &PutOptions::default())
        .await
        .unwrap();
    wait_until("generation 4", || last_segment() == g4).await;
    let g5 = generation(5, 10);
    store
        .put_block_blob(c, blob, Bytes::from(g5.clone()), &PutOptions::default())
        .await
        .unwrap();
    wait_until("generation 5", || last_segment() == g5).await;

    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    follower.await.unwrap();
    let events = events.lock().unwrap().clone();
    assert_eq!(
        segments(&events),
        vec![g1.clone(), g2.clone(), g3b.clone(), g4.clone(), g5.clone()]
    );
    let notices: Vec<&Notice> = events
        .iter()
        .filter_map(|e| match e {
            FollowEvent::Notice(n) => Some(n),
            _ => None,
        })
        .collect();
    // One reload per change of generation (which notice depends on when the poll fell:
    // shrunk, type changed, replaced, or deleted and back).
    assert_eq!(
        notices.iter().filter(|n| n.is_reload()).count(),
        4,
        "{notices:?}"
    );
    assert!(
        notices.iter().any(|n| matches!(n, Notice::Shrunk { .. })),
        "{notices:?}"
    );
    // Downloads: each shown byte once, plus at most 8 verification bytes per request, plus
    // the one read that found generation 4's different content where g3b's end had been
    // (it read g4's bytes past that point before the reload read g4 from its start).
    let counts = counting.counts();
    let shown: u64 = [&g1, &g2, &g3b, &g4, &g5]
        .iter()
        .map(|g| g.len() as u64)
        .sum();
    let wasted_by_rewrite = (g4.len() - g3b.len()) as u64 + 8;
    assert!(
        counts.bytes_read <= shown + 8 * counts.reads + wasted_by_rewrite,
        "read {} bytes for {shown} shown in {} reads",
        counts.bytes_read,
        counts.reads
    );
    assert!(polls.load(std::sync::atomic::Ordering::SeqCst) > 10);
}

/// Opening reads only the end (one range, from a line start); older parts load on demand
/// and together give back the whole log.
pub async fn opens_at_end_and_loads_older_parts(store: Arc<dyn Store>) {
    let c = "job-tail-older";
    let blob = "t1/$TaskLog/stdout.txt";
    container(&*store, c).await;
    let text: String = (0..20_000)
        .map(|i| format!("line {i:05} of a long log\n"))
        .collect();
    append(&*store, c, blob, text.as_bytes(), MAX_APPEND_BLOCK).await;
    let counting = Arc::new(CountingStore::new(store.clone()));
    let cfg = FollowConfig::default();
    let mut f = LogFollower::new(counting.clone(), c, blob, cfg);
    let opened = f.open(Start::Window).await.unwrap();
    let first = counting.counts();
    assert_eq!((first.infos, first.reads), (1, 1));
    assert!(first.bytes_read <= cfg.tail_bytes);
    let mut pieces: Vec<LinePiece> = opened.pieces().cloned().collect();
    assert!(
        pieces[0].text.starts_with("line "),
        "aligned to a line start: {:?}",
        pieces[0]
    );
    assert!(text.ends_with(&rejoin(&pieces)));
    assert!(f.has_older());
    let mut loads = 0;
    while f.has_older() {
        let mut older = f.load_older().await.unwrap();
        older.append(&mut pieces);
        pieces = older;
        loads += 1;
    }
    assert_eq!(rejoin(&pieces), text);
    let counts = counting.counts();
    assert_eq!(counts.reads, 1 + loads);
    // Each chunk re-reads at most the partial line it dropped at its start.
    assert!(
        counts.bytes_read <= text.len() as u64 + 30 * loads,
        "{}",
        counts.bytes_read
    );
    // Nothing new: one small request.
    let before = counting.counts();
    let p = f.poll().await.unwrap();
    assert!(p.events.is_empty() && !p.grew);
    let idle = counting.counts().since(&before);
    assert_eq!(idle.read_requests(), 1);
    assert!(idle.bytes_read <= cfg.verify_bytes);
}

/// `Start::Lines(n)` reads older parts until it has n lines, and shows exactly those.
pub async fn last_lines_reads_older_parts_until_enough(store: Arc<dyn Store>) {
    let c = "job-tail-lines";
    let blob = "t1/$TaskLog/stdout.txt";
    container(&*store, c).await;
    let lines: Vec<String> = (0..60_000).map(|i| format!("n{i:06}\n")).collect();
    let text = lines.concat();
    append(&*store, c, blob, text.as_bytes(), MAX_APPEND_BLOCK).await;
    let mut f = LogFollower::new(store.clone(), c, blob, FollowConfig::default());
    let p = f.open(Start::Lines(20_000)).await.unwrap();
    assert_eq!(rejoin(p.pieces()), lines[40_000..].concat());
    let mut f = LogFollower::new(store.clone(), c, blob, FollowConfig::default());
    let p = f.open(Start::Lines(3)).await.unwrap();
    assert_eq!(rejoin(p.pieces()), lines[59_997..].concat());
}

/// A 10 MB line without a newline, split by appends inside multi-byte characters, and
/// invalid UTF-8: pieces stay small, nothing is lost, bad bytes become U+FFFD.
pub async fn long_line_and_invalid_utf8_are_safe(store: Arc<dyn Store>) {
    let c = "job-tail-long";
    let blob = "t1/$TaskLog/stdout.txt";
    container(&*store, c).await;
    let long: String = "x€".repeat(10 * 1024 * 1024 / 4); // 10 MiB, 3-byte chars
    let mut data = b"start\n".to_vec();
    data.extend_from_slice(long.as_bytes());
    data.extend_from_slice(b"\nbad \xff\xfe bytes \xe2\x82\nend\n");
    append(&*store, c, blob, &data, MAX_APPEND_BLOCK - 1).await;

    let cfg = FollowConfig::default();
    let mut f = LogFollower::new(store.clone(), c, blob, cfg);
    let mut pieces: Vec<LinePiece> = f
        .open(Start::Beginning)
        .await
        .unwrap()
        .pieces()
        .cloned()
        .collect();
    let mut reads = 1;
    loop {
        let p = f.poll().await.unwrap();
        reads += 1;
        pieces.extend(p.pieces().cloned());
        if !p.more && !p.grew {
            break;
        }
    }
    assert!(reads >= 3, "10 MiB is read in pieces of at most max_read");
    assert!(
        pieces.iter().all(|p| p.text.len() <= cfg.max_piece),
        "every piece is bounded"
    );
    let text = rejoin(&pieces);
    let expected = format!("start\n{long}\nbad \u{FFFD}\u{FFFD} bytes \u{FFFD}\nend\n");
    assert_eq!(text.len(), expected.len());
    assert!(
        text == expected,
        "long line and bad bytes come through exactly (as U+FFFD)"
    );

    // Opening at the end of a log that is one huge unfinished line shows its tail.
    let blob2 = "t2/$TaskLog/stdout.txt";
    append(&*store, c, blob2, long.as_bytes(), MAX_APPEND_BLOCK).await;
    let mut f = LogFollower::new(store.clone(), c, blob2, cfg);
    let p = f.open(Start::Window).await.unwrap();
    let shown = rejoin(p.pieces());
    assert!(!shown.is_empty() && shown.len() as u64 <= cfg.tail_bytes);
    assert!(long.ends_with(&shown), "cut at a character boundary");
    // Asking for lines of it reads backwards only up to the bound.
    let small = FollowConfig {
        max_backfill: 1024 * 1024,
        ..cfg
    };
    let mut f = LogFollower::new(store.clone(), c, blob2, small);
    let p = f.open(Start::Lines(10)).await.unwrap();
    let shown = rejoin(p.pieces());
    assert!(shown.len() as u64 <= small.max_backfill + small.older_chunk + small.tail_bytes);
    assert!(shown.len() as u64 > small.max_backfill);
    assert!(
        long.ends_with(&shown),
        "older parts join at character boundaries"
    );
}

/// 100 tasks followed through one listing per poll: an idle poll is one request; a poll
/// after 3 logs grew is one listing and 3 reads; a new task is picked up from its start.
pub async fn merged_follow_keeps_requests_low(store: Arc<dyn Store>) {
    let c = "job-tail-many";
    container(&*store, c).await;
    for i in 0..100 {
        let t = format!("task-{i:03}");
        append(
            &*store,
            c,
            &format!("{t}/$TaskLog/stdout.txt"),
            format!("hello from {t}\n").as_bytes(),
            1024,
        )
        .await;
        append(
            &*store,
            c,
            &format!("{t}/$TaskLog/stderr.txt"),
            b"warning\n",
            1024,
        )
        .await;
        store
            .put_block_blob(
                c,
                &format!("{t}/$TaskOutput/result.bin"),
                Bytes::from_static(b"data"),
                &PutOptions::default(),
            )
            .await
            .unwrap();
    }
    let counting = Arc::new(CountingStore::new(store.clone()));
    let scope = MergeScope::AllTasks {
        files: vec!["stdout.txt".into()],
    };
    let mut m = MergedFollower::new(
        counting.clone(),
        c,
        scope,
        FollowConfig::default(),
        Start::Lines(10),
    );
    let p = m.poll().await.unwrap();
    assert_eq!(m.sources().len(), 100);
    assert_eq!(p.new_sources.len(), 100);
    assert_eq!(p.events.len(), 100);
    let first = counting.counts();
    assert_eq!((first.lists, first.infos, first.reads), (1, 0, 100));
    let s = m.source(7).unwrap();
    assert_eq!(
        (s.task.as_str(), s.label.as_str(), s.colour),
        ("task-007", "task-007/stdout", 7)
    );

    let before = counting.counts();
    let p = m.poll().await.unwrap();
    assert!(p.events.is_empty());
    assert_eq!(
        counting.counts().since(&before).read_requests(),
        1,
        "an idle poll is one listing"
    );

    for i in [3, 50, 99] {
        append(
            &*store,
            c,
            &format!("task-{i:03}/$TaskLog/stdout.txt"),
            format!("more {i}\n").as_bytes(),
            1024,
        )
        .await;
    }
    let before = counting.counts();
    let p = m.poll().await.unwrap();
    let d = counting.counts().since(&before);
    assert_eq!((d.lists, d.infos, d.reads), (1, 0, 3));
    let got: Vec<(usize, String)> = p
        .events
        .iter()
        .map(|e| match &e.event {
            FollowEvent::Piece(p) => (e.source, p.text.clone()),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (3, "more 3".into()),
            (50, "more 50".into()),
            (99, "more 99".into())
        ]
    );

    // A task that starts later joins from its first byte.
    append(
        &*store,
        c,
        "task-100/$TaskLog/stdout.txt",
        b"first\nsecond\n",
        3,
    )
    .await;
    let p = m.poll().await.unwrap();
    assert_eq!(p.new_sources, vec![100]);
    assert_eq!(
        rejoin(p.events.iter().filter_map(|e| match &e.event {
            FollowEvent::Piece(p) => Some(p),
            _ => None,
        })),
        "first\nsecond\n"
    );

    // An unfinished line is shown once the log stops growing, without another read.
    append(
        &*store,
        c,
        "task-000/$TaskLog/stdout.txt",
        b"no newline yet",
        1024,
    )
    .await;
    let p = m.poll().await.unwrap();
    assert!(
        p.events.is_empty(),
        "held back while it may still grow: {:?}",
        p.events
    );
    let before = counting.counts();
    let p = m.poll().await.unwrap();
    assert_eq!(counting.counts().since(&before).read_requests(), 1);
    assert_eq!(p.events.len(), 1);
    assert_eq!(
        p.events[0].event,
        FollowEvent::Piece(LinePiece::partial("no newline yet"))
    );

    // A few chosen tasks, both logs: one listing per task, labels name task and log.
    let scope = MergeScope::Tasks {
        tasks: vec!["task-001".into(), "task-002".into()],
        files: vec!["stdout.txt".into(), "stderr.txt".into()],
    };
    let mut m = MergedFollower::new(
        counting.clone(),
        c,
        scope,
        FollowConfig::default(),
        Start::Lines(10),
    );
    m.poll().await.unwrap();
    let labels: Vec<&str> = m.sources().iter().map(|s| s.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "task-001/stderr",
            "task-001/stdout",
            "task-002/stderr",
            "task-002/stdout"
        ]
    );
    let before = counting.counts();
    m.poll().await.unwrap();
    assert_eq!(counting.counts().since(&before).read_requests(), 2);

    // One task's stdout and stderr: labels are just the log names.
    let scope = MergeScope::Tasks {
        tasks: vec!["task-001".into()],
        files: vec!["stdout.txt".into(), "stderr.txt".into()],
    };
    let mut m = MergedFollower::new(
        store.clone(),
        c,
        scope,
        FollowConfig::default(),
        Start::Lines(10),
    );
    m.poll().await.unwrap();
    let labels: Vec<&str> = m.sources().iter().map(|s| s.label.as_str()).collect();
    assert_eq!(labels, ["stderr", "stdout"]);
}

/// A log that does not exist yet is waited for; deletion and re-creation are reported.
pub async fn missing_log_is_waited_for(store: Arc<dyn Store>) {
    let c = "job-tail-missing";
    let blob = "t1/$TaskLog/stdout.txt";
    container(&*store, c).await;
    let mut f = LogFollower::new(store.clone(), c, blob, FollowConfig::default());
    let p = f.open(Start::Lines(10)).await.unwrap();
    assert_eq!(p.events, vec![FollowEvent::Notice(Notice::Waiting)]);
    assert!(f.poll().await.unwrap().events.is_empty());
    append(&*store, c, blob, b"a\nb\n", 1).await;
    let p = f.poll().await.unwrap();
    assert_eq!(
        p.events,
        vec![
            FollowEvent::Notice(Notice::Appeared),
            FollowEvent::Piece(LinePiece::line("a")),
            FollowEvent::Piece(LinePiece::line("b")),
        ]
    );
    store.delete_blob(c, blob).await.unwrap();
    assert_eq!(
        f.poll().await.unwrap().events,
        vec![FollowEvent::Notice(Notice::Vanished)]
    );
    assert!(f.poll().await.unwrap().events.is_empty());
    append(&*store, c, blob, b"c\n", 1).await;
    let p = f.poll().await.unwrap();
    assert_eq!(
        p.events,
        vec![
            FollowEvent::Notice(Notice::Replaced),
            FollowEvent::Piece(LinePiece::line("c"))
        ]
    );
}
