//! The `?` popup, generated from the key table so it always lists every binding.

use super::theme;
use crate::tui::keymap;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

pub fn lines() -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for (title, rows) in keymap::help_sections() {
        if rows.is_empty() {
            continue;
        }
        out.push(Line::from(Span::styled(title, theme::title())));
        for (keys, what) in rows {
            out.push(Line::from(vec![
                Span::styled(format!("  {keys:<18}"), theme::key()),
                Span::raw(what),
            ]));
        }
    }
    out
}

pub fn draw(frame: &mut Frame, area: Rect, scroll: usize) {
    let lines = lines();
    let width = area.width.saturating_sub(4).min(78);
    let height = area.height.saturating_sub(2).min(lines.len() as u16 + 2);
    let popup = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    let visible = height.saturating_sub(2) as usize;
    let scroll = scroll.min(lines.len().saturating_sub(visible));
    let more = if lines.len() > visible {
        " ↑↓ scroll ·"
    } else {
        ""
    };
    let block = Block::bordered()
        .border_style(theme::border(true))
        .title(Line::from(Span::styled(" Keys ", theme::title())))
        .title_bottom(Line::from(format!("{more} any other key closes ")).right_aligned());
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((scroll as u16, 0))
            .block(block),
        popup,
    );
}
