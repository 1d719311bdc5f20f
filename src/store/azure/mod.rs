//! Azure Blob Storage backend on the official SDK crates (azure_storage_blob 1.x,
//! azure_identity 1.x).
//!
//! Most operations are SDK client calls; listing goes through the SDK's pagers with a raw
//! page parse (the GA crate has no `delimiter` and no BlobPrefix model), and ranged reads
//! and single-shot uploads are raw requests through the same SDK pipeline (for
//! Content-Range and one-request semantics). Shared Key signing, retries and the HTTP
//! transport are our policies inside the SDK pipeline (see client.rs).

mod append;
pub mod auth;
mod blobs;
pub mod client;
pub mod errors;
mod file_body;
mod headers;
pub mod identity;
mod listing;
mod metadata;
pub mod retry;
mod stream;
pub mod xml;

pub use auth::Credential;
pub use client::{ConnectSettings, Endpoint, API_VERSION};

use super::*;
use errors::Op;

/// Azurite's well-known development account (public, documented by Microsoft).
pub const AZURITE_ACCOUNT: &str = "devstoreaccount1";
/// Azurite's well-known development account key (public, documented by Microsoft).
pub const AZURITE_ACCOUNT_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
/// Azurite's default blob endpoint for that account.
pub const AZURITE_DEFAULT_ENDPOINT: &str = "http://127.0.0.1:10000/devstoreaccount1";

#[derive(Debug)]
pub struct AzureStore {
    client: client::Client,
    description: String,
}

impl AzureStore {
    pub fn new(endpoint: Endpoint) -> StoreResult<AzureStore> {
        Self::with_settings(endpoint, &ConnectSettings::default())
    }

    pub fn with_settings(
        endpoint: Endpoint,
        settings: &ConnectSettings,
    ) -> StoreResult<AzureStore> {
        let mut description = format!(
            "azure account {} ({})",
            endpoint.account_name,
            endpoint.account_url.as_str().trim_end_matches('/')
        );
        if let Some(c) = &endpoint.container {
            description = format!("{description}, container {c} only");
        }
        let client = client::Client::new(endpoint, settings).map_err(StoreError::Config)?;
        Ok(AzureStore {
            client,
            description,
        })
    }

    /// Shared Key access to an account at `account_url` (e.g. Azurite's
    /// `http://127.0.0.1:10000/devstoreaccount1`).
    pub fn with_account_key(
        account_url: &str,
        account: &str,
        key: &str,
    ) -> StoreResult<AzureStore> {
        let account_url = url::Url::parse(account_url)
            .map_err(|e| StoreError::Config(format!("invalid blob endpoint {account_url}: {e}")))?;
        Self::new(Endpoint {
            account_url,
            account_name: account.to_string(),
            container: None,
            credential: Credential::SharedKey {
                account: account.to_string(),
                key: key.to_string().into(),
            },
        })
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.client.endpoint
    }

    fn op<'a>(&'a self, container: &'a str, blob: Option<&'a str>) -> Op<'a> {
        Op {
            store: &self.description,
            account: &self.client.endpoint.account_name,
            auth: self.client.endpoint.credential.kind(),
            container,
            blob,
        }
    }

    /// A store made from a container SAS URL may only touch that container.
    fn check_container(&self, container: &str) -> StoreResult<()> {
        match &self.client.endpoint.container {
            Some(only) if only != container => Err(StoreError::Auth(format!(
                "this store is a URL for container {only} only; container {container} needs an account URL or account credentials"
            ))),
            _ => Ok(()),
        }
    }
}

#[async_trait]
impl Store for AzureStore {
    fn describe(&self) -> String {
        self.description.clone()
    }

    async fn list_containers(
        &self,
        prefix: &str,
        marker: Option<&str>,
    ) -> StoreResult<Page<ContainerInfo>> {
        self.list_containers_page(prefix, marker).await
    }

