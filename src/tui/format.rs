//! Small display formats shared by views.

use time::{format_description::BorrowedFormatItem, macros::format_description, OffsetDateTime};

const WHEN: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");

/// `2026-12-01 20:07:31` (UTC, as the store reports it).
pub fn when(t: OffsetDateTime) -> String {
    t.format(WHEN).unwrap_or_else(|_| "?".into())
}

const WHEN_SHORT: &[BorrowedFormatItem<'static>] =
    format_description!("[month]-[day] [hour]:[minute]");

/// `12-01 20:07`, for narrow terminals.
pub fn when_short(t: OffsetDateTime) -> String {
    t.format(WHEN_SHORT).unwrap_or_else(|_| "?".into())
}

/// Sizes in binary units with three significant digits: `812 B`, `4.0 KiB`, `3.21 GiB`.
pub fn size(n: u64) -> String {
    const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut v = n as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    let digits = if v >= 100.0 {
        0
    } else if v >= 10.0 {
        1
    } else {
        2
    };
    format!("{v:.digits$} {}", UNITS[unit])
}

/// `1 file`, `12 files`.
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
