//! batchout: browse, tail, download and save Azure Batch persisted outputs.
//!
//! The architecture in ten lines:
//! - [`conventions`]: pure naming rules of the Batch File Conventions (job id -> container,
//!   kinds, blob names <-> (task, kind, path)). No I/O.
//! - [`store`]: the one seam to where outputs live: trait [`store::Store`], backends
//!   `local` (a folder, the embedded default) and `azure` (Azure Blob Storage).
//! - [`engine`]: writes (prepare, save, track, run) for task code on compute nodes.
//! - [`outputs`]: what a job holds (tasks, kinds, files) and streaming one file; shared by
//!   the CLI and the TUI.
//! - [`download`]: whole files to local disk: ranged, parallel, resumable, verified.
//! - [`follow`]: growing task logs, one or many as one stream (`tail`, the log screen).
//! - [`search`]: searching the contents of a job's files (grep), incrementally.
//! - [`text`]: making storage-provided text safe for a terminal.
//! - [`cli`] and [`tui`]: the two front ends; they call the domain modules, never the reverse.
//! - [`demo`]: seeds a realistic demo job into a local store.
//!
//! Domain modules never import ratatui or crossterm.

pub mod cli;
pub mod config;
pub mod conventions;
pub mod demo;
pub mod download;
pub mod engine;
pub mod follow;
pub mod outputs;
pub mod search;
pub mod store;
pub mod text;
pub mod tui;

pub use store::{Store, StoreError};
