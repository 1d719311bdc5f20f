//! The one key table. Keys become [`Action`]s here and nowhere else, and the `?` popup is
//! generated from the same table, so the help can never disagree with the keys.
//!
//! To add a key: add a [`Binding`] row (and, if new, an [`Action`] variant).

use super::Action;
use crate::outputs::status::Status;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEvent, MouseEventKind};

/// Where a binding applies; also the sections of the help popup, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Every screen.
    Global,
    /// The job list, the tree and the file list.
    Lists,
    /// The file preview.
    Preview,
    /// The live log screen.
    Log,
    /// The job-wide search screen.
    Search,
    /// While typing a filter after `/`.
    Filter,
    /// Mouse gestures (listed in the help; handled by [`mouse_action`]).
    Mouse,
    /// The download folder prompt and the transfers panel.
    Transfers,
}

impl Context {
    pub const ALL: [Context; 8] = [
        Context::Global,
        Context::Lists,
        Context::Preview,
        Context::Log,
        Context::Search,
        Context::Filter,
        Context::Transfers,
        Context::Mouse,
    ];
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::Lists => "Jobs, tree and files",
            Context::Preview => "Preview",
            Context::Log => "Live log",
            Context::Search => "Search (S)",
            Context::Filter => "Typing a filter",
            Context::Mouse => "Mouse",
            Context::Transfers => "Downloads",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

const fn k(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::NONE,
    }
}
const fn ch(c: char) -> Key {
    k(KeyCode::Char(c))
}
const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::CONTROL,
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Binding {
    pub context: Context,
    pub keys: &'static [Key],
    /// How the keys are shown in the help.
    pub label: &'static str,
    pub action: Action,
    pub help: &'static str,
}

const fn b(
    context: Context,
    keys: &'static [Key],
    label: &'static str,
    action: Action,
    help: &'static str,
) -> Binding {
    Binding {
        context,
        keys,
        label,
        action,
        help,
    }
}

use Context::{Filter, Global, Lists, Log, Mouse, Preview, Search, Transfers};
use KeyCode::*;

/// Every binding. In normal mode a key must mean one Action only (tested); what the Action
/// does depends on the screen, which the help text says.
pub const BINDINGS: &[Binding] = &[
    b(Global, &[k(Up), ch('k')], "↑ k", Action::Up, "move up"),
    b(
        Global,
        &[k(Down), ch('j')],
        "↓ j",
        Action::Down,
        "move down",
    ),
    b(
        Global,
        &[k(PageUp), ctrl('b'), ctrl('u')],
        "PgUp ^b ^u",
        Action::PageUp,
        "page up",
    ),
    b(
        Global,
        &[k(PageDown), ctrl('f'), ctrl('d')],
        "PgDn ^f ^d",
        Action::PageDown,
        "page down",
    ),
    b(
        Global,
        &[k(Home), ch('g')],
        "Home g",
        Action::Top,
        "first line",
    ),
    b(
        Global,
        &[k(End), ch('G')],
        "End G",
        Action::Bottom,
        "last line",
    ),
    b(
        Global,
        &[k(Esc), k(Backspace)],
        "Esc Backspace",
        Action::Back,
        "back to the previous screen",
    ),
    b(
        Global,
        &[ch('/')],
        "/",
        Action::StartFilter,
        "filter the focused list (substring, live)",
    ),
    b(
        Global,
        &[ch('r'), k(F(5))],
        "r F5",
        Action::Refresh,
        "reload from the store",
    ),
    b(
        Global,
        &[ch('?'), k(F(1))],
        "? F1",
        Action::Help,
        "this help (any key closes it)",
    ),
    b(Global, &[ch('q'), ctrl('c')], "q ^c", Action::Quit, "quit"),
    b(
        Global,
        &[ch('T')],
        "T",
        Action::Transfers,
        "show / hide the transfers panel",
    ),
    b(
        Lists,
        &[k(Enter)],
        "Enter",
        Action::Enter,
        "open: job, task (expand), kind (files), file (preview)",
    ),
    b(
        Lists,
        &[k(Right), ch('l')],
        "→ l",
        Action::Right,
        "expand or open",
    ),
    b(
        Lists,
        &[k(Left), ch('h')],
        "← h",
        Action::Left,
        "collapse, go to parent, or back",
    ),
    b(
        Lists,
        &[k(Tab), k(BackTab)],
        "Tab",
        Action::NextPane,
        "switch between tree and files",
    ),
    b(
        Preview,
        &[ch('t')],
        "t",
        Action::ToggleTail,
        "show the tail / the head of the file",
    ),
    b(Preview, &[], "← h  → l", Action::Left, "scroll sideways"),
    b(
        Preview,
        &[ch('e')],
        "e",
        Action::Encoding,
        "text encoding: detected, or force UTF-8, UTF-16LE/BE, Windows-1252",
    ),
    b(
        Lists,
        &[],
        "t",
        Action::ToggleTail,
        "live log: the selected file, or the task's stdout+stderr",
    ),
    b(
        Lists,
        &[ch('a')],
        "a",
        Action::TailAll,
        "live log of all tasks of the job (stdout+stderr)",
    ),
    b(
        Lists,
        &[ch('o')],
        "o",
        Action::CycleSort,
        "sort tasks: name, status, activity, duration, stderr",
    ),
    b(
        Lists,
        &[ch('F')],
        "F",
        Action::OnlyStatus(Status::Failed),
        "only failed tasks (again: all); works with /",
    ),
    b(
        Lists,
        &[ch('L')],
        "L",
        Action::OnlyStatus(Status::Running),
        "only running tasks (again: all)",
    ),
    b(
        Lists,
        &[ch('S')],
        "S",
        Action::SearchJob,
        "search the job's task logs (the tree: the tasks it shows)",
    ),
    b(
        Preview,
        &[ch('f')],
        "f",
        Action::Follow,
        "follow this file live (log view)",
    ),
    b(
        Log,
        &[],
        "f End G",
        Action::Follow,
        "follow: keep the newest lines in view",
    ),
    b(Log, &[ch('w')], "w", Action::ToggleWrap, "wrap long lines"),
    b(Log, &[], "/", Action::StartFilter, "search; Enter keeps it"),
    b(Log, &[ch('n')], "n", Action::SearchNext, "next match"),
    b(Log, &[ch('N')], "N", Action::SearchPrev, "previous match"),
    b(
        Log,
        &[],
        "g ↑ PgUp",
        Action::Top,
        "top / scroll up (older parts load as you go)",
    ),
    b(
        Log,
        &[ch('s')],
        "s",
        Action::Save,
        "save the log to a new file in the current folder",
    ),
    b(
        Search,
        &[],
        "text Enter",
        Action::FilterAccept,
        "pattern: regex; leading -i, -F (fixed), -w (words)",
    ),
    b(
        Search,
        &[],
        "Enter  t",
        Action::Enter,
        "preview at the match / follow live (n N: matches)",
    ),
    b(
        Search,
        &[],
        "/  Esc",
        Action::StartFilter,
        "edit the pattern / cancel the search, then close",
    ),
    b(
        Filter,
        &[],
        "text",
        Action::FilterChar(' '),
        "narrow the list as you type",
    ),
    b(
        Filter,
        &[k(Backspace)],
        "Backspace",
        Action::FilterBackspace,
        "delete a character",
    ),
    b(
        Filter,
        &[k(Enter)],
        "Enter",
        Action::FilterAccept,
        "keep the filter, back to the list",
    ),
    b(
        Filter,
        &[k(Esc)],
        "Esc",
        Action::FilterClear,
        "clear the filter",
    ),
    b(
        Filter,
        &[k(Up), k(Down)],
        "↑ ↓",
        Action::Down,
        "move in the filtered list",
    ),
    b(
        Transfers,
        &[ch(' ')],
        "Space",
        Action::Mark,
        "mark / unmark a job, task, kind or file",
    ),
    b(
        Transfers,
        &[ch('d')],
        "d",
        Action::Download,
        "download the marked items (or the current one)",
    ),
    b(
        Transfers,
        &[],
        "Enter  Esc",
        Action::FilterAccept,
        "folder prompt: download there / cancel",
    ),
    b(
        Transfers,
        &[],
        "Tab",
        Action::NextPane,
        "folder prompt: replace differing files or keep them",
    ),
    b(
        Transfers,
        &[ch('x')],
        "x",
        Action::CancelTransfer,
        "panel: cancel the file (on a header: all)",
    ),
    b(
        Transfers,
        &[ch('R')],
        "R",
        Action::RetryTransfer,
        "panel: retry failed and cancelled files",
    ),
    b(
        Mouse,
        &[],
        "wheel",
        Action::ScrollDown { col: 0, row: 0 },
        "scroll the pane under the pointer",
    ),
    b(
        Mouse,
        &[],
        "click",
        Action::Click { col: 0, row: 0 },
        "select; click again to open",
    ),
];

