//! Parsing listing pages (EnumerationResults) ourselves: the GA crate's model has no
//! BlobPrefix entries, and parsing straight into our types is faster than a generic model.

use crate::store::{BlobInfo, BlobType, ContainerInfo, ListItem};
use base64::Engine as _;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// A parsed blob listing page.
#[derive(Debug, Default)]
pub struct BlobPage {
    pub items: Vec<ListItem>,
    pub next_marker: Option<String>,
}

#[derive(Debug, Default)]
pub struct ContainerPage {
    pub items: Vec<ContainerInfo>,
    pub next_marker: Option<String>,
}

/// RFC 1123 date as Azure writes it.
pub fn parse_http_date(s: &str) -> Option<OffsetDateTime> {
    httpdate::parse_http_date(s.trim())
        .ok()
        .map(OffsetDateTime::from)
}

/// Etags are compared and sent quoted, as headers carry them; listings omit the quotes.
pub fn quote_etag(s: &str) -> String {
    let s = s.trim();
    if s.starts_with('"') || s.starts_with("W/") {
        s.to_string()
    } else {
        format!("\"{s}\"")
    }
}

pub fn parse_md5(b64: &str) -> Option<[u8; 16]> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()?;
    bytes.try_into().ok()
}

pub fn parse_blob_type(s: &str) -> BlobType {
    // Page blobs are not written by batchout; they read like block blobs.
    if s.trim() == "AppendBlob" {
        BlobType::Append
    } else {
        BlobType::Block
    }
}

fn is_encoded(e: &BytesStart<'_>) -> bool {
    e.attributes()
        .flatten()
        .any(|a| a.key.as_ref() == b"Encoded" && a.value.as_ref() == b"true")
}

fn decode_name(raw: String, encoded: bool) -> String {
    if encoded {
        percent_encoding::percent_decode_str(&raw)
            .decode_utf8_lossy()
            .into_owned()
    } else {
        raw
    }
}

#[derive(Default)]
struct BlobFields {
    name: String,
    len: u64,
    etag: String,
    last_modified: Option<OffsetDateTime>,
    blob_type: Option<BlobType>,
    content_md5: Option<[u8; 16]>,
    content_type: Option<String>,
    metadata: BTreeMap<String, String>,
}

