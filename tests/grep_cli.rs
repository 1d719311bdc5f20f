//! `batchout grep` as a user runs it (the real binary): output compared with GNU grep
//! over the same files laid out as TASK/KIND/PATH, exit codes, a bad pattern, the cache
//! across runs (--stats), JSON; on a local store in a temp folder and on Azurite.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

mod support;

use assert_cmd::Command;
use batchout::store::local::LocalStore;
use batchout::store::{PutOptions, Store};
use bytes::Bytes;
use std::collections::BTreeMap;
use std::path::Path;

const JOB: &str = "grepjob";
const C: &str = "job-grepjob";

/// Task logs with matches in awkward places: first line, last line without a newline,
/// adjacent matches (context groups merge), CRLF-free so GNU grep prints the same.
const LOGS: &[(&str, &str, &str)] = &[
    (
        "task-1",
        "stdout.txt",
        "CUDA out of memory at start\nok\nok\nok\nok\nfine\n",
    ),
    (
        "task-2",
        "stdout.txt",
        "a\nb\nc\nd\nRuntimeError: CUDA out of memory",
    ),
    (
        "task-10",
        "stdout.txt",
        "x\ncuda out of memory (lower case)\ny\nCUDA out of memory\nz\nw\nv\nCUDA\n",
    ),
    ("task-3", "stderr.txt", "nothing\nto\nsee\n"),
    (
        "task-3",
        "stdout.txt",
        "CUDAX out of memory\nCUDA out of memory, again\n",
    ),
];

fn seed(store: &dyn Store, dir: &Path) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        store.create_container(C, &BTreeMap::new()).await.unwrap();
        for (task, name, text) in LOGS {
            let blob = format!("{task}/$TaskLog/{name}");
            store
                .put_block_blob(
                    C,
                    &blob,
                    Bytes::from_static(text.as_bytes()),
                    &PutOptions::default(),
                )
                .await
                .unwrap();
            let local = dir.join(task).join("TaskLog").join(name);
            std::fs::create_dir_all(local.parent().unwrap()).unwrap();
            std::fs::write(local, text).unwrap();
        }
        // Another kind, searched only when asked for.
        store
            .put_block_blob(
                C,
                "task-1/$TaskOutput/result.txt",
                Bytes::from_static(b"CUDA in output\n"),
                &PutOptions::default(),
            )
            .await
            .unwrap();
    });
}

