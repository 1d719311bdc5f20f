//! Blob names -> files, so that no name can ever reach outside the store folder.
//!
//! A blob name is split at `/` into segments (empty segments and `..` included, verbatim).
//! The first two segments become directories, the rest of the name (slashes and all) one
//! file, so paths stay short whatever the name (at most three levels below the container)
//! and the batchout layout `TASK/$KIND/PATH` puts each kind's files in one directory:
//! listing a kind reads one directory, listing tasks reads the container's top directory.
//!
//! Each component is encoded so that it only holds `[a-z0-9_-]`, `%hh` and `^x`:
//! lower-case letters, digits, `_` and `-` stay, an upper-case letter `X` becomes `^x`
//! (so names differing only in case never collide on a case-insensitive disk), every other
//! byte becomes `%hh`. So no component can be empty of meaning, `.`, `..`, absolute, or
//! hold a separator. Directories end in `.d`, blob files in `.b` (the encoding never
//! produces a `.`, so the two never clash). A component whose encoding would be longer
//! than [`MAX_ENCODED`] is stored as `~` + SHA-256 of it instead; the real segment of such
//! a directory is kept in a [`SEGMENT_FILE`] inside it, the real name of such a blob is in
//! the blob file's header.

use crate::store::{StoreError, StoreResult};
use sha2::{Digest, Sha256};

/// Longest encoded component kept readable (file systems allow 255 bytes).
pub(super) const MAX_ENCODED: usize = 200;
/// Inside a hashed directory: the raw segment it stands for.
pub(super) const SEGMENT_FILE: &str = "segment.name";
pub(super) const DIR_SUFFIX: &str = ".d";
pub(super) const BLOB_SUFFIX: &str = ".b";
/// Azure's limit on blob names, in characters.
pub const MAX_BLOB_NAME_CHARS: usize = 1024;
/// Directory levels before the rest of a name becomes one file.
pub(super) const DIR_LEVELS: usize = 2;

/// A container name Azure accepts: 3-63 of `[a-z0-9-]`, starting with a letter or digit,
/// every `-` between letters or digits.
pub fn validate_container_name(name: &str) -> StoreResult<()> {
    let b = name.as_bytes();
    let ok = (3..=63).contains(&b.len())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
        && !name.contains("--");
    if ok {
        Ok(())
    } else {
        Err(StoreError::InvalidName(format!(
            "invalid container name {:?}: use 3-63 lower-case letters, digits and single dashes",
            crate::text::one_line(name)
        )))
    }
}

/// A blob name Azure accepts: 1 to 1024 characters.
pub fn validate_blob_name(name: &str) -> StoreResult<()> {
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_BLOB_NAME_CHARS {
        return Err(StoreError::InvalidName(format!(
            "invalid blob name: it must have 1 to {MAX_BLOB_NAME_CHARS} characters, not {chars}"
        )));
    }
    Ok(())
}

/// Where a blob lives under the container's blob folder.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct BlobLocation {
    /// Directory components: (encoded file name, raw segment).
    pub dirs: Vec<(String, String)>,
    /// Encoded file name of the blob.
    pub file: String,
}

impl BlobLocation {
    pub fn of(name: &str) -> BlobLocation {
        let mut rest = name;
        let mut dirs = Vec::new();
        while dirs.len() < DIR_LEVELS {
            match rest.split_once('/') {
                Some((seg, tail)) => {
                    dirs.push((component(seg, DIR_SUFFIX), seg.to_string()));
                    rest = tail;
                }
                None => break,
            }
        }
        BlobLocation {
            dirs,
            file: component(rest, BLOB_SUFFIX),
        }
    }

    pub fn relative_path(&self) -> std::path::PathBuf {
        let mut p = std::path::PathBuf::new();
        for (enc, _) in &self.dirs {
            p.push(enc);
        }
        p.push(&self.file);
        p
    }
}

