//! Downloads in the browser: Space marks, `d` asks for the folder and starts the download,
//! `T` shows the transfers panel (cancel with `x`, retry with `R`), and transfer Msgs update
//! its rows. Pure like every update: effects go to the download worker.

use crate::conventions::parse_blob_name;
use crate::download::plan::Selection;
use crate::tui::app::{AppState, Screen};
use crate::tui::effect::{DownloadRequest, Effect};
use crate::tui::layout;
use crate::tui::msg::Msg;
use crate::tui::state::downloads::{tree_mark, PanelLine, Prompt, TransferRun};
use crate::tui::state::{Mark, Pane};
use crate::tui::Action;

/// Whether downloads took the Action, or the screens should see it (maybe changed).
pub enum Handled {
    Done(Vec<Effect>),
    Pass(Action),
}

pub fn action(state: &mut AppState, a: Action) -> Handled {
    if state.downloads.prompt.is_some() {
        return Handled::Done(prompt_action(state, a));
    }
    if state.downloads.panel_open {
        if let Some(effects) = panel_action(state, a) {
            return Handled::Done(effects);
        }
    }
    if state.filter_editing() {
        return Handled::Pass(a);
    }
    match a {
        Action::Mark => match current_mark(state) {
            Some(m) => {
                state.downloads.toggle(m);
                // Like a file manager: marking moves on to the next item.
                Handled::Pass(Action::Down)
            }
            None => Handled::Done(Vec::new()),
        },
        Action::Download => {
            let items = if state.downloads.marks.is_empty() {
                current_mark(state).into_iter().collect()
            } else {
                state.downloads.marks.clone()
            };
            if items.is_empty() {
                state.error =
                    Some("nothing to download here: pick a job, task, kind or file".into());
            } else {
                let dir = state.downloads.default_dir.clone();
                state.downloads.prompt = Some(Prompt {
                    items,
                    dir,
                    overwrite: false,
                });
            }
            Handled::Done(Vec::new())
        }
        Action::Transfers => {
            state.downloads.panel_open = true;
            Handled::Done(Vec::new())
        }
        other => Handled::Pass(other),
    }
}

/// What Space or `d` means on the current screen and row.
pub fn current_mark(state: &AppState) -> Option<Mark> {
    match state.screen() {
        Screen::Jobs(s) => {
            let job = s.selected()?;
            Some(Mark {
                container: job.container.raw().to_string(),
                selection: Selection::job(),
                label: format!("job {}", job.title().shown()),
            })
        }
        Screen::Job(js) => match (js.focus, &js.files) {
            (Pane::Files, Some(f)) => {
                let file = f.selected()?;
                let place = f
                    .task
                    .as_ref()
                    .map(|t| t.shown().to_string())
                    .unwrap_or_else(|| "job".into());
                Some(Mark {
                    container: js.container.raw().to_string(),
                    selection: Selection::file(f.scope.clone(), f.kind.raw(), file.path.raw()),
                    label: format!(
                        "{} › {place} › {} › {}",
                        js.title.shown(),
                        f.kind.shown(),
                        file.path.shown()
                    ),
                })
            }
            _ => tree_mark(js, js.selected_row()?),
        },
        Screen::Preview(p) => {
            let parsed = parse_blob_name(&p.blob)?;
            Some(Mark {
                container: p.container.clone(),
                selection: Selection::file(parsed.scope, &parsed.kind, &parsed.path),
                label: format!("{} › {}", p.place, p.path.shown()),
            })
        }
        // A live log of one file can be downloaded whole; a merged stream is not a file.
        Screen::Log(l) => {
            let crate::tui::log_msg::LogTarget::File { blob, .. } = &l.target else {
                return None;
            };
            let parsed = parse_blob_name(blob)?;
            Some(Mark {
                container: l.container.clone(),
                selection: Selection::file(parsed.scope, &parsed.kind, &parsed.path),
                label: l.title.clone(),
            })
        }
    }
}

fn prompt_action(state: &mut AppState, a: Action) -> Vec<Effect> {
    let prompt = state.downloads.prompt.as_mut().expect("prompt is open");
    match a {
        Action::FilterChar(c) => prompt.dir.push(c),
        Action::FilterBackspace => {
            prompt.dir.pop();
        }
        Action::NextPane => prompt.overwrite = !prompt.overwrite,
        Action::FilterClear | Action::Back => state.downloads.prompt = None,
        Action::Quit => state.quit = true,
        Action::FilterAccept | Action::Enter => return confirm(state),
        _ => {}
    }
    Vec::new()
}

