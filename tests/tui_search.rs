//! The job-wide search screen (issue 14, TUI): `update` driven with Actions and hand-made
//! Msgs (prompt, streaming, the cap, cancel, Enter, narrowing to the tree's filter),
//! TestBackend snapshots at 80x24 and 160x48, and the worker on a real local store
//! through the real loop.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

#[path = "support/tui.rs"]
mod tui;

use batchout::search::SearchOptions;
use batchout::store::local::LocalStore;
use batchout::store::{PutOptions, Store};
use batchout::tui::requests::preview::{Chunk, Part, PreviewRequest};
use batchout::tui::requests::search::{FileDone, SearchFile, SearchHit, SearchMsg, SearchRequest};
use batchout::tui::run::UserEvent;
use batchout::tui::state::search::MAX_HITS;
use batchout::tui::state::SearchState;
use batchout::tui::workers::Workers;
use batchout::tui::{view, Action, AppState, Effect, Msg, RequestKind, Screen};
use bytes::Bytes;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::collections::BTreeMap;
use std::sync::Arc;
use time::macros::datetime;
use tui::{act, loads, send, typed};

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

fn jobs(w: u16, h: u16) -> AppState {
    let modified = datetime!(2026-11-01 08:30:15 UTC);
    tui::jobs_loaded(
        "local store /tmp/demo",
        w,
        h,
        vec![tui::job("job-render", Some("render"), modified)],
    )
}

fn search(s: &AppState) -> &SearchState {
    match s.screen() {
        Screen::Search(x) => x,
        other => panic!("not on the search screen: {other:?}"),
    }
}

/// The search request started by `fx`, with its id.
fn search_load(fx: &[Effect]) -> (u64, SearchRequest) {
    loads(fx)
        .into_iter()
        .find_map(|(id, k)| match k {
            RequestKind::Search(r) => Some((id, r)),
            _ => None,
        })
        .expect("a search request")
}

/// `S` on the job list, `pattern` typed, Enter: the running search's id.
fn started(s: &mut AppState, pattern: &str) -> u64 {
    act(s, Action::SearchJob);
    typed(s, pattern);
    search_load(&act(s, Action::FilterAccept)).0
}

fn file(task: &str, path: &str) -> SearchFile {
    SearchFile {
        task: Some(task.into()),
        kind: "TaskLog".into(),
        path: path.into(),
        blob: format!("{task}/$TaskLog/{path}"),
    }
}

fn hit(file: usize, number: u64, text: &str, needle: &str) -> SearchHit {
    let spans = text
        .match_indices(needle)
        .map(|(a, m)| (a, a + m.len()))
        .collect();
    SearchHit {
        file,
        number,
        text: text.into(),
        spans,
    }
}

fn done(file: usize, matches: u64) -> FileDone {
    FileDone {
        file,
        matches,
        binary: false,
        error: None,
    }
}

fn m(id: u64, msg: SearchMsg) -> Msg {
    Msg::Search { id, msg }
}

/// A search of three tasks with results in two of them, finished.
fn with_results(s: &mut AppState) -> u64 {
    let id = started(s, "-i out of memory");
    send(
        s,
        m(
            id,
            SearchMsg::Files(vec![
                file("frame-001", "stderr.txt"),
                file("frame-001", "stdout.txt"),
                file("frame-002", "stdout.txt"),
                file("frame-010", "stdout.txt"),
            ]),
        ),
    );
    send(
        s,
        m(
            id,
            SearchMsg::Batch {
                hits: vec![
                    hit(
                        0,
                        12,
                        "RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB",
                        "out of memory",
                    ),
                    hit(
                        1,
                        3,
                        "retrying after out of memory (attempt 1 of 3)",
                        "out of memory",
                    ),
                    hit(
                        1,
                        40,
                        "\x1b[31mfatal\x1b[0m: out of memory",
                        "out of memory",
                    ),
                ],
                done: vec![done(0, 1), done(1, 2), done(2, 0)],
            },
        ),
    );
    send(
        s,
        m(
            id,
            SearchMsg::Batch {
                hits: vec![hit(
                    3,
                    7,
                    "worker 3: out of memory, giving up",
                    "out of memory",
                )],
                done: vec![done(3, 1)],
            },
        ),
    );
    send(s, m(id, SearchMsg::Finished));
    id
}

