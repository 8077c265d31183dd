//! Where text goes: data to stdout (through a pager on a terminal), messages
//! to stderr. Colour by `--color auto|always|never`, `NO_COLOR` and
//! `CLICOLOR_FORCE`, as git, gh and ripgrep do; colour always repeats what
//! the text says (a severity, "late"), never carries meaning alone.

use postmortem::error::{Command, Error, Hint, Program, Written};
use postmortem::store::shell_quote;
use std::io::{IsTerminal, Write};
use std::sync::OnceLock;

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set (CLICOLOR_FORCE forces it)
    #[default]
    Auto,
    Always,
    Never,
}

/// What the command line said about output, for every part of the tool.
#[derive(Debug, Clone, Copy, Default)]
pub struct Settings {
    pub color: ColorChoice,
    pub no_pager: bool,
}

static SETTINGS: OnceLock<Settings> = OnceLock::new();

/// `devops postmortem --dir 'a b'` when `--dir` was typed: the commands
/// our messages print must work when pasted, so they carry it too.
static COMMAND: OnceLock<String> = OnceLock::new();

pub fn set_command_prefix(prefix: String) {
    let _ = COMMAND.set(prefix);
}

/// The repository a qualified ID (`api:k7x3`) sent the command to, quoted
/// for a shell: the commands our messages print then run there when
/// pasted where the person typed (`cd DIR && devops postmortem …`, `git -C
/// DIR …`), as the plain IDs they name are that repository's.
static ROUTED: OnceLock<String> = OnceLock::new();

pub fn set_routed(dir: &std::path::Path) {
    let _ = ROUTED.set(shell_quote(&dir.display().to_string()));
}

/// `devops postmortem` as the person typed it (with `--dir` if they did),
/// run where the command ran; `None` when that is plainly here.
fn prefix() -> Option<String> {
    let typed = COMMAND.get().map_or("devops postmortem", String::as_str);
    match ROUTED.get() {
        Some(dir) => Some(format!("cd {dir} && {typed}")),
        None => COMMAND.get().cloned(),
    }
}

/// `devops postmortem` as the person typed it, to paste where they typed.
pub fn postmortem() -> String {
    prefix().unwrap_or_else(|| "devops postmortem".to_string())
}

/// A command as a line to paste: each argument quoted for a shell when it
/// needs it.
pub fn command_line(c: &Command) -> String {
    let quoted = || {
        c.args
            .iter()
            .map(|a| shell_quote(a))
            .collect::<Vec<_>>()
            .join(" ")
    };
    match c.program {
        Program::Postmortem => format!("{} {}", postmortem(), quoted()),
        Program::Git => match ROUTED.get() {
            Some(dir) => format!("git -C {dir} {}", quoted()),
            None => format!("git {}", quoted()),
        },
        Program::Shell => c.args.join(" "),
    }
}

/// `devops postmortem ARGS` as a line to paste.
pub fn postmortem_line(args: &[&str]) -> String {
    command_line(&Command::postmortem(args.iter().copied()))
}

/// An error, as the person reads it: one `error:` line saying what is
/// wrong and what was written, git's own lines under it, then each hint.
pub fn print_error(e: &Error) {
    let out = Output::detect();
    let written = match e.written {
        Written::Unsaid => "",
        Written::Nothing => ": nothing was written",
        Written::Committed => " (the change itself is committed)",
        Written::LeftForNextRun => "; the next devops command finishes it",
    };
    let message = e.message.trim_end_matches(':');
    to_stderr(&format!(
        "{}: {}{written}",
        out.paint("31", "error"),
        postmortem::text::inline(message)
    ));
    for line in &e.details {
        to_stderr(&format!("  {}", postmortem::text::inline(line)));
    }
    for hint in &e.hints {
        let text = match hint {
            Hint::Say(s) => pasteable(s).into_owned(),
            Hint::Run(c) => command_line(c),
            Hint::SayRun(s, c) => format!("{}: {}", pasteable(s), command_line(c)),
            Hint::Retype {
                say,
                flag,
                typed,
                with,
            } => format!("{}: {}", pasteable(say), retyped(flag, typed, with)),
        };
        to_stderr(&format!(
            "{}: {}",
            out.paint("36", "hint"),
            postmortem::text::inline(&text)
        ));
    }
}

/// The command line as typed, with `flag`'s value `typed` replaced by
/// `with`, quoted to paste; just `FLAG VALUE` when the line does not hold
/// it (a value given another way).
fn retyped(flag: &str, typed: &str, with: &str) -> String {
    let mut args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let joined = format!("{flag}={typed}");
    let at = (0..args.len()).find(|&i| {
        args[i] == joined || (args[i] == flag && args.get(i + 1).is_some_and(|v| v == typed))
    });
    let Some(i) = at else {
        return format!("{flag} {}", shell_quote(with));
    };
    if args[i] == joined {
        args[i] = format!("{flag}={with}");
    } else {
        args[i + 1] = with.to_string();
    }
    let line: Vec<String> = args.iter().map(|a| shell_quote(a)).collect();
    format!("devops {}", line.join(" "))
}

/// Prose that names `devops postmortem …` in words (a warning, a note, a
/// lint finding, advice with placeholders such as `analyze ID --root-cause
/// TEXT`), with the `--dir` the person typed put in, so what it names works
/// when pasted. Commands proper are `Command` values, rendered by
/// `command_line`; this is for the words only.
pub fn pasteable(line: &str) -> std::borrow::Cow<'_, str> {
    match prefix() {
        Some(p) => std::borrow::Cow::Owned(line.replace("devops postmortem ", &format!("{p} "))),
        None => std::borrow::Cow::Borrowed(line),
    }
}

