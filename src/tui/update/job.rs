//! One job: the tree (job-level kinds, tasks, their kinds) and the files pane.

use super::{filter, list_step, Cx, Nav};
use crate::conventions::Scope;
use crate::tui::app::Screen;
use crate::tui::layout;
use crate::tui::msg::Msg;
use crate::tui::name::Name;
use crate::tui::requests::listing::{ListingMsg, ListingRequest};
use crate::tui::requests::preview::{Part, PreviewRequest};
use crate::tui::requests::status::{StatusMsg, StatusRequest};
use crate::tui::requests::RequestKind;
use crate::tui::state::{
    FileRow, FilesState, JobState, KindNode, KindRef, Pane, Pending, PreviewState, TaskSort,
    TreeRow,
};
use crate::tui::Action;

pub fn action(s: &mut JobState, cx: &mut Cx, a: Action) {
    if a == Action::TailAll {
        return super::log::open_from_tree(s, cx, a);
    }
    if a == Action::SearchJob {
        return super::search::open_from_tree(s, cx);
    }
    // The mouse acts on the pane under the pointer and focuses it.
    if let Action::Click { col, row }
    | Action::ScrollUp { col, row }
    | Action::ScrollDown { col, row } = a
    {
        let (_, files_area) = layout::job_panes(cx.size);
        let on_files = s.files.is_some() && layout::contains(files_area, col, row);
        s.focus = if on_files { Pane::Files } else { Pane::Tree };
    }
    match (s.focus, s.files.is_some()) {
        (Pane::Files, true) => files_action(s, cx, a),
        _ => tree_action(s, cx, a),
    }
}

fn tree_action(s: &mut JobState, cx: &mut Cx, a: Action) {
    let height = layout::tree_height(cx.size);
    if let Some(changed) = filter::edit(&mut s.filter, a) {
        if changed {
            s.rebuild_rows(height);
        }
        return;
    }
    if let Some(step) = list_step(a, height) {
        s.cursor.move_by(step, s.rows.len(), height);
        s.fix_scroll(height);
        return;
    }
    let row = s.selected_row();
    match a {
        Action::Enter => match row {
            Some(TreeRow::Task(t)) => toggle(s, cx, t),
            Some(TreeRow::JobKind(k)) => open_files(s, cx, KindRef::Job(k)),
            Some(TreeRow::TaskKind(t, k)) => open_files(s, cx, KindRef::Task(t, k)),
            _ => {}
        },
        Action::Right => match row {
            Some(TreeRow::Task(t)) if !s.tasks[t as usize].open => toggle(s, cx, t),
            Some(TreeRow::Task(_)) => {
                s.cursor.move_by(1, s.rows.len(), height);
                s.fix_scroll(height);
            }
            Some(TreeRow::JobKind(k)) => open_files(s, cx, KindRef::Job(k)),
            Some(TreeRow::TaskKind(t, k)) => open_files(s, cx, KindRef::Task(t, k)),
            _ => {}
        },
        Action::Left => match row {
            Some(r @ (TreeRow::TaskKind(..) | TreeRow::Note(_))) => {
                #[allow(clippy::expect_used)] // a TaskKind or Note row always has a task
                let parent = TreeRow::Task(r.parent().expect("child row"));
                if let Some(pos) = s.rows[..s.cursor.selected]
                    .iter()
                    .rposition(|&x| x == parent)
                {
                    s.cursor.select(pos, s.rows.len(), height);
                    s.fix_scroll(height);
                }
            }
            Some(TreeRow::Task(t)) if s.tasks[t as usize].open => toggle(s, cx, t),
            _ => cx.nav = Some(Nav::Pop),
        },
        Action::Back => cx.nav = Some(Nav::Pop),
        Action::ToggleTail => super::log::open_from_tree(s, cx, a),
        Action::NextPane if s.files.is_some() => s.focus = Pane::Files,
        Action::Refresh => refresh(s, cx),
        Action::CycleSort => {
            s.statuses.sort = s.statuses.sort.next();
            s.rebuild_rows(height);
        }
        Action::OnlyStatus(st) => {
            s.statuses.only = (s.statuses.only != Some(st)).then_some(st);
            s.rebuild_rows(height);
        }
        Action::Click { col, row: y } => {
            let (tree_area, _) = layout::job_panes(cx.size);
            let Some(line) = layout::line_at(layout::inner(tree_area), col, y) else {
                return;
            };
            let Some(&i) = s.window(height).get(line) else {
                return;
            };
            if i == s.cursor.selected {
                tree_action(s, cx, Action::Enter);
            } else {
                s.cursor.select(i, s.rows.len(), height);
                s.fix_scroll(height);
            }
        }
        _ => {}
    }
}

/// Open or close a task; the first opening lists its kinds.
fn toggle(s: &mut JobState, cx: &mut Cx, t: u32) {
    let open = !s.tasks[t as usize].open;
    set_open(s, cx, t, open);
    s.rebuild_rows(layout::tree_height(cx.size));
}

