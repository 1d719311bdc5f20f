//! Blob names: `$KIND/PATH` for job outputs, `TASKID/$KIND/PATH` for task outputs.

use super::error::ConventionError;
use super::kinds::validate_kind;
use super::paths::validate_destination;
use super::task_id::validate_task_id;

/// Whose output a blob is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    Job,
    Task(String),
}

impl Scope {
    pub fn task(&self) -> Option<&str> {
        match self {
            Scope::Job => None,
            Scope::Task(t) => Some(t),
        }
    }
}

/// A blob name taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedBlob {
    pub scope: Scope,
    pub kind: String,
    pub path: String,
}

/// `TASKID/` or nothing: the prefix under which a scope's kind folders live.
pub fn scope_prefix(scope: &Scope) -> String {
    match scope {
        Scope::Job => String::new(),
        Scope::Task(t) => format!("{t}/"),
    }
}

/// The listing prefix of one kind, trailing slash included (so `TaskLog` never matches
/// `TaskLogArchive` and task `1` never matches task `10`).
pub fn kind_prefix(scope: &Scope, kind: &str) -> String {
    format!("{}${kind}/", scope_prefix(scope))
}

/// The blob name of a file, after checking task id, kind and path.
pub fn blob_name(scope: &Scope, kind: &str, path: &str) -> Result<String, ConventionError> {
    if let Scope::Task(t) = scope {
        validate_task_id(t)?;
    }
    validate_kind(kind)?;
    validate_destination(path)?;
    Ok(format!("{}{path}", kind_prefix(scope, kind)))
}

/// Take a blob name apart; None when it does not follow the conventions.
pub fn parse_blob_name(name: &str) -> Option<ParsedBlob> {
    let (scope, rest) = if let Some(rest) = name.strip_prefix('$') {
        (Scope::Job, rest)
    } else {
        let (task, rest) = name.split_once('/')?;
        let rest = rest.strip_prefix('$')?;
        if task.is_empty() {
            return None;
        }
        (Scope::Task(task.to_string()), rest)
    };
    let (kind, path) = rest.split_once('/')?;
    if kind.is_empty() || path.is_empty() || validate_kind(kind).is_err() {
        return None;
    }
    Some(ParsedBlob {
        scope,
        kind: kind.to_string(),
        path: path.to_string(),
    })
}
