//! Finding and reading the configuration file. A missing file is an empty configuration;
//! a bad one is a one-line error naming the file, the line and the key; unknown keys are
//! warnings; secrets in a file others can read are refused (as ssh refuses such keys).

use super::{keys, Config};
use std::path::{Path, PathBuf};

/// A configuration and where it came from.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub config: Config,
    /// The file read (None: no file, the defaults apply).
    pub path: Option<PathBuf>,
    /// One line each: unknown keys and the like (the file still applies).
    pub warnings: Vec<String>,
}

/// The file's path: BATCHOUT_CONFIG, else `config.toml` in the user config folder.
pub fn locate(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    if let Some(p) = env("BATCHOUT_CONFIG").filter(|p| !p.trim().is_empty()) {
        return Some(PathBuf::from(p));
    }
    directories::ProjectDirs::from("", "", "batchout").map(|d| d.config_dir().join("config.toml"))
}

/// Read the file at `path`. A file that does not exist gives the defaults, unless it was
/// named by BATCHOUT_CONFIG (`explicit`): a typo there should not go unnoticed.
pub fn load(path: &Path, explicit: bool) -> Result<Loaded, String> {
    let shown = path.display();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
            return Ok(Loaded::default())
        }
        Err(e) => return Err(format!("cannot read config {shown}: {e}")),
    };
    let mut unknown = Vec::new();
    let de = toml::de::Deserializer::parse(&text).map_err(|e| toml_error(path, &text, &e))?;
    let config: Config = serde_ignored::deserialize(de, |p| unknown.push(p.to_string()))
        .map_err(|e| toml_error(path, &text, &e))?;
    let mut warnings: Vec<String> = unknown
        .iter()
        .map(|k| {
            let line = line_of_key(&text, k)
                .map(|l| format!(" line {l}"))
                .unwrap_or_default();
            format!("config {shown}{line}: unknown key {k} (ignored)")
        })
        .collect();
    check_values(&config, path, &text)?;
    for (action, list) in &config.keys {
        if let Err(e) = keys::parse_list(list) {
            return Err(at_key(path, &text, &format!("keys.{action}"), &e));
        }
    }
    check_secrets(&config, path)?;
    if let Some(name) = &config.default_profile {
        if !config.profiles.contains_key(name) {
            warnings.push(format!(
                "config {shown}: default_profile {name:?} has no [profiles.{name}] table"
            ));
        }
    }
    Ok(Loaded {
        config,
        path: Some(path.to_path_buf()),
        warnings,
    })
}

fn check_values(c: &Config, path: &Path, text: &str) -> Result<(), String> {
    for (key, value) in [("log", &c.poll.log), ("listing", &c.poll.listing)] {
        if let Some(v) = value {
            if super::is_zero(v) && key == "listing" {
                continue;
            }
            if let Err(e) = crate::engine::schedule::parse_interval(v) {
                return Err(at_key(path, text, &format!("poll.{key}"), &e));
            }
        }
    }
    for (name, p) in &c.profiles {
        if p.store.as_deref().is_some_and(|s| s.trim().is_empty()) {
            return Err(at_key(
                path,
                text,
                &format!("profiles.{name}.store"),
                "store is empty",
            ));
        }
    }
    Ok(())
}

