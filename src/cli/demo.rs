//! `batchout demo [--dir DIR] [--no-ui]`: seed a demo store and browse it.

use super::args::DemoArgs;
use super::{CliError, CliResult, Context};
use crate::demo;
use crate::store::{local::LocalStore, Store};
use std::sync::Arc;
use std::time::Duration;

pub fn run(ctx: &Context, args: DemoArgs) -> CliResult {
    let dir = match args.dir {
        Some(d) => d,
        None => demo::default_dir()?,
    };
    demo::prepare_dir(&dir).map_err(CliError::failure)?;
    let store: Arc<dyn Store> = Arc::new(LocalStore::open(&dir)?);
    let seeded = ctx.runtime.block_on(demo::seed(&store))?;
    let summary = format!(
        "demo store {}: {} jobs, {} files (browse again with: batchout --store {} ui)",
        dir.display(),
        seeded.containers.len(),
        seeded.blobs,
        dir.display()
    );
    if args.no_ui {
        println!("{summary}");
        return Ok(());
    }
    // The running task's log grows while the browser is open.
    let grower = ctx
        .runtime
        .spawn(demo::grow(store.clone(), Duration::from_millis(800)));
    let result = super::ui::open(ctx, store);
    grower.abort();
    result?;
    println!("{summary}");
    Ok(())
}
