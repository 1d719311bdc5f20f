//! Ranged reads of one blob version (pinned to its etag), under a shared memory budget.
//! Only what the store's request retries cannot see is retried here (`crate::store::retry`):
//! a body cut off or stalled after the answer began, a short read, a transactional MD5
//! mismatch. A failed request (throttling, 5xx, a refused connection) already had its
//! retries below the `Store` trait and fails the read.
//!
//! Large ranges are streamed: each chunk goes to the temp file as it arrives, so memory
//! per read is one write buffer, whatever the range size. Where the service offers a
//! transactional MD5 (ranges of at most 4 MiB) and it was asked for, the range is checked
//! against it; a mismatch is retried like a cut connection, then fails.

use super::safe_fs;
use super::shared::Shared;
use crate::store::retry::Retries;
use crate::store::{RangeStream, StoreError};
use bytes::{Bytes, BytesMut};
use futures::StreamExt;
use md5::{Digest, Md5};
use std::fs::File;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Why a range could not be read.
#[derive(Debug)]
pub enum FetchError {
    /// The blob is no longer the version being downloaded (etag, length or existence).
    Changed(String),
    Failed(String),
}

/// Bytes gathered before one write to the temp file (and so held per streamed read).
const WRITE_CHUNK: usize = 1 << 20;

/// What went wrong in one attempt.
enum Try {
    Changed(String),
    Fatal(String),
    /// Worth another attempt.
    Again(String),
}

/// Read `len` bytes at `start` into memory (small blobs). Returns the bytes, the permit
/// that holds them in the memory budget, and whether a transactional MD5 checked them.
pub async fn read_small(
    sh: &Shared,
    container: &str,
    blob: &str,
    etag: &str,
    len: u64,
    with_md5: bool,
    mut on_retry: impl FnMut(&str),
) -> Result<(Bytes, tokio::sync::OwnedSemaphorePermit, bool), FetchError> {
    let permit = sh.budget_permit(len).await;
    let mut retries = sh.retry.start();
    loop {
        let problem = match read_once(sh, container, blob, etag, len, with_md5).await {
            Ok((data, checked)) => return Ok((data, permit, checked)),
            Err(t) => t,
        };
        wait_or_give_up(&mut retries, problem, &mut on_retry).await?;
    }
}

async fn read_once(
    sh: &Shared,
    container: &str,
    blob: &str,
    etag: &str,
    len: u64,
    with_md5: bool,
) -> Result<(Bytes, bool), Try> {
    sh.pace(len).await;
    let mut rs = open(sh, container, blob, etag, 0, len, with_md5).await?;
    let mut buf = BytesMut::with_capacity(len as usize);
    while let Some(chunk) = next_chunk(sh, &mut rs).await? {
        buf.extend_from_slice(&chunk);
    }
    check_len(buf.len() as u64, &rs)?;
    if let Some(expected) = rs.range_md5 {
        check_md5(&Md5::digest(&buf).into(), &expected, rs.start)?;
    }
    Ok((buf.freeze(), rs.range_md5.is_some()))
}

/// Read range `[start, start + len)` into the same offsets of `file`, continuing after the
/// `range_done` bytes already there (from an earlier run, or before a break). `range_done`
/// grows as bytes are written, so progress and resume state see inside a range. After a
/// break only the rest is read again, except with a transactional MD5, where a range is
/// kept only once it checked out whole. Returns whether a transactional MD5 checked it.
#[allow(clippy::too_many_arguments)]
pub async fn fetch_range_into(
    sh: &Shared,
    container: &str,
    blob: &str,
    etag: &str,
    start: u64,
    len: u64,
    file: &Arc<File>,
    with_md5: bool,
    range_done: &AtomicU64,
    mut on_retry: impl FnMut(&str),
) -> Result<bool, FetchError> {
    let _permit = sh.budget_permit(WRITE_CHUNK as u64).await;
    let mut retries = sh.retry.start();
    loop {
        let done = range_done.load(Ordering::Relaxed).min(len);
        if done == len {
            return Ok(false);
        }
        let (s, n) = (start + done, len - done);
        let result = stream_once(sh, container, blob, etag, s, n, file, with_md5, range_done).await;
        let problem = match result {
            Ok(checked) => return Ok(checked),
            Err(t) => t,
        };
        wait_or_give_up(&mut retries, problem, &mut on_retry).await?;
    }
}

/// One streamed attempt; bytes written and trustworthy are added to `progress`.
#[allow(clippy::too_many_arguments)]
async fn stream_once(
    sh: &Shared,
    container: &str,
    blob: &str,
    etag: &str,
    start: u64,
    len: u64,
    file: &Arc<File>,
    with_md5: bool,
    progress: &AtomicU64,
) -> Result<bool, Try> {
    let mut rs = open(sh, container, blob, etag, start, len, with_md5).await?;
    let mut md5 = rs.range_md5.map(|m| (Md5::new(), m));
    let mut buf = BytesMut::with_capacity(WRITE_CHUNK);
    let mut written = 0u64;
    let result: Result<(), Try> = async {
        loop {
            let chunk = next_chunk(sh, &mut rs).await;
            let end = !matches!(chunk, Ok(Some(_)));
            if let Ok(Some(c)) = &chunk {
                // The bandwidth limit applies as bytes arrive (TCP then slows the sender).
                sh.pace(c.len() as u64).await;
                if let Some((h, _)) = &mut md5 {
                    h.update(c);
                }
                buf.extend_from_slice(c);
            }
            // Write full buffers, and what arrived before a break or the end.
            if buf.len() >= WRITE_CHUNK || (end && !buf.is_empty()) {
                let data = buf.split().freeze();
                let n = data.len() as u64;
                write_at(file, data, start + written).await?;
                written += n;
                progress.fetch_add(n, Ordering::Relaxed);
            }
            match chunk {
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(t) => return Err(t),
            }
        }
        check_len(written, &rs)?;
        if let Some((h, expected)) = md5.take() {
            check_md5(&h.finalize().into(), &expected, start)?;
        }
        Ok(())
    }
    .await;
    match result {
        Ok(()) => Ok(rs.range_md5.is_some()),
        // A range with a transactional MD5 is kept only when it checked out as a whole.
        Err(t) if rs.range_md5.is_some() => {
            progress.fetch_sub(written, Ordering::Relaxed);
            Err(t)
        }
        Err(t) => Err(t),
    }
}

