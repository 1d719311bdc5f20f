//! Log followers against real stores (the local store in a temp folder; Azurite in
//! tail_follow_azure.rs): every appended byte appears exactly once and in order across a
//! truncation and replacements, requests stay low, long lines and bad UTF-8 are safe.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

mod support;

#[path = "tail_support/scenarios.rs"]
mod tail_scenarios;

use batchout::store::local::LocalStore;
use batchout::Store;
use std::sync::Arc;

fn local() -> (tempfile::TempDir, Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(LocalStore::open(dir.path()).unwrap());
    (dir, store)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_exactly_once_across_truncation_and_replacement() {
    let (_dir, store) = local();
    tail_scenarios::exactly_once_across_truncation_and_replacement(store).await;
}

#[tokio::test]
async fn local_opens_at_end_and_loads_older_parts() {
    let (_dir, store) = local();
    tail_scenarios::opens_at_end_and_loads_older_parts(store).await;
}

#[tokio::test]
async fn local_long_line_and_invalid_utf8_are_safe() {
    let (_dir, store) = local();
    tail_scenarios::long_line_and_invalid_utf8_are_safe(store).await;
}

#[tokio::test]
async fn local_merged_follow_keeps_requests_low() {
    let (_dir, store) = local();
    tail_scenarios::merged_follow_keeps_requests_low(store).await;
}

#[tokio::test]
async fn local_missing_log_is_waited_for() {
    let (_dir, store) = local();
    tail_scenarios::missing_log_is_waited_for(store).await;
}

#[tokio::test]
async fn local_last_lines_reads_older_parts_until_enough() {
    let (_dir, store) = local();
    tail_scenarios::last_lines_reads_older_parts_until_enough(store).await;
}
