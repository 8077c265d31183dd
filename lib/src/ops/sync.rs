//! `sync`: fetch the team's records branch, put this clone's commits on
//! top of it, push it: that branch and nothing else. Records changed on
//! both sides merge field by field; the same field changed two ways is
//! settled by the person (asked on a terminal, or `--take`), never
//! silently.

use crate::error::{Command, Error, Result};
use crate::record::merge::Resolution;
use crate::session::Session;
use crate::store::branch::{self, Origin};
use crate::store::replay::{self, Replayed};
use crate::store::sync::{self as git_sync, Pushed, Upstream};
use git2::Oid;

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

pub use crate::store::replay::Clash;

/// Asks a person which value to keep (in their terms: `Ours` is theirs
/// to keep, "yours").
pub type Ask<'a> = dyn FnMut(&Clash) -> Result<Resolution> + 'a;

pub struct Options<'a> {
    pub takes: Vec<Take>,
    /// Push to this branch for review instead of the records branch.
    pub branch: Option<String>,
    pub no_push: bool,
    /// Show git's progress (on a terminal, unless `--quiet`).
    pub progress: bool,
    /// Asks the person to settle a clash (on a terminal).
    pub ask: Option<&'a mut Ask<'a>>,
    /// Close the tracker issues of items that fix trailers finished.
    pub close_remote: bool,
}

#[derive(Default)]
pub struct Summary {
    /// `origin/postmortems`.
    pub upstream: String,
    pub came_in: usize,
    pub went_out: usize,
    pub pushed_to: Option<String>,
    /// Fields settled, as `ID field (yours|theirs|a new value)`.
    pub settled: Vec<String>,
    pub closed: Vec<crate::ops::fixes::Closed>,
    /// Fix trailers on the team's branch that name no action item.
    pub unresolved: Vec<crate::store::fixes::Unresolved>,
    /// Records of one incident that this sync's merge brought together.
    pub duplicates: Vec<crate::ops::duplicates::Duplicate>,
    /// A review branch that was merged since the last sync.
    pub merged_review: Option<String>,
    /// Where to open the pull request, when git or gh said.
    pub review_links: Vec<String>,
    /// What the remote said on push (hooks, links), for the person.
    pub remote_said: String,
    /// Items brought in line with their tracker issues, and the trackers
    /// that could not be read (the sync went on without them).
    pub tracker: crate::ops::tracker::Pulled,
}

const REVIEW_KEY: &str = "devops-postmortem.reviewbranch";

pub fn sync(session: &Session, mut opts: Options<'_>) -> Result<Summary> {
    let store = &session.store;
    refuse_the_code_branch(session)?;
    crate::team::mirror::refuse_write(&store.repo)?;
    git_sync::upgrade_driver(store, false)?;
    let up = git_sync::upstream(store)?;
    let mut summary = Summary {
        upstream: up.shown(),
        ..Summary::default()
    };
    let review = opts.branch.clone().or_else(|| review_branch(session));
    let start = branch::tip(&store.repo, &store.location.refname)?;
    for attempt in 0..3 {
        let theirs = git_sync::fetch(store, &up, opts.progress)?;
        if theirs.is_some() {
            git_sync::remember_upstream(store, &up)?;
        }
        if let Some(name) = &review
            && review_merged(session, &up, name)?
        {
            summary.merged_review = Some(name.clone());
            forget_review(session);
        }
        if !integrate(session, &up, theirs, &mut opts, &mut summary)? {
            continue; // a write of ours landed meanwhile: again
        }
        let after = branch::tip(&store.repo, &store.location.refname)?;
        if let Some(after) = after.filter(|a| Some(*a) != start) {
            // Against the tip before this sync: what every attempt brought.
            summary.duplicates = crate::ops::duplicates::brought(session, start, after)?;
        }
        // Trailers on the team's branch close their items.
        let fixed = crate::ops::fixes::close_fixed(session)?;
        summary.closed.extend(fixed.closed);
        // Said (and remembered as said) only by the attempt that lands:
        // a retry would otherwise find them said and drop them.
        summary.unresolved = fixed.unresolved;
        // The tracker after the trailers: an item a trailer finished
        // closes its issue in the same sync.
        let pulled = crate::ops::tracker::pull(session, None, opts.close_remote)?;
        summary.tracker.changed.extend(pulled.changed);
        summary.tracker.unreachable = pulled.unreachable;
        summary.tracker.read = pulled.read;
        let to_review = review
            .clone()
            .filter(|n| summary.merged_review.as_deref() != Some(n.as_str()));
        match push(
            session,
            &up,
            theirs,
            to_review.as_deref(),
            &opts,
            &mut summary,
        )? {
            None => {
                summary.unresolved = not_said_yet(session, std::mem::take(&mut summary.unresolved));
                return Ok(summary);
            }
            Some(failure) if attempt == 2 => {
                return Err(failure
                    .into_error()
                    .hint("others keep pushing to it: run sync again in a moment"));
            }
            Some(_) => continue, // someone pushed first: fetch and merge again
        }
    }
    Err(Error::new(format!(
        "{} kept moving while syncing: your records are as they were",
        up.shown()
    ))
    .hint("run sync again in a moment"))
}

