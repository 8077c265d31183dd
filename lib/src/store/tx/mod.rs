//! The one write transaction: every change to the records is one commit on
//! the records branch.
//!
//! 1. Read the branch's tip and the file in it; apply the edit; validate.
//! 2. Write the blob, the tree (the tip's with one entry replaced) and the
//!    commit, signed as git would sign it (`git commit-tree -S` when
//!    `commit.gpgsign` is on, before any lock is taken: a signer may wait
//!    for a passphrase). This is the [`Plan`].
//! 3. Move the branch, only if it still points at the tip read in step 1
//!    (a compare-and-swap). Where the branch is checked out nowhere, that
//!    is all (`refonly`): HEAD, the index and the work tree are never read
//!    for writing and never changed, and a crash leaves at most objects
//!    that nothing refers to. Where it is checked out, that work tree's
//!    index and files follow under git's `index.lock` (`worktree`), with a
//!    journal that the next run finishes from.
//! 4. On a lost race, read the new tip and apply the edit again, bounded.
//!
//! `sync` drives the same plans (many files, a commit made elsewhere).

mod journal;
mod message;
mod refonly;
mod signals;
pub mod testpoint;
mod worktree;

pub use message::commit_message;
pub use worktree::recover;

use super::branch::{self, Location};
use super::identity::signature;
use super::{Store, lock, sign};
use crate::error::{Error, Result};
use crate::record::parse::parse_record;
use crate::record::{Record, RecordId};
use chrono::{DateTime, FixedOffset};
use git2::{FileMode, Oid, Signature, build::TreeUpdateBuilder};
use serde::{Deserialize, Serialize};
use std::path::Path;

const MAX_ATTEMPTS: usize = 20;

pub struct Change<'a> {
    /// The record this change is about (`None` for the shared config).
    pub id: Option<&'a RecordId>,
    /// The file, relative to the records branch's root.
    pub path: &'a str,
    /// `new`, `assign`, `analyze`, …: the verb in the trailer.
    pub verb: &'a str,
    /// Extra text from `-m/--message`.
    pub message: Option<&'a str>,
    /// True for `new`: the file must not exist yet.
    pub create: bool,
    pub now: DateTime<FixedOffset>,
    /// Trailers of the person's act beside ours (`Reviewed-by: …`).
    pub trailers: &'a [(&'a str, String)],
}

pub struct Committed {
    /// `None` when the edit changed nothing and so nothing was committed.
    pub commit: Option<Oid>,
    pub record: Record,
}

/// One file of a planned commit: its blob before and after (`None`:
/// absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileChange {
    pub path: String,
    pub mode: u32,
    #[serde(with = "oid_opt")]
    pub old: Option<Oid>,
    #[serde(with = "oid_opt")]
    pub new: Option<Oid>,
}

/// A commit made and not yet on the branch: what moving the branch from
/// `parent` to `commit` changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// `refs/heads/postmortems`.
    pub refname: String,
    #[serde(with = "oid_opt")]
    pub parent: Option<Oid>,
    #[serde(with = "oid_hex")]
    pub commit: Oid,
    pub files: Vec<FileChange>,
    /// `assign PM-…`: how messages name the change.
    pub what: String,
}

/// How applying a plan ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    Done,
    /// The branch (or the work tree holding it) moved first: plan again.
    Raced,
}

/// Moves the branch to the plan's commit, bringing the work tree along
/// where the branch is checked out. The caller holds no lock of ours.
pub fn apply(store: &Store, loc: &Location, plan: &Plan) -> Result<Applied> {
    writable(store, loc)?;
    let applied = move_branch(store, loc, plan)?;
    if applied == Applied::Done {
        follow_checkout(store, loc, plan)?;
    }
    Ok(applied)
}

fn move_branch(store: &Store, loc: &Location, plan: &Plan) -> Result<Applied> {
    let applied = match &loc.checkout {
        None => refonly::apply(store, plan),
        Some(checkout) => worktree::apply(store, checkout, plan),
    };
    store.moved();
    applied
}

/// Someone may have checked the branch out in the instant before a move
/// that went by the ref alone: that work tree then follows, as if it had
/// been the plan's.
fn follow_checkout(store: &Store, loc: &Location, plan: &Plan) -> Result<()> {
    if loc.checkout.is_some() {
        return Ok(());
    }
    let in_flight = let_checkouts_land(&store.repo);
    if let Some(checkout) = branch::checkout_of(&store.repo, &plan.refname)? {
        return worktree::follow(store, &checkout, plan);
    }
    if in_flight {
        // git points HEAD at the branch just after it lets go of
        // `index.lock`: look once more, a moment later.
        std::thread::sleep(std::time::Duration::from_millis(5));
        let_checkouts_land(&store.repo);
        if let Some(checkout) = branch::checkout_of(&store.repo, &plan.refname)? {
            return worktree::follow(store, &checkout, plan);
        }
    }
    Ok(())
}

