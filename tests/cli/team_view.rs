//! Issue 26: the team's repositories read as one view. Three repositories:
//! two clones of bare remotes (api, web) and one known by its URL alone,
//! read from a bare mirror (db), listed in the user's repos.toml under a
//! HOME and XDG folders of the test's own. Merged views are checked against
//! each repository's own output, combined here; writes with the git CLI.

use crate::support::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;
use unicode_width::UnicodeWidthStr;

/// The three repositories, and a folder outside all of them.
pub struct Fleet {
    /// Its HOME (and XDG folders) is the person's; its own repository is
    /// not one of the team's.
    pub me: TestRepo,
    pub remotes: tempfile::TempDir,
    pub clones: tempfile::TempDir,
    pub outside: tempfile::TempDir,
    /// IDs made in each repository, in order.
    pub ids: std::collections::BTreeMap<&'static str, Vec<String>>,
}

pub const REPOS: [&str; 3] = ["api", "web", "db"];

impl Fleet {
    pub fn new() -> Fleet {
        let mut fleet = Fleet {
            me: TestRepo::new(),
            remotes: tempfile::tempdir().unwrap(),
            clones: tempfile::tempdir().unwrap(),
            outside: tempfile::tempdir().unwrap(),
            ids: Default::default(),
        };
        for (name, titles) in [
            (
                "api",
                ["API 응답 지연", "Gateway 502s", "Token cache stampede"],
            ),
            ("web", ["결제 페이지 오류", "CDN purge loop", "Font 404"]),
            ("db", ["Replica lag", "디스크 가득 참", "Vacuum stall"]),
        ] {
            let ids = fleet.make(name, &titles);
            fleet.ids.insert(name, ids);
        }
        // db is known by its URL alone: its clone goes, a mirror stays.
        std::fs::remove_dir_all(fleet.clone_dir("db")).unwrap();
        let mirror = fleet.mirror_dir();
        std::fs::create_dir_all(mirror.parent().unwrap()).unwrap();
        fleet.me.git_in(
            fleet.outside.path(),
            &[
                "clone",
                "-q",
                "--bare",
                "--single-branch",
                "--branch",
                "postmortems",
                &fleet.url("db"),
                mirror.to_str().unwrap(),
            ],
        );
        fleet.write_list(&[
            ("api", &format!("path = {:?}", fleet.clone_dir("api"))),
            ("web", &format!("path = {:?}", fleet.clone_dir("web"))),
            ("db", &format!("url = {:?}", fleet.url("db"))),
        ]);
        fleet
    }

    pub fn remote(&self, name: &str) -> PathBuf {
        self.remotes.path().join(format!("{name}.git"))
    }

    pub fn url(&self, name: &str) -> String {
        format!("file://{}", self.remote(name).display())
    }

    pub fn clone_dir(&self, name: &str) -> PathBuf {
        self.clones.path().join(name)
    }

    pub fn mirror_dir(&self) -> PathBuf {
        self.me.home.path().join(".cache/devops/repos/db.git")
    }

    /// A bare remote and a clone of it, records made in the clone (the
    /// first unassigned, the second assigned to Bob with an overdue item,
    /// the third assigned to me) and pushed.
    pub fn make(&self, name: &str, titles: &[&str; 3]) -> Vec<String> {
        let remote = self.remote(name);
        let clone = self.clone_dir(name);
        let git = |dir: &Path, args: &[&str]| self.me.git_in(dir, args);
        git(
            self.remotes.path(),
            &[
                "init",
                "-q",
                "--bare",
                "-b",
                "main",
                remote.to_str().unwrap(),
            ],
        );
        git(
            self.clones.path(),
            &["clone", "-q", &self.url(name), clone.to_str().unwrap()],
        );
        git(&clone, &["config", "user.name", "Alice Kim"]);
        git(&clone, &["config", "user.email", "alice@example.com"]);
        let ids: Vec<String> = titles
            .iter()
            .map(|t| {
                let out = self.ok_in(&clone, &["new", "--title", t, "--severity", "SEV2"]);
                out.trim().to_string()
            })
            .collect();
        self.ok_in(&clone, &["assign", &ids[1], "Bob Lee <bob@example.com>"]);
        self.ok_in(
            &clone,
            &[
                "action",
                "add",
                &ids[1],
                "Add an alert",
                "--due",
                "2026-11-20",
            ],
        );
        self.ok_in(&clone, &["assign", &ids[2], "me"]);
        git(&clone, &["push", "-q", "origin", "postmortems"]);
        git(&clone, &["fetch", "-q"]);
        ids
    }

