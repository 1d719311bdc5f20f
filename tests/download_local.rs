//! Download scenarios (tests/download_scenarios) on the local store in a temp folder.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

mod download_scenarios;

use batchout::store::local::LocalStore;
use batchout::store::Store;
use download_scenarios as s;
use std::sync::Arc;

fn store() -> (tempfile::TempDir, Arc<dyn Store>) {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(&dir.path().join("store")).unwrap();
    (dir, Arc::new(store))
}

macro_rules! scenario {
    ($name:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $name() {
            let (_keep, store) = store();
            s::$name(
                store,
                concat!("job-", stringify!($name))
                    .replace('_', "-")
                    .as_str(),
            )
            .await;
        }
    };
}

scenario!(layout_integrity_and_rerun);
scenario!(selections_and_globs);
scenario!(hostile_names);
scenario!(md5_mismatch);
scenario!(cancel_resume_and_change);
scenario!(changed_during_download);
scenario!(cancel_one_transfer);
scenario!(progress_within_a_range);
