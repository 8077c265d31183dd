//! Builds a team-scale repository, reproducibly from a seed, for the
//! benchmarks, in the layout the tool keeps (see README, "How it uses
//! git"):
//!
//! - `main`, the code: `files` code files (git's default index, checked
//!   out) and a history of `commits` code commits, one file each, every
//!   50th with a `Fixes-Postmortem: ID#1` trailer;
//! - `postmortems`, an orphan branch holding only `postmortems/`: its
//!   `config.toml` and about `records` records (Hangul and English, action
//!   items, timelines), most of them imported by its first commit (a team
//!   adopting the tool), and a history of `record-commits` commits (one
//!   record each: every 20th edits the one record whose `log` is timed,
//!   every 10th makes a new record, the rest edit a record drawn at random;
//!   one, in the middle, makes the incident whose `changes` are timed).
//!
//! The two histories interleave, five minutes apart, so commit times keep
//! increasing on both branches. Written with `git fast-import`, so 100k
//! commits on each branch take minutes, not hours; then packed the way git
//! packs (`git repack -adf`: fresh deltas, as in a clone from a server).
//! fast-import deltifies each blob against the one written before it,
//! leaving chains of up to 50 unrelated records that no real repository
//! has; `--no-repack` keeps its pack, and saves a few minutes at 100k.
//!
//!     cargo run --release --example gen -- DIR [--records N] [--files N] [--commits N] [--record-commits N] [--seed N] [--no-repack]
//!
//! (`--record-commits` defaults to `--commits`.) Prints, as `key=value`
//! lines, what the benchmark needs: the ID and path of the record edited
//! all through the records' history, an open record to assign, and an
//! incident start in the middle of the code's history.

use std::io::{BufWriter, Write};
use std::process::{Command, Stdio};

#[path = "shared/rng.rs"]
mod rng;
use rng::Rng;

const KO_SUBJECTS: &[&str] = &[
    "결제 서버",
    "로그인",
    "검색",
    "주문 API",
    "배포 파이프라인",
    "정산 배치",
    "알림 서비스",
    "회원 DB",
    "캐시 클러스터",
    "이미지 업로드",
];
const KO_SYMPTOMS: &[&str] = &[
    "장애",
    "응답 지연",
    "타임아웃",
    "오류 급증",
    "접속 불가",
    "데이터 불일치",
];
const EN_SUBJECTS: &[&str] = &[
    "Checkout",
    "Login page",
    "Search",
    "Order API",
    "Deploy pipeline",
    "Billing batch",
    "Push notifications",
    "User DB",
    "Cache cluster",
    "Image upload",
];
const EN_SYMPTOMS: &[&str] = &[
    "outage",
    "latency spike",
    "timeouts",
    "error burst",
    "unreachable",
    "stale data",
];
const SERVICES: &[&str] = &[
    "payments", "auth", "search", "orders", "deploy", "billing", "notify", "users", "cache",
    "media",
];
const CAUSES: &[&str] = &[
    "connection pool exhausted by a batch job",
    "certificate expired on an internal endpoint",
    "a config change disabled the retry budget",
    "커넥션 풀이 배치 작업에 의해 고갈됨",
    "캐시 키 만료가 한꺼번에 몰림",
    "disk filled by unrotated logs",
];
const PEOPLE: &[&str] = &[
    "Bob Lee <bob@example.com>",
    "이지은 <jieun@example.com>",
    "김민수 <minsu@example.com>",
    "Alice Kim <alice@example.com>",
    "Carol Park <carol@example.com>",
];
const BASE_EPOCH: i64 = 1_704_067_200; // 2024-01-01T00:00:00Z

