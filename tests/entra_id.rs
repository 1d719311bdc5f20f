//! Entra ID end to end (issue 16, item 5): Azurite over HTTPS accepting bearer tokens only
//! through OAuth, a CA the test makes trusted through SSL_CERT_FILE, and azure_identity's
//! chain signing in through a stand-in `az`. No account key or connection string is given.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

mod support;

use std::io::Write;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};
use support::azurite_tls;

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn unique(prefix: &str) -> String {
    format!("{prefix}{}{:06x}", std::process::id(), rand_suffix())
}

fn rand_suffix() -> u32 {
    use std::time::SystemTime;
    (SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos()
        >> 8)
        & 0xffffff
}

#[test]
fn prepare_save_jobs_ls_get_and_tail_work_with_bearer_tokens() {
    let tls = azurite_tls::get();
    let store = tls.account_url();
    let job = unique("entra");
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("result.bin");
    let content: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&file, &content).unwrap();
    let log = work.path().join("stdout.txt");
    std::fs::write(&log, b"line one\nline two\n").unwrap();

    let run = |args: &[&str]| {
        tls.batchout()
            .current_dir(work.path())
            .arg("--store")
            .arg(&store)
            .args(args)
            .output()
            .unwrap()
    };
    ok(&run(&["prepare", &job]));
    ok(&run(&["save", "--job", &job, "--task", "t1", "result.bin"]));
    ok(&run(&[
        "track",
        "--job",
        &job,
        "--task",
        "t1",
        "stdout.txt",
        "--",
        "true",
    ]));
    let jobs = ok(&run(&["jobs"]));
    assert!(jobs.contains(&job), "{jobs}");
    let ls = ok(&run(&["ls", &job, "t1"]));
    assert!(
        ls.contains("result.bin") && ls.contains("stdout.txt"),
        "{ls}"
    );
    let out = work.path().join("out");
    ok(&run(&["get", &job, "t1", "-o", out.to_str().unwrap()]));
    assert_eq!(
        std::fs::read(out.join("t1/TaskOutput/result.bin")).unwrap(),
        content
    );
    let tail = ok(&run(&["tail", &job, "t1"]));
    assert_eq!(tail, "line one\nline two\n");
    let cat = run(&["cat", &job, "t1", "TaskOutput", "result.bin"]);
    assert_eq!(cat.stdout, content);
}

#[test]
fn an_untrusted_certificate_is_named_with_the_fix() {
    let tls = azurite_tls::get();
    let o = tls
        .batchout()
        .env_remove("SSL_CERT_FILE")
        .env_remove("SSL_CERT_DIR")
        .args(["--store", &tls.account_url(), "jobs"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("TLS failure"), "{err}");
    assert!(err.contains("not signed by a trusted CA"), "{err}");
    assert!(err.contains("SSL_CERT_FILE"), "{err}");
    assert!(
        !err.contains("no answer from the storage endpoint"),
        "{err}"
    );
}

#[test]
fn doctor_names_the_identity_and_passes() {
    let tls = azurite_tls::get();
    let job = unique("doctor");
    let run = |args: &[&str]| {
        tls.batchout()
            .arg("--store")
            .arg(tls.account_url())
            .args(args)
            .output()
            .unwrap()
    };
    ok(&run(&["prepare", &job]));
    let o = run(&["doctor", "--job", &job]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.status.success(), "{text}");
    assert!(
        text.contains("credential:  Entra ID (from Entra ID: developer tools"),
        "{text}"
    );
    assert!(
        text.contains("identity:    tester@example.com, object id 0b1c2d3e"),
        "{text}"
    );
    assert!(text.contains("ok    write"), "{text}");
    assert!(!text.contains("eyJ"), "no token is printed: {text}");
}

/// Tokens that live 302 s are renewed every ~2 s (the SDK renews 5 minutes before expiry):
/// over a tail -f of a log that `track` appends to, both sides renew several times, and the
/// follower prints every byte once.
#[test]
fn tokens_renewed_during_track_and_tail_f_lose_and_double_nothing() {
    let tls = azurite_tls::get();
    let job = unique("renew");
    let work = tempfile::tempdir().unwrap();
    let calls = work.path().join("calls.log");
    let cmd = |args: &[&str]| {
        let mut c = tls.batchout();
        c.current_dir(work.path())
            .env("AZ_STUB_LIFETIME", "302")
            .env("AZ_STUB_LOG", &calls)
            .arg("--store")
            .arg(tls.account_url())
            .args(args);
        c
    };
    assert!(cmd(&["prepare", &job]).status().unwrap().success());
    // The tracked log grows for about 8 s, a numbered line every 50 ms.
    let log = work.path().join("stdout.txt");
    std::fs::write(&log, b"").unwrap();
    let mut track = cmd(&[
        "track",
        "--job",
        &job,
        "--task",
        "t1",
        "--interval",
        "1s",
        "stdout.txt",
    ])
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let mut tail = cmd(&["tail", "-f", "-n", "all", &job, "t1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let tail_out = tail.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let mut r = std::io::BufReader::new(tail_out);
        let mut line = String::new();
        use std::io::BufRead;
        while r.read_line(&mut line).unwrap_or(0) > 0 {
            buf.extend_from_slice(line.as_bytes());
            let done = line == "end\n";
            line.clear();
            if done {
                break;
            }
        }
        buf
    });
    let mut expected = Vec::new();
    {
        let mut f = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
        let started = Instant::now();
        let mut i = 0;
        while started.elapsed() < Duration::from_secs(8) {
            let l = format!("line {i:05} {}\n", "x".repeat(i % 70));
            f.write_all(l.as_bytes()).unwrap();
            expected.extend_from_slice(l.as_bytes());
            i += 1;
            std::thread::sleep(Duration::from_millis(50));
        }
        f.write_all(b"end\n").unwrap();
        expected.extend_from_slice(b"end\n");
    }
    // Wait (with a deadline) until the follower printed the last line.
    let deadline = Instant::now() + Duration::from_secs(60);
    while !reader.is_finished() {
        assert!(
            Instant::now() < deadline,
            "tail -f did not print the end in time"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let got = reader.join().unwrap();
    // SAFETY: SIGINT to the child processes we started, so track makes its last flush.
    unsafe {
        libc::kill(track.id() as libc::pid_t, libc::SIGINT);
    }
    let _ = tail.kill();
    let _ = tail.wait();
    let status = track.wait().unwrap();
    assert!(status.success() || status.code() == Some(130), "{status:?}");
    assert_eq!(
        String::from_utf8_lossy(&got),
        String::from_utf8_lossy(&expected),
        "every byte once, in order"
    );
    let tokens = std::fs::read_to_string(&calls).unwrap().lines().count();
    assert!(
        tokens >= 4,
        "tokens were renewed during the run ({tokens} handed out)"
    );
}
