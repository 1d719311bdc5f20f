//! `batchout grep JOB PATTERN [TASK...]`: search the contents of a job's files (default:
//! every task's TaskLog) and print what matched as grep does, `TASK/KIND/PATH:LINE:text`.
//! The search itself is `search::start` (ranged reads, ripgrep's searcher, the cache);
//! this file turns options into a selection and events into lines. Exit codes as grep:
//! 0 found, 1 none, 2 error.

use super::args::GrepArgs;
use super::{CliError, CliResult, Context};
use crate::outputs::{self, OutputFile};
use crate::search::{self, Cache, Event, FileEvent, FileSummary, Line, SearchOptions, Selection};
use crate::text::{sanitize, sanitize_line};
use grep_matcher::Matcher;
use std::io::{IsTerminal, Write};
use std::time::Instant;

pub fn run(ctx: &Context, args: GrepArgs) -> CliResult {
    // Like grep, every error is exit code 2 (1 means "nothing found").
    inner(ctx, args).map_err(|mut e| {
        if !e.message.is_empty() {
            e.code = 2;
        }
        e
    })
}

fn inner(ctx: &Context, mut args: GrepArgs) -> CliResult {
    let started = Instant::now();
    // With -e, the first argument after JOB is a task.
    let pattern = match args.regexp.take() {
        Some(p) => {
            args.tasks.splice(0..0, args.pattern.take());
            p
        }
        None => args.pattern.take().unwrap_or_default(),
    };
    let mode = if args.files_with_matches {
        Mode::Names
    } else if args.count {
        Mode::Count
    } else {
        Mode::Lines
    };
    let lines = mode == Mode::Lines;
    let opts = SearchOptions {
        pattern,
        ignore_case: args.ignore_case,
        fixed: args.fixed_strings,
        word: args.word_regexp,
        invert: args.invert_match,
        text: args.text,
        before: if lines {
            args.before_context.or(args.context).unwrap_or(0)
        } else {
            0
        },
        after: if lines {
            args.after_context.or(args.context).unwrap_or(0)
        } else {
            0
        },
        // -l needs one matching line per file.
        max_count: if mode == Mode::Names {
            Some(1)
        } else {
            args.max_count
        },
    };
    let matcher = opts.matcher().map_err(|e| CliError::usage(e.0))?;
    for k in &args.kinds {
        crate::conventions::validate_kind(k)?;
    }
    let filter = search::Filter::new(Selection {
        tasks: args.tasks.clone(),
        task_globs: args.task_globs.clone(),
        kinds: args.kinds.clone(),
        all_kinds: args.all_kinds,
        names: args.names.clone(),
    })
    .map_err(CliError::usage)?;
    let store = ctx.store()?;
    let cache = if args.no_cache { None } else { Cache::user() };
    ctx.runtime.block_on(async {
        let container = outputs::job_container(store.as_ref(), &args.job).await?;
        let files = search::select_files(store.as_ref(), &container, &filter).await?;
        if files.is_empty() {
            eprintln!(
                "batchout: no files to search in job {} ({}); `batchout ls {}` lists its tasks",
                sanitize(&args.job),
                scope_text(&args),
                sanitize(&args.job)
            );
            return Err(CliError::exit(1));
        }
        let n_files = files.len();
        let mut rx = search::start(
            store.clone(),
            container,
            files.clone(),
            opts.clone(),
            cache,
            search::Tuning::default(),
        )
        .map_err(|e| CliError::usage(e.0))?;
        let mut p = Printer::new(mode, args.json, &opts, matcher);
        let mut t = Totals::default();
        while let Some(Event { file, event }) = rx.recv().await {
            let f = &files[file];
            let written = match event {
                FileEvent::Line(l) => p.line(f, &l),
                FileEvent::Done(s) => {
                    t.add(f, &s);
                    p.done(f, &s)
                }
            };
            if let Err(e) = written {
                if e.kind() == std::io::ErrorKind::BrokenPipe {
                    return Err(CliError::exit(0));
                }
                return Err(CliError::failure(format!("cannot write output: {e}")));
            }
        }
        p.finish()
            .map_err(|e| CliError::failure(format!("cannot write output: {e}")))?;
        t.report_binary();
        if args.stats {
            eprintln!(
                "batchout: searched {n_files} files ({} from the cache), fetched {} bytes, \
                 {} matching lines, in {:.2} s",
                t.from_cache,
                t.fetched,
                t.matches,
                started.elapsed().as_secs_f64()
            );
        }
        if t.errors > 0 {
            Err(CliError::exit(2))
        } else if t.found {
            Ok(())
        } else {
            Err(CliError::exit(1))
        }
    })
}

fn scope_text(args: &GrepArgs) -> String {
    let kinds = if args.all_kinds {
        "all kinds".to_string()
    } else if args.kinds.is_empty() {
        search::DEFAULT_KIND.to_string()
    } else {
        args.kinds.join(", ")
    };
    sanitize(&format!("kind {kinds}")).into_owned()
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    Lines,
    Names,
    Count,
}

/// What the whole search found.
#[derive(Default)]
struct Totals {
    found: bool,
    matches: u64,
    fetched: u64,
    from_cache: usize,
    errors: usize,
    binary: Vec<String>,
}

impl Totals {
    fn add(&mut self, f: &OutputFile, s: &FileSummary) {
        self.found |= s.matches > 0;
        self.matches += s.matches;
        self.fetched += s.fetched;
        self.from_cache += s.from_cache as usize;
        if let Some(e) = &s.error {
            self.errors += 1;
            eprintln!(
                "batchout: {}: {}",
                sanitize(&search::label(f)),
                crate::text::one_line(e)
            );
        }
        if s.binary_at.is_some() && s.matches == 0 {
            self.binary.push(sanitize(&search::label(f)).into_owned());
        }
    }

