//! Workers on a real local store in a temp folder (seeded with the demo): Effects in, Msgs
//! back, applied with `update`, the way the terminal loop does it.

use batchout::store::{local::LocalStore, Store};
use batchout::tui::state::{Body, TreeRow};
use batchout::tui::worker::Workers;
use batchout::tui::{update, Action, AppState, Effect, Input, Msg, Screen};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};

struct Harness {
    state: AppState,
    workers: Workers,
    rx: UnboundedReceiver<Msg>,
    /// Every Msg seen, to check streaming.
    seen: Vec<Msg>,
}

impl Harness {
    async fn new(page_size: u32) -> (Harness, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(LocalStore::open(dir.path()).unwrap());
        batchout::demo::seed(&store).await.unwrap();
        let (tx, rx) = unbounded_channel();
        let workers = Workers::new(store.clone(), tx).with_page_size(page_size);
        let mut h = Harness {
            state: AppState::new(&store.describe(), 100, 30),
            workers,
            rx,
            seen: Vec::new(),
        };
        let fx = update::start(&mut h.state);
        h.workers.run_all(fx);
        h.settle().await;
        (h, dir)
    }

    fn act(&mut self, a: Action) -> Vec<Effect> {
        let fx = update::update(&mut self.state, Input::Action(a));
        self.workers.run_all(fx.clone());
        fx
    }

    /// Apply Msgs until no request is in flight.
    async fn settle(&mut self) {
        while self.state.busy() {
            let m = tokio::time::timeout(Duration::from_secs(20), self.rx.recv())
                .await
                .expect("a worker answers")
                .unwrap();
            self.seen.push(m.clone());
            let fx = update::update(&mut self.state, Input::Msg(m));
            self.workers.run_all(fx);
        }
    }

    fn job(&self) -> &batchout::tui::state::JobState {
        match self.state.screen() {
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
    let Screen::Jobs(jobs) = h.state.screen() else {
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
        .iter()
        .filter(|m| matches!(m, Msg::JobRoot { .. }))
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
    let Screen::Preview(p) = h.state.screen() else {
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
    let Screen::Preview(p) = h.state.screen() else {
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
    let fx = h.act(Action::Enter);
    assert_eq!(fx.len(), 1);
    // Leave at once: the root listing (13 pages of 1) is cancelled.
    let fx = h.act(Action::Back);
    assert!(matches!(fx.as_slice(), [Effect::Cancel(_)]));
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(h.workers.running(), 0, "the cancelled task is gone");
    // A job whose container vanished: the listing fails with a one-line error.
    h.workers.run(Effect::load(
        9999,
        batchout::tui::RequestKind::JobRoot {
            container: "job-vanished".into(),
        },
    ));
    // (Pages the cancelled listing sent before it stopped may still be queued: skip them.)
    let m = loop {
        let m = tokio::time::timeout(Duration::from_secs(10), h.rx.recv())
            .await
            .unwrap()
            .unwrap();
        if m.id() == 9999 {
            break m;
        }
    };
    match m {
        Msg::Failed { id: 9999, error } => assert!(error.contains("job-vanished"), "{error}"),
        other => panic!("expected a failure, got {other:?}"),
    }
}
