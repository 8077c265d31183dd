//! The team's repositories on one person's machine (issue 26): `repos
//! add|list|rm` and `fetch`, against real bare remotes, clones and
//! mirrors, with the person's config and cache folders in temporary ones.
//! Checked with the git CLI and by parsing repos.toml and the JSON.

use crate::support::*;
use std::path::{Path, PathBuf};
use std::process::Output;
use tempfile::TempDir;

/// One service: its bare remote (with `main` and a records branch holding
/// one record) and the teammate's clone that made them.
struct Service {
    /// `…/NAME.git`, so that a URL's name is the service's.
    remote: PathBuf,
    _dir: TempDir,
    teammate: TestRepo,
}

impl Service {
    fn new(name: &str, title: &str) -> Service {
        let teammate = TestRepo::new();
        teammate.new_record(title, &[]);
        let dir = tempfile::tempdir().unwrap();
        let remote = dir.path().join(format!("{name}.git"));
        let at = remote.to_str().unwrap();
        teammate.git(&["init", "-q", "--bare", "-b", "main", at]);
        teammate.git(&["remote", "add", "origin", at]);
        teammate.git(&["push", "-q", "origin", "main", "postmortems"]);
        Service {
            remote,
            _dir: dir,
            teammate,
        }
    }

    fn url(&self) -> String {
        format!("file://{}", self.remote.display())
    }

    /// The teammate writes one more record and pushes it.
    fn push_a_record(&self, title: &str) -> String {
        let id = self.teammate.new_record(title, &[]);
        self.teammate.git(&["push", "-q", "origin", "postmortems"]);
        id
    }

    fn tip(&self) -> String {
        git_at(&self.remote, &["rev-parse", "postmortems"])
    }
}

/// `git ARGS` in `dir`, without the user's config; panics on failure.
fn git_at(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?} in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// The person's machine: their clone (where they run the tool), its HOME,
/// and their XDG config and cache folders.
struct Desk {
    me: TestRepo,
    xdg: TempDir,
}

impl Desk {
    fn new() -> Desk {
        Desk {
            me: TestRepo::new(),
            xdg: tempfile::tempdir().unwrap(),
        }
    }

    fn config(&self) -> PathBuf {
        self.xdg.path().join("config")
    }

    fn cache(&self) -> PathBuf {
        self.xdg.path().join("cache")
    }

    fn user_file(&self) -> PathBuf {
        self.config().join("devops/repos.toml")
    }

    fn mirror(&self, name: &str) -> PathBuf {
        self.cache().join(format!("devops/repos/{name}.git"))
    }

    /// repos.toml's `[[repo]]` tables, parsed independently.
    fn entries(&self) -> Vec<toml::Table> {
        let text = std::fs::read_to_string(self.user_file()).unwrap_or_default();
        let file: toml::Table = toml::from_str(&text).unwrap();
        file.get("repo")
            .and_then(|r| r.as_array())
            .map(|a| a.iter().map(|t| t.as_table().unwrap().clone()).collect())
            .unwrap_or_default()
    }

    fn names(&self) -> Vec<String> {
        self.entries()
            .iter()
            .map(|e| s(e, "name").to_string())
            .collect()
    }

    /// A clone of `service` on this machine, under `parent/name`, with
    /// its local records branch made (as the tool's first run does).
    fn clone_of(&self, service: &Service, parent: &Path, name: &str) -> PathBuf {
        let path = parent.join(name);
        git_at(
            parent,
            &["clone", "-q", service.remote.to_str().unwrap(), name],
        );
        git_at(
            &path,
            &["branch", "-q", "postmortems", "origin/postmortems"],
        );
        path
    }

    fn pm_in(&self, dir: &Path, args: &[&str]) -> Output {
        self.me
            .cmd_in(dir)
            .env("XDG_CONFIG_HOME", self.config())
            .env("XDG_CACHE_HOME", self.cache())
            .arg("postmortem")
            .args(args)
            .output()
            .unwrap()
    }

