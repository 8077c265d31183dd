//! `digest` (issue 24): what needs someone today, in each format, and
//! posted to an incoming webhook: a local HTTP server on 127.0.0.1 stands
//! in for Slack and Teams.

use crate::support::*;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc::{Receiver, channel};

const BOB: (&str, &str) = ("Bob Lee", "bob@example.com");

/// The records, and what each should show as.
struct Team {
    repo: TestRepo,
    /// SEV2, Alice's, analysed: awaiting review.
    review: String,
    /// Bob's, with #1 (Bob's) overdue and #2 (Alice's) due in 2 days.
    search: String,
    /// Unassigned, with a title that tries to be markup.
    login: String,
    /// Unassigned and untouched since 2026-11-10: stale.
    old: String,
}

fn team() -> Team {
    let repo = TestRepo::new();
    repo.commit_file(
        "postmortems/config.toml",
        "[review]\nrequired = [\"SEV2\"]\n",
        "config",
    );
    let old = {
        let out = repo.ok_at(
            "2026-11-10T10:00:00+09:00",
            &["new", "--title", "Old DNS blip"],
        );
        out.trim().to_string()
    };
    let review = repo.new_record("Checkout down", &["--severity", "SEV2", "--assignee", "me"]);
    repo.ok(&[
        "analyze",
        &review,
        "--root-cause",
        "Pool shared with the batch job",
        "--no-action-reason",
        "The batch job is retired",
    ]);
    let search = repo.new_record("Search slow", &["--assignee", "Bob Lee <bob@example.com>"]);
    repo.ok(&[
        "action",
        "add",
        &search,
        "Reindex nightly",
        "--owner",
        "Bob Lee <bob@example.com>",
        "--due",
        "yesterday",
    ]);
    repo.ok(&[
        "action",
        "add",
        &search,
        "Alert on lag",
        "--owner",
        "me",
        "--due",
        "+2d",
    ]);
    let login = repo.new_record("Login *errors* <b>", &[]);
    Team {
        repo,
        review,
        search,
        login,
        old,
    }
}

fn ids(v: &Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key} in {v}"))
        .iter()
        .map(|i| match i.get("n") {
            Some(n) => format!("{}#{n}", i["id"].as_str().unwrap()),
            None => i["id"].as_str().unwrap().to_string(),
        })
        .collect()
}

#[test]
fn the_teams_digest_and_each_persons_list_what_needs_them_today() {
    let t = team();
    let before = t.repo.commit_count();
    let v: Value = serde_json::from_str(&t.repo.ok(&["digest", "--json"])).unwrap();
    assert_eq!(v["date"], "2026-11-24");
    assert_eq!(v["person"], Value::Null);
    assert_eq!(ids(&v, "awaiting_review"), [t.review.as_str()]);
    assert_eq!(
        v["awaiting_review"][0]["assignee"],
        "Alice Kim <alice@example.com>"
    );
    assert_eq!(ids(&v, "actions_overdue"), [format!("{}#1", t.search)]);
    assert_eq!(ids(&v, "actions_due_soon"), [format!("{}#2", t.search)]);
    assert_eq!(ids(&v, "unassigned"), [t.old.clone(), t.login.clone()]);
    assert_eq!(ids(&v, "stale"), [t.old.as_str()]);
    assert_eq!(
        (v["stale_days"].as_u64(), v["due_soon_days"].as_u64()),
        (Some(7), Some(3))
    );

    // Alice's own: her item; her record's review is someone else's to give.
    let me: Value = serde_json::from_str(&t.repo.ok(&["digest", "--for", "me", "--json"])).unwrap();
    assert_eq!(me["person"], "Alice Kim <alice@example.com>");
    assert!(ids(&me, "awaiting_review").is_empty());
    assert!(ids(&me, "actions_overdue").is_empty());
    assert_eq!(ids(&me, "actions_due_soon"), [format!("{}#2", t.search)]);
    assert!(ids(&me, "unassigned").is_empty() && ids(&me, "stale").is_empty());
    // Bob's: the review he may give, and his overdue item.
    let out = t.repo.pm_as(BOB, &["digest", "--for", "me", "--json"]);
    let bob: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(ids(&bob, "awaiting_review"), [t.review.as_str()]);
    assert_eq!(ids(&bob, "actions_overdue"), [format!("{}#1", t.search)]);
    assert!(ids(&bob, "actions_due_soon").is_empty());
    assert_eq!(t.repo.commit_count(), before, "a read writes nothing");
}

