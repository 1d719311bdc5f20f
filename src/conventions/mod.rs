//! The Azure Batch File Conventions (see docs/conventions.md): pure naming rules.
//! No I/O, no async, no UI.

mod blob_names;
mod container;
mod error;
mod kinds;
mod paths;
mod task_id;

pub use blob_names::{blob_name, kind_prefix, parse_blob_name, scope_prefix, ParsedBlob, Scope};
pub use container::{container_name, is_valid_container_name, JOB_CONTAINER_PREFIX};
pub use error::{describe_char, ConventionError};
pub use kinds::{is_job_kind, is_task_kind, validate_kind, JOB_KINDS, TASK_KINDS};
pub use paths::{destination_from_relative, validate_destination};
pub use task_id::validate_task_id;
