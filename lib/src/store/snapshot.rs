//! Records as they were at any commit or date, read straight from git
//! objects (`--at REV`).

use super::read::{Detail, Entry, Unreadable};
use super::{Snapshot, Store, tree};
use crate::error::{Error, Result};
use crate::record::Record;
use crate::record::id::check_query;
use crate::record::parse::parse_record;
use chrono::{DateTime, FixedOffset};
use git2::{Oid, Sort};
use rayon::prelude::*;

/// A revision (`postmortems~3`, a tag, a commit id) or a time
/// (`2026-10-01`, `3d ago`): for a time, the newest commit on the records
/// branch made at or before it.
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
            "--at '{}': not a revision (commit, branch, tag, {}~N) nor a time (2026-10-01, 3d ago)",
            crate::text::inline(at),
            store.location.name()
        ))
    })?;
    let Some(tip) = store.snapshot()?.commit else {
        return Err(Error::new(format!(
            "no records yet on {}",
            store.location.describe()
        )));
    };
    let mut walk = store.repo.revwalk()?;
    walk.push(tip)?;
    walk.set_sorting(Sort::TIME)?;
    for oid in walk {
        let oid = oid?;
        if store.repo.find_commit(oid)?.time().seconds() <= when.timestamp() {
            return Ok(oid);
        }
    }
    Err(Error::new(format!(
        "no commit on {} at or before {}",
        store.location.describe(),
        crate::time::format_rfc3339(&when)
    )))
}

/// A record file's place and text.
pub type Text = (Entry, String);

/// Every record file at `commit` with its text, and what else the
/// records directory held then.
pub fn texts_at(store: &Store, commit: Oid) -> Result<(Vec<Text>, Vec<tree::Stray>)> {
    let snap = Snapshot::at(&store.repo, commit, &store.records_dir)?;
    let Some(dir) = snap.dir else {
        return Ok(Default::default());
    };
    let (months, mut strays) = tree::months(&store.repo, dir)?;
    let mut out = Vec::new();
    for m in &months {
        let (files, more) = tree::files(&store.repo, m)?;
        strays.extend(more);
        for f in files {
            let blob = store.repo.find_blob(f.blob)?;
            let text = String::from_utf8_lossy(blob.content()).into_owned();
            let path = format!("{}/{}/{}.toml", store.records_dir, m.dir, f.id);
            out.push((Entry { id: f.id, path }, text));
        }
    }
    Ok((out, strays))
}

pub fn load_all_at(
    store: &Store,
    commit: Oid,
    detail: Detail,
) -> Result<(Vec<Record>, Vec<Unreadable>)> {
    let (texts, strays) = texts_at(store, commit)?;
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
    let mut bad: Vec<Unreadable> = strays
        .into_iter()
        .map(|s| Unreadable::stray(&store.records_dir, s))
        .collect();
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
        .0
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
