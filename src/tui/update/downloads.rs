//! Downloads in the browser: Space marks, `d` asks for the folder and starts the download,
//! `T` shows the transfers panel (cancel with `x`, retry with `R`), and transfer Msgs update
//! its rows. Pure like every update: the panel's requests go to the download worker
//! (`workers/download.rs`) and its Msgs come back here, routed by id like a screen's.

use super::Cx;
use crate::conventions::parse_blob_name;
use crate::download::plan::Selection;
use crate::tui::app::Screen;
use crate::tui::effect::Effect;
use crate::tui::layout;
use crate::tui::msg::Msg;
use crate::tui::requests::download::{DownloadMsg, DownloadRequest};
use crate::tui::requests::log::LogTarget;
use crate::tui::requests::RequestKind;
use crate::tui::state::downloads::{tree_mark, PanelLine, Prompt, TransferRun};
use crate::tui::state::{Downloads, Mark, Pane};
use crate::tui::Action;

/// Whether downloads took the Action, or the screens should see it (maybe changed).
pub enum Handled {
    Done,
    Pass(Action),
}

/// Keys for marks, the prompt and the panel. `editing`: a filter takes typed keys; `here`:
/// what Space or `d` means on the current screen ([`current_mark`]).
pub fn action(
    d: &mut Downloads,
    cx: &mut Cx,
    a: Action,
    editing: bool,
    here: impl FnOnce() -> Option<Mark>,
) -> Handled {
    if d.prompt.is_some() {
        prompt_action(d, cx, a);
        return Handled::Done;
    }
    if d.panel_open && panel_action(d, cx, a) {
        return Handled::Done;
    }
    if editing {
        return Handled::Pass(a);
    }
    match a {
        Action::Mark => match here() {
            Some(m) => {
                d.toggle(m);
                // Like a file manager: marking moves on to the next item.
                Handled::Pass(Action::Down)
            }
            None => Handled::Done,
        },
        Action::Download => {
            let items = if d.marks.is_empty() {
                here().into_iter().collect()
            } else {
                d.marks.clone()
            };
            if items.is_empty() {
                cx.error = Some("nothing to download here: pick a job, task, kind or file".into());
            } else {
                let dir = d.default_dir.clone();
                d.prompt = Some(Prompt {
                    items,
                    dir,
                    overwrite: false,
                });
            }
            Handled::Done
        }
        Action::Transfers => {
            d.panel_open = true;
            Handled::Done
        }
        other => Handled::Pass(other),
    }
}

