//! The flush schedule of tracked files: near-real-time at first, yet a week of continuous
//! writing stays far below the append blob's 50,000-block limit.
//!
//! - First 10 minutes: every 2 s (300 flushes at most), so new lines show up within ~2 s
//!   while a task starts, which is when people watch.
//! - Then the interval grows in proportion to the time tracked (2 s at 10 min, 4 s at 20 min,
//!   ...), i.e. about 812 flushes until it reaches the cap,
//! - capped at 30 s (reached after 2.5 h): 19,860 flushes for the rest of 7 days.
//!
//! Worst case over 7 days (something new before every tick): 20,974 flushes. A flush appends
//! its new bytes in full 4 MiB blocks; the remainder goes as one partial block only when the
//! flush had less than one full block, otherwise it waits for the next tick (a heavy writer's
//! last partial block shows up one interval later). So blocks <= flushes + data / 4 MiB when
//! little is written and ~ data / 4 MiB when much is: below 50,000 for any rate up to the
//! append blob's own size limit (50,000 x 4 MiB). Past 45,000 blocks the tracker appends only
//! full blocks (and the final flush) as a last safety margin.
//! An idle file costs nothing: each tick only looks at the local file's length.
//! `--interval D` replaces the 30 s cap (and, when below 2 s, the whole schedule).

use std::time::Duration;

pub const FAST_INTERVAL: Duration = Duration::from_secs(2);
pub const FAST_PHASE: Duration = Duration::from_secs(600);
pub const DEFAULT_CAP: Duration = Duration::from_secs(30);
/// Past this many committed blocks, partial blocks wait until they are full (or the end).
pub const HOLD_PARTIAL_AFTER_BLOCKS: u32 = 45_000;

/// When the next flush is due, as a function of how long tracking has run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlushSchedule {
    pub cap: Duration,
}

impl Default for FlushSchedule {
    fn default() -> Self {
        FlushSchedule { cap: DEFAULT_CAP }
    }
}

impl FlushSchedule {
    /// The default schedule, with `cap` (from `--interval`) in place of 30 s.
    pub fn with_cap(cap: Option<Duration>) -> Self {
        FlushSchedule {
            cap: cap.unwrap_or(DEFAULT_CAP).max(Duration::from_millis(50)),
        }
    }

    /// The pause before the next flush, `elapsed` after tracking started.
    pub fn interval_at(&self, elapsed: Duration) -> Duration {
        let grown = if elapsed <= FAST_PHASE {
            FAST_INTERVAL
        } else {
            FAST_INTERVAL.mul_f64(elapsed.as_secs_f64() / FAST_PHASE.as_secs_f64())
        };
        grown.min(self.cap)
    }

    /// Whether a fixed user interval may run into the block limit within a week.
    pub fn risks_block_limit(&self) -> bool {
        let week = Duration::from_secs(7 * 24 * 3600);
        self.flushes_within(week) > u64::from(HOLD_PARTIAL_AFTER_BLOCKS) / 2
    }

    /// How many flushes the schedule makes within `span` (each tick flushing something).
    pub fn flushes_within(&self, span: Duration) -> u64 {
        let mut t = Duration::ZERO;
        let mut n = 0;
        while t < span {
            t += self.interval_at(t);
            n += 1;
        }
        n
    }
}

