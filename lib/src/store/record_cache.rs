//! Parsed records, cached in `.git/` and keyed by git's own ids, so `list`,
//! `triage` and `stats` over 100k records decode the cache instead of
//! reading and parsing 100k blobs.
//!
//! Every key is an object id, and an object id names its content for ever:
//! a record's entry is its blob's id, each month folder's entry its tree's
//! id, the whole cache the records directory's tree id. When the records
//! branch has not moved, that one id matches and the cache answers alone;
//! when it has, only the month folders whose tree id changed are listed,
//! and only blobs the cache has never seen are parsed. Two files: whole
//! records (for `--json`, `export`, `search`), and slim ones
//! (`Record::slim`: what tables and figures need). Delete either at any
//! time.

use super::cache_file::{self, Fingerprint, Payload, Reader};
use super::tree::{Month, Stray};
use crate::record::{Head, Record};
use git2::Oid;
use std::hash::BuildHasher;
use std::ops::Range;
use std::path::{Path, PathBuf};

const KIND: &[u8; 4] = b"RECB";
const KIND_SLIM: &[u8; 4] = b"RECT";
/// Bump whenever `Record` or `Head` changes shape (postcard is not
/// self-describing) or what counts as a stray does (they are kept per
/// tree).
const FORMAT: u32 = 7;

fn fingerprint(records_dir: &str, slim: bool) -> Fingerprint<'_> {
    Fingerprint {
        kind: if slim { KIND_SLIM } else { KIND },
        format: FORMAT,
        key: records_dir.as_bytes(),
    }
}

pub fn path(repo: &git2::Repository, slim: bool) -> PathBuf {
    // Shared by every work tree: the keys are object ids.
    repo.commondir().join(if slim {
        "devops-postmortem-records-slim.cache"
    } else {
        "devops-postmortem-records.cache"
    })
}

/// A record as the caches keep it: its [`Head`], then the record
/// (postcard both).
pub fn encode_record(record: &Record) -> Option<Vec<u8>> {
    postcard::to_stdvec(&(Head::of(record), record)).ok()
}

/// The record of an [`encode_record`]ed entry; `None` when the bytes are damaged.
pub fn decode_record(bytes: &[u8]) -> Option<Record> {
    let (_, rest) = postcard::take_from_bytes::<Head>(bytes).ok()?;
    postcard::from_bytes(rest).ok()
}

/// The head of an [`encode_record`]ed entry, without decoding the record.
pub fn head(bytes: &[u8]) -> Option<Head> {
    postcard::take_from_bytes::<Head>(bytes)
        .ok()
        .map(|(h, _)| h)
}

/// One cached record: its file name in its month, its blob, its encoding.
struct Entry {
    name: Range<usize>,
    blob: Oid,
    data: Range<usize>,
}

struct CachedMonth {
    dir: Range<usize>,
    tree: Oid,
    entries: Range<usize>,
}

pub struct RecordCache {
    bytes: Payload,
    /// The records directory's tree this cache was made from.
    dir: Option<Oid>,
    months: Vec<CachedMonth>,
    strays: Vec<Stray>,
    entries: Vec<Entry>,
    /// Entry numbers by blob id, made on first use.
    by_blob: std::cell::OnceCell<hashbrown::HashTable<u32>>,
    hasher: foldhash::fast::RandomState,
}

impl RecordCache {
    fn empty() -> RecordCache {
        RecordCache {
            bytes: Payload::default(),
            dir: None,
            months: Vec::new(),
            strays: Vec::new(),
            entries: Vec::new(),
            by_blob: Default::default(),
            hasher: Default::default(),
        }
    }

    /// The cache, or an empty one when it is missing, from another records
    /// directory, of another version, or damaged.
    pub fn open(path: &Path, records_dir: &str, slim: bool) -> RecordCache {
        cache_file::map(path, &fingerprint(records_dir, slim))
            .and_then(decode)
            .unwrap_or_else(RecordCache::empty)
    }

    /// True when the cache was made from exactly this records tree.
    pub fn is_of(&self, dir: Oid) -> bool {
        self.dir == Some(dir)
    }

    pub fn strays(&self) -> &[Stray] {
        &self.strays
    }

