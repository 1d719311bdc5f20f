//! `batchout demo`: what it seeds, that it never writes into unrelated folders, and that
//! its running task keeps growing.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

use assert_cmd::Command;
use batchout::conventions::container_name;
use batchout::store::{
    list_all_blobs, local::LocalStore, ListItem, ListQuery, Store, JOB_ID_METADATA_KEY,
};
use std::time::Duration;

fn blob_count(store: &LocalStore, container: &str) -> usize {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(list_all_blobs(store, container, &ListQuery::flat("")))
        .unwrap()
        .len()
}

#[test]
fn demo_seeds_jobs_and_can_run_again_without_doubling_logs() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("demo");
    for _ in 0..2 {
        Command::cargo_bin("batchout")
            .unwrap()
            .args(["demo", "--no-ui", "--dir"])
            .arg(&target)
            .assert()
            .success();
    }
    let store = LocalStore::open(&target).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let main = container_name(batchout::demo::MAIN_JOB).unwrap();
    let stdout = rt
        .block_on(store.blob_info(&main, "frame-002/$TaskLog/stdout.txt"))
        .unwrap();
    let text = rt
        .block_on(store.read_range(&main, &stdout.name, batchout::store::ByteRange::all(), None))
        .unwrap();
    let text = String::from_utf8(text.data.to_vec()).unwrap();
    assert_eq!(
        text.matches("starting on node").count(),
        1,
        "a second run replaces, never appends twice"
    );
    assert!(text.contains("WARN") && text.contains("INFO"));
    assert_eq!(stdout.blob_type, batchout::store::BlobType::Append);

    let items = rt
        .block_on(list_all_blobs(&store, &main, &ListQuery::hierarchy("")))
        .unwrap();
    let tops: Vec<_> = items.iter().map(ListItem::name).collect();
    assert!(tops.contains(&"$JobOutput/") && tops.contains(&"$JobPreview/"));
    assert_eq!(tops.iter().filter(|n| n.starts_with("frame-")).count(), 12);
    let failed = rt
        .block_on(store.read_range(
            &main,
            "frame-007/$TaskLog/stderr.txt",
            batchout::store::ByteRange::all(),
            None,
        ))
        .unwrap();
    assert!(String::from_utf8_lossy(&failed.data).contains("ERROR"));
    assert!(blob_count(&store, &main) > 100);

    let nightly = container_name(batchout::demo::SCHEDULED_JOB).unwrap();
    assert!(
        nightly.len() > 45,
        "the scheduled job needs the hashed container form: {nightly}"
    );
    let info = rt.block_on(store.container_info(&nightly)).unwrap();
    assert_eq!(
        info.metadata.get(JOB_ID_METADATA_KEY).map(String::as_str),
        Some(batchout::demo::SCHEDULED_JOB)
    );
}

