//! The engine (save, track) through its library API on the local store in a temp folder.

mod engine_support;
mod support;

use batchout::store::{local::LocalStore, Store};
use std::path::Path;
use std::sync::Arc;

fn local(dir: &Path) -> Arc<dyn Store> {
    Arc::new(LocalStore::open(&dir.join("store")).unwrap())
}

engine_scenarios!(local);
