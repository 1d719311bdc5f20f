//! The store conformance suite: one set of tests over the `Store` trait that every backend
//! must pass (the local store in tests/store_local.rs, Azure on Azurite in
//! tests/store_azure.rs).
//!
//! Usage, in a test file:
//! ```ignore
//! mod support;
//! // An async expression giving a fresh store per test: an `Arc<dyn Store>`, a
//! // `support::conformance::Fixture`, or `(Arc<dyn Store>, guard)` where the guard (e.g.
//! // a TempDir or an emulator handle) is kept alive until the test ends.
//! store_conformance_suite!(async { support::conformance::Fixture::new(make_store().await, guard) });
//! ```
//! It expands into one `#[tokio::test]` per case below (module `conformance`). Every case
//! makes its own containers with unique names (`ct-<case>-<random>`), so the cases also
//! run in parallel against one shared account (e.g. a single Azurite).
//! To run one case on its own: `cargo test --test store_local conformance::append_`.

use batchout::store::{
    list_all_blobs, list_all_containers, BlobInfo, BlobType, ByteRange, FileSlice, ListItem,
    ListQuery, PutOptions, RangeStream, Store, StoreError, JOB_ID_METADATA_KEY, MAX_APPEND_BLOCK,
    MAX_RANGE_MD5,
};
use bytes::Bytes;
use std::any::Any;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// A store under test plus whatever must live as long as it.
pub struct Fixture {
    pub store: Arc<dyn Store>,
    _keep: Box<dyn Any + Send>,
}

impl Fixture {
    pub fn new(store: Arc<dyn Store>, keep: impl Any + Send) -> Self {
        Fixture {
            store,
            _keep: Box::new(keep),
        }
    }
}

impl From<Arc<dyn Store>> for Fixture {
    fn from(store: Arc<dyn Store>) -> Self {
        Fixture::new(store, ())
    }
}

impl<T: Any + Send> From<(Arc<dyn Store>, T)> for Fixture {
    fn from((store, keep): (Arc<dyn Store>, T)) -> Self {
        Fixture::new(store, keep)
    }
}

#[macro_export]
macro_rules! store_conformance_suite {
    ($make:expr) => {
        $crate::store_conformance_suite!(@cases $make;
            containers_are_created_once_with_metadata,
            containers_list_by_prefix_in_name_order,
            missing_container_errors,
            missing_blob_errors,
            put_block_blob_reads_back_with_properties,
            put_replaces_and_changes_etag,
            range_reads,
            streamed_range_reads,
            empty_blob_reads,
            if_match_pins_a_version,
            staged_blocks_commit_in_order,
            blocks_staged_from_a_file,
            commit_replaces_existing_blob,
            commit_of_unstaged_block_fails,
            commit_may_name_committed_blocks,
            append_blob_create_never_truncates,
            append_at_expected_position,
            append_position_mismatch_reports_length,
            append_block_size_limit,
            racing_appends_one_winner,
            block_and_append_types_do_not_mix,
            flat_listing_in_byte_order,
            hierarchy_interleaves_prefixes_and_blobs,
            hierarchy_under_a_prefix,
            paging_flat_small_pages,
            paging_hierarchy_small_pages,
            empty_and_unmatched_listings,
            special_character_names_round_trip,
            delete_removes_blob_and_empty_prefixes,
            batch_layout_listing,
            metadata_set_on_append_blob_keeps_position,
            metadata_set_on_block_blob_keeps_bytes,
            listing_returns_metadata_only_when_asked,
            bad_metadata_is_refused,
        );
    };
    (@cases $make:expr; $($case:ident),* $(,)?) => {
        mod conformance {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let fixture: $crate::support::conformance::Fixture = ($make).await.into();
                    $crate::support::conformance::$case(fixture.store.clone()).await;
                }
            )*
        }
    };
}

// ---------------------------------------------------------------- helpers

/// A unique container name for one case, created empty.
pub async fn fresh_container(store: &dyn Store, case: &str) -> String {
    let tag: String = case
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(30)
        .collect::<String>()
        .to_lowercase();
    let name = format!("ct-{tag}-{:012x}", rand::random::<u64>() & 0xffff_ffff_ffff);
    assert!(
        store
            .create_container(&name, &BTreeMap::new())
            .await
            .unwrap(),
        "container {name} existed"
    );
    name
}

pub fn b(s: &str) -> Bytes {
    Bytes::copy_from_slice(s.as_bytes())
}

pub async fn read_all(store: &dyn Store, c: &str, blob: &str) -> Vec<u8> {
    store
        .read_range(c, blob, ByteRange::all(), None)
        .await
        .unwrap()
        .data
        .to_vec()
}

pub async fn put(store: &dyn Store, c: &str, blob: &str, data: &str) -> BlobInfo {
    store
        .put_block_blob(c, blob, b(data), &PutOptions::default())
        .await
        .unwrap()
}

fn names(items: &[ListItem]) -> Vec<String> {
    items
        .iter()
        .map(|i| match i {
            ListItem::Blob(b) => b.name.clone(),
            ListItem::Prefix(p) => format!("{p}*"),
        })
        .collect()
}

/// Block ids as Azure wants them: base64 of equal-length strings.
pub fn block_id(i: u32) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("block-{i:06}"))
}

fn md5_of(data: &[u8]) -> [u8; 16] {
    use md5::{Digest, Md5};
    Md5::digest(data).into()
}

fn recent(t: time::OffsetDateTime) -> bool {
    let now = time::OffsetDateTime::now_utc();
    (now - t).abs() < time::Duration::minutes(10)
}

// ---------------------------------------------------------------- containers

pub async fn containers_are_created_once_with_metadata(store: Arc<dyn Store>) {
    let name = format!("ct-meta-{:012x}", rand::random::<u64>() & 0xffff_ffff_ffff);
    let meta = BTreeMap::from([(JOB_ID_METADATA_KEY.to_string(), "My_Job:01".to_string())]);
    assert!(store.create_container(&name, &meta).await.unwrap());
    let info = store.container_info(&name).await.unwrap();
    assert_eq!(info.name, name);
    assert_eq!(
        info.metadata.get(JOB_ID_METADATA_KEY).map(String::as_str),
        Some("My_Job:01")
    );
    assert!(!info.etag.is_empty());
    assert!(recent(info.last_modified));
    // Again, with other metadata: not created, metadata kept.
    let other = BTreeMap::from([(JOB_ID_METADATA_KEY.to_string(), "other".to_string())]);
    assert!(!store.create_container(&name, &other).await.unwrap());
    let again = store.container_info(&name).await.unwrap();
    assert_eq!(again.metadata, info.metadata);
    assert!(!store.describe().is_empty());
}

