//! `batchout save [--job J] [--task T] [--kind K] FILE... [--as NAME]`.

use super::args::SaveArgs;
use super::{CliError, CliResult, Context};
use crate::engine::{self, Event, EventSink, SaveOptions, Target};
use crate::text::one_line;
use crate::text::size::human_size;
use std::time::Instant;

pub fn run(ctx: &Context, args: SaveArgs) -> CliResult {
    let target = Target::new(
        &args.job,
        args.task.as_deref(),
        args.kind.as_deref(),
        "TaskOutput",
    )?;
    // Check every input before touching the store: bad input writes nothing.
    let planned = engine::plan(&target, &args.files, args.dest.as_deref())?;
    let store = ctx.store_for_writing()?;
    let events = EventSink::new(|e| match &e {
        Event::Saved { .. } => println!("{}", one_line(&e.to_string())),
        _ => eprintln!("batchout: {}", one_line(&e.to_string())),
    });
    let options = SaveOptions {
        events,
        ..Default::default()
    };
    let started = Instant::now();
    let summary = ctx
        .runtime
        .block_on(engine::save_planned(store, &target, planned, &options))?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "saved {} file{} ({}) to container {} in {secs:.1} s",
        summary.saved.len(),
        if summary.saved.len() == 1 { "" } else { "s" },
        human_size(summary.bytes()),
        summary.container
    );
    if !summary.failed.is_empty() {
        let total = summary.failed.len() + summary.saved.len();
        return Err(CliError::failure(format!(
            "{} of {total} files could not be saved (see above)",
            summary.failed.len()
        )));
    }
    Ok(())
}
