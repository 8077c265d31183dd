//! The one error type of the library, typed where a caller or the binary
//! decides by it: whether it is the user's usage, which rule refused, what
//! was written before it happened, and hints that are commands with their
//! arguments. The binary turns it into words once: one `error:` line
//! naming the file, field or value at fault, then `hint:` lines.

use std::fmt;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug)]
pub struct Error {
    /// One line, saying what is wrong (not what was written: see `written`).
    pub message: String,
    pub kind: Kind,
    /// What of the change reached the repository before the error.
    pub written: Written,
    pub hints: Vec<Hint>,
    /// Lines another program (git) said, shown whole under the error line.
    pub details: Vec<String>,
}

/// What kind of failure: it decides the exit code (2 for usage) and lets
/// callers tell a rule's refusal from the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A bad flag value or a missing argument.
    Usage,
    /// A rule of the record format (a `check` rule id) refused the change.
    Refused {
        rule: &'static str,
    },
    Other,
}

/// What a failed command left in the repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Written {
    /// Not said: a read, or a failure before any write was planned.
    #[default]
    Unsaid,
    /// Nothing of the change was written.
    Nothing,
    /// The change is committed; what failed came after.
    Committed,
    /// Part of the change waits in the repository; the next run of the
    /// tool finishes it.
    LeftForNextRun,
}

/// What to do about an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hint {
    /// Advice in words.
    Say(String),
    /// A command line that fixes it, to paste.
    Run(Command),
    /// Advice, then a command line: "commit them first: git commit …".
    SayRun(String, Command),
    /// Advice, then the command line as the person typed it with the value
    /// `typed` of `flag` replaced by `with`: a correction ready to paste
    /// (the library never sees the command line; the binary does).
    Retype {
        say: String,
        flag: String,
        typed: String,
        with: String,
    },
}

/// A command and its arguments, quoted for a shell only when shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub program: Program,
    pub args: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Program {
    /// `devops postmortem` (with the `--dir` the person typed, if any).
    Postmortem,
    Git,
    /// A whole shell line (pipes, `&&`), shown as it is.
    Shell,
}

impl Command {
    /// `devops postmortem ARGS`.
    pub fn postmortem<S: Into<String>>(args: impl IntoIterator<Item = S>) -> Command {
        Command {
            program: Program::Postmortem,
            args: args.into_iter().map(Into::into).collect(),
        }
    }

    /// `git ARGS`.
    pub fn git<S: Into<String>>(args: impl IntoIterator<Item = S>) -> Command {
        Command {
            program: Program::Git,
            args: args.into_iter().map(Into::into).collect(),
        }
    }

    /// A shell line as written.
    pub fn shell(line: impl Into<String>) -> Command {
        Command {
            program: Program::Shell,
            args: vec![line.into()],
        }
    }

    /// The line to paste, for prose the library writes (a lint finding):
    /// `devops postmortem …` there is given the person's `--dir` by the
    /// binary, as in all prose.
    pub fn shown(&self) -> String {
        let quoted = || {
            let args: Vec<String> = self
                .args
                .iter()
                .map(|a| crate::store::shell_quote(a))
                .collect();
            args.join(" ")
        };
        match self.program {
            Program::Postmortem => format!("devops postmortem {}", quoted()),
            Program::Git => format!("git {}", quoted()),
            Program::Shell => self.args.join(" "),
        }
    }
}

impl From<String> for Hint {
    fn from(s: String) -> Hint {
        Hint::Say(s)
    }
}

impl From<&str> for Hint {
    fn from(s: &str) -> Hint {
        Hint::Say(s.to_string())
    }
}

impl From<Command> for Hint {
    fn from(c: Command) -> Hint {
        Hint::Run(c)
    }
}

impl Error {
    pub fn new(message: impl Into<String>) -> Self {
        Error {
            message: message.into(),
            kind: Kind::Other,
            written: Written::Unsaid,
            hints: Vec::new(),
            details: Vec::new(),
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Error {
            kind: Kind::Usage,
            ..Error::new(message)
        }
    }

    /// A rule of the record format refused the change.
    pub fn refused(rule: &'static str, message: impl Into<String>) -> Self {
        Error {
            kind: Kind::Refused { rule },
            written: Written::Nothing,
            ..Error::new(message)
        }
    }

    pub fn hint(mut self, hint: impl Into<Hint>) -> Self {
        self.hints.push(hint.into());
        self
    }

    /// Advice followed by the command that acts on it.
    pub fn hint_run(mut self, say: impl Into<String>, command: Command) -> Self {
        self.hints.push(Hint::SayRun(say.into(), command));
        self
    }

    /// Says that nothing of the change was written.
    pub fn nothing_written(mut self) -> Self {
        self.written = Written::Nothing;
        self
    }

    pub fn written(mut self, written: Written) -> Self {
        self.written = written;
        self
    }

    pub fn detail(mut self, line: impl Into<String>) -> Self {
        self.details.push(line.into());
        self
    }

    pub fn is_usage(&self) -> bool {
        self.kind == Kind::Usage
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
