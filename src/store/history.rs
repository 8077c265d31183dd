//! Reading the repository's history.

use super::Store;
use crate::error::Result;

/// Authors of the newest commits, most recent first, each once: who is
/// around to take work when the team keeps no roster.
pub fn recent_authors(store: &Store, commits: usize) -> Result<Vec<String>> {
    let mut walk = store.repo.revwalk()?;
    if walk.push_head().is_err() {
        return Ok(Vec::new()); // an unborn branch has no authors yet
    }
    let mut authors: Vec<String> = Vec::new();
    for oid in walk.take(commits) {
        let commit = store.repo.find_commit(oid?)?;
        let a = commit.author();
        let who = format!("{} <{}>", a.name().unwrap_or("?"), a.email().unwrap_or("?"));
        if !authors.contains(&who) {
            authors.push(who);
        }
    }
    Ok(authors)
}
