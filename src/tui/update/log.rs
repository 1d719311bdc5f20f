//! The live log screen: follow, scroll (loading older parts at the top), wrap, search,
//! save. Pure: new lines arrive as [`LogMsg`]s from the follower task.

use super::{filter, list_step, Cx, Nav};
use crate::follow::lines::LinePiece;
use crate::follow::single::FollowEvent;
use crate::text::sanitize_line;
use crate::tui::app::Screen;
use crate::tui::layout;
use crate::tui::msg::Msg;
use crate::tui::requests::log::{save_name, LogMsg, LogRequest, LogTarget, SaveWhat};
use crate::tui::requests::RequestKind;
use crate::tui::state::log::{LogState, SourceLabel};
use crate::tui::Action;

/// Columns moved by one sideways step.
const HSTEP: usize = 8;

/// Open a log screen on top of the current one and start following.
pub fn open(cx: &mut Cx, container: &str, target: LogTarget, title: &str) {
    let mut s = LogState::new(container, target, title);
    start_follow(&mut s, cx);
    cx.nav = Some(Nav::Push(Screen::Log(Box::new(s))));
}

fn start_follow(s: &mut LogState, cx: &mut Cx) {
    cx.cancel(s.follow_id.take());
    cx.cancel(s.older_id.take());
    s.lines.clear();
    s.sources.clear();
    s.opened = false;
    s.older_start = 0;
    s.older_full = false;
    s.follow = true;
    s.found = None;
    s.failed = None;
    let req = LogRequest::Follow {
        container: s.container.clone(),
        target: s.target.clone(),
    };
    s.follow_id = Some(cx.request(RequestKind::Log(req)));
}

/// Rows and columns of the text area.
fn geometry(cx: &Cx) -> (usize, usize) {
    let inner = layout::inner(layout::bands(cx.size).body);
    (inner.height as usize, inner.width as usize)
}

pub fn action(s: &mut LogState, cx: &mut Cx, a: Action) {
    let (height, width) = geometry(cx);
    if let Some(changed) = filter::edit(&mut s.search, a) {
        let top = s.top_line(height, width);
        if changed || a == Action::FilterAccept {
            // Incremental: show the first match from where the user was looking.
            s.found = s.find(top, true, true);
            if let Some(i) = s.found {
                s.follow = false;
                s.scroll = i;
            }
        }
        if s.search.text.is_empty() {
            s.found = None;
        }
        return;
    }
    if let Some(step) = list_step(a, height) {
        let top = s.top_line(height, width);
        let bottom = s.bottom_top(height, width);
        let next = top.saturating_add_signed(step).min(bottom);
        if step < 0 {
            s.follow = false;
        }
        if !s.follow {
            s.scroll = next;
        }
        if a == Action::Top {
            s.follow = false;
            s.scroll = 0;
        }
        if a == Action::Bottom {
            s.follow = true;
        }
        // Within a screen of the top: fetch the part before it, so scrolling goes on.
        if step < 0 && s.scroll < height {
            load_older(s, cx);
        }
        return;
    }
    match a {
        Action::Follow => s.follow = true,
        Action::ToggleWrap => {
            s.wrap = !s.wrap;
            s.hscroll = 0;
        }
        Action::Left if !s.wrap => s.hscroll = s.hscroll.saturating_sub(HSTEP),
        Action::Right if !s.wrap => s.hscroll += HSTEP,
        Action::SearchNext | Action::SearchPrev => {
            let forward = a == Action::SearchNext;
            let from = s.found.unwrap_or_else(|| s.top_line(height, width));
            s.found = s.find(from, forward, s.found.is_none());
            match s.found {
                Some(i) => {
                    s.follow = false;
                    s.scroll = i;
                }
                None if s.search.text.is_empty() => s.status = Some("search with / first".into()),
                None => s.status = Some(format!("no line matches {:?}", s.search.text)),
            }
        }
        Action::Save if s.save_id.is_none() => save(s, cx),
        Action::Refresh => start_follow(s, cx),
        Action::Back => cx.nav = Some(Nav::Pop),
        _ => {}
    }
}

fn load_older(s: &mut LogState, cx: &mut Cx) {
    let LogTarget::File { blob, .. } = &s.target else {
        return;
    };
    if !s.can_load_older() {
        return;
    }
    let req = LogRequest::Older {
        container: s.container.clone(),
        blob: blob.clone(),
        end: s.older_start,
    };
    s.older_id = Some(cx.request(RequestKind::Log(req)));
}

fn save(s: &mut LogState, cx: &mut Cx) {
    let what = match &s.target {
        // One log: the whole blob, straight from the store (not just what is loaded).
        LogTarget::File { blob, .. } => SaveWhat::Blob(blob.clone()),
        // A merged stream exists only here: save what the buffer holds, prefixes included.
        _ => SaveWhat::Lines(
            s.lines
                .iter()
                .map(|l| match s.label(l) {
                    Some(p) if !l.notice => format!("{} {}", p.label, l.text),
                    _ => l.text.clone(),
                })
                .collect(),
        ),
    };
    let req = LogRequest::Save {
        container: s.container.clone(),
        what,
        dir: s.save_dir.clone(),
        name: save_name(&s.target),
    };
    s.status = Some("saving…".into());
    s.save_id = Some(cx.request(RequestKind::Log(req)));
}

