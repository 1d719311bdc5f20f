//! The download folder prompt, the transfers panel, and the mark shown on marked rows.

use super::theme;
use crate::download::events::{human_duration, Outcome};
use crate::tui::app::AppState;
use crate::tui::format;
use crate::tui::layout;
use crate::tui::state::downloads::{Downloads, PanelLine, RowState, TransferRow, TransferRun};
use crate::tui::state::Mark;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

/// Put before the name of a marked row.
pub const MARK: &str = "● ";

/// The mark span for a row: `● ` when marked, nothing otherwise.
pub fn mark_span(marked: bool) -> Option<Span<'static>> {
    marked.then(|| Span::styled(MARK, theme::key()))
}

pub fn is_marked(d: &Downloads, m: Option<Mark>) -> bool {
    m.is_some_and(|m| d.is_marked(&m.container, &m.selection))
}

pub fn draw(frame: &mut Frame, state: &AppState) {
    let d = &state.downloads;
    if d.panel_open {
        draw_panel(frame, layout::transfers_panel(state.size), d);
    }
    if d.prompt.is_some() {
        draw_prompt(frame, frame.area(), d);
    }
}

fn draw_prompt(frame: &mut Frame, area: Rect, d: &Downloads) {
    let Some(p) = &d.prompt else { return };
    let width = area.width.saturating_sub(4).min(76);
    let inner_width = width.saturating_sub(2) as usize;
    let mut lines = vec![
        Line::from(Span::styled(
            format!(
                "Download {} to the folder:",
                format::count(p.items.len() as u64, "item", "items")
            ),
            theme::title(),
        )),
        Line::from(vec![
            Span::styled("> ", theme::key()),
            Span::raw(crate::text::sanitize(&p.dir).into_owned()),
            Span::styled("▏", theme::key()),
        ]),
        Line::from(Span::styled(
            "  as FOLDER/TASK/KIND/PATH (job-level files: FOLDER/_job/KIND/PATH)",
            theme::dim(),
        )),
        Line::from(vec![
            Span::styled("  existing files that differ: ", theme::dim()),
            Span::raw(if p.overwrite {
                "replace"
            } else {
                "keep (skip)"
            }),
            Span::styled("  (Tab changes)", theme::dim()),
        ]),
    ];
    const SHOWN: usize = 5;
    for m in p.items.iter().take(SHOWN) {
        lines.push(Line::from(format!(
            "  · {}",
            clip(&m.label, inner_width.saturating_sub(4))
        )));
    }
    if p.items.len() > SHOWN {
        lines.push(Line::from(Span::styled(
            format!("  … and {} more", p.items.len() - SHOWN),
            theme::dim(),
        )));
    }
    let height = (lines.len() as u16 + 2).min(area.height);
    let popup = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    );
    let block = Block::bordered()
        .border_style(theme::border(true))
        .title(Line::from(Span::styled(" Download ", theme::title())))
        .title_bottom(Line::from(" Enter download · Esc cancel ").right_aligned());
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}

