//! How requests are authorized: SAS (query on every URL), Shared Key (a signing policy the
//! SDK lacks), Entra ID bearer tokens (azure_identity through the SDK's bearer policy), or
//! nothing (public containers, tests of error paths).

use azure_core::credentials::{Secret, TokenCredential};
use azure_core::http::policies::{Policy, PolicyResult};
use azure_core::http::{Context, Request};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::sync::Arc;

/// The secret part of a connection to an account.
#[derive(Clone)]
pub enum Credential {
    /// Account name + base64 account key: every request is signed (Shared Key).
    SharedKey { account: String, key: Secret },
    /// A SAS token (the query string without `?`), appended to every request URL.
    Sas(Secret),
    /// An Entra ID credential (azure_identity); requires https.
    Token(Arc<dyn TokenCredential>),
    /// No authorization header at all.
    Anonymous,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print secrets, even in debug output.
        match self {
            Credential::SharedKey { account, .. } => write!(f, "SharedKey({account})"),
            Credential::Sas(_) => f.write_str("Sas(..)"),
            Credential::Token(_) => f.write_str("Token(..)"),
            Credential::Anonymous => f.write_str("Anonymous"),
        }
    }
}

impl Credential {
    pub fn kind(&self) -> &'static str {
        match self {
            Credential::SharedKey { .. } => "account key",
            Credential::Sas(_) => "SAS",
            Credential::Token(_) => "Entra ID",
            Credential::Anonymous => "anonymous",
        }
    }
}

/// Signs each try of a request with the account key (Shared Key authorization,
/// <https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key>).
/// Runs per try so a retried request gets a fresh x-ms-date and signature.
#[derive(Debug)]
pub struct SharedKeyPolicy {
    account: String,
    key: Vec<u8>,
}

impl SharedKeyPolicy {
    /// `key` is the base64 account key; an undecodable key is rejected here, not per request.
    pub fn new(account: &str, key: &str) -> Result<Self, String> {
        let key = base64::engine::general_purpose::STANDARD
            .decode(key.trim())
            .map_err(|_| "the account key is not valid base64 (copy it again from the portal or `az storage account keys list`)".to_string())?;
        Ok(SharedKeyPolicy {
            account: account.to_string(),
            key,
        })
    }

    // HMAC-SHA256 takes a key of any length, so new_from_slice cannot fail.
    #[allow(clippy::expect_used)]
    fn sign(&self, string_to_sign: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(string_to_sign.as_bytes());
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    }
}

#[async_trait::async_trait]
impl Policy for SharedKeyPolicy {
    async fn send(
        &self,
        ctx: &Context,
        request: &mut Request,
        next: &[Arc<dyn Policy>],
    ) -> PolicyResult {
        let date = httpdate::fmt_http_date(std::time::SystemTime::now());
        request.insert_header("x-ms-date", date);
        let content_length = match request.headers().get_optional_str(&"content-length".into()) {
            Some(v) => v.to_string(),
            None => request.body().len().unwrap_or(0).to_string(),
        };
        let headers: Vec<(String, String)> = request
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_ascii_lowercase(), v.as_str().to_string()))
            .collect();
        let sts = string_to_sign(
            request.method().as_ref(),
            &content_length,
            &headers,
            &self.account,
            request.url(),
        );
        let auth = format!("SharedKey {}:{}", self.account, self.sign(&sts));
        request.insert_header("authorization", auth);
        next[0].send(ctx, request, &next[1..]).await
    }
}

/// The Shared Key string-to-sign for the Blob service (version 2009-09-19 and later).
/// `headers` are lower-cased names with their values.
pub fn string_to_sign(
    verb: &str,
    content_length: &str,
    headers: &[(String, String)],
    account: &str,
    url: &url::Url,
) -> String {
    let get = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    // Since version 2015-02-21 a zero Content-Length is signed as the empty string.
    let content_length = if content_length == "0" {
        ""
    } else {
        content_length
    };
    // x-ms-date wins over Date: sign Date empty when x-ms-date is present.
    let date = if headers.iter().any(|(k, _)| k == "x-ms-date") {
        ""
    } else {
        get("date")
    };
    let mut out = String::with_capacity(256);
    for part in [
        verb,
        get("content-encoding"),
        get("content-language"),
        content_length,
        get("content-md5"),
        get("content-type"),
        date,
        get("if-modified-since"),
        get("if-match"),
        get("if-none-match"),
        get("if-unmodified-since"),
        get("range"),
    ] {
        out.push_str(part);
        out.push('\n');
    }
    let mut ms: Vec<(&str, String)> = headers
        .iter()
        .filter(|(k, _)| k.starts_with("x-ms-"))
        .map(|(k, v)| (k.as_str(), unfold(v)))
        .collect();
    ms.sort_by(|a, b| a.0.cmp(b.0));
    for (k, v) in ms {
        out.push_str(k);
        out.push(':');
        out.push_str(&v);
        out.push('\n');
    }
    out.push_str(&canonicalized_resource(account, url));
    out
}

