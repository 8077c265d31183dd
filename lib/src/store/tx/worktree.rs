//! Writes where the records branch is checked out (a records-only
//! repository, a linked work tree of `postmortems`, or the earlier layout
//! with records on the code's branch): that work tree's index and files
//! follow the branch, safe against the user's own git running at the same
//! instant. As `git commit` does, git's `index.lock` is held from the
//! index update until the branch has moved:
//!
//! 1. Under our own lock, copy the work tree's index to a staged file
//!    beside it and let git set the new entries there
//!    (`GIT_INDEX_FILE=… git update-index --index-info`): git writes its
//!    own format, every layout included.
//! 2. Write the journal (synced): the plan, and the staged file's identity.
//! 3. Take `index.lock` by hard-linking the staged file to it: the lock
//!    exists only with its final content, and a lock with the staged
//!    file's inode is known to be ours.
//! 4. Under it, check that the index is still the one copied, that HEAD
//!    still names the branch, that the branch is still at the plan's
//!    parent, and that the user has no changes of their own to the files
//!    (`git status`); else let go and plan again, or stop.
//! 5. Write the files (atomically, as git would check them out), move the
//!    branch (compare-and-swap), and rename `index.lock` to `index`.
//!
//! A crash at any instant leaves either the old state or the new one, with
//! at most our lock file and journal left: the next run (`recover`)
//! finishes what the branch already has, or undoes what it has not. The
//! first attempt and recovery go through the same idempotent steps
//! (`roll_forward`, `roll_back`, `settle_index`): recovery only decides,
//! from the branch's tip and the lock's identity, which way to go.
//! Signals wait while the lock is held (`signals`).

use super::journal::{self, Journal, identity};
use super::refonly::{Moved, update_ref};
use super::signals::Deferred;
use super::{Applied, FileChange, Plan, testpoint};
use crate::error::{Command, Error, Result, Written};
use crate::fsio::{Durability, Temp, atomic_write};
use crate::store::branch::{self, Checkout};
use crate::store::git::{Git, GitFailure};
use crate::store::{Notice, Store, lock, paths, shell_quote};
use git2::Oid;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;

/// How often the index may change under us before we give up.
const INDEX_RETRIES: usize = 5;

/// The files of one work tree's git dir that a write uses.
struct Paths {
    index: PathBuf,
    lock: PathBuf,
    staged: PathBuf,
}

impl Paths {
    fn of(git_dir: &Path) -> Paths {
        Paths {
            index: git_dir.join("index"),
            lock: git_dir.join("index.lock"),
            staged: git_dir.join("devops-postmortem-index"),
        }
    }

    /// Our staged file and git's lock of it, from an earlier run.
    fn clear_staged(&self) {
        let _ = std::fs::remove_file(&self.staged);
        let _ = std::fs::remove_file(self.staged.with_extension("lock"));
    }
}

/// What the checks under the lock found.
enum UnderLock {
    Done,
    /// The index changed between the copy and the lock: copy again.
    IndexChanged,
    Raced,
}

pub fn apply(store: &Store, checkout: &Checkout, plan: &Plan) -> Result<Applied> {
    Store::ensure_checkout_writable(checkout)?;
    ensure_checked_out_files(store, checkout)?;
    let _ours = lock::acquire(&store.repo)?;
    crate::trace::mark("locked");
    recover_locked(store)?;
    let written = smudge_all(&checkout.git, plan)?;
    let paths = Paths::of(&checkout.git_dir);
    for _ in 0..INDEX_RETRIES {
        let before = read_index(&paths.index)?;
        let staged = stage(checkout, &paths, before.as_deref(), plan)?;
        testpoint::reached("staged");
        let written_hashes = hashes(&written)
            .iter()
            .map(|h| h.map(|h| h.to_string()))
            .collect();
        journal::write(&store.repo, &note(plan, checkout, staged, written_hashes))?;
        testpoint::reached("journaled");
        let deferred = Deferred::now();
        if let Err(e) = take_lock(&paths) {
            forget(store, &paths);
            return Err(e.nothing_written());
        }
        crate::trace::mark("index.lock taken");
        testpoint::reached("locked");
        let result = under_lock(store, checkout, &paths, plan, before.as_deref(), &written);
        drop(deferred);
        match result? {
            UnderLock::Done => return Ok(Applied::Done),
            UnderLock::Raced => return Ok(Applied::Raced),
            UnderLock::IndexChanged => continue,
        }
    }
    Err(Error::new(format!(
        "the index of {} kept changing",
        checkout.work_tree.display()
    ))
    .nothing_written()
    .hint("something is running git there in a loop; run this again when it is quiet"))
}

