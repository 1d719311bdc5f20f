//! Downloads in the TUI: marks, the folder prompt, the transfers panel, cancel and retry.
//! Driven through `update()` with Actions and Msgs (pure), with TestBackend snapshots, and
//! end to end through the real workers on a local store in a temp folder.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

mod download_scenarios;
#[path = "support/tui.rs"]
mod tui;

use batchout::conventions::Scope;
use batchout::download::events::{Outcome, Progress, Summary, TransferEvent};
use batchout::download::plan::Selection;
use batchout::store::local::LocalStore;
use batchout::store::Store;
use batchout::tui::requests::download::{DownloadMsg, DownloadRequest, PlannedRow};
use batchout::tui::requests::listing::ListingRequest;
use batchout::tui::run::UserEvent;
use batchout::tui::state::downloads::RowState;
use batchout::tui::{Action, AppState, Effect, Msg, RequestKind};
use download_scenarios::{data, new_container, put, sha256, sha256_file};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::sync::Arc;
use std::time::Duration;
use time::macros::datetime;
use tui::{act, is_listing, job, load_id, run_until, send as feed};

/// The download requests in `effects`, with their ids.
fn downloads(effects: &[Effect]) -> Vec<(u64, DownloadRequest)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Load(r) => match &r.kind {
                RequestKind::Download(d) => Some((r.id, d.clone())),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

fn render(s: &AppState) -> String {
    let mut t = Terminal::new(TestBackend::new(100, 24)).unwrap();
    t.draw(|f| batchout::tui::view::draw(f, s)).unwrap();
    format!("{}", t.backend())
}

/// A state showing job "big-job" with tasks t1 and t2 and the job-level kind JobOutput.
fn job_screen() -> AppState {
    let modified = datetime!(2026-12-01 12:00 UTC);
    let jobs = vec![
        job("job-big-job", Some("big-job"), modified),
        job("job-other", None, modified),
    ];
    let mut s = tui::jobs_loaded("local /tmp/store", 100, 24, jobs);
    let eff = act(&mut s, Action::Enter);
    let id = load_id(
        &eff,
        is_listing(|l| matches!(l, ListingRequest::JobRoot { .. })),
    );
    feed(
        &mut s,
        tui::job_root(id, &["JobOutput"], vec!["t1".into(), "t2".into()], true),
    );
    s
}

#[test]
fn space_marks_and_d_downloads_the_marks_after_the_folder_prompt() {
    let mut s = job_screen();
    s.downloads.default_dir = "/data/dl".into();
    // Tree rows: JobOutput (job kind), t1, t2. Mark the job kind and t2.
    act(&mut s, Action::Mark); // JobOutput; moves down to t1
    act(&mut s, Action::Down); // t2
    act(&mut s, Action::Mark);
    assert_eq!(s.downloads.marks.len(), 2);
    let screen = render(&s);
    assert!(screen.contains("● job JobOutput"), "{screen}");
    assert!(screen.contains("● t2"), "{screen}");
    assert!(screen.contains("2 marked (d downloads)"), "{screen}");

    assert!(act(&mut s, Action::Download).is_empty());
    let prompt = s.downloads.prompt.clone().expect("prompt open");
    assert_eq!(prompt.dir, "/data/dl");
    assert!(s.filter_editing(), "typed keys go into the prompt");
    insta::assert_snapshot!("download_prompt", render(&s));
    for _ in 0.."dl".len() {
        act(&mut s, Action::FilterBackspace);
    }
    for c in "mine".chars() {
        act(&mut s, Action::FilterChar(c));
    }
    let eff = act(&mut s, Action::FilterAccept);
    let reqs = downloads(&eff);
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].1.container, "job-big-job");
    assert_eq!(reqs[0].1.dir, "/data/mine");
    assert_eq!(
        reqs[0].1.selections,
        vec![
            Selection::kind(Some(Scope::Job), "JobOutput"),
            Selection::scope(Scope::Task("t2".into()))
        ]
    );
    assert!(!reqs[0].1.overwrite);
    assert!(s.downloads.marks.is_empty(), "marks are used up");
    assert!(s.downloads.panel_open, "the transfers panel opens");
    assert!(s.busy(), "the spinner turns while the transfer runs");
}

#[test]
fn d_without_marks_downloads_the_current_item_and_esc_cancels_the_prompt() {
    let mut s = job_screen();
    act(&mut s, Action::Down); // t1
    act(&mut s, Action::Download);
    assert_eq!(
        s.downloads.prompt.as_ref().unwrap().items[0].selection,
        Selection::scope(Scope::Task("t1".into()))
    );
    act(&mut s, Action::FilterClear);
    assert!(s.downloads.prompt.is_none());
    // Tab in the prompt switches to replacing differing files.
    act(&mut s, Action::Download);
    act(&mut s, Action::NextPane);
    let eff = act(&mut s, Action::FilterAccept);
    assert!(downloads(&eff)[0].1.overwrite);
    assert_eq!(downloads(&eff)[0].1.dir, ".");
}

