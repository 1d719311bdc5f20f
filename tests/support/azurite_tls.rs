//! Azurite over HTTPS with OAuth (`--oauth basic`): the emulator accepts Entra ID bearer
//! tokens (it checks issuer, audience and lifetime, not the signature). The tests make a CA
//! and a server certificate for 127.0.0.1 (rcgen), and a stand-in `az` on PATH that prints
//! a token for https://storage.azure.com the way `az account get-access-token -o json` does,
//! so azure_identity's chain signs in through it. One instance per test binary.
//!
//! ```ignore
//! let tls = support::azurite_tls::get();
//! tls.account_url();             // https://127.0.0.1:PORT/devstoreaccount1
//! tls.ca_pem                     // for SSL_CERT_FILE
//! tls.stub_dir                   // put first on PATH; `az` there
//! tls.token_calls()              // how many tokens the stub handed out
//! ```

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

pub struct TlsAzurite {
    pub port: u16,
    pub ca_pem: PathBuf,
    pub stub_dir: PathBuf,
    /// One line per token the stub printed.
    pub stub_log: PathBuf,
    _dir: tempfile::TempDir,
    pid: u32,
}

static TLS: OnceLock<TlsAzurite> = OnceLock::new();
static CHILD: Mutex<Option<Child>> = Mutex::new(None);

pub fn get() -> &'static TlsAzurite {
    TLS.get_or_init(start)
}

impl TlsAzurite {
    pub fn account_url(&self) -> String {
        format!("https://127.0.0.1:{}/devstoreaccount1", self.port)
    }

    pub fn token_calls(&self) -> usize {
        std::fs::read_to_string(&self.stub_log)
            .map(|s| s.lines().count())
            .unwrap_or(0)
    }

    /// PATH with the stand-in `az` first.
    pub fn path_env(&self) -> String {
        format!(
            "{}:{}",
            self.stub_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        )
    }

    /// A batchout command signed in with Entra ID through the stub (no account key or
    /// connection string in its environment), trusting the test CA.
    pub fn batchout(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_batchout"));
        c.env("PATH", self.path_env())
            .env("SSL_CERT_FILE", &self.ca_pem)
            .env("BATCHOUT_CONFIG", "/dev/null")
            .env("AZ_STUB_LOG", &self.stub_log)
            .env_remove("BATCHOUT_STORE")
            .env_remove("BATCHOUT_PROFILE")
            .env_remove("AZURE_STORAGE_CONNECTION_STRING")
            .env_remove("AZURE_STORAGE_ACCOUNT")
            .env_remove("AZURE_STORAGE_KEY")
            .env_remove("AZURE_CLIENT_SECRET")
            .env_remove("AZURE_FEDERATED_TOKEN_FILE")
            // No managed identity endpoint answers here; fail fast if the stub is not used.
            .env("IDENTITY_ENDPOINT", "http://127.0.0.1:9/")
            .env("IMDS_ENDPOINT", "http://127.0.0.1:9/");
        c
    }
}

/// The stand-in `az`: `az account get-access-token -o json --scope S` prints a JWT whose
/// lifetime is $AZ_STUB_LIFETIME seconds (default 3600), logs the call, refuses other
/// scopes as az would.
const AZ_STUB: &str = r#"#!/bin/sh
set -e
case "$*" in
  *"account get-access-token"*"--scope https://storage.azure.com/.default"*) ;;
  *) echo "ERROR: unexpected az call: $*" >&2; exit 1 ;;
