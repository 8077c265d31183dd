//! Moving records from the checked-out branch (the layout of earlier
//! versions) to a branch of their own. Each commit that changed the
//! records directory becomes one commit on the new branch, with the same
//! author, dates and message and a tree holding only that directory: every
//! record's history stays visible to `log`, and no code commit comes
//! along (pushing the records branch can never push the code's work).
//! Made from the same history, two clones make the very same commits.
//!
//! The records are removed from the code branch only by a commit the user
//! makes and pushes; this module touches no branch of theirs.

use super::Store;
use super::branch::{self, Location, Origin};
use super::tx::{self, FileChange, Plan};
use crate::error::{Command, Error, Result};
use git2::{Oid, Repository};

/// What `migrate` will do.
#[derive(Debug, Clone)]
pub struct MigrationPlan {
    /// `postmortems`.
    pub branch: String,
    /// The branch the records are on now (`main`).
    pub from: String,
    /// The commits that changed the records directory, oldest first.
    pub commits: Vec<Oid>,
    /// Record files on the checked-out branch.
    pub records: usize,
    /// The records branch exists already (made by a teammate): then only
    /// the records it lacks are added, in one commit.
    pub existing: Option<Existing>,
}

#[derive(Debug, Clone)]
pub struct Existing {
    pub tip: Oid,
    /// Paths on the checked-out branch that the records branch lacks.
    pub missing: Vec<String>,
    /// Paths on both, with other content: left alone, named.
    pub differing: Vec<String>,
}

/// What was made.
#[derive(Debug, Clone)]
pub struct Migrated {
    pub tip: Oid,
    pub commits: usize,
}

/// The records branch name a migration makes.
fn target_name(store: &Store) -> Result<String> {
    match store.location.origin {
        Origin::CheckedOutBranch | Origin::New => Ok(branch::DEFAULT_BRANCH.to_string()),
        _ => Ok(store.location.name().to_string()),
    }
}

pub fn plan(store: &Store) -> Result<MigrationPlan> {
    let repo = &store.repo;
    let head = repo.head().map_err(|_| no_records(store))?;
    let from = head.shorthand().unwrap_or("HEAD").to_string();
    let head_commit = head.peel_to_commit().map_err(|_| no_records(store))?;
    let Some(dir) = branch::records_tree_in(repo, head_commit.tree_id(), &store.records_dir)?
    else {
        return Err(no_records(store));
    };
    let name = target_name(store)?;
    if head.symbolic_target().ok().flatten() == Some(format!("refs/heads/{name}").as_str()) {
        return Err(Error::new(format!(
            "the records are already on {name}, their own branch: nothing to move"
        )));
    }
    ensure_committed(store)?;
    let records = count_files(repo, dir)?;
    let existing = match branch::tip(repo, &format!("refs/heads/{name}"))? {
        Some(tip) => Some(compare(store, tip, head_commit.tree_id())?),
        None => None,
    };
    let commits = if existing.is_some() {
        Vec::new()
    } else {
        changed_dir(store)?
    };
    Ok(MigrationPlan {
        branch: name,
        from,
        commits,
        records,
        existing,
    })
}

fn no_records(store: &Store) -> Error {
    Error::new(format!(
        "the checked-out branch holds no {} folder: nothing to move",
        store.records_dir
    ))
}

/// Uncommitted changes to records would be left behind: commit them first.
fn ensure_committed(store: &Store) -> Result<()> {
    let out = store.git.run(&[
        "status",
        "--porcelain",
        "--untracked-files=all",
        "--",
        &store.records_dir,
    ])?;
    if out.is_empty() {
        return Ok(());
    }
    Err(Error::new(format!(
        "{} has changes that are not committed",
        store.records_dir
    ))
    .nothing_written()
    .hint_run(
        "commit them first, then run this again",
        Command::shell(format!(
            "git add {0} && git commit -m 'Post-mortems'",
            super::shell_quote(&store.records_dir)
        )),
    ))
}

fn count_files(repo: &Repository, dir: Oid) -> Result<usize> {
    let (files, _) = super::tree::toml_files(repo, dir)?;
    Ok(files.len())
}

/// `git rev-list --reverse --topo-order HEAD -- DIR`: the commits that
/// changed the records directory, as git's own history simplification
/// finds them.
fn changed_dir(store: &Store) -> Result<Vec<Oid>> {
    let out = store.git.run(&[
        "rev-list",
        "--reverse",
        "--topo-order",
        "HEAD",
        "--",
        &store.records_dir,
    ])?;
    String::from_utf8_lossy(&out)
        .lines()
        .map(|l| Oid::from_str(l.trim()).map_err(Error::from))
        .collect()
}

