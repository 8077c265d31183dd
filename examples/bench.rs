//! The benchmark harness behind `benches/run`: builds repositories with the
//! `gen` example at each size, then times each case of `devops postmortem`
//! next to a reference command measured in the same run on the same
//! machine, and prints a Markdown table (median and min of several runs,
//! the ratio of medians, the target, peak RSS).
//!
//!     benches/run [--sizes 1000,10000,100000] [--runs 5] [--work DIR]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

struct Opts {
    sizes: Vec<u64>,
    runs: usize,
    work: PathBuf,
    bin: PathBuf,
    generator: PathBuf,
}

/// One timed run: seconds and peak RSS in KiB (from wait4).
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

/// Runs `argvs` in turn (one argv, or several to alternate so that every
/// run really changes something), `runs` times after one warm-up run.
fn measure(dir: &Path, argvs: &[Vec<String>], runs: usize, cold: bool) -> Sample {
    if !cold {
        run(dir, &argvs[0]); // warm the page cache and any cache of ours
    }
    let mut times = Vec::new();
    let mut rss = 0;
    for i in 0..runs {
        if cold {
            drop_caches();
        }
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

fn shell_words(argv: &[String]) -> String {
    argv.iter()
        .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
        .collect::<Vec<_>>()
        .join(" ")
}

fn sh(cmd: &str) -> Vec<String> {
    vec!["sh".into(), "-c".into(), cmd.into()]
}

struct Generated {
    dir: PathBuf,
    target_id: String,
    target_path: String,
    incident_id: String,
    incident_start: i64,
}

fn generate(opts: &Opts, size: u64) -> Generated {
    let dir = opts.work.join(format!("repo-{size}"));
    let info = dir.join(".git/bench-info");
    if !info.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        let t = Instant::now();
        let out = Command::new(&opts.generator)
            .arg(&dir)
            .args([
                "--records",
                &size.to_string(),
                "--files",
                &size.to_string(),
                "--commits",
                &size.to_string(),
            ])
            .stderr(Stdio::inherit())
            .output()
            .expect("run gen");
        assert!(out.status.success(), "gen failed");
        std::fs::write(&info, &out.stdout).unwrap();
        eprintln!(
            "bench: generated {size} records, files and commits in {:.1} s",
            t.elapsed().as_secs_f64()
        );
    }
    let text = std::fs::read_to_string(&info).unwrap();
    let get = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{key}=")))
            .unwrap_or_else(|| panic!("{key} missing from {}", info.display()))
            .to_string()
    };
    Generated {
        dir,
        target_id: get("target_id"),
        target_path: get("target_path"),
        incident_id: get("incident_id"),
        incident_start: get("incident_start").parse().unwrap(),
    }
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
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--sizes" => {
                opts.sizes = args
                    .next()
                    .expect("sizes")
                    .split(',')
                    .map(|s| s.parse().expect("a number"))
                    .collect()
            }
            "--runs" => opts.runs = args.next().expect("runs").parse().expect("a number"),
            "--work" => opts.work = args.next().expect("dir").into(),
            other => panic!("unknown argument {other}"),
        }
    }
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap();
    opts.generator = dir.join("gen");
    opts.bin = dir.parent().unwrap().join("devops");
    std::fs::create_dir_all(&opts.work).unwrap();
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
    let mut rows: Vec<Row> = Vec::new();

    // A tiny repository: the same commands where size does not matter.
    let tiny = generate(&opts, 10);
    let tiny_new = measure(&tiny.dir, &[pm(&["new", "--title", "bench"])], runs, false);

    for &size in &opts.sizes {
        let g = generate(&opts, size);
        let d = &g.dir;
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
                "bench: {size:>7} {:<28} {:>8.3} s vs {:>8.3} s  ({:.2}x)",
                r.case,
                r.ours.median,
                r.reference.median,
                r.ours.median / r.reference.median
            );
        };
        let git_commit = sh("date +%s%N >> bench.txt && git add bench.txt && git commit -q -m x");
        let reference = measure(d, std::slice::from_ref(&git_commit), runs, false);
        let ours = measure(d, &[pm(&["new", "--title", "bench"])], runs, false);
        add("new", ours, reference, "git add f && git commit", "≤ 0.3×");
        // An open record to assign back and forth (the generated incident
        // record may be closed, and assign refuses closed records).
        let id = {
            let out = Command::new(&bin)
                .args(["postmortem", "new", "--title", "assign target"])
                .current_dir(d)
                .output()
                .unwrap();
            assert!(out.status.success(), "new failed");
            String::from_utf8_lossy(&out.stdout).trim().to_string()
        };
        let assign_ref = measure(d, std::slice::from_ref(&git_commit), runs, false);
        let ours = measure(
            d,
            &[pm(&["assign", &id, "alice"]), pm(&["assign", &id, "bob"])],
            runs,
            false,
        );
        add(
            "assign",
            ours,
            assign_ref,
            "git add f && git commit",
            "≤ 0.3×",
        );
        // git's own remedy for a large index (`core.splitIndex`): most
        // entries move to a shared file, and git and we write only changes.
        set_split_index(d, true);
        let reference = measure(d, std::slice::from_ref(&git_commit), runs, false);
        let ours = measure(d, &[pm(&["new", "--title", "bench"])], runs, false);
        add(
            "new (split index)",
            ours,
            reference,
            "git add f && git commit",
            "≤ 0.3×",
        );
        let reference = measure(d, std::slice::from_ref(&git_commit), runs, false);
        let ours = measure(
            d,
            &[pm(&["assign", &id, "alice"]), pm(&["assign", &id, "bob"])],
            runs,
            false,
        );
        add(
            "assign (split index)",
            ours,
            reference,
            "git add f && git commit",
            "≤ 0.3×",
        );
        set_split_index(d, false);

        // Files changed in the last two seconds are never cached (racily
        // clean); in the small repositories the writes above are that
        // recent, and "warm" would parse them on every run.
        std::thread::sleep(std::time::Duration::from_secs(2));
        let grep = sh("grep -rl 'status = \"open\"' postmortems/ > /dev/null");

        for (case, args) in [
            ("list", vec!["list"]),
            ("triage", vec!["triage"]),
            ("triage --json", vec!["triage", "--json"]),
            ("stats --json", vec!["stats", "--json"]),
        ] {
            let reference = measure(d, std::slice::from_ref(&grep), runs, false);
            let ours = measure(d, &[pm(&args)], runs, false);
            add(
                &format!("{case} (warm)"),
                ours,
                reference,
                "grep -rl",
                "≤ 2×, RSS ≤ 300 MB",
            );
            // The first run after many files changed: no record cache.
            let first = sh(&format!(
                "rm -f .git/devops-postmortem-records.cache .git/devops-postmortem-records-slim.cache && {}",
                shell_words(&pm(&args))
            ));
            let reference = measure(d, std::slice::from_ref(&grep), runs.min(3), false);
            let ours = measure(d, &[first], runs.min(3), false);
            add(
                &format!("{case} (no record cache)"),
                ours,
                reference,
                "grep -rl",
                "≤ 2×, RSS ≤ 300 MB",
            );
            if cold_ok {
                let cold_runs = runs.min(3);
                let reference = measure(d, std::slice::from_ref(&grep), cold_runs, true);
                let ours = measure(d, &[pm(&args)], cold_runs, true);
                add(
                    &format!("{case} (cold)"),
                    ours,
                    reference,
                    "grep -rl",
                    "≤ 2×, RSS ≤ 300 MB",
                );
            }
        }

        let git_log = vec![
            "git".into(),
            "log".into(),
            "--format=%H".into(),
            "--".into(),
            g.target_path.clone(),
        ];
        let reference = measure(d, std::slice::from_ref(&git_log), runs, false);
        let ours = measure(d, &[pm(&["log", &g.target_id])], runs, false);
        add(
            "log ID",
            ours,
            reference.clone(),
            "git log --format=%H -- path",
            "≤ 1.0×",
        );
        let first = sh(&format!(
            "rm -f .git/devops-postmortem-history.cache && {}",
            shell_words(&pm(&["log", &g.target_id]))
        ));
        let ours = measure(d, std::slice::from_ref(&first), runs.min(3), false);
        add(
            "log ID (no history cache)",
            ours,
            reference,
            "git log --format=%H -- path",
            "≤ 1.0×",
        );
        // With git's commit-graph file (`git gc` and `git maintenance` keep
        // one), both sides skip inflating the commits.
        git(
            d,
            &["commit-graph", "write", "--reachable", "--no-progress"],
        );
        let reference = measure(d, std::slice::from_ref(&git_log), runs, false);
        let ours = measure(d, &[first], runs.min(3), false);
        add(
            "log ID (no history cache, commit-graph)",
            ours,
            reference,
            "git log --format=%H -- path",
            "≤ 1.0×",
        );
        std::fs::remove_file(d.join(".git/objects/info/commit-graph")).unwrap();

        let (from, to) = (g.incident_start - 86_400, g.incident_start);
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
            false,
        );
        let ours = measure(d, &[pm(&["changes", &g.incident_id])], runs, false);
        add(
            "changes ID",
            ours,
            reference,
            "git log --since --until",
            "≤ 1.5×",
        );

        // Full-text search, next to the grep a person would type.
        for word in ["certificate", "타임아웃"] {
            let grep = sh(&format!("grep -ril '{word}' postmortems/ > /dev/null"));
            let reference = measure(d, std::slice::from_ref(&grep), runs, false);
            let ours = measure(d, &[pm(&["search", word])], runs, false);
            add(
                &format!("search {word}"),
                ours,
                reference,
                "grep -ril",
                "≤ 1.0×",
            );
        }

        // Every record against every rule, next to grep reading every file.
        let grep_all = sh("grep -rn 'severity' postmortems/ > /dev/null");
        let reference = measure(d, std::slice::from_ref(&grep_all), runs, false);
        let ours = measure(d, &[pm(&["check"])], runs, false);
        add("check", ours, reference, "grep -rn", "≤ 2×");

        // A PagerDuty log of 10k entries into a fresh record, one commit;
        // next to committing a file of the record's size with git.
        let ours = import_case(d, &bin, runs);
        let record_size_file = sh(
            "head -c 2500000 /dev/urandom | base64 > import-ref.txt && git add import-ref.txt && git commit -q -m x",
        );
        let reference = measure(d, std::slice::from_ref(&record_size_file), runs, false);
        add(
            "import 10k PagerDuty entries",
            ours,
            reference,
            "git add+commit of a 3 MB file",
            "≤ 2×",
        );

        let reference = measure(d, &[vec!["git".into(), "--version".into()]], runs, false);
        let ours = measure(d, &[vec![bin.clone(), "--version".into()]], runs, false);
        add("--version", ours, reference, "git --version", "≤ 2×");
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
    for case in ["new", "new (split index)"] {
        if let Some(r) = rows.iter().rfind(|r| r.case == case) {
            println!(
                "`{case}` in the largest repository vs `new` in a tiny one: {} vs {} ({:.2}×; target ≤ 1.5×)  ",
                ms(r.ours.median),
                ms(tiny_new.median),
                r.ours.median / tiny_new.median
            );
        }
    }
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
    // One fresh record per run (and the warm-up), made beforehand; put
    // back afterwards, so later cases and runs do not read 10k-entry records.
    let head = String::from_utf8(
        Command::new("git")
            .args(["rev-parse", "HEAD"])
            .current_dir(dir)
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
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
    let sample = measure(dir, &argvs, runs, false);
    git(dir, &["reset", "-q", "--hard", head.trim()]);
    sample
}

fn set_split_index(dir: &Path, on: bool) {
    let flag = if on {
        "--split-index"
    } else {
        "--no-split-index"
    };
    git(dir, &["update-index", flag]);
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
