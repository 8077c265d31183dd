//! Action items in the team's tracker (`action push`, `action pull`,
//! `sync`), against stand-in `gh`, `glab` and `jira` that keep their
//! issues in a folder (see tracker_standins.rs). Outcomes are checked in
//! the stand-ins' folders, with git and by parsing the records.

use crate::support::*;
use crate::team::*;
use crate::tracker_standins::Trackers;

/// A record with one open action item; its ID.
fn with_item(repo: &TestRepo, text: &str) -> String {
    let id = repo.new_record("Checkout outage", &["--severity", "SEV2"]);
    repo.ok(&["action", "add", &id, text]);
    id
}

fn item(repo: &TestRepo, id: &str) -> toml::Table {
    repo.record(id)["action_items"][0]
        .as_table()
        .unwrap()
        .clone()
}

fn instant(t: &toml::Table, key: &str) -> chrono::DateTime<chrono::FixedOffset> {
    let v = t.get(key).unwrap_or_else(|| panic!("no {key} in {t:?}"));
    chrono::DateTime::parse_from_rfc3339(v.to_string().trim_matches('"')).unwrap()
}

fn config(repo: &TestRepo, text: &str) {
    repo.commit_on_records_branch("postmortems/config.toml", text, "config");
}

#[test]
fn pushing_twice_makes_one_issue_with_a_label_and_a_link_back() {
    let (repo, t) = (TestRepo::new(), Trackers::new());
    let id = repo.new_record("Checkout outage", &["--severity", "SEV2"]);
    repo.ok(&["assign", &id, "me"]);
    repo.ok(&["action", "add", &id, "Add a circuit breaker"]);
    let before = repo.commit_count();
    let (out, err) = t.ok(
        &repo,
        &["action", "push", &format!("{id}#1"), "--to", "github"],
    );
    assert_eq!(out.trim(), "https://github.com/acme/api/issues/1");
    assert!(err.contains("filed as acme/api#1"), "{err}");
    let a = item(&repo, &id);
    assert_eq!(s(&a, "tracker"), "github");
    assert_eq!(s(&a, "ref"), "acme/api#1");
    assert_eq!(s(&a, "url"), "https://github.com/acme/api/issues/1");
    assert_eq!(repo.commit_count(), before + 1, "one commit");
    assert_eq!(t.issue("gh", "1", "title"), "Add a circuit breaker");
    assert_eq!(t.issue("gh", "1", "label"), "postmortem");
    let body = t.issue("gh", "1", "body");
    assert!(body.contains(&format!("{id}#1")), "{body}");
    assert!(body.contains(&repo.record_path(&id)), "a link back: {body}");
    assert!(
        body.contains("Owner: Alice Kim") && !body.contains("alice@example.com"),
        "the owner's name, not their address: {body}"
    );

    let (_, again) = t.ok(
        &repo,
        &["action", "push", &format!("{id}#1"), "--to", "github"],
    );
    assert!(
        again.contains("already filed in github as acme/api#1")
            && again.contains("no second issue"),
        "{again}"
    );
    assert_eq!(t.issues("gh"), 1);
    assert_eq!(
        repo.commit_count(),
        before + 1,
        "nothing written the second time"
    );
}

