//! Updating one entry of git's index (`.git/index`) without loading it
//! into libgit2.
//!
//! Why: in a repository with 100k files libgit2 spends ~100 ms parsing the
//! index and as much again writing it, hashing 20 MB each time with its
//! collision-detecting SHA-1. A post-mortem commit changes one entry. Here
//! the file is scanned (not parsed into objects), the one entry is replaced
//! or inserted, the cache-tree is invalidated along that path, and the file
//! is written back under git's own `index.lock` protocol with a hardware
//! SHA-1.
//!
//! A split index (`git update-index --split-index`, `core.splitIndex`) keeps
//! most entries in a shared file and only the changes in `.git/index`;
//! there only that small file is rewritten, and the shared one is searched
//! through checkpoints (`index_checkpoints`), so a commit costs the same in
//! a repository of 100k files as in one of ten. Layouts this does not handle
//! (sparse index, a split index in version 4, unknown versions, unresolved
//! conflicts) report `Unsupported`, and the caller falls back to libgit2.
//!
//! Format: Documentation/gitformat-index.txt in git.git.

use super::index_checkpoints;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

const OID: usize = 20;
/// ctime, mtime (sec, nsec each), dev, ino, mode, uid, gid, size.
const STAT: usize = 40;
const FLAG_EXTENDED: u16 = 0x4000;
const NAME_MASK: u16 = 0x0fff;
const STAGE_MASK: u16 = 0x3000;

#[derive(Debug)]
pub enum IndexError {
    /// A layout this updater leaves to libgit2.
    Unsupported(String),
    /// `index.lock` is held by another git process.
    Locked,
    Io(std::io::Error),
}

impl From<std::io::Error> for IndexError {
    fn from(e: std::io::Error) -> Self {
        IndexError::Io(e)
    }
}

fn unsupported(why: impl Into<String>) -> IndexError {
    IndexError::Unsupported(why.into())
}

/// One entry, as positions in the index bytes (parsed once, then used for
/// both the check and the update).
struct Entry {
    /// Byte range of the whole entry in the file.
    start: usize,
    end: usize,
    flags: u16,
    /// Offset of the two extended-flag bytes (version 3+), when present.
    extended: Option<usize>,
    path: PathBytes,
}

enum PathBytes {
    /// Versions 2 and 3 store the full path.
    At(std::ops::Range<usize>),
    /// Version 4 stores it relative to the previous one: rebuilt here.
    Owned(Vec<u8>),
}

impl Entry {
    fn stage(&self) -> u16 {
        (self.flags & STAGE_MASK) >> 12
    }
    fn path<'a>(&'a self, bytes: &'a [u8]) -> &'a [u8] {
        match &self.path {
            PathBytes::At(r) => &bytes[r.clone()],
            PathBytes::Owned(v) => v,
        }
    }
    fn fixed<'a>(&self, bytes: &'a [u8]) -> &'a [u8] {
        &bytes[self.start..self.start + STAT + OID + 2]
    }
    fn extended<'a>(&self, bytes: &'a [u8]) -> Option<&'a [u8]> {
        self.extended.map(|at| &bytes[at..at + 2])
    }
}

struct Index {
    version: u32,
    entries: Vec<Entry>,
    /// Where the entries end and the extensions begin.
    entries_end: usize,
    /// (signature, data range) of each extension, in order.
    extensions: Vec<([u8; 4], std::ops::Range<usize>)>,
    /// A trailer of zeros (`index.skipHash`) stays zeros.
    skip_hash: bool,
    /// The `link` extension, when this is the small half of a split index.
    split: Option<Split>,
}

/// What a split index's `.git/index` says about the shared one: which of
/// its positions are deleted, and which replaced. The replacing entries
/// come first in this file, one per replaced position in order, without
/// names (the shared entry has it); the entries after them are added.
#[derive(Clone)]
struct Split {
    shared_id: [u8; OID],
    deleted: Vec<u32>,
    replaced: Vec<u32>,
}