    /// Every entry as (month dir, file name, blob, encoded record), in order.
    pub fn all(&self) -> impl Iterator<Item = Cached<'_>> {
        self.months.iter().flat_map(move |m| {
            let dir = self.str_at(&m.dir);
            m.entries.clone().map(move |i| self.cached(dir, i))
        })
    }

    /// The entries of a month folder, when the cache saw this very tree.
    pub fn month(&self, month: &Month) -> Option<Vec<Cached<'_>>> {
        let m = self
            .months
            .iter()
            .find(|m| m.tree == month.tree && self.str_at(&m.dir) == month.dir)?;
        let dir = self.str_at(&m.dir);
        Some(m.entries.clone().map(|i| self.cached(dir, i)).collect())
    }

    /// The encoded record for a blob the cache has seen (under any name).
    pub fn by_blob(&self, blob: Oid) -> Option<&[u8]> {
        let table = self.by_blob.get_or_init(|| {
            let mut t = hashbrown::HashTable::with_capacity(self.entries.len());
            for (i, e) in self.entries.iter().enumerate() {
                let hash = self.hasher.hash_one(e.blob.as_bytes());
                t.insert_unique(hash, i as u32, |&j| {
                    self.hasher
                        .hash_one(self.entries[j as usize].blob.as_bytes())
                });
            }
            t
        });
        let i = table.find(self.hasher.hash_one(blob.as_bytes()), |&i| {
            self.entries[i as usize].blob == blob
        })?;
        Some(&self.bytes[self.entries[*i as usize].data.clone()])
    }

    /// Done with these entries' encodings for now (a run of entries, in
    /// order, as [`all`](Self::all) gives them): their pages of the mapped
    /// file leave this process's memory while what was decoded from them
    /// is kept. Touched again, they are read again.
    pub fn let_go(&self, run: &[Cached<'_>]) {
        let (Some(first), Some(last)) = (run.first(), run.last()) else {
            return;
        };
        let base = self.bytes.as_ptr() as usize;
        let start = (first.data.as_ptr() as usize).checked_sub(base);
        let end = (last.data.as_ptr() as usize + last.data.len()).checked_sub(base);
        if let (Some(start), Some(end)) = (start, end) {
            self.bytes.let_go(start..end);
        }
    }

    fn str_at(&self, r: &Range<usize>) -> &str {
        // Checked as UTF-8 when the cache was decoded.
        std::str::from_utf8(&self.bytes[r.clone()]).unwrap_or_default()
    }

    fn cached<'a>(&'a self, dir: &'a str, i: usize) -> Cached<'a> {
        let e = &self.entries[i];
        Cached {
            month: dir,
            name: self.str_at(&e.name),
            blob: e.blob,
            data: &self.bytes[e.data.clone()],
        }
    }
}

/// One entry as the cache holds it.
pub struct Cached<'a> {
    pub month: &'a str,
    pub name: &'a str,
    pub blob: Oid,
    pub data: &'a [u8],
}

fn oid(r: &mut Reader<'_>) -> Option<Oid> {
    Oid::from_bytes(r.take(20)?).ok()
}

fn text(r: &mut Reader<'_>, len: usize) -> Option<Range<usize>> {
    let start = r.offset();
    std::str::from_utf8(r.take(len)?).ok()?;
    Some(start..start + len)
}

fn decode(bytes: Payload) -> Option<RecordCache> {
    let mut r = Reader::new(&bytes);
    let dir = oid(&mut r)?;
    let month_count = r.u32()? as usize;
    let mut months = Vec::with_capacity(month_count.min(bytes.len() / 30));
    for _ in 0..month_count {
        let len = r.u16()? as usize;
        let dir = text(&mut r, len)?;
        let tree = oid(&mut r)?;
        let (first, count) = (r.u32()? as usize, r.u32()? as usize);
        months.push(CachedMonth {
            dir,
            tree,
            entries: first..first.checked_add(count)?,
        });
    }
    let stray_count = r.u32()? as usize;
    let mut strays = Vec::with_capacity(stray_count.min(bytes.len() / 8));
    for _ in 0..stray_count {
        let len = r.u16()? as usize;
        let path = std::str::from_utf8(r.take(len)?).ok()?.to_string();
        let len = r.u32()? as usize;
        let why = std::str::from_utf8(r.take(len)?).ok()?.to_string();
        strays.push(Stray { path, why });
    }
    let count = r.u32()? as usize;
    let mut entries = Vec::with_capacity(count.min(bytes.len() / 26));
    let mut lens = Vec::with_capacity(count.min(bytes.len() / 26));
    for _ in 0..count {
        let len = r.u16()? as usize;
        let name = text(&mut r, len)?;
        let blob = oid(&mut r)?;
        lens.push(r.u32()? as usize);
        entries.push(Entry {
            name,
            blob,
            data: 0..0,
        });
    }
    let mut offset = r.offset();
    for (e, len) in entries.iter_mut().zip(lens) {
        let end = offset.checked_add(len)?;
        if end > bytes.len() {
            return None;
        }
        e.data = offset..end;
        offset = end;
    }
    // Months must cover the entries exactly, in order.
    let mut next = 0;
    for m in &months {
        if m.entries.start != next {
            return None;
        }
        next = m.entries.end;
    }
    if next != entries.len() || offset != bytes.len() {
        return None;
    }
    Some(RecordCache {
        bytes,
        dir: Some(dir),
        months,
        strays,
        entries,
        by_blob: Default::default(),
        hasher: Default::default(),
    })
}

