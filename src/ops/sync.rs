//! `sync`: fetch the team's records, put this clone's commits on top of
//! them, push. Records changed on both sides merge field by field; the
//! same field changed two ways is settled by the person (asked on a
//! terminal, or `--take`), never silently.

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::record::merge::{Conflict, MergeError, Resolution, merge_resolving};
use crate::store::shell_quote;
use crate::store::sync::{self as git_sync, Pushed, Upstream};
use std::collections::BTreeMap;

/// Which side to keep in a conflict, in the person's own terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Mine,
    Theirs,
}

/// `--take mine`, `--take theirs`, or for one field:
/// `--take PM-20261124-abcd1234:severity=theirs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Take {
    /// The record (ID or unique prefix) and field, or `None` for all.
    pub only: Option<(String, String)>,
    pub side: Side,
}

impl Take {
    pub fn parse(s: &str) -> std::result::Result<Take, String> {
        let side = |w: &str| match w.trim().to_lowercase().as_str() {
            "mine" | "yours" => Ok(Side::Mine),
            "theirs" => Ok(Side::Theirs),
            other => Err(format!("'{other}' is not a side: use mine or theirs")),
        };
        match s.split_once('=') {
            None => Ok(Take {
                only: None,
                side: side(s)?,
            }),
            Some((target, which)) => {
                let (id, field) = target.split_once(':').ok_or_else(|| {
                    format!("'{s}': name the record and field as ID:FIELD=mine|theirs")
                })?;
                Ok(Take {
                    only: Some((id.trim().to_string(), field.trim().to_string())),
                    side: side(which)?,
                })
            }
        }
    }

    fn applies(&self, id: &str, field: &str) -> bool {
        match &self.only {
            None => true,
            Some((i, f)) => {
                let i = i.trim_start_matches("PM-");
                (id == i || id.contains(i)) && f == field
            }
        }
    }
}

/// A field changed both here and upstream, named from the person's side.
#[derive(Debug, Clone)]
pub struct Clash {
    pub path: String,
    pub id: String,
    pub title: String,
    pub field: String,
    pub yours: String,
    pub theirs: String,
    pub yours_value: Option<toml::Value>,
    pub theirs_value: Option<toml::Value>,
}

/// Asks a person which value to keep.
pub type Ask<'a> = dyn FnMut(&Clash) -> Result<Resolution> + 'a;

pub struct Options<'a> {
    pub takes: Vec<Take>,
    /// Push to this branch for review instead of the upstream branch.
    pub branch: Option<String>,
    pub no_push: bool,
    /// Show git's progress (on a terminal, unless `--quiet`).
    pub progress: bool,
    /// Asks the person to settle a clash (on a terminal).
    pub ask: Option<&'a mut Ask<'a>>,
}

#[derive(Default)]
pub struct Summary {
    pub upstream: String,
    pub came_in: usize,
    pub went_out: usize,
    pub pushed_to: Option<String>,
    /// Fields settled, as `ID field (yours|theirs|a new value)`.
    pub settled: Vec<String>,
    pub closed: Vec<crate::ops::fixes::Closed>,
    /// A review branch that was merged since the last sync.
    pub merged_review: Option<String>,
    /// Where to open the pull request, when git or gh said.
    pub review_links: Vec<String>,
}

const REVIEW_KEY: &str = "devops-postmortem.reviewbranch";

