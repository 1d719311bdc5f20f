//! The command line (design.md, "Command line"): the public interface, keep it stable.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

const AFTER_HELP: &str = "\
STORE: a local folder, an account or container URL (http(s)://..., with or without a SAS),
or \"azurite\". Default: $BATCHOUT_STORE, then $AZURE_STORAGE_CONNECTION_STRING or
$AZURE_STORAGE_ACCOUNT (+ $AZURE_STORAGE_KEY, else Entra ID), then the local store in the
user data folder. JOB is the Batch job id; TASK and KIND are verbatim; TASK '-' means the
job-level outputs.";

const TRACK_HELP: &str = concat!(
    "\
Only new bytes are appended (blocks <= 4 MiB, each with the append-position condition), so
a restart resumes where the file's start lies in the blob (its length, or after an earlier
generation of a replaced file) and a retried request never doubles a byte. A file that does
not exist yet is waited for; a file that shrinks or is replaced is reported and its new
content appended after what was saved. A last flush happens on exit, SIGINT, SIGTERM or
when CMD ends (batchout then exits with CMD's code); if it fails, batchout fails.
",
    "\n",
    "\
Flush schedule: every 2 s for the first 10 minutes, then an interval growing with the time
tracked (2 s x minutes / 10) up to 30 s (reached after 2.5 h): at most 20,974 flushes in 7 days,
far below the append blob's 50,000-block limit. --interval replaces the 30 s cap. An idle
file costs no requests."
);

const RUN_HELP: &str = concat!(
    "\
CMD's stdout and stderr are passed through and streamed to TASK/$TaskLog/stdout.txt and
stderr.txt while it runs; SIGINT/SIGTERM are passed on to CMD; batchout exits with CMD's code
(128 + signal if a signal killed it, 127 if it cannot start).
",
    "\n",
    "\
Flush schedule: every 2 s for the first 10 minutes, then an interval growing with the time
tracked (2 s x minutes / 10) up to 30 s (reached after 2.5 h): at most 20,974 flushes in 7 days,
far below the append blob's 50,000-block limit. --interval replaces the 30 s cap. An idle
file costs no requests."
);

const GET_HELP: &str = "\
Small files download 16 at a time; a blob over 4 MiB as parallel ranged reads (16 MiB, 8 in
flight) streamed to their offsets in .NAME.batchout-part, renamed to NAME only when complete
and verified: against the blob's Content-MD5, or, without one, range by range against the
service's transactional MD5. Interrupted (network cut, Ctrl-C, kill -9)? Run it again: it
resumes if the blob's etag is unchanged and starts over, saying so, if not. Names that would
land outside DIR are refused. $BATCHOUT_GET_LIMIT caps the bandwidth (e.g. 20M = 20 MiB/s).
Exit code 1 if any file failed, was refused or was not overwritten.";

const SAVE_HELP: &str = "\
Files over 8 MiB go as parallel staged blocks (16 MiB, 8 in flight) read from disk while
they are sent, with the whole file's MD5 (computed on its own thread) set as Content-MD5 on
commit; memory does not grow with the file. A file that changes while it is saved is refused.";

#[derive(Debug, Parser)]
#[command(name = "batchout", version, about = "Browse, tail, download and save Azure Batch persisted outputs", after_help = AFTER_HELP)]
pub struct Cli {
    /// Where outputs live: a local folder, an account/container URL, or "azurite".
    #[arg(long, global = true, value_name = "STORE")]
    pub store: Option<String>,
    /// How the browser draws images: auto (ask the terminal once at start for kitty, sixel
    /// or iTerm2 graphics; half blocks if none), halfblocks (any colour terminal, over SSH and
    /// in tmux), kitty, sixel, iterm2, or off (hex). Inside tmux the graphics protocols need
    /// `set -g allow-passthrough on` (tmux 3.3+); batchout never changes tmux settings.
    #[arg(
        long,
        global = true,
        value_enum,
        env = "BATCHOUT_IMAGES",
        default_value = "auto",
        value_name = "HOW"
    )]
    pub images: ImagesArg,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// `--images`: see [`crate::tui::picture::ImageMode`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImagesArg {
    Auto,
    Halfblocks,
    Kitty,
    Sixel,
    Iterm2,
    Off,
}

