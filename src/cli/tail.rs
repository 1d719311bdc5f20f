use super::args::TailArgs;
use super::{CliError, CliResult, Context};

pub fn run(_ctx: &Context, _args: TailArgs) -> CliResult {
    Err(CliError::failure("tail: not built yet"))
}
