//! Turning a stream of log bytes into line pieces, with bounded memory.
//!
//! Bytes arrive in arbitrary chunks (ranged reads), so a line or a multi-byte character may
//! be split across reads: the splitter carries the unfinished part over. A line longer than
//! `max_piece` bytes (a 10 MB line without a newline) is cut into pieces at character
//! boundaries instead of being buffered whole, so memory stays bounded by `max_piece`.
//! Invalid UTF-8 becomes U+FFFD, one line at a time; it never poisons the next line.

/// A piece of a log line. Concatenating every piece's text, with a `\n` after each piece
/// that `ends_line`, gives back the log (for valid UTF-8 input, byte for byte).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinePiece {
    pub text: String,
    /// The piece ends at a newline; false for a cut long line or an idle partial line, whose
    /// rest follows in the next piece.
    pub ends_line: bool,
}

impl LinePiece {
    pub fn line(text: impl Into<String>) -> Self {
        LinePiece {
            text: text.into(),
            ends_line: true,
        }
    }
    pub fn partial(text: impl Into<String>) -> Self {
        LinePiece {
            text: text.into(),
            ends_line: false,
        }
    }
}

/// Default longest piece: long enough for any real log line, short enough to render.
pub const DEFAULT_MAX_PIECE: usize = 64 * 1024;

/// Splits bytes into [`LinePiece`]s; keeps at most `max_piece` bytes between calls.
#[derive(Debug, Clone)]
pub struct LineSplitter {
    carry: Vec<u8>,
    max_piece: usize,
}

impl Default for LineSplitter {
    fn default() -> Self {
        LineSplitter::new(DEFAULT_MAX_PIECE)
    }
}

impl LineSplitter {
    pub fn new(max_piece: usize) -> Self {
        // A piece must hold at least one whole character.
        LineSplitter {
            carry: Vec::new(),
            max_piece: max_piece.max(4),
        }
    }

    /// Bytes received but not yet returned (an unfinished line, at most `max_piece`).
    pub fn pending(&self) -> usize {
        self.carry.len()
    }

    /// Feed bytes; complete lines and full-size pieces of long lines go to `out`.
    pub fn push(&mut self, mut data: &[u8], out: &mut Vec<LinePiece>) {
        while !data.is_empty() {
            match data.iter().position(|&b| b == b'\n') {
                Some(i) => {
                    self.take(&data[..i], out);
                    out.push(LinePiece::line(lossy(&self.carry)));
                    self.carry.clear();
                    data = &data[i + 1..];
                }
                None => {
                    self.take(data, out);
                    break;
                }
            }
        }
    }

    /// Return the unfinished line as a partial piece (when the log went idle or ended),
    /// keeping back only an incomplete trailing character, which the next bytes complete.
    pub fn flush_partial(&mut self) -> Option<LinePiece> {
        let cut = utf8_safe_cut(&self.carry);
        if cut == 0 {
            return None;
        }
        let piece = LinePiece::partial(lossy(&self.carry[..cut]));
        self.carry.drain(..cut);
        Some(piece)
    }

    /// Everything left, even an incomplete character (the stream is over or was reset).
    pub fn finish(&mut self) -> Option<LinePiece> {
        if self.carry.is_empty() {
            return None;
        }
        let piece = LinePiece::partial(lossy(&self.carry));
        self.carry.clear();
        Some(piece)
    }