pub async fn containers_list_by_prefix_in_name_order(store: Arc<dyn Store>) {
    let base = format!("ct-list-{:010x}", rand::random::<u64>() & 0xff_ffff_ffff);
    let wanted = [
        format!("{base}-b"),
        format!("{base}-a"),
        format!("{base}-a0"),
        format!("{base}-c-1"),
    ];
    for n in &wanted {
        store.create_container(n, &BTreeMap::new()).await.unwrap();
    }
    let other = format!("ct-lisx-{:010x}", rand::random::<u64>() & 0xff_ffff_ffff);
    store
        .create_container(&other, &BTreeMap::new())
        .await
        .unwrap();
    let listed: Vec<String> = list_all_containers(store.as_ref(), &base)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    let mut expected = wanted.to_vec();
    expected.sort();
    assert_eq!(listed, expected);
    let one = list_all_containers(store.as_ref(), &format!("{base}-a0"))
        .await
        .unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].name, format!("{base}-a0"));
    let none = list_all_containers(store.as_ref(), &format!("{base}-zz"))
        .await
        .unwrap();
    assert!(none.is_empty());
}

pub async fn missing_container_errors(store: Arc<dyn Store>) {
    let c = format!(
        "ct-missing-{:012x}",
        rand::random::<u64>() & 0xffff_ffff_ffff
    );
    let s = store.as_ref();
    let is_cnf =
        |e: StoreError| assert!(matches!(e, StoreError::ContainerNotFound { .. }), "{e:?}");
    is_cnf(s.container_info(&c).await.unwrap_err());
    is_cnf(
        s.list_blobs(&c, &ListQuery::flat(""), None)
            .await
            .unwrap_err(),
    );
    is_cnf(
        s.put_block_blob(&c, "x", b("x"), &PutOptions::default())
            .await
            .unwrap_err(),
    );
    is_cnf(
        s.create_append_blob(&c, "x", &PutOptions::default())
            .await
            .unwrap_err(),
    );
    let e = s.blob_info(&c, "x").await.unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
    let e = s
        .read_range(&c, "x", ByteRange::all(), None)
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
    // The message names the container, for one-line errors.
    assert!(StoreError::ContainerNotFound {
        container: c.clone(),
        store: s.describe()
    }
    .to_string()
    .contains(&c));
}

pub async fn missing_blob_errors(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let c = fresh_container(s, "missingblob").await;
    let is_bnf = |e: StoreError| assert!(matches!(e, StoreError::BlobNotFound { .. }), "{e:?}");
    is_bnf(s.blob_info(&c, "nope").await.unwrap_err());
    is_bnf(
        s.read_range(&c, "nope", ByteRange::all(), None)
            .await
            .unwrap_err(),
    );
    is_bnf(s.append_block(&c, "nope", b("x"), 0).await.unwrap_err());
    is_bnf(s.delete_blob(&c, "nope").await.unwrap_err());
    // A prefix of an existing blob's name is no blob.
    put(s, &c, "dir/file", "x").await;
    is_bnf(s.blob_info(&c, "dir").await.unwrap_err());
    is_bnf(s.blob_info(&c, "dir/").await.unwrap_err());
}

// ---------------------------------------------------------------- block blobs

pub async fn put_block_blob_reads_back_with_properties(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let c = fresh_container(s, "put").await;
    let data = b"hello, persisted world\n".to_vec();
    let opts = PutOptions {
        content_type: Some("text/plain".into()),
        content_md5: Some(md5_of(&data)),
        metadata: BTreeMap::new(),
    };
    let put_info = s
        .put_block_blob(
            &c,
            "t1/$TaskOutput/out.txt",
            Bytes::from(data.clone()),
            &opts,
        )
        .await
        .unwrap();
    assert_eq!(put_info.len, data.len() as u64);
    let info = s.blob_info(&c, "t1/$TaskOutput/out.txt").await.unwrap();
    assert_eq!(info.name, "t1/$TaskOutput/out.txt");
    assert_eq!(info.len, data.len() as u64);
    assert_eq!(info.blob_type, BlobType::Block);
    assert_eq!(info.etag, put_info.etag);
    assert_eq!(info.content_md5, Some(md5_of(&data)));
    assert_eq!(info.content_type.as_deref(), Some("text/plain"));
    assert!(recent(info.last_modified));
    let r = s
        .read_range(&c, "t1/$TaskOutput/out.txt", ByteRange::all(), None)
        .await
        .unwrap();
    assert_eq!(r.data.to_vec(), data);
    assert_eq!(r.start, 0);
    assert_eq!(r.total_len, data.len() as u64);
    assert_eq!(r.etag, info.etag);
    assert_eq!(r.blob_type, BlobType::Block);
    assert_eq!(r.content_md5, Some(md5_of(&data)));
    // Without an MD5 given, a backend may compute one (Azure does for Put Blob); if it
    // reports one, it must be right.
    let i2 = s
        .put_block_blob(&c, "nomd5", b("abc"), &PutOptions::default())
        .await
        .unwrap();
    let i2 = s.blob_info(&c, "nomd5").await.unwrap_or(i2);
    if let Some(m) = i2.content_md5 {
        assert_eq!(m, md5_of(b"abc"));
    }
}

pub async fn put_replaces_and_changes_etag(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let c = fresh_container(s, "replace").await;
    let first = put(s, &c, "f", "first version, longer").await;
    let second = put(s, &c, "f", "second").await;
    assert_ne!(first.etag, second.etag);
    assert!(second.last_modified >= first.last_modified);
    assert_eq!(read_all(s, &c, "f").await, b"second");
    assert_eq!(s.blob_info(&c, "f").await.unwrap().len, 6);
    // Same bytes again: still a new etag (every write changes it).
    let third = put(s, &c, "f", "second").await;
    assert_ne!(third.etag, second.etag);
}

