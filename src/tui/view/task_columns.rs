//! A task's row in the job tree: its id, then status columns that drop by priority when the
//! pane is narrow (status mark, exit code, duration or age, stderr size, outputs).

use super::theme;
use crate::outputs::status::Status;
use crate::text::compact::{compact_size, short_duration};
use crate::tui::requests::status::TaskStatus;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthStr;

/// The columns after the id, most important first, with their widths (a leading space
/// included). Which of them show depends on the room left after [`MIN_NAME`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Mark,
    Exit,
    Time,
    Stderr,
    Outputs,
}

const COLS: [(Col, usize); 5] = [
    (Col::Mark, 2),
    (Col::Exit, 5),
    (Col::Time, 7),
    (Col::Stderr, 7),
    (Col::Outputs, 11),
];

/// Room the id keeps before any column is dropped.
const MIN_NAME: usize = 12;

/// Which columns fit in `width` cells (the row's text area), and the id's width.
pub struct Columns {
    cols: Vec<(Col, usize)>,
    name: usize,
}

impl Columns {
    pub fn fit(width: usize) -> Columns {
        let mut used = 0;
        let cols: Vec<_> = COLS
            .iter()
            .copied()
            .take_while(|(_, w)| {
                let fits = MIN_NAME + used + w <= width;
                used += w;
                fits
            })
            .collect();
        let used: usize = cols.iter().map(|(_, w)| w).sum();
        Columns {
            cols,
            name: width.saturating_sub(used),
        }
    }

    /// The row of one task; `taken` cells are used before it (a download mark).
    pub fn line(&self, name: &str, status: Option<&TaskStatus>, taken: usize) -> Line<'static> {
        let width = self.name.saturating_sub(taken);
        let mut spans = vec![Span::raw(fit(name, width))];
        for &(col, w) in &self.cols {
            let (text, style) = match status {
                None => (String::new(), Style::new()),
                Some(st) => cell(col, st),
            };
            spans.push(Span::styled(format!("{text:>w$}"), style));
        }
        Line::from(spans)
    }
}

fn cell(col: Col, st: &TaskStatus) -> (String, Style) {
    match col {
        Col::Mark => {
            let (mark, color) = mark(st.status);
            (mark.to_string(), Style::new().fg(color))
        }
        Col::Exit => match (st.exit_code, st.signal) {
            (Some(c), _) => (c.to_string(), exit_style(c)),
            (None, Some(sig)) => (format!("sig{sig}"), exit_style(1)),
            (None, None) => (String::new(), Style::new()),
        },
        // A duration when the task's record gives one, else the age of its last write
        // (dimmed: how long it has been quiet, not how long it ran).
        Col::Time => match (st.duration, st.idle) {
            (Some(d), _) => (short_duration(d), Style::new()),
            (None, Some(idle)) => (short_duration(idle), theme::dim()),
            (None, None) => (String::new(), Style::new()),
        },
        Col::Stderr => match st.stderr_len {
            Some(0) | None => ("-".to_string(), theme::dim()),
            Some(n) => (compact_size(n), Style::new().fg(Color::Yellow)),
        },
        Col::Outputs => (
            format!("{}·{}", st.outputs, compact_size(st.output_bytes)),
            theme::dim(),
        ),
    }
}

fn exit_style(code: i32) -> Style {
    if code == 0 {
        theme::dim()
    } else {
        Style::new().fg(Color::Red)
    }
}

/// One cell per status (a mark of its own, distinct from the download mark ●).
pub fn mark(s: Status) -> (&'static str, Color) {
    match s {
        Status::Ok => ("✓", Color::Green),
        Status::Failed => ("✗", Color::Red),
        Status::Lost => ("!", Color::LightRed),
        Status::Running => ("↻", Color::Cyan),
        Status::Unknown => ("?", Color::DarkGray),
    }
}

/// `s` padded or cut (with …) to exactly `width` cells.
fn fit(s: &str, width: usize) -> String {
    let w = s.width();
    if w <= width {
        return format!("{s}{}", " ".repeat(width - w));
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if used + cw + 1 > width {
            break;
        }
        out.push(c);
        used += cw;
    }
    out.push('…');
    used += 1;
    out.push_str(&" ".repeat(width.saturating_sub(used)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_drop_by_priority() {
        let names = |w| Columns::fit(w).cols.iter().map(|c| c.0).collect::<Vec<_>>();
        assert_eq!(names(28), [Col::Mark, Col::Exit, Col::Time]);
        assert_eq!(names(13), Vec::<Col>::new());
        assert_eq!(names(56).len(), 5);
        assert_eq!(Columns::fit(28).name, 14);
        assert_eq!(fit("frame-0001", 6), "frame…");
        assert_eq!(fit("ab", 4), "ab  ");
    }
}
