//! Helpers shared by the integration tests: real stores (a temp folder, Azurite), the
//! conformance suite, a fault-injecting proxy, a request-counting store, collecting engine
//! events, and child processes (waits with a deadline, kill -9 midway, seeded randomness).
#![allow(dead_code, unused_imports, unused_macros)]

pub mod azurite;
pub mod azurite_tls;
pub mod conformance;
pub mod counting_store;
pub mod events;
pub mod fault_proxy;
pub mod process;
pub mod tmux;