pub async fn range_reads(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let c = fresh_container(s, "ranges").await;
    let data: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
    s.put_block_blob(&c, "bin", Bytes::from(data.clone()), &PutOptions::default())
        .await
        .unwrap();
    let r = s
        .read_range(&c, "bin", ByteRange::new(100, 50), None)
        .await
        .unwrap();
    assert_eq!(r.data.to_vec(), data[100..150].to_vec());
    assert_eq!((r.start, r.total_len), (100, 10_000));
    let r = s
        .read_range(&c, "bin", ByteRange::from(9_990), None)
        .await
        .unwrap();
    assert_eq!(r.data.to_vec(), data[9_990..].to_vec());
    // A length past the end is clipped.
    let r = s
        .read_range(&c, "bin", ByteRange::new(9_000, 5_000), None)
        .await
        .unwrap();
    assert_eq!(r.data.to_vec(), data[9_000..].to_vec());
    let r = s
        .read_range(&c, "bin", ByteRange::new(9_999, 1), None)
        .await
        .unwrap();
    assert_eq!(r.data.to_vec(), vec![data[9_999]]);
    for start in [10_000, 10_001, 1 << 40] {
        let e = s
            .read_range(&c, "bin", ByteRange::from(start), None)
            .await
            .unwrap_err();
        assert!(
            matches!(e, StoreError::InvalidRange { len: 10_000, .. }),
            "{start}: {e:?}"
        );
    }
}

pub async fn streamed_range_reads(store: Arc<dyn Store>) {
    use futures::StreamExt;
    use md5::{Digest, Md5};
    let s = store.as_ref();
    let c = fresh_container(s, "streamed").await;
    // Big enough for several chunks, with a pattern that shows misplaced bytes.
    let data: Vec<u8> = (0..(5u32 << 20) + 5).map(|i| (i % 251) as u8).collect();
    let v1 = s
        .put_block_blob(&c, "bin", Bytes::from(data.clone()), &PutOptions::default())
        .await
        .unwrap();
    let collect = |mut rs: RangeStream| async move {
        let mut got = Vec::new();
        while let Some(chunk) = rs.body.next().await {
            got.extend_from_slice(&chunk.unwrap());
        }
        got
    };
    for (start, len) in [
        (0u64, data.len() as u64),
        (100, 3 << 20),
        (data.len() as u64 - 1, 1),
    ] {
        let rs = s
            .read_range_stream(&c, "bin", start, len, Some(&v1.etag), false)
            .await
            .unwrap();
        assert_eq!(
            (rs.start, rs.len, rs.total_len),
            (start, len, data.len() as u64)
        );
        assert_eq!(rs.etag, v1.etag);
        assert!(rs.range_md5.is_none(), "not asked for");
        let got = collect(rs).await;
        assert!(
            got == data[start as usize..(start + len) as usize],
            "bytes at {start}"
        );
    }
    // A transactional MD5, where the backend gives one, is the MD5 of the range; asking
    // for one on a range too large for it is not an error.
    for len in [1u64 << 20, MAX_RANGE_MD5, MAX_RANGE_MD5 + 1] {
        let rs = s
            .read_range_stream(&c, "bin", 7, len, None, true)
            .await
            .unwrap();
        let md5 = rs.range_md5;
        let got = collect(rs).await;
        assert!(got == data[7..7 + len as usize]);
        if let Some(m) = md5 {
            assert!(len <= MAX_RANGE_MD5, "no range MD5 above 4 MiB");
            assert_eq!(
                m,
                <[u8; 16]>::from(Md5::digest(&got)),
                "range MD5 at len {len}"
            );
        }
    }
    // A range must lie inside the blob: past the end, or reaching past it, is refused.
    for start in [data.len() as u64, data.len() as u64 - 5] {
        let e = s
            .read_range_stream(&c, "bin", start, 10, None, false)
            .await
            .unwrap_err();
        assert!(
            matches!(e, StoreError::InvalidRange { .. }),
            "{start}: {e:?}"
        );
    }
    put(s, &c, "bin", "replaced").await;
    let e = s
        .read_range_stream(&c, "bin", 0, 5, Some(&v1.etag), false)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::ConditionNotMet { .. }), "{e:?}");
    let e = s
        .read_range_stream(&c, "nothing-here", 0, 5, None, false)
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
}

pub async fn empty_blob_reads(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let c = fresh_container(s, "empty").await;
    let info = s
        .put_block_blob(&c, "empty", Bytes::new(), &PutOptions::default())
        .await
        .unwrap();
    assert_eq!(info.len, 0);
    let r = s
        .read_range(&c, "empty", ByteRange::all(), None)
        .await
        .unwrap();
    assert!(r.data.is_empty());
    assert_eq!(r.total_len, 0);
    let e = s
        .read_range(&c, "empty", ByteRange::from(1), None)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::InvalidRange { .. }), "{e:?}");
}

pub async fn if_match_pins_a_version(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let c = fresh_container(s, "ifmatch").await;
    let v1 = put(s, &c, "f", "version one").await;
    let r = s
        .read_range(&c, "f", ByteRange::new(0, 7), Some(&v1.etag))
        .await
        .unwrap();
    assert_eq!(r.data.to_vec(), b"version");
    assert_eq!(r.etag, v1.etag);
    put(s, &c, "f", "version two").await;
    let e = s
        .read_range(&c, "f", ByteRange::from(7), Some(&v1.etag))
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::ConditionNotMet { .. }), "{e:?}");
    // Appends change the etag too, so a pinned reader notices a growing log.
    let (a, _) = s
        .create_append_blob(&c, "log", &PutOptions::default())
        .await
        .unwrap();
    let a1 = s.append_block(&c, "log", b("line 1\n"), 0).await.unwrap();
    assert_ne!(a.etag, a1.etag);
    s.append_block(&c, "log", b("line 2\n"), 7).await.unwrap();
    let e = s
        .read_range(&c, "log", ByteRange::all(), Some(&a1.etag))
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::ConditionNotMet { .. }), "{e:?}");
}

