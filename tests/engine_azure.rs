//! The engine scenarios of tests/engine.rs on Azurite, the real emulator.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

mod engine_support;
mod support;

engine_scenarios!(|_: &std::path::Path| support::azurite::fresh_store());
