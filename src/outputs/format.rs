//! Plain-text formatting of times, shared by the CLI tables and the TUI (sizes:
//! [`crate::text::size`]).

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::OffsetDateTime;

/// `2026-12-01 20:15:03` (UTC), for tables.
pub fn short_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    t.format(format_description!(
        "[year]-[month]-[day] [hour]:[minute]:[second]"
    ))
    .unwrap_or_else(|_| "?".into())
}

/// RFC 3339 (UTC), for JSON.
pub fn rfc3339(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_else(|_| "?".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        let t = OffsetDateTime::from_unix_timestamp(1_764_620_103).unwrap();
        assert_eq!(short_time(t), "2025-12-01 20:15:03");
        assert_eq!(rfc3339(t), "2025-12-01T20:15:03Z");
    }
}
