//! Hostile tests of the team's repositories (issue 26): each one a way
//! found to break a promise of `repos`, `fetch`, `--all-repos` or a
//! qualified ID, driven through the real binary on `team_view`'s fleet
//! (api and web: clones of bare remotes; db: a bare mirror of its URL).

use crate::team_view::Fleet;
use std::path::Path;

/// `api:k7x3`: the short form of the fleet's `n`th record of `repo`.
fn short(fleet: &Fleet, repo: &str, n: usize) -> String {
    format!("{repo}:{}", &fleet.ids[repo][n][12..16])
}

fn err(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The command in the hint line that says `says`: what follows `after`,
/// up to the first `, ` (a list of commands in parentheses).
fn hinted(stderr: &str, says: &str, after: &str) -> String {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("hint:") && l.contains(says))
        .unwrap_or_else(|| panic!("no hint with {says:?}: {stderr}"));
    let from = line.find(after).unwrap() + after.len();
    let rest = &line[from..];
    rest.split_once(", ")
        .map_or(rest, |(first, _)| first)
        .trim_end_matches(')')
        .to_string()
}

/// A command line run by a shell in `dir`, as a person pastes it, with the
/// fleet's HOME and XDG folders.
fn paste(fleet: &Fleet, dir: &Path, line: &str) -> std::process::Output {
    let home = fleet.me.home.path();
    fleet.me.sh(&format!(
        "export XDG_CONFIG_HOME={:?} XDG_CACHE_HOME={:?}; cd {:?} && {line}",
        home.join(".config"),
        home.join(".cache"),
        dir
    ))
}

