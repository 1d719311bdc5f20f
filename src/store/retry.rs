//! The one retry policy: which layer retries what, how often, and within how much time.
//!
//! - **Requests** are retried in one place, below the [`Store`](super::Store) trait: the
//!   Azure store's HTTP pipeline (`store::azure::retry`) repeats a single request on
//!   throttling (429, honouring Retry-After), 408 and 5xx answers and dropped connections,
//!   with jittered exponential backoff, at most `max_retries` times and never past the
//!   operation's `budget`. A host that refuses connections gets `max_connect_retries`, so a
//!   wrong account fails in seconds. The local store has nothing worth retrying.
//! - **Callers never retry a failed request again.** An error that comes back through the
//!   trait has had its retries; engine writes and listings report it.
//! - **Only what the pipeline cannot see** is retried above it, by the download's ranged
//!   reads (`download::fetch`): a body cut off or stalled after the answer began, a short
//!   read, a range failing its transactional MD5. Those resume from the first byte not yet
//!   written, with the same backoff, at most `DownloadOptions::max_attempts` times per range
//!   and within `DownloadOptions::retry_budget`.
//! - Followers (`follow::driver`) poll again on their schedule after a transient failure;
//!   that is the next poll, not a retry: it is reported once and costs no extra request.
//! - Appends are never blindly repeated: a retried Append Block carries its position
//!   condition, and a mismatch is resolved by reading the blob (`engine::track::append`).
//!
//! [`Retries`] counts attempts and the time spent for one operation against a
//! [`RetrySettings`]; both layers use it.

use std::time::{Duration, Instant};

/// How often and how long to retry one operation.
#[derive(Debug, Clone, PartialEq)]
pub struct RetrySettings {
    /// Attempts after the first one for throttling / 5xx / dropped connections.
    pub max_retries: u32,
    /// Attempts after the first one when the host cannot be connected to at all.
    pub max_connect_retries: u32,
    pub initial_delay: Duration,
    pub max_delay: Duration,
    /// Longest Retry-After we wait for; a longer one is reported as throttling at once.
    pub max_retry_after: Duration,
    /// Total time for one operation, waits included: no retry starts after it.
    pub budget: Duration,
}

impl Default for RetrySettings {
    fn default() -> Self {
        RetrySettings {
            max_retries: 6,
            max_connect_retries: 1,
            initial_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(30),
            budget: Duration::from_secs(120),
        }
    }
}

impl RetrySettings {
    /// The wait before retry number `retry` (0-based): exponential from `initial_delay`,
    /// capped at `max_delay`, plus up to 20% jitter so parallel workers do not retry in
    /// lockstep.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = self.initial_delay.saturating_mul(1u32 << retry.min(16));
        let capped = exp.min(self.max_delay);
        capped.mul_f64(1.0 + rand::random::<f64>() * 0.2)
    }

    /// Start counting one operation's retries.
    pub fn start(&self) -> Retries<'_> {
        Retries {
            settings: self,
            retries: 0,
            started: Instant::now(),
        }
    }
}

/// One operation's retries so far.
#[derive(Debug)]
pub struct Retries<'a> {
    settings: &'a RetrySettings,
    retries: u32,
    started: Instant,
}

impl Retries<'_> {
    /// The wait before the next attempt, or None to give up: `limit` retries are spent
    /// (`max_retries`, or fewer for a kind of failure that deserves fewer) or the wait
    /// would end past the budget. `at_least` is a wait the service asked for.
    pub fn next_wait(&mut self, limit: u32, at_least: Option<Duration>) -> Option<Duration> {
        if self.retries >= limit {
            return None;
        }
        let wait = self
            .settings
            .backoff(self.retries)
            .max(at_least.unwrap_or_default());
        if self.started.elapsed() + wait > self.settings.budget {
            return None;
        }
        self.retries += 1;
        Some(wait)
    }

    /// The wait before the next attempt within `max_retries` and the budget, or None.
    pub fn wait(&mut self) -> Option<Duration> {
        self.next_wait(self.settings.max_retries, None)
    }

    /// Attempts made so far (the first one included).
    pub fn attempts(&self) -> u32 {
        self.retries + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetrySettings::default();
        assert!(
            p.backoff(0) >= Duration::from_millis(250) && p.backoff(0) < Duration::from_millis(301)
        );
        assert!(p.backoff(2) >= Duration::from_millis(1000));
        assert!(p.backoff(20) <= Duration::from_millis(9600));
    }

    #[test]
    fn gives_up_after_the_limit_or_the_budget() {
        let p = RetrySettings {
            initial_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(1),
            ..Default::default()
        };
        let mut r = p.start();
        assert!(r.next_wait(2, None).is_some());
        assert!(r.next_wait(2, None).is_some());
        assert_eq!(r.next_wait(2, None), None);
        assert_eq!(r.attempts(), 3);
        let tight = RetrySettings {
            budget: Duration::from_millis(50),
            ..p
        };
        let mut r = tight.start();
        assert_eq!(r.next_wait(5, Some(Duration::from_secs(1))), None);
        assert!(r.next_wait(5, None).is_some());
    }
}
