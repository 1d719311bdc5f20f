//! Following growing task logs: one blob ([`single`]), or several as one stream
//! ([`merged`]), cut into line pieces ([`lines`]), polled at a pace that backs off while
//! idle ([`poll`]), and [`driver`], the one loop both `batchout tail` and the TUI's log
//! screen run. [`ring`] bounds the lines a view keeps; [`colour`] is the one palette of
//! source prefixes.
//!
//! Following is its own top-level module, not part of `download`: it shares nothing with
//! downloads (no temp files, no resume, no parallel ranges), only the store.

pub mod colour;
pub mod driver;
pub mod lines;
pub mod merged;
pub mod poll;
pub mod ring;
pub mod single;
