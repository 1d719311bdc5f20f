//! Which store a command uses. Precedence, as documented in README.md:
//! flag > environment > configuration file > built-in default, i.e.
//! `--store`, `--profile`/`-p`, `BATCHOUT_STORE`, `BATCHOUT_PROFILE`, the `AZURE_STORAGE_*`
//! variables, the file's `default_profile`, then the local store in the user data folder.

use super::{expand_home, Loaded};
use crate::store::open::env_names_store;
use crate::store::StoreSpec;

/// The store spec a command uses and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Chosen {
    pub spec: StoreSpec,
    /// "--store", "profile prod (--profile)", ...; None when the environment's Azure
    /// variables or the default folder decide (store::open's origin then says which).
    pub from: Option<String>,
    pub profile: Option<String>,
}

pub fn choose_store(
    store_flag: Option<&str>,
    profile_flag: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
    loaded: &Loaded,
) -> Result<Chosen, String> {
    let var = |k: &str| env(k).filter(|v| !v.trim().is_empty());
    if let Some(s) = store_flag {
        return Ok(Chosen {
            spec: StoreSpec::parse(s),
            from: Some("--store".into()),
            profile: None,
        });
    }
    if let Some(name) = profile_flag {
        return profile(loaded, name, "--profile");
    }
    if let Some(s) = var("BATCHOUT_STORE") {
        return Ok(Chosen {
            spec: StoreSpec::parse(&s),
            from: Some("BATCHOUT_STORE".into()),
            profile: None,
        });
    }
    if let Some(name) = var("BATCHOUT_PROFILE") {
        return profile(loaded, &name, "BATCHOUT_PROFILE");
    }
    if !env_names_store(env) {
        if let Some(name) = &loaded.config.default_profile {
            if loaded.config.profiles.contains_key(name) {
                return profile(loaded, name, "default_profile");
            }
        }
    }
    Ok(Chosen {
        spec: StoreSpec::Default,
        from: None,
        profile: None,
    })
}

fn profile(loaded: &Loaded, name: &str, via: &str) -> Result<Chosen, String> {
    let file = loaded
        .path
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "the config file (there is none)".into());
    let Some(p) = loaded.config.profiles.get(name) else {
        let known: Vec<&str> = loaded.config.profiles.keys().map(String::as_str).collect();
        return Err(if known.is_empty() {
            format!("unknown profile {name:?} ({via}): {file} defines no [profiles.NAME]; `batchout config` prints an example")
        } else {
            format!(
                "unknown profile {name:?} ({via}); known: {} (in {file})",
                known.join(", ")
            )
        });
    };
    let Some(store) = p.store.as_deref() else {
        return Err(format!(
            "profile {name} ({via}) has no store = \"...\" in {file}"
        ));
    };
    let spec = match StoreSpec::parse(store.trim()) {
        StoreSpec::Local(path) => StoreSpec::Local(expand_home(&path.to_string_lossy())),
        other => other,
    };
    Ok(Chosen {
        spec,
        from: Some(format!("profile {name} ({via}, {file})")),
        profile: Some(name.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, Profile};
    use std::path::PathBuf;

    fn loaded() -> Loaded {
        let mut c = Config {
            default_profile: Some("b".into()),
            ..Default::default()
        };
        for (n, s) in [("a", "/store-a"), ("b", "azurite")] {
            c.profiles.insert(
                n.into(),
                Profile {
                    store: Some(s.into()),
                    batch: None,
                },
            );
        }
        Loaded {
            config: c,
            path: Some(PathBuf::from("/cfg/config.toml")),
            warnings: vec![],
        }
    }

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn flag_beats_env_beats_profile_beats_default() {
        let l = loaded();
        let all = env(&[
            ("BATCHOUT_STORE", "/env-store"),
            ("BATCHOUT_PROFILE", "a"),
            ("AZURE_STORAGE_ACCOUNT", "acct"),
        ]);
        let c = choose_store(Some("/flag"), Some("a"), &all, &l).unwrap();
        assert_eq!(
            (c.spec, c.from.as_deref()),
            (StoreSpec::Local("/flag".into()), Some("--store"))
        );
        let c = choose_store(None, Some("a"), &all, &l).unwrap();
        assert_eq!(c.spec, StoreSpec::Local("/store-a".into()));
        assert_eq!(
            c.from.as_deref(),
            Some("profile a (--profile, /cfg/config.toml)")
        );
        let c = choose_store(None, None, &all, &l).unwrap();
        assert_eq!(c.spec, StoreSpec::Local("/env-store".into()));
        let c = choose_store(None, None, &env(&[("BATCHOUT_PROFILE", "a")]), &l).unwrap();
        assert_eq!(c.profile.as_deref(), Some("a"));
        // The Azure variables are the environment too: they beat the default profile.
        let c = choose_store(None, None, &env(&[("AZURE_STORAGE_ACCOUNT", "acct")]), &l).unwrap();
        assert_eq!((c.spec, c.from), (StoreSpec::Default, None));
        let c = choose_store(None, None, &env(&[]), &l).unwrap();
        assert_eq!(c.spec, StoreSpec::Azurite);
        assert_eq!(
            c.from.as_deref(),
            Some("profile b (default_profile, /cfg/config.toml)")
        );
        let c = choose_store(None, None, &env(&[]), &Loaded::default()).unwrap();
        assert_eq!(c.spec, StoreSpec::Default);
    }

    #[test]
    fn an_unknown_profile_lists_the_known_ones() {
        let e = choose_store(None, Some("prdo"), &env(&[]), &loaded()).unwrap_err();
        assert_eq!(
            e,
            "unknown profile \"prdo\" (--profile); known: a, b (in /cfg/config.toml)"
        );
        let e = choose_store(
            None,
            None,
            &env(&[("BATCHOUT_PROFILE", "x")]),
            &Loaded::default(),
        )
        .unwrap_err();
        assert!(e.contains("defines no [profiles.NAME]"), "{e}");
    }
}