pub fn sync(ctx: &Ctx, mut opts: Options<'_>) -> Result<Summary> {
    let store = &ctx.store;
    store.ensure_writable()?;
    git_sync::setup_merge_driver(store)?;
    let up = git_sync::upstream(store)?;
    let mut summary = Summary {
        upstream: up.tracking.clone(),
        ..Summary::default()
    };
    let review = opts.branch.clone().or_else(|| review_branch(ctx));
    for attempt in 0..3 {
        fetch(ctx, &up, opts.progress)?;
        if let Some(name) = &review
            && review_merged(ctx, &up, name)?
        {
            summary.merged_review = Some(name.clone());
            forget_review(ctx);
        }
        let (ahead, behind) = git_sync::ahead_behind(store, &up.tracking)?;
        if behind > 0 {
            summary.came_in += behind;
            if ahead == 0 {
                fast_forward(ctx, &up)?;
            } else {
                integrate(ctx, &up, &mut opts, &mut summary)?;
            }
        }
        // Trailers in commits on the shared branch close their items (in
        // commits only this clone has, they do so once pushed with them).
        let records = ctx.records(None, crate::store::read::Detail::Slim)?;
        summary
            .closed
            .extend(crate::ops::fixes::close_fixed(ctx, &records)?);
        let (ahead, _) = git_sync::ahead_behind(store, &up.tracking)?;
        let to_review = review
            .as_ref()
            .filter(|n| summary.merged_review.as_deref() != Some(n.as_str()));
        if opts.no_push || ahead == 0 {
            return Ok(summary);
        }
        let (refspec, target) = match to_review {
            Some(name) => (format!("+HEAD:refs/heads/{name}"), name.clone()),
            None => (format!("HEAD:refs/heads/{}", up.branch), up.branch.clone()),
        };
        match git_sync::push(store, &up.remote, &refspec, opts.progress, false)? {
            Pushed::Done { stderr } => {
                summary.went_out = ahead;
                summary.pushed_to = Some(format!("{}/{target}", up.remote));
                if let Some(name) = to_review {
                    remember_review(ctx, name)?;
                    summary.review_links = open_review(ctx, &up, name, &stderr);
                }
                return Ok(summary);
            }
            Pushed::Behind(failure) => {
                if attempt == 2 {
                    return Err(failure
                        .into_error()
                        .hint("others keep pushing to it: run sync again in a moment"));
                }
            }
            Pushed::Refused { reason, failure } => {
                let stderr = failure.stderr.clone();
                let mut e = Error::new(format!(
                    "{} refused the push to {target}: {}; your commits are safe here",
                    up.remote,
                    if reason.is_empty() {
                        "no reason given"
                    } else {
                        &reason
                    }
                ));
                for line in stderr.lines().filter(|l| !l.trim().is_empty()) {
                    e = e.detail(line.trim_end());
                }
                if to_review.is_none() {
                    e = e.hint(format!(
                        "send them for review on a branch instead: devops postmortem sync --branch {}",
                        suggested_branch(ctx)
                    ));
                }
                return Err(e);
            }
            Pushed::Failed(failure) => return Err(failure.into_error()),
        }
    }
    unreachable!("the loop returns on its last attempt")
}

fn fetch(ctx: &Ctx, up: &Upstream, progress: bool) -> Result<()> {
    let mut args = vec!["fetch", "--prune"];
    if !progress {
        args.push("--quiet");
    }
    args.push(&up.remote);
    match git_sync::talk(&ctx.store, &args, progress)? {
        Ok(_) => Ok(()),
        Err(f) => Err(f.into_error().hint(format!(
            "check that `git fetch {}` works here, then sync again",
            up.remote
        ))),
    }
}

fn fast_forward(ctx: &Ctx, up: &Upstream) -> Result<()> {
    match git_sync::talk(
        &ctx.store,
        &["merge", "--ff-only", "--quiet", &up.tracking],
        false,
    )? {
        Ok(_) => Ok(()),
        Err(f) => Err(f.into_error().hint(
            "your uncommitted changes are in the way: commit or stash them (git stash), then sync again",
        )),
    }
}

