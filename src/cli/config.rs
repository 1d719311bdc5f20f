//! `batchout config [--path | --check]`: print the commented default config (to start a
//! file from), where the file is read from, or check it. Never writes anything.

use super::args::ConfigArgs;
use super::{CliError, CliResult};
use crate::config;

pub fn run(args: ConfigArgs) -> CliResult {
    let env = |k: &str| std::env::var(k).ok();
    if args.path {
        let path = config::locate(&env).ok_or_else(|| {
            CliError::failure("cannot find a user config folder; set BATCHOUT_CONFIG")
        })?;
        println!("{}", path.display());
        return Ok(());
    }
    if args.check {
        let loaded = super::context::load_config(&env)?;
        for w in &loaded.warnings {
            println!("warning: {}", crate::text::one_line(w));
        }
        match &loaded.path {
            Some(p) => println!(
                "{}: ok ({} profiles)",
                p.display(),
                loaded.config.profiles.len()
            ),
            None => println!("no config file; the defaults apply"),
        }
        return Ok(());
    }
    print!("{}", config::DEFAULT_TOML);
    Ok(())
}