impl From<ImagesArg> for crate::tui::picture::ImageMode {
    fn from(a: ImagesArg) -> Self {
        use crate::tui::picture::ImageMode as M;
        match a {
            ImagesArg::Auto => M::Auto,
            ImagesArg::Halfblocks => M::Halfblocks,
            ImagesArg::Kitty => M::Kitty,
            ImagesArg::Sixel => M::Sixel,
            ImagesArg::Iterm2 => M::Iterm2,
            ImagesArg::Off => M::Off,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the interactive browser (the default without a command).
    Ui,
    /// Seed a demo job in a local store and open the browser on it.
    Demo(DemoArgs),
    /// List jobs (containers named job-...).
    Jobs(JobsArgs),
    /// List the tasks of a job, or the files of a task (all kinds or one).
    Ls(LsArgs),
    /// Print the container name, and the blob name when TASK and FILE are given.
    Path(PathArgs),
    /// Write one file's bytes to stdout.
    Cat(CatArgs),
    /// Print a task log (default TaskLog stdout.txt); -f follows it.
    Tail(TailArgs),
    /// Download outputs; resumable, verified; prints a summary.
    #[command(after_help = GET_HELP)]
    Get(GetArgs),
    /// Create the job's container if missing.
    Prepare(PrepareArgs),
    /// Save files (block blobs) under the conventions.
    #[command(after_help = SAVE_HELP)]
    Save(SaveArgs),
    /// Stream a growing file into an append blob while it grows.
    #[command(after_help = TRACK_HELP)]
    Track(TrackArgs),
    /// Run a command, streaming its stdout/stderr to TaskLog stdout.txt and stderr.txt.
    #[command(after_help = RUN_HELP)]
    Run(RunArgs),
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Folder for the demo store (default: a folder in the user data folder).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Seed the demo store and exit without opening the browser.
    #[arg(long)]
    pub no_ui: bool,
}

#[derive(Debug, Args)]
pub struct JobsArgs {
    /// Print one JSON array.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct LsArgs {
    pub job: String,
    /// A task id, or '-' for the job-level outputs.
    pub task: Option<String>,
    /// Only this kind (e.g. TaskOutput, TaskLog, JobOutput, or a custom kind).
    #[arg(long)]
    pub kind: Option<String>,
    /// Print one JSON array.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct PathArgs {
    pub job: String,
    /// A task id, or '-' for the job-level outputs.
    pub task: Option<String>,
    /// Kind (default TaskOutput for a task, JobOutput for '-').
    #[arg(long)]
    pub kind: Option<String>,
    /// File path within the kind.
    pub file: Option<String>,
}

#[derive(Debug, Args)]
pub struct CatArgs {
    pub job: String,
    /// A task id, or '-' for the job-level outputs.
    pub task: String,
    pub kind: String,
    pub file: String,
}

#[derive(Debug, Args)]
pub struct TailArgs {
    /// Keep following the log as it grows.
    #[arg(short = 'f', long)]
    pub follow: bool,
    pub job: String,
    /// A task id (optional with --all).
    pub task: Option<String>,
    /// Log file within TaskLog (default stdout.txt).
    pub file: Option<String>,
    /// Tail stderr.txt instead of stdout.txt.
    #[arg(long, conflicts_with = "both")]
    pub stderr: bool,
    /// Tail stdout.txt and stderr.txt together.
    #[arg(long)]
    pub both: bool,
    /// More tasks to merge into one stream (repeatable).
    #[arg(long = "task", value_name = "TASK")]
    pub tasks: Vec<String>,
    /// Follow every task of the job, including tasks that appear later.
    #[arg(long)]
    pub all: bool,
    /// Lines to show first (a number or "all").
    #[arg(short = 'n', long, default_value = "10")]
    pub lines: String,
}

#[derive(Debug, Args)]
pub struct GetArgs {
    pub job: String,
    /// A task id, or '-' for the job-level outputs (default: every task and the job).
    pub task: Option<String>,
    /// Only this kind.
    #[arg(long)]
    pub kind: Option<String>,
    /// Only files whose path within the kind matches one of these globs.
    #[arg(value_name = "GLOB")]
    pub globs: Vec<String>,
    /// Target folder (default: the current folder). Layout: DIR/TASK/KIND/PATH, job-level
    /// outputs in DIR/_job/KIND/PATH.
    #[arg(short = 'o', long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Replace existing files that differ (identical ones are always skipped).
    #[arg(long)]
    pub overwrite: bool,
}

#[derive(Debug, Args)]
pub struct PrepareArgs {
    pub job: String,
}

#[derive(Debug, Args)]
pub struct SaveArgs {
    /// Job id (default $AZ_BATCH_JOB_ID).
    #[arg(long, env = "AZ_BATCH_JOB_ID", value_name = "JOB")]
    pub job: String,
    /// Task id (default $AZ_BATCH_TASK_ID); '-' or absent for job-level outputs.
    #[arg(long, env = "AZ_BATCH_TASK_ID", value_name = "TASK")]
    pub task: Option<String>,
    /// Kind (default TaskOutput for a task; required for job-level outputs).
    #[arg(long)]
    pub kind: Option<String>,
    /// Files, folders (recursive) or globs.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<String>,
    /// Destination path within the kind (one FILE only).
    #[arg(long = "as", value_name = "NAME")]
    pub dest: Option<String>,
}

#[derive(Debug, Args)]
pub struct TrackArgs {
    /// Job id (default $AZ_BATCH_JOB_ID).
    #[arg(long, env = "AZ_BATCH_JOB_ID", value_name = "JOB")]
    pub job: String,
    /// Task id (default $AZ_BATCH_TASK_ID); '-' or absent for job-level outputs.
    #[arg(long, env = "AZ_BATCH_TASK_ID", value_name = "TASK")]
    pub task: Option<String>,
    /// Kind (default TaskLog for a task; required for job-level outputs).
    #[arg(long)]
    pub kind: Option<String>,
    /// Longest time between flushes (e.g. 15s, 1m); replaces the 30 s cap of the adaptive
    /// schedule (every 2 s at first, slower as the task runs; see below).
    #[arg(long, value_name = "D")]
    pub interval: Option<String>,
    /// Files to track.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<String>,
    /// Destination path within the kind (one FILE only).
    #[arg(long = "as", value_name = "NAME")]
    pub dest: Option<String>,
    /// Command to run; tracking ends when it exits, with its exit code.
    #[arg(last = true, value_name = "CMD")]
    pub command: Vec<String>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Job id (default $AZ_BATCH_JOB_ID).
    #[arg(long, env = "AZ_BATCH_JOB_ID", value_name = "JOB")]
    pub job: String,
    /// Task id (default $AZ_BATCH_TASK_ID).
    #[arg(long, env = "AZ_BATCH_TASK_ID", value_name = "TASK")]
    pub task: String,
    /// Longest time between flushes (e.g. 15s, 1m); replaces the 30 s cap of the adaptive
    /// schedule (see below).
    #[arg(long, value_name = "D")]
    pub interval: Option<String>,
    /// The command and its arguments.
    #[arg(last = true, required = true, value_name = "CMD")]
    pub command: Vec<String>,
}
