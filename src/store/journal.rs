//! The write-ahead note that makes a change survive a crash.
//!
//! A change touches three things that cannot be updated together: the
//! work-tree file, its index entry and the branch. Before touching any of
//! them, the plan (branch, old and new commit, path, old and new blob, the
//! old and new bytes of the file) is written to `.git/devops-postmortem-journal`
//! and synced. Whatever instant a crash hits, the next run finds the note
//! and, looking at what git holds, finishes the change or leaves it (see
//! `commit::settle`). The note is removed once the branch has moved.

use crate::error::{Error, Result};
use crate::fsio::{Durability, Temp, atomic_write};
use git2::Oid;
use std::path::{Path, PathBuf};

const HEADER: &str = "devops-postmortem journal 2";
/// Written before `ours-blob`/`ours-file` existed; still settled.
const HEADER_1: &str = "devops-postmortem journal 1";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Journal {
    /// The branch the commit goes on, e.g. `refs/heads/main`.
    pub branch: String,
    /// Where the branch pointed when the change was planned (`None`: unborn).
    pub parent: Option<Oid>,
    pub commit: Oid,
    /// The file, relative to the work tree.
    pub path: String,
    /// Its git mode (`0o100644` or `0o100755`).
    pub mode: u32,
    pub old_blob: Option<Oid>,
    pub new_blob: Oid,
    /// Hashes of the raw bytes in the work tree before and after (`None`:
    /// no file), so the next run can tell our bytes from anyone else's.
    pub old_file: Option<Oid>,
    pub new_file: Oid,
    /// An earlier attempt of the same change that lost the race for the
    /// branch may have left its blob staged and its bytes in the work
    /// tree: ours, not the user's edits.
    pub ours_blob: Option<Oid>,
    pub ours_file: Option<Oid>,
    /// What the change was, for messages: `assign PM-20261124-k7x3q4mz`.
    pub what: String,
}

pub fn path(repo: &git2::Repository) -> PathBuf {
    // Per work tree: the index, HEAD and the files are per work tree.
    repo.path().join("devops-postmortem-journal")
}

fn opt(o: Option<Oid>) -> String {
    o.map_or("-".to_string(), |o| o.to_string())
}

impl Journal {
    fn encode(&self) -> String {
        // Without earlier attempts, format 1: an older `devops` reads it
        // too (it would take a format-2 journal for damaged and drop it).
        let (header, ours) = match (self.ours_blob, self.ours_file) {
            (None, None) => (HEADER_1, String::new()),
            (blob, file) => (
                HEADER,
                format!("ours-blob {}\nours-file {}\n", opt(blob), opt(file)),
            ),
        };
        let body = format!(
            "{header}\nbranch {}\nparent {}\ncommit {}\nmode {:o}\nold-blob {}\nnew-blob {}\nold-file {}\nnew-file {}\n{ours}what {}\npath {}\n",
            self.branch,
            opt(self.parent),
            self.commit,
            self.mode,
            opt(self.old_blob),
            self.new_blob,
            opt(self.old_file),
            self.new_file,
            self.what,
            self.path,
        );
        let crc = crc32fast::hash(body.as_bytes());
        format!("{body}crc {crc:08x}\n")
    }

