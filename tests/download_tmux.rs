//! Downloads from the browser in a real terminal: tmux runs `batchout ui` on a local store
//! in a temp folder, the test marks files, a kind, a task and a whole job with Space like a
//! person would, presses `d`, types the folder, watches the transfers panel (`T`), cancels
//! a running file with `x` and resumes it with `R`, quits, and then checks the files on
//! disk: exactly the marked set under DIR/TASK/KIND/PATH, byte-equal to the store's blobs,
//! and nothing written anywhere else.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

mod download_scenarios;
mod support;

use batchout::conventions::{parse_blob_name, Scope};
use batchout::store::local::LocalStore;
use batchout::store::{list_all_blobs, ByteRange, ListItem, ListQuery, Store};
use download_scenarios::{data, new_container, put, sha256, sha256_file};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
use support::tmux::Tmux;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// The shell line tmux runs: the browser in `cwd` with its own HOME, then the exit code
/// (the pane stays so the test can read it). No download folder or limit from the
/// environment of whoever runs the tests.
fn ui_command(store: &Path, cwd: &Path, home: &Path, limit: Option<&str>) -> String {
    let bin = env!("CARGO_BIN_EXE_batchout");
    let limit = limit.map_or("-u BATCHOUT_GET_LIMIT".to_string(), |l| {
        format!("BATCHOUT_GET_LIMIT={l}")
    });
    format!(
        "cd '{}' && env -u BATCHOUT_DOWNLOAD_DIR {limit} HOME='{}' TERM=xterm-256color \
         {bin} --store '{}' ui; echo BATCHOUT-EXIT=$?; sleep 60",
        cwd.display(),
        home.display(),
        store.display()
    )
}

/// Every blob of `container` whose name passes `pick`, as the local path a download gives
/// it (TASK/KIND/PATH, `_job` for job-level files) and the blob's bytes.
async fn expected(
    store: &dyn Store,
    container: &str,
    pick: impl Fn(&str) -> bool,
) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    for item in list_all_blobs(store, container, &ListQuery::flat(""))
        .await
        .unwrap()
    {
        let ListItem::Blob(b) = item else { continue };
        if !pick(&b.name) {
            continue;
        }
        let p = parse_blob_name(&b.name).unwrap();
        let scope = match &p.scope {
            Scope::Job => "_job".to_string(),
            Scope::Task(t) => t.clone(),
        };
        let bytes = store
            .read_range(container, &b.name, ByteRange::all(), None)
            .await
            .unwrap()
            .data
            .to_vec();
        out.insert(PathBuf::from(scope).join(&p.kind).join(&p.path), bytes);
    }
    out
}

/// Every file (and link: anything but a folder) below `root`, relative, sorted.
fn files(root: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = walkdir::WalkDir::new(root)
        .follow_links(false)
        .min_depth(1)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| !e.file_type().is_dir())
        .map(|e| e.path().strip_prefix(root).unwrap().to_path_buf())
        .collect();
    v.sort();
    v
}

/// Remove what the prompt shows (it starts with the default folder) and type `text`.
fn retype_prompt(tmux: &Tmux, shown: &str, text: &str) {
    let n = shown.chars().count().to_string();
    tmux.run(&["send-keys", "-t", "t", "-N", &n, "BSpace"]);
    tmux.keys(&[text]);
}

