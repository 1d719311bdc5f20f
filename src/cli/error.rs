//! One-line errors with exit codes (1: failure, 2: usage).

use crate::conventions::ConventionError;
use crate::store::StoreError;

#[derive(Debug)]
pub struct CliError {
    pub message: String,
    pub code: i32,
}

pub type CliResult<T = ()> = Result<T, CliError>;

impl CliError {
    pub fn failure(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            code: 1,
        }
    }
    pub fn usage(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            code: 2,
        }
    }
    /// Exit with a given code and no message (e.g. a wrapped command's exit code).
    pub fn exit(code: i32) -> Self {
        CliError {
            message: String::new(),
            code,
        }
    }
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        CliError::failure(e.to_string())
    }
}

impl From<ConventionError> for CliError {
    fn from(e: ConventionError) -> Self {
        CliError::failure(e.to_string())
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::failure(e.to_string())
    }
}

impl From<crate::engine::EngineError> for CliError {
    fn from(e: crate::engine::EngineError) -> Self {
        match e {
            // Like a shell: a command that cannot start exits with 127.
            crate::engine::EngineError::CommandNotStarted(m) => CliError {
                message: m,
                code: 127,
            },
            e => CliError::failure(e.to_string()),
        }
    }
}
