//! The top of a job (tasks and job-level kinds) and the kinds of a task.

use crate::conventions::{scope_prefix, Scope};
use crate::store::{list_all_blobs, ListItem, ListQuery, Store, StoreResult};

/// What the top level of a job's container holds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobTop {
    /// Task ids (virtual folders `TASK/`), in name order.
    pub tasks: Vec<String>,
    /// Job-level kinds (virtual folders `$KIND/`), in name order.
    pub job_kinds: Vec<String>,
}

impl JobTop {
    fn add(&mut self, item: ListItem) {
        // Top-level blobs are not part of the conventions: ignored.
        if let ListItem::Prefix(p) = item {
            let name = p.strip_suffix('/').unwrap_or(&p);
            if let Some(kind) = name.strip_prefix('$') {
                if !kind.is_empty() {
                    self.job_kinds.push(kind.to_string());
                }
            } else if !name.is_empty() {
                self.tasks.push(name.to_string());
            }
        }
    }
}

/// One page of the job's top level (`max_results` None: the store's default of 5000),
/// with the marker of the next page.
pub async fn job_top_page(
    store: &dyn Store,
    container: &str,
    marker: Option<&str>,
    max_results: Option<u32>,
) -> StoreResult<(JobTop, Option<String>)> {
    let query = ListQuery {
        max_results,
        ..ListQuery::hierarchy("")
    };
    let page = store.list_blobs(container, &query, marker).await?;
    let mut top = JobTop::default();
    for item in page.items {
        top.add(item);
    }
    Ok((top, page.next_marker))
}

/// Every task and job-level kind of a job.
pub async fn job_top(store: &dyn Store, container: &str) -> StoreResult<JobTop> {
    let mut top = JobTop::default();
    let mut marker: Option<String> = None;
    loop {
        let (page, next) = job_top_page(store, container, marker.as_deref(), None).await?;
        top.tasks.extend(page.tasks);
        top.job_kinds.extend(page.job_kinds);
        match next {
            Some(m) => marker = Some(m),
            None => return Ok(top),
        }
    }
}

/// Kinds found under a task (or at job level): every `$Something/` folder, in name order.
pub async fn scope_kinds(
    store: &dyn Store,
    container: &str,
    scope: &Scope,
) -> StoreResult<Vec<String>> {
    match scope {
        Scope::Job => Ok(job_top(store, container).await?.job_kinds),
        Scope::Task(_) => {
            let prefix = scope_prefix(scope);
            let items =
                list_all_blobs(store, container, &ListQuery::hierarchy(prefix.clone())).await?;
            Ok(items
                .into_iter()
                .filter_map(|i| match i {
                    ListItem::Prefix(p) => {
                        let kind = p
                            .strip_prefix(prefix.as_str())?
                            .strip_prefix('$')?
                            .strip_suffix('/')?;
                        (!kind.is_empty()).then(|| kind.to_string())
                    }
                    ListItem::Blob(_) => None,
                })
                .collect())
        }
    }
}
