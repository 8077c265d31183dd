//! `edit`: a record (or, with `--config`, the team's config) in
//! $VISUAL/$EDITOR, held to the rules before it is committed (see
//! `ops::edit`).

use crate::ctx::Ctx;
use clap::Args;
use postmortem::error::{Context, Error, Result};
use postmortem::ops::edit::{self, Target};
use std::process::Command;

#[derive(Args, Debug)]
#[command(
    after_help = "The file is read from the records branch, opened in your editor, checked \
(a record as `check` would, the config as every command reads it) and committed as one commit. \
On a terminal a file that fails the check can be edited again. `--config` works on a config \
that does not read (every other command refuses it and names this one). The review fields are \
left to `review`.\n\nExamples:\n  \
devops postmortem edit k7x3\n  devops postmortem edit --config   # services, roster, severities"
)]
pub struct EditArgs {
    /// The post-mortem (any unique prefix of its ID)
    #[arg(
        required_unless_present = "config",
        conflicts_with = "config",
        add = super::completions::record_ids()
    )]
    pub id: Option<String>,
    /// Edit the team's config (postmortems/config.toml on the records branch) instead
    #[arg(long)]
    pub config: bool,
    #[command(flatten)]
    pub commit: super::CommitArgs,
}

pub fn run(ctx: &Ctx, args: EditArgs) -> Result<()> {
    let target = edit::target(ctx, args.id.as_deref())?;
    let original = edit::current(ctx, &target)?;
    let name = match &target {
        Target::Record(e) => e.id.to_string(),
        Target::Config => "config".to_string(),
    };
    // In the repository's git dir, not the system's temp folder: an edit
    // kept after a failed check stays with the repository it belongs to.
    let scratch = tempfile::Builder::new()
        .prefix(&format!("devops-postmortem-edit-{name}-"))
        .suffix(".toml")
        .tempfile_in(ctx.store.repo.path())
        .context(|| "cannot create a temporary file to edit".to_string())?;
    std::fs::write(scratch.path(), &original)
        .context(|| format!("cannot write {}", scratch.path().display()))?;
    let edited = loop {
        run_editor(scratch.path())?;
        let text = std::fs::read_to_string(scratch.path())
            .context(|| format!("cannot read {}", scratch.path().display()))?;
        if text == original {
            ctx.out.status("no changes: nothing was committed");
            return Ok(());
        }
        match edit::problems(ctx, &target, &original, &text) {
            Ok(()) => break text,
            Err(e) if ctx.can_prompt() => {
                ctx.out.status(&format!("error: {}", e.message));
                if !crate::prompt::confirm(ctx, "Edit again? (no throws the changes away)", true)? {
                    return Err(Error::new("edit abandoned").nothing_written());
                }
            }
            Err(e) => {
                let kept = scratch.into_temp_path().keep().ok();
                let mut e = Error::new(e.message).nothing_written();
                if let Some(p) = kept {
                    e = e.hint(format!("your text is kept in {}", p.display()));
                }
                return Err(e);
            }
        }
    };
    match edit::commit(
        ctx,
        &target,
        &original,
        &edited,
        args.commit.message.as_deref(),
    )? {
        Some(done) => super::report(ctx, &done, "edited"),
        None => ctx.out.status(&format!(
            "edited and committed {} on {}",
            target.path(ctx),
            ctx.store.location.describe()
        )),
    }
    Ok(())
}

fn run_editor(path: &std::path::Path) -> Result<()> {
    let editor = ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|k| std::env::var(k).ok())
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "vi".to_string());
    // Through the shell, as git does, so EDITOR="code --wait" works.
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("devops-edit")
        .arg(path)
        .status()
        .context(|| format!("cannot start the editor '{editor}'"))?;
    if !status.success() {
        return Err(
            Error::new(format!("the editor '{editor}' failed ({status})")).nothing_written(),
        );
    }
    Ok(())
}
