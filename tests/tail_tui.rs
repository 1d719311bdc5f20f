//! The live log screen, driven through `update` with Actions and worker Msgs, drawn into
//! ratatui's TestBackend (insta snapshots); its worker against a real local store.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

mod support;
#[path = "support/tui.rs"]
mod tui;

use batchout::follow::lines::LinePiece;
use batchout::follow::single::{FollowEvent, Notice};
use batchout::store::local::LocalStore;
use batchout::store::{PutOptions, Store};
use batchout::tui::name::Name;
use batchout::tui::requests::log::{LogMsg, LogRequest, LogSource, LogTarget, SaveWhat};
use batchout::tui::state::job::JobState;
use batchout::tui::state::log::LogState;
use batchout::tui::workers::Out;
use batchout::tui::{Action, AppState, Effect, Input, Msg, RequestKind, Screen};
use bytes::Bytes;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tui::act;

const W: u16 = 60;
const H: u16 = 12;
const C: &str = "job-demo";
const BLOB: &str = "t1/$TaskLog/stdout.txt";

fn file_target() -> LogTarget {
    LogTarget::File {
        task: Some("t1".into()),
        path: "stdout.txt".into(),
        blob: BLOB.into(),
    }
}

/// A log screen following t1's stdout; returns the follow request's id.
fn opened(target: LogTarget) -> (AppState, u64) {
    let mut state = AppState::new("local /tmp/store", W, H);
    let effects = tui::open_log(&mut state, C, target.clone(), "t1 › TaskLog › stdout.txt");
    let [Effect::Load(req)] = &effects[..] else {
        panic!("one request: {effects:?}")
    };
    assert_eq!(
        req.kind,
        RequestKind::Log(LogRequest::Follow {
            container: C.into(),
            target
        })
    );
    (state, req.id)
}

fn log(state: &AppState) -> &LogState {
    match state.screen() {
        Screen::Log(s) => s,
        other => panic!("not the log screen: {other:?}"),
    }
}

fn lines(from: usize, to: usize) -> Vec<(usize, FollowEvent)> {
    (from..to)
        .map(|i| (0, FollowEvent::Piece(LinePiece::line(format!("line {i}")))))
        .collect()
}

fn batch(state: &mut AppState, id: u64, events: Vec<(usize, FollowEvent)>, older_start: u64) {
    let new_sources = if log(state).sources.is_empty() {
        vec![LogSource {
            label: "stdout.txt".into(),
            colour: 0,
        }]
    } else {
        Vec::new()
    };
    let msg = LogMsg::Batch {
        new_sources,
        events,
        older_start,
    };
    batchout::tui::update(state, Input::Msg(Msg::Log { id, msg }));
}

fn render(state: &AppState) -> String {
    let mut t = Terminal::new(TestBackend::new(state.size.width, state.size.height)).unwrap();
    t.draw(|f| batchout::tui::view::draw(f, state)).unwrap();
    tui::screen_text(t.backend())
}

#[test]
fn opens_at_the_end_and_follows_new_lines() {
    let (mut state, id) = opened(file_target());
    insta::assert_snapshot!("opening", render(&state));
    batch(&mut state, id, lines(0, 30), 4096);
    assert!(log(&state).follow);
    insta::assert_snapshot!("following", render(&state));
    batch(&mut state, id, lines(30, 32), 4096);
    let shown = render(&state);
    assert!(
        shown.contains("line 31") && !shown.contains("line 20\n"),
        "auto-scrolls: {shown}"
    );
}

