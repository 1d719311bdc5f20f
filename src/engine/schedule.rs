//! The flush schedule of tracked files: near-real-time at first, yet a week of continuous
//! writing stays within a budget of 25,000 append blocks (half the append blob's 50,000).
//!
//! - First 5 minutes: every 0.5 s (600 flushes at most), so a line a task prints reaches the
//!   blob within 0.5 s while the task starts, which is when people watch; with `tail -f`
//!   polling every 0.5 s that is under 1 s from print to screen at the median.
//! - Then the interval grows in proportion to the time tracked (0.5 s at 5 min, 1 s at
//!   10 min, 6 s at 1 h, ...), about 2,460 flushes until it reaches the cap,
//! - capped at 30 s (reached after 5 h): 19,560 flushes for the rest of 7 days.
//!
//! Worst case over 7 days (something new before every tick): 22,619 flushes, within
//! [`WEEKLY_BLOCK_BUDGET`]. A flush appends
//! its new bytes in full 4 MiB blocks; the remainder goes as one partial block only when the
//! flush had less than one full block, otherwise it waits for the next tick (a heavy writer's
//! last partial block shows up one interval later). So blocks <= flushes + data / 4 MiB when
//! little is written and ~ data / 4 MiB when much is: below 50,000 for any rate up to the
//! append blob's own size limit (50,000 x 4 MiB). Past 45,000 blocks the tracker appends only
//! full blocks (and the final flush) as a last safety margin.
//! An idle file costs nothing: each tick only looks at the local file's length.
//! `--interval D` replaces the 30 s cap (and, when below 0.5 s, the whole schedule).

use std::time::Duration;

/// The span the block budget is for: a task writing for a week.
pub const WEEK: Duration = Duration::from_secs(7 * 24 * 3600);

pub const FAST_INTERVAL: Duration = Duration::from_millis(500);
pub const FAST_PHASE: Duration = Duration::from_secs(300);
pub const DEFAULT_CAP: Duration = Duration::from_secs(30);
/// Flushes (so append blocks, for a writer of lines) that a week of continuous output may
/// take with the default schedule; a cap from `--interval` beyond it gets a warning.
pub const WEEKLY_BLOCK_BUDGET: u64 = 25_000;
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

    /// Whether a user's cap makes a week of continuous output exceed the block budget.
    pub fn risks_block_limit(&self) -> bool {
        self.flushes_within(WEEK) > WEEKLY_BLOCK_BUDGET
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

    #[test]
    fn starts_near_real_time_then_slows_down() {
        let s = FlushSchedule::default();
        assert_eq!(s.interval_at(Duration::ZERO), Duration::from_millis(500));
        assert_eq!(
            s.interval_at(Duration::from_secs(299)),
            Duration::from_millis(500)
        );
        assert_eq!(
            s.interval_at(Duration::from_secs(600)),
            Duration::from_secs(1)
        );
        assert_eq!(
            s.interval_at(Duration::from_secs(3600)),
            Duration::from_secs(6)
        );
        assert_eq!(
            s.interval_at(Duration::from_secs(5 * 3600)),
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
    fn a_week_of_continuous_output_stays_within_the_block_budget() {
        let flushes = FlushSchedule::default().flushes_within(WEEK);
        let blocks = blocks_in_a_week(FlushSchedule::default(), 1);
        assert_eq!(blocks, flushes, "one block per flush");
        assert!(
            blocks < WEEKLY_BLOCK_BUDGET,
            "{blocks} blocks in a week, budget {WEEKLY_BLOCK_BUDGET}"
        );
        assert!(WEEKLY_BLOCK_BUDGET <= u64::from(MAX_APPEND_BLOCKS) / 2);
        // A line a second or one every 10 ms: still one block per flush, and so the same.
        for rate in [60, 6_000] {
            assert_eq!(blocks_in_a_week(FlushSchedule::default(), rate), flushes);
        }
    }

    /// The tracker flushes at 0 and then at every interval: a line written at any moment of
    /// the first 5 minutes reaches the blob within 0.5 s (plus the request), and within 1 s
    /// up to 10 minutes.
    #[test]
    fn a_new_line_waits_at_most_half_a_second_for_its_flush_at_first() {
        let s = FlushSchedule::default();
        let mut ticks = vec![Duration::ZERO];
        while *ticks.last().unwrap() < Duration::from_secs(700) {
            let t = *ticks.last().unwrap();
            ticks.push(t + s.interval_at(t));
        }
        let wait = |written: Duration| {
            let next = ticks.iter().find(|&&t| t >= written).copied().unwrap();
            next - written
        };
        for ms in (1..300_000u64).step_by(37) {
            let w = wait(Duration::from_millis(ms));
            assert!(w <= Duration::from_millis(500), "{w:?} at {ms} ms");
        }
        for ms in (300_000..600_000u64).step_by(37) {
            let w = wait(Duration::from_millis(ms));
            assert!(w <= Duration::from_secs(1), "{w:?} at {ms} ms");
        }
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
        assert_eq!(s.interval_at(Duration::ZERO), Duration::from_millis(500));
        assert_eq!(s.interval_at(WEEK), Duration::from_secs(60));
        let fast = FlushSchedule::with_cap(Some(Duration::from_secs(1)));
        assert_eq!(fast.interval_at(WEEK), Duration::from_secs(1));
        assert!(fast.risks_block_limit());
        assert!(FlushSchedule::with_cap(Some(Duration::from_secs(20))).risks_block_limit());
        assert!(!FlushSchedule::default().risks_block_limit());
        let faster = FlushSchedule::with_cap(Some(Duration::from_millis(200)));
        assert_eq!(
            faster.interval_at(Duration::ZERO),
            Duration::from_millis(200)
        );
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