/// Steps 4 and 5 of the module comment, with `index.lock` held; every way
/// out lets go of it.
fn under_lock(
    store: &Store,
    checkout: &Checkout,
    paths: &Paths,
    plan: &Plan,
    before: Option<&[u8]>,
    written: &[Bytes],
) -> Result<UnderLock> {
    let let_go = || {
        let _ = std::fs::remove_file(&paths.lock);
        forget(store, paths);
    };
    if read_index(&paths.index)?.as_deref() != before {
        let_go();
        return Ok(UnderLock::IndexChanged);
    }
    if !head_names(checkout, &plan.refname)?
        || branch::tip(&store.repo, &plan.refname)? != plan.parent
    {
        let_go();
        return Ok(UnderLock::Raced);
    }
    if let Err(e) = untouched(checkout, plan) {
        let_go();
        return Err(e);
    }
    if let Err(e) = roll_forward(checkout, plan, written, Check::DoneUnderLock) {
        let _ = roll_back(checkout, plan, &hashes(written));
        let_go();
        return Err(e.nothing_written());
    }
    crate::trace::mark("work tree written");
    testpoint::reached("written");
    let moved = update_ref(&store.git, &store.repo, plan);
    if !matches!(moved, Ok(Moved::Done)) {
        let restored = roll_back(checkout, plan, &hashes(written));
        let _ = std::fs::remove_file(&paths.lock);
        // The journal goes only once the files are as they were: the next
        // run undoes what could not be undone here.
        if restored.is_ok() {
            forget(store, paths);
        }
        return match moved {
            Ok(_) => Ok(UnderLock::Raced),
            Err(e) => Err(match restored {
                Ok(()) => e.nothing_written(),
                Err(_) => e.written(Written::LeftForNextRun),
            }),
        };
    }
    crate::trace::mark("branch moved");
    testpoint::reached("moved");
    if let Err(e) = settle_index(paths) {
        return Err(Error::new(format!(
            "{} is committed, but the index of {} could not follow: {e}",
            plan.what,
            checkout.work_tree.display()
        ))
        .hint("the next devops command finishes it"));
    }
    forget(store, paths);
    Ok(UnderLock::Done)
}

/// The staged file and the journal, once nothing of them is needed.
fn forget(store: &Store, paths: &Paths) {
    paths.clear_staged();
    let _ = journal::remove(&store.repo);
}

/// With a sparse checkout that leaves the records directory out, the
/// files cannot follow the branch there: say so.
fn ensure_checked_out_files(store: &Store, checkout: &Checkout) -> Result<()> {
    let sparse = git2::Repository::open(&checkout.git_dir)
        .and_then(|r| r.config())
        .and_then(|c| c.get_bool("core.sparseCheckout"))
        .unwrap_or(false);
    if !sparse || checkout.work_tree.join(&store.records_dir).is_dir() {
        return Ok(());
    }
    Err(Error::new(format!(
        "{} is outside the sparse checkout of {}, where the records branch is checked out",
        store.records_dir,
        checkout.work_tree.display()
    ))
    .nothing_written()
    .hint(in_work_tree(
        checkout,
        &["sparse-checkout", "add", &store.records_dir],
    )))
}

fn read_index(path: &Path) -> Result<Option<Vec<u8>>> {
    match std::fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::new(format!("cannot read {}: {e}", path.display()))),
    }
}

