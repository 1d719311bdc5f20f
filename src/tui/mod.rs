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
//! - [`action`], [`msg`], [`effect`]: the three message types; [`requests`]: request ids,
//!   and per feature the request and Msg types `update` shares with its worker.
//! - [`keymap`]: the one key table (it also generates the `?` popup).
//! - [`update`]: pure and synchronous; per screen in `update/`.
//! - [`workers`]: run Effects against a [`crate::store::Store`], one file per feature.
//! - [`view`]: draws from `&AppState` only; per screen in `view/`.
//! - [`run`]: the app loop (generic over the backend and the event source) and the terminal
//!   around it (raw mode, restoring the terminal on every exit).

pub mod action;
pub mod app;
pub mod effect;
pub mod format;
pub mod keymap;
pub mod layout;
pub mod msg;
pub mod name;
pub mod picture;
pub mod requests;
pub mod run;
pub mod state;
pub mod terminal;
pub mod update;
pub mod view;
pub mod workers;

pub use action::Action;
pub use app::{AppState, Input, Screen};
pub use effect::Effect;
pub use msg::Msg;
pub use requests::{Request, RequestId, RequestKind};
pub use run::run;
pub use update::update;
