//! `triage`: what needs the team today.

use super::is_overdue;
use crate::config::Config;
use crate::record::{Record, Status};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use serde::Serialize;

/// Action items due within this many days are "due soon".
const DUE_SOON_DAYS: i64 = 7;

pub struct Rules<'a> {
    /// Review deadlines and staleness come from the team's config.
    pub config: &'a Config,
    pub now: DateTime<FixedOffset>,
    /// Closed at or after this counts as "closed since the last review".
    pub since: DateTime<FixedOffset>,
    /// With `--mine`: only records assigned to, and actions owned by, this email.
    pub mine: Option<String>,
}

impl Rules<'_> {
    fn today(&self) -> NaiveDate {
        self.now.date_naive()
    }
}

/// One record in a list. It borrows from the records: at 100k records the
/// lists hold tens of thousands of rows, and copying their text was most
/// of `triage`'s own time.
#[derive(Debug, Clone, Serialize)]
pub struct Item<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub severity: &'a str,
    pub status: Status,
    pub assignee: Option<&'a str>,
    pub created_at: crate::record::Timestamp,
    /// Hours since the incident began (its start, else the record's creation).
    pub age_hours: i64,

    /// Review deadline (created + review days for its severity).
    #[serde(serialize_with = "as_text")]
    pub review_due: NaiveDate,
}

#[derive(Debug, Clone, Serialize)]
pub struct Group<'a> {
    pub assignee: &'a str,
    pub records: Vec<Item<'a>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActionRef<'a> {
    pub id: &'a str,
    pub n: u32,
    pub text: &'a str,
    pub owner: Option<&'a str>,
    #[serde(serialize_with = "as_text")]
    pub due: NaiveDate,
    /// Negative: days left.
    pub days_overdue: i64,
}

/// A date as `YYYY-MM-DD`, the way every JSON document gives dates.
fn as_text<S: serde::Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(d)
}

#[derive(Debug, Clone, Serialize)]
pub struct Triage<'a> {
    pub unassigned: Vec<Item<'a>>,
    pub in_analysis: Vec<Group<'a>>,
    pub ready_to_close: Vec<Item<'a>>,
    pub past_review_deadline: Vec<Item<'a>>,
    pub stale: Vec<Item<'a>>,
    pub actions_overdue: Vec<ActionRef<'a>>,
    pub actions_due_soon: Vec<ActionRef<'a>>,
    /// Analysed SEV1/SEV2 records with nothing to educate the field and no
    /// reason why (rule `no-educate`; the config's `[lint] off` hides it).
    pub no_user_education: Vec<Item<'a>>,
    pub closed_since: Vec<Item<'a>>,
    /// The severities asked for education (the config's two worst).
    #[serde(skip)]
    pub education_severities: Vec<String>,
}

fn mine(who: Option<&str>, rules: &Rules<'_>) -> bool {
    match &rules.mine {
        None => true,
        Some(email) => who.is_some_and(|w| w.contains(email.as_str())),
    }
}

fn item<'a>(r: &'a Record, rules: &Rules<'_>) -> Item<'a> {
    Item {
        id: &r.id,
        title: &r.title,
        severity: &r.severity,
        status: r.status,
        assignee: r.assignee.as_deref(),
        created_at: r.created_at,
        age_hours: (rules.now - r.began()).num_hours(),

        review_due: review_due(r, rules).date_naive(),
    }
}

fn review_due(r: &Record, rules: &Rules<'_>) -> DateTime<FixedOffset> {
    r.review_due(rules.config.review_days(&r.severity))
}

