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

#[derive(Args, Debug)]
pub struct ManArgs {
    /// Write one page per command into DIR (devops.1, devops-postmortem.1,
    /// devops-postmortem-new.1, …) instead of printing them
    #[arg(long, value_name = "DIR")]
    pub dir: Option<std::path::PathBuf>,
}

/// Every command's page, named as clap_mangen names the pages it refers
/// to (`devops-postmortem-action-add`), so no reference dangles.
pub fn man(args: ManArgs) -> Result<()> {
    let mut pages = Vec::new();
    collect_pages(Cli::command(), "devops".to_string(), &mut pages)?;
    let Some(dir) = args.dir else {
        let all: Vec<u8> = pages.into_iter().flat_map(|(_, page)| page).collect();
        crate::output::print(&String::from_utf8_lossy(&all));
        return Ok(());
    };
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::new(format!("cannot make {}: {e}", dir.display())))?;
    for (name, page) in &pages {
        let path = dir.join(format!("{name}.1"));
        std::fs::write(&path, page)
            .map_err(|e| Error::new(format!("cannot write {}: {e}", path.display())))?;
    }
    crate::output::Output::detect().status(&format!(
        "wrote {} manual pages to {}",
        pages.len(),
        dir.display()
    ));
    Ok(())
}

fn collect_pages(
    cmd: clap::Command,
    name: String,
    pages: &mut Vec<(String, Vec<u8>)>,
) -> Result<()> {
    // Pages refer to their subcommands' as `<display name>-<sub>(1)`.
    let mut cmd = cmd.name(name.clone()).display_name(name.clone());
    cmd.build(); // adds the `help` subcommands the page refers to
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .render(&mut page)
        .map_err(|e| Error::new(format!("cannot render the manual: {e}")))?;
    pages.push((name.clone(), page));
    for sub in cmd.get_subcommands() {
        collect_pages(sub.clone(), format!("{name}-{}", sub.get_name()), pages)?;
    }
    Ok(())
}
