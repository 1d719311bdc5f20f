//! What every command needs: a tokio runtime, the config file, and the store named by
//! --store / --profile / the environment (config::choose has the precedence).

use super::error::{CliError, CliResult};
use crate::config::{self, Chosen, Loaded};
use crate::store::{self, Store, StoreSpec};
use std::sync::Arc;

pub struct Context {
    pub runtime: tokio::runtime::Runtime,
    pub spec: StoreSpec,
    /// Where the store spec came from (None: the environment's Azure variables or the
    /// default folder; see store::open::resolve_with_origin).
    pub spec_from: Option<String>,
    pub config: Loaded,
    /// How the browser draws images (`--images`).
    pub images: crate::tui::picture::ImageMode,
}

impl Context {
    /// Read the config file (warnings go to stderr) and pick the store spec; nothing is
    /// opened yet.
    pub fn new(store_arg: Option<&str>, profile_arg: Option<&str>) -> CliResult<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| CliError::failure(format!("cannot start the async runtime: {e}")))?;
        let env = |k: &str| std::env::var(k).ok();
        let config = load_config(&env)?;
        for w in &config.warnings {
            eprintln!("batchout: warning: {}", crate::text::one_line(w));
        }
        let Chosen { spec, from, .. } = config::choose_store(store_arg, profile_arg, &env, &config)
            .map_err(CliError::failure)?;
        Ok(Context {
            runtime,
            spec,
            spec_from: from,
            config,
            images: Default::default(),
        })
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

/// The config file named by BATCHOUT_CONFIG or in the user config folder (none: defaults).
pub fn load_config(env: &dyn Fn(&str) -> Option<String>) -> CliResult<Loaded> {
    let explicit = env("BATCHOUT_CONFIG").is_some_and(|v| !v.trim().is_empty());
    match config::locate(env) {
        Some(path) => config::load(&path, explicit).map_err(CliError::failure),
        None => Ok(Loaded::default()),
    }
}