/// Open or close a task (rows not rebuilt); opening lists its kinds the first time.
fn set_open(s: &mut JobState, cx: &mut Cx, t: u32, open: bool) {
    let container = s.container.raw().to_string();
    let task = &mut s.tasks[t as usize];
    task.open = open;
    if task.open && task.kinds.is_none() && !task.loading {
        task.loading = true;
        let id = cx.request(RequestKind::Listing(ListingRequest::TaskKinds {
            container,
            task: task.id.raw().to_string(),
        }));
        s.pending.insert(id, Pending::TaskKinds(t));
    }
}

/// Reload the whole tree and the files pane. Open tasks open again (with fresh kinds) and
/// the cursor goes back to its task as the tasks are listed anew.
fn refresh(s: &mut JobState, cx: &mut Cx) {
    for id in s.pending.drain().map(|(id, _)| id).collect::<Vec<_>>() {
        cx.cancel(Some(id));
    }
    s.reopen = s
        .tasks
        .iter()
        .filter(|t| t.open)
        .map(|t| t.id.raw().to_string())
        .collect();
    s.reselect = match s.rows.get(s.cursor.selected) {
        Some(TreeRow::Task(t)) | Some(TreeRow::TaskKind(t, _)) => {
            Some(s.tasks[*t as usize].id.raw().to_string())
        }
        _ => None,
    };
    cx.cancel(s.root_loading.take());
    cx.cancel(s.statuses.loading.take());
    s.statuses.clear();
    s.job_kinds.clear();
    s.clear_tasks();
    s.loaded = false;
    s.rebuild_rows(layout::tree_height(cx.size));
    s.root_loading = Some(cx.request(RequestKind::Listing(ListingRequest::JobRoot {
        container: s.container.raw().to_string(),
    })));
    if let Some(f) = &mut s.files {
        reload_files(s.container.raw(), f, cx);
    }
}

fn open_files(s: &mut JobState, cx: &mut Cx, k: KindRef) {
    let Some(kind) = s.kind(k).map(|n| n.name.clone()) else {
        return;
    };
    let (scope, task) = match k {
        KindRef::Job(_) => (Scope::Job, None),
        KindRef::Task(t, _) => {
            let id = s.tasks[t as usize].id.clone();
            (Scope::Task(id.raw().to_string()), Some(id))
        }
    };
    if let Some(old) = s.files.take() {
        cx.cancel(old.loading);
    }
    let mut f = FilesState::new(scope, kind, task);
    reload_files(s.container.raw(), &mut f, cx);
    s.files = Some(f);
    s.focus = Pane::Files;
}

fn reload_files(container: &str, f: &mut FilesState, cx: &mut Cx) {
    cx.cancel(f.loading.take());
    f.files.clear();
    f.visible.clear();
    f.total_bytes = 0;
    f.error = None;
    f.loading = Some(cx.request(RequestKind::Listing(ListingRequest::Files {
        container: container.to_string(),
        scope: f.scope.clone(),
        kind: f.kind.raw().to_string(),
    })));
}

fn files_action(s: &mut JobState, cx: &mut Cx, a: Action) {
    let height = layout::files_height(cx.size);
    let container = s.container.raw().to_string();
    let Some(f) = s.files.as_mut() else {
        return;
    };
    if let Some(changed) = filter::edit(&mut f.filter, a) {
        if changed {
            f.refilter(height);
        }
        return;
    }
    if let Some(step) = list_step(a, height) {
        f.cursor.move_by(step, f.visible.len(), height);
        return;
    }
    match a {
        Action::Enter | Action::Right => open_preview(f, &container, cx),
        Action::ToggleTail => super::log::open_file(f, &container, cx),
        Action::Left | Action::NextPane | Action::Back => s.focus = Pane::Tree,
        Action::Refresh => reload_files(&container, f, cx),
        Action::Click { col, row } => {
            let (_, area) = layout::job_panes(cx.size);
            let Some(line) = layout::line_at(layout::table_rows(area), col, row) else {
                return;
            };
            let i = f.cursor.offset + line;
            if i < f.visible.len() {
                if i == f.cursor.selected {
                    open_preview(f, &container, cx);
                } else {
                    f.cursor.select(i, f.visible.len(), height);
                }
            }
        }
        _ => {}
    }
}

fn open_preview(f: &FilesState, container: &str, cx: &mut Cx) {
    let Some(file) = f.selected() else { return };
    let place = match &f.task {
        Some(t) => format!("{} › {}", t.shown(), f.kind.shown()),
        None => format!("job › {}", f.kind.shown()),
    };
    let mut p = PreviewState::new(
        container.to_string(),
        file.blob.clone(),
        file.path.clone(),
        place,
    );
    p.loading = Some(cx.request(RequestKind::Preview(PreviewRequest {
        container: container.to_string(),
        blob: file.blob.clone(),
        part: Part::Head,
        max: cx.preview_bytes,
        cells: layout::preview_cells(cx.size),
    })));
    cx.nav = Some(Nav::Push(Screen::Preview(Box::new(p))));
}

