//! Running a tracker's own CLI (`gh`, `glab`, `jira`): no shell, the
//! arguments as a vector (titles are anybody's text), its login rather
//! than a token of ours, and a deadline, so a hung CLI cannot hang `sync`.
//! A failure becomes one line naming the command that fixes it.

use crate::error::{Command as Hint, Error, Result};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One tracker CLI: its name, and the commands that set it up.
#[derive(Debug)]
pub struct Cli {
    pub program: &'static str,
    /// What it talks to, for messages: `GitHub`.
    pub service: &'static str,
    /// The command that logs it in: `gh auth login`.
    pub login: &'static str,
    /// Where to get it.
    pub install: &'static str,
}

/// How long a CLI may take; `DEVOPS_PM_TRACKER_TIMEOUT` (seconds) sets
/// another, for slow links and for tests.
fn deadline() -> Duration {
    let secs = std::env::var("DEVOPS_PM_TRACKER_TIMEOUT")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or(30);
    Duration::from_secs(secs)
}

/// Runs `cli ARGS` in `dir`; its standard output when it succeeds.
pub fn run(cli: &Cli, args: &[String], dir: &Path) -> Result<String> {
    let spawned = Command::new(cli.program)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Never a prompt or a pager: nobody is there to answer.
        .env("GH_PROMPT_DISABLED", "1")
        .env("GH_PAGER", "")
        .env("GLAB_PAGER", "")
        .env("PAGER", "")
        .env("NO_COLOR", "1")
        .spawn();
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(missing(cli)),
        Err(e) => return Err(Error::new(format!("could not run {}: {e}", cli.program))),
    };
    // Read both pipes while waiting: a full pipe would stall the CLI.
    let out = drain(child.stdout.take());
    let err = drain(child.stderr.take());
    let limit = deadline();
    let started = Instant::now();
    let status = loop {
        let waited = child
            .try_wait()
            .map_err(|e| Error::new(format!("could not wait for {}: {e}", cli.program)))?;
        if let Some(status) = waited {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return Err(Error::new(format!(
                "{} {} did not answer within {} s: is {} reachable?",
                cli.program,
                args.first().map(String::as_str).unwrap_or_default(),
                limit.as_secs(),
                cli.service
            ))
            .hint("check the network and run it again"));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    if status.success() {
        return Ok(stdout);
    }
    Err(failed(cli, args, status.code(), &stderr, &stdout))
}

fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

fn missing(cli: &Cli) -> Error {
    Error::new(format!(
        "{} (the {} CLI) is not installed or not on PATH",
        cli.program, cli.service
    ))
    .hint_run(
        format!("install it from {}, then log in", cli.install),
        Hint::shell(cli.login),
    )
}

/// Words in a CLI's complaint that mean "not logged in".
const LOGGED_OUT: &[&str] = &[
    "auth login",
    "not logged",
    "jira init",
    "401",
    "unauthorized",
    "authentication",
    "missing configuration",
    "config file",
];

/// Words that mean "cannot reach the service".
const OFFLINE: &[&str] = &[
    "dial tcp",
    "no such host",
    "connection refused",
    "could not resolve",
    "network is unreachable",
    "i/o timeout",
    "tls handshake",
    "error connecting",
];

/// The failure as one line: logged out, offline, or what it said.
fn failed(cli: &Cli, args: &[String], code: Option<i32>, stderr: &str, stdout: &str) -> Error {
    let said = first_line(stderr).or_else(|| first_line(stdout));
    let lower = format!("{stderr}\n{stdout}").to_lowercase();
    // gh exits 4 when it needs a login.
    if (cli.program == "gh" && code == Some(4)) || LOGGED_OUT.iter().any(|w| lower.contains(w)) {
        return Error::new(format!(
            "{} is not logged in to {}{}",
            cli.program,
            cli.service,
            said.map(|s| format!(" ({s})")).unwrap_or_default()
        ))
        .hint_run("log in, then run this again", Hint::shell(cli.login));
    }
    if OFFLINE.iter().any(|w| lower.contains(w)) {
        return Error::new(format!(
            "{} cannot reach {}: {}",
            cli.program,
            cli.service,
            said.unwrap_or_else(|| "no answer".into())
        ))
        .hint("check the network and run it again");
    }
    let verb: Vec<&str> = args.iter().take(2).map(String::as_str).collect();
    Error::new(format!(
        "{} {} failed: {}",
        cli.program,
        verb.join(" "),
        said.unwrap_or_else(|| format!("exit code {}", code.unwrap_or(-1)))
    ))
}

fn first_line(s: &str) -> Option<String> {
    s.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(crate::text::inline)
}
