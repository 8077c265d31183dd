//! The one error type of the tool and how it maps to exit codes.
//!
//! Every error is a single line (`error: …`) naming the file, field or value
//! at fault, optionally followed by `hint:` lines that say what to do.

use std::fmt;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug)]
pub struct Error {
    pub message: String,
    pub hints: Vec<String>,
    /// Lines another program (git) said, shown whole under the error line.
    pub details: Vec<String>,
    /// Usage errors (bad flag values) exit 2, everything else exits 1.
    pub usage: bool,
}

impl Error {
    pub fn new(message: impl Into<String>) -> Self {
        Error {
            message: message.into(),
            hints: Vec::new(),
            details: Vec::new(),
            usage: false,
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Error {
            usage: true,
            ..Error::new(message)
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    /// Adds what it means for the user: `…: nothing was written`.
    pub fn suffix(mut self, what: &str) -> Self {
        // A message that introduces its details ("…data:") keeps one colon.
        self.message = format!("{}: {what}", self.message.trim_end_matches(':'));
        self
    }

    pub fn detail(mut self, line: impl Into<String>) -> Self {
        self.details.push(line.into());
        self
    }

    pub fn exit_code(&self) -> u8 {
        if self.usage { 2 } else { 1 }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<git2::Error> for Error {
    fn from(e: git2::Error) -> Self {
        Error::new(format!("git: {}", e.message()))
    }
}

/// Adds what we were doing to a lower-level error, keeping it on one line.
pub trait Context<T> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T>;
}

impl<T, E: fmt::Display> Context<T> for std::result::Result<T, E> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|e| Error::new(format!("{}: {}", what(), one_line(&e.to_string()))))
    }
}

/// Library messages sometimes span lines; our errors never do.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `error!`-style shorthand: `bail!("unknown severity {s}")`.
#[macro_export]
macro_rules! bail {
    ($($arg:tt)*) => { return Err($crate::error::Error::new(format!($($arg)*))) };
}
