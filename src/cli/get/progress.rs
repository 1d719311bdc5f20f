//! Rendering download events for `get`: indicatif bars on a terminal (an overall bar plus
//! one bar per large file), plain lines otherwise (one per file, periodic progress of large
//! files), and the summary. Problems go to stderr, everything else to stdout.

use crate::download::events::{human_duration, Outcome, Progress, TransferEvent, TransferId};
use crate::download::plan::Plan;
use crate::text::sanitize::sanitize_line;
use crate::text::size::human_size;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::UnboundedReceiver;

/// Files larger than this get their own bar / progress lines.
const OWN_BAR: u64 = 4 << 20;

pub async fn report(plan: Plan, mut rx: UnboundedReceiver<TransferEvent>, root: PathBuf) {
    let names: Vec<String> = plan
        .files
        .iter()
        .map(|f| sanitize_line(&f.display()).into_owned())
        .collect();
    let mut out: Box<dyn Output> = if std::io::stderr().is_terminal() {
        Box::new(Bars::new(plan.total_bytes(), plan.files.len()))
    } else {
        Box::new(Plain::default())
    };
    while let Some(ev) = rx.recv().await {
        let name = |id: TransferId| names.get(id).map(String::as_str).unwrap_or("?");
        match ev {
            TransferEvent::Started {
                id,
                total,
                resumed_from,
            } => {
                if resumed_from > 0 {
                    out.problem(&format!(
                        "{}: resuming at {} of {}",
                        name(id),
                        human_size(resumed_from),
                        human_size(total)
                    ));
                }
                out.started(id, name(id), total, resumed_from);
            }
            TransferEvent::Progress { id, progress } => out.progress(id, name(id), progress),
            TransferEvent::Notice { id, message } => {
                out.problem(&format!("{}: {}", name(id), sanitize_line(&message)))
            }
            TransferEvent::Finished { id, outcome } => {
                let len = plan
                    .files
                    .get(id)
                    .filter(|f| f.local.is_ok())
                    .map(|f| f.blob.len)
                    .unwrap_or(0);
                out.finished(id, name(id), len, &outcome);
            }
            TransferEvent::AllDone(summary) => {
                out.done();
                println!(
                    "{} into {}",
                    summary.line(),
                    sanitize_line(&root.display().to_string())
                );
                break;
            }
        }
    }
}

/// Why a file was not downloaded, for a line on stderr (None: it is fine).
fn problem_line(name: &str, outcome: &Outcome) -> Option<String> {
    match outcome {
        Outcome::Downloaded { .. } | Outcome::Identical => None,
        Outcome::Exists { .. } => Some(format!(
            "{name}: exists and differs; not overwritten (use --overwrite)"
        )),
        Outcome::Refused { reason } => Some(format!("{name}: refused: {}", sanitize_line(reason))),
        Outcome::Cancelled { done } => Some(format!(
            "{name}: cancelled after {}; run again to resume",
            human_size(*done)
        )),
        Outcome::Failed { error } => Some(format!("{name}: failed: {}", sanitize_line(error))),
    }
}

trait Output: Send {
    fn started(&mut self, id: TransferId, name: &str, total: u64, resumed_from: u64);
    fn progress(&mut self, id: TransferId, name: &str, p: Progress);
    fn finished(&mut self, id: TransferId, name: &str, len: u64, outcome: &Outcome);
    fn problem(&mut self, line: &str);
    fn done(&mut self);
}

/// Plain lines for logs and pipes.
#[derive(Default)]
struct Plain {
    last_line: HashMap<TransferId, Instant>,
}

impl Output for Plain {
    fn started(&mut self, id: TransferId, _name: &str, total: u64, _resumed_from: u64) {
        if total > OWN_BAR {
            self.last_line.insert(id, Instant::now());
        }
    }
    fn progress(&mut self, id: TransferId, name: &str, p: Progress) {
        let Some(last) = self.last_line.get_mut(&id) else {
            return;
        };
        if last.elapsed() < Duration::from_secs(2) || p.done == p.total {
            return;
        }
        *last = Instant::now();
        let eta = p
            .eta
            .map(|d| format!(", ETA {}", human_duration(d)))
            .unwrap_or_default();
        println!(
            "{name}: {} of {} ({}/s{eta})",
            human_size(p.done),
            human_size(p.total),
            human_size(p.rate as u64)
        );
    }
    fn finished(&mut self, id: TransferId, name: &str, len: u64, outcome: &Outcome) {
        self.last_line.remove(&id);
        match problem_line(name, outcome) {
            Some(line) => eprintln!("{line}"),
            None => println!("{name}: {} ({})", outcome.label(), human_size(len)),
        }
    }
    fn problem(&mut self, line: &str) {
        eprintln!("{line}");
    }
    fn done(&mut self) {}
}

/// indicatif bars on a terminal.
struct Bars {
    multi: MultiProgress,
    overall: ProgressBar,
    files: HashMap<TransferId, (ProgressBar, u64)>,
    finished: usize,
    count: usize,
}

/// A bar style from a constant template (a bad template falls back to the plain bar
/// rather than failing a download over its progress display).
fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

impl Bars {
    fn new(total: u64, count: usize) -> Self {
        let multi = MultiProgress::new();
        let overall = multi.add(ProgressBar::new(total));
        overall.set_style(style(
            "{spinner} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta} {msg}",
        ));
        overall.enable_steady_tick(Duration::from_millis(200));
        let bars = Bars {
            multi,
            overall,
            files: HashMap::new(),
            finished: 0,
            count,
        };
        bars.overall.set_message(format!("0/{count} files"));
        bars
    }
}

impl Output for Bars {
    fn started(&mut self, id: TransferId, name: &str, total: u64, resumed_from: u64) {
        let mut done = 0;
        if resumed_from > 0 {
            self.overall.inc(resumed_from);
            done = resumed_from;
        }
        if total > OWN_BAR {
            let bar = self
                .multi
                .insert_before(&self.overall, ProgressBar::new(total));
            bar.set_style(style(
                "  {prefix:40!} [{bar:20}] {bytes}/{total_bytes} {msg}",
            ));
            bar.set_prefix(name.to_string());
            bar.set_position(resumed_from);
            self.files.insert(id, (bar, done));
        } else {
            self.files.insert(id, (ProgressBar::hidden(), done));
        }
    }
    fn progress(&mut self, id: TransferId, _name: &str, p: Progress) {
        if let Some((bar, done)) = self.files.get_mut(&id) {
            self.overall.inc(p.done.saturating_sub(*done));
            *done = p.done;
            bar.set_position(p.done);
            let eta = p
                .eta
                .map(|d| format!(" ETA {}", human_duration(d)))
                .unwrap_or_default();
            bar.set_message(format!("{}/s{eta}", human_size(p.rate as u64)));
        }
    }
    fn finished(&mut self, id: TransferId, name: &str, len: u64, outcome: &Outcome) {
        let done = match self.files.remove(&id) {
            Some((bar, done)) => {
                bar.finish_and_clear();
                self.multi.remove(&bar);
                done
            }
            None => 0,
        };
        // Skipped and failed files count as "dealt with" so the bar reaches its end.
        self.overall.inc(len.saturating_sub(done));
        self.finished += 1;
        self.overall
            .set_message(format!("{}/{} files", self.finished, self.count));
        if let Some(line) = problem_line(name, outcome) {
            let _ = self.multi.println(line);
        }
    }
    fn problem(&mut self, line: &str) {
        let _ = self.multi.println(line);
    }
    fn done(&mut self) {
        self.overall.finish_and_clear();
        let _ = self.multi.clear();
    }
}
