//! Which character encoding a log is written in, and decoding it (whole or read by read).
//!
//! Windows nodes write logs in UTF-16 (PowerShell's `>`, .NET's `Encoding.Unicode`) or in a
//! legacy code page; tools elsewhere write UTF-8, sometimes with a BOM. Detection looks at a
//! byte-order mark first, then at where NUL bytes fall (ASCII text in UTF-16 has a NUL in
//! every other byte), then at whether the bytes are valid UTF-8; anything else is taken as
//! Windows-1252, the usual Western code page. Decoding is encoding_rs's, whose `Decoder`
//! keeps a code unit or character split between two reads for the next one. Pure: no I/O.

/// A text encoding batchout can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextEncoding {
    Utf8,
    /// UTF-8 starting with EF BB BF (the mark is not shown).
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    Windows1252,
}

/// The encodings a user can force, in the order the forcing key cycles through them (UTF-8
/// with a BOM decodes as UTF-8).
pub const ALL: [TextEncoding; 4] = [
    TextEncoding::Utf8,
    TextEncoding::Utf16Le,
    TextEncoding::Utf16Be,
    TextEncoding::Windows1252,
];

/// How many bytes detection looks at.
const SAMPLE: usize = 4096;

impl TextEncoding {
    /// The name shown on the status bar.
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8Bom => "UTF-8 BOM",
            TextEncoding::Utf16Le => "UTF-16LE",
            TextEncoding::Utf16Be => "UTF-16BE",
            TextEncoding::Windows1252 => "Windows-1252",
        }
    }

    /// Parse a name as a user types it (`utf-16le`, `utf16be`, `cp1252`, `latin1`, ...).
    pub fn parse(s: &str) -> Option<TextEncoding> {
        let n: String = s
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        Some(match n.as_str() {
            "utf8" => TextEncoding::Utf8,
            "utf8bom" | "utf8sig" => TextEncoding::Utf8Bom,
            "utf16" | "utf16le" | "ucs2" | "unicode" => TextEncoding::Utf16Le,
            "utf16be" => TextEncoding::Utf16Be,
            "windows1252" | "cp1252" | "latin1" | "iso88591" => TextEncoding::Windows1252,
            _ => return None,
        })
    }

    /// The next encoding after this one (the forcing key's cycle).
    pub fn next(self) -> TextEncoding {
        let i = ALL.iter().position(|&e| e == self).unwrap_or(0);
        ALL[(i + 1) % ALL.len()]
    }

    pub fn is_utf16(self) -> bool {
        matches!(self, TextEncoding::Utf16Le | TextEncoding::Utf16Be)
    }

    /// The same encoding read from a position one byte off: UTF-16's byte order flips.
    fn shifted(self) -> TextEncoding {
        match self {
            TextEncoding::Utf16Le => TextEncoding::Utf16Be,
            TextEncoding::Utf16Be => TextEncoding::Utf16Le,
            e => e,
        }
    }

    fn encoding_rs(self) -> &'static encoding_rs::Encoding {
        match self {
            TextEncoding::Utf8 | TextEncoding::Utf8Bom => encoding_rs::UTF_8,
            TextEncoding::Utf16Le => encoding_rs::UTF_16LE,
            TextEncoding::Utf16Be => encoding_rs::UTF_16BE,
            TextEncoding::Windows1252 => encoding_rs::WINDOWS_1252,
        }
    }

    /// Length of this encoding's byte-order mark at the start of `data` (0 if none).
    pub fn bom_len(self, data: &[u8]) -> usize {
        let bom: &[u8] = match self {
            TextEncoding::Utf8 | TextEncoding::Utf8Bom => &[0xEF, 0xBB, 0xBF],
            TextEncoding::Utf16Le => &[0xFF, 0xFE],
            TextEncoding::Utf16Be => &[0xFE, 0xFF],
            TextEncoding::Windows1252 => return 0,
        };
        if data.starts_with(bom) {
            bom.len()
        } else {
            0
        }
    }
}

