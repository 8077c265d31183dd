//! `--since/--until/--severity/--service/--at`, shared by list, stats, export and report.

use crate::ctx::Ctx;
use crate::error::Result;
use crate::record::Record;
use crate::store::read::Detail;
use clap::Args;

#[derive(Args, Debug, Default)]
pub struct RecordFilter {
    /// Only incidents that began at or after this time ("30d ago", 2026-10-01)
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only incidents that began before this time
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Only this severity (repeat or comma-separate)
    #[arg(long, value_delimiter = ',', value_name = "SEV")]
    pub severity: Vec<String>,
    /// Only records that name this service (repeat or comma-separate)
    #[arg(long, value_delimiter = ',', value_name = "NAME")]
    pub service: Vec<String>,
    /// The records as they were at a commit, tag or time (HEAD~10, v1.2, 2026-10-01)
    #[arg(long, value_name = "REV|TIME")]
    pub at: Option<String>,
}

impl RecordFilter {
    /// Loads every record (reporting unreadable files) and keeps the matching ones.
    pub fn load(&self, ctx: &Ctx, detail: Detail) -> Result<Vec<Record>> {
        let since = self
            .since
            .as_deref()
            .map(|s| ctx.time("--since", s))
            .transpose()?;
        let until = self
            .until
            .as_deref()
            .map(|s| ctx.time("--until", s))
            .transpose()?;
        let severities = self
            .severity
            .iter()
            .map(|s| ctx.config.check_severity(s))
            .collect::<Result<Vec<_>>>()?;
        let records = ctx.records(self.at.as_deref(), detail)?;
        let mut kept: Vec<Record> = records
            .into_iter()
            .filter(|r| {
                since.is_none_or(|t| r.began() >= t.0)
                    && until.is_none_or(|t| r.began() < t.0)
                    && (severities.is_empty() || severities.contains(&r.severity))
                    && (self.service.is_empty()
                        || r.services.iter().any(|s| self.service.contains(s)))
            })
            .collect();
        kept.sort_by(|a, b| b.began().cmp(&a.began()).then_with(|| a.id.cmp(&b.id)));
        Ok(kept)
    }
}
