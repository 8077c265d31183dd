//! Issue 23: what used to slip through without a word. Two post-mortems of
//! one PagerDuty incident from two clones; files under the records folder
//! that are not records; fix trailers that name nothing. Each is checked
//! with the git CLI and an independent parse, and every printed command is
//! run as pasted.

use crate::support::*;
use crate::team::*;

fn fixture(name: &str) -> String {
    format!(
        "{}/tests/fixtures/import/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// The command a message line gives after `marker`, to paste.
fn command_after(text: &str, marker: &str) -> String {
    text.lines()
        .find_map(|l| l.split_once(marker).map(|(_, c)| c.trim().to_string()))
        .unwrap_or_else(|| panic!("no '{marker}' in: {text}"))
}

fn json_of(out: &str) -> serde_json::Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

#[test]
fn one_pagerduty_incident_made_in_two_clones_is_said_by_sync_check_and_related() {
    let t = team();
    let incident = fixture("pagerduty_incident.json");
    let older = t.alice.ok(&["new", "--from", "pagerduty", &incident]);
    let older = older.trim();
    // Bob, paged too, a few minutes later and before any sync.
    let newer = t.bob.ok_at(
        "2026-11-24T10:05:00+09:00",
        &["new", "--from", "pagerduty", &incident],
    );
    let newer = newer.trim();
    t.alice.ok(&["sync"]);
    let synced = t.bob.pm(&["sync"]);
    assert!(synced.status.success(), "{}", stderr(&synced));
    let said = stderr(&synced);
    let (older_path, newer_path) = (t.bob.record_path(older), t.bob.record_path(newer));
    let line = said
        .lines()
        .find(|l| l.starts_with("warning:") && l.contains("pagerduty:PT4KHLK"))
        .unwrap_or_else(|| panic!("sync said nothing of the duplicate: {said}"));
    assert!(
        line.contains(&older_path) && line.contains(&newer_path),
        "{line}"
    );
    // Both records are on the branch, each with the tag (git's own view).
    for id in [older, newer] {
        let tags = t.bob.record(id)["tags"].as_array().unwrap().clone();
        assert!(tags.iter().any(|v| v.as_str() == Some("pagerduty:PT4KHLK")));
    }

    // check: an error at the newer one's tag, naming both files.
    let err = t.bob.fails(1, &["check"]);
    let out = stdout(&t.bob.pm(&["check"]));
    let finding = out
        .lines()
        .find(|l| l.contains("error[duplicate-source]"))
        .unwrap_or_else(|| panic!("no duplicate-source finding: {out}{err}"));
    let tag_line = t
        .bob
        .show(&newer_path)
        .lines()
        .position(|l| l.contains("\"pagerduty:PT4KHLK\""))
        .unwrap()
        + 1;
    assert!(
        finding.starts_with(&format!("{newer_path}:{tag_line}: ")),
        "{finding}"
    );
    assert!(finding.contains(&older_path), "{finding}");

    // related sees each from the other, either way in time.
    for (from, to) in [(older, newer), (newer, older)] {
        let json = json_of(&t.bob.ok(&["related", from, "--json"]));
        let found = json
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == to)
            .unwrap_or_else(|| panic!("related {from} misses {to}: {json}"));
        assert_eq!(found["reasons"][0]["kind"], "same-source", "{json}");
    }

    // The command sync printed works when pasted, and settles it.
    let pasted = t.bob.sh(&command_after(line, "withdraw the newer: "));
    assert!(pasted.status.success(), "{}", stderr(&pasted));
    let r = t.bob.record(newer);
    assert_eq!(s(&r, "status"), "withdrawn");
    assert_eq!(s(&r, "duplicate_of"), older);
    assert_eq!(s(&t.bob.record(older), "status"), "open");
    t.bob.ok(&["check"]);
    // The check's command is the same one.
    assert_eq!(
        command_after(finding, "withdraw the newer: "),
        command_after(line, "withdraw the newer: ")
    );
    // Once withdrawn it no longer counts: the next syncs say nothing of it.
    t.bob.ok(&["sync"]);
    let again = t.alice.pm(&["sync"]);
    assert!(
        !stderr(&again).contains("pagerduty:PT4KHLK"),
        "{}",
        stderr(&again)
    );
    t.all_agree();
}

#[test]
fn related_looks_at_later_incidents_too() {
    let repo = TestRepo::new();
    let words = "DB connection pool exhausted by the batch job";
    let first = repo.new_record(
        "Checkout failing",
        &[
            "--service",
            "payments",
            "--started",
            "2026-11-23 09:00",
            "--summary",
            words,
        ],
    );
    let second = repo.new_record(
        "Checkout failing again",
        &[
            "--service",
            "payments",
            "--started",
            "2026-11-23 09:02",
            "--summary",
            words,
        ],
    );
    let json = json_of(&repo.ok(&["related", &first, "--json"]));
    assert_eq!(json[0]["id"], second.as_str(), "{json}");
    assert_eq!(json[0]["reasons"][0]["kind"], "service-and-words");
    let json = json_of(&repo.ok(&["related", &second, "--json"]));
    assert_eq!(json[0]["id"], first.as_str(), "{json}");
}

/// Commits `lines` (`MODE PATH`, blob text `x` or a link's target) onto
/// the records branch with git's plumbing, as a teammate might by hand;
/// paths may hold octal escapes (`\377`) for names that are not UTF-8.
fn commit_entries(repo: &TestRepo, lines: &[(&str, &str)]) {
    let mut script = String::from(
        "set -e\nexport GIT_INDEX_FILE=\"$HOME/strays-index\"\ngit read-tree refs/heads/postmortems\n",
    );
    for (mode, path) in lines {
        let body = if *mode == "120000" {
            "PM-20261124-aaaaaaab.toml"
        } else {
            "x\n"
        };
        script.push_str(&format!(
            "b=$(printf '{body}' | git hash-object -w --stdin)\nprintf '{mode} blob %s\\t{path}\\n' \"$b\" | git update-index --index-info\n"
        ));
    }
    script.push_str(
        "t=$(git write-tree)\nc=$(git commit-tree \"$t\" -p refs/heads/postmortems -m 'Odd files')\ngit update-ref refs/heads/postmortems \"$c\"\n",
    );
    let out = repo.sh(&script);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// Every path committed under `postmortems/` (git's own listing, names
/// as git prints them with `core.quotePath` off).
fn committed(repo: &TestRepo) -> Vec<String> {
    let out = repo.git_output_in(
        repo.path(),
        &[
            "-c",
            "core.quotePath=false",
            "ls-tree",
            "-r",
            "-z",
            "--name-only",
            "refs/heads/postmortems",
            "--",
            "postmortems",
        ],
    );
    out.stdout
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect()
}

#[test]
fn every_committed_path_under_the_records_folder_is_a_record_or_said() {
    let repo = TestRepo::new();
    let a = repo.new_record("Kept one", &[]);
    let b = repo.new_record("Kept two", &[]);
    repo.commit_file(
        "postmortems/config.toml",
        "severities = [\"SEV1\", \"SEV2\", \"SEV3\", \"SEV4\"]\n",
        "config",
    );
    repo.commit_file(
        "postmortems/templates/sre.toml",
        "title = \"\"\n",
        "template",
    );
    commit_entries(
        &repo,
        &[
            ("120000", "postmortems/2026/11/PM-20261124-aaaaaaaa.toml"),
            (
                "100644",
                "postmortems/2026/11/PM-20261124-bbbbbbbb.toml/notes.txt",
            ),
            ("100644", "postmortems/2026/11/PM-\\377.md"),
            ("100644", "postmortems/2026/11/notes.txt"),
            ("100644", "postmortems/2026/README"),
            ("100644", "postmortems/README.md"),
            ("100644", "postmortems/drafts/idea.md"),
        ],
    );
    let records = [repo.record_path(&a), repo.record_path(&b)];
    let strays: Vec<String> = committed(&repo)
        .into_iter()
        .filter(|p| !records.contains(p))
        .filter(|p| p != "postmortems/config.toml" && !p.starts_with("postmortems/templates/"))
        .collect();
    assert_eq!(strays.len(), 7, "{strays:?}");

    // check: an error for each, at file:line with the rule.
    let out = repo.pm(&["check"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let found = stdout(&out);
    for p in &strays {
        assert!(
            found.contains(&format!("{p}:1: error[stray-file]: ")),
            "{p} not reported: {found}"
        );
    }
    assert_eq!(
        found.matches("error[stray-file]").count(),
        8,
        "and the folder itself: {found}"
    );

    // Reads list the records and warn about each, once.
    for _ in 0..2 {
        let out = repo.pm(&["list", "--json"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let ids: Vec<String> = json_of(&stdout(&out))
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(ids.len(), 2, "{ids:?}");
        let warned = stderr(&out);
        for p in &strays {
            // A folder outside the month folders is said once, as a folder.
            let said = p
                .strip_prefix("postmortems/drafts/")
                .map_or(p.as_str(), |_| "postmortems/drafts");
            let said = said
                .strip_suffix("/notes.txt")
                .filter(|f| f.ends_with(".toml"))
                .unwrap_or(said);
            assert_eq!(
                warned.matches(&format!("warning: skipped {said}:")).count(),
                1,
                "{said}: {warned}"
            );
        }
    }
    // show names the link for what it is, not "no post-mortem".
    let err = repo.fails(1, &["show", "aaaaaaaa"]);
    assert!(
        err.contains("postmortems/2026/11/PM-20261124-aaaaaaaa.toml is a symbolic link"),
        "{err}"
    );

    // A work tree of the branch: the same paths; a file git does not
    // track there is the person's own.
    let wt = tempfile::tempdir().unwrap();
    let wt_path = wt.path().join("pm");
    repo.git(&[
        "worktree",
        "add",
        "-q",
        wt_path.to_str().unwrap(),
        "postmortems",
    ]);
    std::fs::write(wt_path.join("postmortems/2026/11/scratch.txt"), "mine\n").unwrap();
    let out = repo.pm_in(&wt_path, &["check"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let found = stdout(&out);
    for p in strays.iter().filter(|p| !p.contains('\u{fffd}')) {
        assert!(
            found.contains(&format!("{p}:1: error[stray-file]")),
            "{p}: {found}"
        );
    }
    assert!(!found.contains("scratch.txt"), "{found}");
}

/// Commits `message` on main and pushes it: the team's branch.
fn push_fix(repo: &TestRepo, file: &str, message: &str) -> String {
    repo.commit_on_head(file, message, message);
    repo.git(&["push", "-q", "origin", "main"]);
    repo.git(&["rev-parse", "--short=7", "HEAD"])
        .trim()
        .to_string()
}

fn item_status(repo: &TestRepo, id: &str, n: i64) -> String {
    let r = repo.record(id);
    let item = r["action_items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["n"].as_integer() == Some(n))
        .unwrap()
        .clone();
    item["status"].as_str().unwrap().to_string()
}

#[test]
fn fix_trailers_take_short_ids_and_those_that_name_nothing_are_said() {
    let t = team();
    let repo = &t.alice;
    let id = repo.new_record("Pool exhausted", &[]);
    let other = repo.new_record("Other", &[]);
    repo.ok(&[
        "analyze",
        &id,
        "--root-cause",
        "rc",
        "--action",
        "Add retries",
        "--owner",
        "alice",
        "--due",
        "+7d",
        "--action",
        "Alert on pool",
        "--owner",
        "alice",
        "--due",
        "+7d",
    ]);
    repo.ok(&["sync"]);
    let short = &id[id.len() - 8..];

    // The random part alone, and `Fixes: PM-…#N`, close their items.
    push_fix(
        repo,
        "a.rs",
        &format!("Retry\n\nFixes-Postmortem: {short}#2"),
    );
    push_fix(repo, "b.rs", &format!("Retry more\n\nFixes: {id}#1"));
    let out = repo.pm(&["sync"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(item_status(repo, &id, 1), "done", "{}", stderr(&out));
    assert_eq!(item_status(repo, &id, 2), "done", "{}", stderr(&out));

    // Trailers that name nothing: said by sync and check, each with the
    // commit's short hash, the trailer and why.
    let common = common_prefix(&id, &other);
    let bad = [
        (
            "Fixes-Postmortem: zzzzzzzz#1",
            "no post-mortem matches 'zzzzzzzz'",
        ),
        (
            &*format!("Fixes-Postmortem: {short}#9"),
            &*format!("{id} has no action item #9"),
        ),
        (
            &*format!("Fixes-Postmortem: {common}#1"),
            "matches 2 post-mortems",
        ),
        ("Fixes-Postmortem: the pool one", "'the' is not ID#N"),
        (
            "Fixes: PM-20261124-zzzzzzzz#1",
            "no post-mortem matches 'PM-20261124-zzzzzzzz'",
        ),
    ]
    .map(|(a, b)| (a.to_string(), b.to_string()));
    let mut hashes = Vec::new();
    for (n, (trailer, _)) in bad.iter().enumerate() {
        let message = format!("Change {n}\n\nbody\n\n{trailer}\n");
        hashes.push(push_fix(repo, &format!("c{n}.rs"), &message));
    }
    let out = repo.pm(&["sync"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stderr(&out);
    let check = repo.pm(&["check"]);
    assert!(check.status.success(), "{}", stderr(&check));
    let found = stdout(&check);
    for ((trailer, why), hash) in bad.iter().zip(&hashes) {
        let warned = said
            .lines()
            .find(|l| l.starts_with("warning:") && l.contains(hash.as_str()))
            .unwrap_or_else(|| panic!("sync said nothing of {hash}: {said}"));
        assert!(
            warned.contains(trailer.as_str()) && warned.contains(why.as_str()),
            "{warned}"
        );
        // check: at the commit and the trailer's line in its message.
        let message = repo.git(&["log", "-1", "--format=%B", hash]);
        let line = message.lines().position(|l| l == trailer).unwrap() + 1;
        let at = format!("commit {hash}:{line}: warning[fixes-trailer]: ");
        let finding = found
            .lines()
            .find(|l| l.starts_with(&at))
            .unwrap_or_else(|| panic!("no '{at}' in: {found}"));
        assert!(finding.contains(why.as_str()), "{finding}");
    }
    // A `Fixes:` of another tool is not ours.
    push_fix(repo, "d.rs", "Fix crash\n\nFixes: #123\n");
    let out = repo.pm(&["sync"]);
    assert!(!stderr(&out).contains("#123"), "{}", stderr(&out));
    // A commit cannot change: sync says each once, check every time.
    for hash in &hashes {
        assert!(
            !stderr(&out).contains(hash.as_str()),
            "said again: {}",
            stderr(&out)
        );
    }
    let again = stdout(&repo.pm(&["check"]));
    assert!(hashes.iter().all(|h| again.contains(h.as_str())), "{again}");
}

/// The longest common prefix of two IDs: ambiguous between them.
fn common_prefix(a: &str, b: &str) -> String {
    a.chars()
        .zip(b.chars())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x)
        .collect()
}
