//! What every command needs: a tokio runtime and the store named by --store.

use super::error::{CliError, CliResult};
use crate::store::{self, Store, StoreSpec};
use std::sync::Arc;

pub struct Context {
    pub runtime: tokio::runtime::Runtime,
    pub spec: StoreSpec,
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
        Ok(Context { runtime, spec })
    }

    /// Open the store to read it (lazily, so `path` and `--help` never touch it); a local
    /// store folder that does not exist is an error, and nothing is created.
    pub fn store(&self) -> CliResult<Arc<dyn Store>> {
        Ok(self
            .runtime
            .block_on(store::open_as(&self.spec, store::Access::Read))?)
    }

    /// Open the store to write to it; a missing local store folder is created.
    pub fn store_for_writing(&self) -> CliResult<Arc<dyn Store>> {
        Ok(self
            .runtime
            .block_on(store::open_as(&self.spec, store::Access::Write))?)
    }
}
