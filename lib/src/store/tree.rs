//! The records directory of a tree: `YYYY/MM/<id>.toml` files, read
//! straight from git's objects (no work tree involved).
//!
//! Anything there that looks like a record but cannot be one (a symbolic
//! link, a folder or submodule named `PM-….toml`, a name that is not
//! UTF-8 or not an ID) is returned as a stray, so it is reported rather than
//! skipped in silence.

use crate::error::Result;
use crate::record::RecordId;
use git2::{ObjectType, Oid, Repository, TreeEntry};

/// One month folder: `2026/11` and its tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Month {
    pub dir: String,
    pub tree: Oid,
}

/// A record file in a month folder.
#[derive(Debug, Clone)]
pub struct File {
    pub id: RecordId,
    pub blob: Oid,
}

/// Something under the records directory that is not a readable record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stray {
    /// Relative to the records directory.
    pub path: String,
    pub why: String,
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

fn name_of(e: &TreeEntry<'_>) -> Result<String, String> {
    match e.name() {
        Ok(n) => Ok(n.to_string()),
        Err(_) => Err(String::from_utf8_lossy(e.name_bytes()).into_owned()),
    }
}

/// The month folders under the records directory's tree, newest first.
pub fn months(repo: &Repository, dir: Oid) -> Result<(Vec<Month>, Vec<Stray>)> {
    let mut months = Vec::new();
    let mut strays = Vec::new();
    for year in repo.find_tree(dir)?.iter() {
        let Ok(year_name) = name_of(&year) else {
            continue; // not a year; `check` reports files it finds there
        };
        if !digits(&year_name, 4) || year.kind() != Some(ObjectType::Tree) {
            continue;
        }
        for month in repo.find_tree(year.id())?.iter() {
            match name_of(&month) {
                Ok(m) if digits(&m, 2) && month.kind() == Some(ObjectType::Tree) => {
                    months.push(Month {
                        dir: format!("{year_name}/{m}"),
                        tree: month.id(),
                    });
                }
                Ok(m) if m.ends_with(".toml") => strays.push(Stray {
                    path: format!("{year_name}/{m}"),
                    why: "is not in a month folder (YYYY/MM/)".into(),
                }),
                _ => {}
            }
        }
    }
    // Git sorts tree entries by name: reversing gives newest first.
    months.reverse();
    Ok((months, strays))
}

/// The record files of one month folder, in ID order.
pub fn files(repo: &Repository, month: &Month) -> Result<(Vec<File>, Vec<Stray>)> {
    let mut files = Vec::new();
    let mut strays = Vec::new();
    for e in repo.find_tree(month.tree)?.iter() {
        let name = match name_of(&e) {
            Ok(n) => n,
            Err(lossy) => {
                if lossy.ends_with(".toml") {
                    strays.push(Stray {
                        path: format!("{}/{lossy}", month.dir),
                        why: "has a name that is not UTF-8".into(),
                    });
                }
                continue;
            }
        };
        let Some(stem) = name.strip_suffix(".toml") else {
            continue;
        };
        let path = format!("{}/{name}", month.dir);
        let why = match (RecordId::parse(stem), e.kind(), e.filemode()) {
            (Some(id), Some(ObjectType::Blob), 0o100644 | 0o100755) => {
                files.push(File { id, blob: e.id() });
                continue;
            }
            (None, _, _) => "is not named as a record (PM-YYYYMMDD-xxxxxxxx.toml)",
            (_, Some(ObjectType::Blob), 0o120000) => "is a symbolic link, not a record file",
            (_, Some(ObjectType::Tree), _) => "is a folder, not a record file",
            (_, Some(ObjectType::Commit), _) => "is a submodule, not a record file",
            _ => "is not a regular file",
        };
        strays.push(Stray {
            path,
            why: why.to_string(),
        });
    }
    Ok((files, strays))
}

/// A path and the blob it holds.
pub type PathBlob = (String, Oid);

/// Every `.toml` path under the records directory's tree (relative to it,
/// at any depth), except the config and templates: what `check` lints.
/// Entries that are not regular files come back as strays.
pub fn toml_files(repo: &Repository, dir: Oid) -> Result<(Vec<PathBlob>, Vec<Stray>)> {
    let mut out = Vec::new();
    let mut strays = Vec::new();
    let mut stack = vec![(String::new(), dir)];
    while let Some((prefix, tree)) = stack.pop() {
        for e in repo.find_tree(tree)?.iter() {
            let name = name_of(&e).unwrap_or_else(|lossy| lossy);
            let path = format!("{prefix}{name}");
            if path == "config.toml" || path == "templates" {
                continue;
            }
            match (e.kind(), e.filemode()) {
                (Some(ObjectType::Tree), _) => {
                    if name.ends_with(".toml") {
                        strays.push(Stray {
                            path: path.clone(),
                            why: "is a folder, not a record file".into(),
                        });
                    }
                    stack.push((format!("{path}/"), e.id()));
                }
                _ if !name.ends_with(".toml") => {}
                _ if e.name().is_err() => strays.push(Stray {
                    path,
                    why: "has a name that is not UTF-8".into(),
                }),
                (Some(ObjectType::Blob), 0o100644 | 0o100755) => out.push((path, e.id())),
                (Some(ObjectType::Blob), 0o120000) => strays.push(Stray {
                    path,
                    why: "is a symbolic link, not a record file".into(),
                }),
                _ => strays.push(Stray {
                    path,
                    why: "is not a regular file".into(),
                }),
            }
        }
    }
    out.sort();
    strays.sort_by(|a, b| a.path.cmp(&b.path));
    Ok((out, strays))
}
