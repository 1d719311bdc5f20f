//! The real binary in tmux on a plain xterm-256color terminal (no graphics protocol): a task's
//! TaskPreview PNG opens as coloured half blocks (the terminal probe, `--images auto`, falls
//! back to them), with its size and format in the header; a UTF-16 log opens as text.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and tools: a panic is the failure

mod support;

use batchout::store::local::LocalStore;
use batchout::store::{PutOptions, Store};
use bytes::Bytes;
use std::collections::BTreeMap;
use support::tmux::Tmux;

fn seed(dir: &std::path::Path) {
    let img = image::RgbImage::from_fn(640, 360, |x, _| {
        if x < 320 {
            image::Rgb([255, 0, 0])
        } else {
            image::Rgb([0, 0, 255])
        }
    });
    let mut png = std::io::Cursor::new(Vec::new());
    img.write_to(&mut png, image::ImageFormat::Png).unwrap();
    let mut log = vec![0xFF, 0xFE];
    log.extend(
        "Windows render node: frame 7 done — ünïcödé\r\n"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes()),
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = LocalStore::open(dir).unwrap();
        store
            .create_container("job-pictures", &BTreeMap::new())
            .await
            .unwrap();
        for (blob, data) in [
            ("task-1/$TaskPreview/frame.png", png.into_inner()),
            ("task-1/$TaskPreview/win.log", log),
        ] {
            store
                .put_block_blob(
                    "job-pictures",
                    blob,
                    Bytes::from(data),
                    &PutOptions::default(),
                )
                .await
                .unwrap();
        }
    });
}

#[test]
fn a_png_preview_shows_as_half_blocks_in_tmux_on_xterm_256color() {
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path());
    let bin = env!("CARGO_BIN_EXE_batchout");
    let cmd = format!(
        "TERM=xterm-256color {bin} --store '{}'; echo BATCHOUT-EXIT=$?; sleep 60",
        dir.path().display()
    );
    let tmux = Tmux::start("images-test", 100, 30, &cmd);
    tmux.wait_for("job-pictures");
    tmux.keys(&["Enter"]);
    tmux.wait_for("task-1");
    tmux.keys(&["Enter"]);
    tmux.wait_for("TaskPreview");
    tmux.keys(&["j", "Enter"]);
    tmux.wait_for("win.log");
    tmux.keys(&["Enter"]);
    let shown = tmux.wait_for("frame.png · 640 x 360 PNG");
    assert!(shown.contains("image · 640 x 360 PNG"), "{shown}");
    // The pixels: red on the left, blue on the right, as 24-bit or 256-colour cells.
    let coloured = tmux.run(&["capture-pane", "-p", "-e", "-t", "t"]);
    let red = ["255;0;0", "5;196"].iter().any(|c| coloured.contains(c));
    let blue = ["0;0;255", "5;21"].iter().any(|c| coloured.contains(c));
    assert!(red && blue, "half blocks in colour:\n{coloured}");

    // Back, down to the UTF-16 log.
    tmux.keys(&["Escape", "j", "Enter"]);
    let log = tmux.wait_for("frame 7 done — ünïcödé");
    assert!(log.contains("UTF-16LE"), "{log}");
    tmux.keys(&["q"]);
    tmux.wait_for("BATCHOUT-EXIT=0");
}
