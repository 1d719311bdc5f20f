//! Azurite, the real Azure Storage emulator, for tests.
//!
//! One Azurite blob service runs per test binary: started lazily by the first test that
//! asks, shared by the others, on a free loopback port, in memory. It dies with the test
//! process (killed at exit, and the kernel sends it SIGKILL if the process dies any other
//! way). Tests FAIL, not skip, when Azurite is not installed: run `scripts/setup`.
//!
//! Every test gets its own storage account (Azurite is started with a pool of accounts),
//! so tests never see each other's containers:
//!
//! ```ignore
//! let store = support::azurite::fresh_store();            // Arc<dyn Store>
//! let acct = support::azurite::fresh_account();           // name, key, endpoint
//! acct.connection_string();                               // for AZURE_STORAGE_CONNECTION_STRING
//! acct.blob_endpoint;                                     // http://127.0.0.1:PORT/NAME
//! support::azurite::devstore_endpoint();                  // the well-known devstoreaccount1
//! ```
//! (The devstoreaccount1 account is shared by every test of the binary: use it only for
//! `--store azurite` / `UseDevelopmentStorage=true` tests with unique container names.)

use batchout::store::azure::{AzureStore, AZURITE_ACCOUNT, AZURITE_ACCOUNT_KEY};
use batchout::store::Store;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Accounts in the pool (one per `fresh_account()` call of a test binary).
const POOL: usize = 400;

pub struct Azurite {
    pub port: u16,
    pid: u32,
}

static AZURITE: OnceLock<Azurite> = OnceLock::new();
static CHILD: Mutex<Option<Child>> = Mutex::new(None);
static NEXT_ACCOUNT: AtomicUsize = AtomicUsize::new(0);

/// An account of the running Azurite that no other test uses.
#[derive(Debug, Clone)]
pub struct Account {
    pub name: String,
    pub key: String,
    /// `http://127.0.0.1:PORT/NAME`
    pub blob_endpoint: String,
}

impl Account {
    /// `AZURE_STORAGE_CONNECTION_STRING` for this account (account key form).
    pub fn connection_string(&self) -> String {
        format!(
            "DefaultEndpointsProtocol=http;AccountName={};AccountKey={};BlobEndpoint={};",
            self.name, self.key, self.blob_endpoint
        )
    }

    /// A Shared Key store on this account.
    pub fn store(&self) -> Arc<dyn Store> {
        Arc::new(
            AzureStore::with_account_key(&self.blob_endpoint, &self.name, &self.key)
                .expect("Azurite store"),
        )
    }
}

fn pool_name(i: usize) -> String {
    format!("batchouttest{i:04}")
}

/// The running Azurite (started on first use).
pub fn azurite() -> &'static Azurite {
    AZURITE.get_or_init(start)
}

/// A fresh, empty account on the shared Azurite.
pub fn fresh_account() -> Account {
    let a = azurite();
    let i = NEXT_ACCOUNT.fetch_add(1, Ordering::SeqCst);
    assert!(
        i < POOL,
        "tests/support/azurite.rs: more than {POOL} fresh accounts in one test binary; raise POOL"
    );
    let name = pool_name(i);
    Account {
        blob_endpoint: format!("http://127.0.0.1:{}/{name}", a.port),
        name,
        key: AZURITE_ACCOUNT_KEY.to_string(),
    }
}

/// A store on a fresh, empty account.
pub fn fresh_store() -> Arc<dyn Store> {
    fresh_account().store()
}

/// The emulator's well-known account endpoint (`--store azurite` targets it when
/// BATCHOUT_AZURITE_BLOB_ENDPOINT is set to this).
pub fn devstore_endpoint() -> String {
    format!("http://127.0.0.1:{}/{AZURITE_ACCOUNT}", azurite().port)
}

