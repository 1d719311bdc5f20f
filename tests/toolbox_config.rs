//! The config file through the real binary: two profiles and switching between them, the
//! precedence flag > env > profile > default, one-line errors, ssh-style secret refusal,
//! and `batchout config` (prints, never writes).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Setup {
    dir: tempfile::TempDir,
    config: PathBuf,
}

impl Setup {
    /// Two local stores, each with one job, and a config naming them.
    fn new() -> Setup {
        let dir = tempfile::tempdir().unwrap();
        for name in ["alpha", "beta"] {
            let o = Command::new(env!("CARGO_BIN_EXE_batchout"))
                .args(["--store", dir.path().join(name).to_str().unwrap()])
                .args(["prepare", &format!("{name}-job")])
                .env("BATCHOUT_CONFIG", "/dev/null")
                .output()
                .unwrap();
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        }
        let config = dir.path().join("config.toml");
        let text = format!(
            "default_profile = \"alpha\"\n\n[profiles.alpha]\nstore = \"{}\"\n\n[profiles.beta]\nstore = \"{}\"\n",
            dir.path().join("alpha").display(),
            dir.path().join("beta").display()
        );
        write_private(&config, &text);
        Setup { dir, config }
    }

    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut c = Command::new(env!("CARGO_BIN_EXE_batchout"));
        c.args(args)
            .env("BATCHOUT_CONFIG", &self.config)
            .env_remove("BATCHOUT_STORE")
            .env_remove("BATCHOUT_PROFILE")
            .env_remove("AZURE_STORAGE_CONNECTION_STRING")
            .env_remove("AZURE_STORAGE_ACCOUNT");
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    }
}

fn write_private(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn profiles_switch_stores_with_the_documented_precedence() {
    let s = Setup::new();
    // default_profile
    let o = s.run(&["jobs"], &[]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(
        out(&o).contains("alpha-job") && !out(&o).contains("beta-job"),
        "{}",
        out(&o)
    );
    // -p and --profile
    for flag in ["-p", "--profile"] {
        let o = s.run(&[flag, "beta", "jobs"], &[]);
        assert!(
            out(&o).contains("beta-job") && !out(&o).contains("alpha-job"),
            "{}",
            out(&o)
        );
    }
    // BATCHOUT_PROFILE beats default_profile; -p beats BATCHOUT_PROFILE
    let o = s.run(&["jobs"], &[("BATCHOUT_PROFILE", "beta")]);
    assert!(out(&o).contains("beta-job"), "{}", out(&o));
    let o = s.run(&["-p", "alpha", "jobs"], &[("BATCHOUT_PROFILE", "beta")]);
    assert!(out(&o).contains("alpha-job"), "{}", out(&o));
    // --store beats every profile; BATCHOUT_STORE beats default_profile
    let beta = s.dir.path().join("beta");
    let o = s.run(
        &["--store", beta.to_str().unwrap(), "-p", "alpha", "jobs"],
        &[],
    );
    assert!(out(&o).contains("beta-job"), "{}", out(&o));
    let o = s.run(&["jobs"], &[("BATCHOUT_STORE", beta.to_str().unwrap())]);
    assert!(out(&o).contains("beta-job"), "{}", out(&o));
}

#[test]
fn an_unknown_profile_is_one_line_listing_the_known_ones() {
    let s = Setup::new();
    let o = s.run(&["-p", "gamma", "jobs"], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        err(&o).trim_end(),
        format!(
            "batchout: unknown profile \"gamma\" (--profile); known: alpha, beta (in {})",
            s.config.display()
        )
    );
}

#[test]
fn a_bad_config_is_one_line_and_unknown_keys_only_warn() {
    let s = Setup::new();
    let text = std::fs::read_to_string(&s.config).unwrap();
    write_private(&s.config, &format!("{text}\n[poll]\nlog = \"often\"\n"));
    let o = s.run(&["jobs"], &[]);
    assert_eq!(o.status.code(), Some(1));
    let e = err(&o);
    assert_eq!(e.trim_end().lines().count(), 1, "{e}");
    assert!(
        e.starts_with(&format!(
            "batchout: config {} line 10, key poll.log: invalid interval",
            s.config.display()
        )),
        "{e}"
    );

    write_private(&s.config, &format!("{text}\nthem = \"light\"\n"));
    let o = s.run(&["jobs"], &[]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("alpha-job"));
    assert!(
        err(&o).contains("warning:") && err(&o).contains("line 9: unknown key profiles.beta.them"),
        "{}",
        err(&o)
    );
}

#[cfg(unix)]
#[test]
fn a_secret_in_a_file_others_can_read_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let s = Setup::new();
    let text = std::fs::read_to_string(&s.config).unwrap();
    write_private(
        &s.config,
        &format!("{text}\n[profiles.prod]\nstore = \"https://acct.blob.core.windows.net/job-x?sv=1&sig=TOPSECRET\"\n"),
    );
    std::fs::set_permissions(&s.config, std::fs::Permissions::from_mode(0o644)).unwrap();
    let o = s.run(&["jobs"], &[]);
    assert_eq!(o.status.code(), Some(1));
    let e = err(&o);
    assert!(
        e.contains("readable by other users") && e.contains("chmod 600"),
        "{e}"
    );
    assert!(!e.contains("TOPSECRET"), "{e}");
    std::fs::set_permissions(&s.config, std::fs::Permissions::from_mode(0o600)).unwrap();
    let o = s.run(&["jobs"], &[]);
    assert!(o.status.success(), "{}", err(&o));
}

#[test]
fn config_prints_a_default_that_parses_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("sub").join("config.toml");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_batchout"))
            .args(args)
            .env("BATCHOUT_CONFIG", &cfg)
            .output()
            .unwrap()
    };
    let o = run(&["config"]);
    assert!(o.status.success());
    let text = out(&o);
    assert!(
        text.contains("[profiles.prod]") && text.contains("default_profile"),
        "{text}"
    );
    assert!(
        !dir.path().join("sub").exists(),
        "config must not write the file"
    );
    assert_eq!(
        out(&run(&["config", "--path"])).trim(),
        cfg.display().to_string()
    );
    // The printed default, installed as is, is a valid config.
    std::fs::create_dir_all(cfg.parent().unwrap()).unwrap();
    std::fs::write(&cfg, &text).unwrap();
    let o = run(&["config", "--check"]);
    assert!(o.status.success(), "{}", err(&o));
    assert!(out(&o).contains("ok (0 profiles)"), "{}", out(&o));
}