/// The encoding of bytes read at `offset` of a file (a byte-order mark only counts at offset
/// 0; a UTF-16 guess from an odd offset is flipped to the file's real byte order).
pub fn detect_at(data: &[u8], offset: u64) -> TextEncoding {
    if offset == 0 {
        if data.starts_with(&[0xEF, 0xBB, 0xBF]) {
            return TextEncoding::Utf8Bom;
        }
        if data.starts_with(&[0xFF, 0xFE]) {
            return TextEncoding::Utf16Le;
        }
        if data.starts_with(&[0xFE, 0xFF]) {
            return TextEncoding::Utf16Be;
        }
    }
    let sample = &data[..data.len().min(SAMPLE)];
    if let Some(e) = utf16_by_nuls(sample) {
        return if offset % 2 == 1 { e.shifted() } else { e };
    }
    if is_utf8(sample, data.len() > SAMPLE) {
        TextEncoding::Utf8
    } else {
        TextEncoding::Windows1252
    }
}

/// UTF-16 without a mark: text that is mostly ASCII has a NUL in nearly every other byte,
/// on one side only. Random binary data has NULs on both sides (or few), so it is not taken.
fn utf16_by_nuls(sample: &[u8]) -> Option<TextEncoding> {
    let pairs = sample.len() / 2;
    if pairs < 2 {
        return None;
    }
    let (mut even, mut odd) = (0usize, 0usize);
    for p in sample.chunks_exact(2) {
        even += (p[0] == 0) as usize;
        odd += (p[1] == 0) as usize;
    }
    // At least 40% of the units look like ASCII on one side, at most 5% NULs on the other.
    let mostly = |n: usize| n * 10 >= pairs * 4;
    let rarely = |n: usize| n * 20 <= pairs;
    if mostly(odd) && rarely(even) {
        Some(TextEncoding::Utf16Le)
    } else if mostly(even) && rarely(odd) {
        Some(TextEncoding::Utf16Be)
    } else {
        None
    }
}

/// Valid UTF-8, allowing one character cut by the end of a sample or read.
fn is_utf8(sample: &[u8], cut: bool) -> bool {
    match std::str::from_utf8(sample) {
        Ok(_) => true,
        // error_len None: the bytes end inside a character (the rest was not read).
        Err(e) => e.error_len().is_none() && (cut || sample.len() - e.valid_up_to() < 4),
    }
}

/// Decode all of `data` (a byte-order mark is dropped; invalid bytes become U+FFFD).
pub fn decode(data: &[u8], enc: TextEncoding) -> String {
    let mut d = Decoder::new(enc);
    let mut s = d.feed(data);
    s.push_str(&d.finish());
    s
}

/// Decodes a stream read by read: a character or UTF-16 code unit split between two reads
/// is kept until the next one completes it.
pub struct Decoder {
    enc: TextEncoding,
    inner: encoding_rs::Decoder,
}

impl std::fmt::Debug for Decoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decoder").field("enc", &self.enc).finish()
    }
}

impl Decoder {
    /// A decoder for a stream that starts at the beginning of the file (a BOM there is
    /// dropped).
    pub fn new(enc: TextEncoding) -> Self {
        Decoder {
            enc,
            // With BOM removal: a mark for this encoding is dropped, anything else kept.
            inner: enc.encoding_rs().new_decoder_with_bom_removal(),
        }
    }

    pub fn encoding(&self) -> TextEncoding {
        self.enc
    }

    /// Decode the next bytes; an incomplete trailing sequence waits for the next call.
    pub fn feed(&mut self, data: &[u8]) -> String {
        self.run(data, false)
    }

    /// The end of the stream: an incomplete sequence left over becomes U+FFFD.
    pub fn finish(&mut self) -> String {
        self.run(&[], true)
    }

    fn run(&mut self, data: &[u8], last: bool) -> String {
        let cap = self
            .inner
            .max_utf8_buffer_length(data.len())
            .unwrap_or(data.len() * 3 + 16);
        let mut out = String::with_capacity(cap);
        let (_, _, _) = self.inner.decode_to_string(data, &mut out, last);
        out
    }
}

