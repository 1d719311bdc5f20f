//! Positioned reads of a shared file (no seek, so uploads and hashers can read one open
//! file at once): `pread` on unix, `seek_read` in a loop on Windows, where Batch nodes run too.

use std::fs::File;
use std::io;

/// Fill `buf` from `offset`; a file shorter than that is `UnexpectedEof`.
#[cfg(unix)]
pub fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

/// Fill `buf` from `offset`; a file shorter than that is `UnexpectedEof`.
#[cfg(windows)]
pub fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !buf.is_empty() {
        let n = file.seek_read(buf, offset)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        buf = &mut buf[n..];
        offset += n as u64;
    }
    Ok(())
}

/// Feed bytes `[start, end)` of `file` to `md5`, one `buf` at a time (so memory is the
/// buffer whatever the range). Uploads and download checks both hash this way.
pub fn hash_range(
    file: &File,
    start: u64,
    end: u64,
    md5: &mut md5::Md5,
    buf: &mut [u8],
) -> io::Result<()> {
    use md5::Digest;
    let mut at = start;
    while at < end {
        let n = (buf.len() as u64).min(end - at) as usize;
        read_exact_at(file, &mut buf[..n], at)?;
        md5.update(&buf[..n]);
        at += n as u64;
    }
    Ok(())
}