    async fn container_info(&self, container: &str) -> StoreResult<ContainerInfo> {
        self.check_container(container)?;
        match self.get_container_info(container).await {
            // A container SAS may lack the right to read container properties (Azure and
            // Azurite refuse Get Container Properties for most service SAS): a one-item
            // listing still proves the container exists.
            Err(StoreError::Auth(_)) if self.client.endpoint.container.is_some() => {
                self.list_blobs_page(container, &ListQuery::flat("").page_size(1), None)
                    .await?;
                Ok(ContainerInfo {
                    name: container.to_string(),
                    last_modified: time::OffsetDateTime::UNIX_EPOCH,
                    etag: String::new(),
                    metadata: BTreeMap::new(),
                })
            }
            other => other,
        }
    }

    async fn list_blobs(
        &self,
        container: &str,
        query: &ListQuery,
        marker: Option<&str>,
    ) -> StoreResult<Page<ListItem>> {
        self.check_container(container)?;
        self.list_blobs_page(container, query, marker).await
    }

    async fn blob_info(&self, container: &str, blob: &str) -> StoreResult<BlobInfo> {
        self.check_container(container)?;
        self.get_blob_info(container, blob).await
    }

    async fn read_range(
        &self,
        container: &str,
        blob: &str,
        range: ByteRange,
        if_match: Option<&str>,
    ) -> StoreResult<RangeData> {
        self.check_container(container)?;
        self.read_blob_range(container, blob, range, if_match).await
    }

    async fn read_range_stream(
        &self,
        container: &str,
        blob: &str,
        start: u64,
        len: u64,
        if_match: Option<&str>,
        with_md5: bool,
    ) -> StoreResult<RangeStream> {
        self.check_container(container)?;
        self.stream_blob_range(container, blob, start, len, if_match, with_md5)
            .await
    }

    async fn create_container(
        &self,
        container: &str,
        metadata: &BTreeMap<String, String>,
    ) -> StoreResult<bool> {
        self.check_container(container)?;
        self.create_container_if_missing(container, metadata).await
    }

    async fn put_block_blob(
        &self,
        container: &str,
        blob: &str,
        data: Bytes,
        options: &PutOptions,
    ) -> StoreResult<BlobInfo> {
        self.check_container(container)?;
        self.put_whole_block_blob(container, blob, data, options)
            .await
    }

    async fn stage_block(
        &self,
        container: &str,
        blob: &str,
        block_id: &str,
        data: Bytes,
    ) -> StoreResult<()> {
        self.check_container(container)?;
        self.stage_one_block(container, blob, block_id, data).await
    }

    async fn stage_block_from_file(
        &self,
        container: &str,
        blob: &str,
        block_id: &str,
        slice: &FileSlice,
    ) -> StoreResult<()> {
        self.check_container(container)?;
        self.stage_block_streamed(container, blob, block_id, slice)
            .await
    }

    async fn commit_block_list(
        &self,
        container: &str,
        blob: &str,
        block_ids: &[String],
        options: &PutOptions,
    ) -> StoreResult<BlobInfo> {
        self.check_container(container)?;
        self.commit_blocks(container, blob, block_ids, options)
            .await
    }

    async fn create_append_blob(
        &self,
        container: &str,
        blob: &str,
        options: &PutOptions,
    ) -> StoreResult<(BlobInfo, bool)> {
        self.check_container(container)?;
        self.create_append_if_missing(container, blob, options)
            .await
    }

    async fn append_block(
        &self,
        container: &str,
        blob: &str,
        data: Bytes,
        expected_position: u64,
    ) -> StoreResult<BlobInfo> {
        self.check_container(container)?;
        self.append_at(container, blob, data, expected_position)
            .await
    }

    async fn set_blob_metadata(
        &self,
        container: &str,
        blob: &str,
        metadata: &BTreeMap<String, String>,
    ) -> StoreResult<()> {
        self.check_container(container)?;
        let metadata = check_metadata(metadata)?;
        self.set_metadata(container, blob, &metadata).await
    }

    async fn delete_blob(&self, container: &str, blob: &str) -> StoreResult<()> {
        self.check_container(container)?;
        self.delete_one_blob(container, blob).await
    }
}
