//! `devops completions SHELL` and `devops man`: generated from the same
//! clap definition as the parser, so they never drift from the flags.

use super::Cli;
use clap::{Args, CommandFactory};
use postmortem::error::{Error, Result};

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// bash, zsh, fish, powershell or elvish
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

pub fn run(args: CompletionsArgs) -> Result<()> {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "devops", &mut out);
    crate::output::print(&String::from_utf8_lossy(&out));
    Ok(())
}

pub fn man() -> Result<()> {
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .map_err(|e| Error::new(format!("cannot render the manual: {e}")))?;
    // Each command's own page follows, so `man -l` shows every flag.
    let cmd = Cli::command();
    if let Some(pm) = cmd.find_subcommand("postmortem") {
        for sub in pm.get_subcommands() {
            let name = format!("devops-postmortem-{}", sub.get_name());
            let page = sub.clone().name(name);
            clap_mangen::Man::new(page)
                .render(&mut out)
                .map_err(|e| Error::new(format!("cannot render the manual: {e}")))?;
        }
    }
    crate::output::print(&String::from_utf8_lossy(&out));
    Ok(())
}