#[test]
fn the_target_comes_from_the_flag_then_the_config_then_the_clis_default() {
    let (repo, t) = (TestRepo::new(), Trackers::new());
    let id = repo.new_record("Queue backlog", &[]);
    for text in ["one", "two", "three"] {
        repo.ok(&["action", "add", &id, text]);
    }
    config(
        &repo,
        "[tracker]\ngithub = \"acme/web\"\njira_project = \"SRE\"\nlabel = \"incident-followup\"\n",
    );
    t.ok(
        &repo,
        &["action", "push", &format!("{id}#1"), "--to", "github"],
    );
    t.ok(
        &repo,
        &[
            "action",
            "push",
            &format!("{id}#2"),
            "--to",
            "github",
            "--repo",
            "acme/other",
        ],
    );
    t.ok(
        &repo,
        &["action", "push", &format!("{id}#3"), "--to", "jira"],
    );
    let r = repo.record(&id);
    let refs: Vec<&str> = r["action_items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["ref"].as_str().unwrap())
        .collect();
    assert_eq!(refs, ["acme/web#1", "acme/other#2", "SRE-1"]);
    assert_eq!(t.issue("gh", "1", "label"), "incident-followup");
    assert_eq!(t.issue("jira", "SRE-1", "type"), "Task");
}

#[test]
fn a_remote_close_becomes_done_at_the_trackers_time_by_whoever_pulls() {
    let (repo, t) = (TestRepo::new(), Trackers::new());
    let id = with_item(&repo, "Alert on pool usage");
    t.ok(
        &repo,
        &["action", "push", &format!("{id}#1"), "--to", "github"],
    );
    t.on_tracker(
        "gh",
        &[
            "issue",
            "close",
            "1",
            "--repo",
            "acme/api",
            "--reason",
            "completed",
        ],
    );
    let before = repo.commit_count();
    let (_, err) = t.ok(&repo, &["action", "pull"]);
    assert!(
        err.contains("action #1 done: acme/api#1 was closed"),
        "{err}"
    );
    let a = item(&repo, &id);
    assert_eq!(s(&a, "status"), "done");
    assert_eq!(
        instant(&a, "done_at"),
        chrono::DateTime::parse_from_rfc3339("2026-11-30T12:00:00Z").unwrap()
    );
    assert_eq!(s(&a, "remote_state"), "closed");
    assert_eq!(repo.commit_count(), before + 1);
    let author = repo.git(&["log", "-1", "--format=%an", "postmortems"]);
    assert_eq!(
        author.trim(),
        "Alice Kim",
        "the commit is by the person who pulled"
    );

    let (_, err) = t.ok(&repo, &["action", "pull"]);
    assert!(err.contains("nothing changed"), "{err}");
    assert_eq!(
        repo.commit_count(),
        before + 1,
        "the same state again is no news"
    );
}

#[test]
fn not_planned_becomes_wontfix_with_the_trackers_reason() {
    let (repo, t) = (TestRepo::new(), Trackers::new());
    let id = with_item(&repo, "Rewrite the gateway");
    repo.ok(&["action", "add", &id, "Retire the old queue"]);
    t.ok(
        &repo,
        &["action", "push", &format!("{id}#1"), "--to", "github"],
    );
    t.ok(
        &repo,
        &["action", "push", &format!("{id}#2"), "--to", "jira"],
    );
    t.on_tracker("gh", &["issue", "close", "1", "--reason", "not planned"]);
    t.on_tracker(
        "jira",
        &["issue", "move", "OPS-1", "Done", "--resolution", "Won't Do"],
    );
    let before = repo.commit_count();
    t.ok(&repo, &["action", "pull", &id]);
    assert_eq!(repo.commit_count(), before + 1, "one commit for the record");
    let r = repo.record(&id);
    let items = r["action_items"].as_array().unwrap();
    let (gh, jira) = (items[0].as_table().unwrap(), items[1].as_table().unwrap());
    assert_eq!(s(gh, "status"), "wontfix");
    assert_eq!(s(gh, "wontfix_reason"), "closed as not planned");
    assert_eq!(s(jira, "status"), "wontfix");
    assert_eq!(s(jira, "wontfix_reason"), "resolved as Won't Do");
}

#[test]
fn a_reopened_issue_opens_its_item_again() {
    let (repo, t) = (TestRepo::new(), Trackers::new());
    let id = with_item(&repo, "Pin the client version");
    t.ok(
        &repo,
        &["action", "push", &format!("{id}#1"), "--to", "gitlab"],
    );
    t.on_tracker("glab", &["issue", "close", "1"]);
    t.ok(&repo, &["action", "pull"]);
    let a = item(&repo, &id);
    assert_eq!(s(&a, "status"), "done");
    assert_eq!(s(&a, "closed_by"), "carol", "GitLab names who closed it");
    t.on_tracker("glab", &["issue", "reopen", "1"]);
    let (_, err) = t.ok(&repo, &["action", "pull"]);
    assert!(err.contains("open again: acme/api#1 was reopened"), "{err}");
    let a = item(&repo, &id);
    assert_eq!(s(&a, "status"), "open");
    assert!(
        a.get("done_at").is_none() && a.get("closed_by").is_none(),
        "{a:?}"
    );
    assert_eq!(s(&a, "remote_state"), "open");
}

#[test]
fn a_hostile_title_reaches_the_tracker_intact() {
    let (repo, t) = (TestRepo::new(), Trackers::new());
    let hostile =
        "결제 \"장애\" 'quoted' $(touch pwned) `touch pwned2`; echo $HOME \\ %s -- --repo x";
    let id = with_item(&repo, hostile);
    for to in ["github", "gitlab", "jira"] {
        // One item, three trackers: a second push is refused, so three items.
        repo.ok(&["action", "add", &id, hostile]);
        let n = repo.record(&id)["action_items"].as_array().unwrap().len();
        t.ok(&repo, &["action", "push", &format!("{id}#{n}"), "--to", to]);
    }
    assert_eq!(t.issue("gh", "1", "title"), hostile);
    assert_eq!(t.issue("glab", "1", "title"), hostile);
    assert_eq!(t.issue("jira", "OPS-1", "title"), hostile);
    assert_eq!(
        t.issue("gh", "1", "repo"),
        "acme/api",
        "no flag smuggled in"
    );
    for dir in [repo.path(), t.state("gh").parent().unwrap()] {
        assert!(!dir.join("pwned").exists() && !dir.join("pwned2").exists());
    }
}

#[test]
fn a_missing_cli_names_the_fix_and_sync_still_syncs() {
    let (team, t) = (team(), Trackers::new());
    let id = with_item(&team.alice, "Add retries");
    t.ok(
        &team.alice,
        &["action", "push", &format!("{id}#1"), "--to", "github"],
    );
    t.uninstall("gh");
    let before = team.alice.commit_count();
    let other = with_item(&team.alice, "Document the rollback");
    let err = t.fails(
        &team.alice,
        &["action", "push", &format!("{other}#1"), "--to", "github"],
    );
    assert!(
        err.contains("gh (the GitHub CLI) is not installed") && err.contains("gh auth login"),
        "{err}"
    );
    assert_eq!(
        team.alice.commit_count(),
        before + 2,
        "nothing written by the failed push"
    );
    let (_, said) = t.ok(&team.alice, &["sync"]);
    assert!(
        said.contains("not installed") && said.contains("the records synced without the tracker"),
        "{said}"
    );
    let shared = team.remote_git(&["ls-tree", "-r", "--name-only", "postmortems"]);
    assert!(shared.contains(&other) && shared.contains(&id), "{shared}");
}

#[test]
fn a_logged_out_cli_names_its_login_and_the_pasted_login_works() {
    let (repo, t) = (TestRepo::new(), Trackers::new());
    let id = with_item(&repo, "Add retries");
    for (tool, to, login) in [
        ("gh", "github", "gh auth login"),
        ("glab", "gitlab", "glab auth login"),
        ("jira", "jira", "jira init"),
    ] {
        t.log_out(tool);
        let before = repo.commit_count();
        let err = t.fails(&repo, &["action", "push", &format!("{id}#1"), "--to", to]);
        assert!(err.contains(&format!("{tool} is not logged in")), "{err}");
        let hint = err
            .lines()
            .find(|l| l.starts_with("hint:"))
            .and_then(|l| l.rsplit_once(": "))
            .map(|(_, c)| c.trim().to_string())
            .unwrap_or_default();
        assert_eq!(hint, login, "{err}");
        assert_eq!(repo.commit_count(), before, "nothing written");
        let pasted = t.paste(&hint);
        assert!(pasted.status.success(), "{}", stderr(&pasted));
    }
    t.ok(
        &repo,
        &["action", "push", &format!("{id}#1"), "--to", "github"],
    );
    assert_eq!(t.issues("gh"), 1);
}

#[test]
fn a_hung_cli_times_out_with_a_clear_error() {
    let (repo, t) = (TestRepo::new(), Trackers::new());
    let id = with_item(&repo, "Add retries");
    t.hang("gh");
    let out = repo
        .cmd_in(repo.path())
        .envs(t.env())
        .env("DEVOPS_PM_TRACKER_TIMEOUT", "1")
        .args([
            "postmortem",
            "action",
            "push",
            &format!("{id}#1"),
            "--to",
            "github",
        ])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("gh issue did not answer within 1 s"), "{err}");
}

