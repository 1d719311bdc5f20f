//! Runs the browser's download requests ([`DownloadRequest`]): plan, then download with
//! the same domain code as `batchout get`, forwarding every transfer event as a Msg.
//! Cancellation is per request or per file, through a [`Control`].

use super::Out;
use crate::conventions::parse_blob_name;
use crate::download::events::TransferId;
use crate::download::plan::{build_plan, GlobFilter, Selection};
use crate::download::{download, limit_from_env, CancelSet, DownloadOptions};
use crate::store::Store;
use crate::tui::requests::download::{DownloadMsg, DownloadRequest, PlannedRow};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

/// Stops a running download gracefully: its files end as cancelled and the last event
/// (`AllDone`) still comes, which aborting the task would lose.
#[derive(Clone, Default)]
pub struct Control {
    all: CancellationToken,
    /// Per-file cancellation, once the plan exists.
    files: Arc<Mutex<Option<CancelSet>>>,
}

impl Control {
    /// Stop one file (`Some`) or the whole request (`None`).
    pub fn cancel(&self, file: Option<TransferId>) {
        match file {
            None => self.all.cancel(),
            Some(f) => {
                if let Some(set) = self
                    .files
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .as_ref()
                {
                    set.cancel(f);
                }
            }
        }
    }
}

/// Plan, announce the plan, then download, forwarding events until `AllDone`.
pub async fn run(
    store: Arc<dyn Store>,
    req: DownloadRequest,
    out: Out<DownloadMsg>,
    control: Control,
) {
    let plan = match build_plan(
        &*store,
        &req.container,
        &req.selections,
        &GlobFilter::default(),
    )
    .await
    {
        Ok(p) => p,
        Err(e) => {
            out.fail(e.to_string());
            return;
        }
    };
    let cancel = CancelSet::with_parent(&plan, control.all.clone());
    *control.files.lock().unwrap_or_else(|p| p.into_inner()) = Some(cancel.clone());
    let rows = plan
        .files
        .iter()
        .map(|f| PlannedRow {
            file: f.id,
            name: crate::text::sanitize(&f.display()).into_owned(),
            len: f.blob.len,
            retry: f.local.as_ref().ok().and_then(|_| {
                let p = parse_blob_name(&f.blob.name)?;
                Some(Selection::file(p.scope, &p.kind, &p.path))
            }),
        })
        .collect();
    out.send(DownloadMsg::Plan(rows));
    let (etx, mut erx) = tokio::sync::mpsc::unbounded_channel();
    let forward = tokio::spawn(async move {
        while let Some(event) = erx.recv().await {
            if !out.send(DownloadMsg::Event(event)) {
                break;
            }
        }
    });
    // An invalid BATCHOUT_GET_LIMIT means no limit here (`get` reports it).
    let max_rate = limit_from_env().ok().flatten();
    let opts = DownloadOptions {
        overwrite: req.overwrite,
        max_rate,
        ..Default::default()
    };
    download(
        store,
        &plan,
        &PathBuf::from(&req.dir),
        opts,
        Some(etx),
        &cancel,
    )
    .await;
    let _ = forward.await;
}