impl Split {
    fn parse(data: &[u8]) -> Result<Split, IndexError> {
        let corrupt = || unsupported("corrupt link extension");
        let shared_id: [u8; OID] = data.get(..OID).ok_or_else(corrupt)?.try_into().unwrap();
        let rest = &data[OID..];
        if rest.is_empty() {
            return Ok(Split {
                shared_id,
                deleted: Vec::new(),
                replaced: Vec::new(),
            });
        }
        let (deleted, used) = super::ewah::decode(rest).ok_or_else(corrupt)?;
        let (replaced, used2) = super::ewah::decode(&rest[used..]).ok_or_else(corrupt)?;
        if used + used2 != rest.len() {
            return Err(corrupt());
        }
        Ok(Split {
            shared_id,
            deleted,
            replaced,
        })
    }

    fn encode(&self) -> Vec<u8> {
        let mut out = self.shared_id.to_vec();
        super::ewah::encode(&self.deleted, &mut out);
        super::ewah::encode(&self.replaced, &mut out);
        out
    }

    fn shared_file(&self) -> String {
        let hex: String = self.shared_id.iter().map(|b| format!("{b:02x}")).collect();
        format!("sharedindex.{hex}")
    }
}

fn be32(b: &[u8], at: usize) -> Result<u32, IndexError> {
    b.get(at..at + 4)
        .map(|s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]))
        .ok_or_else(|| unsupported("truncated index"))
}

/// The header's version and entry count.
fn header(bytes: &[u8]) -> Result<(u32, usize), IndexError> {
    if bytes.len() < 12 + OID || &bytes[..4] != b"DIRC" {
        return Err(unsupported("not an index file"));
    }
    let version = be32(bytes, 4)?;
    if !(2..=4).contains(&version) {
        return Err(unsupported(format!("index version {version}")));
    }
    Ok((version, be32(bytes, 8)? as usize))
}

/// The entry at `at`; `previous` is the path before it (version 4 stores
/// each path relative to that one).
fn read_entry(bytes: &[u8], version: u32, at: usize, previous: &[u8]) -> Result<Entry, IndexError> {
    let body_end = bytes.len() - OID;
    let nul = |from: usize| -> Result<usize, IndexError> {
        let rest = bytes
            .get(from..body_end)
            .ok_or_else(|| unsupported("truncated entry"))?;
        Ok(from
            + rest
                .iter()
                .position(|b| *b == 0)
                .ok_or_else(|| unsupported("unterminated path"))?)
    };
    let start = at;
    let fixed = bytes
        .get(at..at + STAT + OID + 2)
        .ok_or_else(|| unsupported("truncated entry"))?;
    let flags = u16::from_be_bytes([fixed[STAT + OID], fixed[STAT + OID + 1]]);
    let mut at = at + fixed.len();
    let extended = if flags & FLAG_EXTENDED != 0 {
        if version < 3 {
            return Err(unsupported("extended flags in a version 2 index"));
        }
        at += 2;
        Some(at - 2)
    } else {
        None
    };
    let (path, len) = if version == 4 {
        let (strip, used) = varint(bytes.get(at..).unwrap_or_default())
            .ok_or_else(|| unsupported("bad path prefix"))?;
        at += used;
        let end = nul(at)?;
        let keep = previous
            .len()
            .checked_sub(strip)
            .ok_or_else(|| unsupported("bad path prefix"))?;
        let mut path = previous[..keep].to_vec();
        path.extend_from_slice(&bytes[at..end]);
        at = end + 1;
        let len = path.len();
        (PathBytes::Owned(path), len)
    } else {
        // The length in the flags (when it fits) saves searching for the NUL.
        let short = (flags & NAME_MASK) as usize;
        let end = if short < NAME_MASK as usize && bytes.get(at + short) == Some(&0) {
            at + short
        } else {
            nul(at)?
        };
        let range = at..end;
        // 1 to 8 NULs pad the entry to a multiple of eight bytes.
        at = start + (end - start + 8) / 8 * 8;
        (PathBytes::At(range.clone()), range.len())
    };
    if (flags & NAME_MASK) as usize != len.min(NAME_MASK as usize) {
        return Err(unsupported("entry name length does not match"));
    }
    Ok(Entry {
        start,
        end: at,
        flags,
        extended,
        path,
    })
}

