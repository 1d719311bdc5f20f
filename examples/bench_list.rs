//! The batchout side of `scripts/bench` listing scenarios (a release build): seeds an
//! account quickly and times listings through the library, printing one JSON line.
//!
//! Usage (the account comes from BENCH_ENDPOINT, BENCH_ACCOUNT, BENCH_KEY):
//!   bench_list seed-tree CONTAINER FOLDERS PER_FOLDER   # FOLDERS x PER_FOLDER blobs in 2 levels
//!   bench_list seed-tasks CONTAINER TASKS               # one log blob per task (a job's layout)
//!   bench_list flat CONTAINER                           # every blob, flat
//!   bench_list walk CONTAINER                           # every blob, folder by folder (delimiter /)
//!   bench_list tasks CONTAINER                          # the task prefixes at the top level
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

use azure_core::http::{NoFormat, RequestContent};
use batchout::store::azure::{client, AzureStore, ConnectSettings, Credential, Endpoint};
use batchout::store::{list_all_blobs, ListItem, ListQuery, Store};
use bytes::Bytes;
use futures::stream::{self, StreamExt};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

fn env(k: &str) -> String {
    std::env::var(k).unwrap_or_else(|_| panic!("{k} is not set (scripts/bench sets it)"))
}

/// Upload one-byte blobs with many requests in flight, one Put Blob each, straight through
/// the SDK's BlobClient (the Store's put also checks the blob type first: twice the
/// requests, and Azurite's cost per request grows with the blobs in the account).
async fn seed(store: Arc<dyn Store>, container: &str, names: Vec<String>) {
    store
        .create_container(container, &BTreeMap::new())
        .await
        .expect("create container");
    let client = Arc::new(
        client::Client::new(
            Endpoint {
                account_url: url::Url::parse(&env("BENCH_ENDPOINT")).expect("BENCH_ENDPOINT"),
                account_name: env("BENCH_ACCOUNT"),
                container: None,
                credential: Credential::SharedKey {
                    account: env("BENCH_ACCOUNT"),
                    key: env("BENCH_KEY").into(),
                },
            },
            &ConnectSettings::default(),
        )
        .expect("client"),
    );
    let n = names.len();
    let t = Instant::now();
    stream::iter(names)
        .map(|name| {
            let client = client.clone();
            let container = container.to_string();
            async move {
                let blob = client.blob_client(&container, &name).expect("blob client");
                let body: RequestContent<azure_core::Bytes, NoFormat> =
                    Bytes::from_static(b"x").into();
                blob.upload(body, None)
                    .await
                    .unwrap_or_else(|e| panic!("seed {name}: {e}"));
            }
        })
        .buffer_unordered(16)
        .collect::<Vec<()>>()
        .await;
    eprintln!("seeded {n} blobs in {:.1}s", t.elapsed().as_secs_f64());
}

/// Every blob under `prefix`, one folder at a time, as a folder browser does.
async fn walk(store: &dyn Store, container: &str, prefix: String) -> usize {
    let mut blobs = 0;
    let mut stack = vec![prefix];
    while let Some(p) = stack.pop() {
        for item in list_all_blobs(store, container, &ListQuery::hierarchy(p))
            .await
            .expect("list")
        {
            match item {
                ListItem::Blob(_) => blobs += 1,
                ListItem::Prefix(sub) => stack.push(sub),
            }
        }
    }
    blobs
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let store: Arc<dyn Store> = Arc::new(
        AzureStore::with_account_key(
            &env("BENCH_ENDPOINT"),
            &env("BENCH_ACCOUNT"),
            &env("BENCH_KEY"),
        )
        .expect("store"),
    );
    let arg = |i: usize| {
        args.get(i)
            .cloned()
            .unwrap_or_else(|| panic!("missing argument {i}; see the file's header"))
    };
    let num = |i: usize| arg(i).parse::<usize>().expect("a number");
    let started = Instant::now();
    let count = match arg(0).as_str() {
        "seed-tree" => {
            let (folders, per) = (num(2), num(3));
            let names = (0..folders)
                .flat_map(|f| {
                    (0..per).map(move |i| format!("folder-{f:04}/$TaskOutput/file-{i:05}.txt"))
                })
                .collect();
            seed(store, &arg(1), names).await;
            return;
        }
        "seed-tasks" => {
            let names = (0..num(2))
                .map(|t| format!("task-{t:05}/$TaskLog/stdout.txt"))
                .collect();
            seed(store, &arg(1), names).await;
            return;
        }
        "flat" => list_all_blobs(store.as_ref(), &arg(1), &ListQuery::flat(""))
            .await
            .expect("list")
            .len(),
        "walk" => walk(store.as_ref(), &arg(1), String::new()).await,
        "tasks" => list_all_blobs(store.as_ref(), &arg(1), &ListQuery::hierarchy(""))
            .await
            .expect("list")
            .iter()
            .filter(|i| matches!(i, ListItem::Prefix(_)))
            .count(),
        other => panic!("unknown command {other}; see the file's header"),
    };
    println!(
        "{{\"count\": {count}, \"seconds\": {:.6}}}",
        started.elapsed().as_secs_f64()
    );
}
