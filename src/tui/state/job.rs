//! One job: a tree of its job-level kinds and its tasks (each opening to its kinds), and a
//! pane with the files of the kind picked in the tree.
//!
//! The tree is kept flat (`rows`), rebuilt only when tasks, kinds, open nodes or the filter
//! change, so that moving and drawing cost nothing per task: views build widgets for the
//! visible window only, and 100,000 tasks stay fast.

use super::list::{Cursor, Filter};
use crate::conventions::Scope;
use crate::tui::name::{contains_folded, Name};
use crate::tui::requests::RequestId;
use std::collections::HashMap;
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq)]
pub struct KindNode {
    pub name: Name,
    /// Files counted so far.
    pub files: u64,
    /// Still counting (more pages to come).
    pub counting: bool,
}

impl KindNode {
    pub fn new(name: String) -> Self {
        KindNode {
            name: Name::new(name),
            files: 0,
            counting: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TaskNode {
    pub id: Name,
    pub open: bool,
    /// None until the task was opened once.
    pub kinds: Option<Vec<KindNode>>,
    /// Its kinds are being listed.
    pub loading: bool,
}

/// One line of the flattened tree. Indices point into `job_kinds` / `tasks` (append-only,
/// so they stay valid while pages stream in).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreeRow {
    JobKind(u32),
    Task(u32),
    TaskKind(u32, u32),
    /// "loading…" or "no outputs" under an open task.
    Note(u32),
}

impl TreeRow {
    /// The task a child row belongs to.
    pub fn parent(self) -> Option<u32> {
        match self {
            TreeRow::TaskKind(t, _) | TreeRow::Note(t) => Some(t),
            _ => None,
        }
    }
}

/// A kind in the tree, job-level or under a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KindRef {
    Job(u32),
    Task(u32, u32),
}

/// What an outstanding request will fill in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pending {
    TaskKinds(u32),
    Count(KindRef),
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Pane {
    #[default]
    Tree,
    Files,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FileRow {
    /// Full blob name, for requests only.
    pub blob: String,
    pub path: Name,
    pub len: u64,
    pub modified: OffsetDateTime,
}

/// The files of one kind.
#[derive(Debug, Clone, PartialEq)]
pub struct FilesState {
    pub scope: Scope,
    pub kind: Name,
    /// Shown task id (None for job-level kinds).
    pub task: Option<Name>,
    pub files: Vec<FileRow>,
    pub visible: Vec<u32>,
    pub cursor: Cursor,
    pub filter: Filter,
    pub loading: Option<RequestId>,
    pub total_bytes: u64,
    pub error: Option<String>,
}

impl FilesState {
    pub fn new(scope: Scope, kind: Name, task: Option<Name>) -> Self {
        FilesState {
            scope,
            kind,
            task,
            files: Vec::new(),
            visible: Vec::new(),
            cursor: Cursor::default(),
            filter: Filter::default(),
            loading: None,
            total_bytes: 0,
            error: None,
        }
    }

    pub fn selected(&self) -> Option<&FileRow> {
        self.files
            .get(*self.visible.get(self.cursor.selected)? as usize)
    }

    pub fn refilter(&mut self, height: usize) {
        let keep = self.visible.get(self.cursor.selected).copied();
        let needle = self.filter.needle();
        self.visible = (0..self.files.len() as u32)
            .filter(|&i| contains_folded(self.files[i as usize].path.shown(), &needle))
            .collect();
        if let Some(pos) = keep.and_then(|k| self.visible.iter().position(|&v| v == k)) {
            self.cursor.selected = pos;
        }
        self.cursor.clamp(self.visible.len(), height);
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct JobState {
    pub container: Name,
    /// The job id when known, else the container name.
    pub title: Name,
    pub job_kinds: Vec<KindNode>,
    pub tasks: Vec<TaskNode>,
    /// Indices into `tasks` in natural order of their ids (`t2` before `t10`), which is
    /// how the tree shows them; `tasks` itself stays in listing order, append-only.
    pub order: Vec<u32>,
    pub rows: Vec<TreeRow>,
    pub cursor: Cursor,
    pub filter: Filter,
    pub root_loading: Option<RequestId>,
    /// The top level was listed to the end at least once.
    pub loaded: bool,
    pub pending: HashMap<RequestId, Pending>,
    pub focus: Pane,
    pub files: Option<FilesState>,
    /// After a refresh: tasks that were open, to open again as they are listed anew.
    pub reopen: std::collections::HashSet<String>,
    /// After a refresh: the task the cursor was on, to put it back there.
    pub reselect: Option<String>,
}

impl JobState {
    pub fn new(container: Name, title: Name) -> Self {
        JobState {
            container,
            title,
            job_kinds: Vec::new(),
            tasks: Vec::new(),
            order: Vec::new(),
            rows: Vec::new(),
            cursor: Cursor::default(),
            filter: Filter::default(),
            root_loading: None,
            loaded: false,
            pending: HashMap::new(),
            reopen: Default::default(),
            reselect: None,
            focus: Pane::Tree,
            files: None,
        }
    }

    pub fn selected_row(&self) -> Option<TreeRow> {
        self.rows.get(self.cursor.selected).copied()
    }

    pub fn kind(&self, k: KindRef) -> Option<&KindNode> {
        match k {
            KindRef::Job(i) => self.job_kinds.get(i as usize),
            KindRef::Task(t, i) => self.tasks.get(t as usize)?.kinds.as_ref()?.get(i as usize),
        }
    }

    pub fn kind_mut(&mut self, k: KindRef) -> Option<&mut KindNode> {
        match k {
            KindRef::Job(i) => self.job_kinds.get_mut(i as usize),
            KindRef::Task(t, i) => self
                .tasks
                .get_mut(t as usize)?
                .kinds
                .as_mut()?
                .get_mut(i as usize),
        }
    }

    /// Rebuild `rows` from tasks, open nodes and the filter, keeping the selected node
    /// selected (or its task, when the node itself went away).
    /// Append listed tasks (closed) and place them in the natural order. Pages arrive in
    /// byte order, so sorting a page and merging it costs linear time, not a full sort.
    pub fn add_tasks(&mut self, ids: impl IntoIterator<Item = String>) {
        let first = self.tasks.len() as u32;
        self.tasks.extend(ids.into_iter().map(|id| TaskNode {
            id: Name::new(id),
            open: false,
            kinds: None,
            loading: false,
        }));
        let tasks = &self.tasks;
        let id = |t: &u32| tasks[*t as usize].id.raw();
        let mut new: Vec<u32> = (first..tasks.len() as u32).collect();
        new.sort_by(|a, b| alphanumeric_sort::compare_str(id(a), id(b)));
        let old = std::mem::take(&mut self.order);
        let mut merged = Vec::with_capacity(old.len() + new.len());
        let (mut i, mut j) = (0, 0);
        while i < old.len() && j < new.len() {
            if alphanumeric_sort::compare_str(id(&new[j]), id(&old[i])).is_lt() {
                merged.push(new[j]);
                j += 1;
            } else {
                merged.push(old[i]);
                i += 1;
            }
        }
        merged.extend_from_slice(&old[i..]);
        merged.extend_from_slice(&new[j..]);
        self.order = merged;
    }

    /// Forget every task (a refresh lists them anew).
    pub fn clear_tasks(&mut self) {
        self.tasks.clear();
        self.order.clear();
    }

    pub fn rebuild_rows(&mut self, height: usize) {
        let keep = self.selected_row();
        let needle = self.filter.needle();
        let mut rows = Vec::with_capacity(self.job_kinds.len() + self.tasks.len());
        for (i, k) in self.job_kinds.iter().enumerate() {
            if contains_folded(k.name.shown(), &needle) {
                rows.push(TreeRow::JobKind(i as u32));
            }
        }
        for &t in &self.order {
            let task = &self.tasks[t as usize];
            if !contains_folded(task.id.shown(), &needle) {
                continue;
            }
            rows.push(TreeRow::Task(t));
            if task.open {
                match &task.kinds {
                    Some(kinds) if !kinds.is_empty() => {
                        rows.extend((0..kinds.len() as u32).map(|k| TreeRow::TaskKind(t, k)));
                        if task.loading {
                            rows.push(TreeRow::Note(t));
                        }
                    }
                    _ => rows.push(TreeRow::Note(t)),
                }
            }
        }
        self.rows = rows;
        if let Some(keep) = keep {
            let found = self.rows.iter().position(|&r| r == keep).or_else(|| {
                let parent = TreeRow::Task(keep.parent()?);
                self.rows.iter().position(|&r| r == parent)
            });
            if let Some(pos) = found {
                self.cursor.selected = pos;
            }
        }
        self.fix_scroll(height);
    }

    /// Keep the selection visible. When the window starts inside an open task, its first
    /// line shows that task (a sticky parent), so one row fewer is available.
    pub fn fix_scroll(&mut self, height: usize) {
        self.cursor.clamp(self.rows.len(), height);
        while self.cursor.offset < self.cursor.selected {
            let sticky = self.rows[self.cursor.offset].parent().is_some() as usize;
            if self.cursor.selected < self.cursor.offset + height.max(1 + sticky) - sticky {
                break;
            }
            self.cursor.offset += 1;
        }
    }

    /// The rows drawn in a pane of `height` lines, top to bottom, as indices into `rows`
    /// (the first may be the sticky parent of the rest). Views and mouse hit-testing share it.
    pub fn window(&self, height: usize) -> Vec<usize> {
        let start = self.cursor.offset.min(self.rows.len());
        let mut end = (start + height).min(self.rows.len());
        let mut out = Vec::with_capacity(height);
        if let Some(parent) = self.rows.get(start).and_then(|r| r.parent()) {
            let pos = self.rows[..start]
                .iter()
                .rposition(|&r| r == TreeRow::Task(parent));
            if let Some(pos) = pos {
                out.push(pos);
                end = end.min(start + height.saturating_sub(1));
            }
        }
        out.extend(start..end);
        out
    }

    /// Counts for the status bar: (tasks shown, tasks listed).
    pub fn task_counts(&self) -> (usize, usize) {
        let shown = self
            .rows
            .iter()
            .filter(|r| matches!(r, TreeRow::Task(_)))
            .count();
        (shown, self.tasks.len())
    }
}
