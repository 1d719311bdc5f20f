//! Task statuses in the job tree: what the background scan found (by task id, since the
//! scan and the tree's listing arrive independently), the job's counts, the sort order and
//! the status filter.

use crate::outputs::status::{Status, StatusCounts};
use crate::tui::requests::status::TaskStatus;
use crate::tui::requests::RequestId;
use std::cmp::Ordering;
use std::collections::HashMap;

/// How the tree orders its tasks (`o` cycles).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TaskSort {
    /// Natural order of the ids (`t2` before `t10`).
    #[default]
    Name,
    /// Most urgent first: failed, lost, running, unknown, ok (not yet known last).
    Status,
    /// Last write, newest first.
    Activity,
    /// Longest first.
    Duration,
    /// Largest stderr first.
    Stderr,
}

impl TaskSort {
    pub fn next(self) -> TaskSort {
        match self {
            TaskSort::Name => TaskSort::Status,
            TaskSort::Status => TaskSort::Activity,
            TaskSort::Activity => TaskSort::Duration,
            TaskSort::Duration => TaskSort::Stderr,
            TaskSort::Stderr => TaskSort::Name,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            TaskSort::Name => "name",
            TaskSort::Status => "status",
            TaskSort::Activity => "last activity",
            TaskSort::Duration => "duration",
            TaskSort::Stderr => "stderr size",
        }
    }

    /// Compare two tasks' statuses (None: not known yet, always last); ties keep the
    /// natural order (the sort is stable).
    pub fn compare(self, a: Option<&TaskStatus>, b: Option<&TaskStatus>) -> Ordering {
        fn last<T: Ord>(a: Option<T>, b: Option<T>) -> Ordering {
            match (a, b) {
                (Some(a), Some(b)) => a.cmp(&b),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            }
        }
        use std::cmp::Reverse;
        match self {
            TaskSort::Name => Ordering::Equal,
            TaskSort::Status => last(a.map(|s| s.status), b.map(|s| s.status)),
            TaskSort::Activity => last(
                a.and_then(|s| s.last_write).map(Reverse),
                b.and_then(|s| s.last_write).map(Reverse),
            ),
            TaskSort::Duration => last(
                a.and_then(|s| s.duration).map(Reverse),
                b.and_then(|s| s.duration).map(Reverse),
            ),
            TaskSort::Stderr => last(
                a.and_then(|s| s.stderr_len).map(Reverse),
                b.and_then(|s| s.stderr_len).map(Reverse),
            ),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskStatuses {
    /// By raw task id.
    pub by_task: HashMap<String, TaskStatus>,
    /// Of the tasks in `by_task`.
    pub counts: StatusCounts,
    /// The scan in flight.
    pub loading: Option<RequestId>,
    /// The scan ran to the end.
    pub complete: bool,
    /// The scan failed: why (one line, sanitized).
    pub error: Option<String>,
    pub sort: TaskSort,
    /// Show only tasks with this status (`F` failed, `L` running).
    pub only: Option<Status>,
}

impl TaskStatuses {
    pub fn get(&self, task: &str) -> Option<&TaskStatus> {
        self.by_task.get(task)
    }

    /// Add a page of statuses; a task seen again (a rescan) replaces its old one.
    pub fn add(&mut self, tasks: Vec<TaskStatus>) {
        for t in tasks {
            self.counts.add(t.status);
            if let Some(old) = self.by_task.insert(t.task.clone(), t) {
                self.counts.remove(old.status);
            }
        }
    }

    /// Forget everything found (a refresh scans anew); sort and filter stay.
    pub fn clear(&mut self) {
        self.by_task.clear();
        self.counts = StatusCounts::default();
        self.complete = false;
        self.error = None;
    }

    /// Whether the status filter lets this task through.
    pub fn shows(&self, task: &str) -> bool {
        match self.only {
            None => true,
            Some(want) => self.get(task).is_some_and(|s| s.status == want),
        }
    }
}
