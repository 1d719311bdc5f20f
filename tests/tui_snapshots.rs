//! Every screen rendered into ratatui's TestBackend at 80x24 and 160x48 (insta snapshots in
//! tests/snapshots/; a mismatch fails `cargo test`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

#[path = "support/tui.rs"]
mod tui;

use batchout::outputs::JobEntry;
use batchout::tui::requests::listing::{FileEntry, ListingMsg};
use batchout::tui::requests::preview::{Chunk, PreviewMsg};
use batchout::tui::{update, view, Action, AppState, Msg};
use bytes::Bytes;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use time::macros::datetime;
use tui::{act, ids, send};

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

fn render(s: &AppState) -> TestBackend {
    let mut t = Terminal::new(TestBackend::new(s.size.width, s.size.height)).unwrap();
    t.draw(|f| view::draw(f, s)).unwrap();
    t.backend().clone()
}

fn job(container: &str, id: Option<&str>, day: u8) -> JobEntry {
    let modified = datetime!(2026-11-01 08:30:15 UTC).replace_day(day).unwrap();
    tui::job(container, id, modified)
}

fn jobs_loaded(w: u16, h: u16) -> AppState {
    let jobs = vec![
        job("job-demo-render", Some("demo-render"), 28),
        job("job-legacy-import", None, 3),
        job(
            "job-nightly-report-cef6475e002b6e6b0bbd2df5c2c0ccfa0feb9e5f",
            Some("nightly:report_2026-12-01"),
            30,
        ),
        job("job-x", Some("evil\x1b]0;title\x07\x1b[31mred\u{202e}"), 4),
    ];
    tui::jobs_loaded(
        "local store /home/op/.local/share/batchout/demo",
        w,
        h,
        jobs,
    )
}

/// The demo job open, task frame-002 expanded with counted kinds.
fn job_tree(w: u16, h: u16) -> AppState {
    let mut s = jobs_loaded(w, h);
    let root = ids(&act(&mut s, Action::Enter))[0];
    let tasks: Vec<String> = (1..=40).map(|i| format!("frame-{i:03}")).collect();
    let counts = ids(&send(
        &mut s,
        Msg::Listing {
            id: root,
            msg: ListingMsg::JobRoot {
                job_kinds: vec!["JobOutput".into(), "JobPreview".into()],
                tasks,
                done: true,
            },
        },
    ));
    send(
        &mut s,
        Msg::Listing {
            id: counts[0],
            msg: ListingMsg::KindCount {
                added: 4,
                done: true,
            },
        },
    );
    send(
        &mut s,
        Msg::Listing {
            id: counts[1],
            msg: ListingMsg::KindCount {
                added: 1,
                done: true,
            },
        },
    );
    for _ in 0..3 {
        act(&mut s, Action::Down);
    }
    let kinds_id = ids(&act(&mut s, Action::Enter))[0];
    let kinds = [
        "RenderMetrics",
        "TaskIntermediate",
        "TaskLog",
        "TaskOutput",
        "TaskPreview",
    ];
    let counts = ids(&send(
        &mut s,
        Msg::Listing {
            id: kinds_id,
            msg: ListingMsg::TaskKinds {
                kinds: kinds.iter().map(|k| k.to_string()).collect(),
                done: true,
            },
        },
    ));
    for (id, n) in counts.iter().zip([1, 4, 2, 2, 1]) {
        send(
            &mut s,
            Msg::Listing {
                id: *id,
                msg: ListingMsg::KindCount {
                    added: n,
                    done: *id != counts[4],
                },
            },
        );
    }
    s
}

/// The demo job with its statuses read (a page of them; the scan still running), sorted
/// by status.
fn job_statuses(w: u16, h: u16) -> AppState {
    use batchout::outputs::status::Status::*;
    use batchout::tui::requests::status::StatusMsg;
    let mut s = job_tree(w, h);
    let scan = match s.screen() {
        batchout::tui::Screen::Job(j) => j.statuses.loading.expect("scan started"),
        _ => unreachable!(),
    };
    let st = tui::task_status;
    let mut tasks = vec![
        st("frame-001", Ok, Some(0), Some(62), Some(0)),
        st("frame-002", Ok, Some(0), Some(3725), None),
        st("frame-007", Failed, Some(137), Some(411), Some(2_300_000)),
        st("frame-012", Running, None, Some(95), Some(120)),
        st("frame-013", Lost, None, Some(700), Some(0)),
        st("frame-020", Unknown, None, None, Some(0)),
    ];
    tasks[4].signal = None;
    send(
        &mut s,
        Msg::Status {
            id: scan,
            msg: StatusMsg::Tasks { tasks, done: false },
        },
    );
    act(&mut s, Action::Top);
    act(&mut s, Action::CycleSort);
    s
}

