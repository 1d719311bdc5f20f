//! `save`: files, folders (recursive) and globs, uploaded as block blobs under a target.
//!
//! Everything is checked before anything is uploaded (missing files, absolute paths without
//! a destination, two sources landing on one name), so bad input writes nothing.

use super::error::{EngineError, EngineResult};
use super::events::{Event, EventSink};
use super::prepare::create_for_write;
use super::target::{destination_of, Target};
use super::upload::{upload_file, UploadOptions};
use crate::conventions;
use crate::store::{Store, StoreError};
use futures::StreamExt;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One file to upload and the blob it becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile {
    pub source: PathBuf,
    pub blob: String,
    pub len: u64,
}

/// What a save did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SaveSummary {
    pub container: String,
    pub saved: Vec<PlannedFile>,
    /// Files that could not be saved, with the reason (each also reported as an event).
    pub failed: Vec<(PathBuf, String)>,
}

impl SaveSummary {
    pub fn bytes(&self) -> u64 {
        self.saved.iter().map(|f| f.len).sum()
    }
}

#[derive(Debug, Clone, Default)]
pub struct SaveOptions {
    pub upload: UploadOptions,
    pub events: EventSink,
}

/// Small files go up this many at a time (large ones one at a time, each in parallel blocks).
const SMALL_FILES_IN_FLIGHT: usize = 8;

/// Expand `inputs` (files, folders, globs) into the files to upload and their blob names.
/// `dest` (`--as`) names the single input's destination (a folder's files go below it).
pub fn plan(
    target: &Target,
    inputs: &[String],
    dest: Option<&str>,
) -> EngineResult<Vec<PlannedFile>> {
    if inputs.is_empty() {
        return Err(EngineError::input(
            "nothing to save: give at least one file, folder or glob",
        ));
    }
    if dest.is_some() && inputs.len() != 1 {
        return Err(EngineError::input(
            "--as names the destination of one file or folder; give exactly one",
        ));
    }
    if let Some(d) = dest {
        conventions::validate_destination(d)?;
    }
    let mut planned = Vec::new();
    for input in inputs {
        let path = Path::new(input);
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_file() => {
                let blob = target.blob_for_source(path, dest)?;
                planned.push(PlannedFile {
                    source: path.to_path_buf(),
                    blob,
                    len: meta.len(),
                });
            }
            Ok(meta) if meta.is_dir() => plan_folder(target, path, dest, &mut planned)?,
            Ok(_) => {
                return Err(EngineError::input(format!(
                    "{input} is not a regular file or folder"
                )))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && is_glob(input) => {
                if dest.is_some() {
                    return Err(EngineError::input(
                        "--as cannot name the destination of a glob; give one file or folder",
                    ));
                }
                plan_glob(target, input, &mut planned)?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(EngineError::input(format!(
                    "{input}: no such file or folder"
                )))
            }
            Err(e) => return Err(EngineError::io(format!("cannot read {input}"), e)),
        }
    }
    dedupe(planned)
}

fn plan_folder(
    target: &Target,
    dir: &Path,
    dest: Option<&str>,
    out: &mut Vec<PlannedFile>,
) -> EngineResult<()> {
    if dest.is_none() && dir.is_absolute() {
        return Err(EngineError::input(format!(
            "{} is an absolute path; give a destination folder name with --as NAME",
            dir.display()
        )));
    }
    let before = out.len();
    for entry in walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
    {
        let entry = entry.map_err(|e| {
            EngineError::input(format!("cannot read folder {}: {e}", dir.display()))
        })?;
        if !entry.file_type().is_file() {
            continue;
        }
        let blob = match dest {
            Some(d) => {
                let within = entry.path().strip_prefix(dir).unwrap_or(entry.path());
                let within = within
                    .to_str()
                    .ok_or_else(|| not_utf8(entry.path()))?
                    .replace('\\', "/");
                target.blob_name(&format!("{d}/{within}"))?
            }
            None => target.blob_name(&destination_of(entry.path())?)?,
        };
        let len = entry.metadata().map(|m| m.len()).unwrap_or(0);
        out.push(PlannedFile {
            source: entry.path().to_path_buf(),
            blob,
            len,
        });
    }
    if out.len() == before {
        return Err(EngineError::input(format!(
            "folder {} has no files to save",
            dir.display()
        )));
    }
    Ok(())
}

