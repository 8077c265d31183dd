//! A citizen of the terminal: widths, pager, colour, completions, the
//! manual, one JSON shape per concept.

use crate::support::*;
use unicode_width::UnicodeWidthStr;

const LONG: &str =
    "결제 게이트웨이 응답 지연과 재시도 폭주: card payments failed for forty minutes in region two";

fn repo_with_long_titles() -> (TestRepo, String) {
    let (repo, ids) = fixture("long titles", || {
        let repo = TestRepo::new();
        let id = repo.new_record(
            LONG,
            &[
                "--severity",
                "SEV1",
                "--assignee",
                "Bob Lee <bob@example.com>",
            ],
        );
        repo.new_record("Short", &[]);
        (repo, vec![id])
    });
    (repo, ids[0].clone())
}

/// Runs `devops postmortem ARGS` on a pseudo-terminal with `env`, and
/// returns everything it printed (lines without the `\r`).
fn on_terminal(repo: &TestRepo, env: &[(&str, &str)], args: &[&str]) -> String {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin!("devops"));
    cmd.current_dir(repo.path())
        .env_clear()
        .env("PATH", path_with_devops())
        .env("HOME", repo.home.path())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("TERM", "xterm")
        .env("DEVOPS_PM_NOW", &repo.now);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.arg("postmortem").args(args);
    let mut p = rexpect::session::spawn_command(cmd, Some(20_000)).unwrap();
    // rexpect hands back one char per byte: put the UTF-8 back together.
    let bytes: Vec<u8> = p
        .exp_eof()
        .unwrap()
        .chars()
        .map(|c| c as u32 as u8)
        .collect();
    String::from_utf8_lossy(&bytes).replace('\r', "")
}

#[test]
fn tables_fit_the_terminal_and_pipes_get_whole_values() {
    let (repo, id) = repo_with_long_titles();
    for width in [60usize, 80, 200] {
        let cols = width.to_string();
        let out = on_terminal(
            &repo,
            &[("COLUMNS", &cols), ("NO_COLOR", "1")],
            &["--no-pager", "list"],
        );
        for line in out.lines() {
            assert!(
                line.width() <= width,
                "{width} columns: {line:?} is {} wide",
                line.width()
            );
        }
        let short = &id[id.len() - 8..id.len() - 4]; // the table's short form
        let row = out.lines().find(|l| l.starts_with(short)).unwrap();
        if width < 200 {
            assert!(row.ends_with('…'), "{width}: cut with an ellipsis: {row}");
            let kept = row.trim_end_matches('…').trim_end();
            let title_part = kept.rsplit("  ").next().unwrap();
            assert!(LONG.starts_with(title_part), "{width}: {title_part:?}");
            let next = LONG[title_part.len()..].chars().next();
            assert!(
                next.is_none_or(|c| c == ' '),
                "{width}: cut at a word boundary: {row}"
            );
        } else {
            assert!(row.contains(LONG), "200: the whole title: {row}");
        }
    }
    // Piped: whole values, whatever COLUMNS says.
    let piped = repo
        .cmd_in(repo.path())
        .env("COLUMNS", "40")
        .args(["postmortem", "list"])
        .output()
        .unwrap();
    let text = stdout(&piped);
    assert!(text.contains(LONG) && !text.contains('…'), "{text}");
    assert!(text.contains("Bob Lee"));
}

#[test]
fn long_output_goes_through_the_pager_on_a_terminal_only() {
    let (repo, id) = repo_with_long_titles();
    let pager = "sed 's/^/PAGED: /'";
    let paged = on_terminal(
        &repo,
        &[("DEVOPS_PAGER", pager), ("NO_COLOR", "1")],
        &["show", &id],
    );
    assert!(
        paged
            .lines()
            .all(|l| l.is_empty() || l.starts_with("PAGED: ")),
        "{paged}"
    );
    let direct = on_terminal(
        &repo,
        &[("DEVOPS_PAGER", pager)],
        &["--no-pager", "show", &id],
    );
    assert!(
        !direct.contains("PAGED: ") && direct.contains(&id),
        "{direct}"
    );
    // PAGER, then git's core.pager, are used when DEVOPS_PAGER is not set.
    let via_pager = on_terminal(&repo, &[("PAGER", pager)], &["log", &id]);
    assert!(via_pager.contains("PAGED: "), "{via_pager}");
    repo.git(&["config", "core.pager", "sed 's/^/GIT: /'"]);
    let via_git = on_terminal(&repo, &[], &["list"]);
    assert!(via_git.contains("GIT: "), "{via_git}");
    // Piped: never a pager.
    let out = repo
        .cmd_in(repo.path())
        .env("DEVOPS_PAGER", pager)
        .args(["postmortem", "show", &id])
        .output()
        .unwrap();
    assert!(!stdout(&out).contains("PAGED"), "{}", stdout(&out));
}

