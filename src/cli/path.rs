//! `batchout path JOB [TASK] [--kind K] [FILE]`: names only, no store access.

use super::args::PathArgs;
use super::CliResult;
use crate::cli::CliError;
use crate::conventions::{self, Scope};

pub fn run(args: PathArgs) -> CliResult {
    // Validate everything before printing anything, so scripts never get half an answer.
    let container = conventions::container_name(&args.job)?;
    let mut lines = vec![container];
    if let Some(task) = &args.task {
        let scope = parse_scope(task)?;
        let kind = args
            .kind
            .clone()
            .unwrap_or_else(|| default_kind(&scope).to_string());
        conventions::validate_kind(&kind)?;
        match &args.file {
            Some(file) => lines.push(conventions::blob_name(&scope, &kind, file)?),
            None => lines.push(conventions::kind_prefix(&scope, &kind)),
        }
    } else if args.kind.is_some() || args.file.is_some() {
        return Err(CliError::usage(
            "--kind and FILE need a TASK (use '-' for job-level outputs)",
        ));
    }
    let text = lines.join("\n") + "\n";
    super::stdout::write_out(&mut std::io::stdout().lock(), text.as_bytes())?;
    Ok(())
}

/// `-` means job level; anything else must be a valid task id.
pub(crate) fn parse_scope(task: &str) -> CliResult<Scope> {
    if task == "-" {
        Ok(Scope::Job)
    } else {
        conventions::validate_task_id(task)?;
        Ok(Scope::Task(task.to_string()))
    }
}

pub(crate) fn default_kind(scope: &Scope) -> &'static str {
    match scope {
        Scope::Job => "JobOutput",
        Scope::Task(_) => "TaskOutput",
    }
}
