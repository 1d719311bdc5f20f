//! `batchout tail [-f] JOB TASK [FILE]`: print the end of a task log, and follow it.
//!
//! One log is followed with one ranged read per poll; several (`--both`, `--task`, `--all`)
//! through one listing per poll plus a read per log that grew (see follow::merged).
//! Lines of several logs carry a prefix per log, coloured only on a terminal without
//! NO_COLOR. Every line is cleaned of escape sequences and control characters.

use super::args::TailArgs;
use super::path::parse_scope;
use super::{CliError, CliResult, Context};
use crate::conventions::{self, Scope};
use crate::follow::colour::{source_colour, SourceColour};
use crate::follow::driver::{Driver, Step, Update};
use crate::follow::lines::LinePiece;
use crate::follow::merged::{MergeScope, MergedFollower, SourceInfo};
use crate::follow::single::{FollowConfig, FollowEvent, LogFollower, Notice, Start};
use crate::outputs::LOG_KIND;
use crate::store::{Store, StoreError};
use crate::text::sanitize;
use std::io::{IsTerminal, Write};
use std::sync::Arc;

pub fn run(ctx: &Context, args: TailArgs) -> CliResult {
    let plan = Plan::from_args(&args)?;
    let store = ctx.store()?;
    let result = ctx.runtime.block_on(plan.run(store));
    match result {
        // `batchout tail -f ... | head` closing the pipe is a normal way to stop.
        Err(TailError::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(TailError::Output(e)) => Err(CliError::failure(format!("cannot write output: {e}"))),
        Err(TailError::Cli(e)) => Err(e),
        Ok(()) => Ok(()),
    }
}

/// What to follow, checked before any request.
struct Plan {
    job: String,
    container: String,
    /// Task ids (empty with --all).
    tasks: Vec<String>,
    all: bool,
    files: Vec<String>,
    start: Start,
    follow: bool,
}

impl Plan {
    fn from_args(a: &TailArgs) -> CliResult<Plan> {
        let container = conventions::container_name(&a.job)?;
        let start = parse_lines(&a.lines)?;
        let files: Vec<String> = match (&a.file, a.stderr, a.both) {
            (Some(_), true, _) | (Some(_), _, true) => {
                return Err(CliError::usage(
                    "give either FILE or --stderr/--both, not both",
                ))
            }
            (Some(f), _, _) => vec![f.clone()],
            (None, true, _) => vec!["stderr.txt".into()],
            (None, _, true) => vec!["stdout.txt".into(), "stderr.txt".into()],
            (None, false, false) => vec!["stdout.txt".into()],
        };
        for f in &files {
            conventions::validate_destination(f)?;
        }
        let mut tasks = Vec::new();
        if a.all {
            if a.task.is_some() || !a.tasks.is_empty() {
                return Err(CliError::usage(
                    "--all follows every task of the job; drop TASK and --task",
                ));
            }
        } else {
            tasks.extend(a.task.iter().cloned());
            tasks.extend(a.tasks.iter().cloned());
            if tasks.is_empty() {
                return Err(CliError::usage("tail needs a TASK (or --task T, or --all)"));
            }
            for t in &tasks {
                if let Scope::Job = parse_scope(t)? {
                    return Err(CliError::usage(
                        "task logs belong to a task; '-' (job level) has none",
                    ));
                }
            }
            tasks.dedup();
        }
        Ok(Plan {
            job: a.job.clone(),
            container,
            tasks,
            all: a.all,
            files,
            start,
            follow: a.follow,
        })
    }

    fn is_single(&self) -> bool {
        !self.all && self.tasks.len() == 1 && self.files.len() == 1
    }

    async fn run(self, store: Arc<dyn Store>) -> Result<(), TailError> {
        let mut out = Printer::new(!self.is_single());
        if self.is_single() {
            self.run_single(store, &mut out).await
        } else {
            self.run_merged(store, &mut out).await
        }
    }

    async fn run_single(&self, store: Arc<dyn Store>, out: &mut Printer) -> Result<(), TailError> {
        let task = &self.tasks[0];
        let file = &self.files[0];
        let blob = conventions::blob_name(&Scope::Task(task.clone()), LOG_KIND, file)
            .map_err(CliError::from)?;
        let name = format!("{task}/{file}");
        let follower = LogFollower::new(store, &self.container, &blob, FollowConfig::default());
        let info = SourceInfo {
            task: task.clone(),
            file: file.clone(),
            blob,
            label: name.clone(),
            colour: 0,
        };
        let mut driver = Driver::single(follower, info);
        let update = driver
            .open(self.start)
            .await
            .map_err(|e| self.store_error(e))?;
        let waiting = FollowEvent::Notice(Notice::Waiting);
        if !self.follow && update.events.iter().any(|(_, e)| *e == waiting) {
            if let Some(f) = driver.single_follower() {
                if let Err(e) = follower_store_container(f).await {
                    return Err(self.store_error(e).into());
                }
            }
            return Err(CliError::failure(format!(
                "no log {name} in job {} (container {}); check `batchout ls {} {task} --kind TaskLog`",
                self.job, self.container, self.job
            ))
            .into());
        }
        self.print_until_done(driver, update, out).await
    }

    async fn run_merged(&self, store: Arc<dyn Store>, out: &mut Printer) -> Result<(), TailError> {
        let scope = if self.all {
            MergeScope::AllTasks {
                files: self.files.clone(),
            }
        } else {
            MergeScope::Tasks {
                tasks: self.tasks.clone(),
                files: self.files.clone(),
            }
        };
        let mut driver = Driver::merged(MergedFollower::new(
            store.clone(),
            &self.container,
            scope,
            FollowConfig::default(),
            self.start,
        ));
        // The first poll must work (a wrong job or store ends the command at once).
        let update = match driver.step().await {
            Ok(Step::Update(u)) => u,
            Ok(Step::Retrying { error, .. }) | Err(error) => {
                return Err(self.store_error(error).into())
            }
        };
        if driver.source_count() == 0 {
            if !self.follow {
                // A wrong job id is told apart from a job without logs.
                if let Err(e) = store.container_info(&self.container).await {
                    return Err(self.store_error(e).into());
                }
                return Err(CliError::failure(format!(
                    "no logs {} found in job {} (container {})",
                    self.files.join(", "),
                    self.job,
                    self.container
                ))
                .into());
            }
            out.notice("no logs yet; waiting for tasks to write them")?;
        }
        self.print_until_done(driver, update, out).await
    }

    /// Print each update; without -f stop once nothing more is waiting. While following, a
    /// network hiccup or throttling is reported once and retried; any other error ends
    /// the command.
    async fn print_until_done(
        &self,
        mut driver: Driver,
        mut update: Update,
        out: &mut Printer,
    ) -> Result<(), TailError> {
        loop {
            for (i, ev) in &update.events {
                let Some(src) = driver.source(*i) else {
                    continue;
                };
                let label = Label {
                    text: &src.label,
                    colour: src.colour,
                };
                match ev {
                    FollowEvent::Piece(p) => out.piece(Some(label), p)?,
                    FollowEvent::Notice(n) => {
                        out.notice(&n.describe(&format!("{}/{}", src.task, src.file)))?
                    }
                }
            }
            for (i, e) in &update.errors {
                out.notice(&driver.read_error(*i, e))?;
            }
            out.flush()?;
            if !update.more && !self.follow {
                return Ok(());
            }
            update = match driver.step().await {
                Ok(Step::Update(u)) => u,
                Ok(Step::Retrying { error, first }) => {
                    if first {
                        out.notice(&format!("{error}; retrying"))?;
                    }
                    Update::default()
                }
                Err(e) => return Err(self.store_error(e).into()),
            };
        }
    }

    fn store_error(&self, e: StoreError) -> CliError {
        crate::outputs::for_job(&self.job, e).into()
    }
}

/// Whether the follower's container exists (to tell a wrong job from a missing log).
async fn follower_store_container(f: &LogFollower) -> Result<(), StoreError> {
    f.store().container_info(f.container()).await.map(|_| ())
}

/// `-n N` or `-n all`.
fn parse_lines(s: &str) -> CliResult<Start> {
    if s.eq_ignore_ascii_case("all") {
        return Ok(Start::Beginning);
    }
    match s.parse::<usize>() {
        Ok(0) => Ok(Start::Now),
        Ok(n) => Ok(Start::Lines(n)),
        Err(_) => Err(CliError::usage(format!(
            "-n takes a number of lines or \"all\", not {s:?}"
        ))),
    }
}

enum TailError {
    Cli(CliError),
    Output(std::io::Error),
}

impl From<CliError> for TailError {
    fn from(e: CliError) -> Self {
        TailError::Cli(e)
    }
}
impl From<std::io::Error> for TailError {
    fn from(e: std::io::Error) -> Self {
        TailError::Output(e)
    }
}

struct Label<'a> {
    text: &'a str,
    colour: usize,
}

