//! What the server answers most: the wall page and the `/api` documents,
//! made once per state of the records (and once a minute, for ages and
//! overdue days) and then handed out as bytes.

use super::site::Source;
use crate::cli::team::TeamCtx;
use crate::ctx::Ctx;
use postmortem::error::Result;
use std::hash::{Hash, Hasher};

/// One prepared answer and its validator.
pub struct Cached {
    pub body: Vec<u8>,
    pub etag: String,
}

impl Cached {
    /// The ETag names the records' commit (readable in a browser's tools)
    /// and a hash of the bytes themselves, so anything that changes the
    /// answer (a new commit, the clock, a fetch warning) changes the tag.
    pub fn new(commit: Option<&str>, body: Vec<u8>) -> Cached {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        body.hash(&mut h);
        let commit = commit.map_or("none", |c| &c[..c.len().min(12)]);
        Cached {
            etag: format!("\"{commit}-{:016x}\"", h.finish()),
            body,
        }
    }
}

/// Every prepared answer for one state of the records branch.
pub struct Pages {
    /// The records branch's tip these were made from (hex).
    pub commit: Option<String>,
    pub wall: Cached,
    pub triage: Cached,
    pub stats: Cached,
    /// One-record answers made so far for this state, by path (bounded:
    /// emptied when full).
    pub records: std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<Cached>>>,
}

/// One-record answers kept per state of the records.
pub const RECORDS_KEPT: usize = 1000;

/// What the wall page says about how current it is.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Freshness {
    /// When the remote was last fetched without error (team's zone).
    pub fetched: Option<String>,
    /// Why the last fetch failed, until one succeeds.
    pub warning: Option<String>,
    /// Fetching is off (`--fetch 0`) or there is no remote.
    pub note: Option<String>,
}

pub struct Settings {
    pub title: String,
    pub by: crate::cli::values::PeriodArg,
    pub poll_seconds: u64,
}

/// Builds every prepared answer from what was just read.
pub fn build(source: &Source, settings: &Settings, fresh: &Freshness) -> Result<Pages> {
    match source {
        Source::One(ctx) => build_one(ctx, settings, fresh),
        Source::Team(team) => build_team(team, settings, fresh),
    }
}

/// The pages across repositories: the wall page (as `report
/// --all-repos`), `/api/triage` and `/api/stats` as `triage --all-repos
/// --json` and `stats --all-repos --json`.
fn build_team(team: &TeamCtx, settings: &Settings, fresh: &Freshness) -> Result<Pages> {
    let tips: Vec<String> = team
        .view
        .repos
        .iter()
        .map(|r| {
            r.session
                .store
                .snapshot()
                .ok()
                .and_then(|s| s.commit)
                .map(|c| c.to_string())
                .unwrap_or_default()
        })
        .collect();
    let newest = team
        .view
        .repos
        .iter()
        .filter_map(|r| {
            let commit = r.session.store.snapshot().ok()?.commit?;
            r.session.store.commit_time(commit).ok()
        })
        .max();
    let as_of = newest.map(|at| {
        let view = team.view.repos[0].session.view();
        format!("{} {}", view.minutes(view.zone().convert(at)), view.label())
    });
    let commit = tips.join(",");
    let live = live(settings, fresh, as_of);
    let html = crate::cli::report::team_wall_html(
        team,
        &settings.title,
        settings.by,
        &Default::default(),
        Some(live),
    )?;
    // The tag names the first tip; the bytes' hash changes with any.
    let first = tips.first().map(String::as_str);
    Ok(Pages {
        commit: Some(commit),
        wall: Cached::new(first, html.into_bytes()),
        triage: Cached::new(first, crate::cli::triage::team_default_json(team)?),
        stats: Cached::new(first, crate::cli::stats::team_default_json(team)?),
        records: Default::default(),
    })
}

/// Builds every prepared answer from a freshly opened context.
fn build_one(ctx: &Ctx, settings: &Settings, fresh: &Freshness) -> Result<Pages> {
    let tip = ctx.store.snapshot()?.commit;
    let as_of = match tip {
        Some(c) => {
            let at = ctx.zone().convert(ctx.store.commit_time(c)?);
            Some(format!("{} {}", ctx.view().minutes(at), ctx.view().label()))
        }
        None => None,
    };
    let commit = tip.map(|c| c.to_string());
    let commit = commit.as_deref();
    let live = live(settings, fresh, as_of);
    let html = crate::cli::report::wall_html(
        ctx,
        &settings.title,
        settings.by,
        &Default::default(),
        Some(live),
    )?;
    Ok(Pages {
        commit: commit.map(str::to_string),
        wall: Cached::new(commit, html.into_bytes()),
        triage: Cached::new(commit, crate::cli::triage::default_json(ctx)?),
        stats: Cached::new(commit, crate::cli::stats::default_json(ctx)?),
        records: Default::default(),
    })
}

/// What the page says of its own freshness: the tip's time, the last fetch.
fn live(
    settings: &Settings,
    fresh: &Freshness,
    as_of: Option<String>,
) -> crate::render::report::Live {
    crate::render::report::Live {
        poll_seconds: settings.poll_seconds,
        as_of,
        fetched: fresh.fetched.clone(),
        warning: fresh.warning.clone(),
        note: fresh.note.clone(),
    }
}
