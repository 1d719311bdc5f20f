//! `batchout completions SHELL` and `batchout man` print scripts and a page generated from
//! the same clap definitions as `--help`; bash actually loads the bash script.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

use std::process::Command;

fn run(args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_batchout"))
        .args(args)
        .env("BATCHOUT_CONFIG", "/dev/null")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn every_shell_gets_a_script_naming_the_subcommands() {
    for (shell, marker) in [
        ("bash", "complete -F _batchout"),
        ("zsh", "#compdef batchout"),
        ("fish", "complete -c batchout"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let s = run(&["completions", shell]);
        assert!(s.contains(marker), "{shell}: {marker} missing");
        for sub in ["tail", "doctor", "completions", "profile"] {
            assert!(s.contains(sub), "{shell}: {sub} missing");
        }
    }
}

#[test]
fn bash_completes_subcommands_from_the_script() {
    if Command::new("bash").arg("--version").output().is_err() {
        panic!("bash is needed for this test");
    }
    let script = run(&["completions", "bash"]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("batchout.bash");
    std::fs::write(&path, script).unwrap();
    // Simulate `batchout do<TAB>` the way bash's completion calls the function.
    let probe = format!(
        "source {}; COMP_WORDS=(batchout do); COMP_CWORD=1; COMP_LINE='batchout do'; COMP_POINT=11; _batchout batchout do batchout; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        path.display()
    );
    let o = Command::new("bash").args(["-c", &probe]).output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.lines().any(|l| l == "doctor"),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn man_prints_a_roff_page() {
    let page = run(&["man"]);
    assert!(
        page.starts_with(".ie") || page.contains(".TH batchout"),
        "{}",
        &page[..200.min(page.len())]
    );
    assert!(page.contains(".TH batchout"));
    assert!(page.contains("doctor") && page.contains("completions"));
}

#[test]
fn version_names_the_commit_when_built_from_git() {
    let v = run(&["--version"]);
    let pkg = env!("CARGO_PKG_VERSION");
    assert!(v.starts_with(&format!("batchout {pkg}")), "{v}");
    let in_git = Command::new("git")
        .args(["rev-parse", "--short=9", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    if let Some(_hash) = in_git {
        // "batchout 0.1.0 (abc123456 2026-12-07)": a commit id and its date.
        let inner = v
            .trim()
            .split_once('(')
            .map(|(_, r)| r.trim_end_matches(')'));
        let (hash, date) = inner
            .and_then(|i| i.split_once(' '))
            .expect("commit in --version");
        assert!(
            hash.len() == 9 && hash.chars().all(|c| c.is_ascii_hexdigit()),
            "{v}"
        );
        assert_eq!(date.len(), 10, "{v}");
    }
}
