//! `batchout run [--job J] [--task T] [--interval D] -- CMD ARGS...`.

use super::args::RunArgs;
use super::{CliError, CliResult, Context};
use crate::engine::{self, RunOptions, TrackOptions};

pub fn run(ctx: &Context, args: RunArgs) -> CliResult {
    // Check ids before starting anything.
    engine::Target::task(&args.job, &args.task, "TaskLog")?;
    let events = super::track::print_problems();
    let schedule = super::track::schedule(args.interval.as_deref(), &events)?;
    let store = ctx.store_for_writing()?;
    let options = RunOptions {
        track: TrackOptions { schedule, events },
        ..Default::default()
    };
    let code = ctx.runtime.block_on(engine::run(
        store,
        &args.job,
        &args.task,
        &args.command,
        options,
    ))?;
    if code == 0 {
        Ok(())
    } else {
        Err(CliError::exit(code))
    }
}
