//! What the user asked for, independent of which key or mouse gesture said it.
//!
//! Keys reach `update` only as Actions (see [`super::keymap`]); each screen decides what an
//! Action means for it (e.g. `Left` collapses a tree node but scrolls a preview).

/// A user intent. `Copy`, so the key table can be a `const`. New features add variants here
/// (and a row to the key table); screens that do not care ignore them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    /// Collapse, go to the parent, or scroll left (preview).
    Left,
    /// Expand, open, or scroll right (preview).
    Right,
    /// Open the selected item.
    Enter,
    /// Leave the current screen.
    Back,
    /// Move focus to the next pane.
    NextPane,
    /// Start typing a filter for the focused list.
    StartFilter,
    /// Reload what the current screen shows.
    Refresh,
    /// Preview: switch between the head and the tail of the file.
    ToggleTail,
    /// Preview: decode the text in the next encoding (detected, then each one forced).
    Encoding,
    /// Live log: follow every task of the job.
    TailAll,
    /// Live log: keep the newest lines in view again.
    Follow,
    /// Live log: wrap long lines.
    ToggleWrap,
    /// Live log: next / previous search match.
    SearchNext,
    SearchPrev,
    /// Live log: save it to a new file.
    Save,
    /// Job tree: next sort order (name, status, last activity, duration, stderr size).
    CycleSort,
    /// Job tree: show only tasks with this status (again: show all).
    OnlyStatus(crate::outputs::status::Status),
    /// Search the contents of a job's task logs (job list, job tree).
    SearchJob,
    /// Show or hide the key help.
    Help,
    /// Mark or unmark the current job, task, kind or file for download (Space).
    Mark,
    /// Download the marked items, or the current one, after asking for the folder.
    Download,
    /// Show or hide the transfers panel.
    Transfers,
    /// Transfers panel: cancel the selected file (or the whole transfer on its header).
    CancelTransfer,
    /// Transfers panel: download failed or cancelled files again (resuming).
    RetryTransfer,
    Quit,

    /// While typing a filter.
    FilterChar(char),
    FilterBackspace,
    /// Keep the filter and return to navigation.
    FilterAccept,
    /// Drop the filter.
    FilterClear,

    /// Mouse, in terminal cells.
    Click {
        col: u16,
        row: u16,
    },
    ScrollUp {
        col: u16,
        row: u16,
    },
    ScrollDown {
        col: u16,
        row: u16,
    },

    /// The terminal changed size.
    Resize {
        width: u16,
        height: u16,
    },
    /// Animation clock (spinner); sent by the loop only while requests are in flight.
    Tick,
}
