//! Running the wrapped command: spawn, pass signals on, exit code like a shell reports it.

use super::error::{EngineError, EngineResult};
use super::events::{Event, EventSink};
use super::signals::{StopSignals, SIGINT};
use std::process::{ExitStatus, Stdio};

/// Spawn `command`; a command that cannot start is [`EngineError::CommandNotStarted`].
pub(crate) fn spawn(
    command: &[String],
    stdout: Stdio,
    stderr: Stdio,
) -> EngineResult<tokio::process::Child> {
    let (program, args) = command.split_first().ok_or_else(|| {
        EngineError::input("no command given: put it after --, e.g. -- python train.py")
    })?;
    tokio::process::Command::new(program)
        .args(args)
        .stdin(Stdio::inherit())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .map_err(|e| {
            let why = match e.kind() {
                std::io::ErrorKind::NotFound => "command not found".to_string(),
                std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
                _ => e.to_string(),
            };
            EngineError::CommandNotStarted(format!(
                "cannot start {}: {why}",
                crate::text::one_line(program)
            ))
        })
}

/// Wait for the child, passing SIGINT and SIGTERM on. The child shares our process group,
/// so a Ctrl-C typed in a terminal already reached it: SIGINT is only passed on when stdin
/// is not a terminal (a `kill -INT` aimed at batchout alone).
pub(crate) async fn wait(
    child: &mut tokio::process::Child,
    signals: &mut StopSignals,
    events: &EventSink,
) -> EngineResult<ExitStatus> {
    let interactive = stdin_is_terminal();
    loop {
        tokio::select! {
            status = child.wait() => {
                return status.map_err(|e| EngineError::io("cannot wait for the command", e));
            }
            signal = signals.recv() => {
                if signal == SIGINT && interactive {
                    continue;
                }
                if let Some(pid) = child.id() {
                    forward(pid, signal);
                    events.emit(Event::SignalForwarded { signal });
                }
            }
        }
    }
}

/// The exit code a shell would report: the code, or 128 + the signal that killed it.
pub fn exit_code(status: ExitStatus) -> i32 {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return 128 + signal;
        }
    }
    status.code().unwrap_or(1)
}

/// The signal that killed the command, if one did.
pub fn signal_of(status: ExitStatus) -> Option<i32> {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        status.signal()
    }
    #[cfg(not(unix))]
    {
        let _ = status;
        None
    }
}

#[cfg(unix)]
fn forward(pid: u32, signal: i32) {
    // SAFETY: kill(2) with a pid we spawned and a plain signal number has no memory effects.
    unsafe {
        libc::kill(pid as libc::pid_t, signal);
    }
}

#[cfg(not(unix))]
fn forward(_pid: u32, _signal: i32) {}

fn stdin_is_terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stdin().is_terminal()
}
