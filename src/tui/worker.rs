//! Runs Effects as tokio tasks and sends their Msgs back on one channel.
//!
//! Each request is a task of its own; [`Effect::Cancel`] aborts it (dropping its future
//! stops the store request). Late Msgs of a cancelled request are dropped by `update`.

use super::app::RequestId;
use super::effect::{Effect, RequestKind};
use super::load::{self, Paging};
use super::msg::Msg;
use crate::store::Store;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::AbortHandle;

pub struct Workers {
    store: Arc<dyn Store>,
    tx: UnboundedSender<Msg>,
    paging: Paging,
    running: HashMap<RequestId, AbortHandle>,
    downloads: super::download_worker::DownloadWorkers,
}

impl Workers {
    pub fn new(store: Arc<dyn Store>, tx: UnboundedSender<Msg>) -> Self {
        Workers {
            store,
            tx,
            paging: Paging::default(),
            running: HashMap::new(),
            downloads: Default::default(),
        }
    }

    /// Use smaller listing pages (tests and benchmarks show streaming with them).
    pub fn with_page_size(mut self, n: u32) -> Self {
        self.paging = Paging(Some(n));
        self
    }

    /// Start or cancel work. Must be called inside a tokio runtime.
    pub fn run(&mut self, effect: Effect) {
        self.running.retain(|_, h| !h.is_finished());
        match effect {
            Effect::Load(req) => {
                let (store, tx, paging) = (self.store.clone(), self.tx.clone(), self.paging);
                let handle = match req.kind {
                    RequestKind::Log(log) => {
                        tokio::spawn(super::log_worker::run(store, req.id, log, tx))
                    }
                    kind => tokio::spawn(async move {
                        load::run(store.as_ref(), req.id, kind, paging, &tx).await;
                    }),
                };
                self.running.insert(req.id, handle.abort_handle());
            }
            Effect::Cancel(id) => {
                if let Some(h) = self.running.remove(&id) {
                    h.abort();
                }
            }
            Effect::Download(req) => self
                .downloads
                .start(self.store.clone(), req, self.tx.clone()),
            Effect::CancelTransfer { id, file } => self.downloads.cancel(id, file),
        }
    }

    pub fn run_all(&mut self, effects: Vec<Effect>) {
        for e in effects {
            self.run(e);
        }
    }

    /// Requests still running.
    pub fn running(&self) -> usize {
        self.running.values().filter(|h| !h.is_finished()).count()
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        for h in self.running.values() {
            h.abort();
        }
    }
}