#[test]
fn colour_follows_the_flag_no_color_and_clicolor_force() {
    let (repo, _) = repo_with_long_titles();
    let esc = "\u{1b}[";
    let piped = |env: &[(&str, &str)], args: &[&str]| {
        let mut c = repo.cmd_in(repo.path());
        c.env_remove("NO_COLOR");
        for (k, v) in env {
            c.env(k, v);
        }
        c.arg("postmortem").args(args).output().unwrap()
    };
    assert!(
        !stdout(&piped(&[], &["list"])).contains(esc),
        "auto: no colour into a pipe"
    );
    let always = stdout(&piped(&[], &["--color", "always", "list"]));
    // SEV1 in bold red, drawn by anstyle.
    assert!(
        always.contains("\u{1b}[1m\u{1b}[31mSEV1\u{1b}[0m"),
        "{always:?}"
    );
    assert!(stdout(&piped(&[("CLICOLOR_FORCE", "1")], &["list"])).contains(esc));
    assert!(
        !stdout(&piped(
            &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")],
            &["list"]
        ))
        .contains(esc)
    );
    // On a terminal: colour unless NO_COLOR or --color never.
    assert!(on_terminal(&repo, &[], &["--no-pager", "list"]).contains(esc));
    assert!(!on_terminal(&repo, &[("NO_COLOR", "1")], &["--no-pager", "list"]).contains(esc));
    assert!(!on_terminal(&repo, &[], &["--no-pager", "--color", "never", "list"]).contains(esc));
    // The words carry the meaning without colour: the severity is written out.
    assert!(on_terminal(&repo, &[("NO_COLOR", "1")], &["--no-pager", "list"]).contains("SEV1"));
    // Error labels too.
    let err = piped(&[], &["--color", "always", "show", "nope"]);
    assert!(
        stderr(&err).starts_with("\u{1b}[31merror\u{1b}[0m: "),
        "{:?}",
        stderr(&err)
    );
}

#[test]
fn completions_parse_and_the_manual_renders() {
    let repo = TestRepo::new();
    let bash = repo
        .cmd_in(repo.path())
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(bash.status.success());
    let script = repo.home.path().join("devops.bash");
    std::fs::write(&script, &bash.stdout).unwrap();
    let check = std::process::Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    // The script calls the binary back, so flags are always current.
    assert!(
        stdout(&bash).contains("DEVOPS_COMPLETE=\"bash\""),
        "{}",
        stdout(&bash)
    );
    let flags = repo
        .cmd_in(repo.path())
        .env("DEVOPS_COMPLETE", "fish")
        .args(["--", "devops", "postmortem", "triage", "--closed"])
        .output()
        .unwrap();
    assert!(
        stdout(&flags).contains("--closed-since"),
        "{}",
        stdout(&flags)
    );
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let out = repo
            .cmd_in(repo.path())
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success() && !out.stdout.is_empty(), "{shell}");
    }
    let man = repo.cmd_in(repo.path()).arg("man").output().unwrap();
    assert!(man.status.success());
    assert!(
        stdout(&man).starts_with(".ie") || stdout(&man).contains(".TH devops"),
        "roff"
    );
    let page = repo.home.path().join("devops.1");
    std::fs::write(&page, &man.stdout).unwrap();
    let rendered = std::process::Command::new("man")
        .args(["-l", "-P", "cat"])
        .arg(&page)
        .env("MANWIDTH", "80")
        .output();
    if let Ok(r) = rendered {
        assert!(
            r.status.success(),
            "man -l: {}",
            String::from_utf8_lossy(&r.stderr)
        );
        let text = String::from_utf8_lossy(&r.stdout);
        assert!(
            text.contains("devops") && text.contains("--closed-since"),
            "{text}"
        );
    }
    // One page per command, and every page another refers to is there.
    let pages = repo.home.path().join("man1");
    let out = repo
        .cmd_in(repo.path())
        .args(["man", "--dir", pages.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let mut referred = 0;
    for file in std::fs::read_dir(&pages).unwrap() {
        let text = std::fs::read_to_string(file.unwrap().path()).unwrap();
        let text = text.replace("\\-", "-"); // roff's hyphen
        for name in text
            .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '(' || c == ')'))
            .filter_map(|w| w.strip_suffix("(1)"))
            .filter(|w| w.starts_with("devops"))
        {
            referred += 1;
            assert!(
                pages.join(format!("{name}.1")).exists(),
                "{name}(1) has no page"
            );
        }
    }
    assert!(referred > 20, "{referred} references");
    assert!(pages.join("devops-postmortem-action-add.1").exists());
    // One version string, however it is asked.
    let v1 = stdout(&repo.cmd_in(repo.path()).arg("--version").output().unwrap());
    let v2 = stdout(
        &repo
            .cmd_in(repo.path())
            .args(["pm", "--version"])
            .output()
            .unwrap(),
    );
    assert_eq!(v1, v2);
    assert!(v1.starts_with("devops "), "{v1}");
}

