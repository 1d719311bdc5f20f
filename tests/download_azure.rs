//! Download scenarios (tests/download_scenarios) on Azurite, the real emulator, plus the
//! `get` binary against it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

mod download_scenarios;
mod support;

use download_scenarios as s;

macro_rules! scenario {
    ($name:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $name() {
            let store = support::azurite::fresh_store();
            s::$name(
                store,
                concat!("job-", stringify!($name))
                    .replace('_', "-")
                    .as_str(),
            )
            .await;
        }
    };
}

scenario!(layout_integrity_and_rerun);
scenario!(selections_and_globs);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hostile_names() {
    s::hostile_names_with(support::azurite::fresh_store(), "job-hostile", false).await;
}
scenario!(md5_mismatch);
scenario!(cancel_resume_and_change);
scenario!(changed_during_download);
scenario!(cancel_one_transfer);
scenario!(progress_within_a_range);

use batchout::download::events::Outcome;
use batchout::download::DownloadOptions;
use rand::Rng;
use std::process::{Command, Stdio};
use std::time::Duration;
use support::fault_proxy::{Fault, FaultProxy};
use support::process;

/// A fresh account with an empty container `c`: a store straight to Azurite (for seeding),
/// a fault proxy in front of it, and a store through the proxy (for the download).
struct Wire {
    direct: std::sync::Arc<dyn batchout::store::Store>,
    proxy: FaultProxy,
    store: std::sync::Arc<dyn batchout::store::Store>,
}

async fn wire(c: &str) -> Wire {
    let acct = support::azurite::fresh_account();
    let direct = acct.store();
    s::new_container(&*direct, c).await;
    let proxy = FaultProxy::start(support::azurite::azurite().port);
    let store = proxy.store(&acct);
    Wire {
        direct,
        proxy,
        store,
    }
}

/// Cut bodies, refused connections, 503s and a stall (longer than the read timeout) on the
/// way: the download still completes, with exactly the blob's bytes.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn faults_on_the_wire_still_give_the_exact_bytes() {
    let c = "job-faults";
    let Wire {
        direct,
        proxy,
        store,
    } = wire(c).await;
    let big = s::data(6 << 20, 21);
    s::put(&*direct, c, "t1/$TaskOutput/big.bin", &big, None).await;
    s::put(&*direct, c, "t1/$TaskOutput/small.txt", b"small one", None).await;
    // Faults on the reads of the blobs (the request line holds the blob's path).
    proxy.inject_matching("big.bin", Fault::CutAfter(1000), 4);
    proxy.inject_matching("big.bin", Fault::Refuse, 2);
    proxy.inject_matching(
        "big.bin",
        Fault::Busy {
            retry_after_secs: 1,
        },
        2,
    );
    proxy.inject_matching("small.txt", Fault::CutAfter(3), 2);
    proxy.inject_matching("big.bin", Fault::Stall(Duration::from_secs(4)), 1);
    let tmp = tempfile::tempdir().unwrap();
    let opts = DownloadOptions {
        request_timeout: Duration::from_secs(2),
        ..s::small_ranges()
    };
    let run = s::get_all(&store, c, tmp.path(), opts).await;
    assert_eq!(
        run.summary.downloaded,
        2,
        "{:?} {:?}",
        run.summary,
        run.notices()
    );
    s::assert_verified_copy(
        &run,
        tmp.path(),
        "t1/$TaskOutput/big.bin",
        "t1/TaskOutput/big.bin",
        &big,
    );
    assert_eq!(
        std::fs::read(tmp.path().join("t1/TaskOutput/small.txt")).unwrap(),
        b"small one"
    );
    assert!(
        proxy.faults_injected() >= 10,
        "only {} faults fired",
        proxy.faults_injected()
    );
}

fn get_cmd(conn: &str, out: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_batchout"));
    c.args(["get", "j", "-o"]).arg(out);
    c.env_remove("BATCHOUT_STORE")
        .env_remove("BATCHOUT_GET_LIMIT")
        .env_remove("AZURE_STORAGE_ACCOUNT")
        .env("AZURE_STORAGE_CONNECTION_STRING", conn);
    c
}

/// kill -9 a real `batchout get` of a 64 MiB blob from Azurite mid-way, at a moment that
/// varies from run to run; the next run resumes and the SHA-256 matches. Then again with
/// the blob replaced in between: detected and restarted.
#[test]
fn kill_9_and_resume_from_azurite() {
    let acct = support::azurite::fresh_account();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let store = acct.store();
    let big = s::data(64 << 20, 22);
    rt.block_on(async {
        s::new_container(&*store, "job-j").await;
        s::put(&*store, "job-j", "t1/$TaskOutput/big.bin", &big, None).await;
    });
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let target = out.join("t1/TaskOutput/big.bin");
    let kill_midway = |extra: Duration| {
        let child = get_cmd(&acct.connection_string(), &out)
            .env("BATCHOUT_GET_LIMIT", "16M")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        process::kill_midway(
            child,
            Duration::from_secs(30),
            || process::download_under_way(&target),
            extra,
        );
        assert!(!target.exists(), "a partial file under the final name");
    };
    let mut rng = process::seeded_rng("kill_9_and_resume_from_azurite");
    kill_midway(Duration::from_millis(rng.random_range(100..1600)));
    let done = get_cmd(&acct.connection_string(), &out).output().unwrap();
    let stderr = String::from_utf8_lossy(&done.stderr);
    assert!(done.status.success(), "{stderr}");
    assert!(stderr.contains("resuming at"), "{stderr}");
    assert_eq!(s::sha256_file(&target), s::sha256(&big));

    std::fs::remove_file(&target).unwrap();
    kill_midway(Duration::from_millis(50));
    let newer = s::data(64 << 20, 23);
    rt.block_on(s::put(
        &*store,
        "job-j",
        "t1/$TaskOutput/big.bin",
        &newer,
        None,
    ));
    let done = get_cmd(&acct.connection_string(), &out).output().unwrap();
    let stderr = String::from_utf8_lossy(&done.stderr);
    assert!(done.status.success(), "{stderr}");
    assert!(
        stderr.contains("changed since the interrupted download; starting over"),
        "{stderr}"
    );
    assert_eq!(s::sha256_file(&target), s::sha256(&newer));
}

