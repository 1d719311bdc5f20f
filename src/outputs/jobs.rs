//! Jobs: containers named `job-...`.

use crate::conventions::{self, JOB_CONTAINER_PREFIX};
use crate::store::{Store, StoreError, StoreResult, JOB_ID_METADATA_KEY};
use time::OffsetDateTime;

/// One job's container.
#[derive(Debug, Clone, PartialEq)]
pub struct JobEntry {
    pub container: String,
    /// The original Batch job id, when batchout made the container and recorded it.
    pub job_id: Option<String>,
    pub last_modified: OffsetDateTime,
}

impl JobEntry {
    /// The name to show: the job id when known, else the container name.
    pub fn display_name(&self) -> &str {
        self.job_id.as_deref().unwrap_or(&self.container)
    }
}

/// Every container named `job-...`, in name order.
pub async fn list_jobs(store: &dyn Store) -> StoreResult<Vec<JobEntry>> {
    let mut jobs = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let (page, next) = list_jobs_page(store, marker.as_deref()).await?;
        jobs.extend(page);
        match next {
            Some(m) => marker = Some(m),
            None => return Ok(jobs),
        }
    }
}

/// One page of [`list_jobs`], with the marker of the next page (the TUI shows each page as
/// it comes).
pub async fn list_jobs_page(
    store: &dyn Store,
    marker: Option<&str>,
) -> StoreResult<(Vec<JobEntry>, Option<String>)> {
    let page = store.list_containers(JOB_CONTAINER_PREFIX, marker).await?;
    let jobs = page
        .items
        .into_iter()
        .map(|c| JobEntry {
            // Empty metadata is no job id: show the container name, as for containers
            // made by others.
            job_id: c
                .metadata
                .get(JOB_ID_METADATA_KEY)
                .filter(|id| !id.is_empty())
                .cloned(),
            container: c.name,
            last_modified: c.last_modified,
        })
        .collect();
    Ok((jobs, page.next_marker))
}

/// The one-line message for a job whose container is missing.
pub fn missing_job_message(job: &str, container: &str, store: &dyn Store) -> String {
    missing_job_in(job, container, &store.describe())
}

fn missing_job_in(job: &str, container: &str, store: &str) -> String {
    format!("no persisted outputs for job {job}: container {container} does not exist in {store}")
}

/// `e` with a missing container reworded as [`missing_job_message`] (as
/// [`StoreError::Config`], so callers print it as is): one wording for every command.
pub fn for_job(job: &str, e: StoreError) -> StoreError {
    match e {
        StoreError::ContainerNotFound { container, store } => {
            StoreError::Config(missing_job_in(job, &container, &store))
        }
        e => e,
    }
}

/// The container of `job`, checked to exist; a missing container is reported with
/// [`missing_job_message`] (as [`StoreError::Config`], so callers print it as is).
pub async fn job_container(store: &dyn Store, job: &str) -> StoreResult<String> {
    let container =
        conventions::container_name(job).map_err(|e| StoreError::InvalidName(e.to_string()))?;
    match store.container_info(&container).await {
        Ok(_) => Ok(container),
        Err(e) => Err(for_job(job, e)),
    }
}
