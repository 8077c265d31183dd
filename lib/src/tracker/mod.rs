//! The team's issue tracker, through its own CLI: GitHub (`gh`), GitLab
//! (`glab`) and Jira (`jira` of ankitpokhrel/jira-cli). Creating an issue
//! for an action item, reading its state, closing it. The tool keeps no
//! token: each CLI's own login is used. Each tracker's arguments and JSON
//! live in a module of its own; this one is what they share.

mod github;
mod gitlab;
mod jira;
pub mod run;

use crate::config::TrackerConfig;
use crate::error::{Error, Result};
use crate::record::Timestamp;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tracker {
    Github,
    Gitlab,
    Jira,
}

impl Tracker {
    pub const ALL: [Tracker; 3] = [Tracker::Github, Tracker::Gitlab, Tracker::Jira];

    pub fn as_str(self) -> &'static str {
        match self {
            Tracker::Github => "github",
            Tracker::Gitlab => "gitlab",
            Tracker::Jira => "jira",
        }
    }

    pub fn parse(s: &str) -> Option<Tracker> {
        Tracker::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s.trim()))
    }

    pub fn cli(self) -> &'static run::Cli {
        match self {
            Tracker::Github => &github::CLI,
            Tracker::Gitlab => &gitlab::CLI,
            Tracker::Jira => &jira::CLI,
        }
    }
}

impl std::fmt::Display for Tracker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An issue made: how the record names it (`acme/api#123`, `OPS-42`) and
/// where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub reference: String,
    pub url: String,
}

/// What a new issue says.
#[derive(Debug, Clone)]
pub struct NewIssue {
    pub title: String,
    pub body: String,
    /// `None`: no label.
    pub label: Option<String>,
}

/// What the tracker says of an issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    Open,
    /// Closed as done.
    Completed(Closing),
    /// Closed without doing it, for `reason` (the tracker's words).
    NotPlanned(Closing, String),
}

/// When and by whom an issue was closed, as far as the tracker said.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Closing {
    pub at: Option<Timestamp>,
    pub by: Option<String>,
}

/// Where the CLIs run (the repository, so `gh` and `glab` find its
/// remote) and the team's `[tracker]` settings.
pub struct Place<'a> {
    pub dir: &'a Path,
    pub config: &'a TrackerConfig,
}

/// Creates the issue in `target` (`OWNER/REPO`, a Jira project; `None`:
/// the config's, else the CLI's own default).
pub fn create(
    tracker: Tracker,
    target: Option<&str>,
    issue: &NewIssue,
    place: &Place<'_>,
) -> Result<Link> {
    let cfg = place.config;
    let args = match tracker {
        Tracker::Github => github::create_args(target.or(cfg.github.as_deref()), issue),
        Tracker::Gitlab => gitlab::create_args(target.or(cfg.gitlab.as_deref()), issue),
        Tracker::Jira => jira::create_args(target.or(cfg.jira_project.as_deref()), issue, cfg),
    };
    let said = run::run(tracker.cli(), &args, place.dir)?;
    let link = match tracker {
        Tracker::Github => github::created(&said),
        Tracker::Gitlab => gitlab::created(&said),
        Tracker::Jira => jira::created(&said),
    };
    link.ok_or_else(|| {
        Error::new(format!(
            "{} made an issue but said no link to it ({}): look for it there before pushing again",
            tracker.cli().program,
            crate::text::truncate(&crate::text::inline(said.trim()), 80)
        ))
    })
}

/// Reads the state of the issue `reference`.
pub fn state(tracker: Tracker, reference: &str, place: &Place<'_>) -> Result<State> {
    let args = match tracker {
        Tracker::Github => github::view_args(reference)?,
        Tracker::Gitlab => gitlab::view_args(reference)?,
        Tracker::Jira => jira::view_args(reference),
    };
    let json = run::run(tracker.cli(), &args, place.dir)?;
    let read = match tracker {
        Tracker::Github => github::state(&json),
        Tracker::Gitlab => gitlab::state(&json),
        Tracker::Jira => jira::state(&json),
    };
    read.map_err(|why| {
        Error::new(format!(
            "{} said something unexpected about {reference}: {why}",
            tracker.cli().program
        ))
    })
}

