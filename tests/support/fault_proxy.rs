//! A fault-injecting loopback HTTP proxy for tests: put it between a store and Azurite to
//! see how code copes with a cut connection, a stall, throttling, or a lost answer.
//!
//! ```ignore
//! use support::fault_proxy::{Fault, FaultProxy};
//! let acct = support::azurite::fresh_account();
//! let proxy = FaultProxy::start(support::azurite::azurite().port);
//! let store = proxy.store(&acct);                     // Shared Key store through the proxy
//! // (or proxy.endpoint(&acct.name) for a URL / connection string: http://127.0.0.1:P/NAME)
//! proxy.inject(Fault::Busy { retry_after_secs: 1 }, 2);           // next 2 requests: 503 ServerBusy
//! proxy.inject_matching("GET /", Fault::CutAfter(100), 1);        // next GET: body cut at 100 bytes
//! proxy.inject(Fault::Stall(Duration::from_secs(3)), 1);          // hold the next answer 3 s
//! proxy.inject(Fault::DropResponse, 1);   // forward the next request, never answer it
//! proxy.clear();                          // pass everything through again
//! proxy.requests();                       // requests seen so far
//! proxy.faults_injected();                // how many of them got a fault
//! ```
//! Rules are consulted in the order they were added; a rule fires for the next `times`
//! requests whose request line (`METHOD /path?query HTTP/1.1`) contains its pattern.
//!
//! How it works: each client connection carries one request (the proxy answers with
//! `Connection: close`, so clients reconnect for the next one); the request is forwarded
//! to 127.0.0.1:upstream, the whole answer is read, then the fault (if any) is applied on
//! the way back. Request bodies must have a Content-Length (all of batchout's do). The
//! proxy stops when dropped; it only ever connects to loopback.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// Answer 503 ServerBusy with this Retry-After, without forwarding.
    Busy { retry_after_secs: u64 },
    /// Answer 429 Too Many Requests (no Retry-After), without forwarding.
    TooManyRequests,
    /// Forward, then send the answer's headers and only the first N body bytes, then close.
    CutAfter(usize),
    /// Forward, then wait this long before answering.
    Stall(Duration),
    /// Forward (the service acts on the request), then close without answering.
    DropResponse,
    /// Close the connection without forwarding or answering.
    Refuse,
    /// Forward, then answer with body byte N flipped (corruption in transit, which only
    /// a checksum can catch).
    FlipByte(usize),
}

struct Rule {
    pattern: String,
    fault: Fault,
    remaining: usize,
}

#[derive(Default)]
struct Shared {
    rules: Mutex<Vec<Rule>>,
    requests: AtomicUsize,
    /// The `x-ms-range` of every request that had one, in arrival order.
    ranges: Mutex<Vec<String>>,
    injected: AtomicUsize,
    stop: AtomicBool,
}

pub struct FaultProxy {
    pub port: u16,
    shared: Arc<Shared>,
}

