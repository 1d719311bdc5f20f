//! Uploading one local file as a block blob: one request for small files, parallel staged
//! blocks for large ones, with memory bounded by a fixed pool of reused block buffers.
//! The whole file's MD5 is computed while reading (one pass, on the reading thread, so it
//! overlaps the uploads) and recorded as the blob's Content-MD5 on commit.

use super::error::{EngineError, EngineResult};
use super::retry;
use crate::store::{BlobInfo, PutOptions, Store};
use base64::Engine as _;
use bytes::{Bytes, BytesMut};
use md5::{Digest, Md5};
use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use tokio::task::JoinSet;

/// How large files are cut up and how many blocks are in flight at once.
/// Peak memory of one upload is about `(in_flight + 2) * block_size`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadOptions {
    pub block_size: usize,
    pub in_flight: usize,
}

impl Default for UploadOptions {
    fn default() -> Self {
        UploadOptions {
            block_size: 8 * 1024 * 1024,
            in_flight: 8,
        }
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
    if len <= block_size as u64 {
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
        let info =
            retry::idempotent(|| store.put_block_blob(container, blob, data.clone(), &put)).await?;
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
    // The pool holds every buffer the upload may ever use: the reader takes one per block
    // and the stage task gives it back, so memory stays bounded whatever the file size.
    let (pool_tx, pool_rx) = std::sync::mpsc::channel::<BytesMut>();
    for _ in 0..in_flight + 2 {
        let _ = pool_tx.send(BytesMut::new());
    }
    let (block_tx, mut block_rx) = tokio::sync::mpsc::channel::<(u32, Bytes)>(1);
    let reader =
        tokio::task::spawn_blocking(move || read_blocks(file, block_size, pool_rx, block_tx));

    let mut ids: Vec<String> = Vec::new();
    let mut staging: JoinSet<crate::store::StoreResult<()>> = JoinSet::new();
    let mut failure: Option<EngineError> = None;
    while let Some((index, data)) = block_rx.recv().await {
        while staging.len() >= in_flight {
            if let Some(Err(e)) = next_done(&mut staging).await {
                failure = Some(e);
                break;
            }
        }
        if failure.is_some() {
            break;
        }
        let id = block_id(index);
        ids.push(id.clone());
        let (store, container, blob, pool) = (
            store.clone(),
            container.to_string(),
            blob.to_string(),
            pool_tx.clone(),
        );
        staging.spawn(async move {
            let result =
                retry::idempotent(|| store.stage_block(&container, &blob, &id, data.clone())).await;
            // Reuse the buffer when nothing else holds it any more; otherwise a fresh one.
            let _ = pool.send(data.try_into_mut().unwrap_or_else(|_| BytesMut::new()));
            result
        });
    }
    drop(block_rx); // stops the reader if we broke out early
    drop(pool_tx);
    while failure.is_none() {
        match next_done(&mut staging).await {
            Some(Err(e)) => failure = Some(e),
            Some(Ok(())) => {}
            None => break,
        }
    }
    staging.abort_all();
    let read = reader
        .await
        .map_err(|e| EngineError::Failed(format!("reading thread failed: {e}")))?;
    if let Some(e) = failure {
        return Err(e);
    }
    let (md5, total) =
        read.map_err(|e| EngineError::io(format!("cannot read {}", path.display()), e))?;
    if total != len {
        return Err(changed_while_saving(path));
    }
    let put = PutOptions {
        content_type,
        content_md5: Some(md5),
        ..Default::default()
    };
    let info = retry::idempotent(|| store.commit_block_list(container, blob, &ids, &put)).await?;
    Ok(info)
}

/// Wait for one stage task; `None` when none is left.
async fn next_done(
    staging: &mut JoinSet<crate::store::StoreResult<()>>,
) -> Option<EngineResult<()>> {
    let joined = staging.join_next().await?;
    Some(match joined {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.into()),
        Err(e) => Err(EngineError::Failed(format!("upload task failed: {e}"))),
    })
}

/// The reading thread: blocks in order, MD5 of the whole file on the way.
/// Returns (MD5, bytes read); stops early when the uploader has gone.
fn read_blocks(
    mut file: std::fs::File,
    block_size: usize,
    pool: std::sync::mpsc::Receiver<BytesMut>,
    blocks: tokio::sync::mpsc::Sender<(u32, Bytes)>,
) -> std::io::Result<([u8; 16], u64)> {
    let mut md5 = Md5::new();
    let mut total = 0u64;
    let mut index = 0u32;
    loop {
        let Ok(mut buf) = pool.recv() else { break };
        buf.resize(block_size, 0);
        let n = read_full(&mut file, &mut buf)?;
        if n == 0 {
            break;
        }
        buf.truncate(n);
        md5.update(&buf);
        total += n as u64;
        if blocks.blocking_send((index, buf.freeze())).is_err() {
            break;
        }
        index += 1;
        if n < block_size {
            break;
        }
    }
    Ok((md5.finalize().into(), total))
}

fn read_full(file: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
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