#[test]
fn scrolling_up_pauses_and_loads_older_parts() {
    let (mut state, id) = opened(file_target());
    batch(&mut state, id, lines(100, 130), 5000);
    assert!(
        act(&mut state, Action::Up).is_empty(),
        "far from the top: nothing to load yet"
    );
    assert!(!log(&state).follow, "scrolling up stops following");
    let top_before = log(&state).scroll;
    batch(&mut state, id, lines(130, 131), 5000);
    assert_eq!(
        log(&state).scroll,
        top_before,
        "new lines do not move a paused view"
    );
    // Near the top: the part before it is requested, once.
    let effects = act(&mut state, Action::PageUp);
    let effects2 = act(&mut state, Action::PageUp);
    let older: Vec<_> = effects
        .iter()
        .chain(&effects2)
        .filter_map(|e| match e {
            Effect::Load(r) => Some(r.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(older.len(), 1, "{effects:?} {effects2:?}");
    assert_eq!(
        older[0].kind,
        RequestKind::Log(LogRequest::Older {
            container: C.into(),
            blob: BLOB.into(),
            end: 5000
        })
    );
    let scroll = log(&state).scroll;
    let pieces = (0..100)
        .map(|i| LinePiece::line(format!("line {i}")))
        .collect();
    batchout::tui::update(
        &mut state,
        Input::Msg(Msg::Log {
            id: older[0].id,
            msg: LogMsg::Older { pieces, start: 0 },
        }),
    );
    let s = log(&state);
    assert_eq!(s.lines.len(), 131);
    assert_eq!(s.scroll, scroll + 100, "the same lines stay in view");
    assert_eq!(s.lines.get(0).unwrap().text, "line 0");
    assert_eq!(s.older_start, 0);
    act(&mut state, Action::Top);
    insta::assert_snapshot!("paused_at_top", render(&state));
    act(&mut state, Action::Follow);
    assert!(log(&state).follow);
    assert!(render(&state).contains("line 130"));
    act(&mut state, Action::Up);
    act(&mut state, Action::Bottom);
    assert!(log(&state).follow, "End / G follow again");
}

#[test]
fn wrap_toggle_shows_long_lines_whole() {
    let (mut state, id) = opened(file_target());
    let long = format!("start {} end", "x".repeat(150));
    batch(
        &mut state,
        id,
        vec![
            (0, FollowEvent::Piece(LinePiece::line("short"))),
            (0, FollowEvent::Piece(LinePiece::line(long))),
        ],
        0,
    );
    assert!(!render(&state).contains(" end"));
    act(&mut state, Action::ToggleWrap);
    assert!(log(&state).wrap);
    insta::assert_snapshot!("wrapped", render(&state));
    act(&mut state, Action::ToggleWrap);
    act(&mut state, Action::Right);
    assert_eq!(log(&state).hscroll, 8);
}

#[test]
fn search_jumps_between_matches() {
    let (mut state, id) = opened(file_target());
    let mut events = lines(0, 40);
    events[5] = (0, FollowEvent::Piece(LinePiece::line("ERROR: disk full")));
    events[25] = (0, FollowEvent::Piece(LinePiece::line("another error here")));
    batch(&mut state, id, events, 0);
    act(&mut state, Action::Top);
    act(&mut state, Action::StartFilter);
    assert!(state.filter_editing());
    for c in "error".chars() {
        act(&mut state, Action::FilterChar(c));
    }
    act(&mut state, Action::FilterAccept);
    assert_eq!(log(&state).found, Some(5));
    insta::assert_snapshot!("search", render(&state));
    act(&mut state, Action::SearchNext);
    assert_eq!(log(&state).found, Some(25));
    act(&mut state, Action::SearchNext);
    assert_eq!(log(&state).found, Some(5), "wraps around");
    act(&mut state, Action::SearchPrev);
    assert_eq!(log(&state).found, Some(25));
    // Esc clears the search first, then leaves.
    act(&mut state, Action::Back);
    assert!(matches!(state.screen(), Screen::Log(_)));
    assert_eq!(log(&state).found, None);
}

#[test]
fn replacement_reloads_with_a_notice_and_stale_msgs_are_dropped() {
    let (mut state, id) = opened(file_target());
    batch(&mut state, id, lines(0, 20), 0);
    let events = vec![
        (0, FollowEvent::Notice(Notice::Shrunk { from: 200, to: 10 })),
        (0, FollowEvent::Piece(LinePiece::line("fresh start"))),
    ];
    batch(&mut state, id, events, 0);
    let s = log(&state);
    assert_eq!(s.lines.len(), 2, "old lines are gone");
    insta::assert_snapshot!("reloaded", render(&state));
    // Leaving cancels the follower; its late Msgs change nothing.
    let effects = act(&mut state, Action::Back);
    assert!(effects.contains(&Effect::Cancel(id)), "{effects:?}");
    let before = state.clone();
    batch_raw(&mut state, id);
    assert_eq!(state.screens, before.screens);
}

fn batch_raw(state: &mut AppState, id: u64) {
    let msg = LogMsg::Batch {
        new_sources: Vec::new(),
        events: lines(0, 3),
        older_start: 0,
    };
    batchout::tui::update(state, Input::Msg(Msg::Log { id, msg }));
}

#[test]
fn merged_stream_prefixes_sources_and_escapes_are_neutralised() {
    let (mut state, id) = opened(LogTarget::Task { task: "t1".into() });
    let msg = LogMsg::Batch {
        new_sources: vec![
            LogSource {
                label: "stderr".into(),
                colour: 0,
            },
            LogSource {
                label: "stdout".into(),
                colour: 1,
            },
        ],
        events: vec![
            (1, FollowEvent::Piece(LinePiece::line("starting"))),
            (
                0,
                FollowEvent::Piece(LinePiece::line(
                    "\x1b]0;pwned\x07\x1b[31mwarning\x1b[0m: low memory\u{202E}",
                )),
            ),
            (1, FollowEvent::Piece(LinePiece::partial("50% "))),
            (1, FollowEvent::Piece(LinePiece::line("done"))),
        ],
        older_start: 0,
    };
    batchout::tui::update(&mut state, Input::Msg(Msg::Log { id, msg }));
    let s = log(&state);
    assert!(s
        .lines
        .iter()
        .all(|l| !l.text.contains('\x1b') && !l.text.contains('\u{202E}')));
    assert_eq!(s.lines.len(), 3, "pieces of one line are joined");
    let shown = render(&state);
    assert!(shown.contains("stderr warning: low memory"), "{shown}");
    assert!(shown.contains("stdout 50% done"), "{shown}");
    insta::assert_snapshot!("merged", shown);
    // Colours per source in the buffer's styles.
    let mut t = Terminal::new(TestBackend::new(W, H)).unwrap();
    t.draw(|f| batchout::tui::view::draw(f, &state)).unwrap();
    let buf = t.backend().buffer();
    let row = (0..H)
        .find(|&y| {
            (0..W)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
                .contains("stderr warning")
        })
        .unwrap();
    let col = (0..W).find(|&x| buf[(x, row)].symbol() == "s").unwrap();
    assert_eq!(buf[(col, row)].fg, ratatui::style::Color::Cyan);
}

#[test]
fn save_asks_for_a_new_file_and_reports_it() {
    let (mut state, id) = opened(file_target());
    batch(&mut state, id, lines(0, 3), 0);
    let effects = act(&mut state, Action::Save);
    let [Effect::Load(req)] = &effects[..] else {
        panic!("{effects:?}")
    };
    let RequestKind::Log(LogRequest::Save { what, name, .. }) = &req.kind else {
        panic!("{req:?}")
    };
    assert_eq!(what, &SaveWhat::Blob(BLOB.into()));
    assert_eq!(name, "t1-stdout.txt");
    assert!(
        act(&mut state, Action::Save).is_empty(),
        "one save at a time"
    );
    batchout::tui::update(
        &mut state,
        Input::Msg(Msg::Log {
            id: req.id,
            msg: LogMsg::Saved {
                path: "./t1-stdout.txt".into(),
                bytes: 2048,
            },
        }),
    );
    assert!(
        render(&state).contains("saved 2.00 KiB to ./t1-stdout.txt"),
        "{}",
        render(&state)
    );
}

#[test]
fn opened_from_the_job_tree_with_t_and_a() {
    let mut state = AppState::new("local /tmp/store", W, H);
    let mut job = JobState::new(Name::new(C), Name::new("demo"));
    job.add_tasks(["t1".to_string()]);
    job.rebuild_rows(8);
    state.screens.push(Screen::Job(Box::new(job)));
    let effects = act(&mut state, Action::ToggleTail);
    assert!(
        matches!(&effects[..], [Effect::Load(r)] if r.kind == RequestKind::Log(LogRequest::Follow { container: C.into(), target: LogTarget::Task { task: "t1".into() } })),
        "{effects:?}"
    );
    assert_eq!(log(&state).target, LogTarget::Task { task: "t1".into() });
    act(&mut state, Action::Back);
    act(&mut state, Action::TailAll);
    assert_eq!(log(&state).target, LogTarget::Job);
    assert!(render(&state).contains("demo › all tasks"));
}

/// Where a log worker sends request `id`'s Msgs.
fn log_out(id: u64, tx: tokio::sync::mpsc::UnboundedSender<Msg>) -> Out<LogMsg> {
    Out::new(id, tx, |id, msg| Msg::Log { id, msg })
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// The follower task on a real store: its Msgs carry the lines as they are appended, and
/// it stops when the screen (the receiver) is gone.
#[test]
fn worker_follows_a_real_log_and_saves_without_overwriting() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(LocalStore::open(&dir.path().join("store")).unwrap());
    rt().block_on(async {
        store.create_container(C, &BTreeMap::new()).await.unwrap();
        store
            .create_append_blob(C, BLOB, &PutOptions::default())
            .await
            .unwrap();
        let mut pos = store
            .append_block(C, BLOB, Bytes::from_static(b"one\ntwo\n"), 0)
            .await
            .unwrap()
            .len;
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let req = LogRequest::Follow {
            container: C.into(),
            target: file_target(),
        };
        let task = tokio::spawn(batchout::tui::workers::log::run(
            store.clone(),
            req,
            log_out(7, tx),
        ));
        let mut state = {
            let (mut state, id) = opened(file_target());
            assert_eq!(id, 1);
            state.size = batchout::tui::app::Size {
                width: W,
                height: H,
            };
            state
        };
        let mut got = Vec::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while got.len() < 3 {
            let m = tokio::time::timeout_at(deadline, rx.recv())
                .await
                .expect("lines in time")
                .unwrap();
            let Msg::Log {
                id: 7,
                msg: LogMsg::Batch { events, .. },
            } = m.clone()
            else {
                panic!("{m:?}")
            };
            for (_, e) in events {
                if let FollowEvent::Piece(p) = e {
                    got.push(p.text);
                }
            }
            if got.len() == 2 {
                pos = store
                    .append_block(C, BLOB, Bytes::from_static(b"three\n"), pos)
                    .await
                    .unwrap()
                    .len;
            }
            // The same Msgs drive the screen (renumbered to its request id).
            let Msg::Log { msg, .. } = m else {
                unreachable!()
            };
            batchout::tui::update(&mut state, Input::Msg(Msg::Log { id: 1, msg }));
        }
        assert_eq!(got, ["one", "two", "three"]);
        assert!(render(&state).contains("three"));
        drop(rx);
        store
            .append_block(C, BLOB, Bytes::from_static(b"four\n"), pos)
            .await
            .unwrap();
        tokio::time::timeout(Duration::from_secs(10), task)
            .await
            .expect("stops without a screen")
            .unwrap();

        // Save: a file of that name exists already and is left alone.
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("t1-stdout.txt"), b"keep me").unwrap();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let req = LogRequest::Save {
            container: C.into(),
            what: SaveWhat::Blob(BLOB.into()),
            dir: Some(out.clone()),
            name: "t1-stdout.txt".into(),
        };
        batchout::tui::workers::log::run(store.clone(), req, log_out(8, tx)).await;
        let m = rx.recv().await.unwrap();
        let Msg::Log {
            msg: LogMsg::Saved { path, bytes },
            ..
        } = m
        else {
            panic!("{m:?}")
        };
        assert!(path.ends_with("t1-stdout-1.txt"), "{path}");
        assert_eq!(bytes, 19);
        assert_eq!(
            std::fs::read(out.join("t1-stdout.txt")).unwrap(),
            b"keep me"
        );
        assert_eq!(
            std::fs::read(out.join("t1-stdout-1.txt")).unwrap(),
            b"one\ntwo\nthree\nfour\n"
        );
    });
}
