//! Containers, block blobs, properties, ranged reads, deletes.

use super::errors::{self, Failure};
use super::{headers, AzureStore};
use crate::store::*;
use azure_core::http::{Body, Method, NoFormat, RawResponse, Request, RequestContent};
use azure_storage_blob::models::{
    BlobContainerClientCreateOptions, BlockBlobClientCommitBlockListOptions, BlockLookupList,
};
use base64::Engine as _;

/// How often a write retries when another writer changed the blob between our type check
/// and our conditional write.
const WRITE_RACE_ATTEMPTS: usize = 3;
/// What the service records when a write names no content type.
const DEFAULT_CONTENT_TYPE: &str = "application/octet-stream";

pub(super) fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

impl AzureStore {
    pub(super) fn failure(
        &self,
        rsp: RawResponse,
        container: &str,
        blob: Option<&str>,
    ) -> StoreError {
        let (status, h, body) = rsp.deconstruct();
        errors::from_failure(
            &Failure::from_response(u16::from(status), &h, &body),
            self.op(container, blob),
        )
    }

    pub(super) async fn get_blob_info(&self, container: &str, blob: &str) -> StoreResult<BlobInfo> {
        let op = self.op(container, Some(blob));
        let client = self
            .client
            .blob_client(container, blob)
            .map_err(|e| errors::from_sdk(e, op))?;
        let rsp = client
            .get_properties(None)
            .await
            .map_err(|e| errors::from_sdk(e, op))?;
        Ok(headers::blob_info(blob, rsp.headers()))
    }

