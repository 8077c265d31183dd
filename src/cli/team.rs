//! `--all-repos` and `--repo NAME`, shared by every read, and what every
//! view across repositories says first: how old each repository's data is
//! and which could not be read, and why (`postmortem::team::view` reads
//! them).
//!
//! A repository that fails is named on stderr and the rest are shown: the
//! command exits 0 while at least one was read (the morning's triage is
//! still worth reading with one repository down), and 1 when none was.
//! JSON objects carry the same in `repos` and `failed`.

use crate::ctx::describe;
use crate::output::Output;
use chrono::{DateTime, FixedOffset};
use clap::Args;
use postmortem::error::{Error, Result};
use postmortem::record::Record;
use postmortem::session::{Loaded, Session};
use postmortem::store::branch::Access;
use postmortem::team::view::{self, Choice, RepoView, View};
use serde::Serialize;

/// Which of the team's repositories to read.
#[derive(Args, Debug, Default, Clone)]
pub struct RepoChoice {
    /// Read every repository of the team's (your repos.toml, the team's
    /// [team] repos, and this one) as one view
    #[arg(long)]
    pub all_repos: bool,
    /// Read this one of the team's repositories (repeat for more)
    #[arg(long = "repo", value_name = "NAME")]
    pub repos: Vec<String>,
}

impl RepoChoice {
    pub fn is_team(&self) -> bool {
        self.choice().is_team()
    }

    fn choice(&self) -> Choice {
        Choice {
            all: self.all_repos,
            names: self.repos.clone(),
        }
    }
}

/// Data older than this is called stale: a morning's triage should not
/// read yesterday's.
const STALE_HOURS: i64 = 24;

/// The repositories read, and where output goes.
pub struct TeamCtx {
    pub view: View,
    pub out: Output,
    /// The repository the command was run in, when it was in one.
    pub here: Option<Session>,
    /// The team's entries left out, and why (said as warnings).
    pub left_out: Vec<String>,
}

impl TeamCtx {
    /// Reads the chosen repositories with `read` (each with its own
    /// session), and says how fresh each is and which failed; an error
    /// naming each when none could be read.
    pub fn open(
        records_dir: &str,
        choice: &RepoChoice,
        read: &(dyn Fn(&Session) -> Result<Loaded> + Sync),
    ) -> Result<TeamCtx> {
        let team = TeamCtx::read(records_dir, choice, read)?;
        team.say_state();
        Ok(team)
    }

    /// As `open`, saying nothing (`serve` puts it on its page); an error
    /// when no repository could be read.
    pub fn read(
        records_dir: &str,
        choice: &RepoChoice,
        read: &(dyn Fn(&Session) -> Result<Loaded> + Sync),
    ) -> Result<TeamCtx> {
        let dirs = postmortem::team::Dirs::from_env()?;
        let here = std::env::current_dir()
            .ok()
            .and_then(|cwd| Session::open_for(&cwd, records_dir, Access::ReadOnly).ok());
        let all = view::team_repos(&dirs, here.as_ref())?;
        let left_out = match &here {
            Some(s) => postmortem::team::registry::UserFile::read(&dirs)?
                .team_left_out(&s.config.team.repos),
            None => Vec::new(),
        };
        let chosen = view::choose(all, &choice.choice())?;
        if chosen.is_empty() {
            return Err(Error::new(
                "no repositories to read: add your team's with `devops postmortem repos add PATH|URL`",
            ));
        }
        let view = view::load_with(&chosen, &dirs, records_dir, read);
        postmortem::trace::mark("repositories read");
        if view.repos.is_empty() && !view.failed.is_empty() {
            let why: Vec<String> = view
                .failed
                .iter()
                .map(|f| format!("{}: {}", f.name, f.why))
                .collect();
            let e = Error::new(format!(
                "none of the {} repositories could be read",
                view.failed.len()
            ));
            return Err(why.into_iter().fold(e, Error::detail));
        }
        Ok(TeamCtx {
            view,
            out: Output::detect(),
            here,
            left_out,
        })
    }

    /// "now" for the whole view: the first repository's (the clock is
    /// the same; each repository keeps its own zone for its own figures).
    pub fn now(&self) -> DateTime<FixedOffset> {
        self.view
            .repos
            .first()
            .map_or_else(|| chrono::Utc::now().fixed_offset(), |r| r.session.now)
    }

    /// Freshness, notices, unreadable files and failures, on stderr.
    fn say_state(&self) {
        if !self.view.repos.is_empty() {
            self.out.status(&freshness_line(
                &self.view.repos,
                self.now(),
                self.out.color,
            ));
        }
        for r in &self.view.repos {
            for n in &r.notices {
                self.out.status(&format!("{}: {}", r.name, describe(n)));
            }
            for bad in &r.loaded.unreadable {
                self.out.warn(&format!(
                    "{}: skipped {}",
                    r.name,
                    bad.problem.in_file(&bad.path)
                ));
            }
        }
        for f in &self.view.failed {
            self.out.warn(&format!("{} not read: {}", f.name, f.why));
        }
        for why in &self.left_out {
            self.out.warn(why);
        }
    }

