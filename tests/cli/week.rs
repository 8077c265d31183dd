//! What a team's week taught (issue 23): answers that must not look fine
//! when they are not, a duplicate withdrawn without ceremony, the words
//! that recur, and `--help` that shows how and says what a write does.

use crate::support::*;
use serde_json::Value;

/// The records' config, with the services the team knows.
const CONFIG: &str = "services = [\"checkout\", \"payments\"]\n";

#[test]
fn an_update_to_the_invalid_value_already_there_says_why_not_nothing_to_change() {
    let repo = TestRepo::new();
    repo.commit_file("postmortems/config.toml", CONFIG, "config");
    let id = repo.new_record("Checkout down", &["--service", "checkout"]);
    // A teammate's hand edit put a typo in.
    let path = repo.record_path(&id);
    let text = repo.show(&path).replace("\"checkout\"", "\"chekout\"");
    repo.commit_file(&path, &text, "hand edit");
    let before = repo.commit_count();
    let out = repo.pm(&["update", &id, "--service", "chekout"]);
    assert!(!out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("unknown service 'chekout'") && !err.contains("nothing to change"),
        "{err}"
    );
    assert_eq!(repo.commit_count(), before, "nothing written");
    // The fix it points at works.
    repo.ok(&["update", &id, "--service", "checkout"]);
    assert_eq!(
        repo.record(&id)["services"].as_array().unwrap()[0].as_str(),
        Some("checkout")
    );
}

#[test]
fn a_duplicate_is_withdrawn_without_another_reason() {
    let repo = TestRepo::new();
    let first = repo.new_record("Payments 5xx", &[]);
    let second = repo.new_record("Payments 5xx (paged twice)", &[]);
    repo.ok(&["withdraw", &second, "--duplicate-of", &first]);
    let r = repo.record(&second);
    assert_eq!(s(&r, "status"), "withdrawn");
    assert_eq!(s(&r, "duplicate_of"), first);
    assert_eq!(s(&r, "withdrawn_reason"), format!("Duplicate of {first}"));
    let subject = repo.git(&["log", "-1", "--format=%B", &repo.records_ref()]);
    assert!(
        subject.contains(&format!("Withdrawn: Duplicate of {first}")),
        "{subject}"
    );
    assert!(!subject.contains("(duplicate of"), "said once: {subject}");
    // Without a duplicate, a reason is still asked for.
    let other = repo.new_record("Mistake", &[]);
    let err = repo.fails(2, &["withdraw", &other]);
    assert!(err.contains("--reason"), "{err}");
}

