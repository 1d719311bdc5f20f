//! Making text from storage safe for a terminal and for one-line messages; telling text
//! from binary and splitting text into display lines ([`sniff`]); the one formatter of byte
//! sizes ([`size`]).

pub mod compact;
pub mod encoding;
pub mod sanitize;
pub mod size;
pub mod sniff;
pub use sanitize::{sanitize, sanitize_bytes, sanitize_line};

/// Collapse a message to one line: newlines and control characters become spaces or
/// escapes, so an error can never spread over the screen or carry escape sequences.
pub fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.trim().to_string()
}
