//! `jobs`, `ls` and `cat` on the local store, driving the real binary. Data is written
//! through the Store API (as `save`/`track` would), then listed and read back exactly.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

use batchout::conventions::{self, Scope};
use batchout::store::local::LocalStore;
use batchout::store::{PutOptions, Store, JOB_ID_METADATA_KEY};
use bytes::Bytes;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

fn batchout(store: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_batchout"))
        .arg("--store")
        .arg(store)
        .args(args)
        .env_remove("BATCHOUT_STORE")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// One line, exit 1, no panic or backtrace.
fn assert_one_line_failure(o: &Output) -> String {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(1), "stderr: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err:?}");
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
    err
}

struct Seeded {
    _dir: tempfile::TempDir,
    root: std::path::PathBuf,
    files: Vec<(Scope, &'static str, String, Vec<u8>)>,
}

/// A job `Render_Job:7` (hashed container name) with job-level outputs, two tasks with
/// several kinds (one a growing append-blob log), plus a job made by another tool.
async fn seed() -> Seeded {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("store");
    let store = LocalStore::open(&root).unwrap();
    let job = "Render_Job:7";
    let container = conventions::container_name(job).unwrap();
    let meta = BTreeMap::from([(JOB_ID_METADATA_KEY.to_string(), job.to_string())]);
    store.create_container(&container, &meta).await.unwrap();
    store
        .create_container("job-othertool", &BTreeMap::new())
        .await
        .unwrap();
    store
        .create_container("not-a-job", &BTreeMap::new())
        .await
        .unwrap();
    let big: Vec<u8> = (0..9_000_000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let files: Vec<(Scope, &'static str, String, Vec<u8>)> = vec![
        (
            Scope::Job,
            "JobOutput",
            "summary.json".into(),
            b"{\"frames\": 2}\n".to_vec(),
        ),
        (
            Scope::Job,
            "JobPreview",
            "thumb with space.png".into(),
            vec![0x89, b'P', b'N', b'G', 0, 1, 2],
        ),
        (
            Scope::Task("frame-1".into()),
            "TaskOutput",
            "out/frame 0001.exr".into(),
            big,
        ),
        (
            Scope::Task("frame-1".into()),
            "TaskOutput",
            "ünïcødé.txt".into(),
            "héllo\n".as_bytes().to_vec(),
        ),
        (
            Scope::Task("frame-1".into()),
            "TaskPreview",
            "p.jpg".into(),
            b"jpg".to_vec(),
        ),
        (
            Scope::Task("frame-10".into()),
            "MyKind",
            "x".into(),
            b"custom kind\n".to_vec(),
        ),
    ];
    for (scope, kind, path, data) in &files {
        let blob = conventions::blob_name(scope, kind, path).unwrap();
        store
            .put_block_blob(
                &container,
                &blob,
                Bytes::from(data.clone()),
                &PutOptions::default(),
            )
            .await
            .unwrap();
    }
    let log =
        conventions::blob_name(&Scope::Task("frame-1".into()), "TaskLog", "stdout.txt").unwrap();
    store
        .create_append_blob(&container, &log, &PutOptions::default())
        .await
        .unwrap();
    store
        .append_block(&container, &log, Bytes::from_static(b"line 1\n"), 0)
        .await
        .unwrap();
    store
        .append_block(&container, &log, Bytes::from_static(b"line 2\n"), 7)
        .await
        .unwrap();
    let mut files = files;
    files.push((
        Scope::Task("frame-1".into()),
        "TaskLog",
        "stdout.txt".into(),
        b"line 1\nline 2\n".to_vec(),
    ));
    Seeded {
        _dir: dir,
        root,
        files,
    }
}

#[tokio::test]
async fn jobs_lists_job_containers_with_original_ids() {
    let s = seed().await;
    let out = batchout(&s.root, &["jobs"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("JOB"));
    let container = conventions::container_name("Render_Job:7").unwrap();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("Render_Job:7 ") && l.contains(&container)),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("? ") && l.contains("job-othertool")),
        "{text}"
    );
    assert!(!text.contains("not-a-job"));