pub fn configure(settings: Settings) {
    let _ = SETTINGS.set(settings);
}

fn settings() -> Settings {
    SETTINGS.get().copied().unwrap_or_default()
}

/// Whether to colour text going to a stream that `is_tty` or not.
fn colour_for(is_tty: bool) -> bool {
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    match settings().color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            if env("NO_COLOR").is_some() {
                false
            } else if env("CLICOLOR_FORCE").is_some_and(|v| v != "0") {
                true
            } else {
                is_tty && std::env::var("TERM").map_or(true, |t| t != "dumb")
            }
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Output {
    pub stdout_tty: bool,
    /// Colour in messages (stderr).
    pub color: bool,
    /// Colour in data (stdout).
    pub color_data: bool,
}

impl Output {
    pub fn detect() -> Output {
        let stdout_tty = std::io::stdout().is_terminal();
        Output {
            stdout_tty,
            color: colour_for(std::io::stderr().is_terminal()),
            color_data: colour_for(stdout_tty),
        }
    }

    /// A message for the person (stderr), e.g. `assigned PM-… to Bob`.
    pub fn status(&self, msg: &str) {
        to_stderr(&pasteable(msg));
    }

    pub fn warn(&self, msg: &str) {
        to_stderr(&format!(
            "{}: {}",
            self.paint("33", "warning"),
            pasteable(msg)
        ));
    }

    /// `text` in an SGR colour (`31` red, `33` yellow…) when messages are
    /// coloured.
    pub fn paint(&self, code: &str, text: &str) -> String {
        paint_if(self.color, code, text)
    }

    /// How wide a table on stdout may be.
    pub fn fit(&self) -> Fit {
        if self.stdout_tty {
            Fit::Terminal(terminal_width())
        } else {
            Fit::Pipe
        }
    }
}

/// `text` in a colour when `on`: `31` red, `32` green, `33` yellow, `36`
/// cyan, `1` bold, `2` dim (the SGR numbers people know), drawn by anstyle.
pub fn paint_if(on: bool, code: &str, text: &str) -> String {
    if !on || text.is_empty() {
        return text.to_string();
    }
    let style = style_of(code);
    format!("{style}{text}{style:#}")
}

fn style_of(code: &str) -> anstyle::Style {
    use anstyle::{AnsiColor, Style};
    let colour = |c: AnsiColor| Style::new().fg_color(Some(c.into()));
    match code {
        "31" => colour(AnsiColor::Red),
        "32" => colour(AnsiColor::Green),
        "33" => colour(AnsiColor::Yellow),
        "34" => colour(AnsiColor::Blue),
        "35" => colour(AnsiColor::Magenta),
        "36" => colour(AnsiColor::Cyan),
        "1" => Style::new().bold(),
        "2" => Style::new().dimmed(),
        "1;31" => colour(AnsiColor::Red).bold(),
        _ => Style::new(),
    }
}

/// Where a table goes: a terminal this many columns wide, or a pipe (whole
/// values, nothing cut, so `list | grep` finds every title).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    Terminal(usize),
    Pipe,
}

/// `COLUMNS` when set, else the terminal's own width, else 80.
fn terminal_width() -> usize {
    if let Some(n) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<usize>().ok())
        .filter(|n| *n >= 20)
    {
        return n;
    }
    match terminal_size::terminal_size_of(std::io::stdout()) {
        Some((terminal_size::Width(w), _)) if w >= 20 => usize::from(w),
        _ => 80,
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

/// Long output on a terminal goes through a pager, as git's does:
/// `$DEVOPS_PAGER`, `$PAGER`, git's `core.pager`, else `less` (with
/// `LESS=FRX` unless set: quit if one screen, keep colour, no clearing).
/// `--no-pager`, a pipe, or a pager of `cat` prints directly.
pub fn page(text: &str, git_pager: Option<String>) {
    if !std::io::stdout().is_terminal() || settings().no_pager {
        return print(text);
    }
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    let pager = env("DEVOPS_PAGER")
        .or_else(|| env("PAGER"))
        .or(git_pager)
        .unwrap_or_else(|| "less".to_string());
    if pager.trim() == "cat" {
        return print(text);
    }
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c")
        .arg(&pager)
        .stdin(std::process::Stdio::piped());
    if std::env::var_os("LESS").is_none() {
        cmd.env("LESS", "FRX");
    }
    let Ok(mut child) = cmd.spawn() else {
        return print(text);
    };
    if let Some(mut stdin) = child.stdin.take() {
        // The pager may quit early (`q`): a broken pipe is fine.
        let _ = stdin.write_all(text.as_bytes());
    }
    let _ = child.wait();
}

/// Writes a report file atomically (temporary file + rename), or to stdout for `-`.
pub fn write_file(path: &std::path::Path, text: &str) -> postmortem::error::Result<()> {
    use postmortem::fsio::{Durability, Temp, atomic_write};
    if path.as_os_str() == "-" {
        print(text);
        return Ok(());
    }
    atomic_write(path, text.as_bytes(), Durability::Cached, Temp::Random)
        .map_err(|e| postmortem::error::Error::new(format!("cannot write {}: {e}", path.display())))
}