    /// Append a segment without newlines, emitting a piece each time the carry is full.
    fn take(&mut self, mut seg: &[u8], out: &mut Vec<LinePiece>) {
        while !seg.is_empty() {
            let room = self.max_piece - self.carry.len();
            let n = room.min(seg.len());
            self.carry.extend_from_slice(&seg[..n]);
            seg = &seg[n..];
            if self.carry.len() >= self.max_piece {
                let cut = match utf8_safe_cut(&self.carry) {
                    0 => self.carry.len(),
                    c => c,
                };
                out.push(LinePiece::partial(lossy(&self.carry[..cut])));
                self.carry.drain(..cut);
            }
        }
    }
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The longest prefix of `buf` that does not end inside an incomplete UTF-8 sequence.
/// Invalid bytes count as complete (they become U+FFFD either way).
pub fn utf8_safe_cut(buf: &[u8]) -> usize {
    let len = buf.len();
    // A sequence is at most 4 bytes: look for its lead byte among the last 4.
    for back in 1..=len.min(4) {
        let i = len - back;
        let b = buf[i];
        if b & 0xC0 == 0x80 {
            continue; // continuation byte: the lead is further back
        }
        let need = match b {
            0x00..=0x7F => 1,
            0xC2..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF4 => 4,
            _ => 1, // invalid lead byte: stands alone
        };
        return if back < need { i } else { len };
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_all(chunks: &[&[u8]], max: usize) -> Vec<LinePiece> {
        let mut s = LineSplitter::new(max);
        let mut out = Vec::new();
        for c in chunks {
            s.push(c, &mut out);
        }
        out.extend(s.finish());
        out
    }

    fn rejoin(pieces: &[LinePiece]) -> String {
        let mut s = String::new();
        for p in pieces {
            s.push_str(&p.text);
            if p.ends_line {
                s.push('\n');
            }
        }
        s
    }

    #[test]
    fn lines_split_across_chunks_are_carried() {
        let out = split_all(&[b"ab", b"c\nde", b"f\n\ng"], 1024);
        assert_eq!(
            out,
            vec![
                LinePiece::line("abc"),
                LinePiece::line("def"),
                LinePiece::line(""),
                LinePiece::partial("g")
            ]
        );
    }

    #[test]
    fn multibyte_char_split_between_reads_survives() {
        let text = "grüße ✓ 🦀\n";
        let bytes = text.as_bytes();
        for cut in 0..bytes.len() {
            let out = split_all(&[&bytes[..cut], &bytes[cut..]], 1024);
            assert_eq!(rejoin(&out), text, "cut at {cut}");
        }
    }

    #[test]
    fn long_line_is_cut_at_char_boundaries_with_bounded_carry() {
        let line = "é".repeat(10_000) + "\n"; // 20,000 bytes, 2-byte chars
        let mut s = LineSplitter::new(1001);
        let mut out = Vec::new();
        for chunk in line.as_bytes().chunks(777) {
            s.push(chunk, &mut out);
            assert!(s.pending() <= 1001);
        }
        assert!(out.len() > 19);
        assert!(out
            .iter()
            .all(|p| p.text.len() <= 1001 && !p.text.contains('\u{FFFD}')));
        assert_eq!(rejoin(&out), line);
    }

    #[test]
    fn invalid_utf8_is_replaced_per_line() {
        let out = split_all(&[b"ok\n\xff\xfebad\nfine\n"], 1024);
        assert_eq!(out[0].text, "ok");
        assert_eq!(out[1].text, "\u{FFFD}\u{FFFD}bad");
        assert_eq!(out[2].text, "fine");
    }

    #[test]
    fn flush_partial_keeps_an_incomplete_char_back() {
        let mut s = LineSplitter::new(1024);
        let mut out = Vec::new();
        let crab = "🦀".as_bytes();
        s.push(b"half ", &mut out);
        s.push(&crab[..2], &mut out);
        assert_eq!(s.flush_partial(), Some(LinePiece::partial("half ")));
        s.push(&crab[2..], &mut out);
        s.push(b"\n", &mut out);
        assert_eq!(out, vec![LinePiece::line("🦀")]);
    }

    #[test]
    fn safe_cut_edges() {
        assert_eq!(utf8_safe_cut(b""), 0);
        assert_eq!(utf8_safe_cut(b"abc"), 3);
        assert_eq!(utf8_safe_cut(&[b'a', 0xE2, 0x9C]), 1);
        assert_eq!(utf8_safe_cut(&[b'a', 0xE2, 0x9C, 0x93]), 4);
        assert_eq!(utf8_safe_cut(&[0x80, 0x80, 0x80, 0x80, 0x80]), 5);
        assert_eq!(utf8_safe_cut(&[b'a', 0xFF]), 2);
    }
}
