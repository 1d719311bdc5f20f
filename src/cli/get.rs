//! `batchout get JOB [TASK] [--kind K] [GLOB...] [-o DIR] [--overwrite]`: download outputs
//! into DIR/TASK/KIND/PATH (job-level outputs: DIR/_job/KIND/PATH); resumable, verified.
//! Progress bars on a terminal, plain lines otherwise (progress.rs); exit 1 if any file
//! failed, 130 when interrupted (run again to resume).

mod progress;

use super::args::GetArgs;
use super::path::parse_scope;
use super::{CliError, CliResult, Context};
use crate::conventions;
use crate::download::plan::{build_plan, GlobFilter, Selection};
use crate::download::{download, limit_from_env, CancelSet, DownloadOptions};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

pub fn run(ctx: &Context, args: GetArgs) -> CliResult {
    let container = conventions::container_name(&args.job)?;
    let mut globs = args.globs.clone();
    // Task ids never contain '.', '*', '?', '[' or '{', so `get JOB '*.log'` means a glob.
    let task = match args.task.clone() {
        Some(t) if t.contains(['.', '*', '?', '[', '{']) => {
            globs.insert(0, t);
            None
        }
        t => t,
    };
    let scope = task.as_deref().map(parse_scope).transpose()?;
    if let Some(kind) = &args.kind {
        conventions::validate_kind(kind)?;
    }
    let filter = GlobFilter::new(&globs).map_err(CliError::usage)?;
    let selection = Selection {
        scope,
        kind: args.kind.clone(),
        path: None,
    };
    let root = args.output.clone().unwrap_or_else(|| PathBuf::from("."));
    let opts = DownloadOptions {
        overwrite: args.overwrite,
        max_rate: rate_limit()?,
        ..Default::default()
    };
    let store = ctx.store()?;
    ctx.runtime.block_on(async move {
        let plan = build_plan(&*store, &container, &[selection], &filter)
            .await
            .map_err(|e| crate::outputs::for_job(&args.job, e))?;
        if plan.files.is_empty() {
            return Err(CliError::failure(format!(
                "nothing to download: no file of job {} matches (see `batchout ls {}`)",
                args.job, args.job
            )));
        }
        let cancel = CancelSet::new(&plan);
        let interrupted = Arc::new(AtomicBool::new(false));
        {
            let (cancel, interrupted) = (cancel.clone(), interrupted.clone());
            tokio::spawn(async move {
                if tokio::signal::ctrl_c().await.is_ok() {
                    interrupted.store(true, Ordering::SeqCst);
                    cancel.cancel_all();
                    // A second Ctrl-C does not wait for the resume state to be written.
                    if tokio::signal::ctrl_c().await.is_ok() {
                        std::process::exit(130);
                    }
                }
            });
        }
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let reporter = tokio::spawn(progress::report(plan.clone(), rx, root.clone()));
        let summary = download(store, &plan, &root, opts, Some(tx), &cancel).await;
        let _ = reporter.await;
        if interrupted.load(Ordering::SeqCst) {
            return Err(CliError {
                message: "interrupted; run the same command again to resume".into(),
                code: 130,
            });
        }
        match summary.failures() + summary.cancelled {
            0 => Ok(()),
            n => Err(CliError::failure(format!(
                "{n} of {} files not downloaded (see above)",
                plan.files.len()
            ))),
        }
    })
}

/// The bandwidth limit from `BATCHOUT_GET_LIMIT`, or a usage error.
fn rate_limit() -> CliResult<Option<u64>> {
    limit_from_env().map_err(CliError::usage)
}