pub fn msg(s: &mut JobState, cx: &mut Cx, m: Msg) {
    let height = layout::tree_height(cx.size);
    let id = m.id();
    let done = m.is_final();
    if s.statuses.loading == Some(id) {
        return status_msg(s, height, m, done);
    }
    if s.root_loading == Some(id) {
        match m {
            Msg::Listing {
                msg:
                    ListingMsg::JobRoot {
                        job_kinds, tasks, ..
                    },
                ..
            } => {
                for kind in job_kinds {
                    let k = s.job_kinds.len() as u32;
                    count_files(s, cx, Scope::Job, &kind, KindRef::Job(k));
                    s.job_kinds.push(KindNode::new(kind));
                }
                let first = s.tasks.len();
                s.add_tasks(tasks);
                for t in first..s.tasks.len() {
                    if s.reopen.remove(s.tasks[t].id.raw()) {
                        set_open(s, cx, t as u32, true);
                    }
                }
                // The tree shows its first page: now scan every task's status behind it.
                if !s.statuses.complete && s.statuses.loading.is_none() {
                    s.statuses.loading = Some(cx.request(RequestKind::Status(StatusRequest {
                        container: s.container.raw().to_string(),
                    })));
                }
            }
            Msg::Failed { .. } => {}
            _ => return,
        }
        if done {
            s.root_loading = None;
            s.loaded = true;
            s.reopen.clear();
        }
        s.rebuild_rows(height);
        if let Some(task) = s.reselect.clone() {
            let row = s.rows.iter().position(
                |r| matches!(r, TreeRow::Task(t) if s.tasks[*t as usize].id.raw() == task),
            );
            if let Some(i) = row {
                s.cursor.select(i, s.rows.len(), height);
                s.fix_scroll(height);
                s.reselect = None;
            } else if done {
                s.reselect = None;
            }
        }
        return;
    }
    if let Some(f) = s.files.as_mut().filter(|f| f.loading == Some(id)) {
        match m {
            Msg::Listing {
                msg: ListingMsg::Files { files, .. },
                ..
            } => {
                f.total_bytes += files.iter().map(|e| e.len).sum::<u64>();
                f.files.extend(files.into_iter().map(|e| FileRow {
                    blob: e.blob,
                    path: Name::new(e.path),
                    len: e.len,
                    modified: e.modified,
                }));
            }
            Msg::Failed { error, .. } => f.error = Some(crate::text::sanitize(&error).into_owned()),
            _ => return,
        }
        if done {
            f.loading = None;
        }
        f.refilter(layout::files_height(cx.size));
        return;
    }
    let Some(&pending) = s.pending.get(&id) else {
        return;
    };
    if done {
        s.pending.remove(&id);
    }
    match (pending, m) {
        (
            Pending::TaskKinds(t),
            Msg::Listing {
                msg: ListingMsg::TaskKinds { kinds, .. },
                ..
            },
        ) => {
            let task_id = s.tasks[t as usize].id.raw().to_string();
            let have = s.tasks[t as usize].kinds.get_or_insert_with(Vec::new).len() as u32;
            for (i, kind) in kinds.iter().enumerate() {
                count_files(
                    s,
                    cx,
                    Scope::Task(task_id.clone()),
                    kind,
                    KindRef::Task(t, have + i as u32),
                );
            }
            let task = &mut s.tasks[t as usize];
            task.kinds
                .get_or_insert_with(Vec::new)
                .extend(kinds.into_iter().map(KindNode::new));
            if done {
                task.loading = false;
            }
        }
        (Pending::TaskKinds(t), Msg::Failed { .. }) => {
            let task = &mut s.tasks[t as usize];
            task.loading = false;
            task.kinds.get_or_insert_with(Vec::new);
        }
        (
            Pending::Count(k),
            Msg::Listing {
                msg: ListingMsg::KindCount { added, .. },
                ..
            },
        ) => {
            if let Some(node) = s.kind_mut(k) {
                node.files += added;
                node.counting = !done;
            }
            return; // counts do not change the rows
        }
        (Pending::Count(k), Msg::Failed { .. }) => {
            if let Some(node) = s.kind_mut(k) {
                node.counting = false;
            }
            return;
        }
        _ => return,
    }
    s.rebuild_rows(height);
}

/// A page of statuses: rows change only when sorting or filtering by status.
fn status_msg(s: &mut JobState, height: usize, m: Msg, done: bool) {
    match m {
        Msg::Status {
            msg: StatusMsg::Tasks { tasks, .. },
            ..
        } => s.statuses.add(tasks),
        Msg::Failed { error, .. } => {
            s.statuses.error = Some(crate::text::sanitize(&error).into_owned())
        }
        _ => return,
    }
    if done {
        s.statuses.loading = None;
        s.statuses.complete = s.statuses.error.is_none();
    }
    if s.statuses.sort != TaskSort::Name || s.statuses.only.is_some() {
        s.rebuild_rows(height);
    }
}

fn count_files(s: &mut JobState, cx: &mut Cx, scope: Scope, kind: &str, k: KindRef) {
    let id = cx.request(RequestKind::Listing(ListingRequest::CountFiles {
        container: s.container.raw().to_string(),
        scope,
        kind: kind.to_string(),
    }));
    s.pending.insert(id, Pending::Count(k));
}