fn plan_glob(target: &Target, pattern: &str, out: &mut Vec<PlannedFile>) -> EngineResult<()> {
    let normalized = pattern.replace('\\', "/");
    if normalized.starts_with('/') {
        return Err(EngineError::input(format!(
            "{pattern}: absolute globs are not supported; cd to the folder and use a relative glob"
        )));
    }
    let matcher = globset::GlobBuilder::new(normalized.trim_start_matches("./"))
        .literal_separator(true)
        .build()
        .map_err(|e| EngineError::input(format!("invalid glob {pattern}: {e}")))?
        .compile_matcher();
    // Walk only below the literal part of the pattern (`logs/**/*.txt` walks `logs`).
    let literal: Vec<&str> = normalized
        .split('/')
        .take_while(|seg| !is_glob(seg))
        .collect();
    let base = if literal.is_empty() {
        PathBuf::from(".")
    } else {
        PathBuf::from(literal.join("/"))
    };
    let before = out.len();
    if base.is_dir() {
        for entry in walkdir::WalkDir::new(&base)
            .follow_links(true)
            .sort_by_file_name()
        {
            let Ok(entry) = entry else { continue };
            if !entry.file_type().is_file() {
                continue;
            }
            let shown = entry
                .path()
                .to_str()
                .ok_or_else(|| not_utf8(entry.path()))?;
            let relative = shown.strip_prefix("./").unwrap_or(shown);
            if matcher.is_match(relative) {
                let blob = target.blob_name(&destination_of(Path::new(relative))?)?;
                let len = entry.metadata().map(|m| m.len()).unwrap_or(0);
                out.push(PlannedFile {
                    source: PathBuf::from(relative),
                    blob,
                    len,
                });
            }
        }
    }
    if out.len() == before {
        return Err(EngineError::input(format!("no files match {pattern}")));
    }
    Ok(())
}

/// The same file given twice is saved once; two files landing on one name is an error.
fn dedupe(planned: Vec<PlannedFile>) -> EngineResult<Vec<PlannedFile>> {
    let mut by_blob: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut out = Vec::new();
    for file in planned {
        match by_blob.get(&file.blob) {
            Some(first) if same_file(first, &file.source) => continue,
            Some(first) => {
                return Err(EngineError::input(format!(
                    "{} and {} would both be saved as {}; save them separately with --as",
                    first.display(),
                    file.source.display(),
                    file.blob
                )))
            }
            None => {
                by_blob.insert(file.blob.clone(), file.source.clone());
                out.push(file);
            }
        }
    }
    Ok(out)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '[', '{'])
}

fn not_utf8(path: &Path) -> EngineError {
    EngineError::input(format!(
        "{} is not valid UTF-8; save it with --as NAME",
        path.display()
    ))
}

/// Save `inputs` under `target`: plan (all checks first), then upload. Creates the job's
/// container when it is missing. Per-file failures are reported as events and listed in the
/// summary; an error is returned only when nothing could be tried (bad input, no container).
pub async fn save(
    store: Arc<dyn Store>,
    target: &Target,
    inputs: &[String],
    dest: Option<&str>,
    options: &SaveOptions,
) -> EngineResult<SaveSummary> {
    let planned = plan(target, inputs, dest)?;
    save_planned(store, target, planned, options).await
}

/// Upload files already planned by [`plan`].
pub async fn save_planned(
    store: Arc<dyn Store>,
    target: &Target,
    planned: Vec<PlannedFile>,
    options: &SaveOptions,
) -> EngineResult<SaveSummary> {
    let mut summary = SaveSummary {
        container: target.container.clone(),
        ..Default::default()
    };
    let mut queue = planned.into_iter();
    // The first upload runs alone: it creates the container if needed, and a container that
    // cannot be created stops the whole save with one clear error.
    if let Some(first) = queue.next() {
        let result = save_one(&store, target, &first, options).await;
        if let Err(EngineError::NoContainer(why)) = result {
            return Err(EngineError::NoContainer(why));
        }
        record(&mut summary, first, result, &options.events);
    }
    let rest: Vec<PlannedFile> = queue.collect();
    let (small, large): (Vec<_>, Vec<_>) = rest
        .into_iter()
        .partition(|f| options.upload.is_single_put(f.len));
    let mut small_uploads = futures::stream::iter(small.into_iter().map(|file| {
        let store = store.clone();
        async move {
            let result = save_one(&store, target, &file, options).await;
            (file, result)
        }
    }))
    .buffer_unordered(SMALL_FILES_IN_FLIGHT);
    while let Some((file, result)) = small_uploads.next().await {
        record(&mut summary, file, result, &options.events);
    }
    for file in large {
        let result = save_one(&store, target, &file, options).await;
        record(&mut summary, file, result, &options.events);
    }
    Ok(summary)
}

fn record(
    summary: &mut SaveSummary,
    mut file: PlannedFile,
    result: EngineResult<u64>,
    events: &EventSink,
) {
    match result {
        Ok(len) => {
            file.len = len;
            events.emit(Event::Saved {
                source: file.source.clone(),
                container: summary.container.clone(),
                blob: file.blob.clone(),
                bytes: len,
            });
            summary.saved.push(file);
        }
        Err(e) => {
            events.emit(Event::SaveFailed {
                source: file.source.clone(),
                error: e.to_string(),
            });
            summary.failed.push((file.source, e.to_string()));
        }
    }
}

async fn save_one(
    store: &Arc<dyn Store>,
    target: &Target,
    file: &PlannedFile,
    options: &SaveOptions,
) -> EngineResult<u64> {
    match upload_file(
        store,
        &target.container,
        &file.blob,
        &file.source,
        options.upload,
    )
    .await
    {
        Err(EngineError::Store(StoreError::ContainerNotFound { .. })) => {
            create_for_write(
                store.as_ref(),
                &target.container,
                &target.job_id,
                &options.events,
            )
            .await?;
            Ok(upload_file(
                store,
                &target.container,
                &file.blob,
                &file.source,
                options.upload,
            )
            .await?
            .len)
        }
        other => Ok(other?.len),
    }
}