#[test]
fn mark_files_a_kind_a_task_and_a_job_then_download_them_into_a_typed_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let (store_dir, cwd, home) = (
        tmp.path().join("store"),
        tmp.path().join("cwd"),
        tmp.path().join("home"),
    );
    std::fs::create_dir_all(&cwd).unwrap();
    std::fs::create_dir_all(&home).unwrap();
    // The demo's jobs, written once and then browsed with `ui` (no task keeps growing).
    let seeded = std::process::Command::new(env!("CARGO_BIN_EXE_batchout"))
        .arg("demo")
        .arg("--no-ui")
        .arg("--dir")
        .arg(&store_dir)
        .output()
        .unwrap();
    assert!(seeded.status.success(), "{seeded:?}");
    let store = LocalStore::open(&store_dir).unwrap();
    let store_before = files(&store_dir);

    let tmux = Tmux::start(
        "download-marks",
        100,
        30,
        &ui_command(&store_dir, &cwd, &home, None),
    );
    tmux.wait_for("demo-render");
    // Job list: demo-render, job-legacy-import, nightly. Mark the whole legacy job.
    tmux.keys(&["j", "Space"]);
    let jobs = tmux.wait_for("1 marked");
    assert!(jobs.contains("● (unknown)"), "{jobs}");
    // Into demo-render: mark task frame-002 whole.
    tmux.keys(&["k", "k", "Enter"]);
    tmux.wait_for("frame-012");
    tmux.keys(&["/", "frame-002", "Enter"]);
    tmux.wait_for("1 of 13 tasks");
    tmux.keys(&["Space"]);
    tmux.wait_for("● frame-002");
    // frame-004: two files of TaskIntermediate (files pane), then its TaskOutput kind.
    tmux.keys(&["/", "Escape", "/", "frame-004", "Enter", "Enter"]);
    tmux.wait_for("▼ frame-004");
    tmux.keys(&["j", "Enter"]);
    tmux.wait_for("tiles/tile-02.exr");
    // Space marks and moves on: checkpoint.yaml, (skip tile-00), tile-01.
    tmux.keys(&["Space", "j", "Space", "Tab", "j", "j", "Space"]);
    let marked = tmux.wait_for("5 marked (d downloads)");
    assert!(marked.contains("● checkpoint.yaml"), "{marked}");
    assert!(marked.contains("● tiles/tile-01.exr"), "{marked}");
    assert!(marked.contains("● TaskOutput"), "{marked}");

    tmux.keys(&["d"]);
    // The prompt offers the current folder, spelled out (not ".").
    let shown = cwd.display().to_string();
    let prompt = tmux.wait_for("Download 5 items to the folder:");
    assert!(prompt.contains(&format!("> {shown}▏")), "{prompt}");
    assert!(prompt.contains("· job job-legacy-import"), "{prompt}");
    assert!(
        prompt.contains("· demo-render › frame-004 › TaskOutput"),
        "{prompt}"
    );
    // A folder under the home folder, typed the way a shell user would.
    retype_prompt(&tmux, &shown, "~/picked");
    tmux.wait_for("> ~/picked▏");
    tmux.keys(&["Enter"]);
    // One transfer per job; the panel opens on its own and ends each with a summary.
    let dest = home.join("picked").display().to_string();
    let done = tmux.wait_until("both summaries", |s| s.matches("done: ").count() == 2);
    assert!(done.contains("Transfers"), "{done}");
    // The longer header keeps the job's name and the folder's end.
    let header = done
        .lines()
        .find(|l| l.contains("▸ job-legacy-import → "))
        .unwrap_or_else(|| panic!("{done}"));
    assert!(
        header.contains("home/picked  done: 2 downloaded"),
        "{header}"
    );
    assert!(
        done.contains(&format!("job-demo-render → {dest}  done: 13 downloaded")),
        "{done}"
    );
    assert!(done.contains("✔ done, MD5 ok"), "{done}");
    assert!(!done.contains("marked (d downloads)"), "marks are used up");
    // T hides the panel and shows it again, summaries kept.
    tmux.keys(&["T"]);
    tmux.wait_until("panel hidden", |s| !s.contains("done: "));
    tmux.keys(&["T"]);
    tmux.wait_until("panel shown", |s| s.matches("done: ").count() == 2);
    tmux.keys(&["q"]);
    tmux.wait_for("BATCHOUT-EXIT=0");

    let want = runtime().block_on(async {
        let mut want = expected(&store, "job-legacy-import", |_| true).await;
        want.extend(
            expected(&store, "job-demo-render", |b| {
                b.starts_with("frame-002/")
                    || b.starts_with("frame-004/$TaskOutput/")
                    || b == "frame-004/$TaskIntermediate/checkpoint.yaml"
                    || b == "frame-004/$TaskIntermediate/tiles/tile-01.exr"
            })
            .await,
        );
        want
    });
    assert_eq!(want.len(), 15, "{:?}", want.keys());
    let picked = home.join("picked");
    let got: Vec<PathBuf> = files(&picked);
    assert_eq!(got, want.keys().cloned().collect::<Vec<_>>());
    for (path, bytes) in &want {
        assert_eq!(
            sha256_file(&picked.join(path)),
            sha256(bytes),
            "{}",
            path.display()
        );
    }
    // Nothing anywhere else: not in the current folder, not beside `picked`, not in the store.
    assert!(files(&cwd).is_empty(), "{:?}", files(&cwd));
    assert_eq!(
        files(&home),
        got.iter()
            .map(|p| Path::new("picked").join(p))
            .collect::<Vec<_>>()
    );
    assert_eq!(files(&store_dir), store_before, "the store is only read");
}

