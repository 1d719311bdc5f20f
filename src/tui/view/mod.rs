//! Drawing. Every function takes `&AppState` (or a part of it) and a frame: views never
//! change state and never do I/O. Widgets are built for the visible rows only.

mod chrome;
mod downloads;
mod help;
pub mod hex;
pub mod highlight;
mod job;
mod jobs;
mod log;
mod preview;
mod search;
mod task_columns;
pub mod theme;

use super::app::{AppState, Screen};
use super::layout;
use ratatui::Frame;

pub fn draw(frame: &mut Frame, state: &AppState) {
    let bands = layout::bands(state.size);
    chrome::header(frame, bands.header, state);
    match state.screen() {
        Screen::Jobs(s) => jobs::draw(frame, bands.body, s, &state.downloads),
        Screen::Job(s) => job::draw(frame, state.size, s, &state.downloads),
        Screen::Preview(s) => preview::draw(frame, bands.body, s),
        Screen::Log(s) => log::draw(frame, bands.body, s),
        Screen::Search(s) => search::draw(frame, state.size, s),
    }
    chrome::status(frame, bands.status, state);
    downloads::draw(frame, state);
    if let Some(scroll) = state.help {
        help::draw(frame, frame.area(), scroll);
    }
}

/// A filter shown in a block's bottom border: `/text▏` while typing.
pub(crate) fn filter_title(f: &super::state::Filter) -> Option<ratatui::text::Line<'static>> {
    use ratatui::text::{Line, Span};
    if !f.editing && f.text.is_empty() {
        return None;
    }
    let cursor = if f.editing { "▏" } else { "" };
    let text = crate::text::sanitize(&f.text).into_owned();
    Some(Line::from(vec![Span::styled(
        format!(" /{text}{cursor} "),
        theme::filter(),
    )]))
}
