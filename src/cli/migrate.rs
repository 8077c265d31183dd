//! `migrate`: move records from the checked-out branch (the layout of
//! earlier versions) to a branch of their own (see `store::migrate`).

use crate::ctx::Ctx;
use clap::Args;
use postmortem::error::Result;
use postmortem::store::migrate::{self, MigrationPlan};
use postmortem::store::shell_quote;

#[derive(Args, Debug)]
#[command(
    after_help = "Makes the records branch (postmortems, or `git config postmortem.branch`) \
from the records committed on the checked-out branch: one commit for each commit that changed \
them, with its author, date and message, holding only the records folder, so `log` keeps every \
record's history and no code commit comes along. Your branches are not touched: the records leave \
your code branch only by a commit you make and push yourself (the command is printed). If the \
records branch exists already (a teammate moved first), the records it lacks are added in one \
commit.\n\nExamples:\n  devops postmortem migrate --dry-run\n  devops postmortem migrate"
)]
pub struct MigrateArgs {
    /// Say what would be done, and do nothing
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(ctx: &Ctx, args: MigrateArgs) -> Result<()> {
    let plan = migrate::plan(&ctx.store)?;
    let verb = if args.dry_run { "would" } else { "will" };
    ctx.out.status(&describe(&plan, verb));
    if !args.dry_run {
        let done = migrate::run(&ctx.store, &plan)?;
        ctx.out.status(&format!(
            "made {} commit(s) on {} (now at {})",
            done.commits,
            plan.branch,
            &done.tip.to_string()[..7]
        ));
    }
    ctx.out.status(&next_steps(ctx, &plan, args.dry_run));
    Ok(())
}

fn describe(plan: &MigrationPlan, verb: &str) -> String {
    match &plan.existing {
        None => format!(
            "{verb} make the {} branch from {}: {} commit(s) that changed the records, {} record file(s); no code commit comes along",
            plan.branch,
            plan.from,
            plan.commits.len(),
            plan.records
        ),
        Some(ex) => {
            let mut s = format!(
                "the {} branch exists already: {verb} add the {} record(s) of {} it lacks",
                plan.branch,
                ex.missing.len(),
                plan.from
            );
            if !ex.differing.is_empty() {
                s.push_str(&format!(
                    "; {} differ on both and stay as they are on {} ({})",
                    ex.differing.len(),
                    plan.branch,
                    ex.differing.join(", ")
                ));
            }
            s
        }
    }
}

/// What the person does next: share the branch, and take the records out
/// of the code branch in a commit of their own.
fn next_steps(ctx: &Ctx, plan: &MigrationPlan, dry_run: bool) -> String {
    let dir = shell_quote(&ctx.store.records_dir);
    let first = if dry_run {
        "then, to finish:"
    } else {
        "to finish:"
    };
    format!(
        "{first}\n  devops postmortem sync    # shares the {} branch with the team\n  \
         git rm -r -q {dir} && git commit -m 'Post-mortems live on their own branch'    # your commit on {}, pushed when you push",
        plan.branch, plan.from
    )
}
