//! What to download: the blobs of a job selected by task, kind, file and globs, each with
//! its local path (or the reason it is refused). Listing only; nothing is written here.

use super::events::TransferId;
use super::local_path::local_relative_path;
use crate::conventions::{kind_prefix, parse_blob_name, scope_prefix, Scope};
use crate::store::{list_all_blobs, BlobInfo, ListItem, ListQuery, Store, StoreResult};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

/// One thing to download: the whole job (all None), a task or the job level (`scope`), a
/// kind (of one scope, or of every task when `scope` is None), or one file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Selection {
    pub scope: Option<Scope>,
    pub kind: Option<String>,
    /// The path within the kind (needs `scope` and `kind`).
    pub path: Option<String>,
}

impl Selection {
    pub fn job() -> Self {
        Selection::default()
    }
    pub fn scope(scope: Scope) -> Self {
        Selection {
            scope: Some(scope),
            ..Default::default()
        }
    }
    pub fn kind(scope: Option<Scope>, kind: &str) -> Self {
        Selection {
            scope,
            kind: Some(kind.into()),
            path: None,
        }
    }
    pub fn file(scope: Scope, kind: &str, path: &str) -> Self {
        Selection {
            scope: Some(scope),
            kind: Some(kind.into()),
            path: Some(path.into()),
        }
    }

    /// The narrowest listing prefix that holds everything selected.
    fn prefix(&self) -> String {
        match (&self.scope, &self.kind, &self.path) {
            (Some(s), Some(k), Some(p)) => format!("{}{p}", kind_prefix(s, k)),
            (Some(s), Some(k), None) => kind_prefix(s, k),
            (Some(Scope::Job), None, _) => "$".into(),
            (Some(s), None, _) => scope_prefix(s),
            (None, _, _) => String::new(),
        }
    }

    fn matches(&self, scope: &Scope, kind: &str, path: &str) -> bool {
        self.scope.as_ref().is_none_or(|s| s == scope)
            && self.kind.as_deref().is_none_or(|k| k == kind)
            && self.path.as_deref().is_none_or(|p| p == path)
    }
}

/// File globs: a glob without `/` matches the file name at any depth (`*.log`); one with
/// `/` matches the whole path within the kind (`out/**/*.csv`). `*` never crosses a `/`,
/// `**` does. No globs: everything matches.
#[derive(Debug, Clone, Default)]
pub struct GlobFilter {
    by_name: Option<GlobSet>,
    by_path: Option<GlobSet>,
}

impl GlobFilter {
    pub fn new(globs: &[String]) -> Result<Self, String> {
        let (mut names, mut paths) = (GlobSetBuilder::new(), GlobSetBuilder::new());
        let (mut n, mut p) = (0, 0);
        for g in globs {
            let glob = GlobBuilder::new(g)
                .literal_separator(true)
                .build()
                .map_err(|e| format!("invalid glob {g:?}: {e}"))?;
            if g.contains('/') {
                paths.add(glob);
                p += 1;
            } else {
                names.add(glob);
                n += 1;
            }
        }
        let build = |b: GlobSetBuilder, count| -> Result<Option<GlobSet>, String> {
            if count == 0 {
                return Ok(None);
            }
            b.build()
                .map(Some)
                .map_err(|e| format!("invalid glob: {e}"))
        };
        Ok(GlobFilter {
            by_name: build(names, n)?,
            by_path: build(paths, p)?,
        })
    }

    pub fn matches(&self, path: &str) -> bool {
        if self.by_name.is_none() && self.by_path.is_none() {
            return true;
        }
        let name = path.rsplit('/').next().unwrap_or(path);
        self.by_name.as_ref().is_some_and(|s| s.is_match(name))
            || self.by_path.as_ref().is_some_and(|s| s.is_match(path))
    }
}

/// One file of a plan. `local` is relative to the download folder, or the reason the
/// blob's name is refused.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedFile {
    pub id: TransferId,
    pub container: String,
    pub blob: BlobInfo,
    pub local: Result<PathBuf, String>,
}

