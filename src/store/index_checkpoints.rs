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

use super::cache_file::{self, Reader};
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
    let mut r = Reader::new(&bytes);
    let name = shared_name(shared);
    if r.take(4)? != MAGIC
        || r.u32()? != VERSION
        || r.u16()? as usize != name.len()
        || r.take(name.len())? != name
    {
        return None;
    }
    let n = r.u32()? as usize;
    if n != count.div_ceil(EVERY) {
        return None;
    }
    let offsets = (0..n).map(|_| r.u32()).collect::<Option<Vec<u32>>>()?;
    if !r.is_done() {
        return None;
    }
    let rising = offsets.windows(2).all(|w| w[0] < w[1]);
    let inside = offsets.last().is_none_or(|&o| (o as usize) < len);
    let first = offsets.first().is_none_or(|&o| o == 12);
    (rising && inside && first).then_some(offsets)
}

/// Keeps `offsets` for `shared`. A cache that cannot be written only costs
/// the walk again next time, so errors are the caller's to ignore.
pub fn write(shared: &Path, offsets: &[u32]) -> std::io::Result<()> {
    let name = shared_name(shared);
    let offsets: Vec<u8> = offsets.iter().flat_map(|o| o.to_le_bytes()).collect();
    cache_file::replace(
        &cache_path(shared),
        &[
            MAGIC,
            &VERSION.to_le_bytes(),
            &(name.len() as u16).to_le_bytes(),
            name,
            &((offsets.len() / 4) as u32).to_le_bytes(),
            &offsets,
        ],
    )
}
