//! `action push|pull`: action items as issues in the team's tracker.
//! `push` files one issue per item (never a second: the item keeps its
//! `tracker`, `ref` and `url`); `pull` brings each linked issue's state
//! back (closed as done → done, not planned → wontfix with the tracker's
//! words, reopened → open) and closes the issues of items that a
//! `Fixes-Postmortem:` trailer finished. Every change is one commit per
//! record, by the person running it.

mod pull;
mod push;

pub use pull::{Changed, Pulled, pull};
pub use push::{Pushed, push};

use crate::record::ActionItem;
use crate::session::Session;
use crate::tracker::{Place, Tracker};

/// Where the CLIs run: the work tree (so `gh` and `glab` find the
/// repository's remote), else the git directory.
fn place(session: &Session) -> Place<'_> {
    Place {
        dir: session
            .store
            .workdir
            .as_deref()
            .unwrap_or_else(|| session.store.repo.path()),
        config: &session.config.tracker,
    }
}

/// The tracker an item is filed in, when it is.
fn linked(a: &ActionItem) -> Option<Tracker> {
    a.link.tracker.as_deref().and_then(Tracker::parse)
}
