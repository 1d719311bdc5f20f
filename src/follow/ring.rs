//! A bounded buffer of log lines for views: the newest lines win, memory stays bounded.
//!
//! Pieces of one line (a cut long line, a line shown before it was finished) are joined
//! back into one line as long as it stays under `max_line` bytes. Lines are bounded both in
//! count and in bytes; the oldest are dropped first. Older parts loaded on demand go in
//! front, as far as the bounds allow.

use super::lines::LinePiece;
use std::collections::VecDeque;

/// One line of a view: text (not yet sanitized), its source, and whether it is still open
/// (its end has not arrived yet) or a notice from batchout rather than log text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RingLine {
    pub source: usize,
    pub text: String,
    pub open: bool,
    pub notice: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRing {
    lines: VecDeque<RingLine>,
    bytes: usize,
    max_lines: usize,
    max_bytes: usize,
    max_line: usize,
}

impl Default for LineRing {
    /// 100,000 lines or 32 MiB, lines joined up to 64 KiB.
    fn default() -> Self {
        LineRing::new(100_000, 32 * 1024 * 1024, 64 * 1024)
    }
}

impl LineRing {
    pub fn new(max_lines: usize, max_bytes: usize, max_line: usize) -> Self {
        LineRing {
            lines: VecDeque::new(),
            bytes: 0,
            max_lines: max_lines.max(1),
            max_bytes,
            max_line,
        }
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
    pub fn get(&self, i: usize) -> Option<&RingLine> {
        self.lines.get(i)
    }
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &RingLine> + ExactSizeIterator {
        self.lines.iter()
    }
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Add a new piece at the end; returns how many old lines were dropped from the front.
    pub fn push_piece(&mut self, source: usize, piece: LinePiece) -> usize {
        if let Some(last) = self.lines.back_mut() {
            if last.open
                && !last.notice
                && last.source == source
                && last.text.len() + piece.text.len() <= self.max_line
            {
                self.bytes += piece.text.len();
                last.text.push_str(&piece.text);
                last.open = !piece.ends_line;
                return self.evict();
            }
        }
        self.push_line(RingLine {
            source,
            text: piece.text,
            open: !piece.ends_line,
            notice: false,
        })
    }

    /// Add a notice line (shown differently from log text).
    pub fn push_notice(&mut self, source: usize, text: String) -> usize {
        self.push_line(RingLine {
            source,
            text,
            open: false,
            notice: true,
        })
    }

    /// Put older pieces in front of everything. Returns how many lines were added, and
    /// false when the bounds cut them short (the view should stop loading older parts).
    pub fn push_front(&mut self, source: usize, pieces: Vec<LinePiece>) -> (usize, bool) {
        let mut joined: Vec<RingLine> = Vec::new();
        for p in pieces {
            match joined.last_mut() {
                Some(l) if l.open && l.text.len() + p.text.len() <= self.max_line => {
                    l.text.push_str(&p.text);
                    l.open = !p.ends_line;
                }
                _ => joined.push(RingLine {
                    source,
                    text: p.text,
                    open: !p.ends_line,
                    notice: false,
                }),
            }
        }
        let mut added = 0;
        for line in joined.into_iter().rev() {
            if self.lines.len() + 1 > self.max_lines
                || self.bytes + line.text.len() > self.max_bytes
            {
                return (added, false);
            }
            self.bytes += line.text.len();
            // An older line is complete by construction: the shown part starts after it.
            self.lines.push_front(RingLine {
                open: false,
                ..line
            });
            added += 1;
        }
        (added, true)
    }

    /// Drop every line (a reload of a single log).
    pub fn clear(&mut self) {
        self.lines.clear();
        self.bytes = 0;
    }

    /// Drop the lines of one source (a reload of one log of a merged stream).
    pub fn clear_source(&mut self, source: usize) {
        self.lines.retain(|l| l.notice || l.source != source);
        self.bytes = self.lines.iter().map(|l| l.text.len()).sum();
    }

    fn push_line(&mut self, line: RingLine) -> usize {
        self.bytes += line.text.len();
        self.lines.push_back(line);
        self.evict()
    }

    fn evict(&mut self) -> usize {
        let mut dropped = 0;
        while self.lines.len() > 1
            && (self.lines.len() > self.max_lines || self.bytes > self.max_bytes)
        {
            if let Some(l) = self.lines.pop_front() {
                self.bytes -= l.text.len();
                dropped += 1;
            }
        }
        dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_join_until_the_line_ends() {
        let mut r = LineRing::new(10, 1000, 100);
        r.push_piece(0, LinePiece::partial("ab"));
        r.push_piece(1, LinePiece::line("other"));
        r.push_piece(0, LinePiece::partial("x"));
        r.push_piece(0, LinePiece::line("y"));
        r.push_piece(0, LinePiece::line("z"));
        let texts: Vec<_> = r.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["ab", "other", "xy", "z"]);
        assert!(r.get(0).unwrap().open);
        assert!(!r.get(2).unwrap().open);
    }

    #[test]
    fn bounded_by_lines_and_bytes() {
        let mut r = LineRing::new(3, 1000, 100);
        let mut dropped = 0;
        for i in 0..10 {
            dropped += r.push_piece(0, LinePiece::line(format!("{i}")));
        }
        assert_eq!(dropped, 7);
        assert_eq!(
            r.iter().map(|l| l.text.clone()).collect::<Vec<_>>(),
            ["7", "8", "9"]
        );
        let mut r = LineRing::new(100, 10, 100);
        for _ in 0..5 {
            r.push_piece(0, LinePiece::line("abcd"));
        }
        assert!(r.bytes() <= 10);
        assert_eq!(r.len(), 2);
    }

    #[test]
    fn long_line_pieces_split_at_max_line() {
        let mut r = LineRing::new(100, 1000, 4);
        for _ in 0..4 {
            r.push_piece(0, LinePiece::partial("ab"));
        }
        r.push_piece(0, LinePiece::line(""));
        assert_eq!(
            r.iter().map(|l| l.text.as_str()).collect::<Vec<_>>(),
            ["abab", "abab"]
        );
    }

    #[test]
    fn older_lines_go_in_front_within_bounds() {
        let mut r = LineRing::new(4, 1000, 100);
        r.push_piece(0, LinePiece::line("c"));
        let (added, all) = r.push_front(0, vec![LinePiece::line("a"), LinePiece::line("b")]);
        assert_eq!((added, all), (2, true));
        let (added, all) = r.push_front(0, vec![LinePiece::line("y"), LinePiece::line("z")]);
        assert_eq!((added, all), (1, false));
        assert_eq!(
            r.iter().map(|l| l.text.as_str()).collect::<Vec<_>>(),
            ["z", "a", "b", "c"]
        );
    }
}
