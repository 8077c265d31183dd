//! `--since/--until/--severity/--service/--at` and `--status/--all/
//! --assignee/--mine/-n` as clap reads them; the library's `ops::query`
//! keeps what they mean.

use crate::ctx::Ctx;
use clap::Args;
use postmortem::error::Result;
use postmortem::ops::query::{self, Rule};
use postmortem::record::Record;
use postmortem::record::id::ShortIds;
use postmortem::session::Loaded;
use postmortem::store::read::Detail;

#[derive(Args, Debug, Default)]
pub struct RecordFilter {
    /// Only incidents that began at or after this time ("30d ago", 2026-10-01)
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only incidents that began before this time
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Only this severity (repeat or comma-separate)
    #[arg(long, short, value_delimiter = ',', value_name = "SEV")]
    pub severity: Vec<String>,
    /// Only records that name this service (repeat or comma-separate)
    #[arg(long, value_delimiter = ',', value_name = "NAME")]
    pub service: Vec<String>,
    /// The records as they were at a commit, tag or time (HEAD~10, v1.2, 2026-10-01)
    #[arg(long, value_name = "REV|TIME")]
    pub at: Option<String>,
}

impl RecordFilter {
    pub fn filter(&self) -> query::Filter {
        query::Filter {
            since: self.since.clone(),
            until: self.until.clone(),
            severity: self.severity.clone(),
            service: self.service.clone(),
            at: self.at.clone(),
        }
    }

    /// How each repository of a view across repositories is read: as
    /// `load` reads one (withdrawn records too when `withdrawn`).
    pub fn reader(
        &self,
        withdrawn: bool,
        detail: Detail,
    ) -> impl Fn(&postmortem::session::Session) -> Result<Loaded> + Sync + use<> {
        let filter = self.filter();
        move |s| {
            if withdrawn {
                filter.load_where(s, detail, |_| true)
            } else {
                filter.load(s, detail)
            }
        }
    }

    /// The records the filter keeps (withdrawn ones left out), the files
    /// that could not be read warned about.
    pub fn load(&self, ctx: &Ctx, detail: Detail) -> Result<Vec<Record>> {
        Ok(said(ctx, self.filter().load(ctx, detail)?))
    }
}

/// Which records by status and assignee: shared by `list` and `search`.
#[derive(Args, Debug, Default)]
pub struct Selection {
    /// Only these statuses (repeat or comma-separate: open, assigned, analyzed, closed, withdrawn)
    #[arg(long, value_delimiter = ',', value_name = "STATUS")]
    pub status: Vec<String>,
    /// Include closed post-mortems
    #[arg(long, short)]
    pub all: bool,
    /// Only records assigned to someone whose name or email contains this;
    /// `me` for yourself, `none` for unassigned
    #[arg(long, value_name = "WHO", conflicts_with = "mine")]
    pub assignee: Option<String>,
    /// Only records assigned to me (as triage --mine)
    #[arg(long)]
    pub mine: bool,
    /// At most this many records
    #[arg(long, short = 'n', value_name = "N")]
    pub max_count: Option<usize>,
}

impl Selection {
    pub fn rule(&self, ctx: &Ctx) -> Result<Rule> {
        self.rule_in(ctx)
    }

    /// Whether `--status` names withdrawn records (they are read then).
    pub fn wants_withdrawn(&self) -> bool {
        self.status
            .iter()
            .any(|s| s.eq_ignore_ascii_case("withdrawn"))
    }

    /// Whether the rule needs my git identity (`--mine`, `--assignee me`).
    pub fn wants_me(&self) -> bool {
        self.mine || self.assignee.as_deref() == Some("me")
    }

    /// The rule, read in `session` (whose git identity is "me").
    pub fn rule_in(&self, session: &postmortem::session::Session) -> Result<Rule> {
        query::Selection {
            status: self.status.clone(),
            all: self.all,
            assignee: self.assignee.clone(),
            mine: self.mine,
            max_count: self.max_count,
        }
        .rule(session)
    }
}

/// The records `rule` and `filter` select (before `rule.keeps`), the
/// unreadable files warned about.
/// The records `filter` keeps, with the short forms of every ID read.
pub fn load(
    ctx: &Ctx,
    rule: &Rule,
    filter: &RecordFilter,
    detail: Detail,
) -> Result<(Vec<Record>, ShortIds)> {
    let mut loaded = rule.load(ctx, &filter.filter(), detail)?;
    let ids = std::mem::take(&mut loaded.ids);
    Ok((said(ctx, loaded), ids))
}

/// How tables show IDs: their shortest unique form, or whole.
#[derive(Args, Debug, Default)]
pub struct IdForm {
    /// Show whole IDs (PM-20261123-k7x3q4mz) instead of their shortest
    /// unique form (k7x3)
    #[arg(long)]
    pub long: bool,
}

impl IdForm {
    pub fn of(&self, short: ShortIds) -> ShortIds {
        if self.long { ShortIds::long() } else { short }
    }
}

/// The records, after saying what the store noticed and which files were
/// skipped.
fn said(ctx: &Ctx, loaded: Loaded) -> Vec<Record> {
    crate::ctx::say_notices(&ctx.out, &ctx.store);
    for bad in &loaded.unreadable {
        ctx.out
            .warn(&format!("skipped {}", bad.problem.in_file(&bad.path)));
    }
    loaded.records
}
