//! `init`: commit a starting config to the records branch. Optional:
//! everything works without it.

use crate::ctx::Ctx;
use clap::Args;
use postmortem::config::Config;
use postmortem::error::{Error, Result};
use postmortem::store::sync::setup_merge_driver;
use postmortem::store::{Change, commit_file};

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

/// Idempotent: a config that is there already is left alone.
pub fn run(ctx: &Ctx, args: InitArgs) -> Result<()> {
    let message = args.commit.message.as_deref();
    let config = ctx.store.config_path();
    let branch = ctx.store.location.describe();
    if ctx.store.text(&config)?.is_some() {
        ctx.out
            .status(&format!("{config} already exists on {branch}"));
    } else {
        commit_file(&ctx.store, &change(ctx, &config, message, true), |_| {
            Config::parse(STARTER, &config)
                .map_err(|e| Error::new(format!("built-in config is invalid: {e}")))?;
            Ok((STARTER.to_string(), String::new()))
        })?;
        ctx.out
            .status(&format!("wrote and committed {config} on {branch}"));
    }
    // Local to this clone, committing nothing: where the records branch is
    // checked out, a plain `git pull` merges records field by field.
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
