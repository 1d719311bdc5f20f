//! The embedded store: containers and blobs in a local folder, with Azure semantics.

use super::*;
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub struct LocalStore {
    root: PathBuf,
}

impl LocalStore {
    pub fn open(root: &Path) -> StoreResult<Self> {
        std::fs::create_dir_all(root)
            .map_err(|e| StoreError::io(format!("cannot create store folder {}", root.display()), e))?;
        Ok(LocalStore { root: root.to_path_buf() })
    }
    pub fn root(&self) -> &Path {
        &self.root
    }
}

fn todo_err() -> StoreError {
    StoreError::Config("local store: not built yet".into())
}

#[async_trait]
impl Store for LocalStore {
    fn describe(&self) -> String {
        format!("local {}", self.root.display())
    }
    async fn list_containers(&self, _prefix: &str, _marker: Option<&str>) -> StoreResult<Page<ContainerInfo>> {
        Err(todo_err())
    }
    async fn container_info(&self, _container: &str) -> StoreResult<ContainerInfo> {
        Err(todo_err())
    }
    async fn list_blobs(&self, _c: &str, _q: &ListQuery, _m: Option<&str>) -> StoreResult<Page<ListItem>> {
        Err(todo_err())
    }
    async fn blob_info(&self, _c: &str, _b: &str) -> StoreResult<BlobInfo> {
        Err(todo_err())
    }
    async fn read_range(&self, _c: &str, _b: &str, _r: ByteRange, _i: Option<&str>) -> StoreResult<RangeData> {
        Err(todo_err())
    }
    async fn create_container(&self, _c: &str, _m: &BTreeMap<String, String>) -> StoreResult<bool> {
        Err(todo_err())
    }
    async fn put_block_blob(&self, _c: &str, _b: &str, _d: Bytes, _o: &PutOptions) -> StoreResult<BlobInfo> {
        Err(todo_err())
    }
    async fn stage_block(&self, _c: &str, _b: &str, _id: &str, _d: Bytes) -> StoreResult<()> {
        Err(todo_err())
    }
    async fn commit_block_list(&self, _c: &str, _b: &str, _ids: &[String], _o: &PutOptions) -> StoreResult<BlobInfo> {
        Err(todo_err())
    }
    async fn create_append_blob(&self, _c: &str, _b: &str, _o: &PutOptions) -> StoreResult<(BlobInfo, bool)> {
        Err(todo_err())
    }
    async fn append_block(&self, _c: &str, _b: &str, _d: Bytes, _p: u64) -> StoreResult<BlobInfo> {
        Err(todo_err())
    }
    async fn delete_blob(&self, _c: &str, _b: &str) -> StoreResult<()> {
        Err(todo_err())
    }
}