    pub fn write_list(&self, entries: &[(&str, &str)]) {
        let text: String = entries
            .iter()
            .map(|(name, place)| format!("[[repo]]\nname = {name:?}\n{place}\n\n"))
            .collect();
        let dir = self.me.home.path().join(".config/devops");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("repos.toml"), text).unwrap();
    }

    /// `devops postmortem ARGS` in `dir`, the XDG folders under the test's
    /// HOME said outright.
    pub fn pm_in(&self, dir: &Path, args: &[&str]) -> Output {
        let home = self.me.home.path();
        self.me
            .cmd_in(dir)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_CACHE_HOME", home.join(".cache"))
            .arg("postmortem")
            .args(args)
            .output()
            .unwrap()
    }

    pub fn ok_in(&self, dir: &Path, args: &[&str]) -> String {
        let out = self.pm_in(dir, args);
        assert!(
            out.status.success(),
            "{args:?} in {}: {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Where each repository is read on its own.
    pub fn home_of(&self, name: &str) -> PathBuf {
        if name == "db" {
            self.mirror_dir()
        } else {
            self.clone_dir(name)
        }
    }

    pub fn json_in(&self, dir: &Path, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok_in(dir, args)).unwrap()
    }

    pub fn log(&self, dir: &Path) -> String {
        self.me.git_in(dir, &["log", "--format=%s", "postmortems"])
    }
}

/// `value` with `"repo": name` added, as merged views tag each item.
fn tagged(mut value: Value, name: &str) -> Value {
    value
        .as_object_mut()
        .unwrap()
        .insert("repo".into(), name.into());
    value
}

/// A list's items as sorted JSON text, to compare as sets.
fn as_set(items: impl IntoIterator<Item = Value>) -> Vec<String> {
    let mut all: Vec<String> = items.into_iter().map(|v| v.to_string()).collect();
    all.sort();
    all
}

const SECTIONS: [&str; 10] = [
    "unassigned",
    "awaiting_review",
    "changes_requested",
    "ready_to_close",
    "past_review_deadline",
    "stale",
    "actions_overdue",
    "actions_due_soon",
    "no_user_education",
    "closed_since",
];

/// (assignee, item) pairs of `in_analysis`.
fn in_analysis(t: &Value, repo: Option<&str>) -> Vec<String> {
    as_set(t["in_analysis"].as_array().unwrap().iter().flat_map(|g| {
        g["records"].as_array().unwrap().iter().map(|r| {
            let r = repo.map_or(r.clone(), |n| tagged(r.clone(), n));
            serde_json::json!([g["assignee"], r])
        })
    }))
}

#[test]
fn merged_triage_and_stats_equal_each_repositorys_own_combined() {
    let fleet = Fleet::new();
    let merged = fleet.json_in(fleet.outside.path(), &["triage", "--all-repos", "--json"]);
    let alone: Vec<(&str, Value)> = REPOS
        .iter()
        .map(|n| (*n, fleet.json_in(&fleet.home_of(n), &["triage", "--json"])))
        .collect();
    for section in SECTIONS {
        let combined = as_set(alone.iter().flat_map(|(name, t)| {
            t[section]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| tagged(v.clone(), name))
                .collect::<Vec<_>>()
        }));
        assert_eq!(
            as_set(merged[section].as_array().unwrap().iter().cloned()),
            combined,
            "{section}"
        );
    }
    let combined: Vec<String> = as_set(
        alone
            .iter()
            .flat_map(|(name, t)| in_analysis(t, Some(name)))
            .map(|s| serde_json::from_str(&s).unwrap()),
    );
    assert_eq!(in_analysis(&merged, None), combined);
    // The fixture's known answers: one unassigned record and one overdue
    // item per repository.
    assert_eq!(merged["unassigned"].as_array().unwrap().len(), 3);
    assert_eq!(merged["actions_overdue"].as_array().unwrap().len(), 3);
    let names: Vec<&str> = merged["repos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, REPOS);
    assert_eq!(merged["failed"], serde_json::json!([]));

    let stats = fleet.json_in(fleet.outside.path(), &["stats", "--all-repos", "--json"]);
    let mut records = 0;
    for (i, name) in REPOS.iter().enumerate() {
        let own = fleet.json_in(&fleet.home_of(name), &["stats", "--json"]);
        records += own["records"].as_u64().unwrap();
        assert_eq!(
            stats["repos"][i],
            tagged(own, name),
            "{name}'s figures whole"
        );
    }
    assert_eq!(records, 9);
    assert_eq!(stats["total"]["records"], 9);
    assert_eq!(stats["total"]["action_items"]["overdue"], 3);
    assert!(
        stats["total"].get("ttr").is_none(),
        "no median across teams"
    );
}

