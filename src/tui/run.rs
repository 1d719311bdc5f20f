//! The app loop: user events and worker Msgs in, `update`, effects out, redraw when dirty.
//! [`App`] is generic over the ratatui backend and the event source, so tests drive this
//! same loop on a `TestBackend`; [`run`] puts it on the real terminal.

use super::app::{AppState, Input};
use super::keymap::{self, Mode};
use super::msg::Msg;
use super::picture::ImageMode;
use super::workers::Workers;
use super::{terminal, update, view, Action};
use crate::store::Store;
use crossterm::event::EventStream;
use futures::{Stream, StreamExt};
use ratatui::backend::Backend;
use ratatui::Terminal;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};
use tokio::time::{Interval, MissedTickBehavior};

/// Most Msgs applied before the screen is drawn again (keeps keys responsive while a big
/// listing streams in, and coalesces bursts into one frame).
pub const MSG_BATCH: usize = 512;

/// What the loop reads from the user's side: a terminal event (mapped by the keymap), or an
/// Action already decided (tests, scripted input).
#[derive(Debug, Clone, PartialEq)]
pub enum UserEvent {
    Terminal(crossterm::event::Event),
    Action(Action),
}

/// Browse `store` until the user quits. Must run inside a tokio runtime.
pub async fn run(store: Arc<dyn Store>, images: ImageMode) -> std::io::Result<()> {
    view::highlight::warm_up();
    // Ask the terminal about graphics once, before raw mode and the event loop (the probe
    // reads the answers from stdin itself).
    let picker = super::picture::picker(images);
    let (tty, _guard) = terminal::enter()?;
    let size = tty.size()?;
    let mut state = AppState::new(&store.describe(), size.width, size.height);
    state.downloads.default_dir = default_download_dir();
    state.downloads.home = directories::BaseDirs::new()
        .map(|d| d.home_dir().display().to_string())
        .filter(|h| !h.is_empty());
    let mut app = App::new(tty, state, |tx| Workers::new(store, tx).with_images(picker));
    // A stop signal ends the event stream, and so the loop (the guard restores the terminal).
    let events = EventStream::new()
        .map(|e| e.map(UserEvent::Terminal))
        .take_until(stop_signal());
    app.run(events).await
}

/// The loop's state: the terminal, the app state, the workers and their Msgs.
pub struct App<B: Backend> {
    pub terminal: Terminal<B>,
    pub state: AppState,
    pub workers: Workers,
    rx: UnboundedReceiver<Msg>,
    tx: UnboundedSender<Msg>,
    tick: Interval,
    /// Frames drawn (a frame is drawn only when something visible changed).
    pub frames: u64,
    /// Msgs applied.
    pub applied: u64,
}

