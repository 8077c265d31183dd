//! `digest`: what needs someone today, for a chat room each morning (see
//! `metrics::digest`, drawn by `render::digest`, sent by `webhook`).

use crate::ctx::Ctx;
use clap::{Args, ValueEnum};
use postmortem::error::Result;
use postmortem::store::read::Detail;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DigestFormat {
    /// Plain text
    Text,
    /// Markdown (Mattermost, GitLab, mail)
    Markdown,
    /// Slack's mrkdwn
    Slack,
    /// A Teams message with an Adaptive Card (printed as its JSON)
    Teams,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Whose {
    /// The whole team's
    Team,
    /// Yours (your git identity): your records and items, and the reviews you may give
    Me,
}

#[derive(Args, Debug)]
#[command(
    after_help = "Lists what needs someone today: records awaiting review (analysed where the \
config's [review] required names the severity, not approved) and those sent back with changes \
requested; action items overdue, or due within 3 days; unassigned records; stale records (active, \
no change for stale_days, default 7). With --for me: your records and items, the reviews you may \
give, no unassigned.\n\n--post URL sends it to a chat's incoming webhook as one JSON POST: \
{\"text\": …} in Slack's mrkdwn by default (Mattermost takes --format markdown), or with --format \
teams an Adaptive Card for a Teams Workflows webhook. Any answer but 2xx, no answer within \
--timeout, or no connection is an error (exit 1); the message names only the webhook's host, never \
its secret path.\n\nExamples:\n  devops postmortem digest\n  devops postmortem digest --for me \
--format markdown\n  devops postmortem digest --json | jq '.actions_overdue | length'\n  \
devops postmortem digest --post \"$SLACK_WEBHOOK_URL\"\n  devops postmortem digest --format teams \
--post \"$TEAMS_WEBHOOK_URL\" --timeout 20s"
)]
pub struct DigestArgs {
    /// Whose digest: the team's, or yours
    #[arg(long = "for", value_enum, default_value = "team", value_name = "WHO")]
    pub whose: Whose,
    /// The same as --for team
    #[arg(long, conflicts_with = "whose")]
    pub team: bool,
    /// How to write it (default: text; slack with --post)
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<DigestFormat>,
    /// Print JSON with the same sections
    #[arg(long, conflicts_with_all = ["format", "post"])]
    pub json: bool,
    /// Send it to this incoming-webhook URL instead of printing it
    #[arg(long, value_name = "URL")]
    pub post: Option<String>,
    /// How long to wait for the webhook to answer: 10s, 500ms, 1m
    #[arg(long, value_name = "TIME", default_value = "10s", requires = "post")]
    pub timeout: String,
}

pub fn run(ctx: &Ctx, args: DigestArgs) -> Result<()> {
    // Checked before any record is read: a bad flag costs nothing.
    let target = match &args.post {
        Some(url) => Some((
            url.as_str(),
            crate::webhook::redacted(url)?,
            crate::webhook::parse_timeout(&args.timeout)?,
        )),
        None => None,
    };
    let me = match (args.whose, args.team) {
        (Whose::Me, false) => Some(postmortem::store::identity::identity(
            &ctx.store.repo,
            "AUTHOR",
        )?),
        _ => None,
    };
    let records = postmortem::store::read::kept_to_exit(ctx.records(None, Detail::Slim)?);
    let who = me.as_ref().map(|i| (i.display(), i.email.clone()));
    let d = postmortem::metrics::digest::digest(
        records,
        &ctx.config,
        ctx.now,
        who.as_ref().map(|(p, e)| (p.as_str(), e.as_str())),
    );
    if args.json {
        return crate::render::json::print(&d);
    }
    use crate::render::digest as render;
    let format = args.format.unwrap_or(match target {
        Some(_) => DigestFormat::Slack,
        None => DigestFormat::Text,
    });
    let written = match format {
        DigestFormat::Text => render::text(&d),
        DigestFormat::Markdown => render::markdown(&d),
        DigestFormat::Slack => render::slack(&d),
        DigestFormat::Teams => pretty(&render::teams(&d)),
    };
    let Some((url, place, timeout)) = target else {
        crate::output::print(&written);
        return Ok(());
    };
    let body = match format {
        DigestFormat::Teams => written,
        _ => pretty(&serde_json::json!({ "text": written })),
    };
    crate::webhook::post(url, &body, timeout)?;
    ctx.out.status(&format!(
        "posted the digest ({} item{}) to {place}",
        d.count(),
        if d.count() == 1 { "" } else { "s" }
    ));
    Ok(())
}

fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default() + "\n"
}
