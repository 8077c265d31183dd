//! What the server answers most: the wall page and the `/api` documents,
//! made once per state of the records (and once a minute, for ages and
//! overdue days) and then handed out as bytes.

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

/// Builds every prepared answer from a freshly opened context.
pub fn build(ctx: &Ctx, settings: &Settings, fresh: &Freshness) -> Result<Pages> {
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
    let live = crate::render::report::Live {
        poll_seconds: settings.poll_seconds,
        as_of,
        fetched: fresh.fetched.clone(),
        warning: fresh.warning.clone(),
        note: fresh.note.clone(),
    };
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
