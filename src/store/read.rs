//! Finding and reading records in the work tree.

use super::Store;
use crate::error::{Error, Result};
use crate::record::id::check_query;
use crate::record::parse::{Located, parse_record};
use crate::record::{Record, RecordId};
use rayon::prelude::*;

/// A record file's place: its ID and path relative to the work tree.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: RecordId,
    pub path: String,
}

/// A file that is not a readable record, reported and skipped.
#[derive(Debug)]
pub struct Unreadable {
    pub path: String,
    pub problem: Located,
}

/// Every `<dir>/YYYY/MM/<id>.toml`, newest month first. Only directory
/// listings: no file is opened.
pub fn entries(store: &Store) -> Result<Vec<Entry>> {
    let root = store.abs(&store.records_dir);
    let mut out = Vec::new();
    for year in sorted_dirs(&root)?.into_iter().rev() {
        for month in sorted_dirs(&root.join(&year))?.into_iter().rev() {
            let dir = root.join(&year).join(&month);
            let Ok(files) = std::fs::read_dir(&dir) else {
                continue;
            };
            for file in files.flatten() {
                let name = file.file_name();
                let Some(stem) = name.to_str().and_then(|n| n.strip_suffix(".toml")) else {
                    continue;
                };
                if let Some(id) = RecordId::parse(stem) {
                    out.push(Entry {
                        path: format!("{}/{year}/{month}/{stem}.toml", store.records_dir),
                        id,
                    });
                }
            }
        }
    }
    Ok(out)
}

fn sorted_dirs(dir: &std::path::Path) -> Result<Vec<String>> {
    let read = match std::fs::read_dir(dir) {
        Ok(r) => r,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::new(format!("cannot read {}: {e}", dir.display()))),
    };
    let mut names: Vec<String> = read
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    names.sort();
    Ok(names)
}

/// The one record a typed ID or prefix names.
pub fn find(store: &Store, query: &str) -> Result<Entry> {
    let q = check_query(query)?;
    // A full ID needs no listing.
    if let Some(id) = RecordId::parse(q) {
        let path = store.record_path(&id);
        if store.abs(&path).exists() {
            return Ok(Entry { id, path });
        }
    }
    let matches: Vec<Entry> = entries(store)?
        .into_iter()
        .filter(|e| e.id.matches(q))
        .collect();
    match matches.len() {
        1 => Ok(matches.into_iter().next().expect("one")),
        0 => Err(Error::new(format!("no post-mortem matches '{q}'"))
            .hint("`devops postmortem list` shows the IDs")),
        n => {
            let shown: Vec<&str> = matches.iter().take(8).map(|e| e.id.as_str()).collect();
            let more = if n > 8 {
                format!(" and {} more", n - 8)
            } else {
                String::new()
            };
            Err(Error::new(format!(
                "'{q}' matches {n} post-mortems: {}{more}; type more of the ID",
                shown.join(", ")
            )))
        }
    }
}

pub fn read_text(store: &Store, path: &str) -> Result<String> {
    std::fs::read_to_string(store.abs(path))
        .map_err(|e| Error::new(format!("cannot read {path}: {e}")))
}

pub fn load(store: &Store, entry: &Entry) -> Result<Record> {
    let text = read_text(store, &entry.path)?;
    parse_record(&text).map_err(|e| {
        Error::new(e.in_file(&entry.path)).hint(format!(
            "fix the file, e.g. with `devops postmortem edit {}`",
            entry.id
        ))
    })
}

/// Reads every record in parallel. Files that do not parse are returned
/// separately so one bad file never hides the others.
pub fn load_all(store: &Store) -> Result<(Vec<Record>, Vec<Unreadable>)> {
    let entries = entries(store)?;
    // The repository handle is not Sync; the threads need only the path.
    let workdir = &store.workdir;
    crate::trace::mark("listed record files");
    let results: Vec<std::result::Result<Record, Unreadable>> = entries
        .par_iter()
        .map(|e| {
            let text =
                std::fs::read_to_string(workdir.join(&e.path)).map_err(|err| Unreadable {
                    path: e.path.clone(),
                    problem: Located {
                        line: 1,
                        col: 1,
                        message: err.to_string(),
                    },
                })?;
            parse_record(&text).map_err(|problem| Unreadable {
                path: e.path.clone(),
                problem,
            })
        })
        .collect();
    let mut records = Vec::with_capacity(results.len());
    let mut bad = Vec::new();
    for r in results {
        match r {
            Ok(rec) => records.push(rec),
            Err(u) => bad.push(u),
        }
    }
    Ok((records, bad))
}

/// The file as committed in HEAD.
pub fn head_text(store: &Store, path: &str) -> Result<String> {
    let tree = store.repo.head()?.peel_to_tree()?;
    let entry = tree
        .get_path(std::path::Path::new(path))
        .map_err(|_| Error::new(format!("{path} is not committed yet: commit it first")))?;
    let blob = store.repo.find_blob(entry.id())?;
    String::from_utf8(blob.content().to_vec())
        .map_err(|_| Error::new(format!("{path} is not UTF-8 text")))
}
