//! Key remapping: `[keys]` maps an action name to the keys that replace its defaults.
//! Keys are parsed here into a terminal-independent [`KeySpec`] (config knows no crossterm);
//! the browser turns them into its own key type and checks that no key gets two meanings.

use std::fmt;

/// A named key (not a character).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Named {
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
    Delete,
    Insert,
    F(u8),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    Char(char),
    Named(Named),
}

/// One key with its modifiers, e.g. `ctrl-c`, `G`, `pagedown`, `f5`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeySpec {
    pub code: Code,
    pub ctrl: bool,
    pub alt: bool,
    pub shift: bool,
}

const NAMES: &[(&str, Named)] = &[
    ("enter", Named::Enter),
    ("esc", Named::Esc),
    ("tab", Named::Tab),
    ("backtab", Named::BackTab),
    ("backspace", Named::Backspace),
    ("up", Named::Up),
    ("down", Named::Down),
    ("left", Named::Left),
    ("right", Named::Right),
    ("home", Named::Home),
    ("end", Named::End),
    ("pageup", Named::PageUp),
    ("pagedown", Named::PageDown),
    ("delete", Named::Delete),
    ("insert", Named::Insert),
];

impl KeySpec {
    pub fn parse(s: &str) -> Result<KeySpec, String> {
        let mut k = KeySpec {
            code: Code::Char(' '),
            ctrl: false,
            alt: false,
            shift: false,
        };
        let mut rest = s;
        // A modifier prefix is only taken when something follows it: "-" alone is the key.
        loop {
            let lower = rest.to_ascii_lowercase();
            let flag = if lower.starts_with("ctrl-") && rest.len() > 5 {
                &mut k.ctrl
            } else if lower.starts_with("alt-") && rest.len() > 4 {
                &mut k.alt
            } else if lower.starts_with("shift-") && rest.len() > 6 {
                &mut k.shift
            } else {
                break;
            };
            *flag = true;
            rest = &rest[rest.find('-').unwrap_or(0) + 1..];
        }
        let mut chars = rest.chars();
        k.code = match (chars.next(), chars.next()) {
            (Some(c), None) if !c.is_control() => Code::Char(c),
            _ => {
                let lower = rest.to_ascii_lowercase();
                if lower == "space" {
                    Code::Char(' ')
                } else if let Some(n) = NAMES.iter().find(|(n, _)| *n == lower) {
                    Code::Named(n.1)
                } else if let Some(n) = lower
                    .strip_prefix('f')
                    .and_then(|d| d.parse::<u8>().ok())
                    .filter(|n| (1..=12).contains(n))
                {
                    Code::Named(Named::F(n))
                } else {
                    return Err(format!(
                        "{s:?} is not a key: use a character, a name (enter, esc, tab, up, pagedown, f5, ...) and optional ctrl-/alt-/shift- prefixes"
                    ));
                }
            }
        };
        Ok(k)
    }
}

impl fmt::Display for KeySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        if self.alt {
            f.write_str("alt-")?;
        }
        if self.shift {
            f.write_str("shift-")?;
        }
        match self.code {
            Code::Char(' ') => f.write_str("space"),
            Code::Char(c) => write!(f, "{c}"),
            Code::Named(Named::F(n)) => write!(f, "f{n}"),
            Code::Named(n) => f.write_str(NAMES.iter().find(|(_, m)| *m == n).map_or("?", |x| x.0)),
        }
    }
}

/// Parse one action's list; an empty list or a key given twice is refused.
pub fn parse_list(list: &[String]) -> Result<Vec<KeySpec>, String> {
    if list.is_empty() {
        return Err("give at least one key (an action without keys cannot be reached)".into());
    }
    let mut out: Vec<KeySpec> = Vec::new();
    for s in list {
        let k = KeySpec::parse(s)?;
        if out.contains(&k) {
            return Err(format!("{s:?} is listed twice"));
        }
        out.push(k);
    }
    Ok(out)
}

/// Check a whole `[keys]` table against the actions the browser knows: every action must
/// exist and no key may be given to two actions.
pub fn validate(
    table: &std::collections::BTreeMap<String, Vec<String>>,
    known_actions: &[&str],
) -> Result<Vec<(String, Vec<KeySpec>)>, String> {
    let mut out: Vec<(String, Vec<KeySpec>)> = Vec::new();
    for (action, list) in table {
        if !known_actions.contains(&action.as_str()) {
            return Err(format!(
                "keys.{action}: no such action; known: {}",
                known_actions.join(", ")
            ));
        }
        let keys = parse_list(list).map_err(|e| format!("keys.{action}: {e}"))?;
        for k in &keys {
            if let Some((other, _)) = out.iter().find(|(_, ks)| ks.contains(k)) {
                return Err(format!("keys.{action}: {k} is already the key of {other}"));
            }
        }
        out.push((action.clone(), keys));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_and_print_back() {
        for s in [
            "q",
            "G",
            "ctrl-c",
            "alt-shift-x",
            "f5",
            "pagedown",
            "space",
            "-",
            "ctrl--",
        ] {
            let k = KeySpec::parse(s).unwrap();
            assert_eq!(KeySpec::parse(&k.to_string()).unwrap(), k, "{s}");
        }
        assert_eq!(
            KeySpec::parse("Ctrl-C").unwrap(),
            KeySpec {
                code: Code::Char('C'),
                ctrl: true,
                alt: false,
                shift: false
            }
        );
        assert_eq!(
            KeySpec::parse("F12").unwrap().code,
            Code::Named(Named::F(12))
        );
        for bad in ["", "ctrl-", "f13", "enterr", "\u{7}"] {
            assert!(KeySpec::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn tables_are_checked_against_known_actions_and_clashes() {
        let t = |pairs: &[(&str, &[&str])]| {
            pairs
                .iter()
                .map(|(a, ks)| (a.to_string(), ks.iter().map(|k| k.to_string()).collect()))
                .collect::<std::collections::BTreeMap<String, Vec<String>>>()
        };
        let known = ["quit", "help", "refresh"];
        let ok = validate(&t(&[("quit", &["x", "ctrl-q"]), ("help", &["f1"])]), &known).unwrap();
        assert_eq!(ok.len(), 2);
        let e = validate(&t(&[("qit", &["x"])]), &known).unwrap_err();
        assert!(
            e.contains("no such action") && e.contains("quit, help, refresh"),
            "{e}"
        );
        let e = validate(&t(&[("quit", &["x"]), ("help", &["x"])]), &known).unwrap_err();
        assert!(e.contains("already the key of"), "{e}");
        let e = validate(&t(&[("quit", &[])]), &known).unwrap_err();
        assert!(e.contains("at least one key"), "{e}");
    }
}