fn parse(bytes: &[u8]) -> Result<Index, IndexError> {
    let (version, count) = header(bytes)?;
    let body_end = bytes.len() - OID;
    let mut at = 12;
    let mut entries: Vec<Entry> = Vec::with_capacity(count);
    for _ in 0..count {
        let previous: &[u8] = entries.last().map_or(&[], |e| e.path(bytes));
        let entry = read_entry(bytes, version, at, previous)?;
        at = entry.end;
        entries.push(entry);
    }
    let entries_end = at;
    let mut extensions = Vec::new();
    let mut split = None;
    while at + 8 <= body_end {
        let sig: [u8; 4] = bytes[at..at + 4].try_into().expect("4 bytes");
        let len = be32(bytes, at + 4)? as usize;
        if at + 8 + len > body_end {
            return Err(unsupported("truncated extension"));
        }
        let data = at + 8..at + 8 + len;
        match &sig {
            b"link" => split = Some(Split::parse(&bytes[data.clone()])?),
            b"sdir" => return Err(unsupported("sparse index")),
            _ => {}
        }
        extensions.push((sig, data));
        at += 8 + len;
    }
    if at != body_end {
        return Err(unsupported("trailing bytes after the extensions"));
    }
    if let Some(split) = &split {
        // The replacing entries first, nameless; then the added ones.
        let replacing = split.replaced.len();
        let well_formed = entries.len() >= replacing
            && entries.iter().enumerate().all(|(i, e)| {
                let nameless = e.path(bytes).is_empty();
                nameless == (i < replacing)
            });
        if !well_formed {
            return Err(unsupported("corrupt split index"));
        }
    }
    let skip_hash = bytes[body_end..].iter().all(|b| *b == 0);
    Ok(Index {
        version,
        entries,
        entries_end,
        extensions,
        skip_hash,
        split,
    })
}

fn varint(b: &[u8]) -> Option<(usize, usize)> {
    // git's offset varint: each continuation adds one before shifting.
    let mut i = 0;
    let mut c = *b.first()?;
    let mut value = (c & 0x7f) as usize;
    while c & 0x80 != 0 {
        i += 1;
        c = *b.get(i)?;
        // A corrupt index must not overflow: it is then unsupported.
        value = value.checked_add(1)?.checked_mul(128)? | (c & 0x7f) as usize;
    }
    Some((value, i + 1))
}

fn put_varint(out: &mut Vec<u8>, mut value: usize) {
    let mut buf = [0u8; 16];
    let mut pos = buf.len() - 1;
    buf[pos] = (value & 0x7f) as u8;
    while value >> 7 != 0 {
        value = (value >> 7) - 1;
        pos -= 1;
        buf[pos] = 0x80 | (value & 0x7f) as u8;
    }
    out.extend_from_slice(&buf[pos..]);
}

/// The index, locked (git's `index.lock`) from the check of the user's
/// staged work until the one entry is written: nothing can stage in between.
pub struct IndexTx {
    lock: LockFile,
    bytes: Vec<u8>,
    index: Index,
    /// The shared half of a split index.
    shared: Option<SharedIndex>,
    /// The last path located, and where: the check and the update ask for
    /// the same one, and a scan of the shared index is worth doing once.
    located: std::cell::RefCell<Option<(Vec<u8>, Slot)>>,
}

