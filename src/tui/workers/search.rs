//! Runs a job-wide search ([`SearchRequest`]) with `crate::search` (the same selection,
//! engine and cache as `batchout grep`) and turns its events into coalesced Msgs: one
//! batch per burst of events, never one Msg per line. Aborting the task drops the event
//! receiver, which cancels the search.

use super::Out;
use crate::search::{self, Cache, Event, FileEvent, Selection};
use crate::store::Store;
use crate::text::sanitize_line;
use crate::tui::requests::search::{FileDone, SearchFile, SearchHit, SearchMsg, SearchRequest};
use grep_matcher::Matcher;
use std::sync::Arc;

/// Events taken into one batch at most (the rest waits for the next Msg).
const BATCH: usize = 512;
/// Bytes of a line kept for the screen (the line number leads to the rest).
const MAX_TEXT: usize = 1024;

pub async fn run(
    store: Arc<dyn Store>,
    req: SearchRequest,
    cache: Option<Cache>,
    out: Out<SearchMsg>,
) {
    if let Err(e) = search_job(store, req, cache, &out).await {
        out.fail(e);
    }
}

async fn search_job(
    store: Arc<dyn Store>,
    req: SearchRequest,
    cache: Option<Cache>,
    out: &Out<SearchMsg>,
) -> Result<(), String> {
    let matcher = req.opts.matcher().map_err(|e| e.0)?;
    let files = match &req.tasks {
        Some(t) if t.is_empty() => Vec::new(),
        tasks => {
            let filter = search::Filter::new(Selection {
                tasks: tasks.clone().unwrap_or_default(),
                ..Default::default()
            })?;
            search::select_files(store.as_ref(), &req.container, &filter)
                .await
                .map_err(|e| e.to_string())?
        }
    };
    let listed = files
        .iter()
        .map(|f| SearchFile {
            task: f.scope.task().map(str::to_string),
            kind: f.kind.clone(),
            path: f.path.clone(),
            blob: f.blob.name.clone(),
        })
        .collect();
    if !out.send(SearchMsg::Files(listed)) {
        return Ok(());
    }
    let mut rx = search::start(
        store,
        req.container.clone(),
        files,
        req.opts.clone(),
        cache,
        search::Tuning::default(),
    )
    .map_err(|e| e.0)?;
    let mut sent = 0usize;
    while let Some(first) = rx.recv().await {
        let (mut hits, mut done) = (Vec::new(), Vec::new());
        let mut next = Some(first);
        let mut taken = 0;
        while let Some(Event { file, event }) = next.take() {
            match event {
                FileEvent::Line(l) if l.is_match && sent < req.max_hits => {
                    sent += 1;
                    hits.push(hit(&matcher, file, l.number, &l.text, !req.opts.invert));
                }
                FileEvent::Line(_) => {}
                FileEvent::Done(s) => done.push(FileDone {
                    file,
                    matches: s.matches,
                    binary: s.binary_at.is_some(),
                    error: s.error,
                }),
            }
            taken += 1;
            if taken < BATCH {
                next = rx.try_recv().ok();
            }
        }
        if !out.send(SearchMsg::Batch { hits, done }) {
            return Ok(());
        }
    }
    out.send(SearchMsg::Finished);
    Ok(())
}

/// A matching line made safe for the terminal, with where its matches are in the clean
/// text (each piece between matches is cleaned on its own, so the spans stay exact).
fn hit(
    matcher: &grep_regex::RegexMatcher,
    file: usize,
    number: u64,
    raw: &str,
    highlight: bool,
) -> SearchHit {
    let mut cut = raw.len().min(MAX_TEXT);
    while !raw.is_char_boundary(cut) {
        cut -= 1;
    }
    let raw = &raw[..cut];
    let mut found = Vec::new();
    if highlight {
        let _ = matcher.find_iter(raw.as_bytes(), |m| {
            found.push((m.start(), m.end()));
            true
        });
    }
    let (mut text, mut spans, mut at) = (String::new(), Vec::new(), 0);
    for (s, e) in found {
        if s < at || s == e || !raw.is_char_boundary(s) || !raw.is_char_boundary(e) {
            continue;
        }
        text.push_str(&sanitize_line(&raw[at..s]));
        let start = text.len();
        text.push_str(&sanitize_line(&raw[s..e]));
        spans.push((start, text.len()));
        at = e;
    }
    text.push_str(&sanitize_line(&raw[at..]));
    SearchHit {
        file,
        number,
        text,
        spans,
    }
}
