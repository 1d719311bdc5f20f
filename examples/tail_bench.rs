//! Measures what following logs costs (run by scripts/bench-tail; see README "Tail").
//!
//! 1. Latency from an append (through the Store) to the line's appearance in the output of
//!    the real `batchout tail -f` process: p50/p95, for a writer appending a line every
//!    100 ms, and for a writer flushing a batch of 20 lines every 2 s.
//!    Also checks that every line arrived exactly once, in order.
//! 2. Bytes downloaded per byte appended by a follower (CountingStore), side by side with
//!    re-downloading the whole log on each refresh (what Batch Explorer does).
//! 3. Requests per idle minute per followed log (one log; 100 logs merged), with the poll
//!    delays of the default PollPolicy on a simulated clock (the requests are real).
//! 4. Requests per poll when following 100 tasks (idle, and with 10 grown).
//!
//! Usage: tail_bench --store STORE --bin PATH/TO/batchout [--quick]
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

// Test-only code, kept out of the library: the tests and this benchmark share one copy.
#[path = "../tests/support/counting_store.rs"]
mod counting_store;

use batchout::engine::schedule::{WEEK, WEEKLY_BLOCK_BUDGET};
use batchout::engine::FlushSchedule;
use batchout::follow::merged::{MergeScope, MergedFollower};
use batchout::follow::poll::PollPolicy;
use batchout::follow::single::{FollowConfig, LogFollower, Start};
use batchout::store::{self, ByteRange, PutOptions, Store, StoreSpec};
use bytes::Bytes;
use counting_store::CountingStore;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

/// Names unique to this run, so runs on one Azurite never meet.
fn job() -> String {
    format!("tailbench{}", std::process::id())
}
fn container() -> String {
    format!("job-{}", job())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let store_spec = arg("--store").expect("--store STORE");
    let bin = arg("--bin").expect("--bin PATH");
    let quick = args.iter().any(|a| a == "--quick");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let store = rt
        .block_on(store::open(&StoreSpec::parse(&store_spec)))
        .expect("open store");
    println!("store: {}", store.describe());
    rt.block_on(store.create_container(&container(), &BTreeMap::new()))
        .unwrap();

    let lines = if quick { 40 } else { 150 };
    let steady = latency(
        &rt,
        &store,
        &store_spec,
        &bin,
        "steady",
        lines,
        Duration::from_millis(100),
        1,
    );
    let batches = if quick { 4 } else { 10 };
    let bursty = latency(
        &rt,
        &store,
        &store_spec,
        &bin,
        "bursty",
        batches * 20,
        Duration::from_secs(2),
        20,
    );
    println!(
        "latency append -> tail -f output, a line every 100 ms: p50 {:.2} s, p95 {:.2} s ({} lines, all once, in order)",
        steady.0, steady.1, lines
    );
    println!(
        "latency append -> tail -f output, 20 lines flushed every 2 s: p50 {:.2} s, p95 {:.2} s ({} lines, all once, in order)",
        bursty.0, bursty.1, batches * 20
    );
    let e2e_lines = if quick { 40 } else { 150 };
    let e2e = end_to_end(&store_spec, &bin, e2e_lines);
    println!(
        "latency task print -> `batchout run` (default flush schedule) -> tail -f output, a line every 100 ms: p50 {:.2} s, p95 {:.2} s (goal p50 < 1.0 s; {e2e_lines} lines, all once, in order)",
        e2e.0, e2e.1
    );
    // The other side of that latency: how many append blocks the same schedule takes when a
    // task writes all week (one block per flush for a writer of lines; the tracker's rules,
    // simulated, since a week cannot be waited for here).
    let schedule = FlushSchedule::default();
    println!(
        "append blocks for a week of continuous output (a new line before every flush, default schedule): {} (budget {}; the append blob's limit is 50,000)",
        schedule.flushes_within(WEEK),
        WEEKLY_BLOCK_BUDGET
    );
    rt.block_on(bytes_ratio(&store, if quick { 5 } else { 15 }));
    rt.block_on(idle_requests(&store));
    rt.block_on(many_tasks(&store));
}

