use super::args::LsArgs;
use super::{CliError, CliResult, Context};

pub fn run(_ctx: &Context, _args: LsArgs) -> CliResult {
    Err(CliError::failure("ls: not built yet"))
}
