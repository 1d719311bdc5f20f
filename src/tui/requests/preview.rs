//! The preview screen's read (worker: `workers/preview.rs`): at most `max` bytes of one
//! blob, from its start or up to its end, answered with one [`PreviewMsg`]; an image is read
//! whole (within [`crate::tui::picture::MAX_IMAGE_BYTES`]), decoded and fitted to `cells`.
//! [`FitRequest`] fits an image already decoded to a new size (the terminal was resized).

use crate::tui::picture::{Fitted, ImageInfo, Picture};
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
    /// The preview pane's inside (columns, rows): an image is fitted to it.
    pub cells: (u16, u16),
}

/// Fit a decoded image to the preview pane's new inside (columns, rows).
#[derive(Debug, Clone, PartialEq)]
pub struct FitRequest {
    pub picture: Picture,
    pub cells: (u16, u16),
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
    /// An image, decoded and fitted (the request's only Msg).
    Image {
        info: ImageInfo,
        picture: Picture,
        fitted: Fitted,
    },
    /// An image that is not decoded, and why (too large, a bomb, corrupt); `chunk` is its
    /// head, shown as a hex dump under the reason.
    ImageRefused { reason: String, chunk: Chunk },
    /// A [`FitRequest`]'s answer.
    Fitted(Fitted),
}

impl PreviewMsg {
    /// Whether this is the request's last Msg.
    pub fn is_final(&self) -> bool {
        true
    }
}