/// How long a ref-only write waits for someone's git to finish in a work
/// tree before it looks where that work tree's HEAD points: a checkout
/// takes milliseconds; a lock held longer (a `git commit` waiting in an
/// editor) is not a checkout in flight.
const CHECKOUT_PATIENCE: std::time::Duration = std::time::Duration::from_millis(100);

/// A `git checkout` of the branch that started before the move may end
/// after it, with the old tip's files and HEAD on the moved branch: git
/// holds the work tree's `index.lock` while it updates the index and the
/// files, then `HEAD.lock` to point HEAD at the branch. Waits (briefly)
/// for those locks to go; returns whether any was held.
fn let_checkouts_land(repo: &git2::Repository) -> bool {
    let deadline = std::time::Instant::now() + CHECKOUT_PATIENCE;
    let mut seen = false;
    for (git_dir, _) in branch::work_trees(repo) {
        let held = || git_dir.join("index.lock").exists() || git_dir.join("HEAD.lock").exists();
        while held() && std::time::Instant::now() < deadline {
            seen = true;
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
    }
    seen
}

/// Commits `edit(current text)` as the new content of a record, refusing
/// anything that does not parse as a record with the same ID.
pub fn commit_record(
    store: &Store,
    change: &Change<'_>,
    mut edit: impl FnMut(Option<&str>) -> Result<String>,
) -> Result<Committed> {
    let id = change.id.expect("a record change names its record");
    let path = change.path;
    let mut record = None;
    let commit = commit_file(store, change, |old| {
        let new_text = edit(old)?;
        let parsed = parse_record(&new_text).map_err(|e| {
            Error::new(format!(
                "the change would make an invalid record: {}",
                e.in_file(path)
            ))
        })?;
        if parsed.id != id.as_str() {
            return Err(Error::new(format!(
                "{path}: id = \"{}\" must stay {id}: the ID is the file's name",
                crate::text::inline(&parsed.id),
            )));
        }
        let title = parsed.title.clone();
        record = Some(parsed);
        Ok((new_text, title))
    })?;
    Ok(Committed {
        commit,
        record: record.expect("edit ran"),
    })
}

/// Commits `edit(current text)` as the new content of one file. `edit`
/// returns the text and the title for the commit subject, and must
/// validate: what it returns is committed. `None` means nothing changed.
pub fn commit_file(
    store: &Store,
    change: &Change<'_>,
    mut edit: impl FnMut(Option<&str>) -> Result<(String, String)>,
) -> Result<Option<Oid>> {
    let repo = &store.repo;
    // Fails before anything is planned when no identity is set.
    let who = Who {
        author: signature(repo, "AUTHOR", change.now)?,
        committer: signature(repo, "COMMITTER", change.now)?,
        signing: sign::wanted(repo)?,
    };
    for attempt in 0..MAX_ATTEMPTS {
        let loc = if attempt == 0 {
            store.location.clone()
        } else {
            store.relocate()?
        };
        writable(store, &loc)?;
        // Our own writers queue rather than race for the ref (the work
        // tree path takes this lock itself; a signer may wait for a
        // person, so signed commits are made without it and may race).
        let queue = (!who.signing && loc.checkout.is_none())
            .then(|| lock::acquire(&store.repo))
            .transpose()?;
        let Some(plan) = plan_edit(store, &loc, change, &who, &mut edit)? else {
            return Ok(None);
        };
        let applied = move_branch(store, &loc, &plan)?;
        drop(queue);
        match applied {
            Applied::Done => {
                follow_checkout(store, &loc, &plan)?;
                return Ok(Some(plan.commit));
            }
            Applied::Raced => back_off(attempt),
        }
    }
    Err(Error::new(format!(
        "{} kept moving while committing {}",
        store.location.describe(),
        change.path
    ))
    .nothing_written()
    .hint("something is committing in a loop; run this again when it is quiet"))
}

/// A pause before the next attempt after a lost race, growing and
/// different for each process, so racing writers stop meeting.
fn back_off(attempt: usize) {
    let spread = 1u64 << attempt.min(7);
    let jitter =
        (u64::from(std::process::id()).wrapping_mul(7919) + attempt as u64 * 104_729) % spread;
    std::thread::sleep(std::time::Duration::from_millis(jitter + 1));
}

/// Who makes the commits of one change, decided once for all attempts.
struct Who {
    author: Signature<'static>,
    committer: Signature<'static>,
    signing: bool,
}

/// Steps 1 and 2: the edit applied to the file at the branch's tip, and
/// the commit that carries it (`None`: the edit changed nothing).
fn plan_edit(
    store: &Store,
    loc: &Location,
    change: &Change<'_>,
    who: &Who,
    edit: &mut impl FnMut(Option<&str>) -> Result<(String, String)>,
) -> Result<Option<Plan>> {
    let repo = &store.repo;
    let tip = branch::tip(repo, &loc.refname)?;
    let base = base_tree(repo, tip)?;
    let current = tree_file(repo, &base, change.path)?;
    let (style, old_text) = current_text(loc, change, current.as_ref())?;
    // What the edit reads of the other records is the branch as it is now
    // (it may look for a duplicate), not as the command first saw it.
    store.moved();
    let (new_text, title) = edit(old_text.as_deref())?;
    if old_text.as_deref() == Some(new_text.as_str()) {
        return Ok(None);
    }
    crate::trace::mark("edited");
    let blob = repo.blob(&style.apply(&new_text))?;
    let mode = current.as_ref().map_or(0o100644, |c| c.mode);
    let tree = TreeUpdateBuilder::new()
        .upsert(change.path, blob, file_mode(mode))
        .create_updated(repo, &base)?;
    let message = commit_message(change, old_text.as_deref(), &new_text, &title);
    let commit = make_commit(
        store,
        &NewCommit {
            tree,
            parent: tip,
            message: &message,
            author: &who.author,
            committer: &who.committer,
            signing: who.signing,
        },
    )?;
    crate::trace::mark("commit object written");
    testpoint::reached("planned");
    Ok(Some(Plan {
        refname: loc.refname.clone(),
        parent: tip,
        commit,
        files: vec![FileChange {
            path: change.path.to_string(),
            mode,
            old: current.as_ref().map(|c| c.oid),
            new: Some(blob),
        }],
        what: what(change),
    }))
}

/// The file's text as the edit sees it (plain: no BOM, `\n`), and how to
/// write it back; refuses a file that must not exist yet, or must.
fn current_text(
    loc: &Location,
    change: &Change<'_>,
    current: Option<&TreeFile>,
) -> Result<(TextStyle, Option<String>)> {
    let place = || format!("{} on {}", change.path, loc.describe());
    match (current, change.create) {
        (Some(_), true) => Err(Error::new(format!("{} already exists", place())).nothing_written()),
        (None, false) => Err(Error::new(format!("{} does not exist", place())).nothing_written()),
        (None, true) => Ok((TextStyle::default(), None)),
        (Some(c), false) => {
            let style = TextStyle::detect(&c.bytes);
            let text = style.normalize(&c.bytes).ok_or_else(|| {
                Error::new(format!("{} is not UTF-8 text: fix it by hand", place()))
            })?;
            Ok((style, Some(text)))
        }
    }
}

/// `assign PM-…` / `init postmortems/config.toml`.
fn what(change: &Change<'_>) -> String {
    match change.id {
        Some(id) => format!("{} {id}", change.verb),
        None => format!("{} {}", change.verb, change.path),
    }
}

/// Refuses a location that cannot take a commit.
fn writable(store: &Store, loc: &Location) -> Result<()> {
    if loc.refname == "HEAD" {
        return Err(Error::new(
            "the records are on a detached HEAD: post-mortem commits need a branch",
        )
        .hint("switch to your branch first: git switch main"));
    }
    if !loc.refname.starts_with("refs/heads/") {
        // Only a read-only store reads another ref (a remote's branch).
        return Err(Error::new(format!(
            "{} is read here, not written: nothing was written",
            loc.refname
        )));
    }
    // A mirror follows its remote with a forced fetch: a commit there
    // would be dropped by the next `fetch`.
    crate::team::mirror::refuse_write(&store.repo)
}

/// The tip's tree, or an empty one for a branch that does not exist yet.
pub fn base_tree(repo: &git2::Repository, tip: Option<Oid>) -> Result<git2::Tree<'_>> {
    Ok(match tip {
        Some(c) => repo.find_commit(c)?.tree()?,
        None => repo.find_tree(repo.treebuilder(None)?.write()?)?,
    })
}

