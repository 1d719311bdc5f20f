//! The user's configuration file (TOML): profiles naming stores, defaults for the browser
//! (download folder, image mode, theme, poll intervals, key remapping).
//!
//! - [`file`]: where the file is, reading it, one-line errors naming file, line and key,
//!   warnings for unknown keys, and the ssh-style refusal of secrets in a file others can read.
//! - [`keys`]: the key remapping data model and its validation.
//! - [`choose`]: which store a command uses, by precedence flag > env > profile > default.
//!
//! batchout never writes this file; `batchout config` prints [`DEFAULT_TOML`].

pub mod choose;
pub mod file;
pub mod keys;

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

pub use choose::{choose_store, Chosen};
pub use file::{load, locate, Loaded};

/// The commented default configuration `batchout config` prints.
pub const DEFAULT_TOML: &str = include_str!("default.toml");

/// The file's contents, validated.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Config {
    pub default_profile: Option<String>,
    pub download_dir: Option<PathBuf>,
    pub image: Option<ImageMode>,
    pub theme: Option<Theme>,
    #[serde(default)]
    pub poll: Poll,
    #[serde(default)]
    pub keys: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

/// A named store (and the Batch account it belongs to).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Profile {
    /// A local folder, an account or container URL, "azurite", or a connection string.
    pub store: Option<String>,
    /// The Batch account URL (reserved for Batch job listings, issue 13).
    pub batch: Option<String>,
}

impl Profile {
    /// What secret the profile holds, if any (for the file permission check).
    pub fn secret(&self) -> Option<&'static str> {
        let s = self.store.as_deref()?.to_ascii_lowercase();
        if s.contains("accountkey=") {
            Some("an account key")
        } else if s.contains("sig=") {
            Some("a SAS")
        } else {
            None
        }
    }
}

/// How the browser draws images: the file's `image`, `--images` and `$BATCHOUT_IMAGES`
/// (the one type for all three; `tui::picture` draws with it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ImageMode {
    /// Ask the terminal (once, before the browser starts) for kitty, sixel or iTerm2
    /// graphics; half blocks if it answers none.
    #[default]
    Auto,
    /// Coloured half-block characters: any colour terminal, over SSH and in tmux.
    Halfblocks,
    Kitty,
    Sixel,
    Iterm2,
    /// No images: show their bytes as hex.
    Off,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    #[default]
    Dark,
    Light,
}

/// Poll intervals, as written (`1s`, `500ms`); parsed by [`Poll::log_interval`] and
/// [`Poll::listing_interval`], checked when the file is loaded.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Poll {
    pub log: Option<String>,
    pub listing: Option<String>,
}

impl Poll {
    pub fn log_interval(&self) -> Option<Duration> {
        self.log
            .as_deref()
            .and_then(|s| crate::engine::schedule::parse_interval(s).ok())
    }
    /// `None`: listings refresh only when asked (`0s` or unset).
    pub fn listing_interval(&self) -> Option<Duration> {
        self.listing
            .as_deref()
            .filter(|s| !is_zero(s))
            .and_then(|s| crate::engine::schedule::parse_interval(s).ok())
    }
}

fn is_zero(s: &str) -> bool {
    s.trim().trim_end_matches(|c: char| c.is_ascii_alphabetic()) == "0"
}

impl Config {
    /// The download folder with `~` expanded.
    pub fn download_dir(&self) -> Option<PathBuf> {
        self.download_dir
            .as_deref()
            .map(|p| expand_home(&p.to_string_lossy()))
    }

    /// The theme in effect: the file's, else dark.
    pub fn theme(&self) -> Theme {
        self.theme.unwrap_or_default()
    }

    /// Whether colours are off (NO_COLOR set to anything non-empty, as no-color.org says).
    pub fn no_color(env: &dyn Fn(&str) -> Option<String>) -> bool {
        env("NO_COLOR").is_some_and(|v| !v.is_empty())
    }

    /// The image mode in effect: the file's, else auto.
    pub fn image(&self) -> ImageMode {
        self.image.unwrap_or(ImageMode::Auto)
    }
}

/// `~` and `~/...` become the home folder (a store path or download folder in the file).
pub fn expand_home(s: &str) -> PathBuf {
    let home = || directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf());
    match s.strip_prefix('~') {
        Some("") => home().unwrap_or_else(|| PathBuf::from(s)),
        Some(rest) if rest.starts_with('/') || rest.starts_with('\\') => match home() {
            Some(h) => h.join(&rest[1..]),
            None => PathBuf::from(s),
        },
        _ => PathBuf::from(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_file_parses_and_sets_nothing() {
        let c: Config = toml::from_str(DEFAULT_TOML).unwrap();
        assert_eq!(c, Config::default());
    }

    #[test]
    fn secrets_in_profiles_are_recognised() {
        let p = |s: &str| Profile {
            store: Some(s.into()),
            batch: None,
        };
        assert_eq!(
            p("https://a.blob.core.windows.net/c?sv=1&sig=x").secret(),
            Some("a SAS")
        );
        assert_eq!(
            p("DefaultEndpointsProtocol=https;AccountName=a;AccountKey=eA==").secret(),
            Some("an account key")
        );
        assert_eq!(p("https://a.blob.core.windows.net").secret(), None);
        assert_eq!(p("/data/store").secret(), None);
    }

    #[test]
    fn intervals_and_home() {
        let poll = Poll {
            log: Some("500ms".into()),
            listing: Some("0s".into()),
        };
        assert_eq!(poll.log_interval(), Some(Duration::from_millis(500)));
        assert_eq!(poll.listing_interval(), None);
        let home = directories::BaseDirs::new()
            .unwrap()
            .home_dir()
            .to_path_buf();
        assert_eq!(expand_home("~/x/y"), home.join("x/y"));
        assert_eq!(expand_home("/abs"), PathBuf::from("/abs"));
        assert_eq!(expand_home("~user/x"), PathBuf::from("~user/x"));
    }
}
