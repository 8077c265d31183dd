//! Where records live: the team's git repository and its working tree.
//! Only this module talks to git.

pub mod commit;
mod graph;
pub mod history;

mod cache_file;
mod commit_graph;
mod earlier;
pub mod fixes;
pub mod git;
pub mod identity;
mod journal;
mod lock;
mod paths;
pub mod read;
mod record_cache;
pub mod snapshot;
pub mod sync;
mod trailers;

pub mod repo;
mod sign;

pub use commit::{Change, Committed, commit_file, commit_record, recover, shell_quote};
pub use repo::Store;
