//! Post-mortems of one incident (see `record::duplicates`), found where
//! `check` lints and where `sync` merges: each said with both files and
//! the command that withdraws the newer one.

use crate::error::{Command, Result};
use crate::record::RecordId;
use crate::record::duplicates::{Tied, same_source};
use crate::session::Session;
use crate::store::read::{Detail, load_matching};
use git2::Oid;
use std::collections::BTreeSet;

/// A newer record that repeats an older one.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Duplicate {
    pub newer: String,
    pub older: String,
    /// "PagerDuty incident Q3SRCH0SLOW01 (tag pagerduty:Q3SRCH0SLOW01)".
    pub what: String,
    /// The tag as written, to find its line.
    pub tag: String,
    #[serde(skip)]
    pub withdraw: Command,
}

/// The duplicates among `tied` (withdrawn records are never there).
pub fn among(tied: &[Tied]) -> Vec<Duplicate> {
    same_source(tied)
        .into_iter()
        .map(|s| Duplicate {
            newer: tied[s.newer].id.clone(),
            older: tied[s.older].id.clone(),
            what: s.what(),
            withdraw: s.withdraw(tied),
            tag: s.tag,
        })
        .collect()
}

/// The duplicates the move of the records branch from `before` to `after`
/// made: those with a record that changed or came in. Only records that
/// hold a source tag of one that came in are read.
pub fn brought(session: &Session, before: Option<Oid>, after: Oid) -> Result<Vec<Duplicate>> {
    let store = &session.store;
    let changed = changed_records(session, before, after)?;
    let came: Vec<Tied> = crate::store::read::some_records(store, &changed)?
        .iter()
        .filter_map(Tied::of)
        .collect();
    if came.is_empty() {
        return Ok(Vec::new());
    }
    let tags: Vec<String> = came.iter().flat_map(|t| t.tags.clone()).collect();
    let finder = aho_corasick::AhoCorasick::new(&tags)
        .map_err(|e| crate::error::Error::new(format!("cannot search for tags: {e}")))?;
    let records = load_matching(store, Detail::Slim, &|bytes| finder.is_match(bytes))?.records;
    let tied: Vec<Tied> = records.iter().filter_map(Tied::of).collect();
    crate::store::read::leave(records);
    let new: BTreeSet<&str> = came.iter().map(|t| t.id.as_str()).collect();
    Ok(among(&tied)
        .into_iter()
        .filter(|d| new.contains(d.newer.as_str()) || new.contains(d.older.as_str()))
        .collect())
}

/// The record files that differ between two tips (all of `after` when
/// there was none), with their blobs at `after`.
fn changed_records(
    session: &Session,
    before: Option<Oid>,
    after: Oid,
) -> Result<Vec<(String, Oid)>> {
    let repo = &session.store.repo;
    let old = crate::store::tx::base_tree(repo, before)?;
    let new = repo.find_commit(after)?.tree()?;
    let dir = format!("{}/", session.store.records_dir);
    let mut opts = git2::DiffOptions::new();
    opts.pathspec(&dir);
    let diff = repo.diff_tree_to_tree(Some(&old), Some(&new), Some(&mut opts))?;
    Ok(diff
        .deltas()
        .filter(|d| !d.new_file().id().is_zero())
        .filter_map(|d| {
            let path = d.new_file().path()?.to_str()?.to_string();
            let name = path.rsplit('/').next()?.strip_suffix(".toml")?;
            RecordId::parse(name)?;
            Some((path, d.new_file().id()))
        })
        .collect())
}

/// What `sync` and `check` say of one: both files, and what to do.
pub fn describe(d: &Duplicate, newer_path: &str, older_path: &str) -> String {
    format!(
        "{newer_path} and {older_path} (written earlier) are both {}: withdraw the newer: {}",
        d.what,
        d.withdraw.shown()
    )
}

/// Where the two records of `d` live in a records directory.
pub fn paths_in(d: &Duplicate, records_dir: &str) -> (String, String) {
    let path = |id: &str| match RecordId::parse(id) {
        Some(id) => id.path_in(records_dir),
        None => id.to_string(),
    };
    (path(&d.newer), path(&d.older))
}
