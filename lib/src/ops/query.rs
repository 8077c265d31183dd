//! Which records a read is about: the incident window, severities and
//! services (`list`, `stats`, `export`, `report`, `search`), and the
//! statuses and assignee (`list`, `search`). Withdrawn records are left
//! out unless asked for by name, as from every figure.

use crate::error::{Error, Result};
use crate::metrics::stats::Span;
use crate::record::{Record, Status};
use crate::session::{Loaded, Session};
use crate::store::read::Detail;

/// `--since/--until/--severity/--service/--at`, as typed.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub since: Option<String>,
    pub until: Option<String>,
    pub severity: Vec<String>,
    pub service: Vec<String>,
    /// The records as they were at a commit, tag or time.
    pub at: Option<String>,
}

impl Filter {
    /// `--since` and `--until` as times.
    pub fn span(&self, session: &Session) -> Result<Span> {
        let time = |flag: &str, v: &Option<String>| {
            v.as_deref()
                .map(|s| session.time(flag, s).map(|t| t.0))
                .transpose()
        };
        Ok(Span {
            since: time("--since", &self.since)?,
            until: time("--until", &self.until)?,
        })
    }

    /// The time, severity and service part, as a test on one record.
    pub fn window(&self, session: &Session) -> Result<impl Fn(&Record) -> bool + Sync + use<>> {
        let span = self.span(session)?;
        let (since, until) = (span.since, span.until);
        let severities = self
            .severity
            .iter()
            .map(|s| session.config.check_severity(s))
            .collect::<Result<Vec<_>>>()?;
        let services = self.service.clone();
        Ok(move |r: &Record| {
            since.is_none_or(|t| r.began() >= t)
                && until.is_none_or(|t| r.began() < t)
                && (severities.is_empty() || severities.contains(&r.severity))
                && (services.is_empty() || r.services.iter().any(|s| services.contains(s)))
        })
    }

    /// The records in the window, withdrawn ones left out.
    pub fn load(&self, session: &Session, detail: Detail) -> Result<Loaded> {
        self.load_where(session, detail, |r| r.status != Status::Withdrawn)
    }

    /// The records in the window that `also` keeps, the latest incident
    /// first. A record is a few hundred bytes and there may be 100k: the
    /// order is found on (time, index) pairs and each kept record is moved
    /// once, instead of being swapped about by a sort.
    pub fn load_where(
        &self,
        session: &Session,
        detail: Detail,
        also: impl Fn(&Record) -> bool,
    ) -> Result<Loaded> {
        let within = self.window(session)?;
        let loaded = session.records(self.at.as_deref(), detail)?;
        let records = loaded.records;
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
        Ok(Loaded {
            records: crate::record::arrange(records, &order),
            unreadable: loaded.unreadable,
        })
    }
}

/// Which records by status and assignee, as typed.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub status: Vec<String>,
    /// Closed records too.
    pub all: bool,
    /// Part of a name or email; `me` for yourself, `none` for unassigned.
    pub assignee: Option<String>,
    pub mine: bool,
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
    pub fn rule(&self, session: &Session) -> Result<Rule> {
        let statuses = self
            .status
            .iter()
            .map(|s| {
                Status::parse(s).ok_or_else(|| {
                    Error::usage(format!(
                        "--status '{}': use one of {}",
                        crate::text::inline(s),
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
                crate::store::identity::identity(&session.store.repo, "AUTHOR")?
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
    /// Whether withdrawn records were asked for by name.
    pub fn wants_withdrawn(&self) -> bool {
        self.statuses.contains(&Status::Withdrawn)
    }

    /// The records `filter` matches; withdrawn ones only when asked for.
    pub fn load(&self, session: &Session, filter: &Filter, detail: Detail) -> Result<Loaded> {
        if self.wants_withdrawn() {
            filter.load_where(session, detail, |_| true)
        } else {
            filter.load(session, detail)
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
