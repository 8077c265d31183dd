//! The benchmark harness behind `benches/run`: builds repositories with the
//! `gen` example at each size (N code files on `main` with N code commits,
//! N records on the `postmortems` branch with about N commits), then times
//! each case of `devops postmortem` next to a reference command measured in
//! the same run on the same machine, and prints a Markdown table (median
//! and min of several runs, the ratio of medians, the target, peak RSS).
//!
//!     benches/run [--sizes 1000,10000,100000] [--runs 5] [--work DIR] [--cases writes,reads,...]
//!
//! Cases (`--cases` keeps some, by these names): `writes` (`new`,
//! `assign`), `reads` (`list`, `triage`, `stats --json`: warm, without the
//! record cache, page cache cold), `search`, `check`, `log`, `changes`,
//! `sync`, `import`, `deploys`, `version`, `team` (`triage --all-repos`
//! over 50 repositories of 2,000 records each, once, whatever the sizes).
//!
//! The readers' reference is grep over the same records checked out as
//! files (`git archive postmortems | tar x`, beside the repository); the
//! writers' is a commit of one code file in the same repository (N code
//! files in git's default index). Each size's repository is put back to
//! the generated tips before its cases, so runs repeat.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

struct Opts {
    sizes: Vec<u64>,
    runs: usize,
    work: PathBuf,
    bin: PathBuf,
    generator: PathBuf,
    cases: Option<Vec<String>>,
}

impl Opts {
    fn wants(&self, case: &str) -> bool {
        self.cases
            .as_ref()
            .is_none_or(|c| c.iter().any(|w| w == case))
    }
}

/// One timed run: seconds and peak RSS in KiB (from wait4: the largest of
/// the process and the children it waited for).
// The child is reaped by wait4 below, which std cannot see.
#[allow(clippy::zombie_processes)]
fn run(dir: &Path, argv: &[String]) -> (f64, u64) {
    let start = Instant::now();
    let child = Command::new(&argv[0])
        .args(&argv[1..])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .env("NO_COLOR", "1")
        .spawn()
        .unwrap_or_else(|e| panic!("{argv:?}: {e}"));
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waiting on our own child; `usage` is a valid out-pointer.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(r, pid, "wait4 failed for {argv:?}");
    // A command that fails fast would make a flattering figure.
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{argv:?} failed in {} (status {status}); run it there to see why",
        dir.display()
    );
    (secs, usage.ru_maxrss as u64)
}

/// An untimed step that must succeed (setting up a run).
fn untimed(dir: &Path, argv: &[String]) {
    let out = Command::new(&argv[0])
        .args(&argv[1..])
        .current_dir(dir)
        .stdin(Stdio::null())
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("{argv:?}: {e}"));
    assert!(
        out.status.success(),
        "{argv:?} failed in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn drop_caches() -> bool {
    let _ = Command::new("sync").status();
    std::fs::write("/proc/sys/vm/drop_caches", "3").is_ok()
}

#[derive(Clone)]
struct Sample {
    median: f64,
    min: f64,
    rss_kb: u64,
}

/// How each run of a case begins.
enum Before<'a> {
    /// Nothing: one warm-up run first (page cache and our caches warm).
    Warm,
    /// The page cache dropped before each run; no warm-up.
    Cold,
    /// An untimed step before each run (given the run's number, 0 being
    /// the warm-up's), after one warm-up run.
    Prep(&'a mut dyn FnMut(usize)),
}

/// Runs `argvs` in turn (one argv, or several to alternate so that every
/// run really changes something), `runs` times.
fn measure(dir: &Path, argvs: &[Vec<String>], runs: usize, mut before: Before<'_>) -> Sample {
    let cold = matches!(before, Before::Cold);
    let mut prep = |i: usize| {
        if let Before::Prep(p) = &mut before {
            p(i);
        }
    };
    if !cold {
        prep(0);
        run(dir, &argvs[0]); // warm the page cache and any cache of ours
    }
    let mut times = Vec::new();
    let mut rss = 0;
    for i in 0..runs {
        if cold {
            drop_caches();
        }
        prep(i + 1);
        let (t, r) = run(dir, &argvs[(i + 1) % argvs.len()]);
        times.push(t);
        rss = rss.max(r);
    }
    times.sort_by(f64::total_cmp);
    Sample {
        median: times[times.len() / 2],
        min: times[0],
        rss_kb: rss,
    }
}

