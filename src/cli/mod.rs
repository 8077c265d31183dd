//! The command line: one module per command. A command parses its
//! arguments (clap), asks for what is missing (`prompt`), calls one
//! operation of the library (`postmortem::ops`), and hands what comes
//! back to `render` and `output`. Commands hold no rules and no TOML
//! editing, and never talk to git: the library does. (`demo` is the one
//! exception: it builds a scratch repository by running git and this
//! binary, as a person would.)

mod action;
mod analyze;
mod assign;
mod changes;
mod check;
mod close;
pub mod completions;
mod demo;
mod deploys;
mod digest;
mod edit;
mod export;
mod fetch;
mod fields;
pub mod filter;
mod import;
mod init;
mod list;
mod log;
mod merge_driver;
mod migrate;
mod new;
mod related;
mod reopen;
pub mod report;
mod repos;
mod review;
pub mod route;
mod search;
mod serve;
pub mod show;
pub mod stats;
mod sync;
pub mod team;
mod timeline;
pub mod triage;
mod undo;
mod update;
pub mod values;
mod withdraw;

use crate::ctx::Ctx;
use clap::{Args, Parser, Subcommand};
use postmortem::error::Result;

#[derive(Parser)]
#[command(
    name = "devops",
    version,
    about = "Tools for teams that build and run their own services",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub tool: Tool,
}

#[derive(Subcommand)]
pub enum Tool {
    /// Incident post-mortems as TOML records on a branch of your git repository
    #[command(visible_alias = "pm", display_name = "devops")]
    Postmortem(Box<Postmortem>),
    /// Print a completion script for your shell
    #[command(
        after_help = "Install (bash):  devops completions bash > ~/.local/share/bash-completion/completions/devops\n\
Install (zsh):   devops completions zsh > \"${fpath[1]}/_devops\"\n\
Install (fish):  devops completions fish > ~/.config/fish/completions/devops.fish"
    )]
    Completions(completions::CompletionsArgs),
    /// Print the manual (roff): devops man | man -l -
    #[command(
        after_help = "Every command has its page (devops-postmortem-new(1), …): printed one after another, \
or with --dir one file each, so each page's references resolve.\n\n\
Install:  devops man --dir ~/.local/share/man/man1"
    )]
    Man(completions::ManArgs),
}

