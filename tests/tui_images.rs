//! Images and encodings in the preview, through the real app loop (workers on a local store
//! in a temp folder, drawn on a TestBackend): a half-block image at two sizes (fitted again
//! on resize), a decompression bomb and a corrupt file refused with a reason, UTF-16 logs
//! decoded (head, and a tail read from an odd offset), and `e` forcing an encoding.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

#[path = "support/tui.rs"]
mod tui;

use batchout::store::local::LocalStore;
use batchout::store::{PutOptions, Store};
use batchout::tui::requests::preview::{Part, PreviewRequest};
use batchout::tui::state::{Body, PreviewState};
use batchout::tui::update::Cx;
use batchout::tui::{layout, Action, RequestKind, Screen};
use bytes::Bytes;
use ratatui::style::Color;
use std::collections::BTreeMap;
use std::sync::Arc;
use tui::{app, run_until, screen_text, settle, App};

const JOB: &str = "job-images";

async fn store_with(files: &[(&str, Vec<u8>)]) -> (Arc<dyn Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(LocalStore::open(dir.path()).unwrap());
    store.create_container(JOB, &BTreeMap::new()).await.unwrap();
    for (blob, data) in files {
        store
            .put_block_blob(JOB, blob, Bytes::from(data.clone()), &PutOptions::default())
            .await
            .unwrap();
    }
    (store, dir)
}

/// Open `blob`'s preview on top of the job list, as Enter on a file does.
fn open(app: &mut App, blob: &str, part: Part) {
    let state = &mut app.state;
    let mut p = PreviewState::new(
        JOB.into(),
        blob.into(),
        batchout::tui::name::Name::new(blob.rsplit('/').next().unwrap()),
        "task-1 › TaskPreview".into(),
    );
    p.part = part;
    let mut cx = Cx::new(&mut state.requests, state.size, state.preview_bytes);
    p.loading = Some(cx.request(RequestKind::Preview(PreviewRequest {
        container: JOB.into(),
        blob: blob.into(),
        part,
        max: 256 * 1024,
        cells: layout::preview_cells(cx.size),
    })));
    let effects = std::mem::take(&mut cx.effects);
    state.screens.push(Screen::Preview(Box::new(p)));
    state.dirty = true;
    app.workers.run_all(effects);
}

fn preview(app: &App) -> &PreviewState {
    match app.state.screens.last() {
        Some(Screen::Preview(p)) => p.as_ref(),
        _ => panic!("no preview"),
    }
}

async fn opened(app: &mut App, blob: &str, part: Part) {
    open(app, blob, part);
    run_until(app, |s| match s.screens.last() {
        Some(Screen::Preview(p)) => p.loading.is_none() && p.refitting().is_none(),
        _ => false,
    })
    .await;
    app.draw().unwrap();
}