#[test]
fn mine_across_repositories_is_the_same_person_everywhere() {
    let fleet = Fleet::new();
    let merged = fleet.json_in(
        fleet.outside.path(),
        &["triage", "--all-repos", "--mine", "--json"],
    );
    let mine = in_analysis(&merged, None);
    assert_eq!(mine.len(), 3, "{mine:?}");
    for (name, ids) in &fleet.ids {
        assert!(
            mine.iter().any(|m| m.contains(&ids[2]) && m.contains(name)),
            "{name}: {mine:?}"
        );
    }
    let listed: Value = fleet.json_in(
        fleet.outside.path(),
        &["list", "--all-repos", "--mine", "--json"],
    );
    let listed: Vec<(&str, &str)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["repo"].as_str().unwrap(), r["id"].as_str().unwrap()))
        .collect();
    assert_eq!(listed.len(), 3, "{listed:?}");
    assert!(listed.iter().all(|(repo, id)| fleet.ids[repo][2] == *id));
}

#[test]
fn the_table_shows_qualified_ids_and_each_repositorys_freshness() {
    let fleet = Fleet::new();
    let out = fleet.pm_in(fleet.outside.path(), &["list", "--all-repos"]);
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    for (name, ids) in &fleet.ids {
        let short = &ids[0][12..16];
        assert!(table.contains(&format!("{name}:{short}")), "{table}");
    }
    // Each clone fetched; the mirror cloned, never fetched since (which
    // a clone's own time may count as fetched).
    let data = stderr.lines().find(|l| l.starts_with("data: ")).unwrap();
    assert!(data.contains("api fetched"), "{data}");
    assert!(data.contains("web fetched"), "{data}");
    assert!(
        data.contains("db never fetched") || data.contains("db fetched"),
        "{data}"
    );
    // A qualified ID from the table runs where it names.
    let id = format!("web:{}", &fleet.ids["web"][0][12..16]);
    let shown = fleet.ok_in(fleet.outside.path(), &["show", &id]);
    assert!(shown.contains("결제 페이지 오류"), "{shown}");
}

