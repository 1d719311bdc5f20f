//! The engine scenarios of tests/engine.rs on Azurite, the real emulator.

mod engine_support;
mod support;

engine_scenarios!(|_: &std::path::Path| support::azurite::fresh_store());