/// A profile holding a SAS or an account key must not sit in a file others can read.
fn check_secrets(c: &Config, path: &Path) -> Result<(), String> {
    let Some((name, what)) = c
        .profiles
        .iter()
        .find_map(|(n, p)| p.secret().map(|w| (n, w)))
    else {
        return Ok(());
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(|e| format!("cannot read config {}: {e}", path.display()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(format!(
                "config {} is readable by other users (mode {:o}) and profile {name} holds {what}: refused; run `chmod 600 {}`",
                path.display(),
                mode & 0o777,
                path.display()
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = (name, what, path);
    Ok(())
}

/// One line for a TOML error: file, line, key, what was wrong.
fn toml_error(path: &Path, text: &str, e: &toml::de::Error) -> String {
    let msg = e.message().trim().replace('\n', " ");
    match e.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            let key = key_on_line(text, line)
                .map(|k| format!(", key {k}"))
                .unwrap_or_default();
            format!("config {} line {line}{key}: {msg}", path.display())
        }
        None => format!("config {}: {msg}", path.display()),
    }
}

fn at_key(path: &Path, text: &str, key: &str, msg: &str) -> String {
    let line = line_of_key(text, key)
        .map(|l| format!(" line {l},"))
        .unwrap_or_else(|| ",".into());
    format!("config {}{line} key {key}: {msg}", path.display())
}

/// The key assigned on a 1-based line (`key = ...`), or the table a header names.
fn key_on_line(text: &str, line: usize) -> Option<String> {
    let l = text.lines().nth(line.checked_sub(1)?)?.trim();
    if let Some(h) = l.strip_prefix('[') {
        return Some(h.trim_end_matches(']').trim().to_string());
    }
    let (k, _) = l.split_once('=')?;
    let k = k.trim().trim_matches('"');
    (!k.is_empty()).then(|| k.to_string())
}

/// The 1-based line where a dotted key (`profiles.prod.store`) is set: the last segment's
/// `key =` line inside the table that holds it, else the table's header.
fn line_of_key(text: &str, dotted: &str) -> Option<usize> {
    let segments: Vec<&str> = dotted.split('.').collect();
    let (last, table) = segments.split_last()?;
    let table = table.join(".");
    let mut current = String::new();
    let mut header_line = None;
    for (i, raw) in text.lines().enumerate() {
        let l = raw.trim();
        if l.starts_with('#') {
            continue;
        }
        if l.starts_with('[') {
            current = l.trim_matches(['[', ']']).trim().replace('"', "");
            if current == dotted {
                header_line = Some(i + 1);
            }
            continue;
        }
        if current == table {
            if let Some((k, _)) = l.split_once('=') {
                if k.trim().trim_matches('"') == *last {
                    return Some(i + 1);
                }
            }
        }
    }
    header_line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, text: &str) -> PathBuf {
        let p = dir.join("config.toml");
        std::fs::write(&p, text).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        p
    }

    #[test]
    fn a_bad_value_names_file_line_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "default_profile = \"a\"\n\ntheme = \"blue\"\n");
        let e = load(&p, false).unwrap_err();
        assert!(
            e.starts_with(&format!("config {} line 3, key theme:", p.display())),
            "{e}"
        );
        assert!(e.contains("dark") && e.contains("light"), "{e}");
        assert!(!e.contains('\n'), "{e}");
        let p = write(dir.path(), "[poll]\nlog = \"fast\"\n");
        let e = load(&p, false).unwrap_err();
        assert!(e.contains("line 2, key poll.log:"), "{e}");
        let p = write(dir.path(), "[keys]\nquit = [\"ctrl-\"]\n");
        let e = load(&p, false).unwrap_err();
        assert!(e.contains("line 2, key keys.quit:"), "{e}");
        let p = write(dir.path(), "theme = \n");
        let e = load(&p, false).unwrap_err();
        assert!(e.contains("line 1, key theme:"), "{e}");
    }

    #[test]
    fn unknown_keys_warn_and_the_rest_applies() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "colour = \"x\"\n[profiles.prod]\nstore = \"/data\"\nstor = \"typo\"\n",
        );
        let l = load(&p, false).unwrap();
        assert_eq!(l.config.profiles["prod"].store.as_deref(), Some("/data"));
        assert_eq!(l.warnings.len(), 2, "{:?}", l.warnings);
        assert!(
            l.warnings[0].contains("line 1: unknown key colour"),
            "{:?}",
            l.warnings
        );
        assert!(
            l.warnings[1].contains("line 4: unknown key profiles.prod.stor"),
            "{:?}",
            l.warnings
        );
    }

    #[test]
    fn a_missing_file_is_the_defaults_unless_named_explicitly() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("nope.toml");
        assert!(load(&p, false).unwrap().path.is_none());
        let e = load(&p, true).unwrap_err();
        assert!(e.contains("cannot read config"), "{e}");
        assert!(!p.exists());
    }

    #[cfg(unix)]
    #[test]
    fn secrets_in_a_file_others_can_read_are_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = write(
            dir.path(),
            "[profiles.p]\nstore = \"https://a.blob.core.windows.net/c?sv=1&sig=SECRET\"\n",
        );
        assert!(load(&p, false).is_ok());
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = load(&p, false).unwrap_err();
        assert!(
            e.contains("readable by other users") && e.contains("chmod 600"),
            "{e}"
        );
        assert!(e.contains("profile p holds a SAS"), "{e}");
        assert!(!e.contains("SECRET"), "{e}");
        // Without a secret the mode does not matter.
        std::fs::write(&p, "[profiles.p]\nstore = \"/data\"\n").unwrap();
        assert!(load(&p, false).is_ok());
    }
}
