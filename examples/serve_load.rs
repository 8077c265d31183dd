//! Load on `devops postmortem serve` from 127.0.0.1: C clients at once,
//! each asking again as soon as it has its answer (a new connection each
//! time, as the server closes every one), for S seconds; then the error
//! count and latency percentiles. It builds the demo repository, starts
//! the server there on a free port, and stops it (SIGTERM) when done.
//!
//!     cargo build --release --examples
//!     target/release/examples/serve_load --bin target/release/devops [--clients 200] [--seconds 30]
//!
//! Paths asked, in turn: /, /api/triage, /api/stats, /api/pm/ID, /pm/ID.
//! An error is anything but a whole `200`: a refused or dropped
//! connection, a timeout (10 s), or another status (a `503` when the
//! server's queue was full).

use std::io::{BufRead, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn main() {
    let mut bin = PathBuf::from("target/release/devops");
    let (mut clients, mut seconds) = (200usize, 30u64);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().expect("a value after the flag");
        match a.as_str() {
            "--bin" => bin = value().into(),
            "--clients" => clients = value().parse().expect("--clients N"),
            "--seconds" => seconds = value().parse().expect("--seconds S"),
            other => panic!("unknown argument {other}"),
        }
    }
    let bin = std::fs::canonicalize(&bin).expect("--bin: the devops binary");
    let work = tempfile::tempdir().unwrap();
    let repo = work.path().join("team");
    let ok = Command::new(&bin)
        .args(["postmortem", "demo"])
        .arg(&repo)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(ok.success(), "demo failed");
    let list = Command::new(&bin)
        .current_dir(&repo)
        .args(["postmortem", "list", "--json"])
        .output()
        .unwrap();
    let records: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    let id = records[0]["id"].as_str().expect("a record").to_string();

    let mut server = Command::new(&bin)
        .current_dir(&repo)
        .args([
            "postmortem",
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--fetch",
            "0",
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(server.stderr.take().unwrap()).lines();
    let addr: SocketAddr = loop {
        let line = lines.next().expect("serve ended").unwrap();
        if let Some(rest) = line.strip_prefix("serving http://") {
            break rest.split('/').next().unwrap().parse().unwrap();
        }
    };
    std::thread::spawn(move || lines.for_each(drop));

    let paths = [
        "/".to_string(),
        "/api/triage".into(),
        "/api/stats".into(),
        format!("/api/pm/{id}"),
        format!("/pm/{id}"),
    ];
    let until = Instant::now() + Duration::from_secs(seconds);
    let results: Vec<(Vec<Duration>, usize)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..clients)
            .map(|c| {
                let paths = &paths;
                s.spawn(move || {
                    let (mut times, mut errors) = (Vec::new(), 0);
                    let mut i = c;
                    while Instant::now() < until {
                        let start = Instant::now();
                        match get(addr, &paths[i % paths.len()]) {
                            Ok(200) => times.push(start.elapsed()),
                            _ => errors += 1,
                        }
                        i += 1;
                    }
                    (times, errors)
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });

    unsafe { libc::kill(server.id() as libc::pid_t, libc::SIGTERM) };
    let status = server.wait().unwrap();
    let errors: usize = results.iter().map(|(_, e)| e).sum();
    let mut times: Vec<Duration> = results.into_iter().flat_map(|(t, _)| t).collect();
    times.sort();
    let pct = |p: f64| {
        times
            .get(((times.len() as f64 * p).ceil() as usize).saturating_sub(1))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "{clients} clients, {seconds} s: {} answers ({:.0}/s), {errors} errors; \
         latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; server exit {:?}",
        times.len(),
        times.len() as f64 / seconds as f64,
        pct(0.50),
        pct(0.99),
        pct(1.0),
        status.code()
    );
    if errors > 0 || !status.success() {
        std::process::exit(1);
    }
}

/// One GET on a new connection; the status once the whole body is read.
fn get(addr: SocketAddr, path: &str) -> std::io::Result<u16> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(10))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n")?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let head = String::from_utf8_lossy(&raw[..raw.len().min(64)]).to_string();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let length = String::from_utf8_lossy(&raw)
        .split("\r\n\r\n")
        .next()
        .and_then(|h| {
            h.lines()
                .find_map(|l| l.strip_prefix("Content-Length: "))
                .and_then(|v| v.parse::<usize>().ok())
        })
        .unwrap_or(usize::MAX);
    let body = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(0, |p| raw.len() - p - 4);
    Ok(if body == length { status } else { 0 })
}
