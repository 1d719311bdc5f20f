//! Terminal safety for text that comes from storage (blob names, metadata, file contents).
//!
//! Anything a task wrote can end up on an operator's screen, so nothing from storage may
//! reach the terminal as a control sequence: a hostile or merely colourful log could
//! otherwise move the cursor, retitle the window, write to the clipboard (OSC 52), hide
//! lines or reorder text with bidi overrides ("Trojan Source"). These functions remove
//! escape sequences whole (CSI, OSC, DCS, SOS/PM/APC, two-byte ESC sequences, and their
//! 8-bit C1 forms) and replace every other control or bidi-control character with a
//! visible U+FFFD, so that what was removed is still noticeable.

use std::borrow::Cow;

/// Shown in place of a control character that is not part of a recognised sequence.
pub const REPLACEMENT: char = '\u{FFFD}';

/// Tab stops used by [`sanitize_line`].
pub const TAB_WIDTH: usize = 8;

/// Clean a name or one-line value: escape sequences removed, control and bidi characters
/// (tabs and newlines included) replaced by U+FFFD. Borrowed when nothing needed cleaning.
pub fn sanitize(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_cleaning) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(clean(s, false))
}

/// Clean one line of file content for display: like [`sanitize`], but tabs are expanded to
/// the next multiple of [`TAB_WIDTH`] columns, and a trailing `\r` (CRLF files) is dropped.
pub fn sanitize_line(s: &str) -> Cow<'_, str> {
    let s = s.strip_suffix('\r').unwrap_or(s);
    if !s.chars().any(needs_cleaning) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(clean(s, true))
}

/// Bytes to safe text: invalid UTF-8 becomes U+FFFD, then [`sanitize`].
pub fn sanitize_bytes(b: &[u8]) -> String {
    sanitize(&String::from_utf8_lossy(b)).into_owned()
}

