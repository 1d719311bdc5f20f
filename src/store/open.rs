//! Picking a store from `--store` and the environment (see design.md, "Stores"), the way
//! users of az CLI and azcopy expect:
//!
//! - `--store PATH`: a local folder (the embedded store).
//! - `--store URL`: an account or container URL (`https://ACCOUNT.blob.core.windows.net[/CONTAINER]`,
//!   or the emulator's path style `http://127.0.0.1:10000/ACCOUNT[/CONTAINER]`), with a SAS
//!   query or signed in from the environment (account key variables, connection string of
//!   the same account, else Entra ID). A container URL gives a store restricted to it.
//! - `--store azurite`: the emulator's well-known devstoreaccount1 (at 127.0.0.1:10000, or
//!   BATCHOUT_AZURITE_BLOB_ENDPOINT).
//! - nothing: BATCHOUT_STORE, then AZURE_STORAGE_CONNECTION_STRING, then AZURE_STORAGE_ACCOUNT
//!   (+ AZURE_STORAGE_KEY or AZURE_STORAGE_SAS_TOKEN, else Entra ID), then the local default
//!   folder.

use super::azure::{self, AzureStore, Credential, Endpoint, AZURITE_ACCOUNT, AZURITE_ACCOUNT_KEY};
use super::{local::LocalStore, Store, StoreError, StoreResult};
use std::path::PathBuf;
use std::sync::Arc;
use url::Url;

/// Where outputs live, as the user named it.
#[derive(Debug, Clone, PartialEq)]
pub enum StoreSpec {
    /// A local folder (the embedded store).
    Local(PathBuf),
    /// An account or container URL, with or without a SAS.
    Url(String),
    /// The Azurite emulator's well-known account.
    Azurite,
    /// An Azure Storage connection string (`AccountName=...;AccountKey=...`).
    ConnectionString(String),
    /// Nothing given: BATCHOUT_STORE, then the Azure variables, then the default folder.
    Default,
}

impl StoreSpec {
    /// Anything that looks like `SCHEME://...` is taken as a URL (and refused by [`resolve`]
    /// unless it is http or https), never as a folder named `SCHEME:`.
    pub fn parse(s: &str) -> StoreSpec {
        if s.eq_ignore_ascii_case("azurite") {
            StoreSpec::Azurite
        } else if is_connection_string(s) {
            StoreSpec::ConnectionString(s.to_string())
        } else if url_scheme(s).is_some() {
            StoreSpec::Url(s.to_string())
        } else {
            StoreSpec::Local(PathBuf::from(s))
        }
    }
}

/// `Key=Value;...` with a key only connection strings have (a folder is never named so).
fn is_connection_string(s: &str) -> bool {
    let l = s.trim().to_ascii_lowercase();
    [
        "usedevelopmentstorage=",
        "defaultendpointsprotocol=",
        "accountname=",
        "blobendpoint=",
    ]
    .iter()
    .any(|k| l.starts_with(k))
}

/// The scheme of `s` when it starts like a URL (`letters://`).
fn url_scheme(s: &str) -> Option<&str> {
    let (scheme, _) = s.trim().split_once("://")?;
    let mut chars = scheme.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    (first_ok && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))).then_some(scheme)
}

/// Whether opening may create what is missing. Reads (jobs, ls, cat, tail, get, the
/// browser) must not leave a folder behind for a mistyped local path; writes create it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

/// Where a resolved store and its credential came from, for `batchout doctor` (no secrets).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Origin {
    /// Which variable chose the store, when the spec was [`StoreSpec::Default`].
    pub store: Option<String>,
    /// Where the credential came from ("the SAS in the URL", "AZURE_STORAGE_KEY", ...).
    pub credential: String,
}

/// The local store's default folder: the user data folder from `directories`.
pub fn default_local_dir() -> StoreResult<PathBuf> {
    directories::ProjectDirs::from("", "", "batchout")
        .map(|d| d.data_dir().join("store"))
        .ok_or_else(|| {
            StoreError::Config("cannot find a user data folder; pass --store PATH".into())
        })
}

/// How to sign in to an Azure account (secrets included; never printed).
#[derive(Clone, PartialEq)]
pub enum Auth {
    AccountKey(String),
    Sas(String),
    EntraId,
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Auth::AccountKey(_) => "AccountKey(..)",
            Auth::Sas(_) => "Sas(..)",
            Auth::EntraId => "EntraId",
        })
    }
}