/// `15s`, `1m`, `500ms`, `2h`, or plain seconds (`20`).
pub fn parse_interval(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let value: f64 = num
        .parse()
        .map_err(|_| format!("invalid interval {s:?}: use e.g. 15s, 1m, 500ms"))?;
    let secs = match unit.trim() {
        "" | "s" | "sec" | "secs" => value,
        "ms" => value / 1000.0,
        "m" | "min" => value * 60.0,
        "h" => value * 3600.0,
        other => {
            return Err(format!(
                "invalid interval unit {other:?} in {s:?}: use ms, s, m or h"
            ))
        }
    };
    if !secs.is_finite() || secs <= 0.0 || secs > 86_400.0 {
        return Err(format!(
            "invalid interval {s:?}: it must be above 0 and at most 24h"
        ));
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{MAX_APPEND_BLOCK, MAX_APPEND_BLOCKS};

    const WEEK: Duration = Duration::from_secs(7 * 24 * 3600);

    #[test]
    fn starts_near_real_time_then_slows_down() {
        let s = FlushSchedule::default();
        assert_eq!(s.interval_at(Duration::ZERO), Duration::from_secs(2));
        assert_eq!(
            s.interval_at(Duration::from_secs(599)),
            Duration::from_secs(2)
        );
        assert_eq!(
            s.interval_at(Duration::from_secs(1200)),
            Duration::from_secs(4)
        );
        assert_eq!(
            s.interval_at(Duration::from_secs(3 * 3600)),
            Duration::from_secs(30)
        );
        assert_eq!(s.interval_at(WEEK), Duration::from_secs(30));
    }

    /// Simulates 7 days of a writer that appends before every tick at `rate` bytes/s and
    /// counts the blocks the tracker appends by its rules (full 4 MiB blocks; a partial one
    /// only in a flush without a full one and below 45,000 blocks; everything at the end).
    fn blocks_in_a_week(schedule: FlushSchedule, rate: u64) -> u64 {
        let mut t = Duration::ZERO;
        let mut blocks: u64 = 0;
        let mut pending: u64 = 0;
        while t < WEEK {
            let dt = schedule.interval_at(t);
            t += dt;
            pending += (rate as f64 * dt.as_secs_f64()).max(1.0) as u64;
            let full = pending / MAX_APPEND_BLOCK as u64;
            blocks += full;
            pending -= full * MAX_APPEND_BLOCK as u64;
            if full == 0 && pending > 0 && blocks < u64::from(HOLD_PARTIAL_AFTER_BLOCKS) {
                blocks += 1;
                pending = 0;
            }
        }
        blocks + u64::from(pending > 0) // the final flush
    }

    #[test]
    fn a_week_of_tiny_writes_stays_far_below_the_block_limit() {
        let flushes = FlushSchedule::default().flushes_within(WEEK);
        assert!(flushes < 21_000, "{flushes} flushes in a week");
        let blocks = blocks_in_a_week(FlushSchedule::default(), 1);
        assert_eq!(blocks, flushes, "one block per flush");
        assert!(blocks < u64::from(MAX_APPEND_BLOCKS) / 2);
    }

    #[test]
    fn a_week_of_heavy_writing_stays_below_the_block_limit() {
        // 300 KiB/s for a week is ~173 GiB, close to the append blob's size limit.
        for rate in [10 * 1024, 100 * 1024, 140 * 1024, 150 * 1024, 300 * 1024] {
            let blocks = blocks_in_a_week(FlushSchedule::default(), rate);
            assert!(
                blocks < u64::from(MAX_APPEND_BLOCKS),
                "{blocks} blocks at {rate} B/s"
            );
        }
    }

    #[test]
    fn user_interval_replaces_the_cap() {
        let s = FlushSchedule::with_cap(Some(Duration::from_secs(60)));
        assert_eq!(s.interval_at(Duration::ZERO), Duration::from_secs(2));
        assert_eq!(s.interval_at(WEEK), Duration::from_secs(60));
        let fast = FlushSchedule::with_cap(Some(Duration::from_secs(1)));
        assert_eq!(fast.interval_at(WEEK), Duration::from_secs(1));
        assert!(fast.risks_block_limit());
        assert!(!FlushSchedule::default().risks_block_limit());
    }

    #[test]
    fn intervals_parse() {
        assert_eq!(parse_interval("15s"), Ok(Duration::from_secs(15)));
        assert_eq!(parse_interval("1m"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_interval("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_interval("20"), Ok(Duration::from_secs(20)));
        assert!(parse_interval("0s").is_err());
        assert!(parse_interval("fast").is_err());
        assert!(parse_interval("5 parsecs").is_err());
    }
}