/// Step 1: the index as it will be, in the staged file, written by git.
/// Returns the staged file's identity.
fn stage(
    checkout: &Checkout,
    paths: &Paths,
    before: Option<&[u8]>,
    plan: &Plan,
) -> Result<(u64, u64)> {
    paths.clear_staged();
    if let Some(bytes) = before {
        atomic_write(&paths.staged, bytes, Durability::Synced, Temp::Random)
            .map_err(|e| Error::new(format!("cannot write {}: {e}", paths.staged.display())))?;
        keep_index_time(&paths.index, &paths.staged)?;
    }
    let input = index_info(&plan.files);
    let args = ["update-index", "-z", "--index-info"];
    let mut cmd = checkout.git.plumbing(&args);
    cmd.env("GIT_INDEX_FILE", &paths.staged)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let out = run_with_input(cmd, &input)
        .map_err(|e| crate::store::git::cannot_run("git update-index", &e))?;
    if !out.status.success() {
        paths.clear_staged();
        return Err(GitFailure::from_output(&out, &args)
            .into_error()
            .nothing_written());
    }
    identity(&paths.staged)
        .ok_or_else(|| Error::new(format!("{} vanished", paths.staged.display())))
}

/// The copy gets the index's own modification time: git judges which
/// entries are "racily clean" (changed in the same second as the index
/// was written, so their stat data cannot be trusted) against it, and
/// marks them when it writes. A copy dated now would let an entry staged
/// and then changed within one second pass as clean, hiding the user's
/// unstaged edit from `git status`.
fn keep_index_time(index: &Path, copy: &Path) -> Result<()> {
    let set = || -> std::io::Result<()> {
        let modified = std::fs::metadata(index)?.modified()?;
        let file = std::fs::OpenOptions::new().write(true).open(copy)?;
        file.set_times(std::fs::FileTimes::new().set_modified(modified))
    };
    set().map_err(|e| Error::new(format!("cannot date {}: {e}", copy.display())))
}

fn run_with_input(
    mut cmd: std::process::Command,
    input: &[u8],
) -> std::io::Result<std::process::Output> {
    let mut child = cmd.spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(input)?;
    }
    child.wait_with_output()
}

/// Step 3: `index.lock`, by a hard link to the staged index (which fails,
/// as git's own `O_EXCL` does, when someone holds the lock). Git's
/// commands hold it for milliseconds: wait a little, then name it.
fn take_lock(paths: &Paths) -> Result<()> {
    let start = std::time::Instant::now();
    loop {
        match std::fs::hard_link(&paths.staged, &paths.lock) {
            Ok(()) => return Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                if start.elapsed() >= lock::GIT_LOCK_PATIENCE {
                    return Err(lock::git_lock_error(&paths.lock, "cannot update the index"));
                }
                std::thread::sleep(std::time::Duration::from_millis(25));
            }
            Err(e) => {
                return Err(Error::new(format!(
                    "cannot create {}: {e}",
                    paths.lock.display()
                )));
            }
        }
    }
}

/// Whether that work tree's HEAD still names `refname`.
fn head_names(checkout: &Checkout, refname: &str) -> Result<bool> {
    let repo = git2::Repository::open(&checkout.git_dir)?;
    let head = repo.find_reference("HEAD")?;
    Ok(head.symbolic_target()? == Some(refname))
}

