//! Which repositories are the team's: the user's own list
//! (`$XDG_CONFIG_HOME/devops/repos.toml`) and the team's, shared in the
//! records branch's config (`[team] repos = [...]`).
//!
//! The user's file:
//!
//! ```toml
//! [[repo]]
//! name = "api"
//! path = "/home/me/src/api"        # a clone on this machine
//!
//! [[repo]]
//! name = "web"
//! url = "https://git.example.com/acme/web.git"   # mirrored, bare
//! ```
//!
//! The team's config names URLs (paths differ from one machine to the
//! next): `repos = ["https://git.example.com/acme/api.git", { name =
//! "web", url = "..." }]`. Where both lists name a repository, the user's
//! entry wins: it is their clone of it.

use super::Dirs;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// One of the team's repositories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamRepo {
    /// Short, shown in the repository column and before qualified IDs.
    pub name: String,
    pub location: Location,
    pub source: Source,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A clone (or a bare repository) on this machine.
    Path(PathBuf),
    /// Known by its URL alone: read from a bare mirror under the cache.
    Url(String),
}

/// Which list named it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    User,
    Team,
}

/// The user's file as written on disk.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserFile {
    #[serde(default, rename = "repo")]
    pub repos: Vec<Entry>,
}

/// One `[[repo]]`: a name and exactly one of `path` and `url`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The records branch of a mirrored URL, when the team's is not
    /// `postmortems` (a clone names its own in `git config
    /// postmortem.branch`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
}

/// An entry of `[team] repos`: a URL, or a name and a URL.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum TeamEntry {
    Url(String),
    Named {
        #[serde(default)]
        name: Option<String>,
        url: String,
    },
}

impl TeamRepo {
    /// Where its repository is opened on this machine: the clone, or the
    /// bare mirror of its URL (which may not be made yet).
    pub fn local_path(&self, dirs: &Dirs) -> PathBuf {
        match &self.location {
            Location::Path(path) => path.clone(),
            Location::Url(_) => dirs.mirror(&self.name),
        }
    }
}

impl TeamEntry {
    pub fn url(&self) -> &str {
        match self {
            TeamEntry::Url(url) | TeamEntry::Named { url, .. } => url,
        }
    }

    /// The given name, else the URL's last part without `.git`.
    pub fn name(&self) -> String {
        match self {
            TeamEntry::Named {
                name: Some(name), ..
            } => name.clone(),
            _ => name_from_url(self.url()),
        }
    }
}

/// A repository's name: letters (any script), digits, `-`, `_` and `.`,
/// not starting with `.` or `-`. It stands before `:` in qualified IDs and
/// names a folder of the cache, so nothing else is allowed.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= 64
        && !name.starts_with(['.', '-'])
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// A branch name git accepts (`postmortems`, `team/records`).
pub fn valid_branch(name: &str) -> bool {
    name != "HEAD" && git2::Reference::is_valid_name(&format!("refs/heads/{name}"))
}

/// `https://host/acme/api.git` → `api`; `git@host:acme/api` → `api`.
pub fn name_from_url(url: &str) -> String {
    let tail = url
        .trim_end_matches('/')
        .rsplit(['/', ':', '\\'])
        .next()
        .unwrap_or(url);
    tail.strip_suffix(".git").unwrap_or(tail).to_string()
}