fn sh(cmd: &str) -> Vec<String> {
    vec!["sh".into(), "-c".into(), cmd.into()]
}

fn argv(words: &[&str]) -> Vec<String> {
    words.iter().map(|s| s.to_string()).collect()
}

struct Generated {
    dir: PathBuf,
    /// The records as files (`postmortems/…`), for grep.
    records: PathBuf,
    info: String,
}

impl Generated {
    fn get(&self, key: &str) -> String {
        self.info
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{key}=")))
            .unwrap_or_else(|| panic!("{key} missing from {}/.git/bench-info", self.dir.display()))
            .to_string()
    }
}

/// Generates the repository of `size` (unless an earlier run did), puts
/// both branches back to the generated tips, and checks the records out
/// as files beside it.
fn generate(opts: &Opts, size: u64) -> Generated {
    let dir = opts.work.join(format!("repo-{size}"));
    let records = opts.work.join(format!("records-{size}"));
    let info = dir.join(".git/bench-info");
    // A repository made by an earlier generator (records on main, no
    // records branch) is made again.
    let current = std::fs::read_to_string(&info).is_ok_and(|t| t.contains("\nrecords_tip="));
    if !current {
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::remove_dir_all(&records);
        let t = Instant::now();
        let n = size.to_string();
        let out = Command::new(&opts.generator)
            .arg(&dir)
            .args(["--records", &n, "--files", &n, "--commits", &n])
            .args(["--record-commits", &n])
            .stderr(Stdio::inherit())
            .output()
            .expect("run gen");
        assert!(out.status.success(), "gen failed");
        let mut text = String::from_utf8(out.stdout).unwrap();
        for (key, rev) in [("main_tip", "main"), ("records_tip", "postmortems")] {
            text.push_str(&format!("{key}={}\n", rev_parse(&dir, rev)));
        }
        std::fs::write(&info, text).unwrap();
        eprintln!(
            "bench: generated {size} records, code files, code commits and records commits in {:.1} s",
            t.elapsed().as_secs_f64()
        );
    }
    let g = Generated {
        dir,
        records,
        info: std::fs::read_to_string(&info).unwrap(),
    };
    // Earlier runs added records and code commits: back to the start.
    git(
        &g.dir,
        &[
            "update-ref",
            "refs/heads/postmortems",
            &g.get("records_tip"),
        ],
    );
    git(&g.dir, &["reset", "-q", "--hard", &g.get("main_tip")]);
    if !g.records.join("postmortems").exists() {
        let _ = std::fs::remove_dir_all(&g.records);
        std::fs::create_dir_all(&g.records).unwrap();
        let ok = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "git -C '{}' archive '{}' | tar -x -C '{}'",
                g.dir.display(),
                g.get("records_tip"),
                g.records.display()
            ))
            .status()
            .unwrap()
            .success();
        assert!(
            ok,
            "cannot check the records out into {}",
            g.records.display()
        );
    }
    g
}

struct Row {
    size: String,
    case: String,
    ours: Sample,
    reference: Sample,
    reference_name: String,
    target: &'static str,
}