/// Puts this clone's commits on top of the upstream's: records changed on
/// both sides are merged field by field with every clash settled first,
/// then `git rebase` replays the commits with those settled records.
fn integrate(
    ctx: &Ctx,
    up: &Upstream,
    opts: &mut Options<'_>,
    summary: &mut Summary,
) -> Result<()> {
    let store = &ctx.store;
    let dirty = store
        .git
        .run(&["status", "--porcelain", "--untracked-files=no"])?;
    if !dirty.is_empty() {
        return Err(Error::new(
            "you have uncommitted changes, and sync needs to put your commits on top of the team's: nothing was changed",
        )
        .hint("commit or stash them (git stash), then sync again"));
    }
    let base = String::from_utf8_lossy(&store.git.run(&["merge-base", "HEAD", &up.tracking])?)
        .trim()
        .to_string();
    let mine = git_sync::changed_files(store, &base, "HEAD")?;
    let theirs = git_sync::changed_files(store, &base, &up.tracking)?;
    let both: Vec<&String> = mine.iter().filter(|p| theirs.contains(p)).collect();

    // Every record changed on both sides, merged as it will end up. The
    // merge is oriented as the rebase is (the team's version is "ours", this
    // clone's commits are replayed as "theirs"), so action items keep the
    // numbers the team already shares and ours get the new ones; the
    // rebase settles any clash along the way toward this result.
    let mut decided: BTreeMap<(String, String), Resolution> = BTreeMap::new();
    let mut finals: BTreeMap<String, String> = BTreeMap::new();
    for path in both {
        let (Some(b), Some(m), Some(t)) = (
            git_sync::text_at(store, &base, path)?,
            git_sync::text_at(store, "HEAD", path)?,
            git_sync::text_at(store, &up.tracking, path)?,
        ) else {
            continue; // added or deleted on one side: git decides
        };
        let id = record_id(path);
        let clashes = match merge_resolving(&b, &t, &m, &|c| take_for(&opts.takes, &id, c)) {
            Ok(text) => {
                finals.insert(path.clone(), text);
                continue;
            }
            Err(MergeError::Parse(side, at)) => {
                return Err(Error::new(format!(
                    "{path} does not parse in {} at {at}: fix it there first; nothing was changed",
                    if side == "theirs" {
                        "your commits"
                    } else {
                        &up.tracking
                    }
                )));
            }
            Err(MergeError::Conflicts(c)) => c,
        };
        let title = toml::from_str::<toml::Table>(&m)
            .ok()
            .and_then(|t| t.get("title").and_then(|v| v.as_str()).map(str::to_string))
            .unwrap_or_default();
        let clashes: Vec<Clash> = clashes
            .into_iter()
            .map(|c| Clash {
                path: path.clone(),
                id: id.clone(),
                title: title.clone(),
                field: c.field,
                yours: c.theirs,
                theirs: c.ours,
                yours_value: c.theirs_value,
                theirs_value: c.ours_value,
            })
            .collect();
        let Some(ask) = opts.ask.as_mut() else {
            return Err(unsettled(up, &clashes));
        };
        for clash in &clashes {
            let r = ask(clash)?;
            summary.settled.push(format!(
                "{} {} ({})",
                clash.id,
                clash.field,
                match &r {
                    Resolution::Ours => "yours",
                    Resolution::Theirs => "theirs",
                    Resolution::Value(_) => "a new value",
                }
            ));
            decided.insert((path.clone(), clash.field.clone()), flip(r));
        }
        let text = merge_resolving(&b, &t, &m, &|c| {
            decided
                .get(&(path.clone(), c.field.clone()))
                .cloned()
                .or_else(|| take_for(&opts.takes, &id, c))
        })
        .map_err(|_| Error::new(format!("{path}: the merge did not settle")))?;
        crate::record::parse::parse_record(&text).map_err(|e| {
            Error::new(format!(
                "the settled record would not be valid: {}; nothing was changed",
                e.in_file(path)
            ))
        })?;
        finals.insert(path.clone(), text);
    }
    let resolutions = store.repo.path().join("devops-postmortem-resolutions.json");
    let file = if finals.is_empty() {
        None
    } else {
        let json = serde_json::to_vec(&finals).map_err(|e| Error::new(e.to_string()))?;
        crate::fsio::atomic_write(
            &resolutions,
            &json,
            crate::fsio::Durability::Cached,
            crate::fsio::Temp::Random,
        )
        .map_err(|e| Error::new(format!("cannot write {}: {e}", resolutions.display())))?;
        Some(resolutions.as_path())
    };
    let rebased = git_sync::rebase(store, &up.tracking, file)?;
    let _ = std::fs::remove_file(&resolutions);
    rebased.map_err(|f| {
        f.into_error()
            .suffix("the rebase was undone, your branch is as it was")
            .hint(format!(
                "settle it by hand: git pull --rebase {} {}, then devops postmortem sync",
                up.remote, up.branch
            ))
    })
}

/// The error for clashes with no terminal to ask at: each clash, and the
/// commands that settle them (they work when pasted).
fn unsettled(up: &Upstream, clashes: &[Clash]) -> Error {
    let mut e = Error::new(format!(
        "the same field was changed here and in {}: nothing was changed, your branch is as it was",
        up.tracking
    ));
    for c in clashes {
        e = e.detail(format!(
            "{} {}: {}: yours {}, theirs {}",
            c.id,
            crate::text::inline(&c.title),
            c.field,
            crate::text::truncate(&crate::text::inline(&c.yours), 40),
            crate::text::truncate(&crate::text::inline(&c.theirs), 40),
        ));
    }
    e = e
        .hint("keep yours everywhere: devops postmortem sync --take mine")
        .hint("keep theirs everywhere: devops postmortem sync --take theirs");
    if let Some(c) = clashes.first() {
        e = e.hint(format!(
            "or field by field: devops postmortem sync --take {}",
            shell_quote(&format!("{}:{}=mine", c.id, c.field))
        ));
    }
    e
}

fn take_for(takes: &[Take], id: &str, c: &Conflict) -> Option<Resolution> {
    // The most specific take wins.
    let specific = takes
        .iter()
        .find(|t| t.only.is_some() && t.applies(id, &c.field));
    let any = takes.iter().find(|t| t.only.is_none());
    // In the merge, the team's version is "ours" and mine is "theirs".
    specific.or(any).map(|t| match t.side {
        Side::Mine => Resolution::Theirs,
        Side::Theirs => Resolution::Ours,
    })
}