    /// One note for every binary file skipped, as ripgrep skips them.
    fn report_binary(&self) {
        if self.binary.is_empty() {
            return;
        }
        let shown = self
            .binary
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        let more = match self.binary.len() {
            n if n > 5 => format!(" and {} more", n - 5),
            _ => String::new(),
        };
        eprintln!(
            "batchout: skipped {} binary file{} (a NUL byte): {shown}{more}; -a searches them as text",
            self.binary.len(),
            if self.binary.len() == 1 { "" } else { "s" }
        );
    }
}

const MAGENTA: &str = "\x1b[35m";
const GREEN: &str = "\x1b[32m";
const CYAN: &str = "\x1b[36m";
const MATCH: &str = "\x1b[1;31m";
const RESET: &str = "\x1b[0m";

/// Writes results as grep does (or as one JSON array).
struct Printer {
    out: std::io::BufWriter<std::io::Stdout>,
    mode: Mode,
    json: bool,
    colour: bool,
    /// Context is on: groups are separated by `--`.
    groups: bool,
    /// Highlight matches (not with -v, where the lines shown do not match).
    highlight: bool,
    matcher: grep_regex::RegexMatcher,
    /// The last line written: (file label, line number).
    last: Option<(String, u64)>,
    /// JSON objects written so far.
    objects: usize,
}

impl Printer {
    fn new(
        mode: Mode,
        json: bool,
        opts: &SearchOptions,
        matcher: grep_regex::RegexMatcher,
    ) -> Self {
        let tty = std::io::stdout().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Printer {
            out: std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout()),
            mode,
            json,
            colour: tty && !no_color && !json,
            groups: opts.before > 0 || opts.after > 0,
            highlight: !opts.invert,
            matcher,
            last: None,
            objects: 0,
        }
    }

    fn line(&mut self, f: &OutputFile, l: &Line) -> std::io::Result<()> {
        if self.mode != Mode::Lines {
            return Ok(());
        }
        if self.json {
            return self.object(serde_json::json!({
                "task": f.scope.task(),
                "kind": f.kind,
                "path": f.path,
                "line": l.number,
                "match": l.is_match,
                "text": l.text,
            }));
        }
        let label = sanitize(&search::label(f)).into_owned();
        if self.groups {
            if let Some((last_label, last_n)) = &self.last {
                if *last_label != label || l.number > last_n + 1 {
                    self.sep("--")?;
                    writeln!(self.out)?;
                }
            }
        }
        let sep = if l.is_match { ":" } else { "-" };
        if self.colour {
            write!(
                self.out,
                "{MAGENTA}{label}{RESET}{CYAN}{sep}{RESET}{GREEN}{}{RESET}{CYAN}{sep}{RESET}",
                l.number
            )?;
        } else {
            write!(self.out, "{label}{sep}{}{sep}", l.number)?;
        }
        if self.colour && l.is_match && self.highlight {
            self.highlighted(&l.text)?;
        } else {
            self.out.write_all(sanitize_line(&l.text).as_bytes())?;
        }
        writeln!(self.out)?;
        self.last = Some((label, l.number));
        Ok(())
    }

    /// The line with each match in colour; every piece cleaned for the terminal.
    fn highlighted(&mut self, text: &str) -> std::io::Result<()> {
        let mut at = 0;
        let mut spans = Vec::new();
        let _ = self.matcher.find_iter(text.as_bytes(), |m| {
            spans.push((m.start(), m.end()));
            true
        });
        for (s, e) in spans {
            if s < at || !text.is_char_boundary(s) || !text.is_char_boundary(e) || s == e {
                continue;
            }
            self.out.write_all(sanitize_line(&text[at..s]).as_bytes())?;
            write!(self.out, "{MATCH}{}{RESET}", sanitize_line(&text[s..e]))?;
            at = e;
        }
        self.out.write_all(sanitize_line(&text[at..]).as_bytes())
    }

    fn sep(&mut self, s: &str) -> std::io::Result<()> {
        if self.colour {
            write!(self.out, "{CYAN}{s}{RESET}")
        } else {
            write!(self.out, "{s}")
        }
    }

    fn done(&mut self, f: &OutputFile, s: &FileSummary) -> std::io::Result<()> {
        let show = match self.mode {
            Mode::Lines => return self.out.flush(),
            Mode::Names => s.matches > 0,
            // As grep -c: every file searched, zeros included (not files in error).
            Mode::Count => s.error.is_none(),
        };
        if !show {
            return Ok(());
        }
        if self.json {
            let mut o = serde_json::json!({"task": f.scope.task(), "kind": f.kind, "path": f.path});
            if self.mode == Mode::Count {
                o["count"] = s.matches.into();
            }
            return self.object(o);
        }
        let label = sanitize(&search::label(f)).into_owned();
        if self.colour {
            write!(self.out, "{MAGENTA}{label}{RESET}")?;
        } else {
            write!(self.out, "{label}")?;
        }
        if self.mode == Mode::Count {
            self.sep(":")?;
            write!(self.out, "{}", s.matches)?;
        }
        writeln!(self.out)?;
        self.out.flush()
    }

    fn object(&mut self, o: serde_json::Value) -> std::io::Result<()> {
        self.out
            .write_all(if self.objects == 0 { b"[\n" } else { b",\n" })?;
        self.objects += 1;
        serde_json::to_writer(&mut self.out, &o)?;
        Ok(())
    }

    fn finish(&mut self) -> std::io::Result<()> {
        if self.json {
            self.out
                .write_all(if self.objects == 0 { b"[]\n" } else { b"\n]\n" })?;
        }
        self.out.flush()
    }
}
