//! Syntax highlighting with syntect: by file extension (JSON, YAML, CSV, shell, Python, ...)
//! plus a log syntax (assets/log.sublime-syntax) for stdout/stderr and `*.log`.
//!
//! Only the lines on screen are highlighted, each frame, starting from a fresh parser state
//! at the first visible line. That keeps scrolling cost independent of file size; a
//! construct opened above the window (a long JSON string) may be coloured as if it started
//! there, which is acceptable for a preview.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use std::str::FromStr;
use std::sync::OnceLock;
use syntect::easy::HighlightLines;
use syntect::highlighting::{
    self as hl, FontStyle, ScopeSelectors, StyleModifier, Theme, ThemeItem, ThemeSet,
};
use syntect::parsing::{SyntaxDefinition, SyntaxReference, SyntaxSet};

const LOG_SYNTAX: &str = include_str!("../../../assets/log.sublime-syntax");
const CSV_SYNTAX: &str = include_str!("../../../assets/csv.sublime-syntax");
pub const LOG_SYNTAX_NAME: &str = "Batch Log";

pub struct Highlighter {
    syntaxes: SyntaxSet,
    theme: Theme,
}

static HIGHLIGHTER: OnceLock<Highlighter> = OnceLock::new();

/// Build the syntax set in the background (tens of milliseconds) so the first frame does
/// not wait for it; the first preview usually comes later.
pub fn warm_up() {
    std::thread::spawn(|| {
        get();
    });
}

pub fn get() -> &'static Highlighter {
    HIGHLIGHTER.get_or_init(build)
}

fn build() -> Highlighter {
    let mut builder = SyntaxSet::load_defaults_nonewlines().into_builder();
    for src in [LOG_SYNTAX, CSV_SYNTAX] {
        // The assets are compiled in and covered by tests; a broken one only loses colour.
        if let Ok(def) = SyntaxDefinition::load_from_str(src, false, None) {
            builder.add(def);
        }
    }
    let mut theme = ThemeSet::load_defaults()
        .themes
        .remove("base16-ocean.dark")
        .unwrap_or_default();
    let rgb = |r, g, b| Some(hl::Color { r, g, b, a: 0xFF });
    for (scope, fg, font) in [
        ("markup.error.log", rgb(0xf0, 0x5a, 0x5a), FontStyle::BOLD),
        (
            "markup.warning.log",
            rgb(0xf0, 0xc6, 0x74),
            FontStyle::empty(),
        ),
        ("markup.info.log", rgb(0x8f, 0xc1, 0x6c), FontStyle::empty()),
        (
            "constant.other.timestamp.log",
            rgb(0x6c, 0xa8, 0xd8),
            FontStyle::empty(),
        ),
        (
            "comment.debug.log",
            rgb(0x80, 0x80, 0x80),
            FontStyle::empty(),
        ),
    ] {
        if let Ok(sel) = ScopeSelectors::from_str(scope) {
            theme.scopes.push(ThemeItem {
                scope: sel,
                style: StyleModifier {
                    foreground: fg,
                    background: None,
                    font_style: Some(font),
                },
            });
        }
    }
    Highlighter {
        syntaxes: builder.build(),
        theme,
    }
}

/// Logs by name: what Batch writes (stdout.txt, stderr.txt) and usual log names.
pub fn is_log_name(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    name.starts_with("stdout")
        || name.starts_with("stderr")
        || [".log", ".out", ".err"].iter().any(|e| name.ends_with(e))
}

impl Highlighter {
    /// The syntax for a file, or None for plain text.
    pub fn syntax_for(&self, path: &str) -> Option<&SyntaxReference> {
        if is_log_name(path) {
            return self.syntaxes.find_syntax_by_name(LOG_SYNTAX_NAME);
        }
        let name = path.rsplit('/').next().unwrap_or(path);
        let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
        let ext = match ext.as_str() {
            "yml" => "yaml".to_string(),
            "ps1" | "cmd" => "bat".to_string(),
            _ => ext,
        };
        self.syntaxes
            .find_syntax_by_extension(&ext)
            .filter(|s| s.name != "Plain Text")
    }

    /// Highlight consecutive lines (already sanitized).
    pub fn lines<'a>(
        &self,
        syntax: &SyntaxReference,
        lines: impl Iterator<Item = &'a str>,
    ) -> Vec<Line<'static>> {
        let mut h = HighlightLines::new(syntax, &self.theme);
        lines
            .map(|line| match h.highlight_line(line, &self.syntaxes) {
                Ok(parts) => Line::from(
                    parts
                        .into_iter()
                        .map(|(style, text)| Span::styled(text.to_string(), convert(style)))
                        .collect::<Vec<_>>(),
                ),
                Err(_) => Line::from(line.to_string()),
            })
            .collect()
    }
}

/// syntect style to ratatui: foreground and font only, so the terminal's background stays.
fn convert(s: hl::Style) -> Style {
    let mut out = Style::new().fg(Color::Rgb(s.foreground.r, s.foreground.g, s.foreground.b));
    if s.font_style.contains(FontStyle::BOLD) {
        out = out.add_modifier(Modifier::BOLD);
    }
    if s.font_style.contains(FontStyle::ITALIC) {
        out = out.add_modifier(Modifier::ITALIC);
    }
    if s.font_style.contains(FontStyle::UNDERLINE) {
        out = out.add_modifier(Modifier::UNDERLINED);
    }
    out
}
