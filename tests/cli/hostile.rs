//! Hostile tests of review, digest --post, check's cache and completion:
//! each one a way found to break a promise, driven through the real binary.

use crate::support::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc::{Receiver, channel};

const BOB: (&str, &str) = ("Bob Lee", "bob@example.com");

/// A complete analysis of `id`, by whoever `repo` is.
fn analyse(repo: &TestRepo, id: &str) {
    repo.ok(&[
        "analyze",
        id,
        "--root-cause",
        "Pool shared with the batch job",
        "--no-action-reason",
        "The batch job is retired",
    ]);
}

/// Bob, a teammate, approves `id`.
fn bob_approves(repo: &TestRepo, id: &str) {
    let out = repo.pm_as(BOB, &["review", id, "--approve"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// A repository where SEV1 and SEV2 need a review, with one analysed SEV1
/// record of Alice's.
fn reviewed_team(assignee: &str) -> (TestRepo, String) {
    let repo = TestRepo::new();
    repo.commit_on_records_branch(
        "postmortems/config.toml",
        "[review]\nrequired = [\"SEV1\", \"SEV2\"]\n",
        "config",
    );
    let id = repo.new_record(
        "Checkout down",
        &["--severity", "SEV1", "--assignee", assignee],
    );
    analyse(&repo, &id);
    (repo, id)
}

#[test]
fn the_assignee_named_in_another_case_or_spacing_cannot_approve() {
    let (repo, id) = reviewed_team("Alice Kim");
    for name in ["alice kim", "ALICE  KIM", " Alice Kim "] {
        let out = repo.pm_as(
            (name, "elsewhere@example.com"),
            &["review", &id, "--approve"],
        );
        assert_eq!(out.status.code(), Some(1), "{name:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("someone else reviews it"),
            "{}",
            stderr(&out)
        );
        let record = repo.record(&id);
        assert!(
            record.get("review").is_none(),
            "{name:?} approved their own: {record:?}"
        );
    }
    // A teammate still can.
    bob_approves(&repo, &id);
    assert_eq!(s(&repo.record(&id), "review"), "approved");
}

#[test]
fn an_approval_does_not_outlive_a_rewritten_analysis() {
    let (repo, id) = reviewed_team("me");
    bob_approves(&repo, &id);
    repo.ok(&["analyze", &id, "--root-cause", "DNS, in fact", "--replace"]);
    let record = repo.record(&id);
    assert!(record.get("review").is_none(), "approval kept: {record:?}");
    let err = repo.fails(1, &["close", &id]);
    assert!(err.contains("an approval"), "{err}");
    // What close asked for, pasted by a teammate, lets it close.
    bob_approves(&repo, &id);
    repo.ok(&["close", &id]);
    assert_eq!(s(&repo.record(&id), "status"), "closed");
}

#[test]
fn an_approval_does_not_outlive_an_analysis_edited_in_the_editor() {
    let (repo, id) = reviewed_team("me");
    bob_approves(&repo, &id);
    let out = edit_with(
        &repo,
        &id,
        "s/^root_cause = .*/root_cause = \"edited later\"/",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let record = repo.record(&id);
    assert_eq!(s(sub(&record, "analysis"), "root_cause"), "edited later");
    assert!(record.get("review").is_none(), "approval kept: {record:?}");
    repo.fails(1, &["close", &id]);
}

/// An executable `sh` script in the test's home that runs `line`.
fn editor_script(repo: &TestRepo, line: &str) -> std::path::PathBuf {
    let editor = repo.home.path().join("editor.sh");
    std::fs::write(&editor, format!("#!/bin/sh\n{line}\n")).unwrap();
    let status = std::process::Command::new("chmod")
        .arg("+x")
        .arg(&editor)
        .status()
        .unwrap();
    assert!(status.success());
    editor
}

/// `edit ID` with an editor that runs `sed -i SCRIPT` on the file.
fn edit_with(repo: &TestRepo, id: &str, script: &str) -> std::process::Output {
    let script = script.replace('\'', "'\\''");
    let editor = editor_script(repo, &format!("sed -i '{script}' \"$1\""));
    repo.cmd_in(repo.path())
        .env("EDITOR", &editor)
        .env("VISUAL", &editor)
        .args(["postmortem", "edit", id])
        .output()
        .unwrap()
}

#[test]
fn the_assignee_cannot_approve_by_editing_the_file() {
    let (repo, id) = reviewed_team("me");
    let before = repo.commit_count();
    let out = edit_with(
        &repo,
        &id,
        "s/^analyzed_at = .*/&\\nreview = \"approved\"\\nreviewed_by = \"Bob Lee <bob@example.com>\"\\nreviewed_at = 2026-11-24T10:00:00+09:00/",
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.starts_with("error: ") && err.contains("not by hand"),
        "{err}"
    );
    assert_eq!(repo.commit_count(), before, "something was written");
    assert!(repo.record(&id).get("review").is_none());
    repo.fails(1, &["close", &id]);
}

/// A webhook that answers every request with `answer`, and reports each
/// request's first line and body.
fn serve(answer: String) -> (String, Receiver<(String, String)>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let (mut first, mut length) = (String::new(), 0);
            reader.read_line(&mut first).unwrap();
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if line == "\r\n" || line.is_empty() {
                    break;
                }
                if let Some((k, v)) = line.split_once(':')
                    && k.eq_ignore_ascii_case("content-length")
                {
                    length = v.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let _ = stream.write_all(answer.as_bytes());
            drop(stream);
            if tx
                .send((first.trim().to_string(), String::from_utf8(body).unwrap()))
                .is_err()
            {
                break;
            }
        }
    });
    (format!("http://{addr}"), rx)
}

#[test]
fn a_webhook_that_redirects_elsewhere_has_not_taken_the_digest() {
    let repo = TestRepo::new();
    repo.new_record("Login errors", &[]);
    let ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
    let (elsewhere, got_elsewhere) = serve(ok.to_string());
    let redirect = format!(
        "HTTP/1.1 302 Found\r\nLocation: {elsewhere}/other\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    let (hook, got_hook) = serve(redirect);
    let url = format!("{hook}/services/T0/B0/s3cret");
    let out = repo.pm(&["digest", "--post", &url, "--timeout", "5s"]);
    let (first, body) = got_hook.recv().unwrap();
    assert!(first.starts_with("POST "), "{first}");
    assert!(body.contains("Login errors"), "{body}");
    assert_eq!(out.status.code(), Some(1), "said posted: {}", stderr(&out));
    assert!(stderr(&out).starts_with("error: "), "{}", stderr(&out));
    assert!(!stderr(&out).contains("s3cret"), "{}", stderr(&out));
    assert!(
        got_elsewhere
            .recv_timeout(std::time::Duration::from_millis(300))
            .is_err(),
        "followed the redirect"
    );
}

#[test]
fn a_mistyped_webhook_url_is_never_echoed() {
    let repo = TestRepo::new();
    repo.new_record("Login errors", &[]);
    for url in [
        "hooks.slack.com/services/T0/B0/s3cret",
        "http://user:hunter2@/services/s3cret",
        "ftp://user:hunter2@example.com/s3cret",
        "http://127.0.0.1:9\\s3cret/x",
    ] {
        let out = repo.pm(&["digest", "--post", url, "--timeout", "1s"]);
        assert!(!out.status.success(), "{url}");
        let err = stderr(&out);
        assert!(err.starts_with("error: "), "{err}");
        assert!(
            !err.contains("s3cret") && !err.contains("hunter2"),
            "{url}: {err}"
        );
    }
}

#[test]
fn a_title_cannot_mention_the_channel_in_markdown_or_teams() {
    let repo = TestRepo::new();
    repo.new_record("Login down @channel @here @all", &[]);
    for format in ["markdown", "teams"] {
        let out = repo.ok(&["digest", "--format", format]);
        let shown = out.replace("\\u2060", "\u{2060}");
        for mention in ["@channel", "@here", "@all"] {
            assert!(!shown.contains(mention), "{mention} live in: {out}");
            let joined = mention.replace('@', "@\u{2060}");
            assert!(shown.contains(&joined), "{mention} lost from: {out}");
        }
    }
}

#[test]
fn an_approval_synced_with_an_analysis_rewritten_meanwhile_is_withdrawn() {
    let t = crate::team::team();
    t.alice.commit_on_records_branch(
        "postmortems/config.toml",
        "[review]\nrequired = [\"SEV1\", \"SEV2\"]\n",
        "config",
    );
    let id = t.alice.new_record(
        "Shared incident",
        &["--severity", "SEV1", "--assignee", "me"],
    );
    analyse(&t.alice, &id);
    t.alice.ok(&["sync"]);
    t.bob.ok(&["sync"]);
    // Bob approves what he saw; Alice, meanwhile, rewrites the root cause.
    t.bob.ok(&["review", &id, "--approve"]);
    t.alice
        .ok(&["analyze", &id, "--root-cause", "DNS, in fact", "--replace"]);
    t.bob.ok(&["sync"]);
    t.alice.ok(&["sync"]);
    t.bob.ok(&["sync"]);
    t.all_agree();
    let r = t.alice.record(&id);
    assert_eq!(s(sub(&r, "analysis"), "root_cause"), "DNS, in fact");
    assert!(
        r.get("review").is_none(),
        "Bob approved a text he never saw: {r:?}"
    );
    t.alice.fails(1, &["close", &id]);
}

#[test]
fn an_approval_given_before_the_reviewer_took_the_record_does_not_close_it() {
    let (repo, id) = reviewed_team("Carol Park <carol@example.com>");
    // Alice hands it to Carol, approves Carol's work, then takes it back.
    repo.ok(&["review", &id, "--approve"]);
    repo.ok(&["assign", &id, "me"]);
    let err = repo.fails(1, &["close", &id]);
    assert!(err.contains("an approval"), "{err}");
    assert_eq!(s(&repo.record(&id), "status"), "analyzed");
    // Bob, pasting what close names, lets it close.
    bob_approves(&repo, &id);
    repo.ok(&["close", &id]);
}

#[test]
fn an_empty_config_file_can_be_edited() {
    let repo = TestRepo::new();
    repo.new_record("Checkout down", &[]);
    repo.commit_on_records_branch("postmortems/config.toml", "", "empty config");
    let editor = editor_script(
        &repo,
        "printf '[review]\\nrequired = [\"SEV1\"]\\n' > \"$1\"",
    );
    let out = repo
        .cmd_in(repo.path())
        .env("EDITOR", &editor)
        .args(["postmortem", "edit", "--config"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        repo.show("postmortems/config.toml"),
        "[review]\nrequired = [\"SEV1\"]\n"
    );
}

#[test]
fn priority_levels_the_same_in_another_case_are_refused() {
    let repo = TestRepo::new();
    let id = repo.new_record("Checkout down", &[]);
    repo.commit_on_records_branch(
        "postmortems/config.toml",
        "[actions.priorities]\np1 = \"1d\"\nP1 = \"2w\"\n",
        "config",
    );
    let before = repo.commit_count();
    let err = repo.fails(
        1,
        &["action", "add", &id, "Alert on lag", "--priority", "P1"],
    );
    assert!(
        err.contains("actions.priorities") && err.contains("'P1'"),
        "{err}"
    );
    assert_eq!(repo.commit_count(), before, "an item was added");
}

#[test]
fn a_config_that_does_not_read_is_fixed_with_the_command_the_error_names() {
    let repo = TestRepo::new();
    repo.new_record("Checkout down", &[]);
    repo.commit_on_records_branch(
        "postmortems/config.toml",
        "[actions.priorities]\nhigh = \"soon\"\n",
        "config by hand",
    );
    let err = repo.fails(1, &["list"]);
    let hint = err
        .lines()
        .find_map(|l| l.strip_prefix("hint: fix it: "))
        .unwrap_or_else(|| panic!("no hint: {err}"));
    assert_eq!(hint, "devops postmortem edit --config");
    let editor = editor_script(
        &repo,
        "printf '[actions.priorities]\\nhigh = \"2w\"\\n' > \"$1\"",
    );
    let out = repo
        .cmd_in(repo.path())
        .env("EDITOR", &editor)
        .args(hint.split(' ').skip(1))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        repo.show("postmortems/config.toml"),
        "[actions.priorities]\nhigh = \"2w\"\n"
    );
    repo.ok(&["list"]);
}

#[test]
fn an_unassigned_record_is_not_approved_by_whoever_analysed_it() {
    let repo = TestRepo::new();
    repo.commit_on_records_branch(
        "postmortems/config.toml",
        "[review]\nrequired = [\"SEV1\"]\n",
        "config",
    );
    let id = repo.new_record("Checkout down", &["--severity", "SEV1"]);
    analyse(&repo, &id);
    let err = repo.fails(1, &["review", &id, "--approve"]);
    assert!(err.contains("no assignee"), "{err}");
    assert!(repo.record(&id).get("review").is_none());
    repo.fails(1, &["close", &id]);
    // The hint, pasted by the author, then Bob's approval: it closes.
    let hint = err
        .lines()
        .find_map(|l| l.split_once("then you approve: ").map(|(_, c)| c))
        .unwrap_or_else(|| panic!("no hint: {err}"));
    let words: Vec<&str> = hint.split(' ').skip(2).collect();
    repo.ok(&words);
    bob_approves(&repo, &id);
    repo.ok(&["close", &id]);
}

#[test]
fn my_digest_does_not_offer_my_own_record_named_by_name_for_review() {
    let (repo, id) = reviewed_team("Alice Kim");
    let out = repo.ok(&["digest", "--for", "me", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let offered: Vec<&str> = v["awaiting_review"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert!(!offered.contains(&id.as_str()), "own record offered: {out}");
    // Bob may review it.
    let out = repo.pm_as(BOB, &["digest", "--for", "me", "--json"]);
    assert!(stdout(&out).contains(&id), "{}", stdout(&out));
}