fn main() {
    let mut opts = Opts {
        sizes: vec![1_000, 10_000, 100_000],
        runs: 5,
        work: std::env::temp_dir().join("devops-pm-bench"),
        bin: PathBuf::new(),
        generator: PathBuf::new(),
        cases: None,
    };
    let mut args = std::env::args().skip(1);
    let list = |s: String| s.split(',').map(str::to_string).collect::<Vec<_>>();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--sizes" => {
                opts.sizes = list(args.next().expect("sizes"))
                    .iter()
                    .map(|s| s.parse().expect("a number"))
                    .collect()
            }
            "--runs" => opts.runs = args.next().expect("runs").parse().expect("a number"),
            "--work" => opts.work = args.next().expect("dir").into(),
            "--cases" => opts.cases = Some(list(args.next().expect("cases"))),
            other => panic!("unknown argument {other}"),
        }
    }
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap();
    opts.generator = dir.join("gen");
    opts.bin = dir.parent().unwrap().join("devops");
    std::fs::create_dir_all(&opts.work).unwrap();
    let opts = opts;
    let bin = opts.bin.to_string_lossy().to_string();
    let pm = |args: &[&str]| -> Vec<String> {
        let mut v = vec![bin.clone(), "postmortem".into()];
        v.extend(args.iter().map(|s| s.to_string()));
        v
    };
    let cold_ok = drop_caches();
    if !cold_ok {
        eprintln!("bench: cannot drop the page cache here (needs root); cold rows are skipped");
    }
    let runs = opts.runs;
    let few = runs.min(3);
    let mut rows: Vec<Row> = Vec::new();

    // A tiny repository: `new` where size does not matter.
    let tiny_new = opts.wants("writes").then(|| {
        let tiny = generate(&opts, 10);
        measure(
            &tiny.dir,
            &[pm(&["new", "--title", "bench"])],
            runs,
            Before::Warm,
        )
    });

    for &size in &opts.sizes {
        let g = generate(&opts, size);
        let d = &g.dir;
        let files = &g.records;
        let label = format!("{size}");
        let mut add = |case: &str,
                       ours: Sample,
                       reference: Sample,
                       reference_name: &str,
                       target: &'static str| {
            rows.push(Row {
                size: label.clone(),
                case: case.into(),
                ours,
                reference,
                reference_name: reference_name.into(),
                target,
            });
            let r = rows.last().unwrap();
            eprintln!(
                "bench: {size:>7} {:<36} {:>8.1} ms vs {:>8.1} ms  ({:.2}x, {} MB)",
                r.case,
                r.ours.median * 1e3,
                r.reference.median * 1e3,
                r.ours.median / r.reference.median,
                r.ours.rss_kb / 1024
            );
        };

        if opts.wants("writes") {
            // One code file changed and committed, in the same repository:
            // git reads, rewrites and checksums its index of N entries.
            let git_commit = sh(
                "date +%s%N >> src/m000/f000000.rs && git add src/m000/f000000.rs && git commit -q -m x",
            );
            let reference = measure(d, std::slice::from_ref(&git_commit), runs, Before::Warm);
            let ours = measure(d, &[pm(&["new", "--title", "bench"])], runs, Before::Warm);
            add("new", ours, reference, "git add f && git commit", "≤ 0.1×");
            // An assigned record among the imported ones (a full month
            // folder), back and forth.
            let id = g.get("assign_id");
            let reference = measure(d, std::slice::from_ref(&git_commit), runs, Before::Warm);
            let ours = measure(
                d,
                &[pm(&["assign", &id, "alice"]), pm(&["assign", &id, "bob"])],
                runs,
                Before::Warm,
            );
            add(
                "assign",
                ours,
                reference,
                "git add f && git commit",
                "≤ 0.1×",
            );
        }

        if opts.wants("reads") {
            let grep = argv(&["grep", "-rl", "status = \"open\"", "postmortems/"]);
            for (case, args) in [
                ("list", vec!["list"]),
                ("triage", vec!["triage"]),
                ("triage --json", vec!["triage", "--json"]),
                ("stats --json", vec!["stats", "--json"]),
            ] {
                let reference = measure(files, std::slice::from_ref(&grep), runs, Before::Warm);
                let ours = measure(d, &[pm(&args)], runs, Before::Warm);
                add(
                    &format!("{case} (warm)"),
                    ours,
                    reference,
                    "grep -rl",
                    "≤ 0.5×, RSS ≤ 200 MB",
                );
                // The first run after a clone, or after a pull that changed
                // many records: no record cache.
                let mut forget = |_| remove_record_caches(d);
                let reference = measure(files, std::slice::from_ref(&grep), few, Before::Warm);
                let ours = measure(d, &[pm(&args)], few, Before::Prep(&mut forget));
                add(
                    &format!("{case} (no record cache)"),
                    ours,
                    reference,
                    "grep -rl",
                    "≤ 2×, RSS ≤ 200 MB",
                );
                if cold_ok {
                    let reference = measure(files, std::slice::from_ref(&grep), few, Before::Cold);
                    let ours = measure(d, &[pm(&args)], few, Before::Cold);
                    add(
                        &format!("{case} (cold)"),
                        ours,
                        reference,
                        "grep -rl",
                        "≤ 2×, RSS ≤ 200 MB",
                    );
                }
            }
        }

        if opts.wants("search") {
            // Full-text search, next to the grep a person would type: a
            // word in a few records, a Hangul word, a word in every record.
            for word in ["certificate", "타임아웃", "alert"] {
                let grep = argv(&["grep", "-ril", word, "postmortems/"]);
                let reference = measure(files, std::slice::from_ref(&grep), runs, Before::Warm);
                let ours = measure(d, &[pm(&["search", word])], runs, Before::Warm);
                add(
                    &format!("search {word}"),
                    ours,
                    reference,
                    "grep -ril",
                    "≤ 1.0×",
                );
            }
        }

        if opts.wants("check") {
            // Every record against every rule, next to grep reading every file.
            let grep_all = argv(&["grep", "-rn", "severity", "postmortems/"]);
            let reference = measure(files, std::slice::from_ref(&grep_all), runs, Before::Warm);
            let ours = measure(d, &[pm(&["check"])], runs, Before::Warm);
            add("check", ours, reference, "grep -rn", "≤ 2×");
        }

        if opts.wants("log") {
            // One record's history on the records branch, which has about N
            // commits and every 20th edits the record.
            let target_id = g.get("target_id");
            let git_log = argv(&[
                "git",
                "log",
                "--format=%H",
                "postmortems",
                "--",
                &g.get("target_path"),
            ]);
            let reference = measure(d, std::slice::from_ref(&git_log), runs, Before::Warm);
            let ours = measure(d, &[pm(&["log", &target_id])], runs, Before::Warm);
            add(
                "log ID",
                ours,
                reference.clone(),
                "git log --format=%H -- path",
                "≤ 0.3×",
            );
            // `log ID` shows the newest 100 changes; this is every change
            // (about N/20), as the reference prints every commit.
            let every = measure(
                d,
                &[pm(&["log", "-n", "1000000", &target_id])],
                runs,
                Before::Warm,
            );
            add(
                "log ID, every change",
                every,
                reference.clone(),
                "git log --format=%H -- path",
                "",
            );
            let history = d.join(".git/devops-postmortem-history.cache");
            let mut forget = |_| remove(&history);
            let ours = measure(
                d,
                &[pm(&["log", &target_id])],
                few,
                Before::Prep(&mut forget),
            );
            add(
                "log ID (no history cache)",
                ours,
                reference,
                "git log --format=%H -- path",
                "≤ 1.0×",
            );
            // With git's commit-graph file (`git gc` and `git maintenance`
            // keep one), both sides skip inflating the commits.
            git(
                d,
                &["commit-graph", "write", "--reachable", "--no-progress"],
            );
            let reference = measure(d, std::slice::from_ref(&git_log), runs, Before::Warm);
            let ours = measure(
                d,
                &[pm(&["log", &target_id])],
                few,
                Before::Prep(&mut forget),
            );
            add(
                "log ID (no history cache, commit-graph)",
                ours,
                reference,
                "git log --format=%H -- path",
                "≤ 1.0×",
            );
            remove(&d.join(".git/objects/info/commit-graph"));
        }

        if opts.wants("changes") {
            // The code commits in the day before an incident, on main.
            let start: i64 = g.get("incident_start").parse().unwrap();
            let (from, to) = (start - 86_400, start);
            let reference = measure(
                d,
                &[vec![
                    "git".into(),
                    "log".into(),
                    format!("--since=@{from}"),
                    format!("--until=@{to}"),
                    "--format=%H".into(),
                ]],
                runs,
                Before::Warm,
            );
            let ours = measure(
                d,
                &[pm(&["changes", &g.get("incident_id")])],
                runs,
                Before::Warm,
            );
            add(
                "changes ID",
                ours,
                reference,
                "git log --since --until",
                "≤ 1.5×",
            );
        }

        if opts.wants("deploys") {
            // 10k deploy tags over the newest code commits, two services;
            // the figures over the 30 days before the incident, next to
            // the git a person would run for the same window.
            let since = g.get("incident_start").parse::<i64>().unwrap() - 30 * 86_400;
            deploy_tags(d, 10_000);
            let reference = measure(
                d,
                &[sh(&format!(
                    "git tag --list > /dev/null && git log --since=@{since} --format=%H main > /dev/null"
                ))],
                runs,
                Before::Warm,
            );
            let since = chrono::DateTime::from_timestamp(since, 0)
                .expect("a time")
                .to_rfc3339();
            let ours = measure(
                d,
                &[pm(&["stats", "--json", "--since", &since])],
                runs,
                Before::Warm,
            );
            add(
                "stats --json with 10k deploy tags",
                ours,
                reference,
                "git tag --list + git log --since",
                "≤ 1.0×",
            );
            // The other cases see no tags of this one.
            let ok = Command::new("sh")
                .arg("-c")
                .arg("git for-each-ref --format='delete %(refname)' refs/tags/deploy | git update-ref --stdin")
                .current_dir(d)
                .status()
                .expect("run sh")
                .success();
            assert!(ok, "cannot remove the deploy tags");
            git(
                d,
                &[
                    "update-ref",
                    "refs/heads/postmortems",
                    &g.get("records_tip"),
                ],
            );
        }

        if opts.wants("sync") {
            let (ours, reference) = sync_case(&opts, &g, &bin, runs);
            add(
                "sync (one record changed)",
                ours,
                reference,
                "git pull --rebase (one code commit)",
                "≤ 1.0×",
            );
        }

        if opts.wants("import") {
            // A PagerDuty log of 10k entries into a fresh record, one
            // commit; next to committing a file of the record's size.
            let ours = import_case(d, &bin, runs);
            let head = rev_parse(d, "HEAD");
            let record_size_file = sh(
                "head -c 2500000 /dev/urandom | base64 > import-ref.txt && git add import-ref.txt && git commit -q -m x",
            );
            let reference = measure(
                d,
                std::slice::from_ref(&record_size_file),
                runs,
                Before::Warm,
            );
            git(d, &["reset", "-q", "--hard", &head]);
            add(
                "import 10k PagerDuty entries",
                ours,
                reference,
                "git add+commit of a 3 MB file",
                "≤ 2×",
            );
        }

        if opts.wants("version") {
            let reference = measure(d, &[argv(&["git", "--version"])], runs, Before::Warm);
            let ours = measure(
                d,
                &[vec![bin.clone(), "--version".into()]],
                runs,
                Before::Warm,
            );
            add("--version", ours, reference, "git --version", "≤ 2×");
        }
    }

    if opts.wants("team") {
        let (ours, reference) = team_case(&opts, &bin, runs);
        let r = Row {
            size: format!("{TEAM_REPOS}×{TEAM_RECORDS}"),
            case: "triage --all-repos (warm)".into(),
            ours,
            reference,
            reference_name: "grep -rl".into(),
            target: "≤ 1.0×",
        };
        say(&r);
        rows.push(r);
        let (ours, reference) = team_fetch_case(&opts, &bin, runs);
        let r = Row {
            size: format!("{TEAM_REPOS}×{TEAM_RECORDS}"),
            case: "fetch --all-repos, nothing new".into(),
            ours,
            reference,
            reference_name: format!("{TEAM_REPOS} × git fetch in parallel"),
            target: "≤ 1.5×",
        };
        say(&r);
        rows.push(r);
    }

    println!(
        "| size | case | devops (median / min) | reference (median / min) | ratio | target | peak RSS |"
    );
    println!("|---:|---|---:|---:|---:|---|---:|");
    let ms = |s: f64| format!("{:.1} ms", s * 1000.0);
    for r in &rows {
        println!(
            "| {} | {} | {} / {} | {}: {} / {} | {:.2}× | {} | {:.0} MB |",
            r.size,
            r.case,
            ms(r.ours.median),
            ms(r.ours.min),
            r.reference_name,
            ms(r.reference.median),
            ms(r.reference.min),
            r.ours.median / r.reference.median,
            r.target,
            r.ours.rss_kb as f64 / 1024.0
        );
    }
    println!();
    if let (Some(tiny), Some(r)) = (&tiny_new, rows.iter().rfind(|r| r.case == "new")) {
        println!(
            "`new` in the largest repository vs `new` in a tiny one: {} vs {} ({:.2}×; target ≤ 1.5×)  ",
            ms(r.ours.median),
            ms(tiny.median),
            r.ours.median / tiny.median
        );
    }
    println!(
        "Tools: {}; {}; {} cores; LANG={}",
        tool_version(&["git", "--version"]),
        tool_version(&["grep", "--version"]),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::env::var("LANG").unwrap_or_default()
    );
}