pub async fn staged_blocks_commit_in_order(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let c = fresh_container(s, "blocks").await;
    let blob = "t/$TaskOutput/big.bin";
    let parts = ["alpha-", "beta-", "gamma"];
    for (i, p) in parts.iter().enumerate() {
        s.stage_block(&c, blob, &block_id(i as u32), b(p))
            .await
            .unwrap();
    }
    // Staged blocks are not a blob yet.
    let e = s.blob_info(&c, blob).await.unwrap_err();
    assert!(matches!(e, StoreError::BlobNotFound { .. }), "{e:?}");
    assert!(list_all_blobs(s, &c, &ListQuery::flat(""))
        .await
        .unwrap()
        .is_empty());
    // Committed in the listed order, which need not be the staging order.
    let ids = vec![block_id(2), block_id(0), block_id(1)];
    let whole = b"gammaalpha-beta-";
    let opts = PutOptions {
        content_md5: Some(md5_of(whole)),
        content_type: Some("application/octet-stream".into()),
        ..Default::default()
    };
    let info = s.commit_block_list(&c, blob, &ids, &opts).await.unwrap();
    assert_eq!(info.len, whole.len() as u64);
    assert_eq!(read_all(s, &c, blob).await, whole);
    let props = s.blob_info(&c, blob).await.unwrap();
    assert_eq!(props.blob_type, BlobType::Block);
    assert_eq!(props.content_md5, Some(md5_of(whole)));
    assert_eq!(
        props.content_type.as_deref(),
        Some("application/octet-stream")
    );
}

pub async fn blocks_staged_from_a_file(store: Arc<dyn Store>) {
    use std::io::Write;
    let s = store.as_ref();
    let c = fresh_container(s, "fromfile").await;
    // Over a read step, so a block streams in several pieces.
    let data: Vec<u8> = (0..(3u32 << 20) + 17).map(|i| (i % 241) as u8).collect();
    let mut tmp = tempfile::NamedTempFile::new().unwrap();
    tmp.write_all(&data).unwrap();
    let file = Arc::new(std::fs::File::open(tmp.path()).unwrap());
    let cut = (2u64 << 20) + 5;
    let slices = [(0, cut), (cut, data.len() as u64 - cut)];
    let ids: Vec<String> = (0..2).map(block_id).collect();
    for (id, (offset, len)) in ids.iter().zip(slices).rev() {
        let slice = FileSlice {
            file: file.clone(),
            offset,
            len,
        };
        s.stage_block_from_file(&c, "big", id, &slice)
            .await
            .unwrap();
    }
    s.commit_block_list(&c, "big", &ids, &PutOptions::default())
        .await
        .unwrap();
    assert!(read_all(s, &c, "big").await == data);
    // A slice reaching past the end of the file (it shrank) is an error, not a short block.
    let slice = FileSlice {
        file,
        offset: cut,
        len: data.len() as u64,
    };
    let e = s
        .stage_block_from_file(&c, "short", &block_id(0), &slice)
        .await;
    assert!(e.is_err(), "a slice past the end of the file was staged");
}

pub async fn commit_replaces_existing_blob(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let c = fresh_container(s, "commitreplace").await;
    let old = put(s, &c, "f", "old content").await;
    s.stage_block(&c, "f", &block_id(0), b("new "))
        .await
        .unwrap();
    s.stage_block(&c, "f", &block_id(1), b("content"))
        .await
        .unwrap();
    // Until the commit, readers see the old blob whole.
    assert_eq!(read_all(s, &c, "f").await, b"old content");
    let new = s
        .commit_block_list(&c, "f", &[block_id(0), block_id(1)], &PutOptions::default())
        .await
        .unwrap();
    assert_ne!(old.etag, new.etag);
    assert_eq!(read_all(s, &c, "f").await, b"new content");
    // Many blocks, larger data.
    let chunk: Vec<u8> = (0..=255u8).cycle().take(100_000).collect();
    let mut ids = Vec::new();
    for i in 0..12 {
        s.stage_block(&c, "g", &block_id(i), Bytes::from(chunk.clone()))
            .await
            .unwrap();
        ids.push(block_id(i));
    }
    let info = s
        .commit_block_list(&c, "g", &ids, &PutOptions::default())
        .await
        .unwrap();
    assert_eq!(info.len, 1_200_000);
    let r = s
        .read_range(&c, "g", ByteRange::new(1_099_990, 20), None)
        .await
        .unwrap();
    assert_eq!(r.data.to_vec(), [&chunk[99_990..], &chunk[..10]].concat());
}

pub async fn commit_of_unstaged_block_fails(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let c = fresh_container(s, "unstaged").await;
    s.stage_block(&c, "f", &block_id(0), b("x")).await.unwrap();
    let e = s
        .commit_block_list(&c, "f", &[block_id(0), block_id(9)], &PutOptions::default())
        .await;
    assert!(e.is_err(), "commit with a block never staged must fail");
    assert!(s.blob_info(&c, "f").await.unwrap_err().is_not_found());
}

/// A commit retried after its answer was lost names blocks that are now committed: Azure
/// takes them from the committed list ("Latest"), so the retry succeeds with the same
/// content; a new list may also reuse committed blocks with newly staged ones.
pub async fn commit_may_name_committed_blocks(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let c = fresh_container(s, "recommit").await;
    s.stage_block(&c, "f", &block_id(0), b("one-"))
        .await
        .unwrap();
    s.stage_block(&c, "f", &block_id(1), b("two"))
        .await
        .unwrap();
    let ids = vec![block_id(0), block_id(1)];
    let first = s
        .commit_block_list(&c, "f", &ids, &PutOptions::default())
        .await
        .unwrap();
    let again = s
        .commit_block_list(&c, "f", &ids, &PutOptions::default())
        .await
        .unwrap();
    assert_eq!(again.len, first.len);
    assert_eq!(read_all(s, &c, "f").await, b"one-two");
    s.stage_block(&c, "f", &block_id(2), b("-three"))
        .await
        .unwrap();
    s.commit_block_list(&c, "f", &[block_id(1), block_id(2)], &PutOptions::default())
        .await
        .unwrap();
    assert_eq!(read_all(s, &c, "f").await, b"two-three");
}

