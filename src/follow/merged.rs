//! Following several task logs as one stream (stdout+stderr of a task, chosen tasks, or
//! every task of a job), like `stern` does for pods.
//!
//! Requests stay low: each poll makes one listing (of `TASK/$TaskLog/` for a few tasks, of
//! the container otherwise), and only the logs whose listed length or etag changed get a
//! ranged read. An idle log costs nothing beyond its share of the listing. Logs that appear
//! in the listing later (a task that started) join the stream from their first byte.

use super::lines::LinePiece;
use super::single::{FollowConfig, FollowEvent, LogFollower, Polled, Start};
use crate::outputs::{task_logs, TaskLog};
use crate::store::{BlobType, Store, StoreError, StoreResult};
use futures::StreamExt;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// Ranged reads in flight at once when many logs grew.
const READ_CONCURRENCY: usize = 8;

/// Which logs to follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergeScope {
    /// These tasks' log files (paths within TaskLog, e.g. `stdout.txt`).
    Tasks {
        tasks: Vec<String>,
        files: Vec<String>,
    },
    /// Every task of the job, including tasks that appear while following.
    AllTasks { files: Vec<String> },
}

/// One followed log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceInfo {
    pub task: String,
    /// Path within TaskLog.
    pub file: String,
    pub blob: String,
    /// A short stable prefix for its lines (`stderr`, or `task-3/stdout` with several tasks).
    pub label: String,
    /// A stable colour index (order of appearance); views map it to a palette.
    pub colour: usize,
}

#[derive(Debug)]
struct Source {
    info: SourceInfo,
    follower: LogFollower,
    /// (length, etag, type) in the last listing that showed it.
    listed: Option<(u64, String, BlobType)>,
    /// The follower read less than it knew was there; read again without waiting.
    more: bool,
}

/// One event of one source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergedEvent {
    pub source: usize,
    pub event: FollowEvent,
}

#[derive(Debug, Default)]
pub struct MergedPolled {
    pub events: Vec<MergedEvent>,
    pub grew: bool,
    pub more: bool,
    /// Sources that joined in this poll (indexes into [`MergedFollower::sources`]).
    pub new_sources: Vec<usize>,
    /// Logs whose read failed this time (they are retried on the next poll).
    pub errors: Vec<(usize, StoreError)>,
}

/// Follows a set of task logs through one listing per poll.
#[derive(Debug)]
pub struct MergedFollower {
    store: Arc<dyn Store>,
    container: String,
    scope: MergeScope,
    cfg: FollowConfig,
    start: Start,
    sources: Vec<Source>,
    by_blob: HashMap<String, usize>,
    polls: u64,
}

enum Action {
    Open(u64, Start),
    Poll,
    Vanish,
}

impl MergedFollower {
    /// `start` applies to the logs found by the first poll; later ones start at byte 0.
    pub fn new(
        store: Arc<dyn Store>,
        container: &str,
        scope: MergeScope,
        cfg: FollowConfig,
        start: Start,
    ) -> Self {
        MergedFollower {
            store,
            container: container.to_string(),
            scope,
            cfg,
            start,
            sources: Vec::new(),
            by_blob: HashMap::new(),
            polls: 0,
        }
    }

    pub fn sources(&self) -> Vec<&SourceInfo> {
        self.sources.iter().map(|s| &s.info).collect()
    }
    pub fn source(&self, i: usize) -> Option<&SourceInfo> {
        self.sources.get(i).map(|s| &s.info)
    }
    pub fn container(&self) -> &str {
        &self.container
    }

    /// Whether labels name the task (several tasks) or just the file (one task).
    fn labels_name_task(&self) -> bool {
        match &self.scope {
            MergeScope::Tasks { tasks, .. } => tasks.len() > 1,
            MergeScope::AllTasks { .. } => true,
        }
    }

