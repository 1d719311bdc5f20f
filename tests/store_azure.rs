//! The Azure store against Azurite (started by tests/support/azurite.rs).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

mod support;

use batchout::store::*;
use bytes::Bytes;
use std::collections::BTreeMap;
use support::azurite;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn containers_blobs_and_hierarchy_round_trip() {
    rt().block_on(async {
        let s = azurite::fresh_store();
        let mut md = BTreeMap::new();
        md.insert(JOB_ID_METADATA_KEY.to_string(), "Job X".to_string());
        assert!(s.create_container("job-x", &md).await.unwrap());
        assert!(!s.create_container("job-x", &BTreeMap::new()).await.unwrap());
        let info = s.container_info("job-x").await.unwrap();
        assert_eq!(
            info.metadata.get(JOB_ID_METADATA_KEY).map(String::as_str),
            Some("Job X")
        );
        let cs = list_all_containers(&*s, "job-").await.unwrap();
        assert_eq!(
            cs.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
            ["job-x"]
        );
        assert_eq!(cs[0].metadata, info.metadata);

        for name in [
            "t1/$TaskLog/stdout.txt",
            "t1/$TaskOutput/a/b.txt",
            "t1/$TaskOutput/c d.txt",
            "t2/$TaskLog/x",
            "t1/$TaskOutput/a.txt",
        ] {
            let opts = PutOptions {
                content_type: Some("text/plain".into()),
                ..Default::default()
            };
            let b = s
                .put_block_blob("job-x", name, Bytes::from(format!("data of {name}")), &opts)
                .await
                .unwrap();
            assert_eq!(b.len as usize, format!("data of {name}").len());
            assert_eq!(b.blob_type, BlobType::Block);
        }
        let flat = list_all_blobs(&*s, "job-x", &ListQuery::flat("t1/"))
            .await
            .unwrap();
        assert_eq!(flat.len(), 4);
        let h = list_all_blobs(&*s, "job-x", &ListQuery::hierarchy("t1/$TaskOutput/"))
            .await
            .unwrap();
        let names: Vec<&str> = h.iter().map(|i| i.name()).collect();
        // Blob and prefix interleaved in name order ("a.txt" < "a/" < "c d.txt").
        assert_eq!(
            names,
            [
                "t1/$TaskOutput/a.txt",
                "t1/$TaskOutput/a/",
                "t1/$TaskOutput/c d.txt"
            ]
        );
        assert!(matches!(h[1], ListItem::Prefix(_)));
        let top = list_all_blobs(&*s, "job-x", &ListQuery::hierarchy(""))
            .await
            .unwrap();
        assert_eq!(
            top.iter().map(|i| i.name()).collect::<Vec<_>>(),
            ["t1/", "t2/"]
        );

        // Paging: 2 per page still yields everything once, in order.
        let mut marker = None;
        let mut all = vec![];
        loop {
            let p = s
                .list_blobs(
                    "job-x",
                    &ListQuery::flat("").page_size(2),
                    marker.as_deref(),
                )
                .await
                .unwrap();
            assert!(p.items.len() <= 2);
            all.extend(p.items.into_iter().map(|i| i.name().to_string()));
            match p.next_marker {
                Some(m) => marker = Some(m),
                None => break,
            }
        }
        let mut sorted = all.clone();
        sorted.sort();
        assert_eq!(all, sorted);
        assert_eq!(all.len(), 5);

        let b = s
            .blob_info("job-x", "t1/$TaskOutput/c d.txt")
            .await
            .unwrap();
        assert_eq!(b.content_type.as_deref(), Some("text/plain"));
        let r = s
            .read_range(
                "job-x",
                "t1/$TaskOutput/c d.txt",
                ByteRange::new(2, 3),
                None,
            )
            .await
            .unwrap();
        assert_eq!(&r.data[..], b"ta ");
        assert_eq!(r.start, 2);
        assert_eq!(r.total_len, b.len);
        assert_eq!(r.etag, b.etag);
        let e = s
            .read_range(
                "job-x",
                "t1/$TaskOutput/c d.txt",
                ByteRange::from(b.len),
                None,
            )
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::InvalidRange { .. }), "{e}");
        let e = s
            .read_range(
                "job-x",
                "t1/$TaskOutput/c d.txt",
                ByteRange::all(),
                Some("\"0x1\""),
            )
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::ConditionNotMet { .. }), "{e}");

        s.delete_blob("job-x", "t2/$TaskLog/x").await.unwrap();
        let e = s.blob_info("job-x", "t2/$TaskLog/x").await.unwrap_err();
        assert!(matches!(e, StoreError::BlobNotFound { .. }), "{e}");
        let e = s.delete_blob("job-x", "t2/$TaskLog/x").await.unwrap_err();
        assert!(matches!(e, StoreError::BlobNotFound { .. }), "{e}");
        let e = s
            .list_blobs("job-nope", &ListQuery::flat(""), None)
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::ContainerNotFound { .. }), "{e}");
        assert!(
            e.to_string()
                .contains("container job-nope does not exist in azure account"),
            "{e}"
        );
    });
}

