//! Helpers shared by the TUI tests: drive `update` with Actions and Msgs, build worker
//! Msgs, read Effects, open screens, and run the real app loop ([`App`]) on a TestBackend
//! until a condition holds (with a deadline).
#![allow(dead_code)]

use batchout::outputs::JobEntry;
use batchout::store::Store;
use batchout::tui::requests::listing::{FileEntry, ListingMsg, ListingRequest};
use batchout::tui::requests::log::LogTarget;
use batchout::tui::requests::preview::{Chunk, PreviewMsg};
use batchout::tui::update::{Cx, Nav};
use batchout::tui::workers::Workers;
use batchout::tui::{update, Action, AppState, Effect, Input, Msg, RequestKind};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;

/// One Action through `update`.
pub fn act(s: &mut AppState, a: Action) -> Vec<Effect> {
    update::update(s, Input::Action(a))
}

/// One worker Msg through `update`.
pub fn send(s: &mut AppState, m: Msg) -> Vec<Effect> {
    update::update(s, Input::Msg(m))
}

/// Type text into whatever takes typed keys (a filter, the folder prompt).
pub fn typed(s: &mut AppState, text: &str) {
    for c in text.chars() {
        act(s, Action::FilterChar(c));
    }
}

pub fn listing(id: u64, msg: ListingMsg) -> Msg {
    Msg::Listing { id, msg }
}
pub fn jobs_page(id: u64, jobs: Vec<JobEntry>, done: bool) -> Msg {
    listing(id, ListingMsg::Jobs { jobs, done })
}
pub fn job_root(id: u64, job_kinds: &[&str], tasks: Vec<String>, done: bool) -> Msg {
    let job_kinds = job_kinds.iter().map(|k| k.to_string()).collect();
    listing(
        id,
        ListingMsg::JobRoot {
            job_kinds,
            tasks,
            done,
        },
    )
}
pub fn task_kinds(id: u64, kinds: &[&str]) -> Msg {
    let kinds = kinds.iter().map(|k| k.to_string()).collect();
    listing(id, ListingMsg::TaskKinds { kinds, done: true })
}
pub fn kind_count(id: u64, added: u64, done: bool) -> Msg {
    listing(id, ListingMsg::KindCount { added, done })
}
pub fn files_page(id: u64, files: Vec<FileEntry>, done: bool) -> Msg {
    listing(id, ListingMsg::Files { files, done })
}
pub fn read(id: u64, chunk: Chunk) -> Msg {
    Msg::Preview {
        id,
        msg: PreviewMsg::Read(chunk),
    }
}

pub fn job(container: &str, id: Option<&str>, modified: OffsetDateTime) -> JobEntry {
    JobEntry {
        container: container.into(),
        job_id: id.map(Into::into),
        last_modified: modified,
    }
}

/// The Load Effects in `fx`, as (id, kind).
pub fn loads(fx: &[Effect]) -> Vec<(u64, RequestKind)> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Load(r) => Some((r.id, r.kind.clone())),
            _ => None,
        })
        .collect()
}

/// The ids of the Loads in `fx`.
pub fn ids(fx: &[Effect]) -> Vec<u64> {
    loads(fx).into_iter().map(|(id, _)| id).collect()
}

/// The id of the first Load in `fx` for which `pred` holds.
pub fn load_id(fx: &[Effect], pred: impl Fn(&RequestKind) -> bool) -> u64 {
    loads(fx)
        .into_iter()
        .find(|(_, k)| pred(k))
        .map(|(id, _)| id)
        .expect("a matching load effect")
}

pub fn is_listing(pred: impl Fn(&ListingRequest) -> bool) -> impl Fn(&RequestKind) -> bool {
    move |k| matches!(k, RequestKind::Listing(l) if pred(l))
}

/// A browser of `w` x `h` on the job list, with `jobs` loaded (one page).
pub fn jobs_loaded(label: &str, w: u16, h: u16, jobs: Vec<JobEntry>) -> AppState {
    let mut s = AppState::new(label, w, h);
    let id = load_id(
        &update::start(&mut s),
        is_listing(|l| *l == ListingRequest::Jobs),
    );
    send(&mut s, jobs_page(id, jobs, true));
    s
}

/// Open a log screen on top of the current one, as a key would; returns the Effects.
pub fn open_log(
    state: &mut AppState,
    container: &str,
    target: LogTarget,
    title: &str,
) -> Vec<Effect> {
    let mut cx = Cx::new(&mut state.requests, state.size, state.preview_bytes);
    update::log::open(&mut cx, container, target, title);
    let Cx { effects, nav, .. } = cx;
    if let Some(Nav::Push(screen)) = nav {
        state.screens.push(screen);
    }
    state.dirty = true;
    effects
}

/// The screen as text, one line per row (trailing spaces cut).
pub fn screen_text(backend: &TestBackend) -> String {
    let buf = backend.buffer();
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The app loop on a TestBackend.
pub type App = batchout::tui::run::App<TestBackend>;

/// The real app loop on a TestBackend of `w` x `h`, browsing `store` (listing pages of
/// `page_size` when given). Must be called inside a tokio runtime.
pub fn app(store: Arc<dyn Store>, w: u16, h: u16, page_size: Option<u32>) -> App {
    let terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    let state = AppState::new(&store.describe(), w, h);
    batchout::tui::run::App::new(terminal, state, |tx| {
        let workers = Workers::new(store, tx);
        match page_size {
            Some(n) => workers.with_page_size(n),
            None => workers,
        }
    })
}

/// Run the loop until `done` holds; panics after 30 s.
pub async fn run_until(app: &mut App, done: impl FnMut(&AppState) -> bool) {
    let ran = tokio::time::timeout(
        Duration::from_secs(30),
        app.run_until(futures::stream::pending(), done),
    )
    .await
    .expect("the condition holds within 30 s")
    .unwrap();
    assert!(ran, "the loop ended before the condition held");
}

/// Run the loop until no request is in flight.
pub async fn settle(app: &mut App) {
    run_until(app, |s| !s.busy()).await;
}
