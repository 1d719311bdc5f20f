//! The terminal loop: events and worker Msgs in, `update`, effects out, redraw when dirty.

use super::app::{AppState, Input};
use super::keymap::{self, Mode};
use super::worker::Workers;
use super::{terminal, update, view, Action};
use crate::store::Store;
use crossterm::event::{Event, EventStream};
use futures::StreamExt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// Most Msgs applied before the screen is drawn again (keeps keys responsive while a big
/// listing streams in, and coalesces bursts into one frame).
const MSG_BATCH: usize = 512;

/// Browse `store` until the user quits. Must run inside a tokio runtime.
pub async fn run(store: Arc<dyn Store>) -> std::io::Result<()> {
    view::highlight::warm_up();
    let (mut tty, _guard) = terminal::enter()?;
    let size = tty.size()?;
    let mut state = AppState::new(&store.describe(), size.width, size.height);
    state.downloads.default_dir = default_download_dir();
    state.downloads.home = directories::BaseDirs::new()
        .map(|d| d.home_dir().display().to_string())
        .filter(|h| !h.is_empty());
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut workers = Workers::new(store, tx);
    workers.run_all(update::start(&mut state));

    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut stop = stop_signals();

    loop {
        if state.dirty {
            let area = tty.size()?;
            if (area.width, area.height) != (state.size.width, state.size.height) {
                update::update(
                    &mut state,
                    Input::Action(Action::Resize {
                        width: area.width,
                        height: area.height,
                    }),
                );
            }
            tty.draw(|frame| view::draw(frame, &state))?;
            state.dirty = false;
        }
        if state.quit {
            return Ok(());
        }
        tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(ev)) => {
                    if let Some(a) = translate(&ev, &state) {
                        workers.run_all(update::update(&mut state, Input::Action(a)));
                    }
                }
                Some(Err(e)) => return Err(e),
                None => return Ok(()),
            },
            Some(m) = rx.recv() => {
                workers.run_all(update::update(&mut state, Input::Msg(m)));
                for _ in 0..MSG_BATCH {
                    let Ok(m) = rx.try_recv() else { break };
                    workers.run_all(update::update(&mut state, Input::Msg(m)));
                }
            }
            _ = tick.tick(), if state.busy() => {
                update::update(&mut state, Input::Action(Action::Tick));
            }
            _ = stop.recv() => return Ok(()),
        }
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

fn translate(ev: &Event, state: &AppState) -> Option<Action> {
    let mode = if state.filter_editing() && state.help.is_none() {
        Mode::Filter
    } else {
        Mode::Normal
    };
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
fn stop_signals() -> mpsc::UnboundedReceiver<()> {
    let (tx, rx) = mpsc::unbounded_channel();
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
    // Keep the channel open where there are no signals to wait for.
    #[cfg(not(unix))]
    std::mem::forget(tx);
    rx
}
