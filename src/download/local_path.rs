//! Blob name -> a local path relative to the download folder, refusing anything that could
//! land outside it.
//!
//! Layout: `DIR/TASK/KIND/PATH` for task outputs and `DIR/_job/KIND/PATH` for job-level
//! outputs (KIND without its `$`; PATH keeps its folders). Blob names come from storage,
//! i.e. from whoever could write to the container, so every segment is checked: no empty,
//! `.` or `..` segments (which also rules out absolute paths), no backslashes, drive letters,
//! NUL or other control characters. Refused names are reported, never "cleaned up" into a
//! path the user did not expect.

use crate::conventions::Scope;
use std::path::PathBuf;

/// The folder of job-level outputs inside the download folder.
pub const JOB_FOLDER: &str = "_job";

/// The relative local path of a file, or why it is refused.
pub fn local_relative_path(scope: &Scope, kind: &str, path: &str) -> Result<PathBuf, String> {
    let first = match scope {
        Scope::Job => JOB_FOLDER,
        Scope::Task(t) => t.as_str(),
    };
    check_segment(first).map_err(|r| format!("task id {r}"))?;
    check_segment(kind).map_err(|r| format!("kind {r}"))?;
    let mut out = PathBuf::from(first);
    out.push(kind);
    if path.is_empty() {
        return Err("the file path is empty".into());
    }
    if path.starts_with('/') {
        return Err("the file path is absolute (starts with '/')".into());
    }
    for seg in path.split('/') {
        check_segment(seg).map_err(|r| format!("file path {r}"))?;
        out.push(seg);
    }
    Ok(out)
}

/// Why one path segment is unsafe, if it is.
fn check_segment(seg: &str) -> Result<(), String> {
    if seg.is_empty() {
        return Err("has an empty segment ('//', or a leading or trailing '/')".into());
    }
    if seg == "." || seg == ".." {
        return Err(format!("has a '{seg}' segment"));
    }
    if let Some(c) = seg.chars().find(|c| c.is_control()) {
        return Err(format!("contains the control character U+{:04X}", c as u32));
    }
    if seg.contains('\\') {
        return Err("contains a backslash".into());
    }
    let b = seg.as_bytes();
    if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
        return Err("starts with a drive letter".into());
    }
    if cfg!(windows) && seg.contains([':', '<', '>', '"', '|', '?', '*']) {
        return Err("contains a character Windows does not allow in file names".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(t: &str) -> Scope {
        Scope::Task(t.into())
    }

    #[test]
    fn layout_of_task_and_job_outputs() {
        assert_eq!(
            local_relative_path(&task("t1"), "TaskOutput", "out/a.txt").unwrap(),
            PathBuf::from("t1/TaskOutput/out/a.txt")
        );
        assert_eq!(
            local_relative_path(&Scope::Job, "JobOutput", "merged.mp4").unwrap(),
            PathBuf::from("_job/JobOutput/merged.mp4")
        );
    }

    #[test]
    fn hostile_paths_are_refused() {
        for p in [
            "../x",
            "a/../../x",
            "/etc/passwd",
            "a//b",
            "a/",
            "./a",
            "..",
            "a\\..\\b",
            "C:x",
            "c:/windows",
            "a\0b",
            "a\nb",
            "\u{1b}[31m",
            "",
        ] {
            assert!(
                local_relative_path(&task("t"), "TaskOutput", p).is_err(),
                "{p:?} accepted"
            );
        }
        assert!(local_relative_path(&task("t"), "..", "x").is_err());
        assert!(local_relative_path(&task(".."), "K", "x").is_err());
    }

    #[test]
    fn ordinary_odd_names_are_kept() {
        for p in ["log 12:00.txt", "ünï/cödé.txt", "...", ".hidden", "a..b"] {
            if cfg!(windows) && p.contains(':') {
                continue;
            }
            assert!(
                local_relative_path(&task("t"), "TaskOutput", p).is_ok(),
                "{p:?} refused"
            );
        }
    }
}
