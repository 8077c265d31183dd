//! Builds a team-scale host repository, reproducibly from a seed, for the
//! benchmarks: `records` post-mortems (Hangul and English, action items,
//! timelines), `files` code files, and a history of `commits` commits, mostly
//! code with some post-mortem edits. Written with `git fast-import`, so 100k
//! commits take seconds, not hours.
//!
//!     cargo run --release --example gen -- DIR [--records N] [--files N] [--commits N] [--seed N]
//!
//! Prints, as `key=value` lines, what the benchmark needs: the ID and path
//! of a record edited all through the history, and an incident start in the
//! middle of it.

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

/// One realistic record created at `epoch`; `edits` changes make it differ.
/// The incident began at `started`, or a few hours before `epoch`.
fn record(rng: &mut Rng, id: &str, epoch: i64, edits: u32, started: Option<i64>) -> String {
    let korean = rng.below(2) == 0;
    let title = if korean {
        format!("{} {}", rng.pick(KO_SUBJECTS), rng.pick(KO_SYMPTOMS))
    } else {
        format!("{} {}", rng.pick(EN_SUBJECTS), rng.pick(EN_SYMPTOMS))
    };
    let severity = ["SEV1", "SEV2", "SEV2", "SEV3", "SEV3", "SEV3", "SEV4"][rng.below(7) as usize];
    let status = [
        "open", "assigned", "analyzed", "closed", "closed", "closed", "closed",
    ][rng.below(7) as usize];
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

fn main() {
    let mut args = std::env::args().skip(1);
    let mut dir = None;
    let (mut records, mut files, mut commits, mut seed) = (10_000u64, 10_000u64, 10_000u64, 42u64);
    while let Some(a) = args.next() {
        let mut num = || args.next().and_then(|v| v.parse().ok()).expect("a number");
        match a.as_str() {
            "--records" => records = num(),
            "--files" => files = num(),
            "--commits" => commits = num(),
            "--seed" => seed = num(),
            other => dir = Some(other.to_string()),
        }
    }
    let dir = dir.expect("usage: gen DIR [--records N] [--files N] [--commits N] [--seed N]");
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
    let mut out = BufWriter::with_capacity(1 << 20, child.stdin.take().expect("piped"));
    let mut rng = Rng(seed.max(1));
    let mut mark = 0u64;
    let mut time = BASE_EPOCH;
    let mut commit = |out: &mut BufWriter<_>, time: i64, msg: &str, body: &str, first: bool| {
        mark += 1;
        write!(out, "commit refs/heads/main\nmark :{mark}\nauthor Bench User <bench@example.com> {time} +0900\ncommitter Bench User <bench@example.com> {time} +0900\ndata {}\n{msg}\n", msg.len() + 1).unwrap();
        if !first {
            writeln!(out, "from :{}", mark - 1).unwrap();
        }
        out.write_all(body.as_bytes()).unwrap();
        out.write_all(b"\n").unwrap();
    };
    let inline =
        |path: &str, text: &str| format!("M 100644 inline {path}\ndata {}\n{text}\n", text.len());
    let code_path = |i: u64| format!("src/m{:03}/f{i:06}.rs", i % 500);

    // 1. The code base.
    let mut body = String::with_capacity((files as usize) * 80);
    for i in 0..files {
        body.push_str(&inline(
            &code_path(i),
            &format!("pub fn f{i}() -> u64 {{ {i} }}\n"),
        ));
    }
    commit(&mut out, time, "Import the code base", &body, true);

    // 2. Years of post-mortems, imported at once (a team adopting the tool).
    let span = commits as i64 * 600; // the history below: one commit every 10 minutes
    let mut ids = Vec::with_capacity(records as usize);
    let mut body = String::new();
    for _ in 0..records {
        let created = BASE_EPOCH - 86400 - rng.below(3 * 365 * 86400) as i64;
        let id = record_id(&mut rng, created);
        body.push_str(&inline(
            &path_of(&id),
            &record(&mut rng, &id, created, 0, None),
        ));
        ids.push((id, created));
    }
    time += 60;
    commit(&mut out, time, "postmortem: import", &body, false);

    // 3. The history: mostly code; every 20th commit edits a record; every
    //    500th edits the one record whose log the benchmark reads.
    let target = ids.first().cloned().expect("at least one record");
    let mut edits = 0;
    for c in 0..commits {
        time += 600;
        if c % 500 == 250 {
            edits += 1;
            let text = record(&mut Rng(seed ^ 0xABCD), &target.0, target.1, edits, None);
            commit(
                &mut out,
                time,
                &format!(
                    "postmortem: update {}\n\nPostmortem-Id: {}\nPostmortem-Action: update",
                    target.0, target.0
                ),
                &inline(&path_of(&target.0), &text),
                false,
            );
        } else if c % 20 == 10 && !ids.is_empty() {
            let (id, created) = ids[rng.below(ids.len() as u64) as usize].clone();
            let edits = 1 + rng.below(9) as u32;
            let text = record(&mut rng, &id, created, edits, None);
            commit(
                &mut out,
                time,
                &format!(
                    "postmortem: update {id}\n\nPostmortem-Id: {id}\nPostmortem-Action: update"
                ),
                &inline(&path_of(&id), &text),
                false,
            );
        } else {
            let i = rng.below(files);
            commit(
                &mut out,
                time,
                &format!("Change f{i}"),
                &inline(
                    &code_path(i),
                    &format!("pub fn f{i}() -> u64 {{ {} }}\n", c),
                ),
                false,
            );
        }
    }
    out.flush().unwrap();
    drop(out);
    assert!(
        child.wait().expect("fast-import").success(),
        "fast-import failed"
    );
    git(&["reset", "-q", "--hard", "main"]);

    // An incident in the middle of the history, for `changes`.
    let incident = BASE_EPOCH + span / 2;
    let incident_id = record_id(&mut rng, incident + 3600);
    let text = record(
        &mut Rng(seed ^ 0x1234),
        &incident_id,
        incident + 3600,
        0,
        Some(incident),
    );
    let path = path_of(&incident_id);
    std::fs::create_dir_all(std::path::Path::new(&dir).join(&path).parent().unwrap()).unwrap();
    std::fs::write(std::path::Path::new(&dir).join(&path), text).unwrap();
    git(&["add", &path]);
    git(&[
        "-c",
        "commit.gpgsign=false",
        "commit",
        "-q",
        "-m",
        &format!(
            "postmortem: new {incident_id}\n\nPostmortem-Id: {incident_id}\nPostmortem-Action: new"
        ),
    ]);

    println!("target_id={}", target.0);
    println!("target_path={}", path_of(&target.0));
    println!("incident_id={incident_id}");
    println!("incident_start={incident}");
}