/// Append `n` numbered lines, `per_batch` at a time every `every`, while the real
/// `batchout tail -f` prints them; returns (p50, p95) seconds from append to output.
#[allow(clippy::too_many_arguments)] // a benchmark's knobs, named at its one call site
fn latency(
    rt: &tokio::runtime::Runtime,
    store: &Arc<dyn Store>,
    spec: &str,
    bin: &str,
    name: &str,
    n: usize,
    every: Duration,
    per_batch: usize,
) -> (f64, f64) {
    let task = format!("latency-{name}");
    let blob = format!("{task}/$TaskLog/stdout.txt");
    rt.block_on(store.create_append_blob(&container(), &blob, &PutOptions::default()))
        .unwrap();
    let mut child = Command::new(bin)
        .args(["--store", spec, "tail", "-f", "-n", "0", &job(), &task])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start batchout tail -f");
    let (tx, rx) = mpsc::channel::<(String, Instant)>();
    let out = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            if tx.send((line, Instant::now())).is_err() {
                break;
            }
        }
    });
    std::thread::sleep(Duration::from_secs(2)); // let it open the (empty) log
    let mut appended_at = Vec::with_capacity(n);
    let mut pos = 0u64;
    let mut i = 0;
    while i < n {
        let batch: String = (i..(i + per_batch).min(n))
            .map(|k| format!("bench line {k:06} {}\n", "x".repeat(40)))
            .collect();
        pos = rt
            .block_on(store.append_block(&container(), &blob, Bytes::from(batch), pos))
            .unwrap()
            .len;
        let t = Instant::now();
        for _ in i..(i + per_batch).min(n) {
            appended_at.push(t);
        }
        i += per_batch;
        // Jitter, so appends do not fall into step with the poll timer.
        std::thread::sleep(every + Duration::from_millis(rand::random_range(0..500)));
    }
    let mut seen = Vec::with_capacity(n);
    let deadline = Instant::now() + Duration::from_secs(15);
    while seen.len() < n {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((line, at)) => seen.push((line, at)),
            Err(_) => break,
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(seen.len(), n, "{name}: {} of {n} lines arrived", seen.len());
    let mut lat = Vec::with_capacity(n);
    for (k, (line, at)) in seen.iter().enumerate() {
        assert!(
            line.starts_with(&format!("bench line {k:06} ")),
            "{name}: line {k} is {line:?} (missing or doubled)"
        );
        lat.push(at.duration_since(appended_at[k]).as_secs_f64());
    }
    assert!(
        rx.recv_timeout(Duration::from_millis(1200)).is_err(),
        "{name}: a line arrived twice"
    );
    lat.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (
        lat[lat.len() / 2],
        lat[(lat.len() * 95 / 100).min(lat.len() - 1)],
    )
}

