//! Who is making the change: the git identity, read as git reads it.

use crate::error::{Command, Error, Result};
use chrono::{DateTime, FixedOffset};
use git2::{Repository, Signature, Time};

#[derive(Debug, Clone)]
pub struct Identity {
    pub name: String,
    pub email: String,
}

impl Identity {
    /// `Name <email>`, the form stored in records.
    pub fn display(&self) -> String {
        format!("{} <{}>", self.name, self.email)
    }
}

/// `GIT_<ROLE>_NAME`/`_EMAIL` win over `user.name`/`user.email`, as in git.
pub fn identity(repo: &Repository, role: &str) -> Result<Identity> {
    let config = repo.config()?;
    let get = |env: &str, key: &str| {
        std::env::var(format!("GIT_{role}_{env}"))
            .ok()
            .or_else(|| config.get_string(key).ok())
            .filter(|s| !s.trim().is_empty())
    };
    match (get("NAME", "user.name"), get("EMAIL", "user.email")) {
        (Some(name), Some(email)) => Ok(Identity { name, email }),
        _ => Err(Error::new(
            "no git identity: git needs your name and email to record who made this change",
        )
        .hint(Command::git([
            "config",
            "--global",
            "user.name",
            "Your Name",
        ]))
        .hint(Command::git([
            "config",
            "--global",
            "user.email",
            "you@example.com",
        ]))),
    }
}

pub fn signature(
    repo: &Repository,
    role: &str,
    now: DateTime<FixedOffset>,
) -> Result<Signature<'static>> {
    let who = identity(repo, role)?;
    let when = std::env::var(format!("GIT_{role}_DATE"))
        .ok()
        .and_then(|s| parse_git_date(&s))
        .unwrap_or(now);
    let time = Time::new(when.timestamp(), when.offset().local_minus_utc() / 60);
    Ok(Signature::new(&who.name, &who.email, &time)?)
}

/// The two forms scripts use: `@1700000000 +0900` and RFC 3339.
fn parse_git_date(s: &str) -> Option<DateTime<FixedOffset>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s.trim()) {
        return Some(t);
    }
    let (secs, off) = s.trim().trim_start_matches('@').split_once(' ')?;
    let offset = crate::time::parse_offset(off)?;
    DateTime::from_timestamp(secs.parse().ok()?, 0).map(|t| t.with_timezone(&offset))
}