#[test]
fn x_cancels_a_running_file_and_r_resumes_it_into_the_default_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let (store_dir, cwd, home) = (
        tmp.path().join("store"),
        tmp.path().join("cwd"),
        tmp.path().join("home"),
    );
    std::fs::create_dir_all(&cwd).unwrap();
    std::fs::create_dir_all(&home).unwrap();
    let big = data(32 << 20, 7);
    runtime().block_on(async {
        let store = LocalStore::open(&store_dir).unwrap();
        new_container(&store, "job-big").await;
        put(&store, "job-big", "t1/$TaskOutput/big.bin", &big, None).await;
    });
    // 2 MiB/s: the file takes over 10 s, time enough to cancel it like a person.
    let tmux = Tmux::start(
        "download-cancel",
        100,
        20,
        &ui_command(&store_dir, &cwd, &home, Some("2M")),
    );
    tmux.wait_for("job-big");
    tmux.keys(&["Enter"]);
    tmux.wait_for("t1");
    tmux.keys(&["Space"]);
    tmux.wait_for("1 marked");
    tmux.keys(&["d"]);
    tmux.wait_for(&format!("> {}▏", cwd.display()));
    tmux.keys(&["Enter"]);
    let running = tmux.wait_until("big.bin running with a rate", |s| {
        s.lines()
            .any(|l| l.contains("t1/TaskOutput/big.bin") && l.contains("/s") && !l.contains('✔'))
    });
    // The cursor is on the transfer's header: go down to the big file's row, cancel it.
    let lines: Vec<&str> = running.lines().collect();
    let header = lines.iter().position(|l| l.contains("▸ job-big")).unwrap();
    let row = lines
        .iter()
        .position(|l| l.contains("t1/TaskOutput/big.bin"))
        .unwrap();
    tmux.keys(&vec!["j"; row - header]);
    tmux.keys(&["x"]);
    let cancelled = tmux.wait_until("the first summary", |s| {
        s.contains("1 cancelled in") && s.contains("cancelled (R resumes)")
    });
    assert!(cancelled.contains("done: 0 downloaded"), "{cancelled}");
    let final_big = cwd.join("t1/TaskOutput/big.bin");
    assert!(
        !final_big.exists(),
        "never a partial file under the final name"
    );
    assert!(cwd.join("t1/TaskOutput/.big.bin.batchout-part").exists());

    tmux.keys(&["R"]);
    let limit = Duration::from_secs(90);
    let resumed = tmux.wait_until_within("the retry's summary", limit, |s| {
        s.matches("done: ").count() == 2
    });
    assert!(resumed.contains("1 downloaded"), "{resumed}");
    assert!(resumed.contains("1 resumed in"), "{resumed}");
    assert!(resumed.contains("✔ done, MD5 ok · resumed"), "{resumed}");
    tmux.keys(&["q"]);
    tmux.wait_for("BATCHOUT-EXIT=0");

    assert_eq!(sha256_file(&final_big), sha256(&big));
    assert_eq!(
        files(&cwd),
        vec![PathBuf::from("t1/TaskOutput/big.bin")],
        "no temp or state file is left"
    );
    assert!(files(&home).is_empty());
}