/// What the check does: a task run by `batchout run` prints a timestamped line every
/// 100 ms; `batchout tail -f` follows its stdout. Latency from the print to the output.
fn end_to_end(spec: &str, bin: &str, n: usize) -> (f64, f64) {
    let script = format!(
        "for i in $(seq 0 {}); do echo \"e2e $i $(date +%s.%N)\"; sleep 0.1; done",
        n - 1
    );
    let mut tail = Command::new(bin)
        .args(["--store", spec, "tail", "-f", "-n", "all", &job(), "e2e"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start batchout tail -f");
    let (tx, rx) = mpsc::channel::<(String, std::time::SystemTime)>();
    let out = tail.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            if tx.send((line, std::time::SystemTime::now())).is_err() {
                break;
            }
        }
    });
    let status = Command::new(bin)
        .args([
            "--store",
            spec,
            "run",
            "--job",
            &job(),
            "--task",
            "e2e",
            "--",
            "bash",
            "-c",
            &script,
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .status()
        .expect("batchout run");
    assert!(status.success(), "batchout run failed");
    let mut lat = Vec::with_capacity(n);
    for k in 0..n {
        let (line, at) = rx
            .recv_timeout(Duration::from_secs(15))
            .unwrap_or_else(|_| panic!("e2e: line {k} never arrived"));
        let mut parts = line.split(' ');
        assert_eq!(
            (parts.next(), parts.next()),
            (Some("e2e"), Some(k.to_string().as_str())),
            "e2e: line {k} is {line:?}"
        );
        let printed: f64 = parts
            .next()
            .and_then(|t| t.parse().ok())
            .expect("timestamp");
        let at = at
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        lat.push(at - printed);
    }
    assert!(
        rx.recv_timeout(Duration::from_millis(1200)).is_err(),
        "e2e: a line arrived twice"
    );
    let _ = tail.kill();
    let _ = tail.wait();
    lat.sort_by(|a, b| a.partial_cmp(b).unwrap());
    (
        lat[lat.len() / 2],
        lat[(lat.len() * 95 / 100).min(lat.len() - 1)],
    )
}

/// A writer appends a 60-byte line every 100 ms for `secs`; a follower polls with the
/// default policy. Compared with re-reading the whole log at every poll.
async fn bytes_ratio(store: &Arc<dyn Store>, secs: u64) {
    let blob = "bytes/$TaskLog/stdout.txt";
    // Some history first: the follower opens at the end, the naive reader reads it all.
    let history: String = (0..5000)
        .map(|i| format!("history {i:06} {}\n", "h".repeat(44)))
        .collect();
    store
        .create_append_blob(&container(), blob, &PutOptions::default())
        .await
        .unwrap();
    let mut pos = store
        .append_block(&container(), blob, Bytes::from(history), 0)
        .await
        .unwrap()
        .len;
    let counting = Arc::new(CountingStore::new(store.clone()));
    let mut f = LogFollower::new(
        counting.clone(),
        &container(),
        blob,
        FollowConfig::default(),
    );
    f.open(Start::Lines(10)).await.unwrap();
    let after_open = counting.counts();
    let naive = Arc::new(CountingStore::new(store.clone()));
    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            let mut appended = 0u64;
            let end = Instant::now() + Duration::from_secs(secs);
            let mut k = 0;
            while Instant::now() < end {
                let line = format!("new line {k:06} {}\n", "n".repeat(43));
                appended += line.len() as u64;
                pos = store
                    .append_block(&container(), blob, Bytes::from(line), pos)
                    .await
                    .unwrap()
                    .len;
                k += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            appended
        })
    };
    let policy = PollPolicy::default();
    let mut last_growth = Instant::now();
    let mut polls = 0u64;
    while !writer.is_finished() {
        tokio::time::sleep(policy.delay(last_growth.elapsed())).await;
        let p = f.poll().await.unwrap();
        polls += 1;
        if p.grew {
            last_growth = Instant::now();
        }
        naive
            .read_range(&container(), blob, ByteRange::all(), None)
            .await
            .unwrap();
    }
    let appended = writer.await.unwrap();
    while f.poll().await.unwrap().more {}
    let d = counting.counts().since(&after_open);
    let n = naive.counts();
    println!(
        "bytes downloaded per byte appended: {:.3} (follower: {} B for {} B appended in {} polls; opening read {} B of a {} B log)",
        d.bytes_read as f64 / appended as f64,
        d.bytes_read,
        appended,
        polls,
        after_open.bytes_read,
        f.known_len().unwrap_or(0)
    );
    println!(
        "  side by side, re-downloading the whole log each poll: {:.1} bytes per byte appended ({}x the follower)",
        n.bytes_read as f64 / appended as f64,
        n.bytes_read / d.bytes_read.max(1)
    );
}