/// Start one download request per job of the prompt's items.
fn confirm(state: &mut AppState) -> Vec<Effect> {
    let Some(typed) = state.downloads.prompt.as_ref().map(|p| p.dir.clone()) else {
        return Vec::new();
    };
    let dir = match state.downloads.resolve_dir(&typed) {
        Ok(d) => d,
        // The prompt stays open with what was typed, so the user can correct it.
        Err(e) => {
            state.error = Some(e);
            return Vec::new();
        }
    };
    let prompt = state.downloads.prompt.take().expect("prompt is open");
    state.error = None;
    let from_marks = prompt.items == state.downloads.marks;
    let mut by_job: Vec<(String, Vec<Selection>)> = Vec::new();
    for m in prompt.items {
        match by_job.iter_mut().find(|(c, _)| *c == m.container) {
            Some((_, sels)) => sels.push(m.selection),
            None => by_job.push((m.container, vec![m.selection])),
        }
    }
    if from_marks {
        state.downloads.marks.clear();
    }
    let first_new_line = state.downloads.lines().len();
    let effects = by_job
        .into_iter()
        .map(|(container, selections)| {
            start_run(state, &container, selections, &dir, prompt.overwrite)
        })
        .collect();
    state.downloads.panel_open = true;
    state.downloads.panel.select(
        first_new_line,
        usize::MAX,
        layout::transfers_height(state.size),
    );
    effects
}

fn start_run(
    state: &mut AppState,
    container: &str,
    selections: Vec<Selection>,
    dir: &str,
    overwrite: bool,
) -> Effect {
    let id = state.requests.start();
    state
        .downloads
        .runs
        .push(TransferRun::new(id, container, dir));
    Effect::Download(DownloadRequest {
        id,
        container: container.to_string(),
        selections,
        dir: dir.to_string(),
        overwrite,
    })
}

/// Keys of the open panel; None lets the Action through (e.g. quit).
fn panel_action(state: &mut AppState, a: Action) -> Option<Vec<Effect>> {
    let height = layout::transfers_height(state.size);
    let len = state.downloads.lines().len();
    if let Some(step) = super::list_step(a, height) {
        state.downloads.panel.move_by(step, len, height);
        return Some(Vec::new());
    }
    let line = state.downloads.selected_line();
    let d = &state.downloads;
    match a {
        Action::Back | Action::Transfers => {
            state.downloads.panel_open = false;
            Some(Vec::new())
        }
        Action::Quit | Action::Help | Action::Resize { .. } | Action::Tick => None,
        Action::CancelTransfer => Some(match line {
            Some(PanelLine::Run(i)) if !d.runs[i].finished() => {
                vec![Effect::CancelTransfer {
                    id: d.runs[i].id,
                    file: None,
                }]
            }
            Some(PanelLine::File(i, j)) if d.runs[i].rows[j].active() => {
                vec![Effect::CancelTransfer {
                    id: d.runs[i].id,
                    file: Some(d.runs[i].rows[j].file),
                }]
            }
            _ => Vec::new(),
        }),
        Action::RetryTransfer => {
            let (run, rows): (usize, Vec<usize>) = match line {
                Some(PanelLine::Run(i)) => (i, (0..d.runs[i].rows.len()).collect()),
                Some(PanelLine::File(i, j)) => (i, vec![j]),
                None => return Some(Vec::new()),
            };
            let r = &d.runs[run];
            let selections: Vec<Selection> = rows
                .iter()
                .map(|&j| &r.rows[j])
                .filter(|row| row.retryable())
                .filter_map(|row| row.retry.clone())
                .collect();
            if selections.is_empty() {
                state.error = Some("nothing to retry here (only failed or cancelled files)".into());
                return Some(Vec::new());
            }
            let (container, dir) = (r.container.clone(), r.dir.clone());
            let first_new_line = state.downloads.lines().len();
            let effect = start_run(state, &container, selections, &dir, false);
            state
                .downloads
                .panel
                .select(first_new_line, usize::MAX, height);
            Some(vec![effect])
        }
        // Everything else belongs to the panel while it is open.
        _ => Some(Vec::new()),
    }
}

/// A Msg of a download request.
pub fn msg(state: &mut AppState, m: Msg) -> Vec<Effect> {
    let id = m.id();
    state.dirty = true;
    let Some(run) = state.downloads.run_mut(id) else {
        return Vec::new();
    };
    let mut finished = false;
    match m {
        Msg::TransferPlan { rows, .. } => run.set_plan(rows),
        Msg::Transfer { event, .. } => {
            finished = matches!(event, crate::download::events::TransferEvent::AllDone(_));
            run.apply(event);
        }
        Msg::Failed { error, .. } => {
            run.planning = false;
            run.error = Some(crate::text::sanitize(&crate::text::one_line(&error)).into_owned());
            finished = true;
        }
        _ => {}
    }
    if finished {
        state.requests.finish(id);
    }
    let (len, height) = (
        state.downloads.lines().len(),
        layout::transfers_height(state.size),
    );
    state.downloads.panel.clamp(len, height);
    Vec::new()
}