#[test]
fn recurring_root_cause_words_are_what_was_wrong_not_how_it_was_told() {
    let repo = TestRepo::new();
    for (title, cause) in [
        (
            "One",
            "It turned out the connection pool was shared with the batch job",
        ),
        (
            "Two",
            "It turned out the pool limit caused timeouts under load",
        ),
        (
            "Three",
            "The DNS resolver turned stale; pool exhaustion followed",
        ),
    ] {
        let id = repo.new_record(title, &[]);
        repo.ok(&["analyze", &id, "--root-cause", cause, "--action", "Fix it"]);
    }
    let out = repo.ok(&["stats", "--json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let words: Vec<&str> = v["recurring_root_cause_words"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap())
        .collect();
    assert_eq!(words.first(), Some(&"pool"), "{words:?}");
    for noise in ["turned", "caused", "it", "out"] {
        assert!(!words.contains(&noise), "{noise} in {words:?}");
    }
}

/// Every command and subcommand, by walking `--help`'s command lists.
fn commands(repo: &TestRepo) -> Vec<Vec<String>> {
    fn listed(help: &str) -> Vec<String> {
        help.lines()
            .skip_while(|l| !l.starts_with("Commands:"))
            .skip(1)
            .take_while(|l| l.starts_with("  "))
            .filter_map(|l| l.split_whitespace().next())
            .filter(|name| *name != "help")
            .map(str::to_string)
            .collect()
    }
    let mut out = Vec::new();
    let mut todo = vec![vec!["pm".to_string()]];
    while let Some(path) = todo.pop() {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let help = stdout(&repo.cmd_in(repo.path()).args(&args).output().unwrap());
        for sub in listed(&help) {
            let mut next = path.clone();
            next.push(sub);
            todo.push(next);
        }
        out.push(path);
    }
    out
}

#[test]
fn every_help_shows_examples_and_every_write_says_which_hooks_run() {
    let repo = TestRepo::new();
    let all = commands(&repo);
    assert!(all.len() > 30, "{all:?}");
    let mut writes = 0;
    for path in &all[1..] {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let help = stdout(&repo.cmd_in(repo.path()).args(&args).output().unwrap());
        assert!(
            help.contains("Examples:") || help.contains("Example:"),
            "no examples in `devops {}`",
            path.join(" ")
        );
        if help.contains("--message") {
            writes += 1;
            for hook in [
                "pre-commit",
                "commit-msg",
                "post-commit",
                "reference-transaction",
            ] {
                assert!(
                    help.contains(hook),
                    "`devops {}` does not name {hook}",
                    path.join(" ")
                );
            }
        }
    }
    assert!(writes >= 12, "{writes} writes");
}

/// `devops postmortem …` as another person (their git identity).
fn as_bob(repo: &TestRepo, args: &[&str]) -> std::process::Output {
    repo.cmd_in(repo.path())
        .env("GIT_AUTHOR_NAME", "Bob Lee")
        .env("GIT_AUTHOR_EMAIL", "bob@example.com")
        .arg("postmortem")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn undo_takes_back_your_last_change_as_a_new_commit_and_keeps_a_teammates() {
    let repo = TestRepo::new();
    repo.commit_on_head("src/app.rs", "fn main() {}\n", "code");
    repo.write("src/app.rs", "fn main() { wip() }\n"); // the user's work in progress
    let id = repo.new_record("Checkout down", &["--severity", "SEV3"]);
    repo.ok(&["update", &id, "--severity", "SEV1"]);
    // A teammate changes another field after that.
    let bob = as_bob(&repo, &["update", &id, "--title", "Checkout down for EU"]);
    assert!(bob.status.success(), "{}", stderr(&bob));
    let tip = repo.git(&["rev-parse", &repo.records_ref()]);
    let before = repo.commit_count();

    let out = repo.pm(&["undo"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("undid"), "{}", stderr(&out));
    let r = repo.record(&id);
    assert_eq!(s(&r, "severity"), "SEV3", "your change taken back");
    assert_eq!(s(&r, "title"), "Checkout down for EU", "Bob's stays");
    // A new commit on top, nothing rewritten, the code's side untouched.
    assert_eq!(repo.commit_count(), before + 1);
    assert_eq!(
        repo.git(&["rev-parse", &format!("{}~1", repo.records_ref())]),
        tip
    );
    let message = repo.git(&["log", "-1", "--format=%B", &repo.records_ref()]);
    assert!(
        message.contains("Postmortem-Action: undo") && message.contains("Undo "),
        "{message}"
    );
    assert_eq!(repo.status_porcelain().trim_end(), " M src/app.rs");
    // Undo again takes back the undo.
    repo.ok(&["undo"]);
    assert_eq!(s(&repo.record(&id), "severity"), "SEV1");
}

#[test]
fn undo_refuses_to_take_back_what_a_teammate_changed_since() {
    let repo = TestRepo::new();
    let id = repo.new_record("Payments slow", &["--severity", "SEV3"]);
    repo.ok(&["update", &id, "--severity", "SEV2"]);
    let bob = as_bob(&repo, &["update", &id, "--severity", "SEV1"]);
    assert!(bob.status.success(), "{}", stderr(&bob));
    let before = repo.commit_count();
    let err = repo.fails(1, &["undo"]);
    assert!(
        err.contains("changed since")
            && err.contains("severity")
            && err.contains("nothing was written"),
        "{err}"
    );
    assert_eq!(repo.commit_count(), before);
    // Its hint shows who changed what.
    let hint = err.lines().find_map(|l| l.strip_prefix("hint: ")).unwrap();
    let hint = hint.rsplit(": ").next().unwrap();
    let pasted = repo.sh(hint);
    assert!(
        pasted.status.success() && stdout(&pasted).contains("Bob Lee"),
        "{hint}"
    );
}

#[test]
fn undo_of_a_new_record_withdraws_it_and_undo_of_nothing_says_so() {
    let repo = TestRepo::new();
    let err = repo.fails(1, &["undo"]);
    assert!(err.contains("no change of yours"), "{err}");
    let id = repo.new_record("Opened by mistake", &[]);
    let other = as_bob(&repo, &["new", "--title", "Bob's own"]);
    assert!(other.status.success(), "{}", stderr(&other));
    let bobs = stdout(&other).trim().to_string();
    repo.ok(&["undo"]);
    assert_eq!(s(&repo.record(&id), "status"), "withdrawn");
    assert_eq!(s(&repo.record(&bobs), "status"), "open", "only yours");
    // `undo ID` looks only at that record's changes.
    let kept = repo.new_record("Kept", &[]);
    repo.ok(&["update", &kept, "--summary", "first words"]);
    let third = repo.new_record("Third", &[]);
    repo.ok(&["undo", &kept]);
    let r = repo.record(&kept);
    assert!(
        r.get("summary").is_none_or(|v| v.as_str() == Some("")),
        "{r:?}"
    );
    assert_eq!(s(&repo.record(&third), "status"), "open");
}

#[test]
fn completion_offers_record_ids_from_the_records_branch() {
    let repo = TestRepo::new();
    let first = repo.new_record("결제 API 5xx", &[]);
    let second = repo.new_record("Login timeouts", &[]);
    let suffix = |id: &str| id.rsplit('-').next().unwrap().to_string();
    // As bash asks: the script `completions bash` prints, sourced, asked
    // for the word being typed (the first letters of the random part).
    let typed = &suffix(&first)[..3];
    let script = format!(
        "source <(devops completions bash); COMP_WORDS=(devops pm show {typed}); COMP_CWORD=3; \
         COMP_TYPE=9; _clap_complete_devops devops {typed} show; printf '%s\\n' \"${{COMPREPLY[@]}}\""
    );
    let out = repo.sh(&format!("bash -c '{}'", script.replace('\'', "'\\''")));
    assert!(out.status.success(), "{}", stderr(&out));
    let offered = stdout(&out);
    assert!(offered.lines().any(|l| l == suffix(&first)), "{offered}");
    if !suffix(&second).starts_with(typed) {
        assert!(!offered.contains(&suffix(&second)), "{offered}");
    }
    // As fish asks: with the title as help; whole IDs once `PM-` is typed.
    let fish = |word: &str| {
        let out = repo
            .cmd_in(repo.path())
            .env("DEVOPS_COMPLETE", "fish")
            .args(["--", "devops", "pm", "assign", word])
            .output()
            .unwrap();
        stdout(&out)
    };
    assert!(
        fish(typed).contains(&format!("{}\t결제 API 5xx", suffix(&first))),
        "{}",
        fish(typed)
    );
    let whole = fish("PM-");
    assert!(whole.contains(&first) && whole.contains(&second), "{whole}");
}

#[test]
fn tables_show_the_shortest_unique_id_that_every_command_takes() {
    let repo = TestRepo::new();
    let made = repo.new_record("Template", &[]);
    let text = repo.show(&repo.record_path(&made));
    // Two records whose random parts share four characters, by hand.
    let crafted = [
        "PM-20261130-k7x3aaaa",
        "PM-20261130-k7x3bbbb",
        "PM-20261130-zq2mcccc",
    ];
    for (n, id) in crafted.iter().enumerate() {
        let body = text
            .replace(&made, id)
            .replace("title = \"Template\"", &format!("title = \"Crafted {n}\""));
        repo.commit_file(&format!("postmortems/2026/11/{id}.toml"), &body, "by hand");
    }
    let list = repo.ok(&["list"]);
    let first: Vec<&str> = list
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    for (short, id) in [
        ("k7x3a", crafted[0]),
        ("k7x3b", crafted[1]),
        ("zq2m", crafted[2]),
    ] {
        assert!(first.contains(&short), "{short} in {list}");
        // What the table shows, `show` takes.
        let out = repo.ok(&["show", short, "--json"]);
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["id"], id);
    }
    // --long and JSON give whole IDs.
    assert!(repo.ok(&["list", "--long"]).contains(crafted[0]));
    assert!(repo.ok(&["list", "--json"]).contains(crafted[0]));
    let triage = repo.ok(&["triage"]);
    assert!(
        triage.contains("k7x3a ") && !triage.contains(crafted[0]),
        "{triage}"
    );
}

#[test]
fn init_makes_one_commit_and_a_second_init_or_a_teammates_makes_none() {
    let remote = TestRepo::bare_init();
    let repo = TestRepo::new();
    repo.git(&["remote", "add", "origin", remote.path().to_str().unwrap()]);
    repo.ok(&["init"]);
    repo.ok(&["init"]);
    let subjects = repo.git(&["log", "--format=%s", &repo.records_ref()]);
    assert_eq!(subjects.lines().count(), 1, "{subjects}");
    repo.ok(&["sync"]);
    // A teammate's clone takes the team's branch and config as they are.
    let mate = TestRepo::new();
    mate.git(&["remote", "add", "origin", remote.path().to_str().unwrap()]);
    mate.git(&["fetch", "-q", "origin"]);
    mate.ok(&["init"]);
    let theirs = mate.git(&["log", "--format=%s", &mate.records_ref()]);
    assert_eq!(theirs, subjects, "no second init commit");
}

/// TAB reads and never writes: in a fresh clone whose records are only on
/// the remote, completion offers the remote's IDs and makes no local
/// branch (the first real command makes it, and says so).
#[test]
fn completion_in_a_fresh_clone_offers_the_remotes_ids_and_writes_nothing() {
    let t = crate::team::team();
    let id = t.alice.new_record("결제 API 5xx", &[]);
    t.alice.ok(&["sync"]);
    let carol = crate::team::clone_of(t.remote.path(), "Carol", "carol@example.com");
    let refs_before = carol.git(&["for-each-ref"]);
    let config_before = std::fs::read_to_string(carol.path().join(".git/config")).unwrap();
    let out = carol
        .cmd_in(carol.path())
        .env("DEVOPS_COMPLETE", "fish")
        .args(["--", "devops", "pm", "show", "PM-"])
        .output()
        .unwrap();
    assert!(stdout(&out).contains(&id), "{}", stdout(&out));
    assert_eq!(carol.git(&["for-each-ref"]), refs_before, "no ref made");
    assert_eq!(
        std::fs::read_to_string(carol.path().join(".git/config")).unwrap(),
        config_before,
        "no config written"
    );
    assert_eq!(carol.status_porcelain(), "");
    // The first command that may write makes the branch.
    carol.ok(&["list"]);
    assert_ne!(carol.git(&["branch", "--list", "postmortems"]), "");
}
