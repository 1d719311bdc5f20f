//! Turning service answers and transport failures into [`StoreError`]s a user can act on:
//! one line, what was wrong, what to do, secrets redacted.

use crate::store::StoreError;
use crate::text::one_line;
use azure_core::error::ErrorKind;
use azure_core::http::headers::{HeaderName, Headers};

/// What an operation was about, for messages.
#[derive(Debug, Clone, Copy)]
pub struct Op<'a> {
    /// `Store::describe()` of the store (no secrets).
    pub store: &'a str,
    pub account: &'a str,
    /// How the store signs in ("account key", "SAS", ...), for auth hints.
    pub auth: &'a str,
    pub container: &'a str,
    pub blob: Option<&'a str>,
}

/// A non-success answer of the service.
#[derive(Debug, Clone, Default)]
pub struct Failure {
    pub status: u16,
    pub code: Option<String>,
    pub message: Option<String>,
    pub auth_detail: Option<String>,
}

impl Failure {
    pub fn from_response(status: u16, headers: &Headers, body: &[u8]) -> Failure {
        let mut f = Failure {
            status,
            code: headers.get_optional_string(&HeaderName::from_static("x-ms-error-code")),
            ..Default::default()
        };
        f.fill_from_xml(body);
        f
    }

    fn fill_from_xml(&mut self, body: &[u8]) {
        if body.is_empty() {
            return;
        }
        let text = String::from_utf8_lossy(body);
        let tag = |name: &str| -> Option<String> {
            let open = format!("<{name}>");
            let start = text.find(&open)? + open.len();
            let end = text[start..].find(&format!("</{name}>"))? + start;
            Some(
                quick_xml::escape::unescape(&text[start..end])
                    .map(|c| c.into_owned())
                    .unwrap_or_default(),
            )
        };
        if self.code.is_none() {
            self.code = tag("Code");
        }
        // The service's Message has a RequestId/Time tail on further lines: keep line one.
        self.message = tag("Message").map(|m| m.lines().next().unwrap_or("").trim().to_string());
        self.auth_detail = tag("AuthenticationErrorDetail");
    }

    fn code(&self) -> &str {
        self.code.as_deref().unwrap_or("")
    }
}

/// Map an SDK error (from an SDK client call) to a store error.
pub fn from_sdk(err: azure_core::Error, op: Op<'_>) -> StoreError {
    match err.kind() {
        ErrorKind::HttpResponse { status, error_code, raw_response } => {
            let mut f = Failure { status: u16::from(*status), code: error_code.clone(), ..Default::default() };
            if let Some(raw) = raw_response {
                f.fill_from_xml(raw.body());
            }
            from_failure(&f, op)
        }
        ErrorKind::Connection => connection_error(&err, op),
        ErrorKind::Io => StoreError::Unreachable(format!(
            "{} (the connection was cut or timed out before the answer was complete; try again)",
            op.store
        )),
        ErrorKind::Credential => StoreError::Auth(format!(
            "cannot get an Entra ID token for account {}: {} (sign in with `az login`, or set AZURE_STORAGE_CONNECTION_STRING or AZURE_STORAGE_ACCOUNT + AZURE_STORAGE_KEY)",
            op.account,
            redact(&one_line(&error_chain(&err)))
        )),
        _ => StoreError::Service { status: 0, code: "ClientError".into(), message: redact(&one_line(&error_chain(&err))) },
    }
}

fn error_chain(err: &dyn std::error::Error) -> String {
    let mut s = err.to_string();
    let mut src = err.source();
    while let Some(e) = src {
        let t = e.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        src = e.source();
    }
    s
}

/// A connection that failed before any answer: a TLS problem is named with its fix (it is
/// not transient, so it is not retried); anything else is an unreachable endpoint.
fn connection_error(err: &azure_core::Error, op: Op<'_>) -> StoreError {
    match tls_problem(&error_chain(err)) {
        Some(msg) => StoreError::Config(format!("TLS failure talking to {}: {msg}", op.store)),
        None => unreachable_error(op),
    }
}

