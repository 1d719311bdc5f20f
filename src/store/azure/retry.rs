//! The request layer of the one retry policy (`crate::store::retry`): throttling and server
//! errors are retried with exponential backoff that honours Retry-After, within the
//! operation's budget, then reported; an account that cannot be reached fails within seconds
//! instead of the SDK default of a minute of retries.

use crate::store::retry::RetrySettings;
use azure_core::http::policies::{Policy, PolicyResult};
use azure_core::http::{headers::HeaderName, Context, Request, StatusCode};
use std::sync::Arc;
use std::time::Duration;

/// The request layer of the one retry policy (see `crate::store::retry`).
#[derive(Debug)]
pub struct RetryPolicy {
    settings: RetrySettings,
}

impl RetryPolicy {
    pub fn new(settings: RetrySettings) -> Self {
        RetryPolicy { settings }
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
        let mut retries = self.settings.start();
        loop {
            if retries.attempts() > 1 {
                request.body_mut().reset().await?;
            }
            let result = next[0].send(ctx, request, &next[1..]).await;
            let (limit, asked) = match &result {
                Ok(rsp) if retryable_status(rsp.status()) => match retry_after(rsp.headers()) {
                    Some(d) if d > self.settings.max_retry_after => return result,
                    asked => (self.settings.max_retries, asked),
                },
                Ok(_) => return result,
                Err(e) => match e.kind() {
                    // Refused / DNS / TLS handshake: the account is not there; say so fast.
                    azure_core::error::ErrorKind::Connection => {
                        (self.settings.max_connect_retries, None)
                    }
                    // A connection dropped mid-request: worth a few tries.
                    azure_core::error::ErrorKind::Io => (self.settings.max_retries, None),
                    _ => return result,
                },
            };
            match retries.next_wait(limit, asked) {
                Some(wait) => tokio::time::sleep(wait).await,
                None => return result,
            }
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
}
