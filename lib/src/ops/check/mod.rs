//! `check`: every record against the team's rules, for CI and before a
//! review. Returns findings; `cli::check` prints them.

mod memo;

use crate::error::Result;
use crate::record::duplicates::Tied;
use crate::record::lint::{Finding, Level, ReviewClock, Rules, Selection, lint_timeless};
use crate::record::{Record, RecordId};
use crate::session::Session;
use crate::store::lintable::{Files, Text, texts};
use git2::Oid;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Serialize)]
pub struct Report {
    pub records: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub findings: Vec<Finding>,
}

/// What `check` found in one file by itself: findings of every rule but
/// the clock's, what the rules across files need, and the review clock.
/// Depends only on the file's path and text and the config, so files of
/// the records branch are cached by blob id (`memo`).
#[derive(Serialize, Deserialize)]
pub(crate) struct Linted {
    findings: Vec<Said>,
    parsed: Option<Parsed>,
    clock: Option<ReviewClock>,
}

/// A finding without its file (the cache entry names it).
#[derive(Serialize, Deserialize)]
struct Said {
    rule: String,
    line: usize,
    message: String,
}

/// What `check` keeps of a file that parsed, for the rules across files.
#[derive(Serialize, Deserialize)]
struct Parsed {
    id: String,
    items: Vec<u32>,
    /// Its source tags with their lines, when it has any and is live.
    tied: Option<(Tied, Vec<usize>)>,
}

pub fn check(session: &Session, selection: Selection) -> Result<Report> {
    let lintable = crate::store::lintable::gather(&session.store)?;
    crate::trace::mark("check: files listed");
    let records_dir = session.store.records_dir.as_str();
    let mut rules = session.config.lint_rules();
    rules.selection = selection;
    let now = session.now;
    let files = lintable.files.len() + lintable.strays.len();
    let from_work_tree = matches!(lintable.files, Files::WorkTree(_));
    let linted = match lintable.files {
        Files::WorkTree(texts) => lint_all(&texts, session),
        Files::Branch(blobs) => lint_branch(session, &blobs)?,
    };
    crate::trace::mark("check: files linted");

    let mut findings: Vec<Finding> = lintable
        .strays
        .iter()
        .map(|s| finding(&s.path, 1, "stray-file", s.problem.message.clone()))
        .collect();
    let mut parsed: Vec<(&str, &Parsed)> = Vec::new();
    for (path, l) in &linted {
        findings.extend(l.findings.iter().filter_map(|s| s.finding(path)));
        findings.extend(l.clock.as_ref().and_then(|c| c.finding(path, &rules, now)));
        if let Some(problem) = misplaced(records_dir, path) {
            findings.push(finding(path, 1, "file-path", problem));
        }
        parsed.extend(l.parsed.as_ref().map(|p| (path.as_str(), p)));
    }
    crate::trace::mark("check: findings gathered");
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
    let uncommitted = if from_work_tree {
        uncommitted(session)?
    } else {
        Vec::new()
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

/// Every file linted against every rule (the selection is applied to the
/// report, so what is cached holds for any selection).
fn lint_all(texts: &[(String, Text)], session: &Session) -> Vec<(String, Linted)> {
    let mut rules = session.config.lint_rules();
    rules.selection = Selection::default();
    texts
        .par_iter()
        .map(|(path, text)| (path.clone(), Linted::of(path, text, &rules)))
        .collect()
}

/// The branch's files: from the cache where it knows the blob, the rest
/// read and linted (and the cache brought up to date).
fn lint_branch(session: &Session, blobs: &[(String, Oid)]) -> Result<Vec<(String, Linted)>> {
    let store = &session.store;
    let config = store.text(&store.config_path())?.unwrap_or_default();
    let key = format!("{}\n{config}", store.records_dir).into_bytes();
    let mut memo = memo::Memo::open(&store.repo, key);
    crate::trace::mark("check: cache read");
    let known: Vec<Option<Linted>> = blobs.iter().map(|(p, b)| memo.take(p, *b)).collect();
    let missing: Vec<(String, Oid)> = blobs
        .iter()
        .zip(&known)
        .filter(|(_, k)| k.is_none())
        .map(|(f, _)| f.clone())
        .collect();
    let stale = memo.has_others();
    let mut fresh = lint_all(&texts(store, &missing)?, session).into_iter();
    let linted: Vec<(String, Linted)> = blobs
        .iter()
        .zip(known)
        .filter_map(|((path, _), k)| match k {
            Some(l) => Some((path.clone(), l)),
            None => fresh.next(),
        })
        .collect();
    if !missing.is_empty() || stale {
        let entries: Vec<(String, Oid, &Linted)> = blobs
            .iter()
            .zip(&linted)
            .map(|((path, blob), (_, l))| (path.clone(), *blob, l))
            .collect();
        memo.save(&entries);
    }
    Ok(linted)
}

impl Linted {
    fn of(path: &str, text: &Text, rules: &Rules<'_>) -> Linted {
        let text = match text {
            Ok(t) => t,
            Err(why) => {
                return Linted {
                    findings: vec![Said {
                        rule: "unreadable".into(),
                        line: 1,
                        message: why.clone(),
                    }],
                    parsed: None,
                    clock: None,
                };
            }
        };
        let (found, record, clock) = lint_timeless(path, text, rules);
        Linted {
            findings: found
                .into_iter()
                .map(|f| Said {
                    rule: f.rule.to_string(),
                    line: f.line,
                    message: f.message,
                })
                .collect(),
            parsed: record.map(|r| Parsed::of(&r, text)),
            clock,
        }
    }
}

impl Said {
    /// `None` for a rule this build does not know (a cache can only hold
    /// one of ours, but it is not trusted to).
    fn finding(&self, path: &str) -> Option<Finding> {
        let rule = crate::record::lint::rule_id(&self.rule)?;
        Some(finding(path, self.line, rule, self.message.clone()))
    }
}

impl Parsed {
    fn of(r: &Record, text: &str) -> Parsed {
        let tied = Tied::of(r).map(|t| {
            let lines = t.tags.iter().map(|tag| line_of(text, tag)).collect();
            (t, lines)
        });
        Parsed {
            id: r.id.clone(),
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
fn duplicate_ids(parsed: &[(&str, &Parsed)]) -> Vec<Finding> {
    let mut by_id: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (path, p) in parsed {
        by_id.entry(&p.id).or_default().push(path.to_string());
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
fn duplicate_sources(parsed: &[(&str, &Parsed)]) -> Vec<Finding> {
    let with: Vec<(&str, &Tied, &[usize])> = parsed
        .iter()
        .filter_map(|(path, p)| {
            p.tied
                .as_ref()
                .map(|(t, lines)| (*path, t, lines.as_slice()))
        })
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
            newer,
            line,
            "duplicate-source",
            crate::ops::duplicates::describe(&d, newer, older),
        ));
    }
    out
}

/// Fix trailers on the team's branch that name no action item of the
/// records parsed: said at the commit (`commit 1a2b3c4:LINE`, the line in
/// its message).
fn trailers(session: &Session, parsed: &[(&str, &Parsed)]) -> Result<Vec<Finding>> {
    let records: Vec<(String, Vec<u32>)> = parsed
        .iter()
        .map(|(_, p)| (p.id.clone(), p.items.clone()))
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
