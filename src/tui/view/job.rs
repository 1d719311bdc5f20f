//! One job: the tree of kinds and tasks (tui-tree-widget, built for the visible window
//! only) and the files of the chosen kind.

use super::{filter_title, theme};
use crate::tui::app::Size;
use crate::tui::format;
use crate::tui::layout;
use crate::tui::state::downloads::tree_mark;
use crate::tui::state::{Downloads, JobState, KindNode, Pane, TreeRow};
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Row, Table, TableState};
use ratatui::Frame;
use tui_tree_widget::{Tree, TreeItem, TreeState};

/// Identifier of the hidden child that gives a closed task its ▶ before it is loaded.
const PLACEHOLDER: usize = usize::MAX;

pub fn draw(frame: &mut Frame, size: Size, s: &JobState, marks: &Downloads) {
    let (tree_area, files_area) = layout::job_panes(size);
    draw_tree(frame, tree_area, s, marks);
    draw_files(frame, files_area, s, marks);
}

fn kind_line(k: &KindNode, style: ratatui::style::Style) -> Line<'static> {
    let count = if k.counting && k.files == 0 {
        "…".to_string()
    } else {
        let more = if k.counting { "+" } else { "" };
        format!("{}{more}", format::count(k.files, "file", "files"))
    };
    Line::from(vec![
        Span::styled(k.name.shown().to_string(), style),
        Span::styled(format!(" · {count}"), theme::dim()),
    ])
}

fn row_line(s: &JobState, row: TreeRow, marks: &Downloads) -> Line<'static> {
    let mut line = plain_row_line(s, row);
    if let Some(m) =
        super::downloads::mark_span(super::downloads::is_marked(marks, tree_mark(s, row)))
    {
        line.spans.insert(0, m);
    }
    line
}

fn plain_row_line(s: &JobState, row: TreeRow) -> Line<'static> {
    match row {
        TreeRow::JobKind(k) => {
            let mut l = kind_line(&s.job_kinds[k as usize], theme::job_kind());
            l.spans.insert(0, Span::styled("job ", theme::dim()));
            l
        }
        TreeRow::Task(t) => Line::from(s.tasks[t as usize].id.shown().to_string()),
        TreeRow::TaskKind(t, k) => {
            let kinds = s.tasks[t as usize].kinds.as_deref().unwrap_or_default();
            kind_line(&kinds[k as usize], theme::task_kind())
        }
        TreeRow::Note(t) => {
            let text = if s.tasks[t as usize].loading {
                "listing kinds…"
            } else {
                "no outputs"
            };
            Line::from(Span::styled(text, theme::dim()))
        }
    }
}

fn draw_tree(frame: &mut Frame, area: Rect, s: &JobState, marks: &Downloads) {
    let focused = s.focus == Pane::Tree;
    let mut block = Block::bordered()
        .border_style(theme::border(focused))
        .title(Line::from(Span::styled(
            " Tasks and kinds ",
            theme::title(),
        )));
    if let Some(f) = filter_title(&s.filter) {
        block = block.title_bottom(f);
    }
    if s.rows.is_empty() {
        let text = if !s.loaded {
            "Listing the job…"
        } else if s.filter.is_empty() {
            "This job has no outputs yet."
        } else {
            "Nothing matches the filter (Esc clears it)."
        };
        frame.render_widget(
            Paragraph::new(Span::styled(text, theme::dim())).block(block),
            area,
        );
        return;
    }
    // Build items for the visible window only: top-level rows, each with the children that
    // are in the window (a closed task gets a hidden child so that it shows ▶).
    let window = s.window(layout::inner(area).height as usize);
    let mut items: Vec<TreeItem<usize>> = Vec::new();
    let mut opened = Vec::new();
    let mut selected = Vec::new();
    for &i in &window {
        let row = s.rows[i];
        match row.parent() {
            Some(_) => {
                if let Some(parent) = items.last_mut() {
                    let parent_id = *parent.identifier();
                    let _ = parent.add_child(TreeItem::new_leaf(i, row_line(s, row, marks)));
                    if i == s.cursor.selected {
                        selected = vec![parent_id, i];
                    }
                }
            }
            None => {
                let mut item = TreeItem::new_leaf(i, row_line(s, row, marks));
                if let TreeRow::Task(t) = row {
                    if s.tasks[t as usize].open {
                        opened.push(i);
                    } else {
                        let _ = item.add_child(TreeItem::new_leaf(PLACEHOLDER, ""));
                    }
                }
                if i == s.cursor.selected {
                    selected = vec![i];
                }
                items.push(item);
            }
        }
    }
    // An open task whose children are below the window still needs its ▼.
    for item in items.iter_mut() {
        if opened.contains(item.identifier()) && item.children().is_empty() {
            let _ = item.add_child(TreeItem::new_leaf(PLACEHOLDER, ""));
        }
    }
    let mut state = TreeState::default();
    for id in opened {
        state.open(vec![id]);
    }
    state.select(selected);
    let highlight = if focused {
        theme::selected()
    } else {
        theme::selected_unfocused()
    };
    if let Ok(tree) = Tree::new(&items) {
        frame.render_stateful_widget(
            tree.block(block).highlight_style(highlight),
            area,
            &mut state,
        );
    }
}