impl<B: Backend> App<B>
where
    B::Error: std::error::Error + Send + Sync + 'static,
{
    /// Start the browser (list the jobs) with the workers `workers` makes for the Msg
    /// channel. Must be called inside a tokio runtime.
    pub fn new(
        terminal: Terminal<B>,
        mut state: AppState,
        workers: impl FnOnce(UnboundedSender<Msg>) -> Workers,
    ) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let mut workers = workers(tx.clone());
        workers.run_all(update::start(&mut state));
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
        App {
            terminal,
            state,
            workers,
            rx,
            tx,
            tick,
            frames: 0,
            applied: 0,
        }
    }

    /// Where worker Msgs go (tests inject Msgs here).
    pub fn sender(&self) -> UnboundedSender<Msg> {
        self.tx.clone()
    }

    /// Run until the user quits or `events` ends.
    pub async fn run<E>(&mut self, events: E) -> std::io::Result<()>
    where
        E: Stream<Item = std::io::Result<UserEvent>>,
    {
        let mut events = std::pin::pin!(events);
        self.draw()?;
        while !self.state.quit {
            if !self.step(&mut events).await? {
                break;
            }
        }
        Ok(())
    }

    /// Run until `done` holds for the state, the user quits or `events` ends (false then).
    pub async fn run_until<E>(
        &mut self,
        events: E,
        mut done: impl FnMut(&AppState) -> bool,
    ) -> std::io::Result<bool>
    where
        E: Stream<Item = std::io::Result<UserEvent>>,
    {
        let mut events = std::pin::pin!(events);
        self.draw()?;
        while !done(&self.state) {
            if self.state.quit || !self.step(&mut events).await? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Wait for one user event, a batch of Msgs or a spinner tick; apply it; redraw if
    /// something visible changed. False when `events` ended.
    pub async fn step<E>(&mut self, events: &mut std::pin::Pin<&mut E>) -> std::io::Result<bool>
    where
        E: Stream<Item = std::io::Result<UserEvent>>,
    {
        tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(ev)) => self.handle(ev),
                Some(Err(e)) => return Err(e),
                None => return Ok(false),
            },
            Some(m) = self.rx.recv() => {
                self.apply(m);
                for _ in 0..MSG_BATCH {
                    let Ok(m) = self.rx.try_recv() else { break };
                    self.apply(m);
                }
            }
            _ = self.tick.tick(), if self.state.busy() => {
                update::update(&mut self.state, Input::Action(Action::Tick));
            }
        }
        self.draw()?;
        Ok(true)
    }

    /// One user event, as the loop handles it (keys through the keymap).
    pub fn handle(&mut self, ev: UserEvent) {
        let action = match ev {
            UserEvent::Terminal(ev) => translate(&ev, &self.state),
            UserEvent::Action(a) => Some(a),
        };
        if let Some(a) = action {
            let effects = update::update(&mut self.state, Input::Action(a));
            self.workers.run_all(effects);
        }
    }

    fn apply(&mut self, m: Msg) {
        self.applied += 1;
        let effects = update::update(&mut self.state, Input::Msg(m));
        self.workers.run_all(effects);
    }

    /// Draw if something visible changed (following the terminal's size first).
    pub fn draw(&mut self) -> std::io::Result<()> {
        if !self.state.dirty {
            return Ok(());
        }
        let area = self.terminal.size().map_err(std::io::Error::other)?;
        if (area.width, area.height) != (self.state.size.width, self.state.size.height) {
            // A resize may ask for work (an image fitted to the new size).
            let effects = update::update(
                &mut self.state,
                Input::Action(Action::Resize {
                    width: area.width,
                    height: area.height,
                }),
            );
            self.workers.run_all(effects);
        }
        let state = &self.state;
        self.terminal
            .draw(|frame| view::draw(frame, state))
            .map_err(std::io::Error::other)?;
        self.state.dirty = false;
        self.frames += 1;
        Ok(())
    }
}

/// BATCHOUT_DOWNLOAD_DIR, else the current folder, made absolute so the prompt and the
/// transfers panel name the real folder (a bare "." tells the user nothing).
fn default_download_dir() -> String {
    let dir = std::env::var_os("BATCHOUT_DOWNLOAD_DIR")
        .filter(|d| !d.is_empty())
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| ".".into());
    std::path::absolute(&dir)
        .unwrap_or(dir)
        .display()
        .to_string()
}

fn translate(ev: &crossterm::event::Event, state: &AppState) -> Option<Action> {
    let mode = if state.filter_editing() && state.help.is_none() {
        Mode::Filter
    } else {
        Mode::Normal
    };
    use crossterm::event::Event;
    match ev {
        // Any key closes the help, bound or not.
        Event::Key(k)
            if state.help.is_some() && k.kind != crossterm::event::KeyEventKind::Release =>
        {
            keymap::key_action(*k, mode).or(Some(Action::Back))
        }
        Event::Key(k) => keymap::key_action(*k, mode),
        Event::Mouse(m) => keymap::mouse_action(*m),
        Event::Resize(width, height) => Some(Action::Resize {
            width: *width,
            height: *height,
        }),
        _ => None,
    }
}

/// SIGTERM, SIGHUP and SIGINT end the loop normally, so the terminal is restored.
async fn stop_signal() {
    let (tx, mut rx) = mpsc::unbounded_channel::<()>();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        for kind in [
            SignalKind::terminate(),
            SignalKind::hangup(),
            SignalKind::interrupt(),
        ] {
            if let Ok(mut s) = signal(kind) {
                let tx = tx.clone();
                tokio::spawn(async move {
                    s.recv().await;
                    let _ = tx.send(());
                });
            }
        }
    }
    // Without signals to wait for, wait forever (the sender stays alive).
    let _keep = tx;
    rx.recv().await;
}
