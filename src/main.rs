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
mod serve;
mod webhook;

use postmortem::trace;

use std::process::ExitCode;

fn main() -> ExitCode {
    alloc::tune();
    trace::set_sink(output::to_stderr);
    trace::mark("start");
    cli::completions::answer_if_asked();
    let args = cli::route::take(std::env::args_os().collect());
    let matches = <cli::Cli as clap::CommandFactory>::command().get_matches_from(args);
    let cli =
        <cli::Cli as clap::FromArgMatches>::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    cli::remember(matches);
    let result = cli::run(cli);
    trace::mark("done");
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            output::print_error(&e);
            ExitCode::from(if e.is_usage() { 2 } else { 1 })
        }
    }
}
