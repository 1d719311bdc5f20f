//! `batchout track [--job J] [--task T] [--kind K] [--interval D] FILE... [--as NAME] [-- CMD]`.

use super::args::TrackArgs;
use super::{CliError, CliResult, Context};
use crate::engine::{
    self, parse_interval, EventSink, FlushSchedule, Target, TrackOptions, TrackSpec,
};
use crate::text::one_line;

pub fn run(ctx: &Context, args: TrackArgs) -> CliResult {
    let target = Target::new(
        &args.job,
        args.task.as_deref(),
        args.kind.as_deref(),
        "TaskLog",
    )?;
    if args.dest.is_some() && args.files.len() != 1 {
        return Err(CliError::usage(
            "--as names the destination of one file; give exactly one FILE",
        ));
    }
    let specs = args
        .files
        .iter()
        .map(|f| TrackSpec::new(&target, f, args.dest.as_deref()))
        .collect::<Result<Vec<_>, _>>()?;
    let events = print_events();
    let options = TrackOptions {
        schedule: schedule(args.interval.as_deref(), &events)?,
        events,
    };
    let store = ctx.store_for_writing()?;
    if args.command.is_empty() {
        ctx.runtime
            .block_on(engine::track_until_signal(store, specs, options))?;
        Ok(())
    } else {
        let code =
            ctx.runtime
                .block_on(engine::track_while(store, specs, &args.command, options))?;
        if code == 0 {
            Ok(())
        } else {
            Err(CliError::exit(code))
        }
    }
}

/// The flush schedule, with `--interval` as its cap.
pub(super) fn schedule(interval: Option<&str>, events: &EventSink) -> CliResult<FlushSchedule> {
    let cap = interval
        .map(parse_interval)
        .transpose()
        .map_err(CliError::usage)?;
    let schedule = FlushSchedule::with_cap(cap);
    if schedule.risks_block_limit() {
        events.emit(engine::Event::Warning {
            message: "with this --interval a task writing for a week may run into the append blob's 50,000-block limit".into(),
        });
    }
    Ok(schedule)
}

/// Engine events as `batchout: ...` lines on stderr.
pub(super) fn print_events() -> EventSink {
    EventSink::new(|e| eprintln!("batchout: {}", one_line(&e.to_string())))
}

/// Only failures and surprises, for `run`, whose stderr is mostly the command's own.
pub(super) fn print_problems() -> EventSink {
    EventSink::new(|e| {
        if e.is_problem() {
            eprintln!("batchout: {}", one_line(&e.to_string()))
        }
    })
}
