//! Where records live: the team's git repository and its working tree.
//! Only this module talks to git.

pub mod commit;
mod graph;
pub mod history;

mod cache_file;
mod commit_graph;
mod ewah;
pub mod fixes;
pub mod identity;
mod index;
mod index_checkpoints;
mod lock;
pub mod read;
mod record_cache;
pub mod snapshot;
pub mod sync;

pub mod repo;
mod sign;

pub use commit::{Change, Committed, commit_file, commit_record};
pub use repo::Store;