// ---------------------------------------------------------------- append blobs

pub async fn append_blob_create_never_truncates(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let c = fresh_container(s, "appendcreate").await;
    let opts = PutOptions {
        content_type: Some("text/plain; charset=utf-8".into()),
        ..Default::default()
    };
    let (info, created) = s
        .create_append_blob(&c, "t/$TaskLog/stdout.txt", &opts)
        .await
        .unwrap();
    assert!(created);
    assert_eq!(info.len, 0);
    assert_eq!(info.blob_type, BlobType::Append);
    s.append_block(&c, "t/$TaskLog/stdout.txt", b("kept\n"), 0)
        .await
        .unwrap();
    let (again, created) = s
        .create_append_blob(&c, "t/$TaskLog/stdout.txt", &opts)
        .await
        .unwrap();
    assert!(!created);
    assert_eq!(again.len, 5);
    assert_eq!(read_all(s, &c, "t/$TaskLog/stdout.txt").await, b"kept\n");
    let props = s.blob_info(&c, "t/$TaskLog/stdout.txt").await.unwrap();
    assert_eq!(props.blob_type, BlobType::Append);
    assert_eq!(
        props.content_type.as_deref(),
        Some("text/plain; charset=utf-8")
    );
}

pub async fn append_at_expected_position(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let c = fresh_container(s, "append").await;
    let (created, _) = s
        .create_append_blob(&c, "log", &PutOptions::default())
        .await
        .unwrap();
    let mut pos = 0u64;
    let mut etags = vec![created.etag.clone()];
    let mut expected = Vec::new();
    for i in 0..5 {
        let line = format!("line {i}\n");
        let info = s.append_block(&c, "log", b(&line), pos).await.unwrap();
        pos += line.len() as u64;
        expected.extend_from_slice(line.as_bytes());
        assert_eq!(info.len, pos);
        assert!(
            !etags.contains(&info.etag),
            "etag must change on every append"
        );
        etags.push(info.etag.clone());
        if let Some(n) = info.committed_blocks {
            assert_eq!(n, i + 1);
        }
    }
    assert_eq!(read_all(s, &c, "log").await, expected);
    let props = s.blob_info(&c, "log").await.unwrap();
    assert_eq!(props.len, pos);
    assert_eq!(&props.etag, etags.last().unwrap());
    if let Some(n) = props.committed_blocks {
        assert_eq!(n, 5);
    }
}

pub async fn append_position_mismatch_reports_length(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let c = fresh_container(s, "mismatch").await;
    s.create_append_blob(&c, "log", &PutOptions::default())
        .await
        .unwrap();
    s.append_block(&c, "log", b("12345"), 0).await.unwrap();
    for wrong in [0, 4, 6, 1000] {
        let e = s.append_block(&c, "log", b("x"), wrong).await.unwrap_err();
        match e {
            StoreError::AppendPositionMismatch {
                expected, actual, ..
            } => {
                assert_eq!(expected, wrong);
                if let Some(a) = actual {
                    assert_eq!(a, 5);
                }
            }
            other => panic!("expected AppendPositionMismatch, got {other:?}"),
        }
    }
    // Nothing was written by the failed attempts.
    assert_eq!(read_all(s, &c, "log").await, b"12345");
    s.append_block(&c, "log", b("6"), 5).await.unwrap();
    assert_eq!(read_all(s, &c, "log").await, b"123456");
}

pub async fn append_block_size_limit(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let c = fresh_container(s, "appendlimit").await;
    s.create_append_blob(&c, "log", &PutOptions::default())
        .await
        .unwrap();
    let max = Bytes::from(vec![b'a'; MAX_APPEND_BLOCK]);
    s.append_block(&c, "log", max, 0).await.unwrap();
    let over = Bytes::from(vec![b'b'; MAX_APPEND_BLOCK + 1]);
    assert!(s
        .append_block(&c, "log", over, MAX_APPEND_BLOCK as u64)
        .await
        .is_err());
    let props = s.blob_info(&c, "log").await.unwrap();
    assert_eq!(props.len, MAX_APPEND_BLOCK as u64);
    let tail = s
        .read_range(
            &c,
            "log",
            ByteRange::from(MAX_APPEND_BLOCK as u64 - 3),
            None,
        )
        .await
        .unwrap();
    assert_eq!(tail.data.to_vec(), b"aaa");
}

pub async fn racing_appends_one_winner(store: Arc<dyn Store>) {
    let c = fresh_container(store.as_ref(), "race").await;
    store
        .create_append_blob(&c, "log", &PutOptions::default())
        .await
        .unwrap();
    store.append_block(&c, "log", b("head\n"), 0).await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..8 {
        let (store, c) = (store.clone(), c.clone());
        tasks.push(tokio::spawn(async move {
            store
                .append_block(&c, "log", b(&format!("writer {i}\n")), 5)
                .await
        }));
    }
    let mut wins = Vec::new();
    for (i, t) in tasks.into_iter().enumerate() {
        match t.await.unwrap() {
            Ok(_) => wins.push(i),
            Err(StoreError::AppendPositionMismatch { .. }) => {}
            Err(e) => panic!("unexpected error {e:?}"),
        }
    }
    assert_eq!(wins.len(), 1, "exactly one writer wins position 5");
    let content = String::from_utf8(read_all(store.as_ref(), &c, "log").await).unwrap();
    assert_eq!(content, format!("head\nwriter {}\n", wins[0]));
}

