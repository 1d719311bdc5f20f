//! Runs the browser's download requests ([`Effect::Download`]): plan, then download with
//! the same domain code as `batchout get`, forwarding every transfer event as a Msg.
//! Cancellation is per request or per file ([`Effect::CancelTransfer`]).

use super::app::RequestId;
use super::effect::DownloadRequest;
use super::msg::Msg;
use super::state::PlannedRow;
use crate::conventions::parse_blob_name;
use crate::download::events::TransferId;
use crate::download::plan::{build_plan, GlobFilter, Selection};
use crate::download::{download, limit_from_env, CancelSet, DownloadOptions};
use crate::store::Store;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

struct Running {
    all: CancellationToken,
    /// Per-file cancellation, once the plan exists.
    files: Arc<Mutex<Option<CancelSet>>>,
}

#[derive(Default)]
pub struct DownloadWorkers {
    runs: HashMap<RequestId, Running>,
}

impl DownloadWorkers {
    /// Start a download request. Must be called inside a tokio runtime.
    pub fn start(&mut self, store: Arc<dyn Store>, req: DownloadRequest, tx: UnboundedSender<Msg>) {
        let all = CancellationToken::new();
        let files = Arc::new(Mutex::new(None));
        self.runs.insert(
            req.id,
            Running {
                all: all.clone(),
                files: files.clone(),
            },
        );
        tokio::spawn(async move {
            let id = req.id;
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
                    let _ = tx.send(Msg::Failed {
                        id,
                        error: e.to_string(),
                    });
                    return;
                }
            };
            let cancel = CancelSet::with_parent(&plan, all);
            *files.lock().unwrap_or_else(|p| p.into_inner()) = Some(cancel.clone());
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
            let _ = tx.send(Msg::TransferPlan { id, rows });
            let (etx, mut erx) = tokio::sync::mpsc::unbounded_channel();
            let forward = tokio::spawn(async move {
                while let Some(event) = erx.recv().await {
                    if tx.send(Msg::Transfer { id, event }).is_err() {
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
        });
    }

    pub fn cancel(&mut self, id: RequestId, file: Option<TransferId>) {
        let Some(run) = self.runs.get(&id) else {
            return;
        };
        match file {
            None => run.all.cancel(),
            Some(f) => {
                if let Some(set) = run.files.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
                    set.cancel(f);
                }
            }
        }
    }
}

impl Drop for DownloadWorkers {
    fn drop(&mut self) {
        // Leaving the browser stops the transfers; their temp files stay for a resume.
        for run in self.runs.values() {
            run.all.cancel();
        }
    }
}
