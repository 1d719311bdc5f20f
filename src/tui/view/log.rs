//! The live log screen: the visible window of the line buffer, prefixes coloured per
//! source, search matches highlighted, follow/wrap state and notices in the border.

use super::{filter_title, theme};
use crate::follow::colour::SourceColour;
use crate::tui::layout;
use crate::tui::state::log::{char_width, row_breaks, LogState};
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;

/// The one palette of sources (`crate::follow::colour`), in ratatui's colours.
fn source_colour(index: usize) -> Color {
    match crate::follow::colour::source_colour(index) {
        SourceColour::Cyan => Color::Cyan,
        SourceColour::Magenta => Color::Magenta,
        SourceColour::Yellow => Color::Yellow,
        SourceColour::Green => Color::Green,
        SourceColour::Blue => Color::Blue,
        SourceColour::Red => Color::Red,
    }
}

pub fn draw(frame: &mut Frame, area: Rect, s: &LogState) {
    let inner = layout::inner(area);
    let (height, width) = (inner.height as usize, inner.width as usize);
    let mode = match (s.follow, s.wrap) {
        (true, false) => Span::styled(
            " following ",
            Style::new().fg(Color::Green).add_modifier(Modifier::BOLD),
        ),
        (true, true) => Span::styled(
            " following · wrap ",
            Style::new().fg(Color::Green).add_modifier(Modifier::BOLD),
        ),
        (false, false) => Span::styled(" paused · f: follow ", theme::key()),
        (false, true) => Span::styled(" paused · f: follow · wrap ", theme::key()),
    };
    let mut block = Block::bordered()
        .border_style(theme::border(true))
        .title(Line::from(Span::styled(
            format!(" {} ", s.title),
            theme::title(),
        )))
        .title(Line::from(mode).right_aligned());
    block = match filter_title(&s.search) {
        Some(f) => block.title_bottom(f),
        None => block.title_bottom(Line::from(Span::styled(footer(s), theme::dim()))),
    };
    frame.render_widget(block, area);

    if let Some(e) = &s.failed {
        let text = format!("Following stopped: {e} (r: retry)");
        frame.render_widget(
            Paragraph::new(Span::styled(text, theme::error())).wrap(Wrap { trim: false }),
            inner,
        );
        return;
    }
    if s.lines.is_empty() {
        let text = match (s.opened, s.target.is_single()) {
            (false, _) => "Opening the end of the log…",
            (true, true) => "(empty so far; new lines appear here)",
            (true, false) => {
                "No logs yet; tasks' stdout and stderr appear here as they are written."
            }
        };
        frame.render_widget(Paragraph::new(Span::styled(text, theme::dim())), inner);
        return;
    }
    let top = s.top_line(height, width);
    let needle = s.search.needle();
    let mut rows = 0;
    let mut lines = Vec::new();
    for (i, line) in (top..s.lines.len()).filter_map(|i| Some((i, s.lines.get(i)?))) {
        if rows >= height {
            break;
        }
        rows += s.rows_of(line, width);
        let mut spans = Vec::new();
        if let Some(label) = s.label(line) {
            let colour = source_colour(label.colour);
            spans.push(Span::styled(
                format!("{} ", label.label),
                Style::new().fg(colour),
            ));
        }
        if line.notice {
            spans.push(Span::styled(
                format!("── {} ──", line.text),
                theme::key().add_modifier(Modifier::ITALIC),
            ));
        } else {
            let current = s.found == Some(i);
            spans.extend(highlighted(&line.text, &needle, current));
        }
        if s.wrap {
            lines.extend(wrap_spans(spans, width));
        } else {
            lines.push(Line::from(spans));
        }
    }
    let mut p = Paragraph::new(lines);
    if !s.wrap {
        p = p.scroll((0, s.hscroll.min(u16::MAX as usize) as u16));
    }
    frame.render_widget(p, inner);
}

/// Cut a line's spans into rows of `width` columns (by character, keeping styles), the
/// same way [`LogState::rows_of`] counts them.
fn wrap_spans(spans: Vec<Span<'static>>, width: usize) -> Vec<Line<'static>> {
    let chars: Vec<(char, Style)> = spans
        .iter()
        .flat_map(|s| s.content.chars().map(move |c| (c, s.style)))
        .collect();
    let breaks = row_breaks(chars.iter().map(|(c, _)| char_width(*c)), width);
    let mut rows = Vec::new();
    let mut start = 0;
    for end in breaks.into_iter().chain(std::iter::once(chars.len())) {
        let mut row: Vec<Span<'static>> = Vec::new();
        for &(c, style) in &chars[start..end] {
            match row.last_mut() {
                Some(last) if last.style == style => last.content.to_mut().push(c),
                _ => row.push(Span::styled(c.to_string(), style)),
            }
        }
        rows.push(Line::from(row));
        start = end;
    }
    rows
}

/// The last notice first (it matters most), then the line count and older parts.
fn footer(s: &LogState) -> String {
    let mut parts: Vec<String> = s.status.iter().cloned().collect();
    parts.push(format!("{} lines", s.lines.len()));
    if s.target.is_single() && s.opened {
        parts.push(if s.older_id.is_some() {
            "loading older…".to_string()
        } else if s.older_start > 0 && !s.older_full {
            format!(
                "{} older · ↑ loads",
                crate::tui::format::size(s.older_start)
            )
        } else if s.older_start > 0 {
            "scrollback full".to_string()
        } else {
            "from the start".to_string()
        });
    }
    format!(" {} ", parts.join(" · "))
}

/// The text with matches of `needle` (lower case, ASCII-folded) marked.
fn highlighted(text: &str, needle: &str, current: bool) -> Vec<Span<'static>> {
    let mark = if current {
        theme::filter().add_modifier(Modifier::BOLD)
    } else {
        Style::new().add_modifier(Modifier::REVERSED)
    };
    if needle.is_empty() {
        return vec![Span::raw(text.to_string())];
    }
    let lower = text.to_ascii_lowercase();
    let mut spans = Vec::new();
    let mut pos = 0;
    while let Some(off) = lower[pos..].find(needle) {
        let start = pos + off;
        let end = start + needle.len();
        if start > pos {
            spans.push(Span::raw(text[pos..start].to_string()));
        }
        spans.push(Span::styled(text[start..end].to_string(), mark));
        pos = end;
    }
    if pos < text.len() {
        spans.push(Span::raw(text[pos..].to_string()));
    }
    spans
}
