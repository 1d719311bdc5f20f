//! Runs the preview's read ([`PreviewRequest`]): at most `max` bytes from the start, or
//! ending at the end (the length is asked first, so a multi-gigabyte log costs one small
//! read either way).

use super::Out;
use crate::store::{ByteRange, Store, StoreError, StoreResult};
use crate::tui::requests::preview::{Chunk, Part, PreviewMsg, PreviewRequest};
use std::sync::Arc;

/// Read and send one chunk (a failure becomes [`crate::tui::Msg::Failed`]).
pub async fn run(store: Arc<dyn Store>, req: PreviewRequest, out: Out<PreviewMsg>) {
    match read(&*store, &req).await {
        Ok(chunk) => {
            out.send(PreviewMsg::Read(chunk));
        }
        Err(e) => out.fail(e.to_string()),
    }
}

async fn read(store: &dyn Store, req: &PreviewRequest) -> StoreResult<Chunk> {
    let PreviewRequest {
        container,
        blob,
        part,
        max,
    } = req;
    let start = match part {
        Part::Head => 0,
        Part::Tail => store
            .blob_info(container, blob)
            .await?
            .len
            .saturating_sub(*max),
    };
    match store
        .read_range(container, blob, ByteRange::new(start, *max), None)
        .await
    {
        Ok(r) => Ok(Chunk {
            data: r.data,
            start: r.start,
            total: r.total_len,
        }),
        // An empty blob has no byte 0 in some backends; show it as empty.
        Err(StoreError::InvalidRange { len: 0, .. }) => Ok(Chunk {
            data: bytes::Bytes::new(),
            start: 0,
            total: 0,
        }),
        Err(e) => Err(e),
    }
}
