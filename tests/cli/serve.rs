//! `serve` from the outside: the real binary listening on a free port,
//! asked by a plain TCP client; its answers checked against the CLI's own
//! `--json`, and against git.

use crate::support::*;
use std::io::{BufRead, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// A running `devops pm serve`, stopped (SIGKILL) if a test fails first.
pub struct Served {
    pub child: std::process::Child,
    pub addr: SocketAddr,
}

impl Served {
    /// Starts it in `repo` (on a free port unless `extra` names one) and
    /// waits for its first line.
    pub fn start(repo: &TestRepo, extra: &[&str]) -> Served {
        Served::start_cmd(repo.std_cmd_in(repo.path()), extra)
    }

    /// The same, from a command of the caller's (its folder, environment).
    pub fn start_cmd(mut cmd: std::process::Command, extra: &[&str]) -> Served {
        cmd.args(["postmortem", "serve"]);
        if !extra.contains(&"--bind") {
            cmd.args(["--bind", "127.0.0.1:0"]);
        }
        let mut child = cmd
            .args(extra)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
        let addr = loop {
            let line = lines
                .next()
                .expect("serve ended before it listened")
                .unwrap();
            if let Some(rest) = line.strip_prefix("serving http://") {
                break rest.split('/').next().unwrap().parse().unwrap();
            }
        };
        // Keep draining its log so it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Served { child, addr }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn get(&self, path: &str) -> Answer {
        self.request("GET", path, &[])
    }

    /// One request, `Connection: close`, read to the end.
    pub fn request(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> Answer {
        let mut s = TcpStream::connect(self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n", self.addr);
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str("\r\n");
        s.write_all(req.as_bytes()).unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        Answer::parse(&raw)
    }

    /// Waits until `test` holds for `/`'s answer (bounded).
    pub fn wait_for(&self, path: &str, what: &str, test: impl Fn(&Answer) -> bool) -> Answer {
        let until = Instant::now() + Duration::from_secs(20);
        loop {
            let a = self.get(path);
            if test(&a) {
                return a;
            }
            assert!(Instant::now() < until, "{what}: not within 20 s");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    fn parse(raw: &[u8]) -> Answer {
        let text = String::from_utf8_lossy(raw);
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let mut lines = head.lines();
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers = lines
            .filter_map(|l| l.split_once(": "))
            .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
            .collect();
        Answer {
            status,
            headers,
            body: body.to_string(),
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Two records, one assigned with an overdue action, one unassigned.
fn small_team() -> (TestRepo, String, String) {
    let repo = TestRepo::new();
    repo.init_roster();
    let a = repo.new_record(
        "결제 서버 장애",
        &["--severity", "SEV1", "--started", "2026-11-23 09:00 +09:00"],
    );
    let b = repo.new_record("Search slow", &["--severity", "SEV3"]);
    repo.ok(&["assign", &a, "bob"]);
    repo.ok(&[
        "analyze",
        &a,
        "--root-cause",
        "pool exhausted",
        "--action",
        "Separate pools",
        "--due",
        "2026-11-20",
    ]);
    (repo, a, b)
}

#[test]
fn api_answers_are_the_clis_json() {
    let (repo, a, b) = small_team();
    let served = Served::start(&repo, &["--fetch", "0"]);
    for (path, args) in [
        ("/api/triage", vec!["triage", "--json"]),
        ("/api/stats", vec!["stats", "--json"]),
        (&format!("/api/pm/{a}") as &str, vec!["show", &a, "--json"]),
        (&format!("/api/pm/{b}"), vec!["show", &b, "--json"]),
    ] {
        let answer = served.get(path);
        assert_eq!(answer.status, 200, "{path}: {}", answer.body);
        assert_eq!(answer.header("content-type"), Some("application/json"));
        assert_eq!(answer.body, repo.ok(&args), "{path}");
    }
    // Any unique prefix, as on the command line.
    let prefix = &a[..a.len() - 3];
    assert_eq!(
        served.get(&format!("/api/pm/{prefix}")).body,
        repo.ok(&["show", &a, "--json"])
    );
    // The readable page names the record; people by name.
    let page = served.get(&format!("/pm/{a}"));
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("결제 서버 장애") && page.body.contains("Bob Lee"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("bob@example.com"),
        "a name, not an address"
    );
    // The wall page is the report's, live.
    let wall = served.get("/");
    assert_eq!(
        wall.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert!(wall.body.contains("Separate pools") && wall.body.contains("records as of"));
    assert!(
        wall.header("content-security-policy")
            .is_some_and(|c| c.contains("default-src 'none'"))
    );
}

#[test]
fn only_reads_and_only_its_own_paths() {
    let (repo, a, _) = small_team();
    let before = repo.commit_count();
    let served = Served::start(&repo, &["--fetch", "0"]);
    for method in ["POST", "PUT", "DELETE", "PATCH"] {
        let answer = served.request(method, &format!("/api/pm/{a}"), &[("Content-Length", "0")]);
        assert_eq!(answer.status, 405, "{method}");
        assert_eq!(answer.header("allow"), Some("GET, HEAD"));
    }
    let secret = repo.path().join("main.rs");
    assert!(secret.exists());
    for path in [
        "/pm/PM-00000000-zzzzzzzz",
        "/api/pm/nothing",
        "/api/pm/",
        "/pm/../main.rs",
        "/pm/..%2F..%2Fmain.rs",
        "/api/pm/../../.git/config",
        "/../main.rs",
        "/main.rs",
        "/.git/config",
        "//etc/passwd",
        "/api/pm/%2e%2e",
    ] {
        let answer = served.get(path);
        assert_eq!(answer.status, 404, "{path}: {}", answer.body);
        assert!(
            !answer.body.contains("fn main") && !answer.body.contains("[core]"),
            "{path}"
        );
    }
    // HEAD: the headers, no body.
    let head = served.request("HEAD", "/api/stats", &[]);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(
        head.header("content-length")
            .unwrap()
            .parse::<usize>()
            .unwrap(),
        served.get("/api/stats").body.len()
    );
    // Garbage is dropped, not answered with a panic; the server goes on.
    let mut s = TcpStream::connect(served.addr).unwrap();
    s.write_all(b"\x00\x01 not http\r\n\r\n").unwrap();
    drop(s);
    assert_eq!(served.get("/api/stats").status, 200);
    assert_eq!(repo.commit_count(), before, "a read wrote nothing");
}

#[test]
fn etag_answers_304_until_the_records_branch_moves() {
    let (repo, _, _) = small_team();
    let served = Served::start(&repo, &["--fetch", "0"]);
    for path in ["/", "/api/triage", "/api/stats"] {
        let first = served.get(path);
        let tag = first.header("etag").unwrap().to_string();
        let again = served.request("GET", path, &[("If-None-Match", &tag)]);
        assert_eq!(again.status, 304, "{path}");
        assert!(again.body.is_empty());
    }
    let tag = served
        .get("/api/triage")
        .header("etag")
        .unwrap()
        .to_string();
    let tip = repo.git(&["rev-parse", &repo.records_ref()]);
    assert!(
        tag.starts_with(&format!("\"{}", &tip[..12])),
        "{tag} names {tip}"
    );

    // A commit on the records branch (made by another process) is seen.
    let c = repo.new_record("Fresh from the branch", &["--severity", "SEV2"]);
    let moved = served.wait_for("/api/triage", "the new record", |a| a.body.contains(&c));
    assert_ne!(moved.header("etag").unwrap(), tag);
    assert_eq!(moved.body, repo.ok(&["triage", "--json"]));
    let wall = served.get("/");
    assert!(wall.body.contains("Fresh from the branch"));
    assert_eq!(
        served
            .request("GET", "/api/triage", &[("If-None-Match", &tag)])
            .status,
        200
    );
}

#[test]
fn sigterm_or_ctrl_c_stops_it_and_frees_the_port() {
    let (repo, _, _) = small_team();
    for signal in [libc::SIGTERM, libc::SIGINT] {
        let mut served = Served::start(&repo, &["--fetch", "0"]);
        assert_eq!(served.get("/").status, 200);
        let pid = served.child.id() as libc::pid_t;
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
        let until = Instant::now() + Duration::from_secs(10);
        let status = loop {
            if let Some(s) = served.child.try_wait().unwrap() {
                break s;
            }
            assert!(
                Instant::now() < until,
                "serve did not stop on signal {signal}"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        assert_eq!(status.code(), Some(0), "signal {signal}");
        std::net::TcpListener::bind(served.addr).expect("the port is free again");
    }
}

#[test]
fn it_follows_the_remote_and_warns_when_a_fetch_fails() {
    let team = crate::team::team();
    let (alice, bob) = (&team.alice, &team.bob);
    let first = alice.new_record("Shared first", &[]);
    alice.ok(&["sync"]);
    bob.ok(&["sync"]);
    let served = Served::start(bob, &["--fetch", "1s"]);
    assert!(served.get("/").body.contains("Shared first"));
    // Alice shares a record; Bob's server fetches it and follows.
    let second = alice.new_record("Shared second", &[]);
    alice.ok(&["sync"]);
    let wall = served.wait_for("/", "Alice's record", |a| a.body.contains("Shared second"));
    assert!(wall.body.contains("fetched"), "says when it fetched");
    let tip = |r: &TestRepo| r.git(&["rev-parse", &r.records_ref()]);
    assert_eq!(tip(bob), tip(alice), "a fast-forward");
    assert_eq!(
        served.get(&format!("/api/pm/{second}")).body,
        bob.ok(&["show", &second, "--json"])
    );
    assert_eq!(
        bob.git(&["rev-parse", "main"]),
        alice.git(&["rev-parse", "main"]),
        "code untouched"
    );
    // The remote goes away: the page says so, and keeps the records.
    let gone = team.remote.path().with_extension("gone");
    std::fs::rename(team.remote.path(), &gone).unwrap();
    let wall = served.wait_for("/", "a fetch warning", |a| a.body.contains("fetch-warning"));
    assert!(wall.body.contains("fetch failed"), "{}", wall.body);
    assert!(wall.body.contains("Shared first") && wall.body.contains(&first));
    std::fs::rename(&gone, team.remote.path()).unwrap();
    served.wait_for("/", "the warning gone", |a| {
        !a.body.contains("fetch-warning")
    });
}

#[test]
fn a_clone_with_changes_of_its_own_is_left_for_sync() {
    let team = crate::team::team();
    let (alice, bob) = (&team.alice, &team.bob);
    alice.new_record("Shared first", &[]);
    alice.ok(&["sync"]);
    bob.ok(&["sync"]);
    bob.new_record("Bob's own, not shared", &[]);
    alice.new_record("Alice's newer", &[]);
    alice.ok(&["sync"]);
    let tip = |r: &TestRepo| r.git(&["rev-parse", &r.records_ref()]);
    let before = tip(bob);
    let served = Served::start(bob, &["--fetch", "1s"]);
    let wall = served.wait_for("/", "the advice to sync", |a| {
        a.body.contains("unshared changes")
    });
    assert!(
        wall.body.contains("devops postmortem sync"),
        "{}",
        wall.body
    );
    assert!(wall.body.contains("Bob&#x27;s own") || wall.body.contains("Bob's own"));
    assert_eq!(tip(bob), before, "no merge, no commit");
}

#[test]
fn bad_flags_are_refused_with_a_hint_that_works() {
    let (repo, _, _) = small_team();
    for (flag, value) in [
        ("--fetch", "5x"),
        ("--refresh", "soon"),
        ("--bind", "localhost"),
    ] {
        let err = repo.fails(2, &["serve", flag, value]);
        assert!(err.contains(flag) && err.contains(value), "{err}");
    }
    // A port in use: said, with a way out that works when pasted.
    let first = Served::start(&repo, &["--fetch", "0"]);
    let port = first.addr.port().to_string();
    let err = repo.fails(
        2,
        &[
            "serve",
            "--fetch",
            "0",
            "--bind",
            &format!("127.0.0.1:{port}"),
        ],
    );
    assert!(
        err.contains(&port) && err.contains("cannot listen"),
        "{err}"
    );
    let hint = err.split("--bind ").last().unwrap().trim();
    assert_eq!(hint, "127.0.0.1:0", "{err}");
    let second = Served::start(&repo, &["--fetch", "0", "--bind", hint]);
    assert_ne!(second.addr.port(), first.addr.port());
    assert_eq!(second.get("/api/stats").status, 200);
}

#[test]
fn a_repository_without_records_yet_is_served_as_empty() {
    let repo = TestRepo::new();
    let served = Served::start(&repo, &[]);
    let wall = served.get("/");
    assert_eq!(wall.status, 200);
    assert!(
        wall.body.contains("no records yet") && wall.body.contains("No open incidents"),
        "{}",
        wall.body
    );
    assert!(
        wall.body.contains("no remote"),
        "nothing to fetch from, said"
    );
    assert_eq!(served.get("/api/stats").body, repo.ok(&["stats", "--json"]));
    // The first record starts the branch; the page follows.
    let id = repo.new_record("The very first", &[]);
    let wall = served.wait_for("/", "the first record", |a| a.body.contains(&id));
    assert!(wall.body.contains("records as of"));
}
