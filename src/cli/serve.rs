//! `serve`: the wall page on the office TV, kept current.

use clap::Args;
use postmortem::error::Result;
use std::net::SocketAddr;
use std::time::Duration;

#[derive(Args, Debug)]
#[command(
    after_help = "Read-only: GET and HEAD only, nothing is ever written but the records \
branch following the remote's (a fast-forward, as `sync` makes it; never a merge, never a push, \
never your code's branches). Paths:\n  /               the wall page (as `report`), updating itself \
without a reload\n  /pm/ID          one post-mortem, readable\n  /api/triage     = triage --json\n  \
/api/stats      = stats --json\n  /api/pm/ID      = show ID --json\n\
The records are read again when their branch moves; the page says how current they are and warns \
when a fetch fails. Ctrl-C or SIGTERM stops it.\n\nExamples:\n  devops postmortem serve\n  \
devops postmortem serve --bind 0.0.0.0:8080 --title \"Payments team\"\n  \
devops postmortem serve --fetch 1m --refresh 30s\n  \
devops postmortem serve --all-repos    (with `devops postmortem fetch --all-repos` from cron)\n\n\
Across repositories (--all-repos, --repo NAME): the page of `report --all-repos`, /api/triage and \
/api/stats as `triage --all-repos --json` and `stats --all-repos --json`; each repository is read \
as last fetched (serve fetches none of them), and read again when its records branch moves."
)]
pub struct ServeArgs {
    /// Where to listen (0.0.0.0:8080 puts it on the office network)
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Fetch the records branch from the remote this often (0: never)
    #[arg(long, value_name = "DURATION", default_value = "5m", value_parser = duration)]
    pub fetch: Duration,
    /// How often the open page asks for a newer one
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = duration)]
    pub refresh: Duration,
    /// The page's heading
    #[arg(long, default_value = "Post-mortems", value_name = "TEXT")]
    pub title: String,
    /// Trend per week or per month
    #[arg(long, value_enum, default_value = "week")]
    pub by: crate::cli::values::PeriodArg,
    #[command(flatten)]
    pub repos: super::team::RepoChoice,
}

pub fn run(out: &crate::output::Output, records_dir: &str, args: ServeArgs) -> Result<()> {
    let team = args.repos.is_team().then_some(args.repos);
    let opts = crate::serve::Options {
        team,
        bind: args.bind,
        fetch_every: (!args.fetch.is_zero()).then_some(args.fetch),
        settings: crate::serve::Settings {
            title: args.title,
            by: args.by,
            poll_seconds: args.refresh.as_secs().max(1),
        },
    };
    crate::serve::run(records_dir, opts, |line| out.status(line))
}

/// `30s`, `5m`, `1h`, or `0`.
fn duration(s: &str) -> std::result::Result<Duration, String> {
    let s = s.trim();
    let (n, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = n
        .parse()
        .map_err(|_| format!("'{s}' is not a duration: use e.g. 30s, 5m, 1h or 0"))?;
    let seconds = match unit {
        "" if n == 0 => 0,
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        _ => {
            return Err(format!(
                "'{s}' is not a duration: use e.g. 30s, 5m, 1h or 0"
            ));
        }
    };
    Ok(Duration::from_secs(seconds))
}
