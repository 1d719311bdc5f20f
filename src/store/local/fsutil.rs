//! Small file-system helpers: temp files that vanish unless persisted, cross-process locks.

use crate::store::{StoreError, StoreResult};
use fs4::fs_std::FileExt;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

/// A file being written in the container's tmp folder; removed on drop unless renamed.
pub(super) struct TempFile {
    pub path: PathBuf,
    pub file: File,
    durable: bool,
    done: bool,
}

impl TempFile {
    pub fn create(dir: &Path, durable: bool) -> StoreResult<TempFile> {
        let path = dir.join(format!("{:016x}.tmp", rand::random::<u64>()));
        let file = OpenOptions::new()
            .write(true)
            .read(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| StoreError::io(format!("cannot create {}", path.display()), e))?;
        Ok(TempFile {
            path,
            file,
            durable,
            done: false,
        })
    }

    /// Flush the bytes to disk (before taking any lock: fsync is the slow part).
    pub fn sync(&self) -> StoreResult<()> {
        if !self.durable {
            return Ok(());
        }
        self.file
            .sync_all()
            .map_err(|e| StoreError::io("cannot flush a new blob to disk", e))
    }

    /// Rename over `target` (atomic: readers see the old or the new file). Call
    /// [`TempFile::sync`] first.
    pub fn rename_to(mut self, target: &Path) -> StoreResult<()> {
        std::fs::rename(&self.path, target)
            .map_err(|e| StoreError::io(format!("cannot write {}", target.display()), e))?;
        self.done = true;
        Ok(())
    }

    /// fsync, then rename over `target`.
    pub fn persist(self, target: &Path) -> StoreResult<()> {
        self.sync()?;
        self.rename_to(target)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// An exclusive lock on a lock file, shared by every process using the store; released
/// when dropped (closing the file releases a flock).
pub(super) struct LockGuard {
    _file: File,
}

pub(super) fn lock_exclusive(path: &Path) -> StoreResult<LockGuard> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| StoreError::io(format!("cannot open lock {}", path.display()), e))?;
    FileExt::lock_exclusive(&file)
        .map_err(|e| StoreError::io(format!("cannot lock {}", path.display()), e))?;
    Ok(LockGuard { _file: file })
}

pub(super) fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> StoreError {
    let context = context.into();
    move |e| StoreError::io(context, e)
}
