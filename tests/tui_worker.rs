//! Workers on a real local store in a temp folder (seeded with the demo): Effects in, Msgs
//! back, applied with `update`, the way the terminal loop does it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

#[path = "support/tui.rs"]
mod tui;

use batchout::store::{local::LocalStore, Store};
use batchout::tui::requests::listing::{ListingMsg, ListingRequest};
use batchout::tui::run::UserEvent;
use batchout::tui::state::{Body, TreeRow};
use batchout::tui::workers::Workers;
use batchout::tui::{Action, Effect, Msg, Screen};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The real app loop on a TestBackend over a seeded local store.
struct Harness {
    app: tui::App,
    /// Every Msg the workers sent, to check streaming.
    seen: Arc<Mutex<Vec<Msg>>>,
}

impl Harness {
    async fn new(page_size: u32) -> (Harness, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(LocalStore::open(dir.path()).unwrap());
        batchout::demo::seed(&store).await.unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 30)).unwrap();
        let state = batchout::tui::AppState::new(&store.describe(), 100, 30);
        let record = seen.clone();
        let app = batchout::tui::run::App::new(terminal, state, move |app_tx| {
            // Record each Msg on its way from the workers to the loop.
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Msg>();
            tokio::spawn(async move {
                while let Some(m) = rx.recv().await {
                    record.lock().unwrap().push(m.clone());
                    if app_tx.send(m).is_err() {
                        break;
                    }
                }
            });
            Workers::new(store, tx).with_page_size(page_size)
        });
        let mut h = Harness { app, seen };
        h.settle().await;
        (h, dir)
    }

    fn act(&mut self, a: Action) {
        self.app.handle(UserEvent::Action(a));
    }

    /// Run the loop until no request is in flight.
    async fn settle(&mut self) {
        tui::settle(&mut self.app).await;
    }

    fn job(&self) -> &batchout::tui::state::JobState {
        match self.app.state.screen() {
            Screen::Job(j) => j,
            s => panic!("not on a job: {s:?}"),
        }
    }

    /// Select the tree row for which `pick` is true.
    fn select_row(&mut self, pick: impl Fn(&batchout::tui::state::JobState, TreeRow) -> bool) {
        let j = self.job();
        let pos = j
            .rows
            .iter()
            .position(|&r| pick(j, r))
            .expect("row present");
        self.act(Action::Top);
        for _ in 0..pos {
            self.act(Action::Down);
        }
    }
}