/// `/account/path` then each query parameter (names lower-cased and sorted, values
/// decoded, repeated names joined with commas) as `\nname:value`.
pub fn canonicalized_resource(account: &str, url: &url::Url) -> String {
    let mut out = format!("/{account}{}", url.path());
    let mut params: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (k, v) in url.query_pairs() {
        params
            .entry(k.to_ascii_lowercase())
            .or_default()
            .push(v.into_owned());
    }
    for (k, mut values) in params {
        values.sort();
        out.push('\n');
        out.push_str(&k);
        out.push(':');
        out.push_str(&values.join(","));
    }
    out
}

/// Header values are signed trimmed, with runs of whitespace folded to one space.
fn unfold(v: &str) -> String {
    v.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    // The published examples of
    // https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key
    // ("Shared Key format for 2009-09-19 and later" / "Canonicalized resource string").
    #[test]
    fn canonicalized_resource_matches_published_examples() {
        let u = url::Url::parse(
            "http://myaccount.blob.core.windows.net/mycontainer?restype=container&comp=metadata",
        )
        .unwrap();
        assert_eq!(
            canonicalized_resource("myaccount", &u),
            "/myaccount/mycontainer\ncomp:metadata\nrestype:container"
        );
        let u = url::Url::parse("http://myaccount.blob.core.windows.net/mycontainer?restype=container&comp=list&include=snapshots&include=metadata&include=uncommittedblobs").unwrap();
        assert_eq!(
            canonicalized_resource("myaccount", &u),
            "/myaccount/mycontainer\ncomp:list\ninclude:metadata,snapshots,uncommittedblobs\nrestype:container"
        );
        // The emulator's path-style URL names the account twice.
        let u = url::Url::parse("http://127.0.0.1:10000/devstoreaccount1/mycontainer/a%20b/c.txt")
            .unwrap();
        assert_eq!(
            canonicalized_resource("devstoreaccount1", &u),
            "/devstoreaccount1/devstoreaccount1/mycontainer/a%20b/c.txt"
        );
    }

    #[test]
    fn string_to_sign_matches_published_example() {
        // GET with x-ms-date and x-ms-version only, as in the documentation's example.
        let u = url::Url::parse("http://myaccount.blob.core.windows.net/mycontainer?restype=container&comp=metadata&timeout=20").unwrap();
        let headers = vec![
            ("x-ms-version".to_string(), "2009-09-19".to_string()),
            (
                "x-ms-date".to_string(),
                "Sun, 11 Oct 2009 21:49:13 GMT".to_string(),
            ),
        ];
        let sts = string_to_sign("GET", "0", &headers, "myaccount", &u);
        assert_eq!(
            sts,
            "GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:Sun, 11 Oct 2009 21:49:13 GMT\nx-ms-version:2009-09-19\n/myaccount/mycontainer\ncomp:metadata\nrestype:container\ntimeout:20"
        );
    }

    #[test]
    fn signature_is_hmac_sha256_of_the_string_to_sign() {
        // Known vector: HMAC-SHA256 with the emulator's well-known key over a fixed string,
        // computed independently with `openssl dgst -sha256 -mac HMAC -macopt hexkey:...`.
        let p = SharedKeyPolicy::new("devstoreaccount1", crate::store::azure::AZURITE_ACCOUNT_KEY)
            .unwrap();
        assert_eq!(
            p.sign("GET\n"),
            "/ZZsmidvu/o1IWuAI6fRY2fmdvnXEMtMILD8Y+sZWjA="
        );
        assert!(SharedKeyPolicy::new("a", "not base64!").is_err());
    }
}
