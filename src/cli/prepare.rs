//! `batchout prepare JOB`: create the job's container (private) if missing.

use super::args::PrepareArgs;
use super::{CliResult, Context};
use crate::engine;

pub fn run(ctx: &Context, args: PrepareArgs) -> CliResult {
    let store = ctx.store_for_writing()?;
    let events = super::track::print_events();
    let created = ctx
        .runtime
        .block_on(engine::prepare(store.as_ref(), &args.job, &events))?;
    let container = crate::conventions::container_name(&args.job)?;
    println!(
        "{container}{}",
        if created { " (created)" } else { " (exists)" }
    );
    Ok(())
}