/// What the records branch lacks of the checked-out branch's records.
fn compare(store: &Store, tip: Oid, head_tree: Oid) -> Result<Existing> {
    let repo = &store.repo;
    let ours = repo.find_commit(tip)?.tree()?;
    let head_dir = branch::records_tree_in(repo, head_tree, &store.records_dir)?;
    let (files, _) = match head_dir {
        Some(d) => super::tree::toml_files(repo, d)?,
        None => (Vec::new(), Vec::new()),
    };
    let mut missing = Vec::new();
    let mut differing = Vec::new();
    for (rel, blob) in files {
        let path = format!("{}/{rel}", store.records_dir);
        match ours.get_path(std::path::Path::new(&path)) {
            Err(_) => missing.push(path),
            Ok(e) if e.id() != blob => differing.push(path),
            Ok(_) => {}
        }
    }
    Ok(Existing {
        tip,
        missing,
        differing,
    })
}

/// Makes (or extends) the records branch as planned.
pub fn run(store: &Store, plan: &MigrationPlan) -> Result<Migrated> {
    let refname = format!("refs/heads/{}", plan.branch);
    let (tip, parent, commits, files) = match &plan.existing {
        Some(ex) => {
            let (tip, n, files) = add_missing(store, ex)?;
            (tip, Some(ex.tip), n, files)
        }
        None => {
            let (tip, n) = copy_history(store, &plan.commits)?;
            (tip, None, n, Vec::new())
        }
    };
    if Some(tip) == parent {
        return Ok(Migrated { tip, commits: 0 });
    }
    let tx_plan = Plan {
        refname: refname.clone(),
        parent,
        commit: tip,
        files,
        what: format!("migrate to {}", plan.branch),
    };
    let loc = Location {
        checkout: branch::checkout_of(&store.repo, &refname)?,
        refname,
        origin: Origin::Found,
    };
    match tx::apply(store, &loc, &tx_plan)? {
        tx::Applied::Done => Ok(Migrated { tip, commits }),
        tx::Applied::Raced => Err(Error::new(format!(
            "{} changed while the records were being moved",
            plan.branch
        ))
        .nothing_written()
        .hint("run this again")),
    }
}

/// One commit per commit that changed the records directory, each holding
/// only that directory.
fn copy_history(store: &Store, commits: &[Oid]) -> Result<(Oid, usize)> {
    let repo = &store.repo;
    let mut parent: Option<Oid> = None;
    let mut last_dir: Option<Option<Oid>> = None;
    let mut made = 0;
    for &c in commits {
        let commit = repo.find_commit(c)?;
        let dir = branch::records_tree_in(repo, commit.tree_id(), &store.records_dir)?;
        if last_dir == Some(dir) {
            continue;
        }
        last_dir = Some(dir);
        let tree = wrap(repo, &store.records_dir, dir)?;
        let message = commit.message_raw().unwrap_or_default();
        let tree = repo.find_tree(tree)?;
        let parents: Vec<git2::Commit<'_>> = match parent {
            Some(p) => vec![repo.find_commit(p)?],
            None => Vec::new(),
        };
        let refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
        let buffer = repo.commit_create_buffer(
            &commit.author(),
            &commit.committer(),
            message,
            &tree,
            &refs,
        )?;
        parent = Some(repo.odb()?.write(git2::ObjectType::Commit, &buffer)?);
        made += 1;
    }
    parent
        .map(|p| (p, made))
        .ok_or_else(|| Error::new("no commit changed the records: nothing to move"))
}

/// A root tree holding `dir` (the records directory's tree) at its path.
fn wrap(repo: &Repository, records_dir: &str, dir: Option<Oid>) -> Result<Oid> {
    let mut inner = match dir {
        Some(d) => d,
        None => return Ok(repo.treebuilder(None)?.write()?),
    };
    for part in records_dir.rsplit('/') {
        let mut b = repo.treebuilder(None)?;
        b.insert(part, inner, 0o040000)?;
        inner = b.write()?;
    }
    Ok(inner)
}

/// The records the existing branch lacks, added in one commit by the
/// person migrating.
fn add_missing(store: &Store, ex: &Existing) -> Result<(Oid, usize, Vec<FileChange>)> {
    if ex.missing.is_empty() {
        return Ok((ex.tip, 0, Vec::new()));
    }
    let repo = &store.repo;
    let head_tree = repo.head()?.peel_to_tree()?;
    let mut update = git2::build::TreeUpdateBuilder::new();
    let mut files = Vec::new();
    for path in &ex.missing {
        let e = head_tree.get_path(std::path::Path::new(path))?;
        update.upsert(path, e.id(), git2::FileMode::Blob);
        files.push(FileChange {
            path: path.clone(),
            mode: 0o100644,
            old: None,
            new: Some(e.id()),
        });
    }
    let base = repo.find_commit(ex.tip)?.tree()?;
    let tree = update.create_updated(repo, &base)?;
    let now = chrono::Utc::now().fixed_offset();
    let author = super::identity::signature(repo, "AUTHOR", now)?;
    let committer = super::identity::signature(repo, "COMMITTER", now)?;
    let message = format!(
        "postmortem: migrate {} record(s) from the checked-out branch\n\nPostmortem-Action: migrate\n",
        ex.missing.len()
    );
    let commit = tx::make_commit(
        store,
        &tx::NewCommit {
            tree,
            parent: Some(ex.tip),
            message: &message,
            author: &author,
            committer: &committer,
            signing: super::sign::wanted(repo)?,
        },
    )?;
    Ok((commit, 1, files))
}