fn draw_panel(frame: &mut Frame, area: Rect, d: &Downloads) {
    let block = Block::bordered()
        .border_style(theme::border(true))
        .title(Line::from(Span::styled(" Transfers ", theme::title())))
        .title_bottom(Line::from(" ↑↓ move · x cancel · R retry · T/Esc close ").right_aligned());
    frame.render_widget(Clear, area);
    let inner = layout::inner(area);
    let lines = d.lines();
    if lines.is_empty() {
        let text = "No transfers yet. Mark items with Space, then press d to download them.";
        frame.render_widget(
            Paragraph::new(Span::styled(text, theme::dim()))
                .wrap(Default::default())
                .block(block),
            area,
        );
        return;
    }
    let height = inner.height as usize;
    let mut cursor = d.panel;
    cursor.clamp(lines.len(), height);
    let width = inner.width as usize;
    let shown: Vec<Line> = lines
        .iter()
        .enumerate()
        .skip(cursor.offset)
        .take(height)
        .map(|(i, l)| {
            let line = match *l {
                PanelLine::Run(r) => run_line(&d.runs[r], width),
                PanelLine::File(r, f) => file_line(&d.runs[r].rows[f], width),
            };
            if i == cursor.selected {
                line.style(theme::selected())
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(shown).block(block), area);
}

fn run_line(r: &TransferRun, width: usize) -> Line<'static> {
    // A long folder is cut (keeping its end), not the job's name before it.
    let lead = format!("▸ {} → ", crate::text::sanitize(&r.container));
    let dir = crate::text::sanitize(&r.dir);
    let room = (width / 2).saturating_sub(lead.chars().count());
    let head = if room >= 12 {
        format!("{lead}{}", clip(&dir, room))
    } else {
        clip(&format!("{lead}{dir}"), width / 2)
    };
    let head = Span::styled(head, theme::title());
    if let Some(e) = &r.error {
        return Line::from(vec![head, Span::styled(format!("  {e}"), theme::error())]);
    }
    let (tail, style) = if r.planning {
        ("  listing…".to_string(), theme::dim())
    } else if let Some(s) = &r.summary {
        if r.rows.is_empty() {
            ("  nothing to download".to_string(), theme::dim())
        } else {
            let style = if s.failures() + s.cancelled > 0 {
                theme::error()
            } else {
                theme::dim()
            };
            (format!("  {}", summary_text(s)), style)
        }
    } else {
        let (done, total) = r.bytes();
        let finished = r.rows.iter().filter(|f| !f.active()).count();
        (
            format!(
                "  {finished}/{} files · {} of {}",
                r.rows.len(),
                format::size(done),
                format::size(total)
            ),
            theme::dim(),
        )
    };
    Line::from(vec![head, Span::styled(tail, style)])
}

/// "done: 3 downloaded (1.2 MiB), 1 failed, 1 cancelled in 2.0s".
fn summary_text(s: &crate::download::events::Summary) -> String {
    let mut parts = vec![format!(
        "{} downloaded ({})",
        s.downloaded,
        format::size(s.bytes)
    )];
    for (n, what) in [
        (s.resumed, "resumed"),
        (s.identical, "identical"),
        (s.exists, "kept (exist)"),
        (s.refused, "refused"),
        (s.cancelled, "cancelled"),
        (s.failed, "failed"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    format!(
        "done: {} in {:.1}s",
        parts.join(", "),
        s.elapsed.as_secs_f64()
    )
}

fn file_line(f: &TransferRow, width: usize) -> Line<'static> {
    let pct = (f.done.min(f.total) * 100)
        .checked_div(f.total)
        .map_or(100, |p| p as usize);
    const BAR: usize = 12;
    let fill = pct * BAR / 100;
    let no_bar = matches!(&f.state, RowState::Finished(o) if !matches!(o, Outcome::Downloaded { .. } | Outcome::Identical));
    let bar = if no_bar {
        " ".repeat(BAR + 7)
    } else {
        format!("[{}{}] {pct:>3}%", "█".repeat(fill), "·".repeat(BAR - fill))
    };
    let (status, style): (String, Style) = match &f.state {
        RowState::Queued => ("queued".into(), theme::dim()),
        RowState::Running => {
            let eta = f
                .eta
                .map(|e| format!(" ETA {}", human_duration(e)))
                .unwrap_or_default();
            (
                format!("{}/s{eta}", format::size(f.rate as u64)),
                Style::default(),
            )
        }
        RowState::Finished(o) => (
            crate::text::sanitize(&outcome_text(o)).into_owned(),
            outcome_style(o),
        ),
    };
    let note = match (&f.state, &f.note) {
        (RowState::Running, Some(n))
        | (RowState::Finished(Outcome::Downloaded { .. }), Some(n)) => format!(" · {n}"),
        _ => String::new(),
    };
    // Names in one column, so bars and figures line up.
    let name_width = width.saturating_sub(60).max(12);
    let name = format!("  {:<name_width$}", clip(&f.name, name_width));
    let right = format!(" {bar} {:>9}  {status}{note}", format::size(f.total));
    Line::from(vec![Span::raw(name), Span::styled(right, style)])
}

fn outcome_text(o: &Outcome) -> String {
    match o {
        Outcome::Downloaded { verified: true, .. } => "✔ done, MD5 ok".into(),
        Outcome::Downloaded { .. } => "✔ done".into(),
        Outcome::Identical => "= identical, skipped".into(),
        Outcome::Exists { .. } => "exists, kept (Tab in the prompt replaces)".into(),
        Outcome::Refused { reason } => format!("✘ refused: {reason}"),
        Outcome::Cancelled { .. } => "cancelled (R resumes)".into(),
        Outcome::Failed { error } => format!("✘ {error}"),
    }
}

fn outcome_style(o: &Outcome) -> Style {
    match o {
        Outcome::Downloaded { .. } | Outcome::Identical => theme::dim(),
        Outcome::Cancelled { .. } => Style::default(),
        _ => theme::error(),
    }
}

/// At most `width` characters, with … when cut (keeps the end, where file names are).
fn clip(s: &str, width: usize) -> String {
    let n = s.chars().count();
    if n <= width {
        return s.to_string();
    }
    if width <= 1 {
        return "…".into();
    }
    let tail: String = s.chars().skip(n - (width - 1)).collect();
    format!("…{tail}")
}
