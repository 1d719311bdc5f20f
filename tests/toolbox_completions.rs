//! `batchout completions SHELL` and `batchout man` print scripts and a page generated from
//! the same clap definitions as `--help`; bash actually loads the bash script.

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
