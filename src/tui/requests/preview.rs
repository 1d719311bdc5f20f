//! The preview screen's read (worker: `workers/preview.rs`): at most `max` bytes of one
//! blob, from its start or up to its end, answered with one [`PreviewMsg`].

use bytes::Bytes;

/// Where to start reading a file for a preview.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Head,
    Tail,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PreviewRequest {
    pub container: String,
    pub blob: String,
    pub part: Part,
    pub max: u64,
}

/// Bytes of a blob and where they sit in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Chunk {
    pub data: Bytes,
    /// Offset of `data[0]` in the blob.
    pub start: u64,
    /// The blob's whole length when it was read.
    pub total: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PreviewMsg {
    /// The bytes read (the request's only Msg).
    Read(Chunk),
}

impl PreviewMsg {
    /// Whether this is the request's last Msg.
    pub fn is_final(&self) -> bool {
        true
    }
}
