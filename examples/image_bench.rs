//! Image preview benchmark (README "Images and encodings"): time to the first image on
//! screen for a 4K PNG of about 8 MiB (read from the local store, decode, resize, draw in
//! half blocks at 160x48 through the real workers and loop), the same steps timed one by one,
//! and the process's peak memory and CPU time.
//!
//! Usage: image_bench [--runs N]
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

use batchout::store::{local::LocalStore, PutOptions, Store};
use batchout::tui::requests::preview::{Part, PreviewRequest};
use batchout::tui::run::App;
use batchout::tui::state::{Body, PreviewState};
use batchout::tui::update::Cx;
use batchout::tui::workers::{image as img, Workers};
use batchout::tui::{layout, AppState, RequestKind, Screen};
use bytes::Bytes;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

const JOB: &str = "job-image-bench";
const BLOB: &str = "frame-0001/$TaskPreview/frame_4k.png";

/// A 3840 x 2160 frame: gradients with per-pixel noise, so it compresses to about 8 MiB, as
/// a real 4K render does.
fn frame() -> Vec<u8> {
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let img = image::RgbImage::from_fn(3840, 2160, |x, y| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let n = (seed & 0x01) as u8;
        image::Rgb([
            (x * 255 / 3840) as u8 ^ n,
            (y * 255 / 2160) as u8 ^ (n >> 1),
            ((x + y) % 256) as u8 ^ (n << 1),
        ])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn cpu_seconds() -> f64 {
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let t = |v: libc::timeval| v.tv_sec as f64 + v.tv_usec as f64 / 1e6;
    t(u.ru_utime) + t(u.ru_stime)
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let runs: usize = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(LocalStore::open(dir.path()).unwrap());
    let png = frame();
    println!(
        "test image: 3840 x 2160 PNG, {:.1} MiB",
        png.len() as f64 / 1048576.0
    );
    store.create_container(JOB, &BTreeMap::new()).await.unwrap();
    store
        .put_block_blob(JOB, BLOB, Bytes::from(png.clone()), &PutOptions::default())
        .await
        .unwrap();
    let rss_before = peak_rss_mib();

    // The steps one by one (what the worker does, then the draw).
    let picker = ratatui_image::picker::Picker::halfblocks();
    let t = Instant::now();
    let (decoded, _) = img::decode(&png).unwrap();
    let decode = t.elapsed();
    let t = Instant::now();
    let fitted = img::fit(&picker, &decoded, (158, 45)).unwrap();
    let fit = t.elapsed();
    let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
    let t = Instant::now();
    term.draw(|f| {
        f.render_widget(
            ratatui_image::Image::new(&fitted.protocol),
            f.area().inner(ratatui::layout::Margin::new(1, 1)),
        )
    })
    .unwrap();
    let draw = t.elapsed();
    drop(decoded);
    println!(
        "steps: decode {:.0} ms, resize+encode {:.0} ms, draw {:.1} ms",
        decode.as_secs_f64() * 1e3,
        fit.as_secs_f64() * 1e3,
        draw.as_secs_f64() * 1e3
    );

    // End to end through the loop: open the preview, until the image is on screen.
    for run in 1..=runs {
        let terminal = Terminal::new(TestBackend::new(160, 48)).unwrap();
        let state = AppState::new(&store.describe(), 160, 48);
        let s = store.clone();
        let mut app = App::new(terminal, state, |tx| {
            Workers::new(s, tx).with_images(Some(ratatui_image::picker::Picker::halfblocks()))
        });
        let cpu = cpu_seconds();
        let start = Instant::now();
        let st = &mut app.state;
        let mut p = PreviewState::new(
            JOB.into(),
            BLOB.into(),
            batchout::tui::name::Name::new("frame_4k.png"),
            "frame-0001 › TaskPreview".into(),
        );
        let mut cx = Cx::new(&mut st.requests, st.size, st.preview_bytes);
        p.loading = Some(cx.request(RequestKind::Preview(PreviewRequest {
            container: JOB.into(),
            blob: BLOB.into(),
            part: Part::Head,
            max: 256 * 1024,
            cells: layout::preview_cells(cx.size),
        })));
        let effects = std::mem::take(&mut cx.effects);
        st.screens.push(Screen::Preview(Box::new(p)));
        st.dirty = true;
        app.workers.run_all(effects);
        let shown = |s: &AppState| matches!(s.screens.last(), Some(Screen::Preview(p)) if matches!(p.body, Body::Image(_)));
        app.run_until(futures::stream::pending(), shown)
            .await
            .unwrap();
        app.draw().unwrap();
        println!(
            "run {run}: first image on screen after {:.0} ms (CPU {:.2} s)",
            start.elapsed().as_secs_f64() * 1e3,
            cpu_seconds() - cpu
        );
    }
    println!(
        "peak RSS: {:.0} MiB (before previewing: {:.0} MiB, with the encoded PNG in memory)",
        peak_rss_mib(),
        rss_before
    );
}
