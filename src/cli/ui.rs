//! `batchout ui` (and no command): open the browser on the store named by --store.

use super::{CliError, CliResult, Context};
use std::io::IsTerminal;

pub fn run(ctx: &Context) -> CliResult {
    let store = ctx.store()?;
    open(ctx, store)
}

/// Open the browser on `store` (shared with `batchout demo`).
pub fn open(ctx: &Context, store: std::sync::Arc<dyn crate::store::Store>) -> CliResult {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(CliError::usage(
            "the browser needs a terminal; in scripts use `batchout jobs`, `ls`, `cat` or `tail`",
        ));
    }
    ctx.runtime
        .block_on(crate::tui::run(store, ctx.images))
        .map_err(|e| CliError::failure(format!("terminal error: {e}")))
}