#[test]
fn every_subcommand_help_ends_with_runnable_examples() {
    let repo = TestRepo::new();
    let help = stdout(
        &repo
            .cmd_in(repo.path())
            .args(["pm", "--help"])
            .output()
            .unwrap(),
    );
    let commands: Vec<String> = help
        .split("Commands:")
        .nth(1)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| !["help"].contains(c) && !c.starts_with('-'))
        .take_while(|c| c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '-'))
        .map(String::from)
        .collect();
    assert!(commands.len() >= 20, "{commands:?}");
    for c in &commands {
        let out = repo
            .cmd_in(repo.path())
            .args(["pm", c, "--help"])
            .output()
            .unwrap();
        let text = stdout(&out);
        let subcommands = text.contains("Commands:");
        assert!(
            subcommands
                || text.contains("Examples:\n  devops postmortem")
                || text.contains("Example:\n  devops postmortem"),
            "`{c} --help` has no examples:\n{text}"
        );
    }
}

/// Every person and instant in every JSON document has the one shape
/// docs/json.md gives.
#[test]
fn one_json_shape_per_concept() {
    let repo = TestRepo::new();
    let id = repo.new_record(
        "Shapes",
        &[
            "--assignee",
            "Bob Lee <bob@example.com>",
            "--started",
            "2026-11-23 09:12",
        ],
    );
    repo.ok(&[
        "analyze",
        &id,
        "--root-cause",
        "rc",
        "--action",
        "Fix",
        "--owner",
        "carol",
        "--due",
        "2026-11-20",
    ]);
    repo.ok(&[
        "timeline",
        "add",
        &id,
        "--at",
        "2026-11-23T00:20:00Z",
        "utc",
    ]);
    repo.commit_file("main.rs", "fn main() {}\n// x\n", "code");
    let docs = [
        repo.ok(&["list", "--json"]),
        repo.ok(&["show", &id, "--json"]),
        repo.ok(&["export", "--json"]),
        repo.ok(&["triage", "--json"]),
        repo.ok(&["stats", "--json"]),
        repo.ok(&["log", &id, "--json"]),
        repo.ok(&["log", "--json"]),
        repo.ok(&["changes", &id, "--json", "--window", "1000d"]),
        repo.ok(&["search", "rc", "--json"]),
    ];
    let instant = |s: &str| {
        let b = s.as_bytes();
        s.len() == 25 && b[10] == b'T' && (b[19] == b'+' || b[19] == b'-') && b[22] == b':'
    };
    let mut seen = 0;
    fn walk(v: &serde_json::Value, key: &str, f: &mut dyn FnMut(&str, &serde_json::Value)) {
        f(key, v);
        match v {
            serde_json::Value::Object(m) => m.iter().for_each(|(k, v)| walk(v, k, f)),
            serde_json::Value::Array(a) => a.iter().for_each(|v| walk(v, key, f)),
            _ => {}
        }
    }
    for doc in &docs {
        let v: serde_json::Value = serde_json::from_str(doc).unwrap();
        walk(&v, "", &mut |key, v| {
            let Some(s) = v.as_str() else { return };
            if key.ends_with("_at") || key == "date" || key == "at" {
                assert!(
                    instant(s),
                    "{key} = {s:?} is not RFC 3339 with a numeric offset"
                );
                seen += 1;
            }
            if ["author", "reporter"].contains(&key) || (key == "assignee" && s.contains('@')) {
                assert!(
                    s.contains(" <") && s.ends_with('>'),
                    "{key} = {s:?} is not `Name <email>`"
                );
                seen += 1;
            }
            assert_ne!(key, "email", "people are one string, never split");
        });
    }
    assert!(seen > 20, "{seen} values checked");
}
