//! The live log screen: a bounded buffer of sanitized lines from one log or a merged
//! stream, and how the user looks at it (follow, scroll, wrap, search).
//!
//! Lines are sanitized once, when they arrive, so views and search only see safe text.
//! `scroll` is the first visible line while not following; while following, the view is
//! anchored to the bottom (see [`LogState::top_line`]).

use super::list::Filter;
use crate::follow::ring::{LineRing, RingLine};
use crate::tui::name::contains_folded;
use crate::tui::requests::log::LogTarget;
use crate::tui::requests::RequestId;
use std::path::PathBuf;
use unicode_width::UnicodeWidthChar;

/// Display width of a character in a log line (controls are already gone).
pub fn char_width(c: char) -> usize {
    c.width().unwrap_or(0)
}

/// Where wrapped rows start (character indexes after the first row), for characters of
/// these widths in `width` columns. Views and scrolling share it, so they agree.
pub fn row_breaks(widths: impl Iterator<Item = usize>, width: usize) -> Vec<usize> {
    let mut breaks = Vec::new();
    let mut col = 0;
    for (i, w) in widths.enumerate() {
        if col + w > width && col > 0 {
            breaks.push(i);
            col = 0;
        }
        col += w;
    }
    breaks
}

/// A source's prefix (sanitized) and colour index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLabel {
    pub label: String,
    pub colour: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LogState {
    pub container: String,
    pub target: LogTarget,
    /// Shown in the border (sanitized).
    pub title: String,
    pub follow_id: Option<RequestId>,
    pub older_id: Option<RequestId>,
    pub save_id: Option<RequestId>,
    pub lines: LineRing,
    pub sources: Vec<SourceLabel>,
    /// Offset of the oldest shown byte of a single log (0: shown from its start).
    pub older_start: u64,
    /// The buffer is full: no more older parts are loaded.
    pub older_full: bool,
    /// The first poll arrived.
    pub opened: bool,
    /// First visible line while not following.
    pub scroll: usize,
    /// Auto-scroll: the newest lines stay in view.
    pub follow: bool,
    pub wrap: bool,
    pub hscroll: usize,
    pub search: Filter,
    /// Line of the current search match.
    pub found: Option<usize>,
    /// The last notice (reload, save, problem), one line, sanitized.
    pub status: Option<String>,
    /// Following stopped with this error.
    pub failed: Option<String>,
    /// Where `s` saves (None: the current folder).
    pub save_dir: Option<PathBuf>,
}

impl LogState {
    pub fn new(container: &str, target: LogTarget, title: &str) -> Self {
        LogState {
            container: container.to_string(),
            target,
            title: crate::text::sanitize(title).into_owned(),
            follow_id: None,
            older_id: None,
            save_id: None,
            lines: LineRing::default(),
            sources: Vec::new(),
            older_start: 0,
            older_full: false,
            opened: false,
            scroll: 0,
            follow: true,
            wrap: false,
            hscroll: 0,
            search: Filter::default(),
            found: None,
            status: None,
            failed: None,
            save_dir: None,
        }
    }

    /// Lines of merged streams carry their source's prefix.
    pub fn prefixed(&self) -> bool {
        !self.target.is_single()
    }

    pub fn label(&self, line: &RingLine) -> Option<&SourceLabel> {
        if self.prefixed() {
            self.sources.get(line.source)
        } else {
            None
        }
    }

    /// Whether scrolling up can load an older part.
    pub fn can_load_older(&self) -> bool {
        self.target.is_single()
            && self.opened
            && self.older_start > 0
            && !self.older_full
            && self.older_id.is_none()
    }

    /// Screen rows a line takes (more than one only when wrapping).
    pub fn rows_of(&self, line: &RingLine, width: usize) -> usize {
        if !self.wrap || width == 0 {
            return 1;
        }
        let prefix = self
            .label(line)
            .map(|l| format!("{} ", l.label))
            .unwrap_or_default();
        let widths = prefix.chars().chain(line.text.chars()).map(char_width);
        row_breaks(widths, width).len() + 1
    }

    /// The first line of the last screenful.
    pub fn bottom_top(&self, height: usize, width: usize) -> usize {
        let len = self.lines.len();
        if !self.wrap {
            return len.saturating_sub(height.max(1));
        }
        let mut rows = 0;
        let mut top = len;
        for (i, line) in self.lines.iter().enumerate().rev() {
            rows += self.rows_of(line, width);
            if rows > height.max(1) {
                break;
            }
            top = i;
        }
        top.min(len.saturating_sub(1))
    }

    /// The first visible line.
    pub fn top_line(&self, height: usize, width: usize) -> usize {
        let bottom = self.bottom_top(height, width);
        if self.follow {
            bottom
        } else {
            self.scroll.min(bottom)
        }
    }

    /// The next line (after `from`, or before it going backwards) matching the search,
    /// wrapping around the buffer.
    pub fn find(&self, from: usize, forward: bool, include_from: bool) -> Option<usize> {
        let needle = self.search.needle();
        let len = self.lines.len();
        if needle.is_empty() || len == 0 {
            return None;
        }
        let from = from.min(len - 1);
        let matches = |i: usize| {
            self.lines
                .get(i)
                .is_some_and(|l| !l.notice && contains_folded(&l.text, &needle))
        };
        let start = if include_from { 0 } else { 1 };
        (start..=len)
            .map(|k| {
                if forward {
                    (from + k) % len
                } else {
                    (from + len - k % len) % len
                }
            })
            .find(|&i| matches(i))
    }
}
