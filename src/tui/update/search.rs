//! The job-wide search screen: type a pattern, watch results stream in, open one at its
//! line. Pure: results arrive as [`SearchMsg`]s from `workers/search.rs`.

use super::{list_step, Cx, Nav};
use crate::tui::app::Screen;
use crate::tui::layout;
use crate::tui::msg::Msg;
use crate::tui::name::Name;
use crate::tui::requests::log::LogTarget;
use crate::tui::requests::preview::{Part, PreviewRequest};
use crate::tui::requests::search::{SearchHit, SearchMsg, SearchRequest};
use crate::tui::requests::RequestKind;
use crate::tui::state::search::{parse_prompt, FileRef, SearchState, TaskCount, MAX_HITS};
use crate::tui::state::{JobState, JobsState, PreviewState, TreeRow};
use crate::tui::Action;

/// `S` on the job list: search every task of the selected job.
pub fn open_from_jobs(s: &JobsState, cx: &mut Cx) {
    let Some(job) = s.selected() else { return };
    let st = SearchState::new(job.container.raw(), job.title().shown(), None, "all tasks");
    cx.nav = Some(Nav::Push(Screen::Search(Box::new(st))));
}

/// `S` in the job tree: search its tasks, only those the tree's `/` filter shows when it
/// has one.
pub fn open_from_tree(s: &JobState, cx: &mut Cx) {
    // The tree's filters (`/` and the status filter, F / L) narrow the search to the
    // tasks they show.
    let only = s.statuses.only;
    let (tasks, scope) = if s.filter.is_empty() && only.is_none() {
        (None, "all tasks".to_string())
    } else {
        let ids: Vec<String> = s
            .rows
            .iter()
            .filter_map(|r| match r {
                TreeRow::Task(t) => s.tasks.get(*t as usize).map(|t| t.id.raw().to_string()),
                _ => None,
            })
            .collect();
        let mut shown = Vec::new();
        if let Some(status) = only {
            shown.push(format!("only {}", status.as_str()));
        }
        if !s.filter.is_empty() {
            shown.push(format!("matching /{}", s.filter.text));
        }
        let scope = format!("{} tasks {}", ids.len(), shown.join(", "));
        (Some(ids), scope)
    };
    let st = SearchState::new(s.container.raw(), s.title.shown(), tasks, &scope);
    cx.nav = Some(Nav::Push(Screen::Search(Box::new(st))));
}

pub fn action(s: &mut SearchState, cx: &mut Cx, a: Action) {
    if s.prompt.editing {
        return prompt_action(s, cx, a);
    }
    let height = layout::search_height(cx.size);
    if let Some(step) = list_step(a, height) {
        s.cursor.move_by(step, s.hits.len(), height);
        return;
    }
    match a {
        Action::StartFilter => s.prompt.editing = true,
        Action::Enter | Action::Right => open_preview(s, cx),
        Action::ToggleTail => open_log(s, cx),
        Action::Refresh => start(s, cx),
        // Esc stops a running search first; then it closes the screen.
        Action::Back if s.running() => {
            cx.cancel(s.search_id.take());
            s.cancelled = true;
        }
        Action::Back => cx.nav = Some(Nav::Pop),
        _ => {}
    }
}

fn prompt_action(s: &mut SearchState, cx: &mut Cx, a: Action) {
    match a {
        Action::FilterChar(c) => {
            s.prompt.text.push(c);
            s.error = None;
        }
        Action::FilterBackspace => {
            s.prompt.text.pop();
            s.error = None;
        }
        Action::FilterAccept => start(s, cx),
        // Esc: back to the results, or out when there are none yet.
        Action::FilterClear if s.opts.is_none() => cx.nav = Some(Nav::Pop),
        Action::FilterClear => s.prompt.editing = false,
        _ => {}
    }
}

/// Start (or restart) the search typed in the prompt; a bad pattern stays in the prompt
/// with its one-line error.
fn start(s: &mut SearchState, cx: &mut Cx) {
    let opts = parse_prompt(&s.prompt.text);
    if opts.pattern.is_empty() {
        s.error =
            Some("type a pattern (regex; -i ignores case, -F searches a fixed string)".into());
        s.prompt.editing = true;
        return;
    }
    if let Err(e) = opts.matcher() {
        s.error = Some(crate::text::sanitize(&e.0).into_owned());
        s.prompt.editing = true;
        return;
    }
    cx.cancel(s.search_id.take());
    s.clear_results();
    s.prompt.editing = false;
    s.opts = Some(opts.clone());
    s.search_id = Some(cx.request(RequestKind::Search(SearchRequest {
        container: s.container.clone(),
        opts,
        tasks: s.tasks.clone(),
        max_hits: MAX_HITS,
    })));
}

