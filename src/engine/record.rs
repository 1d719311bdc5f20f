//! Writing the task record ([`crate::outputs::TaskRecord`]) around a run: the start (with
//! the attempt number, one more than a previous run's), a heartbeat while the command runs,
//! the end with its exit code or signal. The record lives in the metadata of the task's
//! `TaskLog/stdout.txt` append blob; Set Blob Metadata never moves the append position, so
//! the tracker appending to that blob and a reader following it are not disturbed.
//!
//! Recording is best effort: a store that refuses it (e.g. a SAS without write rights on
//! metadata) is reported as a warning event and the command runs all the same.

use super::error::EngineResult;
use super::events::{Event, EventSink};
use super::prepare::create_for_write;
use super::upload::content_type_of;
use crate::outputs::{record_blob, TaskRecord};
use crate::store::{PutOptions, Store, StoreError};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::watch;

/// How often a running command's record is refreshed by default. Readers call a task
/// `lost` when its record has no end and nothing was written for a few times this long.
pub const DEFAULT_HEARTBEAT: Duration = Duration::from_secs(60);

/// The record of one running attempt; [`RecordWriter::end`] writes its end. `run` uses
/// it around its command; code that runs its work in-process can use it the same way.
pub struct RecordWriter {
    store: Arc<dyn Store>,
    container: String,
    blob: String,
    record: TaskRecord,
    /// The blob's metadata not written by us (kept on every write).
    others: BTreeMap<String, String>,
    events: EventSink,
    beat: Option<(watch::Sender<bool>, tokio::task::JoinHandle<()>)>,
}

impl RecordWriter {
    /// Create the record blob if missing (and the container), read the previous attempt
    /// and write this attempt's start. None (after a warning event) when the store
    /// refuses; the run goes on without a record.
    pub async fn begin(
        store: Arc<dyn Store>,
        container: &str,
        job_id: &str,
        task_id: &str,
        events: &EventSink,
        heartbeat: Duration,
    ) -> Option<RecordWriter> {
        match Self::try_begin(store, container, job_id, task_id, events).await {
            Ok(mut w) => {
                w.start_heartbeat(heartbeat);
                Some(w)
            }
            Err(e) => {
                events.emit(Event::Warning {
                    message: format!("cannot record the task's start (its status will show what storage shows): {e}"),
                });
                None
            }
        }
    }

    async fn try_begin(
        store: Arc<dyn Store>,
        container: &str,
        job_id: &str,
        task_id: &str,
        events: &EventSink,
    ) -> EngineResult<RecordWriter> {
        let blob = record_blob(task_id)?;
        let options = PutOptions {
            content_type: Some(content_type_of(Path::new(&blob))),
            ..Default::default()
        };
        let s = store.as_ref();
        let (info, _) = match s.create_append_blob(container, &blob, &options).await {
            Err(StoreError::ContainerNotFound { .. }) => {
                create_for_write(s, container, job_id, events).await?;
                s.create_append_blob(container, &blob, &options).await?
            }
            other => other?,
        };
        // create_append_blob answers from a fresh read of the blob, metadata included.
        let previous = TaskRecord::from_metadata(&info.metadata);
        let attempt = previous.map_or(1, |p| p.attempt.saturating_add(1));
        let w = RecordWriter {
            store: store.clone(),
            container: container.to_string(),
            blob,
            record: TaskRecord::start(attempt, OffsetDateTime::now_utc()),
            others: info.metadata,
            events: events.clone(),
            beat: None,
        };
        w.write().await?;
        Ok(w)
    }

    async fn write(&self) -> Result<(), StoreError> {
        write_record(
            self.store.as_ref(),
            &self.container,
            &self.blob,
            &self.record.to_metadata(&self.others),
        )
        .await
    }

    /// Write the record with a new `beat` every `every` until [`RecordWriter::end`]: it
    /// says the writer is alive even while the command is silent.
    fn start_heartbeat(&mut self, every: Duration) {
        let (stop, mut stopped) = watch::channel(false);
        let (store, container, blob) = (
            self.store.clone(),
            self.container.clone(),
            self.blob.clone(),
        );
        let (mut record, others) = (self.record.clone(), self.others.clone());
        let events = self.events.clone();
        let every = every.max(Duration::from_millis(100));
        let task = tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(every) => {}
                    _ = stopped.changed() => return,
                }
                record.beat = Some(OffsetDateTime::now_utc());
                let metadata = record.to_metadata(&others);
                if let Err(e) = write_record(store.as_ref(), &container, &blob, &metadata).await {
                    events.emit(Event::Warning {
                        message: format!("cannot refresh the task record (retrying): {e}"),
                    });
                }
            }
        });
        self.beat = Some((stop, task));
    }

    /// Stop the heartbeat and record the end: `status` is how the command ended (None:
    /// it never started).
    pub async fn end(mut self, exit_code: i32, signal: Option<i32>) {
        if let Some((stop, task)) = self.beat.take() {
            let _ = stop.send(true);
            let _ = task.await;
        }
        self.record.ended = Some(OffsetDateTime::now_utc());
        self.record.exit_code = Some(exit_code);
        self.record.signal = signal;
        if let Err(e) = self.write().await {
            self.events.emit(Event::Warning {
                message: format!("cannot record the task's end: {e}"),
            });
        }
    }
}

impl Drop for RecordWriter {
    fn drop(&mut self) {
        if let Some((_, task)) = self.beat.take() {
            task.abort();
        }
    }
}

/// Set Blob Metadata (transient failures are retried by the store, see `store::retry`).
async fn write_record(
    store: &dyn Store,
    container: &str,
    blob: &str,
    metadata: &BTreeMap<String, String>,
) -> Result<(), StoreError> {
    store.set_blob_metadata(container, blob, metadata).await
}
