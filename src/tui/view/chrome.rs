//! The header (where am I) and the status bar (store, counts, spinner, last error).

use super::theme;
use crate::tui::app::{AppState, Screen};
use crate::tui::format;
use crate::tui::state::{Body, Pane};
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

pub fn header(frame: &mut Frame, area: Rect, state: &AppState) {
    let mut crumbs = vec!["batchout".to_string()];
    for s in &state.screens {
        match s {
            Screen::Jobs(_) => crumbs.push("jobs".into()),
            Screen::Job(j) => crumbs.push(j.title.shown().to_string()),
            Screen::Preview(p) => {
                crumbs.push(p.place.clone());
                crumbs.push(p.path.shown().to_string());
            }
            Screen::Log(l) => crumbs.push(format!("live: {}", l.title)),
            Screen::Search(s) => crumbs.push(format!("search {}", s.title)),
        }
    }
    let text = format!(" {}", crumbs.join(" › "));
    let fits = text.chars().count() + 16 <= area.width as usize;
    let line = Line::from(vec![Span::styled(text, theme::title())]);
    frame.render_widget(Paragraph::new(line).style(theme::bar()), area);
    let hint = Line::from(vec![
        Span::styled("?", theme::key()),
        Span::raw(" help  "),
        Span::styled("q", theme::key()),
        Span::raw(" quit "),
    ]);
    if fits {
        frame.render_widget(Paragraph::new(hint).alignment(Alignment::Right), area);
    }
}

pub fn status(frame: &mut Frame, area: Rect, state: &AppState) {
    let mut spans = Vec::new();
    if state.busy() {
        spans.push(Span::styled(
            format!(" {} ", SPINNER[state.spinner % SPINNER.len()]),
            theme::key(),
        ));
    } else {
        spans.push(Span::raw("   "));
    }
    let counts = counts(state);
    let error = state.error.as_ref().map(|e| format!("error: {e}"));
    let downloads = downloads_status(state);
    // The store label gives way first (keeping its end), so counts and errors stay visible.
    let used = 3
        + 3
        + counts.chars().count()
        + error.as_ref().map_or(0, |e| e.chars().count() + 3)
        + downloads
            .iter()
            .map(|d| d.chars().count() + 3)
            .sum::<usize>();
    let room = (area.width as usize).saturating_sub(used).max(12);
    spans.push(Span::raw(shorten_left(&state.store_label, room)));
    spans.push(Span::styled(" │ ", theme::dim()));
    spans.push(Span::raw(counts));
    for part in downloads {
        spans.push(Span::styled(" │ ", theme::dim()));
        spans.push(Span::styled(part, theme::key()));
    }
    if let Some(e) = error {
        spans.push(Span::styled(" │ ", theme::dim()));
        spans.push(Span::styled(e, theme::error()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)).style(theme::bar()), area);
}

/// Marks and running transfers, e.g. `2 marked (d downloads)`, `⇣ 1 transfer (T)`.
fn downloads_status(state: &AppState) -> Vec<String> {
    let d = &state.downloads;
    let mut out = Vec::new();
    if !d.marks.is_empty() {
        out.push(format!("{} marked (d downloads)", d.marks.len()));
    }
    if d.active() > 0 {
        out.push(format!(
            "⇣ {} (T)",
            format::count(d.active() as u64, "transfer", "transfers")
        ));
    }
    out
}

/// `…end of a long text` in at most `max` characters.
fn shorten_left(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return s.to_string();
    }
    let tail: String = s.chars().skip(n - max.saturating_sub(1)).collect();
    format!("…{tail}")
}

/// What the current screen holds, e.g. `12 jobs`, `3 of 100000 tasks · 2 files, 4.1 KiB`.
fn counts(state: &AppState) -> String {
    match state.screen() {
        Screen::Jobs(s) => {
            if s.filter.is_empty() {
                format::count(s.jobs.len() as u64, "job", "jobs")
            } else {
                format!(
                    "{} of {}",
                    s.visible.len(),
                    format::count(s.jobs.len() as u64, "job", "jobs")
                )
            }
        }
        Screen::Job(s) => {
            let (shown, all) = s.task_counts();
            let filtered = !s.filter.is_empty() || s.statuses.only.is_some();
            let st = &s.statuses;
            let mut out = if filtered {
                format!("{shown} of ")
            } else {
                String::new()
            };
            if st.by_task.is_empty() {
                out.push_str(&format::count(all as u64, "task", "tasks"));
                out.push_str(&format!(
                    ", {}",
                    format::count(s.job_kinds.len() as u64, "job kind", "job kinds")
                ));
            } else {
                // The job summed up: `1,000 tasks: 950 ok, 12 failed, 30 running, ...`.
                out.push_str(&st.counts.line());
                if st.loading.is_some() {
                    out.push_str(" …"); // more statuses to come
                }
            }
            if let (Pane::Files, Some(f)) = (s.focus, &s.files) {
                out.push_str(&format!(
                    " · {}, {}",
                    format::count(f.files.len() as u64, "file", "files"),
                    format::size(f.total_bytes)
                ));
            }
            out
        }
        Screen::Preview(p) => match &p.body {
            Body::Text(t) => format!(
                "{} · {}{} · bytes {}–{} of {}",
                format::count(t.lines.len() as u64, "line", "lines"),
                t.encoding.name(),
                if t.forced { " (forced, e)" } else { "" },
                t.start,
                t.end,
                format::size(t.total)
            ),
            Body::Image(i) => format!(
                "image · {} x {} {} · {}",
                i.info.width,
                i.info.height,
                i.info.format,
                format::size(i.info.bytes)
            ),
            Body::Binary {
                data, start, total, ..
            } => {
                format!(
                    "binary · bytes {}–{} of {}",
                    start,
                    start + data.len() as u64,
                    format::size(*total)
                )
            }
            Body::Loading => "reading…".into(),
            Body::Failed(_) => "read failed".into(),
        },
        Screen::Search(s) => format!(
            "{} in {} · {}",
            format::count(s.matches, "match", "matches"),
            format::count(s.counts.len() as u64, "task", "tasks"),
            format::count(s.files.len() as u64, "file", "files")
        ),
        Screen::Log(l) => format!(
            "{} · {}",
            format::count(l.lines.len() as u64, "line", "lines"),
            format::count(l.sources.len() as u64, "log", "logs")
        ),
    }
}