fn draw_files(frame: &mut Frame, area: Rect, s: &JobState, marks: &Downloads) {
    let (files, focused) = (s.files.as_ref(), s.focus == Pane::Files);
    let Some(f) = files else {
        let block = Block::bordered()
            .border_style(theme::border(false))
            .title(" Files ");
        let hint = "Pick a kind in the tree and press Enter to list its files.";
        frame.render_widget(
            Paragraph::new(Span::styled(hint, theme::dim()))
                .wrap(Default::default())
                .block(block),
            area,
        );
        return;
    };
    let whose = match &f.task {
        Some(t) => t.shown().to_string(),
        None => "job".to_string(),
    };
    let mut block = Block::bordered()
        .border_style(theme::border(focused))
        .title(Line::from(vec![
            Span::styled(format!(" {} ", f.kind.shown()), theme::title()),
            Span::styled(format!("of {whose} "), theme::dim()),
        ]));
    if let Some(t) = filter_title(&f.filter) {
        block = block.title_bottom(t);
    }
    if f.visible.is_empty() {
        let text = match (&f.error, f.loading.is_some(), f.files.is_empty()) {
            (Some(e), _, _) => format!("Cannot list files: {e}"),
            (None, true, _) => "Listing files…".to_string(),
            (None, false, true) => "No files.".to_string(),
            (None, false, false) => "No file matches the filter (Esc clears it).".to_string(),
        };
        frame.render_widget(
            Paragraph::new(Span::styled(text, theme::dim()))
                .wrap(Default::default())
                .block(block),
            area,
        );
        return;
    }
    let height = layout::table_rows(area).height as usize;
    let start = f.cursor.offset.min(f.visible.len());
    let end = (start + height).min(f.visible.len());
    let wide = area.width >= 70;
    let rows = f.visible[start..end].iter().map(|&i| {
        let file = &f.files[i as usize];
        let when = if wide {
            format::when(file.modified)
        } else {
            format::when_short(file.modified)
        };
        let selection =
            crate::download::plan::Selection::file(f.scope.clone(), f.kind.raw(), file.path.raw());
        let marked = marks.is_marked(s.container.raw(), &selection);
        let name = Span::raw(file.path.shown().to_string());
        Row::new(vec![
            Line::from(
                super::downloads::mark_span(marked)
                    .into_iter()
                    .chain([name])
                    .collect::<Vec<_>>(),
            ),
            Line::from(format::size(file.len)).right_aligned(),
            Line::from(when),
        ])
    });
    let widths = [
        Constraint::Fill(1),
        Constraint::Length(10),
        Constraint::Length(if wide { 19 } else { 11 }),
    ];
    let header = ["Name", "Size", "Modified"];
    let highlight = if focused {
        theme::selected()
    } else {
        theme::selected_unfocused()
    };
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme::header_row()))
        .row_highlight_style(highlight)
        .block(block);
    let mut ts = TableState::default().with_selected(Some(f.cursor.selected - start));
    frame.render_stateful_widget(table, area, &mut ts);
}
