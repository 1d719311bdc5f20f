//! One file of a download: check what is already there, fetch into `.NAME.batchout-part`
//! (one read for small blobs, resumable parallel ranges for large ones: large.rs), verify,
//! and only then rename to the final name.

use super::events::{Outcome, TransferEvent};
use super::fetch::read_small;
use super::large::fetch_large;
use super::plan::PlannedFile;
use super::resume::temp_paths;
use super::safe_fs::{self, ParentError, Published};
use super::shared::Shared;
use super::step::{blocking, mismatch, notice, range_size_for, Fetched, Stop};
use super::verify::{is_identical, md5_of};
use crate::store::{BlobInfo, MAX_RANGE_MD5};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;
use tokio_util::sync::CancellationToken;

pub(super) async fn download_file(
    sh: &Shared,
    f: &PlannedFile,
    cancel: &CancellationToken,
) -> Outcome {
    let rel = match &f.local {
        Ok(p) => p.clone(),
        Err(reason) => {
            return Outcome::Refused {
                reason: reason.clone(),
            }
        }
    };
    let (root, blob, overwrite) = (sh.root.clone(), f.blob.clone(), sh.opts.overwrite);
    let target = match blocking(move || check_target(&root, &rel, &blob, overwrite)).await {
        Ok(Ok(t)) => t,
        Ok(Err(outcome)) => return outcome,
        Err(e) => return Outcome::Failed { error: e },
    };
    let (part, state) = temp_paths(&target);
    let mut blob = f.blob.clone();
    let mut restarts = 0;
    loop {
        let fetched = if blob.len <= range_size_for(sh, &blob).min(MAX_RANGE_MD5) {
            fetch_small(sh, f, &blob, &part, cancel).await
        } else {
            fetch_large(sh, f, &blob, &part, &state, cancel).await
        };
        match fetched {
            Ok(done) => return publish(sh, &blob, &part, &state, &target, done).await,
            Err(Stop::Changed(why)) => {
                safe_fs::remove_if_present(&part);
                safe_fs::remove_if_present(&state);
                restarts += 1;
                if restarts > sh.opts.max_restarts {
                    return Outcome::Failed {
                        error: format!("the blob changed {restarts} times while downloading (still being written?); try again later"),
                    };
                }
                match sh.store.blob_info(&f.container, &f.blob.name).await {
                    Ok(b) => {
                        sh.emit(TransferEvent::Notice {
                            id: f.id,
                            message: format!(
                                "the blob changed while downloading ({why}); starting over"
                            ),
                        });
                        blob = b;
                    }
                    Err(e) => {
                        return Outcome::Failed {
                            error: format!("the blob changed ({why}): {e}"),
                        }
                    }
                }
            }
            Err(Stop::Cancelled(done)) => return Outcome::Cancelled { done },
            Err(Stop::Failed(error)) => return Outcome::Failed { error },
        }
    }
}

/// Make the folders and look at what is under the final name. Err: the file is done
/// (identical, exists, refused or failed) without fetching anything.
fn check_target(
    root: &Path,
    rel: &Path,
    blob: &BlobInfo,
    overwrite: bool,
) -> Result<PathBuf, Outcome> {
    let target = safe_fs::prepare_parents(root, rel).map_err(|e| match e {
        ParentError::Unsafe(reason) => Outcome::Refused { reason },
        ParentError::Io(error) => Outcome::Failed { error },
    })?;
    let failed = |error: String| Outcome::Failed { error };
    match std::fs::symlink_metadata(&target) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(target),
        Err(e) => Err(failed(format!("cannot inspect {}: {e}", target.display()))),
        Ok(m) if m.is_dir() => Err(failed(format!(
            "a folder is in the way at {}",
            target.display()
        ))),
        Ok(m) if m.file_type().is_symlink() && !overwrite => Err(Outcome::Exists { path: target }),
        Ok(m) if m.file_type().is_symlink() => Ok(target),
        Ok(m) => match is_identical(&m, &target, blob) {
            Ok(true) => Err(Outcome::Identical),
            Ok(false) if overwrite => Ok(target),
            Ok(false) => Err(Outcome::Exists { path: target }),
            Err(e) => Err(failed(format!("cannot read {}: {e}", target.display()))),
        },
    }
}

/// One read for the whole blob; hashed and written in one blocking step.
async fn fetch_small(
    sh: &Shared,
    f: &PlannedFile,
    blob: &BlobInfo,
    part: &Path,
    cancel: &CancellationToken,
) -> Result<Fetched, Stop> {
    sh.emit(TransferEvent::Started {
        id: f.id,
        total: blob.len,
        resumed_from: 0,
    });
    // Without a Content-MD5 to check the whole file, the service's MD5 of the read checks it.
    let with_md5 = blob.content_md5.is_none();
    let (data, range_checked) = if blob.len == 0 {
        (bytes::Bytes::new(), false)
    } else {
        let read = read_small(
            sh,
            &f.container,
            &blob.name,
            &blob.etag,
            blob.len,
            with_md5,
            |m| notice(sh, f, m),
        );
        tokio::select! {
            biased;
            _ = cancel.cancelled() => return Err(Stop::Cancelled(0)),
            r = read => { let (d, _permit, c) = r?; (d, c) }
        }
    };
    let (part, expected, mtime) = (
        part.to_path_buf(),
        blob.content_md5,
        SystemTime::from(blob.last_modified),
    );
    blocking(move || -> Result<bool, String> {
        if let Some(expected) = expected {
            let actual = md5_of(&data);
            if actual != expected {
                return Err(mismatch(&expected, &actual));
            }
        }
        let write = || -> io::Result<()> {
            let mut file = safe_fs::create_part(&part, 0)?;
            file.write_all(&data)?;
            file.set_modified(mtime)
        };
        write().map_err(|e| format!("cannot write {}: {e}", part.display()))?;
        Ok(expected.is_some() || range_checked)
    })
    .await
    .map_err(Stop::Failed)?
    .map(|verified| Fetched {
        resumed_from: 0,
        verified,
    })
    .map_err(Stop::Failed)
}

/// Rename the complete temp file to its final name and drop the resume state.
async fn publish(
    sh: &Shared,
    blob: &BlobInfo,
    part: &Path,
    state: &Path,
    target: &Path,
    done: Fetched,
) -> Outcome {
    let (p, t, overwrite) = (part.to_path_buf(), target.to_path_buf(), sh.opts.overwrite);
    let published = blocking(move || safe_fs::publish(&p, &t, overwrite)).await;
    safe_fs::remove_if_present(state);
    match published {
        Ok(Ok(Published::Done)) => Outcome::Downloaded {
            bytes: blob.len,
            resumed_from: done.resumed_from,
            verified: done.verified,
        },
        Ok(Ok(Published::Exists)) => {
            safe_fs::remove_if_present(part);
            Outcome::Exists {
                path: target.to_path_buf(),
            }
        }
        Ok(Err(e)) => Outcome::Failed {
            error: format!("cannot rename to {}: {e}", target.display()),
        },
        Err(e) => Outcome::Failed { error: e },
    }
}