pub async fn block_and_append_types_do_not_mix(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let c = fresh_container(s, "types").await;
    put(s, &c, "block", "block data").await;
    let mismatch =
        |e: StoreError| assert!(matches!(e, StoreError::BlobTypeMismatch { .. }), "{e:?}");
    mismatch(
        s.create_append_blob(&c, "block", &PutOptions::default())
            .await
            .unwrap_err(),
    );
    mismatch(s.append_block(&c, "block", b("x"), 10).await.unwrap_err());
    assert_eq!(read_all(s, &c, "block").await, b"block data");

    s.create_append_blob(&c, "append", &PutOptions::default())
        .await
        .unwrap();
    s.append_block(&c, "append", b("log"), 0).await.unwrap();
    mismatch(
        s.put_block_blob(&c, "append", b("x"), &PutOptions::default())
            .await
            .unwrap_err(),
    );
    let staged = s.stage_block(&c, "append", &block_id(0), b("x")).await;
    match staged {
        Err(e) => mismatch(e),
        Ok(()) => mismatch(
            s.commit_block_list(&c, "append", &[block_id(0)], &PutOptions::default())
                .await
                .unwrap_err(),
        ),
    }
    assert_eq!(read_all(s, &c, "append").await, b"log");
    assert_eq!(
        s.blob_info(&c, "append").await.unwrap().blob_type,
        BlobType::Append
    );
    // After a delete, the name is free for the other type.
    s.delete_blob(&c, "append").await.unwrap();
    put(s, &c, "append", "now a block blob").await;
    assert_eq!(
        s.blob_info(&c, "append").await.unwrap().blob_type,
        BlobType::Block
    );
}

// ---------------------------------------------------------------- listings

/// Names whose order tests byte-order listing: `.` < `/` < `0` < `A` < `_` < `a`.
const TRICKY: &[&str] = &[
    "a",
    "a.txt",
    "a/b",
    "a/b/c",
    "a/b.txt",
    "a/b/d/e",
    "a0",
    "a-b",
    "A",
    "_x",
    "b",
    "b/x/y",
    "$JobOutput/r.txt",
    "t1/$TaskLog/stdout.txt",
    "t1/$TaskOutput/o.bin",
    "t10/$TaskLog/stdout.txt",
];

async fn seed(s: &dyn Store, c: &str, names: &[&str]) {
    for n in names {
        put(s, c, n, n).await;
    }
}

fn sorted(names: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    v.sort();
    v
}

pub async fn flat_listing_in_byte_order(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let c = fresh_container(s, "flat").await;
    seed(s, &c, TRICKY).await;
    let all = list_all_blobs(s, &c, &ListQuery::flat("")).await.unwrap();
    assert_eq!(names(&all), sorted(TRICKY));
    for item in &all {
        let ListItem::Blob(info) = item else {
            panic!("flat listing gave a prefix")
        };
        assert_eq!(info.len, info.name.len() as u64);
        assert_eq!(info.blob_type, BlobType::Block);
    }
    let under_a = list_all_blobs(s, &c, &ListQuery::flat("a/")).await.unwrap();
    assert_eq!(names(&under_a), vec!["a/b", "a/b.txt", "a/b/c", "a/b/d/e"]);
    let starts_a = list_all_blobs(s, &c, &ListQuery::flat("a")).await.unwrap();
    assert_eq!(
        names(&starts_a),
        vec!["a", "a-b", "a.txt", "a/b", "a/b.txt", "a/b/c", "a/b/d/e", "a0"]
    );
}

pub async fn hierarchy_interleaves_prefixes_and_blobs(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let c = fresh_container(s, "hier").await;
    seed(s, &c, TRICKY).await;
    let top = list_all_blobs(s, &c, &ListQuery::hierarchy(""))
        .await
        .unwrap();
    assert_eq!(
        names(&top),
        vec![
            "$JobOutput/*",
            "A",
            "_x",
            "a",
            "a-b",
            "a.txt",
            "a/*",
            "a0",
            "b",
            "b/*",
            "t1/*",
            "t10/*"
        ]
    );
    let a = list_all_blobs(s, &c, &ListQuery::hierarchy("a"))
        .await
        .unwrap();
    assert_eq!(names(&a), vec!["a", "a-b", "a.txt", "a/*", "a0"]);
    for item in &top {
        if let ListItem::Blob(info) = item {
            assert_eq!(info.len, info.name.len() as u64);
        }
    }
}

pub async fn hierarchy_under_a_prefix(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let c = fresh_container(s, "hiersub").await;
    seed(s, &c, TRICKY).await;
    let a = list_all_blobs(s, &c, &ListQuery::hierarchy("a/"))
        .await
        .unwrap();
    assert_eq!(names(&a), vec!["a/b", "a/b.txt", "a/b/*"]);
    let ab = list_all_blobs(s, &c, &ListQuery::hierarchy("a/b/"))
        .await
        .unwrap();
    assert_eq!(names(&ab), vec!["a/b/c", "a/b/d/*"]);
    let abd = list_all_blobs(s, &c, &ListQuery::hierarchy("a/b/d/"))
        .await
        .unwrap();
    assert_eq!(names(&abd), vec!["a/b/d/e"]);
    let t1 = list_all_blobs(s, &c, &ListQuery::hierarchy("t1/"))
        .await
        .unwrap();
    assert_eq!(names(&t1), vec!["t1/$TaskLog/*", "t1/$TaskOutput/*"]);
    let partial = list_all_blobs(s, &c, &ListQuery::hierarchy("a/b/d"))
        .await
        .unwrap();
    assert_eq!(names(&partial), vec!["a/b/d/*"]);
    let b = list_all_blobs(s, &c, &ListQuery::hierarchy("b/"))
        .await
        .unwrap();
    assert_eq!(names(&b), vec!["b/x/*"]);
}

async fn walk_pages(s: &dyn Store, c: &str, q: &ListQuery) -> (Vec<String>, Vec<usize>) {
    let mut all = Vec::new();
    let mut sizes = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let page = s.list_blobs(c, q, marker.as_deref()).await.unwrap();
        sizes.push(page.items.len());
        assert!(
            page.items.len() <= q.max_results.unwrap() as usize,
            "max_results honoured"
        );
        all.extend(names(&page.items));
        match page.next_marker {
            Some(m) if sizes.len() < 1000 => marker = Some(m),
            Some(_) => panic!("listing never ends"),
            None => break,
        }
    }
    (all, sizes)
}

pub async fn paging_flat_small_pages(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let c = fresh_container(s, "pageflat").await;
    seed(s, &c, TRICKY).await;
    for size in [1, 2, 5, 16, 100] {
        let (all, sizes) = walk_pages(s, &c, &ListQuery::flat("").page_size(size)).await;
        assert_eq!(all, sorted(TRICKY), "page size {size}");
        if size == 5 {
            assert_eq!(sizes[..3], [5, 5, 5], "full pages until the end");
        }
    }
    let (under, _) = walk_pages(s, &c, &ListQuery::flat("a/").page_size(3)).await;
    assert_eq!(under, vec!["a/b", "a/b.txt", "a/b/c", "a/b/d/e"]);
}

