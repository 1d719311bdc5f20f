//! One connection to an account: the SDK client options (shared transport, our retry and
//! auth policies), URL building (blob names keep their `/`), and raw requests through the
//! same SDK pipeline for the operations the GA crate does not cover.

use super::auth::{Credential, SharedKeyPolicy};
use super::retry::RetryPolicy;
use crate::store::retry::RetrySettings;
use azure_core::http::policies::auth::BearerTokenAuthorizationPolicy;
use azure_core::http::policies::Policy;
use azure_core::http::{AsyncRawResponse, PipelineStreamOptions};
use azure_core::http::{
    ClientOptions, Context, Pipeline, PipelineSendOptions, RawResponse, Request, RetryOptions,
    Transport, Url,
};
use azure_storage_blob::{
    BlobClient, BlobClientOptions, BlobContainerClient, BlobContainerClientOptions,
    BlobServiceClient, BlobServiceClientOptions,
};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use std::sync::Arc;
use std::time::Duration;

/// The service version batchout speaks: supported by Azure and by Azurite 3.35 (whose
/// newest is 2025-11-05; the SDK's default, 2026-04-06, is newer).
pub const API_VERSION: &str = "2025-11-05";

/// Characters percent-encoded in a blob name inside the URL path (`/` stays literal so the
/// path is what Azure, Azurite and Shared Key signing all agree on).
const BLOB_PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');
/// For names with `.` or `..` segments, which URL parsing would resolve away: `/` is sent
/// as `%2F` so the name stays one path segment (the service decodes it back).
const BLOB_ONE_SEGMENT: &AsciiSet = &BLOB_PATH.add(b'/');

/// Where an account is and how to sign in to it.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The blob service URL of the account without query or trailing slash, e.g.
    /// `https://acct.blob.core.windows.net` or `http://127.0.0.1:10000/devstoreaccount1`.
    pub account_url: Url,
    pub account_name: String,
    /// Set when the credential covers only this container (a container SAS URL).
    pub container: Option<String>,
    pub credential: Credential,
}

/// Connect/read limits and retries of the HTTP layer.
#[derive(Debug, Clone)]
pub struct ConnectSettings {
    pub connect_timeout: Duration,
    pub read_timeout: Duration,
    pub retry: RetrySettings,
}

impl Default for ConnectSettings {
    fn default() -> Self {
        ConnectSettings {
            connect_timeout: Duration::from_secs(5),
            read_timeout: Duration::from_secs(60),
            retry: RetrySettings::default(),
        }
    }
}

fn has_dot_segment(name: &str) -> bool {
    name.split('/').any(|s| s == "." || s == "..")
}

#[derive(Debug)]
pub struct Client {
    pub endpoint: Endpoint,
    options: ClientOptions,
    pipeline: Pipeline,
    sas: Option<String>,
}

impl Client {
    pub fn new(endpoint: Endpoint, settings: &ConnectSettings) -> Result<Client, String> {
        let http = reqwest::Client::builder()
            .connect_timeout(settings.connect_timeout)
            .read_timeout(settings.read_timeout)
            .redirect(reqwest::redirect::Policy::none())
            // The SDK needs raw bytes: Content-Length and MD5 refer to the stored bytes.
            .gzip(false)
            .deflate(false)
            .pool_max_idle_per_host(64)
            .build()
            .map_err(|e| {
                // The cause (e.g. no usable CA certificates) is in the source chain.
                let mut why = e.to_string();
                let mut src = std::error::Error::source(&e);
                while let Some(s) = src {
                    why = format!("{why}: {s}");
                    src = s.source();
                }
                format!("cannot start the HTTP client: {why} (SSL_CERT_FILE or SSL_CERT_DIR must name readable PEM CA certificates when set)")
            })?;
        let mut per_try: Vec<Arc<dyn Policy>> = Vec::new();
        let mut sas = None;
        match &endpoint.credential {
            Credential::SharedKey { account, key } => {
                per_try.push(Arc::new(SharedKeyPolicy::new(account, key.secret())?));
            }
            Credential::Sas(token) => {
                sas = Some(token.secret().trim_start_matches('?').to_string())
            }
            Credential::Token(cred) => {
                if endpoint.account_url.scheme() != "https" {
                    return Err(format!(
                        "Entra ID sign-in needs an https endpoint, not {}",
                        endpoint.account_url
                    ));
                }
                per_try.push(Arc::new(BearerTokenAuthorizationPolicy::new(
                    cred.clone(),
                    ["https://storage.azure.com/.default"],
                )));
            }
            Credential::Anonymous => {}
        }
        let options = ClientOptions {
            per_call_policies: vec![Arc::new(RetryPolicy::new(settings.retry.clone()))],
            per_try_policies: per_try,
            retry: RetryOptions::none(),
            transport: Some(Transport::new(Arc::new(http))),
            ..Default::default()
        };
        let pipeline = Pipeline::new(
            option_env!("CARGO_PKG_NAME"),
            option_env!("CARGO_PKG_VERSION"),
            options.clone(),
            Vec::new(),
            Vec::new(),
            None,
        );
        Ok(Client {
            endpoint,
            options,
            pipeline,
            sas,
        })
    }

