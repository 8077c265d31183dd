//! What `check` found in each file of the records branch, cached in `.git/`
//! by the file's path and blob id: a blob id names its text for ever, and
//! the findings kept here depend only on that text, its path and the
//! team's config (the cache's key), never on the clock. So a second
//! `check` reads and lints only the files that changed since the last.
//! Like every cache (`store::cache_file`): checksummed, atomic, ignored
//! and rebuilt when anything does not match; delete it at any time.

use super::Linted;
use crate::store::cache_file::{self, Fingerprint};
use git2::Oid;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::PathBuf;

const KIND: &[u8; 4] = b"LINT";
/// Bump whenever `Linted` changes shape or a rule changes what it finds.
const FORMAT: u32 = 2;

#[derive(Serialize, Deserialize)]
struct Entry {
    blob: [u8; 20],
    path: String,
    linted: Linted,
}

pub struct Memo {
    path: PathBuf,
    key: Vec<u8>,
    /// By blob (a blob at two paths is cached at one of them).
    entries: HashMap<Oid, (String, Linted)>,
}

impl Memo {
    /// The cache for `key` (everything besides a file that its findings
    /// depend on); empty when missing, damaged or made for another key.
    pub fn open(repo: &git2::Repository, key: Vec<u8>) -> Memo {
        let path = repo.commondir().join("devops-postmortem-lint.cache");
        let entries = cache_file::read(&path, &fingerprint(&key))
            .and_then(|payload| postcard::from_bytes::<Vec<Entry>>(&payload).ok())
            .unwrap_or_default()
            .into_iter()
            .filter_map(|e| Some((Oid::from_bytes(&e.blob).ok()?, (e.path, e.linted))))
            .collect();
        Memo { path, key, entries }
    }

    /// What was found in `path` when it held `blob`.
    pub fn take(&mut self, path: &str, blob: Oid) -> Option<Linted> {
        match self.entries.remove(&blob) {
            Some((at, linted)) if at == path => Some(linted),
            _ => None,
        }
    }

    /// Whether it holds files not taken: changed or gone since.
    pub fn has_others(&self) -> bool {
        !self.entries.is_empty()
    }

    /// Replaces the cache with these files' findings. A cache that cannot
    /// be written is only a slower next run.
    pub fn save(&self, files: &[(String, Oid, &Linted)]) {
        let entries: Vec<EntryRef<'_>> = files
            .iter()
            .map(|(path, blob, linted)| EntryRef {
                blob: blob.as_bytes().try_into().unwrap_or([0; 20]),
                path,
                linted,
            })
            .collect();
        if let Ok(bytes) = postcard::to_allocvec(&entries) {
            let _ = cache_file::write(&self.path, &fingerprint(&self.key), &[&bytes]);
        }
    }
}

/// `Entry`, borrowed, for writing (serialises alike).
#[derive(Serialize)]
struct EntryRef<'a> {
    blob: [u8; 20],
    path: &'a str,
    linted: &'a Linted,
}

fn fingerprint(key: &[u8]) -> Fingerprint<'_> {
    Fingerprint {
        kind: KIND,
        format: FORMAT,
        key,
    }
}