#[test]
fn append_blobs_respect_the_position() {
    rt().block_on(async {
        let s = azurite::fresh_store();
        s.create_container("job-a", &BTreeMap::new()).await.unwrap();
        let (info, created) = s
            .create_append_blob("job-a", "t/$TaskLog/stdout.txt", &PutOptions::default())
            .await
            .unwrap();
        assert!(created);
        assert_eq!(info.len, 0);
        assert_eq!(info.blob_type, BlobType::Append);
        let r = s
            .read_range("job-a", "t/$TaskLog/stdout.txt", ByteRange::all(), None)
            .await
            .unwrap();
        assert!(r.data.is_empty());
        assert_eq!(r.total_len, 0);
        let a = s
            .append_block(
                "job-a",
                "t/$TaskLog/stdout.txt",
                Bytes::from_static(b"hello "),
                0,
            )
            .await
            .unwrap();
        assert_eq!(a.len, 6);
        let a = s
            .append_block(
                "job-a",
                "t/$TaskLog/stdout.txt",
                Bytes::from_static(b"world"),
                6,
            )
            .await
            .unwrap();
        assert_eq!(a.len, 11);
        assert_eq!(a.committed_blocks, Some(2));
        let e = s
            .append_block(
                "job-a",
                "t/$TaskLog/stdout.txt",
                Bytes::from_static(b"!"),
                6,
            )
            .await
            .unwrap_err();
        match e {
            StoreError::AppendPositionMismatch {
                expected, actual, ..
            } => {
                assert_eq!(expected, 6);
                assert_eq!(actual, Some(11));
            }
            other => panic!("{other}"),
        }
        let (again, created) = s
            .create_append_blob("job-a", "t/$TaskLog/stdout.txt", &PutOptions::default())
            .await
            .unwrap();
        assert!(!created);
        assert_eq!(again.len, 11, "create never truncates");
        let r = s
            .read_range("job-a", "t/$TaskLog/stdout.txt", ByteRange::from(6), None)
            .await
            .unwrap();
        assert_eq!(&r.data[..], b"world");
        assert_eq!(r.total_len, 11);

        // Type mismatches both ways.
        let e = s
            .put_block_blob(
                "job-a",
                "t/$TaskLog/stdout.txt",
                Bytes::from_static(b"x"),
                &PutOptions::default(),
            )
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::BlobTypeMismatch { .. }), "{e}");
        s.put_block_blob(
            "job-a",
            "block",
            Bytes::from_static(b"x"),
            &PutOptions::default(),
        )
        .await
        .unwrap();
        let e = s
            .create_append_blob("job-a", "block", &PutOptions::default())
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::BlobTypeMismatch { .. }), "{e}");
        let e = s
            .append_block("job-a", "block", Bytes::from_static(b"x"), 1)
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::BlobTypeMismatch { .. }), "{e}");
    });
}

