//! A store wrapper that counts requests and downloaded bytes, to measure what following
//! costs (requests per poll, bytes downloaded per byte appended). It forwards every call
//! unchanged to the real store it wraps. Test-only: the tail tests and
//! examples/tail_bench.rs (which includes this file by path) use it; the library does not.

use async_trait::async_trait;
use batchout::store::*;
use bytes::Bytes;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

#[derive(Debug, Default)]
pub struct RequestCounts {
    pub lists: AtomicU64,
    pub infos: AtomicU64,
    pub reads: AtomicU64,
    pub writes: AtomicU64,
    pub bytes_read: AtomicU64,
}

/// A snapshot of [`RequestCounts`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub lists: u64,
    pub infos: u64,
    pub reads: u64,
    pub writes: u64,
    pub bytes_read: u64,
}

impl Counts {
    /// Requests that read (listings, properties, ranged reads).
    pub fn read_requests(&self) -> u64 {
        self.lists + self.infos + self.reads
    }
    pub fn since(&self, earlier: &Counts) -> Counts {
        Counts {
            lists: self.lists - earlier.lists,
            infos: self.infos - earlier.infos,
            reads: self.reads - earlier.reads,
            writes: self.writes - earlier.writes,
            bytes_read: self.bytes_read - earlier.bytes_read,
        }
    }
}

#[derive(Debug)]
pub struct CountingStore {
    inner: Arc<dyn Store>,
    counts: Arc<RequestCounts>,
}

impl CountingStore {
    pub fn new(inner: Arc<dyn Store>) -> Self {
        CountingStore {
            inner,
            counts: Arc::new(RequestCounts::default()),
        }
    }
    pub fn counts(&self) -> Counts {
        let c = &self.counts;
        Counts {
            lists: c.lists.load(Ordering::Relaxed),
            infos: c.infos.load(Ordering::Relaxed),
            reads: c.reads.load(Ordering::Relaxed),
            writes: c.writes.load(Ordering::Relaxed),
            bytes_read: c.bytes_read.load(Ordering::Relaxed),
        }
    }
    fn bump(&self, counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

#[async_trait]
impl Store for CountingStore {
    fn describe(&self) -> String {
        self.inner.describe()
    }
    async fn list_containers(
        &self,
        prefix: &str,
        marker: Option<&str>,
    ) -> StoreResult<Page<ContainerInfo>> {
        self.bump(&self.counts.lists);
        self.inner.list_containers(prefix, marker).await
    }
    async fn container_info(&self, container: &str) -> StoreResult<ContainerInfo> {
        self.bump(&self.counts.infos);
        self.inner.container_info(container).await
    }
    async fn list_blobs(
        &self,
        container: &str,
        query: &ListQuery,
        marker: Option<&str>,
    ) -> StoreResult<Page<ListItem>> {
        self.bump(&self.counts.lists);
        self.inner.list_blobs(container, query, marker).await
    }
    async fn blob_info(&self, container: &str, blob: &str) -> StoreResult<BlobInfo> {
        self.bump(&self.counts.infos);
        self.inner.blob_info(container, blob).await
    }
    async fn read_range(
        &self,
        container: &str,
        blob: &str,
        range: ByteRange,
        if_match: Option<&str>,
    ) -> StoreResult<RangeData> {
        self.bump(&self.counts.reads);
        let r = self
            .inner
            .read_range(container, blob, range, if_match)
            .await?;
        self.counts
            .bytes_read
            .fetch_add(r.data.len() as u64, Ordering::Relaxed);
        Ok(r)
    }
    async fn create_container(
        &self,
        container: &str,
        metadata: &BTreeMap<String, String>,
    ) -> StoreResult<bool> {
        self.bump(&self.counts.writes);
        self.inner.create_container(container, metadata).await
    }
    async fn put_block_blob(
        &self,
        container: &str,
        blob: &str,
        data: Bytes,
        options: &PutOptions,
    ) -> StoreResult<BlobInfo> {
        self.bump(&self.counts.writes);
        self.inner
            .put_block_blob(container, blob, data, options)
            .await
    }
    async fn stage_block(
        &self,
        container: &str,
        blob: &str,
        block_id: &str,
        data: Bytes,
    ) -> StoreResult<()> {
        self.bump(&self.counts.writes);
        self.inner
            .stage_block(container, blob, block_id, data)
            .await
    }
    async fn commit_block_list(
        &self,
        container: &str,
        blob: &str,
        block_ids: &[String],
        options: &PutOptions,
    ) -> StoreResult<BlobInfo> {
        self.bump(&self.counts.writes);
        self.inner
            .commit_block_list(container, blob, block_ids, options)
            .await
    }
    async fn create_append_blob(
        &self,
        container: &str,
        blob: &str,
        options: &PutOptions,
    ) -> StoreResult<(BlobInfo, bool)> {
        self.bump(&self.counts.writes);
        self.inner
            .create_append_blob(container, blob, options)
            .await
    }
    async fn append_block(
        &self,
        container: &str,
        blob: &str,
        data: Bytes,
        expected_position: u64,
    ) -> StoreResult<BlobInfo> {
        self.bump(&self.counts.writes);
        self.inner
            .append_block(container, blob, data, expected_position)
            .await
    }
    async fn delete_blob(&self, container: &str, blob: &str) -> StoreResult<()> {
        self.bump(&self.counts.writes);
        self.inner.delete_blob(container, blob).await
    }
}