/// A split index's shared file, `sharedindex.<id>` beside the index. It is
/// never changed (its name is its checksum), so it is mapped, not read:
/// finding one path touches a few checkpoints and the entries after one.
struct SharedIndex {
    path: PathBuf,
    map: memmap2::Mmap,
    version: u32,
    count: usize,
    /// The offset of every `index_checkpoints::EVERY`-th entry.
    checkpoints: Vec<u32>,
}

impl SharedIndex {
    fn open(path: PathBuf) -> Result<SharedIndex, IndexError> {
        let file = File::open(&path)?;
        // SAFETY: git never rewrites a shared index in place: a new one gets
        // a new name, and an old one is only deleted (the mapping survives).
        let map = unsafe { memmap2::Mmap::map(&file)? };
        let (version, count) = header(&map)?;
        if version == 4 {
            return Err(unsupported("a split index in version 4"));
        }
        let mut shared = SharedIndex {
            path,
            map,
            version,
            count,
            checkpoints: Vec::new(),
        };
        shared.checkpoints = match index_checkpoints::read(&shared.path, count, shared.map.len()) {
            Some(offsets) => offsets,
            None => {
                let offsets = shared.walk_checkpoints()?;
                // Not kept: only the walk is repeated next time.
                let _ = index_checkpoints::write(&shared.path, &offsets);
                offsets
            }
        };
        Ok(shared)
    }

    /// Walks every entry once, noting where each checkpoint starts.
    fn walk_checkpoints(&self) -> Result<Vec<u32>, IndexError> {
        let mut offsets = Vec::with_capacity(self.count.div_ceil(index_checkpoints::EVERY));
        let mut at = 12;
        for position in 0..self.count {
            if position % index_checkpoints::EVERY == 0 {
                offsets.push(u32::try_from(at).map_err(|_| unsupported("index over 4 GB"))?);
            }
            at = read_entry(&self.map, self.version, at, &[])?.end;
        }
        Ok(offsets)
    }

