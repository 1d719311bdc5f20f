//! The one error enum of every store backend.

use thiserror::Error;

pub type StoreResult<T> = Result<T, StoreError>;

/// What can go wrong talking to a store. Messages are one line, name what was wrong and,
/// where possible, what to do; they never contain secrets (backends redact before
/// building them).
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("container {container} does not exist in {store}")]
    ContainerNotFound { container: String, store: String },
    #[error("blob {blob} not found in container {container}")]
    BlobNotFound { container: String, blob: String },
    #[error("append position mismatch on {blob}: expected {expected}, blob has {actual:?} bytes")]
    AppendPositionMismatch {
        blob: String,
        expected: u64,
        actual: Option<u64>,
    },
    #[error("{blob} changed while it was being read (etag no longer matches)")]
    ConditionNotMet { blob: String },
    #[error("{blob} is an {found} blob, expected a {expected} blob")]
    BlobTypeMismatch {
        blob: String,
        expected: &'static str,
        found: &'static str,
    },
    #[error("range starting at byte {start} is past the end of {blob} ({len} bytes)")]
    InvalidRange { blob: String, start: u64, len: u64 },
    #[error("{blob} has reached the limit of 50,000 appended blocks")]
    BlockCountExceeded { blob: String },
    #[error("{0}")]
    InvalidName(String),
    #[error("not authorized: {0}")]
    Auth(String),
    #[error("throttled by the storage service: {0}")]
    Throttled(String),
    #[error("cannot reach {0}")]
    Unreachable(String),
    #[error("store data is corrupt: {0}")]
    Corrupt(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error("storage service error {status} {code}: {message}")]
    Service {
        status: u16,
        code: String,
        message: String,
    },
    #[error("{0}")]
    Config(String),
}

impl StoreError {
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        StoreError::Io {
            context: context.into(),
            source,
        }
    }
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            StoreError::BlobNotFound { .. } | StoreError::ContainerNotFound { .. }
        )
    }
    /// Worth retrying later with the same request (network, throttling, 5xx).
    pub fn is_transient(&self) -> bool {
        match self {
            StoreError::Throttled(_) | StoreError::Unreachable(_) => true,
            StoreError::Service { status, .. } => *status >= 500 || *status == 408,
            _ => false,
        }
    }
}
