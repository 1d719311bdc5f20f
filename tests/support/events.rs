//! Collecting the engine's events in tests (test-only, so it lives here, not in the library).

use batchout::engine::{Event, EventSink};
use std::sync::{Arc, Mutex};

/// A sink that keeps every event, and the shared list it fills.
pub fn collect_events() -> (EventSink, Arc<Mutex<Vec<Event>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink_seen = seen.clone();
    (
        EventSink::new(move |e| sink_seen.lock().unwrap().push(e)),
        seen,
    )
}