pub async fn paging_hierarchy_small_pages(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let c = fresh_container(s, "pagehier").await;
    seed(s, &c, TRICKY).await;
    let want = vec![
        "$JobOutput/*",
        "A",
        "_x",
        "a",
        "a-b",
        "a.txt",
        "a/*",
        "a0",
        "b",
        "b/*",
        "t1/*",
        "t10/*",
    ];
    for size in [1, 2, 3, 7] {
        let (all, _) = walk_pages(s, &c, &ListQuery::hierarchy("").page_size(size)).await;
        assert_eq!(all, want, "page size {size}");
    }
    // Many virtual folders, each with several blobs: every folder once, across pages.
    let c2 = fresh_container(s, "pagetasks").await;
    let mut expected = Vec::new();
    for t in 0..25 {
        for f in ["stdout.txt", "stderr.txt"] {
            put(s, &c2, &format!("task-{t:03}/$TaskLog/{f}"), f).await;
        }
        expected.push(format!("task-{t:03}/*"));
    }
    let (all, sizes) = walk_pages(s, &c2, &ListQuery::hierarchy("").page_size(10)).await;
    assert_eq!(all, expected);
    assert_eq!(sizes, vec![10, 10, 5]);
}

pub async fn empty_and_unmatched_listings(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let c = fresh_container(s, "emptylist").await;
    let page = s
        .list_blobs(&c, &ListQuery::hierarchy(""), None)
        .await
        .unwrap();
    assert!(page.items.is_empty());
    assert_eq!(page.next_marker, None);
    put(s, &c, "x/y", "1").await;
    let page = s.list_blobs(&c, &ListQuery::flat("y"), None).await.unwrap();
    assert!(page.items.is_empty());
    let page = s
        .list_blobs(&c, &ListQuery::hierarchy("x/y/"), None)
        .await
        .unwrap();
    assert!(page.items.is_empty());
}

pub async fn special_character_names_round_trip(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let c = fresh_container(s, "special").await;
    let tricky = [
        "$JobOutput/with space/ünïcødé 日本.txt",
        "task 1/$TaskLog/a+b=c&d%20e.txt",
        "t/$TaskOutput/..",
        "t/$TaskOutput/../../escape.txt",
        "t/$TaskOutput/./x",
        "t/$Custom Kind/#hash?query;semi,comma'quote\"",
        "t/$TaskOutput/emoji 🚀.log",
        "t/$TaskOutput/UPPER and lower",
        "t/$TaskOutput/upper AND LOWER",
        "~tilde/^caret/%percent",
    ];
    for n in &tricky {
        let info = put(s, &c, n, n).await;
        assert_eq!(info.name, *n);
    }
    let listed = list_all_blobs(s, &c, &ListQuery::flat("")).await.unwrap();
    assert_eq!(names(&listed), sorted(&tricky));
    for n in &tricky {
        assert_eq!(read_all(s, &c, n).await, n.as_bytes(), "{n}");
        assert_eq!(s.blob_info(&c, n).await.unwrap().name, *n);
    }
    let top = list_all_blobs(s, &c, &ListQuery::hierarchy("t/"))
        .await
        .unwrap();
    assert_eq!(names(&top), vec!["t/$Custom Kind/*", "t/$TaskOutput/*"]);
    for n in &tricky {
        s.delete_blob(&c, n).await.unwrap();
    }
    assert!(list_all_blobs(s, &c, &ListQuery::flat(""))
        .await
        .unwrap()
        .is_empty());
}

pub async fn delete_removes_blob_and_empty_prefixes(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let c = fresh_container(s, "delete").await;
    seed(s, &c, &["a/b/c/d", "a/b/e", "z"]).await;
    s.delete_blob(&c, "a/b/c/d").await.unwrap();
    let top = list_all_blobs(s, &c, &ListQuery::hierarchy("a/b/"))
        .await
        .unwrap();
    assert_eq!(names(&top), vec!["a/b/e"]);
    s.delete_blob(&c, "a/b/e").await.unwrap();
    let top = list_all_blobs(s, &c, &ListQuery::hierarchy(""))
        .await
        .unwrap();
    assert_eq!(names(&top), vec!["z"]);
    let e = s.delete_blob(&c, "a/b/e").await.unwrap_err();
    assert!(matches!(e, StoreError::BlobNotFound { .. }), "{e:?}");
    // An append blob deletes the same way.
    s.create_append_blob(&c, "log", &PutOptions::default())
        .await
        .unwrap();
    s.delete_blob(&c, "log").await.unwrap();
    assert!(s.blob_info(&c, "log").await.unwrap_err().is_not_found());
}

/// The Batch File Conventions layout as batchout lists it: tasks, their kinds, files.
pub async fn batch_layout_listing(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let c = fresh_container(s, "layout").await;
    seed(
        s,
        &c,
        &[
            "$JobOutput/summary.json",
            "$JobPreview/thumb.png",
            "1/$TaskOutput/out.txt",
            "1/$TaskLog/stdout.txt",
            "1/$TaskLogArchive/old.txt",
            "10/$TaskOutput/frames/0001.png",
            "10/$TaskOutput/frames/0002.png",
            "10/$TaskOutput/report.md",
        ],
    )
    .await;
    let top = list_all_blobs(s, &c, &ListQuery::hierarchy(""))
        .await
        .unwrap();
    assert_eq!(
        names(&top),
        vec!["$JobOutput/*", "$JobPreview/*", "1/*", "10/*"]
    );
    let kinds = list_all_blobs(s, &c, &ListQuery::hierarchy("1/"))
        .await
        .unwrap();
    assert_eq!(
        names(&kinds),
        vec!["1/$TaskLog/*", "1/$TaskLogArchive/*", "1/$TaskOutput/*"]
    );
    let log = list_all_blobs(s, &c, &ListQuery::flat("1/$TaskLog/"))
        .await
        .unwrap();
    assert_eq!(names(&log), vec!["1/$TaskLog/stdout.txt"]);
    let files = list_all_blobs(s, &c, &ListQuery::flat("10/$TaskOutput/"))
        .await
        .unwrap();
    assert_eq!(
        names(&files),
        vec![
            "10/$TaskOutput/frames/0001.png",
            "10/$TaskOutput/frames/0002.png",
            "10/$TaskOutput/report.md"
        ]
    );
    let folders = list_all_blobs(s, &c, &ListQuery::hierarchy("10/$TaskOutput/"))
        .await
        .unwrap();
    assert_eq!(
        names(&folders),
        vec!["10/$TaskOutput/frames/*", "10/$TaskOutput/report.md"]
    );
    let _ = Duration::from_secs(0);
}

