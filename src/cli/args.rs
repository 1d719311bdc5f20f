//! The command line (design.md, "Command line"): the public interface, keep it stable.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

const AFTER_HELP: &str = "\
STORE: a local folder, an account or container URL (http(s)://..., with or without a SAS),
\"azurite\", or a connection string. Default: --profile (or $BATCHOUT_PROFILE) from the config
file, $BATCHOUT_STORE, then $AZURE_STORAGE_CONNECTION_STRING or $AZURE_STORAGE_ACCOUNT
(+ $AZURE_STORAGE_KEY, else Entra ID), then the config file's default_profile, then the local
store in the user data folder (`batchout config --help` has the exact order). JOB is the Batch job id; TASK and KIND are verbatim; TASK '-' means the
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
Flush schedule: every 0.5 s for the first 5 minutes, then an interval growing with the time
tracked (0.5 s x minutes / 5) up to 30 s (reached after 5 h): at most 22,619 flushes in 7 days,
within a budget of 25,000 blocks (the append blob's limit is 50,000). --interval replaces the
30 s cap. An idle file costs no requests."
);

const RUN_HELP: &str = concat!(
    "\
CMD's stdout and stderr are passed through and streamed to TASK/$TaskLog/stdout.txt and
stderr.txt while it runs; SIGINT/SIGTERM are passed on to CMD; batchout exits with CMD's code
(128 + signal if a signal killed it, 127 if it cannot start).
",
    "\n",
    "\
Flush schedule: every 0.5 s for the first 5 minutes, then an interval growing with the time
tracked (0.5 s x minutes / 5) up to 30 s (reached after 5 h): at most 22,619 flushes in 7 days,
within a budget of 25,000 blocks (the append blob's limit is 50,000). --interval replaces the
30 s cap. An idle file costs no requests."
);

const STATUS_HELP: &str = "\
Status per task, from one listing of the job's container: ok / failed (exit code or signal)
from the record `batchout run` keeps on TASK/$TaskLog/stdout.txt; running while that record
has no end and the task writes (run refreshes it every minute); lost when it has no end and
nothing was written for --lost-after (the writer died). Tasks saved by other clients have no
record: running while a tracked (append) log was written within --lost-after, else unknown;
never an invented exit code.
`batchout status JOB` exits 0 when no task is running, failed or lost, 3 when none is
running but some failed or were lost, 4 while any is running (loop on 4 to wait), 1 on
errors (e.g. no such job), 2 on usage errors.";

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

const GREP_HELP: &str = "\
Default scope: the TaskLog kind (stdout.txt, stderr.txt, ...) of every task; --kind, --all-kinds,
TASK, --task and --name change it. Output: TASK/KIND/PATH:LINE:text (context lines
TASK/KIND/PATH-LINE-text, groups separated by --), tasks in natural order; the match is
highlighted on a terminal (never with NO_COLOR or into a pipe). Binary files (a NUL byte)
are skipped with a note unless -a. Exit code: 0 if a line was found, 1 if none, 2 on error.

Files are read in ranged reads and searched as the bytes arrive, 16 at a time; memory stays
bounded whatever their size. Results are cached in the user cache folder (128 MiB at most):
a repeated grep fetches nothing for unchanged blobs and only the new bytes of a grown log
(a replaced or truncated blob is searched again from 0). --no-cache searches everything
afresh; then -l and -m also stop reading a file once they have what they need.";

#[derive(Debug, Parser)]
#[command(name = "batchout", version = env!("BATCHOUT_VERSION"), about = "Browse, tail, download and save Azure Batch persisted outputs", after_help = AFTER_HELP)]
pub struct Cli {
    /// Where outputs live: a local folder, an account/container URL, or "azurite".
    #[arg(long, global = true, value_name = "STORE")]
    pub store: Option<String>,
    /// Use the store of this profile of the config file (see `batchout config`).
    #[arg(short = 'p', long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// How the browser draws images: auto (ask the terminal once at start for kitty, sixel
    /// or iTerm2 graphics; half blocks if none), halfblocks (any colour terminal, over SSH and
    /// in tmux), kitty, sixel, iterm2, or off (hex). Inside tmux the graphics protocols need
    /// `set -g allow-passthrough on` (tmux 3.3+); batchout never changes tmux settings.
    /// Default: the config file's `image`, else auto.
    #[arg(
        long,
        global = true,
        value_enum,
        env = "BATCHOUT_IMAGES",
        value_name = "HOW"
    )]
    pub images: Option<crate::config::ImageMode>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the interactive browser (the default without a command; `?` lists its keys,
    /// `S` searches a job's task logs).
    Ui,
    /// Seed a demo job in a local store and open the browser on it.
    Demo(DemoArgs),
    /// List jobs (containers named job-...).
    Jobs(JobsArgs),
    /// List the tasks of a job with their status, or the files of a task.
    #[command(after_help = STATUS_HELP)]
    Ls(LsArgs),
    /// Print a job's one-line status summary; the exit code tells a script how it stands.
    #[command(after_help = STATUS_HELP)]
    Status(StatusArgs),
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
    /// Search the contents of a job's files (default: the TaskLog kind of every task).
    #[command(after_help = GREP_HELP)]
    Grep(GrepArgs),
    /// Print a commented default config file (batchout never writes one), or its path.
    #[command(after_help = CONFIG_HELP)]
    Config(ConfigArgs),
    /// Print a shell completion script (see README.md, "Shell completion").
    Completions(CompletionsArgs),
    /// Print the man page (roff): batchout man > ~/.local/share/man/man1/batchout.1
    Man,
    /// Check the store and the sign-in: what was chosen and from where, live list/read/write,
    /// latency, clock skew; each problem with what to do.
    Doctor(DoctorArgs),
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// JOB whose container the checks use (default: the first job listed).
    #[arg(long, value_name = "JOB")]
    pub job: Option<String>,
    /// Only read: skip the write check (a scratch blob written and deleted).
    #[arg(long)]
    pub read_only: bool,
}

