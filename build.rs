//! Puts the git commit into `batchout --version` (BATCHOUT_VERSION): "0.1.0 (abc1234
//! 2026-12-07)": the commit checked out (uncommitted changes are not tracked, so that the
//! string is rebuilt only when the commit moves). Without git or a .git folder
//! (a crates.io package, a tarball) it is the bare version; the build never fails for it.

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
}

fn main() {
    let version = env!("CARGO_PKG_VERSION");
    let full = match (
        git(&["rev-parse", "--short=9", "HEAD"]),
        git(&["log", "-1", "--format=%cd", "--date=short"]),
    ) {
        (Some(hash), Some(date)) => format!("{version} ({hash} {date})"),
        _ => version.to_string(),
    };
    println!("cargo:rustc-env=BATCHOUT_VERSION={full}");
    // Rebuild the string when the commit moves (HEAD, the branch it points to, packed refs).
    for path in ["HEAD", "packed-refs"]
        .iter()
        .filter_map(|p| git(&["rev-parse", "--git-path", p]))
        .chain(
            git(&["symbolic-ref", "-q", "HEAD"])
                .and_then(|r| git(&["rev-parse", "--git-path", &r])),
        )
    {
        println!("cargo:rerun-if-changed={path}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
