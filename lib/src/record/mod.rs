//! The post-mortem record: its data model, ID, TOML document and rules.
//! Nothing in here does I/O.

pub mod diff;
pub mod doc;
pub mod duplicates;
mod flat;
pub mod head;
#[cfg(test)]
pub mod testing;

pub mod id;
pub mod lean;
pub mod lint;
pub mod merge;

pub mod model;
pub mod parse;
pub mod review;
pub mod status;
pub mod words;

pub use doc::RecordDoc;
pub use head::Head;
pub use id::RecordId;
pub use model::{
    ActionItem, ActionKind, ActionStatus, DeployLinks, Record, Review, Status, Timestamp,
    TrackerLink, Verdict, Withdrawal,
};

/// `records` arranged as `order` says (`out[k] = records[order[k]]`; the
/// rest dropped), in place: 100k records are never copied into a second
/// buffer, each is swapped into its place once.
/// `order` holds distinct indices of `records`.
pub fn arrange(mut records: Vec<Record>, order: &[usize]) -> Vec<Record> {
    debug_assert!(
        {
            let mut seen = vec![false; records.len()];
            order
                .iter()
                .all(|&i| i < seen.len() && !std::mem::replace(&mut seen[i], true))
        },
        "arrange: indices must be distinct and in range"
    );
    // `at[i]`: where record i is now; `holds[p]`: which record is at p.
    let mut at: Vec<usize> = (0..records.len()).collect();
    let mut holds: Vec<usize> = (0..records.len()).collect();
    for (k, &want) in order.iter().enumerate() {
        let from = at[want];
        if from != k {
            records.swap(k, from);
            let displaced = holds[k];
            holds[from] = displaced;
            at[displaced] = from;
            holds[k] = want;
            at[want] = k;
        }
    }
    records.truncate(order.len());
    records
}

#[cfg(test)]
mod tests {
    #[test]
    fn arrange_picks_and_orders_in_place() {
        let text = |id: &str| {
            format!(
                "schema = 1\nid = \"{id}\"\ntitle = \"t\"\nstatus = \"open\"\nseverity = \"SEV3\"\ncreated_at = 2026-11-23T09:00:00+09:00\n"
            )
        };
        let records: Vec<super::Record> = ["a", "b", "c", "d", "e"]
            .iter()
            .map(|id| super::parse::parse_record(&text(id)).unwrap())
            .collect();
        for order in [
            vec![4, 0, 2],
            vec![0, 1, 2, 3, 4],
            vec![3, 4, 0, 1, 2],
            vec![],
            vec![2],
        ] {
            let got: Vec<String> = super::arrange(records.clone(), &order)
                .into_iter()
                .map(|r| r.id)
                .collect();
            let want: Vec<String> = order.iter().map(|i| records[*i].id.clone()).collect();
            assert_eq!(got, want, "{order:?}");
        }
    }
}
