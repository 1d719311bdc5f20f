//! `prepare`: the job's container, created private if missing, with the job id in metadata.

use super::error::{EngineError, EngineResult};
use super::events::{Event, EventSink};
use crate::conventions;
use crate::store::{Store, StoreError, JOB_ID_METADATA_KEY};
use std::collections::BTreeMap;

/// Create the container of `job_id` if missing (private), recording the original job id in
/// its metadata (`store::JOB_ID_METADATA_KEY`), since a hashed container name cannot be
/// turned back into the id. Idempotent: an existing container is left as it is.
/// Returns true when the container was created now.
pub async fn prepare(store: &dyn Store, job_id: &str, events: &EventSink) -> EngineResult<bool> {
    let container = conventions::container_name(job_id)?;
    let created = create(store, &container, job_id).await?;
    events.emit(if created {
        Event::ContainerCreated { container }
    } else {
        Event::ContainerExists { container }
    });
    Ok(created)
}

/// The implicit prepare of a write that found no container. Credentials that may write
/// blobs but not create containers (a container SAS) get an error saying what to do.
pub(crate) async fn create_for_write(
    store: &dyn Store,
    container: &str,
    job_id: &str,
    events: &EventSink,
) -> EngineResult<()> {
    match create(store, container, job_id).await {
        Ok(created) => {
            if created {
                events.emit(Event::ContainerCreated {
                    container: container.to_string(),
                });
            }
            Ok(())
        }
        Err(StoreError::Auth(why)) => Err(EngineError::NoContainer(format!(
            "container {container} does not exist and these credentials cannot create it ({why}); \
             run `batchout prepare {job_id}` with account credentials first"
        ))),
        Err(e) => Err(e.into()),
    }
}

async fn create(store: &dyn Store, container: &str, job_id: &str) -> Result<bool, StoreError> {
    let metadata = BTreeMap::from([(JOB_ID_METADATA_KEY.to_string(), job_id.to_string())]);
    store.create_container(container, &metadata).await
}
