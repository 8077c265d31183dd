//! `merge-driver`: what git runs to merge two versions of a record.
//! Registered by `sync` and `init` as `devops postmortem merge-driver %O %A
//! %B %P`; not meant to be typed by hand.
//!
//! Fields merge one by one. A field changed two ways is written between
//! conflict markers and the driver exits 1, so git records the file as
//! unmerged and `git status` shows it: nothing is kept silently. Within
//! `sync`, the records it has settled with the person are handed over
//! (`DEVOPS_PM_RESOLUTIONS`) and used instead.

use crate::error::{Context, Error, Result};
use crate::record::merge::{Conflict, MergeError, Resolution, merge_with_markers};
use crate::store::sync::RESOLUTIONS_ENV;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct MergeDriverArgs {
    /// The common ancestor (%O)
    pub base: PathBuf,
    /// Ours (%A): the result is written here
    pub ours: PathBuf,
    /// Theirs (%B)
    pub theirs: PathBuf,
    /// The record's path in the repository (%P), for messages
    pub path: Option<String>,
}

pub fn run(args: MergeDriverArgs) -> Result<()> {
    let read =
        |p: &PathBuf| std::fs::read_to_string(p).context(|| format!("cannot read {}", p.display()));
    let (base, ours, theirs) = (read(&args.base)?, read(&args.ours)?, read(&args.theirs)?);
    let name = args
        .path
        .clone()
        .unwrap_or_else(|| args.ours.display().to_string());
    let settled = settled_record(args.path.as_deref());
    let resolve = |c: &Conflict| {
        let t = settled.as_ref()?;
        field_value(t, &c.field).map(Resolution::Value)
    };
    let (text, conflicts) = match merge_with_markers(&base, &ours, &theirs, &resolve) {
        Ok(done) => done,
        Err(MergeError::Parse(side, at)) => {
            // Not mergeable by field (damaged, or markers already in it):
            // the whole file between markers, for a person to settle.
            let whole = format!("<<<<<<< ours\n{ours}=======\n{theirs}>>>>>>> theirs\n");
            crate::output::write_file(&args.ours, &whole)?;
            return Err(Error::new(format!(
                "conflict in {name}: {side} does not parse at {at}; the whole file is marked"
            )));
        }
        Err(MergeError::Conflicts(_)) => unreachable!("markers keep conflicts in the text"),
    };
    crate::output::write_file(&args.ours, &text)?;
    if conflicts.is_empty() {
        return Ok(());
    }
    let fields: Vec<String> = conflicts
        .iter()
        .map(|c| {
            format!(
                "{} (ours: {}, theirs: {})",
                c.field,
                crate::text::truncate(&crate::text::inline(&c.ours), 40),
                crate::text::truncate(&crate::text::inline(&c.theirs), 40)
            )
        })
        .collect();
    // One line git shows as it is.
    Err(Error::new(format!(
        "conflict in {name}: {}; the field is marked in the file",
        fields.join("; ")
    )))
}

/// The record as `sync` settled it, if it handed one over for this path.
fn settled_record(path: Option<&str>) -> Option<toml::Table> {
    let file = std::env::var_os(RESOLUTIONS_ENV)?;
    let json = std::fs::read(file).ok()?;
    let map: std::collections::BTreeMap<String, String> = serde_json::from_slice(&json).ok()?;
    map.get(path?)?.parse().ok()
}

/// A field's value in a record by its conflict name: `severity`,
/// `analysis.root_cause`, `action#2.status`. `Some(None)`: not there.
fn field_value(t: &toml::Table, field: &str) -> Option<Option<toml::Value>> {
    let mut parts = field.split('.');
    let first = parts.next()?;
    let mut at: Option<&toml::Value> = match first.strip_prefix("action#") {
        Some(n) => {
            let n: i64 = n.parse().ok()?;
            t.get("action_items")?
                .as_array()?
                .iter()
                .find(|a| a.get("n").and_then(toml::Value::as_integer) == Some(n))
        }
        None => t.get(first),
    };
    for p in parts {
        at = match at {
            Some(v) => v.as_table()?.get(p),
            None => None,
        };
    }
    Some(at.cloned())
}