/// A blob without a Content-MD5 is checked range by range with the service's
/// transactional MD5: bytes corrupted on the wire are caught and read again, and a wire
/// that corrupts every time fails the file without leaving anything under its name.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn transactional_md5_catches_corruption_on_the_wire() {
    use batchout::store::PutOptions;
    let c = "job-wire";
    let Wire {
        direct,
        proxy,
        store,
    } = wire(c).await;
    // Staged blocks with no Content-MD5 given: the blob has none (Put Blob would get one).
    let big = s::data(6 << 20, 31);
    let no_md5 = PutOptions::default();
    s::put_blocks(&*direct, c, "t1/$TaskOutput/big.bin", &big, &no_md5, true).await;
    s::put_blocks(
        &*direct,
        c,
        "t1/$TaskOutput/small.bin",
        &big[..3000],
        &no_md5,
        true,
    )
    .await;
    assert_eq!(
        direct
            .blob_info(c, "t1/$TaskOutput/big.bin")
            .await
            .unwrap()
            .content_md5,
        None
    );

    proxy.inject_matching("big.bin", Fault::FlipByte(1234), 3);
    proxy.inject_matching("small.bin", Fault::FlipByte(7), 1);
    let tmp = tempfile::tempdir().unwrap();
    // Default options: 4 MiB ranges for a blob without Content-MD5, one read for 3000 bytes.
    let run = s::get_all(&store, c, tmp.path(), DownloadOptions::default()).await;
    assert_eq!(
        run.summary.downloaded,
        2,
        "{:?} {:?}",
        run.summary,
        run.notices()
    );
    let dir = tmp.path();
    s::assert_verified_copy(
        &run,
        dir,
        "t1/$TaskOutput/big.bin",
        "t1/TaskOutput/big.bin",
        &big,
    );
    let small = &big[..3000];
    s::assert_verified_copy(
        &run,
        dir,
        "t1/$TaskOutput/small.bin",
        "t1/TaskOutput/small.bin",
        small,
    );
    assert_eq!(proxy.faults_injected(), 4);
    let md5_retries = run
        .notices()
        .iter()
        .filter(|n| n.contains("transactional MD5"))
        .count();
    assert_eq!(md5_retries, 4, "{:?}", run.notices());

    // Every answer corrupted: the file fails, and only the folder it was going to is there.
    proxy.clear();
    proxy.inject_matching("big.bin", Fault::FlipByte(99), 1000);
    let tmp = tempfile::tempdir().unwrap();
    let opts = DownloadOptions {
        max_attempts: 3,
        ..Default::default()
    };
    let run = s::get_all(&store, c, tmp.path(), opts).await;
    match run.outcome_of("t1/$TaskOutput/big.bin") {
        Outcome::Failed { error } => assert!(error.contains("transactional MD5"), "{error}"),
        other => panic!("expected a failure, got {other:?}"),
    }
    assert!(!tmp.path().join("t1/TaskOutput/big.bin").exists());
}

/// With the default 16 MiB ranges, connections cut in the middle of a range's body: the
/// rest of the range is read from where the bytes stopped (the first retry of each range
/// asks for less than the whole range), and the file comes out exact and verified.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cut_inside_a_large_range_resumes_from_the_cut() {
    let c = "job-cuts";
    let Wire {
        direct,
        proxy,
        store,
    } = wire(c).await;
    let big = s::data(40 << 20, 51);
    s::put(&*direct, c, "t1/$TaskOutput/big.bin", &big, None).await;
    proxy.inject_matching("big.bin", Fault::CutAfter(5 << 20), 3);
    let tmp = tempfile::tempdir().unwrap();
    let run = s::get_all(&store, c, tmp.path(), DownloadOptions::default()).await;
    assert_eq!(
        run.summary.downloaded,
        1,
        "{:?} {:?}",
        run.summary,
        run.notices()
    );
    s::assert_verified_copy(
        &run,
        tmp.path(),
        "t1/$TaskOutput/big.bin",
        "t1/TaskOutput/big.bin",
        &big,
    );
    assert_eq!(proxy.faults_injected(), 3);
    // Besides the 3 whole ranges (16 MiB, 16 MiB, 8 MiB) that were cut, only what each was
    // missing was asked for again: no range starts at a multiple of 16 MiB twice.
    let starts: Vec<u64> = proxy
        .ranges()
        .iter()
        .filter_map(|r| r.strip_prefix("bytes=")?.split('-').next()?.parse().ok())
        .collect();
    let whole = starts.iter().filter(|s| *s % (16 << 20) == 0).count();
    assert_eq!(whole, 3, "range starts: {starts:?}");
    assert_eq!(starts.len(), 6, "range starts: {starts:?}");
    assert_eq!(
        run.notices()
            .iter()
            .filter(|n| n.contains("retrying"))
            .count(),
        3,
        "{:?}",
        run.notices()
    );
}
