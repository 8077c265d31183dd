//! Parsed records, cached in `.git/` and keyed by each file's (size, mtime,
//! inode), so `list`, `triage` and `stats` over 100k records stat the files
//! instead of reading and parsing them. Two files: whole records (for
//! `--json`, `export`, `search`), and slim ones (`Record::slim`: what tables
//! and figures need), which the everyday reads decode in a fraction of the
//! time and memory.
//!
//! The files are the truth: an entry is used only when the file still has
//! the same size, mtime and inode, and a file changed within two seconds of
//! the cache being written is not cached at all (git's "racily clean"
//! rule), so an edit in the same clock tick cannot hide behind it. Delete
//! the cache at any time.

use super::cache_file::{self, Fingerprint, Reader};
use crate::record::Record;
use std::hash::BuildHasher;
use std::ops::Range;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

const KIND: &[u8; 4] = b"RECS";
const KIND_SLIM: &[u8; 4] = b"RECL";
/// Bump whenever `Record` changes shape: postcard is not self-describing.
const FORMAT: u32 = 6;

fn fingerprint(records_dir: &str, slim: bool) -> Fingerprint<'_> {
    Fingerprint {
        kind: if slim { KIND_SLIM } else { KIND },
        format: FORMAT,
        key: records_dir.as_bytes(),
    }
}
/// Files changed this recently are not cached (see the module comment).
const RACY_NANOS: i64 = 2_000_000_000;

/// What identifies one version of a file without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    size: u64,
    mtime_ns: i64,
    /// ctime too: it moves on every change, even one whose mtime was put back.
    ctime_ns: i64,
    ino: u64,
}

impl Stamp {
    /// Old enough to cache: not changed in the last two seconds, so a
    /// second change within the same clock tick cannot go unnoticed.
    pub fn settled(&self) -> bool {
        let now_ns = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as i64);
        self.mtime_ns.max(self.ctime_ns) <= now_ns - RACY_NANOS
    }

    /// The same fields as `of`, from a `stat` buffer.
    pub fn of_stat(st: &libc::stat) -> Stamp {
        Stamp {
            size: st.st_size as u64,
            mtime_ns: nanos(st.st_mtime, st.st_mtime_nsec),
            ctime_ns: nanos(st.st_ctime, st.st_ctime_nsec),
            ino: st.st_ino,
        }
    }

    pub fn of(meta: &std::fs::Metadata) -> Stamp {
        Stamp {
            size: meta.size(),
            mtime_ns: nanos(meta.mtime(), meta.mtime_nsec()),
            ctime_ns: nanos(meta.ctime(), meta.ctime_nsec()),
            ino: meta.ino(),
        }
    }
}

/// Seconds and nanoseconds as one number; a file dated past 2262 (`touch
/// -d`) saturates rather than overflowing.
fn nanos(secs: i64, nsec: i64) -> i64 {
    secs.saturating_mul(1_000_000_000).saturating_add(nsec)
}

pub struct RecordCache {
    bytes: Vec<u8>,
    entries: Vec<Entry>,
    /// Entry numbers by the hash of their path: the paths stay in `bytes`
    /// (no 100k small strings to make, check and free).
    by_path: hashbrown::HashTable<u32>,
    hasher: foldhash::fast::RandomState,
}

struct Entry {
    path: Range<usize>,
    stamp: Stamp,
    /// The encoded record.
    data: Range<usize>,
}

pub fn path(repo: &git2::Repository, slim: bool) -> PathBuf {
    // Per work tree: each has its own files and their stamps.
    repo.path().join(if slim {
        "devops-postmortem-records-slim.cache"
    } else {
        "devops-postmortem-records.cache"
    })
}

impl RecordCache {
    fn empty() -> RecordCache {
        RecordCache {
            bytes: Vec::new(),
            entries: Vec::new(),
            by_path: hashbrown::HashTable::new(),
            hasher: Default::default(),
        }
    }

