//! Downloads from the browser: what is marked (Space), the folder prompt (`d`), and the
//! transfers panel (`T`) with one row per file: progress, rate, ETA, outcome, summary.
//! Kept in [`crate::tui::AppState`] (not in a screen), so transfers go on while the user
//! browses elsewhere.

use super::job::{JobState, TreeRow};
use super::list::Cursor;
use crate::conventions::Scope;
use crate::download::events::{Outcome, Summary, TransferEvent, TransferId};
use crate::download::plan::Selection;
use crate::tui::requests::download::PlannedRow;
use crate::tui::requests::RequestId;
use std::time::Duration;

/// Something marked for download: a whole job, a task or the job level, a kind, or a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub container: String,
    pub selection: Selection,
    /// What to call it on screen (sanitized).
    pub label: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RowState {
    Queued,
    Running,
    Finished(Outcome),
}

#[derive(Debug, Clone, PartialEq)]
pub struct TransferRow {
    pub file: TransferId,
    pub name: String,
    pub total: u64,
    pub done: u64,
    pub rate: f64,
    pub eta: Option<Duration>,
    pub state: RowState,
    /// The latest notice (e.g. "retrying after ...", "changed; starting over").
    pub note: Option<String>,
    pub retry: Option<Selection>,
}

impl TransferRow {
    /// Worth another try: failed or cancelled (not refused, not "exists").
    pub fn retryable(&self) -> bool {
        self.retry.is_some()
            && matches!(
                self.state,
                RowState::Finished(Outcome::Failed { .. } | Outcome::Cancelled { .. })
            )
    }
    pub fn active(&self) -> bool {
        !matches!(self.state, RowState::Finished(_))
    }
}

/// One download request: the marks of one job, into one folder.
#[derive(Debug, Clone, PartialEq)]
pub struct TransferRun {
    pub id: RequestId,
    pub container: String,
    pub dir: String,
    /// Listing what to fetch (no rows yet).
    pub planning: bool,
    pub rows: Vec<TransferRow>,
    pub summary: Option<Summary>,
    /// Planning failed (one line, sanitized).
    pub error: Option<String>,
}

impl TransferRun {
    pub fn new(id: RequestId, container: &str, dir: &str) -> Self {
        TransferRun {
            id,
            container: container.to_string(),
            dir: dir.to_string(),
            planning: true,
            rows: Vec::new(),
            summary: None,
            error: None,
        }
    }

    pub fn finished(&self) -> bool {
        self.summary.is_some() || self.error.is_some()
    }

    /// Bytes done and total over the run's files.
    pub fn bytes(&self) -> (u64, u64) {
        self.rows
            .iter()
            .fold((0, 0), |(d, t), r| (d + r.done, t + r.total))
    }

    pub fn set_plan(&mut self, rows: Vec<PlannedRow>) {
        self.planning = false;
        self.rows = rows
            .into_iter()
            .map(|p| TransferRow {
                file: p.file,
                name: p.name,
                total: p.len,
                done: 0,
                rate: 0.0,
                eta: None,
                state: RowState::Queued,
                note: None,
                retry: p.retry,
            })
            .collect();
    }

    pub fn apply(&mut self, event: TransferEvent) {
        match event {
            TransferEvent::Started {
                id,
                total,
                resumed_from,
            } => {
                if let Some(r) = self.rows.iter_mut().find(|r| r.file == id) {
                    r.state = RowState::Running;
                    r.total = total;
                    r.done = resumed_from;
                    if resumed_from > 0 {
                        r.note = Some("resumed".into());
                    }
                }
            }
            TransferEvent::Progress { id, progress } => {
                if let Some(r) = self.rows.iter_mut().find(|r| r.file == id) {
                    r.done = progress.done;
                    r.total = progress.total;
                    r.rate = progress.rate;
                    r.eta = progress.eta;
                }
            }
            TransferEvent::Notice { id, message } => {
                if let Some(r) = self.rows.iter_mut().find(|r| r.file == id) {
                    r.note =
                        Some(crate::text::sanitize(&crate::text::one_line(&message)).into_owned());
                }
            }
            TransferEvent::Finished { id, outcome } => {
                if let Some(r) = self.rows.iter_mut().find(|r| r.file == id) {
                    if let Outcome::Downloaded { bytes, .. } = &outcome {
                        r.done = *bytes;
                    }
                    r.rate = 0.0;
                    r.eta = None;
                    r.state = RowState::Finished(outcome);
                }
            }
            TransferEvent::AllDone(summary) => {
                for r in self.rows.iter_mut().filter(|r| r.active()) {
                    r.state = RowState::Finished(Outcome::Cancelled { done: r.done });
                }
                self.summary = Some(summary);
            }
        }
    }
}

