//! Markdown and HTML from templates (`templates/`, overridable per
//! repository). The templates see the same structs as `--json`.

use super::{chart, short_person};
use chrono::{DateTime, FixedOffset};
use minijinja::{AutoEscape, Environment, Value, context};
use postmortem::error::{Error, Result};
use postmortem::metrics::stats::Stats;
use postmortem::metrics::{METRICS, triage::ActionRef};
use postmortem::record::Record;
use postmortem::text as sanitize;
use postmortem::time::TimeView;

/// Rows per table the wall page carries at most; the rest are counted in
/// its "and N more". The page itself hides whole rows that do not fit its
/// screen and counts them there too (`fit` in templates/report.html).
const ROWS: usize = 30;

pub struct Reports {
    env: Environment<'static>,
    view: TimeView,
}

impl Reports {
    /// Times are shown as `view` says: in the team's zone, named once.
    pub fn new(templates: Vec<(&'static str, String)>, view: TimeView) -> Result<Reports> {
        let mut env = Environment::new();
        env.set_keep_trailing_newline(true);
        // Record text is other people's: every value printed by a template
        // is neutralised (control characters, escapes, bidi overrides) and
        // escaped for its format: HTML entities in `.html` (minijinja's
        // rule) and in `.md` (wikis render HTML inside Markdown).
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".md") {
                AutoEscape::Custom("markdown")
            } else {
                minijinja::default_auto_escape_callback(name)
            }
        });
        env.set_formatter(|out, state, value| {
            if value.is_undefined() {
                return Ok(());
            }
            let markdown = matches!(state.auto_escape(), AutoEscape::Custom(_));
            let write = |out: &mut minijinja::Output<'_>, text: &str| {
                out.write_str(text).map_err(|e| {
                    minijinja::Error::new(minijinja::ErrorKind::WriteFailure, e.to_string())
                })
            };
            match value.as_str() {
                Some(s) if !value.is_safe() => {
                    let text = sanitize::block(s);
                    if markdown {
                        write(out, &sanitize::markdown(&text))
                    } else {
                        minijinja::escape_formatter(out, state, &Value::from(text))
                    }
                }
                _ if markdown => write(out, &value.to_string()),
                _ => minijinja::escape_formatter(out, state, value),
            }
        });

        env.add_filter("cell", cell);
        env.add_filter("person", |s: Option<String>| {
            s.map(|s| short_person(&s).to_string())
        });
        env.add_filter("minutes", |v: Option<f64>| {
            v.map_or("—".to_string(), postmortem::time::format_minutes)
        });
        // `2026-11-30 03:10`: a record's RFC 3339 time in the team's zone
        // (what the template says once as `zone`); text that is not a time
        // stays as it is.
        env.add_filter("time", move |v: Option<String>| {
            v.map(|s| match DateTime::parse_from_rfc3339(&s) {
                Ok(t) => view.minutes(t),
                Err(_) => s,
            })
        });
        for (name, text) in templates {
            env.add_template_owned(name, text).map_err(|e| {
                Error::new(format!(
                    "template {name}: {}",
                    postmortem::error::one_line(&e.to_string())
                ))
            })?;
        }
        Ok(Reports { env, view })
    }

    fn render(&self, name: &str, ctx: Value) -> Result<String> {
        self.env
            .get_template(name)
            .and_then(|t| t.render(ctx))
            .map_err(|e| {
                Error::new(format!(
                    "template {name}: {}",
                    postmortem::error::one_line(&e.to_string())
                ))
            })
    }

    pub fn record_markdown(&self, r: &Record, now: DateTime<FixedOffset>) -> Result<String> {
        let item = self.record_context(r);
        self.render(
            "record.md",
            context! {
                r => item.r,
                d => item.d,
                now => postmortem::time::format_rfc3339(&self.view.local(now)),
                zone => self.view.label(),
            },
        )
    }

    /// `serve`'s readable page of one record (templates/record.html).
    pub fn record_page(&self, r: &Record) -> Result<String> {
        let item = self.record_context(r);
        self.render(
            "record.html",
            context! { r => item.r, d => item.d, zone => self.view.label() },
        )
    }

    pub fn export_markdown(
        &self,
        records: &[&Record],
        now: DateTime<FixedOffset>,
        deploys: &postmortem::metrics::deploys::DeployFigures,
    ) -> Result<String> {
        let items: Vec<RecordContext> = records.iter().map(|r| self.record_context(r)).collect();
        self.render(
            "export.md",
            context! {
                records => items,
                deploys => Value::from_serialize(deploys),
                count => records.len(),
                now => postmortem::time::format_rfc3339(&self.view.local(now)),
                zone => self.view.label(),
            },
        )
    }

    /// A record as templates see it: its times in the team's zone (the
    /// same instants), its timeline in time order, and its durations.
    fn record_context(&self, r: &Record) -> RecordContext {
        let durations: std::collections::BTreeMap<&str, Option<String>> = METRICS
            .iter()
            .map(|m| (m.key, (m.minutes)(r).map(postmortem::time::format_minutes)))
            .collect();
        RecordContext {
            r: Value::from_serialize(r.in_zone(self.view.zone())),
            d: Value::from_serialize(&durations),
        }
    }

    pub fn wall_page(&self, page: &WallPage<'_>) -> Result<String> {
        // Every one of the recent periods, empty ones as zero, so a quiet
        // week shows as a quiet week.
        let recent = &page.stats.recent_periods;
        let series = |value: &dyn Fn(&postmortem::metrics::stats::PeriodPoint) -> Option<f64>| {
            recent
                .iter()
                .map(|p| (p.period.clone(), value(p)))
                .collect::<Vec<_>>()
        };
        let count = |n: f64| format!("{n:.0}");
        let per_period = chart::html_bars(&series(&|p| Some(p.count as f64)), count);
        let reports = chart::html_bars(&series(&|p| Some(p.field_reports as f64)), count);
        let trend = chart::html_bars(&series(&|p| p.ttr_median_minutes), chart::compact_minutes);
        self.render(
            "report.html",
            context! {
                title => page.title,
                generated_at => page.generated_at,
                refresh_seconds => 300,
                stats => Value::from_serialize(page.stats),
                open => Value::from_serialize(&page.open[..page.open.len().min(ROWS)]),
                open_more => page.open.len().saturating_sub(ROWS),
                overdue => Value::from_serialize(&page.overdue[..page.overdue.len().min(ROWS)]),
                owners => Value::from_serialize(&page.owners[..page.owners.len().min(ROWS)]),
                overdue_repos => Value::from_serialize(&page.overdue_repos[..page.overdue_repos.len().min(ROWS)]),
                team => page.team.as_ref().map(Value::from_serialize),
                live => page.live.as_ref().map(Value::from_serialize),
                overdue_more => page.overdue.len().saturating_sub(ROWS),
                charts => context! {
                    field_reports => Value::from_safe_string(reports),
                    per_period => Value::from_safe_string(per_period),
                    ttr_trend => Value::from_safe_string(trend),
                },
            },
        )
    }
}

