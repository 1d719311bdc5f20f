//! Measures what tracking costs (run by scripts/bench-engine; see README "Saving from tasks").
//!
//! 1. Bytes uploaded per byte appended: a writer appends lines of random size at random
//!    moments for a while; every byte the tracker sends to the store is counted (retries
//!    included). Goal: exactly 1.0.
//! 2. Requests per idle minute: a tracked file that stops growing. Goal: 0.
//! 3. Latency from an append to the bytes being in the blob, in the first (0.5 s) phase.
//! 4. The flush schedule over 7 days (the block budget).
//!
//! Usage: engine_bench --store STORE [--quick]
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

use async_trait::async_trait;
use batchout::engine::{EventSink, FlushSchedule, Target, TrackOptions, TrackSpec, Tracker};
use batchout::store::{self, *};
use bytes::Bytes;
use rand::Rng;
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Forwards to a store and counts requests and bytes written.
#[derive(Debug)]
struct Counting {
    inner: Arc<dyn Store>,
    requests: AtomicU64,
    bytes_written: AtomicU64,
}

impl Counting {
    fn hit(&self) {
        self.requests.fetch_add(1, Relaxed);
    }
}

#[async_trait]
impl Store for Counting {
    fn describe(&self) -> String {
        self.inner.describe()
    }
    async fn list_containers(&self, p: &str, m: Option<&str>) -> StoreResult<Page<ContainerInfo>> {
        self.hit();
        self.inner.list_containers(p, m).await
    }
    async fn container_info(&self, c: &str) -> StoreResult<ContainerInfo> {
        self.hit();
        self.inner.container_info(c).await
    }
    async fn list_blobs(
        &self,
        c: &str,
        q: &ListQuery,
        m: Option<&str>,
    ) -> StoreResult<Page<ListItem>> {
        self.hit();
        self.inner.list_blobs(c, q, m).await
    }
    async fn blob_info(&self, c: &str, b: &str) -> StoreResult<BlobInfo> {
        self.hit();
        self.inner.blob_info(c, b).await
    }
    async fn read_range(
        &self,
        c: &str,
        b: &str,
        r: ByteRange,
        i: Option<&str>,
    ) -> StoreResult<RangeData> {
        self.hit();
        self.inner.read_range(c, b, r, i).await
    }
    async fn create_container(&self, c: &str, m: &BTreeMap<String, String>) -> StoreResult<bool> {
        self.hit();
        self.inner.create_container(c, m).await
    }
    async fn put_block_blob(
        &self,
        c: &str,
        b: &str,
        d: Bytes,
        o: &PutOptions,
    ) -> StoreResult<BlobInfo> {
        self.hit();
        self.bytes_written.fetch_add(d.len() as u64, Relaxed);
        self.inner.put_block_blob(c, b, d, o).await
    }
    async fn stage_block(&self, c: &str, b: &str, id: &str, d: Bytes) -> StoreResult<()> {
        self.hit();
        self.bytes_written.fetch_add(d.len() as u64, Relaxed);
        self.inner.stage_block(c, b, id, d).await
    }
    async fn commit_block_list(
        &self,
        c: &str,
        b: &str,
        ids: &[String],
        o: &PutOptions,
    ) -> StoreResult<BlobInfo> {
        self.hit();
        self.inner.commit_block_list(c, b, ids, o).await
    }
    async fn create_append_blob(
        &self,
        c: &str,
        b: &str,
        o: &PutOptions,
    ) -> StoreResult<(BlobInfo, bool)> {
        self.hit();
        self.inner.create_append_blob(c, b, o).await
    }
    async fn append_block(&self, c: &str, b: &str, d: Bytes, p: u64) -> StoreResult<BlobInfo> {
        self.hit();
        self.bytes_written.fetch_add(d.len() as u64, Relaxed);
        self.inner.append_block(c, b, d, p).await
    }
    async fn delete_blob(&self, c: &str, b: &str) -> StoreResult<()> {
        self.hit();
        self.inner.delete_blob(c, b).await
    }
    async fn set_blob_metadata(
        &self,
        c: &str,
        b: &str,
        m: &std::collections::BTreeMap<String, String>,
    ) -> StoreResult<()> {
        self.hit();
        self.inner.set_blob_metadata(c, b, m).await
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let spec = args
        .iter()
        .position(|a| a == "--store")
        .and_then(|i| args.get(i + 1))
        .cloned()
        .expect("--store STORE");
    let quick = args.iter().any(|a| a == "--quick");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let inner = rt
        .block_on(store::open(&StoreSpec::parse(&spec)))
        .expect("open store");
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    if let Some(file) = value("--upload") {
        // Upload settings sweep: engine_bench --store S --upload FILE --block-mib N --in-flight M
        let block: usize = value("--block-mib")
            .map(|v| v.parse().unwrap())
            .unwrap_or(8);
        let in_flight: usize = value("--in-flight")
            .map(|v| v.parse().unwrap())
            .unwrap_or(8);
        let options = batchout::engine::UploadOptions {
            block_size: block * 1024 * 1024,
            in_flight,
            ..Default::default()
        };
        rt.block_on(inner.create_container("job-bench", &BTreeMap::new()))
            .unwrap();
        let started = Instant::now();
        let info = rt
            .block_on(batchout::engine::upload_file(
                &inner,
                "job-bench",
                "sweep/$TaskOutput/big.bin",
                std::path::Path::new(&file),
                options,
            ))
            .unwrap();
        let secs = started.elapsed().as_secs_f64();
        println!(
            "upload {block} MiB x {in_flight}: {:.2} s, {:.0} MiB/s",
            secs,
            info.len as f64 / 1048576.0 / secs
        );
        return;
    }
    println!("store: {}", inner.describe());
    let counting = Arc::new(Counting {
        inner: inner.clone(),
        requests: AtomicU64::new(0),
        bytes_written: AtomicU64::new(0),
    });
    let dir = std::env::temp_dir().join(format!("batchout-engine-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let target = Target::task(
        "enginebench",
        &format!("t{}", std::process::id()),
        "TaskLog",
    )
    .unwrap();

    // 1 + 3: a writer for a while, default schedule (0.5 s phase).
    let log = dir.join("busy.log");
    let tspec = TrackSpec::new(&target, &log, Some("busy.log")).unwrap();
    let writing = Duration::from_secs(if quick { 8 } else { 30 });
    let (appended, latencies) = rt.block_on(async {
        let tracker = Tracker::start(
            counting.clone(),
            vec![tspec.clone()],
            TrackOptions::default(),
        );
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .unwrap();
        let mut rng = rand::rng();
        let mut appended = 0u64;
        let mut latencies = Vec::new();
        let started = Instant::now();
        while started.elapsed() < writing {
            let n: usize = rng.random_range(1..2000);
            let line = format!("{:>10} {}\n", appended, "y".repeat(n));
            f.write_all(line.as_bytes()).unwrap();
            appended += line.len() as u64;
            // Every few appends, time how long until the blob has them.
            if rng.random_range(0..8) == 0 {
                let at = Instant::now();
                loop {
                    let len = inner
                        .blob_info(&tspec.container, &tspec.blob)
                        .await
                        .map(|i| i.len)
                        .unwrap_or(0);
                    if len >= appended {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                latencies.push(at.elapsed().as_secs_f64());
            }
            tokio::time::sleep(Duration::from_millis(rng.random_range(0..150))).await;
        }
        tracker.finish().await.unwrap();
        (appended, latencies)
    });
    let sent = counting.bytes_written.load(Relaxed);
    let saved = rt
        .block_on(inner.blob_info(&tspec.container, &tspec.blob))
        .unwrap()
        .len;
    assert_eq!(saved, appended, "blob length equals bytes appended");
    println!(
        "track: bytes uploaded per byte appended: {:.4} ({sent} sent for {appended} appended over {:?})",
        sent as f64 / appended as f64,
        writing
    );
    let mut l = latencies.clone();
    l.sort_by(|a, b| a.partial_cmp(b).unwrap());
    if !l.is_empty() {
        let pct = |p: f64| l[((l.len() - 1) as f64 * p).round() as usize];
        println!(
            "track: append -> in the blob, first phase: p50 {:.2} s, p95 {:.2} s ({} samples)",
            pct(0.5),
            pct(0.95),
            l.len()
        );
    }

    // 2: an idle file.
    let idle_log = dir.join("idle.log");
    std::fs::write(&idle_log, b"written once\n").unwrap();
    let ispec = TrackSpec::new(&target, &idle_log, Some("idle.log")).unwrap();
    let idle = Duration::from_secs(if quick { 15 } else { 60 });
    let requests = rt.block_on(async {
        let tracker = Tracker::start(
            counting.clone(),
            vec![ispec],
            TrackOptions {
                events: EventSink::none(),
                ..Default::default()
            },
        );
        tokio::time::sleep(Duration::from_secs(3)).await; // the first flush and its requests
        let before = counting.requests.load(Relaxed);
        tokio::time::sleep(idle).await;
        let during = counting.requests.load(Relaxed) - before;
        tracker.finish().await.unwrap();
        during
    });
    println!(
        "track: requests per idle minute: {:.1} ({requests} in {:?})",
        requests as f64 * 60.0 / idle.as_secs_f64(),
        idle
    );

    // 4: the schedule's block budget.
    let week = Duration::from_secs(7 * 24 * 3600);
    println!(
        "track: flushes in 7 days of continuous writing: {} (budget 25,000; append blob limit 50,000 blocks)",
        FlushSchedule::default().flushes_within(week)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