impl FaultProxy {
    /// Listen on a free loopback port and forward to 127.0.0.1:`upstream_port`.
    pub fn start(upstream_port: u16) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the fault proxy");
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared::default());
        let s = shared.clone();
        std::thread::Builder::new()
            .name("fault-proxy".into())
            .spawn(move || {
                for conn in listener.incoming() {
                    if s.stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    let s = s.clone();
                    std::thread::spawn(move || {
                        let _ = serve(conn, upstream_port, &s);
                    });
                }
            })
            .expect("spawn the fault proxy");
        FaultProxy { port, shared }
    }

    /// The account's blob endpoint through the proxy.
    pub fn endpoint(&self, account: &str) -> String {
        format!("http://127.0.0.1:{}/{account}", self.port)
    }

    /// A Shared Key store on `acct`, through the proxy.
    pub fn store(&self, acct: &super::azurite::Account) -> Arc<dyn batchout::store::Store> {
        Arc::new(
            batchout::store::azure::AzureStore::with_account_key(
                &self.endpoint(&acct.name),
                &acct.name,
                &acct.key,
            )
            .expect("store through the proxy"),
        )
    }

    /// Apply `fault` to the next `times` requests.
    pub fn inject(&self, fault: Fault, times: usize) {
        self.inject_matching("", fault, times);
    }

    /// Apply `fault` to the next `times` requests whose request line contains `pattern`.
    pub fn inject_matching(&self, pattern: &str, fault: Fault, times: usize) {
        self.shared.rules.lock().unwrap().push(Rule {
            pattern: pattern.to_string(),
            fault,
            remaining: times,
        });
    }

    /// Drop every rule not yet used up.
    pub fn clear(&self) {
        self.shared.rules.lock().unwrap().clear();
    }

    pub fn requests(&self) -> usize {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// The `x-ms-range` header values seen so far (e.g. `bytes=0-16777215`).
    pub fn ranges(&self) -> Vec<String> {
        self.shared.ranges.lock().unwrap().clone()
    }

    pub fn faults_injected(&self) -> usize {
        self.shared.injected.load(Ordering::SeqCst)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn pick_fault(s: &Shared, request_line: &str) -> Option<Fault> {
    let mut rules = s.rules.lock().unwrap();
    let rule = rules
        .iter_mut()
        .find(|r| r.remaining > 0 && request_line.contains(&r.pattern))?;
    rule.remaining -= 1;
    s.injected.fetch_add(1, Ordering::SeqCst);
    Some(rule.fault.clone())
}

/// One HTTP request: (request line, header block without the request line, body).
type Request = (String, Vec<String>, Vec<u8>);

/// Read one HTTP request.
fn read_request(conn: &mut TcpStream) -> std::io::Result<Option<Request>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
        let n = conn.read(&mut chunk)?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or("").to_string();
    let headers: Vec<String> = lines.map(str::to_string).collect();
    let len: usize = headers
        .iter()
        .find_map(|h| {
            let (k, v) = h.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())
                .flatten()
        })
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < len {
        let n = conn.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Ok(Some((request_line, headers, body)))
}

fn serve(mut client: TcpStream, upstream_port: u16, s: &Shared) -> std::io::Result<()> {
    let Some((request_line, headers, body)) = read_request(&mut client)? else {
        return Ok(());
    };
    s.requests.fetch_add(1, Ordering::SeqCst);
    if let Some(range) = headers.iter().find_map(|h| {
        let (name, value) = h.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("x-ms-range")
            .then(|| value.trim().to_string())
    }) {
        s.ranges.lock().unwrap().push(range);
    }
    let fault = pick_fault(s, &request_line);
    match &fault {
        Some(Fault::Refuse) => {
            let _ = client.shutdown(Shutdown::Both);
            return Ok(());
        }
        Some(Fault::Busy { retry_after_secs }) => {
            let body = "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>ServerBusy</Code><Message>The server is busy.</Message></Error>";
            write!(
                client,
                "HTTP/1.1 503 The server is busy.\r\nRetry-After: {retry_after_secs}\r\nx-ms-error-code: ServerBusy\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )?;
            return Ok(());
        }
        Some(Fault::TooManyRequests) => {
            write!(
                client,
                "HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )?;
            return Ok(());
        }
        _ => {}
    }
    // Forward with Connection: close so the answer ends at EOF.
    let mut up = TcpStream::connect(("127.0.0.1", upstream_port))?;
    let mut out = format!("{request_line}\r\n");
    for h in &headers {
        let name = h.split(':').next().unwrap_or("").trim();
        if !name.eq_ignore_ascii_case("connection") && !name.eq_ignore_ascii_case("keep-alive") {
            out.push_str(h);
            out.push_str("\r\n");
        }
    }
    out.push_str("Connection: close\r\n\r\n");
    up.write_all(out.as_bytes())?;
    up.write_all(&body)?;
    let mut answer = Vec::new();
    up.read_to_end(&mut answer)?;
    match fault {
        Some(Fault::DropResponse) => {
            let _ = client.shutdown(Shutdown::Both);
        }
        Some(Fault::Stall(d)) => {
            std::thread::sleep(d);
            client.write_all(&answer)?;
        }
        Some(Fault::CutAfter(n)) => {
            let head_end = body_start(&answer);
            let end = (head_end + n).min(answer.len().saturating_sub(1).max(head_end));
            client.write_all(&answer[..end])?;
            client.flush()?;
            let _ = client.shutdown(Shutdown::Both);
        }
        Some(Fault::FlipByte(n)) => {
            let head_end = body_start(&answer);
            if let Some(b) = answer.get_mut(head_end + n) {
                *b ^= 0x5a;
            }
            client.write_all(&answer)?;
        }
        _ => client.write_all(&answer)?,
    }
    Ok(())
}

/// Where the body of a raw HTTP answer starts (its end if it has no body).
fn body_start(answer: &[u8]) -> usize {
    answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| p + 4)
        .unwrap_or(answer.len())
}
