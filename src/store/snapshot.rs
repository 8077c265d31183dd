//! Records as they were at any commit or date, read straight from git
//! objects (`--at REV`).

use super::Store;
use super::read::{Detail, Entry, Unreadable};
use crate::error::{Error, Result};
use crate::record::id::check_query;
use crate::record::parse::parse_record;
use crate::record::{Record, RecordId};
use chrono::{DateTime, FixedOffset};
use git2::{ObjectType, Oid, Sort, Tree};
use rayon::prelude::*;

/// A revision (`HEAD~3`, a tag, a commit id) or a time (`2026-10-01`,
/// `3d ago`): the newest commit on HEAD made at or before it.
pub fn resolve(
    store: &Store,
    at: &str,
    parse_time: impl Fn(&str) -> Result<DateTime<FixedOffset>>,
) -> Result<Oid> {
    if let Ok(obj) = store.repo.revparse_single(at)
        && let Ok(commit) = obj.peel_to_commit()
    {
        return Ok(commit.id());
    }
    let when = parse_time(at).map_err(|_| {
        Error::usage(format!(
            "--at '{}': not a revision (commit, branch, tag, HEAD~N) nor a time (2026-10-01, 3d ago)",
            crate::text::inline(at)
        ))
    })?;
    let mut walk = store.repo.revwalk()?;
    walk.push_head()?;
    walk.set_sorting(Sort::TIME)?;
    for oid in walk {
        let oid = oid?;
        if store.repo.find_commit(oid)?.time().seconds() <= when.timestamp() {
            return Ok(oid);
        }
    }
    Err(Error::new(format!(
        "no commit at or before {}",
        crate::time::format_rfc3339(&when)
    )))
}

/// The records directory's tree at `commit`, if it has one.
fn records_tree(store: &Store, commit: Oid) -> Result<Option<Tree<'_>>> {
    let tree = store.repo.find_commit(commit)?.tree()?;
    match tree.get_path(std::path::Path::new(&store.records_dir)) {
        Ok(entry) if entry.kind() == Some(ObjectType::Tree) => {
            Ok(Some(store.repo.find_tree(entry.id())?))
        }
        _ => Ok(None),
    }
}

/// Every record file at `commit` with its text.
pub fn texts_at(store: &Store, commit: Oid) -> Result<Vec<(Entry, String)>> {
    let Some(root) = records_tree(store, commit)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for year in root.iter().filter(|e| e.kind() == Some(ObjectType::Tree)) {
        let year_name = year.name().unwrap_or_default().to_string();
        let year_tree = store.repo.find_tree(year.id())?;
        for month in year_tree
            .iter()
            .filter(|e| e.kind() == Some(ObjectType::Tree))
        {
            let month_name = month.name().unwrap_or_default().to_string();
            for file in store.repo.find_tree(month.id())?.iter() {
                let Some(stem) = file.name().ok().and_then(|n| n.strip_suffix(".toml")) else {
                    continue;
                };
                let Some(id) = RecordId::parse(stem) else {
                    continue;
                };
                let blob = store.repo.find_blob(file.id())?;
                let text = String::from_utf8_lossy(blob.content()).into_owned();
                let path = format!("{}/{year_name}/{month_name}/{stem}.toml", store.records_dir);
                out.push((Entry { id, path }, text));
            }
        }
    }
    Ok(out)
}

pub fn load_all_at(
    store: &Store,
    commit: Oid,
    detail: Detail,
) -> Result<(Vec<Record>, Vec<Unreadable>)> {
    let texts = texts_at(store, commit)?;
    let results: Vec<std::result::Result<Record, Unreadable>> = texts
        .par_iter()
        .map(|(e, text)| {
            let mut r = parse_record(text).map_err(|problem| Unreadable {
                path: e.path.clone(),
                problem,
            })?;
            if detail == Detail::Slim {
                r.slim();
            }
            Ok(r)
        })
        .collect();
    let mut records = Vec::new();
    let mut bad = Vec::new();
    for r in results {
        match r {
            Ok(rec) => records.push(rec),
            Err(u) => bad.push(u),
        }
    }
    Ok((records, bad))
}

/// One record at `commit`, by typed ID or prefix.
pub fn find_at(store: &Store, commit: Oid, query: &str) -> Result<(Entry, String)> {
    let q = check_query(query)?;
    let mut matches: Vec<(Entry, String)> = texts_at(store, commit)?
        .into_iter()
        .filter(|(e, _)| e.id.matches(q))
        .collect();
    if matches.len() == 1 {
        return Ok(matches.remove(0));
    }
    let ids: Vec<&str> = matches.iter().map(|(e, _)| e.id.as_str()).collect();
    let place = format!("at {}", &commit.to_string()[..7]);
    Err(crate::record::id::unmatched(q, &ids, Some(&place)))
}
