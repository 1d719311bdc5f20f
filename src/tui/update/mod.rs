//! `update(&mut AppState, Input) -> Vec<Effect>`: the only place state changes. Pure and
//! synchronous (no I/O, no clock), so tests drive it with Actions and Msgs.
//!
//! This file handles what every screen shares (quit, help, resize, the spinner, routing
//! Msgs to the screen or panel that asked for them, opening and closing screens); each
//! screen's own keys and Msgs live in a file of its own, and so do the transfers panel's
//! (`downloads.rs`), with the same handler shape: `(own state, &mut Cx, Action or Msg)`.

pub mod downloads;
mod filter;
mod job;
mod jobs;
pub mod log;
mod preview;
mod search;

use super::app::{AppState, Input, Screen, Size};
use super::effect::Effect;
use super::msg::Msg;
use super::requests::{RequestId, RequestKind, Requests};
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
    /// Clear the status bar's error (before `error` sets a new one).
    pub clear_error: bool,
    /// Leave the browser.
    pub quit: bool,
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
            clear_error: false,
            quit: false,
        }
    }
}

/// What a handler asked for besides its own state, once it is done.
struct Asked {
    effects: Vec<Effect>,
    nav: Option<Nav>,
    error: Option<String>,
    clear_error: bool,
    quit: bool,
}

impl Cx<'_> {
    /// Release the request table, keeping what the handler asked for.
    fn done(self) -> Asked {
        Asked {
            effects: self.effects,
            nav: self.nav,
            error: self.error,
            clear_error: self.clear_error,
            quit: self.quit,
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
    pub fn request(&mut self, kind: RequestKind) -> RequestId {
        let id = self.requests.start();
        self.effects.push(Effect::load(id, kind));
        id
    }
    /// Stop a request the user no longer needs.
    pub fn cancel(&mut self, id: Option<RequestId>) {
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
            // An image on top is fitted again (background work, so through a Cx).
            if let Some(Screen::Preview(p)) = state.screens.last_mut() {
                let mut cx = Cx::new(&mut state.requests, size, state.preview_bytes);
                preview::resized(p, &mut cx);
                let asked = cx.done();
                return finish(state, asked);
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
    // Marks, the download prompt and the transfers panel come before the screens (the
    // panel is drawn over them).
    let editing = state.filter_editing();
    let mut cx = Cx::new(&mut state.requests, state.size, state.preview_bytes);
    // The job list, screens[0], is never closed.
    #[allow(clippy::expect_used)]
    let here =
        || downloads::current_mark(state.screens.last().expect("the job list is never closed"));
    let a = match downloads::action(&mut state.downloads, &mut cx, a, editing, here) {
        downloads::Handled::Done => {
            let asked = cx.done();
            return finish(state, asked);
        }
        downloads::Handled::Pass(a) => a,
    };
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
    // The job list, screens[0], is never closed.
    #[allow(clippy::expect_used)]
    let screen = state
        .screens
        .last_mut()
        .expect("the job list is never closed");
    match screen {
        Screen::Jobs(s) => jobs::action(s, &mut cx, a),
        Screen::Job(s) => job::action(s, &mut cx, a),
        Screen::Preview(s) => preview::action(s, &mut cx, a),
        Screen::Log(s) => log::action(s, &mut cx, a),
        Screen::Search(s) => search::action(s, &mut cx, a),
    }
    let asked = cx.done();
    finish(state, asked)
}

/// Who asked for a request: a screen of the stack, or the transfers panel.
enum Owner {
    Screen(usize),
    Transfers,
}

fn msg(state: &mut AppState, m: Msg) -> Vec<Effect> {
    let id = m.id();
    let was_busy = state.busy();
    if m.is_final() {
        state.requests.finish(id);
    }
    let owner = match state.screens.iter().rposition(|s| s.owns(id)) {
        Some(pos) => Owner::Screen(pos),
        None if state.downloads.owns(id) => Owner::Transfers,
        // A Msg nobody waits for any more is dropped: the user moved on.
        None => {
            state.requests.finish(id);
            state.dirty |= was_busy != state.busy();
            return Vec::new();
        }
    };
    state.dirty = true;
    let mut cx = Cx::new(&mut state.requests, state.size, state.preview_bytes);
    match owner {
        Owner::Screen(pos) => {
            // (The transfers panel shows its failures on its rows, not in the status bar.)
            if let Msg::Failed { error, .. } = &m {
                state.error = Some(error_line(error));
            }
            match &mut state.screens[pos] {
                Screen::Jobs(s) => jobs::msg(s, &mut cx, m),
                Screen::Job(s) => job::msg(s, &mut cx, m),
                Screen::Preview(s) => preview::msg(s, &mut cx, m),
                Screen::Log(s) => log::msg(s, &mut cx, m),
                Screen::Search(s) => search::msg(s, &mut cx, m),
            }
            // Only the top screen may navigate; a Msg for a screen below must not move the
            // user.
            if pos + 1 != state.screens.len() {
                cx.nav = None;
            }
        }
        Owner::Transfers => downloads::msg(&mut state.downloads, &mut cx, m),
    }
    let asked = cx.done();
    finish(state, asked)
}

/// Apply what a handler asked for besides its own state.
fn finish(state: &mut AppState, asked: Asked) -> Vec<Effect> {
    let Asked {
        mut effects,
        nav,
        error,
        clear_error,
        quit,
    } = asked;
    state.quit |= quit;
    if clear_error {
        state.error = None;
    }
    if let Some(e) = error {
        state.error = Some(error_line(&e));
    }
    match nav {
        Some(Nav::Push(s)) => state.screens.push(s),
        Some(Nav::Pop) if state.screens.len() > 1 => {
            #[allow(clippy::expect_used)] // the guard checked there is more than one
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
        Screen::Search(s) => s.cursor.clamp(s.hits.len(), layout::search_height(size)),
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
