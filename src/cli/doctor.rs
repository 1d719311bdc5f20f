//! `batchout doctor [--job JOB] [--read-only]`: what store and credential were chosen and
//! from where, the Entra ID identity when one is used, then live checks (list, read, write
//! a scratch blob and delete it, latency, clock skew), each problem with what to do.
//! Secrets never print: only origins, never values (errors are redacted by the store).

use super::args::DoctorArgs;
use super::{CliError, CliResult, Context};
use crate::store::open::{open_target_as, resolve_with_origin, Access, Auth, Target};
use crate::store::{ListQuery, PutOptions, Store, StoreError};
use bytes::Bytes;
use std::time::{Duration, Instant};

/// One line of the report.
struct Check {
    ok: bool,
    what: String,
}

pub fn run(ctx: &Context, args: DoctorArgs) -> CliResult {
    let env = |k: &str| std::env::var(k).ok();
    let (target, origin) = resolve_with_origin(&ctx.spec, &env)?;
    let store_from = ctx
        .spec_from
        .clone()
        .or(origin.store.clone())
        .unwrap_or_else(|| "the default".into());
    println!("config:      {}", config_line(ctx));
    println!(
        "store:       {} (from {store_from})",
        describe_target(&target)
    );
    if let Target::Azure { auth, .. } = &target {
        println!(
            "credential:  {} (from {})",
            auth_kind(auth),
            origin.credential
        );
    }
    let mut checks = Vec::new();
    if let Target::Azure {
        auth: Auth::EntraId,
        ..
    } = &target
    {
        let (line, check) = ctx.runtime.block_on(identity());
        println!("identity:    {line}");
        checks.extend(check);
    }
    let store = match open_target_as(target.clone(), Access::Read) {
        Ok(s) => s,
        Err(e) => {
            checks.push(fail(format!("open the store: {e}")));
            return finish(checks);
        }
    };
    checks.extend(ctx.runtime.block_on(live(&*store, &target, &args)));
    finish(checks)
}

fn finish(checks: Vec<Check>) -> CliResult {
    println!("checks:");
    for c in &checks {
        println!(
            "  {:<5} {}",
            if c.ok { "ok" } else { "FAIL" },
            crate::text::one_line(&c.what)
        );
    }
    let failed = checks.iter().filter(|c| !c.ok).count();
    if failed == 0 {
        println!("all checks passed");
        Ok(())
    } else {
        Err(CliError::failure(format!(
            "{failed} check{} failed (see above)",
            if failed == 1 { "" } else { "s" }
        )))
    }
}

fn ok(what: String) -> Check {
    Check { ok: true, what }
}
fn fail(what: String) -> Check {
    Check { ok: false, what }
}

fn config_line(ctx: &Context) -> String {
    match &ctx.config.path {
        Some(p) => format!(
            "{} ({} profiles{})",
            p.display(),
            ctx.config.config.profiles.len(),
            if ctx.config.warnings.is_empty() {
                String::new()
            } else {
                format!(", {} warnings", ctx.config.warnings.len())
            }
        ),
        None => "none (defaults apply; `batchout config` prints one to start from)".into(),
    }
}

fn describe_target(t: &Target) -> String {
    match t {
        Target::Local(p) => format!("local store {}", p.display()),
        Target::Azure {
            account_url,
            account,
            container,
            ..
        } => match container {
            Some(c) => format!("azure account {account} ({account_url}), container {c} only"),
            None => format!("azure account {account} ({account_url})"),
        },
    }
}

fn auth_kind(a: &Auth) -> &'static str {
    match a {
        Auth::AccountKey(_) => "account key",
        Auth::Sas(_) => "SAS",
        Auth::EntraId => "Entra ID",
    }
}

/// Who the Entra ID token is for (claims of the JWT, never the token itself).
async fn identity() -> (String, Option<Check>) {
    use crate::store::azure::identity::from_env;
    let cred = match from_env() {
        Ok(c) => c,
        Err(e) => {
            let e = crate::store::azure::errors::redact(&e.to_string());
            return ("none".into(), Some(fail(format!("Entra ID sign-in: {e}"))));
        }
    };
    match cred
        .get_token(&["https://storage.azure.com/.default"], None)
        .await
    {
        Ok(t) => {
            let who = token_identity(t.token.secret()).unwrap_or_else(|| "unknown identity".into());
            let left = t.expires_on - time::OffsetDateTime::now_utc();
            (
                format!("{who}; token valid for {} more min", left.whole_minutes()),
                None,
            )
        }
        Err(e) => {
            let e = crate::text::one_line(&crate::store::azure::errors::redact(&e.to_string()));
            (
                "no token".into(),
                Some(fail(format!(
                    "Entra ID token: {e}; sign in with `az login` (or set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET)"
                ))),
            )
        }
    }
}

/// `upn`/`unique_name`/`appid`, `oid` and `tid` from a JWT's payload.
fn token_identity(jwt: &str) -> Option<String> {
    use base64::Engine as _;
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
    let name = s("upn")
        .or_else(|| s("unique_name"))
        .or_else(|| s("preferred_username"))
        .or_else(|| s("appid").map(|a| format!("app {a}")))
        .unwrap_or_else(|| "unnamed identity".into());
    let mut out = crate::text::sanitize::sanitize_line(&name).to_string();
    if let Some(oid) = s("oid") {
        out.push_str(&format!(", object id {oid}"));
    }
    if let Some(tid) = s("tid") {
        out.push_str(&format!(", tenant {tid}"));
    }
    Some(crate::text::sanitize::sanitize_line(&out).to_string())
}

