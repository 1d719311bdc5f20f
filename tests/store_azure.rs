//! The Azure store against Azurite (started by tests/support/azurite.rs).

mod support;

use batchout::store::*;
use bytes::Bytes;
use std::collections::BTreeMap;
use support::azurite;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

#[test]
fn containers_blobs_and_hierarchy_round_trip() {
    rt().block_on(async {
        let s = azurite::fresh_store();
        let mut md = BTreeMap::new();
        md.insert(JOB_ID_METADATA_KEY.to_string(), "Job X".to_string());
        assert!(s.create_container("job-x", &md).await.unwrap());
        assert!(!s.create_container("job-x", &BTreeMap::new()).await.unwrap());
        let info = s.container_info("job-x").await.unwrap();
        assert_eq!(info.metadata.get(JOB_ID_METADATA_KEY).map(String::as_str), Some("Job X"));
        let cs = list_all_containers(&*s, "job-").await.unwrap();
        assert_eq!(cs.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["job-x"]);
        assert_eq!(cs[0].metadata, info.metadata);

        for name in ["t1/$TaskLog/stdout.txt", "t1/$TaskOutput/a/b.txt", "t1/$TaskOutput/c d.txt", "t2/$TaskLog/x", "t1/$TaskOutput/a.txt"] {
            let opts = PutOptions { content_type: Some("text/plain".into()), ..Default::default() };
            let b = s.put_block_blob("job-x", name, Bytes::from(format!("data of {name}")), &opts).await.unwrap();
            assert_eq!(b.len as usize, format!("data of {name}").len());
            assert_eq!(b.blob_type, BlobType::Block);
        }
        let flat = list_all_blobs(&*s, "job-x", &ListQuery::flat("t1/")).await.unwrap();
        assert_eq!(flat.len(), 4);
        let h = list_all_blobs(&*s, "job-x", &ListQuery::hierarchy("t1/$TaskOutput/")).await.unwrap();
        let names: Vec<&str> = h.iter().map(|i| i.name()).collect();
        // Blob and prefix interleaved in name order ("a.txt" < "a/" < "c d.txt").
        assert_eq!(names, ["t1/$TaskOutput/a.txt", "t1/$TaskOutput/a/", "t1/$TaskOutput/c d.txt"]);
        assert!(matches!(h[1], ListItem::Prefix(_)));
        let top = list_all_blobs(&*s, "job-x", &ListQuery::hierarchy("")).await.unwrap();
        assert_eq!(top.iter().map(|i| i.name()).collect::<Vec<_>>(), ["t1/", "t2/"]);

        // Paging: 2 per page still yields everything once, in order.
        let mut marker = None;
        let mut all = vec![];
        loop {
            let p = s.list_blobs("job-x", &ListQuery::flat("").page_size(2), marker.as_deref()).await.unwrap();
            assert!(p.items.len() <= 2);
            all.extend(p.items.into_iter().map(|i| i.name().to_string()));
            match p.next_marker { Some(m) => marker = Some(m), None => break }
        }
        let mut sorted = all.clone();
        sorted.sort();
        assert_eq!(all, sorted);
        assert_eq!(all.len(), 5);

        let b = s.blob_info("job-x", "t1/$TaskOutput/c d.txt").await.unwrap();
        assert_eq!(b.content_type.as_deref(), Some("text/plain"));
        let r = s.read_range("job-x", "t1/$TaskOutput/c d.txt", ByteRange::new(2, 3), None).await.unwrap();
        assert_eq!(&r.data[..], b"ta ");
        assert_eq!(r.start, 2);
        assert_eq!(r.total_len, b.len);
        assert_eq!(r.etag, b.etag);
        let e = s.read_range("job-x", "t1/$TaskOutput/c d.txt", ByteRange::from(b.len), None).await.unwrap_err();
        assert!(matches!(e, StoreError::InvalidRange { .. }), "{e}");
        let e = s.read_range("job-x", "t1/$TaskOutput/c d.txt", ByteRange::all(), Some("\"0x1\"")).await.unwrap_err();
        assert!(matches!(e, StoreError::ConditionNotMet { .. }), "{e}");

        s.delete_blob("job-x", "t2/$TaskLog/x").await.unwrap();
        let e = s.blob_info("job-x", "t2/$TaskLog/x").await.unwrap_err();
        assert!(matches!(e, StoreError::BlobNotFound { .. }), "{e}");
        let e = s.delete_blob("job-x", "t2/$TaskLog/x").await.unwrap_err();
        assert!(matches!(e, StoreError::BlobNotFound { .. }), "{e}");
        let e = s.list_blobs("job-nope", &ListQuery::flat(""), None).await.unwrap_err();
        assert!(matches!(e, StoreError::ContainerNotFound { .. }), "{e}");
        assert!(e.to_string().contains("container job-nope does not exist in azure account"), "{e}");
    });
}