#[derive(Args)]
#[command(
    after_help = "Typical day: `new` after an outage, `triage` every morning, `assign` to \
split the work, `analyze` to record the root cause and actions, `close` when done, `sync` to \
share.\nEvery change is one git commit by you; IDs accept any unique prefix."
)]
pub struct Postmortem {
    /// Directory of the records, relative to the repository root
    #[arg(
        long,
        global = true,
        env = "DEVOPS_PM_DIR",
        default_value = "postmortems",
        value_name = "DIR"
    )]
    pub dir: String,
    /// When to colour: auto (a terminal, without NO_COLOR), always, never
    #[arg(long, global = true, value_enum, default_value_t, value_name = "WHEN")]
    pub color: crate::output::ColorChoice,
    /// Print long output directly instead of through $PAGER
    #[arg(long, global = true)]
    pub no_pager: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Start a post-mortem after an incident (prompts on a terminal)
    #[command(visible_alias = "create")]
    New(new::NewArgs),
    /// Give a post-mortem to someone to analyse
    Assign(assign::AssignArgs),
    /// Record the root cause, lessons, timeline and action items
    #[command(visible_alias = "analyse")]
    Analyze(analyze::AnalyzeArgs),
    /// Approve a post-mortem's analysis, or ask its assignee for changes
    Review(review::ReviewArgs),
    /// Close a post-mortem whose analysis and actions are complete
    Close(close::CloseArgs),
    /// Bring a closed or withdrawn post-mortem back
    Reopen(reopen::ReopenArgs),
    /// Take a mistaken or duplicate post-mortem out of lists, triage and figures
    Withdraw(withdraw::WithdrawArgs),
    /// Change title, severity, services, summary, incident times or impact
    Update(update::UpdateArgs),
    /// Take back your own last change, as a new commit
    Undo(undo::UndoArgs),
    /// Follow-up action items: add, done, wontfix, edit, from-commits
    #[command(
        subcommand,
        after_help = "Examples:\n  devops postmortem action add k7x3 \"Alert at 80% pool usage\" --due +14d\n  \
devops postmortem action done k7x3#1\n  devops postmortem action wontfix k7x3#2 --reason \"Service retired\""
    )]
    Action(action::ActionCommand),
    /// Incident timeline entries: add, edit, rm
    #[command(
        subcommand,
        after_help = "Examples:\n  devops postmortem timeline add k7x3 --at 09:20 \"Error-rate alert fired\"\n  \
devops postmortem timeline edit k7x3#2 --at 09:24\n  devops postmortem timeline rm k7x3#2"
    )]
    Timeline(timeline::TimelineCommand),
    /// Timeline entries from PagerDuty, Alertmanager, Slack, JSON lines or CSV
    Import(import::ImportArgs),
    /// List post-mortems (open ones unless told otherwise)
    #[command(visible_alias = "ls")]
    List(list::ListArgs),
    /// Show one post-mortem
    Show(show::ShowArgs),
    /// Find post-mortems by words in their text (Hangul too)
    Search(search::SearchArgs),
    /// Post-mortems that look like the same problem, before or after it, and why
    Related(related::RelatedArgs),
    /// Edit a record in $VISUAL/$EDITOR; validated before it is committed
    Edit(edit::EditArgs),
    /// The daily review: unassigned, in analysis, overdue, stale, closed lately
    Triage(triage::TriageArgs),
    /// What needs someone today, as text, Markdown, JSON, or a chat message (--post)
    Digest(digest::DigestArgs),
    /// Counts and times: per severity, service and week; TTD, TTA, TTM, TTR
    Stats(stats::StatsArgs),
    /// Many post-mortems as one Markdown (or JSON) document
    Export(export::ExportArgs),
    /// The wall-display page: one self-contained HTML file
    Report(report::ReportArgs),
    /// The wall page and the JSON over HTTP, read-only, kept current
    Serve(serve::ServeArgs),
    /// Who changed what, when: a record's history, or the team's activity
    Log(log::LogArgs),
    /// The commits and tags in the window before an incident began
    Changes(changes::ChangesArgs),
    /// Deploys per service (from tags and CI), for DORA's figures in stats
    Deploys(deploys::DeploysArgs),
    /// Validate every record (for CI): file:line: messages, exit 1 on errors
    Check(check::CheckArgs),
    /// Share the records branch with the team: fetch, merge, push (nothing else)
    Sync(sync::SyncArgs),
    /// Fetch the records branches of the team's repositories (no merge, no push)
    Fetch(fetch::FetchArgs),
    /// The team's repositories read with --all-repos: add, list, rm
    #[command(
        subcommand,
        after_help = "Examples:\n  devops postmortem repos add ~/src/api\n  \
devops postmortem repos add https://git.example.com/acme/web.git\n  devops postmortem repos add --root ~/src\n  \
devops postmortem repos list\n  devops postmortem repos rm web"
    )]
    Repos(repos::ReposCommand),
    /// Move records from your code branch to a branch of their own
    Migrate(migrate::MigrateArgs),
    /// What git runs to merge two versions of a record (set up by init)
    #[command(hide = true)]
    MergeDriver(merge_driver::MergeDriverArgs),
    /// Set up (optional): a starting config.toml on the records branch, and the merge driver
    Init(init::InitArgs),
    /// Try it: a throwaway team repository with a few incidents, and its triage
    Demo(DemoArgs),
}

#[derive(Args, Debug)]
#[command(
    after_help = "Builds a new git repository (in the temp folder, or DIR) with a team \
config, three example incidents and a few changes made by the tool, then prints its triage. \
Nothing outside that folder is touched.\n\nExamples:\n  devops postmortem demo\n  \
devops postmortem demo /tmp/pm-demo && cd /tmp/pm-demo && devops postmortem list --all"
)]
pub struct DemoArgs {
    /// Where to build it (a new or empty folder)
    #[arg(value_name = "DIR")]
    pub folder: Option<std::path::PathBuf>,
}