    fn pm(&self, args: &[&str]) -> Output {
        self.pm_in(self.me.path(), args)
    }

    /// Runs and expects success; returns stdout and stderr.
    fn ok(&self, args: &[&str]) -> (String, String) {
        let out = self.pm(args);
        assert!(out.status.success(), "{args:?} failed: {}", stderr(&out));
        (stdout(&out), stderr(&out))
    }

    /// Runs and expects exit `code` and an error line; returns stderr.
    fn fails(&self, code: i32, args: &[&str]) -> String {
        let out = self.pm(args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(err.contains("error: "), "{err}");
        err
    }

    /// A printed command line run as the person pastes it.
    fn paste(&self, line: &str) -> Output {
        self.me.sh(&format!(
            "export XDG_CONFIG_HOME='{}' XDG_CACHE_HOME='{}'; {line}",
            self.config().display(),
            self.cache().display()
        ))
    }
}

/// The text after `start` on the first line holding it.
fn after<'a>(text: &'a str, start: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.split_once(start).map(|(_, rest)| rest))
        .unwrap_or_else(|| panic!("no {start:?} in:\n{text}"))
        .trim()
}

/// Everything that is the person's: HEAD, the index, the work tree's
/// state, and every ref but the records branch and its remote copy.
fn theirs(dir: &Path) -> (String, String, Vec<u8>, String) {
    let refs = git_at(dir, &["for-each-ref", "--format=%(refname) %(objectname)"])
        .lines()
        .filter(|l| !l.contains("/postmortems "))
        .collect::<Vec<_>>()
        .join("\n");
    (
        git_at(dir, &["rev-parse", "HEAD"]),
        git_at(dir, &["status", "--porcelain", "--untracked-files=all"]),
        std::fs::read(dir.join(".git/index")).unwrap(),
        refs,
    )
}

#[test]
fn a_clone_is_stored_by_its_top_and_a_url_becomes_a_bare_mirror_of_the_records_branch() {
    let desk = Desk::new();
    let api = Service::new("api", "API down");
    let db = Service::new("db", "DB full");
    let src = tempfile::tempdir().unwrap();
    let clone = desk.clone_of(&api, src.path(), "api");
    std::fs::create_dir_all(clone.join("src/deep")).unwrap();

    let (_, err) = desk.ok(&["repos", "add", clone.join("src/deep").to_str().unwrap()]);
    assert!(err.contains("added api"), "{err}");
    let (_, err) = desk.ok(&["repos", "add", &db.url()]);
    assert!(
        err.contains("added db") && err.contains("mirrored"),
        "{err}"
    );

    let entries = desk.entries();
    assert_eq!(entries.len(), 2);
    assert_eq!(s(&entries[0], "path"), clone.to_str().unwrap());
    assert_eq!(s(&entries[1], "url"), db.url());
    let mirror = desk.mirror("db");
    assert_eq!(
        git_at(&mirror, &["rev-parse", "--is-bare-repository"]),
        "true"
    );
    assert_eq!(
        git_at(
            &mirror,
            &["for-each-ref", "--format=%(refname) %(objectname)"]
        ),
        format!("refs/heads/postmortems {}", db.tip()),
        "the mirror holds the records branch alone"
    );
    assert!(
        std::fs::read_dir(desk.cache().join("devops/repos"))
            .unwrap()
            .all(|e| !e.unwrap().file_name().to_string_lossy().contains("partial")),
        "no half-made mirror left"
    );
}

#[test]
fn a_url_one_of_your_clones_fetches_from_is_not_mirrored() {
    let desk = Desk::new();
    let api = Service::new("api", "API down");
    let src = tempfile::tempdir().unwrap();
    let clone = desk.clone_of(&api, src.path(), "api");
    desk.ok(&["repos", "add", clone.to_str().unwrap()]);
    let (_, err) = desk.ok(&["repos", "add", &api.url(), "--name", "api-url"]);
    assert!(err.contains("is your clone api"), "{err}");
    assert_eq!(desk.names(), ["api"]);
    assert!(!desk.mirror("api-url").exists());
}

