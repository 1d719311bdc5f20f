//! `update(&mut AppState, Input) -> Vec<Effect>`: the only place state changes. Pure and
//! synchronous (no I/O, no clock), so tests drive it with Actions and Msgs.
//!
//! This file handles what every screen shares (quit, help, resize, the spinner, routing
//! Msgs to the screen that asked for them, opening and closing screens); each screen's own
//! keys and Msgs live in a file of its own.

pub mod downloads;
mod filter;
mod job;
mod jobs;
pub mod log;
mod preview;

use super::app::{AppState, Input, Requests, Screen, Size};
use super::effect::{Effect, RequestKind};
use super::msg::Msg;
use super::Action;
use crate::text::sanitize;

/// What a screen handler may do besides changing its own state.
pub struct Cx<'a> {
    requests: &'a mut Requests,
    pub size: Size,
    pub preview_bytes: u64,
    pub effects: Vec<Effect>,
    pub nav: Option<Nav>,
    /// Set the status bar's error.
    pub error: Option<String>,
}

impl<'a> Cx<'a> {
    /// A fresh context: borrows only the request table, so the screens stay free to borrow.
    pub fn new(requests: &'a mut Requests, size: Size, preview_bytes: u64) -> Self {
        Cx {
            requests,
            size,
            preview_bytes,
            effects: Vec::new(),
            nav: None,
            error: None,
        }
    }
}

/// Screen stack changes requested by a handler.
#[derive(Debug)]
pub enum Nav {
    Push(Screen),
    Pop,
}

impl Cx<'_> {
    /// Start a request; returns its id (store it to recognise the answers).
    pub fn request(&mut self, kind: RequestKind) -> super::RequestId {
        let id = self.requests.start();
        self.effects.push(Effect::load(id, kind));
        id
    }
    /// Stop a request the user no longer needs.
    pub fn cancel(&mut self, id: Option<super::RequestId>) {
        if let Some(id) = id {
            self.requests.finish(id);
            self.effects.push(Effect::Cancel(id));
        }
    }
}

/// Start the browser: list the jobs.
pub fn start(state: &mut AppState) -> Vec<Effect> {
    update(state, Input::Action(Action::Refresh))
}

pub fn update(state: &mut AppState, input: Input) -> Vec<Effect> {
    match input {
        Input::Action(a) => action(state, a),
        Input::Msg(m) => msg(state, m),
    }
}

fn action(state: &mut AppState, a: Action) -> Vec<Effect> {
    match a {
        Action::Tick => {
            if state.busy() {
                state.spinner = state.spinner.wrapping_add(1);
                state.dirty = true;
            }
            return Vec::new();
        }
        Action::Resize { width, height } => {
            state.size = Size { width, height };
            state.dirty = true;
            let size = state.size;
            for s in &mut state.screens {
                resized(s, size);
            }
            return Vec::new();
        }
        _ => {}
    }
    state.dirty = true;
    if let Some(scroll) = state.help {
        state.help = match a {
            Action::Down | Action::ScrollDown { .. } => Some(scroll + 1),
            Action::Up | Action::ScrollUp { .. } => Some(scroll.saturating_sub(1)),
            Action::PageDown => Some(scroll + 10),
            Action::PageUp => Some(scroll.saturating_sub(10)),
            _ => None,
        };
        if a == Action::Quit {
            state.quit = true;
        }
        return Vec::new();
    }
    // Marks, the download prompt and the transfers panel come before the screens.
    let a = match downloads::action(state, a) {
        downloads::Handled::Done(effects) => return effects,
        downloads::Handled::Pass(a) => a,
    };
    let editing = state.filter_editing();
    match a {
        Action::Quit if !editing => {
            state.quit = true;
            return Vec::new();
        }
        Action::Help if !editing => {
            state.help = Some(0);
            return Vec::new();
        }
        Action::Refresh | Action::Enter | Action::Back => state.error = None,
        _ => {}
    }
    let mut cx = Cx::new(&mut state.requests, state.size, state.preview_bytes);
    let screen = state
        .screens
        .last_mut()
        .expect("the job list is never closed");
    match screen {
        Screen::Jobs(s) => jobs::action(s, &mut cx, a),
        Screen::Job(s) => job::action(s, &mut cx, a),
        Screen::Preview(s) => preview::action(s, &mut cx, a),
        Screen::Log(s) => log::action(s, &mut cx, a),
    }
    let Cx {
        effects,
        nav,
        error,
        ..
    } = cx;
    finish(state, effects, nav, error)
}