#[test]
fn a_broken_repository_is_named_and_the_others_shown() {
    let fleet = Fleet::new();
    let gone = fleet.clones.path().join("gone");
    fleet.write_list(&[
        ("api", &format!("path = {:?}", fleet.clone_dir("api"))),
        ("web", &format!("path = {:?}", fleet.clone_dir("web"))),
        ("db", &format!("url = {:?}", fleet.url("db"))),
        ("gone", &format!("path = {gone:?}")),
    ]);
    // web's records branch points nowhere.
    std::fs::write(
        fleet.clone_dir("web").join(".git/refs/heads/postmortems"),
        "0123456789012345678901234567890123456789\n",
    )
    .unwrap();
    let out = fleet.pm_in(fleet.outside.path(), &["triage", "--all-repos"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stderr.contains(&format!("gone not read: {} does not exist", gone.display())),
        "{stderr}"
    );
    assert!(stderr.contains("web not read: "), "{stderr}");
    assert!(
        stdout.contains("api:") && stdout.contains("db:"),
        "{stdout}"
    );
    assert!(!stdout.contains("web:"), "{stdout}");

    let json = fleet.json_in(fleet.outside.path(), &["triage", "--all-repos", "--json"]);
    let failed: Vec<&str> = json["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["web", "gone"]);
    assert!(json["failed"][0]["why"].as_str().unwrap().len() > 5);
}

#[test]
fn when_no_repository_reads_the_view_fails_naming_each() {
    let fleet = Fleet::new();
    fleet.write_list(&[("gone", "path = \"/nonexistent/gone\"")]);
    let out = fleet.pm_in(fleet.outside.path(), &["list", "--all-repos"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with("error: none of the 1 repositories could be read"),
        "{stderr}"
    );
    assert!(
        stderr.contains("gone: /nonexistent/gone does not exist"),
        "{stderr}"
    );
}

#[test]
fn an_unknown_repository_is_one_line_naming_the_known_ones() {
    let fleet = Fleet::new();
    for args in [&["triage", "--repo", "pay"][..], &["show", "pay:k7x3"][..]] {
        let out = fleet.pm_in(fleet.outside.path(), args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(
            stderr.trim_end(),
            "error: no repository named 'pay': known: api, web, db",
            "{args:?}"
        );
    }
}

#[test]
fn a_qualified_id_in_a_write_lands_in_its_repository_and_nowhere_else() {
    let fleet = Fleet::new();
    let before: Vec<String> = ["api", "web"]
        .iter()
        .map(|n| fleet.log(&fleet.clone_dir(n)))
        .collect();
    let mirror_before = fleet.log(&fleet.mirror_dir());
    let id = &fleet.ids["web"][0];
    let short = format!("web:{}", &id[12..16]);
    // From inside api's clone: the command goes to web.
    fleet.ok_in(
        &fleet.clone_dir("api"),
        &["assign", &short, "Carol Park <carol@example.com>"],
    );
    fleet.ok_in(
        fleet.outside.path(),
        &[
            "action",
            "add",
            &short,
            "Check the payment page",
            "--due",
            "+7d",
        ],
    );
    let item = format!("web:{}#1", &id[12..16]);
    fleet.ok_in(fleet.outside.path(), &["action", "done", &item]);

    let web_log = fleet.log(&fleet.clone_dir("web"));
    let new: Vec<&str> = web_log
        .lines()
        .take(web_log.lines().count() - before[1].lines().count())
        .collect();
    assert_eq!(new.len(), 3, "{web_log}");
    assert!(new.iter().all(|s| s.contains(id.as_str())), "{new:?}");
    assert!(new[2].starts_with("postmortem: assign"), "{new:?}");
    let record = fleet.me.git_in(
        &fleet.clone_dir("web"),
        &["show", &format!("postmortems:{}", record_path(id))],
    );
    assert!(record.contains("Carol Park"), "{record}");
    assert_eq!(
        fleet.log(&fleet.clone_dir("api")),
        before[0],
        "api untouched"
    );
    assert_eq!(
        fleet.log(&fleet.mirror_dir()),
        mirror_before,
        "db untouched"
    );
    // The person's own repository (not one of the team's) too.
    assert_eq!(fleet.me.git(&["branch", "--list", "postmortems"]), "");
}

/// `postmortems/YYYY/MM/ID.toml`.
fn record_path(id: &str) -> String {
    format!("postmortems/{}/{}/{id}.toml", &id[3..7], &id[7..9])
}

#[test]
fn a_write_to_a_mirror_is_refused_and_its_hint_clones_it() {
    let fleet = Fleet::new();
    let before = fleet.log(&fleet.mirror_dir());
    let id = format!("db:{}", &fleet.ids["db"][0][12..16]);
    let out = fleet.pm_in(fleet.outside.path(), &["assign", &id, "bob"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with("error: db is read here from a mirror of"),
        "{stderr}"
    );
    assert_eq!(fleet.log(&fleet.mirror_dir()), before, "nothing written");
    // Reading it is fine.
    let shown = fleet.ok_in(fleet.outside.path(), &["show", &id]);
    assert!(shown.contains("Replica lag"), "{shown}");
    // The hint, pasted whole, puts a clone in the mirror's place (the
    // list's entry named the URL: `repos rm` first), and the same
    // qualified write then lands in that clone's records branch.
    let hint = stderr
        .lines()
        .find_map(|l| l.split_once("run the command again: "))
        .map(|(_, line)| line)
        .expect("a clone in the hint");
    let pasted = fleet
        .me
        .sh(&format!("cd {:?} && {hint}", fleet.outside.path()));
    assert!(
        pasted.status.success(),
        "{hint}: {}",
        String::from_utf8_lossy(&pasted.stderr)
    );
    let cloned = fleet.outside.path().join("db");
    let shown = fleet
        .me
        .git_in(&cloned, &["log", "--format=%s", "origin/postmortems"]);
    assert!(shown.contains(&fleet.ids["db"][0]), "{shown}");
    // A fresh clone: the person's identity is set in it, as in their own.
    fleet
        .me
        .git_in(&cloned, &["config", "user.name", "Alice Kim"]);
    fleet
        .me
        .git_in(&cloned, &["config", "user.email", "alice@example.com"]);
    let out = fleet.pm_in(fleet.outside.path(), &["assign", &id, "bob"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let subjects = fleet
        .me
        .git_in(&cloned, &["log", "--format=%s", "postmortems"]);
    assert!(
        subjects.lines().next().unwrap().contains("to bob"),
        "{subjects}"
    );
}

#[test]
fn hangul_repository_names_and_titles_align_in_the_merged_table() {
    let fleet = Fleet::new();
    fleet.write_list(&[
        ("api", &format!("path = {:?}", fleet.clone_dir("api"))),
        ("결제", &format!("path = {:?}", fleet.clone_dir("web"))),
    ]);
    let table = fleet.ok_in(fleet.outside.path(), &["list", "--all-repos"]);
    assert!(table.contains("결제:"), "{table}");
    let starts: Vec<usize> = table
        .lines()
        .map(|l| {
            let at = l.find("SEV2").or_else(|| l.find("SEV")).unwrap();
            l[..at].width()
        })
        .collect();
    assert!(starts.windows(2).all(|w| w[0] == w[1]), "{table}");
    let titles: Vec<usize> = table
        .lines()
        .skip(1)
        .map(|l| {
            let title = ["API", "Gateway", "Token", "결제 페이지", "CDN", "Font"]
                .iter()
                .find_map(|t| l.find(t))
                .unwrap();
            l[..title].width()
        })
        .collect();
    assert!(titles.windows(2).all(|w| w[0] == w[1]), "{table}");
}

#[test]
fn the_wall_page_across_repositories_labels_rows_and_names_the_failed() {
    let fleet = Fleet::new();
    fleet.write_list(&[
        ("api", &format!("path = {:?}", fleet.clone_dir("api"))),
        ("web", &format!("path = {:?}", fleet.clone_dir("web"))),
        ("db", &format!("url = {:?}", fleet.url("db"))),
        ("gone", "path = \"/nonexistent/gone\""),
    ]);
    let html = fleet.ok_in(fleet.outside.path(), &["report", "--all-repos", "-o", "-"]);
    for (name, ids) in &fleet.ids {
        assert!(html.contains(&format!("data-repo=\"{name}\"")), "{name}");
        // Every open record, its ID qualified, its repository named.
        for id in ids {
            let row = format!("data-id=\"{name}:{}\"", &id[12..16]);
            assert!(html.contains(&row), "{row}");
        }
    }
    assert!(
        html.contains("data-failed=\"gone\""),
        "the failed one named"
    );
    assert!(html.contains("gone not read: "), "why it failed");
    // Counts over all three; no median across them.
    assert!(html.contains("data-stat=\"open\">9<"), "nine open");
    assert!(html.contains("data-stat=\"action_items.overdue\">3<"));

    let mut cmd = fleet.me.std_cmd_in(fleet.outside.path());
    let home = fleet.me.home.path();
    cmd.env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_CACHE_HOME", home.join(".cache"));
    let served = crate::serve::Served::start_cmd(cmd, &["--all-repos"]);
    let page = served.get("/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("data-failed=\"gone\""));
    for (path, args) in [
        ("/api/triage", ["triage", "--all-repos", "--json"]),
        ("/api/stats", ["stats", "--all-repos", "--json"]),
    ] {
        let answer = served.get(path);
        assert_eq!(answer.status, 200, "{path}");
        let served: Value = serde_json::from_str(&answer.body).unwrap();
        assert_eq!(served, fleet.json_in(fleet.outside.path(), &args), "{path}");
    }
    // A record made in one repository shows without a restart.
    let id = fleet
        .ok_in(&fleet.clone_dir("web"), &["new", "--title", "Cart 500s"])
        .trim()
        .to_string();
    let qualified = format!("web:{}", &id[12..16]);
    served.wait_for("/", "the new record", |a| a.body.contains(&qualified));
}

#[test]
#[ignore = "needs headless Chromium; .ci/run installs it and runs the ignored tests"]
fn the_wall_across_repositories_fits_tv_and_phone_screens() {
    let fleet = Fleet::new();
    fleet.write_list(&[
        ("api", &format!("path = {:?}", fleet.clone_dir("api"))),
        ("web", &format!("path = {:?}", fleet.clone_dir("web"))),
        ("db", &format!("url = {:?}", fleet.url("db"))),
        ("gone", "path = \"/nonexistent/gone\""),
    ]);
    let mut cmd = fleet.me.std_cmd_in(fleet.outside.path());
    let home = fleet.me.home.path();
    cmd.env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_CACHE_HOME", home.join(".cache"));
    let served = crate::serve::Served::start_cmd(cmd, &["--all-repos"]);
    let open: Vec<String> = fleet
        .ids
        .iter()
        .flat_map(|(name, ids)| ids.iter().map(move |id| format!("{name}:{}", &id[12..16])))
        .collect();
    for (w, h) in [(1920, 1080), (1280, 720), (390, 844)] {
        let mut browser = crate::wall_browser::Browser::open(&served.url("/"), w, h);
        browser.screen(w, h);
        let page = browser.eval(crate::wall_browser::MEASURE);
        let at = format!("{w}×{h}");
        assert_eq!(page["problems"], serde_json::json!([]), "{at}");
        assert_eq!(
            page["small"],
            serde_json::json!([]),
            "{at}: text under 18 px"
        );
        let rows: Vec<String> =
            serde_json::from_value(page["tables"]["open"]["rows"].clone()).unwrap();
        let more = page["tables"]["open"]["more"].as_u64().unwrap() as usize;
        assert!(rows.iter().all(|r| open.contains(r)), "{at}: {rows:?}");
        assert_eq!(
            rows.len() + more,
            open.len(),
            "{at}: {rows:?} and {more} more"
        );
        let text = page["text"].as_str().unwrap();
        assert!(text.contains("gone not read"), "{at}: the failed one named");
        assert!(text.contains("api fetched"), "{at}: freshness");
    }
}

#[test]
fn every_read_takes_all_repos_and_tags_what_it_shows() {
    let fleet = Fleet::new();
    let outside = fleet.outside.path();
    // list: the union of each repository's own list, each tagged.
    let merged = fleet.json_in(outside, &["list", "--all-repos", "--json"]);
    let combined = as_set(REPOS.iter().flat_map(|n| {
        let own = fleet.json_in(&fleet.home_of(n), &["list", "--json"]);
        own.as_array()
            .unwrap()
            .iter()
            .map(|r| tagged(r.clone(), n))
            .collect::<Vec<_>>()
    }));
    assert_eq!(as_set(merged.as_array().unwrap().iter().cloned()), combined);
    // --repo picks, in the list's order.
    let some = fleet.json_in(
        outside,
        &["list", "--repo", "db", "--repo", "api", "--json"],
    );
    let repos: std::collections::BTreeSet<&str> = some
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["repo"].as_str().unwrap())
        .collect();
    assert_eq!(repos.into_iter().collect::<Vec<_>>(), ["api", "db"]);
    // search, export, log: something of every repository, tagged.
    for args in [
        &["search", "alert", "--all-repos", "--json"][..],
        &["export", "--all-repos", "--json"][..],
        &["log", "--all-repos", "--json"][..],
    ] {
        let found = fleet.json_in(outside, args);
        let repos: std::collections::BTreeSet<&str> = found
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["repo"].as_str().unwrap())
            .collect();
        assert_eq!(repos.len(), 3, "{args:?}: {repos:?}");
    }
    let export = fleet.json_in(outside, &["export", "--all-repos", "--json"]);
    assert_eq!(export.as_array().unwrap().len(), 9);
    // related: a record against the others' records, named with theirs.
    let id = format!("api:{}", &fleet.ids["api"][0][12..16]);
    let out = fleet.pm_in(outside, &["related", &id, "--all-repos", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let related: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        related
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["repo"].is_string())
    );
}

/// `stats --all-repos` ends a repository's part with where to look
/// (`Alike: devops postmortem related ID`): the ID is qualified, so the
/// line works pasted where the stats were printed, outside every clone.
#[test]
fn the_alike_hint_of_each_repository_works_pasted_outside_it() {
    let fleet = Fleet::new();
    let api = fleet.clone_dir("api");
    for title in ["Checkout 500s", "Checkout timeouts"] {
        fleet.ok_in(
            &api,
            &[
                "new",
                "--title",
                title,
                "--severity",
                "SEV2",
                "--service",
                "checkout",
            ],
        );
    }
    let text = fleet.ok_in(fleet.outside.path(), &["stats", "--all-repos"]);
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("Alike: "))
        .unwrap_or_else(|| panic!("no Alike line:\n{text}"));
    assert!(line.contains(" related api:PM-"), "{line}");
    let pasted = fleet
        .me
        .sh(&format!("cd {:?} && {line}", fleet.outside.path()));
    // It ran in api and found the record (related's answer names it).
    let id = line.rsplit("api:").next().unwrap().trim();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&pasted.stdout),
        String::from_utf8_lossy(&pasted.stderr)
    );
    assert!(pasted.status.success(), "{line}: {said}");
    assert!(said.contains(id), "{line}: {said}");
}