/// What a spec resolves to, before anything is opened.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Local(PathBuf),
    Azure {
        account_url: Url,
        account: String,
        container: Option<String>,
        auth: Auth,
    },
}

/// Open the store named by `spec` for writing (a missing local folder is created).
pub async fn open(spec: &StoreSpec) -> StoreResult<Arc<dyn Store>> {
    open_as(spec, Access::Write).await
}

/// Open the store named by `spec`; with [`Access::Read`] a missing local folder is an error.
pub async fn open_as(spec: &StoreSpec, access: Access) -> StoreResult<Arc<dyn Store>> {
    open_target_as(resolve(spec, &|k| std::env::var(k).ok())?, access)
}

/// Open a resolved target for writing.
pub fn open_target(target: Target) -> StoreResult<Arc<dyn Store>> {
    open_target_as(target, Access::Write)
}

pub fn open_target_as(target: Target, access: Access) -> StoreResult<Arc<dyn Store>> {
    match target {
        Target::Local(path) => Ok(Arc::new(match access {
            Access::Write => LocalStore::open(&path)?,
            Access::Read => LocalStore::open_existing(&path)?,
        })),
        Target::Azure {
            account_url,
            account,
            container,
            auth,
        } => {
            let credential = match auth {
                Auth::AccountKey(key) => Credential::SharedKey {
                    account: account.clone(),
                    key: key.into(),
                },
                Auth::Sas(sas) => Credential::Sas(sas.into()),
                Auth::EntraId => {
                    if account_url.scheme() != "https" {
                        return Err(StoreError::Config(format!(
                            "{account_url} uses plain http: Entra ID sign-in needs https; give a SAS URL or an account key (AZURE_STORAGE_KEY)"
                        )));
                    }
                    let cred = azure::identity::from_env().map_err(|e| {
                        StoreError::Auth(format!(
                            "cannot set up Entra ID sign-in: {}",
                            azure::errors::redact(&e.to_string())
                        ))
                    })?;
                    Credential::Token(cred)
                }
            };
            Ok(Arc::new(AzureStore::new(Endpoint {
                account_url,
                account_name: account,
                container,
                credential,
            })?))
        }
    }
}

