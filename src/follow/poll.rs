//! When to poll a followed log: fast while it grows, slower the longer it stays idle.
//!
//! The delay is a quarter of the time since the log last grew, clamped to [min, max]: a log
//! written every 2 s (or every 0.5 s, the tracker's first flush interval) keeps being polled every 0.5 s,
//! while a finished task's log settles at one request per 5 s. The latency after a long
//! pause is then at most a quarter of that pause (and never more than `max`).

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollPolicy {
    pub min: Duration,
    pub max: Duration,
}

impl Default for PollPolicy {
    fn default() -> Self {
        PollPolicy {
            min: Duration::from_millis(500),
            max: Duration::from_secs(5),
        }
    }
}

impl PollPolicy {
    /// Delay before the next poll, given how long the log has been idle.
    pub fn delay(&self, idle_for: Duration) -> Duration {
        (idle_for / 4).clamp(self.min, self.max.max(self.min))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_while_growing_then_backs_off_to_max() {
        let p = PollPolicy::default();
        assert_eq!(p.delay(Duration::ZERO), Duration::from_millis(500));
        assert_eq!(p.delay(Duration::from_secs(2)), Duration::from_millis(500));
        assert_eq!(p.delay(Duration::from_secs(8)), Duration::from_secs(2));
        assert_eq!(p.delay(Duration::from_secs(600)), Duration::from_secs(5));
    }
}
