//! Checkpoints into a split index's shared file, kept in `.git/`.
//!
//! The shared file holds every entry (100k in a big repository, 20 MB) in
//! path order, but entries have no fixed size, so finding one path means
//! walking the entries before it: a millisecond or two per commit, most of
//! what a commit costs there. The file never changes (its name is its
//! checksum), so the offset of every `EVERY`-th entry is worked out once
//! and kept here; a lookup is then a binary search over the checkpoints
//! and a walk of at most `EVERY` entries. Keyed by the shared file's name,
//! checked for shape on reading, and safe to delete at any time.

use std::path::{Path, PathBuf};

const MAGIC: &[u8; 4] = b"DPMS";
const VERSION: u32 = 1;
/// Entries between checkpoints: 64 makes the file 6 KB for 100k entries.
pub const EVERY: usize = 64;

fn cache_path(shared: &Path) -> PathBuf {
    shared.with_file_name("devops-postmortem-split.cache")
}

fn shared_name(shared: &Path) -> &[u8] {
    shared.file_name().map_or(&[][..], |n| n.as_encoded_bytes())
}

/// The checkpoints for `shared` (`count` entries in `len` bytes), if the
/// cache holds them and they are plausible: one per `EVERY` entries, the
/// first at the first entry, rising, inside the file.
pub fn read(shared: &Path, count: usize, len: usize) -> Option<Vec<u32>> {
    let bytes = std::fs::read(cache_path(shared)).ok()?;
    let name = shared_name(shared);
    let header = 4 + 4 + 2 + name.len() + 4;
    if bytes.len() < header
        || &bytes[..4] != MAGIC
        || bytes[4..8] != VERSION.to_le_bytes()
        || bytes[8..10] != (name.len() as u16).to_le_bytes()
        || &bytes[10..10 + name.len()] != name
    {
        return None;
    }
    let n = u32::from_le_bytes(bytes[header - 4..header].try_into().ok()?) as usize;
    if n != count.div_ceil(EVERY) || bytes.len() != header + 4 * n {
        return None;
    }
    let offsets: Vec<u32> = bytes[header..]
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")))
        .collect();
    let rising = offsets.windows(2).all(|w| w[0] < w[1]);
    let inside = offsets.last().is_none_or(|&o| (o as usize) < len);
    let first = offsets.first().is_none_or(|&o| o == 12);
    (rising && inside && first).then_some(offsets)
}

/// Keeps `offsets` for `shared`. A cache that cannot be written only costs
/// the walk again next time, so errors are the caller's to ignore.
pub fn write(shared: &Path, offsets: &[u32]) -> std::io::Result<()> {
    let name = shared_name(shared);
    let mut bytes = Vec::with_capacity(14 + name.len() + 4 * offsets.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&VERSION.to_le_bytes());
    bytes.extend_from_slice(&(name.len() as u16).to_le_bytes());
    bytes.extend_from_slice(name);
    bytes.extend_from_slice(&(offsets.len() as u32).to_le_bytes());
    for o in offsets {
        bytes.extend_from_slice(&o.to_le_bytes());
    }
    let path = cache_path(shared);
    let mut tmp = tempfile::NamedTempFile::new_in(path.parent().unwrap_or(Path::new(".")))?;
    std::io::Write::write_all(&mut tmp, &bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