/// One displayed line from a line of text: CRLF's `\r` is a plain line end, and a line
/// rewritten with carriage returns (a progress bar) shows its last state, the way a terminal
/// would have left it (later text overwrites earlier text from the first column).
pub fn last_state(line: &str) -> std::borrow::Cow<'_, str> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    if !line.contains('\r') {
        return std::borrow::Cow::Borrowed(line);
    }
    let mut screen: Vec<char> = Vec::new();
    for part in line.split('\r') {
        for (i, c) in part.chars().enumerate() {
            if i < screen.len() {
                screen[i] = c;
            } else {
                screen.push(c);
            }
        }
    }
    std::borrow::Cow::Owned(screen.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect()
    }
    fn utf16be(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(|u| u.to_be_bytes()).collect()
    }

    #[test]
    fn marks_decide_first() {
        assert_eq!(detect_at(b"\xEF\xBB\xBFhi", 0), TextEncoding::Utf8Bom);
        assert_eq!(detect_at(b"\xFF\xFEh\0i\0", 0), TextEncoding::Utf16Le);
        assert_eq!(detect_at(b"\xFE\xFF\0h\0i", 0), TextEncoding::Utf16Be);
        assert_eq!(decode(b"\xEF\xBB\xBFhi", TextEncoding::Utf8Bom), "hi");
        assert_eq!(decode(b"\xFF\xFEh\0i\0", TextEncoding::Utf16Le), "hi");
    }

    #[test]
    fn utf16_without_a_mark_is_found_by_its_nuls() {
        let text = "Rendering frame 1 of 250 — 12%\r\nDone: ünïcode\r\n";
        assert_eq!(detect_at(&utf16le(text), 0), TextEncoding::Utf16Le);
        assert_eq!(detect_at(&utf16be(text), 0), TextEncoding::Utf16Be);
        assert_eq!(decode(&utf16le(text), TextEncoding::Utf16Le), text);
        // Read from an odd offset (a tail), the byte order looks flipped: it is corrected.
        assert_eq!(detect_at(&utf16le(text)[1..], 1001), TextEncoding::Utf16Le);
    }

    #[test]
    fn utf8_and_legacy_bytes() {
        assert_eq!(detect_at("héllo\n".as_bytes(), 0), TextEncoding::Utf8);
        assert_eq!(detect_at(b"plain ascii", 0), TextEncoding::Utf8);
        // A UTF-8 character cut by the end of a read is still UTF-8.
        assert_eq!(detect_at(&"ab é".as_bytes()[..4], 0), TextEncoding::Utf8);
        let cp1252 = b"caf\xe9 \x80 5\n";
        assert_eq!(detect_at(cp1252, 0), TextEncoding::Windows1252);
        assert_eq!(decode(cp1252, TextEncoding::Windows1252), "café € 5\n");
    }

    #[test]
    fn binary_is_not_taken_for_utf16() {
        let noise: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
        assert_ne!(detect_at(&noise, 0), TextEncoding::Utf16Le);
        assert_ne!(detect_at(&noise, 0), TextEncoding::Utf16Be);
    }

    #[test]
    fn a_code_unit_split_between_reads_is_kept_for_the_next() {
        let bytes = utf16le("a€b\n😀\n");
        for cut in 0..bytes.len() {
            let mut d = Decoder::new(TextEncoding::Utf16Le);
            let mut s = d.feed(&bytes[..cut]);
            s.push_str(&d.feed(&bytes[cut..]));
            s.push_str(&d.finish());
            assert_eq!(s, "a€b\n😀\n", "cut at {cut}");
        }
        let utf8 = "é😀".as_bytes();
        let mut d = Decoder::new(TextEncoding::Utf8);
        let mut s = d.feed(&utf8[..1]);
        s.push_str(&d.feed(&utf8[1..3]));
        s.push_str(&d.feed(&utf8[3..]));
        assert_eq!(s, "é😀");
    }

    #[test]
    fn names_parse_and_cycle() {
        assert_eq!(TextEncoding::parse("UTF-16LE"), Some(TextEncoding::Utf16Le));
        assert_eq!(
            TextEncoding::parse("cp1252"),
            Some(TextEncoding::Windows1252)
        );
        assert_eq!(TextEncoding::parse("ebcdic"), None);
        let mut e = TextEncoding::Utf8;
        for _ in 0..ALL.len() {
            e = e.next();
        }
        assert_eq!(e, TextEncoding::Utf8);
    }

    #[test]
    fn carriage_returns_leave_the_last_state() {
        assert_eq!(last_state("plain\r"), "plain");
        assert_eq!(last_state(" 10%\r 50%\r100% done"), "100% done");
        assert_eq!(last_state("long text\rshort"), "shorttext");
    }
}
