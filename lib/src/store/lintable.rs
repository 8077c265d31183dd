//! The files `check` lints: the work tree's when the checked-out tree
//! holds the records (CI on a pull request to the records branch, a
//! work tree of the branch, the earlier layout), else the records branch's
//! own. Every `.toml` under the records directory except the config and
//! templates, and what cannot be read said as such.

use super::Store;
use super::read::Unreadable;
use crate::error::{Error, Result};
use crate::record::parse::Located;
use git2::Oid;
use rayon::prelude::*;
use std::path::Path;

/// Where the files come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    WorkTree,
    Branch,
}

/// The files to lint: each path with its text, or why it has none.
pub struct Lintable {
    pub source: Source,
    pub files: Vec<(String, std::result::Result<String, String>)>,
    pub strays: Vec<Unreadable>,
}

pub fn gather(store: &Store) -> Result<Lintable> {
    match (store.head_holds_records(), &store.workdir) {
        (true, Some(workdir)) => from_work_tree(store, workdir),
        _ => from_branch(store),
    }
}

fn from_branch(store: &Store) -> Result<Lintable> {
    let mut lintable = Lintable {
        source: Source::Branch,
        files: Vec::new(),
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
    let blobs: Vec<(String, Oid)> = blobs
        .into_iter()
        .map(|(rel, blob)| (format!("{records_dir}/{rel}"), blob))
        .collect();
    lintable.files = super::read::blobs(store, &blobs, |_, bytes| {
        Some(String::from_utf8(bytes.to_vec()).map_err(|_| "is not UTF-8 text".to_string()))
    })?;
    Ok(lintable)
}

fn from_work_tree(store: &Store, workdir: &Path) -> Result<Lintable> {
    super::paths::check_inside(workdir, &format!("{}/-", store.records_dir))?;
    let mut paths = Vec::new();
    let mut strays = Vec::new();
    walk(
        workdir,
        &store.records_dir,
        &store.records_dir,
        &mut paths,
        &mut strays,
    )?;
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
        source: Source::WorkTree,
        files,
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
/// symbolic links.
fn walk(
    workdir: &Path,
    records_dir: &str,
    rel: &str,
    out: &mut Vec<String>,
    strays: &mut Vec<Unreadable>,
) -> Result<()> {
    let dir = workdir.join(rel);
    let listing = match std::fs::read_dir(&dir) {
        Ok(l) => l,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::new(format!("cannot read {}: {e}", dir.display()))),
    };
    for e in listing.flatten() {
        let name = e.file_name();
        let Some(name) = name.to_str() else {
            if e.file_name().to_string_lossy().ends_with(".toml") {
                let lossy = e.file_name().to_string_lossy().into_owned();
                strays.push(stray(
                    format!("{rel}/{lossy}"),
                    "has a name that is not UTF-8".into(),
                ));
            }
            continue;
        };
        let path = format!("{rel}/{name}");
        if path == format!("{records_dir}/config.toml")
            || path == format!("{records_dir}/templates")
        {
            continue;
        }
        match e.file_type() {
            Ok(t) if t.is_dir() => {
                if name.ends_with(".toml") {
                    strays.push(stray(path.clone(), "is a folder, not a record file".into()));
                }
                walk(workdir, records_dir, &path, out, strays)?;
            }
            Ok(t) if t.is_symlink() && name.ends_with(".toml") => {
                strays.push(stray(path, "is a symbolic link, not a record file".into()));
            }
            Ok(t) if t.is_file() && name.ends_with(".toml") => out.push(path),
            _ => {}
        }
    }
    Ok(())
}