// ---------------------------------------------------------------- metadata

fn meta(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub async fn metadata_set_on_append_blob_keeps_position(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let c = fresh_container(s, "metaappend").await;
    let log = "t/$TaskLog/stdout.txt";
    s.create_append_blob(&c, log, &PutOptions::default())
        .await
        .unwrap();
    let before = s.append_block(&c, log, b("first\n"), 0).await.unwrap();
    s.set_blob_metadata(
        &c,
        log,
        &meta(&[("batchoutattempt", "1"), ("Mixed_Case", "x y")]),
    )
    .await
    .unwrap();
    let info = s.blob_info(&c, log).await.unwrap();
    assert_eq!(info.len, 6, "metadata must not move the append position");
    assert_ne!(info.etag, before.etag, "a metadata write changes the etag");
    assert_eq!(
        info.metadata,
        meta(&[("batchoutattempt", "1"), ("mixed_case", "x y")])
    );
    // An appender holding the position it knew goes on undisturbed.
    let after = s.append_block(&c, log, b("second\n"), 6).await.unwrap();
    assert_eq!(after.len, 13);
    assert_eq!(read_all(s, &c, log).await, b"first\nsecond\n");
    // Setting replaces every name, like Azure's Set Blob Metadata; a large record that
    // outgrows any reserved room still leaves the bytes as they were.
    let big = "v".repeat(6000);
    s.set_blob_metadata(&c, log, &meta(&[("big", &big)]))
        .await
        .unwrap();
    let info = s.blob_info(&c, log).await.unwrap();
    assert_eq!(info.metadata, meta(&[("big", &big)]));
    assert_eq!(info.len, 13);
    s.append_block(&c, log, b("third\n"), 13).await.unwrap();
    assert_eq!(read_all(s, &c, log).await, b"first\nsecond\nthird\n");
}

pub async fn metadata_set_on_block_blob_keeps_bytes(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let c = fresh_container(s, "metablock").await;
    let put = put(s, &c, "t/$TaskOutput/a.txt", "block bytes").await;
    s.set_blob_metadata(&c, "t/$TaskOutput/a.txt", &meta(&[("k", "v")]))
        .await
        .unwrap();
    let info = s.blob_info(&c, "t/$TaskOutput/a.txt").await.unwrap();
    assert_eq!(info.metadata, meta(&[("k", "v")]));
    assert_eq!(info.len, 11);
    assert_eq!(info.content_md5, put.content_md5);
    assert_eq!(info.blob_type, BlobType::Block);
    assert_eq!(read_all(s, &c, "t/$TaskOutput/a.txt").await, b"block bytes");
    match s
        .set_blob_metadata(&c, "t/$TaskOutput/missing.txt", &meta(&[("k", "v")]))
        .await
    {
        Err(StoreError::BlobNotFound { .. }) => {}
        other => panic!("expected BlobNotFound, got {other:?}"),
    }
}

pub async fn listing_returns_metadata_only_when_asked(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let c = fresh_container(s, "metalist").await;
    for t in ["a", "b", "c"] {
        let log = format!("{t}/$TaskLog/stdout.txt");
        s.create_append_blob(&c, &log, &PutOptions::default())
            .await
            .unwrap();
        if t != "b" {
            s.set_blob_metadata(&c, &log, &meta(&[("task", t)]))
                .await
                .unwrap();
        }
        put(s, &c, &format!("{t}/$TaskOutput/o.txt"), "o").await;
    }
    let plain = list_all_blobs(s, &c, &ListQuery::flat("")).await.unwrap();
    assert_eq!(plain.len(), 6);
    for item in &plain {
        if let ListItem::Blob(b) = item {
            assert!(b.metadata.is_empty(), "{} listed with metadata", b.name);
        }
    }
    // Small pages: metadata must come with every page, not only the first.
    let q = ListQuery::flat("").with_metadata().page_size(2);
    let listed = list_all_blobs(s, &c, &q).await.unwrap();
    let got: Vec<(String, BTreeMap<String, String>)> = listed
        .into_iter()
        .filter_map(|i| match i {
            ListItem::Blob(b) => Some((b.name, b.metadata)),
            ListItem::Prefix(_) => None,
        })
        .collect();
    let want = vec![
        ("a/$TaskLog/stdout.txt".to_string(), meta(&[("task", "a")])),
        ("a/$TaskOutput/o.txt".to_string(), meta(&[])),
        ("b/$TaskLog/stdout.txt".to_string(), meta(&[])),
        ("b/$TaskOutput/o.txt".to_string(), meta(&[])),
        ("c/$TaskLog/stdout.txt".to_string(), meta(&[("task", "c")])),
        ("c/$TaskOutput/o.txt".to_string(), meta(&[])),
    ];
    assert_eq!(got, want);
}

pub async fn bad_metadata_is_refused(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let c = fresh_container(s, "metabad").await;
    put(s, &c, "x", "x").await;
    for bad in [
        meta(&[("1st", "v")]),
        meta(&[("has-dash", "v")]),
        meta(&[("k", "line\nbreak")]),
        meta(&[("k", &"v".repeat(9000))]),
    ] {
        match s.set_blob_metadata(&c, "x", &bad).await {
            Err(StoreError::InvalidName(msg)) => assert!(!msg.contains('\n'), "{msg}"),
            other => panic!("expected InvalidName for {bad:?}, got {other:?}"),
        }
    }
    assert!(s.blob_info(&c, "x").await.unwrap().metadata.is_empty());
}
