//! The preview of one file: scrolling, filtering lines, head or tail.

use super::{filter, list_step, Cx, Nav};
use crate::text::sniff::{looks_binary, text_lines};
use crate::tui::layout;
use crate::tui::msg::Msg;
use crate::tui::requests::preview::{Chunk, Part, PreviewMsg, PreviewRequest};
use crate::tui::requests::RequestKind;
use crate::tui::state::preview::MAX_LINE_CHARS;
use crate::tui::state::{Body, PreviewState, TextBody};
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
    })));
}

pub fn msg(s: &mut PreviewState, cx: &mut Cx, m: Msg) {
    let height = layout::preview_height(cx.size);
    s.loading = None;
    match m {
        Msg::Preview {
            msg: PreviewMsg::Read(chunk),
            ..
        } => {
            // A reload (`r`) of the head keeps the place; a tail opens at its end.
            let kept = s.scroll;
            s.body = decode(&chunk, s.part);
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

/// Bytes read from a blob to what the preview shows. A tail starts at the first full line.
pub fn decode(chunk: &Chunk, part: Part) -> Body {
    let data = &chunk.data[..];
    if looks_binary(data) {
        return Body::Binary {
            data: chunk.data.clone(),
            start: chunk.start,
            total: chunk.total,
        };
    }
    let mid_line = part == Part::Tail && chunk.start > 0;
    let (skip, lines) = text_lines(data, mid_line, MAX_LINE_CHARS);
    Body::Text(TextBody {
        lines,
        start: chunk.start + skip as u64,
        end: chunk.start + data.len() as u64,
        total: chunk.total,
    })
}