    /// The cache, or an empty one when it is missing, from another records
    /// directory, of another version, or damaged.
    pub fn open(path: &Path, records_dir: &str, slim: bool) -> RecordCache {
        let Some(bytes) = cache_file::read(path, &fingerprint(records_dir, slim)) else {
            return RecordCache::empty();
        };
        let Some(entries) = index(&bytes) else {
            return RecordCache::empty();
        };
        let hasher = foldhash::fast::RandomState::default();
        let mut by_path = hashbrown::HashTable::with_capacity(entries.len());
        let path_of = |i: u32| &bytes[entries[i as usize].path.clone()];
        for (i, e) in entries.iter().enumerate() {
            let path = &bytes[e.path.clone()];
            let hash = hasher.hash_one(path);
            match by_path.entry(
                hash,
                |&j| path_of(j) == path,
                |&j| hasher.hash_one(path_of(j)),
            ) {
                // The same path twice: a cache we did not write.
                hashbrown::hash_table::Entry::Occupied(_) => return RecordCache::empty(),
                hashbrown::hash_table::Entry::Vacant(v) => {
                    v.insert(i as u32);
                }
            }
        }
        RecordCache {
            bytes,
            entries,
            by_path,
            hasher,
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    fn entry(&self, path: &str, stamp: Stamp) -> Option<&Entry> {
        let path = path.as_bytes();
        let i = self.by_path.find(self.hasher.hash_one(path), |&i| {
            &self.bytes[self.entries[i as usize].path.clone()] == path
        })?;
        let e = &self.entries[*i as usize];
        (e.stamp == stamp).then_some(e)
    }

    /// The cached record for `path`, if the file is still the same.
    pub fn get(&self, path: &str, stamp: Stamp) -> Option<Record> {
        let e = self.entry(path, stamp)?;
        postcard::from_bytes(&self.bytes[e.data.clone()]).ok()
    }

    /// The encoded bytes for `path`, to carry an unchanged entry over.
    fn raw(&self, path: &str, stamp: Stamp) -> Option<&[u8]> {
        let e = self.entry(path, stamp)?;
        Some(&self.bytes[e.data.clone()])
    }
}

fn index(bytes: &[u8]) -> Option<Vec<Entry>> {
    let mut r = Reader::new(bytes);
    let count = r.u32()? as usize;
    let mut entries = Vec::with_capacity(count.min(bytes.len() / 46));
    let mut lens = Vec::with_capacity(count.min(bytes.len() / 46));
    for _ in 0..count {
        let path_len = r.u16()? as usize;
        let start = r.offset();
        r.take(path_len)?;
        let size = r.u64()?;
        let mtime_ns = r.i64()?;
        let ctime_ns = r.i64()?;
        let ino = r.u64()?;
        let len = r.u32()? as usize;
        entries.push(Entry {
            path: start..start + path_len,
            stamp: Stamp {
                size,
                mtime_ns,
                ctime_ns,
                ino,
            },
            data: 0..0,
        });
        lens.push(len);
    }
    let mut offset = r.offset();
    for (e, len) in entries.iter_mut().zip(lens) {
        if offset + len > bytes.len() {
            return None;
        }
        e.data = offset..offset + len;
        offset += len;
    }
    (offset == bytes.len()).then_some(entries)
}

/// One file's state for the next cache: carried over or newly parsed.
pub struct Fresh<'a> {
    pub path: &'a str,
    pub stamp: Stamp,
    /// A record parsed from the file this time; `None` means "take the
    /// cached bytes" (the file was unchanged).
    pub parsed: Option<&'a Record>,
}

/// Writes the cache for `files`, skipping racily fresh files. Errors are
/// ignored by the caller: a cache that cannot be written only costs speed.
pub fn write(
    path: &Path,
    records_dir: &str,
    slim: bool,
    old: &RecordCache,
    files: &[Fresh<'_>],
) -> std::io::Result<()> {
    let mut index = Vec::with_capacity(files.len() * 64);
    let mut data = Vec::with_capacity(old.bytes.len() + 4096);
    let mut count: u32 = 0;
    for f in files {
        if !f.stamp.settled() {
            continue;
        }
        let encoded;
        let bytes: &[u8] = match f.parsed {
            Some(record) => match postcard::to_stdvec(record) {
                Ok(b) => {
                    encoded = b;
                    &encoded
                }
                Err(_) => continue,
            },
            None => match old.raw(f.path, f.stamp) {
                Some(b) => b,
                None => continue,
            },
        };
        index.extend_from_slice(&(f.path.len() as u16).to_le_bytes());
        index.extend_from_slice(f.path.as_bytes());
        index.extend_from_slice(&f.stamp.size.to_le_bytes());
        index.extend_from_slice(&f.stamp.mtime_ns.to_le_bytes());
        index.extend_from_slice(&f.stamp.ctime_ns.to_le_bytes());
        index.extend_from_slice(&f.stamp.ino.to_le_bytes());
        index.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        data.extend_from_slice(bytes);
        count += 1;
    }
    cache_file::write(
        path,
        &fingerprint(records_dir, slim),
        &[&count.to_le_bytes(), &index, &data],
    )
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_index_decoder_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
            if let Some(entries) = super::index(&bytes) {
                for e in entries {
                    prop_assert!(e.data.end <= bytes.len() && e.path.end <= bytes.len());
                }
            }
        }
    }
}
