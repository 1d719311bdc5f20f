//! Background work, one shape for every feature: `update` asks with a [`Request`] (a fresh
//! [`RequestId`] and a [`RequestKind`]), a worker in [`super::workers`] answers with
//! [`super::Msg`]s carrying the same id.
//!
//! Each feature has one file here with what `update` and its worker share: `XRequest` (what
//! to do), `XMsg` (what came back) and their data types. `update` and views import these
//! files, never a worker.
//!
//! | feature | request | answers | worker |
//! | --- | --- | --- | --- |
//! | [`listing`] | jobs, a job's top level, a task's kinds, count or list a kind's files | pages, `done` on the last | `workers/listing.rs` |
//! | [`preview`] | the head or tail of one file; fit an image to a new size (`Fit`) | one chunk or image; the image fitted | `workers/preview.rs` |
//! | [`log`] | follow a log (until cancelled), older lines, save | batches, older lines, saved | `workers/log.rs` |
//! | [`download`] | download selections of one job into a folder | the plan, then transfer events | `workers/download.rs` |
//! | [`status`] | every task's status in a job (flat scan with metadata) | judged tasks per page, `done` on the last | `workers/status.rs` |
//! | [`search`] | search a job's TaskLog files for a pattern | files, batches of hits and counts, finished | `workers/search.rs` |

pub mod download;
pub mod listing;
pub mod log;
pub mod preview;
pub mod search;
pub mod status;

use std::collections::BTreeSet;

pub use download::{DownloadMsg, DownloadRequest};
pub use listing::{ListingMsg, ListingRequest};
pub use log::{LogMsg, LogRequest};
pub use preview::{FitRequest, PreviewMsg, PreviewRequest};
pub use search::{SearchMsg, SearchRequest};
pub use status::{StatusMsg, StatusRequest};

/// Names one request from `update` to a worker and its answers back.
pub type RequestId = u64;

/// One piece of background work, as `update` asks for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub id: RequestId,
    pub kind: RequestKind,
}

/// What to do, one variant per feature (its worker: the file of the same name in
/// `tui/workers/`).
#[derive(Debug, Clone, PartialEq)]
pub enum RequestKind {
    Listing(ListingRequest),
    Preview(PreviewRequest),
    /// Fit a decoded image to the resized preview pane (answered as `Msg::Preview`).
    Fit(FitRequest),
    Log(LogRequest),
    Download(DownloadRequest),
    Status(StatusRequest),
    Search(SearchRequest),
}

/// Request ids in flight (the spinner turns while this is not empty).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Requests {
    next: RequestId,
    pub in_flight: BTreeSet<RequestId>,
}

impl Requests {
    pub fn start(&mut self) -> RequestId {
        self.next += 1;
        self.in_flight.insert(self.next);
        self.next
    }
    pub fn finish(&mut self, id: RequestId) -> bool {
        self.in_flight.remove(&id)
    }
}
