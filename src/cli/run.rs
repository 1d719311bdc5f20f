use super::args::RunArgs;
use super::{CliError, CliResult, Context};

pub fn run(_ctx: &Context, _args: RunArgs) -> CliResult {
    Err(CliError::failure("run: not built yet"))
}
