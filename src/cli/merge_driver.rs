//! `merge-driver`: what git runs to merge two versions of a record.
//! Registered by `init` (and `sync`); not meant to be typed by hand.

use crate::error::{Context, Error, Result};
use crate::record::merge::{MergeError, merge};
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
    match merge(&base, &ours, &theirs) {
        Ok(merged) => {
            crate::output::write_file(&args.ours, &merged)?;
            Ok(())
        }
        Err(MergeError::Parse(side, at)) => Err(Error::new(format!(
            "cannot merge {name}: {side} does not parse at {at}"
        ))),
        Err(MergeError::Conflicts(conflicts)) => {
            let fields: Vec<String> = conflicts
                .iter()
                .map(|c| {
                    format!(
                        "{} (ours: {}, theirs: {})",
                        c.field,
                        crate::render::truncate(&crate::render::sanitize::inline(&c.ours), 40),
                        crate::render::truncate(&crate::render::sanitize::inline(&c.theirs), 40)
                    )
                })
                .collect();
            // One line git shows as it is; `sync` finds it by its prefix.
            Err(Error::new(format!(
                "conflict in {name}: {}",
                fields.join("; ")
            )))
        }
    }
}
