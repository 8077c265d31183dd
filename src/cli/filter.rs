//! `--since/--until/--severity/--service/--at`, shared by list, stats, export and report.

use crate::ctx::Ctx;
use clap::Args;
use postmortem::error::{Error, Result};
use postmortem::record::{Record, Status};
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
    /// Loads every record (reporting unreadable files) and keeps the
    /// matching ones; withdrawn records are left out, as from every figure.
    pub fn load(&self, ctx: &Ctx, detail: Detail) -> Result<Vec<Record>> {
        self.load_where(ctx, detail, |r| {
            r.status != postmortem::record::Status::Withdrawn
        })
    }

    /// `--since` and `--until` as times.
    pub fn span(&self, ctx: &Ctx) -> Result<postmortem::metrics::stats::Span> {
        let time = |flag: &str, v: &Option<String>| {
            v.as_deref()
                .map(|s| ctx.time(flag, s).map(|t| t.0))
                .transpose()
        };
        Ok(postmortem::metrics::stats::Span {
            since: time("--since", &self.since)?,
            until: time("--until", &self.until)?,
        })
    }

    /// The time, severity and service part of the filter, as a test on one
    /// record (for `search`, which reads files itself).
    pub fn window(&self, ctx: &Ctx) -> Result<impl Fn(&Record) -> bool + Sync + use<>> {
        let span = self.span(ctx)?;
        let (since, until) = (span.since, span.until);
        let severities = self
            .severity
            .iter()
            .map(|s| ctx.config.check_severity(s))
            .collect::<Result<Vec<_>>>()?;
        let services = self.service.clone();
        Ok(move |r: &Record| {
            since.is_none_or(|t| r.began() >= t)
                && until.is_none_or(|t| r.began() < t)
                && (severities.is_empty() || severities.contains(&r.severity))
                && (services.is_empty() || r.services.iter().any(|s| services.contains(s)))
        })
    }

    /// The same, withdrawn records included (`list --status withdrawn`).
    pub fn load_with_withdrawn(&self, ctx: &Ctx, detail: Detail) -> Result<Vec<Record>> {
        self.load_where(ctx, detail, |_| true)
    }

    /// The records in the window that `also` keeps, the latest incident
    /// first. A record is a few hundred bytes and there may be 100k: the
    /// order is found on (time, index) pairs and each kept record is moved
    /// once, instead of being swapped about by a sort.
    fn load_where(
        &self,
        ctx: &Ctx,
        detail: Detail,
        also: impl Fn(&Record) -> bool,
    ) -> Result<Vec<Record>> {
        let within = self.window(ctx)?;
        let records = ctx.records(self.at.as_deref(), detail)?;
        let mut order: Vec<(chrono::DateTime<chrono::FixedOffset>, usize)> = records
            .iter()
            .enumerate()
            .filter(|(_, r)| within(r) && also(r))
            .map(|(i, r)| (r.began(), i))
            .collect();
        order.sort_by(|(ta, a), (tb, b)| {
            tb.cmp(ta).then_with(|| records[*a].id.cmp(&records[*b].id))
        });
        let order: Vec<usize> = order.into_iter().map(|(_, i)| i).collect();
        Ok(postmortem::record::arrange(records, &order))
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

/// Who `--assignee` asks for.
enum Wanted {
    Anyone,
    Nobody,
    /// An email (for `me`) or part of a name or email, lowercased.
    Matching(String),
}

/// A `Selection` with its values read and checked.
pub struct Rule {
    statuses: Vec<Status>,
    all: bool,
    wanted: Wanted,
    /// `-n`: at most this many.
    pub max: Option<usize>,
}

impl Selection {
    pub fn rule(&self, ctx: &Ctx) -> Result<Rule> {
        let statuses = self
            .status
            .iter()
            .map(|s| {
                Status::parse(s).ok_or_else(|| {
                    Error::usage(format!(
                        "--status '{}': use one of {}",
                        postmortem::text::inline(s),
                        Status::names()
                    ))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let assignee = if self.mine {
            Some("me")
        } else {
            self.assignee.as_deref()
        };
        let wanted = match assignee {
            None => Wanted::Anyone,
            Some("none") => Wanted::Nobody,
            Some("me") => Wanted::Matching(
                postmortem::store::identity::identity(&ctx.store.repo, "AUTHOR")?
                    .email
                    .to_lowercase(),
            ),
            Some(q) => Wanted::Matching(q.to_lowercase()),
        };
        Ok(Rule {
            statuses,
            all: self.all,
            wanted,
            max: self.max_count,
        })
    }
}

impl Rule {
    /// The records `filter` matches; withdrawn ones only when asked for.
    pub fn load(&self, ctx: &Ctx, filter: &RecordFilter, detail: Detail) -> Result<Vec<Record>> {
        if self.statuses.contains(&Status::Withdrawn) {
            filter.load_with_withdrawn(ctx, detail)
        } else {
            filter.load(ctx, detail)
        }
    }

    pub fn keeps(&self, r: &Record) -> bool {
        let status_ok = if self.statuses.is_empty() {
            self.all || r.status.is_active()
        } else {
            self.statuses.contains(&r.status)
        };
        let assignee_ok = match &self.wanted {
            Wanted::Anyone => true,
            Wanted::Nobody => r.assignee.is_none(),
            Wanted::Matching(q) => r
                .assignee
                .as_deref()
                .is_some_and(|a| a.to_lowercase().contains(q.as_str())),
        };
        status_ok && assignee_ok
    }
}
