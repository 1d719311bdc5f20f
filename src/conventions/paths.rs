//! Destination paths of saved files.

use super::error::{describe_char, shown, ConventionError};

/// The stored path of a file given relative to the working directory: `\` -> `/`, every
/// leading `../` (and `./`) removed. The result is checked like an explicit destination.
pub fn destination_from_relative(relative: &str) -> Result<String, ConventionError> {
    let mut path = relative.replace('\\', "/");
    loop {
        if let Some(rest) = path.strip_prefix("../") {
            path = rest.to_string();
        } else if let Some(rest) = path.strip_prefix("./") {
            path = rest.to_string();
        } else {
            break;
        }
    }
    validate_destination(&path)?;
    Ok(path)
}

/// An explicit destination is used as given, but never with empty, `.` or `..` segments,
/// a leading `/`, or control characters.
pub fn validate_destination(path: &str) -> Result<(), ConventionError> {
    let err = |reason: String| ConventionError::Destination {
        shown: shown(path),
        reason,
    };
    if path.is_empty() {
        return Err(err("it is empty".into()));
    }
    if let Some(c) = path.chars().find(|c| c.is_control()) {
        return Err(err(format!("{} is not allowed", describe_char(c))));
    }
    if path.starts_with('/') {
        return Err(err(
            "it starts with '/'; give a path relative to the kind".into()
        ));
    }
    for seg in path.split('/') {
        match seg {
            "" => {
                return Err(err(
                    "it has an empty path segment ('//' or a trailing '/')".into()
                ))
            }
            "." | ".." => return Err(err(format!("it has a '{seg}' path segment"))),
            _ => {}
        }
    }
    if path.len() > 1024 {
        return Err(err("it is longer than 1024 characters".into()));
    }
    Ok(())
}