fn task_named(name: &'static str) -> impl Fn(&batchout::tui::state::JobState, TreeRow) -> bool {
    move |j, r| matches!(r, TreeRow::Task(t) if j.tasks[t as usize].id.raw() == name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browse_the_demo_from_jobs_to_a_task_log_head_and_tail() {
    let (mut h, _dir) = Harness::new(4).await;
    let Screen::Jobs(jobs) = h.app.state.screen() else {
        panic!()
    };
    let names: Vec<_> = jobs
        .jobs
        .iter()
        .map(|j| j.title().shown().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "demo-render",
            "job-legacy-import",
            "nightly:report_2026-12-01"
        ]
    );

    h.act(Action::Enter);
    h.settle().await;
    let j = h.job();
    assert_eq!(j.tasks.len(), 13, "frame-001..012 and jobmanager");
    let kinds: Vec<_> = j
        .job_kinds
        .iter()
        .map(|k| (k.name.shown().to_string(), k.files, k.counting))
        .collect();
    assert_eq!(
        kinds,
        [
            ("JobOutput".into(), 4, false),
            ("JobPreview".into(), 1, false)
        ]
    );
    let root_pages = h
        .seen
        .lock()
        .unwrap()
        .iter()
        .filter(|m| {
            matches!(
                m,
                Msg::Listing {
                    msg: ListingMsg::JobRoot { .. },
                    ..
                }
            )
        })
        .count();
    assert!(
        root_pages >= 4,
        "the top level streamed in pages of 4 ({root_pages} pages)"
    );

    h.select_row(task_named("frame-003"));
    h.act(Action::Enter);
    h.settle().await;
    let j = h.job();
    let t = j.tasks.iter().find(|t| t.id.raw() == "frame-003").unwrap();
    let found: Vec<_> = t
        .kinds
        .as_ref()
        .unwrap()
        .iter()
        .map(|k| (k.name.raw().to_string(), k.files))
        .collect();
    assert_eq!(
        found,
        [
            ("RenderMetrics".into(), 1),
            ("TaskIntermediate".into(), 4),
            ("TaskLog".into(), 2),
            ("TaskOutput".into(), 2),
            ("TaskPreview".into(), 1)
        ]
    );

    h.select_row(|j, r| matches!(r, TreeRow::TaskKind(t, k) if j.tasks[t as usize].id.raw() == "frame-003" && j.tasks[t as usize].kinds.as_ref().unwrap()[k as usize].name.raw() == "TaskLog"));
    h.act(Action::Enter);
    h.settle().await;
    let files = h.job().files.as_ref().unwrap();
    let paths: Vec<_> = files
        .files
        .iter()
        .map(|f| f.path.shown().to_string())
        .collect();
    assert_eq!(paths, ["stderr.txt", "stdout.txt"]);

    h.act(Action::Down);
    h.act(Action::Enter);
    h.settle().await;
    let Screen::Preview(p) = h.app.state.screen() else {
        panic!("no preview")
    };
    let Body::Text(t) = &p.body else {
        panic!("{:?}", p.body)
    };
    assert!(
        t.lines[0].contains("renderer 2.4.1 starting"),
        "{}",
        t.lines[0]
    );
    assert!(
        t.lines.iter().all(|l| !l.contains('\x1b')),
        "colour codes from the log are removed"
    );
    assert_eq!(t.end, 256 * 1024, "only the head was read");
    assert!(t.total > t.end);

    h.act(Action::ToggleTail);
    h.settle().await;
    let Screen::Preview(p) = h.app.state.screen() else {
        panic!()
    };
    let Body::Text(t) = &p.body else { panic!() };
    assert_eq!(t.end, t.total);
    assert!(t.start > 0);
    assert!(t.lines.last().unwrap().contains("exit code 0"));
    assert!(
        t.lines[0].contains("[frame-003]"),
        "the tail starts at a full line: {}",
        t.lines[0]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_stops_a_request_and_a_missing_job_is_an_error_not_a_panic() {
    let (mut h, _dir) = Harness::new(1).await;
    let fx = batchout::tui::update(
        &mut h.app.state,
        batchout::tui::Input::Action(Action::Enter),
    );
    assert_eq!(fx.len(), 1);
    h.app.workers.run_all(fx);
    // Leave at once: the root listing (13 pages of 1) is cancelled.
    let fx = batchout::tui::update(&mut h.app.state, batchout::tui::Input::Action(Action::Back));
    assert!(matches!(fx.as_slice(), [Effect::Cancel(_)]));
    h.app.workers.run_all(fx);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while h.app.workers.running() > 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the cancelled task is gone"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // A job whose container vanished: the listing fails with a one-line error.
    h.app.workers.run(Effect::load(
        9999,
        batchout::tui::RequestKind::Listing(ListingRequest::JobRoot {
            container: "job-vanished".into(),
        }),
    ));
    // (Pages the cancelled listing sent before it stopped may come first: skip them.)
    let seen = h.seen.clone();
    let answer = move || {
        seen.lock()
            .unwrap()
            .iter()
            .find(|m| m.id() == 9999)
            .cloned()
    };
    let probe = answer.clone();
    tui::run_until(&mut h.app, move |_| probe().is_some()).await;
    match answer().unwrap() {
        Msg::Failed { id: 9999, error } => assert!(error.contains("job-vanished"), "{error}"),
        other => panic!("expected a failure, got {other:?}"),
    }
}

/// Empty job-id metadata is no job id: the job list shows the container name, as
/// `batchout jobs` does (tests/cli_local.rs).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_with_empty_job_id_metadata_shows_its_container_name() {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(LocalStore::open(dir.path()).unwrap());
    let meta = std::collections::BTreeMap::from([(
        batchout::store::JOB_ID_METADATA_KEY.to_string(),
        String::new(),
    )]);
    store.create_container("job-blank-id", &meta).await.unwrap();
    let mut app = tui::app(store, 80, 24, None);
    tui::settle(&mut app).await;
    let Screen::Jobs(jobs) = app.state.screen() else {
        panic!()
    };
    assert_eq!(jobs.jobs[0].title().shown(), "job-blank-id");
    assert!(jobs.jobs[0].job_id.is_none());
    let screen = tui::screen_text(app.terminal.backend());
    assert!(screen.contains("job-blank-id"), "{screen}");
}

/// The app loop itself: worker Msgs are applied in bounded batches, a frame is drawn only
/// when something visible changed, and a resize redraws at the new size.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_loop_batches_msgs_redraws_only_on_change_and_follows_resizes() {
    use batchout::tui::run::MSG_BATCH;
    let (mut h, _dir) = Harness::new(1000).await;
    let app = &mut h.app;
    let frames = app.frames;
    assert!(frames >= 1);
    // Answers nobody waits for: applied, dropped, nothing to redraw.
    let n = MSG_BATCH + 100;
    let tx = app.sender();
    for i in 0..n {
        let id = 100_000 + i as u64;
        tx.send(Msg::Failed {
            id,
            error: "stale".into(),
        })
        .unwrap();
    }
    let applied = app.applied;
    let mut events = std::pin::pin!(futures::stream::pending());
    assert!(app.step(&mut events).await.unwrap());
    assert_eq!(
        app.applied - applied,
        MSG_BATCH as u64 + 1,
        "one bounded batch"
    );
    assert!(app.step(&mut events).await.unwrap());
    assert_eq!(
        app.applied - applied,
        n as u64,
        "the rest in the next batch"
    );
    assert_eq!(app.frames, frames, "nothing visible changed: no frame");
    assert!(app.state.error.is_none(), "stale failures are not shown");
    // A resize: the state follows and one frame is drawn at the new size.
    app.terminal.backend_mut().resize(120, 40);
    app.handle(UserEvent::Terminal(crossterm::event::Event::Resize(
        120, 40,
    )));
    app.draw().unwrap();
    assert_eq!(app.frames, frames + 1);
    assert_eq!((app.state.size.width, app.state.size.height), (120, 40));
    let screen = tui::screen_text(app.terminal.backend());
    assert_eq!(screen.lines().count(), 40);
    assert!(screen.contains("demo-render"), "{screen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statuses_of_the_demo_stream_in_behind_the_tree() {
    use batchout::outputs::status::Status;
    let (mut h, _dir) = Harness::new(4).await;
    h.act(Action::Enter);
    h.settle().await;
    let j = h.job();
    assert!(j.statuses.complete, "the scan ran to the end");
    assert_eq!(
        j.statuses.counts.total(),
        j.tasks.len() as u64,
        "every listed task has a status"
    );
    let failed = j.statuses.get("frame-007").expect("frame-007 judged");
    assert_eq!(
        (failed.status, failed.exit_code),
        (Status::Failed, Some(137))
    );
    assert!(failed.stderr_len.is_some_and(|n| n > 0));
    let ok = j.statuses.get("frame-001").expect("frame-001 judged");
    assert_eq!((ok.status, ok.exit_code), (Status::Ok, Some(0)));
    assert!(ok.duration.is_some() && ok.outputs > 0);
    let pages = h
        .seen
        .lock()
        .unwrap()
        .iter()
        .filter(|m| matches!(m, Msg::Status { .. }))
        .count();
    assert!(pages >= 3, "statuses came page by page ({pages} Msgs)");
    // F shows only the failed task.
    h.act(Action::OnlyStatus(Status::Failed));
    let j = h.job();
    let shown: Vec<_> = j
        .rows
        .iter()
        .filter_map(|r| match r {
            TreeRow::Task(t) => Some(j.tasks[*t as usize].id.raw().to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(shown, ["frame-007"]);
}
