//! What `update` asks the outside world to do. Workers ([`super::workers`]) run Effects and
//! answer with [`super::Msg`]s carrying the same [`RequestId`].

use super::requests::{Request, RequestId, RequestKind};
use crate::download::events::TransferId;

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Start a request; its results come back as Msgs with `id`.
    Load(Request),
    /// The user moved on: stop the request (its late Msgs are dropped anyway). A download
    /// stops gracefully and still reports how it ended.
    Cancel(RequestId),
    /// Stop one file of a download request (the rest goes on).
    CancelFile { id: RequestId, file: TransferId },
}

impl Effect {
    pub fn load(id: RequestId, kind: RequestKind) -> Effect {
        Effect::Load(Request { id, kind })
    }
}