fn demo(args: DemoArgs) -> Result<()> {
    let dir = demo::build(args.folder.as_deref())?;
    crate::output::print(&format!(
        "A demo team repository is in {}\nIts daily review (devops postmortem triage):\n\n",
        dir.display()
    ));
    let triage = std::process::Command::new(
        std::env::current_exe().map_err(|e| postmortem::error::Error::new(e.to_string()))?,
    )
    .current_dir(&dir)
    .args(["postmortem", "--no-pager", "triage"])
    .status()
    .map_err(|e| postmortem::error::Error::new(format!("cannot run triage: {e}")))?;
    if !triage.success() {
        return Err(postmortem::error::Error::new(
            "triage failed in the demo repository",
        ));
    }
    crate::output::print(&format!(
        "Look around:  cd {} && devops postmortem list --all\n\
         In your own repository:  cd your-repo && devops postmortem new --title \"What broke\"\n",
        postmortem::store::shell_quote(&dir.display().to_string())
    ));
    Ok(())
}

/// For every command that writes: its `--help` also says which git hooks
/// run, since a team's `pre-commit` or `commit-msg` checks do not.
#[derive(Args, Debug, Default)]
pub struct CommitArgs {
    /// Add a line to the commit message. Each write is one commit on the
    /// records branch, made as `git commit-tree` makes it: git's
    /// pre-commit, commit-msg and post-commit hooks do not run;
    /// reference-transaction does
    #[arg(short = 'm', long, value_name = "TEXT")]
    pub message: Option<String>,
}

pub fn run(cli: Cli) -> Result<()> {
    let pm = match cli.tool {
        Tool::Postmortem(pm) => *pm,
        Tool::Completions(args) => return completions::run(args),
        Tool::Man(args) => return completions::man(args),
    };
    crate::output::configure(crate::output::Settings {
        color: pm.color,
        no_pager: pm.no_pager,
    });
    let dir_typed = sub_matches_root()
        .and_then(|m| m.value_source("dir"))
        .is_some_and(|s| s == clap::parser::ValueSource::CommandLine);
    if dir_typed {
        crate::output::set_command_prefix(format!(
            "devops postmortem --dir {}",
            postmortem::store::shell_quote(&pm.dir)
        ));
    }
    let writes = pm.command.writes();
    let ctx = || Ctx::open_routed(&pm.dir, writes);
    match pm.command {
        Command::New(args) => new::run(&ctx()?, args),
        Command::Assign(args) => assign::run(&ctx()?, args),
        Command::Analyze(args) => analyze::run(&ctx()?, args),
        Command::Review(args) => review::run(&ctx()?, args),
        Command::Close(args) => close::run(&ctx()?, args),
        Command::Reopen(args) => reopen::run(&ctx()?, args),
        Command::Undo(args) => undo::run(&ctx()?, args),
        Command::Withdraw(args) => withdraw::run(&ctx()?, args),
        Command::Update(args) => update::run(&ctx()?, args),
        Command::Action(cmd) => action::run(&ctx()?, cmd),
        Command::Timeline(cmd) => timeline::run(&ctx()?, cmd),
        Command::Import(args) => import::run(&ctx()?, args),
        Command::List(args) if args.repos.is_team() => list::run_team(&pm.dir, args),
        Command::List(args) => list::run(&ctx()?, args),
        Command::Show(args) => show::run(&ctx()?, args),
        Command::Search(args) if args.repos.is_team() => search::run_team(&pm.dir, args),
        Command::Search(args) => search::run(&ctx()?, args),
        Command::Related(args) if args.repos.is_team() => related::run_team(&pm.dir, args),
        Command::Related(args) => related::run(&ctx()?, args),
        Command::Edit(args) if args.config => edit::run(&Ctx::open_to_fix_config(&pm.dir)?, args),
        Command::Edit(args) => edit::run(&ctx()?, args),
        Command::Triage(args) if args.repos.is_team() => triage::run_team(&pm.dir, args),
        Command::Triage(args) => triage::run(&ctx()?, args),
        Command::Digest(args) => digest::run(&ctx()?, args),
        Command::Stats(args) if args.repos.is_team() => stats::run_team(&pm.dir, args),
        Command::Stats(args) => stats::run(&ctx()?, args),
        Command::Export(args) if args.repos.is_team() => export::run_team(&pm.dir, args),
        Command::Export(args) => export::run(&ctx()?, args),
        Command::Report(args) if args.repos.is_team() => report::run_team(&pm.dir, args),
        Command::Report(args) => report::run(&ctx()?, args),
        Command::Serve(args) if args.repos.is_team() => {
            serve::run(&crate::output::Output::detect(), &pm.dir, args)
        }
        Command::Serve(args) => serve::run(&ctx()?.out, &pm.dir, args),
        Command::Log(args) if args.repos.is_team() => log::run_team(&pm.dir, args),
        Command::Log(args) => log::run(&ctx()?, args),
        Command::Changes(args) => changes::run(&ctx()?, args),
        Command::Deploys(args) => deploys::run(&ctx()?, args),
        Command::Check(args) => check::run(&ctx()?, args),
        Command::Sync(args) => sync::run(&ctx()?, args),
        Command::Migrate(args) => migrate::run(&ctx()?, args),
        // Many repositories, maybe none of them the one we are in.
        Command::Fetch(args) => fetch::run(&pm.dir, args),
        Command::Repos(cmd) => repos::run(&pm.dir, cmd),
        Command::MergeDriver(args) => merge_driver::run(args),

        Command::Init(args) => init::run(&ctx()?, args),
        // The demo builds a repository of its own: no context from here.
        Command::Demo(args) => demo(args),
    }
}