/// Requests during one idle minute, with the policy's delays on a simulated clock.
async fn idle_requests(store: &Arc<dyn Store>) {
    let blob = "idle/$TaskLog/stdout.txt";
    store
        .create_append_blob(&container(), blob, &PutOptions::default())
        .await
        .unwrap();
    store
        .append_block(&container(), blob, Bytes::from_static(b"done\n"), 0)
        .await
        .unwrap();
    let counting = Arc::new(CountingStore::new(store.clone()));
    let mut f = LogFollower::new(
        counting.clone(),
        &container(),
        blob,
        FollowConfig::default(),
    );
    f.open(Start::Lines(10)).await.unwrap();
    let policy = PollPolicy::default();
    let minute = |mut idle: Duration| {
        let mut t = Duration::ZERO;
        let mut polls = 0;
        while t < Duration::from_secs(60) {
            let d = policy.delay(idle);
            t += d;
            idle += d;
            polls += 1;
        }
        polls
    };
    for (label, idle_from) in [
        ("first idle minute", Duration::ZERO),
        ("later idle minutes", Duration::from_secs(600)),
    ] {
        let before = counting.counts();
        for _ in 0..minute(idle_from) {
            f.poll().await.unwrap();
        }
        let d = counting.counts().since(&before);
        println!(
            "requests per idle minute, one followed log ({label}): {}",
            d.read_requests()
        );
    }
    // 100 logs merged: the same number of polls, each one listing.
    seed_tasks(store, &format!("idlemany{}", std::process::id()), 100).await;
    let counting = Arc::new(CountingStore::new(store.clone()));
    let scope = MergeScope::AllTasks {
        files: vec!["stdout.txt".into()],
    };
    let mut m = MergedFollower::new(
        counting.clone(),
        &format!("job-idlemany{}", std::process::id()),
        scope,
        FollowConfig::default(),
        Start::Lines(10),
    );
    m.poll().await.unwrap();
    let before = counting.counts();
    for _ in 0..minute(Duration::from_secs(600)) {
        m.poll().await.unwrap();
    }
    let d = counting.counts().since(&before);
    println!(
        "requests per idle minute, 100 logs merged (--all): {} in all, {:.2} per followed log",
        d.read_requests(),
        d.read_requests() as f64 / 100.0
    );
}

async fn seed_tasks(store: &Arc<dyn Store>, job: &str, n: usize) {
    let c = format!("job-{job}");
    store.create_container(&c, &BTreeMap::new()).await.unwrap();
    for i in 0..n {
        let blob = format!("task-{i:03}/$TaskLog/stdout.txt");
        store
            .create_append_blob(&c, &blob, &PutOptions::default())
            .await
            .unwrap();
        let info = store.blob_info(&c, &blob).await.unwrap();
        store
            .append_block(
                &c,
                &blob,
                Bytes::from(format!("task {i} started\n")),
                info.len,
            )
            .await
            .unwrap();
    }
}

async fn many_tasks(store: &Arc<dyn Store>) {
    let many = format!("many{}", std::process::id());
    seed_tasks(store, &many, 100).await;
    let c = &format!("job-{many}");
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
    let t = Instant::now();
    m.poll().await.unwrap();
    let open = counting.counts();
    let open_time = t.elapsed();
    let before = counting.counts();
    let t = Instant::now();
    m.poll().await.unwrap();
    let idle = counting.counts().since(&before);
    let idle_time = t.elapsed();
    for i in (0..100).step_by(10) {
        let blob = format!("task-{i:03}/$TaskLog/stdout.txt");
        let info = store.blob_info(c, &blob).await.unwrap();
        store
            .append_block(c, &blob, Bytes::from_static(b"progress\n"), info.len)
            .await
            .unwrap();
    }
    let before = counting.counts();
    let t = Instant::now();
    m.poll().await.unwrap();
    let grown = counting.counts().since(&before);
    println!(
        "following 100 tasks: opening {} requests ({:.0} ms); idle poll {} request(s) ({:.0} ms); poll after 10 grew {} requests ({} listing + {} reads, {:.0} ms)",
        open.read_requests(),
        open_time.as_secs_f64() * 1000.0,
        idle.read_requests(),
        idle_time.as_secs_f64() * 1000.0,
        grown.read_requests(),
        grown.lists,
        grown.reads,
        t.elapsed().as_secs_f64() * 1000.0
    );
}