/// The file name of one component: encoded (or hashed when long) plus its suffix.
pub(super) fn component(raw: &str, suffix: &str) -> String {
    let enc = encode(raw);
    if enc.len() <= MAX_ENCODED {
        format!("{enc}{suffix}")
    } else {
        format!("~{}{suffix}", hex::encode(Sha256::digest(raw.as_bytes())))
    }
}

fn encode(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for &b in raw.as_bytes() {
        match b {
            b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' => out.push(b as char),
            b'A'..=b'Z' => {
                out.push('^');
                out.push(b.to_ascii_lowercase() as char);
            }
            _ => out.push_str(&format!("%{b:02x}")),
        }
    }
    out
}

/// What a file name in the blob tree stands for.
#[derive(Debug, PartialEq)]
pub(super) enum Decoded {
    /// A readable component: its raw text.
    Plain(String),
    /// A hashed component: look up the real text (segment file or blob header).
    Hashed,
}

/// Split a file name into (decoded component, is_dir); None for files that are not ours.
pub(super) fn decode_file_name(file_name: &str) -> Option<(Decoded, bool)> {
    let (stem, is_dir) = if let Some(s) = file_name.strip_suffix(DIR_SUFFIX) {
        (s, true)
    } else if let Some(s) = file_name.strip_suffix(BLOB_SUFFIX) {
        (s, false)
    } else {
        return None;
    };
    if let Some(h) = stem.strip_prefix('~') {
        return (h.len() == 64 && h.bytes().all(|c| c.is_ascii_hexdigit()))
            .then_some((Decoded::Hashed, is_dir));
    }
    decode(stem).map(|s| (Decoded::Plain(s), is_dir))
}

fn decode(enc: &str) -> Option<String> {
    let b = enc.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' => {
                out.push(b[i]);
                i += 1;
            }
            b'^' if i + 1 < b.len() && b[i + 1].is_ascii_lowercase() => {
                out.push(b[i + 1].to_ascii_uppercase());
                i += 2;
            }
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            _ => return None,
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_round_trip_and_stay_inside() {
        for raw in [
            "",
            ".",
            "..",
            "a b",
            "$TaskLog",
            "C:\\x",
            "\u{1}\u{7f}",
            "é日本",
            "a.txt",
            "^%~",
        ] {
            let f = component(raw, BLOB_SUFFIX);
            assert!(
                f.bytes()
                    .all(|c| c.is_ascii_alphanumeric() || b"_-%^.~".contains(&c)),
                "{f}"
            );
            assert_eq!(f.matches('.').count(), 1);
            assert!(!f.chars().any(|c| c.is_ascii_uppercase()));
            assert_eq!(
                decode_file_name(&f),
                Some((Decoded::Plain(raw.to_string()), false))
            );
        }
    }

    #[test]
    fn long_components_are_hashed() {
        let raw = "é".repeat(300);
        let f = component(&raw, DIR_SUFFIX);
        assert!(f.starts_with('~') && f.len() < 80);
        assert_eq!(decode_file_name(&f), Some((Decoded::Hashed, true)));
    }

    #[test]
    fn locations_use_two_levels_then_one_file() {
        let l = BlobLocation::of("t/$TaskLog/a/b.txt");
        assert_eq!(l.dirs.len(), 2);
        assert_eq!(l.dirs[1].1, "$TaskLog");
        assert_eq!(l.file, "a%2fb%2etxt.b");
        assert_eq!(BlobLocation::of("x").dirs.len(), 0);
        assert_eq!(
            BlobLocation::of("/").dirs,
            vec![(".d".to_string(), String::new())]
        );
    }

    #[test]
    fn container_names() {
        assert!(validate_container_name("job-abc").is_ok());
        for bad in ["ab", "-ab", "ab-", "a--b", "Abc", "a.b", &"a".repeat(64)] {
            assert!(validate_container_name(bad).is_err(), "{bad}");
        }
    }
}
