//! `triage` as text: a section per need, a table per section.

use super::table::{Cell, Column, Layout, render, severity_colour};
use super::{indent, short_person};
use crate::output::{Fit, paint_if};
use postmortem::metrics::triage::{ActionRef, Item, Triage};
use postmortem::record::id::ShortIds;
use postmortem::store::fixes::Pending;
use postmortem::text::inline;
use postmortem::time::format_age;

/// Triage counts age in whole hours: under one is said as such, not as
/// `0m` beside `list`'s `41m` for the same record.
fn age(hours: i64) -> String {
    if hours < 1 {
        "<1h".to_string()
    } else {
        format_age(chrono::Duration::hours(hours))
    }
}

/// `limit`: rows per table; a daily review of 40k open records reads the
/// counts and the oldest, and a wall of rows would bury both.
pub fn text(
    t: &Triage,
    fixes: &[Pending],
    since: &str,
    limit: Option<usize>,
    layout: Layout,
    ids: &ShortIds,
) -> String {
    let mut out = Sections {
        out: String::new(),
        layout,
        limit,
        ids,
    };
    out.items("Unassigned, oldest first", &t.unassigned);
    out.in_analysis(t);
    out.items(
        "Awaiting review (anyone but the assignee: review ID --approve)",
        &t.awaiting_review,
    );
    out.items(
        "Changes requested by a reviewer, back with the assignee",
        &t.changes_requested,
    );
    out.items("Ready to close", &t.ready_to_close);
    out.items("Past the review deadline", &t.past_review_deadline);
    out.items("Stale: no change for a while", &t.stale);
    out.actions("Action items overdue", &t.actions_overdue);
    out.actions(
        &format!(
            "Action items due within {} days",
            postmortem::metrics::triage::DUE_SOON_DAYS
        ),
        &t.actions_due_soon,
    );
    let education = format!(
        "No user education planned ({}: add an educate action, or --no-educate-reason)",
        inline(&t.education_severities.join("/"))
    );
    out.items(&education, &t.no_user_education);
    out.items(&format!("Closed since {since}"), &t.closed_since);
    out.fixes(fixes);
    if out.out.is_empty() {
        out.out.push_str("Nothing needs the team today.\n");
    }
    out.out
}

/// The triage text being built: a heading and a table per need.
struct Sections<'a> {
    out: String,
    layout: Layout,
    limit: Option<usize>,
    ids: &'a ShortIds,
}

impl Sections<'_> {
    fn heading(&mut self, title: &str, count: Option<usize>) {
        let title = paint_if(self.layout.colour, "1", title);
        match count {
            Some(n) => self.out.push_str(&format!("{title} ({n})\n")),
            None => self.out.push_str(&format!("{title}\n")),
        }
    }

    /// Tables sit two columns in (four under an assignee).
    fn inner(&self) -> Layout {
        narrower(self.layout, 2)
    }

    fn items(&mut self, title: &str, items: &[Item]) {
        if items.is_empty() {
            return;
        }
        self.heading(title, Some(items.len()));
        let rows = limited(
            &ITEMS,
            items,
            |i| item_row(self.ids, i),
            self.limit,
            self.inner(),
        );
        self.out.push_str(&indent(&rows));
        self.out.push('\n');
    }

    fn actions(&mut self, title: &str, list: &[ActionRef]) {
        if list.is_empty() {
            return;
        }
        self.heading(title, Some(list.len()));
        let rows = limited(
            &ACTIONS,
            list,
            |a| action_row(self.ids, a),
            self.limit,
            self.inner(),
        );
        self.out.push_str(&indent(&rows));
        self.out.push('\n');
    }

    /// A table per assignee.
    fn in_analysis(&mut self, t: &Triage) {
        if t.in_analysis.is_empty() {
            return;
        }
        self.heading("In analysis", None);
        for g in &t.in_analysis {
            let who = inline(short_person(g.assignee));
            self.out
                .push_str(&format!("  {who} ({})\n", g.records.len()));
            let layout = narrower(self.layout, 4);
            let rows = limited(
                &ITEMS,
                &g.records,
                |i| item_row(self.ids, i),
                self.limit,
                layout,
            );
            self.out.push_str(&indent(&indent(&rows)));
        }
        self.out.push('\n');
    }

    fn fixes(&mut self, fixes: &[Pending]) {
        if fixes.is_empty() {
            return;
        }
        self.heading("Fixed by commits, not yet marked done", Some(fixes.len()));
        let row = |f: &Pending| {
            vec![
                Cell::from(format!("{}#{}", self.ids.show(&f.id), f.n)),
                Cell::from(f.commit[..7].to_string()),
                Cell::from(inline(&f.text)),
            ]
        };
        let rows = limited(&FIXES, fixes, row, self.limit, self.inner());
        self.out.push_str(&indent(&rows));
        self.out.push_str("  `devops postmortem sync` marks them done (or `devops postmortem action from-commits`)\n\n");
    }
}

fn narrower(layout: Layout, by: usize) -> Layout {
    match layout.fit {
        Fit::Terminal(w) => Layout {
            fit: Fit::Terminal(w.saturating_sub(by).max(20)),
            ..layout
        },
        Fit::Pipe => layout,
    }
}

const fn col(header: &'static str, shrink: bool) -> Column {
    Column { header, shrink }
}

const ITEMS: [Column; 7] = [
    col("ID", false),
    col("SEV", false),
    col("STATUS", false),
    col("ASSIGNEE", true),
    col("AGE", false),
    col("REVIEW BY", false),
    col("TITLE", true),
];

const ACTIONS: [Column; 4] = [
    col("ITEM", false),
    col("OWNER", true),
    col("DUE", false),
    col("ACTION", true),
];

const FIXES: [Column; 3] = [
    col("ITEM", false),
    col("COMMIT", false),
    col("ACTION", true),
];

fn item_row(ids: &ShortIds, i: &Item) -> Vec<Cell> {
    let severity = inline(i.severity);
    vec![
        Cell::from(ids.show(i.id).to_string()),
        Cell::coloured(severity.clone(), severity_colour(&severity)),
        Cell::from(i.status.to_string()),
        Cell::from(i.assignee.map_or("-".into(), |a| inline(short_person(a)))),
        Cell::from(age(i.age_hours)),
        Cell::from(i.review_due.to_string()),
        Cell::from(inline(i.title)),
    ]
}

fn action_row(ids: &ShortIds, a: &ActionRef) -> Vec<Cell> {
    // "late" says it in words; the colour repeats it.
    let (when, colour) = match a.days_overdue {
        d if d > 0 => (format!("{} ({d}d late)", a.due), Some("31")),
        0 => (format!("{} (today)", a.due), Some("33")),
        d => (format!("{} (in {}d)", a.due, -d), None),
    };
    vec![
        Cell::from(format!("{}#{}", ids.show(a.id), a.n)),
        Cell::from(a.owner.map_or("-".into(), |o| inline(short_person(o)))),
        Cell::coloured(when, colour),
        Cell::from(inline(a.text)),
    ]
}

/// A table of the first `limit` of `list`, and a line for the rest.
fn limited<T>(
    columns: &[Column],
    list: &[T],
    row: impl Fn(&T) -> Vec<Cell>,
    limit: Option<usize>,
    layout: Layout,
) -> String {
    let shown = limit.map_or(list.len(), |n| n.min(list.len()));
    let mut text = render(columns, list[..shown].iter().map(row).collect(), layout);
    if shown < list.len() {
        text.push_str(&format!(
            "… {} more (--limit 0 shows all)\n",
            list.len() - shown
        ));
    }
    text
}
