//! The batchout side of `scripts/bench-status` (a release build): seeds a job whose tasks
//! carry task records, and times the status scan through the library, printing JSON.
//!
//! Usage (STORE: a local folder, or "azurite" with BATCHOUT_AZURITE_BLOB_ENDPOINT set):
//!   status_bench seed STORE JOB TASKS   # 5 blobs per task (see `seed_task`)
//!   status_bench scan STORE JOB         # {first_page_s, all_s, requests, blobs, tasks,
//!                                       #  counts, peak_rss_mib} (peak of this process)
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

use batchout::conventions::container_name;
use batchout::outputs::status::{scan_tasks, StatusCounts, StatusPolicy};
use batchout::outputs::TaskRecord;
use batchout::store::local::{LocalOptions, LocalStore};
use batchout::store::{open, PutOptions, Store, StoreSpec};
use bytes::Bytes;
use futures::stream::{self, StreamExt};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;
use time::OffsetDateTime;

/// One task as `batchout run` leaves it: stdout.txt (an append blob carrying the record),
/// stderr.txt, three outputs. Of 100 tasks: 90 ok, 5 failed (2 of them by SIGKILL), 3
/// running, 1 lost, 1 written by another client (no record).
async fn seed_task(store: &dyn Store, container: &str, i: usize, now: OffsetDateTime) {
    let task = format!("task-{i:06}");
    let mut record = TaskRecord::start(1, now - time::Duration::minutes(30));
    match i % 100 {
        0..=89 => end(&mut record, now, 0, None),
        90..=92 => end(&mut record, now, 1, None),
        93..=94 => end(&mut record, now, 137, Some(9)),
        95..=97 => record.beat = Some(now),
        98 => record.beat = Some(now - time::Duration::minutes(20)),
        _ => {}
    }
    let metadata = if i % 100 == 99 {
        BTreeMap::new()
    } else {
        record.to_metadata(&BTreeMap::new())
    };
    let log = format!("{task}/$TaskLog/stdout.txt");
    let (info, _) = store
        .create_append_blob(
            container,
            &log,
            &PutOptions {
                metadata,
                ..Default::default()
            },
        )
        .await
        .expect("create stdout");
    match store
        .append_block(container, &log, Bytes::from(vec![b'x'; 200]), info.len)
        .await
    {
        // A retried request whose first attempt landed (a busy emulator): the bytes are there.
        Ok(_) | Err(batchout::store::StoreError::AppendPositionMismatch { .. }) => {}
        Err(e) => panic!("append stdout: {e}"),
    }
    let stderr = if i % 100 >= 90 { 100 } else { 0 };
    let puts = [
        (format!("{task}/$TaskLog/stderr.txt"), stderr),
        (format!("{task}/$TaskOutput/out-0.dat"), 64),
        (format!("{task}/$TaskOutput/out-1.dat"), 64),
        (format!("{task}/$TaskOutput/out-2.dat"), 64),
    ];
    for (name, len) in puts {
        store
            .put_block_blob(
                container,
                &name,
                Bytes::from(vec![b'y'; len]),
                &Default::default(),
            )
            .await
            .expect("put");
    }
}

fn end(r: &mut TaskRecord, now: OffsetDateTime, code: i32, signal: Option<i32>) {
    r.ended = Some(now - time::Duration::minutes(1));
    r.exit_code = Some(code);
    r.signal = signal;
}

async fn store_for(spec: &str, fast: bool) -> Arc<dyn Store> {
    if fast && std::path::Path::new(spec).is_absolute() {
        // A throwaway store: no fsync while seeding.
        return Arc::new(
            LocalStore::open_with(std::path::Path::new(spec), LocalOptions { durable: false })
                .expect("local store"),
        );
    }
    open(&StoreSpec::parse(spec)).await.expect("store")
}

/// Peak resident memory of this process (Linux), in MiB.
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| {
        args.get(i)
            .cloned()
            .unwrap_or_else(|| panic!("missing argument {i}; see the file's header"))
    };
    let container = container_name(&arg(2)).expect("job id");
    match arg(0).as_str() {
        "seed" => {
            let store = store_for(&arg(1), true).await;
            let tasks: usize = arg(3).parse().expect("TASKS");
            store
                .create_container(&container, &BTreeMap::new())
                .await
                .expect("container");
            let now = OffsetDateTime::now_utc();
            let t = Instant::now();
            stream::iter(0..tasks)
                .map(|i| {
                    let store = store.clone();
                    let container = container.clone();
                    async move { seed_task(store.as_ref(), &container, i, now).await }
                })
                .buffer_unordered(32)
                .collect::<Vec<()>>()
                .await;
            eprintln!(
                "seeded {tasks} tasks ({} blobs) in {:.1}s",
                tasks * 5,
                t.elapsed().as_secs_f64()
            );
        }
        "scan" => {
            let store = store_for(&arg(1), false).await;
            let policy = StatusPolicy::default();
            let now = OffsetDateTime::now_utc();
            let mut counts = StatusCounts::default();
            let mut first_page = None;
            let t = Instant::now();
            let stats = scan_tasks(store.as_ref(), &container, None, |page| {
                first_page.get_or_insert(t.elapsed().as_secs_f64());
                for task in &page.tasks {
                    counts.add(task.judge(now, &policy).status);
                }
                true
            })
            .await
            .expect("scan");
            let all = t.elapsed().as_secs_f64();
            println!(
                "{}",
                serde_json::json!({
                    "first_page_s": first_page,
                    "all_s": all,
                    "requests": stats.requests,
                    "blobs": stats.blobs,
                    "tasks": stats.tasks,
                    "counts": counts,
                    "peak_rss_mib": peak_rss_mib(),
                })
            );
        }
        other => panic!("unknown command {other}; see the file's header"),
    }
}
