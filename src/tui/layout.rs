//! Where things are on screen. Shared by views (to draw) and by `update` (for page sizes
//! and mouse hit-testing), so both always agree.

use super::app::Size;
use ratatui::layout::{Constraint, Layout, Rect};

/// The three bands of every screen.
#[derive(Debug, Clone, Copy)]
pub struct Bands {
    pub header: Rect,
    pub body: Rect,
    pub status: Rect,
}

pub fn bands(size: Size) -> Bands {
    let area = Rect::new(0, 0, size.width, size.height);
    let [header, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    Bands {
        header,
        body,
        status,
    }
}

/// Inside a border.
pub fn inner(r: Rect) -> Rect {
    Rect::new(
        r.x + 1,
        r.y + 1,
        r.width.saturating_sub(2),
        r.height.saturating_sub(2),
    )
}

/// Rows of a bordered table below its header line.
pub fn table_rows(r: Rect) -> Rect {
    let i = inner(r);
    Rect::new(i.x, i.y + 1, i.width, i.height.saturating_sub(1))
}

/// The job screen: tree on the left, files on the right.
pub fn job_panes(size: Size) -> (Rect, Rect) {
    let body = bands(size).body;
    let tree_width = (body.width * 2 / 5).clamp(24.min(body.width), 60);
    let [tree, files] =
        Layout::horizontal([Constraint::Length(tree_width), Constraint::Min(0)]).areas(body);
    (tree, files)
}

/// Visible rows of the job list.
pub fn jobs_height(size: Size) -> usize {
    table_rows(bands(size).body).height as usize
}

pub fn tree_height(size: Size) -> usize {
    inner(job_panes(size).0).height as usize
}

pub fn files_height(size: Size) -> usize {
    table_rows(job_panes(size).1).height as usize
}

pub fn preview_height(size: Size) -> usize {
    inner(bands(size).body).height as usize
}

/// The preview pane's inside as (columns, rows): what an image is fitted to.
pub fn preview_cells(size: Size) -> (u16, u16) {
    let r = inner(bands(size).body);
    (r.width, r.height)
}

/// Index of the list line under a mouse position within `rows`, if any.
pub fn line_at(rows: Rect, col: u16, row: u16) -> Option<usize> {
    let inside =
        col >= rows.x && col < rows.x + rows.width && row >= rows.y && row < rows.y + rows.height;
    inside.then(|| (row - rows.y) as usize)
}

pub fn contains(r: Rect, col: u16, row: u16) -> bool {
    col >= r.x && col < r.x + r.width && row >= r.y && row < r.y + r.height
}

/// The transfers panel: most of the body, over the current screen.
pub fn transfers_panel(size: Size) -> Rect {
    let body = bands(size).body;
    let width = body.width.saturating_sub(4).clamp(20.min(body.width), 110);
    let height = body.height.saturating_sub(2).max(3.min(body.height));
    Rect::new(
        body.x + (body.width - width) / 2,
        body.y + (body.height - height) / 2,
        width,
        height,
    )
}

/// Lines of the transfers panel inside its border.
pub fn transfers_height(size: Size) -> usize {
    inner(transfers_panel(size)).height as usize
}

/// The search screen: results on the left, counts per task on the right.
pub fn search_panes(size: Size) -> (Rect, Rect) {
    let body = bands(size).body;
    let counts = (body.width / 4).clamp(20.min(body.width), 36);
    let [results, tasks] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(counts)]).areas(body);
    (results, tasks)
}

/// Result rows of the search screen (below the prompt line).
pub fn search_height(size: Size) -> usize {
    table_rows(search_panes(size).0).height as usize
}