/// A row as soon as it is measured, on stderr (the table comes at the end).
fn say(r: &Row) {
    eprintln!(
        "bench: {} {} {:.1} ms vs {:.1} ms ({:.2}x)",
        r.size,
        r.case,
        r.ours.median * 1e3,
        r.reference.median * 1e3,
        r.ours.median / r.reference.median
    );
}

const TEAM_REPOS: usize = 50;
const TEAM_RECORDS: u64 = 2_000;

/// `triage --all-repos` over the team's repositories, next to `grep -rl`
/// over all their records checked out as files. Each repository is a bare
/// clone of the records branch of the generated 2,000-record one (what a
/// mirror of a team URL is), listed in a repos.toml of the bench's own
/// (XDG_CONFIG_HOME); their records are copies, so the figures are those
/// of 100k records in 50 repositories, whatever they say.
fn team_case(opts: &Opts, bin: &str, runs: usize) -> (Sample, Sample) {
    let g = generate(opts, TEAM_RECORDS);
    let team = opts.work.join(format!("team-{TEAM_REPOS}x{TEAM_RECORDS}"));
    let repos = team.join("repos");
    let files = team.join("records");
    let config = team.join("config");
    if !team.join("ready").exists() {
        remove(&team);
        std::fs::create_dir_all(config.join("devops")).unwrap();
        let mut list = String::new();
        for i in 0..TEAM_REPOS {
            let name = format!("r{i:02}");
            let bare = repos.join(format!("{name}.git"));
            git(
                &opts.work,
                &[
                    "clone",
                    "-q",
                    "--bare",
                    "--single-branch",
                    "--branch",
                    "postmortems",
                    &g.dir.to_string_lossy(),
                    &bare.to_string_lossy(),
                ],
            );
            let copy = files.join(&name);
            std::fs::create_dir_all(&copy).unwrap();
            let ok = Command::new("cp")
                .arg("-a")
                .arg(g.records.join("postmortems"))
                .arg(&copy)
                .status()
                .unwrap()
                .success();
            assert!(ok, "cannot copy the records to {}", copy.display());
            list.push_str(&format!("[[repo]]\nname = \"{name}\"\npath = {bare:?}\n\n"));
        }
        std::fs::write(config.join("devops/repos.toml"), list).unwrap();
        std::fs::write(team.join("ready"), "").unwrap();
    }
    let grep = argv(&["grep", "-rl", "status = \"open\"", "."]);
    let reference = measure(&files, std::slice::from_ref(&grep), runs, Before::Warm);
    let triage = vec![
        "env".to_string(),
        format!("XDG_CONFIG_HOME={}", config.display()),
        format!("XDG_CACHE_HOME={}", team.join("cache").display()),
        bin.to_string(),
        "postmortem".into(),
        "triage".into(),
        "--all-repos".into(),
    ];
    let ours = measure(&team, &[triage], runs, Before::Warm);
    (ours, reference)
}