#[test]
fn demo_refuses_a_folder_with_unrelated_files_and_leaves_it_alone() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("thesis.tex"), "precious").unwrap();
    let out = Command::cargo_bin("batchout")
        .unwrap()
        .args(["demo", "--no-ui", "--dir"])
        .arg(dir.path())
        .assert()
        .failure()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(err.contains("not a batchout demo folder"), "{err}");
    assert_eq!(err.lines().count(), 1);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["thesis.tex"]);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("thesis.tex")).unwrap(),
        "precious"
    );

    let file = dir.path().join("thesis.tex");
    Command::cargo_bin("batchout")
        .unwrap()
        .args(["demo", "--no-ui", "--dir"])
        .arg(&file)
        .assert()
        .failure()
        .code(1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_running_task_keeps_growing() {
    let dir = tempfile::tempdir().unwrap();
    let store: std::sync::Arc<dyn Store> =
        std::sync::Arc::new(LocalStore::open(dir.path()).unwrap());
    let seeded = batchout::demo::seed(&store).await.unwrap();
    let main = &seeded.containers[0];
    let name = format!("{}/$TaskLog/stdout.txt", batchout::demo::RUNNING_TASK);
    let before = store.blob_info(main, &name).await.unwrap().len;
    let grower = tokio::spawn(batchout::demo::grow(
        store.clone(),
        Duration::from_millis(60),
    ));
    // Wait for the tracker's flushes (state, not a fixed sleep).
    let mut after = before;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        after = store.blob_info(main, &name).await.unwrap().len;
        if after > before + 200 {
            break;
        }
    }
    assert!(
        !grower.is_finished(),
        "grow keeps running: {:?}",
        grower.is_finished()
    );
    grower.abort();
    assert!(after > before, "stdout grew from {before} to {after}");
    let tail = store
        .read_range(main, &name, batchout::store::ByteRange::from(before), None)
        .await
        .unwrap();
    let text = String::from_utf8(tail.data.to_vec()).unwrap();
    assert!(
        text.lines().all(|l| l.contains("[frame-012]")),
        "whole lines appended: {text}"
    );
    let all = store
        .read_range(main, &name, batchout::store::ByteRange::all(), None)
        .await
        .unwrap();
    let all = String::from_utf8(all.data.to_vec()).unwrap();
    assert_eq!(
        all.matches("starting on node").count(),
        1,
        "the tracker resumed at the blob's end"
    );
}

/// The demo's statuses are real: its tasks ran through the run engine (ok, and a failure
/// killed by SIGKILL), one batchout was killed (lost), others were written the .NET way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_statuses_come_from_real_runs() {
    use batchout::outputs::status::{scan_tasks, Evidence, Status, StatusPolicy, TaskActivity};
    let dir = tempfile::tempdir().unwrap();
    let store: std::sync::Arc<dyn Store> =
        std::sync::Arc::new(LocalStore::open(dir.path()).unwrap());
    let seeded = batchout::demo::seed(&store).await.unwrap();
    let scan = |container: String| {
        let store = store.clone();
        async move {
            let mut tasks: Vec<TaskActivity> = Vec::new();
            scan_tasks(store.as_ref(), &container, None, |p| {
                tasks.extend(p.tasks);
                true
            })
            .await
            .unwrap();
            tasks
        }
    };
    let now = time::OffsetDateTime::now_utc();
    let policy = StatusPolicy::default();
    let main = scan(seeded.containers[0].clone()).await;
    let get = |tasks: &[TaskActivity], id: &str| {
        let t = tasks.iter().find(|t| t.task == id).unwrap().clone();
        let j = t.judge(now, &policy);
        (t, j)
    };
    let (t, j) = get(&main, "frame-001");
    assert_eq!((j.status, j.evidence), (Status::Ok, Evidence::Record));
    assert_eq!(t.record.unwrap().exit_code, Some(0));
    let (t, j) = get(&main, "frame-007");
    assert_eq!(j.status, Status::Failed);
    let r = t.record.unwrap();
    assert_eq!((r.exit_code, r.signal), (Some(137), Some(9)));
    assert!(t.stderr_len.unwrap() > 0);
    let (t, _) = get(&main, "jobmanager");
    assert!(t.record.is_none(), "written the .NET way");
    let nightly = scan(seeded.containers[1].clone()).await;
    assert_eq!(get(&nightly, "extract").1.status, Status::Ok);
    let (_, j) = get(&nightly, "publish");
    assert_eq!((j.status, j.evidence), (Status::Lost, Evidence::Record));

    // While the demo runs, its growing task is running by its record.
    let grower = tokio::spawn(batchout::demo::grow(
        store.clone(),
        Duration::from_millis(60),
    ));
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let main = scan(seeded.containers[0].clone()).await;
        let (t, j) = get(&main, batchout::demo::RUNNING_TASK);
        if t.record.is_some() {
            assert_eq!((j.status, j.evidence), (Status::Running, Evidence::Record));
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no record for the running task"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    grower.abort();
}
