//! Container and blob listings: one service page per call, through the SDK's pagers,
//! parsed by xml.rs (Blob and BlobPrefix entries in name order).

use super::errors::{self, Op};
use super::{headers, xml, AzureStore};
use crate::store::*;
use azure_storage_blob::models::{
    BlobContainerClientListBlobsOptions, BlobServiceClientListContainersOptions,
    ListBlobsIncludeItem, ListContainersIncludeType,
};
use futures::TryStreamExt;

impl AzureStore {
    pub(super) async fn list_containers_page(
        &self,
        prefix: &str,
        marker: Option<&str>,
    ) -> StoreResult<Page<ContainerInfo>> {
        let op = self.op("", None);
        if let Some(only) = self.client.endpoint.container.clone() {
            // A container SAS cannot list the account: the one container is the listing.
            if marker.is_some() || !only.starts_with(prefix) {
                return Ok(Page {
                    items: vec![],
                    next_marker: None,
                });
            }
            let info = self.container_info(&only).await?;
            return Ok(Page {
                items: vec![info],
                next_marker: None,
            });
        }
        let service = self
            .client
            .service_client()
            .map_err(|e| errors::from_sdk(e, op))?;
        let options = BlobServiceClientListContainersOptions {
            prefix: (!prefix.is_empty()).then(|| prefix.to_string()),
            marker: marker.map(str::to_string),
            maxresults: Some(MAX_PAGE as i32),
            include: Some(vec![ListContainersIncludeType::Metadata]),
            ..Default::default()
        };
        let mut pages = service
            .list_containers(Some(options))
            .map_err(|e| errors::from_sdk(e, op))?
            .into_pages();
        let Some(page) = pages
            .try_next()
            .await
            .map_err(|e| errors::from_sdk(e, op))?
        else {
            return Ok(Page {
                items: vec![],
                next_marker: None,
            });
        };
        let parsed = xml::parse_container_page(&page.into_body()).map_err(StoreError::Corrupt)?;
        Ok(Page {
            items: parsed.items,
            next_marker: parsed.next_marker,
        })
    }

    pub(super) async fn get_container_info(&self, container: &str) -> StoreResult<ContainerInfo> {
        let op = self.op(container, None);
        let client = self
            .client
            .container_client(container, &[])
            .map_err(|e| errors::from_sdk(e, op))?;
        let rsp = client
            .get_properties(None)
            .await
            .map_err(|e| errors::from_sdk(e, op))?;
        Ok(headers::container_info(container, rsp.headers()))
    }

    pub(super) async fn list_blobs_page(
        &self,
        container: &str,
        query: &ListQuery,
        marker: Option<&str>,
    ) -> StoreResult<Page<ListItem>> {
        let op: Op<'_> = self.op(container, None);
        let delimiter = query.delimiter.map(|d| d.to_string());
        // The GA crate has no delimiter option; a query on the container URL is kept by
        // its pager and reaches the service.
        let extra: Vec<(&str, &str)> = delimiter
            .as_deref()
            .map(|d| vec![("delimiter", d)])
            .unwrap_or_default();
        let client = self
            .client
            .container_client(container, &extra)
            .map_err(|e| errors::from_sdk(e, op))?;
        let options = BlobContainerClientListBlobsOptions {
            prefix: (!query.prefix.is_empty()).then(|| query.prefix.clone()),
            marker: marker.map(str::to_string),
            maxresults: Some(query.max_results.unwrap_or(MAX_PAGE).clamp(1, MAX_PAGE) as i32),
            include: query
                .include_metadata
                .then(|| vec![ListBlobsIncludeItem::Metadata]),
            ..Default::default()
        };
        let mut pages = client
            .list_blobs(Some(options))
            .map_err(|e| errors::from_sdk(e, op))?
            .into_pages();
        let Some(page) = pages
            .try_next()
            .await
            .map_err(|e| errors::from_sdk(e, op))?
        else {
            return Ok(Page {
                items: vec![],
                next_marker: None,
            });
        };
        let parsed = xml::parse_blob_page(&page.into_body()).map_err(StoreError::Corrupt)?;
        Ok(Page {
            items: parsed.items,
            next_marker: parsed.next_marker,
        })
    }
}
