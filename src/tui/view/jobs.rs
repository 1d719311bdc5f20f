//! The job list: job id (when known), container, last modified.

use super::{filter_title, theme};
use crate::tui::format;
use crate::tui::layout;
use crate::tui::state::{Downloads, JobsState};
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table, TableState};
use ratatui::Frame;

pub fn draw(frame: &mut Frame, area: Rect, s: &JobsState, marks: &Downloads) {
    let mut block = Block::bordered()
        .border_style(theme::border(true))
        .title(Line::from(Span::styled(" Jobs ", theme::title())));
    if let Some(f) = filter_title(&s.filter) {
        block = block.title_bottom(f);
    }
    if s.visible.is_empty() {
        let text = if !s.loaded {
            "Listing jobs…"
        } else if !s.jobs.is_empty() {
            "No job matches the filter (Esc clears it)."
        } else {
            "No jobs in this store (containers named job-…). Try: batchout demo"
        };
        frame.render_widget(
            Paragraph::new(Span::styled(text, theme::dim())).block(block),
            area,
        );
        return;
    }
    let height = layout::table_rows(area).height as usize;
    let start = s.cursor.offset.min(s.visible.len());
    let end = (start + height).min(s.visible.len());
    let rows = s.visible[start..end].iter().map(|&i| {
        let j = &s.jobs[i as usize];
        let id = match &j.job_id {
            Some(id) => Span::raw(id.shown().to_string()),
            None => Span::styled("(unknown)", theme::dim()),
        };
        let marked = marks.is_marked(j.container.raw(), &crate::download::plan::Selection::job());
        Row::new(vec![
            Line::from(
                super::downloads::mark_span(marked)
                    .into_iter()
                    .chain([id])
                    .collect::<Vec<_>>(),
            ),
            Line::from(j.container.shown().to_string()),
            Line::from(format::when(j.modified)),
        ])
    });
    let table = Table::new(
        rows,
        [
            Constraint::Fill(1),
            Constraint::Fill(1),
            Constraint::Length(19),
        ],
    )
    .header(Row::new(["Job id", "Container", "Last modified"]).style(theme::header_row()))
    .row_highlight_style(theme::selected())
    .block(block);
    let mut ts = TableState::default().with_selected(Some(s.cursor.selected - start));
    frame.render_stateful_widget(table, area, &mut ts);
}
