//! Progress of downloads as events: what the CLI's progress bars and the TUI's transfers
//! panel render. The domain never draws anything; it only sends these.

use crate::text::size::human_size;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Identifies one file of a download run (its index in the plan).
pub type TransferId = usize;

/// Where events go. Send errors are ignored: a front end that stopped listening must not
/// stop the download.
pub type EventSink = tokio::sync::mpsc::UnboundedSender<TransferEvent>;

#[derive(Debug, Clone, PartialEq)]
pub enum TransferEvent {
    /// Work on a file began; `resumed_from` > 0 when an interrupted download continues.
    Started {
        id: TransferId,
        total: u64,
        resumed_from: u64,
    },
    /// Bytes so far, with the current rate and the time left.
    Progress { id: TransferId, progress: Progress },
    /// Something the user should know that is not the end (e.g. "blob changed, restarted").
    Notice { id: TransferId, message: String },
    /// The file's final state.
    Finished { id: TransferId, outcome: Outcome },
    /// Every file is finished (or the run was cancelled); the last event of a run.
    AllDone(Summary),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
    /// Bytes per second over the last few seconds.
    pub rate: f64,
    /// None until a rate is known.
    pub eta: Option<Duration>,
}

/// How one file ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Written under its final name. `verified`: its Content-MD5 was checked.
    Downloaded {
        bytes: u64,
        resumed_from: u64,
        verified: bool,
    },
    /// An identical file was already there.
    Identical,
    /// A different file is there and `overwrite` was not asked for.
    Exists {
        path: PathBuf,
    },
    /// The blob name is unsafe as a local path (or not a Batch output name); nothing written.
    Refused {
        reason: String,
    },
    /// Stopped on request; the partial file is kept for a later resume.
    Cancelled {
        done: u64,
    },
    Failed {
        error: String,
    },
}

impl Outcome {
    /// Counts as a failure for the exit code.
    pub fn is_failure(&self) -> bool {
        matches!(
            self,
            Outcome::Exists { .. } | Outcome::Refused { .. } | Outcome::Failed { .. }
        )
    }
    /// A short word for lists and logs.
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Downloaded { .. } => "downloaded",
            Outcome::Identical => "identical, skipped",
            Outcome::Exists { .. } => "exists, not overwritten",
            Outcome::Refused { .. } => "refused",
            Outcome::Cancelled { .. } => "cancelled",
            Outcome::Failed { .. } => "failed",
        }
    }
}

/// Totals of a run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    pub downloaded: usize,
    pub bytes: u64,
    pub resumed: usize,
    pub identical: usize,
    pub exists: usize,
    pub refused: usize,
    pub cancelled: usize,
    pub failed: usize,
    pub elapsed: Duration,
}

impl Summary {
    pub fn add(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Downloaded {
                bytes,
                resumed_from,
                ..
            } => {
                self.downloaded += 1;
                self.bytes += bytes - resumed_from.min(bytes);
                if *resumed_from > 0 {
                    self.resumed += 1;
                }
            }
            Outcome::Identical => self.identical += 1,
            Outcome::Exists { .. } => self.exists += 1,
            Outcome::Refused { .. } => self.refused += 1,
            Outcome::Cancelled { .. } => self.cancelled += 1,
            Outcome::Failed { .. } => self.failed += 1,
        }
    }
    pub fn failures(&self) -> usize {
        self.exists + self.refused + self.failed
    }
    /// One line such as "3 downloaded (12.0 MiB, 1 resumed), 2 identical skipped, 1 failed in 1.2s".
    pub fn line(&self) -> String {
        let mut parts = vec![format!(
            "{} downloaded ({}{})",
            self.downloaded,
            human_size(self.bytes),
            if self.resumed > 0 {
                format!(", {} resumed", self.resumed)
            } else {
                String::new()
            }
        )];
        let mut more = |n: usize, what: &str| {
            if n > 0 {
                parts.push(format!("{n} {what}"));
            }
        };
        more(self.identical, "identical skipped");
        more(self.exists, "not overwritten (exist; use --overwrite)");
        more(self.refused, "refused (unsafe names)");
        more(self.cancelled, "cancelled (run again to resume)");
        more(self.failed, "failed");
        let secs = self.elapsed.as_secs_f64();
        let rate = if secs > 0.0 {
            format!(", {}/s", human_size((self.bytes as f64 / secs) as u64))
        } else {
            String::new()
        };
        format!("{} in {:.1}s{rate}", parts.join(", "), secs)
    }
}

/// Bytes per second over a sliding window, and the time left at that rate.
#[derive(Debug, Clone)]
pub struct RateMeter {
    samples: std::collections::VecDeque<(Instant, u64)>,
    window: Duration,
}

impl Default for RateMeter {
    fn default() -> Self {
        RateMeter {
            samples: Default::default(),
            window: Duration::from_secs(3),
        }
    }
}

impl RateMeter {
    /// Record the bytes done so far at `now` and return the progress.
    pub fn update(&mut self, now: Instant, done: u64, total: u64) -> Progress {
        self.samples.push_back((now, done));
        while self.samples.len() > 2 && now.duration_since(self.samples[0].0) > self.window {
            self.samples.pop_front();
        }
        let (t0, d0) = self.samples[0];
        let span = now.duration_since(t0).as_secs_f64();
        let rate = if span > 0.05 {
            done.saturating_sub(d0) as f64 / span
        } else {
            0.0
        };
        let eta = if rate > 0.0 {
            Some(Duration::from_secs_f64(
                total.saturating_sub(done) as f64 / rate,
            ))
        } else {
            None
        };
        Progress {
            done,
            total,
            rate,
            eta,
        }
    }
}

/// 75 s -> "1m15s".
pub fn human_duration(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}h{:02}m", s / 3600, (s % 3600) / 60)
    } else if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_and_eta_follow_the_samples() {
        let mut m = RateMeter::default();
        let t = Instant::now();
        m.update(t, 0, 1000);
        let p = m.update(t + Duration::from_secs(1), 100, 1000);
        assert!((p.rate - 100.0).abs() < 1e-6);
        assert_eq!(p.eta, Some(Duration::from_secs(9)));
    }

    #[test]
    fn summary_counts_only_new_bytes_of_resumed_files() {
        let mut s = Summary::default();
        s.add(&Outcome::Downloaded {
            bytes: 100,
            resumed_from: 40,
            verified: true,
        });
        s.add(&Outcome::Refused { reason: "x".into() });
        assert_eq!(
            (s.downloaded, s.bytes, s.resumed, s.failures()),
            (1, 60, 1, 1)
        );
        assert!(s
            .line()
            .starts_with("1 downloaded (60 B, 1 resumed), 1 refused"));
    }

    #[test]
    fn human_units() {
        assert_eq!(human_duration(Duration::from_secs(75)), "1m15s");
    }
}
