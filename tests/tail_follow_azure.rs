//! The follower scenarios of tests/tail_follow.rs on Azurite, the real emulator.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

mod support;

#[path = "tail_support/scenarios.rs"]
mod tail_scenarios;

use support::azurite::fresh_store;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azurite_exactly_once_across_truncation_and_replacement() {
    tail_scenarios::exactly_once_across_truncation_and_replacement(fresh_store()).await;
}

#[tokio::test]
async fn azurite_opens_at_end_and_loads_older_parts() {
    tail_scenarios::opens_at_end_and_loads_older_parts(fresh_store()).await;
}

#[tokio::test]
async fn azurite_long_line_and_invalid_utf8_are_safe() {
    tail_scenarios::long_line_and_invalid_utf8_are_safe(fresh_store()).await;
}

#[tokio::test]
async fn azurite_merged_follow_keeps_requests_low() {
    tail_scenarios::merged_follow_keeps_requests_low(fresh_store()).await;
}

#[tokio::test]
async fn azurite_missing_log_is_waited_for() {
    tail_scenarios::missing_log_is_waited_for(fresh_store()).await;
}

#[tokio::test]
async fn azurite_last_lines_reads_older_parts_until_enough() {
    tail_scenarios::last_lines_reads_older_parts_until_enough(fresh_store()).await;
}
