//! The command line's names for the library's choices (`--from slack`,
//! `--by month`): clap knows these; the library does not know clap.

use postmortem::metrics::stats::Period;
use postmortem::sources::Kind;

/// `--from`: where the timeline entries come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SourceArg {
    Pagerduty,
    Alertmanager,
    Slack,
    Jsonl,
    Csv,
}

impl From<SourceArg> for Kind {
    fn from(s: SourceArg) -> Kind {
        match s {
            SourceArg::Pagerduty => Kind::Pagerduty,
            SourceArg::Alertmanager => Kind::Alertmanager,
            SourceArg::Slack => Kind::Slack,
            SourceArg::Jsonl => Kind::Jsonl,
            SourceArg::Csv => Kind::Csv,
        }
    }
}

/// `--by`: the period figures are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum PeriodArg {
    #[default]
    Week,
    Month,
}

impl From<PeriodArg> for Period {
    fn from(p: PeriodArg) -> Period {
        match p {
            PeriodArg::Week => Period::Week,
            PeriodArg::Month => Period::Month,
        }
    }
}
