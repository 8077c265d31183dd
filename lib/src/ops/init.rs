//! `init`: a starting config on the records branch, and the merge driver
//! registered in this clone. Optional: everything works without it.

use crate::config::Config;
use crate::error::{Error, Result};
use crate::session::Session;
use crate::store::{Change, commit_file};

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

/// What `init` did.
#[derive(Debug)]
pub struct Initialized {
    /// `None`: the config was there already.
    pub config_commit: Option<git2::Oid>,
    /// The merge driver was registered (or brought up to date) now.
    pub driver_registered: bool,
}

/// Idempotent: a config that is there already is left alone.
pub fn init(session: &Session, message: Option<&str>) -> Result<Initialized> {
    let config = session.store.config_path();
    let config_commit = if session.store.text(&config)?.is_some() {
        None
    } else {
        let change = Change {
            id: None,
            path: &config,
            verb: "init",
            message,
            create: true,
            now: session.now,
            trailers: &[],
        };
        commit_file(&session.store, &change, |_| {
            Config::parse(STARTER, &config)
                .map_err(|e| Error::new(format!("built-in config is invalid: {e}")))?;
            Ok((STARTER.to_string(), String::new()))
        })?
    };
    // Local to this clone, committing nothing: where the records branch is
    // checked out, a plain `git pull` merges records field by field.
    let driver_registered = crate::store::sync::setup_merge_driver(&session.store)?;
    Ok(Initialized {
        config_commit,
        driver_registered,
    })
}
