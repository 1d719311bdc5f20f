//! Colours and styles, in the terminal's 16 named colours so that any theme stays readable
//! (syntax highlighting uses its own theme, see [`super::highlight`]).

use ratatui::style::{Color, Modifier, Style};

pub fn selected() -> Style {
    Style::new()
        .bg(Color::Blue)
        .fg(Color::White)
        .add_modifier(Modifier::BOLD)
}
pub fn selected_unfocused() -> Style {
    Style::new().bg(Color::DarkGray).fg(Color::White)
}
pub fn border(focused: bool) -> Style {
    if focused {
        Style::new().fg(Color::Cyan)
    } else {
        Style::new().fg(Color::DarkGray)
    }
}
pub fn title() -> Style {
    Style::new().add_modifier(Modifier::BOLD)
}
pub fn header_row() -> Style {
    Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)
}
pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}
pub fn job_kind() -> Style {
    Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD)
}
pub fn task_kind() -> Style {
    Style::new().fg(Color::Cyan)
}
pub fn error() -> Style {
    Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
}
pub fn bar() -> Style {
    Style::new().bg(Color::Black).fg(Color::Gray)
}
pub fn key() -> Style {
    Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)
}
pub fn filter() -> Style {
    Style::new().fg(Color::Black).bg(Color::Yellow)
}
