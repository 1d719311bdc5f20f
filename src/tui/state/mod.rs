//! Per-screen state. Each screen's data lives in its own file; [`super::app`] stacks them.

pub mod downloads;
pub mod job;
pub mod jobs;
pub mod list;
pub mod log;
pub mod preview;
pub mod search;
pub mod status;

pub use downloads::{Downloads, Mark};
pub use job::{FileRow, FilesState, JobState, KindNode, KindRef, Pane, Pending, TaskNode, TreeRow};
pub use jobs::{JobRow, JobsState};
pub use list::{Cursor, Filter};
pub use log::LogState;
pub use preview::{Body, ImageBody, PreviewState, TextBody};
pub use search::SearchState;
pub use status::{TaskSort, TaskStatuses};
