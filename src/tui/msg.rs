//! Results coming back from workers: one variant per feature (its `XMsg` lives in
//! [`super::requests`]), plus [`Msg::Failed`] for any request. Every Msg names the request
//! it answers; `update` drops a Msg whose request is no longer wanted (the user moved on).
//!
//! Strings here are raw (as stored); `update` wraps them in [`super::name::Name`] before any
//! view can see them.

use super::requests::{
    DownloadMsg, ListingMsg, LogMsg, PreviewMsg, RequestId, SearchMsg, StatusMsg,
};

#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Listing {
        id: RequestId,
        msg: ListingMsg,
    },
    Preview {
        id: RequestId,
        msg: PreviewMsg,
    },
    Log {
        id: RequestId,
        msg: LogMsg,
    },
    Download {
        id: RequestId,
        msg: DownloadMsg,
    },
    Status {
        id: RequestId,
        msg: StatusMsg,
    },
    Search {
        id: RequestId,
        msg: SearchMsg,
    },
    /// The request failed (its last Msg); the message is one line and safe to show after
    /// sanitizing.
    Failed {
        id: RequestId,
        error: String,
    },
}

impl Msg {
    pub fn id(&self) -> RequestId {
        match self {
            Msg::Listing { id, .. }
            | Msg::Preview { id, .. }
            | Msg::Log { id, .. }
            | Msg::Download { id, .. }
            | Msg::Status { id, .. }
            | Msg::Search { id, .. }
            | Msg::Failed { id, .. } => *id,
        }
    }
    /// Whether this is the request's last Msg.
    pub fn is_final(&self) -> bool {
        match self {
            Msg::Listing { msg, .. } => msg.is_final(),
            Msg::Preview { msg, .. } => msg.is_final(),
            Msg::Log { msg, .. } => msg.is_final(),
            Msg::Download { msg, .. } => msg.is_final(),
            Msg::Status { msg, .. } => msg.is_final(),
            Msg::Search { msg, .. } => msg.is_final(),
            Msg::Failed { .. } => true,
        }
    }
}