/// One month of the cache to write: its folder, tree and entries.
pub struct MonthOut<'a> {
    pub dir: &'a str,
    pub tree: Oid,
    /// (file name, blob, encoded record)
    pub entries: Vec<(&'a str, Oid, &'a [u8])>,
}

/// Writes the cache for the records tree `dir`. Errors are ignored by the
/// caller: a cache that cannot be written only costs speed.
pub fn write(
    path: &Path,
    records_dir: &str,
    slim: bool,
    dir: Oid,
    months: &[MonthOut<'_>],
    strays: &[Stray],
) -> std::io::Result<()> {
    let mut index = Vec::with_capacity(months.iter().map(|m| m.entries.len()).sum::<usize>() * 60);
    let mut parts: Vec<&[u8]> = Vec::with_capacity(index.capacity() / 60 + 1);
    index.extend_from_slice(dir.as_bytes());
    index.extend_from_slice(&(months.len() as u32).to_le_bytes());
    let mut first = 0u32;
    for m in months {
        index.extend_from_slice(&(m.dir.len() as u16).to_le_bytes());
        index.extend_from_slice(m.dir.as_bytes());
        index.extend_from_slice(m.tree.as_bytes());
        index.extend_from_slice(&first.to_le_bytes());
        index.extend_from_slice(&(m.entries.len() as u32).to_le_bytes());
        first += m.entries.len() as u32;
    }
    index.extend_from_slice(&(strays.len() as u32).to_le_bytes());
    for s in strays {
        index.extend_from_slice(&(s.path.len() as u16).to_le_bytes());
        index.extend_from_slice(s.path.as_bytes());
        index.extend_from_slice(&(s.why.len() as u32).to_le_bytes());
        index.extend_from_slice(s.why.as_bytes());
    }
    index.extend_from_slice(&first.to_le_bytes());
    for m in months {
        for (name, blob, bytes) in &m.entries {
            index.extend_from_slice(&(name.len() as u16).to_le_bytes());
            index.extend_from_slice(name.as_bytes());
            index.extend_from_slice(blob.as_bytes());
            index.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
            parts.push(bytes);
        }
    }
    parts.insert(0, &index);
    cache_file::write(path, &fingerprint(records_dir, slim), &parts)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_decoder_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
            if let Some(c) = super::decode(bytes.clone().into()) {
                for e in &c.entries {
                    prop_assert!(e.data.end <= bytes.len() && e.name.end <= bytes.len());
                }
                let _ = c.all().count();
            }
        }
    }

    #[test]
    fn a_written_cache_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c");
        let oid = |n: u8| git2::Oid::from_bytes(&[n; 20]).unwrap();
        let months = [super::MonthOut {
            dir: "2026/11",
            tree: oid(2),
            entries: vec![
                ("PM-x.toml", oid(3), &b"abc"[..]),
                ("PM-y.toml", oid(4), b""),
            ],
        }];
        let strays = [super::Stray {
            path: "2026/11/a.toml".into(),
            why: "odd".into(),
        }];
        super::write(&path, "postmortems", true, oid(1), &months, &strays).unwrap();
        let c = super::RecordCache::open(&path, "postmortems", true);
        assert!(c.is_of(oid(1)));
        assert_eq!(c.by_blob(oid(3)), Some(&b"abc"[..]));
        assert_eq!(c.strays(), &strays);
        let names: Vec<&str> = c.all().map(|e| e.name).collect();
        assert_eq!(names, ["PM-x.toml", "PM-y.toml"]);
        assert_eq!(
            super::RecordCache::open(&path, "postmortems", false)
                .all()
                .count(),
            0
        );
    }
}