/// A line of the transfers panel: a run's header, or one of its files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PanelLine {
    Run(usize),
    File(usize, usize),
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Downloads {
    pub marks: Vec<Mark>,
    /// The folder the prompt starts with (BATCHOUT_DOWNLOAD_DIR or the current folder,
    /// shown as an absolute path so the user confirms a real place, not ".").
    pub default_dir: String,
    /// The home folder, for a typed `~` or `~/...` (None when unknown: `~` is refused).
    pub home: Option<String>,
    /// The folder prompt, while open.
    pub prompt: Option<Prompt>,
    pub runs: Vec<TransferRun>,
    /// The transfers panel is open.
    pub panel_open: bool,
    pub panel: Cursor,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Prompt {
    pub items: Vec<Mark>,
    pub dir: String,
    /// Replace existing files that differ (Tab toggles); identical ones are always skipped.
    pub overwrite: bool,
}

impl Downloads {
    pub fn new(default_dir: &str) -> Self {
        Downloads {
            default_dir: default_dir.to_string(),
            ..Default::default()
        }
    }

    pub fn is_marked(&self, container: &str, selection: &Selection) -> bool {
        self.marks
            .iter()
            .any(|m| m.container == container && &m.selection == selection)
    }

    /// Mark, or unmark when already marked. Returns whether it is marked now.
    pub fn toggle(&mut self, mark: Mark) -> bool {
        match self
            .marks
            .iter()
            .position(|m| m.container == mark.container && m.selection == mark.selection)
        {
            Some(i) => {
                self.marks.remove(i);
                false
            }
            None => {
                self.marks.push(mark);
                true
            }
        }
    }

    pub fn run_mut(&mut self, id: RequestId) -> Option<&mut TransferRun> {
        self.runs.iter_mut().find(|r| r.id == id)
    }

    /// The folder a typed answer means: blank is the default, a leading `~` is the home
    /// folder (as a shell would expand it; without this `~/dl` made a folder named "~").
    pub fn resolve_dir(&self, typed: &str) -> Result<String, String> {
        let typed = typed.trim();
        if typed.is_empty() {
            return Ok(self.default_dir.clone());
        }
        let rest = match typed.strip_prefix('~') {
            Some(rest) if rest.is_empty() || rest.starts_with('/') => rest,
            // `~user/...` is not expanded: say so rather than make a folder named "~user".
            Some(_) => return Err("only ~ or ~/... is understood for a home folder".into()),
            None => return Ok(typed.to_string()),
        };
        match &self.home {
            Some(home) => Ok(format!("{}{rest}", home.trim_end_matches('/'))),
            None => Err("cannot expand ~: no home folder is known (type the full path)".into()),
        }
    }

    pub fn owns(&self, id: RequestId) -> bool {
        self.runs.iter().any(|r| r.id == id)
    }

    /// The panel's lines, top to bottom.
    pub fn lines(&self) -> Vec<PanelLine> {
        let mut out = Vec::new();
        for (i, r) in self.runs.iter().enumerate() {
            out.push(PanelLine::Run(i));
            out.extend((0..r.rows.len()).map(|j| PanelLine::File(i, j)));
        }
        out
    }

    pub fn selected_line(&self) -> Option<PanelLine> {
        self.lines().get(self.panel.selected).copied()
    }

    /// Transfers still running (for the status bar).
    pub fn active(&self) -> usize {
        self.runs.iter().filter(|r| !r.finished()).count()
    }
}

/// The mark of a tree row (None for notes such as "listing kinds…").
pub fn tree_mark(js: &JobState, row: TreeRow) -> Option<Mark> {
    let container = js.container.raw().to_string();
    let title = js.title.shown();
    let (selection, label) = match row {
        TreeRow::JobKind(k) => {
            let kind = &js.job_kinds.get(k as usize)?.name;
            (
                Selection::kind(Some(Scope::Job), kind.raw()),
                format!("{title} › job › {}", kind.shown()),
            )
        }
        TreeRow::Task(t) => {
            let task = &js.tasks.get(t as usize)?.id;
            (
                Selection::scope(Scope::Task(task.raw().to_string())),
                format!("{title} › {}", task.shown()),
            )
        }
        TreeRow::TaskKind(t, k) => {
            let task = js.tasks.get(t as usize)?;
            let kind = &task.kinds.as_ref()?.get(k as usize)?.name;
            (
                Selection::kind(Some(Scope::Task(task.id.raw().to_string())), kind.raw()),
                format!("{title} › {} › {}", task.id.shown(), kind.shown()),
            )
        }
        TreeRow::Note(_) => return None,
    };
    Some(Mark {
        container,
        selection,
        label,
    })
}
