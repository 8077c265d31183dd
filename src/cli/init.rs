//! `init`: write a starting config. Optional: everything works without it.

use crate::config::Config;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::store::{Change, commit_file};
use clap::Args;

#[derive(Args, Debug)]
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

pub fn run(ctx: &Ctx, args: InitArgs) -> Result<()> {
    let path = format!("{}/config.toml", ctx.store.records_dir);
    if ctx.store.abs(&path).exists() {
        ctx.out
            .status(&format!("{path} already exists: nothing to do"));
        return Ok(());
    }
    let change = Change {
        id: None,
        path: &path,
        verb: "init",
        message: args.commit.message.as_deref(),
        create: true,
        now: ctx.now,
    };
    commit_file(&ctx.store, &change, |_| {
        Config::parse(STARTER, &path)
            .map_err(|e| Error::new(format!("built-in config is invalid: {e}")))?;
        Ok((STARTER.to_string(), String::new()))
    })?;
    ctx.out.status(&format!("wrote and committed {path}"));
    Ok(())
}
