//! Picking a store from `--store` and the environment (see design.md, "Stores").

use super::{local::LocalStore, Store, StoreError, StoreResult};
use std::path::PathBuf;
use std::sync::Arc;

/// Where outputs live, as the user named it.
#[derive(Debug, Clone, PartialEq)]
pub enum StoreSpec {
    /// A local folder (the embedded store).
    Local(PathBuf),
    /// An account or container URL, with or without a SAS.
    Url(String),
    /// The Azurite emulator's well-known account.
    Azurite,
    /// Nothing given: BATCHOUT_STORE, then the Azure variables, then the default folder.
    Default,
}

impl StoreSpec {
    pub fn parse(s: &str) -> StoreSpec {
        if s.eq_ignore_ascii_case("azurite") {
            StoreSpec::Azurite
        } else if s.starts_with("http://") || s.starts_with("https://") {
            StoreSpec::Url(s.to_string())
        } else {
            StoreSpec::Local(PathBuf::from(s))
        }
    }
}

/// The local store's default folder: the user data folder from `directories`.
pub fn default_local_dir() -> StoreResult<PathBuf> {
    directories::ProjectDirs::from("", "", "batchout")
        .map(|d| d.data_dir().join("store"))
        .ok_or_else(|| StoreError::Config("cannot find a user data folder; pass --store PATH".into()))
}

/// Open the store named by `spec`.
pub async fn open(spec: &StoreSpec) -> StoreResult<Arc<dyn Store>> {
    match spec {
        StoreSpec::Local(path) => Ok(Arc::new(LocalStore::open(path)?)),
        StoreSpec::Default => match std::env::var("BATCHOUT_STORE") {
            Ok(s) if !s.is_empty() => Box::pin(open(&StoreSpec::parse(&s))).await,
            _ => Ok(Arc::new(LocalStore::open(&default_local_dir()?)?)),
        },
        StoreSpec::Url(_) | StoreSpec::Azurite => Err(StoreError::Config(
            "the Azure store is not built yet".into(),
        )),
    }
}