#[test]
fn s_opens_a_prompt_and_enter_starts_the_search_with_its_flags() {
    let mut s = jobs(100, 30);
    act(&mut s, Action::SearchJob);
    assert!(search(&s).prompt.editing);
    assert!(s.filter_editing(), "typed keys go into the prompt");
    typed(&mut s, "-i -F cuda(");
    let (_, req) = search_load(&act(&mut s, Action::FilterAccept));
    assert_eq!(
        req,
        SearchRequest {
            container: "job-render".into(),
            opts: SearchOptions {
                pattern: "cuda(".into(),
                ignore_case: true,
                fixed: true,
                ..Default::default()
            },
            tasks: None,
            max_hits: MAX_HITS,
        }
    );
    assert!(s.busy());
    assert!(!search(&s).prompt.editing);
}

#[test]
fn an_invalid_regex_is_one_line_with_its_position_and_starts_nothing() {
    let mut s = jobs(100, 30);
    act(&mut s, Action::SearchJob);
    typed(&mut s, "ab(c");
    let fx = act(&mut s, Action::FilterAccept);
    assert!(loads(&fx).is_empty());
    let e = search(&s).error.clone().unwrap();
    assert!(e.contains("unclosed group at position 3"), "{e}");
    assert!(!e.contains('\n'));
    assert!(
        search(&s).prompt.editing,
        "the pattern can be fixed in place"
    );
    // Fixing it clears the error.
    act(&mut s, Action::FilterBackspace);
    assert_eq!(search(&s).error, None);
}

#[test]
fn results_stream_in_with_counts_per_task_and_sanitized_text() {
    let mut s = jobs(100, 30);
    let id = started(&mut s, "oom");
    send(
        &mut s,
        m(
            id,
            SearchMsg::Files(vec![file("a", "stdout.txt"), file("b", "stdout.txt")]),
        ),
    );
    send(
        &mut s,
        m(
            id,
            SearchMsg::Batch {
                hits: vec![hit(0, 1, "oom", "oom")],
                done: vec![],
            },
        ),
    );
    assert_eq!(
        search(&s).hits.len(),
        1,
        "the first line shows before the file ends"
    );
    assert!(s.busy());
    send(
        &mut s,
        m(
            id,
            SearchMsg::Batch {
                hits: vec![hit(1, 5, "oom again", "oom")],
                done: vec![done(0, 1), done(1, 1)],
            },
        ),
    );
    let x = search(&s);
    assert_eq!(x.matches, 2);
    assert_eq!(x.files_done, 2);
    let counts: Vec<_> = x
        .counts
        .iter()
        .map(|c| (c.task.as_str(), c.matches))
        .collect();
    assert_eq!(counts, [("a", 1), ("b", 1)]);
    send(&mut s, m(id, SearchMsg::Finished));
    assert!(search(&s).finished);
    assert!(!s.busy(), "the spinner stops");

    let mut s = jobs(100, 30);
    with_results(&mut s);
    let x = search(&s);
    let counts: Vec<_> = x
        .counts
        .iter()
        .map(|c| (c.task.as_str(), c.matches))
        .collect();
    assert_eq!(
        counts,
        [("frame-001", 3), ("frame-010", 1)],
        "stderr and stdout add up"
    );
    // A line that still holds escape sequences is cleaned (and shown without highlights).
    assert_eq!(x.hits[2].text, "fatal: out of memory");
    assert!(x.hits[2].spans.is_empty());
    assert_eq!(x.hits[1].spans, [(15, 28)]);
}

