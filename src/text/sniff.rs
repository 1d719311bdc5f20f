//! What a file's first bytes are (text or binary), and text bytes as display lines, for
//! previews. Pure: no I/O, no UI.

use super::encoding::{self, TextEncoding};
use super::sanitize_line;

/// Text or binary? NUL bytes, or many bytes that are neither UTF-8 text nor common
/// whitespace, in the first 8 KiB mean binary (what `file` and git do, roughly).
pub fn looks_binary(data: &[u8]) -> bool {
    let sample = &data[..data.len().min(8192)];
    if sample.contains(&0) {
        return true;
    }
    let text = String::from_utf8_lossy(sample);
    let odd = text
        .chars()
        .filter(|&c| {
            c == '\u{FFFD}'
                || (c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{1b}' | '\u{c}'))
        })
        .count();
    odd * 10 > text.chars().count().max(1)
}

/// Text bytes in `enc` as lines safe to show: decoded (invalid bytes replaced), escape
/// sequences and controls neutralised, CRLF ends dropped, a line rewritten with carriage
/// returns shown in its last state, each line cut to `max_chars` (with `…`). With
/// `skip_partial`, the text up to the first newline is skipped (a read that starts
/// mid-line). Returns the bytes skipped and the lines.
pub fn text_lines(
    data: &[u8],
    enc: TextEncoding,
    skip_partial: bool,
    max_chars: usize,
) -> (usize, Vec<String>) {
    let text = encoding::decode(data, enc);
    let (skip, text) = match skip_partial {
        true => match text.find('\n') {
            Some(p) => (
                enc.bom_len(data) + encoded_len(&text[..p + 1], enc),
                &text[p + 1..],
            ),
            None => (0, &text[..]),
        },
        false => (0, &text[..]),
    };
    let mut raw: Vec<&str> = text.split('\n').collect();
    if raw.last() == Some(&"") {
        raw.pop();
    }
    let lines = raw
        .into_iter()
        .map(|l| {
            let clean = sanitize_line(&encoding::last_state(l)).into_owned();
            match clean.char_indices().nth(max_chars) {
                Some((cut, _)) => format!("{}…", &clean[..cut]),
                None => clean,
            }
        })
        .collect();
    (skip, lines)
}

/// Bytes `text` took in `enc` (exact for valid input; used to report where lines start).
fn encoded_len(text: &str, enc: TextEncoding) -> usize {
    match enc {
        TextEncoding::Utf8 | TextEncoding::Utf8Bom => text.len(),
        TextEncoding::Utf16Le | TextEncoding::Utf16Be => text.encode_utf16().count() * 2,
        TextEncoding::Windows1252 => text.chars().count(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_with_colour_codes_and_tabs_is_text() {
        assert!(!looks_binary(b"\x1b[32mok\x1b[0m\tdone\r\n"));
        assert!(!looks_binary("héllo wörld\n".as_bytes()));
        assert!(!looks_binary(b""));
    }

    #[test]
    fn a_nul_or_many_odd_bytes_mean_binary() {
        assert!(looks_binary(b"PNG\x00\x01"));
        assert!(looks_binary(&[0xff, 0xfe, 0x81, 0x02, 0x03, b'a']));
        // A few stray bytes in a long text stay text.
        let mut mostly = b"a line of text\n".repeat(20);
        mostly.push(0xff);
        assert!(!looks_binary(&mostly));
    }

    #[test]
    fn only_the_first_8_kib_are_sniffed() {
        let mut data = vec![b'a'; 8192];
        data.push(0);
        assert!(!looks_binary(&data));
    }

    #[test]
    fn lines_are_split_sanitized_and_cut() {
        let (skip, lines) = text_lines(
            b"one\n\x1b]0;title\x07two\nthree and more\n",
            TextEncoding::Utf8,
            false,
            5,
        );
        assert_eq!(skip, 0);
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0], "one");
        assert!(
            !lines[1].contains('\x1b') && !lines[1].contains('\x07'),
            "{:?}",
            lines[1]
        );
        assert_eq!(lines[2], "three…");
    }

    #[test]
    fn a_partial_first_line_is_skipped_on_request() {
        let (skip, lines) = text_lines(b"tial\nwhole\nlast", TextEncoding::Utf8, true, 100);
        assert_eq!(skip, 5);
        assert_eq!(lines, ["whole", "last"]);
        let (skip, lines) = text_lines(b"no newline at all", TextEncoding::Utf8, true, 100);
        assert_eq!(skip, 0, "nothing to skip to: keep it");
        assert_eq!(lines, ["no newline at all"]);
    }

    #[test]
    fn invalid_utf8_is_replaced_not_dropped() {
        let (_, lines) = text_lines(b"caf\xe9\n", TextEncoding::Utf8, false, 100);
        assert_eq!(lines, ["caf\u{FFFD}"]);
    }

    #[test]
    fn utf16_lines_skip_by_bytes_and_progress_bars_show_their_end() {
        let bytes: Vec<u8> = "cut\r\nframe 1\r\n 10%\r 99%\r100%\r\n"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        let (skip, lines) = text_lines(&bytes, TextEncoding::Utf16Le, true, 100);
        assert_eq!(skip, 10, "\"cut\\r\\n\" is 5 UTF-16 units");
        assert_eq!(lines, ["frame 1", "100%"]);
    }
}