/// What a TLS failure (rustls's wording, as reqwest reports it) means and what to do.
pub fn tls_problem(chain: &str) -> Option<String> {
    let l = chain.to_ascii_lowercase();
    let trust = "if a company proxy or a private CA signs it, point SSL_CERT_FILE at a PEM file holding that CA (or SSL_CERT_DIR at a folder of them)";
    let why = if l.contains("unknownissuer")
        || l.contains("unknown issuer")
        || l.contains("self-signed")
        || l.contains("self signed")
        || l.contains("unknown ca")
    {
        format!("the server's certificate is not signed by a trusted CA; {trust}")
    } else if l.contains("notvalidforname") || l.contains("not valid for name") {
        "the server's certificate is for another host name; check the account name or URL".into()
    } else if l.contains("expired") || l.contains("notvalidyet") {
        "the server's certificate has expired or is not valid yet; check this machine's clock"
            .into()
    } else if l.contains("invalid peer certificate") || l.contains("certificate") {
        format!("the server's certificate was refused; {trust}")
    } else if l.contains("invalidcontenttype")
        || l.contains("corrupt message")
        || l.contains("wrong version number")
    {
        "the endpoint does not speak TLS; if it is a plain-http emulator, use an http:// URL".into()
    } else if l.contains("tls") || l.contains("handshake") {
        format!("the TLS handshake failed; {trust}")
    } else {
        return None;
    };
    // The chain from its first TLS part on ("invalid peer certificate: UnknownIssuer").
    let parts: Vec<&str> = chain.split(": ").collect();
    let detail = parts
        .iter()
        .position(|p| {
            let p = p.to_ascii_lowercase();
            p.contains("certificate") || p.contains("tls") || p.contains("handshake")
        })
        .map(|i| format!(" ({})", redact(&one_line(parts[i..].join(": ").trim()))))
        .unwrap_or_default();
    Some(format!("{why}{detail}"))
}

fn unreachable_error(op: Op<'_>) -> StoreError {
    StoreError::Unreachable(format!(
        "{} (no answer from the storage endpoint; check the account name or URL and your network)",
        op.store
    ))
}

/// Map a transport error of a raw request.
pub fn from_transport(err: azure_core::Error, op: Op<'_>) -> StoreError {
    from_sdk(err, op)
}

/// Map a service failure, knowing what the operation was about.
pub fn from_failure(f: &Failure, op: Op<'_>) -> StoreError {
    let blob = op.blob.unwrap_or("").to_string();
    let message = redact(&one_line(f.message.as_deref().unwrap_or("")));
    match (f.status, f.code()) {
        (404, "ContainerNotFound") => StoreError::ContainerNotFound {
            container: op.container.into(),
            store: op.store.into(),
        },
        (404, "BlobNotFound") => StoreError::BlobNotFound {
            container: op.container.into(),
            blob,
        },
        // HEAD answers carry no body and sometimes no code: a missing blob or container.
        (404, "") if op.blob.is_some() => StoreError::BlobNotFound {
            container: op.container.into(),
            blob,
        },
        (404, "") => StoreError::ContainerNotFound {
            container: op.container.into(),
            store: op.store.into(),
        },
        (412, "AppendPositionConditionNotMet") => StoreError::AppendPositionMismatch {
            blob,
            expected: 0,
            actual: None,
        },
        (412, _) => StoreError::ConditionNotMet { blob },
        (409, "InvalidBlobType") => StoreError::BlobTypeMismatch {
            blob,
            expected: "matching",
            found: "other",
        },
        (409, "BlockCountExceedsLimit") => StoreError::BlockCountExceeded { blob },
        (416, _) => StoreError::InvalidRange {
            blob,
            start: 0,
            len: 0,
        },
        (400, "InvalidResourceName") | (400, "InvalidUri") | (400, "OutOfRangeInput") => {
            StoreError::InvalidName(format!("invalid container or blob name ({message})"))
        }
        (401, _) | (403, _) => auth_error(f, op),
        (429, _) | (503, "ServerBusy") | (503, "") => StoreError::Throttled(format!(
            "{} is busy ({}; retried with backoff); try again later or lower the parallelism",
            op.store,
            if f.code().is_empty() {
                format!("HTTP {}", f.status)
            } else {
                f.code().to_string()
            }
        )),
        (status, code) => StoreError::Service {
            status,
            code: if code.is_empty() {
                "Unknown".into()
            } else {
                code.into()
            },
            message: if message.is_empty() {
                format!("on {}", op.store)
            } else {
                message
            },
        },
    }
}

