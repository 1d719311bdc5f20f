//! Which files a search reads: the job's files filtered by task, kind and name, in the
//! order results are reported (job-level files first, then tasks in natural order, kinds
//! and paths in name order).

use crate::conventions::{parse_blob_name, Scope};
use crate::download::plan::GlobFilter;
use crate::outputs::OutputFile;
use crate::store::{list_all_blobs, ListItem, ListQuery, Store, StoreResult};
use globset::{Glob, GlobSet, GlobSetBuilder};
use std::cmp::Ordering;

/// The kind searched when none is named: where tasks' stdout and stderr live.
pub const DEFAULT_KIND: &str = "TaskLog";

/// What to search.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Exact task ids; `-` is the job-level outputs. Empty (with no globs): every task.
    pub tasks: Vec<String>,
    /// Task id globs (`--task 'render-*'`).
    pub task_globs: Vec<String>,
    /// Kinds to search; empty: [`DEFAULT_KIND`] (unless `all_kinds`).
    pub kinds: Vec<String>,
    pub all_kinds: bool,
    /// File globs, as `get` takes them (a glob without `/` matches the file name).
    pub names: Vec<String>,
}

/// A [`Selection`] checked and compiled.
#[derive(Debug, Clone)]
pub struct Filter {
    sel: Selection,
    task_globs: Option<GlobSet>,
    names: GlobFilter,
}

impl Filter {
    /// Compile the globs; a bad glob is a one-line error.
    pub fn new(sel: Selection) -> Result<Filter, String> {
        let task_globs = if sel.task_globs.is_empty() {
            None
        } else {
            let mut b = GlobSetBuilder::new();
            for g in &sel.task_globs {
                b.add(Glob::new(g).map_err(|e| format!("invalid --task glob {g:?}: {e}"))?);
            }
            Some(b.build().map_err(|e| format!("invalid --task glob: {e}"))?)
        };
        let names = GlobFilter::new(&sel.names)?;
        Ok(Filter {
            sel,
            task_globs,
            names,
        })
    }

    fn any_task(&self) -> bool {
        self.sel.tasks.is_empty() && self.task_globs.is_none()
    }

    fn scope_matches(&self, scope: &Scope) -> bool {
        match scope {
            // The job level only when no task is named, or when `-` is.
            Scope::Job => self.any_task() || self.sel.tasks.iter().any(|t| t == "-"),
            Scope::Task(t) => {
                self.any_task()
                    || self.sel.tasks.iter().any(|x| x == t)
                    || self.task_globs.as_ref().is_some_and(|g| g.is_match(t))
            }
        }
    }

    fn kind_matches(&self, kind: &str) -> bool {
        if self.sel.all_kinds {
            true
        } else if self.sel.kinds.is_empty() {
            kind == DEFAULT_KIND
        } else {
            self.sel.kinds.iter().any(|k| k == kind)
        }
    }

    /// Whether a file is in the selection.
    pub fn matches(&self, scope: &Scope, kind: &str, path: &str) -> bool {
        self.scope_matches(scope) && self.kind_matches(kind) && self.names.matches(path)
    }

    /// The listing prefixes that cover the selection: one per named task when only exact
    /// tasks are named, else the whole container (one request per 5,000 blobs).
    fn prefixes(&self) -> Vec<String> {
        if self.task_globs.is_some() || self.sel.tasks.is_empty() {
            return vec![String::new()];
        }
        let mut tasks = self.sel.tasks.clone();
        tasks.sort();
        tasks.dedup();
        tasks
            .iter()
            .map(|t| {
                if t == "-" {
                    "$".into()
                } else {
                    format!("{t}/")
                }
            })
            .collect()
    }
}

/// The files of the selection, in report order.
pub async fn select_files(
    store: &dyn Store,
    container: &str,
    filter: &Filter,
) -> StoreResult<Vec<OutputFile>> {
    let mut out = Vec::new();
    for prefix in filter.prefixes() {
        for item in list_all_blobs(store, container, &ListQuery::flat(prefix)).await? {
            let ListItem::Blob(blob) = item else { continue };
            let Some(p) = parse_blob_name(&blob.name) else {
                continue;
            };
            if filter.matches(&p.scope, &p.kind, &p.path) {
                out.push(OutputFile {
                    scope: p.scope,
                    kind: p.kind,
                    path: p.path,
                    blob,
                });
            }
        }
    }
    out.sort_by(report_order);
    Ok(out)
}

/// Job level first, tasks in natural order (`task-2` before `task-10`), then kind, path.
pub fn report_order(a: &OutputFile, b: &OutputFile) -> Ordering {
    let scope = match (&a.scope, &b.scope) {
        (Scope::Job, Scope::Job) => Ordering::Equal,
        (Scope::Job, Scope::Task(_)) => Ordering::Less,
        (Scope::Task(_), Scope::Job) => Ordering::Greater,
        (Scope::Task(x), Scope::Task(y)) => {
            alphanumeric_sort::compare_str(x, y).then_with(|| x.cmp(y))
        }
    };
    scope
        .then_with(|| a.kind.cmp(&b.kind))
        .then_with(|| alphanumeric_sort::compare_str(&a.path, &b.path))
        .then_with(|| a.path.cmp(&b.path))
}

/// `TASK/KIND/PATH` (`-/KIND/PATH` for job-level files), as output lines start. Not
/// sanitized: callers clean it for the terminal.
pub fn label(f: &OutputFile) -> String {
    format!("{}/{}/{}", f.scope.task().unwrap_or("-"), f.kind, f.path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_the_task_log_of_every_task() {
        let f = Filter::new(Selection::default()).unwrap();
        let t = Scope::Task("t1".into());
        assert!(f.matches(&t, "TaskLog", "stdout.txt"));
        assert!(!f.matches(&t, "TaskOutput", "out.txt"));
        assert!(!f.matches(&Scope::Job, "JobOutput", "x"));
        assert_eq!(f.prefixes(), vec![String::new()]);
    }

    #[test]
    fn tasks_globs_kinds_and_names() {
        let f = Filter::new(Selection {
            tasks: vec!["a".into(), "-".into()],
            task_globs: vec!["render-*".into()],
            all_kinds: true,
            names: vec!["*.txt".into()],
            ..Default::default()
        })
        .unwrap();
        assert!(f.matches(&Scope::Task("render-7".into()), "TaskOutput", "x/y.txt"));
        assert!(f.matches(&Scope::Task("a".into()), "Custom", "y.txt"));
        assert!(f.matches(&Scope::Job, "JobOutput", "y.txt"));
        assert!(!f.matches(&Scope::Task("b".into()), "TaskLog", "y.txt"));
        assert!(!f.matches(&Scope::Task("a".into()), "TaskLog", "y.log"));
        let exact = Filter::new(Selection {
            tasks: vec!["b".into(), "-".into(), "b".into()],
            ..Default::default()
        })
        .unwrap();
        assert_eq!(exact.prefixes(), vec!["$".to_string(), "b/".to_string()]);
        assert!(Filter::new(Selection {
            task_globs: vec!["[".into()],
            ..Default::default()
        })
        .is_err());
    }
}
