//! The demo's running task: its stdout keeps growing while the browser is open, appended
//! at the blob's known position the way `batchout track` does it.

use super::content::{render_line, Rng};
use crate::conventions::{blob_name, Scope};
use crate::store::{Store, StoreResult};
use bytes::Bytes;
use std::time::Duration;

/// The task whose log grows.
pub const RUNNING_TASK: &str = "frame-012";

/// Append a render line to the running task's stdout every `every`, until dropped.
pub async fn grow(store: &dyn Store, container: &str, every: Duration) -> StoreResult<()> {
    let name = blob_name(&Scope::Task(RUNNING_TASK.into()), "TaskLog", "stdout.txt")
        .expect("demo names follow the conventions");
    let mut position = store.blob_info(container, &name).await?.len;
    let mut rng = Rng::new("running");
    let mut i = 20;
    loop {
        tokio::time::sleep(every).await;
        let line = render_line(&mut rng, RUNNING_TASK, i, time::OffsetDateTime::now_utc()) + "\n";
        position = store.append_block(container, &name, Bytes::from(line), position).await?.len;
        i += 1;
    }
}
