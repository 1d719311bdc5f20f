//! Decoding an image within the limits of [`crate::tui::picture`], and fitting it to the
//! preview pane. CPU-heavy: callers run these on a blocking thread, never in `update`.

use crate::tui::picture::{Fitted, ImageInfo, MAX_DECODE_ALLOC, MAX_PIXELS};
use image::{DynamicImage, ImageFormat, ImageReader, Limits};
use ratatui::layout::Rect;
use ratatui_image::picker::Picker;
use ratatui_image::Resize;
use std::io::Cursor;
use std::sync::Arc;

/// The image format of a file from its first bytes, if it is one batchout previews.
pub fn format_of(head: &[u8]) -> Option<ImageFormat> {
    let f = image::guess_format(head).ok()?;
    matches!(
        f,
        ImageFormat::Png
            | ImageFormat::Jpeg
            | ImageFormat::Gif
            | ImageFormat::Bmp
            | ImageFormat::WebP
    )
    .then_some(f)
}

fn format_name(f: ImageFormat) -> &'static str {
    match f {
        ImageFormat::Png => "PNG",
        ImageFormat::Jpeg => "JPEG",
        ImageFormat::Gif => "GIF",
        ImageFormat::Bmp => "BMP",
        ImageFormat::WebP => "WebP",
        _ => "image",
    }
}

/// Decode a whole image file (a GIF's first frame). The header's dimensions are checked
/// against [`MAX_PIXELS`] before the pixels are allocated; the decoder is held to
/// [`MAX_DECODE_ALLOC`]. Errors are one line, for the screen.
pub fn decode(data: &[u8]) -> Result<(DynamicImage, ImageInfo), String> {
    let reader = || {
        ImageReader::new(Cursor::new(data))
            .with_guessed_format()
            .map_err(|e| format!("cannot read the image: {e}"))
    };
    let format = reader()?
        .format()
        .ok_or_else(|| "not an image format batchout knows".to_string())?;
    let (width, height) = reader()?
        .into_dimensions()
        .map_err(|e| format!("corrupt {} header: {e}", format_name(format)))?;
    let pixels = width as u64 * height as u64;
    if pixels > MAX_PIXELS {
        return Err(format!(
            "not decoded: the {} says it is {width} x {height} pixels ({} megapixels); \
             previews decode at most {} megapixels (a larger image may be a decompression bomb)",
            format_name(format),
            pixels / 1_000_000,
            MAX_PIXELS / 1_000_000
        ));
    }
    let mut r = reader()?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    r.limits(limits);
    let img = r
        .decode()
        .map_err(|e| crate::text::one_line(&format!("corrupt {}: {e}", format_name(format))))?;
    let info = ImageInfo {
        width,
        height,
        format: format_name(format),
        bytes: data.len() as u64,
    };
    Ok((img, info))
}

/// The image resized and encoded to fill at most `cells` (columns, rows) of the terminal,
/// keeping its aspect ratio (never enlarged past its own size).
pub fn fit(picker: &Picker, img: &DynamicImage, cells: (u16, u16)) -> Result<Fitted, String> {
    let (cols, rows) = (cells.0.max(1), cells.1.max(1));
    let (fw, fh) = picker.font_size();
    // Shrink to the pane's pixel size first (fast, and the protocol then copies a small
    // image rather than the full frame).
    let (pw, ph) = (cols as u32 * fw as u32, rows as u32 * fh as u32);
    let small = if img.width() > pw || img.height() > ph {
        img.thumbnail(pw, ph)
    } else {
        img.clone()
    };
    let protocol = picker
        .new_protocol(small, Rect::new(0, 0, cols, rows), Resize::Fit(None))
        .map_err(|e| format!("cannot draw the image: {e}"))?;
    Ok(Fitted {
        protocol: Arc::new(protocol),
        cells,
    })
}