#[test]
fn a_typed_tilde_is_the_home_folder_and_without_a_home_the_prompt_stays_open() {
    let mut s = job_screen();
    s.downloads.home = Some("/home/ana/".into());
    let type_dir = |s: &mut AppState, text: &str| {
        // Each confirmed download opens the panel, which takes the keys: close it first.
        if s.downloads.panel_open {
            act(s, Action::Transfers);
        }
        act(s, Action::Download);
        let typed = s.downloads.prompt.as_ref().unwrap().dir.len();
        for _ in 0..typed {
            act(s, Action::FilterBackspace);
        }
        for c in text.chars() {
            act(s, Action::FilterChar(c));
        }
        act(s, Action::FilterAccept)
    };
    assert_eq!(
        downloads(&type_dir(&mut s, "~/dl/run 1"))[0].1.dir,
        "/home/ana/dl/run 1"
    );
    assert_eq!(downloads(&type_dir(&mut s, "~"))[0].1.dir, "/home/ana");
    // Only a leading ~ is the home folder.
    assert_eq!(downloads(&type_dir(&mut s, "a/~b"))[0].1.dir, "a/~b");
    // ~user is not guessed at: a clear error, the prompt keeps the text to correct it.
    assert!(type_dir(&mut s, "~bob/x").is_empty());
    assert_eq!(s.downloads.prompt.as_ref().unwrap().dir, "~bob/x");
    assert!(
        s.error.as_deref().unwrap().contains("~/..."),
        "{:?}",
        s.error
    );
    assert!(render(&s).contains("error: only ~ or ~/..."));
    act(&mut s, Action::FilterClear);

    s.downloads.home = None;
    assert!(type_dir(&mut s, "~/dl").is_empty());
    assert!(s.downloads.prompt.is_some());
    assert!(s.error.as_deref().unwrap().contains("cannot expand ~"));
    // Correcting it starts the download and clears the error.
    for _ in 0.."~/dl".len() {
        act(&mut s, Action::FilterBackspace);
    }
    for c in "/srv/dl".chars() {
        act(&mut s, Action::FilterChar(c));
    }
    let eff = act(&mut s, Action::FilterAccept);
    assert_eq!(downloads(&eff)[0].1.dir, "/srv/dl");
    assert!(s.error.is_none());
}

#[test]
fn a_long_folder_is_cut_in_the_panel_header_not_the_job_name() {
    let mut s = job_screen();
    s.downloads.default_dir =
        "/very/long/folder/name/that/does/not/fit/in/half/the/panel/out".into();
    act(&mut s, Action::Download);
    act(&mut s, Action::FilterAccept);
    let screen = render(&s);
    assert!(
        screen.contains("▸ job-big-job → …"),
        "the job's name stays: {screen}"
    );
    assert!(screen.contains("half/the/panel/out  listing…"), "{screen}");
}