#[test]
fn a_taken_name_names_both_and_the_printed_command_adds_it() {
    let desk = Desk::new();
    let api = Service::new("api", "API down");
    let other = Service::new("api", "Other API down");
    let src = tempfile::tempdir().unwrap();
    let first = desk.clone_of(&api, src.path(), "api");
    let elsewhere = tempfile::tempdir().unwrap();
    let second = desk.clone_of(&other, elsewhere.path(), "api");
    desk.ok(&["repos", "add", first.to_str().unwrap()]);
    let before = std::fs::read(desk.user_file()).unwrap();

    let err = desk.fails(2, &["repos", "add", second.to_str().unwrap()]);
    assert!(
        err.contains(second.to_str().unwrap()) && err.contains(first.to_str().unwrap()),
        "both named: {err}"
    );
    assert_eq!(
        std::fs::read(desk.user_file()).unwrap(),
        before,
        "nothing written"
    );

    let hint = after(&err, "give it another name: ");
    let out = desk.paste(hint);
    assert!(out.status.success(), "{hint}: {}", stderr(&out));
    assert_eq!(desk.names(), ["api", "api-2"]);
    // The same clone again, under any name, is refused.
    let err = desk.fails(2, &["repos", "add", first.to_str().unwrap(), "--name", "x"]);
    assert!(err.contains("already in your list, as api"), "{err}");
}