fn auth_error(f: &Failure, op: Op<'_>) -> StoreError {
    let detail = f
        .auth_detail
        .as_deref()
        .map(|d| redact(&one_line(d)))
        .unwrap_or_default();
    let detail = if detail.is_empty() {
        String::new()
    } else {
        format!(" ({detail})")
    };
    let hint = match (op.auth, f.code()) {
        (_, "AuthorizationPermissionMismatch") | (_, "AuthorizationFailure") if op.auth == "Entra ID" => {
            "your identity needs a data role on the account, e.g. Storage Blob Data Reader (or Contributor to write)".to_string()
        }
        ("account key", _) => "the account key was refused: check AZURE_STORAGE_KEY or the connection string's AccountKey".to_string(),
        ("SAS", _) => "the SAS was refused: it may have expired, not cover this container, or lack a permission (r,l to read; c,w,a to write); make a new one".to_string(),
        ("anonymous", _) => "the account needs sign-in: pass a SAS URL, set AZURE_STORAGE_CONNECTION_STRING, or run `az login`".to_string(),
        _ => "access denied: check the identity's role assignments on the account".to_string(),
    };
    StoreError::Auth(format!(
        "{} refused by {} ({}){detail}; {hint}",
        op.auth,
        op.store,
        f.code.as_deref().unwrap_or("HTTP error")
    ))
}

/// Replace secrets (SAS signatures, account keys, bearer tokens) by `REDACTED`.
pub fn redact(text: &str) -> String {
    let mut out = text.to_string();
    for key in [
        "sig=",
        "AccountKey=",
        "SharedAccessSignature=",
        "Bearer ",
        "SharedKey ",
    ] {
        let mut from = 0;
        loop {
            let lower = out.to_ascii_lowercase();
            let Some(pos) = lower[from..].find(&key.to_ascii_lowercase()) else {
                break;
            };
            let start = from + pos + key.len();
            let end = out[start..]
                .find(|c: char| {
                    c == '&' || c == ';' || c == '"' || c == '\'' || c == '<' || c.is_whitespace()
                })
                .map(|e| start + e)
                .unwrap_or(out.len());
            if end > start {
                out.replace_range(start..end, "REDACTED");
            }
            from = start + "REDACTED".len().min(out.len() - start);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_every_secret_form() {
        let s = redact("GET https://a.blob.core.windows.net/c?sv=2022&sig=abc%2Fdef&se=1 AccountKey=Zm9v==;EndpointSuffix=x Bearer eyJ0 SharedAccessSignature=sv=1&sig=x");
        assert!(!s.contains("abc"), "{s}");
        assert!(!s.contains("Zm9v"), "{s}");
        assert!(!s.contains("eyJ0"), "{s}");
        assert!(s.contains("sig=REDACTED&se=1"), "{s}");
        assert!(s.contains("AccountKey=REDACTED;EndpointSuffix=x"), "{s}");
        assert_eq!(redact("nothing secret"), "nothing secret");
    }

    #[test]
    fn tls_failures_name_the_problem_and_the_fix() {
        let m = tls_problem("error sending request: client error (Connect): invalid peer certificate: UnknownIssuer").unwrap();
        assert!(
            m.contains("not signed by a trusted CA") && m.contains("SSL_CERT_FILE"),
            "{m}"
        );
        assert!(m.contains("UnknownIssuer"), "{m}");
        let m = tls_problem("invalid peer certificate: NotValidForName").unwrap();
        assert!(m.contains("another host name"), "{m}");
        let m = tls_problem("received corrupt message of type InvalidContentType").unwrap();
        assert!(m.contains("does not speak TLS"), "{m}");
        assert_eq!(
            tls_problem("tcp connect error: Connection refused (os error 111)"),
            None
        );
    }

    #[test]
    fn a_403_for_a_missing_data_role_names_the_role() {
        let body = b"<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>AuthorizationPermissionMismatch</Code><Message>This request is not authorized to perform this operation using this permission.\nRequestId:1</Message></Error>";
        let f = Failure::from_response(403, &Headers::new(), body);
        let op = Op {
            store: "azure account a",
            account: "a",
            auth: "Entra ID",
            container: "job-x",
            blob: None,
        };
        let e = from_failure(&f, op).to_string();
        assert!(e.contains("Storage Blob Data Reader"), "{e}");
        assert!(e.contains("Contributor to write"), "{e}");
        assert!(e.contains("AuthorizationPermissionMismatch"), "{e}");
    }

    #[test]
    fn parses_service_error_xml() {
        let body = b"<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request.\nRequestId:1\nTime:2</Message><AuthenticationErrorDetail>Signature did not match. String to sign used was r sig=abc</AuthenticationErrorDetail></Error>";
        let f = Failure::from_response(403, &Headers::new(), body);
        assert_eq!(f.code.as_deref(), Some("AuthenticationFailed"));
        assert_eq!(
            f.message.as_deref(),
            Some("Server failed to authenticate the request.")
        );
        let op = Op {
            store: "azure account a",
            account: "a",
            auth: "SAS",
            container: "c",
            blob: None,
        };
        let e = from_failure(&f, op).to_string();
        assert!(e.contains("SAS was refused"), "{e}");
        assert!(!e.contains("abc"), "{e}");
    }
}