#[test]
fn the_digest_as_text_and_markdown() {
    let t = team();
    let text = t.repo.ok(&["digest"]);
    for want in [
        "Post-mortems: what needs someone today, 2026-11-24 (for the team)\n".to_string(),
        format!(
            "\nAwaiting review (1): someone other than the assignee: devops postmortem review ID --approve\n  {}  Checkout down  (SEV2 · Alice Kim)\n",
            t.review
        ),
        format!(
            "\nAction items overdue (1): devops postmortem action done ID#N, or action edit ID#N --due DATE\n  {}#1  Reindex nightly  (Bob Lee · due 2026-11-23, 1d late)\n",
            t.search
        ),
        format!(
            "  {}#2  Alert on lag  (Alice Kim · due 2026-11-26, in 2d)\n",
            t.search
        ),
        format!(
            "\nStale: no change in 7 days (1): move it on, or withdraw it\n  {}  Old DNS blip",
            t.old
        ),
    ] {
        assert!(text.contains(&want), "missing {want:?} in:\n{text}");
    }
    // A team with nothing open hears so, not an empty message.
    let calm = TestRepo::new();
    let id = calm.new_record("Done and dusted", &[]);
    calm.ok(&["withdraw", &id, "--reason", "A test page"]);
    assert_eq!(
        calm.ok(&["digest"]),
        "Post-mortems: what needs someone today, 2026-11-24 (for the team)\n\nNothing needs anyone today.\n"
    );
    let md = t.repo.ok(&["digest", "--format", "markdown"]);
    assert!(
        md.starts_with("## Post-mortems: what needs someone today"),
        "{md}"
    );
    assert!(md.contains("\n### Unassigned (2)\n"), "{md}");
    // Record text cannot make markup.
    assert!(
        md.contains(&format!(
            "- `{}` Login \\*errors\\* \\<b\\> (SEV3 · unassigned)",
            t.login
        )),
        "{md}"
    );
    let out = t.repo.pm_as(
        ("Carol Park", "carol@example.com"),
        &["digest", "--for", "me"],
    );
    assert_eq!(
        stdout(&out),
        "Post-mortems: what needs someone today, 2026-11-24 (for Carol Park)\n\nAwaiting review (1): someone other than the assignee: devops postmortem review ID --approve\n  "
            .to_string()
            + &t.review
            + "  Checkout down  (SEV2 · Alice Kim)\n"
    );
}

/// A one-request HTTP server on 127.0.0.1 answering `status`; hands back
/// the request's head and body. The URL carries a secret path, as
/// webhooks do.
fn serve_once(status: u16) -> (String, Receiver<(String, String)>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/services/T000/B000/s3cret",
        listener.local_addr().unwrap()
    );
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut head = String::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" || line.is_empty() {
                break;
            }
            head.push_str(&line);
        }
        let length = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse::<usize>().unwrap())
            })
            .expect("a Content-Length");
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let said = if status == 200 {
            "ok"
        } else {
            "invalid_payload"
        };
        write!(
            stream,
            "HTTP/1.1 {status} Whatever\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{said}",
            said.len()
        )
        .unwrap();
        tx.send((head, String::from_utf8(body).unwrap())).unwrap();
    });
    (url, rx)
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then_some(v.trim())
    })
}

