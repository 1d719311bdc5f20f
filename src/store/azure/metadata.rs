//! Set Blob Metadata. It carries no condition: the record's writer is the blob's only
//! metadata writer, and an If-Match would fail on every append in between (an append
//! changes the etag). Appenders are unaffected in turn: Append Block's only condition is
//! the append position, which metadata never moves.

use super::errors;
use super::AzureStore;
use crate::store::StoreResult;
use std::collections::{BTreeMap, HashMap};

impl AzureStore {
    pub(super) async fn set_metadata(
        &self,
        container: &str,
        blob: &str,
        metadata: &BTreeMap<String, String>,
    ) -> StoreResult<()> {
        let op = self.op(container, Some(blob));
        let client = self
            .client
            .blob_client(container, blob)
            .map_err(|e| errors::from_sdk(e, op))?;
        let map: HashMap<String, String> = metadata.clone().into_iter().collect();
        client
            .set_metadata(&map, None)
            .await
            .map_err(|e| errors::from_sdk(e, op))?;
        Ok(())
    }
}