#[test]
fn a_write_inside_a_mirror_is_refused_and_sync_there_drops_nothing() {
    let fleet = Fleet::new();
    let mirror = fleet.mirror_dir();
    let before = fleet.log(&mirror);
    let id = &fleet.ids["db"][0];
    // The person's identity, as their global git config would give it.
    fleet
        .me
        .git_in(&mirror, &["config", "user.name", "Alice Kim"]);
    fleet
        .me
        .git_in(&mirror, &["config", "user.email", "alice@example.com"]);
    // Standing in the mirror itself.
    let out = fleet.pm_in(&mirror, &["assign", id, "bob"]);
    assert_eq!(out.status.code(), Some(1), "{}", err(&out));
    assert!(err(&out).contains("mirror"), "{}", err(&out));
    assert_eq!(fleet.log(&mirror), before, "nothing written");
    let out = fleet.pm_in(&mirror, &["sync"]);
    assert_eq!(out.status.code(), Some(1), "{}", err(&out));
    assert_eq!(fleet.log(&mirror), before, "sync dropped nothing");
    // Listed by its path under another name: still the mirror.
    fleet.write_list(&[("dbm", &format!("path = {mirror:?}"))]);
    let out = fleet.pm_in(
        fleet.outside.path(),
        &["assign", &format!("dbm:{}", &id[12..16]), "bob"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", err(&out));
    assert_eq!(fleet.log(&mirror), before, "nothing written");
    // Reading it stays fine.
    let shown = fleet.ok_in(&mirror, &["show", id]);
    assert!(shown.contains("Replica lag"), "{shown}");
}

#[test]
fn two_entries_of_one_name_are_refused_naming_the_file() {
    let fleet = Fleet::new();
    fleet.write_list(&[
        ("api", &format!("path = {:?}", fleet.clone_dir("api"))),
        ("api", &format!("path = {:?}", fleet.clone_dir("web"))),
    ]);
    for args in [
        &["list", "--all-repos"][..],
        &["show", &short(&fleet, "web", 0)],
        &["repos", "list"],
    ] {
        let out = fleet.pm_in(fleet.outside.path(), args);
        let stderr = err(&out);
        assert_ne!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(
            stderr.contains("repos.toml") && stderr.contains("\"api\""),
            "{args:?}: {stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}

#[test]
fn free_text_equal_to_the_qualified_id_stays_as_typed() {
    let fleet = Fleet::new();
    let id = short(&fleet, "api", 0);
    fleet.ok_in(fleet.outside.path(), &["action", "add", &id, &id]);
    let full = &fleet.ids["api"][0];
    let record = fleet.me.git_in(
        &fleet.clone_dir("api"),
        &[
            "show",
            &format!(
                "postmortems:postmortems/{}/{}/{full}.toml",
                &full[3..7],
                &full[7..9]
            ),
        ],
    );
    let item: toml::Table = toml::from_str(&record).unwrap();
    let action = &item["action_items"].as_array().unwrap()[0];
    assert_eq!(action["text"].as_str(), Some(id.as_str()), "{record}");
}

#[test]
fn hints_after_a_qualified_id_work_pasted_where_it_was_typed() {
    let fleet = Fleet::new();
    let api = fleet.clone_dir("api");
    let before = fleet.log(&api);
    // An unknown record of api: the hint lists api's records.
    let out = fleet.pm_in(fleet.outside.path(), &["assign", "api:zzzz", "bob"]);
    assert_eq!(out.status.code(), Some(1), "{}", err(&out));
    let line = hinted(&err(&out), "the IDs: ", "the IDs: ");
    let listed = paste(&fleet, fleet.outside.path(), &line);
    assert!(listed.status.success(), "{line}: {}", err(&listed));
    let text = String::from_utf8_lossy(&listed.stdout);
    assert!(text.contains("Gateway 502s"), "{line}: {text}");
    // Closing with an open action item: its `action done` hint, pasted
    // where the close was typed, marks it done in api.
    let id = short(&fleet, "api", 1);
    let out = fleet.pm_in(fleet.outside.path(), &["close", &id]);
    assert_eq!(out.status.code(), Some(1), "{}", err(&out));
    let line = hinted(&err(&out), "action done", "(");
    assert!(line.contains("action done"), "{line}");
    let done = paste(&fleet, fleet.outside.path(), &line);
    assert!(done.status.success(), "{line}: {}", err(&done));
    let log = fleet.log(&api);
    assert_eq!(log.lines().count(), before.lines().count() + 1, "{log}");
    assert!(log.lines().next().unwrap().contains("action"), "{log}");
    assert_eq!(fleet.me.git(&["branch", "--list", "postmortems"]), "");
}

#[test]
fn a_team_url_runs_no_command_even_where_git_allows_every_protocol() {
    let fleet = Fleet::new();
    let marker = fleet.outside.path().join("pwned");
    // The person allows every protocol for their own fetches.
    std::fs::write(
        fleet.me.home.path().join(".gitconfig"),
        "[protocol]\n\tallow = always\n",
    )
    .unwrap();
    // Anyone who writes the records config writes the team's list.
    fleet.me.commit_on_records_branch(
        "postmortems/config.toml",
        &format!(
            "[team]\nrepos = [{{ name = \"evil\", url = \"ext::sh -c touch% {}\" }}]\n",
            marker.display()
        ),
        "team repos",
    );
    let out = fleet.pm_in(fleet.me.path(), &["fetch", "--all-repos"]);
    assert_eq!(out.status.code(), Some(1), "{}", err(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("evil: failed: "), "{text}");
    assert!(text.contains("db: postmortems up to date"), "{text}");
    assert!(!marker.exists(), "the team's URL ran a command");
}

#[test]
fn a_listed_path_that_is_a_file_is_named_as_one_and_the_rest_shown() {
    let fleet = Fleet::new();
    let file = fleet.outside.path().join("api.toml");
    std::fs::write(&file, "not a repository\n").unwrap();
    fleet.write_list(&[
        ("api", &format!("path = {file:?}")),
        ("web", &format!("path = {:?}", fleet.clone_dir("web"))),
    ]);
    let out = fleet.pm_in(fleet.outside.path(), &["list", "--all-repos"]);
    let stderr = err(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "api not read: {} is a file, not a repository's folder",
            file.display()
        )),
        "{stderr}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("CDN purge loop"));
}

#[test]
fn rm_killed_while_deleting_the_mirror_leaves_none_half_there() {
    let fleet = Fleet::new();
    let mirror = fleet.mirror_dir();
    // Killed once the mirror is set aside, its files not all deleted.
    let home = fleet.me.home.path();
    let out = fleet
        .me
        .cmd_in(fleet.outside.path())
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("DEVOPS_PM_TEST_POINT", "mirror-set-aside")
        .args(["postmortem", "repos", "rm", "db"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), None, "killed: {}", err(&out));
    assert!(!mirror.exists(), "nothing at the mirror's place");
    // Added again: a whole mirror, every record read.
    fleet.ok_in(fleet.outside.path(), &["repos", "add", &fleet.url("db")]);
    let listed = fleet.json_in(fleet.outside.path(), &["list", "--repo", "db", "--json"]);
    assert_eq!(listed.as_array().unwrap().len(), 3, "{listed}");
}

#[test]
fn a_team_entry_left_out_is_said_never_dropped_silently() {
    let fleet = Fleet::new();
    let other = fleet.url("api").replace("api.git", "other.git");
    fleet.me.commit_on_records_branch(
        "postmortems/config.toml",
        &format!(
            "[team]\nrepos = [{:?}, {{ name = \"a b\", url = {:?} }}, {{ name = \"api\", url = {other:?} }}, {{ name = \"x y\", url = {:?} }}]\n",
            format!("{}?v=1", fleet.url("web")),
            fleet.url("web").replace("web.git", "ops.git"),
            fleet.url("db"),
        ),
        "team repos",
    );
    for args in [&["repos", "list"][..], &["list", "--all-repos"]] {
        let out = fleet.pm_in(fleet.me.path(), args);
        let stderr = err(&out);
        assert!(out.status.success(), "{args:?}: {stderr}");
        let warned: Vec<&str> = stderr
            .lines()
            .filter(|l| l.starts_with("warning: the team's"))
            .collect();
        assert_eq!(warned.len(), 3, "{args:?}: {stderr}");
        assert!(warned[0].contains("\"web.git?v=1\" is not a repository name"));
        assert!(warned[1].contains("\"a b\" is not a repository name"));
        assert!(
            warned[2].contains("other.git is not read: your list gives the name api"),
            "{stderr}"
        );
    }
}

#[test]
fn a_mirror_is_not_added_as_a_clone() {
    let fleet = Fleet::new();
    let before =
        std::fs::read_to_string(fleet.me.home.path().join(".config/devops/repos.toml")).unwrap();
    let mirror = fleet.mirror_dir();
    let out = fleet.pm_in(
        fleet.outside.path(),
        &["repos", "add", mirror.to_str().unwrap(), "--name", "dbm"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", err(&out));
    assert!(err(&out).contains("is a mirror"), "{}", err(&out));
    let after =
        std::fs::read_to_string(fleet.me.home.path().join(".config/devops/repos.toml")).unwrap();
    assert_eq!(before, after, "nothing written");
}

#[test]
fn a_mirror_of_another_url_at_the_names_place_is_made_anew_not_read() {
    let fleet = Fleet::new();
    // Another team's records, on a branch of another name.
    let other = fleet.outside.path().join("other.git");
    fleet.me.git_in(
        fleet.outside.path(),
        &["init", "-q", "--bare", other.to_str().unwrap()],
    );
    fleet.me.git_in(
        &fleet.clone_dir("api"),
        &[
            "push",
            "-q",
            other.to_str().unwrap(),
            "postmortems:incidents",
        ],
    );
    // db's mirror stands at the name's place; the list now names the
    // other URL under that name.
    fleet.write_list(&[(
        "db",
        &format!(
            "url = {:?}\nbranch = \"incidents\"",
            format!("file://{}", other.display())
        ),
    )]);
    fleet.ok_in(fleet.outside.path(), &["fetch", "--repo", "db"]);
    let listed = fleet.json_in(fleet.outside.path(), &["list", "--repo", "db", "--json"]);
    let titles: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["title"].as_str().unwrap())
        .collect();
    assert!(titles.contains(&"Gateway 502s"), "{titles:?}");
    assert!(!titles.contains(&"Replica lag"), "{titles:?}");
}
