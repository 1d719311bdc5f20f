//! Byte sizes for people: the one formatter the CLI and the TUI use (binary units, `B` up
//! to `EiB`). One scale, two precisions: one decimal for sentences and tables
//! ([`human_size`]), three significant digits where a column is narrow
//! ([`human_size_sig3`], the TUI).

const UNITS: [&str; 6] = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

/// `n` in the largest unit it reaches (None below 1 KiB: printed in bytes, exactly).
fn scaled(n: u64) -> Option<(f64, &'static str)> {
    if n < 1024 {
        return None;
    }
    let mut v = n as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    Some((v, UNITS[unit]))
}

/// `512 B`, `1.5 KiB`, `12.0 MiB`.
pub fn human_size(n: u64) -> String {
    match scaled(n) {
        None => format!("{n} B"),
        Some((v, unit)) => format!("{v:.1} {unit}"),
    }
}

/// Three significant digits: `812 B`, `4.00 KiB`, `13.5 MiB`, `321 GiB`.
pub fn human_size_sig3(n: u64) -> String {
    match scaled(n) {
        None => format!("{n} B"),
        Some((v, unit)) => {
            let digits = if v >= 100.0 {
                0
            } else if v >= 10.0 {
                1
            } else {
                2
            };
            format!("{v:.digits$} {unit}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_decimal() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(12), "12 B");
        assert_eq!(human_size(1023), "1023 B");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(5 * 1024 * 1024), "5.0 MiB");
        assert_eq!(human_size(3 << 50), "3.0 PiB");
    }

    #[test]
    fn three_significant_digits() {
        assert_eq!(human_size_sig3(812), "812 B");
        assert_eq!(human_size_sig3(4096), "4.00 KiB");
        assert_eq!(human_size_sig3(13_500_000), "12.9 MiB");
        assert_eq!(human_size_sig3(321 << 30), "321 GiB");
    }
}