/// The user's uncommitted edits to these files are theirs: never
/// overwritten, never committed by us. Asked of git (filters, attributes,
/// every index layout), against HEAD, which is the plan's parent.
fn untouched(checkout: &Checkout, plan: &Plan) -> Result<()> {
    let mut args = vec![
        "status",
        "--porcelain=v2",
        "-z",
        "--untracked-files=all",
        "--ignore-submodules=all",
        "--no-renames",
        "--",
    ];
    args.extend(plan.files.iter().map(|f| f.path.as_str()));
    let out = checkout.git.run(&args)?;
    let Some(entry) = out.split(|b| *b == 0).find(|e| !e.is_empty()) else {
        return Ok(());
    };
    let text = String::from_utf8_lossy(entry);
    let path = text.rsplit(' ').next().unwrap_or_default().to_string();
    let where_ = checkout.work_tree.display();
    let e = match text.as_bytes()[0] {
        b'u' => Error::new(format!(
            "{path} has an unresolved merge conflict in {where_}"
        ))
        .hint("resolve it (edit the file, then `git add` it), then run this again"),
        b'?' => Error::new(format!("{path} exists in {where_} but is not committed")).hint_run(
            "move it away, or commit it, then run this again",
            Command::shell(format!(
                "git -C {wt} add -- {p} && git -C {wt} commit -m 'Add post-mortem' -- {p}",
                wt = shell_quote(&where_.to_string()),
                p = shell_quote(&path)
            )),
        ),
        _ => {
            let staged = text
                .split(' ')
                .nth(1)
                .is_some_and(|xy| !xy.starts_with('.'));
            let what = if staged { "staged" } else { "unstaged" };
            Error::new(format!(
                "{path} has {what} changes in {where_} that are not committed"
            ))
            .hint_run(
                "commit them (or set them aside with git stash), then run this again",
                in_work_tree(checkout, &["commit", "-m", "Edit post-mortem", "--", &path]),
            )
        }
    };
    Err(e.nothing_written())
}

/// `git -C WORK_TREE ARGS`: a git command for the work tree holding the
/// records branch, wherever the person is.
fn in_work_tree(checkout: &Checkout, args: &[&str]) -> Command {
    let mut all = vec!["-C".to_string(), checkout.work_tree.display().to_string()];
    all.extend(args.iter().map(|a| a.to_string()));
    Command::git(all)
}

/// A file's bytes for the work tree and their blob hash (`None`: removed).
type Bytes = Option<(Vec<u8>, Oid)>;

/// The bytes each file gets in the work tree, as git would check the blob
/// out there (smudge filters, `eol`, `core.autocrlf`, `ident`), with
/// their blob hash; `None` for a file the plan removes.
fn smudge_all(git: &Git, plan: &Plan) -> Result<Vec<Bytes>> {
    plan.files
        .iter()
        .map(|f| match f.new {
            Some(blob) => {
                let bytes = smudged(git, &f.path, blob)?;
                let hash = Oid::hash_object(git2::ObjectType::Blob, &bytes)?;
                Ok(Some((bytes, hash)))
            }
            None => Ok(None),
        })
        .collect()
}

fn smudged(git: &Git, path: &str, blob: Oid) -> Result<Vec<u8>> {
    let path_arg = format!("--path={path}");
    git.run(&["cat-file", "--filters", &path_arg, &blob.to_string()])
}

/// How `roll_forward` knows that a file still holds the plan's old
/// version, so that writing over it loses nothing of the user's.
#[derive(Clone, Copy)]
enum Check {
    /// `git status` said so under `index.lock` (the first attempt).
    DoneUnderLock,
    /// Not since: compare each file with the old blob (recovery, which
    /// runs after the user's git may have touched them).
    EachFile,
}

/// The first half of both ways through a write (the first attempt, and a
/// later run finishing a killed one): every file of the plan gets its new
/// bytes, unless it already has them or (with `Check::EachFile`) holds
/// something of the user's. Idempotent.
fn roll_forward(checkout: &Checkout, plan: &Plan, written: &[Bytes], check: Check) -> Result<()> {
    for (f, bytes) in plan.files.iter().zip(written) {
        let target = paths::prepare_parent(&checkout.work_tree, &f.path)?;
        if matches!(check, Check::EachFile)
            && (holds_hash(&target, bytes.as_ref().map(|b| b.1))?
                || !holds(checkout, &target, &f.path, f.old)?)
        {
            continue;
        }
        match bytes {
            Some((b, _)) => write_file(checkout, &target, b),
            None => remove_file(&target),
        }
        .map_err(|e| Error::new(format!("cannot write {}: {e}", f.path)))?;
    }
    Ok(())
}

