//! `batchout doctor` against Azurite: a working account key, a wrong key and an expired SAS;
//! what was chosen and from where, live checks, what to do, secrets never printed.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

mod support;

use batchout::store::PutOptions;
use bytes::Bytes;
use std::collections::BTreeMap;
use std::process::{Command, Output};
use support::azurite::{container_sas, fresh_account, Account};

fn doctor(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_batchout"));
    c.arg("doctor")
        .args(args)
        .env("BATCHOUT_CONFIG", "/dev/null")
        .env_remove("BATCHOUT_STORE")
        .env_remove("BATCHOUT_PROFILE")
        .env_remove("AZURE_STORAGE_CONNECTION_STRING")
        .env_remove("AZURE_STORAGE_ACCOUNT")
        .env_remove("AZURE_STORAGE_KEY");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// An account with job `doc` holding one log.
fn seeded() -> Account {
    let acct = fresh_account();
    let store = acct.store();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        store
            .create_container("job-doc", &BTreeMap::new())
            .await
            .unwrap();
        store
            .put_block_blob(
                "job-doc",
                "t1/$TaskLog/stdout.txt",
                Bytes::from_static(b"hello\n"),
                &PutOptions::default(),
            )
            .await
            .unwrap();
    });
    acct
}

#[test]
fn a_working_key_passes_every_check_and_cleans_up() {
    let acct = seeded();
    let o = doctor(
        &["--store", &acct.blob_endpoint],
        &[
            ("AZURE_STORAGE_ACCOUNT", &acct.name),
            ("AZURE_STORAGE_KEY", &acct.key),
        ],
    );
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(t.contains(&format!("azure account {} (", acct.name)), "{t}");
    assert!(t.contains("(from --store)"), "{t}");
    assert!(
        t.contains("credential:  account key (from AZURE_STORAGE_KEY)"),
        "{t}"
    );
    assert!(t.contains("ok    list jobs: 1 job"), "{t}");
    assert!(
        t.contains("ok    read job-doc: listed and read 6 bytes of t1/$TaskLog/stdout.txt"),
        "{t}"
    );
    assert!(
        t.contains("ok    write job-doc: wrote and deleted a scratch blob"),
        "{t}"
    );
    assert!(t.contains("ok    latency:"), "{t}");
    assert!(t.contains("ok    clock:"), "{t}");
    assert!(!t.contains(&acct.key), "the key is never printed");
    // The scratch blob is gone: the container holds what it held.
    let store = acct.store();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let names: Vec<String> = rt
        .block_on(batchout::store::list_all_blobs(
            &*store,
            "job-doc",
            &Default::default(),
        ))
        .unwrap()
        .into_iter()
        .map(|b| b.name().to_string())
        .collect();
    assert_eq!(names, ["t1/$TaskLog/stdout.txt"]);
    // --read-only writes nothing and says so.
    let o = doctor(
        &[
            "--store",
            &acct.blob_endpoint,
            "--read-only",
            "--job",
            "doc",
        ],
        &[
            ("AZURE_STORAGE_ACCOUNT", &acct.name),
            ("AZURE_STORAGE_KEY", &acct.key),
        ],
    );
    assert!(
        text(&o).contains("write: skipped (--read-only)"),
        "{}",
        text(&o)
    );
}

#[test]
fn a_wrong_key_fails_with_what_to_do() {
    let acct = seeded();
    let wrong = "d3JvbmcgYnV0IHZhbGlkIGJhc2U2NCBrZXkgZm9yIHRlc3Rpbmc=";
    let cs = format!(
        "DefaultEndpointsProtocol=http;AccountName={};AccountKey={wrong};BlobEndpoint={};",
        acct.name, acct.blob_endpoint
    );
    let o = doctor(&[], &[("AZURE_STORAGE_CONNECTION_STRING", &cs)]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("(from AZURE_STORAGE_CONNECTION_STRING)"), "{t}");
    assert!(
        t.contains("credential:  account key (from AccountKey in AZURE_STORAGE_CONNECTION_STRING)"),
        "{t}"
    );
    assert!(t.contains("FAIL  list jobs:"), "{t}");
    assert!(t.contains("the account key was refused: check AZURE_STORAGE_KEY or the connection string's AccountKey"), "{t}");
    assert!(!t.contains(wrong), "{t}");
}

#[test]
fn an_expired_sas_fails_with_what_to_do() {
    let acct = seeded();
    let sas = container_sas(&acct, "job-doc", "rwdl", "2001-01-01T00:00:00Z");
    let url = format!("{}/job-doc?{sas}", acct.blob_endpoint);
    let o = doctor(&["--store", &url], &[]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("container job-doc only"), "{t}");
    assert!(
        t.contains("credential:  SAS (from the SAS in the store URL)"),
        "{t}"
    );
    assert!(t.contains("FAIL"), "{t}");
    assert!(
        t.contains("the SAS was refused: it may have expired"),
        "{t}"
    );
    let sig = sas.split("sig=").nth(1).unwrap();
    assert!(!t.contains(sig), "the signature is never printed: {t}");
}