#[test]
fn results_are_capped_on_screen_and_counted_beyond() {
    let mut s = jobs(100, 30);
    let id = started(&mut s, ".");
    send(
        &mut s,
        m(id, SearchMsg::Files(vec![file("a", "stdout.txt")])),
    );
    let hits: Vec<_> = (1..=MAX_HITS as u64 + 50)
        .map(|n| hit(0, n, "x", "x"))
        .collect();
    send(
        &mut s,
        m(
            id,
            SearchMsg::Batch {
                hits,
                done: vec![done(0, 1_000_000)],
            },
        ),
    );
    let x = search(&s);
    assert_eq!(x.hits.len(), MAX_HITS);
    assert_eq!(x.matches, 1_000_000);
    act(&mut s, Action::Bottom);
    assert_eq!(search(&s).cursor.selected, MAX_HITS - 1);
    let text = tui::screen_text(&render(&s));
    assert!(
        text.contains("1,000,000 matches") || text.contains("1000000 matches"),
        "{text}"
    );
    assert!(text.contains(&format!("first {MAX_HITS} shown")), "{text}");
}

#[test]
fn esc_cancels_a_running_search_then_closes_and_closing_cancels_too() {
    let mut s = jobs(100, 30);
    let id = started(&mut s, "x");
    let fx = act(&mut s, Action::Back);
    assert_eq!(fx, vec![Effect::Cancel(id)]);
    assert!(search(&s).cancelled);
    assert!(!s.busy());
    // A late Msg of the cancelled search is dropped.
    send(
        &mut s,
        m(id, SearchMsg::Files(vec![file("a", "stdout.txt")])),
    );
    assert!(search(&s).files.is_empty());
    act(&mut s, Action::Back);
    assert!(matches!(s.screen(), Screen::Jobs(_)));

    // `/` edits the pattern while the search runs; Esc there returns to the results (the
    // search goes on); a new pattern replaces the running search.
    let mut s = jobs(100, 30);
    let id = started(&mut s, "x");
    act(&mut s, Action::StartFilter);
    assert!(act(&mut s, Action::FilterClear).is_empty());
    assert!(s.busy());
    act(&mut s, Action::StartFilter);
    typed(&mut s, "y");
    let fx = act(&mut s, Action::FilterAccept);
    assert!(fx.contains(&Effect::Cancel(id)));
    assert_eq!(search_load(&fx).1.opts.pattern, "xy");
    // Esc in the empty prompt closes the screen.
    let mut s = jobs(100, 30);
    act(&mut s, Action::SearchJob);
    act(&mut s, Action::FilterClear);
    assert!(matches!(s.screen(), Screen::Jobs(_)));
}

#[test]
fn enter_previews_the_file_at_the_line_with_context_and_t_follows_it_with_the_match() {
    let mut s = jobs(100, 30);
    with_results(&mut s);
    act(&mut s, Action::Down);
    act(&mut s, Action::Down);
    let fx = act(&mut s, Action::Enter);
    let (pid, kind) = loads(&fx).pop().unwrap();
    assert_eq!(
        kind,
        RequestKind::Preview(PreviewRequest {
            container: "job-render".into(),
            blob: "frame-001/$TaskLog/stdout.txt".into(),
            part: Part::Head,
            max: s.preview_bytes,
            cells: batchout::tui::layout::preview_cells(s.size),
        })
    );
    let text: String = (1..=100).map(|i| format!("line {i}\n")).collect();
    send(
        &mut s,
        tui::read(
            pid,
            Chunk {
                data: Bytes::from(text.clone()),
                start: 0,
                total: text.len() as u64,
            },
        ),
    );
    let Screen::Preview(p) = s.screen() else {
        panic!()
    };
    assert_eq!(p.scroll, 40 - 1 - 3, "line 40 with three lines above it");
    act(&mut s, Action::Back);

    // `t`: the live log of that file, searching for the matched text (n / N move there).
    act(&mut s, Action::Up);
    let fx = act(&mut s, Action::ToggleTail);
    assert!(loads(&fx)
        .iter()
        .any(|(_, k)| matches!(k, RequestKind::Log(_))));
    let Screen::Log(l) = s.screen() else { panic!() };
    assert_eq!(l.search.text, "out of memory");
    assert!(l.title.contains("frame-001"));

    // A line past what the preview read is said, not silently lost.
    let mut s = jobs(100, 30);
    with_results(&mut s);
    let (pid, _) = loads(&act(&mut s, Action::Enter)).pop().unwrap();
    send(
        &mut s,
        tui::read(
            pid,
            Chunk {
                data: Bytes::from_static(b"one\ntwo\n"),
                start: 0,
                total: 1 << 30,
            },
        ),
    );
    assert!(
        s.error.as_deref().unwrap().contains("line 12 is past"),
        "{:?}",
        s.error
    );
}

