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

/// The environment variable that asks `devops` to complete instead of run.
pub const COMPLETE_VAR: &str = "DEVOPS_COMPLETE";

/// Answers a completion request when the shell made one (the registration
/// script sets `DEVOPS_COMPLETE`), then exits; otherwise returns at once.
pub fn answer_if_asked() {
    clap_complete::CompleteEnv::with_factory(Cli::command)
        .var(COMPLETE_VAR)
        .complete();
}

/// The shell's registration: it calls this very binary back for each
/// completion, so flags, subcommands and record IDs are always current.
pub fn run(args: CompletionsArgs) -> Result<()> {
    use clap_complete::env::EnvCompleter;
    let shell: &dyn EnvCompleter = match args.shell {
        clap_complete::Shell::Bash => &clap_complete::env::Bash,
        clap_complete::Shell::Zsh => &clap_complete::env::Zsh,
        clap_complete::Shell::Fish => &clap_complete::env::Fish,
        clap_complete::Shell::Elvish => &clap_complete::env::Elvish,
        clap_complete::Shell::PowerShell => &clap_complete::env::Powershell,
        other => return Err(Error::usage(format!("no completion for {other}"))),
    };
    // The binary by its path: completion works whatever PATH the shell has.
    let me = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "devops".to_string());
    let mut out = Vec::new();
    shell
        .write_registration(COMPLETE_VAR, "devops", "devops", &me, &mut out)
        .map_err(|e| Error::new(format!("cannot write the completion script: {e}")))?;
    crate::output::print(&String::from_utf8_lossy(&out));
    Ok(())
}

/// Completes a record ID from the records branch of the repository here:
/// the random part people type (`k7x3…`, the title as its help), or the
/// whole ID once `PM-` is typed.
pub fn record_ids() -> clap_complete::engine::ArgValueCompleter {
    clap_complete::engine::ArgValueCompleter::new(complete_id)
}

fn complete_id(current: &std::ffi::OsStr) -> Vec<clap_complete::CompletionCandidate> {
    use clap_complete::CompletionCandidate;
    let typed = current.to_string_lossy().to_ascii_lowercase();
    let Some(records) = std::env::current_dir()
        .ok()
        .and_then(|cwd| {
            // TAB reads: it finishes no write and makes no branch.
            let access = postmortem::store::branch::Access::ReadOnly;
            postmortem::session::Session::open_for(&cwd, "postmortems", access).ok()
        })
        .and_then(|s| s.records(None, postmortem::store::read::Detail::Slim).ok())
    else {
        return Vec::new();
    };
    let whole = typed.starts_with("pm-");
    let mut out: Vec<CompletionCandidate> = records
        .records
        .iter()
        .filter_map(|r| {
            let id = postmortem::record::RecordId::parse(&r.id)?;
            let value = if whole {
                r.id.clone()
            } else {
                id.suffix().to_string()
            };
            value.to_ascii_lowercase().starts_with(&typed).then(|| {
                let help = postmortem::text::truncate(&postmortem::text::inline(&r.title), 60);
                CompletionCandidate::new(value).help(Some(help.into()))
            })
        })
        .collect();
    out.truncate(500);
    out
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
