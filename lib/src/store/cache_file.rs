//! The binary caches kept in `.git/` (records, history, fixes). Every
//! cache is an optimisation, never the truth, and cannot lie:
//!
//! - each file is framed with a fingerprint (this crate's version, the
//!   cache's kind and format version) and a key naming everything that can
//!   make its content wrong (the records directory; for the history,
//!   `.git/shallow`, grafts and replace refs);
//! - a CRC-32 over the whole file catches flipped bits and torn writes;
//! - anything that does not match is ignored and rebuilt, never trusted;
//! - writes are atomic (`fsio::atomic_write`), so a reader sees the old
//!   file or the new one.
//!
//! Frame: `DPMC` · kind (4 bytes) · format (u32) · crate version (u16
//! length + bytes) · key (u32 length + bytes) · payload (u64 length +
//! bytes) · CRC-32 of all of the above (u32). Little-endian.

use std::path::Path;

const MAGIC: &[u8; 4] = b"DPMC";

/// What a cache file must match to be used.
pub struct Fingerprint<'a> {
    pub kind: &'a [u8; 4],
    pub format: u32,
    pub key: &'a [u8],
}

fn header(f: &Fingerprint<'_>) -> Vec<u8> {
    let version = env!("CARGO_PKG_VERSION").as_bytes();
    let mut out = Vec::with_capacity(32 + f.key.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(f.kind);
    out.extend_from_slice(&f.format.to_le_bytes());
    out.extend_from_slice(&(version.len() as u16).to_le_bytes());
    out.extend_from_slice(version);
    out.extend_from_slice(&(f.key.len() as u32).to_le_bytes());
    out.extend_from_slice(f.key);
    out
}

/// Replaces the cache at `path` with `payload` (the concatenated parts,
/// written as they are: never copied into one buffer).
pub fn write(path: &Path, f: &Fingerprint<'_>, parts: &[&[u8]]) -> std::io::Result<()> {
    let len: usize = parts.iter().map(|p| p.len()).sum();
    let mut head = header(f);
    head.extend_from_slice(&(len as u64).to_le_bytes());
    let mut crc = crc32fast::Hasher::new();
    crc.update(&head);
    for p in parts {
        crc.update(p);
    }
    let crc = crc.finalize().to_le_bytes();
    let mut all: Vec<&[u8]> = Vec::with_capacity(parts.len() + 2);
    all.push(&head);
    all.extend_from_slice(parts);
    all.push(&crc);
    crate::fsio::atomic_write_parts(
        path,
        &all,
        crate::fsio::Durability::Cached,
        crate::fsio::Temp::Random,
    )
}

/// The payload of the cache at `path`, if the file is whole and was made
/// by this version for this key; `None` otherwise (missing, damaged,
/// stale, foreign), and the caller rebuilds.
pub fn read(path: &Path, f: &Fingerprint<'_>) -> Option<Payload> {
    let bytes = std::fs::read(path).ok()?;
    payload_of(Bytes::Read(bytes), f)
}

/// [`read`], with the file mapped into memory rather than copied: for
/// the record caches (tens of MB), whose pages are then the page
/// cache's own (no fresh memory to clear and fill) and can be let go
/// of as they are decoded ([`Payload::let_go`]).
pub fn map(path: &Path, f: &Fingerprint<'_>) -> Option<Payload> {
    let file = std::fs::File::open(path).ok()?;
    // SAFETY: the mapping is read only, and every cache file is replaced
    // by a rename (`fsio::atomic_write_parts`), never written or
    // truncated in place, so the mapped bytes never change under us.
    // (Someone truncating it by hand during a read would stop it with
    // SIGBUS: a trade-off grep-like tools make too.)
    match unsafe { memmap2::Mmap::map(&file) } {
        Ok(mapped) => payload_of(Bytes::Mapped(mapped), f),
        // An empty file cannot be mapped; nor can some file systems'.
        Err(_) => read(path, f),
    }
}

/// A cache file's bytes: read into memory, or mapped.
#[derive(Debug)]
enum Bytes {
    Read(Vec<u8>),
    Mapped(memmap2::Mmap),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Read(v) => v,
            Bytes::Mapped(m) => m,
        }
    }
}