    /// List, then read what grew. The listing's error is the poll's error; a read error
    /// is reported per log in [`MergedPolled::errors`].
    pub async fn poll(&mut self) -> StoreResult<MergedPolled> {
        let listed = match &self.scope {
            MergeScope::Tasks { tasks, files } => {
                task_logs(&*self.store, &self.container, Some(tasks), files).await?
            }
            MergeScope::AllTasks { files } => {
                task_logs(&*self.store, &self.container, None, files).await?
            }
        };
        let first = self.polls == 0;
        self.polls += 1;
        let mut out = MergedPolled::default();
        let mut actions: HashMap<usize, Action> = HashMap::new();
        let mut present = BTreeSet::new();
        for TaskLog {
            task,
            file,
            blob: info,
        } in listed
        {
            let idx = match self.by_blob.get(&info.name) {
                Some(&i) => i,
                None => {
                    let i = self.add_source(task, file, &info.name);
                    out.new_sources.push(i);
                    i
                }
            };
            present.insert(idx);
            let src = &mut self.sources[idx];
            let now = (info.len, info.etag.clone(), info.blob_type);
            if !src.follower.is_open() {
                let start = if first { self.start } else { Start::Beginning };
                actions.insert(idx, Action::Open(info.len, start));
            } else if src.more
                || src.listed.as_ref() != Some(&now)
                || src.follower.known_len() != Some(info.len)
            {
                actions.insert(idx, Action::Poll);
            }
            src.listed = Some(now);
        }
        for (i, src) in self.sources.iter_mut().enumerate() {
            if !present.contains(&i) && src.listed.take().is_some() {
                actions.insert(i, Action::Vanish);
            }
        }
        let results: Vec<(usize, StoreResult<Polled>)> = {
            // Boxed and collected first, so the poll future stays Send (TUI workers spawn it).
            let mut work: Vec<futures::future::BoxFuture<'_, (usize, StoreResult<Polled>)>> =
                Vec::new();
            for (i, s) in self.sources.iter_mut().enumerate() {
                let Some(action) = actions.remove(&i) else {
                    continue;
                };
                work.push(Box::pin(async move {
                    let r = match action {
                        Action::Open(len, start) => s.follower.open_at(len, start).await,
                        // A vanished log's poll reports the deletion (one request, once).
                        Action::Poll | Action::Vanish => s.follower.poll().await,
                    };
                    (i, r)
                }));
            }
            futures::stream::iter(work)
                .buffer_unordered(READ_CONCURRENCY)
                .collect()
                .await
        };
        let mut results = results;
        results.sort_by_key(|(i, _)| *i);
        let mut polled: BTreeSet<usize> = BTreeSet::new();
        for (i, r) in results {
            polled.insert(i);
            match r {
                Ok(p) => {
                    self.sources[i].more = p.more;
                    out.grew |= p.grew;
                    out.more |= p.more;
                    out.events.extend(
                        p.events
                            .into_iter()
                            .map(|event| MergedEvent { source: i, event }),
                    );
                }
                Err(e) => out.errors.push((i, e)),
            }
        }
        // Logs that did not grow: show a line they left unfinished (no request needed).
        for (i, src) in self.sources.iter_mut().enumerate() {
            if !polled.contains(&i) {
                if let Some(p) = src.follower.flush_partial() {
                    out.events.push(MergedEvent {
                        source: i,
                        event: FollowEvent::Piece(p),
                    });
                }
            }
        }
        Ok(out)
    }

    /// Read an older part of one source (for scrolling up in a view).
    pub async fn load_older(&mut self, source: usize) -> StoreResult<Vec<LinePiece>> {
        match self.sources.get_mut(source) {
            Some(s) => s.follower.load_older().await,
            None => Ok(Vec::new()),
        }
    }

    fn add_source(&mut self, task: String, file: String, blob: &str) -> usize {
        let i = self.sources.len();
        let stem = file.strip_suffix(".txt").unwrap_or(&file).to_string();
        let label = if self.labels_name_task() {
            format!("{task}/{stem}")
        } else {
            stem
        };
        let follower = LogFollower::new(self.store.clone(), &self.container, blob, self.cfg);
        self.sources.push(Source {
            info: SourceInfo {
                task,
                file,
                blob: blob.to_string(),
                label,
                colour: i,
            },
            follower,
            listed: None,
            more: false,
        });
        self.by_blob.insert(blob.to_string(), i);
        i
    }
}