pub fn compute<'a>(records: &'a [Record], rules: &Rules<'_>) -> Triage<'a> {
    // Oldest first, once: every list below keeps this order.
    let mut open: Vec<&Record> = records
        .iter()
        .filter(|r| r.status.is_active() && mine(r.assignee.as_deref(), rules))
        .collect();
    // IDs are unique, so an unstable sort gives the same order, faster.
    open.sort_unstable_by(|a, b| a.began().cmp(&b.began()).then_with(|| a.id.cmp(&b.id)));
    let keep = |keep: &dyn Fn(&Record) -> bool| -> Vec<Item<'a>> {
        open.iter()
            .copied()
            .filter(|r| keep(r))
            .map(|r| item(r, rules))
            .collect()
    };
    let unassigned = if rules.mine.is_some() {
        Vec::new()
    } else {
        keep(&|r| r.assignee.is_none())
    };
    let stale_before = Duration::try_days(i64::from(rules.config.stale_days()))
        .and_then(|d| rules.now.checked_sub_signed(d))
        .unwrap_or(DateTime::<chrono::Utc>::MIN_UTC.fixed_offset());
    let no_user_education = if rules.config.rule_on("no-educate") {
        keep(&|r| crate::record::status::needs_education(r, &rules.config.severities))
    } else {
        Vec::new()
    };
    let (actions_overdue, actions_due_soon) = actions_by_due(records, rules);
    Triage {
        unassigned,
        in_analysis: in_analysis(&open, rules),
        ready_to_close: keep(&|r| {
            r.status == Status::Analyzed && r.open_actions().next().is_none()
        }),
        past_review_deadline: keep(&|r| review_due(r, rules) < rules.now),
        stale: keep(&|r| r.updated_at.unwrap_or(r.created_at).0 < stale_before),
        actions_overdue,
        actions_due_soon,
        no_user_education,
        closed_since: closed_since(records, rules),
        education_severities: rules.config.severities.iter().take(2).cloned().collect(),
    }
}

/// The records in analysis per assignee, by name; each group oldest
/// record first.
fn in_analysis<'a>(open: &[&'a Record], rules: &Rules<'_>) -> Vec<Group<'a>> {
    let mut by_assignee: std::collections::BTreeMap<&'a str, Vec<&'a Record>> = Default::default();
    for r in open.iter().filter(|r| r.status == Status::Assigned) {
        by_assignee
            .entry(r.assignee.as_deref().unwrap_or_default())
            .or_default()
            .push(r);
    }
    by_assignee
        .into_iter()
        .map(|(who, mut records)| {
            records.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
            Group {
                assignee: who,
                records: records.into_iter().map(|r| item(r, rules)).collect(),
            }
        })
        .collect()
}

/// Open action items past their due day, and those due within
/// `DUE_SOON_DAYS`, the latest first.
fn actions_by_due<'a>(
    records: &'a [Record],
    rules: &Rules<'_>,
) -> (Vec<ActionRef<'a>>, Vec<ActionRef<'a>>) {
    let mut overdue = Vec::new();
    let mut soon = Vec::new();
    for r in records {
        for a in r.open_actions() {
            if !mine(a.owner.as_deref(), rules) {
                continue;
            }
            let Some(due) = a.due else { continue };
            let days_overdue = (rules.today() - due.0).num_days();
            let entry = ActionRef {
                id: &r.id,
                n: a.n,
                text: &a.text,
                owner: a.owner.as_deref(),
                due: due.0,
                days_overdue,
            };
            if is_overdue(a.status, Some(due.0), rules.today()) {
                overdue.push(entry);
            } else if -days_overdue <= DUE_SOON_DAYS {
                soon.push(entry);
            }
        }
    }
    for list in [&mut overdue, &mut soon] {
        list.sort_by(|a, b| {
            b.days_overdue
                .cmp(&a.days_overdue)
                .then_with(|| a.id.cmp(b.id))
        });
    }
    (overdue, soon)
}

/// Records closed since the last review, in the order they closed.
fn closed_since<'a>(records: &'a [Record], rules: &Rules<'_>) -> Vec<Item<'a>> {
    let mut closed: Vec<&Record> = records
        .iter()
        .filter(|r| r.status == Status::Closed)
        .filter(|r| {
            r.closed_at
                .is_some_and(|c| c.0 >= rules.since && c.0 <= rules.now)
        })
        .filter(|r| mine(r.assignee.as_deref(), rules))
        .collect();
    closed.sort_by_key(|r| r.closed_at);
    closed.into_iter().map(|r| item(r, rules)).collect()
}