    /// My email, for `--mine` across repositories (see `identity_session`).
    pub fn me(&self) -> Result<String> {
        let s = self.identity_session()?;
        Ok(postmortem::store::identity::identity(&s.store.repo, "AUTHOR")?.email)
    }

    /// Where "me" is read: the repository I am in, else the first read
    /// that gives a git identity (a mirror has none of its own, but git's
    /// global config counts). "Mine" is then the same person everywhere.
    pub fn identity_session(&self) -> Result<&Session> {
        let sessions = self
            .here
            .iter()
            .chain(self.view.repos.iter().map(|r| &r.session));
        let mut last = None;
        for s in sessions {
            match postmortem::store::identity::identity(&s.store.repo, "AUTHOR") {
                Ok(_) => return Ok(s),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| Error::new("no repository to read your git identity from")))
    }

    /// `list`'s and `search`'s selection, across repositories.
    pub fn rule(&self, select: &super::filter::Selection) -> Result<postmortem::ops::query::Rule> {
        let session = match self.view.repos.first() {
            Some(r) if !select.wants_me() => &r.session,
            _ => self.identity_session()?,
        };
        select.rule_in(session)
    }

    /// The records `keep` keeps, from every repository, the latest
    /// incident first (each repository's order, interleaved).
    pub fn records(&self, keep: impl Fn(&Record) -> bool) -> Vec<(&RepoView, &Record)> {
        let mut all: Vec<(&RepoView, &Record)> = self
            .view
            .repos
            .iter()
            .flat_map(|r| r.loaded.records.iter().map(move |rec| (r, rec)))
            .filter(|(_, rec)| keep(rec))
            .collect();
        all.sort_by_key(|(_, rec)| std::cmp::Reverse(rec.began()));
        all
    }

    /// What JSON objects say about the repositories read and failed.
    pub fn state(&self) -> State<'_> {
        State {
            repos: self
                .view
                .repos
                .iter()
                .map(|r| RepoState {
                    name: &r.name,
                    path: r.path.display().to_string(),
                    mirror: r.mirror,
                    fetched_at: r
                        .fetched_at
                        .map(|t| DateTime::<chrono::Utc>::from(t).to_rfc3339()),
                    records: r.loaded.records.len(),
                })
                .collect(),
            failed: self
                .view
                .failed
                .iter()
                .map(|f| FailedState {
                    name: &f.name,
                    path: f.path.display().to_string(),
                    why: &f.why,
                })
                .collect(),
        }
    }
}

/// `repos` and `failed` in JSON.
#[derive(Serialize)]
pub struct State<'a> {
    pub repos: Vec<RepoState<'a>>,
    pub failed: Vec<FailedState<'a>>,
}

#[derive(Serialize)]
pub struct RepoState<'a> {
    pub name: &'a str,
    pub path: String,
    pub mirror: bool,
    /// When its records branch was last fetched; null: never.
    pub fetched_at: Option<String>,
    pub records: usize,
}

#[derive(Serialize)]
pub struct FailedState<'a> {
    pub name: &'a str,
    pub path: String,
    pub why: &'a str,
}

/// `data: api fetched 2m ago · web 3d ago (stale) · db never fetched`.
pub fn freshness_line(repos: &[RepoView], now: DateTime<FixedOffset>, colour: bool) -> String {
    let parts: Vec<String> = repos
        .iter()
        .map(|r| {
            let (words, stale) = freshness(r, now);
            let text = format!("{} {words}", postmortem::text::inline(&r.name));
            crate::output::paint_if(colour && stale, "33", &text)
        })
        .collect();
    format!("data: {}", parts.join(" · "))
}

/// How old one repository's data is, in words, and whether it is stale.
pub fn freshness(r: &RepoView, now: DateTime<FixedOffset>) -> (String, bool) {
    let has_remote = postmortem::store::branch::remote_of(
        &r.session.store.repo,
        r.session.store.location.name(),
    )
    .is_some();
    match r.fetched_at {
        Some(t) => {
            let age = now.signed_duration_since(DateTime::<chrono::Utc>::from(t));
            let stale = age.num_hours() >= STALE_HOURS;
            let words = format!("fetched {} ago", postmortem::time::format_age(age));
            (
                if stale {
                    format!("{words} (stale)")
                } else {
                    words
                },
                stale,
            )
        }
        // A repository of its own, never shared: nothing to be behind.
        None if !has_remote && !r.mirror => ("local".to_string(), false),
        None => ("never fetched".to_string(), true),
    }
}

/// `api:k7x3`: the shortest unique form within its repository, after the
/// repository's name (`api:PM-20261123-k7x3q4mz` with `--long`).
pub fn qualified(r: &RepoView, id: &str, long: bool) -> String {
    let shown = if long { id } else { r.loaded.ids.show(id) };
    postmortem::team::qualified(&r.name, shown)
}