pub fn msg(s: &mut LogState, cx: &mut Cx, m: Msg) {
    let (height, width) = geometry(cx);
    match m {
        Msg::Log { id, msg } => {
            match msg {
                LogMsg::Batch {
                    new_sources,
                    events,
                    older_start,
                } if Some(id) == s.follow_id => {
                    s.opened = true;
                    for src in new_sources {
                        s.sources.push(SourceLabel {
                            label: crate::text::sanitize(&src.label).into_owned(),
                            colour: src.colour,
                        });
                    }
                    for (source, event) in events {
                        apply_event(s, source, event);
                    }
                    if s.target.is_single() {
                        s.older_start = older_start;
                    }
                    if !s.follow {
                        s.scroll = s.scroll.min(s.bottom_top(height, width));
                    }
                }
                LogMsg::Older { pieces, start } if Some(id) == s.older_id => {
                    s.older_id = None;
                    let (added, complete) = s
                        .lines
                        .push_front(0, pieces.into_iter().map(clean).collect());
                    s.scroll += added;
                    s.found = s.found.map(|f| f + added);
                    s.older_start = start;
                    if !complete {
                        s.older_full = true;
                        s.status = Some("scrollback is full: older parts are not loaded (s saves the whole log)".into());
                    }
                }
                LogMsg::Saved { path, bytes } if Some(id) == s.save_id => {
                    s.save_id = None;
                    let path = crate::text::sanitize(&path).into_owned();
                    s.status = Some(format!(
                        "saved {} to {path}",
                        crate::tui::format::size(bytes)
                    ));
                }
                LogMsg::Problem(p) => {
                    s.status = Some(crate::text::sanitize(&crate::text::one_line(&p)).into_owned())
                }
                _ => {}
            }
        }
        Msg::Failed { id, error } => {
            let error = crate::text::sanitize(&crate::text::one_line(&error)).into_owned();
            if Some(id) == s.follow_id {
                s.failed = Some(error);
            } else if Some(id) == s.older_id {
                s.older_id = None;
                s.status = Some(format!("cannot read older lines: {error}"));
            } else if Some(id) == s.save_id {
                s.save_id = None;
                s.status = Some(error);
            }
            // The status bar shows errors too; the log screen says it in its own words.
            cx.error = None;
        }
        _ => {}
    }
}

/// Log text made safe once, on arrival.
fn clean(p: LinePiece) -> LinePiece {
    let text = match sanitize_line(&p.text) {
        std::borrow::Cow::Borrowed(_) => p.text,
        std::borrow::Cow::Owned(o) => o,
    };
    LinePiece { text, ..p }
}

fn apply_event(s: &mut LogState, source: usize, event: FollowEvent) {
    match event {
        FollowEvent::Piece(p) => {
            let dropped = s.lines.push_piece(source, clean(p));
            if dropped > 0 {
                s.scroll = s.scroll.saturating_sub(dropped);
                s.found = s.found.and_then(|f| f.checked_sub(dropped));
            }
        }
        FollowEvent::Notice(n) => {
            let name = s
                .sources
                .get(source)
                .map_or_else(|| s.title.clone(), |l| l.label.clone());
            let text = n.describe(&name);
            if n.is_reload() {
                if s.target.is_single() {
                    s.lines.clear();
                    s.older_full = false;
                } else {
                    s.lines.clear_source(source);
                }
                s.scroll = 0;
                s.found = None;
            }
            s.lines.push_notice(source, text.clone());
            s.status = Some(text);
        }
    }
}

/// `t` on a task in the tree: its stdout and stderr; `a` anywhere: every task.
pub fn open_from_tree(s: &crate::tui::state::JobState, cx: &mut Cx, a: Action) {
    use crate::tui::state::TreeRow;
    let container = s.container.raw();
    if a == Action::TailAll {
        open(
            cx,
            container,
            LogTarget::Job,
            &format!("{} › all tasks", s.title.shown()),
        );
        return;
    }
    let task = match s.selected_row() {
        Some(TreeRow::Task(t)) => Some(t),
        Some(r) => r.parent(),
        None => None,
    };
    if let Some(t) = task.and_then(|t| s.tasks.get(t as usize)) {
        let title = format!("{} › stdout + stderr", t.id.shown());
        open(
            cx,
            container,
            LogTarget::Task {
                task: t.id.raw().to_string(),
            },
            &title,
        );
    }
}

/// `t` on a file in the files pane: follow that file.
pub fn open_file(f: &crate::tui::state::FilesState, container: &str, cx: &mut Cx) {
    let Some(file) = f.selected() else { return };
    let task = f.task.as_ref().map(|t| t.raw().to_string());
    let title = match &f.task {
        Some(t) => format!("{} › {} › {}", t.shown(), f.kind.shown(), file.path.shown()),
        None => format!("job › {} › {}", f.kind.shown(), file.path.shown()),
    };
    let target = LogTarget::File {
        task,
        path: file.path.raw().to_string(),
        blob: file.blob.clone(),
    };
    open(cx, container, target, &title);
}

/// `f` in a preview: follow the previewed file.
pub fn open_preview_file(p: &crate::tui::state::PreviewState, cx: &mut Cx) {
    let task = crate::conventions::parse_blob_name(&p.blob)
        .and_then(|b| b.scope.task().map(str::to_string));
    let target = LogTarget::File {
        task,
        path: p.path.raw().to_string(),
        blob: p.blob.clone(),
    };
    let title = format!("{} › {}", p.place, p.path.shown());
    open(cx, &p.container, target, &title);
}