#[test]
fn staged_blocks_commit_in_order_with_md5() {
    use base64::Engine as _;
    use md5::Digest as _;
    rt().block_on(async {
        let s = azurite::fresh_store();
        s.create_container("job-b", &BTreeMap::new()).await.unwrap();
        let parts = [b"first-".to_vec(), b"second-".to_vec(), b"third".to_vec()];
        let ids: Vec<String> = (0..3)
            .map(|i| base64::engine::general_purpose::STANDARD.encode(format!("block-{i:06}")))
            .collect();
        // Staged out of order; the commit order decides the content.
        for i in [2usize, 0, 1] {
            s.stage_block("job-b", "big.bin", &ids[i], Bytes::from(parts[i].clone()))
                .await
                .unwrap();
        }
        let whole: Vec<u8> = parts.concat();
        let md5: [u8; 16] = md5::Md5::digest(&whole).into();
        let opts = PutOptions {
            content_md5: Some(md5),
            content_type: Some("application/octet-stream".into()),
            ..Default::default()
        };
        let info = s
            .commit_block_list("job-b", "big.bin", &ids, &opts)
            .await
            .unwrap();
        assert_eq!(info.len, whole.len() as u64);
        assert_eq!(info.content_md5, Some(md5));
        let r = s
            .read_range("job-b", "big.bin", ByteRange::all(), None)
            .await
            .unwrap();
        assert_eq!(&r.data[..], &whole[..]);
        assert_eq!(r.content_md5, Some(md5));
    });
}

// The shared conformance suite (tests/support/conformance.rs), each case on its own
// Azurite account.
store_conformance_suite!(async { azurite::fresh_store() });

// ---- sign-in forms (store::open) against Azurite ----

use batchout::store::open::{connection_string_target, open_target, resolve, StoreSpec};

fn env_from(pairs: Vec<(&'static str, String)>) -> impl Fn(&str) -> Option<String> {
    move |k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
}

/// Write a blob with the account key, so a store signed in another way has something to read.
async fn seed(acct: &azurite::Account, container: &str) {
    let s = acct.store();
    s.create_container(container, &BTreeMap::new())
        .await
        .unwrap();
    s.put_block_blob(
        container,
        "t1/$TaskLog/stdout.txt",
        Bytes::from_static(b"hello"),
        &PutOptions::default(),
    )
    .await
    .unwrap();
}

async fn read_back(s: &dyn Store, container: &str) {
    let names: Vec<String> = list_all_blobs(s, container, &ListQuery::flat(""))
        .await
        .unwrap()
        .iter()
        .map(|i| i.name().to_string())
        .collect();
    assert_eq!(names, ["t1/$TaskLog/stdout.txt"]);
    let r = s
        .read_range(container, "t1/$TaskLog/stdout.txt", ByteRange::all(), None)
        .await
        .unwrap();
    assert_eq!(&r.data[..], b"hello");
}

#[test]
fn connection_string_with_account_key() {
    rt().block_on(async {
        let acct = azurite::fresh_account();
        seed(&acct, "job-cs").await;
        let s = open_target(
            connection_string_target(&acct.connection_string(), &env_from(vec![])).unwrap(),
        )
        .unwrap();
        read_back(&*s, "job-cs").await;
        assert!(s.describe().contains(&acct.name));
        assert!(!s.describe().contains(&acct.key));
    });
}

#[test]
fn connection_string_with_sas_and_blob_endpoint() {
    rt().block_on(async {
        let acct = azurite::fresh_account();
        seed(&acct, "job-sas").await;
        let sas = azurite::container_sas(&acct, "job-sas", "rl", "2099-01-01T00:00:00Z");
        let cs = format!(
            "BlobEndpoint={};SharedAccessSignature={sas}",
            acct.blob_endpoint
        );
        let s = open_target(connection_string_target(&cs, &env_from(vec![])).unwrap()).unwrap();
        read_back(&*s, "job-sas").await;
    });
}

#[test]
fn use_development_storage_targets_the_emulator_endpoint() {
    rt().block_on(async {
        let env = env_from(vec![(
            "BATCHOUT_AZURITE_BLOB_ENDPOINT",
            azurite::devstore_endpoint(),
        )]);
        let s = open_target(connection_string_target("UseDevelopmentStorage=true", &env).unwrap())
            .unwrap();
        let name = "job-devstore-cs";
        s.create_container(name, &BTreeMap::new()).await.unwrap();
        assert!(s.container_info(name).await.is_ok());
        // `--store azurite` is the same account.
        let s2 = open_target(resolve(&StoreSpec::Azurite, &env).unwrap()).unwrap();
        assert!(s2.container_info(name).await.is_ok());
    });
}

#[test]
fn container_sas_url_is_a_store_for_that_container_only() {
    rt().block_on(async {
        let acct = azurite::fresh_account();
        seed(&acct, "job-url").await;
        acct.store()
            .create_container("job-other", &BTreeMap::new())
            .await
            .unwrap();
        let sas = azurite::container_sas(&acct, "job-url", "racwl", "2099-01-01T00:00:00Z");
        let url = format!("{}/job-url?{sas}", acct.blob_endpoint);
        let s = open_target(resolve(&StoreSpec::parse(&url), &env_from(vec![])).unwrap()).unwrap();
        read_back(&*s, "job-url").await;
        let cs = list_all_containers(&*s, "job-").await.unwrap();
        assert_eq!(
            cs.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
            ["job-url"]
        );
        // Writing works with the SAS's rights...
        s.create_append_blob("job-url", "t1/$TaskLog/stderr.txt", &PutOptions::default())
            .await
            .unwrap();
        s.append_block(
            "job-url",
            "t1/$TaskLog/stderr.txt",
            Bytes::from_static(b"e"),
            0,
        )
        .await
        .unwrap();
        // ...but only in its container.
        let e = s
            .list_blobs("job-other", &ListQuery::flat(""), None)
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Auth(_)), "{e}");
        assert!(!s.describe().contains("sig="), "{}", s.describe());
    });
}

