//! `init`: write a starting config. Optional: everything works without it.

use crate::config::Config;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::store::sync::{attributes_line, setup_merge_driver};
use crate::store::{Change, commit_file};
use clap::Args;

#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  devops postmortem init")]
pub struct InitArgs {
    #[command(flatten)]
    pub commit: super::CommitArgs,
}

const STARTER: &str = r#"# Shared settings for `devops postmortem`. Every key is optional.

# Severity levels, worst first.
severities = ["SEV1", "SEV2", "SEV3", "SEV4"]
# default_severity = "SEV3"

# Services offered by `new` and checked by `check`.
services = []

# Zone for times typed without an offset: "+09:00", "UTC" or "local".
# timezone = "+09:00"

# Days from creation until the review is due, per severity.
[review_days]
SEV1 = 3
SEV2 = 5
default = 10

# The team roster: `assign ID bob` matches name, email or handle by prefix.
# [[people]]
# name = "Bob Lee"
# email = "bob@example.com"
# handle = "bob"
"#;

/// Idempotent: each step that is already done is skipped, and each file it
/// writes is its own commit.
pub fn run(ctx: &Ctx, args: InitArgs) -> Result<()> {
    let message = args.commit.message.as_deref();
    let config = format!("{}/config.toml", ctx.store.records_dir);
    if ctx.store.abs(&config).exists() {
        ctx.out.status(&format!("{config} already exists"));
    } else {
        commit_file(&ctx.store, &change(ctx, &config, message, true), |_| {
            Config::parse(STARTER, &config)
                .map_err(|e| Error::new(format!("built-in config is invalid: {e}")))?;
            Ok((STARTER.to_string(), String::new()))
        })?;
        ctx.out.status(&format!("wrote and committed {config}"));
    }

    // Shared: every clone merges records field by field.
    let line = attributes_line(&ctx.store.records_dir);
    let current = std::fs::read_to_string(ctx.store.abs(".gitattributes")).unwrap_or_default();
    if current.lines().any(|l| l.trim() == line) {
        ctx.out
            .status(".gitattributes already names the merge driver");
    } else {
        let exists = ctx.store.abs(".gitattributes").exists();
        commit_file(
            &ctx.store,
            &change(ctx, ".gitattributes", message, !exists),
            |old| {
                let mut text = old.unwrap_or_default().to_string();
                if !text.is_empty() && !text.ends_with('\n') {
                    text.push('\n');
                }
                text.push_str(
                    "# Post-mortem records merge field by field (devops postmortem init)\n",
                );
                text.push_str(&line);
                text.push('\n');
                Ok((text, String::new()))
            },
        )?;
        ctx.out
            .status("added the merge driver to .gitattributes and committed it");
    }
    // Local to this clone: the command git runs for that attribute (and
    // the attribute itself in .git/info/attributes, for clones that never
    // pull the committed .gitattributes).
    if setup_merge_driver(&ctx.store)? {
        ctx.out
            .status("registered the merge driver in .git/config and .git/info/attributes");
    }
    Ok(())
}

fn change<'a>(ctx: &Ctx, path: &'a str, message: Option<&'a str>, create: bool) -> Change<'a> {
    Change {
        id: None,
        path,
        verb: "init",
        message,
        create,
        now: ctx.now,
    }
}
