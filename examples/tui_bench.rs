//! TUI benchmark (README "Browser"): time to first frame on the local store, and a job with
//! 100,000 tasks: first screen from the first page vs the whole listing, filter and scroll
//! latency (update + draw per key), peak memory.
//!
//! Usage: tui_bench [--tasks N] [--dir DIR]   (DIR keeps the seeded store between runs)
//! Frames are drawn into ratatui's TestBackend at 160x48, through the real workers.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

use batchout::store::{local::LocalStore, PutOptions, Store};
use batchout::tui::requests::ListingMsg;
use batchout::tui::workers::Workers;
use batchout::tui::{update, view, Action, AppState, Effect, Input, Msg, Screen};
use bytes::Bytes;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};

const W: u16 = 160;
const H: u16 = 48;
const BIG_JOB: &str = "job-bench-100k";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let tasks: usize = arg("--tasks")
        .map(|s| s.parse().expect("--tasks N"))
        .unwrap_or(100_000);
    let keep = arg("--dir").map(PathBuf::from);
    let tmp = std::env::temp_dir().join(format!("batchout-tui-bench-{}", std::process::id()));
    let dir = keep.clone().unwrap_or(tmp.clone());
    if args.get(1).map(String::as_str) == Some("measure") {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(measure(Path::new(&args[2]), tasks));
        return;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(seed(&dir, tasks));
    drop(rt);
    // Measure in a fresh process, so that peak memory is the browser's, not the seeder's.
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .arg("measure")
        .arg(&dir)
        .arg("--tasks")
        .arg(tasks.to_string())
        .status()
        .unwrap();
    if keep.is_none() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    std::process::exit(status.code().unwrap_or(1));
}

async fn seed(dir: &Path, tasks: usize) {
    let marker = dir.join(format!(".bench-{tasks}"));
    let store: Arc<dyn Store> = Arc::new(LocalStore::open(dir).unwrap());
    if marker.exists() {
        println!("reusing seeded store {}", dir.display());
        return;
    }
    let t = Instant::now();
    batchout::demo::seed(&store).await.unwrap();
    store
        .create_container(BIG_JOB, &Default::default())
        .await
        .unwrap();
    let mut pending = futures::stream::FuturesUnordered::new();
    use futures::StreamExt;
    for i in 0..tasks {
        let store = store.clone();
        pending.push(async move {
            let name = format!("task-{i:06}/$TaskLog/stdout.txt");
            store
                .put_block_blob(
                    BIG_JOB,
                    &name,
                    Bytes::from_static(b"ok\n"),
                    &PutOptions::default(),
                )
                .await
                .unwrap();
        });
        if pending.len() >= 16 {
            pending.next().await;
        }
    }
    while pending.next().await.is_some() {}
    std::fs::write(&marker, "").unwrap();
    println!("seeded {tasks} tasks in {:.1}s", t.elapsed().as_secs_f64());
}

struct Ui {
    state: AppState,
    workers: Workers,
    rx: UnboundedReceiver<Msg>,
    term: Terminal<TestBackend>,
}

impl Ui {
    fn draw(&mut self) {
        let state = &self.state;
        self.term.draw(|f| view::draw(f, state)).unwrap();
        self.state.dirty = false;
    }
    fn apply(&mut self, input: Input) {
        let fx: Vec<Effect> = update::update(&mut self.state, input);
        self.workers.run_all(fx);
    }
    /// Time of one key: update + draw.
    fn key(&mut self, a: Action) -> Duration {
        let t = Instant::now();
        self.apply(Input::Action(a));
        self.draw();
        t.elapsed()
    }
    async fn next_msg(&mut self) -> Msg {
        tokio::time::timeout(Duration::from_secs(600), self.rx.recv())
            .await
            .expect("worker answers")
            .unwrap()
    }
}

fn peak_rss_mib() -> f64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    usage.ru_maxrss as f64 / 1024.0
}

fn stats(name: &str, samples: &[Duration]) {
    let mut ms: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
    ms.sort_by(f64::total_cmp);
    let avg = ms.iter().sum::<f64>() / ms.len() as f64;
    println!(
        "{name:<34} {:>4} keys  avg {avg:>6.2} ms  max {:>6.2} ms",
        ms.len(),
        ms[ms.len() - 1]
    );
}