#[test]
fn transfers_panel_shows_progress_outcomes_and_summary_and_cancels_and_retries() {
    let mut s = job_screen();
    act(&mut s, Action::Download);
    let id = downloads(&act(&mut s, Action::FilterAccept))[0].0;
    let file = |f: usize, name: &str, len: u64, path: &str| PlannedRow {
        file: f,
        name: name.into(),
        len,
        retry: Some(Selection::file(
            Scope::Task("t1".into()),
            "TaskOutput",
            path,
        )),
    };
    feed(
        &mut s,
        Msg::Download {
            id,
            msg: DownloadMsg::Plan(vec![
                file(0, "t1/TaskOutput/big.bin", 64 << 20, "big.bin"),
                file(1, "t1/TaskOutput/a.txt", 12, "a.txt"),
                file(2, "t1/TaskOutput/bad.bin", 4096, "bad.bin"),
                PlannedRow {
                    file: 3,
                    name: "\"t1/$TaskOutput/../../x\"".into(),
                    len: 4,
                    retry: None,
                },
            ]),
        },
    );
    let ev = |event| Msg::Download {
        id,
        msg: DownloadMsg::Event(event),
    };
    feed(
        &mut s,
        ev(TransferEvent::Started {
            id: 0,
            total: 64 << 20,
            resumed_from: 0,
        }),
    );
    let progress = Progress {
        done: 16 << 20,
        total: 64 << 20,
        rate: 8.0 * 1024.0 * 1024.0,
        eta: Some(Duration::from_secs(6)),
    };
    feed(&mut s, ev(TransferEvent::Progress { id: 0, progress }));
    feed(
        &mut s,
        ev(TransferEvent::Finished {
            id: 1,
            outcome: Outcome::Downloaded {
                bytes: 12,
                resumed_from: 0,
                verified: true,
            },
        }),
    );
    feed(
        &mut s,
        ev(TransferEvent::Finished {
            id: 2,
            outcome: Outcome::Failed {
                error: "MD5 mismatch".into(),
            },
        }),
    );
    feed(
        &mut s,
        ev(TransferEvent::Finished {
            id: 3,
            outcome: Outcome::Refused {
                reason: "file path has a '..' segment".into(),
            },
        }),
    );
    insta::assert_snapshot!("transfers_running", render(&s));

    // x on the running file cancels just that file.
    act(&mut s, Action::Top);
    act(&mut s, Action::Down);
    assert_eq!(
        act(&mut s, Action::CancelTransfer),
        vec![Effect::CancelFile { id, file: 0 }]
    );
    // x on the header cancels the whole transfer.
    act(&mut s, Action::Top);
    assert_eq!(
        act(&mut s, Action::CancelTransfer),
        vec![Effect::Cancel(id)]
    );

    feed(
        &mut s,
        ev(TransferEvent::Finished {
            id: 0,
            outcome: Outcome::Cancelled { done: 16 << 20 },
        }),
    );
    let summary = Summary {
        downloaded: 1,
        bytes: 12,
        cancelled: 1,
        failed: 1,
        refused: 1,
        ..Default::default()
    };
    feed(&mut s, ev(TransferEvent::AllDone(summary)));
    assert!(
        !s.requests.in_flight.contains(&id),
        "the transfer no longer counts as running"
    );
    insta::assert_snapshot!("transfers_done", render(&s));

    // R on the header retries the failed and the cancelled file (not the refused one).
    let retry = downloads(&act(&mut s, Action::RetryTransfer));
    assert_eq!(retry.len(), 1);
    assert_eq!(
        retry[0].1.selections,
        vec![
            Selection::file(Scope::Task("t1".into()), "TaskOutput", "big.bin"),
            Selection::file(Scope::Task("t1".into()), "TaskOutput", "bad.bin"),
        ]
    );
    assert_eq!(s.downloads.runs.len(), 2);
    // T closes the panel; the browser gets keys again.
    act(&mut s, Action::Transfers);
    assert!(!s.downloads.panel_open);
    act(&mut s, Action::Down);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn end_to_end_mark_a_task_download_it_cancel_a_file_and_resume_it() {
    let tmp = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(LocalStore::open(&tmp.path().join("store")).unwrap());
    let c = "job-tui-dl";
    new_container(&*store, c).await;
    let big = data(24 << 20, 31);
    put(&*store, c, "t1/$TaskOutput/big.bin", &big, None).await;
    put(&*store, c, "t1/$TaskLog/stdout.txt", b"hello\n", None).await;
    put(&*store, c, "t2/$TaskOutput/other.txt", b"not marked", None).await;
    let out = tmp.path().join("out");
    // Slow enough to cancel mid-way (24 MiB at 8 MiB/s); only this test of the binary sets it.
    std::env::set_var("BATCHOUT_GET_LIMIT", "8M");

    // The real app loop on a TestBackend, with the real workers.
    let mut app = tui::app(store.clone(), 100, 24, None);
    app.state.downloads.default_dir = out.display().to_string();
    let key = |app: &mut tui::App, a: Action| app.handle(UserEvent::Action(a));
    run_until(&mut app, |s| !s.busy()).await;
    key(&mut app, Action::Enter);
    run_until(&mut app, |s| !s.busy()).await;
    // Tree: t1, t2. Mark t1 and download it to the default folder.
    key(&mut app, Action::Mark);
    key(&mut app, Action::Download);
    key(&mut app, Action::FilterAccept);
    // Cancel the big file as soon as it has started.
    run_until(&mut app, |s| {
        s.downloads.runs[0]
            .rows
            .iter()
            .any(|r| r.name.ends_with("big.bin") && r.state == RowState::Running)
    })
    .await;
    let big_line = 1 + app.state.downloads.runs[0]
        .rows
        .iter()
        .position(|r| r.name.ends_with("big.bin"))
        .unwrap();
    key(&mut app, Action::Top);
    for _ in 0..big_line {
        key(&mut app, Action::Down);
    }
    key(&mut app, Action::CancelTransfer);
    run_until(&mut app, |s| s.downloads.runs[0].summary.is_some()).await;
    let run = &app.state.downloads.runs[0];
    let outcome = |name: &str| {
        run.rows
            .iter()
            .find(|r| r.name.ends_with(name))
            .unwrap()
            .state
            .clone()
    };
    assert_eq!(
        std::fs::read(out.join("t1/TaskLog/stdout.txt")).unwrap(),
        b"hello\n"
    );
    assert!(!out.join("t2").exists(), "only the marked task");
    // Cancelled mid-way (or, on a very fast machine, already done): never a partial final file.
    match outcome("big.bin") {
        RowState::Finished(Outcome::Cancelled { .. }) => {
            assert!(!out.join("t1/TaskOutput/big.bin").exists())
        }
        RowState::Finished(Outcome::Downloaded { .. }) => {}
        other => panic!("{other:?}"),
    }
    // R retries (resumes) it.
    key(&mut app, Action::RetryTransfer);
    if app.state.downloads.runs.len() == 2 {
        run_until(&mut app, |s| s.downloads.runs[1].summary.is_some()).await;
        assert_eq!(
            app.state.downloads.runs[1]
                .summary
                .as_ref()
                .unwrap()
                .downloaded,
            1
        );
    }
    assert_eq!(
        sha256_file(&out.join("t1/TaskOutput/big.bin")),
        sha256(&big)
    );
    // The loop drew the panel on its own terminal.
    assert!(tui::screen_text(app.terminal.backend()).contains("Transfers"));
}
