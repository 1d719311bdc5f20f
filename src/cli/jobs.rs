//! `batchout jobs [--json]`: containers named `job-...`, with the original job id when
//! batchout recorded it, and the container's last-modified time.

use super::args::JobsArgs;
use super::stdout::write_out;
use super::{CliResult, Context};
use crate::outputs::{self, format};
use crate::text::sanitize::sanitize;

pub fn run(ctx: &Context, args: JobsArgs) -> CliResult {
    let store = ctx.store()?;
    let jobs = ctx.runtime.block_on(outputs::list_jobs(store.as_ref()))?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let rows: Vec<serde_json::Value> = jobs
            .iter()
            .map(|j| {
                serde_json::json!({
                    "job": j.job_id,
                    "container": j.container,
                    "last_modified": format::rfc3339(j.last_modified),
                })
            })
            .collect();
        return write_out(
            &mut out,
            format!("{}\n", serde_json::Value::Array(rows)).as_bytes(),
        );
    }
    if jobs.is_empty() {
        eprintln!("no jobs in {}", store.describe());
        return Ok(());
    }
    let shown: Vec<String> = jobs
        .iter()
        .map(|j| sanitize(j.job_id.as_deref().unwrap_or("?")).into_owned())
        .collect();
    let w = shown
        .iter()
        .map(|s| s.chars().count())
        .max()
        .unwrap_or(0)
        .max(3);
    let cw = jobs
        .iter()
        .map(|j| j.container.len())
        .max()
        .unwrap_or(0)
        .max(9);
    write_out(
        &mut out,
        format!("{:<w$}  {:<cw$}  MODIFIED (UTC)\n", "JOB", "CONTAINER").as_bytes(),
    )?;
    for (j, name) in jobs.iter().zip(&shown) {
        let line = format!(
            "{:<w$}  {:<cw$}  {}\n",
            name,
            j.container,
            format::short_time(j.last_modified)
        );
        write_out(&mut out, line.as_bytes())?;
    }
    Ok(())
}
