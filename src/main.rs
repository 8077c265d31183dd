//! `devops postmortem`: incident post-mortems as TOML records in git.

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
mod store;
mod templates;
mod time;
mod trace;

use std::process::ExitCode;

fn main() -> ExitCode {
    trace::mark("start");
    let matches = <cli::Cli as clap::CommandFactory>::command().get_matches();
    let cli =
        <cli::Cli as clap::FromArgMatches>::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    cli::remember(matches);
    match cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let out = output::Output::detect();
            output::to_stderr(&format!(
                "{}: {}",
                out.paint("31", "error"),
                render::sanitize::inline(&e.message)
            ));
            for line in &e.details {
                output::to_stderr(&format!("  {}", render::sanitize::inline(line)));
            }
            for hint in &e.hints {
                output::to_stderr(&format!(
                    "{}: {}",
                    out.paint("36", "hint"),
                    render::sanitize::inline(hint)
                ));
            }
            ExitCode::from(e.exit_code())
        }
    }
}
