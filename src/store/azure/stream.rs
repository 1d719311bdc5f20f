//! Streaming ranged reads: the response body is handed to the caller chunk by chunk as it
//! arrives, so a large download holds only what the HTTP layer buffers per request.

use super::errors::{self, Failure};
use super::{headers, AzureStore};
use crate::store::*;
use azure_core::http::{Method, Request};
use futures::StreamExt;

impl AzureStore {
    pub(super) async fn stream_blob_range(
        &self,
        container: &str,
        blob: &str,
        start: u64,
        len: u64,
        if_match: Option<&str>,
        with_md5: bool,
    ) -> StoreResult<RangeStream> {
        if len == 0 {
            let rd = self.empty_read(container, blob, start, if_match).await?;
            return Ok(RangeStream {
                start,
                len: 0,
                total_len: rd.total_len,
                etag: rd.etag,
                content_md5: rd.content_md5,
                range_md5: None,
                body: Box::pin(futures::stream::empty()),
            });
        }
        let op = self.op(container, Some(blob));
        let mut req = Request::new(self.client.blob_url(container, blob), Method::Get);
        req.insert_header("x-ms-range", format!("bytes={start}-{}", start + len - 1));
        // The service computes a range's MD5 only up to 4 MiB; asking beyond is an error.
        let ask_md5 = with_md5 && len <= MAX_RANGE_MD5;
        if ask_md5 {
            req.insert_header("x-ms-range-get-content-md5", "true");
        }
        if let Some(etag) = if_match {
            req.insert_header("if-match", etag.to_string());
        }
        let rsp = self
            .client
            .stream(req)
            .await
            .map_err(|e| errors::from_transport(e, op))?;
        let status = u16::from(rsp.status());
        let (_, h, body) = rsp.deconstruct();
        if !(status == 200 || status == 206) {
            // Failures are small XML documents: read them whole for the error mapping.
            let text = body.collect().await.unwrap_or_default();
            if status == 416 {
                // Past the end: the same answer as a buffered read gives.
                self.empty_read(container, blob, start, if_match).await?;
            }
            return Err(errors::from_failure(
                &Failure::from_response(status, &h, &text),
                op,
            ));
        }
        let (got_start, total_len) = headers::content_range(&h).unwrap_or((0, len));
        let got_len = headers::get(&h, "content-length")
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(len);
        // Azure answers 416 past the end; Azurite an empty success. A range that does not
        // lie inside the blob is InvalidRange either way (the service would clip it).
        if start.saturating_add(len) > total_len {
            return Err(StoreError::InvalidRange {
                blob: blob.to_string(),
                start,
                len: total_len,
            });
        }
        if got_start != start || got_len != len {
            return Err(StoreError::Corrupt(format!(
                "{blob}: asked for {len} bytes at {start}, the service sent {got_len} at {got_start}"
            )));
        }
        let content_md5 = headers::blob_md5_of_read(&h, status);
        let range_md5 = if ask_md5 {
            headers::get(&h, "content-md5").and_then(super::xml::parse_md5)
        } else {
            None
        };
        let name = blob.to_string();
        // A body that breaks off is an I/O error: the caller retries the rest of the range.
        let body = body.map(move |chunk| {
            chunk.map_err(|e| {
                StoreError::io(
                    format!("reading {name} broke off"),
                    std::io::Error::other(e.to_string()),
                )
            })
        });
        Ok(RangeStream {
            start,
            len,
            total_len,
            etag: headers::etag(&h),
            content_md5,
            range_md5,
            body: Box::pin(body),
        })
    }
}
