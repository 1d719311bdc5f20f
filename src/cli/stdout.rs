//! Writing a command's answer to stdout, the one way every listing command does it.

use super::{CliError, CliResult};
use std::io::Write;

/// Write to stdout; a closed pipe (`| head`) ends the command quietly.
pub(super) fn write_out(out: &mut impl Write, bytes: &[u8]) -> CliResult {
    match out.write_all(bytes) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(CliError::exit(0)),
        Err(e) => Err(CliError::failure(format!("cannot write output: {e}"))),
    }
}