#[test]
fn account_url_signed_with_account_variables() {
    rt().block_on(async {
        let acct = azurite::fresh_account();
        seed(&acct, "job-vars").await;
        let env = env_from(vec![
            ("AZURE_STORAGE_ACCOUNT", acct.name.clone()),
            ("AZURE_STORAGE_KEY", acct.key.clone()),
        ]);
        let s =
            open_target(resolve(&StoreSpec::parse(&acct.blob_endpoint), &env).unwrap()).unwrap();
        read_back(&*s, "job-vars").await;
    });
}

#[test]
fn wrong_key_and_expired_sas_are_auth_errors_with_a_hint() {
    rt().block_on(async {
        let acct = azurite::fresh_account();
        seed(&acct, "job-auth").await;
        let wrong = batchout::store::azure::AzureStore::with_account_key(
            &acct.blob_endpoint,
            &acct.name,
            "d3Jvbmcga2V5IHdyb25nIGtleSB3cm9uZyBrZXkgd3Jvbmcga2V5IHdyb25nIGtleSB3cm9uZyBrZXk=",
        )
        .unwrap();
        let e = wrong
            .list_blobs("job-auth", &ListQuery::flat(""), None)
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Auth(_)), "{e}");
        assert!(e.to_string().contains("AZURE_STORAGE_KEY"), "{e}");
        assert!(!e.to_string().contains('\n'));

        let sas = azurite::container_sas(&acct, "job-auth", "rl", "2001-01-01T00:00:00Z");
        let url = format!("{}/job-auth?{sas}", acct.blob_endpoint);
        let s = open_target(resolve(&StoreSpec::parse(&url), &env_from(vec![])).unwrap()).unwrap();
        let e = s
            .list_blobs("job-auth", &ListQuery::flat(""), None)
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Auth(_)), "{e}");
        let msg = e.to_string();
        assert!(msg.contains("expired"), "{msg}");
        assert!(
            !msg.contains("sig=") || msg.contains("sig=REDACTED"),
            "{msg}"
        );
        let sig = sas.split("sig=").nth(1).unwrap();
        assert!(!msg.contains(sig), "{msg}");
    });
}

