use super::args::JobsArgs;
use super::{CliError, CliResult, Context};

pub fn run(_ctx: &Context, _args: JobsArgs) -> CliResult {
    Err(CliError::failure("jobs: not built yet"))
}