#[test]
fn sync_brings_a_remote_close_in_and_shares_it() {
    let (team, t) = (team(), Trackers::new());
    let id = with_item(&team.alice, "Add retries");
    team.alice.ok(&["sync"]);
    // Bob's clone learns the records before any is filed: what it keeps
    // of them must follow the filing that comes in later.
    t.ok(&team.bob, &["sync"]);
    t.ok(
        &team.alice,
        &["action", "push", &format!("{id}#1"), "--to", "github"],
    );
    team.alice.ok(&["sync"]);
    t.on_tracker("gh", &["issue", "close", "1", "--reason", "completed"]);
    let (_, said) = t.ok(&team.bob, &["sync"]);
    assert!(
        said.contains("action #1 done: acme/api#1 was closed"),
        "{said}"
    );
    team.alice.ok(&["sync"]);
    assert_eq!(
        s(&item(&team.alice, &id), "status"),
        "done",
        "shared with the team"
    );
    team.all_agree();
}

/// A team whose item is filed in GitHub, and a commit on the shared
/// `main` that says it fixes it.
fn fixed_by_a_trailer(t: &Trackers) -> (Team, String) {
    let team = team();
    let id = with_item(&team.alice, "Add retries");
    t.ok(
        &team.alice,
        &["action", "push", &format!("{id}#1"), "--to", "github"],
    );
    team.alice.commit_file(
        "main.rs",
        "fn main() { retry() }\n",
        &format!("Retry\n\nFixes-Postmortem: {id}#1"),
    );
    team.alice.git(&["push", "-q", "origin", "main"]);
    (team, id)
}