/// A 1600 x 900 test card: red, green, blue and white quadrants.
fn test_card() -> Vec<u8> {
    let img = image::RgbImage::from_fn(1600, 900, |x, y| match (x < 800, y < 450) {
        (true, true) => image::Rgb([255, 0, 0]),
        (false, true) => image::Rgb([0, 255, 0]),
        (true, false) => image::Rgb([0, 0, 255]),
        (false, false) => image::Rgb([255, 255, 255]),
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// The colour of a half-block cell's upper half (`▀` draws it in the foreground, `▄` and
/// a blank in the background).
fn upper(app: &App, x: u16, y: u16) -> Color {
    let cell = &app.terminal.backend().buffer()[(x, y)];
    match cell.symbol() {
        "▀" => cell.fg,
        _ => cell.bg,
    }
}

fn near(c: Color, rgb: (u8, u8, u8)) -> bool {
    match c {
        Color::Rgb(r, g, b) => {
            let d = |a: u8, b: u8| (a as i32 - b as i32).abs();
            d(r, rgb.0) < 40 && d(g, rgb.1) < 40 && d(b, rgb.2) < 40
        }
        _ => false,
    }
}

/// The image's cells: (first column, first row, columns, rows) of half blocks.
fn image_cells(app: &App) -> (u16, u16, u16, u16) {
    let buf = app.terminal.backend().buffer();
    let cells: Vec<(u16, u16)> = (0..buf.area.height)
        .flat_map(|y| (0..buf.area.width).map(move |x| (x, y)))
        .filter(|&(x, y)| matches!(buf[(x, y)].bg, Color::Rgb(..)))
        .collect();
    assert!(
        !cells.is_empty(),
        "no image drawn:\n{}",
        screen_text(app.terminal.backend())
    );
    let x0 = cells.iter().map(|c| c.0).min().unwrap();
    let y0 = cells.iter().map(|c| c.1).min().unwrap();
    let x1 = cells.iter().map(|c| c.0).max().unwrap();
    let y1 = cells.iter().map(|c| c.1).max().unwrap();
    (x0, y0, x1 - x0 + 1, y1 - y0 + 1)
}

/// The screen without its status bar (it names the temp folder, different each run).
fn without_status(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[..lines.len() - 1].join("\n")
}

fn assert_quadrants(app: &App) {
    let (x, y, w, h) = image_cells(app);
    let q = |fx: u16, fy: u16| upper(app, x + w * fx / 4, y + h * fy / 4);
    let shown = format!(
        "{:?}\n{}",
        (x, y, w, h),
        screen_text(app.terminal.backend())
    );
    assert!(
        near(q(1, 1), (255, 0, 0)),
        "top left red: {:?} {shown}",
        q(1, 1)
    );
    assert!(
        near(q(3, 1), (0, 255, 0)),
        "top right green: {:?} {shown}",
        q(3, 1)
    );
    assert!(
        near(q(1, 3), (0, 0, 255)),
        "bottom left blue: {:?}",
        q(1, 3)
    );
    assert!(
        near(q(3, 3), (255, 255, 255)),
        "bottom right white: {:?}",
        q(3, 3)
    );
}

#[tokio::test]
async fn a_png_is_drawn_in_half_blocks_at_80x24_and_160x48_and_fitted_again_on_resize() {
    let blob = "task-1/$TaskPreview/frame.png";
    let (store, _dir) = store_with(&[(blob, test_card())]).await;
    let mut app = app(store, 80, 24, None);
    settle(&mut app).await;
    opened(&mut app, blob, Part::Head).await;
    match &preview(&app).body {
        Body::Image(i) => {
            assert_eq!(
                (i.info.width, i.info.height, i.info.format),
                (1600, 900, "PNG")
            );
        }
        other => panic!("not an image: {other:?}"),
    }
    let text = screen_text(app.terminal.backend());
    assert!(text.contains("frame.png · 1600 x 900 PNG"), "{text}");
    assert!(text.contains("image · 1600 x 900 PNG"), "{text}");
    assert_quadrants(&app);
    // Fitted into the pane's 78 x 21 cells, filling (nearly) one side.
    let small = image_cells(&app);
    assert!(small.2 <= 78 && small.3 <= 21, "{small:?}");
    assert!(
        small.2 * 10 >= 78 * 9 || small.3 * 10 >= 21 * 9,
        "{small:?}"
    );
    insta::assert_snapshot!("image_halfblocks_80x24", without_status(&text));

    // A bigger terminal: the worker fits it again, to the new pane.
    app.handle(batchout::tui::run::UserEvent::Action(Action::Resize {
        width: 160,
        height: 48,
    }));
    app.terminal.backend_mut().resize(160, 48);
    run_until(&mut app, |s| match s.screens.last() {
        Some(Screen::Preview(p)) => p.refitting().is_none(),
        _ => false,
    })
    .await;
    app.draw().unwrap();
    match &preview(&app).body {
        Body::Image(i) => assert_eq!(i.fitted.cells, layout::preview_cells(app.state.size)),
        other => panic!("not an image: {other:?}"),
    }
    assert_quadrants(&app);
    let big = image_cells(&app);
    assert!(big.2 > small.2 && big.3 > small.3, "{small:?} -> {big:?}");
    assert!(big.2 * 10 >= 158 * 9 || big.3 * 10 >= 45 * 9, "{big:?}");
    insta::assert_snapshot!(
        "image_halfblocks_160x48",
        without_status(&screen_text(app.terminal.backend()))
    );
}

/// A PNG whose header claims `w` x `h` pixels, followed by a tiny (truncated) data chunk.
fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc32(&body).to_be_bytes());
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &[0x78, 0x9c, 0x03, 0x00]);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// CRC-32 (IEEE), as PNG chunks carry it.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[tokio::test]
async fn a_decompression_bomb_and_a_corrupt_image_are_refused_with_a_reason_not_a_panic() {
    let bomb = png_claiming(60_000, 60_000);
    assert!(bomb.len() < 100, "the bomb is a small file");
    let mut corrupt = test_card();
    let n = corrupt.len();
    corrupt.truncate(n / 2);
    corrupt.extend_from_slice(&[0xAB; 64]);
    let (store, _dir) = store_with(&[
        ("task-1/$TaskPreview/bomb.png", bomb),
        ("task-1/$TaskPreview/corrupt.png", corrupt),
    ])
    .await;
    let mut app = app(store, 100, 24, None);
    settle(&mut app).await;

    opened(&mut app, "task-1/$TaskPreview/bomb.png", Part::Head).await;
    let text = screen_text(app.terminal.backend());
    assert!(
        text.contains("60000 x 60000 pixels (3600 megapixels)"),
        "{text}"
    );
    assert!(text.contains("decompression bomb"), "{text}");
    assert!(
        text.contains("89 50 4e 47"),
        "its bytes as hex below: {text}"
    );

    app.state.screens.pop();
    opened(&mut app, "task-1/$TaskPreview/corrupt.png", Part::Head).await;
    let text = screen_text(app.terminal.backend());
    assert!(text.contains("corrupt PNG"), "{text}");
    assert!(matches!(
        preview(&app).body,
        Body::Binary {
            notice: Some(_),
            ..
        }
    ));
}

#[tokio::test]
async fn images_off_shows_the_bytes() {
    let blob = "task-1/$TaskPreview/frame.png";
    let (store, _dir) = store_with(&[(blob, test_card())]).await;
    let terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    let state = batchout::tui::AppState::new(&store.describe(), 80, 24);
    let mut app = batchout::tui::run::App::new(terminal, state, |tx| {
        batchout::tui::workers::Workers::new(store, tx).with_images(None)
    });
    settle(&mut app).await;
    opened(&mut app, blob, Part::Head).await;
    assert!(matches!(
        preview(&app).body,
        Body::Binary { notice: None, .. }
    ));
}

fn utf16le(s: &str, bom: bool) -> Vec<u8> {
    let mut out = if bom { vec![0xFF, 0xFE] } else { Vec::new() };
    out.extend(s.encode_utf16().flat_map(|u| u.to_le_bytes()));
    out
}

#[tokio::test]
async fn utf16_logs_are_decoded_head_and_tail_and_e_forces_an_encoding() {
    let log: String = (1..=20_000)
        .map(|i| format!("Frame {i:05} rendered — ünïcödé\r\n"))
        .collect();
    let progress = "Rendering  10%\rRendering  55%\rRendering 100%\r\ndone\r\n";
    let (store, _dir) = store_with(&[
        ("task-1/$TaskLog/stdout.txt", utf16le(&log, true)),
        ("task-1/$TaskLog/progress.txt", utf16le(progress, false)),
    ])
    .await;
    let mut app = app(store, 100, 24, None);
    settle(&mut app).await;

    opened(&mut app, "task-1/$TaskLog/stdout.txt", Part::Head).await;
    let text = screen_text(app.terminal.backend());
    assert!(text.contains("1 Frame 00001 rendered — ünïcödé"), "{text}");
    assert!(
        text.contains("UTF-16LE"),
        "status names the encoding: {text}"
    );
    match &preview(&app).body {
        Body::Text(t) => {
            assert!(t
                .lines
                .iter()
                .all(|l| !l.contains('\r') && !l.contains('\u{FFFD}')));
        }
        other => panic!("{other:?}"),
    }

    // The tail of a 1.3 MB file starts at an odd offset (256 KiB before an even end + 2).
    app.state.screens.pop();
    opened(&mut app, "task-1/$TaskLog/stdout.txt", Part::Tail).await;
    match &preview(&app).body {
        Body::Text(t) => {
            assert_eq!(t.lines.last().unwrap(), "Frame 20000 rendered — ünïcödé");
            assert!(
                t.lines.iter().all(|l| l.starts_with("Frame ")),
                "{:?}",
                &t.lines[..2]
            );
            assert_eq!(t.end, t.total);
        }
        other => panic!("{other:?}"),
    }

    // Without a mark; a progress bar shows its last state.
    app.state.screens.pop();
    opened(&mut app, "task-1/$TaskLog/progress.txt", Part::Head).await;
    match &preview(&app).body {
        Body::Text(t) => assert_eq!(t.lines, ["Rendering 100%", "done"]),
        other => panic!("{other:?}"),
    }
    // `e` forces UTF-8 (the NULs then show as escapes), then cycles back to detection.
    app.handle(batchout::tui::run::UserEvent::Action(Action::Encoding));
    app.draw().unwrap();
    let text = screen_text(app.terminal.backend());
    assert!(text.contains("UTF-8 (forced, e)"), "{text}");
    for _ in 0..4 {
        app.handle(batchout::tui::run::UserEvent::Action(Action::Encoding));
    }
    match &preview(&app).body {
        Body::Text(t) => {
            assert!(!t.forced);
            assert_eq!(t.lines, ["Rendering 100%", "done"]);
        }
        other => panic!("{other:?}"),
    }
}