async fn write_at(file: &Arc<File>, data: Bytes, offset: u64) -> Result<(), Try> {
    let file = file.clone();
    tokio::task::spawn_blocking(move || safe_fs::write_at(&file, &data, offset))
        .await
        .map_err(|e| Try::Fatal(format!("internal error: {e}")))?
        .map_err(|e| Try::Fatal(format!("cannot write the temp file: {e}")))
}

/// Start a read of exactly `len` bytes at `start` of the version `etag`.
async fn open(
    sh: &Shared,
    container: &str,
    blob: &str,
    etag: &str,
    start: u64,
    len: u64,
    with_md5: bool,
) -> Result<RangeStream, Try> {
    let read = sh
        .store
        .read_range_stream(container, blob, start, len, Some(etag), with_md5);
    match tokio::time::timeout(sh.opts.request_timeout, read).await {
        Ok(Ok(rs)) if rs.etag != etag => Err(Try::Changed("its etag changed".into())),
        Ok(Ok(rs)) if rs.start != start || rs.len != len => Err(Try::Again(format!(
            "asked for {len} bytes at {start}, got {} at {}",
            rs.len, rs.start
        ))),
        Ok(Ok(rs)) => Ok(rs),
        Ok(Err(e)) => Err(classify(e, false)),
        Err(_) => Err(Try::Again(no_answer(sh))),
    }
}

/// The next chunk of the body; a body that stalls longer than the request timeout is
/// treated like a cut connection.
async fn next_chunk(sh: &Shared, rs: &mut RangeStream) -> Result<Option<Bytes>, Try> {
    match tokio::time::timeout(sh.opts.request_timeout, rs.body.next()).await {
        Ok(Some(Ok(c))) => Ok(Some(c)),
        Ok(Some(Err(e))) => Err(classify(e, true)),
        Ok(None) => Ok(None),
        Err(_) => Err(Try::Again(no_answer(sh))),
    }
}

fn check_len(got: u64, rs: &RangeStream) -> Result<(), Try> {
    if got == rs.len {
        Ok(())
    } else {
        Err(Try::Again(format!(
            "short read at byte {}: {got} of {} bytes",
            rs.start, rs.len
        )))
    }
}

fn check_md5(actual: &[u8; 16], expected: &[u8; 16], start: u64) -> Result<(), Try> {
    if actual == expected {
        Ok(())
    } else {
        Err(Try::Again(format!(
            "the range at byte {start} does not match its transactional MD5 (sent {}, got {})",
            super::verify::hex_md5(expected),
            super::verify::hex_md5(actual)
        )))
    }
}

/// `in_body`: the error broke a body already under way (the store's request retries are
/// over by then, so resuming it is this layer's job); otherwise the request itself failed
/// and was retried by the store already.
fn classify(e: StoreError, in_body: bool) -> Try {
    match e {
        StoreError::ConditionNotMet { .. } => Try::Changed("its etag changed".into()),
        StoreError::InvalidRange { .. } => Try::Changed("it became shorter".into()),
        e if e.is_not_found() => Try::Changed("it was deleted".into()),
        e if in_body && body_broke(&e) => Try::Again(e.to_string()),
        e => Try::Fatal(e.to_string()),
    }
}

fn no_answer(sh: &Shared) -> String {
    format!("no answer within {}s", sh.opts.request_timeout.as_secs())
}

/// After a failed attempt: a final error, or wait before the next attempt.
async fn wait_or_give_up(
    retries: &mut Retries<'_>,
    problem: Try,
    on_retry: &mut impl FnMut(&str),
) -> Result<(), FetchError> {
    let problem = match problem {
        Try::Changed(w) => return Err(FetchError::Changed(w)),
        Try::Fatal(e) => return Err(FetchError::Failed(e)),
        Try::Again(p) => p,
    };
    let Some(wait) = retries.wait() else {
        return Err(FetchError::Failed(format!(
            "{problem} (gave up after {} attempts)",
            retries.attempts()
        )));
    };
    on_retry(&format!("retrying after: {problem}"));
    tokio::time::sleep(wait).await;
    Ok(())
}

/// A body cut off mid-way: network-ish trouble a new request may not hit again. Status 0
/// is a client-side failure of the HTTP stack, not an answer of the service.
fn body_broke(e: &StoreError) -> bool {
    e.is_transient()
        || matches!(
            e,
            StoreError::Io { .. } | StoreError::Service { status: 0, .. }
        )
}
