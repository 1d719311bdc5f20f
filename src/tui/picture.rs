//! Images in the preview pane: how they are drawn (`--images`), the safety limits, and the
//! decoded image and its drawing as they travel in Msgs (shared by the preview worker,
//! `update` and the view). Decoding and fitting happen in `workers/image.rs`, never in
//! `update` or a view.

use image::DynamicImage;
use ratatui_image::picker::{Picker, ProtocolType};
use ratatui_image::protocol::Protocol;
use std::sync::Arc;

/// The most bytes read from storage to preview one image (a larger file is refused, with
/// this reason on screen).
pub const MAX_IMAGE_BYTES: u64 = 32 * 1024 * 1024;
/// The most pixels an image may claim (its header is read first, before any large
/// allocation): 40 megapixels holds an 8K frame; a 60,000 x 60,000 "bomb" is refused.
pub const MAX_PIXELS: u64 = 40_000_000;
/// The most memory the decoder may allocate for one image.
pub const MAX_DECODE_ALLOC: u64 = 512 * 1024 * 1024;

/// How images are drawn (`--images`, `$BATCHOUT_IMAGES`, the config file's `image`).
pub use crate::config::ImageMode;

/// The drawer for `mode` (None: images off). Call before the event loop.
///
/// `Auto` asks the terminal on stdio which graphics protocol it speaks and its cell size in
/// pixels, except inside tmux or screen: there a query the multiplexer does not pass on is
/// never answered, and the probe's reading thread would then swallow the user's first keys,
/// so half blocks are used without asking. A forced protocol is used as asked (inside tmux
/// it needs `allow-passthrough on`), with a nominal 10 x 20 pixel cell.
pub fn picker(mode: ImageMode) -> Option<Picker> {
    let forced = match mode {
        ImageMode::Off => return None,
        ImageMode::Halfblocks => return Some(Picker::halfblocks()),
        ImageMode::Auto if in_multiplexer() => return Some(Picker::halfblocks()),
        ImageMode::Auto => {
            return Some(Picker::from_query_stdio().unwrap_or_else(|_| Picker::halfblocks()))
        }
        ImageMode::Kitty => ProtocolType::Kitty,
        ImageMode::Sixel => ProtocolType::Sixel,
        ImageMode::Iterm2 => ProtocolType::Iterm2,
    };
    let mut p = Picker::halfblocks();
    p.set_protocol_type(forced);
    Some(p)
}

/// Inside tmux or GNU screen (their own variables, or the TERM they set).
fn in_multiplexer() -> bool {
    let set = |v: &str| std::env::var_os(v).is_some_and(|s| !s.is_empty());
    let term = std::env::var("TERM").unwrap_or_default();
    set("TMUX") || set("STY") || term.starts_with("screen") || term.starts_with("tmux")
}

/// What the header says about an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageInfo {
    pub width: u32,
    pub height: u32,
    /// PNG, JPEG, GIF, BMP, WebP.
    pub format: &'static str,
    pub bytes: u64,
}

/// A decoded image, shared (not copied) between the worker and the state so a resize can
/// fit it again without reading it again.
#[derive(Clone)]
pub struct Picture(pub Arc<DynamicImage>);

impl std::fmt::Debug for Picture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Picture({}x{})", self.0.width(), self.0.height())
    }
}

impl PartialEq for Picture {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// An image resized and encoded for the terminal, for a pane of `cells` (columns, rows).
#[derive(Clone)]
pub struct Fitted {
    pub protocol: Arc<Protocol>,
    pub cells: (u16, u16),
}

impl std::fmt::Debug for Fitted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Fitted({:?})", self.cells)
    }
}

impl PartialEq for Fitted {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.protocol, &other.protocol)
    }
}