#[test]
fn from_the_tree_the_search_is_narrowed_to_the_tasks_its_filter_shows() {
    let mut s = jobs(100, 30);
    let root = tui::ids(&act(&mut s, Action::Enter))[0];
    let tasks = ["frame-001", "frame-002", "frame-010", "merge"];
    send(
        &mut s,
        tui::job_root(
            root,
            &[],
            tasks.iter().map(|t| t.to_string()).collect(),
            true,
        ),
    );
    act(&mut s, Action::StartFilter);
    typed(&mut s, "frame-0");
    act(&mut s, Action::FilterAccept);
    started(&mut s, "oom");
    let Screen::Search(x) = s.screen() else {
        panic!()
    };
    assert_eq!(x.scope, "3 tasks matching /frame-0");
    let fx_tasks = x.tasks.clone().unwrap();
    assert_eq!(fx_tasks, ["frame-001", "frame-002", "frame-010"]);
    // Unfiltered: every task.
    act(&mut s, Action::Back);
    act(&mut s, Action::Back);
    act(&mut s, Action::Back);
    let Screen::Job(j) = s.screen() else {
        panic!("{:?}", s.screen())
    };
    assert!(j.filter.is_empty());
    act(&mut s, Action::SearchJob);
    typed(&mut s, "oom");
    let (_, req) = search_load(&act(&mut s, Action::FilterAccept));
    assert_eq!(req.tasks, None);
}

fn render(s: &AppState) -> TestBackend {
    let mut t = Terminal::new(TestBackend::new(s.size.width, s.size.height)).unwrap();
    t.draw(|f| view::draw(f, s)).unwrap();
    t.backend().clone()
}

#[test]
fn snapshots_of_the_search_screen() {
    for (w, h) in SIZES {
        let mut s = jobs(w, h);
        with_results(&mut s);
        act(&mut s, Action::Down);
        insta::assert_snapshot!(format!("search_results_{w}x{h}"), render(&s));
        let mut s = jobs(w, h);
        act(&mut s, Action::SearchJob);
        typed(&mut s, "x{2,1}");
        act(&mut s, Action::FilterAccept);
        insta::assert_snapshot!(format!("search_bad_pattern_{w}x{h}"), render(&s));
    }
}

const C: &str = "job-grepjob";

