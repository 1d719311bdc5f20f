//! Job id -> container name, exactly as Microsoft.Azure.Batch.Conventions.Files v4.

use super::error::{describe_char, shown, ConventionError};
use sha1::{Digest, Sha1};

pub const JOB_CONTAINER_PREFIX: &str = "job-";

/// The container holding a job's outputs. Refuses ids with characters outside letters,
/// digits, `-`, `_`, `:` (the .NET code would produce an invalid container name).
pub fn container_name(job_id: &str) -> Result<String, ConventionError> {
    let err = |reason: String| ConventionError::JobId {
        shown: shown(job_id),
        reason,
    };
    if job_id.is_empty() {
        return Err(err("it is empty".into()));
    }
    if let Some(c) = job_id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':')))
    {
        return Err(err(format!(
            "{} is not allowed (use letters, digits, '-', '_' or ':')",
            describe_char(c)
        )));
    }
    let lower = job_id.to_ascii_lowercase();
    if is_plain(&lower) {
        return Ok(format!("{JOB_CONTAINER_PREFIX}{lower}"));
    }
    let hash = hex::encode(Sha1::digest(lower.as_bytes()));
    Ok(format!(
        "{JOB_CONTAINER_PREFIX}{}-{hash}",
        safe_part(&lower)
    ))
}

/// The id can be used as is: short, container-legal, no trailing or doubled dash.
fn is_plain(lower: &str) -> bool {
    let bytes = lower.as_bytes();
    lower.len() <= 59
        && bytes[0].is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && !lower.ends_with('-')
        && !lower.contains("--")
}

/// Runs of `:`, `_`, `-` become one `-`, trimmed, at most 15 chars, `job` if nothing is left.
fn safe_part(lower: &str) -> String {
    let mut safe = String::with_capacity(lower.len());
    let mut in_run = false;
    for c in lower.chars() {
        if matches!(c, ':' | '_' | '-') {
            if !in_run {
                safe.push('-');
            }
            in_run = true;
        } else {
            safe.push(c);
            in_run = false;
        }
    }
    let mut safe = safe.trim_matches('-').to_string();
    if safe.is_empty() {
        return "job".to_string();
    }
    if safe.len() > 15 {
        safe.truncate(15);
        while safe.ends_with('-') {
            safe.pop();
        }
    }
    safe
}

/// Azure's rules for container names: 3-63 chars of [a-z0-9-], starting with a letter or
/// digit, no `--`, no trailing `-`.
pub fn is_valid_container_name(name: &str) -> bool {
    let b = name.as_bytes();
    (3..=63).contains(&b.len())
        && b[0].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && !name.contains("--")
        && !name.ends_with('-')
}