/// The same files as `batchout grep` reports them: tasks in natural order, then name.
fn files_in_order() -> Vec<String> {
    [
        "task-1/TaskLog/stdout.txt",
        "task-2/TaskLog/stdout.txt",
        "task-3/TaskLog/stderr.txt",
        "task-3/TaskLog/stdout.txt",
        "task-10/TaskLog/stdout.txt",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

struct Env {
    _tmp: tempfile::TempDir,
    store: std::path::PathBuf,
    files: std::path::PathBuf,
    cache: std::path::PathBuf,
}

fn local_env() -> Env {
    let tmp = tempfile::tempdir().unwrap();
    let (store, files, cache) = (
        tmp.path().join("store"),
        tmp.path().join("files"),
        tmp.path().join("cache"),
    );
    seed(&LocalStore::open(&store).unwrap(), &files);
    Env {
        _tmp: tmp,
        store,
        files,
        cache,
    }
}

impl Env {
    fn grep(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("batchout").unwrap();
        cmd.arg("--store")
            .arg(&self.store)
            .arg("grep")
            .args(args)
            .env("XDG_CACHE_HOME", &self.cache)
            .env_remove("NO_COLOR");
        cmd
    }
}

fn out(mut cmd: Command) -> (i32, String, String) {
    let o = cmd.output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

fn gnu_grep(dir: &Path, args: &[&str]) -> (i32, String) {
    let o = std::process::Command::new("grep")
        .args(args)
        .arg("--")
        .args(files_in_order())
        .current_dir(dir)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8(o.stdout).unwrap(),
    )
}

#[test]
fn output_is_the_same_as_gnu_grep_over_the_downloaded_files() {
    let env = local_env();
    // (batchout options, GNU grep options); the pattern comes last for both.
    let cases: &[(&[&str], &[&str])] = &[
        (&[], &["-n"]),
        (&["-C", "1"], &["-n", "-C", "1"]),
        (&["-A", "2", "-B", "1"], &["-n", "-A", "2", "-B", "1"]),
        (&["-i"], &["-n", "-i"]),
        (&["-w"], &["-n", "-w"]),
        (&["-c"], &["-c"]),
        (&["-l"], &["-l"]),
        (&["-m", "1", "-A", "1"], &["-n", "-m", "1", "-A", "1"]),
        (&["-v", "-c"], &["-v", "-c"]),
        (&["-F", "-i"], &["-n", "-F", "-i"]),
    ];
    for pattern in ["CUDA out of memory", "CUDA", "o+k$"] {
        for (ours, theirs) in cases {
            let mut args: Vec<&str> = ours.to_vec();
            args.extend([JOB, pattern]);
            let (code, stdout, stderr) = out(env.grep(&args));
            let mut gargs: Vec<&str> = theirs.to_vec();
            if !theirs.contains(&"-F") {
                gargs.push("-E");
            }
            gargs.extend(["-e", pattern]);
            let (gcode, gout) = gnu_grep(&env.files, &gargs);
            assert_eq!(
                stdout, gout,
                "batchout grep {ours:?} {pattern:?} (stderr: {stderr})"
            );
            assert_eq!(code, gcode, "exit code of {ours:?} {pattern:?}");
            // Twice: the second run answers from the cache, identically.
            let (code2, stdout2, _) = out(env.grep(&args));
            assert_eq!((code2, stdout2), (code, stdout));
        }
    }
}

#[test]
fn exit_codes_bad_patterns_and_missing_jobs() {
    let env = local_env();
    let (code, stdout, _) = out(env.grep(&[JOB, "no such line"]));
    assert_eq!((code, stdout.as_str()), (1, ""));
    let (code, stdout, stderr) = out(env.grep(&[JOB, "CUDA (out"]));
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        "batchout: invalid pattern \"CUDA (out\": unclosed group at position 6 (\"(\"); use -F to search for it literally\n"
    );
    let (code, stdout, _) = out(env.grep(&["-F", JOB, "CUDA (out"]));
    assert_eq!((code, stdout.as_str()), (1, ""));
    let (code, _, stderr) = out(env.grep(&["nojob", "x"]));
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("batchout: no persisted outputs for job nojob"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1);
    let (code, _, stderr) = out(env.grep(&[JOB, "x", "--task", "["]));
    assert_eq!(code, 2, "{stderr}");
    // -e: a pattern starting with '-'; every argument after JOB is then a task.
    let (code, stdout, _) = out(env.grep(&["-e", "-w", JOB, "task-3"]));
    assert_eq!(code, 1, "{stdout}");
    let (code, stdout, _) = out(env.grep(&["-e", "RuntimeError", JOB, "task-2"]));
    assert_eq!(
        (code, stdout.as_str()),
        (
            0,
            "task-2/TaskLog/stdout.txt:5:RuntimeError: CUDA out of memory\n"
        )
    );
    let (code, _, stderr) = out(env.grep(&[JOB, "x", "no-such-task"]));
    assert_eq!(code, 1);
    assert!(stderr.contains("no files to search"), "{stderr}");
}

#[test]
fn scope_options_cache_stats_and_json() {
    let env = local_env();
    // Default scope is TaskLog; --kind and --all-kinds reach other kinds.
    let (_, stdout, _) = out(env.grep(&[JOB, "in output"]));
    assert_eq!(stdout, "");
    let (_, stdout, _) = out(env.grep(&["--kind", "TaskOutput", JOB, "CUDA"]));
    assert_eq!(stdout, "task-1/TaskOutput/result.txt:1:CUDA in output\n");
    let (_, stdout, _) = out(env.grep(&["--all-kinds", "-l", JOB, "in output"]));
    assert_eq!(stdout, "task-1/TaskOutput/result.txt\n");
    // TASK arguments, --task globs and --name globs narrow it.
    let (_, stdout, _) = out(env.grep(&["-l", JOB, "CUDA", "task-10", "task-2"]));
    assert_eq!(
        stdout,
        "task-2/TaskLog/stdout.txt\ntask-10/TaskLog/stdout.txt\n"
    );
    let (_, stdout, _) =
        out(env.grep(&["-c", "--task", "task-1*", "--name", "stdout.*", JOB, "CUDA"]));
    assert_eq!(
        stdout,
        "task-1/TaskLog/stdout.txt:1\ntask-10/TaskLog/stdout.txt:2\n"
    );
    // The cache: a second run fetches nothing; --no-cache fetches everything again.
    let (_, _, first) = out(env.grep(&["--stats", JOB, "memory"]));
    let (_, _, second) = out(env.grep(&["--stats", JOB, "memory"]));
    let (_, _, fresh) = out(env.grep(&["--stats", "--no-cache", JOB, "memory"]));
    let total: usize = LOGS.iter().map(|l| l.2.len()).sum();
    assert!(first.contains(&format!("fetched {total} bytes")), "{first}");
    assert!(
        second.contains("(5 from the cache), fetched 0 bytes"),
        "{second}"
    );
    assert!(
        fresh.contains(&format!("(0 from the cache), fetched {total} bytes")),
        "{fresh}"
    );
    // JSON: one array; job-level task null would be `null`.
    let (code, stdout, _) = out(env.grep(&["--json", JOB, "CUDA$", "task-10"]));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        v,
        serde_json::json!([{"task": "task-10", "kind": "TaskLog", "path": "stdout.txt", "line": 8, "match": true, "text": "CUDA"}])
    );
    let (_, stdout, _) = out(env.grep(&["--json", "-c", JOB, "zzz", "task-3"]));
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert_eq!(v[0]["count"], 0);
}

