//! Runs the listings ([`ListingRequest`]) through [`crate::outputs`], the same listing code
//! as the CLI, sending each page as it comes.
//!
//! Each listing sends Msgs until it ends or the receiver is gone; it stops early on error
//! after sending [`crate::tui::Msg::Failed`]. Cancelling is dropping the future.

use super::Out;
use crate::conventions::Scope;
use crate::outputs;
use crate::store::{Store, StoreResult};
use crate::tui::requests::listing::{ListingMsg, ListingRequest};
use std::sync::Arc;

/// Page size for listings (None: the store's default, 5000).
#[derive(Debug, Clone, Copy, Default)]
pub struct Paging(pub Option<u32>);

/// Run one listing to the end, sending its pages (a failure becomes `Msg::Failed`).
pub async fn run(store: Arc<dyn Store>, req: ListingRequest, paging: Paging, out: Out<ListingMsg>) {
    let store = &*store;
    let result = match req {
        ListingRequest::Jobs => jobs(store, &out).await,
        ListingRequest::JobRoot { container } => job_root(store, &container, paging, &out).await,
        ListingRequest::TaskKinds { container, task } => {
            let kinds = outputs::scope_kinds(store, &container, &Scope::Task(task)).await;
            kinds.map(|kinds| {
                out.send(ListingMsg::TaskKinds { kinds, done: true });
            })
        }
        ListingRequest::CountFiles {
            container,
            scope,
            kind,
        } => files(store, &container, &scope, &kind, paging, &out, true).await,
        ListingRequest::Files {
            container,
            scope,
            kind,
        } => files(store, &container, &scope, &kind, paging, &out, false).await,
    };
    if let Err(e) = result {
        out.fail(e.to_string());
    }
}

async fn jobs(store: &dyn Store, out: &Out<ListingMsg>) -> StoreResult<()> {
    let mut marker: Option<String> = None;
    loop {
        let (jobs, next) = outputs::list_jobs_page(store, marker.as_deref()).await?;
        let done = next.is_none();
        if !out.send(ListingMsg::Jobs { jobs, done }) || done {
            return Ok(());
        }
        marker = next;
    }
}

/// A job's top level, one page at a time.
async fn job_root(
    store: &dyn Store,
    container: &str,
    paging: Paging,
    out: &Out<ListingMsg>,
) -> StoreResult<()> {
    let mut marker: Option<String> = None;
    loop {
        let (top, next) =
            outputs::job_top_page(store, container, marker.as_deref(), paging.0).await?;
        let done = next.is_none();
        let msg = ListingMsg::JobRoot {
            job_kinds: top.job_kinds,
            tasks: top.tasks,
            done,
        };
        if !out.send(msg) || done {
            return Ok(());
        }
        marker = next;
    }
}

/// A kind's files page by page: the files themselves, or only how many (`count`).
async fn files(
    store: &dyn Store,
    container: &str,
    scope: &Scope,
    kind: &str,
    paging: Paging,
    out: &Out<ListingMsg>,
    count: bool,
) -> StoreResult<()> {
    let mut marker: Option<String> = None;
    loop {
        let (files, next) =
            outputs::kind_files_page(store, container, scope, kind, marker.as_deref(), paging.0)
                .await?;
        let done = next.is_none();
        let msg = if count {
            ListingMsg::KindCount {
                added: files.len() as u64,
                done,
            }
        } else {
            let files = files.into_iter().map(Into::into).collect();
            ListingMsg::Files { files, done }
        };
        if !out.send(msg) || done {
            return Ok(());
        }
        marker = next;
    }
}