/// Records on the code's own branch (the earlier layout) are not shared
/// by `sync`: pushing them would push the code too.
fn refuse_the_code_branch(session: &Session) -> Result<()> {
    let loc = &session.store.location;
    if loc.origin != Origin::CheckedOutBranch {
        return Ok(());
    }
    Err(Error::new(format!(
        "the records are on {}, the branch of your code: sync shares only a branch of records, never your code",
        loc.name()
    ))
    .hint_run(
        "move them to a branch of their own first",
        Command::postmortem(["migrate"]),
    ))
}

/// Pushes the records branch (or, for review, its tip to `to_review`) when
/// it has commits the remote lacks. `Some`: the remote moved first.
fn push(
    session: &Session,
    up: &Upstream,
    theirs: Option<Oid>,
    to_review: Option<&str>,
    opts: &Options<'_>,
    summary: &mut Summary,
) -> Result<Option<crate::store::git::GitFailure>> {
    let store = &session.store;
    let Some(local) = branch::tip(&store.repo, &store.location.refname)? else {
        return Ok(None);
    };
    let ahead = count(store, local, theirs)?;
    if opts.no_push || ahead == 0 {
        return Ok(None);
    }
    let target = to_review.unwrap_or(&up.branch).to_string();
    let pushed = git_sync::push(
        store,
        &up.remote,
        local,
        &target,
        to_review.is_some(),
        opts.progress,
    )?;
    match pushed {
        Pushed::Done { stderr } => {
            summary.went_out = ahead;
            summary.pushed_to = Some(format!("{}/{target}", up.remote));
            summary.remote_said = stderr;
            match to_review {
                Some(name) => {
                    remember_review(session, name, local)?;
                    summary.review_links = open_review(session, up, name, &summary.remote_said);
                }
                None => {
                    git_sync::note_pushed(store, up, local)?;
                    git_sync::remember_upstream(store, up)?;
                }
            }
            Ok(None)
        }
        Pushed::Behind(failure) => Ok(Some(failure)),
        Pushed::Refused { reason, failure } => Err(refused(
            session,
            up,
            &target,
            to_review.is_some(),
            &reason,
            failure,
        )),
        Pushed::Failed(failure) => Err(failure.into_error()),
    }
}

/// Commits reachable from `local` and not from `theirs`.
fn count(store: &crate::store::Store, local: Oid, theirs: Option<Oid>) -> Result<usize> {
    let mut walk = store.repo.revwalk()?;
    walk.push(local)?;
    if let Some(t) = theirs {
        walk.hide(t)?;
    }
    Ok(walk.count())
}

fn refused(
    session: &Session,
    up: &Upstream,
    target: &str,
    to_review: bool,
    reason: &str,
    failure: crate::store::git::GitFailure,
) -> Error {
    let stderr = failure.stderr.clone();
    let mut e = Error::new(format!(
        "{} refused the push to {target}: {}; your records are safe here",
        up.remote,
        if reason.is_empty() {
            "no reason given"
        } else {
            reason
        }
    ));
    for line in stderr.lines().filter(|l| !l.trim().is_empty()) {
        e = e.detail(line.trim_end());
    }
    if !to_review {
        e = e.hint_run(
            "send them for review on a branch instead",
            Command::postmortem([
                "sync".to_string(),
                "--branch".into(),
                suggested_branch(session),
            ]),
        );
    }
    e
}

