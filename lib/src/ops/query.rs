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
            ids: loaded.ids,
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
    /// `me`: my git email, the whole address.
    Me(String),
    /// Part of a name or email, lowercased.
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
            Some("me") => {
                Wanted::Me(crate::store::identity::identity(&session.store.repo, "AUTHOR")?.email)
            }
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
            Wanted::Me(email) => r
                .assignee
                .as_deref()
                .is_some_and(|a| crate::people::is_email_of(a, email)),
            Wanted::Matching(q) => r
                .assignee
                .as_deref()
                .is_some_and(|a| a.to_lowercase().contains(q.as_str())),
        };
        status_ok && assignee_ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use chrono::{DateTime, FixedOffset};

    use crate::record::testing::record;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    /// A session on a fresh repository, its team in Seoul, pinned at
    /// noon on 1 December 2026.
    fn session() -> (tempfile::TempDir, Session) {
        let dir = tempfile::tempdir().unwrap();
        let init = std::process::Command::new("git")
            .args(["init", "-q"])
            .current_dir(dir.path())
            .status()
            .unwrap();
        assert!(init.success());
        let mut s =
            Session::open(dir.path(), "postmortems").unwrap_or_else(|e| panic!("{}", e.message));
        s.config = Config::parse("timezone = \"+09:00\"\n", "config.toml").unwrap();
        s.now = at("2026-12-01T12:00:00+09:00");
        (dir, s)
    }

    fn kept(filter: &Filter, s: &Session, records: &[Record]) -> Vec<String> {
        let within = filter.window(s).unwrap_or_else(|e| panic!("{}", e.message));
        records
            .iter()
            .filter(|r| within(r))
            .map(|r| r.id.clone())
            .collect()
    }

    #[test]
    fn the_window_keeps_incidents_begun_from_since_up_to_until_in_the_teams_zone() {
        let (_dir, s) = session();
        let records = [
            // 14:59 UTC on 31 October is 23:59 in Seoul: before the window.
            record("PM-1", "started_at = 2026-10-31T14:59:00Z\n"),
            // 15:00 UTC on 31 October is midnight on 1 November in Seoul.
            record("PM-2", "started_at = 2026-10-31T15:00:00Z\n"),
            record("PM-3", "started_at = 2026-11-30T23:59:00+09:00\n"),
            record("PM-4", "started_at = 2026-12-01T00:00:00+09:00\n"),
        ];
        let filter = Filter {
            since: Some("2026-11-01".into()),
            until: Some("2026-12-01".into()),
            ..Filter::default()
        };
        assert_eq!(kept(&filter, &s, &records), ["PM-2", "PM-3"]);
    }

    #[test]
    fn a_record_without_a_start_is_placed_by_its_creation() {
        let (_dir, s) = session();
        let records = [
            record("PM-1", "created_at = 2026-11-20T10:00:00+09:00\n"),
            record(
                "PM-2",
                "created_at = 2026-11-20T10:00:00+09:00\nstarted_at = 2026-10-20T10:00:00+09:00\n",
            ),
        ];
        let filter = Filter {
            since: Some("2026-11-01".into()),
            ..Filter::default()
        };
        assert_eq!(kept(&filter, &s, &records), ["PM-1"]);
    }

    #[test]
    fn no_filter_keeps_every_record() {
        let (_dir, s) = session();
        let records = [
            record("PM-1", "severity = \"SEV1\"\nservices = [\"a\"]\n"),
            record("PM-2", "started_at = 1999-01-01T00:00:00Z\n"),
        ];
        assert_eq!(kept(&Filter::default(), &s, &records), ["PM-1", "PM-2"]);
    }

    #[test]
    fn severities_are_any_of_and_typed_in_any_case() {
        let (_dir, s) = session();
        let records = [
            record("PM-1", "severity = \"SEV1\"\n"),
            record("PM-2", "severity = \"SEV2\"\n"),
            record("PM-3", "severity = \"SEV3\"\n"),
        ];
        let filter = Filter {
            severity: vec!["sev1".into(), "Sev3".into()],
            ..Filter::default()
        };
        assert_eq!(kept(&filter, &s, &records), ["PM-1", "PM-3"]);
    }

    #[test]
    fn an_unknown_severity_or_time_is_a_usage_error_naming_it() {
        let (_dir, s) = session();
        let bad_severity = Filter {
            severity: vec!["SEV9".into()],
            ..Filter::default()
        };
        let e = bad_severity.window(&s).err().unwrap();
        assert_eq!(e.kind, crate::error::Kind::Usage);
        assert!(
            e.message.contains("unknown severity 'SEV9'"),
            "{}",
            e.message
        );
        let bad_since = Filter {
            since: Some("last tuesdayish".into()),
            ..Filter::default()
        };
        let e = bad_since.window(&s).err().unwrap();
        assert_eq!(e.kind, crate::error::Kind::Usage);
        assert!(
            e.message
                .starts_with("--since: cannot read 'last tuesdayish'"),
            "{}",
            e.message
        );
        let bad_until = Filter {
            until: Some("2026-02-30".into()),
            ..Filter::default()
        };
        let e = bad_until.span(&s).err().unwrap();
        assert!(e.message.starts_with("--until:"), "{}", e.message);
    }

    #[test]
    fn services_keep_a_record_naming_any_of_them_exactly() {
        let (_dir, s) = session();
        let records = [
            record("PM-1", "services = [\"payments\", \"card-gateway\"]\n"),
            record("PM-2", "services = [\"search\"]\n"),
            record("PM-3", "services = [\"payments-v2\"]\n"),
            record("PM-4", ""),
        ];
        let filter = Filter {
            service: vec!["card-gateway".into(), "search".into()],
            ..Filter::default()
        };
        assert_eq!(kept(&filter, &s, &records), ["PM-1", "PM-2"]);
        let payments = Filter {
            service: vec!["payments".into()],
            ..Filter::default()
        };
        assert_eq!(kept(&payments, &s, &records), ["PM-1"]);
    }

    fn statuses() -> Vec<Record> {
        ["open", "assigned", "analyzed", "closed", "withdrawn"]
            .iter()
            .map(|st| record(&format!("PM-{st}"), &format!("status = \"{st}\"\n")))
            .collect()
    }

    fn keeps(rule: &Rule, records: &[Record]) -> Vec<String> {
        records
            .iter()
            .filter(|r| rule.keeps(r))
            .map(|r| r.id.clone())
            .collect()
    }

    #[test]
    fn by_default_only_active_records_are_kept_and_all_adds_closed() {
        let (_dir, s) = session();
        let records = statuses();
        let rule = Selection::default().rule(&s).unwrap();
        assert_eq!(
            keeps(&rule, &records),
            ["PM-open", "PM-assigned", "PM-analyzed"]
        );
        assert!(!rule.wants_withdrawn());
        let all = Selection {
            all: true,
            ..Selection::default()
        };
        let kept = keeps(&all.rule(&s).unwrap(), &records);
        assert!(kept.contains(&"PM-closed".to_string()), "{kept:?}");
    }

    #[test]
    fn statuses_named_are_exactly_those_in_any_case() {
        let (_dir, s) = session();
        let records = statuses();
        let sel = Selection {
            status: vec!["Closed".into(), " withdrawn ".into()],
            ..Selection::default()
        };
        let rule = sel.rule(&s).unwrap();
        assert_eq!(keeps(&rule, &records), ["PM-closed", "PM-withdrawn"]);
        assert!(rule.wants_withdrawn());
    }

    #[test]
    fn an_unknown_status_is_a_usage_error_listing_the_statuses() {
        let (_dir, s) = session();
        let sel = Selection {
            status: vec!["done".into()],
            ..Selection::default()
        };
        let e = sel.rule(&s).err().unwrap();
        assert_eq!(e.kind, crate::error::Kind::Usage);
        assert_eq!(
            e.message,
            "--status 'done': use one of open, assigned, analyzed, closed, withdrawn"
        );
    }

    #[test]
    fn assignee_none_keeps_the_unassigned_and_text_matches_name_or_email_in_any_case() {
        let (_dir, s) = session();
        let records = [
            record("PM-1", "assignee = \"Bob Lee <bob@example.com>\"\n"),
            record("PM-2", "assignee = \"이지은 <jieun@example.com>\"\n"),
            record("PM-3", "assignee = \"\"\n"),
            record("PM-4", ""),
        ];
        let rule = |who: &str| {
            Selection {
                assignee: Some(who.into()),
                ..Selection::default()
            }
            .rule(&s)
            .unwrap()
        };
        assert_eq!(keeps(&rule("none"), &records), ["PM-3", "PM-4"]);
        assert_eq!(keeps(&rule("BOB@EXAMPLE"), &records), ["PM-1"]);
        assert_eq!(keeps(&rule("이지"), &records), ["PM-2"]);
        assert_eq!(keeps(&rule("example.com"), &records), ["PM-1", "PM-2"]);
    }

    #[test]
    fn mine_matches_my_git_email() {
        if std::env::var_os("GIT_AUTHOR_EMAIL").is_some() {
            // The environment's identity wins over the repository's (as in git).
            return;
        }
        let (dir, s) = session();
        let set = |k: &str, v: &str| {
            let ok = std::process::Command::new("git")
                .args(["config", k, v])
                .current_dir(dir.path())
                .status()
                .unwrap();
            assert!(ok.success());
        };
        set("user.name", "Bob Lee");
        set("user.email", "Bob@Example.com");
        let records = [
            record("PM-1", "assignee = \"Bob Lee <bob@example.com>\"\n"),
            record("PM-2", "assignee = \"Bobby <bobby@example.com>\"\n"),
            // Another address that ends in mine is someone else.
            record("PM-3", "assignee = \"Rob <rob.bob@example.com>\"\n"),
            record("PM-4", "assignee = \"bob@example.com\"\n"),
        ];
        let sel = Selection {
            mine: true,
            ..Selection::default()
        };
        assert_eq!(keeps(&sel.rule(&s).unwrap(), &records), ["PM-1", "PM-4"]);
    }
}
