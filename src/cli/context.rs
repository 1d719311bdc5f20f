//! What every command needs: a tokio runtime and the store named by --store.

use super::error::{CliError, CliResult};
use crate::store::{self, Store, StoreSpec};
use std::sync::Arc;

pub struct Context {
    pub runtime: tokio::runtime::Runtime,
    pub spec: StoreSpec,
    /// How the browser draws images (`--images`).
    pub images: crate::tui::picture::ImageMode,
}

impl Context {
    pub fn new(store_arg: Option<&str>) -> CliResult<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| CliError::failure(format!("cannot start the async runtime: {e}")))?;
        let spec = store_arg
            .map(StoreSpec::parse)
            .unwrap_or(StoreSpec::Default);
        Ok(Context {
            runtime,
            spec,
            images: Default::default(),
        })
    }

    /// Open the store (lazily, so `path` and `--help` never touch it).
    pub fn store(&self) -> CliResult<Arc<dyn Store>> {
        Ok(self.runtime.block_on(store::open(&self.spec))?)
    }
}
