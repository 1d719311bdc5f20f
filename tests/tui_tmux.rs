//! The real binary in a real terminal: tmux (own server socket, fixed 80x24) runs
//! `batchout demo`, keys are sent with send-keys and the screen read with capture-pane.
//! From the job list to a task's stdout, the help popup, and quitting with the terminal
//! restored (alternate screen left, shell output visible again).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

mod support;
use support::tmux::Tmux;

#[test]
fn browse_to_a_task_stdout_see_help_and_quit_restoring_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    let bin = env!("CARGO_BIN_EXE_batchout");
    let cmd = format!(
        "TERM=xterm-256color {bin} demo --dir '{}'; echo BATCHOUT-EXIT=$?; sleep 60",
        demo.display()
    );
    let tmux = Tmux::start("tui-test", 80, 24, &cmd);

    let jobs = tmux.wait_for("demo-render");
    assert!(jobs.contains("nightly:report_2026-12-01"), "{jobs}");
    assert!(jobs.contains("3 jobs"), "status bar counts: {jobs}");

    tmux.keys(&["Enter"]);
    tmux.wait_for("frame-012");
    // Filter to one task, open it, go down to its TaskLog, list the files.
    tmux.keys(&["/", "frame-002", "Enter"]);
    tmux.wait_for("1 of 13 tasks");
    tmux.keys(&["Enter"]);
    tmux.wait_for("TaskLog · 2 files");
    tmux.keys(&["j", "j", "Enter"]);
    let files = tmux.wait_for("stdout.txt");
    assert!(files.contains("stderr.txt"), "{files}");
    tmux.keys(&["j", "Enter"]);
    let preview = tmux.wait_for("demo renderer 2.4.1");
    assert!(
        preview.contains("frame-002 › TaskLog › stdout.txt"),
        "{preview}"
    );
    assert!(preview.contains("scene=demo/city.blend"), "{preview}");

    tmux.keys(&["?"]);
    let help = tmux.wait_for("Keys");
    assert!(
        help.contains("switch between tree and files") && help.contains("quit"),
        "{help}"
    );
    tmux.keys(&["x"]);
    let closed = tmux.wait_for("demo renderer 2.4.1");
    assert!(
        !closed.contains("switch between tree and files"),
        "any key closes the help"
    );

    tmux.keys(&["q"]);
    let after = tmux.wait_for("BATCHOUT-EXIT=0");
    assert!(
        after.contains("demo store"),
        "the summary is printed on the normal screen: {after}"
    );
    assert!(
        !after.contains("Tasks and kinds"),
        "the alternate screen was left: {after}"
    );
    assert_eq!(
        tmux.run(&["display", "-p", "-t", "t", "#{alternate_on}"])
            .trim(),
        "0"
    );
}
