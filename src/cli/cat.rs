//! `batchout cat JOB TASK KIND FILE`: one file's bytes to stdout, in ranged reads of
//! 4 MiB pinned to one version (see `outputs::stream_file`), so a file replaced while
//! it is being read fails cleanly instead of mixing two versions.

use super::args::CatArgs;
use super::path::parse_scope;
use super::{CliError, CliResult, Context};
use crate::conventions::{self, kind_prefix, Scope};
use crate::outputs::{self, CAT_CHUNK};
use crate::store::StoreError;
use std::io::Write;

pub fn run(ctx: &Context, args: CatArgs) -> CliResult {
    let scope = parse_scope(&args.task)?;
    conventions::validate_kind(&args.kind)?;
    if args.file.is_empty() {
        return Err(CliError::usage(
            "FILE is empty; `batchout ls JOB TASK` lists the files",
        ));
    }
    // Used verbatim (not re-validated as a save destination) so files saved by other
    // tools, whatever their path, can still be read.
    let blob = format!("{}{}", kind_prefix(&scope, &args.kind), args.file);
    crate::store::local::names::validate_blob_name(&blob)?;
    let store = ctx.store()?;
    let store = store.as_ref();
    ctx.runtime.block_on(async {
        let container = outputs::job_container(store, &args.job).await?;
        let mut out = std::io::stdout();
        let mut broken_pipe = false;
        let mut sink = |chunk: &[u8]| -> std::io::Result<()> {
            match out.write_all(chunk) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
                    broken_pipe = true;
                    Err(e)
                }
                other => other,
            }
        };
        let result = outputs::stream_file(store, &container, &blob, CAT_CHUNK, &mut sink).await;
        if broken_pipe {
            return Err(CliError::exit(0));
        }
        match result {
            Ok(_) => out
                .flush()
                .map_err(|e| CliError::failure(format!("cannot write output: {e}"))),
            Err(StoreError::BlobNotFound { .. }) => {
                let task = match &scope {
                    Scope::Job => "-".to_string(),
                    Scope::Task(t) => t.clone(),
                };
                Err(CliError::failure(format!(
                    "no file {} in kind {} of {} (job {}); `batchout ls {} {}` lists the files",
                    crate::text::sanitize(&args.file),
                    args.kind,
                    if task == "-" {
                        "the job level".to_string()
                    } else {
                        format!("task {task}")
                    },
                    args.job,
                    args.job,
                    task
                )))
            }
            Err(StoreError::ConditionNotMet { .. }) => Err(CliError::failure(format!(
                "{} was replaced while it was being read; run the command again",
                crate::text::sanitize(&args.file)
            ))),
            Err(e) => Err(e.into()),
        }
    })
}
