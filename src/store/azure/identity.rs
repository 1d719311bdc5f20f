//! Entra ID sign-in from the usual `AZURE_*` variables, in the order users of the Azure
//! SDKs expect (azure_identity 1.0 has no DefaultAzureCredential, so the chain is here):
//! a client secret (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET), workload identity
//! (AZURE_FEDERATED_TOKEN_FILE), then developer tools (`az login`, `azd auth login`), then
//! managed identity (AZURE_CLIENT_ID picks a user-assigned one).

use azure_core::credentials::{AccessToken, Secret, TokenCredential, TokenRequestOptions};
use azure_identity::{
    ClientSecretCredential, DeveloperToolsCredential, ManagedIdentityCredential,
    ManagedIdentityCredentialOptions, UserAssignedId, WorkloadIdentityCredential,
};
use std::sync::Arc;

/// Which Entra ID source the environment selects (for tests and messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentitySource {
    ClientSecret,
    WorkloadIdentity,
    /// Developer tools first, then managed identity.
    DeveloperToolsThenManagedIdentity,
}

pub fn source_from_env(get: impl Fn(&str) -> Option<String>) -> IdentitySource {
    let set = |k: &str| get(k).is_some_and(|v| !v.is_empty());
    if set("AZURE_CLIENT_SECRET") && set("AZURE_CLIENT_ID") && set("AZURE_TENANT_ID") {
        IdentitySource::ClientSecret
    } else if set("AZURE_FEDERATED_TOKEN_FILE") {
        IdentitySource::WorkloadIdentity
    } else {
        IdentitySource::DeveloperToolsThenManagedIdentity
    }
}

fn env(k: &str) -> Option<String> {
    std::env::var(k).ok().filter(|v| !v.is_empty())
}

/// The credential the environment selects.
pub fn from_env() -> azure_core::Result<Arc<dyn TokenCredential>> {
    Ok(match source_from_env(env) {
        IdentitySource::ClientSecret => ClientSecretCredential::new(
            &env("AZURE_TENANT_ID").unwrap_or_default(),
            env("AZURE_CLIENT_ID").unwrap_or_default(),
            Secret::new(env("AZURE_CLIENT_SECRET").unwrap_or_default()),
            None,
        )?,
        IdentitySource::WorkloadIdentity => WorkloadIdentityCredential::new(None)?,
        IdentitySource::DeveloperToolsThenManagedIdentity => {
            let mut chain: Vec<Arc<dyn TokenCredential>> =
                vec![DeveloperToolsCredential::new(None)?];
            let options = ManagedIdentityCredentialOptions {
                user_assigned_id: env("AZURE_CLIENT_ID").map(UserAssignedId::ClientId),
                ..Default::default()
            };
            if let Ok(mi) = ManagedIdentityCredential::new(Some(options)) {
                chain.push(mi);
            }
            Arc::new(Chain(chain))
        }
    })
}

/// Tries each credential in turn; the error names every source that failed.
#[derive(Debug)]
struct Chain(Vec<Arc<dyn TokenCredential>>);

#[async_trait::async_trait]
impl TokenCredential for Chain {
    async fn get_token(
        &self,
        scopes: &[&str],
        options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        let mut failures = Vec::new();
        for c in &self.0 {
            match c.get_token(scopes, options.clone()).await {
                Ok(t) => return Ok(t),
                Err(e) => failures.push(e.to_string()),
            }
        }
        Err(azure_core::Error::with_message(
            azure_core::error::ErrorKind::Credential,
            format!(
                "no Entra ID sign-in found (developer tools, managed identity): {}",
                failures.join("; ")
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_source_from_variables() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            source_from_env(vars(&[
                ("AZURE_TENANT_ID", "t"),
                ("AZURE_CLIENT_ID", "c"),
                ("AZURE_CLIENT_SECRET", "s")
            ])),
            IdentitySource::ClientSecret
        );
        assert_eq!(
            source_from_env(vars(&[
                ("AZURE_CLIENT_ID", "c"),
                ("AZURE_FEDERATED_TOKEN_FILE", "/var/run/token")
            ])),
            IdentitySource::WorkloadIdentity
        );
        assert_eq!(
            source_from_env(vars(&[("AZURE_CLIENT_ID", "c")])),
            IdentitySource::DeveloperToolsThenManagedIdentity
        );
    }
}
