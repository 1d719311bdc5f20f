//! The command line: clap commands, each calling store/engine/transfer (the same paths the
//! TUI uses). Errors are one line on stderr; exit 1 on failure, 2 on usage errors.

pub mod args;
mod cat;
mod completions;
mod config;
mod context;
mod demo;
mod doctor;
mod error;
mod get;
mod grep;
mod jobs;
mod ls;
mod path;
mod prepare;
mod run;
mod save;
mod status;
mod stdout;
mod tail;
mod track;
mod ui;

pub use args::{Cli, Command};
pub use context::Context;
pub use error::{CliError, CliResult};

use clap::Parser;

/// Parse arguments, run the command, print any error as one line; returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    match dispatch(cli) {
        Ok(()) => 0,
        Err(e) => {
            if !e.message.is_empty() {
                eprintln!("batchout: {}", crate::text::one_line(&e.message));
            }
            e.code
        }
    }
}

fn dispatch(cli: Cli) -> CliResult {
    // Commands that need no store and must work with a broken config file come first.
    let command = match cli.command.unwrap_or(Command::Ui) {
        Command::Config(a) => return config::run(a),
        Command::Completions(a) => return completions::run(a),
        Command::Man => return completions::man(),
        c => c,
    };
    let mut ctx = Context::new(cli.store.as_deref(), cli.profile.as_deref())?;
    // --images / $BATCHOUT_IMAGES, else the config file's `image`, else auto.
    ctx.images = cli.images.unwrap_or_else(|| ctx.config.config.image());
    match command {
        Command::Ui => ui::run(&ctx),
        Command::Demo(a) => demo::run(&ctx, a),
        Command::Jobs(a) => jobs::run(&ctx, a),
        Command::Ls(a) => ls::run(&ctx, a),
        Command::Status(a) => status::run(&ctx, a),
        Command::Path(a) => path::run(a),
        Command::Cat(a) => cat::run(&ctx, a),
        Command::Tail(a) => tail::run(&ctx, a),
        Command::Get(a) => get::run(&ctx, a),
        Command::Prepare(a) => prepare::run(&ctx, a),
        Command::Save(a) => save::run(&ctx, a),
        Command::Track(a) => track::run(&ctx, a),
        Command::Run(a) => run::run(&ctx, a),
        Command::Grep(a) => grep::run(&ctx, a),
        Command::Doctor(a) => doctor::run(&ctx, a),
        Command::Config(_) | Command::Completions(_) | Command::Man => {
            unreachable!("handled before the store is chosen")
        }
    }
}