async fn measure(dir: &Path, tasks: usize) {
    // 1. First frame on the local store (demo jobs): open, list, draw.
    let t0 = Instant::now();
    let store: Arc<dyn Store> = Arc::new(LocalStore::open(dir).unwrap());
    let (tx, rx) = unbounded_channel();
    let mut ui = Ui {
        state: AppState::new(&store.describe(), W, H),
        workers: Workers::new(store.clone(), tx),
        rx,
        term: Terminal::new(TestBackend::new(W, H)).unwrap(),
    };
    let fx = update::start(&mut ui.state);
    ui.workers.run_all(fx);
    ui.draw();
    let empty_frame = t0.elapsed();
    loop {
        let m = ui.next_msg().await;
        ui.apply(Input::Msg(m));
        let Screen::Jobs(j) = ui.state.screen() else {
            unreachable!()
        };
        if !j.jobs.is_empty() {
            break;
        }
    }
    ui.draw();
    let jobs_frame = t0.elapsed();
    while ui.state.busy() {
        let m = ui.next_msg().await;
        ui.apply(Input::Msg(m));
    }
    println!(
        "first frame (status bar, 'Listing jobs…'): {:>8.2} ms",
        empty_frame.as_secs_f64() * 1000.0
    );
    println!(
        "first frame with the job list:             {:>8.2} ms   (goal < 100 ms)",
        jobs_frame.as_secs_f64() * 1000.0
    );

    // 2. The job with many tasks: first page on screen vs whole listing.
    let Screen::Jobs(j) = ui.state.screen() else {
        unreachable!()
    };
    let pos = j
        .visible
        .iter()
        .position(|&i| j.jobs[i as usize].container.raw() == BIG_JOB)
        .expect("bench job listed");
    ui.key(Action::Top);
    for _ in 0..pos {
        ui.key(Action::Down);
    }
    let t1 = Instant::now();
    ui.apply(Input::Action(Action::Enter));
    let mut first_page = None;
    let mut pages = 0;
    let mut draws = Vec::new();
    while ui.state.busy() {
        let m = ui.next_msg().await;
        pages += matches!(
            m,
            Msg::Listing {
                msg: ListingMsg::JobRoot { .. },
                ..
            }
        ) as usize;
        ui.apply(Input::Msg(m));
        // Like the loop: draw after each batch of Msgs.
        if ui.rx.is_empty() {
            let t = Instant::now();
            ui.draw();
            draws.push(t.elapsed());
        }
        if first_page.is_none() {
            first_page = Some(t1.elapsed());
        }
    }
    let all = t1.elapsed();
    let Screen::Job(job) = ui.state.screen() else {
        unreachable!()
    };
    assert_eq!(job.tasks.len(), tasks);
    let first = first_page.unwrap();
    println!(
        "{tasks} tasks: first screen after {:.1} ms (first of {pages} pages), all listed after {:.1} ms: {:.0}x sooner",
        first.as_secs_f64() * 1000.0,
        all.as_secs_f64() * 1000.0,
        all.as_secs_f64() / first.as_secs_f64()
    );
    stats("redraw while pages stream in", &draws);

    // 3. Scrolling and filtering, update + draw per key.
    let mut scroll = Vec::new();
    for _ in 0..200 {
        scroll.push(ui.key(Action::PageDown));
    }
    for _ in 0..200 {
        scroll.push(ui.key(Action::Down));
    }
    scroll.push(ui.key(Action::Bottom));
    scroll.push(ui.key(Action::Top));
    stats("scroll (PgDn, ↓, End, Home)", &scroll);
    let mut filter = vec![ui.key(Action::StartFilter)];
    for c in "task-0999".chars() {
        filter.push(ui.key(Action::FilterChar(c)));
    }
    for _ in 0..4 {
        filter.push(ui.key(Action::FilterBackspace));
    }
    filter.push(ui.key(Action::FilterClear));
    stats("filter (typing, backspace, clear)", &filter);
    println!(
        "peak memory (RSS):                         {:>8.1} MiB   (goal < 150 MiB)",
        peak_rss_mib()
    );
}
