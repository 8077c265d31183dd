//! The write-ahead note of a write through a work tree (`worktree`): the
//! plan, the work tree, the identity of the staged index that becomes
//! git's `index.lock`, and the hashes of the bytes the write puts in the
//! files. Written (synced) before the lock is taken; removed once the
//! index has followed the branch. A run killed in between leaves it for
//! the next run, which finishes or undoes the write from what git holds.
//! JSON with a CRC-32, in the common git directory (one writer at a time
//! holds our lock there).

use super::Plan;
use crate::error::{Error, Result};
use crate::fsio::{Durability, Temp, atomic_write};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

const FORMAT: u32 = 3;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Journal {
    pub format: u32,
    pub plan: Plan,
    /// The work tree's git dir (its `index`) and the work tree.
    pub git_dir: PathBuf,
    pub work_tree: PathBuf,
    /// (device, inode) of the staged index file, linked as `index.lock`:
    /// a lock with this identity is ours.
    pub staged: (u64, u64),
    /// Per file of the plan, the blob hash of the bytes written to the work
    /// tree (`None`: the file is removed).
    pub written: Vec<Option<String>>,
}

pub fn path(repo: &git2::Repository) -> PathBuf {
    repo.commondir().join("devops-postmortem-journal")
}

pub fn write(repo: &git2::Repository, journal: &Journal) -> Result<()> {
    let body = serde_json::to_string(journal).map_err(|e| Error::new(e.to_string()))?;
    let crc = crc32fast::hash(body.as_bytes());
    let path = path(repo);
    let temp = Temp::Named(crate::fsio::named_temp(&path));
    atomic_write(
        &path,
        format!("{body}\n{crc:08x}\n").as_bytes(),
        Durability::Synced,
        temp,
    )
    .map_err(|e| Error::new(format!("cannot write {}: {e}", path.display())).nothing_written())
}

/// What the journal file holds.
pub enum Found {
    None,
    /// Torn or foreign: never acted on.
    Damaged(PathBuf),
    Note(Box<Journal>),
}

pub fn read(repo: &git2::Repository) -> Found {
    let path = path(repo);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return if path.exists() {
            Found::Damaged(path)
        } else {
            Found::None
        };
    };
    match decode(&text) {
        Some(j) => Found::Note(Box::new(j)),
        None => Found::Damaged(path),
    }
}

fn decode(text: &str) -> Option<Journal> {
    let (body, crc) = text.trim_end_matches('\n').rsplit_once('\n')?;
    if crc != format!("{:08x}", crc32fast::hash(body.as_bytes())) {
        return None;
    }
    let j: Journal = serde_json::from_str(body).ok()?;
    (j.format == FORMAT && j.written.len() == j.plan.files.len()).then_some(j)
}

pub fn remove(repo: &git2::Repository) -> std::io::Result<()> {
    match std::fs::remove_file(path(repo)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// (device, inode) of a file, not following a symbolic link.
pub fn identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::symlink_metadata(path)
        .ok()
        .map(|m| (m.dev(), m.ino()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flipped_bit_is_never_acted_on() {
        let j = Journal {
            format: FORMAT,
            plan: Plan {
                refname: "refs/heads/postmortems".into(),
                parent: None,
                commit: git2::Oid::from_bytes(&[7; 20]).unwrap(),
                files: Vec::new(),
                what: "new PM-20261124-abcdefgh".into(),
            },
            git_dir: "/r/.git".into(),
            work_tree: "/r".into(),
            staged: (1, 2),
            written: Vec::new(),
        };
        let body = serde_json::to_string(&j).unwrap();
        let text = format!("{body}\n{:08x}\n", crc32fast::hash(body.as_bytes()));
        assert_eq!(decode(&text), Some(j));
        let bytes = text.as_bytes();
        for i in 0..bytes.len() {
            for bit in 0..8 {
                let mut b = bytes.to_vec();
                b[i] ^= 1 << bit;
                if let Ok(t) = String::from_utf8(b) {
                    let same = t.trim_end_matches('\n') == text.trim_end_matches('\n');
                    assert!(decode(&t).is_none() || same, "flip at {i}.{bit}");
                }
            }
        }
    }
}
