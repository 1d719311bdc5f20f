//! Task ids as Azure Batch allows them.

use super::error::{describe_char, shown, ConventionError};

/// Batch task ids: 1-64 letters, digits, `-` and `_`. batchout also refuses `-` alone,
/// which the CLI uses for "job level".
pub fn validate_task_id(task: &str) -> Result<(), ConventionError> {
    let err = |reason: String| ConventionError::TaskId {
        shown: shown(task),
        reason,
    };
    if task.is_empty() {
        return Err(err("it is empty".into()));
    }
    if let Some(c) = task
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_')))
    {
        return Err(err(format!(
            "{} is not allowed (use letters, digits, '-' or '_')",
            describe_char(c)
        )));
    }
    if task.len() > 64 {
        return Err(err(format!(
            "it has {} characters, at most 64 are allowed",
            task.len()
        )));
    }
    Ok(())
}
