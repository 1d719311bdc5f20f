//! Shared by the grep tests: a store wrapper that counts the bytes read from a REAL store
//! (local folder or Azurite), and a helper that runs a whole search and collects it.
#![allow(dead_code)]

use async_trait::async_trait;
use batchout::outputs::OutputFile;
use batchout::search::{self, Cache, Event, FileEvent, FileSummary, Line, SearchOptions, Tuning};
use batchout::store::*;
use bytes::Bytes;
use futures::StreamExt;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Every byte a read returns is counted; everything else is passed through.
#[derive(Debug)]
pub struct Counting {
    pub inner: Arc<dyn Store>,
    pub read: Arc<AtomicU64>,
}

impl Counting {
    pub fn wrap(inner: Arc<dyn Store>) -> Arc<Counting> {
        Arc::new(Counting {
            inner,
            read: Arc::new(AtomicU64::new(0)),
        })
    }
    /// Bytes read since the last call.
    pub fn take(&self) -> u64 {
        self.read.swap(0, Ordering::SeqCst)
    }
}

#[async_trait]
impl Store for Counting {
    fn describe(&self) -> String {
        self.inner.describe()
    }
    async fn list_containers(&self, p: &str, m: Option<&str>) -> StoreResult<Page<ContainerInfo>> {
        self.inner.list_containers(p, m).await
    }
    async fn container_info(&self, c: &str) -> StoreResult<ContainerInfo> {
        self.inner.container_info(c).await
    }
    async fn list_blobs(
        &self,
        c: &str,
        q: &ListQuery,
        m: Option<&str>,
    ) -> StoreResult<Page<ListItem>> {
        self.inner.list_blobs(c, q, m).await
    }
    async fn blob_info(&self, c: &str, b: &str) -> StoreResult<BlobInfo> {
        self.inner.blob_info(c, b).await
    }
    async fn read_range(
        &self,
        c: &str,
        b: &str,
        r: ByteRange,
        m: Option<&str>,
    ) -> StoreResult<RangeData> {
        let d = self.inner.read_range(c, b, r, m).await?;
        self.read.fetch_add(d.data.len() as u64, Ordering::SeqCst);
        Ok(d)
    }
    async fn read_range_stream(
        &self,
        c: &str,
        b: &str,
        start: u64,
        len: u64,
        m: Option<&str>,
        md5: bool,
    ) -> StoreResult<RangeStream> {
        let mut rs = self
            .inner
            .read_range_stream(c, b, start, len, m, md5)
            .await?;
        let read = self.read.clone();
        rs.body = rs
            .body
            .inspect(move |r| {
                if let Ok(b) = r {
                    read.fetch_add(b.len() as u64, Ordering::SeqCst);
                }
            })
            .boxed();
        Ok(rs)
    }
    async fn create_container(&self, c: &str, m: &BTreeMap<String, String>) -> StoreResult<bool> {
        self.inner.create_container(c, m).await
    }
    async fn put_block_blob(
        &self,
        c: &str,
        b: &str,
        d: Bytes,
        o: &PutOptions,
    ) -> StoreResult<BlobInfo> {
        self.inner.put_block_blob(c, b, d, o).await
    }
    async fn stage_block(&self, c: &str, b: &str, id: &str, d: Bytes) -> StoreResult<()> {
        self.inner.stage_block(c, b, id, d).await
    }
    async fn commit_block_list(
        &self,
        c: &str,
        b: &str,
        ids: &[String],
        o: &PutOptions,
    ) -> StoreResult<BlobInfo> {
        self.inner.commit_block_list(c, b, ids, o).await
    }
    async fn create_append_blob(
        &self,
        c: &str,
        b: &str,
        o: &PutOptions,
    ) -> StoreResult<(BlobInfo, bool)> {
        self.inner.create_append_blob(c, b, o).await
    }
    async fn append_block(&self, c: &str, b: &str, d: Bytes, pos: u64) -> StoreResult<BlobInfo> {
        self.inner.append_block(c, b, d, pos).await
    }
    async fn delete_blob(&self, c: &str, b: &str) -> StoreResult<()> {
        self.inner.delete_blob(c, b).await
    }
    async fn set_blob_metadata(
        &self,
        c: &str,
        b: &str,
        m: &BTreeMap<String, String>,
    ) -> StoreResult<()> {
        self.inner.set_blob_metadata(c, b, m).await
    }
}

/// What a search reported: per file label, its lines and summary.
#[derive(Debug, Default, PartialEq)]
pub struct Found {
    pub files: Vec<(String, Vec<Line>, FileSummary)>,
}

impl Found {
    /// `label:number:text` / `label-number-text` lines, as grep prints them.
    pub fn text(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (label, lines, _) in &self.files {
            for l in lines {
                let sep = if l.is_match { ':' } else { '-' };
                out.push(format!("{label}{sep}{}{sep}{}", l.number, l.text));
            }
        }
        out
    }
    pub fn fetched(&self) -> u64 {
        self.files.iter().map(|f| f.2.fetched).sum()
    }
    pub fn summary(&self, label: &str) -> &FileSummary {
        &self
            .files
            .iter()
            .find(|f| f.0 == label)
            .expect("file searched")
            .2
    }
}

/// Search `files` and collect everything.
pub async fn search_all(
    store: Arc<dyn Store>,
    container: &str,
    files: Vec<OutputFile>,
    opts: &SearchOptions,
    cache: Option<Cache>,
    range: u64,
) -> Found {
    let labels: Vec<String> = files.iter().map(search::label).collect();
    let mut rx = search::start(
        store,
        container.to_string(),
        files,
        opts.clone(),
        cache,
        Tuning {
            in_flight: 4,
            range,
        },
    )
    .expect("valid pattern");
    let mut found = Found::default();
    let mut cur: Option<(usize, Vec<Line>)> = None;
    while let Some(Event { file, event }) = rx.recv().await {
        match event {
            FileEvent::Line(l) => match &mut cur {
                Some((i, ls)) if *i == file => ls.push(l),
                _ => cur = Some((file, vec![l])),
            },
            FileEvent::Done(s) => {
                let lines = match cur.take() {
                    Some((i, ls)) if i == file => ls,
                    _ => Vec::new(),
                };
                found.files.push((labels[file].clone(), lines, s));
            }
        }
    }
    found
}
