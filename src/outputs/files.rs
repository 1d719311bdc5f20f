//! The files of a kind.

use super::tree::scope_kinds;
use crate::conventions::Scope;
use crate::store::{BlobInfo, Store, StoreResult};

/// One persisted output file.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputFile {
    pub scope: Scope,
    pub kind: String,
    /// Path within the kind (the blob name minus `TASK/$KIND/`).
    pub path: String,
    pub blob: BlobInfo,
}

/// Every file of one kind, in name order (flat: nested paths included), page after page
/// of [`super::kind_files_page`].
pub async fn kind_files(
    store: &dyn Store,
    container: &str,
    scope: &Scope,
    kind: &str,
) -> StoreResult<Vec<OutputFile>> {
    let mut out = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let (files, next) =
            super::kind_files_page(store, container, scope, kind, marker.as_deref(), None).await?;
        out.extend(files);
        match next {
            Some(m) => marker = Some(m),
            None => return Ok(out),
        }
    }
}

/// Files of every kind of a scope (kinds in name order, files in name order within).
pub async fn scope_files(
    store: &dyn Store,
    container: &str,
    scope: &Scope,
) -> StoreResult<Vec<OutputFile>> {
    let mut out = Vec::new();
    for kind in scope_kinds(store, container, scope).await? {
        out.extend(kind_files(store, container, scope, &kind).await?);
    }
    Ok(out)
}

/// A kind with its file count and total size.
#[derive(Debug, Clone, PartialEq)]
pub struct KindSummary {
    pub kind: String,
    pub files: u64,
    pub bytes: u64,
}

/// Per kind of a scope: how many files, how many bytes.
pub async fn kind_summaries(
    store: &dyn Store,
    container: &str,
    scope: &Scope,
) -> StoreResult<Vec<KindSummary>> {
    let mut out = Vec::new();
    for kind in scope_kinds(store, container, scope).await? {
        let files = kind_files(store, container, scope, &kind).await?;
        out.push(KindSummary {
            files: files.len() as u64,
            bytes: files.iter().map(|f| f.blob.len).sum(),
            kind,
        });
    }
    Ok(out)
}
