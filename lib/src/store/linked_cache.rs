//! Which record files may hold an action item filed in a tracker, kept in
//! `.git/` keyed by the records directory's tree. `sync` asks after every
//! merge; reading every record to answer would cost more than the sync.
//! A new tree is compared with the cached one (libgit2 skips equal month
//! folders) and only the files that changed are read. Like every cache
//! here (see `cache_file`), it is checked and rebuilt, never trusted: a
//! missing or foreign file, or a tree that is gone, means one full scan.

use super::Store;
use super::cache_file::{self, Fingerprint, Reader};
use crate::error::Result;
use git2::Oid;
use std::collections::BTreeMap;

const KIND: &[u8; 4] = b"LINK";
const FORMAT: u32 = 1;

/// The record files (path, blob) whose bytes pass `test` (it must hold
/// for a record's text and for its cached encoding alike).
pub fn files_passing(
    store: &Store,
    test: &super::read::BytesTest<'_>,
) -> Result<Vec<(String, Oid)>> {
    let Some(dir) = store.snapshot()?.dir else {
        return Ok(Vec::new());
    };
    let path = store
        .repo
        .commondir()
        .join("devops-postmortem-linked.cache");
    let fingerprint = Fingerprint {
        kind: KIND,
        format: FORMAT,
        key: store.records_dir.as_bytes(),
    };
    let cached = cache_file::read(&path, &fingerprint).and_then(|p| decode(&p));
    let files = match cached {
        Some((tree, files)) if tree == dir => return Ok(files.into_iter().collect()),
        Some((tree, files)) => match changed_since(store, tree, dir, files, test) {
            Some(files) => files?,
            None => full_scan(store, test)?,
        },
        None => full_scan(store, test)?,
    };
    crate::trace::mark("tracker: linked files found");
    // Best effort: a cache that cannot be written is rebuilt next time.
    let _ = cache_file::write(&path, &fingerprint, &[&encode(dir, &files)]);
    Ok(files.into_iter().collect())
}

fn full_scan(store: &Store, test: &super::read::BytesTest<'_>) -> Result<BTreeMap<String, Oid>> {
    Ok(super::read::files_passing(store, test)?
        .into_iter()
        .collect())
}

/// `files` (as of tree `old`) brought to tree `new`: the changed files
/// read again. `None` when `old` can no longer be read (collected).
fn changed_since(
    store: &Store,
    old: Oid,
    new: Oid,
    mut files: BTreeMap<String, Oid>,
    test: &super::read::BytesTest<'_>,
) -> Option<Result<BTreeMap<String, Oid>>> {
    let repo = &store.repo;
    let (old, new) = (repo.find_tree(old).ok()?, repo.find_tree(new).ok()?);
    let diff = repo.diff_tree_to_tree(Some(&old), Some(&new), None).ok()?;
    let mut reread = Vec::new();
    for d in diff.deltas() {
        let Some(rel) = d.new_file().path().or_else(|| d.old_file().path()) else {
            continue;
        };
        let path = format!("{}/{}", store.records_dir, rel.to_string_lossy());
        files.remove(&path);
        if !d.new_file().id().is_zero() && path.ends_with(".toml") {
            reread.push((path, d.new_file().id()));
        }
    }
    let passed = match super::read::blobs(store, &reread, |_, bytes| test(bytes).then_some(())) {
        Ok(p) => p,
        Err(e) => return Some(Err(e)),
    };
    let blobs: BTreeMap<String, Oid> = reread.into_iter().collect();
    for (path, ()) in passed {
        if let Some(blob) = blobs.get(&path) {
            files.insert(path, *blob);
        }
    }
    Some(Ok(files))
}

/// Tree id, count, then each file: path length (u16), path, blob id.
fn encode(dir: Oid, files: &BTreeMap<String, Oid>) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(dir.as_bytes());
    out.extend_from_slice(&(files.len() as u32).to_le_bytes());
    for (path, blob) in files {
        out.extend_from_slice(&(path.len() as u16).to_le_bytes());
        out.extend_from_slice(path.as_bytes());
        out.extend_from_slice(blob.as_bytes());
    }
    out
}

fn decode(bytes: &[u8]) -> Option<(Oid, BTreeMap<String, Oid>)> {
    let mut r = Reader::new(bytes);
    let dir = Oid::from_bytes(r.take(20)?).ok()?;
    let n = r.u32()?;
    let mut files = BTreeMap::new();
    for _ in 0..n {
        let len = r.u16()? as usize;
        let path = std::str::from_utf8(r.take(len)?).ok()?.to_string();
        files.insert(path, Oid::from_bytes(r.take(20)?).ok()?);
    }
    r.is_done().then_some((dir, files))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_written_reads_back_and_a_torn_payload_does_not() {
        let dir = Oid::from_str("0123456789012345678901234567890123456789").unwrap();
        let blob = Oid::from_str("9876543210987654321098765432109876543210").unwrap();
        let files: BTreeMap<String, Oid> = [(
            "postmortems/2026/11/PM-20261124-aaaaaaaa.toml".to_string(),
            blob,
        )]
        .into();
        let bytes = encode(dir, &files);
        assert_eq!(decode(&bytes), Some((dir, files)));
        assert_eq!(decode(&bytes[..bytes.len() - 1]), None);
    }
}