/// A cache file's payload: the file's bytes seen past the header and
/// before the checksum. Not copied out: a record cache is tens of MB.
#[derive(Debug)]
pub struct Payload {
    bytes: Bytes,
    range: std::ops::Range<usize>,
}

impl Default for Payload {
    fn default() -> Payload {
        Vec::new().into()
    }
}

impl From<Vec<u8>> for Payload {
    /// All of `bytes` as a payload (for tests of decoders).
    fn from(bytes: Vec<u8>) -> Payload {
        let range = 0..bytes.len();
        Payload {
            bytes: Bytes::Read(bytes),
            range,
        }
    }
}

impl std::ops::Deref for Payload {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.bytes[self.range.clone()]
    }
}

impl PartialEq for Payload {
    fn eq(&self, other: &Payload) -> bool {
        **self == **other
    }
}

impl Payload {
    /// Tells the kernel this process is done with `range` of the payload
    /// for now: a mapped file's pages leave its resident memory (they stay
    /// in the page cache, and are mapped again if touched again, with the
    /// same bytes). So a read of 100k records never holds the whole cache
    /// and everything decoded from it at once. Nothing for bytes read.
    pub fn let_go(&self, range: std::ops::Range<usize>) {
        let Bytes::Mapped(mapped) = &self.bytes else {
            return;
        };
        let (start, end) = (self.range.start + range.start, self.range.start + range.end);
        if start >= end || end > self.range.end {
            return;
        }
        // SAFETY: DontNeed on a read-only shared file mapping only drops
        // this process's page table entries; a later access reads the
        // file's unchanged bytes again. No reference is invalidated.
        let _ = unsafe {
            mapped.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, start, end - start)
        };
    }
}

fn payload_of(bytes: Bytes, f: &Fingerprint<'_>) -> Option<Payload> {
    let expected = header(f);
    let body_len = bytes.len().checked_sub(4)?;
    let crc = u32::from_le_bytes(bytes[body_len..].try_into().ok()?);
    if crc32fast::hash(&bytes[..body_len]) != crc || !bytes.starts_with(&expected) {
        return None;
    }
    let at = expected.len();
    let len = u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?) as usize;
    if at.checked_add(8)?.checked_add(len)? != body_len {
        return None;
    }
    Some(Payload {
        bytes,
        range: at + 8..body_len,
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    const F: Fingerprint<'static> = Fingerprint {
        kind: b"TEST",
        format: 3,
        key: b"postmortems",
    };

    fn framed(payload: &[u8]) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c");
        write(&path, &F, &[&payload[..2], &payload[2..]]).unwrap();
        assert_eq!(read(&path, &F).as_deref(), Some(payload));
        let mapped = map(&path, &F).unwrap();
        assert_eq!(&*mapped, payload);
        mapped.let_go(0..payload.len());
        assert_eq!(&*mapped, payload, "pages let go read back the same");
        std::fs::read(&path).unwrap()
    }

    #[test]
    fn every_flipped_bit_and_every_cut_is_refused() {
        let bytes = framed(b"some cached payload");
        for i in 0..bytes.len() {
            for bit in 0..8 {
                let mut b = bytes.clone();
                b[i] ^= 1 << bit;
                assert_eq!(
                    payload_of(Bytes::Read(b), &F),
                    None,
                    "flip at {i}.{bit} accepted"
                );
            }
            assert_eq!(
                payload_of(Bytes::Read(bytes[..i].to_vec()), &F),
                None,
                "cut at {i}"
            );
        }
    }

    #[test]
    fn another_key_kind_or_format_is_refused() {
        let bytes = framed(b"payload");
        for other in [
            Fingerprint {
                key: b"elsewhere",
                ..F
            },
            Fingerprint { kind: b"TESU", ..F },
            Fingerprint { format: 4, ..F },
        ] {
            assert_eq!(payload_of(Bytes::Read(bytes.clone()), &other), None);
        }
    }
}
