//! Child processes in tests: waiting for a condition with a deadline (instead of a fixed
//! sleep), kill -9 in the middle of some work, and seeded randomness for the moments, with
//! the seed printed so a failing run can be repeated (`BATCHOUT_TEST_SEED=N`).

use rand::rngs::StdRng;
use rand::SeedableRng;
use std::process::Child;
use std::time::{Duration, Instant};

/// A random generator for `test`, seeded from `BATCHOUT_TEST_SEED` or the clock; the seed is
/// printed (cargo shows it when the test fails).
pub fn seeded_rng(test: &str) -> StdRng {
    let seed = std::env::var("BATCHOUT_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0)
        });
    eprintln!("{test}: random seed {seed} (repeat with BATCHOUT_TEST_SEED={seed})");
    StdRng::seed_from_u64(seed)
}

/// Poll `cond` every 20 ms until it holds (true) or `timeout` passes (false).
pub fn wait_until(timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Wait (at most `timeout`) until `under_way` says the child's work has begun, let it run
/// `extra` longer, then SIGKILL it (no chance to clean up) and reap it.
pub fn kill_midway(
    mut child: Child,
    timeout: Duration,
    under_way: impl FnMut() -> bool,
    extra: Duration,
) {
    let began = wait_until(timeout, under_way);
    if !began {
        let _ = child.kill();
        let _ = child.wait();
        panic!("the work never got under way within {timeout:?}");
    }
    std::thread::sleep(extra);
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Whether the download resume state beside `target` lists written bytes (whole or
/// partial ranges): a download under way.
pub fn download_under_way(target: &std::path::Path) -> bool {
    let state = target.with_file_name(format!(
        ".{}.batchout-state",
        target.file_name().unwrap_or_default().to_string_lossy()
    ));
    std::fs::read_to_string(state)
        .map(|s| s.contains("\"done\":[[") || s.contains("\"partial\":[["))
        .unwrap_or(false)
}
