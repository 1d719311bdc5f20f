//! Selection, scrolling and filtering shared by every list.

/// Selected row and first visible row, over a list of `len` rows shown `height` at a time.
/// Every method keeps the selection visible, so views can draw from `offset` directly.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    pub selected: usize,
    pub offset: usize,
}

impl Cursor {
    /// Bring selection and offset back into range and the selection into view.
    pub fn clamp(&mut self, len: usize, height: usize) {
        let height = height.max(1);
        if len == 0 {
            *self = Cursor::default();
            return;
        }
        self.selected = self.selected.min(len - 1);
        if self.selected < self.offset {
            self.offset = self.selected;
        }
        if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        self.offset = self.offset.min(len.saturating_sub(height));
    }

    pub fn move_by(&mut self, delta: isize, len: usize, height: usize) {
        self.selected = self.selected.saturating_add_signed(delta);
        self.clamp(len, height);
    }

    pub fn select(&mut self, index: usize, len: usize, height: usize) {
        self.selected = index;
        self.clamp(len, height);
    }

    pub fn to_bottom(&mut self, len: usize, height: usize) {
        self.select(len.saturating_sub(1), len, height);
    }
}

/// A live substring filter typed after `/`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub text: String,
    /// Keys currently go into the filter.
    pub editing: bool,
}

impl Filter {
    /// The lower-cased text to match with [`crate::tui::name::contains_folded`].
    pub fn needle(&self) -> String {
        self.text.to_ascii_lowercase()
    }
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}