#[test]
fn append_blobs_respect_the_position() {
    rt().block_on(async {
        let s = azurite::fresh_store();
        s.create_container("job-a", &BTreeMap::new()).await.unwrap();
        let (info, created) = s.create_append_blob("job-a", "t/$TaskLog/stdout.txt", &PutOptions::default()).await.unwrap();
        assert!(created);
        assert_eq!(info.len, 0);
        assert_eq!(info.blob_type, BlobType::Append);
        let r = s.read_range("job-a", "t/$TaskLog/stdout.txt", ByteRange::all(), None).await.unwrap();
        assert!(r.data.is_empty());
        assert_eq!(r.total_len, 0);
        let a = s.append_block("job-a", "t/$TaskLog/stdout.txt", Bytes::from_static(b"hello "), 0).await.unwrap();
        assert_eq!(a.len, 6);
        let a = s.append_block("job-a", "t/$TaskLog/stdout.txt", Bytes::from_static(b"world"), 6).await.unwrap();
        assert_eq!(a.len, 11);
        assert_eq!(a.committed_blocks, Some(2));
        let e = s.append_block("job-a", "t/$TaskLog/stdout.txt", Bytes::from_static(b"!"), 6).await.unwrap_err();
        match e {
            StoreError::AppendPositionMismatch { expected, actual, .. } => {
                assert_eq!(expected, 6);
                assert_eq!(actual, Some(11));
            }
            other => panic!("{other}"),
        }
        let (again, created) = s.create_append_blob("job-a", "t/$TaskLog/stdout.txt", &PutOptions::default()).await.unwrap();
        assert!(!created);
        assert_eq!(again.len, 11, "create never truncates");
        let r = s.read_range("job-a", "t/$TaskLog/stdout.txt", ByteRange::from(6), None).await.unwrap();
        assert_eq!(&r.data[..], b"world");
        assert_eq!(r.total_len, 11);

        // Type mismatches both ways.
        let e = s.put_block_blob("job-a", "t/$TaskLog/stdout.txt", Bytes::from_static(b"x"), &PutOptions::default()).await.unwrap_err();
        assert!(matches!(e, StoreError::BlobTypeMismatch { .. }), "{e}");
        s.put_block_blob("job-a", "block", Bytes::from_static(b"x"), &PutOptions::default()).await.unwrap();
        let e = s.create_append_blob("job-a", "block", &PutOptions::default()).await.unwrap_err();
        assert!(matches!(e, StoreError::BlobTypeMismatch { .. }), "{e}");
        let e = s.append_block("job-a", "block", Bytes::from_static(b"x"), 1).await.unwrap_err();
        assert!(matches!(e, StoreError::BlobTypeMismatch { .. }), "{e}");
    });
}

#[test]
fn staged_blocks_commit_in_order_with_md5() {
    use base64::Engine as _;
    use md5::Digest as _;
    rt().block_on(async {
        let s = azurite::fresh_store();
        s.create_container("job-b", &BTreeMap::new()).await.unwrap();
        let parts = [b"first-".to_vec(), b"second-".to_vec(), b"third".to_vec()];
        let ids: Vec<String> = (0..3).map(|i| base64::engine::general_purpose::STANDARD.encode(format!("block-{i:06}"))).collect();
        // Staged out of order; the commit order decides the content.
        for i in [2usize, 0, 1] {
            s.stage_block("job-b", "big.bin", &ids[i], Bytes::from(parts[i].clone())).await.unwrap();
        }
        let whole: Vec<u8> = parts.concat();
        let md5: [u8; 16] = md5::Md5::digest(&whole).into();
        let opts = PutOptions { content_md5: Some(md5), content_type: Some("application/octet-stream".into()), ..Default::default() };
        let info = s.commit_block_list("job-b", "big.bin", &ids, &opts).await.unwrap();
        assert_eq!(info.len, whole.len() as u64);
        assert_eq!(info.content_md5, Some(md5));
        let r = s.read_range("job-b", "big.bin", ByteRange::all(), None).await.unwrap();
        assert_eq!(&r.data[..], &whole[..]);
        assert_eq!(r.content_md5, Some(md5));
    });
}

// The shared conformance suite (tests/support/conformance.rs), each case on its own
// Azurite account.
store_conformance_suite!(async { azurite::fresh_store() });
