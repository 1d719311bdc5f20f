//! Download scenarios (tests/download_scenarios) on Azurite, the real emulator, plus the
//! `get` binary against it.

mod download_scenarios;
mod support;

use download_scenarios as s;

macro_rules! scenario {
    ($name:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $name() {
            let store = support::azurite::fresh_store();
            s::$name(store, concat!("job-", stringify!($name)).replace('_', "-").as_str()).await;
        }
    };
}

scenario!(layout_integrity_and_rerun);
scenario!(selections_and_globs);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hostile_names() {
    s::hostile_names_with(support::azurite::fresh_store(), "job-hostile", false).await;
}
scenario!(md5_mismatch);
scenario!(cancel_resume_and_change);
scenario!(changed_during_download);
scenario!(cancel_one_transfer);