    /// The position and entry of the first (lowest-stage) entry for `name`.
    fn find(&self, name: &[u8]) -> Result<Option<(u32, Entry)>, IndexError> {
        // The last checkpoint whose path sorts before `name`: the entry, if
        // there, is at most `EVERY` entries on.
        let (mut low, mut high) = (0, self.checkpoints.len());
        while low < high {
            let mid = (low + high) / 2;
            let at = self.checkpoints[mid] as usize;
            if read_entry(&self.map, self.version, at, &[])?.path(&self.map) < name {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        let (start, mut at) = match low.checked_sub(1) {
            Some(k) => (k * index_checkpoints::EVERY, self.checkpoints[k] as usize),
            None => (0, 12),
        };
        for position in start..self.count {
            let entry = read_entry(&self.map, self.version, at, &[])?;
            match entry.path(&self.map).cmp(name) {
                std::cmp::Ordering::Less => at = entry.end,
                std::cmp::Ordering::Equal => return Ok(Some((position as u32, entry))),
                std::cmp::Ordering::Greater => break,
            }
        }
        Ok(None)
    }
}

/// (fixed part, extended flags, path) of an entry to be written.
type RawEntry<'a> = (Vec<u8>, Option<&'a [u8]>, &'a [u8]);

/// Where a path's stage-0 entry is.
#[derive(Clone, Copy)]
enum Slot {
    /// `entries[i]` of the index file.
    Here(usize),
    /// Only in the shared index, at this position, with this blob.
    Shared(u32, git2::Oid),
    /// Nowhere: it goes among the index file's entries at `i`.
    Absent(usize),
}

fn entry_oid(bytes: &[u8], entry: &Entry) -> git2::Oid {
    git2::Oid::from_bytes(&entry.fixed(bytes)[STAT..STAT + OID]).expect("20 bytes")
}

fn conflicted() -> IndexError {
    unsupported("the path has unresolved conflicts")
}

impl IndexTx {
    /// Locks and reads the index. A held lock is retried for a moment.
    pub fn begin(repo: &git2::Repository) -> Result<IndexTx, IndexError> {
        let target = repo.path().join("index");
        let lock = LockFile::acquire(&target)?;
        let bytes = match std::fs::read(&target) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => empty_index(),
            Err(e) => return Err(e.into()),
        };
        // Unsupported layouts are refused here, before anything is committed.
        let index = parse(&bytes)?;
        let shared = match &index.split {
            Some(_) if index.version == 4 => {
                return Err(unsupported("a split index in version 4"));
            }
            Some(split) => Some(SharedIndex::open(
                target.with_file_name(split.shared_file()),
            )?),
            None => None,
        };
        Ok(IndexTx {
            lock,
            bytes,
            index,
            shared,
            located: std::cell::RefCell::new(None),
        })
    }

    fn locate(&self, name: &[u8]) -> Result<Slot, IndexError> {
        if let Some((path, slot)) = &*self.located.borrow()
            && path == name
        {
            return Ok(*slot);
        }
        let slot = self.find_slot(name)?;
        *self.located.borrow_mut() = Some((name.to_vec(), slot));
        Ok(slot)
    }

    fn find_slot(&self, name: &[u8]) -> Result<Slot, IndexError> {
        let (index, bytes) = (&self.index, &self.bytes);
        // In a split index the file's own sorted entries are the added ones.
        let replacing = index.split.as_ref().map_or(0, |s| s.replaced.len());
        let own = &index.entries[replacing..];
        let insert_at =
            match own.binary_search_by(|e| e.path(bytes).cmp(name).then(e.stage().cmp(&0))) {
                Ok(i) => return Ok(Slot::Here(replacing + i)),
                // Stages 1-3 of this path, but no stage 0: a merge conflict.
                Err(i) if own.get(i).is_some_and(|e| e.path(bytes) == name) => {
                    return Err(conflicted());
                }
                Err(i) => replacing + i,
            };
        let (Some(split), Some(shared)) = (&index.split, &self.shared) else {
            return Ok(Slot::Absent(insert_at));
        };
        match shared.find(name)? {
            Some((position, _)) if split.deleted.binary_search(&position).is_ok() => {
                Ok(Slot::Absent(insert_at))
            }
            Some((_, entry)) if entry.stage() != 0 => Err(conflicted()),
            Some((position, entry)) => Ok(match split.replaced.binary_search(&position) {
                Ok(rank) => Slot::Here(rank),
                Err(_) => Slot::Shared(position, entry_oid(&shared.map, &entry)),
            }),
            None => Ok(Slot::Absent(insert_at)),
        }
    }

    /// The blob id staged for `path` (stage 0).
    pub fn staged(&self, path: &str) -> Result<Option<git2::Oid>, IndexError> {
        Ok(match self.locate(path.as_bytes())? {
            Slot::Here(i) => Some(entry_oid(&self.bytes, &self.index.entries[i])),
            Slot::Shared(_, oid) => Some(oid),
            Slot::Absent(_) => None,
        })
    }

    /// Sets the entry for `path` to the blob `oid`, with the stat data of
    /// the work-tree file `file` (so `git status` sees it clean), inserting
    /// it if the index has none; then writes the index and unlocks.
    pub fn upsert(self, path: &str, oid: git2::Oid, file: &Path) -> Result<(), IndexError> {
        let meta = std::fs::metadata(file)?;
        let slot = self.locate(path.as_bytes())?;
        if self.index.split.is_some() {
            return self.upsert_split(path, slot, |len| fixed_part(&meta, oid, len));
        }
        let (index, bytes) = (&self.index, &self.bytes);
        let fixed = fixed_part(&meta, oid, path.len());
        let name = path.as_bytes();
        let (at, replace) = match slot {
            Slot::Here(i) => (i, true),
            Slot::Absent(i) => (i, false),
            Slot::Shared(..) => unreachable!("only a split index has a shared half"),
        };
        let mut out = Vec::with_capacity(bytes.len() + 128);

        out.extend_from_slice(b"DIRC");
        out.extend_from_slice(&index.version.to_be_bytes());
        let count = index.entries.len() + usize::from(!replace);
        out.extend_from_slice(&(count as u32).to_be_bytes());
        // Entries before ours are copied as they are, in one piece.
        let before_end = index.entries.get(at).map_or(index.entries_end, |e| e.start);
        out.extend_from_slice(&bytes[12..before_end]);
        let previous: &[u8] = if at > 0 {
            index.entries[at - 1].path(bytes)
        } else {
            &[]
        };
        // Extended flags (skip-worktree, intent-to-add) no longer hold: the
        // file is now in the work tree and committed.
        write_entry(&mut out, index.version, &fixed, None, name, previous);
        let rest = if replace { at + 1 } else { at };
        if let Some(next) = index.entries.get(rest) {
            if index.version == 4 {
                // Version 4 stores each path relative to the one before it.
                write_entry(
                    &mut out,
                    4,
                    next.fixed(bytes),
                    next.extended(bytes),
                    next.path(bytes),
                    name,
                );
                out.extend_from_slice(&bytes[next.end..index.entries_end]);
            } else {
                out.extend_from_slice(&bytes[next.start..index.entries_end]);
            }
        }
        self.finish(out, path, None)
    }

    /// A split index: only this file changes, the shared one stays as it
    /// is. `fixed(name length)` is the entry's fixed part.
    fn upsert_split(
        self,
        path: &str,
        slot: Slot,
        fixed: impl Fn(usize) -> Vec<u8>,
    ) -> Result<(), IndexError> {
        let bytes = &self.bytes;
        let mut split = self.index.split.clone().expect("a split index");
        let mut entries: Vec<RawEntry<'_>> = self
            .index
            .entries
            .iter()
            .map(|e| (e.fixed(bytes).to_vec(), e.extended(bytes), e.path(bytes)))
            .collect();
        // Extended flags (skip-worktree, intent-to-add) no longer hold: the
        // file is now in the work tree and committed. Replacing entries
        // carry no name: the shared entry at their position has it.
        let replacing = split.replaced.len();
        match slot {
            Slot::Here(i) if i < replacing => entries[i] = (fixed(0), None, b""),
            Slot::Here(i) => entries[i] = (fixed(path.len()), None, path.as_bytes()),
            Slot::Shared(position, _) => {
                let rank = split.replaced.partition_point(|p| *p < position);
                split.replaced.insert(rank, position);
                entries.insert(rank, (fixed(0), None, b""));
            }
            Slot::Absent(i) => entries.insert(i, (fixed(path.len()), None, path.as_bytes())),
        }
        let mut out = Vec::with_capacity(bytes.len() + 128);
        out.extend_from_slice(b"DIRC");
        out.extend_from_slice(&self.index.version.to_be_bytes());
        out.extend_from_slice(&(entries.len() as u32).to_be_bytes());
        for (fixed, extended, name) in &entries {
            write_entry(&mut out, self.index.version, fixed, *extended, name, &[]);
        }
        // git removes shared index files it has not used for two weeks
        // (splitIndex.sharedIndexExpire); using it counts, as in git.
        if let Some(shared) = &self.shared {
            let _ = File::options()
                .write(true)
                .open(&shared.path)
                .and_then(|f| f.set_modified(std::time::SystemTime::now()));
        }
        let link = split.encode();
        self.finish(out, path, Some(link))
    }

    /// Appends the extensions (the cache-tree invalidated along `path`, a
    /// new `link` when given) and the checksum, then writes and unlocks.
    fn finish(self, mut out: Vec<u8>, path: &str, link: Option<Vec<u8>>) -> Result<(), IndexError> {
        let (index, bytes) = (&self.index, &self.bytes);
        for (sig, range) in &index.extensions {
            let data = &bytes[range.clone()];
            match sig {
                b"TREE" => {
                    let tree = invalidate_tree(data, path)?;
                    push_extension(&mut out, sig, &tree);
                }
                b"link" => push_extension(&mut out, sig, link.as_deref().unwrap_or(data)),
                // Offsets into the entries and fsmonitor state go stale; git
                // rebuilds them when it next writes the index.
                b"EOIE" | b"IEOT" | b"FSMN" => {}
                _ => push_extension(&mut out, sig, data),
            }
        }
        if index.skip_hash {
            out.extend_from_slice(&[0u8; OID]);
        } else {
            use sha1::Digest;
            let digest = sha1::Sha1::digest(&out);
            out.extend_from_slice(&digest);
        }
        crate::trace::mark("index: built");
        let IndexTx { lock, .. } = self;
        lock.commit(&out)
    }
}

fn empty_index() -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(b"DIRC");
    b.extend_from_slice(&2u32.to_be_bytes());
    b.extend_from_slice(&0u32.to_be_bytes());
    b.extend_from_slice(&[0u8; OID]);
    b
}