    fn with_sas(&self, mut url: Url) -> Url {
        if let Some(sas) = &self.sas {
            let q = match url.query() {
                Some(q) if !q.is_empty() => format!("{q}&{sas}"),
                _ => sas.clone(),
            };
            url.set_query(Some(&q));
        }
        url
    }

    fn base(&self) -> String {
        self.endpoint
            .account_url
            .as_str()
            .trim_end_matches('/')
            .to_string()
    }

    /// The container's URL (with the SAS, if any).
    // base() is the origin and path of an already parsed URL and every segment appended is
    // percent-encoded, so the string always parses.
    #[allow(clippy::expect_used)]
    pub fn container_url(&self, container: &str) -> Url {
        let s = format!(
            "{}/{}",
            self.base(),
            utf8_percent_encode(container, BLOB_PATH)
        );
        self.with_sas(Url::parse(&s).expect("account URL plus a path is a URL"))
    }

    /// The blob's URL (with the SAS, if any).
    // base() is the origin and path of an already parsed URL and every segment appended is
    // percent-encoded, so the string always parses.
    #[allow(clippy::expect_used)]
    pub fn blob_url(&self, container: &str, blob: &str) -> Url {
        let s = format!(
            "{}/{}/{}",
            self.base(),
            utf8_percent_encode(container, BLOB_PATH),
            utf8_percent_encode(
                blob,
                if has_dot_segment(blob) {
                    BLOB_ONE_SEGMENT
                } else {
                    BLOB_PATH
                }
            )
        );
        self.with_sas(Url::parse(&s).expect("account URL plus a path is a URL"))
    }

    // base() is the origin and path of an already parsed URL and every segment appended is
    // percent-encoded, so the string always parses.
    #[allow(clippy::expect_used)]
    pub fn service_client(&self) -> azure_core::Result<BlobServiceClient> {
        let url = self.with_sas(Url::parse(&format!("{}/", self.base())).expect("account URL"));
        BlobServiceClient::new(
            url,
            None,
            Some(BlobServiceClientOptions {
                client_options: self.options.clone(),
                version: API_VERSION.into(),
            }),
        )
    }

    /// A container client; `extra_query` is kept on every request it sends (its pager
    /// keeps the URL's query, which is how `delimiter` reaches the service).
    pub fn container_client(
        &self,
        container: &str,
        extra_query: &[(&str, &str)],
    ) -> azure_core::Result<BlobContainerClient> {
        let mut url = self.container_url(container);
        if !extra_query.is_empty() {
            let mut q = url.query_pairs_mut();
            for (k, v) in extra_query {
                q.append_pair(k, v);
            }
        }
        BlobContainerClient::new(
            url,
            None,
            Some(BlobContainerClientOptions {
                client_options: self.options.clone(),
                version: API_VERSION.into(),
            }),
        )
    }

    pub fn blob_client(&self, container: &str, blob: &str) -> azure_core::Result<BlobClient> {
        BlobClient::new(
            self.blob_url(container, blob),
            None,
            Some(BlobClientOptions {
                client_options: self.options.clone(),
                version: API_VERSION.into(),
            }),
        )
    }

    /// Send a raw request through the SDK pipeline (retries, signing, transport); the
    /// caller interprets the status.
    pub async fn send(&self, mut request: Request) -> azure_core::Result<RawResponse> {
        request.insert_header("x-ms-version", API_VERSION);
        self.pipeline
            .send(
                &Context::new(),
                &mut request,
                Some(PipelineSendOptions {
                    skip_checks: true,
                    ..Default::default()
                }),
            )
            .await
    }

    /// Like [`Client::send`], but the body is left unread: the caller streams it.
    pub async fn stream(&self, mut request: Request) -> azure_core::Result<AsyncRawResponse> {
        request.insert_header("x-ms-version", API_VERSION);
        self.pipeline
            .stream(
                &Context::new(),
                &mut request,
                Some(PipelineStreamOptions {
                    skip_checks: true,
                    ..Default::default()
                }),
            )
            .await
    }
}