/// Which table applies to keys right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Normal,
    /// Typing a filter.
    Filter,
}

fn matches(key: &Key, ev: &KeyEvent) -> bool {
    // Shift is part of the character for letters (G, ?): ignore it when comparing chars.
    let mods = ev.modifiers - KeyModifiers::SHIFT;
    key.code == ev.code && key.mods == mods
}

/// The Action for a key press, if it is bound.
pub fn key_action(ev: KeyEvent, mode: Mode) -> Option<Action> {
    if ev.kind == KeyEventKind::Release {
        return None;
    }
    if ev.code == KeyCode::Char('c') && ev.modifiers.contains(KeyModifiers::CONTROL) {
        return Some(Action::Quit);
    }
    if mode == Mode::Filter {
        return match ev.code {
            KeyCode::Up => Some(Action::Up),
            KeyCode::Down => Some(Action::Down),
            KeyCode::Backspace => Some(Action::FilterBackspace),
            KeyCode::Enter => Some(Action::FilterAccept),
            KeyCode::Esc => Some(Action::FilterClear),
            KeyCode::Char(c)
                if !ev
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
            {
                Some(Action::FilterChar(c))
            }
            _ => None,
        };
    }
    BINDINGS
        .iter()
        .filter(|b| b.context != Context::Filter)
        .find(|b| b.keys.iter().any(|k| matches(k, &ev)))
        .map(|b| b.action)
}

/// The Action for a mouse event (wheel and left click).
pub fn mouse_action(ev: MouseEvent) -> Option<Action> {
    let (col, row) = (ev.column, ev.row);
    match ev.kind {
        MouseEventKind::ScrollUp => Some(Action::ScrollUp { col, row }),
        MouseEventKind::ScrollDown => Some(Action::ScrollDown { col, row }),
        MouseEventKind::Down(crossterm::event::MouseButton::Left) => {
            Some(Action::Click { col, row })
        }
        _ => None,
    }
}

/// The help popup's lines: (section title, [(keys, what they do)]).
pub fn help_sections() -> Vec<(&'static str, Vec<(&'static str, &'static str)>)> {
    Context::ALL
        .iter()
        .map(|&c| {
            let rows = BINDINGS
                .iter()
                .filter(|b| b.context == c)
                .map(|b| (b.label, b.help))
                .collect();
            (c.title(), rows)
        })
        .collect()
}
