//! `update()` driven with Actions and Msgs: state and Effects out, no terminal, no sleeps.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

#[path = "support/tui.rs"]
mod tui;

use batchout::conventions::Scope;
use batchout::outputs::JobEntry;
use batchout::tui::requests::listing::{FileEntry, ListingMsg, ListingRequest};
use batchout::tui::requests::preview::{Chunk, Part, PreviewMsg, PreviewRequest};
use batchout::tui::state::{Body, Pane, TaskSort, TreeRow};
use batchout::tui::{update, Action, AppState, Effect, Msg, RequestKind, Screen};
use bytes::Bytes;
use time::macros::datetime;
use tui::{act, loads, send, typed};

/// The single Load in `fx`, as (id, kind), leaving out the status scan that a job's first
/// page starts (tested on its own: `statuses_fill_in_sort_and_filter_the_tree`).
fn load(fx: &[Effect]) -> (u64, RequestKind) {
    let loads: Vec<_> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::Load(r) if !matches!(r.kind, RequestKind::Status(_)) => Some(r.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(loads.len(), 1, "expected one request, got {fx:?}");
    (loads[0].id, loads[0].kind.clone())
}
fn job(container: &str, id: Option<&str>) -> JobEntry {
    tui::job(container, id, datetime!(2026-11-30 08:00 UTC))
}
fn jobs_state(s: &AppState) -> &batchout::tui::state::JobsState {
    match &s.screens[0] {
        Screen::Jobs(j) => j,
        _ => unreachable!(),
    }
}
fn job_screen(s: &AppState) -> &batchout::tui::state::JobState {
    match s.screen() {
        Screen::Job(j) => j,
        other => panic!("not on the job screen: {other:?}"),
    }
}

/// A state on the job list with three jobs loaded.
fn with_jobs() -> AppState {
    let mut s = AppState::new("local store /tmp/x", 80, 24);
    let (id, kind) = load(&update::start(&mut s));
    assert_eq!(kind, RequestKind::Listing(ListingRequest::Jobs));
    send(
        &mut s,
        Msg::Listing {
            id,
            msg: ListingMsg::Jobs {
                jobs: vec![job("job-a", Some("A")), job("job-b", None)],
                done: false,
            },
        },
    );
    send(
        &mut s,
        Msg::Listing {
            id,
            msg: ListingMsg::Jobs {
                jobs: vec![job("job-c", Some("c:1"))],
                done: true,
            },
        },
    );
    s
}

/// On job-a's screen with job kinds, tasks t1..tN; returns the state and the root id.
fn with_job(tasks: usize) -> (AppState, u64) {
    let mut s = with_jobs();
    let (root, kind) = load(&act(&mut s, Action::Enter));
    assert_eq!(
        kind,
        RequestKind::Listing(ListingRequest::JobRoot {
            container: "job-a".into()
        })
    );
    let fx = send(
        &mut s,
        Msg::Listing {
            id: root,
            msg: ListingMsg::JobRoot {
                job_kinds: vec!["JobOutput".into()],
                tasks: (1..=tasks).map(|i| format!("t{i}")).collect(),
                done: true,
            },
        },
    );
    let (_, count) = load(&fx);
    assert_eq!(
        count,
        RequestKind::Listing(ListingRequest::CountFiles {
            container: "job-a".into(),
            scope: Scope::Job,
            kind: "JobOutput".into()
        })
    );
    (s, root)
}

#[test]
fn jobs_stream_in_page_by_page_and_the_spinner_stops_at_the_end() {
    let mut s = AppState::new("store", 80, 24);
    let (id, _) = load(&update::start(&mut s));
    assert!(s.busy());
    send(
        &mut s,
        Msg::Listing {
            id,
            msg: ListingMsg::Jobs {
                jobs: vec![job("job-a", Some("A"))],
                done: false,
            },
        },
    );
    assert_eq!(
        jobs_state(&s).visible.len(),
        1,
        "the first page shows before the rest"
    );
    assert!(s.busy());
    send(
        &mut s,
        Msg::Listing {
            id,
            msg: ListingMsg::Jobs {
                jobs: vec![job("job-b", None)],
                done: true,
            },
        },
    );
    assert_eq!(jobs_state(&s).jobs.len(), 2);
    assert!(!s.busy());
    assert!(jobs_state(&s).loaded);
}

#[test]
fn tick_turns_the_spinner_only_while_busy() {
    let mut s = AppState::new("store", 80, 24);
    s.dirty = false;
    act(&mut s, Action::Tick);
    assert!(!s.dirty, "an idle tick redraws nothing");
    update::start(&mut s);
    s.dirty = false;
    act(&mut s, Action::Tick);
    assert!(s.dirty);
    assert_eq!(s.spinner, 1);
}

#[test]
fn enter_opens_the_selected_job_with_its_raw_container_name() {
    let mut s = with_jobs();
    act(&mut s, Action::Down);
    let (_, kind) = load(&act(&mut s, Action::Enter));
    assert_eq!(
        kind,
        RequestKind::Listing(ListingRequest::JobRoot {
            container: "job-b".into()
        })
    );
    assert_eq!(
        job_screen(&s).title.shown(),
        "job-b",
        "no recorded id: the container names the job"
    );
}

#[test]
fn leaving_a_screen_cancels_its_requests_and_drops_their_late_answers() {
    let mut s = with_jobs();
    let (root, _) = load(&act(&mut s, Action::Enter));
    let fx = act(&mut s, Action::Back);
    assert_eq!(fx, vec![Effect::Cancel(root)]);
    assert_eq!(s.screens.len(), 1);
    assert!(!s.busy());
    s.dirty = false;
    let before = s.clone();
    let fx = send(
        &mut s,
        Msg::Listing {
            id: root,
            msg: ListingMsg::JobRoot {
                job_kinds: vec![],
                tasks: vec!["late".into()],
                done: true,
            },
        },
    );
    assert!(fx.is_empty());
    assert_eq!(s, before, "a stale Msg changes nothing");
}

#[test]
fn a_task_opens_lazily_to_its_kinds_with_file_counts() {
    let (mut s, _) = with_job(3);
    assert_eq!(
        job_screen(&s).rows,
        vec![
            TreeRow::JobKind(0),
            TreeRow::Task(0),
            TreeRow::Task(1),
            TreeRow::Task(2)
        ]
    );
    act(&mut s, Action::Down);
    let (kinds_id, kind) = load(&act(&mut s, Action::Enter));
    assert_eq!(
        kind,
        RequestKind::Listing(ListingRequest::TaskKinds {
            container: "job-a".into(),
            task: "t1".into()
        })
    );
    assert_eq!(
        job_screen(&s).rows[2],
        TreeRow::Note(0),
        "loading note under the open task"
    );
    let fx = send(
        &mut s,
        Msg::Listing {
            id: kinds_id,
            msg: ListingMsg::TaskKinds {
                kinds: vec!["TaskLog".into(), "Custom".into()],
                done: true,
            },
        },
    );
    let counts = loads(&fx);
    assert_eq!(counts.len(), 2);
    assert_eq!(
        counts[1].1,
        RequestKind::Listing(ListingRequest::CountFiles {
            container: "job-a".into(),
            scope: Scope::Task("t1".into()),
            kind: "Custom".into()
        })
    );
    assert_eq!(
        &job_screen(&s).rows[1..4],
        &[
            TreeRow::Task(0),
            TreeRow::TaskKind(0, 0),
            TreeRow::TaskKind(0, 1)
        ]
    );
    send(
        &mut s,
        Msg::Listing {
            id: counts[0].0,
            msg: ListingMsg::KindCount {
                added: 2,
                done: false,
            },
        },
    );
    send(
        &mut s,
        Msg::Listing {
            id: counts[0].0,
            msg: ListingMsg::KindCount {
                added: 3,
                done: true,
            },
        },
    );
    let log = &job_screen(&s).tasks[0].kinds.as_ref().unwrap()[0];
    assert_eq!((log.files, log.counting), (5, false));
    // Closing and reopening does not list again.
    act(&mut s, Action::Down);
    act(&mut s, Action::Left);
    assert_eq!(
        job_screen(&s).cursor.selected,
        1,
        "Left on a kind selects its task"
    );
    act(&mut s, Action::Left);
    assert!(!job_screen(&s).tasks[0].open);
    assert!(loads(&act(&mut s, Action::Right)).is_empty());
    assert!(job_screen(&s).tasks[0].open);
}

#[test]
fn left_on_a_top_level_node_goes_back_to_the_jobs() {
    let (mut s, root) = with_job(2);
    let fx = act(&mut s, Action::Left);
    assert!(matches!(s.screen(), Screen::Jobs(_)));
    assert!(
        !fx.contains(&Effect::Cancel(root)),
        "the finished root listing is not cancelled again"
    );
}

#[test]
fn filter_narrows_live_and_esc_clears_it() {
    let (mut s, _) = with_job(30);
    act(&mut s, Action::StartFilter);
    assert!(s.filter_editing());
    typed(&mut s, "t2");
    // t2, t20..t29
    assert_eq!(job_screen(&s).task_counts(), (11, 30));
    typed(&mut s, "5");
    assert_eq!(job_screen(&s).rows, vec![TreeRow::Task(24)]);
    act(&mut s, Action::FilterAccept);
    assert!(!s.filter_editing());
    assert_eq!(job_screen(&s).filter.text, "t25");
    act(&mut s, Action::Back);
    assert!(
        job_screen(&s).filter.text.is_empty(),
        "Esc clears the filter before leaving"
    );
    assert_eq!(job_screen(&s).task_counts(), (30, 30));
}

#[test]
fn a_kind_lists_its_files_and_a_file_opens_a_head_preview() {
    let (mut s, _) = with_job(1);
    let (files_id, kind) = load(&act(&mut s, Action::Enter));
    assert_eq!(
        kind,
        RequestKind::Listing(ListingRequest::Files {
            container: "job-a".into(),
            scope: Scope::Job,
            kind: "JobOutput".into()
        })
    );
    assert_eq!(job_screen(&s).focus, Pane::Files);
    let file = |p: &str, len| FileEntry {
        blob: format!("$JobOutput/{p}"),
        path: p.into(),
        len,
        modified: datetime!(2026-11-30 09:00 UTC),
    };
    send(
        &mut s,
        Msg::Listing {
            id: files_id,
            msg: ListingMsg::Files {
                files: vec![file("a.json", 10), file("b.log", 3_000_000_000)],
                done: true,
            },
        },
    );
    assert_eq!(
        job_screen(&s).files.as_ref().unwrap().total_bytes,
        3_000_000_010
    );
    act(&mut s, Action::Down);
    let (read, kind) = load(&act(&mut s, Action::Enter));
    assert_eq!(
        kind,
        RequestKind::Preview(PreviewRequest {
            container: "job-a".into(),
            blob: "$JobOutput/b.log".into(),
            part: Part::Head,
            max: 256 * 1024,
            cells: batchout::tui::layout::preview_cells(s.size),
        })
    );
    let data =
        Bytes::from("2026-11-30T09:00:00Z INFO start\n\x1b[31mERROR\x1b[0m boom\tx\npartial");
    send(
        &mut s,
        Msg::Preview {
            id: read,
            msg: PreviewMsg::Read(Chunk {
                data,
                start: 0,
                total: 3_000_000_000,
            }),
        },
    );
    let Screen::Preview(p) = s.screen() else {
        panic!("not on the preview")
    };
    let Body::Text(t) = &p.body else {
        panic!("not text: {:?}", p.body)
    };
    assert_eq!(
        t.lines,
        vec![
            "2026-11-30T09:00:00Z INFO start",
            "ERROR boom      x",
            "partial"
        ]
    );
    assert!(t.end < t.total, "only the head was read");
}

#[test]
fn t_reads_the_tail_which_starts_at_a_full_line_and_scrolls_to_the_end() {
    let (mut s, _) = with_job(1);
    let (files_id, _) = load(&act(&mut s, Action::Enter));
    let f = FileEntry {
        blob: "$JobOutput/x.log".into(),
        path: "x.log".into(),
        len: 10_000,
        modified: datetime!(2026-11-30 09:00 UTC),
    };
    send(
        &mut s,
        Msg::Listing {
            id: files_id,
            msg: ListingMsg::Files {
                files: vec![f],
                done: true,
            },
        },
    );
    let (head, _) = load(&act(&mut s, Action::Enter));
    let fx = act(&mut s, Action::ToggleTail);
    let (tail, kind) = load(&fx);
    assert!(matches!(
        kind,
        RequestKind::Preview(PreviewRequest {
            part: Part::Tail,
            ..
        })
    ));
    assert!(!fx.contains(&Effect::Cancel(tail)));
    assert!(
        fx.contains(&Effect::Cancel(head)),
        "the head read still running is cancelled"
    );
    let body: String = (0..100).map(|i| format!("line {i}\n")).collect();
    let data = Bytes::from(format!("tial line\n{body}"));
    send(
        &mut s,
        Msg::Preview {
            id: tail,
            msg: PreviewMsg::Read(Chunk {
                data,
                start: 5000,
                total: 10_000,
            }),
        },
    );
    let Screen::Preview(p) = s.screen() else {
        panic!()
    };
    let Body::Text(t) = &p.body else { panic!() };
    assert_eq!(t.lines[0], "line 0", "the cut first line is dropped");
    assert_eq!(t.start, 5010);
    assert_eq!(
        p.scroll,
        100 - batchout::tui::layout::preview_height(s.size)
    );
}

#[test]
fn binary_files_become_a_hex_dump() {
    let (mut s, _) = with_job(1);
    let (files_id, _) = load(&act(&mut s, Action::Enter));
    let f = FileEntry {
        blob: "$JobOutput/x.png".into(),
        path: "x.png".into(),
        len: 64,
        modified: datetime!(2026-11-30 09:00 UTC),
    };
    send(
        &mut s,
        Msg::Listing {
            id: files_id,
            msg: ListingMsg::Files {
                files: vec![f],
                done: true,
            },
        },
    );
    let (read, _) = load(&act(&mut s, Action::Enter));
    let data = Bytes::from_static(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    send(
        &mut s,
        Msg::Preview {
            id: read,
            msg: PreviewMsg::Read(Chunk {
                data,
                start: 0,
                total: 64,
            }),
        },
    );
    let Screen::Preview(p) = s.screen() else {
        panic!()
    };
    assert!(matches!(p.body, Body::Binary { .. }));
    assert_eq!(p.line_count(), 1);
}

#[test]
fn names_and_errors_from_storage_are_sanitized() {
    let mut s = AppState::new("store", 80, 24);
    let (id, _) = load(&update::start(&mut s));
    send(
        &mut s,
        Msg::Listing {
            id,
            msg: ListingMsg::Jobs {
                jobs: vec![job("job-x", Some("evil\x1b]0;owned\x07\u{202e}id"))],
                done: true,
            },
        },
    );
    let j = &jobs_state(&s).jobs[0];
    assert_eq!(j.job_id.as_ref().unwrap().shown(), "evil\u{fffd}id");
    assert_eq!(
        j.job_id.as_ref().unwrap().raw(),
        "evil\x1b]0;owned\x07\u{202e}id",
        "raw kept for requests"
    );
    let (id, _) = load(&act(&mut s, Action::Refresh));
    send(
        &mut s,
        Msg::Failed {
            id,
            error: "bad\x1b[2Jthing\nsecond line".into(),
        },
    );
    assert_eq!(s.error.as_deref(), Some("badthing second line"));
    assert!(!s.busy());
}

#[test]
fn help_opens_with_question_mark_and_any_key_closes_it() {
    let mut s = with_jobs();
    act(&mut s, Action::Help);
    assert_eq!(s.help, Some(0));
    act(&mut s, Action::Down);
    assert_eq!(s.help, Some(1), "arrows scroll the help");
    let fx = act(&mut s, Action::Enter);
    assert!(
        fx.is_empty() && s.help.is_none(),
        "closing the help does nothing else"
    );
    act(&mut s, Action::Help);
    act(&mut s, Action::Quit);
    assert!(s.quit);
}

#[test]
fn q_types_into_a_filter_instead_of_quitting() {
    let mut s = with_jobs();
    act(&mut s, Action::StartFilter);
    // The keymap sends FilterChar in filter mode; a Quit Action (Ctrl-C) still quits.
    typed(&mut s, "q");
    assert!(!s.quit);
    act(&mut s, Action::Quit);
    assert!(!s.quit, "Quit from the key table is ignored while typing");
}

#[test]
fn mouse_click_selects_then_opens_and_the_wheel_scrolls() {
    let mut s = with_jobs();
    // Rows start below the header band, the border and the table header: y = 3.
    act(&mut s, Action::Click { col: 10, row: 4 });
    assert_eq!(jobs_state(&s).cursor.selected, 1);
    let (_, kind) = load(&act(&mut s, Action::Click { col: 10, row: 4 }));
    assert_eq!(
        kind,
        RequestKind::Listing(ListingRequest::JobRoot {
            container: "job-b".into()
        })
    );
    act(&mut s, Action::Back);
    act(&mut s, Action::ScrollUp { col: 10, row: 5 });
    assert_eq!(jobs_state(&s).cursor.selected, 0);
}

#[test]
fn a_hundred_thousand_tasks_stream_in_and_stay_navigable() {
    let mut s = with_jobs();
    let (root, _) = load(&act(&mut s, Action::Enter));
    for page in 0..20 {
        let tasks = (0..5000)
            .map(|i| format!("task-{:06}", page * 5000 + i))
            .collect();
        send(
            &mut s,
            Msg::Listing {
                id: root,
                msg: ListingMsg::JobRoot {
                    job_kinds: vec![],
                    tasks,
                    done: page == 19,
                },
            },
        );
        if page == 0 {
            assert_eq!(
                job_screen(&s).rows.len(),
                5000,
                "first page is browsable at once"
            );
        }
    }
    assert_eq!(job_screen(&s).task_counts(), (100_000, 100_000));
    act(&mut s, Action::Bottom);
    let j = job_screen(&s);
    assert_eq!(j.cursor.selected, 99_999);
    assert_eq!(
        j.window(batchout::tui::layout::tree_height(s.size)).last(),
        Some(&99_999)
    );
    act(&mut s, Action::StartFilter);
    typed(&mut s, "099999");
    assert_eq!(job_screen(&s).rows, vec![TreeRow::Task(99_999)]);
}

#[test]
fn the_tree_window_keeps_the_parent_of_visible_children_on_top() {
    let (mut s, _) = with_job(1);
    act(&mut s, Action::Down);
    let (kid, _) = load(&act(&mut s, Action::Enter));
    let kinds: Vec<String> = (0..40).map(|i| format!("K{i:02}")).collect();
    send(
        &mut s,
        Msg::Listing {
            id: kid,
            msg: ListingMsg::TaskKinds { kinds, done: true },
        },
    );
    act(&mut s, Action::Bottom);
    let h = batchout::tui::layout::tree_height(s.size);
    let j = job_screen(&s);
    let w = j.window(h);
    assert_eq!(w.len(), h);
    assert_eq!(j.rows[w[0]], TreeRow::Task(0), "sticky parent");
    assert_eq!(
        *w.last().unwrap(),
        j.cursor.selected,
        "selection visible below it"
    );
}

#[test]
fn resize_keeps_the_selection_visible() {
    let (mut s, _) = with_job(100);
    act(&mut s, Action::Bottom);
    act(
        &mut s,
        Action::Resize {
            width: 80,
            height: 10,
        },
    );
    let j = job_screen(&s);
    let h = batchout::tui::layout::tree_height(s.size);
    assert!(j.window(h).contains(&j.cursor.selected));
}

#[test]
fn keymap_has_one_meaning_per_key_and_the_help_lists_every_binding() {
    use batchout::tui::keymap::{help_sections, key_action, Context, Mode, BINDINGS};
    use crossterm::event::{KeyEvent, KeyModifiers};
    for b in BINDINGS.iter().filter(|b| b.context != Context::Filter) {
        for k in b.keys {
            let got = key_action(KeyEvent::new(k.code, k.mods), Mode::Normal);
            assert_eq!(got, Some(b.action), "key {k:?} of {:?}", b.label);
        }
    }
    let listed: usize = help_sections().iter().map(|(_, rows)| rows.len()).sum();
    assert_eq!(listed, BINDINGS.len());
    let typed = key_action(
        KeyEvent::new(crossterm::event::KeyCode::Char('q'), KeyModifiers::NONE),
        Mode::Filter,
    );
    assert_eq!(typed, Some(Action::FilterChar('q')));
}

#[test]
fn reloading_a_growing_log_keeps_the_place_in_the_head() {
    let (mut s, _) = with_job(1);
    let (files_id, _) = load(&act(&mut s, Action::Enter));
    let f = FileEntry {
        blob: "$JobOutput/run.log".into(),
        path: "run.log".into(),
        len: 1,
        modified: datetime!(2026-11-30 09:00 UTC),
    };
    send(
        &mut s,
        Msg::Listing {
            id: files_id,
            msg: ListingMsg::Files {
                files: vec![f],
                done: true,
            },
        },
    );
    let (read, _) = load(&act(&mut s, Action::Enter));
    let text = |n: usize| Bytes::from((0..n).map(|i| format!("line {i}\n")).collect::<String>());
    send(
        &mut s,
        Msg::Preview {
            id: read,
            msg: PreviewMsg::Read(Chunk {
                data: text(100),
                start: 0,
                total: 700,
            }),
        },
    );
    for _ in 0..10 {
        act(&mut s, Action::Down);
    }
    let (again, kind) = load(&act(&mut s, Action::Refresh));
    assert!(matches!(
        kind,
        RequestKind::Preview(PreviewRequest {
            part: Part::Head,
            ..
        })
    ));
    send(
        &mut s,
        Msg::Preview {
            id: again,
            msg: PreviewMsg::Read(Chunk {
                data: text(120),
                start: 0,
                total: 840,
            }),
        },
    );
    let Screen::Preview(p) = s.screen() else {
        panic!()
    };
    assert_eq!(p.scroll, 10);
    assert_eq!(p.line_count(), 120, "the new lines are there");
}

#[test]
fn refresh_keeps_open_tasks_open_and_the_cursor_on_its_task() {
    let (mut s, _) = with_job(3);
    // Open t2 (rows: JobOutput, t1, t2, t3) and list its kinds.
    act(&mut s, Action::Down);
    act(&mut s, Action::Down);
    let (kinds_id, _) = load(&act(&mut s, Action::Enter));
    send(
        &mut s,
        Msg::Listing {
            id: kinds_id,
            msg: ListingMsg::TaskKinds {
                kinds: vec!["TaskLog".into()],
                done: true,
            },
        },
    );
    act(&mut s, Action::Down);
    assert_eq!(job_screen(&s).rows[s_cursor(&s)], TreeRow::TaskKind(1, 0));
    // Refresh: the tree is listed anew, in two pages; t2 opens again as it arrives.
    let fx = act(&mut s, Action::Refresh);
    let (root, kind) = load(&fx);
    assert_eq!(
        kind,
        RequestKind::Listing(ListingRequest::JobRoot {
            container: "job-a".into()
        })
    );
    send(
        &mut s,
        Msg::Listing {
            id: root,
            msg: ListingMsg::JobRoot {
                job_kinds: vec!["JobOutput".into()],
                tasks: vec!["t1".into()],
                done: false,
            },
        },
    );
    let fx = send(
        &mut s,
        Msg::Listing {
            id: root,
            msg: ListingMsg::JobRoot {
                job_kinds: vec![],
                tasks: vec!["t2".into(), "t3".into()],
                done: true,
            },
        },
    );
    let requested: Vec<RequestKind> = loads(&fx).into_iter().map(|(_, k)| k).collect();
    assert!(
        requested.contains(&RequestKind::Listing(ListingRequest::TaskKinds {
            container: "job-a".into(),
            task: "t2".into()
        })),
        "{requested:?}"
    );
    let j = job_screen(&s);
    assert!(j.tasks[1].open && !j.tasks[0].open && !j.tasks[2].open);
    assert_eq!(j.rows[s_cursor(&s)], TreeRow::Task(1), "cursor back on t2");
}

fn s_cursor(s: &AppState) -> usize {
    job_screen(s).cursor.selected
}

#[test]
fn tasks_show_in_natural_order_across_pages() {
    let (mut s, root) = with_job(0);
    let _ = root;
    let fx = act(&mut s, Action::Refresh);
    let (root, _) = load(&fx);
    // Pages come in byte order: task-1, task-10, task-11, task-2 | task-20, task-3, task-9.
    for (page, done) in [
        (vec!["task-1", "task-10", "task-11", "task-2"], false),
        (vec!["task-20", "task-3", "task-9"], true),
    ] {
        send(
            &mut s,
            Msg::Listing {
                id: root,
                msg: ListingMsg::JobRoot {
                    job_kinds: vec![],
                    tasks: page.into_iter().map(String::from).collect(),
                    done,
                },
            },
        );
    }
    let j = job_screen(&s);
    let shown: Vec<&str> = j
        .rows
        .iter()
        .filter_map(|r| match r {
            TreeRow::Task(t) => Some(j.tasks[*t as usize].id.raw()),
            _ => None,
        })
        .collect();
    assert_eq!(
        shown,
        ["task-1", "task-2", "task-3", "task-9", "task-10", "task-11", "task-20"]
    );
}

/// The task ids of the tree's task rows, top to bottom.
fn task_rows(s: &AppState) -> Vec<String> {
    let j = job_screen(s);
    j.rows
        .iter()
        .filter_map(|r| match r {
            TreeRow::Task(t) => Some(j.tasks[*t as usize].id.raw().to_string()),
            _ => None,
        })
        .collect()
}

#[test]
fn statuses_fill_in_sort_and_filter_the_tree() {
    use batchout::outputs::status::Status::*;
    use batchout::tui::requests::status::{StatusMsg, StatusRequest};
    let (mut s, _) = with_job(5);
    let scan = job_screen(&s)
        .statuses
        .loading
        .expect("the first page starts the scan");
    assert!(s.requests.in_flight.contains(&scan));
    // The request is the whole container's scan, asked once.
    let fx = act(&mut s, Action::Down);
    assert!(loads(&fx).is_empty());
    let st = tui::task_status;
    send(
        &mut s,
        Msg::Status {
            id: scan,
            msg: StatusMsg::Tasks {
                tasks: vec![
                    st("t1", Ok, Some(0), Some(60), Some(0)),
                    st("t2", Failed, Some(137), Some(300), Some(4096)),
                    st("t3", Running, None, Some(30), Some(10)),
                ],
                done: false,
            },
        },
    );
    let j = job_screen(&s);
    assert_eq!(
        j.statuses.counts.line(),
        "3 tasks: 1 ok, 1 failed, 1 running"
    );
    assert_eq!(task_rows(&s), ["t1", "t2", "t3", "t4", "t5"], "name order");
    // Sorting cycles: status (urgent first, unknown yet last), activity, duration, stderr.
    act(&mut s, Action::CycleSort);
    assert_eq!(task_rows(&s), ["t2", "t3", "t1", "t4", "t5"]);
    send(
        &mut s,
        Msg::Status {
            id: scan,
            msg: StatusMsg::Tasks {
                tasks: vec![
                    st("t4", Lost, None, Some(900), None),
                    st("t5", Unknown, None, None, Some(5)),
                ],
                done: true,
            },
        },
    );
    assert!(!s.requests.in_flight.contains(&scan), "the spinner stops");
    assert!(job_screen(&s).statuses.complete);
    assert_eq!(
        task_rows(&s),
        ["t2", "t4", "t3", "t5", "t1"],
        "re-sorted as pages come"
    );
    act(&mut s, Action::CycleSort); // last activity: newest write first
    assert_eq!(task_rows(&s), ["t5", "t3", "t1", "t2", "t4"]);
    act(&mut s, Action::CycleSort); // duration: longest first, none last
    assert_eq!(task_rows(&s), ["t4", "t2", "t1", "t3", "t5"]);
    act(&mut s, Action::CycleSort); // stderr: largest first
    assert_eq!(task_rows(&s), ["t2", "t3", "t5", "t1", "t4"]);
    act(&mut s, Action::CycleSort);
    assert_eq!(job_screen(&s).statuses.sort, TaskSort::Name);
    assert_eq!(task_rows(&s), ["t1", "t2", "t3", "t4", "t5"]);
    // Only failed; again shows all; only running; with `/` both apply.
    act(&mut s, Action::OnlyStatus(Failed));
    assert_eq!(task_rows(&s), ["t2"]);
    act(&mut s, Action::OnlyStatus(Failed));
    assert_eq!(task_rows(&s).len(), 5);
    act(&mut s, Action::OnlyStatus(Running));
    assert_eq!(task_rows(&s), ["t3"]);
    act(&mut s, Action::StartFilter);
    typed(&mut s, "t1");
    assert!(task_rows(&s).is_empty(), "t1 is not running");
    act(&mut s, Action::FilterClear);
    assert_eq!(task_rows(&s), ["t3"]);
    // A refresh forgets the statuses and scans again once the tree is listed anew.
    act(&mut s, Action::OnlyStatus(Running));
    let fx = act(&mut s, Action::Refresh);
    let root = tui::load_id(
        &fx,
        tui::is_listing(|r| matches!(r, ListingRequest::JobRoot { .. })),
    );
    assert!(job_screen(&s).statuses.by_task.is_empty());
    let fx = send(&mut s, tui::job_root(root, &[], vec!["t1".into()], true));
    let again: Vec<_> = loads(&fx)
        .into_iter()
        .filter(|(_, k)| {
            *k == RequestKind::Status(StatusRequest {
                container: "job-a".into(),
            })
        })
        .collect();
    assert_eq!(again.len(), 1);
    // A scan that fails says so and leaves the tree usable.
    send(
        &mut s,
        Msg::Failed {
            id: again[0].0,
            error: "boom\x1b[31m".into(),
        },
    );
    let j = job_screen(&s);
    assert!(j
        .statuses
        .error
        .as_deref()
        .is_some_and(|e| !e.contains('\x1b')));
    assert_eq!(task_rows(&s), ["t1"]);
}

#[test]
fn status_keys_have_one_meaning_and_reach_the_help() {
    use batchout::tui::keymap::{key_action, Mode};
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let key = |c| {
        key_action(
            KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE),
            Mode::Normal,
        )
    };
    assert_eq!(key('o'), Some(Action::CycleSort));
    assert_eq!(
        key('F'),
        Some(Action::OnlyStatus(
            batchout::outputs::status::Status::Failed
        ))
    );
    assert_eq!(
        key('L'),
        Some(Action::OnlyStatus(
            batchout::outputs::status::Status::Running
        ))
    );
    let help = batchout::tui::keymap::help_sections();
    let lists: Vec<&str> = help
        .iter()
        .flat_map(|(_, rows)| rows.iter().map(|r| r.0))
        .collect();
    for k in ["o", "F", "L"] {
        assert!(lists.contains(&k), "{k} is in the ? popup");
    }
}

#[test]
fn a_job_search_from_the_tree_covers_the_tasks_the_status_filter_shows() {
    use batchout::outputs::status::Status::*;
    use batchout::tui::requests::status::StatusMsg;
    let (mut s, _) = with_job(3);
    let scan = job_screen(&s).statuses.loading.expect("the scan");
    let st = tui::task_status;
    send(
        &mut s,
        Msg::Status {
            id: scan,
            msg: StatusMsg::Tasks {
                tasks: vec![
                    st("t1", Ok, Some(0), Some(60), Some(0)),
                    st("t2", Failed, Some(137), Some(300), Some(4096)),
                    st("t3", Running, None, Some(30), Some(10)),
                ],
                done: true,
            },
        },
    );
    act(&mut s, Action::OnlyStatus(Failed));
    act(&mut s, Action::SearchJob);
    let Screen::Search(x) = s.screen() else {
        panic!("{:?}", s.screen())
    };
    assert_eq!(x.tasks.as_deref(), Some(&["t2".to_string()][..]));
    assert_eq!(x.scope, "1 tasks only failed");
}
