//! The job list.

use super::{filter, list_step, Cx, Nav};
use crate::tui::app::Screen;
use crate::tui::layout;
use crate::tui::msg::Msg;
use crate::tui::name::Name;
use crate::tui::requests::listing::{ListingMsg, ListingRequest};
use crate::tui::requests::RequestKind;
use crate::tui::state::{JobRow, JobState, JobsState};
use crate::tui::Action;

pub fn action(s: &mut JobsState, cx: &mut Cx, a: Action) {
    let height = layout::jobs_height(cx.size);
    if let Some(changed) = filter::edit(&mut s.filter, a) {
        if changed {
            s.refilter(height);
        }
        return;
    }
    if let Some(step) = list_step(a, height) {
        s.cursor.move_by(step, s.visible.len(), height);
        return;
    }
    match a {
        Action::Refresh => {
            cx.cancel(s.loading.take());
            s.jobs.clear();
            s.visible.clear();
            s.loaded = false;
            s.loading = Some(cx.request(RequestKind::Listing(ListingRequest::Jobs)));
        }
        Action::Enter | Action::Right => open(s, cx),
        Action::SearchJob => super::search::open_from_jobs(s, cx),
        Action::Click { col, row } => {
            let rows = layout::table_rows(layout::bands(cx.size).body);
            if let Some(line) = layout::line_at(rows, col, row) {
                let i = s.cursor.offset + line;
                if i < s.visible.len() {
                    if i == s.cursor.selected {
                        open(s, cx);
                    } else {
                        s.cursor.select(i, s.visible.len(), height);
                    }
                }
            }
        }
        _ => {}
    }
}

fn open(s: &JobsState, cx: &mut Cx) {
    let Some(job) = s.selected() else { return };
    let mut js = JobState::new(job.container.clone(), job.title().clone());
    js.root_loading = Some(cx.request(RequestKind::Listing(ListingRequest::JobRoot {
        container: job.container.raw().to_string(),
    })));
    cx.nav = Some(Nav::Push(Screen::Job(Box::new(js))));
}

pub fn msg(s: &mut JobsState, cx: &mut Cx, m: Msg) {
    let height = layout::jobs_height(cx.size);
    match m {
        Msg::Listing {
            msg: ListingMsg::Jobs { jobs, done },
            ..
        } => {
            s.jobs.extend(jobs.into_iter().map(|j| JobRow {
                container: Name::new(j.container),
                job_id: j.job_id.map(Name::new),
                modified: j.last_modified,
            }));
            if done {
                s.loading = None;
                s.loaded = true;
            }
            s.refilter(height);
        }
        Msg::Failed { .. } => {
            s.loading = None;
            s.loaded = true;
        }
        _ => {}
    }
}