/// TaskLog of frame-002 listed in the files pane.
fn job_files(w: u16, h: u16) -> AppState {
    let mut s = job_tree(w, h);
    for _ in 0..3 {
        act(&mut s, Action::Down);
    }
    let files_id = ids(&act(&mut s, Action::Enter))[0];
    let f = |p: &str, len| FileEntry {
        blob: format!("frame-002/$TaskLog/{p}"),
        path: p.into(),
        len,
        modified: datetime!(2026-12-01 19:01:23 UTC),
    };
    send(
        &mut s,
        Msg::Listing {
            id: files_id,
            msg: ListingMsg::Files {
                files: vec![
                    f("stderr.txt", 81),
                    f("stdout.txt", 5120),
                    f("archive/old\x1b[2J.log", 3_221_225_472),
                ],
                done: true,
            },
        },
    );
    act(&mut s, Action::Down);
    s
}

fn preview_log(w: u16, h: u16) -> AppState {
    let mut s = job_files(w, h);
    let read = ids(&act(&mut s, Action::Enter))[0];
    let mut log = String::new();
    for i in 0..60 {
        let level = match i % 9 {
            4 => "WARN ",
            7 => "ERROR",
            _ => "INFO ",
        };
        log.push_str(&format!(
            "2026-12-01T19:00:{:02}.{:03}Z {level} [frame-002] tile {}/64 rendered in 0.{}s\n",
            i % 60,
            i * 7,
            i + 1,
            i % 10
        ));
    }
    log.push_str("\x1b]52;c;c3Rlcw==\x07\x1b[1mclipboard write removed\x1b[0m\tand a tab\n");
    send(
        &mut s,
        Msg::Preview {
            id: read,
            msg: PreviewMsg::Read(Chunk {
                data: Bytes::from(log),
                start: 0,
                total: 3_221_225_472,
            }),
        },
    );
    s
}

fn preview_hex(w: u16, h: u16) -> AppState {
    let mut s = job_files(w, h);
    let read = ids(&act(&mut s, Action::Enter))[0];
    let data: Vec<u8> = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"
        .iter()
        .copied()
        .chain((0..600u32).map(|i| (i * 37 % 256) as u8))
        .collect();
    send(
        &mut s,
        Msg::Preview {
            id: read,
            msg: PreviewMsg::Read(Chunk {
                data: Bytes::from(data),
                start: 0,
                total: 4293,
            }),
        },
    );
    s
}

fn filtering(w: u16, h: u16) -> AppState {
    let mut s = job_tree(w, h);
    act(&mut s, Action::StartFilter);
    for c in "frame-01".chars() {
        act(&mut s, Action::FilterChar(c));
    }
    s
}

fn help(w: u16, h: u16) -> AppState {
    let mut s = job_tree(w, h);
    act(&mut s, Action::Help);
    s
}

fn loading(w: u16, h: u16) -> AppState {
    let mut s = AppState::new("azure https://acct.blob.core.windows.net", w, h);
    update::start(&mut s);
    for _ in 0..3 {
        act(&mut s, Action::Tick);
    }
    s
}

fn failed(w: u16, h: u16) -> AppState {
    let mut s = AppState::new("azure https://acct.blob.core.windows.net", w, h);
    let id = ids(&update::start(&mut s))[0];
    send(
        &mut s,
        Msg::Failed {
            id,
            error: "not authorized: the SAS token has expired; get a new one".into(),
        },
    );
    s
}

macro_rules! screens {
    ($($name:ident),*) => {$(
        #[test]
        fn $name() {
            for (w, h) in SIZES {
                let s = super::$name(w, h);
                insta::assert_snapshot!(format!("{}_{w}x{h}", stringify!($name)), render(&s));
            }
        }
    )*};
}

mod snap {
    use super::*;
    screens!(
        jobs_loaded,
        loading,
        failed,
        job_tree,
        job_statuses,
        job_files,
        filtering,
        preview_log,
        preview_hex,
        help
    );
}
