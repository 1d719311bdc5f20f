//! Results coming back from workers. Every Msg names the request it answers; `update` drops
//! a Msg whose request is no longer wanted (the user moved on).
//!
//! Strings here are raw (as stored); `update` wraps them in [`super::name::Name`] before any
//! view can see them.

use super::app::RequestId;
use super::state::PlannedRow;
use crate::download::events::TransferEvent;
use bytes::Bytes;
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq)]
pub struct JobEntry {
    pub container: String,
    /// The original job id, from container metadata, when batchout recorded it.
    pub job_id: Option<String>,
    pub modified: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FileEntry {
    pub blob: String,
    /// Path within the kind (the blob name minus the kind prefix).
    pub path: String,
    pub len: u64,
    pub modified: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Chunk {
    pub data: Bytes,
    /// Offset of `data[0]` in the blob.
    pub start: u64,
    /// The blob's whole length when it was read.
    pub total: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    /// One page of jobs; `done` on the last one.
    Jobs {
        id: RequestId,
        jobs: Vec<JobEntry>,
        done: bool,
    },
    /// One page of a job's top level.
    JobRoot {
        id: RequestId,
        job_kinds: Vec<String>,
        tasks: Vec<String>,
        done: bool,
    },
    /// Kinds found under a task (one page).
    TaskKinds {
        id: RequestId,
        kinds: Vec<String>,
        done: bool,
    },
    /// Files counted in one more page of a kind (add to the running count).
    KindCount {
        id: RequestId,
        added: u64,
        done: bool,
    },
    /// One page of a kind's files.
    Files {
        id: RequestId,
        files: Vec<FileEntry>,
        done: bool,
    },
    /// Bytes of a file for the preview.
    Read { id: RequestId, chunk: Chunk },
    /// News for the live log screen (a follow request sends many).
    Log {
        id: RequestId,
        msg: super::log_msg::LogMsg,
    },
    /// The request failed; the message is one line and safe to show after sanitizing.
    Failed { id: RequestId, error: String },
    /// What a download request will fetch (see `state::downloads`).
    TransferPlan {
        id: RequestId,
        rows: Vec<PlannedRow>,
    },
    /// Progress of a download request; `AllDone` is its last Msg.
    Transfer { id: RequestId, event: TransferEvent },
}

impl Msg {
    pub fn id(&self) -> RequestId {
        match self {
            Msg::Jobs { id, .. }
            | Msg::JobRoot { id, .. }
            | Msg::TaskKinds { id, .. }
            | Msg::KindCount { id, .. }
            | Msg::Files { id, .. }
            | Msg::Read { id, .. }
            | Msg::Log { id, .. }
            | Msg::Failed { id, .. }
            | Msg::TransferPlan { id, .. }
            | Msg::Transfer { id, .. } => *id,
        }
    }
    /// Whether this is the request's last Msg.
    pub fn is_final(&self) -> bool {
        match self {
            Msg::Jobs { done, .. }
            | Msg::JobRoot { done, .. }
            | Msg::TaskKinds { done, .. }
            | Msg::KindCount { done, .. }
            | Msg::Files { done, .. } => *done,
            // A follow request keeps sending; its screen keeps owning the id, so counting
            // it as answered only stops the spinner.
            Msg::Read { .. } | Msg::Log { .. } | Msg::Failed { .. } => true,
            Msg::TransferPlan { .. } => false,
            Msg::Transfer { event, .. } => matches!(event, TransferEvent::AllDone(_)),
        }
    }
}
