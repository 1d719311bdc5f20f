//! The one follow loop: `batchout tail` and the TUI's log screen both run it, so they wait,
//! poll, retry and report errors the same way.
//!
//! A [`Driver`] wraps either one [`LogFollower`] or a [`MergedFollower`] and gives both the
//! same shape: each [`Driver::step`] waits as long as the [`PollPolicy`] says (not at all
//! while more bytes are known to be waiting), polls once, and returns an [`Update`] with
//! the new sources, the events, and the logs that could not be read this time (each is
//! retried on the next step; both front ends show them, worded by
//! [`Driver::read_error`]). A transient error of the whole poll (network, throttling) is a
//! [`Step::Retrying`], reported by callers only when `first`; any other error ends the
//! loop. No timers beyond the policy's sleep, no output: the caller prints or sends.

use super::merged::{MergedFollower, SourceInfo};
use super::poll::PollPolicy;
use super::single::{FollowEvent, LogFollower, Polled, Start};
use crate::store::{StoreError, StoreResult};
use std::time::Instant;

enum Follower {
    One {
        follower: LogFollower,
        info: SourceInfo,
    },
    Many(MergedFollower),
}

/// What one step found, for a single log or many alike (a single log is source 0).
#[derive(Debug, Default)]
pub struct Update {
    /// Sources that joined with this step (indexes for [`Driver::source`]).
    pub new_sources: Vec<usize>,
    pub events: Vec<(usize, FollowEvent)>,
    /// Logs whose read failed this time; they are retried on the next step.
    pub errors: Vec<(usize, StoreError)>,
    /// New bytes arrived.
    pub grew: bool,
    /// More bytes are known to be waiting: the next step polls at once.
    pub more: bool,
    /// A single log's offset of the oldest byte read (0: all of it; always 0 for many).
    pub older_start: u64,
}

impl Update {
    /// Nothing to show (no source, event or error).
    pub fn is_empty(&self) -> bool {
        self.new_sources.is_empty() && self.events.is_empty() && self.errors.is_empty()
    }
}

/// How one step ended.
#[derive(Debug)]
pub enum Step {
    Update(Update),
    /// The poll failed with a transient error; the next step tries again after the usual
    /// delay. `first`: the first failure since the last success (report only that one).
    Retrying {
        error: StoreError,
        first: bool,
    },
}

/// Follows one log or many: waits, polls, sorts out errors.
pub struct Driver {
    follower: Follower,
    policy: PollPolicy,
    last_growth: Instant,
    /// The last step said more is waiting: poll again without sleeping.
    more: bool,
    failing: bool,
}

impl Driver {
    /// One log; `info` names it (its label and colour 0).
    pub fn single(follower: LogFollower, info: SourceInfo) -> Self {
        Self::new(Follower::One { follower, info })
    }

    /// Several logs through one listing per poll.
    pub fn merged(merged: MergedFollower) -> Self {
        Self::new(Follower::Many(merged))
    }

    fn new(follower: Follower) -> Self {
        Driver {
            follower,
            policy: PollPolicy::default(),
            last_growth: Instant::now(),
            // The first step polls at once.
            more: true,
            failing: false,
        }
    }

    /// Open a single log at `start` (many logs open on their first step, at the start
    /// given to their [`MergedFollower`]). The log is source 0 and joins here.
    pub async fn open(&mut self, start: Start) -> StoreResult<Update> {
        let Follower::One { follower, .. } = &mut self.follower else {
            return Ok(Update::default());
        };
        let polled = follower.open(start).await?;
        let mut update = single_update(follower, polled);
        update.new_sources = vec![0];
        self.saw(&update);
        Ok(update)
    }

    /// Wait as the policy says (unless more is waiting), then poll once.
    pub async fn step(&mut self) -> StoreResult<Step> {
        if !self.more {
            tokio::time::sleep(self.policy.delay(self.last_growth.elapsed())).await;
        }
        let polled = match &mut self.follower {
            Follower::One { follower, .. } => {
                let p = follower.poll().await;
                p.map(|p| single_update(follower, p))
            }
            Follower::Many(m) => m.poll().await.map(|p| Update {
                new_sources: p.new_sources,
                events: p.events.into_iter().map(|e| (e.source, e.event)).collect(),
                errors: p.errors,
                grew: p.grew,
                more: p.more,
                older_start: 0,
            }),
        };
        match polled {
            Ok(update) => {
                self.failing = false;
                self.saw(&update);
                Ok(Step::Update(update))
            }
            Err(error) if error.is_transient() => {
                let first = !self.failing;
                self.failing = true;
                self.more = false;
                Ok(Step::Retrying { error, first })
            }
            Err(e) => Err(e),
        }
    }

    /// Pace the next step by what this one found.
    fn saw(&mut self, update: &Update) {
        if update.grew {
            self.last_growth = Instant::now();
        }
        self.more = update.more;
    }

    /// A followed log by index (source 0 is the single log).
    pub fn source(&self, i: usize) -> Option<&SourceInfo> {
        match &self.follower {
            Follower::One { info, .. } => (i == 0).then_some(info),
            Follower::Many(m) => m.source(i),
        }
    }

    /// Every log followed so far.
    pub fn source_count(&self) -> usize {
        match &self.follower {
            Follower::One { .. } => 1,
            Follower::Many(m) => m.sources().len(),
        }
    }

    /// The one wording of a log that could not be read this time.
    pub fn read_error(&self, i: usize, e: &StoreError) -> String {
        match self.source(i) {
            Some(s) => format!("cannot read {}/{}: {e}; retrying", s.task, s.file),
            None => format!("cannot read a log: {e}; retrying"),
        }
    }

    /// The single log's follower (None for many).
    pub fn single_follower(&self) -> Option<&LogFollower> {
        match &self.follower {
            Follower::One { follower, .. } => Some(follower),
            Follower::Many(_) => None,
        }
    }
}

fn single_update(follower: &LogFollower, p: Polled) -> Update {
    Update {
        new_sources: Vec::new(),
        events: p.events.into_iter().map(|e| (0, e)).collect(),
        errors: Vec::new(),
        grew: p.grew,
        more: p.more,
        older_start: follower.older_start(),
    }
}
