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

/// Sizes in the views: the one formatter (`crate::text::size`), with three significant
/// digits for narrow columns: `812 B`, `4.00 KiB`, `3.21 GiB`.
pub use crate::text::size::human_size_sig3 as size;

/// `1 file`, `12 files`.
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}
