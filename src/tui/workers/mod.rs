//! Runs Effects as tokio tasks and sends their Msgs back on one channel: one file per
//! feature (the request and Msg types it shares with `update` are in
//! [`super::requests`]).
//!
//! Each request is a task of its own; [`Effect::Cancel`] aborts it (dropping its future
//! stops the store request), except a download, which is told to stop and still reports
//! how it ended. Late Msgs of a cancelled request are dropped by `update`.

pub mod download;
pub mod image;
pub mod listing;
pub mod log;
pub mod preview;
pub mod search;
pub mod status;

use super::effect::Effect;
use super::msg::Msg;
use super::requests::{Request, RequestId, RequestKind};
use crate::store::Store;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::AbortHandle;

pub use listing::Paging;

/// Sends one request's Msgs of one feature (`M`, wrapped into a [`Msg`] with the id).
pub struct Out<M> {
    id: RequestId,
    tx: UnboundedSender<Msg>,
    wrap: fn(RequestId, M) -> Msg,
}

impl<M> Out<M> {
    pub fn new(id: RequestId, tx: UnboundedSender<Msg>, wrap: fn(RequestId, M) -> Msg) -> Self {
        Out { id, tx, wrap }
    }
    /// False when the receiver is gone (stop working).
    pub fn send(&self, msg: M) -> bool {
        self.tx.send((self.wrap)(self.id, msg)).is_ok()
    }
    /// The request failed (its last Msg).
    pub fn fail(&self, error: String) {
        let _ = self.tx.send(Msg::Failed { id: self.id, error });
    }
}

pub struct Workers {
    store: Arc<dyn Store>,
    tx: UnboundedSender<Msg>,
    paging: Paging,
    /// Where job-wide searches keep their cache (None: `search::Cache::user()`).
    search_cache: Option<std::path::PathBuf>,
    running: HashMap<RequestId, AbortHandle>,
    /// Downloads stop through these rather than by abort (see [`download::Control`]).
    downloads: HashMap<RequestId, download::Control>,
    /// How images are drawn (None: images off, shown as hex). Half blocks unless the app
    /// sets the one probed from the terminal (`with_images`).
    images: Option<ratatui_image::picker::Picker>,
}

impl Workers {
    pub fn new(store: Arc<dyn Store>, tx: UnboundedSender<Msg>) -> Self {
        Workers {
            store,
            tx,
            paging: Paging::default(),
            search_cache: None,
            running: HashMap::new(),
            downloads: HashMap::new(),
            images: Some(ratatui_image::picker::Picker::halfblocks()),
        }
    }

    /// Draw images with `picker` (from [`crate::tui::picture::picker`]); None: no images.
    pub fn with_images(mut self, picker: Option<ratatui_image::picker::Picker>) -> Self {
        self.images = picker;
        self
    }

    /// Use smaller listing pages (tests and benchmarks show streaming with them).
    pub fn with_page_size(mut self, n: u32) -> Self {
        self.paging = Paging(Some(n));
        self
    }

    /// Keep the search cache in `dir` (tests keep it out of the user's cache folder).
    pub fn with_search_cache(mut self, dir: std::path::PathBuf) -> Self {
        self.search_cache = Some(dir);
        self
    }

    /// Start or cancel work. Must be called inside a tokio runtime.
    pub fn run(&mut self, effect: Effect) {
        self.running.retain(|_, h| !h.is_finished());
        self.downloads.retain(|id, _| self.running.contains_key(id));
        match effect {
            Effect::Load(req) => self.start(req),
            Effect::Cancel(id) => match self.downloads.get(&id) {
                Some(control) => control.cancel(None),
                None => {
                    if let Some(h) = self.running.remove(&id) {
                        h.abort();
                    }
                }
            },
            Effect::CancelFile { id, file } => {
                if let Some(control) = self.downloads.get(&id) {
                    control.cancel(Some(file));
                }
            }
        }
    }

    /// One arm per feature: its worker's `run` with an [`Out`] for its Msg variant.
    fn start(&mut self, Request { id, kind }: Request) {
        let (store, tx) = (self.store.clone(), self.tx.clone());
        let handle = match kind {
            RequestKind::Listing(req) => {
                let out = Out::new(id, tx, |id, msg| Msg::Listing { id, msg });
                tokio::spawn(listing::run(store, req, self.paging, out))
            }
            RequestKind::Preview(req) => {
                let out = Out::new(id, tx, |id, msg| Msg::Preview { id, msg });
                tokio::spawn(preview::run(store, req, self.images.clone(), out))
            }
            RequestKind::Fit(req) => {
                let out = Out::new(id, tx, |id, msg| Msg::Preview { id, msg });
                tokio::spawn(preview::fit(req, self.images.clone(), out))
            }
            RequestKind::Log(req) => {
                let out = Out::new(id, tx, |id, msg| Msg::Log { id, msg });
                tokio::spawn(log::run(store, req, out))
            }
            RequestKind::Download(req) => {
                let out = Out::new(id, tx, |id, msg| Msg::Download { id, msg });
                let control = download::Control::default();
                self.downloads.insert(id, control.clone());
                tokio::spawn(download::run(store, req, out, control))
            }
            RequestKind::Status(req) => {
                let out = Out::new(id, tx, |id, msg| Msg::Status { id, msg });
                tokio::spawn(status::run(store, req, self.paging, out))
            }
            RequestKind::Search(req) => {
                let out = Out::new(id, tx, |id, msg| Msg::Search { id, msg });
                let cache = match &self.search_cache {
                    Some(dir) => Some(crate::search::Cache::at(dir)),
                    None => crate::search::Cache::user(),
                };
                tokio::spawn(search::run(store, req, cache, out))
            }
        };
        self.running.insert(id, handle.abort_handle());
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
        // Leaving the browser stops the transfers (their temp files stay for a resume) and
        // every other request.
        for (id, h) in &self.running {
            match self.downloads.get(id) {
                Some(control) => control.cancel(None),
                None => h.abort(),
            }
        }
    }
}
