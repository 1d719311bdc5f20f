//! A name from storage: the raw form for requests, a sanitized form for the screen.

use crate::text::sanitize;
use std::borrow::Cow;

/// Keeps the raw name (needed verbatim for store requests) and, only when it differs, the
/// cleaned form that views print. Views call [`Name::shown`] and never see the raw text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    raw: Box<str>,
    cleaned: Option<Box<str>>,
}

impl Name {
    pub fn new(raw: impl Into<String>) -> Self {
        let raw: String = raw.into();
        let cleaned = match sanitize(&raw) {
            Cow::Borrowed(_) => None,
            Cow::Owned(s) => Some(s.into_boxed_str()),
        };
        Name {
            raw: raw.into_boxed_str(),
            cleaned,
        }
    }
    /// The name as stored: use it for requests, never print it.
    pub fn raw(&self) -> &str {
        &self.raw
    }
    /// The name safe for a terminal.
    pub fn shown(&self) -> &str {
        self.cleaned.as_deref().unwrap_or(&self.raw)
    }
}

/// Case-insensitive substring test without allocating (ASCII folding; other characters
/// compare exactly). `needle` must already be lower case.
pub fn contains_folded(haystack: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    h.len() >= n.len() && h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}