/// `fetch --all-repos` when no repository has anything new, next to the
/// same fifty `git fetch REMOTE BRANCH` started at once. The team case's
/// repositories are given the generated repository as their `origin`
/// (once), so each has a remote to ask.
fn team_fetch_case(opts: &Opts, bin: &str, runs: usize) -> (Sample, Sample) {
    let g = generate(opts, TEAM_RECORDS);
    let team = opts.work.join(format!("team-{TEAM_REPOS}x{TEAM_RECORDS}"));
    let repos = team.join("repos");
    let names: Vec<String> = (0..TEAM_REPOS).map(|i| format!("r{i:02}")).collect();
    if !team.join("fetch-ready").exists() {
        for name in &names {
            let bare = repos.join(format!("{name}.git"));
            let origin = g.dir.to_string_lossy();
            git(&bare, &["remote", "set-url", "origin", &origin]);
            git(
                &bare,
                &[
                    "config",
                    "remote.origin.fetch",
                    "+refs/heads/*:refs/remotes/origin/*",
                ],
            );
            git(&bare, &["config", "branch.postmortems.remote", "origin"]);
            git(
                &bare,
                &[
                    "config",
                    "branch.postmortems.merge",
                    "refs/heads/postmortems",
                ],
            );
            git(&bare, &["fetch", "-q", "origin", "postmortems"]);
        }
        std::fs::write(team.join("fetch-ready"), "").unwrap();
    }
    let each: Vec<String> = names
        .iter()
        .map(|n| format!("git -C repos/{n}.git fetch -q origin postmortems &"))
        .collect();
    let parallel = vec![
        "sh".to_string(),
        "-c".into(),
        format!("{} wait", each.join(" ")),
    ];
    let reference = measure(&team, &[parallel], runs, Before::Warm);
    let fetch = vec![
        "env".to_string(),
        format!("XDG_CONFIG_HOME={}", team.join("config").display()),
        format!("XDG_CACHE_HOME={}", team.join("cache").display()),
        bin.to_string(),
        "postmortem".into(),
        "fetch".into(),
        "--all-repos".into(),
    ];
    let ours = measure(&team, &[fetch], runs, Before::Warm);
    (ours, reference)
}