/// The way back, shared by a first attempt that cannot move the branch
/// and a later run undoing a killed one: files holding the bytes this
/// write put there get the old version back; any other content (the
/// old one, or the user's) stays. Idempotent.
fn roll_back(checkout: &Checkout, plan: &Plan, written: &[Option<Oid>]) -> Result<()> {
    for (f, hash) in plan.files.iter().zip(written) {
        let target = checkout.work_tree.join(&f.path);
        if !holds_hash(&target, *hash)? {
            continue;
        }
        match f.old {
            Some(blob) => write_file(checkout, &target, &smudged(&checkout.git, &f.path, blob)?),
            None => remove_file(&target),
        }
        .map_err(|e| Error::new(format!("cannot put {} back: {e}", f.path)))?;
    }
    Ok(())
}

/// The second half, once the branch has the commit: our `index.lock`
/// (the staged index) becomes the index.
fn settle_index(paths: &Paths) -> std::io::Result<()> {
    std::fs::rename(&paths.lock, &paths.index)
}

fn hashes(written: &[Bytes]) -> Vec<Option<Oid>> {
    written.iter().map(|w| w.as_ref().map(|w| w.1)).collect()
}

/// Whether the file's bytes hash to `hash` (`None`: the file is absent).
fn holds_hash(target: &Path, hash: Option<Oid>) -> Result<bool> {
    let now = match std::fs::read(target) {
        Ok(b) => Some(Oid::hash_object(git2::ObjectType::Blob, &b)?),
        Err(_) => None,
    };
    Ok(now == hash)
}

/// Atomically replaces a work-tree file. The temporary file lives in the
/// git dir (invisible to `git status` and `git add -A` if we are killed),
/// or beside the file when the git dir is on another filesystem.
fn write_file(checkout: &Checkout, target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let in_git_dir = checkout.git_dir.join("devops-postmortem-tmp");
    match atomic_write(target, bytes, Durability::Synced, Temp::Named(in_git_dir)) {
        Err(e) if e.raw_os_error() == Some(EXDEV) => atomic_write(
            target,
            bytes,
            Durability::Synced,
            Temp::Named(crate::fsio::named_temp(target)),
        ),
        other => other,
    }
}

const EXDEV: i32 = 18; // on Linux and the BSDs

