//! The local store: the shared conformance suite on a temp folder, plus local-only tests
//! (hostile names never leave the store folder, atomic writes, cross-process appends).

mod support;

use batchout::store::local::LocalStore;
use batchout::store::Store;
use std::sync::Arc;

async fn local_fixture() -> (Arc<dyn Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(LocalStore::open(&dir.path().join("store")).unwrap());
    (store, dir)
}

store_conformance_suite!(local_fixture());