fn rfc3339(epoch: i64) -> String {
    // KST, as a Korean team would type it.
    let t = chrono::DateTime::from_timestamp(epoch, 0).expect("in range");
    t.with_timezone(&chrono::FixedOffset::east_opt(9 * 3600).expect("offset"))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn record_id(rng: &mut Rng, epoch: i64) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz234567";
    let day = chrono::DateTime::from_timestamp(epoch, 0)
        .expect("in range")
        .format("%Y%m%d");
    let suffix: String = (0..8)
        .map(|_| ALPHABET[rng.below(32) as usize] as char)
        .collect();
    format!("PM-{day}-{suffix}")
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// What a record is made of, beyond what the generator draws at random.
#[derive(Default, Clone, Copy)]
struct Shape {
    /// Changes made since it was created: each makes it differ.
    edits: u32,
    /// When the incident began (else a few hours before its creation).
    started: Option<i64>,
    /// Its status (else drawn).
    status: Option<&'static str>,
}

/// One realistic record created at `epoch`.
fn record(rng: &mut Rng, id: &str, epoch: i64, shape: Shape) -> String {
    let Shape {
        edits,
        started,
        status: fixed_status,
    } = shape;
    let korean = rng.below(2) == 0;
    let title = if korean {
        format!("{} {}", rng.pick(KO_SUBJECTS), rng.pick(KO_SYMPTOMS))
    } else {
        format!("{} {}", rng.pick(EN_SUBJECTS), rng.pick(EN_SYMPTOMS))
    };
    let severity = ["SEV1", "SEV2", "SEV2", "SEV3", "SEV3", "SEV3", "SEV4"][rng.below(7) as usize];
    let drawn = [
        "open", "assigned", "analyzed", "closed", "closed", "closed", "closed",
    ][rng.below(7) as usize];
    let status = fixed_status.unwrap_or(drawn);
    let started = started.unwrap_or(epoch - 3600 - rng.below(6 * 3600) as i64);
    let detected = started + 60 * (1 + rng.below(30) as i64);
    let acknowledged = detected + 60 * rng.below(15) as i64;
    let mitigated = acknowledged + 60 * (5 + rng.below(60) as i64);
    let resolved = mitigated + 60 * rng.below(120) as i64;
    let assignee = if status == "open" {
        String::new()
    } else {
        rng.pick(PEOPLE).to_string()
    };
    let mut s = String::with_capacity(1400);
    s.push_str(&format!(
        "schema = 1\nid = \"{id}\"\ntitle = {}\nstatus = \"{status}\"\nseverity = \"{severity}\"\nservices = [\"{}\"]\ntags = []\nreporter = {}\nassignee = {}\nsummary = {}\nstarted_at = {}\ndetected_at = {}\nacknowledged_at = {}\nmitigated_at = {}\nresolved_at = {}\ncreated_at = {}\nupdated_at = {}\n",
        quote(&title),
        rng.pick(SERVICES),
        quote(rng.pick(PEOPLE)),
        quote(&assignee),
        quote(&format!("{title}: users saw errors for a while (edit {edits})")),
        rfc3339(started),
        rfc3339(detected),
        rfc3339(acknowledged),
        rfc3339(mitigated),
        rfc3339(resolved),
        rfc3339(epoch),
        rfc3339(epoch + i64::from(edits) * 600),
    ));
    if status == "closed" {
        s.push_str(&format!("closed_at = {}\n", rfc3339(epoch + 3 * 86400)));
    }
    s.push_str(&format!(
        "\n[impact]\nusers_affected = {}\nfield_reports = {}\ndescription = \"\"\n\n[analysis]\ntrigger = \"\"\nroot_cause = {}\ncontributing_factors = [\n    \"no alert\",\n]\nfive_whys = []\nwent_well = [\n    \"fast rollback\",\n]\nwent_wrong = []\nlucky = []\nlessons = [\n    \"watch the pool\",\n]\n",
        rng.below(50_000),
        rng.below(100),
        quote(if status == "open" || status == "assigned" { "" } else { rng.pick(CAUSES) }),
    ));
    s.push_str(&format!(
        "\n[[timeline]]\nat = {}\ntext = \"alert fired\"\n",
        rfc3339(detected)
    ));
    if status != "open" && status != "assigned" {
        for n in 1..=2 {
            let due = chrono::DateTime::from_timestamp(epoch + 14 * 86400, 0)
                .expect("in range")
                .format("%Y-%m-%d");
            let done = status == "closed" || rng.below(2) == 0;
            s.push_str(&format!(
                "\n[[action_items]]\nn = {n}\ntext = \"Follow-up {n} for {id}\"\nkind = \"prevent\"\nowner = {}\ndue = {due}\nstatus = \"{}\"\n",
                quote(rng.pick(PEOPLE)),
                if done { "done" } else { "open" },
            ));
        }
    }
    s
}

fn path_of(id: &str) -> String {
    format!("postmortems/{}/{}/{id}.toml", &id[3..7], &id[7..9])
}

/// The team's config on the records branch, as `devops pm init` and a
/// first edit would leave it.
fn config() -> String {
    let mut s = String::from(
        "severities = [\"SEV1\", \"SEV2\", \"SEV3\", \"SEV4\"]\ntimezone = \"+09:00\"\nservices = [",
    );
    s.push_str(
        &SERVICES
            .iter()
            .map(|v| format!("\"{v}\""))
            .collect::<Vec<_>>()
            .join(", "),
    );
    s.push_str("]\n\n[review_days]\nSEV1 = 3\nSEV2 = 5\ndefault = 10\n");
    for p in PEOPLE {
        let (name, email) = p
            .trim_end_matches('>')
            .split_once(" <")
            .expect("Name <email>");
        let handle = email.split('@').next().expect("an email");
        s.push_str(&format!(
            "\n[[people]]\nname = \"{name}\"\nemail = \"{email}\"\nhandle = \"{handle}\"\n"
        ));
    }
    s
}

/// Writes a `git fast-import` stream: commits, each on a branch, with
/// their files inline.
struct Stream<W: Write> {
    out: W,
    mark: u64,
}

impl<W: Write> Stream<W> {
    /// Starts a commit on `branch` after the commit marked `parent` (none:
    /// the branch's first, without parents) and returns its mark; files
    /// follow with [`Stream::file`], then [`Stream::end`].
    fn commit(
        &mut self,
        branch: &str,
        parent: Option<u64>,
        who: &str,
        time: i64,
        message: &str,
    ) -> u64 {
        self.mark += 1;
        let out = &mut self.out;
        write!(
            out,
            "commit refs/heads/{branch}\nmark :{}\nauthor {who} {time} +0900\ncommitter {who} {time} +0900\ndata {}\n{message}\n",
            self.mark,
            message.len() + 1
        )
        .unwrap();
        if let Some(p) = parent {
            writeln!(out, "from :{p}").unwrap();
        }
        self.mark
    }

    fn file(&mut self, path: &str, text: &str) {
        write!(
            self.out,
            "M 100644 inline {path}\ndata {}\n{text}\n",
            text.len()
        )
        .unwrap();
    }

    fn end(&mut self) {
        self.out.write_all(b"\n").unwrap();
    }
}

fn record_message(action: &str, id: &str) -> String {
    format!("postmortem: {action} {id}\n\nPostmortem-Id: {id}\nPostmortem-Action: {action}")
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut dir = None;
    let (mut records, mut files, mut commits, mut seed) = (10_000u64, 10_000u64, 10_000u64, 42u64);
    let mut record_commits = None;
    let mut repack = true;
    while let Some(a) = args.next() {
        let mut num = || args.next().and_then(|v| v.parse().ok()).expect("a number");
        match a.as_str() {
            "--records" => records = num(),
            "--files" => files = num(),
            "--commits" => commits = num(),
            "--record-commits" => record_commits = Some(num()),
            "--seed" => seed = num(),
            "--no-repack" => repack = false,
            other => dir = Some(other.to_string()),
        }
    }
    let record_commits = record_commits.unwrap_or(commits);
    let dir = dir.expect(
        "usage: gen DIR [--records N] [--files N] [--commits N] [--record-commits N] [--seed N] [--no-repack]",
    );
    std::fs::create_dir_all(&dir).expect("create DIR");
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .current_dir(&dir)
            .args(args)
            .status()
            .expect("git")
            .success();
        assert!(ok, "git {args:?} failed");
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["config", "user.name", "Bench User"]);
    git(&["config", "user.email", "bench@example.com"]);

    let mut child = Command::new("git")
        .current_dir(&dir)
        .args(["fast-import", "--quiet"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("git fast-import");
    let mut s = Stream {
        out: BufWriter::with_capacity(1 << 20, child.stdin.take().expect("piped")),
        mark: 0,
    };
    let mut rng = Rng(seed.max(1));
    let mut time = BASE_EPOCH;
    let code_path = |i: u64| format!("src/m{:03}/f{i:06}.rs", i % 500);
    const CODER: &str = "Bench User <bench@example.com>";

    // 1. The code base, on main.
    let mut main = s.commit("main", None, CODER, time, "Import the code base");
    for i in 0..files {
        s.file(&code_path(i), &format!("pub fn f{i}() -> u64 {{ {i} }}\n"));
    }
    s.end();

    // 2. Years of post-mortems, imported at once (a team adopting the
    //    tool) as the records branch's first commit; the history below
    //    makes the rest. The first is the record whose `log` is timed; the
    //    second, assigned and never edited by the history, is `assign`'s.
    let news = (0..record_commits).filter(|c| c % 10 == 5).count() as u64;
    let imported = records.saturating_sub(news).max(2);
    let mut ids: Vec<(String, i64)> = Vec::with_capacity(records as usize);
    time += 60;
    let mut pm = s.commit(
        "postmortems",
        None,
        PEOPLE[0],
        time,
        "postmortem: import\n\nPostmortem-Action: import",
    );
    s.file("postmortems/config.toml", &config());
    let mut assign_id = String::new();
    for n in 0..imported {
        let created = BASE_EPOCH - 86400 - rng.below(3 * 365 * 86400) as i64;
        let id = record_id(&mut rng, created);
        let shape = Shape {
            status: (n == 1).then_some("assigned"),
            ..Shape::default()
        };
        s.file(&path_of(&id), &record(&mut rng, &id, created, shape));
        if n == 1 {
            assign_id = id;
        } else {
            ids.push((id, created));
        }
    }
    s.end();

    // 3. The two histories, interleaved.
    let target = ids.first().cloned().expect("at least one record");
    let span = commits as i64 * 600; // the code's: one commit every 10 minutes
    let incident = BASE_EPOCH + span / 2;
    let mut incident_id = None;
    let (mut edits, mut fixes) = (0, 0);
    for c in 0..commits.max(record_commits) {
        if c < commits {
            time += 300;
            let i = rng.below(files);
            let mut message = format!("Change f{i}");
            if c % 50 == 25 {
                let (id, _) = &ids[rng.below(ids.len() as u64) as usize];
                message.push_str(&format!("\n\nFixes-Postmortem: {id}#1"));
                fixes += 1;
            }
            main = s.commit("main", Some(main), rng.pick(PEOPLE), time, &message);
            s.file(&code_path(i), &format!("pub fn f{i}() -> u64 {{ {c} }}\n"));
            s.end();
        }
        if c < record_commits {
            time += 300;
            let who = rng.pick(PEOPLE);
            if c % 20 == 10 {
                edits += 1;
                let shape = Shape {
                    edits,
                    ..Shape::default()
                };
                let text = record(&mut Rng(seed ^ 0xABCD), &target.0, target.1, shape);
                pm = s.commit(
                    "postmortems",
                    Some(pm),
                    who,
                    time,
                    &record_message("update", &target.0),
                );
                s.file(&path_of(&target.0), &text);
            } else if incident_id.is_none() && time >= incident + 2 * 3600 {
                let id = new_incident(&mut s, &mut pm, seed, who, time, incident);
                incident_id = Some(id);
            } else if c % 10 == 5 {
                let created = time - 60 * rng.below(60) as i64;
                let id = record_id(&mut rng, created);
                let text = record(&mut rng, &id, created, Shape::default());
                pm = s.commit(
                    "postmortems",
                    Some(pm),
                    who,
                    time,
                    &record_message("new", &id),
                );
                s.file(&path_of(&id), &text);
                ids.push((id, created));
            } else {
                let (id, created) = ids[rng.below(ids.len() as u64) as usize].clone();
                let shape = Shape {
                    edits: 1 + rng.below(9) as u32,
                    ..Shape::default()
                };
                let text = record(&mut rng, &id, created, shape);
                pm = s.commit(
                    "postmortems",
                    Some(pm),
                    who,
                    time,
                    &record_message("update", &id),
                );
                s.file(&path_of(&id), &text);
            }
            s.end();
        }
    }
    let incident_id = incident_id.unwrap_or_else(|| {
        time += 300;
        let id = new_incident(&mut s, &mut pm, seed, PEOPLE[1], time, incident);
        s.end();
        id
    });
    s.out.flush().unwrap();
    drop(s);
    assert!(
        child.wait().expect("fast-import").success(),
        "fast-import failed"
    );
    if repack {
        git(&["repack", "-a", "-d", "-f", "-q"]);
    }
    git(&["reset", "-q", "--hard", "main"]);

    println!("branch=postmortems");
    println!("records={}", ids.len() + 2);
    println!("code_files={files}");
    println!("code_commits={commits}");
    println!("record_commits={}", record_commits + 1);
    println!("fixes_trailers={fixes}");
    println!("target_id={}", target.0);
    println!("target_path={}", path_of(&target.0));
    println!("target_edits={edits}");
    println!("assign_id={assign_id}");
    println!("incident_id={incident_id}");
    println!("incident_start={incident}");
}

/// The commit that makes the incident record (began at `incident`,
/// written up an hour later) whose `changes` the benchmark times; the
/// caller ends it.
fn new_incident<W: Write>(
    s: &mut Stream<W>,
    pm: &mut u64,
    seed: u64,
    who: &str,
    time: i64,
    incident: i64,
) -> String {
    let mut rng = Rng(seed ^ 0x1234);
    let created = incident + 3600;
    let id = record_id(&mut rng, created);
    let shape = Shape {
        started: Some(incident),
        ..Shape::default()
    };
    let text = record(&mut rng, &id, created, shape);
    *pm = s.commit(
        "postmortems",
        Some(*pm),
        who,
        time,
        &record_message("new", &id),
    );
    s.file(&path_of(&id), &text);
    id
}
