//! Downloads from the browser (worker: `workers/download.rs`, the same domain code as
//! `batchout get`): plan, then download, forwarding every transfer event. Cancelling the
//! request ([`crate::tui::Effect::Cancel`]) stops it gracefully (the last event still
//! comes); [`crate::tui::Effect::CancelFile`] stops one file of it.

use crate::download::events::{TransferEvent, TransferId};
use crate::download::plan::Selection;

#[derive(Debug, Clone, PartialEq)]
pub struct DownloadRequest {
    pub container: String,
    pub selections: Vec<Selection>,
    pub dir: String,
    pub overwrite: bool,
}

/// One planned file, as the transfers panel shows it before it starts (name sanitized to a
/// display name by the worker).
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedRow {
    pub file: TransferId,
    pub name: String,
    pub len: u64,
    /// How to fetch just this file again (None when its name is refused).
    pub retry: Option<Selection>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DownloadMsg {
    /// What the request will fetch (its first Msg).
    Plan(Vec<PlannedRow>),
    /// Progress; `AllDone` is the request's last Msg.
    Event(TransferEvent),
}

impl DownloadMsg {
    /// Whether this is the request's last Msg.
    pub fn is_final(&self) -> bool {
        matches!(self, DownloadMsg::Event(TransferEvent::AllDone(_)))
    }
}
