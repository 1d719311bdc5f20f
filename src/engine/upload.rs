//! Uploading one local file as a block blob: one request for small files, parallel staged
//! blocks for large ones. Blocks are read from disk while they are sent, so memory is a
//! read step per block in flight, whatever the block size. The whole file's MD5 is
//! computed on its own thread while the blocks go out and recorded as the blob's
//! Content-MD5 on commit; a file whose length or time changes meanwhile is refused.

use super::error::{EngineError, EngineResult};
use crate::store::{BlobInfo, FileSlice, PutOptions, Store};
use base64::Engine as _;
use bytes::Bytes;
use futures::StreamExt;
use md5::{Digest, Md5};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// How large files are cut up and how many blocks are in flight at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadOptions {
    /// Size of one staged block. Blocks stream from disk, so this costs requests, not
    /// memory: fewer, larger blocks mean less per-request work for the service.
    pub block_size: usize,
    /// Blocks being sent at once.
    pub in_flight: usize,
    /// Files up to this size (and up to `block_size`) go in one request, read into
    /// memory first; several such files are saved at once.
    pub single_put_max: usize,
}

impl Default for UploadOptions {
    fn default() -> Self {
        UploadOptions {
            block_size: 16 * 1024 * 1024,
            in_flight: 8,
            single_put_max: 8 * 1024 * 1024,
        }
    }
}

impl UploadOptions {
    /// Whether a file of `len` bytes goes in one request.
    pub fn is_single_put(&self, len: u64) -> bool {
        len <= self.block_size.min(self.single_put_max) as u64
    }
}

/// Most blocks a block blob may have.
const MAX_BLOCKS: u64 = 50_000;

/// The content type batchout records: from the file extension.
pub fn content_type_of(path: &Path) -> String {
    mime_guess::from_path(path)
        .first_raw()
        .unwrap_or("application/octet-stream")
        .to_string()
}