/// Closes the issue `reference` as done, saying `comment` where the
/// tracker takes one.
pub fn close(tracker: Tracker, reference: &str, comment: &str, place: &Place<'_>) -> Result<()> {
    let args = match tracker {
        Tracker::Github => github::close_args(reference, comment)?,
        Tracker::Gitlab => gitlab::close_args(reference)?,
        Tracker::Jira => jira::close_args(reference, comment, place.config),
    };
    run::run(tracker.cli(), &args, place.dir).map(|_| ())
}

/// `owner/repo#123` → (`owner/repo`, `123`).
fn split_ref(reference: &str) -> Result<(&str, &str)> {
    reference
        .rsplit_once('#')
        .filter(|(repo, n)| {
            !repo.is_empty() && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())
        })
        .ok_or_else(|| {
            Error::new(format!(
                "ref = \"{}\" is not OWNER/REPO#NUMBER: correct it with `devops postmortem edit`",
                crate::text::inline(reference)
            ))
        })
}

/// A time as trackers write it: RFC 3339 (`2026-11-30T12:00:00Z`) or
/// Jira's `2026-11-30T12:00:00.000+0000`; whole seconds kept.
fn time(s: &str) -> Option<Timestamp> {
    let t = chrono::DateTime::parse_from_rfc3339(s)
        .or_else(|_| chrono::DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .ok()?;
    Some(Timestamp(chrono::SubsecRound::trunc_subsecs(t, 0)))
}

/// `issue create`: the target under `target.0` when there is one, the
/// title and body under the CLI's flags for them, `extra`, the label.
fn create_args(
    target: (&str, Option<&str>),
    flags: (&str, &str),
    extra: &[&str],
    issue: &NewIssue,
) -> Vec<String> {
    let mut args: Vec<String> = vec!["issue".into(), "create".into()];
    if let (flag, Some(t)) = target {
        args.extend([flag.to_string(), t.to_string()]);
    }
    args.extend([
        flags.0.to_string(),
        issue.title.clone(),
        flags.1.to_string(),
        issue.body.clone(),
    ]);
    args.extend(extra.iter().map(|e| e.to_string()));
    if let Some(l) = &issue.label {
        args.extend(["--label".into(), l.clone()]);
    }
    args
}

/// The issue whose URL a CLI printed, `https://HOST/REPO{marker}N`, as
/// `REPO#N`.
fn numbered_in(said: &str, marker: &str) -> Option<Link> {
    let url = url_in(said, |u| u.contains(marker))?;
    let (repo, n) = url
        .split_once("://")?
        .1
        .split_once('/')?
        .1
        .split_once(marker)?;
    let n = n.trim_end_matches('/');
    Some(Link {
        reference: format!("{repo}#{n}"),
        url,
    })
}

/// `issue VERB N --repo REPO ARGS` for the issue `OWNER/REPO#N`.
fn numbered_args(verb: &str, reference: &str, args: &[&str]) -> Result<Vec<String>> {
    let (repo, n) = split_ref(reference)?;
    let mut all: Vec<String> = ["issue", verb, n, "--repo", repo]
        .map(String::from)
        .to_vec();
    all.extend(args.iter().map(|a| a.to_string()));
    Ok(all)
}

/// The first `https://…` word of a CLI's output that `keep` accepts.
fn url_in(said: &str, keep: impl Fn(&str) -> bool) -> Option<String> {
    said.split_whitespace()
        .map(|w| w.trim_matches(|c: char| c == '"' || c == '\'' || c == '<' || c == '>'))
        .find(|w| w.starts_with("https://") || w.starts_with("http://"))
        .filter(|w| keep(w))
        .map(str::to_string)
}

/// The closing, from optional JSON strings.
fn closing(at: Option<&str>, by: Option<&str>) -> Closing {
    Closing {
        at: at.and_then(time),
        by: by.filter(|b| !b.trim().is_empty()).map(str::to_string),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracker_times_read_in_both_forms() {
        let a = time("2026-11-30T12:00:00Z").unwrap();
        let b = time("2026-11-30T21:00:00.123+0900").unwrap();
        assert_eq!(a, b);
        assert!(time("yesterday").is_none());
    }

    #[test]
    fn a_reference_splits_at_its_last_hash() {
        assert_eq!(split_ref("acme/api#12").unwrap(), ("acme/api", "12"));
        assert!(split_ref("acme/api").is_err());
        assert!(split_ref("#12").is_err());
        assert!(split_ref("a#b").is_err());
    }
}
