//! The job-wide search screen: a prompt for the pattern, then results that fill as the
//! worker streams them (bounded: [`MAX_HITS`] lines kept, every match counted).

use super::list::{Cursor, Filter};
use crate::search::SearchOptions;
use crate::tui::requests::search::{SearchFile, SearchHit};
use crate::tui::requests::RequestId;

/// Matching lines kept on screen; matches beyond are counted, not kept.
pub const MAX_HITS: usize = 2000;

/// One file of the search (names sanitized for the screen, raw ones for requests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRef {
    pub raw: SearchFile,
    /// Task id (`-` for job-level files), sanitized.
    pub task: String,
    /// `KIND/PATH`, sanitized.
    pub label: String,
}

/// Matches of one task, in report order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskCount {
    pub task: String,
    pub matches: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchState {
    pub container: String,
    /// The job's shown name (sanitized).
    pub title: String,
    /// Exact task ids searched (the tree's filter); None: every task.
    pub tasks: Option<Vec<String>>,
    /// What narrowed `tasks`, for the screen (e.g. `tasks matching /render`).
    pub scope: String,
    /// The pattern as typed, with leading `-i` / `-F` / `-w` flags.
    pub prompt: Filter,
    /// The options of the running (or last) search.
    pub opts: Option<SearchOptions>,
    pub search_id: Option<RequestId>,
    pub files: Vec<FileRef>,
    pub files_done: usize,
    pub hits: Vec<SearchHit>,
    /// Every matching line found, kept or not.
    pub matches: u64,
    pub counts: Vec<TaskCount>,
    pub binary: usize,
    pub failed_files: usize,
    pub cursor: Cursor,
    /// Every file was searched.
    pub finished: bool,
    /// Cancelled by the user before the end.
    pub cancelled: bool,
    /// An invalid pattern or a failed search, one line, sanitized.
    pub error: Option<String>,
}

impl SearchState {
    pub fn new(container: &str, title: &str, tasks: Option<Vec<String>>, scope: &str) -> Self {
        SearchState {
            container: container.to_string(),
            title: crate::text::sanitize(title).into_owned(),
            tasks,
            scope: crate::text::sanitize(scope).into_owned(),
            prompt: Filter {
                text: String::new(),
                editing: true,
            },
            opts: None,
            search_id: None,
            files: Vec::new(),
            files_done: 0,
            hits: Vec::new(),
            matches: 0,
            counts: Vec::new(),
            binary: 0,
            failed_files: 0,
            cursor: Cursor::default(),
            finished: false,
            cancelled: false,
            error: None,
        }
    }

    pub fn running(&self) -> bool {
        self.search_id.is_some()
    }

    /// Forget the results of an earlier search.
    pub fn clear_results(&mut self) {
        self.files.clear();
        self.files_done = 0;
        self.hits.clear();
        self.matches = 0;
        self.counts.clear();
        self.binary = 0;
        self.failed_files = 0;
        self.cursor = Cursor::default();
        self.finished = false;
        self.cancelled = false;
        self.error = None;
    }
}

/// The options typed in the prompt: leading `-i` (ignore case), `-F` (fixed string) and
/// `-w` (whole words) flags, as grep takes them, then the pattern (`--` ends the flags).
pub fn parse_prompt(text: &str) -> SearchOptions {
    let mut opts = SearchOptions::default();
    let mut rest = text.trim_start();
    while let Some((flag, tail)) = rest.split_once(' ') {
        match flag {
            "-i" => opts.ignore_case = true,
            "-F" => opts.fixed = true,
            "-w" => opts.word = true,
            "--" => {
                rest = tail;
                break;
            }
            _ => break,
        }
        rest = tail.trim_start();
    }
    opts.pattern = rest.to_string();
    opts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompt_flags_lead_the_pattern() {
        let o = parse_prompt("-i -F a(b c");
        assert!(o.ignore_case && o.fixed && !o.word);
        assert_eq!(o.pattern, "a(b c");
        let o = parse_prompt("-- -i");
        assert_eq!(o.pattern, "-i");
        assert!(!o.ignore_case);
        assert_eq!(parse_prompt("-w").pattern, "-w");
        assert_eq!(parse_prompt("error [0-9]+").pattern, "error [0-9]+");
    }
}
