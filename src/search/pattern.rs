//! What to search for and how: the options grep users expect, turned into a ripgrep
//! matcher and searcher. An invalid pattern is one line naming the problem and where.

use grep_regex::{RegexMatcher, RegexMatcherBuilder};
use grep_searcher::{BinaryDetection, Searcher, SearcherBuilder};

/// A line longer than this is an error for its file (memory stays bounded whatever the
/// file holds; ripgrep has the same kind of limit).
pub const MAX_LINE: usize = 16 * 1024 * 1024;

/// How to match and which lines to report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchOptions {
    pub pattern: String,
    /// `-i`
    pub ignore_case: bool,
    /// `-F`: the pattern is a literal string.
    pub fixed: bool,
    /// `-w`: matches must be whole words.
    pub word: bool,
    /// `-v`: report the lines that do not match.
    pub invert: bool,
    /// `-a`: search binary files as text (default: skip them with a note).
    pub text: bool,
    /// `-B`: lines of context before each match.
    pub before: usize,
    /// `-A`: lines of context after each match.
    pub after: usize,
    /// `-m`: stop reporting a file after this many matching lines (and their trailing
    /// context).
    pub max_count: Option<u64>,
}

impl SearchOptions {
    /// What identifies the results of a search of one file (everything but `max_count`,
    /// which is applied to the results): the cache key includes it.
    pub fn fingerprint(&self) -> String {
        format!(
            "v1|i{}|F{}|w{}|v{}|a{}|B{}|A{}|{}",
            self.ignore_case as u8,
            self.fixed as u8,
            self.word as u8,
            self.invert as u8,
            self.text as u8,
            self.before,
            self.after,
            self.pattern
        )
    }

    /// Complete lines re-read before the resume point of a grown log, so that context
    /// across the old end is reported as a full search would.
    pub fn window(&self) -> usize {
        self.before.max(self.after)
    }

    /// The matcher for this pattern, or a one-line error naming the problem and where.
    pub fn matcher(&self) -> Result<RegexMatcher, PatternError> {
        if !self.fixed {
            check_syntax(&self.pattern, self.ignore_case)?;
        }
        RegexMatcherBuilder::new()
            .case_insensitive(self.ignore_case)
            .fixed_strings(self.fixed)
            .word(self.word)
            // No match ever spans a line. (CRLF line ends reach the searcher as LF: see
            // feed::ChannelReader; the searcher's own CRLF mode misses `$` on LF lines.)
            .line_terminator(Some(b'\n'))
            .build(&self.pattern)
            .map_err(|e| PatternError(crate::text::one_line(&e.to_string())))
    }

    /// A searcher for one file: line numbers, context, binary files
    /// stopped at their first NUL byte unless `text`.
    pub fn searcher(&self) -> Searcher {
        SearcherBuilder::new()
            .line_number(true)
            .invert_match(self.invert)
            .before_context(self.before)
            .after_context(self.after)
            .heap_limit(Some(MAX_LINE))
            .binary_detection(if self.text {
                BinaryDetection::none()
            } else {
                BinaryDetection::quit(0)
            })
            .build()
    }
}

/// An invalid pattern, as one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PatternError(pub String);

/// Parse the pattern with regex-syntax to report an error with its position (the
/// matcher's own error is a multi-line drawing).
fn check_syntax(pattern: &str, ignore_case: bool) -> Result<(), PatternError> {
    let mut parser = regex_syntax::ParserBuilder::new()
        .case_insensitive(ignore_case)
        .utf8(false)
        .build();
    let err = match parser.parse(pattern) {
        Ok(_) => return Ok(()),
        Err(e) => e,
    };
    let (kind, span) = match &err {
        regex_syntax::Error::Parse(e) => (e.kind().to_string(), *e.span()),
        regex_syntax::Error::Translate(e) => (e.kind().to_string(), *e.span()),
        other => (
            other.to_string(),
            regex_syntax::ast::Span::splat(regex_syntax::ast::Position::new(0, 1, 1)),
        ),
    };
    let at = span.start.offset;
    let snippet = &pattern[span.start.offset..span.end.offset.max(span.start.offset)];
    let near = if snippet.is_empty() {
        String::new()
    } else {
        format!(" ({:?})", crate::text::sanitize(snippet))
    };
    Err(PatternError(crate::text::one_line(&format!(
        "invalid pattern {:?}: {kind} at position {}{near}; use -F to search for it literally",
        crate::text::sanitize(pattern),
        pattern[..at].chars().count() + 1,
    ))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(p: &str) -> SearchOptions {
        SearchOptions {
            pattern: p.into(),
            ..Default::default()
        }
    }

    #[test]
    fn bad_patterns_name_the_problem_and_position() {
        let e = opts("ab(c").matcher().unwrap_err().0;
        assert_eq!(
            e,
            "invalid pattern \"ab(c\": unclosed group at position 3 (\"(\"); use -F to search for it literally"
        );
        let e = opts("x{2,1}").matcher().unwrap_err().0;
        assert!(e.contains("position 2"), "{e}");
        assert!(!e.contains('\n'));
        let e = opts("é[z-a]").matcher().unwrap_err().0;
        assert!(e.contains("invalid character class range"), "{e}");
        assert!(e.contains("position 3"), "{e}");
    }

    #[test]
    fn fixed_strings_are_never_parsed() {
        let o = SearchOptions {
            fixed: true,
            ..opts("ab(c")
        };
        assert!(o.matcher().is_ok());
    }

    #[test]
    fn fingerprint_ignores_max_count_only() {
        let a = opts("x");
        let b = SearchOptions {
            max_count: Some(3),
            ..opts("x")
        };
        let c = SearchOptions {
            after: 1,
            ..opts("x")
        };
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_ne!(a.fingerprint(), c.fingerprint());
    }
}
