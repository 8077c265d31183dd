//! The team's repositories read as one view: each chosen repository opened
//! read-only, its records loaded (in parallel, one thread per core), and
//! what each one is (its config, how fresh its data is, what its store
//! noticed) kept beside its records. A repository that cannot be read is
//! kept too, with why: a view never leaves one out silently.
//!
//! The current repository joins `--all-repos` when the lists do not name
//! it: the person asked for everything from where they stand, and the
//! repository they stand in is the freshest of all. Where a list names it
//! by its remote's URL, that entry is read from here instead of from a
//! mirror (the same records, newer), under the list's name.

pub mod merged;

use super::{Dirs, Location, Source, TeamRepo};
use crate::error::{Error, Result};
use crate::session::{Loaded, Session};
use crate::store::Notice;
use crate::store::branch::Access;
use crate::store::read::Detail;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Which repositories a read is about: `--all-repos`, `--repo NAME`.
#[derive(Debug, Clone, Default)]
pub struct Choice {
    pub all: bool,
    pub names: Vec<String>,
}

impl Choice {
    /// Whether the read spans the team's repositories at all.
    pub fn is_team(&self) -> bool {
        self.all || !self.names.is_empty()
    }
}

/// One repository as read.
pub struct RepoView {
    pub name: String,
    pub path: PathBuf,
    /// Known by its URL alone: read from a mirror, never written.
    pub mirror: bool,
    /// The repository the command was run in.
    pub here: bool,
    /// Opened read-only: its store, config (services, severities, zone)
    /// and "now".
    pub session: Session,
    pub loaded: Loaded,
    /// When its records branch was last fetched (`None`: never).
    pub fetched_at: Option<SystemTime>,
    /// What its store noticed (a remote ahead, no records branch, ...).
    pub notices: Vec<Notice>,
}

/// A repository that could not be read, and why (one line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failed {
    pub name: String,
    pub path: PathBuf,
    pub why: String,
}

/// The chosen repositories: those read, in the lists' order, and those
/// that failed.
pub struct View {
    pub repos: Vec<RepoView>,
    pub failed: Vec<Failed>,
}

/// A repository the view will open: its list entry, and whether it is the
/// one the command was run in.
#[derive(Debug, Clone)]
pub struct Chosen {
    pub repo: TeamRepo,
    pub here: bool,
}

/// The team's repositories (the user's list, then the team's config in
/// `here`), with the current repository joined (see the module comment).
pub fn team_repos(dirs: &Dirs, here: Option<&Session>) -> Result<Vec<Chosen>> {
    let team = here.map_or(&[][..], |s| &s.config.team.repos[..]);
    let mut repos: Vec<Chosen> = super::registry::UserFile::read(dirs)?
        .with_team(team)
        .into_iter()
        .map(|repo| Chosen { repo, here: false })
        .collect();
    if let Some(session) = here {
        join_here(&mut repos, session, dirs);
    }
    Ok(repos)
}

/// `choice`'s repositories among `all`; an unknown name is an error
/// listing the known ones.
pub fn choose(all: Vec<Chosen>, choice: &Choice) -> Result<Vec<Chosen>> {
    if choice.all {
        return Ok(all);
    }
    for name in &choice.names {
        if !all.iter().any(|c| &c.repo.name == name) {
            return Err(unknown(name, &all));
        }
    }
    Ok(all
        .into_iter()
        .filter(|c| choice.names.contains(&c.repo.name))
        .collect())
}

/// `no repository named X: known: api, web`.
pub fn unknown(name: &str, all: &[Chosen]) -> Error {
    let known: Vec<&str> = all.iter().map(|c| c.repo.name.as_str()).collect();
    let known = if known.is_empty() {
        "none yet (devops postmortem repos add PATH)".to_string()
    } else {
        known.join(", ")
    };
    Error::usage(format!(
        "no repository named '{}': known: {known}",
        crate::text::inline(name)
    ))
}

/// Where a command given a qualified ID (`api:k7x3`) runs: `None` for
/// the repository it was run in, else the named one's path. A write to a
/// repository known here only by its URL is refused: its mirror follows
/// the remote with a forced fetch, which would drop the commit.
pub fn route(
    dirs: &Dirs,
    here: Option<&Session>,
    name: &str,
    writes: bool,
) -> Result<Option<PathBuf>> {
    let all = team_repos(dirs, here)?;
    let Some(c) = all.iter().find(|c| c.repo.name == name) else {
        return Err(unknown(name, &all));
    };
    if c.here {
        return Ok(None);
    }
    match &c.repo.location {
        Location::Url(url) if writes => Err(super::mirror::write_refused(
            &c.repo.name,
            url,
            c.repo.source,
            "",
        )),
        _ => Ok(Some(c.repo.local_path(dirs))),
    }
}

/// Where the current repository stands in the lists: named by its path or
/// by its remote's URL, else added under its folder's name.
fn join_here(repos: &mut Vec<Chosen>, session: &Session, dirs: &Dirs) {
    let top = top_of(session);
    let same = |p: &Path| canonical(p) == canonical(&top);
    if let Some(c) = repos.iter_mut().find(|c| same(&c.repo.local_path(dirs))) {
        c.here = true;
        return;
    }
    let url = remote_url(session);
    if let Some(c) = repos
        .iter_mut()
        .find(|c| matches!(&c.repo.location, Location::Url(u) if Some(u) == url.as_ref()))
    {
        c.repo.location = Location::Path(top);
        c.here = true;
        return;
    }
    let base = folder_name(&top);
    let mut name = base.clone();
    let mut n = 2;
    while repos.iter().any(|c| c.repo.name == name) {
        name = format!("{base}-{n}");
        n += 1;
    }
    repos.insert(
        0,
        Chosen {
            repo: TeamRepo {
                name,
                location: Location::Path(top),
                source: Source::User,
            },
            here: true,
        },
    );
}