impl UserFile {
    /// The user's file; none yet is an empty list.
    pub fn read(dirs: &Dirs) -> Result<UserFile> {
        let path = dirs.user_file();
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(UserFile::default()),
            Err(e) => return Err(Error::new(format!("cannot read {}: {e}", path.display()))),
        };
        let file: UserFile = toml::from_str(&text).map_err(|e| {
            let at = crate::record::parse::Located::at(&text, e.span(), e.message());
            Error::new(at.in_file(&path.display().to_string()))
        })?;
        for entry in &file.repos {
            entry
                .check()
                .map_err(|why| Error::new(format!("{}: {why}", path.display())))?;
        }
        // A name qualifies IDs (`api:k7x3`): two entries of one name would
        // show IDs that the first of them alone answers to.
        for (i, entry) in file.repos.iter().enumerate() {
            if file.repos[..i].iter().any(|e| e.name == entry.name) {
                return Err(Error::new(format!(
                    "{}: two [[repo]] are named {:?}: rename one",
                    path.display(),
                    entry.name
                )));
            }
        }
        Ok(file)
    }

    /// The user's entries, then the team's that the user's do not name.
    /// A team URL that one of the user's clones fetches from (or that the
    /// user mirrors under another name) is that entry already: the clone
    /// is read, not a second copy.
    pub fn with_team(&self, team: &[TeamEntry]) -> Vec<TeamRepo> {
        let mut repos: Vec<TeamRepo> = self.repos.iter().map(Entry::to_repo).collect();
        let mut theirs: Vec<String> = Vec::new();
        if !team.is_empty() {
            for repo in &repos {
                match &repo.location {
                    Location::Url(url) => theirs.push(url.clone()),
                    Location::Path(path) => theirs.extend(remote_urls(path)),
                }
            }
        }
        for entry in team {
            let name = entry.name();
            let known = theirs.iter().any(|u| same_url(u, entry.url()));
            if valid_name(&name) && !known && !repos.iter().any(|r| r.name == name) {
                repos.push(TeamRepo {
                    name,
                    location: Location::Url(entry.url().to_string()),
                    source: Source::Team,
                });
            }
        }
        repos
    }
}

impl UserFile {
    /// The team's entries `with_team` leaves out, each with why, in words
    /// to warn with: a name that is not one, or one already given to
    /// another repository (a team URL one of the user's entries reads, a
    /// clone fetching from it, is that entry: not left out).
    pub fn team_left_out(&self, team: &[TeamEntry]) -> Vec<String> {
        let read: Vec<TeamRepo> = self.with_team(team);
        team.iter()
            .filter_map(|entry| {
                let (name, url) = (entry.name(), entry.url());
                let shown = crate::text::inline(url);
                if self.reads_url(url) {
                    return None;
                }
                if !valid_name(&name) {
                    return Some(format!(
                        "the team's {shown} is not read: {:?} is not a repository name; name it in the records config (devops postmortem edit --config): {{ name = \"…\", url = \"…\" }}",
                        crate::text::inline(&name)
                    ));
                }
                let taken = read.iter().find(|r| r.name == name)?;
                let theirs = match &taken.location {
                    Location::Url(u) => same_url(u, url),
                    Location::Path(p) => remote_urls(p).iter().any(|u| same_url(u, url)),
                };
                let whose = match taken.source {
                    Source::User => "your list",
                    Source::Team => "the team's list",
                };
                (!theirs).then(|| {
                    format!(
                        "the team's {shown} is not read: {whose} gives the name {name} to another repository; name it otherwise in the records config (devops postmortem edit --config)"
                    )
                })
            })
            .collect()
    }

    /// Whether one of the user's entries is the repository at `url`.
    fn reads_url(&self, url: &str) -> bool {
        self.repos.iter().any(|e| match (&e.url, &e.path) {
            (Some(u), _) => same_url(u, url),
            (_, Some(p)) => remote_urls(p).iter().any(|u| same_url(u, url)),
            _ => false,
        })
    }
}

/// Whether two URLs name the same repository: `file://` or not, with or
/// without `.git` and a trailing `/`.
pub fn same_url(a: &str, b: &str) -> bool {
    fn plain(u: &str) -> &str {
        let u = u.trim();
        let u = u.strip_prefix("file://").unwrap_or(u).trim_end_matches('/');
        u.strip_suffix(".git").unwrap_or(u).trim_end_matches('/')
    }
    plain(a) == plain(b)
}

/// The URLs of every remote of the clone at `path` (none when it cannot
/// be opened: the views say why).
pub fn remote_urls(path: &std::path::Path) -> Vec<String> {
    let Ok(repo) = git2::Repository::open(path) else {
        return Vec::new();
    };
    let Ok(names) = repo.remotes() else {
        return Vec::new();
    };
    names
        .iter()
        .flatten()
        .flatten()
        .filter_map(|n| Some(repo.find_remote(n).ok()?.url().ok()?.to_string()))
        .collect()
}

