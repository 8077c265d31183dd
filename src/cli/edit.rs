//! `edit`: the record in $VISUAL/$EDITOR, validated before it is committed.

use crate::ctx::Ctx;
use clap::Args;
use postmortem::error::{Context, Error, Result};
use postmortem::record::RecordDoc;
use postmortem::record::parse::parse_record;
use postmortem::store::{Change, commit_record};
use std::process::Command;

#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  devops postmortem edit k7x3")]
pub struct EditArgs {
    /// The post-mortem (any unique prefix of its ID)
    pub id: String,
    #[command(flatten)]
    pub commit: super::CommitArgs,
}

pub fn run(ctx: &Ctx, args: EditArgs) -> Result<()> {
    let entry = ctx.find(&args.id)?;
    let original = postmortem::store::read::read_text(&ctx.store, &entry.path)?;
    // In the repository's git dir, not the system's temp folder: an edit
    // kept after a failed check stays with the repository it belongs to.
    let scratch = tempfile::Builder::new()
        .prefix(&format!("devops-postmortem-edit-{}-", entry.id))
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
        match validate(ctx, &entry, &text) {
            Ok(()) => break text,
            Err(e) if ctx.can_prompt() => {
                ctx.out.status(&format!("error: {}", e.message));
                if !crate::prompt::confirm(ctx, "Edit again? (no throws the changes away)", true)? {
                    return Err(Error::new("edit abandoned").nothing_written());
                }
            }
            Err(e) => {
                let kept = scratch.into_temp_path().keep().ok();
                let mut e = Error::new(format!("{}", e.message)).nothing_written();
                if let Some(p) = kept {
                    e = e.hint(format!("your text is kept in {}", p.display()));
                }
                return Err(e);
            }
        }
    };

    let change = Change {
        id: Some(&entry.id),
        path: &entry.path,
        verb: "edit",
        message: args.commit.message.as_deref(),
        create: false,
        now: ctx.now,
    };
    let done = commit_record(&ctx.store, &change, |head| {
        if head != Some(original.as_str()) {
            return Err(Error::new(format!(
                "{} changed on {} while you were editing",
                entry.path,
                ctx.store.location.describe()
            ))
            .nothing_written()
            .hint("run edit again on the new version"));
        }
        ctx.finish(
            &entry.path,
            RecordDoc::parse(&edited).map_err(|e| Error::new(e.to_string()))?,
        )
    })?;
    super::report(ctx, &done, "edited");
    Ok(())
}

fn validate(ctx: &Ctx, entry: &postmortem::store::read::Entry, text: &str) -> Result<()> {
    let r = parse_record(text).map_err(|e| Error::new(e.to_string()))?;
    if r.id != entry.id.as_str() {
        return Err(Error::new(format!(
            "id must stay {}: the ID is the file's name",
            entry.id
        )));
    }
    ctx.validate(&entry.path, text)
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
