//! Ctrl-C (SIGINT), SIGTERM and SIGHUP wait while a write holds git's
//! `index.lock`: the write finishes (or is undone) in a few milliseconds,
//! then the signal takes effect as it would have, as git's own lock files
//! are cleaned up before its signal handlers re-raise. SIGKILL cannot
//! wait; the journal covers it.

use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

const SIGNALS: [i32; 3] = [SIGINT, SIGTERM, SIGHUP];

/// True while no write is under way: a signal then acts at once.
static ACT_NOW: AtomicBool = AtomicBool::new(true);
/// The signal that arrived while a write was under way (0: none).
static PENDING: AtomicI32 = AtomicI32::new(0);
static PENDING_FLAGS: [AtomicBool; 3] = [
    AtomicBool::new(false),
    AtomicBool::new(false),
    AtomicBool::new(false),
];

/// Installs the handlers once: each signal records itself and, when no
/// write is under way, acts as its default (the process ends).
fn install() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        for (sig, flag) in SIGNALS.iter().zip(&PENDING_FLAGS) {
            // A handler that cannot be installed leaves that signal's
            // default in place: the journal still covers it.
            let _ = signal_hook::flag::register(*sig, flag);
            let _ = signal_hook::flag::register_conditional_default(*sig, &ACT_NOW);
        }
    });
}

/// While alive, the three signals wait.
pub struct Deferred(());

impl Deferred {
    pub fn now() -> Deferred {
        install();
        for f in &PENDING_FLAGS {
            f.store(false, Ordering::SeqCst);
        }
        ACT_NOW.store(false, Ordering::SeqCst);
        Deferred(())
    }
}

impl Drop for Deferred {
    fn drop(&mut self) {
        ACT_NOW.store(true, Ordering::SeqCst);
        for (sig, flag) in SIGNALS.iter().zip(&PENDING_FLAGS) {
            if flag.swap(false, Ordering::SeqCst) {
                PENDING.store(*sig, Ordering::SeqCst);
            }
        }
        let sig = PENDING.swap(0, Ordering::SeqCst);
        if sig != 0 {
            // What the person asked for, now that the write is whole.
            let _ = signal_hook::low_level::emulate_default_handler(sig);
        }
    }
}
