//! Reading and writing the binary caches kept in `.git/` (records, history,
//! fixes, split-index checkpoints). Every cache is an optimisation: a file
//! that does not read back exactly is ignored, and a write goes to a
//! temporary file first and is renamed into place, so a reader sees the old
//! file or the new one, never half of one.

use std::io::Write;
use std::path::Path;

/// Replaces `path` with the concatenation of `parts`.
pub fn replace(path: &Path, parts: &[&[u8]]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    let mut out = std::io::BufWriter::new(tmp.as_file_mut());
    for part in parts {
        out.write_all(part)?;
    }
    out.flush()?;
    drop(out);
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Little-endian fields taken in order; `None` past the end.
pub struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, at: 0 }
    }

    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }

    pub fn u16(&mut self) -> Option<u16> {
        self.array().map(u16::from_le_bytes)
    }

    pub fn u32(&mut self) -> Option<u32> {
        self.array().map(u32::from_le_bytes)
    }

    pub fn u64(&mut self) -> Option<u64> {
        self.array().map(u64::from_le_bytes)
    }

    pub fn i64(&mut self) -> Option<i64> {
        self.array().map(i64::from_le_bytes)
    }

    /// Where the next field starts.
    pub fn offset(&self) -> usize {
        self.at
    }

    /// Everything was read.
    pub fn is_done(&self) -> bool {
        self.at == self.bytes.len()
    }
}
