//! The live log screen in a real terminal: tmux runs `batchout demo` (whose frame-012 task
//! keeps writing its stdout through the real tracker), the test opens the task's live log
//! with `t` and watches new lines arrive, pauses by scrolling up, follows again with `f`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

use std::time::Duration;

mod support;
use support::tmux::Tmux;

/// The last log line on screen that a renderer wrote (`... tile N/64 ...`).
fn last_log_line(screen: &str) -> Option<String> {
    screen
        .lines()
        .rev()
        .find(|l| l.contains("[frame-012]"))
        .map(|l| l.trim_matches(|c| c == '│' || c == ' ').to_string())
}

#[test]
fn live_log_of_the_running_demo_task_follows_pauses_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    let bin = env!("CARGO_BIN_EXE_batchout");
    let cmd = format!(
        "TERM=xterm-256color {bin} demo --dir '{}'; echo BATCHOUT-EXIT=$?; sleep 60",
        demo.display()
    );
    let tmux = Tmux::start("tail-test", 100, 14, &cmd);

    tmux.wait_for("demo-render");
    tmux.keys(&["Enter"]);
    tmux.wait_for("13 tasks");
    tmux.keys(&["/", "frame-012", "Enter"]);
    tmux.wait_for("1 of 13 tasks");
    tmux.keys(&["t"]);
    let first = tmux.wait_until("log lines", |s| {
        s.contains("following") && last_log_line(s).is_some()
    });
    assert!(first.contains("frame-012 › stdout + stderr"), "{first}");
    assert!(
        !first.contains('\u{1b}'),
        "escape sequences never reach the terminal"
    );
    let before = last_log_line(&first).unwrap();
    // The demo task writes a line every second or so: a newer one shows up by itself.
    let later = tmux.wait_until("a new line", |s| {
        last_log_line(s).is_some_and(|l| l != before)
    });
    assert!(later.contains("following"), "{later}");

    tmux.keys(&["k", "k"]);
    // Both keys must be handled before the frozen line is taken (a loaded machine may show
    // "paused" after the first): wait until the view stops moving.
    let mut paused = tmux.wait_for("paused");
    // At most 3 s: a view that keeps moving is the failure the assertion below reports.
    for _ in 0..10 {
        std::thread::sleep(Duration::from_millis(300));
        let again = tmux.screen();
        if last_log_line(&again) == last_log_line(&paused) {
            break;
        }
        paused = again;
    }
    let frozen = last_log_line(&paused);
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(
        last_log_line(&tmux.screen()),
        frozen,
        "a paused view does not move"
    );
    tmux.keys(&["f"]);
    tmux.wait_until("following again at the newest line", |s| {
        s.contains("following") && last_log_line(s) != frozen
    });
    tmux.keys(&["q"]);
    tmux.wait_for("BATCHOUT-EXIT=0");
}

/// `batchout tail --both` on a real terminal colours its prefixes; with NO_COLOR it does not
/// (piped output never does: tests/tail_cli.rs).
#[test]
fn prefixes_are_coloured_on_a_terminal_unless_no_color() {
    use batchout::store::local::LocalStore;
    use batchout::store::{PutOptions, Store};
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStore::open(dir.path()).unwrap();
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            store
                .create_container("job-tty", &Default::default())
                .await
                .unwrap();
            for (blob, text) in [
                ("t1/$TaskLog/stdout.txt", "out line\n"),
                ("t1/$TaskLog/stderr.txt", "err line\n"),
            ] {
                store
                    .create_append_blob("job-tty", blob, &PutOptions::default())
                    .await
                    .unwrap();
                store
                    .append_block(
                        "job-tty",
                        blob,
                        bytes::Bytes::from_static(text.as_bytes()),
                        0,
                    )
                    .await
                    .unwrap();
            }
        });
    let bin = env!("CARGO_BIN_EXE_batchout");
    let store_arg = dir.path().display().to_string();
    let cmd = format!(
        "TERM=xterm-256color {bin} --store '{store_arg}' tail tty t1 --both; echo ONE-DONE; \
         NO_COLOR=1 {bin} --store '{store_arg}' tail tty t1 --both; echo TWO-DONE; sleep 60"
    );
    let tmux = Tmux::start("tail-color", 80, 12, &cmd);
    tmux.wait_for("TWO-DONE");
    let styled = tmux.run(&["capture-pane", "-p", "-e", "-t", "t"]);
    let (first, second) = styled.split_once("ONE-DONE").unwrap();
    assert!(
        first.contains("\u{1b}[36m"),
        "the first source (stderr) in cyan: {first:?}"
    );
    assert!(first.contains("out line") && first.contains("err line"));
    let second = second.split("TWO-DONE").next().unwrap();
    assert!(
        second.contains("stderr err line") && second.contains("stdout out line"),
        "{second:?}"
    );
    assert!(
        !second.contains("\u{1b}[3"),
        "NO_COLOR: no colours: {second:?}"
    );
}
