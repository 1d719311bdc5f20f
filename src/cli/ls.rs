//! `batchout ls JOB [TASK] [--kind K] [--json]`: the tasks and job-level kinds of a job
//! (with each task's status: status.rs), or the files of a task (TASK `-`: the job-level
//! outputs), all kinds or one.

use super::args::LsArgs;
use super::path::parse_scope;
use super::stdout::write_out;
use super::{CliError, CliResult, Context};
use crate::conventions::{self, Scope};
use crate::outputs::{self, format, OutputFile};
use crate::text::sanitize;
use crate::text::size::human_size;

pub fn run(ctx: &Context, args: LsArgs) -> CliResult {
    conventions::container_name(&args.job)?;
    if let Some(kind) = &args.kind {
        conventions::validate_kind(kind)?;
    }
    let scope = args.task.as_deref().map(parse_scope).transpose()?;
    if scope.is_none() && args.kind.is_some() {
        return Err(CliError::usage(
            "--kind needs a TASK (use '-' for the job-level outputs)",
        ));
    }
    if scope.is_some() && (!args.status.is_empty() || args.sort.is_some()) {
        return Err(CliError::usage(
            "--status and --sort apply to the tasks of a job: leave out TASK",
        ));
    }
    let store = ctx.store()?;
    let store = store.as_ref();
    ctx.runtime.block_on(async {
        let container = outputs::job_container(store, &args.job).await?;
        match scope {
            None => super::status::list_tasks(store, &container, &args).await,
            Some(scope) => {
                let files = match &args.kind {
                    Some(kind) => outputs::kind_files(store, &container, &scope, kind).await?,
                    None => outputs::scope_files(store, &container, &scope).await?,
                };
                if files.is_empty() && !args.json {
                    let what = match &args.kind {
                        Some(k) => format!("kind {}", sanitize(k)),
                        None => "any kind".to_string(),
                    };
                    let whose = match &scope {
                        Scope::Job => "the job level".to_string(),
                        Scope::Task(t) => format!("task {t}"),
                    };
                    eprintln!("no files of {what} for {whose} of job {}", args.job);
                }
                print_files(&files, args.json)
            }
        }
    })
}

fn print_files(files: &[OutputFile], json: bool) -> CliResult {
    let mut out = std::io::stdout().lock();
    if json {
        let rows: Vec<serde_json::Value> = files
            .iter()
            .map(|f| {
                serde_json::json!({
                    "task": f.scope.task(),
                    "kind": f.kind,
                    "path": f.path,
                    "blob": f.blob.name,
                    "size": f.blob.len,
                    "modified": format::rfc3339(f.blob.last_modified),
                    "type": f.blob.blob_type.as_str(),
                    "content_md5": f.blob.content_md5.map(hex::encode),
                })
            })
            .collect();
        return write_out(
            &mut out,
            format!("{}\n", serde_json::Value::Array(rows)).as_bytes(),
        );
    }
    if files.is_empty() {
        return Ok(());
    }
    let kinds: Vec<String> = files
        .iter()
        .map(|f| sanitize(&f.kind).into_owned())
        .collect();
    let sizes: Vec<String> = files.iter().map(|f| human_size(f.blob.len)).collect();
    let kw = kinds
        .iter()
        .map(|k| k.chars().count())
        .max()
        .unwrap_or(0)
        .max(4);
    let sw = sizes.iter().map(String::len).max().unwrap_or(0).max(4);
    write_out(
        &mut out,
        format!(
            "{:<kw$}  {:>sw$}  {:<19}  PATH\n",
            "KIND", "SIZE", "MODIFIED (UTC)"
        )
        .as_bytes(),
    )?;
    for ((f, kind), size) in files.iter().zip(&kinds).zip(&sizes) {
        let line = format!(
            "{kind:<kw$}  {size:>sw$}  {}  {}\n",
            format::short_time(f.blob.last_modified),
            sanitize(&f.path)
        );
        write_out(&mut out, line.as_bytes())?;
    }
    Ok(())
}
