//! Property tests for the parsers a record passes through and for the
//! merge driver's three-way merge: no input panics, and the laws hold.

use crate::record::RecordDoc;
use crate::record::merge::{MergeError, merge};
use crate::record::parse::parse_record;
use crate::time::{Zone, parse_date, parse_time};
use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone};
use proptest::prelude::*;

const BASE: &str = include_str!("../../examples/records/PM-20261123-d7kq3wne.toml");

fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2026-11-24T10:00:00+09:00").unwrap()
}

/// Text that is mostly record-shaped: a real record with a few bytes
/// replaced, removed or inserted.
fn mutated_record() -> impl Strategy<Value = String> {
    prop::collection::vec((any::<prop::sample::Index>(), 0u8..3, any::<char>()), 0..6).prop_map(
        |edits| {
            let mut chars: Vec<char> = BASE.chars().collect();
            for (at, kind, c) in edits {
                if chars.is_empty() {
                    break;
                }
                let i = at.index(chars.len());
                match kind {
                    0 => chars[i] = c,
                    1 => {
                        chars.remove(i);
                    }
                    _ => chars.insert(i, c),
                }
            }
            chars.into_iter().collect()
        },
    )
}

/// One change a person (or a command) makes to a record.
#[derive(Debug, Clone)]
enum Edit {
    Title(String),
    Severity(&'static str),
    Assignee(String),
    Summary(String),
    Service(&'static str),
    Lesson(String),
    RootCause(String),
    Users(u64),
}

fn edit() -> impl Strategy<Value = Edit> {
    let text = "[a-zA-Z가-힣 ]{1,12}";
    prop_oneof![
        text.prop_map(Edit::Title),
        prop::sample::select(vec!["SEV1", "SEV2", "SEV3", "SEV4"]).prop_map(Edit::Severity),
        text.prop_map(|n| Edit::Assignee(format!("{n} <x@example.com>"))),
        text.prop_map(Edit::Summary),
        prop::sample::select(vec!["payments", "search", "login"]).prop_map(Edit::Service),
        text.prop_map(Edit::Lesson),
        text.prop_map(Edit::RootCause),
        (0u64..1_000_000).prop_map(Edit::Users),
    ]
}

fn apply(base: &str, edits: &[Edit]) -> String {
    let mut doc = RecordDoc::parse(base).unwrap();
    for e in edits {
        match e {
            Edit::Title(s) => doc.set_str(&["title"], s),
            Edit::Severity(s) => doc.set_str(&["severity"], s),
            Edit::Assignee(s) => doc.set_str(&["assignee"], s),
            Edit::Summary(s) => doc.set_str(&["summary"], s),
            Edit::Service(s) => doc.push_to_list(&["services"], &[s.to_string()]),
            Edit::Lesson(s) => doc.push_to_list(&["analysis", "lessons"], std::slice::from_ref(s)),
            Edit::RootCause(s) => doc.set_str(&["analysis", "root_cause"], s),
            Edit::Users(n) => doc.set_int(&["impact", "users_affected"], *n),
        }
    }
    doc.render()
}

fn table(text: &str) -> toml::Table {
    text.parse().unwrap()
}

/// Two sets of edits that touch different fields (so nothing conflicts).
fn disjoint(a: &[Edit], b: &[Edit]) -> bool {
    let field = |e: &Edit| std::mem::discriminant(e);
    !a.iter().any(|x| b.iter().any(|y| field(x) == field(y)))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn the_record_parser_never_panics(text in mutated_record()) {
        let _ = parse_record(&text);
        let _ = RecordDoc::parse(&text);
    }

    #[test]
    fn the_record_parser_never_panics_on_noise(text in ".{0,400}") {
        let _ = parse_record(&text);
    }

    #[test]
    fn edits_make_records_that_parse_to_what_was_set(edits in prop::collection::vec(edit(), 0..8)) {
        let text = apply(BASE, &edits);
        let r = parse_record(&text).unwrap();
        for e in edits.iter().rev() {
            if let Edit::Title(t) = e {
                prop_assert_eq!(&r.title, t);
                break;
            }
        }
    }

    #[test]
    fn the_time_parser_never_panics(input in ".{0,40}", zone in prop::sample::select(vec!["UTC", "+09:00", "-03:30", "local"])) {
        let _ = parse_time(&input, now(), Zone::parse(zone).unwrap());
        let _ = parse_date(&input, now().date_naive());
    }

    #[test]
    fn the_time_parser_never_panics_on_time_shaped_noise(
        input in "(today |yesterday |어제 |[0-9]{1,6}-[0-9]{1,3}-[0-9]{1,3}[ T]?)?[0-9]{0,3}:?[0-9]{0,3}(:[0-9]{0,3})?( ?[+-Z][0-9:]{0,6})?( ago| 전)?"
    ) {
        let _ = parse_time(&input, now(), Zone::parse("+09:00").unwrap());
    }

    #[test]
    fn rfc3339_times_keep_their_instant_and_offset(secs in -2_000_000_000i64..200_000_000_000, off_min in -14*60i32..=14*60) {
        let offset = FixedOffset::east_opt(off_min * 60).unwrap();
        let t = offset.timestamp_opt(secs, 0).unwrap();
        let text = crate::time::format_rfc3339(&t);
        let parsed = parse_time(&text, now(), Zone::parse("UTC").unwrap()).unwrap();
        prop_assert_eq!(parsed, t);
        prop_assert_eq!(parsed.offset(), t.offset());
    }

    #[test]
    fn dates_round_trip(days in -100_000i64..100_000) {
        let d = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap() + chrono::Duration::days(days);
        prop_assert_eq!(parse_date(&d.to_string(), now().date_naive()).unwrap(), d);
    }

    /// merge(b, b, x) = x and merge(b, x, b) = x: one side's change survives.
    #[test]
    fn a_change_on_one_side_survives(edits in prop::collection::vec(edit(), 0..6)) {
        let x = apply(BASE, &edits);
        let theirs = merge(BASE, BASE, &x).map_err(|e| format!("{e:?}")).unwrap();
        prop_assert_eq!(table(&theirs), table(&x));
        let ours = merge(BASE, &x, BASE).map_err(|e| format!("{e:?}")).unwrap();
        prop_assert_eq!(table(&ours), table(&x));
    }

    /// merge(b, x, x) = x: the same change on both sides is no conflict.
    #[test]
    fn the_same_change_on_both_sides_is_that_change(edits in prop::collection::vec(edit(), 0..6)) {
        let x = apply(BASE, &edits);
        let merged = merge(BASE, &x, &x).map_err(|e| format!("{e:?}")).unwrap();
        prop_assert_eq!(table(&merged), table(&x));
    }

    /// Changes to different fields merge, whichever side is "ours".
    #[test]
    fn merging_is_symmetric(a in prop::collection::vec(edit(), 0..5), b in prop::collection::vec(edit(), 0..5)) {
        prop_assume!(disjoint(&a, &b));
        let x = apply(BASE, &a);
        let y = apply(BASE, &b);
        let xy = merge(BASE, &x, &y).map_err(|e| format!("{e:?}")).unwrap();
        let yx = merge(BASE, &y, &x).map_err(|e| format!("{e:?}")).unwrap();
        prop_assert_eq!(table(&xy), table(&yx));
        // And both sides' changes are in it.
        let both = apply(&x, &b);
        prop_assert_eq!(table(&xy), table(&both));
    }

    /// The merge driver never panics on damaged input.
    #[test]
    fn the_merge_never_panics(o in mutated_record(), t in mutated_record()) {
        match merge(BASE, &o, &t) {
            Ok(_) | Err(MergeError::Parse(..)) | Err(MergeError::Conflicts(_)) => {}
        }
    }
}
