//! Where records live: a branch of their own in the team's git repository
//! (`branch`), read from its tree (`read`, `tree`, `snapshot`), written one
//! commit at a time (`tx`), shared with `sync`, and the history around
//! them (`history`, `fixes`). Nothing here prints: what the person should
//! hear travels back as a [`Notice`] or an error.

pub mod branch;
pub(crate) mod cache_file;
mod commit_graph;
pub mod deploys;
pub mod fixes;
pub mod git;
mod graph;
pub mod history;
pub mod identity;
pub mod linked_cache;
pub mod lintable;
mod lock;
pub mod migrate;
mod paths;
pub mod read;
pub(crate) mod record_cache;
pub mod replay;
pub mod repo;
mod sign;
pub mod snapshot;
pub mod sync;
mod tag_times;
pub mod trailers;
pub mod tree;
pub mod tx;

pub use repo::{Snapshot, Store};
pub use tx::{Change, Committed, commit_file, commit_record, shell_quote};

use git2::Oid;
use std::path::PathBuf;

/// Something the person should hear about the repository, said once by
/// the command that ran into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// A write a killed run left half done was finished.
    Finished { what: String, commit: Oid },
    /// A write a killed run left half done was undone: nothing of it stays.
    Undone { what: String },
    /// A write a killed run left is on the branch, but git's `index.lock`
    /// is held: the work tree follows on a later run.
    Waiting { what: String, lock: PathBuf },
    /// A write a killed run left could not be finished or undone now.
    RecoveryFailed { reason: String },
    /// A journal that did not read back whole was removed, unused.
    DamagedJournal { path: PathBuf },
    /// The records are on the checked-out branch (the earlier layout).
    OnCheckedOutBranch { branch: String },
    /// The local records branch was made from the remote's.
    Tracking { branch: String, remote_ref: String },
    /// The remote's records branch has commits this one does not.
    RemoteAhead { remote_ref: String, commits: usize },
    /// The checked-out branch still holds a copy of the records directory
    /// that the records branch has taken over.
    StaleCopy { branch: String, dir: String },
    /// No records branch here, but the remote may have one.
    NoBranchHere {
        branch: String,
        remote: Option<String>,
    },
}

impl Store {
    /// Keeps a notice for the command to say.
    pub fn notice(&self, n: Notice) {
        let mut all = self.notices.borrow_mut();
        if !all.contains(&n) {
            all.push(n);
        }
    }

    /// The notices gathered so far, handed over once.
    pub fn take_notices(&self) -> Vec<Notice> {
        std::mem::take(&mut *self.notices.borrow_mut())
    }
}