impl Command {
    /// Whether the command may commit: a qualified ID then never sends it
    /// to a mirror, and one that only reads opens its repository read-only.
    fn writes(&self) -> bool {
        !matches!(
            self,
            Command::List(_)
                | Command::Show(_)
                | Command::Search(_)
                | Command::Related(_)
                | Command::Triage(_)
                | Command::Digest(_)
                | Command::Stats(_)
                | Command::Export(_)
                | Command::Report(_)
                | Command::Serve(_)
                | Command::Log(_)
                | Command::Changes(_)
                | Command::Check(_)
        )
    }
}

static MATCHES: std::sync::OnceLock<clap::ArgMatches> = std::sync::OnceLock::new();

/// Keeps what clap parsed, for the few flags whose order matters
/// (`--action A --owner bob --action B --owner carol`).
pub fn remember(matches: clap::ArgMatches) {
    let _ = MATCHES.set(matches);
}

/// The parsed arguments of `devops postmortem` itself.
fn sub_matches_root() -> Option<&'static clap::ArgMatches> {
    MATCHES.get()?.subcommand_matches("postmortem")
}

/// The parsed arguments of `devops postmortem <name>`.
fn sub_matches(name: &str) -> Option<&'static clap::ArgMatches> {
    MATCHES
        .get()?
        .subcommand_matches("postmortem")?
        .subcommand_matches(name)
}

/// What a write command prints when it is done: what the operation
/// warned about, the notes gathered (how a bare time was read), then one
/// line.
fn report(ctx: &Ctx, done: &postmortem::ops::Outcome, what: &str) {
    for w in &done.warnings {
        ctx.out.warn(w);
    }
    ctx.flush_notes();
    match done.commit {
        Some(oid) => {
            let short = &oid.to_string()[..7];
            ctx.out.status(&format!(
                "{what} ({} is now {}, commit {short})",
                done.record.id, done.record.status
            ));
        }
        None => ctx
            .out
            .status(&format!("nothing to change: {what} already")),
    }
}