/// Brings the remote's commits into the records branch: a fast-forward,
/// or this clone's commits since the last sync replayed on top of the
/// remote's (only those: commits the remote dropped stay dropped). Returns
/// false when the branch moved meanwhile (try again).
fn integrate(
    session: &Session,
    up: &Upstream,
    theirs: Option<Oid>,
    opts: &mut Options<'_>,
    summary: &mut Summary,
) -> Result<bool> {
    let store = &session.store;
    let repo = &store.repo;
    let ours = branch::tip(repo, &store.location.refname)?;
    let Some(theirs) = theirs else {
        return Ok(true); // nothing on the remote yet
    };
    let target = match ours {
        Some(o) if o == theirs => return Ok(true),
        Some(o) if repo.graph_descendant_of(theirs, o)? => {
            summary.came_in = repo.graph_ahead_behind(o, theirs)?.1;
            theirs
        }
        None => {
            summary.came_in = count(store, theirs, None)?;
            theirs
        }
        Some(o) => {
            let fork = git_sync::fork_point(store, up, o)?;
            // Ahead of the remote, and the remote still has everything it
            // had at the last sync: nothing to bring in.
            let kept = fork.is_none_or(|f| {
                f == theirs || repo.graph_descendant_of(theirs, f).unwrap_or(false)
            });
            if kept && repo.graph_descendant_of(o, theirs)? {
                return Ok(true);
            }
            // Else this clone's commits since the last sync go on top of the
            // remote's; commits the remote dropped (a force-push) stay out.
            let mine = commits_since(store, o, fork, theirs)?;
            summary.came_in = match fork {
                Some(f) if kept => repo.graph_ahead_behind(f, theirs)?.1,
                _ => count(store, theirs, fork)?,
            };
            match replay_mine(session, theirs, &mine, opts, summary)? {
                Ok(tip) => tip,
                Err(clashes) => return Err(unsettled(up, &clashes)),
            }
        }
    };
    move_branch(session, ours, target)
}

/// This clone's commits: those `ours` reaches and neither the fork point
/// nor the remote's tip does, oldest first.
fn commits_since(
    store: &crate::store::Store,
    ours: Oid,
    fork: Option<Oid>,
    theirs: Oid,
) -> Result<Vec<Oid>> {
    let mut walk = store.repo.revwalk()?;
    walk.push(ours)?;
    walk.hide(theirs)?;
    if let Some(f) = fork {
        walk.hide(f)?;
    }
    walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)?;
    // A merge commit carries the changes of its first parent's side.
    Ok(walk.collect::<std::result::Result<Vec<Oid>, git2::Error>>()?)
}

/// Replays this clone's commits on the remote's tip: the new tip, or the
/// clashes nobody settled (then nothing was made).
fn replay_mine(
    session: &Session,
    theirs: Oid,
    mine: &[Oid],
    opts: &mut Options<'_>,
    summary: &mut Summary,
) -> Result<std::result::Result<Oid, Vec<Clash>>> {
    let committer =
        crate::store::identity::signature(&session.store.repo, "COMMITTER", session.now)?;
    let takes = opts.takes.clone();
    let mut settled = Vec::new();
    let mut decide = |c: &Clash| -> Result<Option<Resolution>> {
        if let Some(r) = take_for(&takes, &c.id, &c.field) {
            return Ok(Some(r));
        }
        let Some(ask) = opts.ask.as_mut() else {
            return Ok(None);
        };
        let r = ask(c)?;
        settled.push(format!(
            "{} {} ({})",
            c.id,
            c.field,
            match &r {
                Resolution::Ours => "yours",
                Resolution::Theirs => "theirs",
                Resolution::Value(_) => "a new value",
            }
        ));
        Ok(Some(r))
    };
    let replayed = replay::replay(&session.store, theirs, mine, &committer, &mut decide)?;
    summary.settled.extend(settled);
    Ok(match replayed {
        Replayed::Done { tip } => Ok(tip),
        Replayed::Unsettled(clashes) => Err(clashes),
    })
}

/// Moves the local records branch from `ours` to `target` (through the
/// work tree where it is checked out). False when it moved meanwhile.
fn move_branch(session: &Session, ours: Option<Oid>, target: Oid) -> Result<bool> {
    let store = &session.store;
    let plan = crate::store::tx::Plan {
        refname: store.location.refname.clone(),
        parent: ours,
        commit: target,
        files: changed_files(store, ours, target)?,
        what: "sync".to_string(),
    };
    let loc = store.relocate()?;
    crate::store::tx::testpoint::reached("merged");
    Ok(crate::store::tx::apply(store, &loc, &plan)? == crate::store::tx::Applied::Done)
}