#[test]
fn adds_at_the_same_time_all_land() {
    let desk = Desk::new();
    let api = Service::new("api", "API down");
    let src = tempfile::tempdir().unwrap();
    let clones: Vec<PathBuf> = (0..6)
        .map(|i| desk.clone_of(&api, src.path(), &format!("api{i}")))
        .collect();
    let running: Vec<std::process::Child> = clones
        .iter()
        .map(|c| {
            desk.me
                .std_cmd_in(desk.me.path())
                .env("XDG_CONFIG_HOME", desk.config())
                .env("XDG_CACHE_HOME", desk.cache())
                .args(["postmortem", "repos", "add", c.to_str().unwrap()])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in running {
        assert!(child.wait().unwrap().success());
    }
    let mut names = desk.names();
    names.sort();
    assert_eq!(names, ["api0", "api1", "api2", "api3", "api4", "api5"]);
}

#[test]
fn a_bad_path_a_plain_folder_and_hostile_names_are_refused_with_nothing_written() {
    let desk = Desk::new();
    let api = Service::new("api", "API down");
    let src = tempfile::tempdir().unwrap();
    let clone = desk.clone_of(&api, src.path(), "api");

    let err = desk.fails(2, &["repos", "add", "/nonexistent/api"]);
    assert!(err.contains("/nonexistent/api does not exist"), "{err}");
    let plain = tempfile::tempdir().unwrap();
    let err = desk.fails(1, &["repos", "add", plain.path().to_str().unwrap()]);
    assert!(err.contains("not inside a git repository"), "{err}");
    for hostile in ["../../evil", "a:b", "\u{1b}[31mred", ".git", "-rf"] {
        let name = format!("--name={hostile}");
        let err = desk.fails(2, &["repos", "add", clone.to_str().unwrap(), &name]);
        assert!(
            err.contains("is not a repository name"),
            "{hostile:?}: {err}"
        );
        assert!(
            !err.contains('\u{1b}'),
            "no escape reaches the terminal: {err:?}"
        );
        let err = desk.fails(2, &["repos", "add", &api.url(), &name]);
        assert!(
            err.contains("is not a repository name"),
            "{hostile:?}: {err}"
        );
    }
    assert!(!desk.user_file().exists(), "no list written");
    assert!(!desk.cache().exists(), "no mirror made anywhere");
    let err = desk.fails(2, &["repos", "add", "--", "-oProxyCommand=touch:pwned"]);
    assert!(err.contains("is not a repository URL"), "{err}");
    let err = desk.fails(1, &["repos", "add", "file:///nonexistent/db.git"]);
    assert!(
        err.contains("cannot mirror file:///nonexistent/db.git"),
        "{err}"
    );
    assert!(!desk.mirror("db").exists());
    assert!(!desk.user_file().exists());

    // A folder name that is no repository name: the hint's name works.
    let odd = desk.clone_of(&api, src.path(), "my api");
    let err = desk.fails(2, &["repos", "add", odd.to_str().unwrap()]);
    let out = desk.paste(after(&err, "give one: "));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(desk.names(), ["my-api"]);
}

#[test]
fn root_scan_adds_the_clones_with_records_and_says_what_it_skipped() {
    let desk = Desk::new();
    let api = Service::new("api", "API down");
    let root = tempfile::tempdir().unwrap();
    let acme = root.path().join("acme");
    std::fs::create_dir_all(&acme).unwrap();
    let clone = desk.clone_of(&api, &acme, "api");
    // A linked work tree of it: the same repository, skipped, said.
    let wt = acme.join("api-wt");
    git_at(
        &clone,
        &["worktree", "add", "-q", "--detach", wt.to_str().unwrap()],
    );
    // No records branch: skipped, said.
    let plain = acme.join("plain");
    std::fs::create_dir_all(&plain).unwrap();
    git_at(&plain, &["init", "-q"]);
    // Never looked into.
    for hidden in [".cache", "node_modules", "target", "a/b/c/d"] {
        let dir = root.path().join(hidden);
        std::fs::create_dir_all(&dir).unwrap();
        desk.clone_of(&api, &dir, "copy");
    }

    let (_, err) = desk.ok(&["repos", "add", "--root", root.path().to_str().unwrap()]);
    assert!(err.contains("added api"), "{err}");
    assert!(
        err.contains(&format!(
            "skipped {}: no postmortems branch",
            plain.display()
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "skipped {}: the same repository as api (a linked work tree)",
            wt.display()
        )),
        "{err}"
    );
    assert!(err.contains("1 added, 2 skipped"), "{err}");
    assert_eq!(desk.names(), ["api"]);
    assert_eq!(
        s(&desk.entries()[0], "path"),
        acme.join("api").to_str().unwrap()
    );
    // Again: already listed, said, nothing doubled.
    let (_, err) = desk.ok(&["repos", "add", "--root", root.path().to_str().unwrap()]);
    assert!(
        err.contains("0 added, 3 skipped") && err.contains("already in your list"),
        "{err}"
    );
    assert_eq!(desk.names(), ["api"]);
}

/// The records config of the person's own repository names team URLs.
fn team_config(desk: &Desk, repos: &[(&str, &str)]) {
    let entries: Vec<String> = repos
        .iter()
        .map(|(name, url)| format!("{{ name = \"{name}\", url = \"{url}\" }}"))
        .collect();
    desk.me.commit_on_records_branch(
        "postmortems/config.toml",
        &format!("[team]\nrepos = [{}]\n", entries.join(", ")),
        "team repos",
    );
}

#[test]
fn list_json_says_whose_where_which_branch_and_when_fetched() {
    let desk = Desk::new();
    let (api, db, ops) = (
        Service::new("api", "API down"),
        Service::new("db", "DB full"),
        Service::new("ops", "Pager storm"),
    );
    let src = tempfile::tempdir().unwrap();
    let clone = desk.clone_of(&api, src.path(), "api");
    desk.ok(&["repos", "add", clone.to_str().unwrap()]);
    desk.ok(&["repos", "add", &db.url()]);
    // The team's api is the person's clone of it: listed once.
    team_config(&desk, &[("ops", &ops.url()), ("api-team", &api.url())]);

    let (out, _) = desk.ok(&["repos", "list", "--json"]);
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = rows.as_array().unwrap();
    let field = |i: usize, k: &str| rows[i][k].clone();
    assert_eq!(rows.len(), 3);
    assert_eq!(field(0, "name"), "api");
    assert_eq!(field(0, "list"), "yours");
    assert_eq!(field(0, "path"), clone.to_str().unwrap());
    assert_eq!(field(0, "branch_found"), true);
    assert!(
        field(0, "fetched_at").is_string(),
        "a clone is fetched: {out}"
    );
    assert_eq!(field(1, "name"), "db");
    assert_eq!(field(1, "url"), db.url().as_str());
    assert_eq!(field(1, "mirror"), desk.mirror("db").to_str().unwrap());
    assert_eq!(field(1, "branch_found"), true);
    assert!(field(1, "fetched_at").is_string());
    assert_eq!(field(2, "name"), "ops");
    assert_eq!(field(2, "list"), "team");
    assert_eq!(field(2, "branch_found"), false);
    assert_eq!(field(2, "problem"), "not fetched yet");
    assert!(field(2, "fetched_at").is_null());

    // Outside any repository: the user's list alone.
    let out = desk.pm_in(src.path(), &["repos", "list"]);
    let table = stdout(&out);
    let names: Vec<&str> = table
        .lines()
        .skip(1)
        .filter_map(|l| l.split(' ').next())
        .collect();
    assert_eq!(names, ["api", "db"], "{table}");
}

#[test]
fn rm_takes_your_entry_and_its_mirror_and_sends_the_teams_to_the_config() {
    let desk = Desk::new();
    let (db, ops) = (
        Service::new("db", "DB full"),
        Service::new("ops", "Pager storm"),
    );
    desk.ok(&["repos", "add", &db.url()]);
    team_config(&desk, &[("ops", &ops.url())]);

    let (_, err) = desk.ok(&["repos", "rm", "db"]);
    assert!(err.contains("removed db"), "{err}");
    assert!(desk.names().is_empty());
    assert!(!desk.mirror("db").exists(), "the mirror goes with it");

    let err = desk.fails(1, &["repos", "rm", "ops"]);
    assert!(err.contains("team's list"), "{err}");
    let hint = after(&err, "edit the team's config: ");
    assert_eq!(hint, "devops postmortem edit --config");
    let out = desk.paste(&format!("EDITOR=true {hint}"));
    assert!(out.status.success(), "{}", stderr(&out));

    let err = desk.fails(2, &["repos", "rm", "nope"]);
    let out = desk.paste(after(&err, "see the list: "));
    assert!(out.status.success(), "{}", stderr(&out));
}

/// Three repositories: two clones of bare remotes and one mirrored URL.
struct Three {
    desk: Desk,
    api: Service,
    web: Service,
    db: Service,
    api_clone: PathBuf,
    web_clone: PathBuf,
    _src: TempDir,
}

fn three() -> Three {
    let desk = Desk::new();
    let (api, web, db) = (
        Service::new("api", "API down"),
        Service::new("web", "Web slow"),
        Service::new("db", "DB full"),
    );
    let src = tempfile::tempdir().unwrap();
    let api_clone = desk.clone_of(&api, src.path(), "api");
    let web_clone = desk.clone_of(&web, src.path(), "web");
    desk.ok(&["repos", "add", api_clone.to_str().unwrap()]);
    desk.ok(&["repos", "add", web_clone.to_str().unwrap()]);
    desk.ok(&["repos", "add", &db.url()]);
    Three {
        desk,
        api,
        web,
        db,
        api_clone,
        web_clone,
        _src: src,
    }
}

#[test]
fn fetch_all_repos_updates_what_changed_and_touches_nothing_else() {
    let t = three();
    let before = t.api.tip();
    // The person's own work in progress in the clone.
    std::fs::write(t.api_clone.join("wip.rs"), "// mine\n").unwrap();
    std::fs::write(t.api_clone.join("main.rs"), "fn main() { edited }\n").unwrap();
    let mine = theirs(&t.api_clone);
    t.api.push_a_record("API down again");
    let after_tip = t.api.tip();

    let (out, _) = t.desk.ok(&["fetch", "--all-repos"]);
    assert_eq!(
        out,
        format!(
            "api: origin/postmortems updated {}..{} (1 new commit); postmortems fast-forwarded (1 commit)\n\
             web: origin/postmortems up to date\n\
             db: postmortems up to date\n",
            &before[..7],
            &after_tip[..7]
        ),
    );
    assert_eq!(
        git_at(&t.api_clone, &["rev-parse", "postmortems"]),
        after_tip
    );
    assert_eq!(
        git_at(&t.api_clone, &["rev-parse", "origin/postmortems"]),
        after_tip
    );
    assert_eq!(
        theirs(&t.api_clone),
        mine,
        "HEAD, index, work tree, other refs"
    );
    assert_eq!(
        git_at(&t.desk.mirror("db"), &["rev-parse", "postmortems"]),
        t.db.tip()
    );
    // The fetch is when the views say the data is from.
    let (json, _) = t.desk.ok(&["repos", "list", "--json"]);
    let rows: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .all(|r| r["fetched_at"].is_string())
    );
}

#[test]
fn a_checked_out_records_branch_is_left_and_the_printed_sync_settles_it() {
    let t = three();
    // web's records branch is checked out in a linked work tree.
    let wt = t._src.path().join("web-records");
    git_at(
        &t.web_clone,
        &["worktree", "add", "-q", wt.to_str().unwrap(), "postmortems"],
    );
    let left = git_at(&t.web_clone, &["rev-parse", "postmortems"]);
    t.web.push_a_record("Web slow again");
    let (out, _) = t.desk.ok(&["fetch", "--repo", "web", "--repo", "web"]);
    assert_eq!(out.lines().count(), 1, "named twice, fetched once: {out}");
    assert!(out.starts_with("web: origin/postmortems updated"), "{out}");
    assert!(
        out.contains(&format!("postmortems is checked out in {}", wt.display())),
        "{out}"
    );
    assert_eq!(
        git_at(&t.web_clone, &["rev-parse", "postmortems"]),
        left,
        "left alone"
    );
    assert_eq!(git_at(&wt, &["status", "--porcelain"]), "");

    let sync = after(&out, "1 commit behind: ");
    let out = t.desk.paste(sync);
    assert!(out.status.success(), "{sync}: {}", stderr(&out));
    assert_eq!(
        git_at(&t.web_clone, &["rev-parse", "postmortems"]),
        t.web.tip()
    );
    assert_eq!(git_at(&wt, &["status", "--porcelain"]), "");
}

#[test]
fn a_broken_repository_is_named_with_why_and_the_others_are_still_fetched() {
    let t = three();
    std::fs::remove_dir_all(&t.web_clone).unwrap();
    std::fs::write(
        t.api_clone.join(".git/refs/heads/postmortems"),
        "not a commit id\n",
    )
    .unwrap();
    t.db.push_a_record("DB full again");

    let out = t.desk.pm(&["fetch", "--all-repos"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[0].starts_with("api: failed: ") && lines[0].contains("postmortems"),
        "{text}"
    );
    assert_eq!(
        lines[1],
        format!(
            "web: failed: {} does not exist (moved or deleted?)",
            t.web_clone.display()
        )
    );
    assert!(lines[2].starts_with("db: postmortems updated"), "{text}");
    assert_eq!(
        git_at(&t.desk.mirror("db"), &["rev-parse", "postmortems"]),
        t.db.tip()
    );
    assert!(stderr(&out).contains("error: 2 of 3 repositories could not be fetched"));

    let out = t.desk.pm(&["fetch", "--all-repos", "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let rows: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows[0]["result"], "failed");
    assert!(rows[0]["error"].as_str().unwrap().contains("postmortems"));
    assert_eq!(rows[1]["result"], "failed");
    assert_eq!(rows[1]["path"], t.web_clone.to_str().unwrap());
    assert_eq!(rows[2]["name"], "db");
    assert_eq!(rows[2]["result"], "up-to-date");
    assert_eq!(rows[2]["fetched"], "postmortems");
    assert!(rows[2]["error"].is_null() && rows[2]["after"].is_null());
}

#[test]
fn a_mirror_follows_a_force_push_of_the_teams_branch() {
    let t = three();
    t.db.push_a_record("DB full again");
    t.desk.ok(&["fetch", "--repo", "db"]);
    let old = t.db.tip();
    // The team rewrites its records branch: its last record told anew.
    let tm = &t.db.teammate;
    tm.git(&["update-ref", "refs/heads/postmortems", "postmortems~1"]);
    tm.new_record("DB full, told again", &[]);
    tm.git(&["push", "-q", "--force", "origin", "postmortems"]);
    let new = t.db.tip();

    let (out, _) = t.desk.ok(&["fetch", "--repo", "db"]);
    assert_eq!(
        out,
        format!(
            "db: postmortems forced update {}...{} (the team's branch was rewritten; 1 new commit)\n",
            &old[..7],
            &new[..7]
        )
    );
    assert_eq!(
        git_at(&t.desk.mirror("db"), &["rev-parse", "postmortems"]),
        new
    );
}

#[test]
fn a_mirror_left_half_made_is_made_again_never_read_as_empty() {
    let t = three();
    let mirror = t.desk.mirror("db");
    // A killed run's leftovers: an empty folder where the mirror goes and
    // an old partial beside it.
    std::fs::remove_dir_all(&mirror).unwrap();
    std::fs::create_dir_all(&mirror).unwrap();
    let partial = mirror.with_file_name("db.git.partial-x1");
    std::fs::create_dir_all(partial.join("objects")).unwrap();
    git_at(
        partial.parent().unwrap(),
        &["init", "-q", "--bare", partial.to_str().unwrap()],
    );
    let out = std::process::Command::new("touch")
        .args(["-d", "2 hours ago"])
        .arg(&partial)
        .status()
        .unwrap();
    assert!(out.success());

    let (json, _) = t.desk.ok(&["repos", "list", "--json"]);
    let rows: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(rows[2]["branch_found"], false, "not read as fine: {json}");

    let (out, _) = t.desk.ok(&["fetch", "--repo", "db"]);
    assert!(out.starts_with("db: postmortems fetched at"), "{out}");
    assert_eq!(git_at(&mirror, &["rev-parse", "postmortems"]), t.db.tip());
    assert!(!partial.exists(), "the old partial is gone");
}

#[test]
fn plain_fetch_fetches_the_current_repository_alone() {
    let t = three();
    t.api.push_a_record("API down again");
    t.db.push_a_record("DB full again");
    let out = t.desk.pm_in(&t.api_clone, &["fetch"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("api: origin/postmortems updated"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 1);
    assert_ne!(
        git_at(&t.desk.mirror("db"), &["rev-parse", "postmortems"]),
        t.db.tip()
    );
    // No progress line without a terminal.
    assert!(!stderr(&out).contains("fetching"), "{}", stderr(&out));
}

#[test]
fn fetch_of_an_unknown_name_says_the_known_ones() {
    let t = three();
    let err = t.desk.fails(2, &["fetch", "--repo", "nope"]);
    assert!(
        err.contains("--repo nope") && err.contains("api, web, db"),
        "{err}"
    );
    let out = t.desk.paste(after(&err, "see the list: "));
    assert!(
        out.status.success() && stdout(&out).contains("db"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_new_clone_without_the_records_branch_is_said_and_the_printed_fetch_brings_it() {
    let desk = Desk::new();
    let api = Service::new("api", "API down");
    // A single-branch clone: no records branch fetched.
    let src = tempfile::tempdir().unwrap();
    git_at(
        src.path(),
        &[
            "clone",
            "-q",
            "--single-branch",
            "--branch",
            "main",
            api.remote.to_str().unwrap(),
            "api",
        ],
    );
    let clone = src.path().join("api");
    let (_, err) = desk.ok(&["repos", "add", clone.to_str().unwrap()]);
    let hint = after(&err, "if the team has one, `");
    let hint = hint.trim_end_matches("` brings it");
    let out = desk.paste(hint);
    assert!(out.status.success(), "{hint}: {}", stderr(&out));
    assert!(
        stdout(&out).starts_with("api: origin/postmortems fetched at"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        git_at(&clone, &["rev-parse", "origin/postmortems"]),
        api.tip()
    );
}

#[test]
fn a_hostile_team_url_never_reaches_git_as_an_option() {
    let t = three();
    let marker = t._src.path().join("pwned");
    let hostile = format!("-oProxyCommand=touch {}:x", marker.display());
    team_config(&t.desk, &[("evil", &hostile)]);
    let out = t.desk.pm(&["fetch", "--all-repos"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("evil: failed: ") && text.contains("is not a repository URL"),
        "{text}"
    );
    assert!(text.contains("db: postmortems up to date"), "{text}");
    assert!(!marker.exists());
    assert!(!t.desk.mirror("evil").exists());
}

#[test]
fn a_terminal_sees_a_progress_line_then_the_results() {
    let t = three();
    t.api.push_a_record("API down again");
    let mut cmd = std::process::Command::new(devops_bin());
    cmd.current_dir(t.desk.me.path())
        .env_clear()
        .env("PATH", path_with_devops())
        .env("HOME", t.desk.me.home.path())
        .env("XDG_CONFIG_HOME", t.desk.config())
        .env("XDG_CACHE_HOME", t.desk.cache())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("TERM", "xterm")
        .env("NO_COLOR", "1")
        .args(["postmortem", "fetch", "--all-repos"]);
    let mut p = rexpect::session::spawn_command(cmd, Some(20_000)).unwrap();
    p.exp_string("fetching: ").unwrap();
    p.exp_string("api: origin/postmortems updated").unwrap();
    p.exp_string("db: postmortems up to date").unwrap();
    p.exp_eof().unwrap();
}

#[test]
fn a_team_whose_records_branch_has_another_name_is_mirrored_with_branch() {
    let desk = Desk::new();
    let ops = Service::new("ops", "Pager storm");
    ops.teammate
        .git(&["push", "-q", "origin", "postmortems:incidents"]);
    ops.teammate
        .git(&["push", "-q", "origin", "--delete", "postmortems"]);
    let err = desk.fails(1, &["repos", "add", &ops.url()]);
    assert!(err.contains("has no postmortems branch"), "{err}");

    desk.ok(&["repos", "add", &ops.url(), "--branch", "incidents"]);
    assert_eq!(s(&desk.entries()[0], "branch"), "incidents");
    let mirror = desk.mirror("ops");
    assert_eq!(
        git_at(&mirror, &["config", "postmortem.branch"]),
        "incidents"
    );
    assert_eq!(
        git_at(&mirror, &["for-each-ref", "--format=%(refname)"]),
        "refs/heads/incidents"
    );
    let (out, _) = desk.ok(&["fetch", "--repo", "ops"]);
    assert_eq!(out, "ops: incidents up to date\n");
}

/// `GIT_DIR` and `GIT_INDEX_FILE` name the repository the person works
/// in; a repository of the list is found by its path and fetched as
/// itself, and the person's repository and index are left alone.
#[test]
fn the_persons_git_dir_and_index_do_not_redirect_a_listed_repository() {
    let t = three();
    t.api.push_a_record("API down again");
    let mine_dir = t.desk.me.path().join(".git");
    let mine_before = theirs(t.desk.me.path());
    let index = t.desk.me.path().join(".git/index");
    let out = t
        .desk
        .me
        .cmd_in(t.desk.me.path())
        .env("XDG_CONFIG_HOME", t.desk.config())
        .env("XDG_CACHE_HOME", t.desk.cache())
        .env("GIT_DIR", &mine_dir)
        .env("GIT_INDEX_FILE", &index)
        .args(["postmortem", "fetch", "--repo", "api"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("api: origin/postmortems updated"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        git_at(&t.api_clone, &["rev-parse", "postmortems"]),
        t.api.tip()
    );
    assert_eq!(theirs(t.desk.me.path()), mine_before);
    assert!(
        git_at(t.desk.me.path(), &["for-each-ref", "refs/remotes"]).is_empty(),
        "the person's repository got the list's refs"
    );
}