#[test]
fn unreachable_account_fails_fast() {
    rt().block_on(async {
        // A loopback port nobody listens on.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let s = batchout::store::azure::AzureStore::with_account_key(
            &format!("http://127.0.0.1:{port}/devstoreaccount1"),
            "devstoreaccount1",
            batchout::store::azure::AZURITE_ACCOUNT_KEY,
        )
        .unwrap();
        let t = std::time::Instant::now();
        let e = s.list_containers("job-", None).await.unwrap_err();
        assert!(matches!(e, StoreError::Unreachable(_)), "{e}");
        assert!(e.is_transient());
        assert!(
            t.elapsed() < std::time::Duration::from_secs(5),
            "took {:?}",
            t.elapsed()
        );
        assert!(e.to_string().contains(&format!("127.0.0.1:{port}")), "{e}");
    });
}

// ---- faults between the store and Azurite (tests/support/fault_proxy.rs) ----

use batchout::store::azure::{AzureStore, ConnectSettings, Credential, Endpoint};
use batchout::store::retry::RetrySettings;
use std::time::{Duration, Instant};
use support::fault_proxy::{Fault, FaultProxy};

/// A store through the proxy with short timeouts and retry delays, so fault tests are quick.
fn quick_store(proxy: &FaultProxy, acct: &azurite::Account, max_retries: u32) -> AzureStore {
    let settings = ConnectSettings {
        connect_timeout: Duration::from_secs(2),
        read_timeout: Duration::from_millis(700),
        retry: RetrySettings {
            max_retries,
            max_connect_retries: 1,
            initial_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(200),
            max_retry_after: Duration::from_secs(5),
            budget: Duration::from_secs(60),
        },
    };
    AzureStore::with_settings(
        Endpoint {
            account_url: url::Url::parse(&proxy.endpoint(&acct.name)).unwrap(),
            account_name: acct.name.clone(),
            container: None,
            credential: Credential::SharedKey {
                account: acct.name.clone(),
                key: acct.key.clone().into(),
            },
        },
        &settings,
    )
    .unwrap()
}

#[test]
fn server_busy_is_retried_honouring_retry_after() {
    rt().block_on(async {
        let acct = azurite::fresh_account();
        seed(&acct, "job-busy").await;
        let proxy = FaultProxy::start(azurite::azurite().port);
        let s = quick_store(&proxy, &acct, 4);
        proxy.inject(
            Fault::Busy {
                retry_after_secs: 1,
            },
            1,
        );
        let t = Instant::now();
        read_back(&s, "job-busy").await;
        assert!(
            t.elapsed() >= Duration::from_millis(950),
            "Retry-After not honoured: {:?}",
            t.elapsed()
        );
        assert_eq!(proxy.faults_injected(), 1);
    });
}

#[test]
fn persistent_throttling_is_reported_after_retries() {
    rt().block_on(async {
        let acct = azurite::fresh_account();
        seed(&acct, "job-throttle").await;
        let proxy = FaultProxy::start(azurite::azurite().port);
        let s = quick_store(&proxy, &acct, 3);
        proxy.inject(
            Fault::Busy {
                retry_after_secs: 0,
            },
            100,
        );
        let e = s
            .blob_info("job-throttle", "t1/$TaskLog/stdout.txt")
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Throttled(_)), "{e}");
        assert!(e.is_transient());
        assert_eq!(proxy.requests(), 4, "one try and three retries");
        proxy.clear();
        proxy.inject(Fault::TooManyRequests, 100);
        let e = s
            .list_blobs("job-throttle", &ListQuery::flat(""), None)
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Throttled(_)), "{e}");
    });
}