/// Stat data as git records it (every field truncated to 32 bits), the
/// oid, and flags holding the name length.
fn fixed_part(meta: &std::fs::Metadata, oid: git2::Oid, path_len: usize) -> Vec<u8> {
    let mut f = Vec::with_capacity(STAT + OID + 2);
    let mode: u32 = if meta.mode() & 0o111 != 0 {
        0o100755
    } else {
        0o100644
    };
    for v in [
        meta.ctime() as u32,
        meta.ctime_nsec() as u32,
        meta.mtime() as u32,
        meta.mtime_nsec() as u32,
        meta.dev() as u32,
        meta.ino() as u32,
        mode,
        meta.uid(),
        meta.gid(),
        meta.size() as u32,
    ] {
        f.extend_from_slice(&v.to_be_bytes());
    }
    f.extend_from_slice(oid.as_bytes());
    f.extend_from_slice(&(path_len.min(NAME_MASK as usize) as u16).to_be_bytes());
    f
}

fn write_entry(
    out: &mut Vec<u8>,
    version: u32,
    fixed: &[u8],
    extended: Option<&[u8]>,
    path: &[u8],
    previous: &[u8],
) {
    let start = out.len();
    out.extend_from_slice(fixed);
    if let Some(ext) = extended {
        out.extend_from_slice(ext);
    }
    if version == 4 {
        let common = previous
            .iter()
            .zip(path)
            .take_while(|(a, b)| a == b)
            .count();
        put_varint(out, previous.len() - common);
        out.extend_from_slice(&path[common..]);
        out.push(0);
    } else {
        out.extend_from_slice(path);
        let len = out.len() - start;
        let padded = (len + 8) / 8 * 8;
        out.resize(start + padded, 0);
    }
}

