//! Where outputs go: a job's container, a scope (job or task) and a kind, checked once.

use super::error::{EngineError, EngineResult};
use crate::conventions::{self, Scope};
use std::path::Path;

/// The container, scope and kind that files are saved under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The Batch job id as given (recorded in the container's metadata when batchout makes it).
    pub job_id: String,
    /// The job's container (`conventions::container_name`).
    pub container: String,
    pub scope: Scope,
    pub kind: String,
}

impl Target {
    /// A target for `job_id`, task `task` (None or `-`: the job level) and `kind`.
    ///
    /// At task level `kind` defaults to `default_task_kind` and may not be a job kind; at
    /// job level a kind must be given and may not be a task kind (a job-level `TaskOutput`
    /// would be invisible to the portal and to every browser).
    pub fn new(
        job_id: &str,
        task: Option<&str>,
        kind: Option<&str>,
        default_task_kind: &str,
    ) -> EngineResult<Target> {
        let container = conventions::container_name(job_id)?;
        let scope = match task {
            None | Some("-") => Scope::Job,
            Some(t) => {
                conventions::validate_task_id(t)?;
                Scope::Task(t.to_string())
            }
        };
        let kind = match (&scope, kind) {
            (Scope::Job, None) => {
                return Err(EngineError::input(
                    "job-level outputs need an explicit --kind (e.g. JobOutput or JobPreview); pass --task TASK for task outputs",
                ))
            }
            (Scope::Job, Some(k)) if conventions::is_task_kind(k) => {
                return Err(EngineError::input(format!(
                    "{k} is a task kind; job-level outputs use JobOutput, JobPreview or a custom kind (or pass --task TASK)"
                )))
            }
            (Scope::Task(_), Some(k)) if conventions::is_job_kind(k) => {
                return Err(EngineError::input(format!(
                    "{k} is a job kind; task outputs use TaskOutput, TaskLog, TaskPreview, TaskIntermediate or a custom kind (or pass --task - for job level)"
                )))
            }
            (_, Some(k)) => k.to_string(),
            (Scope::Task(_), None) => default_task_kind.to_string(),
        };
        conventions::validate_kind(&kind)?;
        Ok(Target {
            job_id: job_id.to_string(),
            container,
            scope,
            kind,
        })
    }

    /// A task-level target (shorthand for library users).
    pub fn task(job_id: &str, task: &str, kind: &str) -> EngineResult<Target> {
        Target::new(job_id, Some(task), Some(kind), kind)
    }

    /// The blob name of `path` within this target's kind.
    pub fn blob_name(&self, path: &str) -> EngineResult<String> {
        Ok(conventions::blob_name(&self.scope, &self.kind, path)?)
    }

    /// The blob name for a local file: `dest` if given, else the relative-path rule
    /// (absolute sources need `dest`).
    pub fn blob_for_source(&self, source: &Path, dest: Option<&str>) -> EngineResult<String> {
        let path = match dest {
            Some(d) => {
                conventions::validate_destination(d)?;
                d.to_string()
            }
            None => destination_of(source)?,
        };
        self.blob_name(&path)
    }
}

/// The stored path of a relative source path (conventions.md section 5).
pub fn destination_of(source: &Path) -> EngineResult<String> {
    if source.is_absolute() || source.has_root() {
        return Err(EngineError::input(format!(
            "{} is an absolute path; give a destination name with --as NAME",
            source.display()
        )));
    }
    let s = source.to_str().ok_or_else(|| {
        EngineError::input(format!(
            "{} is not valid UTF-8; give a destination with --as NAME",
            source.display()
        ))
    })?;
    Ok(conventions::destination_from_relative(s)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_level_needs_a_job_kind() {
        assert!(Target::new("j", None, None, "TaskOutput").is_err());
        assert!(Target::new("j", Some("-"), Some("TaskOutput"), "TaskOutput").is_err());
        let t = Target::new("j", Some("-"), Some("JobOutput"), "TaskOutput").unwrap();
        assert_eq!(t.blob_name("a/b.txt").unwrap(), "$JobOutput/a/b.txt");
        let custom = Target::new("j", None, Some("Reports"), "TaskOutput").unwrap();
        assert_eq!(custom.blob_name("r.csv").unwrap(), "$Reports/r.csv");
    }

    #[test]
    fn task_level_defaults_and_refuses_job_kinds() {
        let t = Target::new("MyJob", Some("t1"), None, "TaskLog").unwrap();
        assert_eq!(t.container, "job-myjob");
        assert_eq!(t.blob_name("stdout.txt").unwrap(), "t1/$TaskLog/stdout.txt");
        assert!(Target::new("j", Some("t1"), Some("JobOutput"), "TaskOutput").is_err());
        assert!(Target::new("j", Some("bad task"), None, "TaskOutput").is_err());
    }

    #[test]
    fn relative_rule_and_absolute_paths() {
        let t = Target::task("j", "t", "TaskOutput").unwrap();
        assert_eq!(
            t.blob_for_source(Path::new("../x/y.txt"), None).unwrap(),
            "t/$TaskOutput/x/y.txt"
        );
        assert!(t.blob_for_source(Path::new("/tmp/y.txt"), None).is_err());
        assert_eq!(
            t.blob_for_source(Path::new("/tmp/y.txt"), Some("z/y.txt"))
                .unwrap(),
            "t/$TaskOutput/z/y.txt"
        );
        assert!(t
            .blob_for_source(Path::new("/tmp/y.txt"), Some("../y.txt"))
            .is_err());
    }
}
