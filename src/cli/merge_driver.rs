//! `merge-driver`: what git runs to merge two versions of a record.
//! Registered by `sync` and `init` as `devops postmortem merge-driver %O %A
//! %B %P`; not meant to be typed by hand.
//!
//! Only a plain `git pull` or `git merge` where the records branch is
//! checked out runs it (`sync` merges in-process). Fields merge one by
//! one, counters add up. A field changed two ways is written between
//! conflict markers and the driver exits 1, so git records the file as
//! unmerged and `git status` shows it: nothing is kept silently.

use clap::Args;
use postmortem::error::{Context, Error, Result};
use postmortem::record::merge::{MergeError, merge_with_markers};
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
    let (text, conflicts) = match merge_with_markers(&base, &ours, &theirs, &|_| None) {
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
                postmortem::text::truncate(&postmortem::text::inline(&c.ours), 40),
                postmortem::text::truncate(&postmortem::text::inline(&c.theirs), 40)
            )
        })
        .collect();
    // One line git shows as it is.
    Err(Error::new(format!(
        "conflict in {name}: {}; the field is marked in the file",
        fields.join("; ")
    )))
}
