//! Every task's status for the job tree (worker: `workers/status.rs`, which scans the
//! container flat with metadata through [`crate::outputs::status`], as `batchout ls` does).
//! One Msg per listing page (coalesced: up to a page of tasks each), `done` on the last.

use crate::outputs::status::{Evidence, Status};
use std::time::Duration;
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq)]
pub struct StatusRequest {
    pub container: String,
}

/// One task's status and the figures its columns show. Judged by the worker (it reads the
/// clock; `update` does not), so ages are as of the page's arrival.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskStatus {
    /// Raw task id (the tree's `Name::raw`).
    pub task: String,
    pub status: Status,
    pub evidence: Evidence,
    /// Recorded by `batchout run` only, never invented.
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    pub duration: Option<Duration>,
    /// Time since the last write.
    pub idle: Option<Duration>,
    pub last_write: Option<OffsetDateTime>,
    pub stderr_len: Option<u64>,
    pub outputs: u64,
    pub output_bytes: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StatusMsg {
    /// The tasks one listing page completed.
    Tasks { tasks: Vec<TaskStatus>, done: bool },
}

impl StatusMsg {
    pub fn is_final(&self) -> bool {
        match self {
            StatusMsg::Tasks { done, .. } => *done,
        }
    }
}