/// `sync` of one record a teammate changed, next to `git pull --rebase` of
/// one code commit a teammate pushed: a bare clone of the repository as
/// the team's remote, and two clones of it (ours and the teammate's).
/// Before each run the teammate pushes one fresh change; the timed
/// command brings it in.
fn sync_case(opts: &Opts, g: &Generated, bin: &str, runs: usize) -> (Sample, Sample) {
    let base = opts.work.join(format!(
        "sync-{}",
        g.dir.file_name().unwrap().to_string_lossy()
    ));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).unwrap();
    let remote = base.join("remote.git");
    let (mine, mate) = (base.join("mine"), base.join("mate"));
    let path = |p: &Path| p.display().to_string();
    git(
        &base,
        &["clone", "-q", "--bare", &path(&g.dir), &path(&remote)],
    );
    for (clone, who) in [(&mine, "Mine"), (&mate, "Mate")] {
        git(&base, &["clone", "-q", &path(&remote), &path(clone)]);
        git(clone, &["config", "user.name", who]);
        git(
            clone,
            &[
                "config",
                "user.email",
                &format!("{}@example.com", who.to_lowercase()),
            ],
        );
    }
    let pm = |args: &[&str]| -> Vec<String> {
        let mut v = vec![bin.to_string(), "postmortem".into()];
        v.extend(args.iter().map(|s| s.to_string()));
        v
    };

    let mut push_code = |_| {
        untimed(
            &mate,
            &sh(
                "date +%s%N >> src/m000/f000000.rs && git commit -q -am x && git push -q origin main",
            ),
        )
    };
    let reference = measure(
        &mine,
        &[argv(&["git", "pull", "--rebase", "-q"])],
        runs,
        Before::Prep(&mut push_code),
    );

    let id = g.get("assign_id");
    let mut push_record = |i: usize| {
        let who = ["alice", "bob"][i % 2];
        untimed(&mate, &pm(&["assign", &id, who]));
        untimed(&mate, &pm(&["sync"]));
    };
    let ours = measure(
        &mine,
        &[pm(&["sync"])],
        runs,
        Before::Prep(&mut push_record),
    );
    (ours, reference)
}