fn push_extension(out: &mut Vec<u8>, sig: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(sig);
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(data);
}

/// The cache-tree extension: a pre-order list of directories with their
/// entry counts and tree ids. Every directory on `path` is marked invalid
/// (count -1, no id), so git recomputes exactly those trees.
fn invalidate_tree(data: &[u8], path: &str) -> Result<Vec<u8>, IndexError> {
    let dirs: Vec<&str> = path.split('/').collect();
    let dirs = &dirs[..dirs.len() - 1];
    let mut out = Vec::with_capacity(data.len());
    let mut at = 0;
    // Walk the pre-order list, tracking the path of the current node with a
    // stack of (name, subtrees still to visit).
    let mut stack: Vec<(String, usize)> = Vec::new();
    while at < data.len() {
        let name_end = at
            + data[at..]
                .iter()
                .position(|b| *b == 0)
                .ok_or_else(|| unsupported("bad cache-tree"))?;
        let name = String::from_utf8_lossy(&data[at..name_end]).into_owned();
        let line_end = name_end
            + data[name_end..]
                .iter()
                .position(|b| *b == b'\n')
                .ok_or_else(|| unsupported("bad cache-tree"))?;
        let header = std::str::from_utf8(&data[name_end + 1..line_end])
            .map_err(|_| unsupported("bad cache-tree"))?;
        let (count, subtrees) = header
            .split_once(' ')
            .ok_or_else(|| unsupported("bad cache-tree"))?;
        let count: i64 = count.parse().map_err(|_| unsupported("bad cache-tree"))?;
        let subtrees: usize = subtrees
            .parse()
            .map_err(|_| unsupported("bad cache-tree"))?;
        let mut next = line_end + 1;
        let oid = if count >= 0 {
            let oid = data
                .get(next..next + OID)
                .ok_or_else(|| unsupported("bad cache-tree"))?;
            next += OID;
            Some(oid)
        } else {
            None
        };
        // This node's depth is the stack's; it is on our path when every
        // ancestor's name (and its own) matches.
        while stack.last().is_some_and(|(_, left)| *left == 0) {
            stack.pop();
        }
        if let Some(top) = stack.last_mut() {
            top.1 -= 1;
        }
        let depth = stack.len();
        let on_path = if depth == 0 {
            true
        } else {
            depth <= dirs.len()
                && stack
                    .iter()
                    .skip(1)
                    .map(|(n, _)| n.as_str())
                    .eq(dirs[..depth - 1].iter().copied())
                && name == dirs[depth - 1]
        };
        out.extend_from_slice(name.as_bytes());
        out.push(0);
        if on_path {
            out.extend_from_slice(format!("-1 {subtrees}\n").as_bytes());
        } else {
            out.extend_from_slice(&data[name_end + 1..line_end + 1]);
            if let Some(oid) = oid {
                out.extend_from_slice(oid);
            }
        }
        stack.push((name, subtrees));
        at = next;
    }
    Ok(out)
}

