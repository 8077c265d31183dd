//! The records directory of a tree: `YYYY/MM/<id>.toml` files, read
//! straight from git's objects (no work tree involved).
//!
//! Every committed path there is a record, the config (`config.toml`), a
//! template (`templates/`), the imported deploys (`deploys.jsonl`), or a stray: anything else (a symbolic link, a
//! folder or submodule named `PM-….toml`, a name that is not UTF-8 or not
//! an ID, a README, a folder outside the month folders) is returned with
//! why, so it is reported rather than skipped in silence.

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

/// What an entry is, as git or the file system says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    Link,
    Folder,
    Submodule,
    Other,
}

/// Why an entry beside the month folders is reported.
const OUTSIDE: &str = "is outside the month folders: only records (YYYY/MM/PM-YYYYMMDD-xxxxxxxx.toml), config.toml, deploys.jsonl and templates/ belong in the records directory; move or remove it";
const NOT_UTF8: &str = "has a name that is not UTF-8: rename or remove it";
const MISNAMED: &str = "is not named as a record (PM-YYYYMMDD-xxxxxxxx.toml): rename or remove it";

/// Why an entry that is not a folder and sits where a record may is not
/// one (`None`: a regular file whose UTF-8 name ends in `.toml`, read or
/// linted as a record).
pub fn not_a_record(name_is_utf8: bool, name: &str, kind: Kind) -> Option<&'static str> {
    if !name_is_utf8 {
        return Some(NOT_UTF8);
    }
    match kind {
        Kind::File if name.ends_with(".toml") => None,
        Kind::File => {
            Some("is not a record file (records are PM-YYYYMMDD-xxxxxxxx.toml): move or remove it")
        }
        Kind::Link => Some("is a symbolic link, not a record file: commit the record itself"),
        Kind::Folder => Some("is a folder, not a record file"),
        Kind::Submodule => Some("is a submodule, not a record file"),
        Kind::Other => Some("is not a regular file"),
    }
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

/// An entry's name, or `Err` with it as best shown when it is not UTF-8.
fn name_of(e: &TreeEntry<'_>) -> Result<String, String> {
    match e.name() {
        Ok(n) => Ok(n.to_string()),
        Err(_) => Err(String::from_utf8_lossy(e.name_bytes()).into_owned()),
    }
}

/// A name as messages show it.
fn shown(name: &Result<String, String>) -> String {
    name.clone().unwrap_or_else(|lossy| lossy)
}

/// What a tree entry is, by its object type and mode.
pub fn kind_of(e: &TreeEntry<'_>) -> Kind {
    match (e.kind(), e.filemode()) {
        (Some(ObjectType::Tree), _) => Kind::Folder,
        (Some(ObjectType::Commit), _) => Kind::Submodule,
        (Some(ObjectType::Blob), 0o100644 | 0o100755) => Kind::File,
        (Some(ObjectType::Blob), 0o120000) => Kind::Link,
        _ => Kind::Other,
    }
}

/// The month folders under the records directory's tree, newest first,
/// and everything beside them that is neither the config nor templates.
pub fn months(repo: &Repository, dir: Oid) -> Result<(Vec<Month>, Vec<Stray>)> {
    let mut months = Vec::new();
    let mut strays = Vec::new();
    let outside = |path: String, name: &Result<String, String>| Stray {
        path,
        why: if name.is_ok() { OUTSIDE } else { NOT_UTF8 }.to_string(),
    };
    for year in repo.find_tree(dir)?.iter() {
        let name = name_of(&year);
        let shown = shown(&name);
        match (name.as_deref(), kind_of(&year)) {
            (Ok("config.toml" | crate::deploy::FILE), Kind::File)
            | (Ok("templates"), Kind::Folder) => continue,
            (Ok(y), Kind::Folder) if digits(y, 4) => {}
            _ => {
                strays.push(outside(shown, &name));
                continue;
            }
        }
        for month in repo.find_tree(year.id())?.iter() {
            let m = name_of(&month);
            match m.as_deref() {
                Ok(m) if digits(m, 2) && kind_of(&month) == Kind::Folder => {
                    months.push(Month {
                        dir: format!("{shown}/{m}"),
                        tree: month.id(),
                    });
                }
                Ok(n) => strays.push(outside(format!("{shown}/{n}"), &m)),
                Err(lossy) => strays.push(outside(format!("{shown}/{lossy}"), &m)),
            }
        }
    }
    // Git sorts tree entries by name: reversing gives newest first.
    months.reverse();
    Ok((months, strays))
}

/// The record files of one month folder, in ID order, and every other
/// entry there as a stray.
pub fn files(repo: &Repository, month: &Month) -> Result<(Vec<File>, Vec<Stray>)> {
    let mut files = Vec::new();
    let mut strays = Vec::new();
    for e in repo.find_tree(month.tree)?.iter() {
        let name = name_of(&e);
        let shown = shown(&name);
        let why = match not_a_record(name.is_ok(), &shown, kind_of(&e)) {
            Some(why) => why,
            None => match shown.strip_suffix(".toml").and_then(RecordId::parse) {
                Some(id) => {
                    files.push(File { id, blob: e.id() });
                    continue;
                }
                None => MISNAMED,
            },
        };
        strays.push(Stray {
            path: format!("{}/{shown}", month.dir),
            why: why.to_string(),
        });
    }
    Ok((files, strays))
}

/// A path and the blob it holds.
pub type PathBlob = (String, Oid);

/// Every `.toml` file under the records directory's tree (relative to it,
/// at any depth), except the config and templates: what `check` lints.
/// Every other entry (a file of another name, a link, a submodule, a
/// folder named `….toml`) comes back as a stray.
pub fn toml_files(repo: &Repository, dir: Oid) -> Result<(Vec<PathBlob>, Vec<Stray>)> {
    let mut out = Vec::new();
    let mut strays = Vec::new();
    let mut stack = vec![(String::new(), dir)];
    while let Some((prefix, tree)) = stack.pop() {
        for e in repo.find_tree(tree)?.iter() {
            let name = name_of(&e);
            let shown = shown(&name);
            let path = format!("{prefix}{shown}");
            let kind = kind_of(&e);
            if ((path == "config.toml" || path == crate::deploy::FILE) && kind == Kind::File)
                || (path == "templates" && kind == Kind::Folder)
            {
                continue;
            }
            if kind == Kind::Folder {
                // A folder named as a record is said once; what it holds
                // is linted too (a record inside is at the wrong place).
                if name.is_err() || shown.ends_with(".toml") {
                    let why = not_a_record(name.is_ok(), &shown, kind).unwrap_or_default();
                    strays.push(Stray {
                        path: path.clone(),
                        why: why.to_string(),
                    });
                }
                stack.push((format!("{path}/"), e.id()));
                continue;
            }
            match not_a_record(name.is_ok(), &shown, kind) {
                None => out.push((path, e.id())),
                Some(why) => strays.push(Stray {
                    path,
                    why: why.to_string(),
                }),
            }
        }
    }
    out.sort();
    strays.sort_by(|a, b| a.path.cmp(&b.path));
    Ok((out, strays))
}
