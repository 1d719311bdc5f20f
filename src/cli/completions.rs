//! `batchout completions SHELL` and `batchout man`: generated from the clap definitions,
//! so they always match `--help`.

use super::args::{Cli, CompletionsArgs};
use super::{CliError, CliResult};
use clap::CommandFactory;

pub fn run(args: CompletionsArgs) -> CliResult {
    let mut cmd = Cli::command();
    clap_complete::generate(args.shell, &mut cmd, "batchout", &mut std::io::stdout());
    Ok(())
}

pub fn man() -> CliResult {
    let cmd = Cli::command();
    clap_mangen::Man::new(cmd)
        .render(&mut std::io::stdout())
        .map_err(|e| CliError::failure(format!("cannot write the man page: {e}")))
}
