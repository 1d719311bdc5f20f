//! What `update` asks the outside world to do. Workers ([`super::worker`]) run Effects and
//! answer with [`super::Msg`]s carrying the same [`RequestId`].

use super::app::RequestId;
use crate::conventions::Scope;

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Start a request; its results come back as Msgs with `id`.
    Load(Request),
    /// The user moved on: stop the request (its late Msgs are dropped anyway).
    Cancel(RequestId),
    /// Download selections of one job into a folder ([`super::Msg::TransferPlan`], then
    /// [`super::Msg::Transfer`] events).
    Download(DownloadRequest),
    /// Stop one file of a download request, or all of it (`file` None).
    CancelTransfer {
        id: RequestId,
        file: Option<crate::download::events::TransferId>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct DownloadRequest {
    pub id: RequestId,
    pub container: String,
    pub selections: Vec<crate::download::plan::Selection>,
    pub dir: String,
    pub overwrite: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub id: RequestId,
    pub kind: RequestKind,
}

/// Where to start reading a file for a preview.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Head,
    Tail,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RequestKind {
    /// Containers named `job-...`, page by page ([`super::Msg::Jobs`]).
    Jobs,
    /// The top level of a job's container: job-level kinds and task ids, page by page
    /// ([`super::Msg::JobRoot`]).
    JobRoot { container: String },
    /// The kinds found under one task ([`super::Msg::TaskKinds`]).
    TaskKinds { container: String, task: String },
    /// Count the files of one kind, page by page ([`super::Msg::KindCount`]).
    CountFiles {
        container: String,
        scope: Scope,
        kind: String,
    },
    /// The files of one kind, page by page ([`super::Msg::Files`]).
    Files {
        container: String,
        scope: Scope,
        kind: String,
    },
    /// At most `max` bytes of one blob, from its start or up to its end ([`super::Msg::Read`]).
    Read {
        container: String,
        blob: String,
        part: Part,
        max: u64,
    },
    /// The live log screen's requests (run by [`super::log_worker`]).
    Log(super::log_msg::LogRequest),
}

impl Effect {
    pub fn load(id: RequestId, kind: RequestKind) -> Effect {
        Effect::Load(Request { id, kind })
    }
}
