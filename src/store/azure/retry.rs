//! Retries as a user of a terminal tool wants them: throttling and server errors are retried
//! with exponential backoff that honours Retry-After, then reported; an account that cannot be
//! reached fails within seconds instead of the SDK default of a minute of retries.

use azure_core::http::policies::{Policy, PolicyResult};
use azure_core::http::{headers::HeaderName, Context, Request, StatusCode};
use std::sync::Arc;
use std::time::Duration;

/// Tunables; tests shrink them to keep runs short.
#[derive(Debug, Clone)]
pub struct RetrySettings {
    /// Attempts after the first one for throttling / 5xx / dropped connections.
    pub max_retries: u32,
    /// Attempts after the first one when the host cannot be connected to at all.
    pub max_connect_retries: u32,
    pub initial_delay: Duration,
    pub max_delay: Duration,
    /// Longest Retry-After we wait for; a longer one is reported as throttling at once.
    pub max_retry_after: Duration,
}

impl Default for RetrySettings {
    fn default() -> Self {
        RetrySettings {
            max_retries: 6,
            max_connect_retries: 1,
            initial_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

#[derive(Debug)]
pub struct RetryPolicy {
    settings: RetrySettings,
}

impl RetryPolicy {
    pub fn new(settings: RetrySettings) -> Self {
        RetryPolicy { settings }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .settings
            .initial_delay
            .saturating_mul(1u32 << attempt.min(16));
        let capped = exp.min(self.settings.max_delay);
        // Up to 20% jitter so parallel workers do not retry in lockstep.
        let jitter = rand::random::<f64>() * 0.2;
        capped.mul_f64(1.0 + jitter)
    }
}

fn retryable_status(s: StatusCode) -> bool {
    matches!(u16::from(s), 408 | 429 | 500 | 502 | 503 | 504)
}

/// Retry-After in seconds or as an HTTP date, or the x-ms-retry-after-ms variant.
pub fn retry_after(headers: &azure_core::http::headers::Headers) -> Option<Duration> {
    if let Some(ms) = headers.get_optional_str(&HeaderName::from_static("x-ms-retry-after-ms")) {
        return ms.trim().parse::<u64>().ok().map(Duration::from_millis);
    }
    if let Some(ms) = headers.get_optional_str(&HeaderName::from_static("retry-after-ms")) {
        return ms.trim().parse::<u64>().ok().map(Duration::from_millis);
    }
    let v = headers
        .get_optional_str(&HeaderName::from_static("retry-after"))?
        .trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[async_trait::async_trait]
impl Policy for RetryPolicy {
    async fn send(
        &self,
        ctx: &Context,
        request: &mut Request,
        next: &[Arc<dyn Policy>],
    ) -> PolicyResult {
        let mut attempt = 0u32;
        loop {
            if attempt > 0 {
                request.body_mut().reset().await?;
            }
            let result = next[0].send(ctx, request, &next[1..]).await;
            let wait = match &result {
                Ok(rsp) if retryable_status(rsp.status()) => {
                    if attempt >= self.settings.max_retries {
                        return result;
                    }
                    match retry_after(rsp.headers()) {
                        Some(d) if d > self.settings.max_retry_after => return result,
                        Some(d) => d.max(self.backoff(attempt)),
                        None => self.backoff(attempt),
                    }
                }
                Ok(_) => return result,
                Err(e) => {
                    let limit = match e.kind() {
                        // Refused / DNS / TLS handshake: the account is not there; say so fast.
                        azure_core::error::ErrorKind::Connection => {
                            self.settings.max_connect_retries
                        }
                        // A connection dropped mid-request: worth a few tries.
                        azure_core::error::ErrorKind::Io => self.settings.max_retries,
                        _ => return result,
                    };
                    if attempt >= limit {
                        return result;
                    }
                    self.backoff(attempt)
                }
            };
            attempt += 1;
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use azure_core::http::headers::Headers;

    #[test]
    fn retry_after_in_seconds_dates_and_milliseconds() {
        let mut h = Headers::new();
        h.insert("retry-after", "3");
        assert_eq!(retry_after(&h), Some(Duration::from_secs(3)));
        let mut h = Headers::new();
        h.insert(
            "retry-after",
            httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(30)),
        );
        let d = retry_after(&h).unwrap();
        assert!(
            d > Duration::from_secs(27) && d <= Duration::from_secs(30),
            "{d:?}"
        );
        let mut h = Headers::new();
        h.insert("x-ms-retry-after-ms", "250");
        assert_eq!(retry_after(&h), Some(Duration::from_millis(250)));
        assert_eq!(retry_after(&Headers::new()), None);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::new(RetrySettings::default());
        assert!(
            p.backoff(0) >= Duration::from_millis(250) && p.backoff(0) < Duration::from_millis(301)
        );
        assert!(p.backoff(2) >= Duration::from_millis(1000));
        assert!(p.backoff(20) <= Duration::from_millis(9600));
    }
}