/// What a commit to write is made of.
pub struct NewCommit<'a> {
    pub tree: Oid,
    pub parent: Option<Oid>,
    pub message: &'a str,
    pub author: &'a Signature<'a>,
    pub committer: &'a Signature<'a>,
    pub signing: bool,
}

/// Writes the commit object (signed by git when asked); moves nothing.
pub fn make_commit(store: &Store, c: &NewCommit<'_>) -> Result<Oid> {
    let repo = &store.repo;
    if c.signing {
        return sign::commit_tree(store, c.tree, c.parent, c.message, c.author, c.committer);
    }
    let tree = repo.find_tree(c.tree)?;
    let parents: Vec<git2::Commit<'_>> = match c.parent {
        Some(p) => vec![repo.find_commit(p)?],
        None => Vec::new(),
    };
    let parent_refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
    let buffer =
        repo.commit_create_buffer(c.author, c.committer, c.message, &tree, &parent_refs)?;
    Ok(repo.odb()?.write(git2::ObjectType::Commit, &buffer)?)
}

/// One file of a tree.
pub struct TreeFile {
    pub oid: Oid,
    pub mode: u32,
    pub bytes: Vec<u8>,
}

pub fn tree_file(
    repo: &git2::Repository,
    tree: &git2::Tree<'_>,
    path: &str,
) -> Result<Option<TreeFile>> {
    match tree.get_path(Path::new(path)) {
        Ok(entry) => {
            let mode = entry.filemode() as u32;
            if mode != 0o100644 && mode != 0o100755 {
                return Err(Error::new(format!(
                    "{path} is not a regular file in git (mode {mode:o})"
                ))
                .nothing_written());
            }
            let blob = repo.find_blob(entry.id())?;
            Ok(Some(TreeFile {
                oid: entry.id(),
                mode,
                bytes: blob.content().to_vec(),
            }))
        }
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

pub fn file_mode(mode: u32) -> FileMode {
    if mode == 0o100755 {
        FileMode::BlobExecutable
    } else {
        FileMode::Blob
    }
}

/// Quotes a path for a shell command line when it needs it.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-+:@%".contains(&b))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// How a file writes its lines: records keep the BOM and line endings
/// they were committed with, so a change is a small diff, not the whole
/// file. The tool edits the text in the plain form (no BOM, `\n`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TextStyle {
    bom: bool,
    crlf: bool,
}

const BOM: &[u8] = b"\xef\xbb\xbf";

impl TextStyle {
    pub fn detect(bytes: &[u8]) -> TextStyle {
        let crlf = bytes.windows(2).filter(|w| w == b"\r\n").count();
        let lf = bytes.iter().filter(|b| **b == b'\n').count();
        TextStyle {
            bom: bytes.starts_with(BOM),
            crlf: crlf > 0 && crlf * 2 >= lf,
        }
    }

    /// The plain text, or `None` if it is not UTF-8.
    pub fn normalize(&self, bytes: &[u8]) -> Option<String> {
        let body = bytes.strip_prefix(BOM).unwrap_or(bytes);
        let text = std::str::from_utf8(body).ok()?;
        Some(if self.crlf {
            text.replace("\r\n", "\n")
        } else {
            text.to_string()
        })
    }

    pub fn apply(&self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() + 3);
        if self.bom {
            out.extend_from_slice(BOM);
        }
        if self.crlf {
            out.extend_from_slice(text.replace('\n', "\r\n").as_bytes());
        } else {
            out.extend_from_slice(text.as_bytes());
        }
        out
    }
}

