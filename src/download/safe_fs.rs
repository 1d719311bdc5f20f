//! File system steps of a download that must never write outside the download folder:
//! creating folders without following symlinks planted inside it, opening temp files without
//! following links, and publishing a finished file without replacing one (unless asked).

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Component, Path, PathBuf};

/// Create the folders of `relative` (a path from `local_relative_path`, file name last)
/// below `root`, refusing any existing component that is a symlink or not a folder.
/// Returns the full path of the file.
pub fn prepare_parents(root: &Path, relative: &Path) -> Result<PathBuf, ParentError> {
    use ParentError::{Io as IoErr, Unsafe};
    let mut dir = root.to_path_buf();
    let comps: Vec<_> = relative.components().collect();
    let Some((_file, parents)) = comps.split_last() else {
        return Err(Unsafe("empty path".into()));
    };
    for c in parents {
        let Component::Normal(name) = c else {
            return Err(Unsafe(format!(
                "unexpected path component in {}",
                relative.display()
            )));
        };
        dir.push(name);
        match fs::symlink_metadata(&dir) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(Unsafe(format!(
                    "{} is a symbolic link; refusing to write through it",
                    dir.display()
                )))
            }
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                return Err(IoErr(format!(
                    "{} exists and is not a folder",
                    dir.display()
                )))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => match fs::create_dir(&dir) {
                Ok(()) => {}
                // Another download of the same run created it meanwhile.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && is_real_dir(&dir) => {}
                Err(e) => return Err(IoErr(format!("cannot create {}: {e}", dir.display()))),
            },
            Err(e) => return Err(IoErr(format!("cannot inspect {}: {e}", dir.display()))),
        }
    }
    Ok(root.join(relative))
}

/// Why the folders of a file could not be made.
#[derive(Debug, PartialEq)]
pub enum ParentError {
    /// Writing there could leave the download folder (a symlink inside it).
    Unsafe(String),
    Io(String),
}

fn is_real_dir(p: &Path) -> bool {
    fs::symlink_metadata(p).map(|m| m.is_dir()).unwrap_or(false)
}

fn no_follow(o: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NOFOLLOW);
    }
    o
}

/// Create a new temp file (any old one, or a link planted there, is removed first).
pub fn create_part(path: &Path, len: u64) -> io::Result<File> {
    match fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let f = no_follow(OpenOptions::new().read(true).write(true).create_new(true)).open(path)?;
    f.set_len(len)?;
    Ok(f)
}

/// Open an existing temp file to continue writing into it (never through a symlink).
pub fn open_part(path: &Path) -> io::Result<File> {
    no_follow(OpenOptions::new().read(true).write(true)).open(path)
}

/// Open a file for reading without following a symlink.
pub fn open_read(path: &Path) -> io::Result<File> {
    no_follow(OpenOptions::new().read(true)).open(path)
}

/// Outcome of publishing a temp file under its final name.
#[derive(Debug, PartialEq)]
pub enum Published {
    Done,
    /// Something appeared under the final name and `overwrite` is off.
    Exists,
}

/// Move the finished temp file to its final name. With `overwrite`, rename (which replaces
/// a file or a symlink itself, never what a link points to). Without, hard-link (atomic
/// "create if missing") and remove the temp name, falling back to a checked rename on file
/// systems without hard links.
pub fn publish(part: &Path, target: &Path, overwrite: bool) -> io::Result<Published> {
    if overwrite {
        fs::rename(part, target)?;
        return Ok(Published::Done);
    }
    match fs::hard_link(part, target) {
        Ok(()) => {
            fs::remove_file(part)?;
            Ok(Published::Done)
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(Published::Exists),
        Err(_) => {
            if fs::symlink_metadata(target).is_ok() {
                return Ok(Published::Exists);
            }
            fs::rename(part, target)?;
            Ok(Published::Done)
        }
    }
}

/// Write all of `buf` at `offset` (positional, so ranges can land in any order).
#[cfg(unix)]
pub fn write_at(file: &File, buf: &[u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, buf, offset)
}

#[cfg(windows)]
pub fn write_at(file: &File, mut buf: &[u8], mut offset: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        let n = file.seek_write(buf, offset)?;
        buf = &buf[n..];
        offset += n as u64;
    }
    Ok(())
}

/// Remove a file if it is there.
pub fn remove_if_present(path: &Path) {
    let _ = fs::remove_file(path);
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn symlinked_folder_inside_root_is_refused() {
        let outside = tempfile::tempdir().unwrap();
        let root = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), root.path().join("t1")).unwrap();
        let err = prepare_parents(root.path(), Path::new("t1/TaskOutput/a.txt")).unwrap_err();
        assert!(
            matches!(&err, ParentError::Unsafe(m) if m.contains("symbolic link")),
            "{err:?}"
        );
        assert_eq!(fs::read_dir(outside.path()).unwrap().count(), 0);
    }

    #[test]
    fn part_file_symlink_is_replaced_not_followed() {
        let outside = tempfile::tempdir().unwrap();
        let victim = outside.path().join("victim");
        fs::write(&victim, b"keep").unwrap();
        let root = tempfile::tempdir().unwrap();
        let part = root.path().join(".a.batchout-part");
        std::os::unix::fs::symlink(&victim, &part).unwrap();
        assert!(open_part(&part).is_err());
        create_part(&part, 10).unwrap();
        assert_eq!(fs::read(&victim).unwrap(), b"keep");
    }

    #[test]
    fn publish_without_overwrite_keeps_an_existing_file() {
        let root = tempfile::tempdir().unwrap();
        let part = root.path().join(".x.batchout-part");
        let target = root.path().join("x");
        fs::write(&part, b"new").unwrap();
        fs::write(&target, b"old").unwrap();
        assert_eq!(publish(&part, &target, false).unwrap(), Published::Exists);
        assert_eq!(fs::read(&target).unwrap(), b"old");
        assert_eq!(publish(&part, &target, true).unwrap(), Published::Done);
        assert_eq!(fs::read(&target).unwrap(), b"new");
        assert!(!part.exists());
    }
}