/// `import` of 10k PagerDuty log entries, each run into a fresh record
/// (a second import of one file adds nothing, by design).
fn import_case(dir: &Path, bin: &str, runs: usize) -> Sample {
    const ENTRIES: usize = 10_000;
    let mut entries = Vec::with_capacity(ENTRIES);
    for i in 0..ENTRIES {
        let kind = ["trigger", "notify", "annotate", "escalate", "acknowledge"][i % 5];
        entries.push(format!(
            r#"{{"id": "R{i:08}", "type": "{kind}_log_entry", "summary": "{kind} {i} 결제 API 경보", "created_at": "2026-11-23T00:{:02}:{:02}.{:03}Z", "channel": {{"type": "api"}}}}"#,
            (i / 60) % 60,
            i % 60,
            i % 1000
        ));
    }
    let log = dir.join(".git/bench-pagerduty.json");
    std::fs::write(
        &log,
        format!("{{\"log_entries\": [{}]}}", entries.join(",")),
    )
    .unwrap();
    // One fresh record per run (and the warm-up), made beforehand; the
    // branch is put back afterwards, so later cases and runs do not read
    // 10k-entry records.
    let tip = rev_parse(dir, "postmortems");
    let argvs: Vec<Vec<String>> = (0..=runs)
        .map(|_| {
            let out = Command::new(bin)
                .args(["postmortem", "new", "--title", "import bench"])
                .args(["--started", "2026-11-23T08:00:00+09:00"])
                .current_dir(dir)
                .output()
                .unwrap();
            assert!(out.status.success(), "new failed");
            let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
            vec![
                bin.to_string(),
                "postmortem".into(),
                "import".into(),
                id,
                "--from".into(),
                "pagerduty".into(),
                log.display().to_string(),
            ]
        })
        .collect();
    let sample = measure(dir, &argvs, runs, Before::Warm);
    git(dir, &["update-ref", "refs/heads/postmortems", &tip]);
    sample
}

