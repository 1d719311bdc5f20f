//! The preview of one file: scrolling, filtering lines, head or tail.

use super::{filter, list_step, Cx, Nav};
use crate::text::encoding::{self, TextEncoding};
use crate::text::sniff::{looks_binary, text_lines};
use crate::tui::layout;
use crate::tui::msg::Msg;
use crate::tui::requests::preview::{Chunk, FitRequest, Part, PreviewMsg, PreviewRequest};
use crate::tui::requests::RequestKind;
use crate::tui::state::preview::MAX_LINE_CHARS;
use crate::tui::state::{Body, ImageBody, PreviewState, TextBody};
use crate::tui::Action;

/// Columns moved by one sideways step.
pub const HSTEP: usize = 8;

pub fn action(s: &mut PreviewState, cx: &mut Cx, a: Action) {
    let height = layout::preview_height(cx.size);
    if let Some(changed) = filter::edit(&mut s.filter, a) {
        if changed {
            s.refilter();
        }
        return;
    }
    if let Some(step) = list_step(a, height) {
        s.scroll = s.scroll.saturating_add_signed(step);
        s.clamp_scroll(height);
        return;
    }
    match a {
        Action::Left => s.hscroll = s.hscroll.saturating_sub(HSTEP),
        Action::Right => s.hscroll += HSTEP,
        Action::Back => cx.nav = Some(Nav::Pop),
        Action::ToggleTail => {
            s.part = match s.part {
                Part::Head => Part::Tail,
                Part::Tail => Part::Head,
            };
            s.body = Body::Loading;
            s.scroll = 0;
            s.hscroll = 0;
            read(s, cx);
        }
        Action::Refresh => read(s, cx),
        Action::Follow => super::log::open_preview_file(s, cx),
        Action::Encoding => {
            // Cycle: detected → each encoding forced in turn → detected again.
            s.forced = match s.forced {
                None => Some(encoding::ALL[0]),
                Some(e) if e.next() == encoding::ALL[0] => None,
                Some(e) => Some(e.next()),
            };
            if let Some(chunk) = &s.chunk {
                s.body = decode(chunk, s.part, s.forced);
                s.refilter();
                s.clamp_scroll(height);
            }
        }
        _ => {}
    }
}

fn read(s: &mut PreviewState, cx: &mut Cx) {
    cx.cancel(s.loading.take());
    s.loading = Some(cx.request(RequestKind::Preview(PreviewRequest {
        container: s.container.clone(),
        blob: s.blob.clone(),
        part: s.part,
        max: cx.preview_bytes,
        cells: layout::preview_cells(cx.size),
    })));
}

/// The terminal was resized: an image is fitted again to the new pane (by the worker; the
/// old drawing stays until the new one arrives).
pub fn resized(s: &mut PreviewState, cx: &mut Cx) {
    s.clamp_scroll(layout::preview_height(cx.size));
    let cells = layout::preview_cells(cx.size);
    if let Body::Image(img) = &mut s.body {
        if img.fitted.cells != cells {
            cx.cancel(img.refitting.take());
            img.refitting = Some(cx.request(RequestKind::Fit(FitRequest {
                picture: img.picture.clone(),
                cells,
            })));
        }
    }
}

pub fn msg(s: &mut PreviewState, cx: &mut Cx, m: Msg) {
    let height = layout::preview_height(cx.size);
    // A fit answers the image, not the read.
    if let Body::Image(img) = &mut s.body {
        if img.refitting == Some(m.id()) {
            img.refitting = None;
            if let Msg::Preview {
                msg: PreviewMsg::Fitted(f),
                ..
            } = m
            {
                img.fitted = f;
            }
            return;
        }
    }
    s.loading = None;
    match m {
        Msg::Preview {
            msg:
                PreviewMsg::Image {
                    info,
                    picture,
                    fitted,
                },
            ..
        } => {
            s.chunk = None;
            s.body = Body::Image(ImageBody {
                info,
                picture,
                fitted,
                refitting: None,
            });
            // Resized while it was decoding: fit it again.
            resized(s, cx);
        }
        Msg::Preview {
            msg: PreviewMsg::ImageRefused { reason, chunk },
            ..
        } => {
            s.body = Body::Binary {
                data: chunk.data.clone(),
                start: chunk.start,
                total: chunk.total,
                notice: Some(crate::text::sanitize(&reason).into_owned()),
            };
            s.refilter();
            s.scroll = 0;
            s.chunk = Some(chunk);
        }
        Msg::Preview {
            msg: PreviewMsg::Read(chunk),
            ..
        } => {
            // A reload (`r`) of the head keeps the place; a tail opens at its end.
            let kept = s.scroll;
            s.body = decode(&chunk, s.part, s.forced);
            s.chunk = Some(chunk);
            s.refilter();
            s.scroll = if s.part == Part::Tail {
                usize::MAX
            } else {
                kept
            };
            if let Some((line, context)) = s.goto.take() {
                goto(s, cx, line, context);
            }
            s.clamp_scroll(height);
        }
        Msg::Failed { error, .. } => {
            s.body = Body::Failed(crate::text::sanitize(&error).into_owned())
        }
        _ => {}
    }
}

/// Scroll to a search result's line, or say it lies past what was read.
fn goto(s: &mut PreviewState, cx: &mut Cx, line: usize, context: usize) {
    match &s.body {
        Body::Text(t) if t.start == 0 && line < t.lines.len() => {
            s.scroll = line.saturating_sub(context)
        }
        Body::Text(_) => {
            cx.error = Some(format!(
                "line {} is past the part previewed (t shows the tail, f follows the file)",
                line + 1
            ))
        }
        _ => {}
    }
}

/// Bytes read from a blob to what the preview shows, in the `forced` encoding or the one
/// detected. A tail starts at the first full line.
pub fn decode(chunk: &Chunk, part: Part, forced: Option<TextEncoding>) -> Body {
    let mut data = &chunk.data[..];
    let mut start = chunk.start;
    let enc = forced.unwrap_or_else(|| encoding::detect_at(data, start));
    // Text with a mark or in UTF-16 is text even with NULs; otherwise sniff for binary.
    let marked = forced.is_some() || enc.is_utf16() || enc == TextEncoding::Utf8Bom;
    if !marked && looks_binary(data) {
        return Body::Binary {
            data: chunk.data.clone(),
            start: chunk.start,
            total: chunk.total,
            notice: None,
        };
    }
    // UTF-16 read from an odd offset: its first byte is half a code unit.
    if enc.is_utf16() && start % 2 == 1 && !data.is_empty() {
        data = &data[1..];
        start += 1;
    }
    let mid_line = part == Part::Tail && start > 0;
    let (skip, lines) = text_lines(data, enc, mid_line, MAX_LINE_CHARS);
    Body::Text(TextBody {
        lines,
        start: start + skip as u64,
        end: start + data.len() as u64,
        total: chunk.total,
        encoding: enc,
        forced: forced.is_some(),
    })
}