const CONFIG_HELP: &str = "\
Install it with: batchout config > \"$(batchout config --path)\" (create the folder first).
Which store is used: --store, then --profile/-p, then $BATCHOUT_STORE, then
$BATCHOUT_PROFILE, then the AZURE_STORAGE_* variables, then the file's default_profile,
then the local store in the user data folder. $BATCHOUT_CONFIG names another file.";

#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Print where the config file is read from, and nothing else.
    #[arg(long)]
    pub path: bool,
    /// Check the config file and print its warnings (exit 1 if it is bad).
    #[arg(long, conflicts_with = "path")]
    pub check: bool,
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
    /// Only tasks with these statuses (comma-separated: ok,failed,lost,running,unknown).
    #[arg(long, value_name = "LIST", value_delimiter = ',', value_parser = crate::outputs::status::Status::parse)]
    pub status: Vec<crate::outputs::status::Status>,
    /// Order of the tasks (default: name).
    #[arg(long, value_enum, value_name = "KEY")]
    pub sort: Option<SortKey>,
    #[command(flatten)]
    pub policy: PolicyArgs,
}

/// How `ls JOB` orders its tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SortKey {
    /// Task id, in storage order (streamed as it is listed).
    Name,
    /// Most urgent first: failed, lost, running, unknown, ok.
    Status,
    /// Last write, newest first.
    Activity,
    /// Longest first.
    Duration,
    /// Largest stderr.txt first.
    Stderr,
}

#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// A task whose record has no end is "lost" after this long without any write (e.g.
    /// 5m, 90s); a task without a record counts as "running" while a tracked log was
    /// written this recently.
    #[arg(long, value_name = "D", default_value = "5m", value_parser = crate::engine::parse_interval)]
    pub lost_after: std::time::Duration,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    pub job: String,
    /// Print the counts as one JSON object.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub policy: PolicyArgs,
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
    /// schedule (every 0.5 s at first, slower as the task runs; see below).
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

#[derive(Debug, Args)]
pub struct GrepArgs {
    pub job: String,
    /// A regular expression (Rust regex syntax), or a literal string with -F.
    #[arg(required_unless_present = "regexp")]
    pub pattern: Option<String>,
    /// Only these tasks ('-' for the job-level outputs).
    #[arg(value_name = "TASK")]
    pub tasks: Vec<String>,
    /// The pattern, given as an option (for a pattern starting with '-'); every argument
    /// after JOB is then a TASK.
    #[arg(short = 'e', long, value_name = "PATTERN", allow_hyphen_values = true)]
    pub regexp: Option<String>,
    /// Only tasks whose id matches this glob (repeatable).
    #[arg(long = "task", value_name = "GLOB")]
    pub task_globs: Vec<String>,
    /// Search this kind instead of TaskLog (repeatable).
    #[arg(long = "kind", value_name = "K", conflicts_with = "all_kinds")]
    pub kinds: Vec<String>,
    /// Search every kind of every task, and the job-level outputs.
    #[arg(long)]
    pub all_kinds: bool,
    /// Only files whose path within the kind matches this glob (repeatable; without '/'
    /// it matches the file name).
    #[arg(long = "name", value_name = "GLOB")]
    pub names: Vec<String>,
    /// Ignore case.
    #[arg(short = 'i', long)]
    pub ignore_case: bool,
    /// PATTERN is a literal string, not a regular expression.
    #[arg(short = 'F', long)]
    pub fixed_strings: bool,
    /// Match whole words only.
    #[arg(short = 'w', long)]
    pub word_regexp: bool,
    /// Select the lines that do not match.
    #[arg(short = 'v', long)]
    pub invert_match: bool,
    /// Search binary files as text.
    #[arg(short = 'a', long)]
    pub text: bool,
    /// Lines of context before and after each match.
    #[arg(short = 'C', long, value_name = "N")]
    pub context: Option<usize>,
    /// Lines of context after each match.
    #[arg(short = 'A', long, value_name = "N")]
    pub after_context: Option<usize>,
    /// Lines of context before each match.
    #[arg(short = 'B', long, value_name = "N")]
    pub before_context: Option<usize>,
    /// Print only the names (TASK/KIND/PATH) of files with a match.
    #[arg(short = 'l', long, conflicts_with = "count")]
    pub files_with_matches: bool,
    /// Print the number of matching lines of every file searched.
    #[arg(short = 'c', long)]
    pub count: bool,
    /// Stop after N matching lines per file.
    #[arg(short = 'm', long, value_name = "N")]
    pub max_count: Option<u64>,
    /// Line numbers are always printed; accepted for grep habits.
    #[arg(short = 'n', long, hide = true)]
    pub line_number: bool,
    /// Print one JSON array (objects with task, kind, path, and line, match, text; or count).
    #[arg(long)]
    pub json: bool,
    /// Search everything afresh, without reading or writing the cache.
    #[arg(long)]
    pub no_cache: bool,
    /// Print files searched, bytes fetched and time taken to stderr at the end.
    #[arg(long)]
    pub stats: bool,
}
