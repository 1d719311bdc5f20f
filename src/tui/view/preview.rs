//! A file's preview: highlighted text with line numbers, or a hex dump.

use super::{filter_title, hex, highlight, theme};
use crate::tui::format;
use crate::tui::layout;
use crate::tui::requests::preview::Part;
use crate::tui::state::{Body, PreviewState};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

pub fn draw(frame: &mut Frame, area: Rect, s: &PreviewState) {
    let part = match s.part {
        Part::Head => " head · t: tail ",
        Part::Tail => " tail · t: head ",
    };
    let title = match &s.body {
        // The header names what the image is.
        Body::Image(i) => format!(
            " {} · {} x {} {} ",
            s.path.shown(),
            i.info.width,
            i.info.height,
            i.info.format
        ),
        _ => format!(" {} ", s.path.shown()),
    };
    let mut block = Block::bordered()
        .border_style(theme::border(true))
        .title(Line::from(Span::styled(title, theme::title())))
        .title(Line::from(Span::styled(part, theme::dim())).right_aligned());
    if let Some(f) = filter_title(&s.filter) {
        block = block.title_bottom(f);
    }
    let inner = layout::inner(area);
    let height = inner.height as usize;
    frame.render_widget(block, area);
    match &s.body {
        Body::Loading => frame.render_widget(
            Paragraph::new(Span::styled("Reading…", theme::dim())),
            inner,
        ),
        Body::Failed(e) => frame.render_widget(
            Paragraph::new(Span::styled(
                format!("Cannot read this file: {e}"),
                theme::error(),
            ))
            .wrap(Default::default()),
            inner,
        ),
        Body::Image(i) => {
            // Drawn as fitted by the worker; a resize brings a new fit.
            frame.render_widget(ratatui_image::Image::new(&i.fitted.protocol), inner);
        }
        Body::Binary {
            data,
            start,
            notice,
            ..
        } => {
            let mut inner = inner;
            let mut height = height;
            if let Some(n) = notice {
                let [top, rest] =
                    Layout::vertical([Constraint::Length(2), Constraint::Min(0)]).areas(inner);
                frame.render_widget(
                    Paragraph::new(Span::styled(n.as_str(), theme::error()))
                        .wrap(Default::default()),
                    top,
                );
                inner = rest;
                height = rest.height as usize;
            }
            let first = s.scroll * hex::BYTES_PER_ROW;
            let lines: Vec<Line> = data[first.min(data.len())..]
                .chunks(hex::BYTES_PER_ROW)
                .take(height)
                .enumerate()
                .map(|(i, chunk)| {
                    Line::from(hex::row(
                        start + (first + i * hex::BYTES_PER_ROW) as u64,
                        chunk,
                    ))
                })
                .collect();
            frame.render_widget(Paragraph::new(lines).scroll((0, s.hscroll as u16)), inner);
        }
        Body::Text(t) => {
            if t.lines.is_empty() {
                let text = if t.total == 0 {
                    "(empty file)"
                } else {
                    "(no complete line in this part)"
                };
                frame.render_widget(Paragraph::new(Span::styled(text, theme::dim())), inner);
                return;
            }
            let indices: Vec<usize> = match &s.visible {
                Some(v) => v
                    .iter()
                    .skip(s.scroll)
                    .take(height)
                    .map(|&i| i as usize)
                    .collect(),
                None => (s.scroll..t.lines.len().min(s.scroll + height)).collect(),
            };
            if indices.is_empty() {
                frame.render_widget(
                    Paragraph::new(Span::styled("No line matches the filter.", theme::dim())),
                    inner,
                );
                return;
            }
            // Line numbers are only known when the text starts at byte 0.
            let numbered = t.start == 0;
            let digits = if numbered {
                t.lines.len().to_string().len()
            } else {
                0
            };
            let [gutter, text_area] = Layout::horizontal([
                Constraint::Length(if numbered { digits as u16 + 1 } else { 0 }),
                Constraint::Min(0),
            ])
            .areas(inner);
            if numbered {
                let numbers: Vec<Line> = indices
                    .iter()
                    .map(|i| Line::from(Span::styled(format!("{:>digits$}", i + 1), theme::dim())))
                    .collect();
                frame.render_widget(Paragraph::new(numbers), gutter);
            }
            let h = highlight::get();
            let lines = match h.syntax_for(s.path.shown()) {
                Some(syntax) if s.visible.is_none() => {
                    h.lines(syntax, indices.iter().map(|&i| t.lines[i].as_str()))
                }
                // Filtered lines are not consecutive: highlight each on its own.
                Some(syntax) => indices
                    .iter()
                    .flat_map(|&i| h.lines(syntax, std::iter::once(t.lines[i].as_str())))
                    .collect(),
                None => indices
                    .iter()
                    .map(|&i| Line::from(t.lines[i].clone()))
                    .collect(),
            };
            frame.render_widget(
                Paragraph::new(lines).scroll((0, s.hscroll as u16)),
                text_area,
            );
            if t.end < t.total
                && s.part == Part::Head
                && s.scroll + height >= s.line_count()
                && height > 1
            {
                let more = format!(" … {} more · t: tail ", format::size(t.total - t.end));
                let r = Rect::new(
                    area.x + 2,
                    area.y + area.height - 1,
                    (more.chars().count() as u16).min(area.width.saturating_sub(4)),
                    1,
                );
                frame.render_widget(Paragraph::new(Span::styled(more, theme::key())), r);
            }
        }
    }
}
