//! `check`: every record against the team's rules, for CI and before a
//! review. Returns findings; `cli::check` prints them.

use crate::error::Result;
use crate::record::RecordId;
use crate::record::lint::{Finding, Level, Selection, lint};
use crate::session::Session;
use crate::store::lintable::Source;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Serialize)]
pub struct Report {
    pub records: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub findings: Vec<Finding>,
}

pub fn check(session: &Session, selection: Selection) -> Result<Report> {
    let lintable = crate::store::lintable::gather(&session.store)?;
    let records_dir = session.store.records_dir.as_str();
    let mut rules = session.config.lint_rules();
    rules.selection = selection;
    let now = session.now;
    // Per file: its findings, and (id, path) when it parsed.
    type Linted = (Vec<Finding>, Option<(String, String)>);
    let linted: Vec<Linted> = lintable
        .files
        .par_iter()
        .map(|(path, text)| {
            let text = match text {
                Ok(t) => t,
                Err(why) => {
                    return (vec![finding(path, 1, "unreadable", why.clone())], None);
                }
            };
            let (mut found, record) = lint(path, text, &rules, now);
            if let Some(problem) = misplaced(records_dir, path) {
                found.push(finding(path, 1, "file-path", problem));
            }
            (found, record.map(|r| (r.id, path.clone())))
        })
        .collect();
    let files = lintable.files.len() + lintable.strays.len();

    let mut findings = Vec::new();
    let mut by_id: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for stray in &lintable.strays {
        findings.push(finding(
            &stray.path,
            1,
            "unreadable",
            stray.problem.message.clone(),
        ));
    }
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
                "duplicate-id",
                format!("duplicate id {id}: also in {}", others(paths, p)),
            ));
        }
    }
    // A conflicted file says so once: the parse finding has the line.
    let said: Vec<String> = findings
        .iter()
        .filter(|f| f.rule == "merge-conflict")
        .map(|f| f.file.clone())
        .collect();
    let uncommitted = match lintable.source {
        Source::WorkTree => uncommitted(session)?,
        Source::Branch => Vec::new(),
    };
    findings.extend(
        uncommitted
            .into_iter()
            .filter(|f| !(f.rule == "merge-conflict" && said.contains(&f.file))),
    );
    findings.sort_by(|a, b| (&a.file, a.line, a.level).cmp(&(&b.file, b.line, b.level)));

    findings.retain(|f| rules.selection.runs(f.rule));
    let count = |level| findings.iter().filter(|f| f.level == level).count();
    Ok(Report {
        records: files,
        errors: count(Level::Error),
        warnings: count(Level::Warning),
        infos: count(Level::Info),
        findings,
    })
}

fn finding(file: &str, line: usize, rule: &'static str, message: String) -> Finding {
    Finding {
        file: file.to_string(),
        line,
        level: crate::record::lint::level_of(rule),
        rule,
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
fn uncommitted(session: &Session) -> Result<Vec<Finding>> {
    use crate::store::git::FileState;
    Ok(session
        .store
        .git
        .changed_under(&session.store.records_dir)?
        .into_iter()
        .filter(|(path, _)| path.ends_with(".toml"))
        .map(|(path, state)| {
            let (rule, what) = match state {
                FileState::Untracked => ("uncommitted", "not committed yet"),
                FileState::Changed => ("uncommitted", "changed but not committed"),
                FileState::Conflicted => (
                    "merge-conflict",
                    "has an unresolved merge conflict: keep one value between the markers, then `git add` it and finish the merge",
                ),
            };
            finding(&path, 1, rule, what.to_string())
        })
        .collect())
}