/// Parse a List Blobs page. Entries come back in name order, Blob and BlobPrefix
/// interleaved as real Azure returns them (Azurite groups the blobs before the prefixes:
/// a stable sort by name puts both in Azure's order).
pub fn parse_blob_page(body: &[u8]) -> Result<BlobPage, String> {
    let text = std::str::from_utf8(body).map_err(|_| "listing is not UTF-8".to_string())?;
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(false);
    let mut page = BlobPage::default();
    let mut stack: Vec<String> = Vec::with_capacity(8);
    let mut blob: Option<BlobFields> = None;
    let mut in_prefix = false;
    let mut prefix_name = String::new();
    let mut name_encoded = false;
    let mut text_buf = String::new();
    loop {
        match reader
            .read_event()
            .map_err(|e| format!("bad listing XML: {e}"))?
        {
            Event::Start(e) => {
                let tag = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                match tag.as_str() {
                    "Blob" if stack.last().map(String::as_str) == Some("Blobs") => {
                        blob = Some(BlobFields::default())
                    }
                    "BlobPrefix" => {
                        in_prefix = true;
                        prefix_name.clear();
                    }
                    "Name" => name_encoded = is_encoded(&e),
                    _ => {}
                }
                text_buf.clear();
                stack.push(tag);
            }
            Event::Text(t) => {
                text_buf.push_str(&t.unescape().map_err(|e| format!("bad listing XML: {e}"))?);
            }
            Event::CData(t) => text_buf.push_str(&String::from_utf8_lossy(&t)),
            Event::End(_) => {
                let tag = stack.pop().unwrap_or_default();
                let parent = stack.last().map(String::as_str).unwrap_or("");
                let value = std::mem::take(&mut text_buf);
                if in_prefix {
                    if tag == "Name" && parent == "BlobPrefix" {
                        prefix_name = decode_name(value, name_encoded);
                    } else if tag == "BlobPrefix" {
                        in_prefix = false;
                        page.items
                            .push(ListItem::Prefix(std::mem::take(&mut prefix_name)));
                    }
                    continue;
                }
                if let Some(b) = blob.as_mut() {
                    if parent == "Metadata" {
                        b.metadata.insert(tag.to_ascii_lowercase(), value);
                        continue;
                    }
                    match (parent, tag.as_str()) {
                        ("Blob", "Name") => b.name = decode_name(value, name_encoded),
                        ("Properties", "Content-Length") => {
                            b.len = value.trim().parse().unwrap_or(0)
                        }
                        ("Properties", "Etag") => b.etag = quote_etag(&value),
                        ("Properties", "Last-Modified") => {
                            b.last_modified = parse_http_date(&value)
                        }
                        ("Properties", "BlobType") => b.blob_type = Some(parse_blob_type(&value)),
                        ("Properties", "Content-MD5") if !value.trim().is_empty() => {
                            b.content_md5 = parse_md5(&value)
                        }
                        ("Properties", "Content-Type") if !value.is_empty() => {
                            b.content_type = Some(value)
                        }
                        (_, "Blob") => {
                            let b = blob.take().unwrap_or_default();
                            page.items.push(ListItem::Blob(BlobInfo {
                                name: b.name,
                                len: b.len,
                                etag: b.etag,
                                last_modified: b
                                    .last_modified
                                    .unwrap_or(OffsetDateTime::UNIX_EPOCH),
                                blob_type: b.blob_type.unwrap_or(BlobType::Block),
                                content_md5: b.content_md5,
                                content_type: b.content_type,
                                committed_blocks: None,
                                metadata: b.metadata,
                            }));
                        }
                        _ => {}
                    }
                    continue;
                }
                if tag == "NextMarker" && parent == "EnumerationResults" && !value.trim().is_empty()
                {
                    page.next_marker = Some(value.trim().to_string());
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    page.items.sort_by(|a, b| a.name().cmp(b.name()));
    Ok(page)
}

/// Parse a List Containers page (requested with include=metadata).
pub fn parse_container_page(body: &[u8]) -> Result<ContainerPage, String> {
    let text = std::str::from_utf8(body).map_err(|_| "listing is not UTF-8".to_string())?;
    let mut reader = Reader::from_str(text);
    let mut page = ContainerPage::default();
    let mut stack: Vec<String> = Vec::with_capacity(8);
    let mut current: Option<ContainerInfo> = None;
    let mut text_buf = String::new();
    loop {
        match reader
            .read_event()
            .map_err(|e| format!("bad listing XML: {e}"))?
        {
            Event::Start(e) => {
                let tag = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                if tag == "Container" {
                    current = Some(ContainerInfo {
                        name: String::new(),
                        last_modified: OffsetDateTime::UNIX_EPOCH,
                        etag: String::new(),
                        metadata: BTreeMap::new(),
                    });
                }
                text_buf.clear();
                stack.push(tag);
            }
            Event::Text(t) => {
                text_buf.push_str(&t.unescape().map_err(|e| format!("bad listing XML: {e}"))?)
            }
            Event::End(_) => {
                let tag = stack.pop().unwrap_or_default();
                let parent = stack.last().map(String::as_str).unwrap_or("");
                let value = std::mem::take(&mut text_buf);
                if let Some(c) = current.as_mut() {
                    match (parent, tag.as_str()) {
                        ("Container", "Name") => c.name = value,
                        ("Properties", "Last-Modified") => {
                            c.last_modified =
                                parse_http_date(&value).unwrap_or(OffsetDateTime::UNIX_EPOCH)
                        }
                        ("Properties", "Etag") => c.etag = quote_etag(&value),
                        ("Metadata", key) => {
                            c.metadata.insert(key.to_ascii_lowercase(), value);
                        }
                        (_, "Container") => page.items.extend(current.take()),
                        _ => {}
                    }
                    continue;
                }
                if tag == "NextMarker" && parent == "EnumerationResults" && !value.trim().is_empty()
                {
                    page.next_marker = Some(value.trim().to_string());
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    // As real Azure answers a delimiter listing: blobs and prefixes interleaved by name.
    const AZURE_PAGE: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<EnumerationResults ServiceEndpoint="https://a.blob.core.windows.net/" ContainerName="job-x">
  <Prefix>t1/</Prefix><Delimiter>/</Delimiter>
  <Blobs>
    <Blob><Name>t1/$TaskLog/a.txt</Name><Properties><Last-Modified>Tue, 01 Dec 2026 20:00:00 GMT</Last-Modified><Etag>0x8DC1</Etag><Content-Length>12</Content-Length><Content-Type>text/plain</Content-Type><Content-MD5>1B2M2Y8AsgTpgAmY7PhCfg==</Content-MD5><BlobType>AppendBlob</BlobType></Properties><Metadata /></Blob>
    <BlobPrefix><Name>t1/$TaskLog/b/</Name></BlobPrefix>
    <Blob><Name Encoded="true">t1/%EF%BF%BEodd</Name><Properties><Last-Modified>Tue, 01 Dec 2026 20:00:00 GMT</Last-Modified><Etag>0x8DC2</Etag><Content-Length>0</Content-Length><Content-MD5 /><BlobType>BlockBlob</BlobType></Properties></Blob>
  </Blobs>
  <NextMarker>2!abc</NextMarker>
</EnumerationResults>"#;

    #[test]
    fn parses_interleaved_blobs_and_prefixes() {
        let p = parse_blob_page(AZURE_PAGE.as_bytes()).unwrap();
        let names: Vec<&str> = p.items.iter().map(|i| i.name()).collect();
        assert_eq!(
            names,
            ["t1/$TaskLog/a.txt", "t1/$TaskLog/b/", "t1/\u{fffe}odd"]
        );
        let ListItem::Blob(b) = &p.items[0] else {
            panic!("blob first")
        };
        assert_eq!(b.len, 12);
        assert_eq!(b.etag, "\"0x8DC1\"");
        assert_eq!(b.blob_type, BlobType::Append);
        assert_eq!(b.content_type.as_deref(), Some("text/plain"));
        assert_eq!(b.content_md5, parse_md5("1B2M2Y8AsgTpgAmY7PhCfg=="));
        assert_eq!(b.last_modified.unix_timestamp(), 1796155200);
        assert!(matches!(&p.items[1], ListItem::Prefix(n) if n == "t1/$TaskLog/b/"));
        assert_eq!(p.next_marker.as_deref(), Some("2!abc"));
    }

    #[test]
    fn merges_azurite_grouped_entries_into_name_order() {
        // Azurite lists all blobs first, then all prefixes.
        let body = r#"<EnumerationResults><Blobs>
          <Blob><Name>a</Name><Properties><BlobType>BlockBlob</BlobType></Properties></Blob>
          <Blob><Name>c</Name><Properties><BlobType>BlockBlob</BlobType></Properties></Blob>
          <BlobPrefix><Name>b/</Name></BlobPrefix><BlobPrefix><Name>d/</Name></BlobPrefix>
        </Blobs><NextMarker /></EnumerationResults>"#;
        let p = parse_blob_page(body.as_bytes()).unwrap();
        let names: Vec<&str> = p.items.iter().map(|i| i.name()).collect();
        assert_eq!(names, ["a", "b/", "c", "d/"]);
        assert_eq!(p.next_marker, None);
    }

    #[test]
    fn parses_containers_with_metadata() {
        let body = r#"<EnumerationResults><Containers><Container><Name>job-a</Name><Properties><Last-Modified>Tue, 01 Dec 2026 20:00:00 GMT</Last-Modified><Etag>"0x1"</Etag></Properties><Metadata><batchoutjobid>A &amp; B</batchoutjobid></Metadata></Container></Containers><NextMarker>m</NextMarker></EnumerationResults>"#;
        let p = parse_container_page(body.as_bytes()).unwrap();
        assert_eq!(p.items.len(), 1);
        assert_eq!(p.items[0].name, "job-a");
        assert_eq!(p.items[0].etag, "\"0x1\"");
        assert_eq!(
            p.items[0].metadata.get("batchoutjobid").map(String::as_str),
            Some("A & B")
        );
        assert_eq!(p.next_marker.as_deref(), Some("m"));
    }
}