/// The work tree's top, or the git folder of a bare repository.
fn top_of(session: &Session) -> PathBuf {
    let store = &session.store;
    store
        .workdir
        .clone()
        .unwrap_or_else(|| store.repo.path().to_path_buf())
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// The URL of the remote the records branch is shared through.
fn remote_url(session: &Session) -> Option<String> {
    let store = &session.store;
    let remote = crate::store::branch::remote_of(&store.repo, store.location.name())?;
    let remote = store.repo.find_remote(&remote).ok()?;
    remote.url().ok().map(str::to_string)
}

/// A folder's name as a repository name (`api.git` → `api`).
fn folder_name(top: &Path) -> String {
    let raw = top
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let raw = raw.strip_suffix(".git").unwrap_or(&raw);
    let name: String = raw
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let name = name.trim_start_matches(['.', '-']).to_string();
    if super::registry::valid_name(&name) {
        name
    } else {
        "here".to_string()
    }
}

/// Opens and reads each chosen repository (every record, as `detail`
/// says), in parallel; see [`load_with`].
pub fn load(chosen: &[Chosen], dirs: &Dirs, records_dir: &str, detail: Detail) -> View {
    load_with(chosen, dirs, records_dir, &|s: &Session| {
        s.records(None, detail)
    })
}

/// Opens each chosen repository and reads its records with `read` (a
/// command's own filter: `ops::query::Filter::load`), in parallel (bounded
/// by the cores); the order of `chosen` is kept.
pub fn load_with(
    chosen: &[Chosen],
    dirs: &Dirs,
    records_dir: &str,
    read: &(dyn Fn(&Session) -> Result<Loaded> + Sync),
) -> View {
    let results = parallel_map(chosen, |c| load_one(c, dirs, records_dir, read));
    let mut view = View {
        repos: Vec::new(),
        failed: Vec::new(),
    };
    for (c, result) in chosen.iter().zip(results) {
        match result {
            Ok(repo) => view.repos.push(repo),
            Err(why) => view.failed.push(Failed {
                name: c.repo.name.clone(),
                path: c.repo.local_path(dirs),
                why,
            }),
        }
    }
    view
}

/// `f` over `items` on as many threads as there are cores (at most one per
/// item), results in the items' order.
pub fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let workers = cores.min(items.len()).max(1);
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        mine.push((i, f(item)));
                    }
                    mine
                })
            })
            .collect();
        handles
            .into_iter()
            // A worker that panicked lost its items; the rest still count.
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// One repository, or why it could not be read (one line).
fn load_one(
    c: &Chosen,
    dirs: &Dirs,
    records_dir: &str,
    read: &(dyn Fn(&Session) -> Result<Loaded> + Sync),
) -> std::result::Result<RepoView, String> {
    let path = c.repo.local_path(dirs);
    let mirror = matches!(c.repo.location, Location::Url(_)) && !c.here;
    if !path.exists() {
        return Err(if mirror {
            "not mirrored yet: devops postmortem fetch --all-repos".to_string()
        } else {
            format!("{} does not exist", path.display())
        });
    }
    let why = |e: Error| e.message;
    // Where the person stands, their GIT_DIR and the like are theirs to
    // set; every other repository is found by its path alone.
    let session = if c.here {
        Session::open_for(&path, records_dir, Access::ReadOnly)
    } else {
        Session::open_at(&path, records_dir, Access::ReadOnly)
    }
    .map_err(why)?;
    let loaded = read(&session).map_err(why)?;
    let notices = session.store.take_notices();
    Ok(RepoView {
        name: c.repo.name.clone(),
        fetched_at: super::fetched_at(&path),
        path,
        mirror,
        here: c.here,
        session,
        loaded,
        notices,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chosen(name: &str) -> Chosen {
        Chosen {
            repo: TeamRepo {
                name: name.into(),
                location: Location::Path(format!("/nowhere/{name}").into()),
                source: Source::User,
            },
            here: false,
        }
    }

    #[test]
    fn an_unknown_name_lists_the_known_ones() {
        let all = vec![chosen("api"), chosen("web")];
        let choice = Choice {
            all: false,
            names: vec!["db".into()],
        };
        let e = choose(all, &choice).err().unwrap();
        assert_eq!(e.message, "no repository named 'db': known: api, web");
    }

    #[test]
    fn names_pick_in_the_lists_order() {
        let all = vec![chosen("api"), chosen("web"), chosen("db")];
        let choice = Choice {
            all: false,
            names: vec!["db".into(), "api".into()],
        };
        let names: Vec<String> = choose(all, &choice)
            .unwrap()
            .into_iter()
            .map(|c| c.repo.name)
            .collect();
        assert_eq!(names, ["api", "db"]);
    }

    #[test]
    fn a_missing_path_fails_with_its_name_and_the_rest_stay_in_order() {
        let dirs = Dirs {
            config: "/nowhere/config".into(),
            cache: "/nowhere/cache".into(),
        };
        let view = load(
            &[chosen("api"), chosen("web")],
            &dirs,
            "postmortems",
            Detail::Slim,
        );
        assert!(view.repos.is_empty());
        let names: Vec<&str> = view.failed.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["api", "web"]);
        assert_eq!(view.failed[0].why, "/nowhere/api does not exist");
    }

    #[test]
    fn folder_names_become_repository_names() {
        assert_eq!(folder_name(Path::new("/src/api")), "api");
        assert_eq!(folder_name(Path::new("/src/web.git")), "web");
        assert_eq!(folder_name(Path::new("/src/my repo")), "my-repo");
        assert_eq!(folder_name(Path::new("/")), "here");
    }
}