/// The files that differ between two commits (`from` `None`: all of `to`).
fn changed_files(
    store: &crate::store::Store,
    from: Option<Oid>,
    to: Oid,
) -> Result<Vec<crate::store::tx::FileChange>> {
    let repo = &store.repo;
    let old = crate::store::tx::base_tree(repo, from)?;
    let new = repo.find_commit(to)?.tree()?;
    let diff = repo.diff_tree_to_tree(Some(&old), Some(&new), None)?;
    Ok(diff
        .deltas()
        .map(|d| {
            let side = |f: git2::DiffFile<'_>| (!f.id().is_zero()).then(|| f.id());
            crate::store::tx::FileChange {
                path: d
                    .new_file()
                    .path()
                    .or_else(|| d.old_file().path())
                    .map(|p| p.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                mode: u32::from(d.new_file().mode()).max(0o100644),
                old: side(d.old_file()),
                new: side(d.new_file()),
            }
        })
        .collect())
}

/// The error for clashes with no terminal to ask at: each clash, and the
/// commands that settle them (they work when pasted).
fn unsettled(up: &Upstream, clashes: &[Clash]) -> Error {
    let mut e = Error::new(format!(
        "the same field was changed here and in {}",
        up.shown()
    ))
    .nothing_written();
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
        .hint_run(
            "keep yours everywhere",
            Command::postmortem(["sync", "--take", "mine"]),
        )
        .hint_run(
            "keep theirs everywhere",
            Command::postmortem(["sync", "--take", "theirs"]),
        );
    if let Some(c) = clashes.first() {
        e = e.hint_run(
            "or field by field",
            Command::postmortem([
                "sync".to_string(),
                "--take".into(),
                format!("{}:{}=mine", c.id, c.field),
            ]),
        );
    }
    e
}

fn take_for(takes: &[Take], id: &str, field: &str) -> Option<Resolution> {
    // The most specific take wins.
    let specific = takes
        .iter()
        .find(|t| t.only.is_some() && t.applies(id, field));
    let any = takes.iter().find(|t| t.only.is_none());
    specific.or(any).map(|t| match t.side {
        Side::Mine => Resolution::Ours,
        Side::Theirs => Resolution::Theirs,
    })
}

/// Where the team's branch was when `sync` last said which trailers
/// close nothing: a commit cannot change, so each is said once, by the
/// sync that first sees it (`check` says them all, every time).
const TRAILERS_SAID_KEY: &str = "devops-postmortem.trailers-said";

/// The trailers of commits that the team's tip at the last sync did not
/// reach; remembers the tip now. The first sync in a clone says them all.
fn not_said_yet(
    session: &Session,
    unresolved: Vec<crate::store::fixes::Unresolved>,
) -> Vec<crate::store::fixes::Unresolved> {
    let repo = &session.store.repo;
    let Some(tip) = branch::team_tip(repo) else {
        return unresolved;
    };
    let said = repo
        .config()
        .ok()
        .and_then(|c| c.get_string(TRAILERS_SAID_KEY).ok())
        .and_then(|s| Oid::from_str(&s).ok());
    let remember = || {
        if let Ok(mut config) = repo.config() {
            let _ = config.set_str(TRAILERS_SAID_KEY, &tip.to_string());
        }
    };
    let Some(said) = said else {
        remember();
        return unresolved;
    };
    if said == tip || unresolved.is_empty() {
        return Vec::new();
    }
    // The commits new since then: a walk from the tip that stops at what
    // the earlier tip reached (a few commits, not the history).
    let new: Option<std::collections::HashSet<String>> = (|| {
        let mut walk = repo.revwalk().ok()?;
        walk.push(tip).ok()?;
        let _ = walk.hide(said);
        Some(walk.filter_map(|c| c.ok()).map(|c| c.to_string()).collect())
    })();
    remember();
    match new {
        Some(new) => unresolved
            .into_iter()
            .filter(|u| new.contains(&u.commit))
            .collect(),
        None => unresolved,
    }
}

fn review_branch(session: &Session) -> Option<String> {
    session
        .store
        .repo
        .config()
        .ok()?
        .get_string(REVIEW_KEY)
        .ok()
        .filter(|s| !s.is_empty())
}

/// The review branch and the tip pushed to it, for the next sync to see
/// whether it was merged.
fn remember_review(session: &Session, name: &str, tip: Oid) -> Result<()> {
    let mut config = session
        .store
        .repo
        .config()?
        .open_level(git2::ConfigLevel::Local)?;
    config.set_str(REVIEW_KEY, name)?;
    config.set_str(&format!("{REVIEW_KEY}-tip"), &tip.to_string())?;
    Ok(())
}

fn forget_review(session: &Session) {
    if let Ok(mut config) = session
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
fn review_merged(session: &Session, up: &Upstream, name: &str) -> Result<bool> {
    let repo = &session.store.repo;
    let Some(pushed) = repo
        .config()?
        .get_string(&format!("{REVIEW_KEY}-tip"))
        .ok()
        .and_then(|s| git2::Oid::from_str(&s).ok())
    else {
        return Ok(false);
    };
    let remote_ref = format!("refs/remotes/{}/{name}", up.remote);
    let gone = repo.refname_to_id(&remote_ref).is_err();
    let contained = branch::tip(repo, &up.tracking)?.is_some_and(|upstream| {
        upstream == pushed || repo.graph_descendant_of(upstream, pushed).unwrap_or(false)
    });
    Ok(gone || contained)
}

/// After pushing a review branch: open the pull request where `gh` or
/// `glab` is installed and logged in; otherwise the links git printed.
fn open_review(session: &Session, up: &Upstream, name: &str, push_stderr: &str) -> Vec<String> {
    let dir = session
        .store
        .workdir
        .clone()
        .unwrap_or_else(|| session.store.repo.path().to_path_buf());
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
            .current_dir(&dir)
            .output()
            .is_ok_and(|o| o.status.success());
        if !logged_in {
            continue;
        }
        if let Ok(out) = std::process::Command::new(tool)
            .args(&args)
            .current_dir(&dir)
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

/// `pm-review/alice-2026-11-25`: the person's name and the day (not under
/// `postmortems/`, which the records branch's own name would block).
fn suggested_branch(session: &Session) -> String {
    let who = crate::store::identity::identity(&session.store.repo, "AUTHOR")
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
    format!("pm-review/{who}-{}", session.today())
}

/// What one `follow` found on the remote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Followed {
    /// No remote to fetch from: the records are this clone's.
    NoRemote,
    /// The records branch already holds everything the remote has.
    Current,
    /// The records branch moved forward by this many commits.
    Moved { came_in: usize },
    /// This clone has commits of its own the remote lacks, and the remote
    /// has some this clone lacks: left as it is, for `sync` to merge.
    Diverged { behind: usize },
}

/// The read-only side of `sync` (for `serve`): fetch the records branch
/// and, only when that is a fast-forward, move the local records branch
/// to the remote's tip through the same transaction as `sync` (the work
/// tree where it is checked out follows). Never merges, never commits,
/// never pushes; the user's own branches are not touched.
pub fn follow(session: &Session) -> Result<Followed> {
    let store = &session.store;
    if branch::remote_of(&store.repo, store.location.name()).is_none() {
        return Ok(Followed::NoRemote);
    }
    refuse_the_code_branch(session)?;
    let up = git_sync::upstream(store)?;
    let Some(theirs) = git_sync::fetch(store, &up, false)? else {
        return Ok(Followed::Current);
    };
    let repo = &store.repo;
    let ours = branch::tip(repo, &store.location.refname)?;
    let came_in = match ours {
        Some(o) if o == theirs || repo.graph_descendant_of(o, theirs)? => {
            return Ok(Followed::Current);
        }
        Some(o) if repo.graph_descendant_of(theirs, o)? => repo.graph_ahead_behind(o, theirs)?.1,
        None => count(store, theirs, None)?,
        Some(o) => {
            return Ok(Followed::Diverged {
                behind: repo.graph_ahead_behind(o, theirs)?.1,
            });
        }
    };
    store.moved();
    if !move_branch(session, ours, theirs)? {
        // A write of ours landed meanwhile: the next round looks again.
        return Ok(Followed::Current);
    }
    store.moved();
    Ok(Followed::Moved { came_in })
}
