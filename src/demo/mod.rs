//! `batchout demo`: a realistic job in a local store, to try batchout without an account.
//!
//! - [`seed`] writes the jobs (through the [`Store`] trait, like every other writer); the
//!   finished render tasks run through the real run engine (`runs`), so their statuses
//!   are real: ok, a failure killed by SIGKILL (exit 137); the scheduled job has a task
//!   whose batchout was killed (`lost`); other tasks are written the .NET way (no record).
//! - [`grow`] keeps one task "running": its stdout gains lines while the browser is open,
//!   with the record and heartbeat of the run engine.
//! - [`prepare_dir`] makes sure `--dir` is a demo store (or empty) before anything is written.

mod content;
mod grow;
mod runs;

pub use grow::{grow, RUNNING_TASK};

use crate::conventions::{blob_name, container_name, Scope};
use crate::store::{
    list_all_blobs, ListQuery, PutOptions, Store, StoreError, StoreResult, JOB_ID_METADATA_KEY,
};
use bytes::Bytes;
use runs::Ending;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The demo's main job: a dozen render tasks, job-level outputs, a custom kind.
pub const MAIN_JOB: &str = "demo-render";
/// A schedule-made job id: needs the hashed container form, recorded in metadata.
pub const SCHEDULED_JOB: &str = "nightly:report_2026-12-01";
/// A container made by someone else (no recorded job id).
pub const FOREIGN_CONTAINER: &str = "job-legacy-import";

/// File in a demo folder that marks it as ours, so a later `--dir` may reuse it.
pub const MARKER: &str = ".batchout-demo";

/// Where the demo lives by default: next to the default store, in the user data folder.
pub fn default_dir() -> StoreResult<PathBuf> {
    directories::ProjectDirs::from("", "", "batchout")
        .map(|d| d.data_dir().join("demo"))
        .ok_or_else(|| StoreError::Config("cannot find a user data folder; pass --dir DIR".into()))
}

/// Accept `dir` if it is missing, empty, or an earlier demo store; mark it. Anything else
/// is refused, so that the demo never writes into a folder holding unrelated files.
pub fn prepare_dir(dir: &Path) -> Result<(), String> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            let empty = entries.next().is_none();
            if !empty && !dir.join(MARKER).is_file() {
                return Err(format!(
                    "{} is not empty and is not a batchout demo folder; pass an empty or new --dir",
                    dir.display()
                ));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => {
            return Err(format!(
                "{} is a file, not a folder; pass a folder to --dir",
                dir.display()
            ))
        }
        Err(e) => return Err(format!("cannot read {}: {e}", dir.display())),
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    std::fs::write(
        dir.join(MARKER),
        "This folder holds the batchout demo store; `batchout demo` rewrites it.\n",
    )
    .map_err(|e| format!("cannot write in {}: {e}", dir.display()))
}

/// What was seeded, for the summary line.
#[derive(Debug, Clone)]
pub struct Seeded {
    pub containers: Vec<String>,
    pub blobs: usize,
}