async fn live(store: &dyn Store, target: &Target, args: &DoctorArgs) -> Vec<Check> {
    let mut checks = Vec::new();
    // list
    let started = Instant::now();
    let jobs = crate::outputs::list_jobs(store).await;
    let list_time = started.elapsed();
    let container = match (&jobs, &args.job) {
        (_, Some(job)) => match crate::outputs::job_container(store, job).await {
            Ok(c) => Some(c),
            Err(e) => {
                checks.push(fail(format!("job {job}: {e}")));
                None
            }
        },
        (Ok(list), None) => list.first().map(|j| j.container.clone()),
        (Err(_), None) => None,
    };
    match &jobs {
        Ok(list) => checks.push(ok(format!(
            "list jobs: {} job{} ({})",
            list.len(),
            if list.len() == 1 { "" } else { "s" },
            ms(list_time)
        ))),
        Err(e) => checks.push(fail(format!("list jobs: {e}"))),
    }
    let Some(container) = container else {
        if jobs.is_ok() {
            checks.push(ok(
                "read and write: skipped, no job container (pass --job JOB)".into(),
            ));
        }
        return checks;
    };
    checks.push(read_check(store, &container).await);
    if args.read_only {
        checks.push(ok("write: skipped (--read-only)".into()));
    } else {
        checks.push(write_check(store, &container).await);
    }
    if let Some(c) = latency_check(store, &container).await {
        checks.push(c);
    }
    if let Target::Azure { account_url, .. } = target {
        checks.push(clock_check(account_url.as_str()).await);
    }
    checks
}

async fn read_check(store: &dyn Store, container: &str) -> Check {
    let started = Instant::now();
    let page = match store
        .list_blobs(container, &ListQuery::default(), None)
        .await
    {
        Ok(p) => p,
        Err(e) => return fail(format!("read {container}: {e}")),
    };
    let first = page.items.iter().find_map(|i| match i {
        crate::store::ListItem::Blob(b) => Some(b.clone()),
        _ => None,
    });
    match first {
        None => ok(format!(
            "read {container}: listed, it holds no blobs ({})",
            ms(started.elapsed())
        )),
        Some(b) => {
            let len = b.len.min(1024);
            match store
                .read_range(
                    container,
                    &b.name,
                    crate::store::ByteRange::new(0, len),
                    None,
                )
                .await
            {
                Ok(_) => ok(format!(
                    "read {container}: listed and read {len} bytes of {} ({})",
                    crate::text::sanitize::sanitize_line(&b.name),
                    ms(started.elapsed())
                )),
                Err(e) if len == 0 => ok(format!("read {container}: listed ({e})")),
                Err(e) => fail(format!("read {container}: {e}")),
            }
        }
    }
}

/// Write a scratch blob and delete it again.
async fn write_check(store: &dyn Store, container: &str) -> Check {
    let name = format!(
        ".batchout-doctor/{}-{:08x}",
        std::process::id(),
        rand::random::<u32>()
    );
    let started = Instant::now();
    let put = store
        .put_block_blob(
            container,
            &name,
            Bytes::from_static(b"batchout doctor write check\n"),
            &PutOptions::default(),
        )
        .await;
    if let Err(e) = put {
        return fail(format!(
            "write {container}: {e}{}",
            if matches!(e, StoreError::Auth(_)) {
                " (only reading? run `batchout doctor --read-only`)"
            } else {
                ""
            }
        ));
    }
    match store.delete_blob(container, &name).await {
        Ok(()) => ok(format!(
            "write {container}: wrote and deleted a scratch blob ({})",
            ms(started.elapsed())
        )),
        Err(e) => fail(format!(
            "write {container}: wrote {name} but cannot delete it: {e}; delete it by hand"
        )),
    }
}

async fn latency_check(store: &dyn Store, container: &str) -> Option<Check> {
    let mut times = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        store.container_info(container).await.ok()?;
        times.push(started.elapsed());
    }
    times.sort();
    let median = times[times.len() / 2];
    let what = format!(
        "latency: {} median of 5 requests (fastest {})",
        ms(median),
        ms(times[0])
    );
    Some(if median > Duration::from_secs(1) {
        fail(format!(
            "{what}; over a second: check the network path (VPN, proxy, region)"
        ))
    } else {
        ok(what)
    })
}

/// The service's Date header against this machine's clock: a SAS or token is refused when
/// they differ by more than a few minutes.
async fn clock_check(url: &str) -> Check {
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
    {
        Ok(c) => c,
        Err(e) => return fail(format!("clock: {e}")),
    };
    let sent = std::time::SystemTime::now();
    let rsp = match client.get(url).send().await {
        Ok(r) => r,
        Err(e) => return fail(format!("clock: no answer from {url}: {e}")),
    };
    let Some(date) = rsp
        .headers()
        .get("date")
        .and_then(|d| d.to_str().ok())
        .and_then(|d| httpdate::parse_http_date(d).ok())
    else {
        return ok("clock: the service sent no Date header; not checked".into());
    };
    // The Date header has whole seconds: up to 1 s of skew is rounding.
    let skew = match date.duration_since(sent) {
        Ok(ahead) => ahead.as_secs_f64(),
        Err(e) => -e.duration().as_secs_f64(),
    };
    let what = format!("clock: {skew:+.0} s against the service's Date header");
    if skew.abs() > 300.0 {
        fail(format!(
            "{what}; over 5 minutes: SAS and Entra ID tokens are refused, fix this machine's clock (NTP)"
        ))
    } else {
        ok(what)
    }
}

fn ms(d: Duration) -> String {
    format!("{} ms", d.as_millis())
}