    let out = batchout(&s.root, &["jobs", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 2);
    let mine = arr
        .iter()
        .find(|j| j["container"] == container.as_str())
        .unwrap();
    assert_eq!(mine["job"], "Render_Job:7");
    assert!(mine["last_modified"].as_str().unwrap().ends_with('Z'));
    let other = arr
        .iter()
        .find(|j| j["container"] == "job-othertool")
        .unwrap();
    assert!(other["job"].is_null());
}

/// Empty job-id metadata is no job id: the job shows as its container, like a container
/// made by another tool (the TUI agrees: tests/tui_worker.rs).
#[tokio::test]
async fn jobs_treats_empty_job_id_metadata_as_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(dir.path()).unwrap();
    let meta = BTreeMap::from([(JOB_ID_METADATA_KEY.to_string(), String::new())]);
    store.create_container("job-blank-id", &meta).await.unwrap();
    let out = batchout(dir.path(), &["jobs", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["container"], "job-blank-id");
    assert_eq!(v[0]["job"], serde_json::Value::Null, "{v}");
    let out = batchout(dir.path(), &["jobs"]);
    let text = stdout(&out);
    let row = text.lines().nth(1).expect("one job row");
    assert!(
        row.starts_with("?  ") && row.contains("job-blank-id"),
        "{text}"
    );
}

#[tokio::test]
async fn ls_job_lists_job_kinds_and_tasks() {
    let s = seed().await;
    let out = batchout(&s.root, &["ls", "Render_Job:7"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // SCOPE first, NAME last (status columns in between: tests/status_cli.rs).
    let rows: Vec<(String, String)> = stdout(&out)
        .lines()
        .map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            (w[0].to_string(), w[w.len() - 1].to_string())
        })
        .collect();
    let want = [
        ("SCOPE", "NAME"),
        ("job", "JobOutput"),
        ("job", "JobPreview"),
        ("task", "frame-1"),
        ("task", "frame-10"),
    ];
    assert_eq!(rows, want.map(|(a, b)| (a.to_string(), b.to_string())));
    let out = batchout(&s.root, &["ls", "Render_Job:7", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<(String, String)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let name = if r["scope"] == "job" {
                &r["kind"]
            } else {
                &r["task"]
            };
            (
                r["scope"].as_str().unwrap().into(),
                name.as_str().unwrap().into(),
            )
        })
        .collect();
    let want = [
        ("job", "JobOutput"),
        ("job", "JobPreview"),
        ("task", "frame-1"),
        ("task", "frame-10"),
    ];
    assert_eq!(names, want.map(|(a, b)| (a.to_string(), b.to_string())));
}

#[tokio::test]
async fn ls_task_lists_every_file_with_kind_size_and_time() {
    let s = seed().await;
    let out = batchout(&s.root, &["ls", "Render_Job:7", "frame-1", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let got: Vec<(String, String, u64, String)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["size"].as_u64().unwrap(),
                f["type"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut want: Vec<(String, String, u64, String)> = s
        .files
        .iter()
        .filter(|(scope, ..)| *scope == Scope::Task("frame-1".into()))
        .map(|(_, kind, path, data)| {
            let ty = if *kind == "TaskLog" {
                "append"
            } else {
                "block"
            };
            (
                kind.to_string(),
                path.clone(),
                data.len() as u64,
                ty.to_string(),
            )
        })
        .collect();
    want.sort();
    assert_eq!(got, want);
    for f in v.as_array().unwrap() {
        assert_eq!(f["task"], "frame-1");
        assert!(f["modified"].as_str().unwrap().ends_with('Z'));
    }

    // One kind only; the human table has a header and one row per file.
    let out = batchout(
        &s.root,
        &["ls", "Render_Job:7", "frame-1", "--kind", "TaskOutput"],
    );
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("KIND") && lines[0].ends_with("PATH"));
    assert!(
        lines[1].starts_with("TaskOutput")
            && lines[1].contains("8.6 MiB")
            && lines[1].ends_with("out/frame 0001.exr"),
        "{text}"
    );
    assert!(
        lines[2].contains("7 B") && lines[2].ends_with("ünïcødé.txt"),
        "{text}"
    );

    // Job level with '-'.
    let out = batchout(&s.root, &["ls", "Render_Job:7", "-", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let paths: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, vec!["summary.json", "thumb with space.png"]);
    assert!(v[0]["task"].is_null());

    // Custom kinds are found like the predefined ones.
    let out = batchout(&s.root, &["ls", "Render_Job:7", "frame-10", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["kind"], "MyKind");
    assert_eq!(v.as_array().unwrap().len(), 1);

    // A task with no outputs: empty, exit 0.
    let out = batchout(&s.root, &["ls", "Render_Job:7", "frame-2", "--json"]);
    assert!(out.status.success());
    assert_eq!(stdout(&out).trim(), "[]");
}

#[tokio::test]
async fn cat_writes_exact_bytes() {
    let s = seed().await;
    for (scope, kind, path, data) in &s.files {
        let task = scope.task().unwrap_or("-");
        let out = batchout(&s.root, &["cat", "Render_Job:7", task, kind, path]);
        assert!(
            out.status.success(),
            "{task} {kind} {path}: {}",
            stderr(&out)
        );
        assert!(
            out.stdout == *data,
            "{task} {kind} {path}: {} bytes, want {}",
            out.stdout.len(),
            data.len()
        );
    }
}

#[tokio::test]
async fn bad_input_fails_with_one_line() {
    let s = seed().await;
    let e = assert_one_line_failure(&batchout(&s.root, &["ls", "no_such_job"]));
    assert!(
        e.contains("no persisted outputs for job no_such_job: container job-no-such-job-"),
        "{e}"
    );
    assert!(e.contains("does not exist in"), "{e}");
    let e = assert_one_line_failure(&batchout(
        &s.root,
        &["cat", "missing", "t", "TaskOutput", "x"],
    ));
    assert!(
        e.contains("no persisted outputs for job missing: container job-missing does not exist"),
        "{e}"
    );
    let e = assert_one_line_failure(&batchout(&s.root, &["ls", "bad job"]));
    assert!(e.contains("space"), "{e}");
    let e = assert_one_line_failure(&batchout(&s.root, &["ls", "Render_Job:7", "bad/task"]));
    assert!(e.contains('/') || e.contains("slash"), "{e}");
    assert_one_line_failure(&batchout(
        &s.root,
        &["ls", "Render_Job:7", "frame-1", "--kind", "Bad$Kind"],
    ));
    let e = assert_one_line_failure(&batchout(
        &s.root,
        &["cat", "Render_Job:7", "frame-1", "TaskOutput", "nope.txt"],
    ));
    assert!(e.contains("nope.txt") && e.contains("batchout ls"), "{e}");
    let e = assert_one_line_failure(&batchout(
        &s.root,
        &[
            "cat",
            "Render_Job:7",
            "frame-1",
            "TaskOutput",
            "x\n\u{1b}[31mred",
        ],
    ));
    assert!(!e.contains('\u{1b}'), "{e:?}");
    let out = batchout(&s.root, &["ls", "Render_Job:7", "--kind", "TaskLog"]);
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test]
async fn cat_into_a_closed_pipe_is_quiet() {
    let s = seed().await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_batchout"))
        .arg("--store")
        .arg(&s.root)
        .args([
            "cat",
            "Render_Job:7",
            "frame-1",
            "TaskOutput",
            "out/frame 0001.exr",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
}
