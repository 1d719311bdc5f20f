use super::args::DemoArgs;
use super::{CliError, CliResult, Context};

pub fn run(_ctx: &Context, _args: DemoArgs) -> CliResult {
    Err(CliError::failure("demo: not built yet"))
}
