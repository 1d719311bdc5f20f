//! The task logs of a job: the one listing `batchout tail` and the TUI's log screen follow.

use crate::conventions::{self, Scope};
use crate::store::{list_all_blobs, BlobInfo, ListItem, ListQuery, Store, StoreError, StoreResult};

/// The kind task logs live in.
pub const LOG_KIND: &str = "TaskLog";
/// Up to this many tasks are listed one by one; more take one listing of the container.
const PER_TASK_LISTING_MAX: usize = 3;

/// One task log that exists now.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskLog {
    pub task: String,
    /// Path within TaskLog, e.g. `stdout.txt`.
    pub file: String,
    pub blob: BlobInfo,
}

/// The logs named `files` of `tasks` (None: every task of the job), in name order. A
/// missing container lists nothing: the job has not saved anything yet.
pub async fn task_logs(
    store: &dyn Store,
    container: &str,
    tasks: Option<&[String]>,
    files: &[String],
) -> StoreResult<Vec<TaskLog>> {
    let wanted = |task: &str, path: &str| {
        files.iter().any(|f| f == path) && tasks.is_none_or(|ts| ts.iter().any(|t| t == task))
    };
    // A few tasks: one listing each (cheap); more: one listing of the whole container.
    let prefixes: Vec<String> = match tasks {
        Some(ts) if ts.len() <= PER_TASK_LISTING_MAX => ts
            .iter()
            .map(|t| conventions::kind_prefix(&Scope::Task(t.clone()), LOG_KIND))
            .collect(),
        _ => vec![String::new()],
    };
    let mut out = Vec::new();
    for prefix in prefixes {
        let items = match list_all_blobs(store, container, &ListQuery::flat(prefix)).await {
            Ok(items) => items,
            Err(StoreError::ContainerNotFound { .. }) => Vec::new(),
            Err(e) => return Err(e),
        };
        for item in items {
            let ListItem::Blob(blob) = item else { continue };
            let Some(parsed) = conventions::parse_blob_name(&blob.name) else {
                continue;
            };
            let Scope::Task(task) = parsed.scope else {
                continue;
            };
            if parsed.kind == LOG_KIND && wanted(&task, &parsed.path) {
                out.push(TaskLog {
                    task,
                    file: parsed.path,
                    blob,
                });
            }
        }
    }
    Ok(out)
}
