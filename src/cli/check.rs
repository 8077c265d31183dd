//! `check`: validate every record, for CI and before a review.

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::record::RecordId;
use crate::record::lint::{Finding, Level, lint};
use clap::Args;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Args, Debug)]
#[command(
    after_help = "Errors (exit 1): TOML that does not parse, schema, required fields by \
status (analyzed needs a root cause and actions; closed needs closed_at), timestamp order \
(started ≤ detected ≤ acknowledged ≤ mitigated ≤ resolved), unknown severity or service, \
duplicate IDs, files outside postmortems/YYYY/MM/<id>.toml. Warnings: records changed but not \
committed, review deadlines passed.\n\nIn CI:  devops postmortem check"
)]
pub struct CheckArgs {
    /// Print JSON: {records, errors, warnings, findings[{file, line, level, message}]}
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct Report {
    records: usize,
    errors: usize,
    warnings: usize,
    findings: Vec<Finding>,
}

pub fn run(ctx: &Ctx, args: CheckArgs) -> Result<()> {
    let files = record_files(ctx)?;
    // The repository handle is not Sync: the threads get plain values.
    let workdir = &ctx.store.workdir;
    let records_dir = ctx.store.records_dir.as_str();
    let (config, now) = (&ctx.config, ctx.now);
    // Per file: its findings, and (id, path) when it parsed.
    type Linted = (Vec<Finding>, Option<(String, String)>);
    let linted: Vec<Linted> = files
        .par_iter()
        .map(|path| {
            let text = match std::fs::read_to_string(workdir.join(path)) {
                Ok(t) => t,
                Err(e) => {
                    return (
                        vec![finding(path, 1, Level::Error, format!("cannot read: {e}"))],
                        None,
                    );
                }
            };
            let (mut found, record) = lint(path, &text, config, now);
            if let Some(problem) = misplaced(records_dir, path) {
                found.push(finding(path, 1, Level::Error, problem));
            }
            (found, record.map(|r| (r.id, path.clone())))
        })
        .collect();

    let mut findings = Vec::new();
    let mut by_id: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (found, id) in linted {
        findings.extend(found);
        if let Some((id, path)) = id {
            by_id.entry(id).or_default().push(path);
        }
    }
    for (id, paths) in by_id.iter().filter(|(_, p)| p.len() > 1) {
        for p in paths {
            findings.push(finding(
                p,
                1,
                Level::Error,
                format!("duplicate id {id}: also in {}", others(paths, p)),
            ));
        }
    }
    findings.extend(uncommitted(ctx)?);
    findings.sort_by(|a, b| (&a.file, a.line, a.level).cmp(&(&b.file, b.line, b.level)));

    let errors = findings.iter().filter(|f| f.level == Level::Error).count();
    let warnings = findings.len() - errors;
    if args.json {
        crate::render::json::print(&Report {
            records: files.len(),
            errors,
            warnings,
            findings,
        })?;
    } else {
        let text: String = findings
            .iter()
            .map(|f| {
                let level = match f.level {
                    Level::Error => "error",
                    Level::Warning => "warning",
                };
                format!(
                    "{}:{}: {level}: {}\n",
                    f.file,
                    f.line,
                    crate::render::sanitize::inline(&f.message)
                )
            })
            .collect();
        crate::output::print(&text);
    }
    let summary = format!(
        "{errors} error(s), {warnings} warning(s) in {} record file(s)",
        files.len()
    );
    if errors > 0 {
        return Err(Error::new(format!("check: {summary}")));
    }
    if !args.json {
        ctx.out.status(&format!("check: ok, {summary}"));
    }
    Ok(())
}

fn finding(file: &str, line: usize, level: Level, message: String) -> Finding {
    Finding {
        file: file.to_string(),
        line,
        level,
        message,
    }
}

fn others(paths: &[String], me: &str) -> String {
    paths
        .iter()
        .filter(|p| *p != me)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every `.toml` under the records directory except the config and templates.
fn record_files(ctx: &Ctx) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let root = ctx.store.abs(&ctx.store.records_dir);
    walk(&root, &ctx.store.records_dir, &mut out)?;
    let config = format!("{}/config.toml", ctx.store.records_dir);
    let templates = format!("{}/templates/", ctx.store.records_dir);
    out.retain(|p| *p != config && !p.starts_with(&templates));
    out.sort();
    Ok(out)
}

fn walk(dir: &Path, rel: &str, out: &mut Vec<String>) -> Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::new(format!("cannot read {}: {e}", dir.display()))),
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let path = format!("{rel}/{name}");
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            walk(&e.path(), &path, out)?;
        } else if name.ends_with(".toml") {
            out.push(path);
        }
    }
    Ok(())
}

/// Records live at exactly `<dir>/YYYY/MM/<id>.toml`.
fn misplaced(records_dir: &str, path: &str) -> Option<String> {
    let stem = path.rsplit('/').next()?.trim_end_matches(".toml");
    match RecordId::parse(stem) {
        None => Some(format!(
            "'{stem}.toml' is not a record name (PM-YYYYMMDD-xxxxxxxx.toml)"
        )),
        Some(id) => {
            let expected = id.path_in(records_dir);
            (expected != path).then(|| format!("should be at {expected}"))
        }
    }
}

/// Record files changed in the work tree or index but not committed.
fn uncommitted(ctx: &Ctx) -> Result<Vec<Finding>> {
    use crate::store::git::FileState;
    Ok(ctx
        .store
        .git
        .changed_under(&ctx.store.records_dir)?
        .into_iter()
        .filter(|(path, _)| path.ends_with(".toml"))
        .map(|(path, state)| {
            let (level, what) = match state {
                FileState::Untracked => (Level::Warning, "not committed yet"),
                FileState::Changed => (Level::Warning, "changed but not committed"),
                FileState::Conflicted => (
                    Level::Error,
                    "has an unresolved merge conflict: keep one value between the markers, then `git add` it and finish the merge",
                ),
            };
            finding(&path, 1, level, what.to_string())
        })
        .collect())
}