/// Upload `path` as block blob `blob`, replacing any block blob of that name.
pub async fn upload_file(
    store: &Arc<dyn Store>,
    container: &str,
    blob: &str,
    path: &Path,
    options: UploadOptions,
) -> EngineResult<BlobInfo> {
    let file = std::fs::File::open(path)
        .map_err(|e| EngineError::io(format!("cannot read {}", path.display()), e))?;
    let len = file
        .metadata()
        .map_err(|e| EngineError::io(format!("cannot read {}", path.display()), e))?
        .len();
    let content_type = Some(content_type_of(path));
    // Files too big for 50,000 blocks of the default size get larger blocks.
    let block_size = (options.block_size as u64).max(len.div_ceil(MAX_BLOCKS)) as usize;
    if options.is_single_put(len) {
        let data = tokio::task::spawn_blocking({
            let path = path.to_path_buf();
            move || {
                std::fs::read(&path)
                    .map_err(|e| EngineError::io(format!("cannot read {}", path.display()), e))
            }
        })
        .await
        .map_err(|e| EngineError::Failed(format!("reading thread failed: {e}")))??;
        if data.len() as u64 != len {
            return Err(changed_while_saving(path));
        }
        let md5: [u8; 16] = Md5::digest(&data).into();
        let put = PutOptions {
            content_type,
            content_md5: Some(md5),
            ..Default::default()
        };
        let data = Bytes::from(data);
        let info = store.put_block_blob(container, blob, data, &put).await?;
        return Ok(info);
    }
    upload_in_blocks(
        store,
        container,
        blob,
        path,
        file,
        len,
        block_size,
        options.in_flight.max(1),
        content_type,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn upload_in_blocks(
    store: &Arc<dyn Store>,
    container: &str,
    blob: &str,
    path: &Path,
    file: std::fs::File,
    len: u64,
    block_size: usize,
    in_flight: usize,
    content_type: Option<String>,
) -> EngineResult<BlobInfo> {
    let before = Snapshot::of(&file);
    let file = Arc::new(file);
    // The whole file's MD5 on its own thread, reading the file once more in order while
    // the blocks go out, so hashing is off the upload's critical path.
    let stop_hashing = Arc::new(AtomicBool::new(false));
    let hashing = tokio::task::spawn_blocking({
        let (file, stop) = (file.clone(), stop_hashing.clone());
        move || md5_of_file(&file, len, &stop)
    });
    let block = block_size as u64;
    let count = len.div_ceil(block);
    let ids: Vec<String> = (0..count).map(|i| block_id(i as u32)).collect();
    // Each block is read from disk while it is sent (Store::stage_block_from_file):
    // memory is a read step per block in flight, whatever the block size.
    let mut staging = futures::stream::iter(ids.iter().enumerate())
        .map(|(i, id)| {
            let slice = FileSlice {
                file: file.clone(),
                offset: i as u64 * block,
                len: block.min(len - i as u64 * block),
            };
            async move {
                store
                    .stage_block_from_file(container, blob, id, &slice)
                    .await
            }
        })
        .buffer_unordered(in_flight);
    let mut failure: Option<EngineError> = None;
    while let Some(result) = staging.next().await {
        if let Err(e) = result {
            failure = Some(e.into());
            break;
        }
    }
    drop(staging); // cancels the blocks still in flight after a failure
    if failure.is_some() {
        stop_hashing.store(true, Ordering::Relaxed);
    }
    let hashed = hashing
        .await
        .map_err(|e| EngineError::Failed(format!("hashing thread failed: {e}")))?;
    // A file that changed while it was read could give a blob whose bytes and MD5 differ.
    if before
        .map(|b| Some(b) != Snapshot::of(&file))
        .unwrap_or(false)
    {
        return Err(changed_while_saving(path));
    }
    if let Some(e) = failure {
        return Err(e);
    }
    let md5 = match hashed {
        Ok(md5) => md5,
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            return Err(changed_while_saving(path))
        }
        Err(e) => {
            return Err(EngineError::io(
                format!("cannot read {}", path.display()),
                e,
            ))
        }
    };
    let put = PutOptions {
        content_type,
        content_md5: Some(md5),
        ..Default::default()
    };
    let info = store.commit_block_list(container, blob, &ids, &put).await?;
    Ok(info)
}

/// What tells that a file changed: its length and modification time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Snapshot {
    len: u64,
    modified: Option<std::time::SystemTime>,
}

impl Snapshot {
    fn of(file: &std::fs::File) -> Option<Snapshot> {
        let m = file.metadata().ok()?;
        Some(Snapshot {
            len: m.len(),
            modified: m.modified().ok(),
        })
    }
}

/// MD5 of the first `len` bytes of `file`, read in order (positioned reads: the file is
/// shared with the block uploads). Stops early, with an error, when `stop` is set.
fn md5_of_file(file: &std::fs::File, len: u64, stop: &AtomicBool) -> std::io::Result<[u8; 16]> {
    // Checked between steps of 16 MiB, so a failed upload stops hashing soon.
    const CHECK_EVERY: u64 = 16 * FileSlice::STEP;
    let mut md5 = Md5::new();
    let mut buf = vec![0u8; FileSlice::STEP.min(len) as usize];
    let mut at = 0u64;
    while at < len {
        if stop.load(Ordering::Relaxed) {
            return Err(std::io::Error::other("upload stopped"));
        }
        let end = (at + CHECK_EVERY).min(len);
        crate::store::file_at::hash_range(file, at, end, &mut md5, &mut buf)?;
        at = end;
    }
    Ok(md5.finalize().into())
}

/// Block ids must have equal length within a blob.
fn block_id(index: u32) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("batchout-{index:08}"))
}

fn changed_while_saving(path: &Path) -> EngineError {
    EngineError::input(format!(
        "{} changed size while it was being saved; save it again once it is complete",
        path.display()
    ))
}