/// git's lock protocol: create `index.lock` exclusively, write, rename.
struct LockFile {
    path: PathBuf,
    target: PathBuf,
    file: Option<File>,
}

impl LockFile {
    fn acquire(target: &Path) -> Result<LockFile, IndexError> {
        let path = target.with_extension("lock");
        for attempt in 0..50 {
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(file) => {
                    return Ok(LockFile {
                        path,
                        target: target.to_path_buf(),
                        file: Some(file),
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    std::thread::sleep(std::time::Duration::from_millis(10 + attempt * 2));
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(IndexError::Locked)
    }

    fn commit(mut self, bytes: &[u8]) -> Result<(), IndexError> {
        let mut file = self.file.take().expect("open until committed");
        file.write_all(bytes)?;
        drop(file);
        std::fs::rename(&self.path, &self.target)?;
        Ok(())
    }
}

impl Drop for LockFile {
    fn drop(&mut self) {
        if self.file.is_some() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip() {
        for v in [0, 1, 127, 128, 255, 16_511, 16_512, 1 << 20] {
            let mut b = Vec::new();
            put_varint(&mut b, v);
            assert_eq!(varint(&b), Some((v, b.len())), "{v}");
        }
    }

    #[test]
    fn cache_tree_invalidates_only_the_path() {
        // root(2 entries, 2 subtrees) > a(1, 0), b(1, 1) > c(1, 0)
        let oid = [7u8; OID];
        let mut data = Vec::new();
        for (name, header) in [("", "3 2"), ("a", "1 0"), ("b", "2 1"), ("c", "1 0")] {
            data.extend_from_slice(name.as_bytes());
            data.push(0);
            data.extend_from_slice(header.as_bytes());
            data.push(b'\n');
            data.extend_from_slice(&oid);
        }
        let out = invalidate_tree(&data, "b/c/file.toml").unwrap();
        let text = String::from_utf8_lossy(&out);
        assert!(text.starts_with("\0-1 2\na\x001 0\n"), "{text:?}");
        assert!(text.contains("b\0-1 1\nc\0-1 0\n"), "{text:?}");
        // Three ids gone; three counts one character longer ("-1" for "3").
        assert_eq!(out.len(), data.len() - 3 * OID + 3);
    }
}
