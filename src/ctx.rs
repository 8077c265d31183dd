//! What every command of the binary has: the library's session (the
//! repository, its records branch, the config, "now") and where output
//! goes. It derefs to the session, so commands read `ctx.store`,
//! `ctx.config`, `ctx.now` as the operations do.

use crate::output::Output;
use postmortem::error::{Error, Result};
use postmortem::record::Record;
use postmortem::session::Session;
use postmortem::store::Notice;
use postmortem::store::read::Detail;
use std::io::IsTerminal;

pub struct Ctx {
    pub session: Session,
    pub out: Output,
}

impl std::ops::Deref for Ctx {
    type Target = Session;

    fn deref(&self) -> &Session {
        &self.session
    }
}

impl Ctx {
    pub fn open(records_dir: &str) -> Result<Ctx> {
        Ctx::open_with(records_dir, Session::open)
    }

    /// Where a qualified ID (`api:k7x3`) sends the command: that
    /// repository (read-only unless the command `writes`), else the
    /// current one.
    pub fn open_routed(records_dir: &str, writes: bool) -> Result<Ctx> {
        match crate::cli::route::target(records_dir, writes)? {
            None => Ctx::open(records_dir),
            Some(path) => {
                let access = if writes {
                    postmortem::store::branch::Access::ReadWrite
                } else {
                    postmortem::store::branch::Access::ReadOnly
                };
                let session = Session::open_at(&path, records_dir, access)?;
                crate::output::set_routed(&path);
                let out = Output::detect();
                say_notices(&out, &session.store);
                Ok(Ctx { session, out })
            }
        }
    }

    /// For `edit --config`: opens even where the config does not read.
    pub fn open_to_fix_config(records_dir: &str) -> Result<Ctx> {
        Ctx::open_with(records_dir, Session::open_to_fix_config)
    }

    fn open_with(
        records_dir: &str,
        open: fn(&std::path::Path, &str) -> Result<Session>,
    ) -> Result<Ctx> {
        let cwd = std::env::current_dir()
            .map_err(|e| Error::new(format!("cannot read the current directory: {e}")))?;
        let session = open(&cwd, records_dir)?;
        let out = Output::detect();
        // What opening found (a write a killed run left, finished or
        // undone; where the records are) is said before anything else.
        say_notices(&out, &session.store);
        Ok(Ctx { session, out })
    }

    /// Prompts need a person at a terminal on both ends.
    pub fn can_prompt(&self) -> bool {
        std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
    }

    /// Long output through the pager on a terminal (git's `core.pager`
    /// counts too); directly otherwise.
    pub fn page(&self, text: &str) {
        crate::output::page(text, self.git_pager());
    }

    /// The notes gathered so far, printed and cleared.
    pub fn flush_notes(&self) {
        for n in self.take_notes() {
            self.out.status(&format!("note: {n}"));
        }
    }

    /// Every record (see `Session::records`); what could not be read is
    /// warned about and skipped, and what the store noticed is said.
    pub fn records(&self, at: Option<&str>, detail: Detail) -> Result<Vec<Record>> {
        let loaded = self.session.records(at, detail)?;
        Ok(self.said(loaded).records)
    }

    /// The records whose head passes `wanted` (`Session::records_where`),
    /// with the short form of every ID; problems said as `records` says them.
    pub fn records_where(
        &self,
        detail: Detail,
        wanted: &(dyn Fn(&postmortem::record::Head) -> bool + Sync),
    ) -> Result<postmortem::session::Loaded> {
        let loaded = self.session.records_where(detail, wanted)?;
        Ok(self.said(loaded))
    }

    /// Says what the store noticed and which files were skipped.
    fn said(&self, loaded: postmortem::session::Loaded) -> postmortem::session::Loaded {
        say_notices(&self.out, &self.store);
        for bad in &loaded.unreadable {
            self.out
                .warn(&format!("skipped {}", bad.problem.in_file(&bad.path)));
        }
        loaded
    }
}

/// Says what the store noticed, once each.
pub fn say_notices(out: &Output, store: &postmortem::store::Store) {
    for n in store.take_notices() {
        out.status(&describe(&n));
    }
}

/// A notice in words.
pub fn describe(n: &Notice) -> String {
    match n {
        Notice::Finished { what, commit } => format!(
            "finished an interrupted `{what}` (commit {})",
            &commit.to_string()[..7]
        ),
        Notice::Undone { what } => format!(
            "an interrupted `{what}` was not finished and nothing of it stays; run it again if you still want it"
        ),
        Notice::Waiting { what, lock } => format!(
            "an interrupted `{what}` is committed; its work tree follows once git's lock file {} is gone (if no git command is running: rm '{}')",
            lock.display(),
            lock.display()
        ),
        Notice::DamagedJournal { path } => format!(
            "warning: removed a damaged journal of an interrupted change ({}); `git status` shows anything it left",
            path.display()
        ),
        Notice::RecoveryFailed { reason } => {
            format!("warning: an interrupted change could not be finished: {reason}")
        }
        Notice::OnCheckedOutBranch { branch } => format!(
            "note: the records are on {branch}, beside your code; `devops postmortem migrate` moves them to a branch of their own"
        ),
        Notice::Tracking { branch, remote_ref } => {
            format!("note: made the local {branch} branch from {remote_ref}")
        }
        Notice::RemoteAhead {
            remote_ref,
            commits,
        } => format!("note: {remote_ref} has {commits} newer commit(s): devops postmortem sync"),
        Notice::StaleCopy { branch, dir } => format!(
            "note: {branch} still holds an old copy of {dir}/ (the records are on their own branch now); remove it: git rm -r -q {} && git commit -m 'Post-mortems live on their own branch'",
            postmortem::store::shell_quote(dir)
        ),
        Notice::NoBranchHere { branch, remote } => match remote {
            Some(r) => format!(
                "note: no {branch} branch in this clone: if your team has one, fetch it (git fetch {r} {branch}:{branch}); else `devops postmortem new` starts it"
            ),
            None => format!("note: no {branch} branch yet: `devops postmortem new` starts it"),
        },
    }
}