impl Entry {
    /// Why this entry cannot be used, in words naming the field.
    pub fn check(&self) -> std::result::Result<(), String> {
        if !valid_name(&self.name) {
            return Err(format!(
                "name = {:?} is not a repository name: use letters, digits, '-', '_' or '.'",
                self.name
            ));
        }
        match (&self.path, &self.url) {
            (Some(_), None) | (None, Some(_)) => Ok(()),
            _ => Err(format!(
                "repository {:?} needs exactly one of path and url",
                self.name
            )),
        }?;
        match &self.branch {
            Some(b) if !valid_branch(b) => Err(format!(
                "repository {:?}: branch = {b:?} is not a branch name git accepts",
                self.name
            )),
            _ => Ok(()),
        }
    }

    fn to_repo(&self) -> TeamRepo {
        let location = match (&self.path, &self.url) {
            (Some(path), _) => Location::Path(path.clone()),
            (None, url) => Location::Url(url.clone().unwrap_or_default()),
        };
        TeamRepo {
            name: self.name.clone(),
            location,
            source: Source::User,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_url_last_part() {
        assert_eq!(name_from_url("https://host/acme/api.git"), "api");
        assert_eq!(name_from_url("git@host:acme/web"), "web");
        assert_eq!(name_from_url("git@host:db.git"), "db");
        assert_eq!(name_from_url("/srv/git/pay.git/"), "pay");
    }

    #[test]
    fn names_are_safe_for_ids_and_folders() {
        for good in ["api", "web-2", "결제", "a.b_c"] {
            assert!(valid_name(good), "{good}");
        }
        for bad in ["", "a:b", "a/b", "..", "-x", ".git", "a b", "a\nb"] {
            assert!(!valid_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn the_users_entry_wins_over_the_teams() {
        let file: UserFile =
            toml::from_str("[[repo]]\nname = \"api\"\npath = \"/src/api\"\n").unwrap();
        let team: Vec<TeamEntry> = vec![
            TeamEntry::Url("https://h/acme/api.git".into()),
            TeamEntry::Named {
                name: Some("web".into()),
                url: "https://h/acme/site.git".into(),
            },
        ];
        let repos = file.with_team(&team);
        assert_eq!(repos.len(), 2);
        assert_eq!(repos[0].location, Location::Path("/src/api".into()));
        assert_eq!(repos[0].source, Source::User);
        assert_eq!(repos[1].name, "web");
        assert_eq!(repos[1].source, Source::Team);
    }

    #[test]
    fn a_team_url_your_clone_fetches_from_is_your_clone() {
        assert!(same_url("file:///srv/api.git", "/srv/api"));
        assert!(same_url("https://h/acme/api.git/", "https://h/acme/api"));
        assert!(!same_url("https://h/acme/api", "https://h/acme/web"));
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init(dir.path()).unwrap();
        repo.remote("origin", "https://h/acme/api.git").unwrap();
        let file = UserFile {
            repos: vec![Entry {
                name: "mine".into(),
                path: Some(dir.path().to_path_buf()),
                url: None,
                branch: None,
            }],
        };
        let team = [
            TeamEntry::Url("https://h/acme/api".into()),
            TeamEntry::Url("https://h/acme/web.git".into()),
        ];
        let names: Vec<String> = file.with_team(&team).into_iter().map(|r| r.name).collect();
        assert_eq!(names, ["mine", "web"]);
    }

    #[test]
    fn an_entry_needs_one_place() {
        let both = Entry {
            name: "api".into(),
            path: Some("/a".into()),
            url: Some("u".into()),
            branch: None,
        };
        assert!(both.check().unwrap_err().contains("exactly one"));
        let neither = Entry {
            name: "api".into(),
            path: None,
            url: None,
            branch: None,
        };
        assert!(neither.check().is_err());
    }
}