esac
now=$(date +%s)
life=${AZ_STUB_LIFETIME:-3600}
exp=$((now + life))
b64() { base64 | tr -d '\n=' | tr '+/' '-_'; }
header=$(printf '{"alg":"RS256","typ":"JWT"}' | b64)
payload=$(printf '{"aud":"https://storage.azure.com","iss":"https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/","iat":%s,"nbf":%s,"exp":%s,"oid":"0b1c2d3e-0000-4000-8000-000000000001","tid":"72f988bf-86f1-41af-91ab-2d7cd011db47","upn":"tester@example.com","n":"%s"}' $((now - 5)) $((now - 5)) $exp "$$" | b64)
token="$header.$payload.c2lnbmF0dXJl"
[ -n "$AZ_STUB_LOG" ] && echo "$now $exp" >> "$AZ_STUB_LOG"
printf '{"accessToken":"%s","expiresOn":"","expires_on":%s,"subscription":"s","tenant":"72f988bf-86f1-41af-91ab-2d7cd011db47","tokenType":"Bearer"}\n' "$token" $exp
"#;

extern "C" fn kill_at_exit() {
    if let Some(a) = TLS.get() {
        // SAFETY: plain kill(2) of the child we started.
        unsafe {
            libc::kill(a.pid as libc::pid_t, libc::SIGKILL);
        }
    }
}

fn write_certs(dir: &std::path::Path) -> (PathBuf, PathBuf, PathBuf) {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "batchout test CA");
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let params =
        CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".to_string()]).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = params.signed_by(&key, &ca).unwrap();
    let (ca_pem, cert_pem, key_pem) = (
        dir.join("ca.pem"),
        dir.join("server.pem"),
        dir.join("server.key"),
    );
    std::fs::write(&ca_pem, ca.pem()).unwrap();
    std::fs::write(&cert_pem, cert.pem()).unwrap();
    std::fs::write(&key_pem, key.serialize_pem()).unwrap();
    (ca_pem, cert_pem, key_pem)
}

fn start() -> TlsAzurite {
    let dir = tempfile::tempdir().unwrap();
    let (ca_pem, cert_pem, key_pem) = write_certs(dir.path());
    let stub_dir = dir.path().join("bin");
    std::fs::create_dir(&stub_dir).unwrap();
    let az = stub_dir.join("az");
    std::fs::write(&az, AZ_STUB).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let bin = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tools/azurite/node_modules/.bin/azurite-blob");
    assert!(bin.exists(), "Azurite is not installed: run scripts/setup");
    let mut cmd = Command::new(&bin);
    cmd.args(["--blobHost", "127.0.0.1", "--blobPort", "0"])
        .args(["--cert", cert_pem.to_str().unwrap()])
        .args(["--key", key_pem.to_str().unwrap()])
        .args(["--oauth", "basic"])
        .args([
            "--skipApiVersionCheck",
            "--loose",
            "--inMemoryPersistence",
            "--disableTelemetry",
            "--silent",
        ])
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    // Spawned from a thread that lives as long as the process (PR_SET_PDEATHSIG fires when
    // the spawning thread ends).
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::os::unix::process::CommandExt;
        // SAFETY: prctl is async-signal-safe; nothing else runs before exec.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let _ = tx.send(cmd.spawn());
        loop {
            std::thread::park();
        }
    });
    let mut child = rx.recv().unwrap().expect("start Azurite");
    let pid = child.id();
    // SAFETY: registering a plain extern "C" fn.
    unsafe {
        libc::atexit(kill_at_exit);
    }
    let stdout = child.stdout.take().unwrap();
    let (port_tx, port_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut sent = false;
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if !sent {
                if let Some(rest) = line.split("listens on https://127.0.0.1:").nth(1) {
                    let _ = port_tx.send(rest.trim().trim_end_matches('/').parse().unwrap_or(0));
                    sent = true;
                }
            }
        }
    });
    let port: u16 = port_rx
        .recv_timeout(Duration::from_secs(60))
        .expect("Azurite (https, oauth) did not start within 60 s");
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(30));
        std::thread::sleep(Duration::from_millis(50));
    }
    *CHILD.lock().unwrap() = Some(child);
    let stub_log = dir.path().join("az-calls.log");
    TlsAzurite {
        port,
        ca_pem,
        stub_dir,
        stub_log,
        _dir: dir,
        pid,
    }
}