fn azurite_bin() -> PathBuf {
    if let Ok(p) = std::env::var("BATCHOUT_AZURITE_BIN") {
        return PathBuf::from(p);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tools/azurite/node_modules/.bin/azurite-blob")
}

extern "C" fn kill_azurite_at_exit() {
    if let Some(a) = AZURITE.get() {
        // SAFETY: plain kill(2) of the child we started.
        unsafe {
            libc::kill(a.pid as libc::pid_t, libc::SIGKILL);
        }
    }
}

fn start() -> Azurite {
    let bin = azurite_bin();
    assert!(
        bin.exists(),
        "Azurite is not installed ({} is missing): run scripts/setup",
        bin.display()
    );
    let accounts: String = std::iter::once(format!("{AZURITE_ACCOUNT}:{AZURITE_ACCOUNT_KEY}"))
        .chain((0..POOL).map(|i| format!("{}:{AZURITE_ACCOUNT_KEY}", pool_name(i))))
        .collect::<Vec<_>>()
        .join(";");
    let workdir = std::env::temp_dir().join(format!("batchout-azurite-{}", std::process::id()));
    std::fs::create_dir_all(&workdir).expect("Azurite work folder");
    let mut cmd = Command::new(&bin);
    cmd.args([
        "--blobHost",
        "127.0.0.1",
        "--blobPort",
        "0",
        "--skipApiVersionCheck",
        "--loose",
        "--inMemoryPersistence",
        "--disableTelemetry",
        "--silent",
    ])
    .env("AZURITE_ACCOUNTS", accounts)
    .current_dir(&workdir)
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    // The child must not outlive us. PR_SET_PDEATHSIG fires when the spawning *thread*
    // ends, so spawn from a thread that lives as long as the process.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("azurite-keeper".into())
        .spawn(move || {
            use std::os::unix::process::CommandExt;
            // SAFETY: prctl/getppid are async-signal-safe; nothing else runs before exec.
            unsafe {
                cmd.pre_exec(|| {
                    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                    Ok(())
                });
            }
            let r = cmd.spawn();
            let _ = tx.send(r);
            loop {
                std::thread::park();
            }
        })
        .expect("spawn the Azurite keeper thread");
    let mut child = rx
        .recv()
        .expect("keeper thread answers")
        .unwrap_or_else(|e| {
            panic!(
                "cannot start Azurite ({}): {e}; run scripts/setup",
                bin.display()
            )
        });
    let pid = child.id();
    // SAFETY: registering a plain extern "C" fn.
    unsafe {
        libc::atexit(kill_azurite_at_exit);
    }
    let stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let err_text = Arc::new(Mutex::new(String::new()));
    {
        let err_text = err_text.clone();
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = stderr.read_to_string(&mut s);
            err_text.lock().unwrap().push_str(&s);
        });
    }
    let (port_tx, port_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        let mut sent = false;
        // Keep draining after the port line so Azurite never blocks on a full pipe.
        while let Some(Ok(line)) = lines.next() {
            if !sent {
                if let Some(rest) = line.split("listens on http://127.0.0.1:").nth(1) {
                    let port: u16 = rest.trim().trim_end_matches('/').parse().unwrap_or(0);
                    let _ = port_tx.send(port);
                    sent = true;
                }
            }
        }
    });
    let deadline = Duration::from_secs(60);
    let port = match port_rx.recv_timeout(deadline) {
        Ok(p) if p > 0 => p,
        _ => {
            let _ = child.kill();
            std::thread::sleep(Duration::from_millis(200));
            panic!(
                "Azurite did not start (waited at most {deadline:?}; {}): {}; run scripts/setup",
                bin.display(),
                err_text.lock().unwrap().trim()
            );
        }
    };
    // Wait until it answers HTTP, not just listens.
    let started = Instant::now();
    loop {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        assert!(
            started.elapsed() < deadline,
            "Azurite on port {port} does not accept connections"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    *CHILD.lock().unwrap() = Some(child);
    Azurite { port, pid }
}

/// A service SAS for one container (`sr=c`), signed with the account key the way
/// `az storage container generate-sas --account-key` does (version 2020-12-06 format).
/// `expiry` is an ISO 8601 UTC time, e.g. `2099-01-01T00:00:00Z`.
pub fn container_sas(
    account: &Account,
    container: &str,
    permissions: &str,
    expiry: &str,
) -> String {
    use base64::Engine as _;
    use hmac::Mac as _;
    let version = "2020-12-06";
    let string_to_sign = [
        permissions,
        "", // start
        expiry,
        &format!("/blob/{}/{container}", account.name),
        "", // identifier
        "", // IP range
        "", // protocol
        version,
        "c",
        "", // snapshot time
        "", // encryption scope
        "",
        "",
        "",
        "",
        "", // rscc rscd rsce rscl rsct
    ]
    .join("\n");
    let key = base64::engine::general_purpose::STANDARD
        .decode(&account.key)
        .unwrap();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(string_to_sign.as_bytes());
    let sig = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    format!(
        "sv={version}&sr=c&sp={}&se={}&sig={}",
        enc(permissions),
        enc(expiry),
        enc(&sig)
    )
}