/// The one palette of sources (`crate::follow::colour`), as ANSI foreground codes.
fn ansi_colour(index: usize) -> u8 {
    match source_colour(index) {
        SourceColour::Cyan => 36,
        SourceColour::Magenta => 35,
        SourceColour::Yellow => 33,
        SourceColour::Green => 32,
        SourceColour::Blue => 34,
        SourceColour::Red => 31,
    }
}

/// Writes pieces to stdout: prefixed per source when merging, coloured on a terminal.
struct Printer {
    out: std::io::BufWriter<std::io::Stdout>,
    tty: bool,
    colour: bool,
    prefixed: bool,
    /// The source whose line is unfinished on screen (None: at a line start). The inner
    /// None is the single, unprefixed source.
    open: Option<Option<String>>,
}

impl Printer {
    fn new(prefixed: bool) -> Self {
        let tty = std::io::stdout().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Printer {
            out: std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout()),
            tty,
            colour: tty && !no_color,
            prefixed,
            open: None,
        }
    }

    fn piece(&mut self, label: Option<Label>, p: &LinePiece) -> std::io::Result<()> {
        let key = label.as_ref().map(|l| l.text.to_string());
        if self.prefixed && self.open.as_ref() != Some(&key) {
            if self.open.is_some() {
                // Another source's line was unfinished: end it on screen, not in data.
                self.out.write_all(b"\n")?;
            }
            if let Some(l) = &label {
                let text = sanitize(l.text);
                if self.colour {
                    let c = ansi_colour(l.colour);
                    write!(self.out, "\x1b[{c}m{text}\x1b[0m ")?;
                } else {
                    write!(self.out, "{text} ")?;
                }
            }
        }
        self.out.write_all(clean_piece(&p.text).as_bytes())?;
        if p.ends_line {
            self.out.write_all(b"\n")?;
            self.open = None;
        } else {
            self.open = Some(key);
        }
        Ok(())
    }

    /// Notices go to stderr, so piped output stays the log's text only.
    fn notice(&mut self, msg: &str) -> std::io::Result<()> {
        if self.tty && self.open.is_some() {
            self.out.write_all(b"\n")?;
            self.open = None;
        }
        self.out.flush()?;
        eprintln!("batchout: {}", crate::text::one_line(msg));
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// A log piece made safe for a terminal; tabs are kept (they are harmless and TSV logs
/// should stay TSV), a CRLF's `\r` is dropped, everything else is sanitized.
fn clean_piece(text: &str) -> String {
    let text = text.strip_suffix('\r').unwrap_or(text);
    text.split('\t')
        .map(|part| sanitize(part))
        .collect::<Vec<_>>()
        .join("\t")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_option() {
        assert_eq!(parse_lines("all").unwrap(), Start::Beginning);
        assert_eq!(parse_lines("0").unwrap(), Start::Now);
        assert_eq!(parse_lines("25").unwrap(), Start::Lines(25));
        assert_eq!(parse_lines("x").unwrap_err().code, 2);
    }

    #[test]
    fn clean_piece_keeps_tabs_and_drops_escapes() {
        assert_eq!(clean_piece("a\tb\r"), "a\tb");
        let cleaned = clean_piece("\x1b[31mred\x1b[0m \x1b]0;title\x07x");
        assert!(!cleaned.contains('\x1b') && cleaned.contains("red") && cleaned.contains('x'));
    }
}