/// A person's answer (Ours = yours) in the merge's orientation.
fn flip(r: Resolution) -> Resolution {
    match r {
        Resolution::Ours => Resolution::Theirs,
        Resolution::Theirs => Resolution::Ours,
        value => value,
    }
}

/// `postmortems/2026/11/PM-20261124-abcd1234.toml` → the ID.
fn record_id(path: &str) -> String {
    path.rsplit('/')
        .next()
        .unwrap_or(path)
        .trim_end_matches(".toml")
        .to_string()
}

fn review_branch(ctx: &Ctx) -> Option<String> {
    ctx.store
        .repo
        .config()
        .ok()?
        .get_string(REVIEW_KEY)
        .ok()
        .filter(|s| !s.is_empty())
}

fn remember_review(ctx: &Ctx, name: &str) -> Result<()> {
    let mut config = ctx
        .store
        .repo
        .config()?
        .open_level(git2::ConfigLevel::Local)?;
    config.set_str(REVIEW_KEY, name)?;
    Ok(())
}

fn forget_review(ctx: &Ctx) {
    if let Ok(mut config) = ctx
        .store
        .repo
        .config()
        .and_then(|c| c.open_level(git2::ConfigLevel::Local))
    {
        let _ = config.remove(REVIEW_KEY);
    }
}

/// A review branch counts as merged once the upstream holds its tip, or
/// once the remote deleted it (as hosts do after merging a pull request).
fn review_merged(ctx: &Ctx, up: &Upstream, name: &str) -> Result<bool> {
    let repo = &ctx.store.repo;
    let Some(pushed) = repo
        .config()?
        .get_string(&format!("{REVIEW_KEY}-tip"))
        .ok()
        .and_then(|s| git2::Oid::from_str(&s).ok())
    else {
        return Ok(false);
    };
    let remote_ref = format!("refs/remotes/{}/{name}", up.remote);
    let upstream = repo.revparse_single(&up.tracking)?.id();
    let gone = repo.refname_to_id(&remote_ref).is_err();
    let contained =
        repo.graph_descendant_of(upstream, pushed).unwrap_or(false) || upstream == pushed;
    Ok(gone || contained)
}

/// After pushing a review branch: open the pull request where `gh` or
/// `glab` is installed and logged in; otherwise the links git printed.
fn open_review(ctx: &Ctx, up: &Upstream, name: &str, push_stderr: &str) -> Vec<String> {
    if let Ok(head) = ctx.store.repo.head().and_then(|h| h.peel_to_commit())
        && let Ok(mut config) = ctx
            .store
            .repo
            .config()
            .and_then(|c| c.open_level(git2::ConfigLevel::Local))
    {
        let _ = config.set_str(&format!("{REVIEW_KEY}-tip"), &head.id().to_string());
    }
    let title = "Post-mortem updates";
    let body =
        "Post-mortem records changed with `devops postmortem`; merge to share them with the team.";
    let tried = [
        (
            "gh",
            vec![
                "pr", "create", "--head", name, "--base", &up.branch, "--title", title, "--body",
                body,
            ],
        ),
        (
            "glab",
            vec![
                "mr",
                "create",
                "--source-branch",
                name,
                "--target-branch",
                &up.branch,
                "--title",
                title,
                "--description",
                body,
                "--yes",
            ],
        ),
    ];
    for (tool, args) in tried {
        let logged_in = std::process::Command::new(tool)
            .args(["auth", "status"])
            .current_dir(&ctx.store.workdir)
            .output()
            .is_ok_and(|o| o.status.success());
        if !logged_in {
            continue;
        }
        if let Ok(out) = std::process::Command::new(tool)
            .args(&args)
            .current_dir(&ctx.store.workdir)
            .output()
            && out.status.success()
        {
            return String::from_utf8_lossy(&out.stdout)
                .lines()
                .filter(|l| l.contains("http"))
                .map(|l| l.trim().to_string())
                .collect();
        }
    }
    push_stderr
        .lines()
        .filter_map(|l| l.split_whitespace().find(|w| w.starts_with("http")))
        .map(str::to_string)
        .collect()
}

/// `postmortems/alice-2026-11-25`: the person's name and the day.
fn suggested_branch(ctx: &Ctx) -> String {
    let who = crate::store::identity::identity(&ctx.store.repo, "AUTHOR")
        .map(|i| i.email.split('@').next().unwrap_or("me").to_string())
        .unwrap_or_else(|_| "me".into());
    let who: String = who
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("postmortems/{who}-{}", ctx.today())
}