#[test]
fn posted_to_slack_the_digest_is_one_json_text_message() {
    let t = team();
    let (url, got) = serve_once(200);
    let out = t.repo.pm(&["digest", "--post", &url]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "", "sent, not printed");
    let said = stderr(&out);
    assert!(
        said.contains("posted the digest (6 items) to http://127.0.0.1:"),
        "{said}"
    );
    assert!(
        !said.contains("s3cret"),
        "the secret path is not shown: {said}"
    );
    let (head, body) = got.recv().unwrap();
    assert!(
        head.starts_with("POST /services/T000/B000/s3cret HTTP/1.1\r\n"),
        "{head}"
    );
    assert_eq!(header(&head, "content-type"), Some("application/json"));
    let v: Value = serde_json::from_str(&body).unwrap();
    let text = v["text"].as_str().unwrap();
    assert_eq!(v.as_object().unwrap().len(), 1, "only text: {v}");
    assert!(
        text.starts_with("*Post-mortems: what needs someone today, 2026-11-24"),
        "{text}"
    );
    assert!(text.contains("\n*Awaiting review (1)* _"), "{text}");
    assert!(
        text.contains(&format!(
            "• `{}` Checkout down (SEV2 · Alice Kim)",
            t.review
        )),
        "{text}"
    );
    // Slack's three: a title cannot make a link or a mention.
    assert!(text.contains("Login *errors* &lt;b&gt;"), "{text}");
}

#[test]
fn posted_to_teams_the_digest_is_an_adaptive_card() {
    let t = team();
    let (url, got) = serve_once(202);
    let out = t.repo.pm(&["digest", "--format", "teams", "--post", &url]);
    assert!(out.status.success(), "{}", stderr(&out));
    let (head, body) = got.recv().unwrap();
    assert_eq!(header(&head, "content-type"), Some("application/json"));
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["type"], "message");
    let card = &v["attachments"][0];
    assert_eq!(
        card["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    assert_eq!(card["content"]["type"], "AdaptiveCard");
    let texts: Vec<&str> = card["content"]["body"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["text"].as_str().unwrap())
        .collect();
    assert!(texts.contains(&"Awaiting review (1)"), "{texts:?}");
    assert!(
        texts.contains(&format!("- {} Checkout down (SEV2 · Alice Kim)", t.review).as_str()),
        "{texts:?}"
    );
    // The same body, printed: what a cron job's log can show.
    let printed: Value =
        serde_json::from_str(&t.repo.ok(&["digest", "--format", "teams"])).unwrap();
    assert_eq!(printed, v);
}

#[test]
fn a_webhook_that_fails_or_never_answers_is_an_error_line_and_exit_1() {
    let t = team();
    let (url, got) = serve_once(500);
    let err = t.repo.fails(1, &["digest", "--post", &url]);
    assert!(
        err.contains("error: the webhook at http://127.0.0.1:")
            && err.contains("/… refused the digest: HTTP 500 (invalid_payload)"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!err.contains("s3cret"), "{err}");
    let (_, body) = got.recv().unwrap();
    assert!(
        serde_json::from_str::<Value>(&body).is_ok(),
        "sent whole: {body}"
    );

    // A server that takes the request and never answers.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook/s3cret", silent.local_addr().unwrap());
    std::thread::spawn(move || {
        let (stream, _) = silent.accept().unwrap();
        std::thread::sleep(std::time::Duration::from_secs(30));
        drop(stream);
    });
    let err = t
        .repo
        .fails(1, &["digest", "--post", &url, "--timeout", "1s"]);
    assert!(err.contains("did not answer within 1s"), "{err}");
    assert!(!err.contains("s3cret"), "{err}");

    // Nothing listening at all.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", closed.local_addr().unwrap());
    drop(closed);
    let err = t.repo.fails(1, &["digest", "--post", &url]);
    assert!(
        err.contains("cannot post to the webhook at http://127.0.0.1:"),
        "{err}"
    );

    // Not a URL, or not a time: usage errors before anything is read.
    let err = t.repo.fails(2, &["digest", "--post", "hooks.slack.com/x"]);
    assert!(err.contains("is not a webhook URL"), "{err}");
    let err = t.repo.fails(
        2,
        &[
            "digest",
            "--post",
            "http://127.0.0.1:1/x",
            "--timeout",
            "soon",
        ],
    );
    assert!(err.contains("--timeout 'soon'"), "{err}");
}