#[test]
fn hostile_lines_are_cleaned_and_pipes_get_no_colour() {
    let env = local_env();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let store = LocalStore::open(&env.store).unwrap();
    rt.block_on(store.put_block_blob(
        C,
        "evil/$TaskLog/stdout.txt",
        Bytes::from_static(b"CUDA \x1b]52;c;cGF5bG9hZA==\x07 \x1b[2J\xe2\x80\xae done\n"),
        &PutOptions::default(),
    ))
    .unwrap();
    let (_, stdout, _) = out(env.grep(&[JOB, "CUDA", "evil"]));
    assert_eq!(stdout, "evil/TaskLog/stdout.txt:1:CUDA  \u{fffd} done\n");
    assert!(!stdout.contains('\x1b'));
}

#[test]
fn on_azurite_with_a_connection_string() {
    let acct = support::azurite::fresh_account();
    let tmp = tempfile::tempdir().unwrap();
    seed(acct.store().as_ref(), tmp.path());
    let run = |args: &[&str]| {
        let mut cmd = Command::cargo_bin("batchout").unwrap();
        cmd.arg("grep")
            .args(args)
            .env("AZURE_STORAGE_CONNECTION_STRING", acct.connection_string())
            .env_remove("BATCHOUT_STORE")
            .env("XDG_CACHE_HOME", tmp.path().join("cache"));
        out(cmd)
    };
    let (code, stdout, _) = run(&["-C", "1", JOB, "CUDA out of memory"]);
    let (gcode, gout) = gnu_grep(tmp.path(), &["-n", "-C", "1", "-e", "CUDA out of memory"]);
    assert_eq!((code, stdout), (gcode, gout));
    let (_, _, stats) = run(&["--stats", "-C", "1", JOB, "CUDA out of memory"]);
    assert!(stats.contains("fetched 0 bytes"), "{stats}");
}

/// On a real terminal (tmux) the match is highlighted; with NO_COLOR it is not.
#[test]
fn matches_are_highlighted_on_a_terminal_unless_no_color() {
    let env = local_env();
    let bin = assert_cmd::cargo::cargo_bin("batchout");
    for (name, no_color) in [("grep-colour", ""), ("grep-nocolour", "NO_COLOR=1 ")] {
        let cmd = format!(
            "{no_color}XDG_CACHE_HOME={} {} --store {} grep {JOB} 'out of memory' task-2; sleep 60",
            env.cache.display(),
            bin.display(),
            env.store.display()
        );
        let tmux = support::tmux::Tmux::start(name, 100, 10, &cmd);
        tmux.wait_for("RuntimeError");
        let screen = tmux.run(&["capture-pane", "-p", "-e", "-t", "t"]);
        let line = screen.lines().find(|l| l.contains("RuntimeError")).unwrap();
        let plain: String = strip_sgr(line);
        assert_eq!(
            plain.trim_end(),
            "task-2/TaskLog/stdout.txt:5:RuntimeError: CUDA out of memory"
        );
        if no_color.is_empty() {
            // Bold red right before the match (tmux writes it as two sequences), not before.
            let at = line.find("out of memory").unwrap();
            assert!(line[..at].ends_with("\x1b[1m\x1b[31m"), "{line:?}");
            assert!(!line[..at - 10].contains("\x1b[31m"), "{line:?}");
        } else {
            assert!(!line.contains('\x1b'), "{line:?}");
        }
    }
}

fn strip_sgr(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