fn msg(state: &mut AppState, m: Msg) -> Vec<Effect> {
    let id = m.id();
    if state.downloads.owns(id) {
        return downloads::msg(state, m);
    }
    let was_busy = state.busy();
    if m.is_final() {
        state.requests.finish(id);
    }
    // A Msg nobody waits for any more is dropped: the user moved on.
    let Some(pos) = state.screens.iter().rposition(|s| s.owns(id)) else {
        state.requests.finish(id);
        state.dirty |= was_busy != state.busy();
        return Vec::new();
    };
    state.dirty = true;
    if let Msg::Failed { error, .. } = &m {
        state.error = Some(error_line(error));
    }
    let mut cx = Cx::new(&mut state.requests, state.size, state.preview_bytes);
    match &mut state.screens[pos] {
        Screen::Jobs(s) => jobs::msg(s, &mut cx, m),
        Screen::Job(s) => job::msg(s, &mut cx, m),
        Screen::Preview(s) => preview::msg(s, &mut cx, m),
        Screen::Log(s) => log::msg(s, &mut cx, m),
    }
    // Only the top screen may navigate; a Msg for a screen below must not move the user.
    if pos + 1 != state.screens.len() {
        cx.nav = None;
    }
    let Cx {
        effects,
        nav,
        error,
        ..
    } = cx;
    finish(state, effects, nav, error)
}

/// Apply what a handler asked for besides its own state.
fn finish(
    state: &mut AppState,
    mut effects: Vec<Effect>,
    nav: Option<Nav>,
    error: Option<String>,
) -> Vec<Effect> {
    if let Some(e) = error {
        state.error = Some(error_line(&e));
    }
    match nav {
        Some(Nav::Push(s)) => state.screens.push(s),
        Some(Nav::Pop) if state.screens.len() > 1 => {
            let closed = state.screens.pop().expect("more than one screen");
            for id in closed.pending() {
                state.requests.finish(id);
                effects.push(Effect::Cancel(id));
            }
        }
        _ => {}
    }
    effects
}

/// An error for the status bar: one line, no escape sequences.
fn error_line(e: &str) -> String {
    let flat: String = e
        .chars()
        .map(|c| {
            if matches!(c, '\n' | '\r' | '\t') {
                ' '
            } else {
                c
            }
        })
        .collect();
    sanitize(&flat).trim().to_string()
}

fn resized(s: &mut Screen, size: Size) {
    use super::layout;
    match s {
        Screen::Jobs(s) => s.cursor.clamp(s.visible.len(), layout::jobs_height(size)),
        Screen::Job(s) => {
            s.fix_scroll(layout::tree_height(size));
            if let Some(f) = &mut s.files {
                f.cursor.clamp(f.visible.len(), layout::files_height(size));
            }
        }
        Screen::Preview(s) => s.clamp_scroll(layout::preview_height(size)),
        // The log view computes its window from the size when drawing.
        Screen::Log(_) => {}
    }
}

/// Rows moved by one mouse wheel notch.
pub const WHEEL_STEP: isize = 3;

/// Cursor movement for the common list Actions; None for other Actions.
pub fn list_step(a: Action, height: usize) -> Option<isize> {
    let page = height.max(1) as isize;
    Some(match a {
        Action::Up => -1,
        Action::Down => 1,
        Action::PageUp => -page,
        Action::PageDown => page,
        Action::Top => isize::MIN / 2,
        Action::Bottom => isize::MAX / 2,
        Action::ScrollUp { .. } => -WHEEL_STEP,
        Action::ScrollDown { .. } => WHEEL_STEP,
        _ => return None,
    })
}