mod oid_hex {
    use git2::Oid;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(oid: &Oid, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&oid.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Oid, D::Error> {
        let s = String::deserialize(d)?;
        Oid::from_str(&s).map_err(serde::de::Error::custom)
    }
}

mod oid_opt {
    use git2::Oid;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(oid: &Option<Oid>, s: S) -> Result<S::Ok, S::Error> {
        match oid {
            Some(o) => s.serialize_some(&o.to_string()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Oid>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|s| Oid::from_str(&s).map_err(serde::de::Error::custom))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_style_round_trips() {
        for bytes in [
            &b"a = 1\nb = 2\n"[..],
            b"a = 1\r\nb = 2\r\n",
            b"\xef\xbb\xbfa = 1\r\nb = 2\r\n",
            b"\xef\xbb\xbfa = 1\n",
        ] {
            let style = TextStyle::detect(bytes);
            let text = style.normalize(bytes).unwrap();
            assert!(!text.contains('\r') && !text.starts_with('\u{feff}'));
            assert_eq!(style.apply(&text), bytes);
        }
    }

    #[test]
    fn shell_quote_only_when_needed() {
        assert_eq!(
            shell_quote("postmortems/2026/11/a.toml"),
            "postmortems/2026/11/a.toml"
        );
        assert_eq!(shell_quote("my dir/a.toml"), "'my dir/a.toml'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
    }

    #[test]
    fn a_plan_survives_the_journal() {
        let oid = |n: u8| Oid::from_bytes(&[n; 20]).unwrap();
        let plan = Plan {
            refname: "refs/heads/postmortems".into(),
            parent: None,
            commit: oid(1),
            files: vec![FileChange {
                path: "postmortems/2026/11/PM-20261124-abcdefgh.toml".into(),
                mode: 0o100644,
                old: Some(oid(2)),
                new: None,
            }],
            what: "new PM-20261124-abcdefgh".into(),
        };
        let json = serde_json::to_string(&plan).unwrap();
        assert_eq!(serde_json::from_str::<Plan>(&json).unwrap(), plan);
    }
}
