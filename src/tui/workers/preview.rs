//! Runs the preview's read ([`PreviewRequest`]): at most `max` bytes from the start, or
//! ending at the end (the length is asked first, so a multi-gigabyte log costs one small
//! read either way). A head that starts like an image (and images are on) is read whole,
//! up to [`MAX_IMAGE_BYTES`], then decoded and fitted on a blocking thread.

use super::{image, Out};
use crate::store::{ByteRange, Store, StoreError, StoreResult};
use crate::tui::format;
use crate::tui::picture::{Picture, MAX_IMAGE_BYTES};
use crate::tui::requests::preview::{Chunk, FitRequest, Part, PreviewMsg, PreviewRequest};
use ratatui_image::picker::Picker;
use std::sync::Arc;

/// Read and send one chunk, or one image (a failure becomes [`crate::tui::Msg::Failed`]).
pub async fn run(
    store: Arc<dyn Store>,
    req: PreviewRequest,
    picker: Option<Picker>,
    out: Out<PreviewMsg>,
) {
    match read(&*store, &req).await {
        Ok(chunk) => {
            let is_image = req.part == Part::Head && image::format_of(&chunk.data).is_some();
            match picker {
                Some(p) if is_image => send_image(&*store, &req, chunk, p, &out).await,
                _ => {
                    out.send(PreviewMsg::Read(chunk));
                }
            }
        }
        Err(e) => out.fail(e.to_string()),
    }
}

/// Fit an image already decoded to a new pane size.
pub async fn fit(req: FitRequest, picker: Option<Picker>, out: Out<PreviewMsg>) {
    let Some(p) = picker else { return };
    let done = tokio::task::spawn_blocking(move || image::fit(&p, &req.picture.0, req.cells)).await;
    match done {
        Ok(Ok(fitted)) => {
            out.send(PreviewMsg::Fitted(fitted));
        }
        Ok(Err(e)) => out.fail(e),
        Err(e) => out.fail(format!("cannot draw the image: {e}")),
    }
}

async fn send_image(
    store: &dyn Store,
    req: &PreviewRequest,
    chunk: Chunk,
    picker: Picker,
    out: &Out<PreviewMsg>,
) {
    let refuse = |reason: String, chunk: Chunk| {
        out.send(PreviewMsg::ImageRefused { reason, chunk });
    };
    if chunk.total > MAX_IMAGE_BYTES {
        let reason = format!(
            "not decoded: this image is {}; a preview reads at most {} of an image \
             (download it to view it)",
            format::size(chunk.total),
            format::size(MAX_IMAGE_BYTES)
        );
        return refuse(reason, chunk);
    }
    let data = if (chunk.data.len() as u64) < chunk.total {
        match store
            .read_range(
                &req.container,
                &req.blob,
                ByteRange::new(0, chunk.total),
                None,
            )
            .await
        {
            Ok(r) => r.data,
            Err(e) => return out.fail(e.to_string()),
        }
    } else {
        chunk.data.clone()
    };
    let cells = req.cells;
    // Decoding a 4K frame takes a while: off the async threads. A decoder panic on a
    // hostile file ends this thread only, and shows as a refusal.
    let done = tokio::task::spawn_blocking(move || {
        let (img, info) = image::decode(&data)?;
        let fitted = image::fit(&picker, &img, cells)?;
        Ok::<_, String>((img, info, fitted))
    })
    .await;
    match done {
        Ok(Ok((img, info, fitted))) => {
            out.send(PreviewMsg::Image {
                info,
                picture: Picture(Arc::new(img)),
                fitted,
            });
        }
        Ok(Err(reason)) => refuse(reason, chunk),
        Err(_) => refuse("the image decoder failed on this file".into(), chunk),
    }
}

async fn read(store: &dyn Store, req: &PreviewRequest) -> StoreResult<Chunk> {
    let PreviewRequest {
        container,
        blob,
        part,
        max,
        ..
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
