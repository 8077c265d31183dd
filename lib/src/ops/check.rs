//! `check`: every record against the team's rules, for CI and before a
//! review. Returns findings; `cli::check` prints them.

use crate::error::Result;
use crate::record::duplicates::Tied;
use crate::record::lint::{Finding, Level, Selection, lint};
use crate::record::{Record, RecordId};
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

/// What `check` keeps of a file that parsed, for the rules across files.
struct Parsed {
    id: String,
    path: String,
    items: Vec<u32>,
    /// Its source tags with their lines, when it has any and is live.
    tied: Option<(Tied, Vec<usize>)>,
}

pub fn check(session: &Session, selection: Selection) -> Result<Report> {
    let lintable = crate::store::lintable::gather(&session.store)?;
    let records_dir = session.store.records_dir.as_str();
    let mut rules = session.config.lint_rules();
    rules.selection = selection;
    let now = session.now;
    let linted: Vec<(Vec<Finding>, Option<Parsed>)> = lintable
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
            (found, record.map(|r| Parsed::of(&r, path, text)))
        })
        .collect();
    let files = lintable.files.len() + lintable.strays.len();

    let mut findings: Vec<Finding> = lintable
        .strays
        .iter()
        .map(|s| finding(&s.path, 1, "stray-file", s.problem.message.clone()))
        .collect();
    let mut parsed = Vec::new();
    for (found, p) in linted {
        findings.extend(found);
        parsed.extend(p);
    }
    findings.extend(duplicate_ids(&parsed));
    findings.extend(duplicate_sources(&parsed));
    if rules.selection.runs("fixes-trailer") {
        findings.extend(trailers(session, &parsed)?);
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

impl Parsed {
    fn of(r: &Record, path: &str, text: &str) -> Parsed {
        let tied = Tied::of(r).map(|t| {
            let lines = t.tags.iter().map(|tag| line_of(text, tag)).collect();
            (t, lines)
        });
        Parsed {
            id: r.id.clone(),
            path: path.to_string(),
            items: r.action_items.iter().map(|a| a.n).collect(),
            tied,
        }
    }
}

/// The line holding `"tag"` (a tag is a quoted string in `tags = […]`).
fn line_of(text: &str, tag: &str) -> usize {
    let quoted = format!("\"{tag}\"");
    text.lines()
        .position(|l| l.contains(&quoted))
        .map_or(1, |i| i + 1)
}

/// Two files with one ID: each names the others.
fn duplicate_ids(parsed: &[Parsed]) -> Vec<Finding> {
    let mut by_id: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for p in parsed {
        by_id.entry(&p.id).or_default().push(p.path.clone());
    }
    let mut out = Vec::new();
    for (id, paths) in by_id.iter().filter(|(_, p)| p.len() > 1) {
        for p in paths {
            out.push(finding(
                p,
                1,
                "duplicate-id",
                format!("duplicate id {id}: also in {}", others(paths, p)),
            ));
        }
    }
    out
}

/// Two live records of one incident: said at the newer one's tag, naming
/// both files and the command that withdraws the newer.
fn duplicate_sources(parsed: &[Parsed]) -> Vec<Finding> {
    let with: Vec<(&Parsed, &Tied, &[usize])> = parsed
        .iter()
        .filter_map(|p| p.tied.as_ref().map(|(t, lines)| (p, t, lines.as_slice())))
        .collect();
    let tied: Vec<Tied> = with.iter().map(|(_, t, _)| (*t).clone()).collect();
    let path = |id: &str| with.iter().find(|(_, t, _)| t.id == id);
    let mut out = Vec::new();
    for d in crate::ops::duplicates::among(&tied) {
        let (Some((newer, t, lines)), Some((older, _, _))) = (path(&d.newer), path(&d.older))
        else {
            continue;
        };
        let line = t
            .tags
            .iter()
            .position(|x| *x == d.tag)
            .map_or(1, |i| lines[i]);
        out.push(finding(
            &newer.path,
            line,
            "duplicate-source",
            crate::ops::duplicates::describe(&d, &newer.path, &older.path),
        ));
    }
    out
}

/// Fix trailers on the team's branch that name no action item of the
/// records parsed: said at the commit (`commit 1a2b3c4:LINE`, the line in
/// its message).
fn trailers(session: &Session, parsed: &[Parsed]) -> Result<Vec<Finding>> {
    let records: Vec<(String, Vec<u32>)> = parsed
        .iter()
        .map(|p| (p.id.clone(), p.items.clone()))
        .collect();
    Ok(crate::store::fixes::unresolved(&session.store, &records)?
        .iter()
        .map(|u| {
            let file = format!("commit {}", u.short());
            finding(&file, u.line, "fixes-trailer", u.what())
        })
        .collect())
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
