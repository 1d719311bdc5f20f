//! One tracked file: what of it is already in its append blob, and one flush.
//!
//! Invariant: the blob holds `base + synced` bytes, where `synced` bytes are the start of the
//! current file ("generation") and `base` bytes came before it (an earlier generation of a
//! file that was replaced or shrank, or data that was in the blob already). A flush appends
//! the file's bytes from `synced` on, so no byte is sent twice and none is skipped. On a
//! restart nothing remembers `base`: `resume.rs` finds it again from the blob's content.

use super::append::{append_at, Appended};
use super::resume::Resume;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::events::{Event, EventSink};
use crate::engine::prepare::create_for_write;
use crate::engine::schedule::HOLD_PARTIAL_AFTER_BLOCKS;
use crate::engine::upload::content_type_of;
use crate::store::{PutOptions, Store, StoreError, MAX_APPEND_BLOCK};
use bytes::{Bytes, BytesMut};
use std::path::PathBuf;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

/// A file to track and the append blob it goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackSpec {
    pub source: PathBuf,
    pub container: String,
    pub blob: String,
    /// The job id, for creating the container when it is missing.
    pub job_id: String,
}

/// How many of the last appended bytes are kept to notice a file rewritten in place.
const REWRITE_CHECK: usize = 256;

#[derive(Debug)]
pub(crate) struct FileTracker {
    pub spec: TrackSpec,
    store: Arc<dyn Store>,
    events: EventSink,
    /// Known state of the blob; None until the file first exists and the blob is opened.
    opened: bool,
    base: u64,
    synced: u64,
    /// (device, inode) of the current generation, to notice a replaced file.
    identity: Option<(u64, u64)>,
    /// The last bytes appended from the current generation.
    tail: Vec<u8>,
    blocks: Option<u32>,
    vanished: bool,
    failing: bool,
    pub stopped: bool,
    /// Why tracking of this file stopped for good (fails the final flush).
    stop_reason: Option<String>,
    pub appended: u64,
}

impl FileTracker {
    pub fn new(spec: TrackSpec, store: Arc<dyn Store>, events: EventSink) -> Self {
        FileTracker {
            spec,
            store,
            events,
            opened: false,
            base: 0,
            synced: 0,
            identity: None,
            tail: Vec::new(),
            blocks: None,
            vanished: false,
            failing: false,
            stopped: false,
            stop_reason: None,
            appended: 0,
        }
    }

    pub fn blob_len(&self) -> u64 {
        self.base + self.synced
    }

    /// One flush: append whatever the file gained. `last` is the final flush (which also
    /// sends a partial block that a heavy writer's flush would hold back).
    /// Background errors are reported as events and retried next time; the result is the
    /// error itself so the final flush can fail the command.
    pub async fn flush(&mut self, last: bool) -> EngineResult<()> {
        if self.stopped {
            return match (&self.stop_reason, last) {
                (Some(why), true) => {
                    Err(EngineError::Failed(format!("tracking had stopped: {why}")))
                }
                _ => Ok(()),
            };
        }
        match self.flush_inner(last).await {
            Ok(()) => {
                if self.failing {
                    self.failing = false;
                    self.events.emit(Event::FlushRecovered {
                        source: self.spec.source.clone(),
                        blob: self.spec.blob.clone(),
                    });
                }
                Ok(())
            }
            Err(e) => {
                if matches!(
                    e,
                    EngineError::Store(
                        StoreError::BlockCountExceeded { .. }
                            | StoreError::Corrupt(_)
                            | StoreError::BlobTypeMismatch { .. }
                    )
                ) || matches!(e, EngineError::NoContainer(_))
                {
                    self.stopped = true;
                    self.stop_reason = Some(e.to_string());
                    self.events.emit(Event::TrackStopped {
                        source: self.spec.source.clone(),
                        blob: self.spec.blob.clone(),
                        error: e.to_string(),
                    });
                } else if !last {
                    self.failing = true;
                    self.events.emit(Event::FlushFailed {
                        source: self.spec.source.clone(),
                        blob: self.spec.blob.clone(),
                        error: e.to_string(),
                    });
                }
                Err(e)
            }
        }
    }

