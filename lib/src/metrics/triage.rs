//! `triage`: what needs the team today.

use super::is_overdue;
use crate::config::Config;
use crate::record::{Head, Record, Status, review};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use serde::Serialize;

/// Action items due within this many days are "due soon".
pub const DUE_SOON_DAYS: i64 = 3;

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
    /// Analysed where the config's `[review] required` asks for an
    /// approval, without one: anyone but the assignee reviews them.
    pub awaiting_review: Vec<Item<'a>>,
    /// Sent back by a reviewer, unchanged since: their assignees' turn.
    pub changes_requested: Vec<Item<'a>>,
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

/// Whether a record with this head can show in triage (`since` as in
/// [`Rules`]): it is open, closed since `since`, or has open action
/// items. The rest, the closed history, is never decoded.
pub fn may_show(head: &Head, since: DateTime<FixedOffset>) -> bool {
    head.status.is_active()
        || head.open_actions
        || head.closed_at.is_some_and(|c| c >= since.timestamp())
}

fn mine(who: Option<&str>, rules: &Rules<'_>) -> bool {
    match &rules.mine {
        None => true,
        Some(email) => who.is_some_and(|w| crate::people::is_email_of(w, email)),
    }
}

/// An open record as every list sees it: its row, made once however many
/// lists it is in (at 100k records, tens of thousands of rows in several).
struct Open<'a> {
    record: &'a Record,
    item: Item<'a>,
    review_due: DateTime<FixedOffset>,
}

impl<'a> Open<'a> {
    fn of(r: &'a Record, rules: &Rules<'_>) -> Open<'a> {
        let review_due = review_due(r, rules);
        Open {
            record: r,
            item: item(r, review_due, rules),
            review_due,
        }
    }
}

fn item<'a>(r: &'a Record, review_due: DateTime<FixedOffset>, rules: &Rules<'_>) -> Item<'a> {
    Item {
        id: &r.id,
        title: &r.title,
        severity: &r.severity,
        status: r.status,
        assignee: r.assignee.as_deref(),
        created_at: r.created_at,
        age_hours: (rules.now - r.began()).num_hours(),

        // The day in the team's clock (that of `now`), not in whatever
        // offset `created_at` was written with.
        review_due: review_due.with_timezone(rules.now.offset()).date_naive(),
    }
}

fn review_due(r: &Record, rules: &Rules<'_>) -> DateTime<FixedOffset> {
    r.review_due(rules.config.review_days(&r.severity))
}

pub fn compute<'a>(records: &'a [Record], rules: &Rules<'_>) -> Triage<'a> {
    // Oldest first, once: every list below keeps this order.
    let mut open: Vec<Open<'a>> = records
        .iter()
        .filter(|r| r.status.is_active() && mine(r.assignee.as_deref(), rules))
        .map(|r| Open::of(r, rules))
        .collect();
    // IDs are unique, so an unstable sort gives the same order, faster.
    open.sort_unstable_by(|a, b| {
        let (a, b) = (a.record, b.record);
        a.began().cmp(&b.began()).then_with(|| a.id.cmp(&b.id))
    });
    let keep = |keep: &dyn Fn(&Open<'a>) -> bool| -> Vec<Item<'a>> {
        open.iter()
            .filter(|o| keep(o))
            .map(|o| o.item.clone())
            .collect()
    };
    let unassigned = if rules.mine.is_some() {
        Vec::new()
    } else {
        keep(&|o| o.record.assignee.is_none())
    };
    let stale_before = Duration::try_days(i64::from(rules.config.stale_days()))
        .and_then(|d| rules.now.checked_sub_signed(d))
        .unwrap_or(DateTime::<chrono::Utc>::MIN_UTC.fixed_offset());
    let no_user_education = if rules.config.rule_on("no-educate") {
        keep(&|o| crate::record::status::needs_education(o.record, &rules.config.severities))
    } else {
        Vec::new()
    };
    let (actions_overdue, actions_due_soon) = actions_by_due(records, rules);
    let required = |r: &Record| rules.config.review_required(&r.severity);
    Triage {
        unassigned,
        in_analysis: in_analysis(&open),
        awaiting_review: keep(&|o| review::awaiting(o.record, required(o.record))),
        changes_requested: keep(&|o| review::changes_requested(o.record)),
        ready_to_close: keep(&|o| {
            let r = o.record;
            r.status == Status::Analyzed
                && r.open_actions().next().is_none()
                && review::close_blocker(r, required(r)).is_none()
        }),
        past_review_deadline: keep(&|o| o.review_due < rules.now),
        stale: keep(&|o| {
            let r = o.record;
            r.updated_at.unwrap_or(r.created_at).0 < stale_before
        }),
        actions_overdue,
        actions_due_soon,
        no_user_education,
        closed_since: closed_since(records, rules),
        education_severities: rules.config.severities.iter().take(2).cloned().collect(),
    }
}

/// The records in analysis per assignee, by name; each group oldest
/// record first.
fn in_analysis<'a>(open: &[Open<'a>]) -> Vec<Group<'a>> {
    let mut by_assignee: std::collections::BTreeMap<&'a str, Vec<&Open<'a>>> = Default::default();
    for o in open.iter().filter(|o| o.record.status == Status::Assigned) {
        by_assignee
            .entry(o.record.assignee.as_deref().unwrap_or_default())
            .or_default()
            .push(o);
    }
    by_assignee
        .into_iter()
        .map(|(who, mut group)| {
            group.sort_by(|a, b| {
                let (a, b) = (a.record, b.record);
                (a.created_at, &a.id).cmp(&(b.created_at, &b.id))
            });
            Group {
                assignee: who,
                records: group.into_iter().map(|o| o.item.clone()).collect(),
            }
        })
        .collect()
}

