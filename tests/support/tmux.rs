//! Driving the real binary in a real terminal: a tmux server on its own socket (killed on
//! drop), keys in with send-keys, the screen out with capture-pane.

use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// A detached session `t` of the given size running `cmd` (a shell command line).
    /// Panics with a hint when tmux is missing: the test must fail, not skip.
    pub fn start(name: &str, width: u16, height: u16, cmd: &str) -> Tmux {
        if Command::new("tmux").arg("-V").output().is_err() {
            panic!("tmux is required for this test (scripts/setup installs it)");
        }
        let tmux = Tmux {
            socket: format!("batchout-{name}-{}", std::process::id()),
        };
        tmux.run(&[
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            cmd,
        ]);
        tmux.run(&["set", "-g", "escape-time", "0"]);
        tmux
    }

    pub fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .arg("-f")
            .arg("/dev/null")
            .args(args)
            .output()
            .expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Send keys one by one, with a pause a person would make between them.
    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.run(&["send-keys", "-t", "t", k]);
            std::thread::sleep(Duration::from_millis(80));
        }
    }

    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "t"])
    }

    /// Wait (up to 20 s) until `cond` holds for the screen (the app answers asynchronously).
    pub fn wait_until(&self, what: &str, cond: impl Fn(&str) -> bool) -> String {
        self.wait_until_within(what, Duration::from_secs(20), cond)
    }

    /// [`Tmux::wait_until`] with its own limit, for work that takes time by design (a
    /// bandwidth-limited download).
    pub fn wait_until_within(
        &self,
        what: &str,
        limit: Duration,
        cond: impl Fn(&str) -> bool,
    ) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if cond(&screen) {
                return screen;
            }
            if start.elapsed() > limit {
                panic!("{what} never happened; screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn wait_for(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?} on screen"), |s| s.contains(text))
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.run(&["kill-server"]);
    }
}
