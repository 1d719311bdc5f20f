//! The engine (save, track) through its library API on the local store in a temp folder.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

mod engine_support;
mod support;

use batchout::store::{local::LocalStore, Store};
use std::path::Path;
use std::sync::Arc;

fn local(dir: &Path) -> Arc<dyn Store> {
    Arc::new(LocalStore::open(&dir.join("store")).unwrap())
}

engine_scenarios!(local);
