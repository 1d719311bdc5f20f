use super::args::SaveArgs;
use super::{CliError, CliResult, Context};

pub fn run(_ctx: &Context, _args: SaveArgs) -> CliResult {
    Err(CliError::failure("save: not built yet"))
}
