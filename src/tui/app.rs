//! The whole state of the browser: a stack of screens plus what every screen shares.

use super::msg::Msg;
use super::requests::{RequestId, Requests};
use super::state::{Downloads, JobState, JobsState, LogState, PreviewState, SearchState};
use super::Action;

/// Everything `update` reacts to.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    Action(Action),
    Msg(Msg),
}

/// One screen of the stack. A new screen adds a variant here, a state type in `state/`,
/// an update file in `update/` and a view file in `view/` (see src/tui/README.md).
#[derive(Debug, Clone, PartialEq)]
pub enum Screen {
    Jobs(JobsState),
    Job(Box<JobState>),
    Preview(Box<PreviewState>),
    Log(Box<LogState>),
    Search(Box<SearchState>),
}

impl Screen {
    /// Whether a Msg with this id is for this screen.
    pub fn owns(&self, id: RequestId) -> bool {
        self.pending().contains(&id)
    }

    /// Requests this screen still waits for (cancelled when it is closed).
    pub fn pending(&self) -> Vec<RequestId> {
        match self {
            Screen::Jobs(s) => s.loading.into_iter().collect(),
            Screen::Job(s) => {
                let mut ids: Vec<RequestId> = s.pending.keys().copied().collect();
                ids.extend(s.root_loading);
                ids.extend(s.statuses.loading);
                ids.extend(s.files.as_ref().and_then(|f| f.loading));
                ids
            }
            Screen::Preview(s) => s.loading.into_iter().chain(s.refitting()).collect(),
            Screen::Log(s) => [s.follow_id, s.older_id, s.save_id]
                .into_iter()
                .flatten()
                .collect(),
            Screen::Search(s) => s.search_id.into_iter().collect(),
        }
    }
}

/// Terminal size in cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    pub width: u16,
    pub height: u16,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AppState {
    /// The store's description (sanitized).
    pub store_label: String,
    /// Never empty; `screens[0]` is the job list.
    pub screens: Vec<Screen>,
    pub size: Size,
    /// The help popup is open, scrolled by this many lines.
    pub help: Option<usize>,
    pub requests: Requests,
    pub spinner: usize,
    /// The last error, one line, sanitized.
    pub error: Option<String>,
    /// Bytes read for a preview (head or tail).
    pub preview_bytes: u64,
    pub quit: bool,
    /// Something visible changed since the last draw.
    pub dirty: bool,
    /// Marks, the download prompt and the transfers panel.
    pub downloads: Downloads,
}

/// Default size of a preview read.
pub const PREVIEW_BYTES: u64 = 256 * 1024;

impl AppState {
    pub fn new(store_label: &str, width: u16, height: u16) -> Self {
        AppState {
            store_label: crate::text::sanitize(store_label).into_owned(),
            screens: vec![Screen::Jobs(JobsState::default())],
            size: Size { width, height },
            help: None,
            requests: Requests::default(),
            spinner: 0,
            error: None,
            preview_bytes: PREVIEW_BYTES,
            quit: false,
            dirty: true,
            downloads: Downloads::new("."),
        }
    }

    // screens[0], the job list, is never popped (update pops only above it).
    #[allow(clippy::expect_used)]
    pub fn screen(&self) -> &Screen {
        self.screens.last().expect("the job list is never closed")
    }

    pub fn busy(&self) -> bool {
        !self.requests.in_flight.is_empty()
    }

    /// Keys go into a filter instead of navigating.
    pub fn filter_editing(&self) -> bool {
        // The download folder prompt takes typed text like a filter.
        if self.downloads.prompt.is_some() {
            return true;
        }
        match self.screen() {
            Screen::Jobs(s) => s.filter.editing,
            Screen::Job(s) => match (s.focus, &s.files) {
                (super::state::Pane::Files, Some(f)) => f.filter.editing,
                _ => s.filter.editing,
            },
            Screen::Preview(s) => s.filter.editing,
            Screen::Log(s) => s.search.editing,
            Screen::Search(s) => s.prompt.editing,
        }
    }
}