fn non_empty(env: &dyn Fn(&str) -> Option<String>, k: &str) -> Option<String> {
    env(k)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Resolve a spec with the given environment (a function so tests need not touch the
/// process environment).
pub fn resolve(spec: &StoreSpec, env: &dyn Fn(&str) -> Option<String>) -> StoreResult<Target> {
    resolve_with_origin(spec, env).map(|(t, _)| t)
}

/// Whether the environment names a store (so that a config file's default profile yields).
pub fn env_names_store(env: &dyn Fn(&str) -> Option<String>) -> bool {
    [
        "BATCHOUT_STORE",
        "AZURE_STORAGE_CONNECTION_STRING",
        "AZURE_STORAGE_ACCOUNT",
    ]
    .iter()
    .any(|k| non_empty(env, k).is_some())
}

/// [`resolve`], also saying where the store and the credential came from.
pub fn resolve_with_origin(
    spec: &StoreSpec,
    env: &dyn Fn(&str) -> Option<String>,
) -> StoreResult<(Target, Origin)> {
    let (target, credential) = match spec {
        StoreSpec::Local(path) => (Target::Local(path.clone()), String::new()),
        StoreSpec::Azurite => azurite_target(env)?,
        StoreSpec::Url(url) => url_target(url, env)?,
        StoreSpec::ConnectionString(cs) => connection_string_found(cs, env)?,
        StoreSpec::Default => {
            let (store, (target, credential)) = if let Some(s) = non_empty(env, "BATCHOUT_STORE") {
                let (t, o) = resolve_with_origin(&StoreSpec::parse(&s), env)?;
                ("BATCHOUT_STORE", (t, o.credential))
            } else if let Some(cs) = non_empty(env, "AZURE_STORAGE_CONNECTION_STRING") {
                (
                    "AZURE_STORAGE_CONNECTION_STRING",
                    connection_string_found(&cs, env)?,
                )
            } else if let Some(account) = non_empty(env, "AZURE_STORAGE_ACCOUNT") {
                (
                    "AZURE_STORAGE_ACCOUNT",
                    account_variables_target(&account, env)?,
                )
            } else {
                (
                    "the default local folder",
                    (Target::Local(default_local_dir()?), String::new()),
                )
            };
            let origin = Origin {
                store: Some(store.to_string()),
                credential,
            };
            return Ok((target, origin));
        }
    };
    Ok((
        target,
        Origin {
            store: None,
            credential,
        },
    ))
}

/// A target and where its credential came from.
type Found = (Target, String);

fn azurite_target(env: &dyn Fn(&str) -> Option<String>) -> StoreResult<Found> {
    let endpoint = non_empty(env, "BATCHOUT_AZURITE_BLOB_ENDPOINT")
        .unwrap_or_else(|| azure::AZURITE_DEFAULT_ENDPOINT.to_string());
    let account_url = parse_endpoint(&endpoint, "BATCHOUT_AZURITE_BLOB_ENDPOINT")?;
    Ok((
        Target::Azure {
            account_url,
            account: AZURITE_ACCOUNT.to_string(),
            container: None,
            auth: Auth::AccountKey(AZURITE_ACCOUNT_KEY.to_string()),
        },
        "Azurite's well-known account key".into(),
    ))
}

fn parse_endpoint(s: &str, what: &str) -> StoreResult<Url> {
    let mut u = Url::parse(s.trim()).map_err(|e| {
        StoreError::Config(format!(
            "{what} is not a URL ({e}): {}",
            azure::errors::redact(s)
        ))
    })?;
    if u.scheme() != "http" && u.scheme() != "https" {
        return Err(StoreError::Config(format!(
            "{what} must be an http(s) URL, not {}",
            u.scheme()
        )));
    }
    u.set_query(None);
    u.set_fragment(None);
    let trimmed = u.path().trim_end_matches('/').to_string();
    u.set_path(&trimmed);
    Ok(u)
}

/// IPs and localhost use the emulator's path style: the account is the first path segment.
fn is_path_style(u: &Url) -> bool {
    match u.host() {
        Some(url::Host::Ipv4(_)) | Some(url::Host::Ipv6(_)) => true,
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

fn url_target(raw: &str, env: &dyn Fn(&str) -> Option<String>) -> StoreResult<Found> {
    let shown = azure::errors::redact(raw);
    if let Some(scheme) = url_scheme(raw) {
        if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
            return Err(StoreError::Config(format!(
                "--store {shown}: {scheme}:// is not supported; give a local folder path, an https:// account or container URL, or \"azurite\""
            )));
        }
    }
    let u = Url::parse(raw.trim())
        .map_err(|e| StoreError::Config(format!("--store {shown} is not a URL: {e}")))?;
    let query = u.query().unwrap_or("").to_string();
    let has_sig = u.query_pairs().any(|(k, _)| k == "sig");
    if !query.is_empty() && !has_sig {
        return Err(StoreError::Config(format!(
            "--store {shown}: the query is not a SAS (it has no sig=); give the account or container URL, with a SAS or without a query"
        )));
    }
    let segments: Vec<String> = u
        .path_segments()
        .map(|s| {
            s.filter(|p| !p.is_empty())
                .map(|p| {
                    percent_encoding::percent_decode_str(p)
                        .decode_utf8_lossy()
                        .into_owned()
                })
                .collect()
        })
        .unwrap_or_default();
    let host = u.host_str().unwrap_or("").to_string();
    let (account, rest) = if is_path_style(&u) {
        let Some((first, rest)) = segments.split_first() else {
            return Err(StoreError::Config(format!(
                "--store {shown}: an emulator URL names the account in its path, e.g. http://127.0.0.1:10000/devstoreaccount1"
            )));
        };
        (first.clone(), rest.to_vec())
    } else {
        (
            host.split('.').next().unwrap_or("").to_string(),
            segments.clone(),
        )
    };
    let container = match rest.as_slice() {
        [] => None,
        [c] => Some(c.clone()),
        [c, ..] => {
            return Err(StoreError::Config(format!(
                "--store {shown} points inside container {c}; give the account URL or the container URL"
            )))
        }
    };
    let mut account_url = u.clone();
    account_url.set_query(None);
    account_url.set_fragment(None);
    let account_path = if is_path_style(&u) {
        format!("/{account}")
    } else {
        String::new()
    };
    account_url.set_path(&account_path);
    let account_url = parse_endpoint(account_url.as_str(), "--store")?;
    let (auth, from) = if has_sig {
        (Auth::Sas(query), "the SAS in the store URL".to_string())
    } else {
        credential_for_account(&account, &account_url, env)?
    };
    Ok((
        Target::Azure {
            account_url,
            account,
            container,
            auth,
        },
        from,
    ))
}

/// A URL without a SAS: sign in with what the environment has for that account.
fn credential_for_account(
    account: &str,
    account_url: &Url,
    env: &dyn Fn(&str) -> Option<String>,
) -> StoreResult<(Auth, String)> {
    if non_empty(env, "AZURE_STORAGE_ACCOUNT").as_deref() == Some(account) {
        if let Some(key) = non_empty(env, "AZURE_STORAGE_KEY") {
            return Ok((Auth::AccountKey(key), "AZURE_STORAGE_KEY".into()));
        }
        if let Some(sas) = non_empty(env, "AZURE_STORAGE_SAS_TOKEN") {
            return Ok((
                Auth::Sas(sas.trim_start_matches('?').to_string()),
                "AZURE_STORAGE_SAS_TOKEN".into(),
            ));
        }
    }
    if let Some(cs) = non_empty(env, "AZURE_STORAGE_CONNECTION_STRING") {
        if let Ok((
            Target::Azure {
                account: a, auth, ..
            },
            from,
        )) = connection_string_found(&cs, env)
        {
            if a == account {
                return Ok((auth, from));
            }
        }
    }
    if account == AZURITE_ACCOUNT && account_url.scheme() == "http" {
        return Ok((
            Auth::AccountKey(AZURITE_ACCOUNT_KEY.to_string()),
            "Azurite's well-known account key".into(),
        ));
    }
    Ok((Auth::EntraId, entra_origin(env)))
}

/// Which Entra ID source the `AZURE_*` variables select.
fn entra_origin(env: &dyn Fn(&str) -> Option<String>) -> String {
    use azure::identity::{source_from_env, IdentitySource};
    match source_from_env(env) {
        IdentitySource::ClientSecret => {
            "Entra ID: client secret (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET)"
        }
        IdentitySource::WorkloadIdentity => {
            "Entra ID: workload identity (AZURE_FEDERATED_TOKEN_FILE)"
        }
        IdentitySource::DeveloperToolsThenManagedIdentity => {
            "Entra ID: developer tools (az login, azd auth login), then managed identity"
        }
    }
    .into()
}

fn account_variables_target(
    account: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> StoreResult<Found> {
    if !valid_account_name(account) {
        return Err(StoreError::Config(format!(
            "AZURE_STORAGE_ACCOUNT={account:?} is not a storage account name (3-24 lower-case letters and digits)"
        )));
    }
    let account_url = parse_endpoint(
        &format!("https://{account}.blob.core.windows.net"),
        "AZURE_STORAGE_ACCOUNT",
    )?;
    let (auth, from) = if let Some(key) = non_empty(env, "AZURE_STORAGE_KEY") {
        (Auth::AccountKey(key), "AZURE_STORAGE_KEY".to_string())
    } else if let Some(sas) = non_empty(env, "AZURE_STORAGE_SAS_TOKEN") {
        (
            Auth::Sas(sas.trim_start_matches('?').to_string()),
            "AZURE_STORAGE_SAS_TOKEN".to_string(),
        )
    } else {
        (Auth::EntraId, entra_origin(env))
    };
    Ok((
        Target::Azure {
            account_url,
            account: account.to_string(),
            container: None,
            auth,
        },
        from,
    ))
}

fn valid_account_name(s: &str) -> bool {
    (3..=24).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// Parse an Azure Storage connection string (`Key=Value;...`, keys case-insensitive).
pub fn connection_string_target(
    cs: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> StoreResult<Target> {
    connection_string_found(cs, env).map(|(t, _)| t)
}

fn connection_string_found(cs: &str, env: &dyn Fn(&str) -> Option<String>) -> StoreResult<Found> {
    let bad = |why: &str| {
        StoreError::Config(format!(
            "AZURE_STORAGE_CONNECTION_STRING is not usable: {why}"
        ))
    };
    let mut fields = std::collections::HashMap::new();
    for part in cs.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((k, v)) = part.split_once('=') else {
            return Err(bad(&format!(
                "{:?} is not Key=Value",
                azure::errors::redact(part)
                    .chars()
                    .take(40)
                    .collect::<String>()
            )));
        };
        fields.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
    }
    let get = |k: &str| fields.get(k).filter(|v| !v.is_empty()).cloned();
    if get("usedevelopmentstorage").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        return azurite_target(env);
    }
    let key = get("accountkey");
    let sas = get("sharedaccesssignature");
    let (account_url, account) = if let Some(ep) = get("blobendpoint") {
        let u = parse_endpoint(&ep, "BlobEndpoint")?;
        let derived = if is_path_style(&u) {
            u.path_segments()
                .and_then(|mut s| s.next().map(str::to_string))
                .unwrap_or_default()
        } else {
            u.host_str()
                .unwrap_or("")
                .split('.')
                .next()
                .unwrap_or("")
                .to_string()
        };
        let account = get("accountname").unwrap_or(derived);
        (u, account)
    } else {
        let account =
            get("accountname").ok_or_else(|| bad("it has neither AccountName nor BlobEndpoint"))?;
        if !valid_account_name(&account) {
            return Err(bad(&format!(
                "AccountName={account:?} is not a storage account name"
            )));
        }
        let protocol = get("defaultendpointsprotocol")
            .unwrap_or_else(|| "https".into())
            .to_ascii_lowercase();
        let suffix = get("endpointsuffix").unwrap_or_else(|| "core.windows.net".into());
        (
            parse_endpoint(
                &format!("{protocol}://{account}.blob.{suffix}"),
                "the connection string",
            )?,
            account,
        )
    };
    let (auth, from) = match (key, sas) {
        (Some(k), _) => {
            use base64::Engine as _;
            if base64::engine::general_purpose::STANDARD
                .decode(&k)
                .is_err()
            {
                return Err(bad("AccountKey is not valid base64 (copy it again from the portal or `az storage account keys list`)"));
            }
            (
                Auth::AccountKey(k),
                "AccountKey in AZURE_STORAGE_CONNECTION_STRING",
            )
        }
        (None, Some(s)) => (
            Auth::Sas(s.trim_start_matches('?').to_string()),
            "SharedAccessSignature in AZURE_STORAGE_CONNECTION_STRING",
        ),
        (None, None) => return Err(bad("it has neither AccountKey nor SharedAccessSignature")),
    };
    Ok((
        Target::Azure {
            account_url,
            account,
            container: None,
            auth,
        },
        from.to_string(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    fn azure(t: Target) -> (String, String, Option<String>, Auth) {
        match t {
            Target::Azure {
                account_url,
                account,
                container,
                auth,
            } => (account_url.to_string(), account, container, auth),
            other => panic!("expected azure, got {other:?}"),
        }
    }

    #[test]
    fn container_sas_url_is_restricted_to_the_container() {
        let t = resolve(
            &StoreSpec::parse(
                "https://acct.blob.core.windows.net/job-x?sv=2022-11-02&sr=c&sp=rl&sig=abc%3D",
            ),
            &env_of(&[]),
        )
        .unwrap();
        let (url, account, container, auth) = azure(t);
        assert_eq!(url, "https://acct.blob.core.windows.net/");
        assert_eq!(account, "acct");
        assert_eq!(container.as_deref(), Some("job-x"));
        assert_eq!(
            auth,
            Auth::Sas("sv=2022-11-02&sr=c&sp=rl&sig=abc%3D".into())
        );
    }

    #[test]
    fn emulator_urls_name_the_account_in_the_path() {
        let (url, account, container, auth) = azure(
            resolve(
                &StoreSpec::parse("http://127.0.0.1:10000/devstoreaccount1/job-y"),
                &env_of(&[]),
            )
            .unwrap(),
        );
        assert_eq!(url, "http://127.0.0.1:10000/devstoreaccount1");
        assert_eq!(account, "devstoreaccount1");
        assert_eq!(container.as_deref(), Some("job-y"));
        assert_eq!(auth, Auth::AccountKey(AZURITE_ACCOUNT_KEY.into()));
    }

    #[test]
    fn url_without_sas_uses_the_environment_then_entra_id() {
        let env = env_of(&[
            ("AZURE_STORAGE_ACCOUNT", "acct"),
            ("AZURE_STORAGE_KEY", "a2V5"),
        ]);
        let (_, _, _, auth) = azure(
            resolve(
                &StoreSpec::parse("https://acct.blob.core.windows.net"),
                &env,
            )
            .unwrap(),
        );
        assert_eq!(auth, Auth::AccountKey("a2V5".into()));
        let (_, _, _, auth) = azure(
            resolve(
                &StoreSpec::parse("https://other.blob.core.windows.net/"),
                &env,
            )
            .unwrap(),
        );
        assert_eq!(auth, Auth::EntraId);
    }

    #[test]
    fn bad_urls_are_explained_without_secrets() {
        let e = resolve(
            &StoreSpec::parse("https://acct.blob.core.windows.net/c/some/blob?sig=SECRET"),
            &env_of(&[]),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("points inside container c"), "{e}");
        assert!(!e.contains("SECRET"), "{e}");
        let e = resolve(
            &StoreSpec::parse("https://acct.blob.core.windows.net/c?foo=bar"),
            &env_of(&[]),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("not a SAS"), "{e}");
        let e = resolve(&StoreSpec::parse("http://127.0.0.1:10000/"), &env_of(&[]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("account in its path"), "{e}");
    }

    #[test]
    fn connection_string_forms() {
        let e = env_of(&[]);
        let (url, account, _, auth) = azure(connection_string_target("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.chinacloudapi.cn", &e).unwrap());
        assert_eq!(url, "https://acct.blob.core.chinacloudapi.cn/");
        assert_eq!(account, "acct");
        assert_eq!(auth, Auth::AccountKey("a2V5".into()));
        let (url, account, _, auth) = azure(
            connection_string_target(
                "BlobEndpoint=https://acct.blob.core.windows.net/;SharedAccessSignature=sv=1&sig=x",
                &e,
            )
            .unwrap(),
        );
        assert_eq!(url, "https://acct.blob.core.windows.net/");
        assert_eq!(account, "acct");
        assert_eq!(auth, Auth::Sas("sv=1&sig=x".into()));
        let (url, account, _, _) =
            azure(connection_string_target("UseDevelopmentStorage=true", &e).unwrap());
        assert_eq!(url, "http://127.0.0.1:10000/devstoreaccount1");
        assert_eq!(account, AZURITE_ACCOUNT);
        let (url, _, _, _) = azure(
            connection_string_target(
                "UseDevelopmentStorage=true",
                &env_of(&[(
                    "BATCHOUT_AZURITE_BLOB_ENDPOINT",
                    "http://127.0.0.1:4567/devstoreaccount1",
                )]),
            )
            .unwrap(),
        );
        assert_eq!(url, "http://127.0.0.1:4567/devstoreaccount1");
        let err = connection_string_target("AccountName=acct;AccountKey=not base64!!", &e)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("not valid base64") && !err.contains("not base64!!"),
            "{err}"
        );
        let err = connection_string_target("AccountName=acct", &e)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("neither AccountKey nor SharedAccessSignature"),
            "{err}"
        );
        let err = connection_string_target("garbage;AccountKey=SECRETKEY", &e)
            .unwrap_err()
            .to_string();
        assert!(!err.contains("SECRETKEY"), "{err}");
    }

    #[test]
    fn default_order_is_batchout_store_then_connection_string_then_account_variables() {
        let env = env_of(&[
            ("BATCHOUT_STORE", "/tmp/x"),
            (
                "AZURE_STORAGE_CONNECTION_STRING",
                "UseDevelopmentStorage=true",
            ),
        ]);
        assert_eq!(
            resolve(&StoreSpec::Default, &env).unwrap(),
            Target::Local("/tmp/x".into())
        );
        let env = env_of(&[
            (
                "AZURE_STORAGE_CONNECTION_STRING",
                "UseDevelopmentStorage=true",
            ),
            ("AZURE_STORAGE_ACCOUNT", "acct"),
        ]);
        assert_eq!(
            azure(resolve(&StoreSpec::Default, &env).unwrap()).1,
            AZURITE_ACCOUNT
        );
        let env = env_of(&[("AZURE_STORAGE_ACCOUNT", "acct")]);
        let (url, _, _, auth) = azure(resolve(&StoreSpec::Default, &env).unwrap());
        assert_eq!(url, "https://acct.blob.core.windows.net/");
        assert_eq!(auth, Auth::EntraId);
        let env = env_of(&[("AZURE_STORAGE_ACCOUNT", "Bad_Name")]);
        assert!(resolve(&StoreSpec::Default, &env).is_err());
        assert!(matches!(
            resolve(&StoreSpec::Default, &env_of(&[])).unwrap(),
            Target::Local(_)
        ));
    }
}
