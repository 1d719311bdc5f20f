//! Append blobs: create if missing (never truncating), Append Block at an expected position.

use super::errors;
use super::{headers, AzureStore};
use crate::store::*;
use azure_core::http::RequestContent;
use azure_storage_blob::models::{
    AppendBlobClientAppendBlockOptions, AppendBlobClientCreateOptions,
};

impl AzureStore {
    pub(super) async fn create_append_if_missing(
        &self,
        container: &str,
        blob: &str,
        options: &PutOptions,
    ) -> StoreResult<(BlobInfo, bool)> {
        let op = self.op(container, Some(blob));
        let client = self
            .client
            .blob_client(container, blob)
            .map_err(|e| errors::from_sdk(e, op))?
            .append_blob_client();
        let o = AppendBlobClientCreateOptions {
            blob_content_type: options.content_type.clone(),
            blob_content_md5: options.content_md5.map(|m| m.to_vec()),
            metadata: (!options.metadata.is_empty()).then(|| {
                options
                    .metadata
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            }),
            // Never truncate: create only when no blob of that name exists.
            if_none_match: Some("*".to_string().into()),
            ..Default::default()
        };
        let created = match client.create(Some(o)).await {
            Ok(_) => true,
            Err(e) if matches!(e.http_status().map(u16::from), Some(409 | 412)) => false,
            Err(e) => return Err(errors::from_sdk(e, op)),
        };
        let info = self.get_blob_info(container, blob).await?;
        if info.blob_type != BlobType::Append {
            return Err(StoreError::BlobTypeMismatch {
                blob: blob.to_string(),
                expected: "append",
                found: "block",
            });
        }
        Ok((info, created))
    }

    pub(super) async fn append_at(
        &self,
        container: &str,
        blob: &str,
        data: Bytes,
        expected_position: u64,
    ) -> StoreResult<BlobInfo> {
        let op = self.op(container, Some(blob));
        if data.len() > MAX_APPEND_BLOCK {
            return Err(StoreError::InvalidName(format!(
                "append block of {} bytes is over the {} byte limit",
                data.len(),
                MAX_APPEND_BLOCK
            )));
        }
        let client = self
            .client
            .blob_client(container, blob)
            .map_err(|e| errors::from_sdk(e, op))?
            .append_blob_client();
        let len = data.len() as u64;
        let o = AppendBlobClientAppendBlockOptions {
            append_position: Some(expected_position as i64),
            ..Default::default()
        };
        match client.append_block(<RequestContent<azure_core::Bytes, azure_core::http::NoFormat> as From<Bytes>>::from(data), len, Some(o)).await {
            Ok(rsp) => {
                let h = rsp.headers();
                let offset: u64 = headers::get(h, "x-ms-blob-append-offset").and_then(|v| v.parse().ok()).unwrap_or(expected_position);
                Ok(BlobInfo {
                    name: blob.to_string(),
                    len: offset + len,
                    etag: headers::etag(h),
                    last_modified: headers::last_modified(h),
                    blob_type: BlobType::Append,
                    content_md5: None,
                    content_type: None,
                    committed_blocks: headers::get(h, "x-ms-blob-committed-block-count").and_then(|v| v.parse().ok()),
                    metadata: Default::default(),
                })
            }
            Err(e) => match errors::from_sdk(e, op) {
                StoreError::AppendPositionMismatch { .. } => {
                    let actual = self.get_blob_info(container, blob).await.ok().map(|i| i.len);
                    Err(StoreError::AppendPositionMismatch { blob: blob.to_string(), expected: expected_position, actual })
                }
                StoreError::BlobTypeMismatch { .. } => {
                    Err(StoreError::BlobTypeMismatch { blob: blob.to_string(), expected: "append", found: "block" })
                }
                other => Err(other),
            },
        }
    }
}
