//! The job-wide search screen: the prompt, the matching lines (task, file, line number,
//! the line with its matches highlighted) and the matches per task.

use super::theme;
use crate::tui::format;
use crate::tui::layout;
use crate::tui::requests::search::SearchHit;
use crate::tui::state::search::{SearchState, MAX_HITS};
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

pub fn draw(frame: &mut Frame, size: crate::tui::app::Size, s: &SearchState) {
    let (results, tasks) = layout::search_panes(size);
    draw_results(frame, results, s);
    draw_counts(frame, tasks, s);
}

fn draw_results(frame: &mut Frame, area: Rect, s: &SearchState) {
    let block = Block::bordered()
        .border_style(theme::border(true))
        .title(Line::from(Span::styled(
            format!(" Search {} · {} ", s.title, s.scope),
            theme::title(),
        )))
        .title_bottom(Line::from(Span::styled(
            format!(" {} ", progress(s)),
            theme::dim(),
        )));
    let inner = layout::inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
    let prompt_row = Rect::new(inner.x, inner.y, inner.width, 1);
    frame.render_widget(Paragraph::new(prompt_line(s)), prompt_row);
    let rows = layout::table_rows(area);
    if s.hits.is_empty() {
        if let Some(e) = &s.error {
            let p = Paragraph::new(Span::styled(e.clone(), theme::error()))
                .wrap(ratatui::widgets::Wrap { trim: false });
            frame.render_widget(p, rows);
            return;
        }
        let text = if s.opts.is_none() {
            "Type a regex and Enter (-i ignores case, -F a fixed string, -w whole words)."
        } else if s.running() {
            "Searching…"
        } else {
            "No line matches."
        };
        frame.render_widget(Paragraph::new(Span::styled(text, theme::dim())), rows);
        return;
    }
    let start = s.cursor.offset.min(s.hits.len());
    let end = (start + rows.height as usize).min(s.hits.len());
    let task_width = s
        .files
        .iter()
        .map(|f| f.task.chars().count())
        .max()
        .unwrap_or(1);
    let task_width = task_width.clamp(1, 16);
    let lines: Vec<Line> = s.hits[start..end]
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let line = hit_line(s, h, task_width, rows.width as usize);
            if start + i == s.cursor.selected && !s.prompt.editing {
                line.style(theme::selected())
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), rows);
}

fn prompt_line(s: &SearchState) -> Line<'static> {
    let cursor = if s.prompt.editing { "▏" } else { "" };
    let mut spans = vec![
        Span::styled("pattern: ", theme::key()),
        Span::styled(
            format!("{}{cursor}", crate::text::sanitize(&s.prompt.text)),
            theme::filter(),
        ),
    ];
    // With no results the error has the rows below to itself (see draw_results).
    if let (Some(e), false) = (&s.error, s.hits.is_empty()) {
        spans.push(Span::raw("  "));
        spans.push(Span::styled(e.clone(), theme::error()));
    }
    Line::from(spans)
}

/// `42 matches in 7 of 120 files · done`, with what is kept on screen when capped.
fn progress(s: &SearchState) -> String {
    if s.opts.is_none() {
        return "Enter searches · Esc closes".into();
    }
    let mut out = format!(
        "{} · {} of {} searched",
        format::count(s.matches, "match", "matches"),
        s.files_done,
        format::count(s.files.len() as u64, "file", "files"),
    );
    if s.matches > s.hits.len() as u64 && s.hits.len() >= MAX_HITS {
        out.push_str(&format!(" · first {MAX_HITS} shown"));
    }
    if s.binary > 0 {
        out.push_str(&format!(" · {} binary skipped", s.binary));
    }
    if s.failed_files > 0 {
        out.push_str(&format!(" · {} unreadable", s.failed_files));
    }
    out.push_str(if s.cancelled {
        " · cancelled"
    } else if s.finished {
        " · done"
    } else if s.running() {
        " · Esc cancels"
    } else {
        ""
    });
    out
}

/// `task  KIND/PATH:LINE: text`, the matches in the text highlighted; a line whose first
/// match lies past the right edge is shown from a little before it.
fn hit_line(s: &SearchState, h: &SearchHit, task_width: usize, width: usize) -> Line<'static> {
    let (task, label) = s
        .files
        .get(h.file)
        .map(|f| (f.task.as_str(), f.label.as_str()))
        .unwrap_or(("?", "?"));
    let task: String = task.chars().take(task_width).collect();
    let head = format!("{task:<task_width$} {label}:{}: ", h.number);
    let room = width.saturating_sub(head.chars().count());
    let mut from = 0;
    if let Some(&(a, _)) = h.spans.first() {
        let before = h.text[..a].chars().count();
        if before + 8 > room {
            from = h.text[..a]
                .char_indices()
                .nth(before.saturating_sub(room / 3))
                .map_or(a, |(i, _)| i);
        }
    }
    let mut spans = vec![
        Span::styled(
            format!("{task:<task_width$} "),
            Style::new().fg(Color::Magenta),
        ),
        Span::styled(label.to_string(), Style::new().fg(Color::Green)),
        Span::styled(format!(":{}: ", h.number), Style::new().fg(Color::Cyan)),
    ];
    if from > 0 {
        spans.push(Span::styled("…", theme::dim()));
    }
    let mut at = from;
    let hl = Style::new().fg(Color::Red).add_modifier(Modifier::BOLD);
    for &(a, b) in &h.spans {
        if b <= at || b > h.text.len() {
            continue;
        }
        let a = a.max(at);
        spans.push(Span::raw(h.text[at..a].to_string()));
        spans.push(Span::styled(h.text[a..b].to_string(), hl));
        at = b;
    }
    spans.push(Span::raw(h.text[at..].to_string()));
    Line::from(spans)
}

fn draw_counts(frame: &mut Frame, area: Rect, s: &SearchState) {
    let block = Block::bordered()
        .border_style(theme::border(false))
        .title(Line::from(Span::styled(
            " Matches per task ",
            theme::title(),
        )));
    let height = layout::inner(area).height as usize;
    let width = layout::inner(area).width as usize;
    let selected_task = s
        .hits
        .get(s.cursor.selected)
        .and_then(|h| s.files.get(h.file))
        .map(|f| f.task.as_str());
    // Keep the selected result's task in view.
    let pos = selected_task.and_then(|t| s.counts.iter().position(|c| c.task == t));
    let first = pos.map_or(0, |p| (p + 1).saturating_sub(height));
    let lines: Vec<Line> = s
        .counts
        .iter()
        .enumerate()
        .skip(first)
        .take(height)
        .map(|(i, c)| {
            let n = c.matches.to_string();
            let name_room = width.saturating_sub(n.len() + 1);
            let name: String = c.task.chars().take(name_room).collect();
            let line = Line::from(vec![
                Span::raw(format!("{name:<name_room$} ")),
                Span::styled(n, theme::key()),
            ]);
            if Some(i) == pos {
                line.style(theme::selected_unfocused())
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
