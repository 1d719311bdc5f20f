use super::{CliError, CliResult, Context};

pub fn run(_ctx: &Context) -> CliResult {
    Err(CliError::failure("ui: not built yet"))
}
