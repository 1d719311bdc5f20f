//! Typing a filter: shared by every list.

use crate::tui::state::Filter;
use crate::tui::Action;

/// Apply a filter Action. None: not a filter Action (the screen handles it). Some(changed):
/// handled; `changed` says whether the text changed (the list must be filtered again).
pub fn edit(f: &mut Filter, a: Action) -> Option<bool> {
    match a {
        Action::StartFilter => {
            f.editing = true;
            Some(false)
        }
        Action::FilterChar(c) if f.editing => {
            f.text.push(c);
            Some(true)
        }
        Action::FilterBackspace if f.editing => {
            if f.text.pop().is_none() {
                f.editing = false;
            }
            Some(true)
        }
        Action::FilterAccept if f.editing => {
            f.editing = false;
            Some(false)
        }
        Action::FilterClear if f.editing => {
            f.editing = false;
            f.text.clear();
            Some(true)
        }
        // Esc on a filtered list clears the filter before it goes back.
        Action::Back if !f.text.is_empty() => {
            f.text.clear();
            Some(true)
        }
        _ => None,
    }
}