#[test]
fn a_fixes_trailer_closes_the_tracker_issue_too() {
    let t = Trackers::new();
    let (team, id) = fixed_by_a_trailer(&t);
    let (_, said) = t.ok(&team.alice, &["sync"]);
    assert!(
        said.contains("closed acme/api#1, fixed by a commit"),
        "{said}"
    );
    let a = item(&team.alice, &id);
    assert_eq!(s(&a, "status"), "done");
    assert_eq!(s(&a, "remote_state"), "closed");
    assert_eq!(t.issue("gh", "1", "state"), "CLOSED");
    assert_eq!(t.issue("gh", "1", "reason"), "COMPLETED");
    assert!(t.issue("gh", "1", "comment").contains(&format!("{id}#1")));
    // Reopened on GitHub: the item opens again, and the trailer, having
    // closed it once, does not close it again.
    t.on_tracker("gh", &["issue", "reopen", "1"]);
    t.ok(&team.alice, &["sync"]);
    t.ok(&team.alice, &["sync"]);
    assert_eq!(s(&item(&team.alice, &id), "status"), "open");
    assert_eq!(t.issue("gh", "1", "state"), "OPEN");
}

#[test]
fn no_close_remote_leaves_the_issue_open() {
    let t = Trackers::new();
    let (team, id) = fixed_by_a_trailer(&t);
    t.ok(&team.alice, &["sync", "--no-close-remote"]);
    assert_eq!(s(&item(&team.alice, &id), "status"), "done");
    assert_eq!(t.issue("gh", "1", "state"), "OPEN");
    let help = stdout(&team.alice.pm(&["sync", "--help"]));
    assert!(
        help.contains("--no-close-remote") && help.contains("tracker issues closed"),
        "{help}"
    );
}

#[test]
fn the_readme_lines_run_as_written() {
    let (repo, t) = (TestRepo::new(), Trackers::new());
    let id = with_item(&repo, "Add retries");
    let block = readme_sh_block("### Action items in the team's tracker");
    let mut ran = 0;
    for line in block.lines() {
        let cmd = line
            .split("  #")
            .next()
            .unwrap()
            .trim()
            .replace("k7x3", &id);
        if cmd == "devops pm action pull" {
            t.on_tracker("gh", &["issue", "close", "1", "--reason", "completed"]);
        }
        let out = t.paste_in(&repo, &cmd);
        assert!(out.status.success(), "{cmd}: {}", stderr(&out));
        ran += 1;
    }
    assert_eq!(ran, 2);
    assert_eq!(s(&item(&repo, &id), "status"), "done");
}

#[test]
fn an_item_settled_long_ago_is_read_only_for_its_record() {
    let (repo, t) = (TestRepo::new(), Trackers::new());
    let id = with_item(&repo, "Add retries");
    t.ok(
        &repo,
        &["action", "push", &format!("{id}#1"), "--to", "github"],
    );
    t.on_tracker("gh", &["issue", "close", "1", "--reason", "completed"]);
    t.ok(&repo, &["action", "pull"]);
    t.on_tracker("gh", &["issue", "reopen", "1"]);
    let months_later = |args: &[&str]| {
        let out = repo
            .cmd_in(repo.path())
            .envs(t.env())
            .env("DEVOPS_PM_NOW", "2027-06-01T10:00:00+09:00")
            .arg("postmortem")
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        stderr(&out)
    };
    let said = months_later(&["action", "pull"]);
    assert!(said.contains("0 linked item(s) read"), "{said}");
    assert_eq!(s(&item(&repo, &id), "status"), "done");
    months_later(&["action", "pull", &id]);
    assert_eq!(s(&item(&repo, &id), "status"), "open", "named, it is read");
}

#[test]
fn a_pull_makes_one_commit_per_record_changed() {
    let (repo, t) = (TestRepo::new(), Trackers::new());
    let first = with_item(&repo, "Add retries");
    repo.ok(&["action", "add", &first, "Alert on retries"]);
    let second = with_item(&repo, "Pin the client");
    repo.ok(&["action", "add", &second, "Document the pin"]);
    for item in [
        &format!("{first}#1"),
        &format!("{first}#2"),
        &format!("{second}#1"),
        &format!("{second}#2"),
    ] {
        t.ok(&repo, &["action", "push", item, "--to", "github"]);
    }
    for n in ["1", "2", "3"] {
        t.on_tracker("gh", &["issue", "close", n, "--reason", "completed"]);
    }
    let before = repo.commit_count();
    t.ok(&repo, &["action", "pull"]);
    assert_eq!(repo.commit_count(), before + 2, "one commit per record");
    let statuses = |id: &str| -> Vec<String> {
        repo.record(id)["action_items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["status"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(statuses(&first), ["done", "done"]);
    assert_eq!(statuses(&second), ["done", "open"]);
}