impl PlannedFile {
    /// What to call it on screen: the local path, or the (untrusted) blob name made one line.
    pub fn display(&self) -> String {
        match &self.local {
            Ok(p) => p.display().to_string(),
            Err(_) => crate::text::one_line(&format!("{:?}", self.blob.name)),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub files: Vec<PlannedFile>,
}

impl Plan {
    pub fn total_bytes(&self) -> u64 {
        self.files
            .iter()
            .filter(|f| f.local.is_ok())
            .map(|f| f.blob.len)
            .sum()
    }
}

/// List what `selections` (any of them) and `globs` (all of them) pick in `container`.
/// Blob names outside the conventions, unsafe names, and names that map to a local path
/// already taken by another blob are kept in the plan as refused, so they are reported.
pub async fn build_plan(
    store: &dyn Store,
    container: &str,
    selections: &[Selection],
    globs: &GlobFilter,
) -> StoreResult<Plan> {
    let mut blobs: BTreeMap<String, BlobInfo> = BTreeMap::new();
    let mut prefixes: Vec<String> = selections.iter().map(Selection::prefix).collect();
    prefixes.sort();
    prefixes.dedup();
    // A prefix inside another one needs no listing of its own.
    let listed: Vec<&String> = prefixes
        .iter()
        .filter(|p| {
            !prefixes
                .iter()
                .any(|q| q != *p && p.starts_with(q.as_str()))
        })
        .collect();
    for prefix in listed {
        for item in list_all_blobs(store, container, &ListQuery::flat(prefix.as_str())).await? {
            if let ListItem::Blob(b) = item {
                blobs.insert(b.name.clone(), b);
            }
        }
    }
    let mut files = Vec::new();
    let mut taken = HashSet::new();
    for (name, blob) in blobs {
        let local = match parse_blob_name(&name) {
            None => {
                if selections
                    .iter()
                    .any(|s| s.scope.is_none() && s.kind.is_none())
                {
                    Err("not a Batch output name (TASK/$KIND/PATH or $KIND/PATH)".to_string())
                } else {
                    continue;
                }
            }
            Some(p) => {
                if !selections
                    .iter()
                    .any(|s| s.matches(&p.scope, &p.kind, &p.path))
                    || !globs.matches(&p.path)
                {
                    continue;
                }
                local_relative_path(&p.scope, &p.kind, &p.path)
            }
        };
        let local = match local {
            Ok(path) if !taken.insert(path.clone()) => Err(format!(
                "its local path {} is already used by another blob",
                path.display()
            )),
            other => other,
        };
        files.push(PlannedFile {
            id: files.len(),
            container: container.to_string(),
            blob,
            local,
        });
    }
    Ok(Plan { files })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_names_or_paths() {
        let g = GlobFilter::new(&["*.log".into(), "out/**/*.csv".into()]).unwrap();
        assert!(g.matches("a/b/run.log"));
        assert!(g.matches("out/x/y/z.csv"));
        assert!(!g.matches("z.csv"));
        assert!(!g.matches("run.txt"));
        assert!(GlobFilter::new(&[]).unwrap().matches("anything"));
        assert!(GlobFilter::new(&["[".into()]).is_err());
    }

    #[test]
    fn prefixes_are_the_narrowest_listing() {
        let t = Scope::Task("t1".into());
        assert_eq!(Selection::job().prefix(), "");
        assert_eq!(Selection::scope(Scope::Job).prefix(), "$");
        assert_eq!(Selection::scope(t.clone()).prefix(), "t1/");
        assert_eq!(
            Selection::kind(Some(t.clone()), "TaskLog").prefix(),
            "t1/$TaskLog/"
        );
        assert_eq!(
            Selection::file(t, "TaskLog", "a.txt").prefix(),
            "t1/$TaskLog/a.txt"
        );
        assert_eq!(Selection::kind(None, "TaskLog").prefix(), "");
    }
}
