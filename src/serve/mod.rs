//! `serve`: the wall page and the `/api` documents over HTTP, read-only.
//!
//! A small synchronous server on std's `TcpListener` and `httparse`
//! rather than an async stack (tokio/axum) or `tiny_http`: it answers
//! prepared bytes to a handful of screens, and owning the accept loop
//! gives what `tiny_http` does not offer: a fixed worker pool, a bounded
//! queue (503 beyond it), and read/write timeouts on every connection.

mod http;
mod pages;
mod routes;
mod server;
mod site;

pub use pages::{Freshness, Settings};

use postmortem::error::{Error, Result};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

pub struct Options {
    pub bind: SocketAddr,
    /// `None`: never fetch.
    pub fetch_every: Option<Duration>,
    pub settings: Settings,
    /// `--all-repos` / `--repo NAME`: the team's repositories, each as
    /// last fetched (`fetch --all-repos` fetches them; serve does not).
    pub team: Option<crate::cli::team::RepoChoice>,
}

/// Listens until SIGINT or SIGTERM, then finishes the requests it has and
/// returns.
pub fn run(records_dir: &str, opts: Options, say: impl Fn(&str)) -> Result<()> {
    let mut fresh = Freshness::default();
    let mut fetch_every = opts.fetch_every;
    if opts.team.is_some() {
        fetch_every = None;
        fresh.note = Some("each repository as last fetched".into());
    } else if fetch_every.is_some() {
        // Start from the team's newest: fetch before the first page.
        site::fetch(records_dir, &mut fresh);
    } else {
        fresh.note = Some("fetching is off (--fetch 0)".into());
    }
    let site = site::Site::open(records_dir, opts.settings, opts.team, &fresh)?;
    let listener = TcpListener::bind(opts.bind).map_err(|e| {
        Error::usage(format!("--bind {}: cannot listen there: {e}", opts.bind))
            .hint("pick another port, or let the system pick a free one: --bind 127.0.0.1:0")
    })?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::new(format!("cannot read the listening address: {e}")))?;
    let stop = AtomicBool::new(false);
    let signals = signal_hook::iterator::Signals::new([
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
    ])
    .map_err(|e| Error::new(format!("cannot handle signals: {e}")))?;
    let handle = signals.handle();
    say(&format!("serving http://{addr}/ (read-only; Ctrl-C stops)"));
    std::thread::scope(|s| {
        s.spawn(|| site::watch(&site, fetch_every, fresh, &stop));
        s.spawn(|| {
            let mut signals = signals;
            if signals.forever().next().is_some() {
                stop.store(true, Ordering::Relaxed);
                // Wake the blocked accept with a connection of our own.
                let _ = TcpStream::connect_timeout(&wake_address(addr), Duration::from_secs(1));
            }
        });
        server::serve(&site, &listener, &stop);
        stop.store(true, Ordering::Relaxed);
        handle.close();
    });
    say("stopped");
    Ok(())
}

/// Where to reach our own listener: its address, with a wildcard bind
/// reached over loopback.
fn wake_address(addr: SocketAddr) -> SocketAddr {
    let mut to = addr;
    if to.ip().is_unspecified() {
        to.set_ip(match addr {
            SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    to
}
