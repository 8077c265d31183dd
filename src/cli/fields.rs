//! Flags shared by `new` and `update`: what the incident is, its times and
//! its impact, as clap reads them; the library's `ops::fields` keeps what
//! they mean.

use clap::Args;
use postmortem::ops::fields::{Amount, Counts, Describe, ImpactInput, Times};

/// What the incident is: shared by `new` and `update` (where the lists
/// replace what the record had).
#[derive(Args, Debug, Default)]
pub struct DescribeArgs {
    /// What broke, in one line (any language: "결제 서버 장애")
    #[arg(long, short)]
    pub title: Option<String>,
    /// Severity, SEV1 the worst (levels come from the config)
    #[arg(long, short)]
    pub severity: Option<String>,
    /// Affected service (repeat, or separate with commas)
    #[arg(long = "service", value_delimiter = ',', value_name = "NAME")]
    pub services: Vec<String>,
    /// Free-form tag (repeat, or separate with commas)
    #[arg(long = "tag", value_delimiter = ',', value_name = "TAG")]
    pub tags: Vec<String>,
    /// What happened, in a few sentences
    #[arg(long, value_name = "TEXT")]
    pub summary: Option<String>,
}

impl DescribeArgs {
    pub fn describe(&self) -> Describe {
        Describe {
            title: self.title.clone(),
            severity: self.severity.clone(),
            services: self.services.clone(),
            tags: self.tags.clone(),
            summary: self.summary.clone(),
        }
    }
}

/// Incident times. Any form `--help` lists; back-dating is normal, and the
/// record keeps the offset you gave.
#[derive(Args, Debug, Default)]
pub struct TimesArgs {
    /// When the incident began (e.g. "2026-11-23 09:12", "45m ago", "어제 14:30")
    #[arg(long, value_name = "TIME")]
    pub started: Option<String>,
    /// When it was noticed (alert, report); TTD = detected − started. A bare
    /// clock (09:20) here and below is the first after the time before it,
    /// refused when that is over 12 h later (give the date)
    #[arg(long, value_name = "TIME")]
    pub detected: Option<String>,
    /// When someone took it on; TTA = acknowledged − started
    #[arg(long, value_name = "TIME")]
    pub acknowledged: Option<String>,
    /// When the impact stopped; TTM = mitigated − started
    #[arg(long, value_name = "TIME")]
    pub mitigated: Option<String>,
    /// When it was fully fixed; TTR = resolved − started
    #[arg(long, value_name = "TIME")]
    pub resolved: Option<String>,
}

impl TimesArgs {
    pub fn times(&self) -> Times {
        Times {
            started: self.started.clone(),
            detected: self.detected.clone(),
            acknowledged: self.acknowledged.clone(),
            mitigated: self.mitigated.clone(),
            resolved: self.resolved.clone(),
        }
    }
}

#[derive(Args, Debug, Default)]
pub struct ImpactArgs {
    /// How many users were affected (+N adds to the count)
    #[arg(long, value_name = "N|+N", allow_hyphen_values = true)]
    pub users_affected: Option<Amount>,
    /// How many calls and tickets came in from the field (+N adds: reports keep arriving)
    #[arg(long, value_name = "N|+N", allow_hyphen_values = true)]
    pub field_reports: Option<Amount>,
    /// Impact in words
    #[arg(long, value_name = "TEXT")]
    pub impact: Option<String>,
}

impl ImpactArgs {
    pub fn impact(&self) -> ImpactInput {
        ImpactInput {
            counts: Counts {
                users_affected: self.users_affected,
                field_reports: self.field_reports,
            },
            description: self.impact.clone(),
        }
    }
}
