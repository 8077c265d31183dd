//! The server's state: the prepared pages for the records as they are,
//! and a context for the one-record pages. A watcher thread keeps both
//! current: it looks at the records branch's tip every second, rebuilds
//! when it moved (or the minute turned), and fetches from the remote every
//! `--fetch` interval.

use super::pages::{self, Freshness, Pages, Settings};
use crate::cli::filter::RecordFilter;
use crate::cli::team::{RepoChoice, TeamCtx};
use crate::ctx::Ctx;
use postmortem::error::Result;
use postmortem::ops::sync::Followed;
use postmortem::store::read::Detail;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

pub struct Site {
    records_dir: String,
    settings: Settings,
    /// `--all-repos` / `--repo NAME`: the team's repositories.
    team: Option<RepoChoice>,
    pages: RwLock<Arc<Pages>>,
    /// For `/pm/ID`: what `pages` were made from.
    source: Mutex<Source>,
}

/// What the pages are made from: the current repository, or the team's.
pub enum Source {
    One(Ctx),
    Team(TeamCtx),
}

impl Source {
    fn read(records_dir: &str, team: Option<&RepoChoice>) -> Result<Source> {
        Ok(match team {
            None => Source::One(Ctx::open(records_dir)?),
            Some(choice) => Source::Team(TeamCtx::read(
                records_dir,
                choice,
                &RecordFilter::default().reader(false, Detail::Slim),
            )?),
        })
    }

    /// The records branches' tips as they are on disk now (each
    /// repository's, across repositories).
    fn tips(&self) -> Option<String> {
        let tip = |store: &postmortem::store::Store| {
            store.tip_now().ok().flatten().map(|c| c.to_string())
        };
        match self {
            Source::One(ctx) => tip(&ctx.store),
            Source::Team(team) => Some(
                team.view
                    .repos
                    .iter()
                    .map(|r| tip(&r.session.store).unwrap_or_default())
                    .collect::<Vec<_>>()
                    .join(","),
            ),
        }
    }
}

impl Site {
    /// Opens the records and prepares the first pages: an error here (no
    /// repository, a broken config) stops `serve` before it listens.
    pub fn open(
        records_dir: &str,
        settings: Settings,
        team: Option<RepoChoice>,
        fresh: &Freshness,
    ) -> Result<Site> {
        let source = Source::read(records_dir, team.as_ref())?;
        let pages = pages::build(&source, &settings, fresh)?;
        Ok(Site {
            records_dir: records_dir.to_string(),
            settings,
            team,
            pages: RwLock::new(Arc::new(pages)),
            source: Mutex::new(source),
        })
    }

    pub fn pages(&self) -> Arc<Pages> {
        Arc::clone(&self.pages.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Runs `f` with the context (one request at a time: git handles are
    /// not shared between threads); `None` across repositories.
    pub fn with_ctx<T>(&self, f: impl FnOnce(&Ctx) -> T) -> Option<T> {
        match &*self.source.lock().unwrap_or_else(|e| e.into_inner()) {
            Source::One(ctx) => Some(f(ctx)),
            Source::Team(_) => None,
        }
    }

    /// Reads everything again, and swaps it in.
    fn rebuild(&self, fresh: &Freshness) -> Result<()> {
        let source = Source::read(&self.records_dir, self.team.as_ref())?;
        let pages = pages::build(&source, &self.settings, fresh)?;
        *self.pages.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(pages);
        *self.source.lock().unwrap_or_else(|e| e.into_inner()) = source;
        Ok(())
    }

    /// The records branch's tip (each one's, across repositories) as it
    /// is on disk now.
    fn tip(&self) -> Option<String> {
        self.source.lock().unwrap_or_else(|e| e.into_inner()).tips()
    }
}

/// Keeps `site` current until `stop` is set. `fetch_every`: `None` never
/// fetches.
pub fn watch(site: &Site, fetch_every: Option<Duration>, mut fresh: Freshness, stop: &AtomicBool) {
    let mut next_fetch = fetch_every.map(|d| Instant::now() + d);
    let mut minute = this_minute();
    let mut last_error: Option<String> = None;
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(250));
        let mut changed = false;
        if let (Some(every), Some(at)) = (fetch_every, next_fetch)
            && Instant::now() >= at
        {
            next_fetch = Some(Instant::now() + every);
            let before = fresh.clone();
            fetch(&site.records_dir, &mut fresh);
            changed |= fresh != before;
        }
        changed |= site.tip() != site.pages().commit;
        // Ages and overdue days count in minutes and days: a new minute
        // makes the pages again.
        let now = this_minute();
        changed |= now != minute;
        minute = now;
        if changed && let Err(e) = site.rebuild(&fresh) {
            // The last good pages stay up; the log says why, once.
            if last_error.as_deref() != Some(e.message.as_str()) {
                eprintln!("serve: cannot read the records: {}", e.message);
                last_error = Some(e.message);
            }
        } else if changed {
            last_error = None;
        }
    }
}

/// Fetches the records branch (and follows it when that is a
/// fast-forward), noting the outcome for the page.
pub fn fetch(records_dir: &str, fresh: &mut Freshness) {
    let followed = Ctx::open(records_dir).and_then(|ctx| {
        let followed = postmortem::ops::sync::follow(&ctx.session)?;
        Ok((ctx.view().minutes(now(&ctx)), ctx.view().label(), followed))
    });
    match followed {
        Ok((_, _, Followed::NoRemote)) => {
            fresh.note = Some("no remote: this clone's records".into());
            fresh.warning = None;
        }
        Ok((at, zone, Followed::Diverged { behind })) => {
            fresh.fetched = Some(format!("{at} {zone}"));
            fresh.warning = Some(format!(
                "this clone has unshared changes and the remote has {behind} newer: run `devops postmortem sync` here"
            ));
        }
        Ok((at, zone, _)) => {
            fresh.fetched = Some(format!("{at} {zone}"));
            fresh.warning = None;
        }
        Err(e) => {
            eprintln!("serve: fetch failed: {}", e.message);
            fresh.warning = Some(format!("fetch failed: {}", e.message));
        }
    }
}

/// The machine's clock, not the pinned one: a fetch happens now.
fn now(ctx: &Ctx) -> chrono::DateTime<chrono::FixedOffset> {
    ctx.zone().convert(chrono::Utc::now().fixed_offset())
}

fn this_minute() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 60)
}
