use thiserror::Error;

/// A name that breaks the conventions. Messages name the offending character in a form
/// that is safe to print (never the raw control character).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConventionError {
    #[error("invalid job id {shown}: {reason}")]
    JobId { shown: String, reason: String },
    #[error("invalid task id {shown}: {reason}")]
    TaskId { shown: String, reason: String },
    #[error("invalid kind {shown}: {reason}")]
    Kind { shown: String, reason: String },
    #[error("invalid destination {shown}: {reason}")]
    Destination { shown: String, reason: String },
}

/// A character as a user can read it in an error: `'.'`, `a space`, `U+0007`.
pub fn describe_char(c: char) -> String {
    match c {
        ' ' => "a space".to_string(),
        c if c.is_control() || !c.is_ascii() && (c.is_whitespace() || is_invisible(c)) => {
            format!("U+{:04X}", c as u32)
        }
        c if !c.is_ascii() => format!("'{c}' (U+{:04X})", c as u32),
        c => format!("'{c}'"),
    }
}

fn is_invisible(c: char) -> bool {
    matches!(c as u32, 0x200B..=0x200F | 0x202A..=0x202E | 0x2066..=0x2069 | 0xFEFF)
}

/// A name quoted for an error message, with control and invisible characters escaped.
pub(crate) fn shown(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars().take(80) {
        if c.is_control() || is_invisible(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    if s.chars().count() > 80 {
        out.push('…');
    }
    out.push('"');
    out
}
