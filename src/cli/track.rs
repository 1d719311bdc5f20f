use super::args::TrackArgs;
use super::{CliError, CliResult, Context};

pub fn run(_ctx: &Context, _args: TrackArgs) -> CliResult {
    Err(CliError::failure("track: not built yet"))
}