#[derive(serde::Serialize)]
struct RecordContext {
    r: Value,
    d: Value,
}

/// Safe inside a Markdown table cell: no pipes breaking columns, no newlines
/// ending the row, no control characters.
fn cell(s: Option<String>) -> String {
    let s = s.unwrap_or_default();
    sanitize::inline(&s).replace('|', "\\|")
}

/// One row of the wall page's open-incident table.
#[derive(serde::Serialize)]
pub struct OpenRow {
    pub id: String,
    pub severity: String,
    pub sev_class: String,
    pub title: String,
    pub status: String,
    pub assignee: Option<String>,
    pub age: String,
    /// Across repositories: the record's repository (its ID is qualified).
    pub repo: Option<String>,
}

pub struct WallPage<'a> {
    pub title: &'a str,
    pub generated_at: String,
    pub stats: &'a Stats,
    pub open: Vec<OpenRow>,
    pub overdue: &'a [ActionRef<'a>],
    /// Each overdue action's owner by name, in the same order.
    pub owners: &'a [Option<String>],
    /// Across repositories: each overdue action's repository, in the same
    /// order (empty for one repository).
    pub overdue_repos: &'a [String],
    pub live: Option<Live>,
    /// Across repositories: how fresh each is, and which failed.
    pub team: Option<TeamWall>,
}

/// What the page across repositories says about them.
#[derive(serde::Serialize)]
pub struct TeamWall {
    pub repos: Vec<RepoFresh>,
    pub failed: Vec<RepoFailed>,
}

#[derive(serde::Serialize)]
pub struct RepoFresh {
    pub name: String,
    /// `fetched 2m ago`, `never fetched`, `local`.
    pub fresh: String,
    pub stale: bool,
}

#[derive(serde::Serialize)]
pub struct RepoFailed {
    pub name: String,
    pub why: String,
}

/// What `serve`'s page adds: it polls for a newer page and says how
/// current its records are.
#[derive(serde::Serialize)]
pub struct Live {
    pub poll_seconds: u64,
    /// The time of the records branch's newest commit (`None`: no records
    /// branch yet).
    pub as_of: Option<String>,
    /// When the remote was last fetched.
    pub fetched: Option<String>,
    /// Why the last fetch failed.
    pub warning: Option<String>,
    /// Why nothing is fetched.
    pub note: Option<String>,
}
