//! Where text goes: data to stdout, messages to stderr. Colour only on a
//! terminal and never with NO_COLOR.

use std::io::{IsTerminal, Write};

#[derive(Debug, Clone, Copy)]
pub struct Output {
    pub stdout_tty: bool,
    pub color: bool,
}

impl Output {
    pub fn detect() -> Output {
        let stderr_tty = std::io::stderr().is_terminal();
        Output {
            stdout_tty: std::io::stdout().is_terminal(),
            color: stderr_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    /// A message for the person (stderr), e.g. `assigned PM-… to Bob`.
    pub fn status(&self, msg: &str) {
        to_stderr(msg);
    }

    pub fn warn(&self, msg: &str) {
        to_stderr(&format!("{}: {msg}", self.paint("33", "warning")));
    }

    pub fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// One line for the person. A closed or full stderr is not a reason to
/// fail (or panic) after a commit was made: the line is dropped.
pub fn to_stderr(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

/// Writes what a write command prints after its commit: a failure says
/// that `what` was committed, so a script does not retry and duplicate it.
pub fn print_after_commit(text: &str, what: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        to_stderr(&format!(
            "error: {what} was committed, but stdout could not be written: {e}"
        ));
        std::process::exit(1);
    }
}

/// Writes data to stdout. A closed pipe (`devops pm list | head`) ends the
/// program quietly with success, as in ripgrep.
pub fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        to_stderr(&format!("error: cannot write to stdout: {e}"));
        std::process::exit(1);
    }
}

/// Writes a report file atomically (temporary file + rename), or to stdout for `-`.
pub fn write_file(path: &std::path::Path, text: &str) -> crate::error::Result<()> {
    use crate::fsio::{Durability, Temp, atomic_write};
    if path.as_os_str() == "-" {
        print(text);
        return Ok(());
    }
    atomic_write(path, text.as_bytes(), Durability::Cached, Temp::Random)
        .map_err(|e| crate::error::Error::new(format!("cannot write {}: {e}", path.display())))
}
