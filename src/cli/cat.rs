use super::args::CatArgs;
use super::{CliError, CliResult, Context};

pub fn run(_ctx: &Context, _args: CatArgs) -> CliResult {
    Err(CliError::failure("cat: not built yet"))
}
