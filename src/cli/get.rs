use super::args::GetArgs;
use super::{CliError, CliResult, Context};

pub fn run(_ctx: &Context, _args: GetArgs) -> CliResult {
    Err(CliError::failure("get: not built yet"))
}
