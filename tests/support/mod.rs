//! Helpers shared by the integration tests: real stores (a temp folder, Azurite), the
//! conformance suite, and a fault-injecting proxy.
#![allow(dead_code, unused_imports, unused_macros)]

pub mod azurite;
pub mod azurite_tls;
pub mod conformance;
pub mod fault_proxy;
pub mod tmux;
