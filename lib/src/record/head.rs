//! What a read can learn of a record before decoding it: its status,
//! whether it has open action items, and when it closed. The record
//! caches keep it in front of each record (`store::record_cache`), so a
//! view that shows only some records (`triage`: the open ones, those
//! closed lately, those with open follow-ups) never decodes the closed
//! majority of a long history.

use super::{Record, Status};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    pub status: Status,
    /// Whether any action item is open.
    pub open_actions: bool,
    /// `closed_at`, in seconds since the epoch.
    pub closed_at: Option<i64>,
}

impl Head {
    pub fn of(r: &Record) -> Head {
        Head {
            status: r.status,
            open_actions: r.open_actions().next().is_some(),
            closed_at: r.closed_at.map(|t| t.0.timestamp()),
        }
    }
}
