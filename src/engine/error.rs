//! The engine's one error type: what went wrong, in one line a user can act on.

use crate::conventions::ConventionError;
use crate::store::StoreError;
use thiserror::Error;

pub type EngineResult<T> = Result<T, EngineError>;

#[derive(Debug, Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Convention(#[from] ConventionError),
    /// Bad input from the caller (missing file, absolute path without a destination, ...).
    #[error("{0}")]
    Input(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// The job's container is missing and these credentials cannot create it.
    #[error("{0}")]
    NoContainer(String),
    /// The wrapped command could not be started (exit code 127).
    #[error("{0}")]
    CommandNotStarted(String),
    /// Several things failed; each was already reported as an event.
    #[error("{0}")]
    Failed(String),
}

impl EngineError {
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        EngineError::Io {
            context: context.into(),
            source,
        }
    }
    pub fn input(message: impl Into<String>) -> Self {
        EngineError::Input(message.into())
    }
}
