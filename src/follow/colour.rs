//! The colours of followed logs' prefixes, as plain data: both front ends take a source's
//! colour index ([`super::merged::SourceInfo::colour`], its order of appearance) through
//! [`source_colour`] and map the named colour to their terminal once (`batchout tail`:
//! ANSI codes; the TUI: ratatui colours), so the same log has the same colour in both.

/// A terminal's basic colours, in the order sources get them (like stern).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceColour {
    Cyan,
    Magenta,
    Yellow,
    Green,
    Blue,
    Red,
}

const ORDER: [SourceColour; 6] = [
    SourceColour::Cyan,
    SourceColour::Magenta,
    SourceColour::Yellow,
    SourceColour::Green,
    SourceColour::Blue,
    SourceColour::Red,
];

/// The colour of the source with this index (the palette repeats).
pub fn source_colour(index: usize) -> SourceColour {
    ORDER[index % ORDER.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_of_appearance_then_repeats() {
        assert_eq!(source_colour(0), SourceColour::Cyan);
        assert_eq!(source_colour(5), SourceColour::Red);
        assert_eq!(source_colour(6), SourceColour::Cyan);
    }
}
