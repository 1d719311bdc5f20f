//! The conventions core against the shared test vectors and the rules of docs/conventions.md.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

use batchout::conventions::*;

#[derive(serde::Deserialize)]
struct Vector {
    job_id: String,
    container: String,
}

#[test]
fn every_vector_maps_to_its_container() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/conventions-vectors.json"
    ))
    .unwrap();
    let vectors: Vec<Vector> = serde_json::from_str(&text).unwrap();
    assert!(
        vectors.len() >= 30,
        "vector file looks truncated: {}",
        vectors.len()
    );
    let failures: Vec<String> = vectors
        .iter()
        .filter_map(|v| match container_name(&v.job_id) {
            Ok(c) if c == v.container => None,
            other => Some(format!(
                "{:?}: expected {}, got {:?}",
                v.job_id, v.container, other
            )),
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    for v in &vectors {
        assert!(
            is_valid_container_name(&v.container),
            "{} is not a valid container name",
            v.container
        );
    }
}

#[test]
fn bad_job_ids_name_the_character() {
    for (id, needle) in [
        ("a.b", "'.'"),
        ("a b", "a space"),
        ("a/b", "'/'"),
        ("ab\u{7}", "U+0007"),
        ("jöb", "U+00F6"),
        ("", "empty"),
    ] {
        let e = container_name(id).unwrap_err().to_string();
        assert!(e.contains(needle), "{id:?}: {e}");
        assert!(!e.contains('\u{7}'), "raw control char in {e:?}");
    }
}

#[test]
fn long_schedule_ids_take_the_hashed_form() {
    let id = format!("myschedule:job-{}", "x".repeat(80));
    let c = container_name(&id).unwrap();
    assert!(
        c.starts_with("job-myschedule-job-") || c.starts_with("job-myschedule-jo"),
        "{c}"
    );
    assert!(is_valid_container_name(&c), "{c}");
}

#[test]
fn blob_names_round_trip() {
    let t = Scope::Task("analysis-309".into());
    assert_eq!(
        blob_name(&t, "TaskLog", "stdout.txt").unwrap(),
        "analysis-309/$TaskLog/stdout.txt"
    );
    assert_eq!(
        blob_name(&Scope::Job, "JobOutput", "out/merged.mp4").unwrap(),
        "$JobOutput/out/merged.mp4"
    );
    let p = parse_blob_name("analysis-309/$TaskOutput/a/b.txt").unwrap();
    assert_eq!(
        p,
        ParsedBlob {
            scope: t.clone(),
            kind: "TaskOutput".into(),
            path: "a/b.txt".into()
        }
    );
    let j = parse_blob_name("$JobPreview/x").unwrap();
    assert_eq!(
        (j.scope, j.kind.as_str(), j.path.as_str()),
        (Scope::Job, "JobPreview", "x")
    );
    assert_eq!(parse_blob_name("loose.txt"), None);
    assert_eq!(parse_blob_name("task/notakind/x"), None);
    assert_eq!(parse_blob_name("task/$TaskLog/"), None);
    assert_eq!(
        kind_prefix(&Scope::Task("1".into()), "TaskLog"),
        "1/$TaskLog/"
    );
}

#[test]
fn custom_kinds_are_case_sensitive_and_checked() {
    assert!(validate_kind("TaskLogArchive").is_ok());
    assert!(!is_task_kind("tasklog"));
    for bad in ["", "a/b", "a\\b", "$x", "a\u{1b}b"] {
        assert!(validate_kind(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn relative_paths_follow_the_save_rule() {
    assert_eq!(
        destination_from_relative("..\\stdout.txt").unwrap(),
        "stdout.txt"
    );
    assert_eq!(
        destination_from_relative("out\\a\\b.txt").unwrap(),
        "out/a/b.txt"
    );
    assert_eq!(destination_from_relative("../../x").unwrap(), "x");
    assert_eq!(destination_from_relative("./a/b").unwrap(), "a/b");
    assert!(destination_from_relative("a/../b").is_err());
    for bad in ["", "/abs", "a//b", "a/./b", "a/..", "a/b/", "x\u{0}"] {
        assert!(validate_destination(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn task_ids_follow_batch_rules() {
    assert!(validate_task_id("task_01-a").is_ok());
    assert!(validate_task_id(&"t".repeat(64)).is_ok());
    assert!(validate_task_id(&"t".repeat(65)).is_err());
    assert!(validate_task_id("a:b")
        .unwrap_err()
        .to_string()
        .contains("':'"));
}