fn remove_file(target: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(target) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// After the branch moved without it (a `git checkout` of the branch in
/// the instant before), a work tree brings its index and files along for
/// the files that still hold the plan's old version there.
pub fn follow(store: &Store, checkout: &Checkout, plan: &Plan) -> Result<()> {
    let _ours = lock::acquire(&store.repo)?;
    if !head_names(checkout, &plan.refname)? {
        return Ok(());
    }
    let Err(e) = take_along(checkout, plan) else {
        return Ok(());
    };
    // Left for the next run, which finishes what the branch has (`recover`).
    let written = plan.files.iter().map(|_| None).collect();
    let noted = journal::write(&store.repo, &note(plan, checkout, NO_STAGED_FILE, written));
    let mut args = vec!["checkout", "HEAD", "--"];
    args.extend(plan.files.iter().map(|f| f.path.as_str()));
    let e = Error::new(format!(
        "{} is committed, but {} (which checked the branch out meanwhile) could not follow: {}",
        plan.what,
        checkout.work_tree.display(),
        e.message
    ));
    let e = if noted.is_ok() {
        e.hint("the next devops command brings it along; or, now")
    } else {
        e
    };
    Err(e.hint_run(
        "bring its index and files to the branch",
        in_work_tree(checkout, &args),
    ))
}

/// The journal of a write through `checkout`.
fn note(
    plan: &Plan,
    checkout: &Checkout,
    staged: (u64, u64),
    written: Vec<Option<String>>,
) -> Journal {
    Journal {
        format: 3,
        plan: plan.clone(),
        git_dir: checkout.git_dir.clone(),
        work_tree: checkout.work_tree.clone(),
        staged,
        written,
    }
}

/// The identity of no file: a journal left by `follow`, which stages no
/// index of its own, never takes a lock for ours.
const NO_STAGED_FILE: (u64, u64) = (0, 0);

/// The plan's files whose index entry still holds the old blob get the new
/// one, through git's own locking (waiting, as a write does, for a git
/// command of the user's to let go of `index.lock`); files that still
/// hold the old bytes get the new ones. Anything else is the user's and
/// stays.
fn take_along(checkout: &Checkout, plan: &Plan) -> Result<()> {
    let mut behind = plan.clone();
    behind.files.clear();
    for f in &plan.files {
        if index_entry(checkout, &f.path)? == f.old {
            behind.files.push(f.clone());
        }
    }
    if behind.files.is_empty() {
        return Ok(());
    }
    let written = smudge_all(&checkout.git, &behind)?;
    roll_forward(checkout, &behind, &written, Check::EachFile)?;
    let lock = checkout.git_dir.join("index.lock");
    let start = std::time::Instant::now();
    let args = ["update-index", "-z", "--index-info"];
    loop {
        let mut cmd = checkout.git.plumbing(&args);
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let out = run_with_input(cmd, &index_info(&behind.files))
            .map_err(|e| crate::store::git::cannot_run("git update-index", &e))?;
        if out.status.success() {
            return Ok(());
        }
        if !lock.exists() || start.elapsed() >= lock::GIT_LOCK_PATIENCE {
            return Err(GitFailure::from_output(&out, &args).into_error());
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// `git update-index -z --index-info` input setting each file's entry to
/// its new blob, or removing it.
fn index_info(files: &[FileChange]) -> Vec<u8> {
    let mut input = Vec::new();
    for f in files {
        match f.new {
            Some(blob) => input.extend(format!("{:o} {blob}\t{}\0", f.mode, f.path).bytes()),
            None => input.extend(format!("0 {}\t{}\0", Oid::ZERO_SHA1, f.path).bytes()),
        }
    }
    input
}

/// The stage-0 index entry for `path`, read by git.
fn index_entry(checkout: &Checkout, path: &str) -> Result<Option<Oid>> {
    let out = checkout
        .git
        .run(&["ls-files", "--stage", "-z", "--", path])?;
    for entry in out.split(|b| *b == 0).filter(|e| !e.is_empty()) {
        let text = String::from_utf8_lossy(entry);
        let (meta, name) = text.split_once('\t').unwrap_or((&text, ""));
        let mut fields = meta.split(' ');
        let (_mode, oid, stage) = (fields.next(), fields.next(), fields.next());
        if name == path && stage == Some("0") {
            return Ok(oid.and_then(|o| Oid::from_str(o).ok()));
        }
    }
    Ok(None)
}

/// Whether the work-tree file holds `blob` as git would check it out
/// (`None`: the file is absent).
fn holds(checkout: &Checkout, target: &Path, path: &str, blob: Option<Oid>) -> Result<bool> {
    let now = std::fs::read(target).ok();
    Ok(match (now, blob) {
        (None, None) => true,
        (Some(bytes), Some(b)) => bytes == smudged(&checkout.git, path, b)?,
        _ => false,
    })
}

/// Finishes or undoes a write that a killed run left behind, if no run of
/// ours is at work (it holds our lock, and settles its own journal; reads
/// do not wait for it).
pub fn recover(store: &Store) -> Result<()> {
    sweep_temporary_files(store);
    let staged_left = store
        .location
        .checkout
        .as_ref()
        .is_some_and(|c| Paths::of(&c.git_dir).staged.exists());
    if !journal::path(&store.repo).exists() && !staged_left {
        return Ok(());
    }
    match lock::try_acquire(&store.repo)? {
        Some(_guard) => recover_locked(store),
        None => Ok(()),
    }
}

/// Temporary files of ours in the git dirs that a killed run left (an
/// index copy being written, a file on its way into the work tree, a
/// commit message for a signer, a journal being written). Only those
/// over a minute old: a run at work now finishes its own in milliseconds.
fn sweep_temporary_files(store: &Store) {
    let ours = |name: &str| {
        (name.starts_with(".devops-pm-") && name.ends_with(".tmp"))
            || name.ends_with(".devops-pm.tmp")
            || name == "devops-postmortem-tmp"
            || name.starts_with("devops-postmortem-message")
    };
    let minute_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
    let common = store.repo.commondir().to_path_buf();
    let linked = std::fs::read_dir(common.join("worktrees"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path());
    for git_dir in std::iter::once(common.clone()).chain(linked) {
        for entry in std::fs::read_dir(&git_dir).into_iter().flatten().flatten() {
            let stale = entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t < minute_ago);
            if stale && ours(&entry.file_name().to_string_lossy()) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// With our lock held: the journal's write is finished when the branch
/// already moved, undone when it did not.
fn recover_locked(store: &Store) -> Result<()> {
    let j = match journal::read(&store.repo) {
        journal::Found::None => {
            // Killed before its journal: only a staged file, never linked.
            if let Some(c) = &store.location.checkout {
                Paths::of(&c.git_dir).clear_staged();
            }
            return Ok(());
        }
        journal::Found::Damaged(path) => {
            keep_orphaned_locks(store);
            let _ = std::fs::remove_file(&path);
            store.notice(Notice::DamagedJournal { path });
            return Ok(());
        }
        journal::Found::Note(j) => *j,
    };
    let checkout = Checkout {
        git: Git::for_work_tree(j.git_dir.clone(), j.work_tree.clone()),
        git_dir: j.git_dir.clone(),
        work_tree: j.work_tree.clone(),
    };
    let paths = Paths::of(&j.git_dir);
    let ours = identity(&paths.lock) == Some(j.staged) && identity(&paths.staged) == Some(j.staged);
    let tip = branch::tip(&store.repo, &j.plan.refname)?;
    let what = j.plan.what.clone();
    if let Some(tip) = tip.filter(|t| *t != j.plan.commit)
        && store
            .repo
            .graph_descendant_of(tip, j.plan.commit)
            .unwrap_or(false)
    {
        // The branch went on from the commit: nothing to finish or undo,
        // and an index of ours would now stage a revert of what came after.
        if ours {
            let _ = std::fs::remove_file(&paths.lock);
        }
        forget(store, &paths);
        return Ok(());
    }
    if tip == Some(j.plan.commit) {
        if !ours && paths.lock.exists() {
            // Someone else's lock: the index follows on a later run.
            store.notice(Notice::Waiting {
                what,
                lock: paths.lock.clone(),
            });
            return Ok(());
        }
        finish(&checkout, &paths, &j, ours)?;
        store.notice(Notice::Finished {
            what,
            commit: j.plan.commit,
        });
    } else {
        undo(&checkout, &paths, &j, ours)?;
        store.notice(Notice::Undone { what });
    }
    forget(store, &paths);
    Ok(())
}

/// Without a readable journal, a lock of ours (a hard link of our staged
/// index, in any work tree) is committed, not removed: if the branch had
/// moved, removing it would leave the index behind, a staged revert; if
/// not, committing it leaves the change staged and visible, never lost.
fn keep_orphaned_locks(store: &Store) {
    for (git_dir, _) in branch::work_trees(&store.repo) {
        let paths = Paths::of(&git_dir);
        let staged = identity(&paths.staged);
        if staged.is_some() && identity(&paths.lock) == staged {
            let _ = std::fs::rename(&paths.lock, &paths.index);
        }
        paths.clear_staged();
    }
}

/// The branch has the commit: the files and the index follow.
fn finish(checkout: &Checkout, paths: &Paths, j: &Journal, lock_is_ours: bool) -> Result<()> {
    if !lock_is_ours {
        return take_along(checkout, &j.plan);
    }
    let written = smudge_all(&checkout.git, &j.plan)?;
    roll_forward(checkout, &j.plan, &written, Check::EachFile)?;
    settle_index(paths)
        .map_err(|e| Error::new(format!("cannot update {}: {e}", paths.index.display())))
}

/// The branch does not have the commit: files holding our bytes get their
/// old ones back, and our lock goes.
fn undo(checkout: &Checkout, paths: &Paths, j: &Journal, lock_is_ours: bool) -> Result<()> {
    let written: Vec<Option<Oid>> = j
        .written
        .iter()
        .map(|h| h.as_deref().and_then(|h| Oid::from_str(h).ok()))
        .collect();
    roll_back(checkout, &j.plan, &written)?;
    if lock_is_ours {
        let _ = std::fs::remove_file(&paths.lock);
    }
    Ok(())
}
