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
//! - [`transfer`]: reads (downloads, log followers) with integrity checks.
//! - [`text`]: making storage-provided text safe for a terminal.
//! - [`cli`] and [`tui`]: the two front ends; they call the domain modules, never the reverse.
//! - [`demo`]: seeds a realistic demo job into a local store.
//! Domain modules never import ratatui or crossterm.

pub mod cli;
pub mod config;
pub mod conventions;
pub mod demo;
pub mod engine;
pub mod outputs;
pub mod store;
pub mod text;
pub mod transfer;
pub mod tui;

pub use store::{Store, StoreError};
