//! The store requests behind each [`RequestKind`], streamed page by page as [`Msg`]s.
//!
//! Each function sends Msgs until its listing ends or the receiver is gone; it returns
//! early on error after sending [`Msg::Failed`]. Cancelling is dropping the future.

use super::app::RequestId;
use super::effect::{Part, RequestKind};
use super::msg::{Chunk, FileEntry, JobEntry, Msg};
use crate::conventions::{kind_prefix, Scope, JOB_CONTAINER_PREFIX};
use crate::outputs;
use crate::store::{ByteRange, ListItem, ListQuery, Store, StoreResult, JOB_ID_METADATA_KEY};
use tokio::sync::mpsc::UnboundedSender;

/// Page size for listings (None: the store's default, 5000).
#[derive(Debug, Clone, Copy, Default)]
pub struct Paging(pub Option<u32>);

impl Paging {
    fn query(self, q: ListQuery) -> ListQuery {
        match self.0 {
            Some(n) => q.page_size(n),
            None => q,
        }
    }
}

/// Run one request to the end, sending its Msgs (a failure becomes [`Msg::Failed`]).
pub async fn run(
    store: &dyn Store,
    id: RequestId,
    kind: RequestKind,
    paging: Paging,
    tx: &UnboundedSender<Msg>,
) {
    let result = match kind {
        RequestKind::Jobs => jobs(store, id, tx).await,
        RequestKind::JobRoot { container } => job_root(store, id, &container, paging, tx).await,
        RequestKind::TaskKinds { container, task } => {
            task_kinds(store, id, &container, &task, tx).await
        }
        RequestKind::CountFiles {
            container,
            scope,
            kind,
        } => {
            let q = paging.query(ListQuery::flat(kind_prefix(&scope, &kind)));
            count(store, id, &container, q, tx).await
        }
        RequestKind::Files {
            container,
            scope,
            kind,
        } => {
            let q = paging.query(ListQuery::flat(kind_prefix(&scope, &kind)));
            files(store, id, &container, q, tx).await
        }
        RequestKind::Read {
            container,
            blob,
            part,
            max,
        } => read(store, id, &container, &blob, part, max, tx).await,
        // Run by super::log_worker (Workers::run sends them there).
        RequestKind::Log(_) => Ok(()),
    };
    if let Err(e) = result {
        let _ = tx.send(Msg::Failed {
            id,
            error: e.to_string(),
        });
    }
}

async fn jobs(store: &dyn Store, id: RequestId, tx: &UnboundedSender<Msg>) -> StoreResult<()> {
    let mut marker: Option<String> = None;
    loop {
        let page = store
            .list_containers(JOB_CONTAINER_PREFIX, marker.as_deref())
            .await?;
        let jobs = page
            .items
            .into_iter()
            .map(|c| JobEntry {
                job_id: c.metadata.get(JOB_ID_METADATA_KEY).cloned(),
                container: c.name,
                modified: c.last_modified,
            })
            .collect();
        let done = page.next_marker.is_none();
        if tx.send(Msg::Jobs { id, jobs, done }).is_err() || done {
            return Ok(());
        }
        marker = page.next_marker;
    }
}

/// A job's top level, one page at a time (shared with the CLI: [`crate::outputs`]).
async fn job_root(
    store: &dyn Store,
    id: RequestId,
    container: &str,
    paging: Paging,
    tx: &UnboundedSender<Msg>,
) -> StoreResult<()> {
    let mut marker: Option<String> = None;
    loop {
        let (top, next) =
            outputs::job_top_page(store, container, marker.as_deref(), paging.0).await?;
        let done = next.is_none();
        if tx
            .send(Msg::JobRoot {
                id,
                job_kinds: top.job_kinds,
                tasks: top.tasks,
                done,
            })
            .is_err()
            || done
        {
            return Ok(());
        }
        marker = next;
    }
}

/// The `$Kind/` folders directly under `TASK/` (any kind, not a fixed four).
async fn task_kinds(
    store: &dyn Store,
    id: RequestId,
    container: &str,
    task: &str,
    tx: &UnboundedSender<Msg>,
) -> StoreResult<()> {
    let kinds = outputs::scope_kinds(store, container, &Scope::Task(task.to_string())).await?;
    let _ = tx.send(Msg::TaskKinds {
        id,
        kinds,
        done: true,
    });
    Ok(())
}

async fn count(
    store: &dyn Store,
    id: RequestId,
    container: &str,
    q: ListQuery,
    tx: &UnboundedSender<Msg>,
) -> StoreResult<()> {
    let mut marker: Option<String> = None;
    loop {
        let page = store.list_blobs(container, &q, marker.as_deref()).await?;
        let added = page
            .items
            .iter()
            .filter(|i| matches!(i, ListItem::Blob(_)))
            .count() as u64;
        let done = page.next_marker.is_none();
        if tx.send(Msg::KindCount { id, added, done }).is_err() || done {
            return Ok(());
        }
        marker = page.next_marker;
    }
}

async fn files(
    store: &dyn Store,
    id: RequestId,
    container: &str,
    q: ListQuery,
    tx: &UnboundedSender<Msg>,
) -> StoreResult<()> {
    let mut marker: Option<String> = None;
    loop {
        let page = store.list_blobs(container, &q, marker.as_deref()).await?;
        let files = page
            .items
            .into_iter()
            .filter_map(|item| match item {
                ListItem::Blob(b) => Some(FileEntry {
                    path: b
                        .name
                        .strip_prefix(&q.prefix)
                        .unwrap_or(&b.name)
                        .to_string(),
                    blob: b.name,
                    len: b.len,
                    modified: b.last_modified,
                }),
                ListItem::Prefix(_) => None,
            })
            .collect();
        let done = page.next_marker.is_none();
        if tx.send(Msg::Files { id, files, done }).is_err() || done {
            return Ok(());
        }
        marker = page.next_marker;
    }
}

/// At most `max` bytes from the start, or ending at the end (the length is asked first, so
/// a multi-gigabyte log costs one small read either way).
async fn read(
    store: &dyn Store,
    id: RequestId,
    container: &str,
    blob: &str,
    part: Part,
    max: u64,
    tx: &UnboundedSender<Msg>,
) -> StoreResult<()> {
    let start = match part {
        Part::Head => 0,
        Part::Tail => store
            .blob_info(container, blob)
            .await?
            .len
            .saturating_sub(max),
    };
    let chunk = match store
        .read_range(container, blob, ByteRange::new(start, max), None)
        .await
    {
        Ok(r) => Chunk {
            data: r.data,
            start: r.start,
            total: r.total_len,
        },
        // An empty blob has no byte 0 in some backends; show it as empty.
        Err(crate::store::StoreError::InvalidRange { len: 0, .. }) => Chunk {
            data: bytes::Bytes::new(),
            start: 0,
            total: 0,
        },
        Err(e) => return Err(e),
    };
    let _ = tx.send(Msg::Read { id, chunk });
    Ok(())
}
