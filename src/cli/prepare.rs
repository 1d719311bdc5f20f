use super::args::PrepareArgs;
use super::{CliError, CliResult, Context};

pub fn run(_ctx: &Context, _args: PrepareArgs) -> CliResult {
    Err(CliError::failure("prepare: not built yet"))
}
