//! The interactive browser. Data flows one way (see docs/design.md and README.md here):
//!
//! ```text
//! crossterm events -> keymap -> Action ┐
//! worker results (Msg) ────────────────┴-> update(&mut AppState, Input) -> Vec<Effect>
//! Effect -> workers (tokio tasks, cancellable) -> Msg back on one channel
//! redraw only when state changed: view::draw(frame, &AppState)
//! ```
//!
//! - [`app`] and [`state`]: everything the screen shows, and nothing else.
//! - [`action`], [`msg`], [`effect`]: the three message types.
//! - [`keymap`]: the one key table (it also generates the `?` popup).
//! - [`update`]: pure and synchronous; per screen in `update/`.
//! - [`worker`] and [`load`]: run Effects against a [`crate::store::Store`].
//! - [`view`]: draws from `&AppState` only; per screen in `view/`.
//! - [`run`]: the terminal loop (raw mode, events, restoring the terminal on every exit).

pub mod action;
pub mod app;
pub mod download_worker;
pub mod effect;
pub mod format;
pub mod keymap;
pub mod layout;
pub mod load;
pub mod log_msg;
pub mod log_worker;
pub mod msg;
pub mod name;
pub mod run;
pub mod state;
pub mod terminal;
pub mod update;
pub mod view;
pub mod worker;

pub use action::Action;
pub use app::{AppState, Input, RequestId, Screen};
pub use effect::{Effect, Request, RequestKind};
pub use msg::Msg;
pub use run::run;
pub use update::update;
