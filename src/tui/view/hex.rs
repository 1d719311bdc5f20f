//! Hex dump rows for binary files: `00000010  48 65 6c 6c 6f 20 77 6f  72 6c 64 0a ...  |Hello world.|`.
//! Only printable ASCII appears in the text column, so a dump is always terminal-safe.

use std::fmt::Write;

pub const BYTES_PER_ROW: usize = 16;

pub fn row(offset: u64, bytes: &[u8]) -> String {
    let mut hex = String::with_capacity(50);
    for (i, b) in bytes.iter().enumerate() {
        if i == 8 {
            hex.push(' ');
        }
        let _ = write!(hex, "{b:02x} ");
    }
    let ascii: String = bytes
        .iter()
        .map(|&b| {
            if (0x20..0x7f).contains(&b) {
                b as char
            } else {
                '.'
            }
        })
        .collect();
    format!("{offset:08x}  {hex:<49} |{ascii}|")
}