    /// Properties, or None when the blob does not exist.
    pub(super) async fn existing(
        &self,
        container: &str,
        blob: &str,
    ) -> StoreResult<Option<BlobInfo>> {
        match self.get_blob_info(container, blob).await {
            Ok(i) => Ok(Some(i)),
            Err(StoreError::BlobNotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub(super) async fn read_blob_range(
        &self,
        container: &str,
        blob: &str,
        range: ByteRange,
        if_match: Option<&str>,
    ) -> StoreResult<RangeData> {
        if range.len == Some(0) {
            // Azure has no empty range: answer from the properties.
            return self
                .empty_read(container, blob, range.start, if_match)
                .await;
        }
        let mut req = Request::new(self.client.blob_url(container, blob), Method::Get);
        let spec = match range.len {
            Some(n) => format!(
                "bytes={}-{}",
                range.start,
                range.start.saturating_add(n) - 1
            ),
            None => format!("bytes={}-", range.start),
        };
        req.insert_header("x-ms-range", spec);
        if let Some(etag) = if_match {
            req.insert_header("if-match", etag.to_string());
        }
        let rsp = self.send_read(req, container, blob).await?;
        let status = u16::from(rsp.status());
        match status {
            200 | 206 => {
                let (_, h, body) = rsp.deconstruct();
                let data = bytes::Bytes::from(body);
                let (start, total_len) =
                    headers::content_range(&h).unwrap_or((0, data.len() as u64));
                // Azure answers 416 here; Azurite answers an empty success.
                if range.start >= total_len && total_len > 0 {
                    return Err(StoreError::InvalidRange {
                        blob: blob.to_string(),
                        start: range.start,
                        len: total_len,
                    });
                }
                let content_md5 = headers::blob_md5_of_read(&h, status);
                Ok(RangeData {
                    data,
                    start,
                    total_len,
                    etag: headers::etag(&h),
                    blob_type: headers::blob_type(&h),
                    last_modified: headers::last_modified(&h),
                    content_md5,
                })
            }
            416 => {
                self.empty_read(container, blob, range.start, if_match)
                    .await
            }
            _ => Err(self.failure(rsp, container, Some(blob))),
        }
    }

    /// Send a read; a connection cut while the body streams (after the pipeline's retries
    /// are done with it) is retried here, a read being safe to repeat.
    async fn send_read(
        &self,
        req: Request,
        container: &str,
        blob: &str,
    ) -> StoreResult<RawResponse> {
        const BODY_ATTEMPTS: usize = 3;
        let mut attempt = 1;
        loop {
            match self.client.send(req.clone()).await {
                Ok(rsp) => return Ok(rsp),
                Err(e)
                    if attempt < BODY_ATTEMPTS
                        && matches!(e.kind(), azure_core::error::ErrorKind::Io) =>
                {
                    attempt += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(100 * attempt as u64))
                        .await;
                }
                Err(e) => return Err(errors::from_transport(e, self.op(container, Some(blob)))),
            }
        }
    }

    /// A read that yields no bytes: fine at offset 0 of an empty blob, and for a zero-length
    /// range inside the blob; past the end it is InvalidRange.
    pub(super) async fn empty_read(
        &self,
        container: &str,
        blob: &str,
        start: u64,
        if_match: Option<&str>,
    ) -> StoreResult<RangeData> {
        let info = self.get_blob_info(container, blob).await?;
        if let Some(etag) = if_match {
            if etag != info.etag {
                return Err(StoreError::ConditionNotMet {
                    blob: blob.to_string(),
                });
            }
        }
        if start > info.len || (start == info.len && info.len > 0) {
            return Err(StoreError::InvalidRange {
                blob: blob.to_string(),
                start,
                len: info.len,
            });
        }
        Ok(RangeData {
            data: bytes::Bytes::new(),
            start,
            total_len: info.len,
            etag: info.etag,
            blob_type: info.blob_type,
            last_modified: info.last_modified,
            content_md5: info.content_md5,
        })
    }

    pub(super) async fn create_container_if_missing(
        &self,
        container: &str,
        metadata: &BTreeMap<String, String>,
    ) -> StoreResult<bool> {
        let op = self.op(container, None);
        let client = self
            .client
            .container_client(container, &[])
            .map_err(|e| errors::from_sdk(e, op))?;
        let options = BlobContainerClientCreateOptions {
            metadata: (!metadata.is_empty()).then(|| {
                metadata
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            }),
            ..Default::default()
        };
        match client.create(Some(options)).await {
            Ok(_) => Ok(true),
            Err(e) if e.http_status().map(u16::from) == Some(409) => Ok(false),
            Err(e) => Err(errors::from_sdk(e, op)),
        }
    }

    /// Check the blob is not an append blob and give the condition that makes our write
    /// fail if someone else writes in between.
    async fn block_write_condition(
        &self,
        container: &str,
        blob: &str,
    ) -> StoreResult<(&'static str, String)> {
        match self.existing(container, blob).await? {
            Some(i) if i.blob_type == BlobType::Append => Err(StoreError::BlobTypeMismatch {
                blob: blob.to_string(),
                expected: "block",
                found: "append",
            }),
            Some(i) => Ok(("if-match", i.etag)),
            None => Ok(("if-none-match", "*".to_string())),
        }
    }

    pub(super) async fn put_whole_block_blob(
        &self,
        container: &str,
        blob: &str,
        data: Bytes,
        options: &PutOptions,
    ) -> StoreResult<BlobInfo> {
        for attempt in 1..=WRITE_RACE_ATTEMPTS {
            let (cond, value) = self.block_write_condition(container, blob).await?;
            let mut req = Request::new(self.client.blob_url(container, blob), Method::Put);
            req.insert_header("x-ms-blob-type", "BlockBlob");
            req.insert_header("content-length", data.len().to_string());
            req.insert_header(cond, value);
            put_headers(&mut req, options);
            req.set_body(data.clone());
            let rsp = self
                .client
                .send(req)
                .await
                .map_err(|e| errors::from_transport(e, self.op(container, Some(blob))))?;
            match u16::from(rsp.status()) {
                201 => {
                    // The answer has what changed; the rest we just sent (no extra request).
                    let h = rsp.headers();
                    return Ok(BlobInfo {
                        name: blob.to_string(),
                        len: data.len() as u64,
                        etag: headers::etag(h),
                        last_modified: headers::last_modified(h),
                        blob_type: BlobType::Block,
                        content_md5: options.content_md5.or_else(|| {
                            headers::get(h, "content-md5").and_then(super::xml::parse_md5)
                        }),
                        content_type: Some(
                            options
                                .content_type
                                .clone()
                                .unwrap_or_else(|| DEFAULT_CONTENT_TYPE.to_string()),
                        ),
                        committed_blocks: None,
                        metadata: options.metadata.clone(),
                    });
                }
                // Someone wrote the blob since we looked: look again.
                412 | 409 if attempt < WRITE_RACE_ATTEMPTS => continue,
                _ => return Err(self.failure(rsp, container, Some(blob))),
            }
        }
        unreachable!("the loop returns on its last attempt")
    }

    pub(super) async fn stage_one_block(
        &self,
        container: &str,
        blob: &str,
        block_id: &str,
        data: Bytes,
    ) -> StoreResult<()> {
        let len = data.len() as u64;
        self.stage_block_body(container, blob, block_id, len, Body::Bytes(data))
            .await
    }

    /// Put Block with `len` bytes of `body` (in memory, or streamed from a file).
    pub(super) async fn stage_block_body(
        &self,
        container: &str,
        blob: &str,
        block_id: &str,
        len: u64,
        body: Body,
    ) -> StoreResult<()> {
        let op = self.op(container, Some(blob));
        let id = base64::engine::general_purpose::STANDARD
            .decode(block_id)
            .map_err(|_| StoreError::InvalidName(format!("block id {block_id:?} is not base64")))?;
        let client = self
            .client
            .blob_client(container, blob)
            .map_err(|e| errors::from_sdk(e, op))?
            .block_blob_client();
        // The trait, not RequestContent's inherent `from(Vec<u8>)`.
        let content = <RequestContent<azure_core::Bytes, NoFormat> as From<Body>>::from(body);
        client
            .stage_block(&id, len, content, None)
            .await
            .map_err(|e| errors::from_sdk(e, op))?;
        Ok(())
    }

    pub(super) async fn commit_blocks(
        &self,
        container: &str,
        blob: &str,
        block_ids: &[String],
        options: &PutOptions,
    ) -> StoreResult<BlobInfo> {
        let op = self.op(container, Some(blob));
        let ids = block_ids
            .iter()
            .map(|id| {
                base64::engine::general_purpose::STANDARD
                    .decode(id)
                    .map_err(|_| StoreError::InvalidName(format!("block id {id:?} is not base64")))
            })
            .collect::<StoreResult<Vec<Vec<u8>>>>()?;
        let client = self
            .client
            .blob_client(container, blob)
            .map_err(|e| errors::from_sdk(e, op))?
            .block_blob_client();
        for attempt in 1..=WRITE_RACE_ATTEMPTS {
            let (cond, value) = self.block_write_condition(container, blob).await?;
            let list = BlockLookupList {
                latest: Some(ids.clone()),
                ..Default::default()
            };
            let content = RequestContent::try_from(list).map_err(|e| errors::from_sdk(e, op))?;
            let mut o = BlockBlobClientCommitBlockListOptions {
                blob_content_type: options.content_type.clone(),
                blob_content_md5: options.content_md5.map(|m| m.to_vec()),
                metadata: (!options.metadata.is_empty()).then(|| {
                    options
                        .metadata
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect()
                }),
                ..Default::default()
            };
            if cond == "if-match" {
                o.if_match = Some(value.into());
            } else {
                o.if_none_match = Some(value.into());
            }
            match client.commit_block_list(content, Some(o)).await {
                Ok(_) => return self.get_blob_info(container, blob).await,
                Err(e)
                    if attempt < WRITE_RACE_ATTEMPTS
                        && matches!(e.http_status().map(u16::from), Some(412 | 409)) =>
                {
                    continue
                }
                Err(e) => return Err(errors::from_sdk(e, op)),
            }
        }
        unreachable!("the loop returns on its last attempt")
    }

    pub(super) async fn delete_one_blob(&self, container: &str, blob: &str) -> StoreResult<()> {
        let op = self.op(container, Some(blob));
        let client = self
            .client
            .blob_client(container, blob)
            .map_err(|e| errors::from_sdk(e, op))?;
        client
            .delete(None)
            .await
            .map_err(|e| errors::from_sdk(e, op))?;
        Ok(())
    }
}

/// Content type, MD5 and metadata headers of Put Blob.
pub(super) fn put_headers(req: &mut Request, options: &PutOptions) {
    if let Some(ct) = &options.content_type {
        req.insert_header("x-ms-blob-content-type", ct.clone());
    }
    if let Some(md5) = &options.content_md5 {
        req.insert_header("x-ms-blob-content-md5", b64(md5));
    }
    for (k, v) in &options.metadata {
        req.insert_header(format!("x-ms-meta-{k}"), v.clone());
    }
}