/// What Space or `d` means on this screen and row.
pub fn current_mark(screen: &Screen) -> Option<Mark> {
    match screen {
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
        // A search result: its file.
        Screen::Search(s) => {
            let f = s.files.get(s.hits.get(s.cursor.selected)?.file)?;
            let parsed = parse_blob_name(&f.raw.blob)?;
            Some(Mark {
                container: s.container.clone(),
                selection: Selection::file(parsed.scope, &parsed.kind, &parsed.path),
                label: format!("{} › {} › {}", s.title, f.task, f.label),
            })
        }
        // A live log of one file can be downloaded whole; a merged stream is not a file.
        Screen::Log(l) => {
            let LogTarget::File { blob, .. } = &l.target else {
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

fn prompt_action(d: &mut Downloads, cx: &mut Cx, a: Action) {
    let Some(prompt) = d.prompt.as_mut() else {
        return;
    };
    match a {
        Action::FilterChar(c) => prompt.dir.push(c),
        Action::FilterBackspace => {
            prompt.dir.pop();
        }
        Action::NextPane => prompt.overwrite = !prompt.overwrite,
        Action::FilterClear | Action::Back => d.prompt = None,
        Action::Quit => cx.quit = true,
        Action::FilterAccept | Action::Enter => confirm(d, cx),
        _ => {}
    }
}

/// Start one download request per job of the prompt's items.
fn confirm(d: &mut Downloads, cx: &mut Cx) {
    let Some(typed) = d.prompt.as_ref().map(|p| p.dir.clone()) else {
        return;
    };
    let dir = match d.resolve_dir(&typed) {
        Ok(dir) => dir,
        // The prompt stays open with what was typed, so the user can correct it.
        Err(e) => {
            cx.error = Some(e);
            return;
        }
    };
    let Some(prompt) = d.prompt.take() else {
        return;
    };
    cx.clear_error = true;
    let from_marks = prompt.items == d.marks;
    let mut by_job: Vec<(String, Vec<Selection>)> = Vec::new();
    for m in prompt.items {
        match by_job.iter_mut().find(|(c, _)| *c == m.container) {
            Some((_, sels)) => sels.push(m.selection),
            None => by_job.push((m.container, vec![m.selection])),
        }
    }
    if from_marks {
        d.marks.clear();
    }
    let first_new_line = d.lines().len();
    for (container, selections) in by_job {
        start_run(d, cx, &container, selections, &dir, prompt.overwrite);
    }
    d.panel_open = true;
    d.panel.select(
        first_new_line,
        usize::MAX,
        layout::transfers_height(cx.size),
    );
}

fn start_run(
    d: &mut Downloads,
    cx: &mut Cx,
    container: &str,
    selections: Vec<Selection>,
    dir: &str,
    overwrite: bool,
) {
    let id = cx.request(RequestKind::Download(DownloadRequest {
        container: container.to_string(),
        selections,
        dir: dir.to_string(),
        overwrite,
    }));
    d.runs.push(TransferRun::new(id, container, dir));
}

/// Keys of the open panel; false lets the Action through (e.g. quit).
fn panel_action(d: &mut Downloads, cx: &mut Cx, a: Action) -> bool {
    let height = layout::transfers_height(cx.size);
    let len = d.lines().len();
    if let Some(step) = super::list_step(a, height) {
        d.panel.move_by(step, len, height);
        return true;
    }
    let line = d.selected_line();
    match a {
        Action::Back | Action::Transfers => d.panel_open = false,
        Action::Quit | Action::Help | Action::Resize { .. } | Action::Tick => return false,
        // Not `cx.cancel`: the request stays in flight until its last event says how it ended.
        Action::CancelTransfer => match line {
            Some(PanelLine::Run(i)) if !d.runs[i].finished() => {
                cx.effects.push(Effect::Cancel(d.runs[i].id))
            }
            Some(PanelLine::File(i, j)) if d.runs[i].rows[j].active() => {
                cx.effects.push(Effect::CancelFile {
                    id: d.runs[i].id,
                    file: d.runs[i].rows[j].file,
                })
            }
            _ => {}
        },
        Action::RetryTransfer => {
            let (run, rows): (usize, Vec<usize>) = match line {
                Some(PanelLine::Run(i)) => (i, (0..d.runs[i].rows.len()).collect()),
                Some(PanelLine::File(i, j)) => (i, vec![j]),
                None => return true,
            };
            let r = &d.runs[run];
            let selections: Vec<Selection> = rows
                .iter()
                .map(|&j| &r.rows[j])
                .filter(|row| row.retryable())
                .filter_map(|row| row.retry.clone())
                .collect();
            if selections.is_empty() {
                cx.error = Some("nothing to retry here (only failed or cancelled files)".into());
                return true;
            }
            let (container, dir) = (r.container.clone(), r.dir.clone());
            let first_new_line = d.lines().len();
            start_run(d, cx, &container, selections, &dir, false);
            d.panel.select(first_new_line, usize::MAX, height);
        }
        // Everything else belongs to the panel while it is open.
        _ => {}
    }
    true
}

/// A Msg of a download request.
pub fn msg(d: &mut Downloads, cx: &mut Cx, m: Msg) {
    let Some(run) = d.run_mut(m.id()) else {
        return;
    };
    match m {
        Msg::Download { msg, .. } => match msg {
            DownloadMsg::Plan(rows) => run.set_plan(rows),
            DownloadMsg::Event(event) => run.apply(event),
        },
        Msg::Failed { error, .. } => {
            run.planning = false;
            run.error = Some(crate::text::sanitize(&crate::text::one_line(&error)).into_owned());
        }
        _ => {}
    }
    let (len, height) = (d.lines().len(), layout::transfers_height(cx.size));
    d.panel.clamp(len, height);
}
