//! The job list: containers named `job-...`.

use super::list::{Cursor, Filter};
use crate::tui::name::{contains_folded, Name};
use crate::tui::requests::RequestId;
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq)]
pub struct JobRow {
    pub container: Name,
    /// The original job id from container metadata, when known.
    pub job_id: Option<Name>,
    pub modified: OffsetDateTime,
}

impl JobRow {
    /// What to call the job: its id when known, else the container name.
    pub fn title(&self) -> &Name {
        self.job_id.as_ref().unwrap_or(&self.container)
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobsState {
    pub jobs: Vec<JobRow>,
    /// Indices into `jobs` that pass the filter, in order.
    pub visible: Vec<u32>,
    pub cursor: Cursor,
    pub filter: Filter,
    pub loading: Option<RequestId>,
    /// The listing finished at least once (distinguishes "no jobs" from "not yet").
    pub loaded: bool,
}

impl JobsState {
    pub fn selected(&self) -> Option<&JobRow> {
        let i = *self.visible.get(self.cursor.selected)?;
        self.jobs.get(i as usize)
    }

    /// Recompute `visible` after the jobs or the filter changed, keeping the selected job
    /// selected when it still passes.
    pub fn refilter(&mut self, height: usize) {
        let keep = self.visible.get(self.cursor.selected).copied();
        let needle = self.filter.needle();
        self.visible = (0..self.jobs.len() as u32)
            .filter(|&i| {
                let j = &self.jobs[i as usize];
                contains_folded(j.container.shown(), &needle)
                    || j.job_id
                        .as_ref()
                        .is_some_and(|id| contains_folded(id.shown(), &needle))
            })
            .collect();
        if let Some(pos) = keep.and_then(|k| self.visible.iter().position(|&v| v == k)) {
            self.cursor.selected = pos;
        }
        self.cursor.clamp(self.visible.len(), height);
    }
}
