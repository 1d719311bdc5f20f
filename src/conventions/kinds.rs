//! Output kinds: predefined ones and custom ones (case-sensitive).

use super::error::{describe_char, shown, ConventionError};

pub const TASK_KINDS: [&str; 4] = ["TaskOutput", "TaskPreview", "TaskLog", "TaskIntermediate"];
pub const JOB_KINDS: [&str; 2] = ["JobOutput", "JobPreview"];

pub fn is_task_kind(kind: &str) -> bool {
    TASK_KINDS.contains(&kind)
}
pub fn is_job_kind(kind: &str) -> bool {
    JOB_KINDS.contains(&kind)
}

/// A kind must be non-empty and free of `/`, `\`, `$` and control characters, since any of
/// those would break the `$KIND/` segment of the layout.
pub fn validate_kind(kind: &str) -> Result<(), ConventionError> {
    let err = |reason: String| ConventionError::Kind {
        shown: shown(kind),
        reason,
    };
    if kind.is_empty() {
        return Err(err("it is empty".into()));
    }
    if let Some(c) = kind
        .chars()
        .find(|c| matches!(c, '/' | '\\' | '$') || c.is_control())
    {
        return Err(err(format!(
            "{} is not allowed in a kind",
            describe_char(c)
        )));
    }
    Ok(())
}
