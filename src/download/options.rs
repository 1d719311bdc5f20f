//! How a download runs: sizes, parallelism, memory budget, timeouts, and the bandwidth
//! limit (also read from the environment, for the CLI and the TUI alike).

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct DownloadOptions {
    /// Size of one ranged read of a large blob whose Content-MD5 checks the whole file.
    /// Blobs without one use ranges of at most 4 MiB, each checked by the service's
    /// transactional MD5. Blobs up to 4 MiB (or up to this size if smaller) are one read.
    /// Large ranges are streamed to disk, so they cost requests, not memory.
    pub range_size: u64,
    /// Ranged reads in flight per large blob.
    pub ranges_per_file: usize,
    /// Files downloading at the same time.
    pub files_at_once: usize,
    /// Bytes of read buffers in flight across all files: what bounds memory, whatever the
    /// size of the blobs.
    pub memory_budget: u64,
    /// Replace existing files that differ (identical ones are always skipped).
    pub overwrite: bool,
    /// Longest wait for one read before it is retried (a stalled connection).
    pub request_timeout: Duration,
    /// Tries per ranged read before the file fails (resuming a cut or stalled body; a
    /// failed request was already retried by the store, see `crate::store::retry`).
    pub max_attempts: u32,
    /// Total time for one ranged read's attempts, waits included.
    pub retry_budget: Duration,
    /// Restarts of one file whose blob keeps changing while it downloads.
    pub max_restarts: u32,
    /// Bandwidth limit in bytes per second across the run (None: as fast as it goes).
    pub max_rate: Option<u64>,
}

impl Default for DownloadOptions {
    fn default() -> Self {
        DownloadOptions {
            range_size: 16 << 20,
            ranges_per_file: 8,
            files_at_once: 16,
            memory_budget: 32 << 20,
            overwrite: false,
            request_timeout: Duration::from_secs(60),
            max_attempts: 8,
            retry_budget: Duration::from_secs(300),
            max_restarts: 3,
            max_rate: None,
        }
    }
}

/// Environment variable: bandwidth limit of downloads, CLI and TUI (e.g. `20M` = 20 MiB/s).
pub const LIMIT_ENV: &str = "BATCHOUT_GET_LIMIT";

/// The limit set in [`LIMIT_ENV`] (None when unset or empty), or why it is not a rate.
pub fn limit_from_env() -> Result<Option<u64>, String> {
    match std::env::var(LIMIT_ENV) {
        Ok(v) if !v.trim().is_empty() => parse_rate(&v)
            .map(Some)
            .ok_or_else(|| format!("{LIMIT_ENV}={v:?} is not a rate (e.g. 500K, 20M, 1G)")),
        _ => Ok(None),
    }
}

/// Bytes per second, with an optional K, M or G suffix (powers of 1024), `/s` and `B`/`iB`.
pub fn parse_rate(v: &str) -> Option<u64> {
    let v = v
        .trim()
        .trim_end_matches("/s")
        .trim_end_matches(['B', 'b', 'i']);
    let (num, mult) = match v.chars().last()? {
        'k' | 'K' => (&v[..v.len() - 1], 1u64 << 10),
        'm' | 'M' => (&v[..v.len() - 1], 1 << 20),
        'g' | 'G' => (&v[..v.len() - 1], 1 << 30),
        _ => (v, 1),
    };
    let n: f64 = num.trim().parse().ok()?;
    (n > 0.0 && n.is_finite()).then_some((n * mult as f64) as u64)
}

#[cfg(test)]
mod tests {
    #[test]
    fn rates() {
        assert_eq!(super::parse_rate("20M"), Some(20 << 20));
        assert_eq!(super::parse_rate("1.5KiB/s"), Some(1536));
        assert_eq!(super::parse_rate("100"), Some(100));
        assert_eq!(super::parse_rate("fast"), None);
        assert_eq!(super::parse_rate("0"), None);
    }
}
