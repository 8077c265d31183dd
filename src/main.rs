//! `devops postmortem`: incident post-mortems as TOML records on a branch
//! of the team's git repository. The binary parses the command line, calls
//! the library (`postmortem`), and renders what it returns: prompts,
//! tables, colour, the pager and every message are here, and only here.

mod alloc;
mod cli;
mod ctx;
mod output;
mod prompt;
mod render;

use postmortem::{text, trace};

use std::process::ExitCode;

fn main() -> ExitCode {
    alloc::tune();
    trace::set_sink(output::to_stderr);
    trace::mark("start");
    let matches = <cli::Cli as clap::CommandFactory>::command().get_matches();
    let cli =
        <cli::Cli as clap::FromArgMatches>::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    cli::remember(matches);
    let result = cli::run(cli);
    trace::mark("done");
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let out = output::Output::detect();
            output::to_stderr(&format!(
                "{}: {}",
                out.paint("31", "error"),
                text::inline(&e.message)
            ));
            for line in &e.details {
                output::to_stderr(&format!("  {}", text::inline(line)));
            }
            for hint in &e.hints {
                output::to_stderr(&format!(
                    "{}: {}",
                    out.paint("36", "hint"),
                    text::inline(hint)
                ));
            }
            ExitCode::from(e.exit_code())
        }
    }
}
