//! Reading blob and container properties from response headers.

use super::xml::{parse_blob_type, parse_http_date, parse_md5, quote_etag};
use crate::store::{BlobInfo, BlobType, ContainerInfo};
use azure_core::http::headers::{HeaderName, Headers};
use std::collections::BTreeMap;
use time::OffsetDateTime;

pub fn get<'a>(h: &'a Headers, name: &'static str) -> Option<&'a str> {
    h.get_optional_str(&HeaderName::from_static(name))
}

pub fn etag(h: &Headers) -> String {
    get(h, "etag").map(quote_etag).unwrap_or_default()
}

pub fn last_modified(h: &Headers) -> OffsetDateTime {
    get(h, "last-modified")
        .and_then(parse_http_date)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

pub fn blob_type(h: &Headers) -> BlobType {
    get(h, "x-ms-blob-type")
        .map(parse_blob_type)
        .unwrap_or(BlobType::Block)
}

/// `x-ms-meta-*` headers as metadata (names lower-cased, as Azure treats them).
pub fn metadata(h: &Headers) -> BTreeMap<String, String> {
    h.iter()
        .filter_map(|(k, v)| {
            let k = k.as_str().to_ascii_lowercase();
            k.strip_prefix("x-ms-meta-")
                .map(|m| (m.to_string(), v.as_str().to_string()))
        })
        .collect()
}

/// Properties of a blob from a Get Blob Properties answer.
pub fn blob_info(name: &str, h: &Headers) -> BlobInfo {
    BlobInfo {
        name: name.to_string(),
        len: get(h, "content-length")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0),
        etag: etag(h),
        last_modified: last_modified(h),
        blob_type: blob_type(h),
        content_md5: get(h, "content-md5").and_then(parse_md5),
        content_type: get(h, "content-type")
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        committed_blocks: get(h, "x-ms-blob-committed-block-count")
            .and_then(|v| v.trim().parse().ok()),
        metadata: metadata(h),
    }
}

pub fn container_info(name: &str, h: &Headers) -> ContainerInfo {
    ContainerInfo {
        name: name.to_string(),
        last_modified: last_modified(h),
        etag: etag(h),
        metadata: metadata(h),
    }
}

/// `Content-Range: bytes 0-9/100` -> (0, 100).
pub fn content_range(h: &Headers) -> Option<(u64, u64)> {
    let v = get(h, "content-range")?.trim();
    let v = v.strip_prefix("bytes")?.trim();
    let (range, total) = v.split_once('/')?;
    let start = range.split_once('-').map(|(s, _)| s).unwrap_or(range);
    Some((start.trim().parse().ok()?, total.trim().parse().ok()?))
}

/// The whole blob's MD5 from a read's answer. On a ranged read (206) Content-MD5 is absent
/// or about the range; the blob's own MD5 is x-ms-blob-content-md5.
pub fn blob_md5_of_read(h: &Headers, status: u16) -> Option<[u8; 16]> {
    get(h, "x-ms-blob-content-md5")
        .and_then(super::xml::parse_md5)
        .or_else(|| {
            (status == 200)
                .then(|| get(h, "content-md5").and_then(super::xml::parse_md5))
                .flatten()
        })
}