/// The record caches (whole and slim), as after a clone.
/// `n` lightweight tags `deploy/prod/{api,web}/N` on the newest commits of
/// main (packed, as a long-lived repository keeps them), and a records
/// config that names the pattern, committed onto the records branch.
fn deploy_tags(dir: &Path, n: usize) {
    let out = Command::new("git")
        .args(["rev-list", &format!("--max-count={n}"), "main"])
        .current_dir(dir)
        .output()
        .expect("run git");
    let commits = String::from_utf8(out.stdout).unwrap();
    let mut updates = String::new();
    for (i, c) in commits.lines().enumerate() {
        let service = if i % 2 == 0 { "api" } else { "web" };
        updates.push_str(&format!("create refs/tags/deploy/prod/{service}/{i} {c}\n"));
    }
    std::fs::write(dir.join(".git/bench-deploy-refs"), updates).unwrap();
    let script = "git for-each-ref --format='delete %(refname)' refs/tags/deploy | git update-ref --stdin && \
         git update-ref --stdin < .git/bench-deploy-refs && git pack-refs --all && \
         export GIT_INDEX_FILE=.git/bench-deploys-index && rm -f $GIT_INDEX_FILE && \
         git read-tree postmortems && \
         (git show postmortems:postmortems/config.toml 2>/dev/null; printf '\\n[deploys]\\ntags = \"deploy/prod/{service}/*\"\\n') > .git/bench-config && \
         git update-index --add --cacheinfo 100644,$(git hash-object -w .git/bench-config),postmortems/config.toml && \
         git update-ref refs/heads/postmortems $(git commit-tree $(git write-tree) -p postmortems -m 'bench: deploys') && \
         rm -f $GIT_INDEX_FILE";
    let ok = Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .status()
        .expect("run sh")
        .success();
    assert!(ok, "cannot make the deploy tags in {}", dir.display());
}

fn remove_record_caches(dir: &Path) {
    for name in [
        "devops-postmortem-records.cache",
        "devops-postmortem-records-slim.cache",
    ] {
        remove(&dir.join(".git").join(name));
    }
}

fn remove(path: &Path) {
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => panic!("cannot remove {}: {e}", path.display()),
    }
}

fn rev_parse(dir: &Path, rev: &str) -> String {
    let out = Command::new("git")
        .args(["rev-parse", "--verify", rev])
        .current_dir(dir)
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git rev-parse {rev} failed in {}",
        dir.display()
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn tool_version(argv: &[&str]) -> String {
    Command::new(argv[0])
        .args(&argv[1..])
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.lines().next().map(str::to_string))
        .unwrap_or_else(|| format!("{} (not found)", argv[0]))
}

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .args(args)
        .current_dir(dir)
        .status()
        .expect("run git")
        .success();
    assert!(ok, "git {args:?} failed in {}", dir.display());
}
