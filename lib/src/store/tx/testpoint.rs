//! Named points in the write path where a test can stop the process or
//! act as the user's own git would at that very instant, like git's
//! `GIT_TEST_*` variables. `DEVOPS_PM_TEST_POINT=NAME` (or `NAME:N` for
//! its Nth passing) picks the point; `DEVOPS_PM_TEST_ACTION` is `kill`
//! (SIGKILL, the default: a crash, nothing cleaned up) or a shell command
//! run there, in the current directory, before the write goes on. Unset,
//! a point costs one look at a cached variable.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

struct Wanted {
    name: String,
    nth: usize,
    action: String,
}

fn wanted() -> Option<&'static Wanted> {
    static WANTED: OnceLock<Option<Wanted>> = OnceLock::new();
    WANTED
        .get_or_init(|| {
            let point = std::env::var("DEVOPS_PM_TEST_POINT").ok()?;
            let (name, nth) = match point.split_once(':') {
                Some((n, k)) => (n.to_string(), k.parse().ok()?),
                None => (point, 1),
            };
            let action =
                std::env::var("DEVOPS_PM_TEST_ACTION").unwrap_or_else(|_| "kill".to_string());
            Some(Wanted { name, nth, action })
        })
        .as_ref()
}

/// The write path passes the point `name`.
pub fn reached(name: &str) {
    static SEEN: AtomicUsize = AtomicUsize::new(0);
    let Some(w) = wanted() else {
        return;
    };
    if w.name != name || SEEN.fetch_add(1, Ordering::SeqCst) + 1 != w.nth {
        return;
    }
    if w.action == "kill" {
        let _ = signal_hook::low_level::raise(signal_hook::consts::SIGKILL);
    }
    let _ = std::process::Command::new("sh")
        .arg("-c")
        .arg(&w.action)
        .stdin(std::process::Stdio::null())
        .status();
}