#[test]
fn a_read_cut_mid_body_or_stalled_is_retried() {
    rt().block_on(async {
        let acct = azurite::fresh_account();
        let s0 = acct.store();
        s0.create_container("job-cut", &BTreeMap::new())
            .await
            .unwrap();
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        s0.put_block_blob(
            "job-cut",
            "big",
            Bytes::from(data.clone()),
            &PutOptions::default(),
        )
        .await
        .unwrap();
        let proxy = FaultProxy::start(azurite::azurite().port);
        let s = quick_store(&proxy, &acct, 3);
        proxy.inject_matching("GET /", Fault::CutAfter(1000), 1);
        let r = s
            .read_range("job-cut", "big", ByteRange::all(), None)
            .await
            .unwrap();
        assert_eq!(r.data.len(), data.len());
        assert!(r.data[..] == data[..]);
        proxy.inject_matching("GET /", Fault::Stall(Duration::from_secs(2)), 1);
        let r = s
            .read_range("job-cut", "big", ByteRange::new(10, 5), None)
            .await
            .unwrap();
        assert_eq!(&r.data[..], &data[10..15]);
        assert_eq!(proxy.faults_injected(), 2);
        // Cut every time: a transient error, not a panic or a short read.
        proxy.inject_matching("GET /", Fault::CutAfter(10), 100);
        let e = s
            .read_range("job-cut", "big", ByteRange::all(), None)
            .await
            .unwrap_err();
        assert!(e.is_transient(), "{e}");
    });
}

#[test]
fn an_append_whose_answer_is_lost_reports_where_the_blob_ended() {
    rt().block_on(async {
        let acct = azurite::fresh_account();
        acct.store()
            .create_container("job-lost", &BTreeMap::new())
            .await
            .unwrap();
        let proxy = FaultProxy::start(azurite::azurite().port);
        let s = quick_store(&proxy, &acct, 3);
        s.create_append_blob("job-lost", "log", &PutOptions::default())
            .await
            .unwrap();
        // The service appends, the answer never arrives, the retry finds the position moved:
        // the caller learns the blob's real length and can tell its block landed.
        proxy.inject_matching("comp=appendblock", Fault::DropResponse, 1);
        match s
            .append_block("job-lost", "log", Bytes::from_static(b"abc"), 0)
            .await
        {
            Ok(info) => assert_eq!(info.len, 3),
            Err(StoreError::AppendPositionMismatch {
                expected, actual, ..
            }) => {
                assert_eq!(expected, 0);
                assert_eq!(actual, Some(3));
            }
            Err(other) => panic!("{other}"),
        }
        assert_eq!(
            acct.store().blob_info("job-lost", "log").await.unwrap().len,
            3,
            "appended exactly once"
        );
    });
}

/// The service gives a transactional MD5 for streamed ranges of at most 4 MiB when asked
/// (what downloads of blobs without a Content-MD5 rely on), and none above.
#[test]
fn streamed_ranges_carry_the_service_md5() {
    use futures::StreamExt;
    use md5::{Digest, Md5};
    rt().block_on(async {
        let s = azurite::fresh_store();
        s.create_container("job-md5", &BTreeMap::new())
            .await
            .unwrap();
        let data: Vec<u8> = (0..(6u32 << 20)).map(|i| (i * 7 % 253) as u8).collect();
        s.put_block_blob(
            "job-md5",
            "b",
            Bytes::from(data.clone()),
            &PutOptions::default(),
        )
        .await
        .unwrap();
        for (start, len, offered) in [
            (0u64, 1u64 << 10, true),
            (3, MAX_RANGE_MD5, true),
            (0, MAX_RANGE_MD5 + 1, false),
        ] {
            let mut rs = s
                .read_range_stream("job-md5", "b", start, len, None, true)
                .await
                .unwrap();
            let mut got = Vec::new();
            while let Some(c) = rs.body.next().await {
                got.extend_from_slice(&c.unwrap());
            }
            assert!(got == data[start as usize..(start + len) as usize]);
            let want: [u8; 16] = Md5::digest(&got).into();
            assert_eq!(rs.range_md5, offered.then_some(want), "range {start}+{len}");
        }
    });
}
