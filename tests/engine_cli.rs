//! The CLI scenarios of tests/engine_cli_support on the local store in a temp folder.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

mod engine_cli_support;
mod support;

engine_cli_scenarios!(engine_cli_support::Backend::local());
