//! `batchout ls JOB [TASK] [--kind K] [--json]`: the tasks and job-level kinds of a job,
//! or the files of a task (TASK `-`: the job-level outputs), all kinds or one.

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
    let store = ctx.store()?;
    let store = store.as_ref();
    ctx.runtime.block_on(async {
        let container = outputs::job_container(store, &args.job).await?;
        match scope {
            None => list_job(store, &container, args.json).await,
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

/// Tasks and job-level kinds, printed page by page (a job may have 100,000 tasks).
async fn list_job(store: &dyn crate::store::Store, container: &str, json: bool) -> CliResult {
    let mut out = std::io::stdout().lock();
    let mut marker: Option<String> = None;
    let mut first = true;
    let mut any = false;
    if json {
        write_out(&mut out, b"[")?;
    } else {
        write_out(&mut out, b"SCOPE  NAME\n")?;
    }
    loop {
        let (top, next) = outputs::job_top_page(store, container, marker.as_deref(), None).await?;
        let rows = top
            .job_kinds
            .iter()
            .map(|k| ("job", "kind", k))
            .chain(top.tasks.iter().map(|t| ("task", "task", t)));
        for (scope, field, name) in rows {
            any = true;
            if json {
                let v = serde_json::json!({ "scope": scope, field: name });
                let sep = if first { "" } else { "," };
                write_out(&mut out, format!("{sep}{v}").as_bytes())?;
            } else {
                write_out(
                    &mut out,
                    format!("{scope:<5}  {}\n", sanitize(name)).as_bytes(),
                )?;
            }
            first = false;
        }
        match next {
            Some(m) => marker = Some(m),
            None => break,
        }
    }
    if json {
        write_out(&mut out, b"]\n")?;
    } else if !any {
        eprintln!("the job's container {container} holds no outputs yet");
    }
    Ok(())
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
