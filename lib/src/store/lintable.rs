//! The files `check` lints: the work tree's when the checked-out tree
//! holds the records (CI on a pull request to the records branch, a
//! work tree of the branch, the earlier layout), else the records branch's
//! own. Every `.toml` under the records directory except the config and
//! templates, and what cannot be read said as such.

use super::Store;
use super::read::Unreadable;
use super::tree::{Kind, not_a_record};
use crate::error::{Error, Result};
use crate::record::parse::Located;
use git2::Oid;
use rayon::prelude::*;
use std::path::Path;

/// A file's text, or why it has none.
pub type Text = std::result::Result<String, String>;

/// The files to lint and what is not a record file.
pub struct Lintable {
    pub files: Files,
    pub strays: Vec<Unreadable>,
}

/// The work tree's files are read at once; the branch's are named by
/// their blobs, read with `texts` (a blob id names its text for ever, so
/// a caller may know what it holds without reading it).
pub enum Files {
    WorkTree(Vec<(String, Text)>),
    Branch(Vec<(String, Oid)>),
}

impl Files {
    pub fn len(&self) -> usize {
        match self {
            Files::WorkTree(f) => f.len(),
            Files::Branch(f) => f.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The texts of these blobs of the records branch.
pub fn texts(store: &Store, blobs: &[(String, Oid)]) -> Result<Vec<(String, Text)>> {
    super::read::blobs(store, blobs, |_, bytes| {
        Some(String::from_utf8(bytes.to_vec()).map_err(|_| "is not UTF-8 text".to_string()))
    })
}

pub fn gather(store: &Store) -> Result<Lintable> {
    match (store.head_holds_records(), &store.workdir) {
        (true, Some(workdir)) => from_work_tree(store, workdir),
        _ => from_branch(store),
    }
}

fn from_branch(store: &Store) -> Result<Lintable> {
    let mut lintable = Lintable {
        files: Files::Branch(Vec::new()),
        strays: Vec::new(),
    };
    let Some(dir) = store.snapshot()?.dir else {
        return Ok(lintable);
    };
    let (blobs, strays) = super::tree::toml_files(&store.repo, dir)?;
    let records_dir = store.records_dir.as_str();
    lintable.strays = strays
        .into_iter()
        .map(|s| stray(format!("{records_dir}/{}", s.path), s.why))
        .collect();
    lintable.files = Files::Branch(
        blobs
            .into_iter()
            .map(|(rel, blob)| (format!("{records_dir}/{rel}"), blob))
            .collect(),
    );
    Ok(lintable)
}

fn from_work_tree(store: &Store, workdir: &Path) -> Result<Lintable> {
    super::paths::check_inside(workdir, &format!("{}/-", store.records_dir))?;
    let mut paths = Vec::new();
    let mut strays = Vec::new();
    walk(store, workdir, &store.records_dir, &mut paths, &mut strays)?;
    paths.sort();
    let files = paths
        .par_iter()
        .map(|p| {
            let text = std::fs::read(workdir.join(p))
                .map_err(|e| format!("cannot read: {e}"))
                .and_then(|b| String::from_utf8(b).map_err(|_| "is not UTF-8 text".to_string()));
            (p.clone(), text)
        })
        .collect();
    Ok(Lintable {
        files: Files::WorkTree(files),
        strays,
    })
}

fn stray(path: String, why: String) -> Unreadable {
    Unreadable {
        path,
        problem: Located {
            line: 1,
            col: 1,
            message: why,
        },
    }
}

/// The `.toml` files under `rel` (relative to `workdir`), not following
/// symbolic links; every other committed entry is a stray. Files git
/// does not track (an editor's backup, a note) are the person's own.
fn walk(
    store: &Store,
    workdir: &Path,
    rel: &str,
    out: &mut Vec<String>,
    strays: &mut Vec<Unreadable>,
) -> Result<()> {
    let records_dir = store.records_dir.as_str();
    let dir = workdir.join(rel);
    let listing = match std::fs::read_dir(&dir) {
        Ok(l) => l,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::new(format!("cannot read {}: {e}", dir.display()))),
    };
    for e in listing.flatten() {
        let file_name = e.file_name();
        let name = file_name.to_string_lossy();
        let path = format!("{rel}/{name}");
        let kind = match e.file_type() {
            Ok(t) if t.is_dir() => Kind::Folder,
            Ok(t) if t.is_symlink() => Kind::Link,
            Ok(t) if t.is_file() => Kind::File,
            _ => Kind::Other,
        };
        let beside = |file: &str| path == format!("{records_dir}/{file}") && kind == Kind::File;
        if beside("config.toml")
            || beside(crate::deploy::FILE)
            || (path == format!("{records_dir}/templates") && kind == Kind::Folder)
        {
            continue;
        }
        let utf8 = file_name.to_str().is_some();
        if kind == Kind::Folder && utf8 {
            if name.ends_with(".toml") {
                strays.push(stray(path.clone(), "is a folder, not a record file".into()));
            }
            walk(store, workdir, &path, out, strays)?;
            continue;
        }
        match not_a_record(utf8, &name, kind) {
            None => out.push(path),
            Some(why) if tracked(store, &path) => strays.push(stray(path, why.into())),
            Some(_) => {}
        }
    }
    Ok(())
}

/// Whether git tracks `path` (relative to the work tree's top): a file
/// only the person has is not the team's business.
fn tracked(store: &Store, path: &str) -> bool {
    let untracked = git2::Status::WT_NEW | git2::Status::IGNORED;
    match store.repo.status_file(Path::new(path)) {
        Ok(s) => !s.intersects(untracked),
        // Not UTF-8, or git cannot say: reported, as before.
        Err(_) => true,
    }
}