    fn decode(text: &str) -> Option<Journal> {
        let (body, crc_line) = text.strip_suffix('\n')?.rsplit_once('\n')?;
        let body = format!("{body}\n");
        if crc_line != format!("crc {:08x}", crc32fast::hash(body.as_bytes())) {
            return None;
        }
        let mut lines = body.lines();
        let version_1 = match lines.next()? {
            HEADER => false,
            HEADER_1 => true,
            _ => return None,
        };
        let mut field = |key: &str| -> Option<String> {
            lines
                .next()?
                .strip_prefix(key)?
                .strip_prefix(' ')
                .map(str::to_string)
        };
        let oid = |s: String| Oid::from_str(&s).ok();
        let opt_oid = |s: String| -> Option<Option<Oid>> {
            if s == "-" {
                Some(None)
            } else {
                Oid::from_str(&s).ok().map(Some)
            }
        };
        let branch = field("branch")?;
        let parent = opt_oid(field("parent")?)?;
        let commit = oid(field("commit")?)?;
        let mode = u32::from_str_radix(&field("mode")?, 8).ok()?;
        let old_blob = opt_oid(field("old-blob")?)?;
        let new_blob = oid(field("new-blob")?)?;
        let old_file = opt_oid(field("old-file")?)?;
        let new_file = oid(field("new-file")?)?;
        let (ours_blob, ours_file) = if version_1 {
            (None, None)
        } else {
            (opt_oid(field("ours-blob")?)?, opt_oid(field("ours-file")?)?)
        };
        Some(Journal {
            branch,
            parent,
            commit,
            mode,
            old_blob,
            new_blob,
            old_file,
            new_file,
            ours_blob,
            ours_file,
            what: field("what")?,
            path: field("path")?,
        })
    }
}

/// Writes the note, synced to disk, before anything else is touched.
pub fn write(repo: &git2::Repository, j: &Journal) -> Result<()> {
    let path = path(repo);
    atomic_write(
        &path,
        j.encode().as_bytes(),
        Durability::Synced,
        Temp::Named(path.with_extension("tmp")),
    )
    .map_err(|e| {
        Error::new(format!(
            "cannot write {}: {e}: nothing was written",
            path.display()
        ))
    })
}

pub enum Found {
    None,
    Note(Box<Journal>),
    /// A note that does not read back: never acted on.
    Damaged(PathBuf),
}

pub fn read(repo: &git2::Repository) -> Found {
    let path = path(repo);
    match std::fs::read_to_string(&path) {
        Ok(text) => match Journal::decode(&text) {
            Some(j) => Found::Note(Box::new(j)),
            None => Found::Damaged(path),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Found::None,
        Err(_) => Found::Damaged(path),
    }
}

pub fn remove(repo: &git2::Repository) -> std::io::Result<()> {
    match std::fs::remove_file(path(repo)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Hash of a file's raw bytes (`None`: no file).
pub fn file_hash(path: &Path) -> Result<Option<Oid>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(Oid::hash_object(git2::ObjectType::Blob, &bytes)?)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::new(format!("cannot read {}: {e}", path.display()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Journal {
        let o = |c: char| Oid::from_str(&c.to_string().repeat(40)).unwrap();
        Journal {
            branch: "refs/heads/main".into(),
            parent: Some(o('1')),
            commit: o('2'),
            path: "postmortems/2026/11/PM-20261124-abcd2345.toml".into(),
            mode: 0o100644,
            old_blob: None,
            new_blob: o('3'),
            old_file: None,
            new_file: o('4'),
            ours_blob: Some(o('5')),
            ours_file: None,
            what: "new PM-20261124-abcd2345".into(),
        }
    }

    #[test]
    fn round_trips_and_refuses_any_damage() {
        let j = sample();
        let text = j.encode();
        assert_eq!(Journal::decode(&text), Some(j));
        let bytes = text.as_bytes();
        for i in 0..bytes.len() {
            for bit in 0..8 {
                let mut flipped = bytes.to_vec();
                flipped[i] ^= 1 << bit;
                if let Ok(s) = String::from_utf8(flipped) {
                    assert_eq!(Journal::decode(&s), None, "flip at {i}.{bit} accepted");
                }
            }
        }
        assert_eq!(Journal::decode(&text[..text.len() - 3]), None);
    }

    #[test]
    fn without_earlier_attempts_it_is_written_in_the_first_format() {
        let j = Journal {
            ours_blob: None,
            ours_file: None,
            ..sample()
        };
        let text = j.encode();
        assert!(text.starts_with(&format!("{HEADER_1}\n")), "{text}");
        assert!(!text.contains("ours-"), "{text}");
        assert_eq!(Journal::decode(&text), Some(j));
    }
}