async fn put(store: &dyn Store, blob: &str, data: &[u8]) {
    store.create_container(C, &BTreeMap::new()).await.unwrap();
    store
        .put_block_blob(
            C,
            blob,
            Bytes::copy_from_slice(data),
            &PutOptions::default(),
        )
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_searches_task_logs_on_a_local_store_in_task_order() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(LocalStore::open(dir.path()).unwrap());
    put(
        &*store,
        "t10/$TaskLog/stdout.txt",
        b"ok\nCUDA out of memory\n",
    )
    .await;
    put(
        &*store,
        "t2/$TaskLog/stderr.txt",
        b"a\r\nb\r\nfatal: out of memory\r\n",
    )
    .await;
    put(&*store, "t2/$TaskLog/stdout.txt", b"nothing here\n").await;
    put(
        &*store,
        "t1/$TaskLog/stdout.txt",
        b"out of memory\nout of memory, no newline",
    )
    .await;
    put(&*store, "t3/$TaskLog/stdout.txt", b"out of memory\0binary").await;
    put(
        &*store,
        "t1/$TaskOutput/out.txt",
        b"out of memory (not a log)\n",
    )
    .await;
    put(
        &*store,
        "t4/$TaskLog/stdout.txt",
        b"\x1b]0;evil\x07out of memory\x1b[2J\n",
    )
    .await;

    let terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    let state = AppState::new(&store.describe(), 100, 30);
    let cache_dir = cache.path().to_path_buf();
    let mut app = batchout::tui::run::App::new(terminal, state, move |tx| {
        Workers::new(store, tx).with_search_cache(cache_dir)
    });
    tui::settle(&mut app).await;
    app.handle(UserEvent::Action(Action::SearchJob));
    for c in "out of memory".chars() {
        app.handle(UserEvent::Action(Action::FilterChar(c)));
    }
    app.handle(UserEvent::Action(Action::FilterAccept));
    tui::run_until(
        &mut app,
        |s| matches!(s.screen(), Screen::Search(x) if x.finished),
    )
    .await;
    let x = search(&app.state);
    let got: Vec<_> = x
        .hits
        .iter()
        .map(|h| {
            let f = &x.files[h.file];
            let (a, b) = h.spans[0];
            (
                f.task.as_str(),
                f.label.as_str(),
                h.number,
                h.text.as_str(),
                &h.text[a..b],
            )
        })
        .collect();
    let oom = "out of memory";
    assert_eq!(
        got,
        [
            ("t1", "TaskLog/stdout.txt", 1, "out of memory", oom),
            (
                "t1",
                "TaskLog/stdout.txt",
                2,
                "out of memory, no newline",
                oom
            ),
            ("t2", "TaskLog/stderr.txt", 3, "fatal: out of memory", oom),
            ("t4", "TaskLog/stdout.txt", 1, "out of memory", oom),
            ("t10", "TaskLog/stdout.txt", 2, "CUDA out of memory", oom),
        ]
    );
    assert_eq!(x.binary, 1, "t3's log is binary: skipped");
    assert_eq!(x.matches, 5);
    assert_eq!(x.files.len(), 6);
    assert_eq!(x.files_done, 6);
    let counts: Vec<_> = x
        .counts
        .iter()
        .map(|c| (c.task.as_str(), c.matches))
        .collect();
    assert_eq!(counts, [("t1", 2), ("t2", 1), ("t4", 1), ("t10", 1)]);
    assert!(
        cache.path().read_dir().unwrap().next().is_some(),
        "the cache went to the folder given"
    );
    let screen = tui::screen_text(app.terminal.backend());
    assert!(
        screen.contains("t10 TaskLog/stdout.txt:2: CUDA out of memory"),
        "{screen}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pattern_matching_everything_keeps_the_cap_and_counts_every_line() {
    let dir = tempfile::tempdir().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(LocalStore::open(dir.path()).unwrap());
    let log: String = (1..=3000).map(|i| format!("line {i}\n")).collect();
    put(&*store, "a/$TaskLog/stdout.txt", log.as_bytes()).await;
    put(&*store, "b/$TaskLog/stdout.txt", log.as_bytes()).await;
    let terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let state = AppState::new(&store.describe(), 80, 24);
    let cache_dir = cache.path().to_path_buf();
    let mut app = batchout::tui::run::App::new(terminal, state, move |tx| {
        Workers::new(store, tx).with_search_cache(cache_dir)
    });
    tui::settle(&mut app).await;
    app.handle(UserEvent::Action(Action::SearchJob));
    app.handle(UserEvent::Action(Action::FilterChar('.')));
    app.handle(UserEvent::Action(Action::FilterAccept));
    tui::run_until(
        &mut app,
        |s| matches!(s.screen(), Screen::Search(x) if x.finished),
    )
    .await;
    let x = search(&app.state);
    assert_eq!(x.hits.len(), MAX_HITS);
    assert_eq!(x.matches, 6000);
    assert_eq!(x.hits.last().unwrap().number, MAX_HITS as u64);
    let counts: Vec<_> = x
        .counts
        .iter()
        .map(|c| (c.task.as_str(), c.matches))
        .collect();
    assert_eq!(counts, [("a", 3000), ("b", 3000)]);
}
