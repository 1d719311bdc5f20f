//! Scans a job's container for every task's status ([`StatusRequest`]) with
//! [`crate::outputs::status::scan_tasks`], judging each page's tasks as it arrives and
//! sending them as one Msg (100,000 tasks in 500,000 blobs are about 100 Msgs).

use super::listing::Paging;
use super::Out;
use crate::outputs::status::{scan_tasks, Evidence, StatusPolicy, TaskActivity};
use crate::store::Store;
use crate::tui::requests::status::{StatusMsg, StatusRequest, TaskStatus};
use std::sync::Arc;
use time::OffsetDateTime;

pub async fn run(store: Arc<dyn Store>, req: StatusRequest, paging: Paging, out: Out<StatusMsg>) {
    let policy = StatusPolicy::default();
    let mut open = true;
    let scan = scan_tasks(&*store, &req.container, paging.0, |page| {
        let now = OffsetDateTime::now_utc();
        let tasks = page.tasks.iter().map(|t| judge(t, now, &policy)).collect();
        open = out.send(StatusMsg::Tasks { tasks, done: false });
        open
    })
    .await;
    match scan {
        Ok(_) if open => {
            out.send(StatusMsg::Tasks {
                tasks: Vec::new(),
                done: true,
            });
        }
        Ok(_) => {}
        Err(e) => out.fail(crate::text::one_line(&e.to_string())),
    }
}

fn judge(t: &TaskActivity, now: OffsetDateTime, policy: &StatusPolicy) -> TaskStatus {
    let j = t.judge(now, policy);
    let record = t.record.as_ref().filter(|_| j.evidence == Evidence::Record);
    TaskStatus {
        task: t.task.clone(),
        status: j.status,
        evidence: j.evidence,
        exit_code: record.and_then(|r| r.exit_code),
        signal: record.and_then(|r| r.signal),
        duration: j.duration,
        idle: j.idle,
        last_write: t.last_write,
        stderr_len: t.stderr_len,
        outputs: t.outputs,
        output_bytes: t.output_bytes,
    }
}
