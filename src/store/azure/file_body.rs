//! Request bodies read from a local file while they are sent, so that a large upload
//! holds one read step per block in memory instead of the whole block.

use super::AzureStore;
use crate::store::{FileSlice, StoreError, StoreResult};
use azure_core::http::Body;
use azure_core::stream::SeekableStream;
use bytes::{Buf, Bytes};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::task::JoinHandle;

/// A [`FileSlice`] as a body the SDK can send and, for a retry, rewind.
#[derive(Debug)]
struct FileBody {
    slice: FileSlice,
    /// Bytes of the slice read from disk so far.
    pos: u64,
    /// Read but not yet handed to the HTTP layer.
    ready: Bytes,
    /// The read in progress on the blocking pool.
    reading: Option<JoinHandle<std::io::Result<Bytes>>>,
}

impl FileBody {
    fn new(slice: FileSlice) -> Self {
        FileBody {
            slice,
            pos: 0,
            ready: Bytes::new(),
            reading: None,
        }
    }
}

impl Clone for FileBody {
    /// A clone starts from the beginning (what a retry needs).
    fn clone(&self) -> Self {
        FileBody::new(self.slice.clone())
    }
}

impl futures::io::AsyncRead for FileBody {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut [u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = &mut *self;
        loop {
            if !this.ready.is_empty() {
                let n = out.len().min(this.ready.len());
                out[..n].copy_from_slice(&this.ready[..n]);
                this.ready.advance(n);
                return Poll::Ready(Ok(n));
            }
            if this.reading.is_none() {
                if this.pos >= this.slice.len {
                    return Poll::Ready(Ok(0));
                }
                let (slice, at) = (this.slice.clone(), this.pos);
                let n = FileSlice::STEP.min(slice.len - at) as usize;
                // Disk reads stay off the async threads.
                this.reading = Some(tokio::task::spawn_blocking(move || slice.read_at(at, n)));
            }
            // Set just above when it was None.
            #[allow(clippy::expect_used)]
            let reading = this.reading.as_mut().expect("a read is in progress");
            let read = std::task::ready!(Pin::new(reading).poll(cx));
            this.reading = None;
            let data = read.map_err(std::io::Error::other)??;
            this.pos += data.len() as u64;
            this.ready = data;
        }
    }
}

#[async_trait::async_trait]
impl SeekableStream for FileBody {
    async fn reset(&mut self) -> azure_core::Result<()> {
        // Before a retry: a file that shrank will not get any longer; stop here.
        self.slice.check_len().map_err(|e| {
            azure_core::Error::with_error(
                azure_core::error::ErrorKind::Other,
                e,
                "the file changed",
            )
        })?;
        *self = FileBody::new(self.slice.clone());
        Ok(())
    }

    fn len(&self) -> Option<u64> {
        Some(self.slice.len)
    }

    fn buffer_size(&self) -> usize {
        // What the SDK asks of us per poll; our disk reads are FileSlice::STEP.
        256 * 1024
    }
}

impl AzureStore {
    pub(super) async fn stage_block_streamed(
        &self,
        container: &str,
        blob: &str,
        block_id: &str,
        slice: &FileSlice,
    ) -> StoreResult<()> {
        slice
            .check_len()
            .map_err(|e| StoreError::io("cannot read the file being saved", e))?;
        let body = Body::SeekableStream(Box::new(FileBody::new(slice.clone())));
        self.stage_block_body(container, blob, block_id, slice.len, body)
            .await
    }
}
