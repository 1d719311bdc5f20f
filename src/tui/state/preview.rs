//! A file's preview: a bounded head or tail read with ranged reads, never the whole blob.

use super::list::Filter;
use crate::text::encoding::TextEncoding;
use crate::tui::name::{contains_folded, Name};
use crate::tui::picture::{Fitted, ImageInfo, Picture};
use crate::tui::requests::preview::Chunk;
use crate::tui::requests::preview::Part;
use crate::tui::requests::RequestId;
use bytes::Bytes;

/// Longest line kept for display (a one-line 256 KiB JSON would otherwise be re-highlighted
/// in full on every frame).
pub const MAX_LINE_CHARS: usize = 4096;

#[derive(Debug, Clone, PartialEq)]
pub struct TextBody {
    /// Sanitized lines (tabs expanded, escape sequences removed).
    pub lines: Vec<String>,
    /// Byte range of the blob these lines come from.
    pub start: u64,
    pub end: u64,
    /// The blob's length when read.
    pub total: u64,
    /// The encoding the lines were decoded from (named on the status bar).
    pub encoding: TextEncoding,
    /// Chosen by the user (`e`) rather than detected.
    pub forced: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImageBody {
    pub info: ImageInfo,
    /// Kept to fit it again when the terminal is resized.
    pub picture: Picture,
    pub fitted: Fitted,
    /// A fit for a new size is on its way.
    pub refitting: Option<RequestId>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Loading,
    Text(TextBody),
    /// Shown as a hex dump, under `notice` if any (why an image was not decoded).
    Binary {
        data: Bytes,
        start: u64,
        total: u64,
        notice: Option<String>,
    },
    /// An image, decoded and fitted to the pane by the worker.
    Image(ImageBody),
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct PreviewState {
    pub container: String,
    pub blob: String,
    /// Path within its kind (also picks the syntax by extension).
    pub path: Name,
    /// `task › kind` (sanitized) for the header.
    pub place: String,
    pub part: Part,
    pub loading: Option<RequestId>,
    pub body: Body,
    /// First visible line (of `visible` when filtering).
    pub scroll: usize,
    pub hscroll: usize,
    pub filter: Filter,
    /// Line indices passing the filter; None shows every line.
    pub visible: Option<Vec<u32>>,
    /// The encoding chosen with `e` (None: detect it).
    pub forced: Option<TextEncoding>,
    /// The bytes last read, kept to decode them again in another encoding.
    pub chunk: Option<Chunk>,
    /// Opened from a search result: scroll to this line (0-based) once read, with this
    /// many lines of context above it.
    pub goto: Option<(usize, usize)>,
}

impl PreviewState {
    pub fn new(container: String, blob: String, path: Name, place: String) -> Self {
        PreviewState {
            container,
            blob,
            path,
            place,
            part: Part::Head,
            loading: None,
            body: Body::Loading,
            scroll: 0,
            hscroll: 0,
            filter: Filter::default(),
            visible: None,
            forced: None,
            chunk: None,
            goto: None,
        }
    }

    /// The fit of an image to a new size on its way, if any.
    pub fn refitting(&self) -> Option<RequestId> {
        match &self.body {
            Body::Image(i) => i.refitting,
            _ => None,
        }
    }

    /// Lines (or hex rows) that can be scrolled through.
    pub fn line_count(&self) -> usize {
        match (&self.body, &self.visible) {
            (Body::Text(_), Some(v)) => v.len(),
            (Body::Text(t), None) => t.lines.len(),
            (Body::Binary { data, .. }, _) => data.len().div_ceil(16),
            _ => 0,
        }
    }

    pub fn refilter(&mut self) {
        self.visible = match &self.body {
            Body::Text(t) if !self.filter.is_empty() => {
                let needle = self.filter.needle();
                Some(
                    (0..t.lines.len() as u32)
                        .filter(|&i| contains_folded(&t.lines[i as usize], &needle))
                        .collect(),
                )
            }
            _ => None,
        };
        self.scroll = 0;
    }

    pub fn clamp_scroll(&mut self, height: usize) {
        self.scroll = self
            .scroll
            .min(self.line_count().saturating_sub(height.max(1)));
    }
}