pub fn msg(s: &mut SearchState, cx: &mut Cx, m: Msg) {
    match m {
        Msg::Search { msg, .. } => match msg {
            SearchMsg::Files(files) => {
                s.files = files
                    .into_iter()
                    .map(|f| FileRef {
                        task: Name::new(f.task.clone().unwrap_or_else(|| "-".into()))
                            .shown()
                            .to_string(),
                        label: Name::new(format!("{}/{}", f.kind, f.path))
                            .shown()
                            .to_string(),
                        raw: f,
                    })
                    .collect();
            }
            SearchMsg::Batch { hits, done } => {
                let room = MAX_HITS.saturating_sub(s.hits.len());
                s.hits.extend(
                    hits.into_iter()
                        .filter(|h| h.file < s.files.len())
                        .take(room)
                        .map(safe_hit),
                );
                for d in done {
                    s.files_done += 1;
                    s.matches += d.matches;
                    s.binary += (d.binary && d.matches == 0) as usize;
                    s.failed_files += d.error.is_some() as usize;
                    let Some(f) = s.files.get(d.file) else {
                        continue;
                    };
                    if d.matches == 0 {
                        continue;
                    }
                    match s.counts.last_mut() {
                        Some(c) if c.task == f.task => c.matches += d.matches,
                        _ => s.counts.push(TaskCount {
                            task: f.task.clone(),
                            matches: d.matches,
                        }),
                    }
                }
                let height = layout::search_height(cx.size);
                s.cursor.clamp(s.hits.len(), height);
            }
            SearchMsg::Finished => {
                s.finished = true;
                s.search_id = None;
            }
        },
        Msg::Failed { error, .. } => {
            s.search_id = None;
            s.error = Some(crate::text::sanitize(&crate::text::one_line(&error)).into_owned());
            // The screen says it in its own words.
            cx.error = None;
        }
        _ => {}
    }
}

/// The worker cleans hit text; should a line still hold something unsafe, it is cleaned
/// here and shown without highlights (their offsets would be wrong).
fn safe_hit(mut h: SearchHit) -> SearchHit {
    if let std::borrow::Cow::Owned(clean) = crate::text::sanitize_line(&h.text) {
        h.text = clean;
        h.spans.clear();
    }
    h
}

/// Lines shown above a match opened in the preview.
pub const CONTEXT: usize = 3;

/// Enter: preview the file at the selected match's line, a few lines of context above.
fn open_preview(s: &SearchState, cx: &mut Cx) {
    let Some(hit) = s.hits.get(s.cursor.selected) else {
        return;
    };
    let Some(f) = s.files.get(hit.file) else {
        return;
    };
    let mut p = PreviewState::new(
        s.container.clone(),
        f.raw.blob.clone(),
        Name::new(f.raw.path.clone()),
        format!("{} › {}", f.task, Name::new(f.raw.kind.clone()).shown()),
    );
    p.goto = Some((hit.number.saturating_sub(1) as usize, CONTEXT));
    p.loading = Some(cx.request(RequestKind::Preview(PreviewRequest {
        container: s.container.clone(),
        blob: f.raw.blob.clone(),
        part: Part::Head,
        max: cx.preview_bytes,
        cells: crate::tui::layout::preview_cells(cx.size),
    })));
    cx.nav = Some(Nav::Push(Screen::Preview(Box::new(p))));
}

/// `t`: follow the selected match's file live, its log search set to the matched text
/// (`n` / `N` move between the matches there).
fn open_log(s: &SearchState, cx: &mut Cx) {
    let Some(hit) = s.hits.get(s.cursor.selected) else {
        return;
    };
    let Some(f) = s.files.get(hit.file) else {
        return;
    };
    let target = LogTarget::File {
        task: f.raw.task.clone(),
        path: f.raw.path.clone(),
        blob: f.raw.blob.clone(),
    };
    let title = format!("{} › {}", f.task, f.label);
    super::log::open(cx, &s.container, target, &title);
    let needle = hit
        .spans
        .first()
        .and_then(|&(a, b)| hit.text.get(a..b))
        .unwrap_or_default()
        .to_string();
    if let Some(Nav::Push(Screen::Log(l))) = &mut cx.nav {
        l.search.text = needle;
    }
}
