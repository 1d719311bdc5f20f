//! One page of a kind's files, for front ends that show a listing as it streams in.

use super::files::OutputFile;
use crate::conventions::{kind_prefix, Scope};
use crate::store::{ListItem, ListQuery, Store, StoreResult};

/// One page of the files of one kind (flat: nested paths included; `max_results` None: the
/// store's default of 5000), with the marker of the next page.
pub async fn kind_files_page(
    store: &dyn Store,
    container: &str,
    scope: &Scope,
    kind: &str,
    marker: Option<&str>,
    max_results: Option<u32>,
) -> StoreResult<(Vec<OutputFile>, Option<String>)> {
    let prefix = kind_prefix(scope, kind);
    let query = ListQuery {
        max_results,
        ..ListQuery::flat(prefix.clone())
    };
    let page = store.list_blobs(container, &query, marker).await?;
    let files = page
        .items
        .into_iter()
        .filter_map(|i| match i {
            ListItem::Blob(blob) => {
                let path = blob.name.strip_prefix(prefix.as_str())?.to_string();
                Some(OutputFile {
                    scope: scope.clone(),
                    kind: kind.to_string(),
                    path,
                    blob,
                })
            }
            ListItem::Prefix(_) => None,
        })
        .collect();
    Ok((files, page.next_marker))
}