    async fn flush_inner(&mut self, last: bool) -> EngineResult<()> {
        let source = self.spec.source.clone();
        let meta = match tokio::fs::metadata(&source).await {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                // Quiet while it never existed; one line when a tracked file goes away.
                if self.identity.is_some() && !self.vanished {
                    self.vanished = true;
                    self.events.emit(Event::FileVanished { source });
                }
                return Ok(());
            }
            Err(e) => {
                return Err(EngineError::io(
                    format!("cannot read {}", source.display()),
                    e,
                ))
            }
        };
        if !meta.is_file() {
            return Err(EngineError::input(format!(
                "{} is not a regular file",
                source.display()
            )));
        }
        let len = meta.len();
        let identity = file_identity(&meta);
        if !self.opened {
            self.open_blob(len).await?;
            self.identity = identity;
        }
        if self.identity.is_some() && identity != self.identity {
            self.events.emit(Event::FileReplaced {
                source: source.clone(),
                blob: self.spec.blob.clone(),
            });
            self.new_generation(identity);
        } else if len < self.synced {
            self.events.emit(Event::FileShrank {
                source: source.clone(),
                blob: self.spec.blob.clone(),
                was: self.synced,
                now: len,
            });
            self.new_generation(identity);
        }
        self.vanished = false;
        if len == self.synced {
            return Ok(()); // idle: no request at all
        }
        let mut file = tokio::fs::File::open(&source)
            .await
            .map_err(|e| EngineError::io(format!("cannot read {}", source.display()), e))?;
        if !self.tail.is_empty() && !self.tail_still_matches(&mut file).await? {
            self.events.emit(Event::FileReplaced {
                source: source.clone(),
                blob: self.spec.blob.clone(),
            });
            self.new_generation(identity);
        }
        self.append_from(&mut file, len, last).await
    }

    /// Append the file's bytes `synced..len` in blocks of at most 4 MiB.
    async fn append_from(
        &mut self,
        file: &mut tokio::fs::File,
        len: u64,
        last: bool,
    ) -> EngineResult<()> {
        let mut buf = BytesMut::new();
        let mut sent_full = false;
        while self.synced < len {
            let want = (len - self.synced).min(MAX_APPEND_BLOCK as u64) as usize;
            let partial = want < MAX_APPEND_BLOCK;
            // A flush that already sent full blocks keeps the remainder for the next tick, and
            // so does a blob close to its block limit (see schedule.rs); the last flush sends all.
            let near_limit = self.blocks.is_some_and(|b| b >= HOLD_PARTIAL_AFTER_BLOCKS);
            if partial && !last && (sent_full || near_limit) {
                break;
            }
            buf.resize(want, 0);
            file.seek(std::io::SeekFrom::Start(self.synced))
                .await
                .map_err(|e| {
                    EngineError::io(format!("cannot read {}", self.spec.source.display()), e)
                })?;
            let got = read_up_to(file, &mut buf).await.map_err(|e| {
                EngineError::io(format!("cannot read {}", self.spec.source.display()), e)
            })?;
            if got == 0 {
                break; // the file shrank under us; the next flush sees it
            }
            buf.truncate(got);
            let data: Bytes = buf.split().freeze();
            let position = self.blob_len();
            match append_at(
                self.store.as_ref(),
                &self.spec.container,
                &self.spec.blob,
                &data,
                position,
            )
            .await?
            {
                Appended::Done(info) => {
                    self.advance(&data, data.len() as u64);
                    self.blocks = info.committed_blocks.or(self.blocks.map(|b| b + 1));
                    sent_full |= !partial;
                }
                Appended::AlreadyThere { bytes } => {
                    self.events.emit(Event::RecoveredAppend {
                        blob: self.spec.blob.clone(),
                        bytes,
                    });
                    self.advance(&data, bytes);
                    self.blocks = self.blocks.map(|b| b + 1);
                }
                Appended::Foreign { bytes } => {
                    self.events.emit(Event::ForeignAppend {
                        blob: self.spec.blob.clone(),
                        bytes,
                    });
                    self.base += bytes;
                }
            }
            buf = data.try_into_mut().unwrap_or_default();
        }
        Ok(())
    }

    fn advance(&mut self, data: &Bytes, bytes: u64) {
        self.synced += bytes;
        self.appended += bytes;
        let sent = &data[..bytes as usize];
        if sent.len() >= REWRITE_CHECK {
            self.tail = sent[sent.len() - REWRITE_CHECK..].to_vec();
        } else {
            self.tail.extend_from_slice(sent);
            let excess = self.tail.len().saturating_sub(REWRITE_CHECK);
            self.tail.drain(..excess);
        }
    }

    fn new_generation(&mut self, identity: Option<(u64, u64)>) {
        self.base += self.synced;
        self.synced = 0;
        self.tail.clear();
        self.identity = identity;
    }

    /// Are the bytes just before `synced` still the ones we appended last?
    async fn tail_still_matches(&self, file: &mut tokio::fs::File) -> EngineResult<bool> {
        let at = self.synced - self.tail.len() as u64;
        let mut now = vec![0u8; self.tail.len()];
        file.seek(std::io::SeekFrom::Start(at)).await.map_err(|e| {
            EngineError::io(format!("cannot read {}", self.spec.source.display()), e)
        })?;
        let got = read_up_to(file, &mut now).await.map_err(|e| {
            EngineError::io(format!("cannot read {}", self.spec.source.display()), e)
        })?;
        Ok(got == now.len() && now == self.tail)
    }

    /// Create the append blob if missing (and the container, if that is missing too), then
    /// find out how much of the file it already holds.
    async fn open_blob(&mut self, file_len: u64) -> EngineResult<()> {
        let options = PutOptions {
            content_type: Some(content_type_of(&self.spec.source)),
            ..Default::default()
        };
        let store = self.store.as_ref();
        let (c, b) = (&self.spec.container, &self.spec.blob);
        let (info, _created) = match store.create_append_blob(c, b, &options).await {
            Err(StoreError::ContainerNotFound { .. }) => {
                create_for_write(store, c, &self.spec.job_id, &self.events).await?;
                store.create_append_blob(c, b, &options).await?
            }
            other => other?,
        };
        self.opened = true;
        self.blocks = info.committed_blocks;
        let blob_len = info.len;
        let resume = Resume {
            store,
            container: c,
            blob: b,
            blob_len,
            source: &self.spec.source,
            file_len,
        };
        let held = resume.overlap().await?;
        // The current generation starts where the blob's end and the file's start overlap.
        self.base = blob_len - held;
        self.synced = held;
        self.tail.clear();
        if held > 0 {
            self.events.emit(Event::Resumed {
                source: self.spec.source.clone(),
                blob: b.clone(),
                offset: held,
                after: self.base,
            });
        } else if blob_len > 0 {
            self.events.emit(Event::BlobHoldsOtherData {
                source: self.spec.source.clone(),
                blob: b.clone(),
                blob_len,
            });
        }
        Ok(())
    }
}

async fn read_up_to(file: &mut tokio::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        let n = file.read(&mut buf[filled..]).await?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    Ok(filled)
}

#[cfg(unix)]
fn file_identity(meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn file_identity(_meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    None
}
