//! The team's repositories: each service's repository with its own
//! records branch, read together for the morning's triage and the wall
//! page. Which they are (`registry`), where their files live on this
//! machine (`Dirs`), and how an ID names one of them (`api:k7x3`).
//!
//! Nothing here writes a record: a write still goes to one repository,
//! through its own store.

pub mod fetch;
pub mod fresh;
pub mod mirror;
pub mod registry;
pub mod user_file;
pub mod view;

pub use fresh::fetched_at;

pub use registry::{Location, Source, TeamRepo};

use crate::error::{Error, Result};
use std::path::PathBuf;

/// Where this user's list of repositories and the mirrors of the ones
/// without a local clone are kept (XDG's config and cache folders).
#[derive(Debug, Clone)]
pub struct Dirs {
    pub config: PathBuf,
    pub cache: PathBuf,
}

impl Dirs {
    /// `$XDG_CONFIG_HOME` and `$XDG_CACHE_HOME`, else `~/.config` and
    /// `~/.cache`, as the XDG base directory specification says.
    pub fn from_env() -> Result<Dirs> {
        let home = || {
            std::env::var_os("HOME")
                .filter(|h| !h.is_empty())
                .map(PathBuf::from)
                .ok_or_else(|| {
                    Error::new(
                        "neither XDG_CONFIG_HOME nor HOME is set: set HOME to find the list of your team's repositories",
                    )
                })
        };
        let base = |var: &str, fallback: &str| -> Result<PathBuf> {
            match std::env::var_os(var).map(PathBuf::from) {
                // The specification ignores relative paths.
                Some(p) if p.is_absolute() => Ok(p),
                _ => Ok(home()?.join(fallback)),
            }
        };
        Ok(Dirs {
            config: base("XDG_CONFIG_HOME", ".config")?,
            cache: base("XDG_CACHE_HOME", ".cache")?,
        })
    }

    /// The user's list: `$XDG_CONFIG_HOME/devops/repos.toml`.
    pub fn user_file(&self) -> PathBuf {
        self.config.join("devops").join("repos.toml")
    }

    /// The bare mirror of a repository known only by its URL.
    pub fn mirror(&self, name: &str) -> PathBuf {
        self.cache
            .join("devops")
            .join("repos")
            .join(format!("{name}.git"))
    }
}

/// `api:k7x3` as (`api`, `k7x3`); `None` for an ID with no repository
/// name before a colon. IDs themselves never hold a colon.
pub fn split_qualified(id: &str) -> Option<(&str, &str)> {
    let (repo, rest) = id.split_once(':')?;
    (registry::valid_name(repo) && !rest.is_empty()).then_some((repo, rest))
}

/// An ID as shown across repositories: `api:k7x3`.
pub fn qualified(repo: &str, id: &str) -> String {
    format!("{repo}:{id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualified_ids_split_at_the_repository_name() {
        assert_eq!(split_qualified("api:k7x3"), Some(("api", "k7x3")));
        assert_eq!(split_qualified("결제:k7x3"), Some(("결제", "k7x3")));
        assert_eq!(split_qualified("k7x3"), None);
        assert_eq!(split_qualified(":k7x3"), None);
        assert_eq!(split_qualified("api:"), None);
        assert_eq!(split_qualified("a b:k7x3"), None);
        assert_eq!(qualified("api", "k7x3"), "api:k7x3");
    }
}