/// Write the demo jobs, replacing an earlier demo's blobs (append blobs would otherwise
/// keep growing across runs).
pub async fn seed(shared: &Arc<dyn Store>) -> StoreResult<Seeded> {
    let store = shared.as_ref();
    let mut w = Writer { store, blobs: 0 };
    let main = w.job(MAIN_JOB, true).await?;
    for (path, body) in content::job_outputs() {
        w.put(&main, &Scope::Job, "JobOutput", &path, body).await?;
    }
    w.put(
        &main,
        &Scope::Job,
        "JobPreview",
        "contact-sheet.txt",
        content::contact_sheet(),
    )
    .await?;
    for task in &content::TASKS {
        let scope = Scope::Task(task.id.to_string());
        let (mut out, mut err) = (Vec::new(), Vec::new());
        for (kind, path, body) in content::task_files(task) {
            match (kind, path.as_str()) {
                ("TaskLog", "stdout.txt") => out = body,
                ("TaskLog", "stderr.txt") => err = body,
                ("TaskLog", _) => w.append(&main, &scope, &path, body).await?,
                _ => w.put(&main, &scope, kind, &path, body).await?,
            }
        }
        let ending = match task.outcome {
            content::Outcome::Done => Ending::Exit(0),
            content::Outcome::Failed => Ending::Killed,
            content::Outcome::Running => {
                // Still running: `grow` writes on (with its record) while the UI is open.
                w.append(&main, &scope, "stdout.txt", out).await?;
                w.append(&main, &scope, "stderr.txt", err).await?;
                continue;
            }
        };
        runs::run_task(shared.clone(), MAIN_JOB, task.id, &out, &err, ending).await?;
        w.blobs += 2;
    }
    let manager = Scope::Task("jobmanager".into());
    w.append(&main, &manager, "stdout.txt", content::manager_log())
        .await?;

    let nightly = w.job(SCHEDULED_JOB, true).await?;
    for (task, lines) in [("extract", 40), ("aggregate", 25), ("publish", 12)] {
        let scope = Scope::Task(task.to_string());
        let log = content::simple_log(task, lines);
        if task == "publish" {
            // Its batchout was killed: a start, a last heartbeat long ago, no end.
            w.append(&nightly, &scope, "stdout.txt", log).await?;
            runs::record_killed_run(store, &nightly, task, 42, 37).await?;
        } else {
            runs::run_task(
                shared.clone(),
                SCHEDULED_JOB,
                task,
                &log,
                b"",
                Ending::Exit(0),
            )
            .await?;
            w.blobs += 2;
        }
        w.put(
            &nightly,
            &scope,
            "TaskOutput",
            &format!("{task}.json"),
            content::report_json(task),
        )
        .await?;
    }
    w.put(
        &nightly,
        &Scope::Job,
        "JobOutput",
        "report.csv",
        content::report_csv(),
    )
    .await?;

    let legacy = w.job_container(FOREIGN_CONTAINER, None).await?;
    w.put(
        &legacy,
        &Scope::Task("import-1".into()),
        "TaskOutput",
        "rows.csv",
        content::report_csv(),
    )
    .await?;
    w.append(
        &legacy,
        &Scope::Task("import-1".into()),
        "stderr.txt",
        content::simple_log("import-1", 8),
    )
    .await?;

    Ok(Seeded {
        containers: vec![main, nightly, legacy],
        blobs: w.blobs,
    })
}

struct Writer<'a> {
    store: &'a dyn Store,
    blobs: usize,
}

impl Writer<'_> {
    async fn job(&mut self, job_id: &str, record_id: bool) -> StoreResult<String> {
        let container =
            container_name(job_id).map_err(|e| StoreError::InvalidName(e.to_string()))?;
        self.job_container(&container, record_id.then_some(job_id))
            .await
    }

    /// Create the container (recording the job id) and empty it of an earlier demo's blobs.
    async fn job_container(
        &mut self,
        container: &str,
        job_id: Option<&str>,
    ) -> StoreResult<String> {
        let mut meta = BTreeMap::new();
        if let Some(id) = job_id {
            meta.insert(JOB_ID_METADATA_KEY.to_string(), id.to_string());
        }
        self.store.create_container(container, &meta).await?;
        for item in list_all_blobs(self.store, container, &ListQuery::flat("")).await? {
            if let crate::store::ListItem::Blob(b) = item {
                self.store.delete_blob(container, &b.name).await?;
            }
        }
        Ok(container.to_string())
    }

    async fn put(
        &mut self,
        container: &str,
        scope: &Scope,
        kind: &str,
        path: &str,
        body: Vec<u8>,
    ) -> StoreResult<()> {
        let name =
            blob_name(scope, kind, path).map_err(|e| StoreError::InvalidName(e.to_string()))?;
        let options = PutOptions {
            content_type: mime_guess::from_path(path).first().map(|m| m.to_string()),
            ..PutOptions::default()
        };
        self.store
            .put_block_blob(container, &name, Bytes::from(body), &options)
            .await?;
        self.blobs += 1;
        Ok(())
    }

    /// A TaskLog file as an append blob, the way a tracked log is written.
    async fn append(
        &mut self,
        container: &str,
        scope: &Scope,
        path: &str,
        body: Vec<u8>,
    ) -> StoreResult<()> {
        let name = blob_name(scope, "TaskLog", path)
            .map_err(|e| StoreError::InvalidName(e.to_string()))?;
        let options = PutOptions {
            content_type: Some("text/plain".into()),
            ..PutOptions::default()
        };
        let (mut info, _) = self
            .store
            .create_append_blob(container, &name, &options)
            .await?;
        for block in body.chunks(crate::store::MAX_APPEND_BLOCK) {
            info = self
                .store
                .append_block(container, &name, Bytes::copy_from_slice(block), info.len)
                .await?;
        }
        self.blobs += 1;
        Ok(())
    }
}
