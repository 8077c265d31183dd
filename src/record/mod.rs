//! The post-mortem record: its data model, ID, TOML document and rules.
//! Nothing in here does I/O.

pub mod diff;
pub mod doc;

pub mod id;
pub mod lint;
pub mod merge;

pub mod model;
pub mod parse;
pub mod status;
pub mod words;

pub use doc::RecordDoc;
pub use id::RecordId;
pub use model::{ActionItem, ActionKind, ActionStatus, Record, Status, Timestamp};