/// Open action items past their due day, and those due within
/// `DUE_SOON_DAYS`, earliest due (most overdue) first.
fn actions_by_due<'a>(
    records: &'a [Record],
    rules: &Rules<'_>,
) -> (Vec<ActionRef<'a>>, Vec<ActionRef<'a>>) {
    let mut overdue = Vec::new();
    let mut soon = Vec::new();
    // A withdrawn record is out of triage, its open items with it (a
    // closed one's stay: `close --keep-open-actions`).
    for r in records.iter().filter(|r| r.status != Status::Withdrawn) {
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
    closed
        .into_iter()
        .map(|r| item(r, review_due(r, rules), rules))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::record::testing::record;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    const BOB: &str = "Bob Lee <bob@example.com>";
    const ALICE: &str = "Alice Kim <alice@example.com>";

    fn rules<'c>(config: &'c Config, now: &str) -> Rules<'c> {
        Rules {
            config,
            now: at(now),
            since: at(now) - Duration::days(1),
            mine: None,
        }
    }

    fn ids(items: &[Item<'_>]) -> Vec<String> {
        items.iter().map(|i| i.id.to_string()).collect()
    }

    fn action(n: u32, status: &str, due: &str) -> String {
        let due = if due.is_empty() {
            String::new()
        } else {
            format!("due = {due}\n")
        };
        format!(
            "\n[[action_items]]\nn = {n}\ntext = \"a{n}\"\nstatus = \"{status}\"\nowner = \"{BOB}\"\n{due}"
        )
    }

    #[test]
    fn unassigned_are_active_records_without_an_assignee_oldest_incident_first() {
        let records = [
            record("PM-A", "started_at = 2026-11-02T09:00:00+09:00\n"),
            // No start: its creation (1 November) is when it began.
            record("PM-B", "created_at = 2026-11-01T10:00:00+09:00\n"),
            record(
                "PM-C",
                &format!("status = \"assigned\"\nassignee = \"{BOB}\"\n"),
            ),
            record("PM-D", "status = \"closed\"\n"),
            record("PM-E", "status = \"withdrawn\"\n"),
            // An empty assignee is no assignee.
            record(
                "PM-F",
                "assignee = \"\"\nstarted_at = 2026-11-03T09:00:00+09:00\n",
            ),
        ];
        let config = Config::default();
        let t = compute(&records, &rules(&config, "2026-11-04T12:00:00+09:00"));
        assert_eq!(ids(&t.unassigned), ["PM-B", "PM-A", "PM-F"]);
    }

    #[test]
    fn in_analysis_groups_assigned_records_by_assignee_oldest_created_first() {
        let records = [
            record(
                "PM-B2",
                &format!(
                    "status = \"assigned\"\nassignee = \"{BOB}\"\ncreated_at = 2026-11-03T10:00:00+09:00\n"
                ),
            ),
            record(
                "PM-B1",
                &format!(
                    "status = \"assigned\"\nassignee = \"{BOB}\"\ncreated_at = 2026-11-01T10:00:00+09:00\n"
                ),
            ),
            record(
                "PM-A1",
                &format!("status = \"assigned\"\nassignee = \"{ALICE}\"\n"),
            ),
            // Analysed: no longer in analysis.
            record(
                "PM-A2",
                &format!("status = \"analyzed\"\nassignee = \"{ALICE}\"\n"),
            ),
        ];
        let config = Config::default();
        let t = compute(&records, &rules(&config, "2026-11-04T12:00:00+09:00"));
        let groups: Vec<(&str, Vec<String>)> = t
            .in_analysis
            .iter()
            .map(|g| (g.assignee, ids(&g.records)))
            .collect();
        assert_eq!(
            groups,
            [
                (ALICE, vec!["PM-A1".to_string()]),
                (BOB, vec!["PM-B1".to_string(), "PM-B2".to_string()])
            ]
        );
    }

    #[test]
    fn mine_keeps_my_records_and_has_no_unassigned_list() {
        let records = [
            record(
                "PM-1",
                &format!("status = \"assigned\"\nassignee = \"{BOB}\"\n"),
            ),
            record(
                "PM-2",
                &format!("status = \"assigned\"\nassignee = \"{ALICE}\"\n"),
            ),
            record("PM-3", ""),
        ];
        let config = Config::default();
        let mut r = rules(&config, "2026-11-04T12:00:00+09:00");
        r.mine = Some("bob@example.com".to_string());
        let t = compute(&records, &r);
        assert!(t.unassigned.is_empty());
        assert_eq!(t.in_analysis.len(), 1);
        assert_eq!(ids(&t.in_analysis[0].records), ["PM-1"]);
    }

    #[test]
    fn ready_to_close_is_analyzed_with_no_open_action() {
        let records = [
            record(
                "PM-1",
                &format!("status = \"analyzed\"{}", action(1, "done", "")),
            ),
            record(
                "PM-2",
                &format!("status = \"analyzed\"{}", action(1, "open", "")),
            ),
            record("PM-3", "status = \"analyzed\"\n"),
            record("PM-4", "status = \"assigned\"\nassignee = \"x\"\n"),
        ];
        let config = Config::default();
        let t = compute(&records, &rules(&config, "2026-11-04T12:00:00+09:00"));
        assert_eq!(ids(&t.ready_to_close), ["PM-1", "PM-3"]);
    }

    #[test]
    fn review_deadline_is_created_plus_the_severitys_days() {
        // Defaults: SEV1 3 days, SEV2 5, the rest 10.
        let records = [
            record(
                "PM-1",
                "severity = \"SEV1\"\ncreated_at = 2026-11-07T10:00:00+09:00\n",
            ),
            record(
                "PM-2",
                "severity = \"SEV2\"\ncreated_at = 2026-11-07T10:00:00+09:00\n",
            ),
            record(
                "PM-3",
                "severity = \"SEV3\"\ncreated_at = 2026-10-31T10:00:00+09:00\n",
            ),
            record(
                "PM-4",
                "severity = \"SEV3\"\ncreated_at = 2026-11-01T10:00:00+09:00\n",
            ),
        ];
        let config = Config::default();
        let t = compute(&records, &rules(&config, "2026-11-10T12:00:00+09:00"));
        assert_eq!(ids(&t.past_review_deadline), ["PM-3", "PM-1"]);
        let due: Vec<String> = t
            .past_review_deadline
            .iter()
            .map(|i| i.review_due.to_string())
            .collect();
        assert_eq!(due, ["2026-11-10", "2026-11-10"]);
    }

    #[test]
    fn review_days_in_the_config_win_over_the_defaults() {
        let config = Config::parse("[review_days]\nSEV3 = 2\n", "config.toml").unwrap();
        let records = [record("PM-1", "created_at = 2026-11-08T10:00:00+09:00\n")];
        let t = compute(&records, &rules(&config, "2026-11-10T12:00:00+09:00"));
        assert_eq!(ids(&t.past_review_deadline), ["PM-1"]);
    }

    #[test]
    fn stale_is_active_and_unchanged_for_more_than_stale_days() {
        // Seven days before the 20th at noon is the 13th at noon.
        let records = [
            record("PM-1", "updated_at = 2026-11-13T11:59:00+09:00\n"),
            record("PM-2", "updated_at = 2026-11-13T12:00:00+09:00\n"),
            // Never updated: its creation counts.
            record("PM-3", "created_at = 2026-11-01T10:00:00+09:00\n"),
            record(
                "PM-4",
                "status = \"closed\"\nupdated_at = 2026-11-01T10:00:00+09:00\n",
            ),
        ];
        let config = Config::default();
        let t = compute(&records, &rules(&config, "2026-11-20T12:00:00+09:00"));
        // PM-1 and PM-3 began together (both created on the 1st): by id.
        assert_eq!(ids(&t.stale), ["PM-1", "PM-3"]);
    }

    #[test]
    fn open_actions_past_due_are_overdue_most_overdue_first_and_the_next_three_days_are_due_soon() {
        let items = [
            action(1, "open", "2026-12-09"),
            action(2, "open", "2026-12-05"),
            action(3, "open", "2026-12-10"),
            action(4, "open", "2026-12-13"),
            action(5, "open", "2026-12-14"),
            action(6, "done", "2026-12-01"),
            action(7, "open", ""),
        ]
        .concat();
        let records = [record("PM-1", &items)];
        let config = Config::default();
        let t = compute(&records, &rules(&config, "2026-12-10T12:00:00+09:00"));
        let refs = |list: &[ActionRef<'_>]| {
            list.iter()
                .map(|a| (a.n, a.days_overdue))
                .collect::<Vec<_>>()
        };
        assert_eq!(refs(&t.actions_overdue), [(2, 5), (1, 1)]);
        assert_eq!(refs(&t.actions_due_soon), [(3, 0), (4, -3)]);
    }

    #[test]
    fn open_actions_of_a_closed_record_stay_in_triage() {
        let records = [record(
            "PM-1",
            &format!("status = \"closed\"{}", action(1, "open", "2026-12-01")),
        )];
        let config = Config::default();
        let t = compute(&records, &rules(&config, "2026-12-10T12:00:00+09:00"));
        assert_eq!(t.actions_overdue.len(), 1);
    }

    #[test]
    fn mine_keeps_only_actions_i_own() {
        let theirs = action(2, "open", "2026-12-01").replace(BOB, ALICE);
        let records = [record(
            "PM-1",
            &format!("{}{theirs}", action(1, "open", "2026-12-01")),
        )];
        let config = Config::default();
        let mut r = rules(&config, "2026-12-10T12:00:00+09:00");
        r.mine = Some("alice@example.com".to_string());
        let t = compute(&records, &r);
        let ns: Vec<u32> = t.actions_overdue.iter().map(|a| a.n).collect();
        assert_eq!(ns, [2]);
    }

    #[test]
    fn closed_since_is_closed_between_since_and_now_in_closing_order() {
        let closed =
            |id, when: &str| record(id, &format!("status = \"closed\"\nclosed_at = {when}\n"));
        let records = [
            closed("PM-1", "2026-11-10T09:00:00+09:00"),
            closed("PM-2", "2026-11-08T23:59:00+09:00"),
            closed("PM-3", "2026-11-09T00:00:00+09:00"),
            closed("PM-4", "2026-11-11T09:00:00+09:00"),
        ];
        let config = Config::default();
        let mut r = rules(&config, "2026-11-10T12:00:00+09:00");
        r.since = at("2026-11-09T00:00:00+09:00");
        let t = compute(&records, &r);
        assert_eq!(ids(&t.closed_since), ["PM-3", "PM-1"]);
    }

    #[test]
    fn age_is_whole_hours_since_the_incident_began() {
        // 00:30 UTC is 09:30 in Seoul: 2 h 30 min before now, 2 whole hours.
        let records = [record("PM-1", "started_at = 2026-11-10T00:30:00Z\n")];
        let config = Config::default();
        let t = compute(&records, &rules(&config, "2026-11-10T12:00:00+09:00"));
        assert_eq!(t.unassigned[0].age_hours, 2);
    }

    #[test]
    fn analysed_worst_incidents_without_education_are_listed_unless_the_rule_is_off() {
        let records = [
            record("PM-1", "status = \"analyzed\"\nseverity = \"SEV1\"\n"),
            record("PM-2", "status = \"analyzed\"\nseverity = \"SEV3\"\n"),
        ];
        let now = "2026-11-10T12:00:00+09:00";
        let config = Config::default();
        assert_eq!(
            ids(&compute(&records, &rules(&config, now)).no_user_education),
            ["PM-1"]
        );
        let off = Config::parse("[lint]\noff = [\"no-educate\"]\n", "config.toml").unwrap();
        assert!(
            compute(&records, &rules(&off, now))
                .no_user_education
                .is_empty()
        );
    }

    #[test]
    fn a_withdrawn_record_is_out_of_triage_actions_too() {
        let records = [record(
            "PM-1",
            &format!(
                "status = \"withdrawn\"\nwithdrawn_reason = \"duplicate\"{}",
                action(1, "open", "2026-12-01")
            ),
        )];
        let config = Config::default();
        let t = compute(&records, &rules(&config, "2026-12-10T12:00:00+09:00"));
        assert!(t.actions_overdue.is_empty());
        assert!(t.actions_due_soon.is_empty());
        assert!(t.unassigned.is_empty());
    }

    #[test]
    fn mine_is_my_whole_address_in_any_case() {
        let records = [
            record(
                "PM-1",
                "status = \"assigned\"\nassignee = \"Bob Lee <Bob@Example.com>\"\n",
            ),
            record(
                "PM-2",
                "status = \"assigned\"\nassignee = \"Rob <rob.bob@example.com>\"\n",
            ),
            record(
                "PM-3",
                "status = \"assigned\"\nassignee = \"bob@example.com.evil\"\n",
            ),
        ];
        let config = Config::default();
        let mut r = rules(&config, "2026-11-04T12:00:00+09:00");
        r.mine = Some("bob@example.com".to_string());
        let t = compute(&records, &r);
        let mine: Vec<String> = t.in_analysis.iter().flat_map(|g| ids(&g.records)).collect();
        assert_eq!(mine, ["PM-1"]);
    }

    #[test]
    fn the_records_may_show_leaves_out_change_nothing() {
        // Every status, closed before and after `since`, with and without
        // open items (overdue, soon, done), withdrawn with an open item.
        let mut records = Vec::new();
        let statuses = ["open", "assigned", "analyzed", "closed", "withdrawn"];
        let closings = [
            "",
            "closed_at = 2026-11-20T09:00:00+09:00\n",
            "closed_at = 2026-11-04T11:00:00+09:00\n",
            "closed_at = 2026-12-10T09:00:00+09:00\n",
        ];
        let items = [
            String::new(),
            action(1, "open", "2026-11-02"),
            action(1, "open", "2026-11-05"),
            action(1, "done", "2026-11-02"),
        ];
        for (i, status) in statuses.iter().enumerate() {
            for (j, closed) in closings.iter().enumerate() {
                for (k, item) in items.iter().enumerate() {
                    let id = format!("PM-{i}{j}{k}");
                    let fields =
                        format!("status = \"{status}\"\nassignee = \"{BOB}\"\n{closed}{item}");
                    records.push(record(&id, &fields));
                }
            }
        }
        let config = Config::default();
        for now in ["2026-11-04T12:00:00+09:00", "2026-12-10T12:00:00+09:00"] {
            let r = rules(&config, now);
            let shown: Vec<Record> = records
                .iter()
                .filter(|rec| may_show(&Head::of(rec), r.since))
                .cloned()
                .collect();
            assert!(shown.len() < records.len(), "some are left out");
            let all = serde_json::to_value(compute(&records, &r)).unwrap();
            let some = serde_json::to_value(compute(&shown, &r)).unwrap();
            assert_eq!(all, some, "at {now}");
            assert_ne!(
                all["closed_since"],
                serde_json::json!([]),
                "at {now}: a closing counted"
            );
        }
    }
}
