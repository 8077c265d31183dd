//! `DEVOPS_PM_TRACE=1`: phase timings, for finding costs when
//! benchmarking. Off by default, and then it costs one env lookup. The
//! library only marks; the binary says where the lines go.

use std::sync::OnceLock;
use std::time::Instant;

fn start() -> Option<Instant> {
    static START: OnceLock<Option<Instant>> = OnceLock::new();
    *START.get_or_init(|| std::env::var_os("DEVOPS_PM_TRACE").map(|_| Instant::now()))
}

static SINK: OnceLock<fn(&str)> = OnceLock::new();

/// Where trace lines go (the binary: stderr). Without one, nowhere.
pub fn set_sink(sink: fn(&str)) {
    let _ = SINK.set(sink);
}

/// Hands `trace: <ms since start> <label>` to the sink when tracing is on.
pub fn mark(label: &str) {
    if let (Some(t), Some(sink)) = (start(), SINK.get()) {
        sink(&format!(
            "trace: {:8.2} ms  {label}",
            t.elapsed().as_secs_f64() * 1000.0
        ));
    }
}
