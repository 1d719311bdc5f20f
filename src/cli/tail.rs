//! `batchout tail [-f] JOB TASK [FILE]`: print the end of a task log, and follow it.
//!
//! One log is followed with one ranged read per poll; several (`--both`, `--task`, `--all`)
//! through one listing per poll plus a read per log that grew (see transfer::follow_merged).
//! Lines of several logs carry a prefix per log, coloured only on a terminal without
//! NO_COLOR. Every line is cleaned of escape sequences and control characters.

use super::args::TailArgs;
use super::path::parse_scope;
use super::{CliError, CliResult, Context};
use crate::conventions::{self, Scope};
use crate::store::{Store, StoreError};
use crate::text::sanitize;
use crate::transfer::follow::{FollowConfig, FollowEvent, LogFollower, Notice, Start};
use crate::transfer::follow_lines::LinePiece;
use crate::transfer::follow_merged::{MergeScope, MergedFollower, LOG_KIND};
use crate::transfer::follow_poll::PollPolicy;
use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::Instant;

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
        let blob = conventions::blob_name(&Scope::Task(task.clone()), LOG_KIND, &self.files[0])
            .map_err(CliError::from)?;
        let name = format!("{task}/{}", self.files[0]);
        let mut follower = LogFollower::new(store, &self.container, &blob, FollowConfig::default());
        let mut polled = follower
            .open(self.start)
            .await
            .map_err(|e| self.store_error(e))?;
        if !self.follow
            && polled
                .events
                .contains(&FollowEvent::Notice(Notice::Waiting))
        {
            if let Err(e) = follower_store_container(&follower).await {
                return Err(self.store_error(e).into());
            }
            return Err(CliError::failure(format!(
                "no log {name} in job {} (container {}); check `batchout ls {} {task} --kind TaskLog`",
                self.job, self.container, self.job
            ))
            .into());
        }
        let policy = PollPolicy::default();
        let mut last_growth = Instant::now();
        let mut failing = false;
        loop {
            for ev in &polled.events {
                match ev {
                    FollowEvent::Piece(p) => out.piece(None, p)?,
                    FollowEvent::Notice(n) => out.notice(&n.describe(&name))?,
                }
            }
            out.flush()?;
            if polled.grew {
                last_growth = Instant::now();
            }
            if !polled.more {
                if !self.follow {
                    return Ok(());
                }
                tokio::time::sleep(policy.delay(last_growth.elapsed())).await;
            }
            polled = match follower.poll().await {
                Ok(p) => {
                    failing = false;
                    p
                }
                Err(e) => {
                    self.retry_or_fail(e, &mut failing, out)?;
                    Default::default()
                }
            };
        }
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
        let mut merged = MergedFollower::new(
            store.clone(),
            &self.container,
            scope,
            FollowConfig::default(),
            self.start,
        );
        let policy = PollPolicy::default();
        let mut last_growth = Instant::now();
        let mut failing = false;
        let mut first = true;
        loop {
            let polled = match merged.poll().await {
                Ok(p) => {
                    failing = false;
                    p
                }
                Err(e) if first => return Err(self.store_error(e).into()),
                Err(e) => {
                    self.retry_or_fail(e, &mut failing, out)?;
                    Default::default()
                }
            };
            if first && merged.sources().is_empty() {
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
            first = false;
            for ev in &polled.events {
                let src = merged.source(ev.source).expect("event of a known source");
                let label = Label {
                    text: &src.label,
                    colour: src.colour,
                };
                match &ev.event {
                    FollowEvent::Piece(p) => out.piece(Some(label), p)?,
                    FollowEvent::Notice(n) => {
                        out.notice(&n.describe(&format!("{}/{}", src.task, src.file)))?
                    }
                }
            }
            for (i, e) in &polled.errors {
                let src = merged.source(*i).expect("error of a known source");
                out.notice(&format!(
                    "cannot read {}/{}: {e}; retrying",
                    src.task, src.file
                ))?;
            }
            out.flush()?;
            if polled.grew {
                last_growth = Instant::now();
            }
            if !polled.more {
                if !self.follow {
                    return Ok(());
                }
                tokio::time::sleep(policy.delay(last_growth.elapsed())).await;
            }
        }
    }

    /// While following, a network hiccup or throttling is reported once and retried; any
    /// other error ends the command.
    fn retry_or_fail(
        &self,
        e: StoreError,
        failing: &mut bool,
        out: &mut Printer,
    ) -> Result<(), TailError> {
        if !e.is_transient() {
            return Err(self.store_error(e).into());
        }
        if !*failing {
            out.notice(&format!("{e}; retrying"))?;
            *failing = true;
        }
        Ok(())
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

/// ANSI colours for prefixes, in order of appearance (like stern).
const PALETTE: [u8; 6] = [36, 35, 33, 32, 34, 31];

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
        if self.prefixed {
            if self.open.as_ref() != Some(&key) {
                if self.open.is_some() {
                    // Another source's line was unfinished: end it on screen, not in data.
                    self.out.write_all(b"\n")?;
                }
                if let Some(l) = &label {
                    let text = sanitize(l.text);
                    if self.colour {
                        let c = PALETTE[l.colour % PALETTE.len()];
                        write!(self.out, "\x1b[{c}m{text}\x1b[0m ")?;
                    } else {
                        write!(self.out, "{text} ")?;
                    }
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
