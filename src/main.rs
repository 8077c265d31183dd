//! `devops postmortem`: incident post-mortems as TOML records in git.

mod alloc;
mod cli;
mod config;
mod ctx;
mod error;
mod fsio;
mod metrics;

mod ops;
mod output;
mod people;
mod prompt;
#[cfg(test)]
mod proptests;
mod record;
mod render;
mod sources;
mod store;
mod templates;
mod text;
mod time;
mod trace;

use std::process::ExitCode;

fn main() -> ExitCode {
    alloc::tune();
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
