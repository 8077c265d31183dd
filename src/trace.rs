//! `DEVOPS_PM_TRACE=1`: phase timings on stderr, for finding costs when
//! benchmarking. Off by default, and then it costs one env lookup.

use std::sync::OnceLock;
use std::time::Instant;

fn start() -> Option<Instant> {
    static START: OnceLock<Option<Instant>> = OnceLock::new();
    *START.get_or_init(|| std::env::var_os("DEVOPS_PM_TRACE").map(|_| Instant::now()))
}

/// Prints `trace: <ms since start> <label>` when tracing is on.
pub fn mark(label: &str) {
    if let Some(t) = start() {
        crate::output::to_stderr(&format!(
            "trace: {:8.2} ms  {label}",
            t.elapsed().as_secs_f64() * 1000.0
        ));
    }
}