fn needs_cleaning(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// Characters that change the display order of text around them.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// What the scanner is inside of.
#[derive(Clone, Copy, PartialEq)]
enum In {
    Text,
    /// After ESC, waiting for the byte that says which sequence this is.
    Escape,
    /// ESC followed by intermediate bytes (0x20..=0x2F), e.g. `ESC ( B`: ends at 0x30..=0x7E.
    EscIntermediate,
    /// Control Sequence: parameters and intermediates until a final byte 0x40..=0x7E.
    Csi,
    /// A string sequence (OSC, DCS, SOS, PM, APC): until ST (ESC \ or U+009C), or BEL for OSC.
    Str,
    /// Inside a string sequence, just saw ESC (maybe the start of ST).
    StrEscape,
}

fn clean(s: &str, expand_tabs: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut col = 0usize;
    let mut state = In::Text;
    let push = |out: &mut String, c: char, col: &mut usize| {
        out.push(c);
        *col += 1;
    };
    for c in s.chars() {
        state = match state {
            In::Text => match c {
                '\u{1B}' => In::Escape,
                '\u{9B}' => In::Csi,
                '\u{90}' | '\u{98}' | '\u{9D}' | '\u{9E}' | '\u{9F}' => In::Str,
                '\t' if expand_tabs => {
                    let next = (col / TAB_WIDTH + 1) * TAB_WIDTH;
                    while col < next {
                        push(&mut out, ' ', &mut col);
                    }
                    In::Text
                }
                c if needs_cleaning(c) => {
                    push(&mut out, REPLACEMENT, &mut col);
                    In::Text
                }
                c => {
                    push(&mut out, c, &mut col);
                    In::Text
                }
            },
            In::Escape => match c {
                '[' => In::Csi,
                ']' | 'P' | 'X' | '^' | '_' => In::Str,
                '\u{20}'..='\u{2F}' => In::EscIntermediate,
                // Any other byte ends a two-byte sequence (ESC 7, ESC c, ESC M, ...). A
                // control character here is not part of it: show it as replaced.
                c if needs_cleaning(c) => {
                    push(&mut out, REPLACEMENT, &mut col);
                    In::Text
                }
                _ => In::Text,
            },
            In::EscIntermediate => match c {
                '\u{20}'..='\u{2F}' => In::EscIntermediate,
                _ => In::Text,
            },
            In::Csi => match c {
                '\u{40}'..='\u{7E}' => In::Text,
                '\u{20}'..='\u{3F}' => In::Csi,
                // Anything else aborts the sequence (as terminals do) and is cleaned itself.
                '\u{1B}' => In::Escape,
                c if needs_cleaning(c) => {
                    push(&mut out, REPLACEMENT, &mut col);
                    In::Text
                }
                c => {
                    push(&mut out, c, &mut col);
                    In::Text
                }
            },
            In::Str => match c {
                '\u{07}' | '\u{9C}' => In::Text,
                '\u{1B}' => In::StrEscape,
                _ => In::Str,
            },
            In::StrEscape => match c {
                '\\' => In::Text,
                '\u{1B}' => In::StrEscape,
                _ => In::Str,
            },
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(
            sanitize("task-1/$TaskLog/stdout.txt"),
            Cow::Borrowed(_)
        ));
        assert!(matches!(
            sanitize_line("2026-01-01 INFO ok"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn csi_colour_and_cursor_moves_are_removed() {
        assert_eq!(sanitize("\u{1b}[31mred\u{1b}[0m"), "red");
        assert_eq!(sanitize("a\u{1b}[2J\u{1b}[1;1Hb"), "ab");
        assert_eq!(sanitize("a\u{9b}31mb"), "ab");
    }

    #[test]
    fn osc_dcs_apc_strings_are_removed_whole() {
        // OSC 0 (window title) with BEL, OSC 52 (clipboard) with ST, OSC 8 hyperlink.
        assert_eq!(sanitize("x\u{1b}]0;pwned\u{7}y"), "xy");
        assert_eq!(sanitize("x\u{1b}]52;c;ZXZpbA==\u{1b}\\y"), "xy");
        assert_eq!(
            sanitize("\u{1b}]8;;http://evil\u{1b}\\click\u{1b}]8;;\u{1b}\\"),
            "click"
        );
        assert_eq!(sanitize("x\u{1b}P+q544e\u{1b}\\y"), "xy");
        assert_eq!(sanitize("x\u{1b}_apc\u{9c}y"), "xy");
        assert_eq!(sanitize("x\u{9d}0;t\u{7}y"), "xy");
    }

    #[test]
    fn unterminated_string_swallows_the_rest() {
        assert_eq!(sanitize("ok\u{1b}]0;never ends"), "ok");
    }

    #[test]
    fn two_byte_and_charset_escapes_are_removed() {
        assert_eq!(sanitize("a\u{1b}cb"), "ab");
        assert_eq!(sanitize("a\u{1b}(Bb"), "ab");
        assert_eq!(sanitize("a\u{1b}"), "a");
    }

    #[test]
    fn other_controls_and_bidi_become_visible_replacements() {
        assert_eq!(
            sanitize("a\rb\u{8}c\u{7f}d"),
            "a\u{fffd}b\u{fffd}c\u{fffd}d"
        );
        assert_eq!(sanitize("a\u{85}b"), "a\u{fffd}b");
        assert_eq!(sanitize("evil\u{202e}txt.exe"), "evil\u{fffd}txt.exe");
        assert_eq!(sanitize("\u{2066}x\u{2069}"), "\u{fffd}x\u{fffd}");
        assert_eq!(sanitize("name\nsecond"), "name\u{fffd}second");
    }

    #[test]
    fn lines_expand_tabs_and_drop_cr() {
        assert_eq!(sanitize_line("a\tb"), "a       b");
        assert_eq!(sanitize_line("abcdefgh\tc"), "abcdefgh        c");
        assert_eq!(sanitize_line("line\r"), "line");
        assert_eq!(sanitize_line("\u{1b}[1mbold\u{1b}[0m\tx"), "bold    x");
    }

    #[test]
    fn bytes_are_decoded_lossily() {
        assert_eq!(sanitize_bytes(b"ok\xff\x1b[31m!"), "ok\u{fffd}!");
    }

    #[test]
    fn output_never_contains_controls() {
        let hostile: String = (0u32..0x2100).filter_map(char::from_u32).collect();
        for s in [sanitize(&hostile), sanitize_line(&hostile)] {
            assert!(!s.chars().any(needs_cleaning), "control left in output");
        }
    }
}
