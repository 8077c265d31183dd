//! `analyze`: record what was found. Adds to what is there; never silently
//! erases (replacing a root cause or trigger needs --replace).

use super::action::{ActionFields, ActionSpec};
use super::{CommitArgs, report};
use crate::ctx::Ctx;
use clap::Args;
use postmortem::error::{Error, Result};
use postmortem::record::status::analysis_missing;
use postmortem::record::{ActionKind, Record, RecordDoc};

#[derive(Args, Debug, Default)]
#[command(
    after_help = "Run without flags on a terminal for a guided flow. The status becomes \
`analyzed` once there is a root cause and at least one action item (or --no-action-reason).\n\nExamples:\n  devops postmortem analyze k7x3 --root-cause \"Pool shared with the batch job\" --action \"Give the batch its own pool\" --owner bob --due +14d\n  devops postmortem analyze k7x3 --confirm   # after a reopen: the analysis stands"
)]
pub struct AnalyzeArgs {
    /// The post-mortem (any unique prefix of its ID)
    pub id: String,
    /// What set it off (a deploy, a spike, an expiry)
    #[arg(long, value_name = "TEXT")]
    pub trigger: Option<String>,
    /// Why the trigger could turn into an outage
    #[arg(long, value_name = "TEXT")]
    pub root_cause: Option<String>,
    /// Overwrite an existing trigger, root cause or no-educate reason instead of refusing
    #[arg(long)]
    pub replace: bool,
    /// A contributing factor (repeat)
    #[arg(long = "factor", value_name = "TEXT")]
    pub factors: Vec<String>,
    /// One of the five whys, in order (repeat)
    #[arg(long = "why", value_name = "TEXT")]
    pub whys: Vec<String>,
    /// What went well (repeat)
    #[arg(long = "went-well", value_name = "TEXT")]
    pub went_well: Vec<String>,
    /// What went wrong (repeat)
    #[arg(long = "went-wrong", value_name = "TEXT")]
    pub went_wrong: Vec<String>,
    /// Where we got lucky (repeat)
    #[arg(long = "lucky", value_name = "TEXT")]
    pub lucky: Vec<String>,
    /// A lesson learned (repeat)
    #[arg(long = "lesson", value_name = "TEXT")]
    pub lessons: Vec<String>,
    /// A timeline entry: a time, then text ("09:20 alert fired") (repeat)
    #[arg(long = "event", value_name = "TIME TEXT")]
    pub events: Vec<String>,
    /// An action item (repeat); the --owner, --due, --kind and --ticket after
    /// it are its own (given before any --action, they apply to all)
    #[arg(long = "action", value_name = "TEXT")]
    pub actions: Vec<String>,
    /// Who will do the action item before it (name, handle or email; default: the assignee)
    #[arg(long = "owner", value_name = "WHO")]
    pub owners: Vec<String>,
    /// Due date of the action item before it: YYYY-MM-DD, +7d, 2w, tomorrow
    #[arg(long = "due", value_name = "DATE")]
    pub dues: Vec<String>,
    /// Kind of the action item before it: mitigate, prevent, process, educate or other
    #[arg(long = "kind", value_name = "KIND")]
    pub kinds: Vec<String>,
    /// Ticket link of the action item before it
    #[arg(long = "ticket", value_name = "URL")]
    pub tickets: Vec<String>,
    /// The analysis stands as it is (after a reopen: decides it again)
    #[arg(long)]
    pub confirm: bool,
    /// Action items from the guided flow, each with its own fields.
    #[arg(skip)]
    pub specs: Vec<ActionSpec>,
    /// Why no action item is needed (lets the analysis complete without one)
    #[arg(long, value_name = "TEXT")]
    pub no_action_reason: Option<String>,
    /// Why no action item educates the field (training, a notice, a guide)
    #[arg(long, value_name = "TEXT")]
    pub no_educate_reason: Option<String>,
    #[command(flatten)]
    pub commit: CommitArgs,
}

impl AnalyzeArgs {
    fn is_empty(&self) -> bool {
        self.trigger.is_none()
            && self.root_cause.is_none()
            && self.no_action_reason.is_none()
            && self.no_educate_reason.is_none()
            && !self.confirm
            && self.specs.is_empty()
            && [
                &self.factors,
                &self.whys,
                &self.went_well,
                &self.went_wrong,
                &self.lucky,
                &self.lessons,
                &self.events,
                &self.actions,
            ]
            .iter()
            .all(|v| v.is_empty())
    }
}

pub fn run(ctx: &Ctx, mut args: AnalyzeArgs) -> Result<()> {
    for (flag, value) in [
        ("--no-educate-reason", &args.no_educate_reason),
        ("--no-action-reason", &args.no_action_reason),
    ] {
        if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
            return Err(Error::usage(format!("{flag} needs text: why")));
        }
    }
    let entry = ctx.find(&args.id)?;
    if args.is_empty() {
        if !ctx.can_prompt() {
            return Err(Error::usage(
                "nothing to record: give --root-cause, --action, --factor, … (see --help), or run on a terminal for a guided flow",
            ));
        }
        let current = postmortem::store::read::load(&ctx.store, &entry)?;
        guided(ctx, &current, &mut args)?;
    } else {
        remark_on_typed(ctx, &args);
    }
    let specs = if args.specs.is_empty() {
        paired(&args)
    } else {
        args.specs.clone()
    };
    for spec in &specs {
        if let Some(k) = &spec.fields.kind {
            super::action::parse_kind(k)?;
        }
    }
    let done = ctx.change_record(
        &entry,
        "analyze",
        args.commit.message.as_deref(),
        |doc, before| {
            super::refuse_settled(before)?;
            set_once(
                doc,
                "trigger",
                &before.analysis.trigger,
                args.trigger.as_deref(),
                args.replace,
            )?;
            set_once(
                doc,
                "root_cause",
                &before.analysis.root_cause,
                args.root_cause.as_deref(),
                args.replace,
            )?;
            for (key, items) in [
                ("contributing_factors", &args.factors),
                ("five_whys", &args.whys),
                ("went_well", &args.went_well),
                ("went_wrong", &args.went_wrong),
                ("lucky", &args.lucky),
                ("lessons", &args.lessons),
            ] {
                let items: Vec<String> = items
                    .iter()
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect();
                doc.push_to_list(&["analysis", key], &items);
            }
            set_once(
                doc,
                "no_educate_reason",
                &before.analysis.no_educate_reason,
                args.no_educate_reason.as_deref(),
                args.replace,
            )?;
            if let Some(reason) = &args.no_action_reason {
                doc.set_str(&["analysis", "no_action_reason"], reason.trim());
            }
            // Bare clocks in events are read after the incident began.
            let anchor = before.started_at.map(|t| t.0);
            for e in &args.events {
                let (at, text) = super::timeline::split_event(ctx, e, anchor)?;
                doc.push_timeline(&at, &text);
            }
            for item in super::action::build(ctx, before, &specs)? {
                doc.push_action(&item);
            }
            // A decision on the analysis, made now (a reopened record needs one).
            doc.set_time(&["analyzed_at"], &postmortem::record::Timestamp(ctx.now));
            Ok(())
        },
    )?;
    report(ctx, &done, "analysis recorded");
    let missing = analysis_missing(&done.record);
    if !missing.is_empty() {
        ctx.out.status(&format!(
            "still needed to complete the analysis: {}",
            missing.join("; ")
        ));
    }
    Ok(())
}

/// What a reviewer would flag in the text given as flags, said before the
/// commit (the guided flow says it as each answer is typed). Warnings:
/// the analysis is recorded as written.
fn remark_on_typed(ctx: &Ctx, args: &AnalyzeArgs) {
    let rules = ctx.config.lint_rules();
    let single = [
        ("--trigger", &args.trigger),
        ("--root-cause", &args.root_cause),
        ("--no-action-reason", &args.no_action_reason),
        ("--no-educate-reason", &args.no_educate_reason),
    ];
    let single = single
        .into_iter()
        .filter_map(|(flag, v)| Some((flag, v.as_deref()?, false)));
    let lists = [
        ("--factor", &args.factors),
        ("--why", &args.whys),
        ("--went-wrong", &args.went_wrong),
        ("--lucky", &args.lucky),
        ("--lesson", &args.lessons),
    ];
    let lists = lists
        .into_iter()
        .flat_map(|(flag, v)| v.iter().map(move |t| (flag, t.as_str(), false)));
    let actions = args.actions.iter().map(|t| ("--action", t.as_str(), true));
    for (flag, text, action) in single.chain(lists).chain(actions) {
        for remark in postmortem::record::lint::writeup::remarks(text, action, &rules) {
            // The value too: several --lesson flags need telling apart.
            let value = postmortem::text::truncate(&postmortem::text::inline(text), 40);
            ctx.out.warn(&format!("{flag} \"{value}\": {remark}"));
        }
    }
}

/// A single-valued field is set when empty; overwriting needs --replace.
fn set_once(
    doc: &mut RecordDoc,
    key: &str,
    current: &str,
    new: Option<&str>,
    replace: bool,
) -> Result<()> {
    let Some(new) = new.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(());
    };
    if !current.trim().is_empty() && current.trim() != new && !replace {
        return Err(Error::new(format!(
            "analysis.{key} is already set: \"{}\"",
            postmortem::text::truncate(&postmortem::text::inline(current), 60)
        ))
        .nothing_written()
        .hint("pass --replace to overwrite it, or edit the record with `devops postmortem edit`"));
    }
    doc.set_str(&["analysis", key], new);
    Ok(())
}

/// Each `--owner`/`--due`/`--kind`/`--ticket` belongs to the `--action`
/// before it on the command line; given before any `--action`, to all.
fn paired(args: &AnalyzeArgs) -> Vec<ActionSpec> {
    let m = super::sub_matches("analyze");
    let positions = |id: &str| -> Vec<usize> {
        m.and_then(|m| m.indices_of(id))
            .map(|i| i.collect())
            .unwrap_or_default()
    };
    let actions = positions("actions");
    let mut specs: Vec<ActionSpec> = args
        .actions
        .iter()
        .map(|t| ActionSpec {
            text: t.clone(),
            fields: ActionFields::default(),
        })
        .collect();
    let mut for_all = ActionFields::default();
    type Setter = fn(&mut ActionFields, String);
    let fields: [(&str, &Vec<String>, Setter); 4] = [
        ("owners", &args.owners, |f, v| f.owner = Some(v)),
        ("dues", &args.dues, |f, v| f.due = Some(v)),
        ("kinds", &args.kinds, |f, v| f.kind = Some(v)),
        ("tickets", &args.tickets, |f, v| f.ticket = Some(v)),
    ];
    for (id, values, set) in fields {
        let at = positions(id);
        for (i, value) in values.iter().enumerate() {
            // Without positions (not from the command line): for all.
            let owner = at
                .get(i)
                .and_then(|pos| actions.iter().rposition(|a| a < pos));
            match owner {
                Some(k) => set(&mut specs[k].fields, value.clone()),
                None => set(&mut for_all, value.clone()),
            }
        }
    }
    for spec in &mut specs {
        spec.fields = spec.fields.or(&for_all);
    }
    specs
}

/// The guided flow: asks for what is still empty, then offers the lists;
/// every action item gets its own kind, owner and due day; a bad answer is
/// asked again in place; a summary comes before anything is written, from
/// which any part can be asked again, or everything cancelled.
fn guided(ctx: &Ctx, r: &Record, args: &mut AnalyzeArgs) -> Result<()> {
    ctx.out.status(&format!(
        "Analysing {}: {}",
        r.id,
        postmortem::text::inline(&r.title)
    ));
    for part in 0..4 {
        ask_part(ctx, r, args, part, false)?;
    }
    let choices = vec![
        "Record it".to_string(),
        "Change the trigger or root cause".to_string(),
        "Change the factors or whys".to_string(),
        "Change the lessons".to_string(),
        "Change the action items".to_string(),
        "Cancel (nothing is written)".to_string(),
    ];
    loop {
        ctx.out.status(&summary(args));
        match crate::prompt::select(ctx, "Record this analysis?", &choices, 0)? {
            0 => return finish_guided(args),
            5 => return Err(Error::new("cancelled").nothing_written()),
            k => ask_part(ctx, r, args, k - 1, true)?,
        }
    }
}

/// One part of the guided flow; `again` when chosen from the summary.
fn ask_part(ctx: &Ctx, r: &Record, args: &mut AnalyzeArgs, part: usize, again: bool) -> Result<()> {
    use crate::prompt;
    match part {
        0 => {
            if again || r.analysis.trigger.is_empty() {
                args.trigger = Some(prompt::prose(
                    ctx,
                    "Trigger (what set it off?)",
                    false,
                    false,
                )?)
                .filter(|s| !s.is_empty());
            }
            if again || r.analysis.root_cause.is_empty() {
                args.root_cause =
                    Some(prompt::prose(ctx, "Root cause", false, false)?).filter(|s| !s.is_empty());
            }
            // Chosen again from the summary: the new answer replaces.
            args.replace |= again;
        }
        1 => {
            args.factors = prompt::items(ctx, "Contributing factor")?;
            args.whys = prompt::items(ctx, "Why? (five whys, in order)")?;
        }
        2 => {
            args.went_well = prompt::items(ctx, "What went well")?;
            args.went_wrong = prompt::items(ctx, "What went wrong")?;
            args.lucky = prompt::items(ctx, "Where we got lucky")?;
            args.lessons = prompt::items(ctx, "Lesson learned")?;
        }
        _ => {
            args.specs = ask_actions(ctx, r)?;
            args.no_action_reason = None;
            if args.specs.is_empty()
                && r.action_items.is_empty()
                && prompt::confirm(ctx, "No action items: is none needed?", false)?
            {
                args.no_action_reason =
                    Some(prompt::prose(ctx, "Why is no action needed?", true, false)?);
            }
        }
    }
    Ok(())
}

fn finish_guided(args: &AnalyzeArgs) -> Result<()> {
    if args.is_empty() {
        return Err(Error::new("nothing entered").nothing_written());
    }
    Ok(())
}

/// Each action item with its own kind, owner and due day; a bad owner or
/// day is asked again, keeping everything typed so far.
fn ask_actions(ctx: &Ctx, r: &Record) -> Result<Vec<ActionSpec>> {
    use crate::prompt;
    let kinds: Vec<String> = ActionKind::ALL.iter().map(|k| k.to_string()).collect();
    let default = ActionKind::ALL
        .iter()
        .position(|k| *k == ActionKind::Prevent)
        .unwrap_or(0);
    let mut specs = Vec::new();
    loop {
        let text = prompt::prose(ctx, "Action item (empty to finish)", false, true)?;
        if text.is_empty() {
            return Ok(specs);
        }
        let kind = kinds[prompt::select(ctx, "Kind", &kinds, default)?].clone();
        let owner = loop {
            let who = prompt::text(
                ctx,
                &format!(
                    "Owner (empty: {})",
                    r.assignee.as_deref().unwrap_or("the assignee")
                ),
                false,
            )?;
            if who.is_empty() {
                break None;
            }
            match ctx.person(&who) {
                Ok(_) => break Some(who),
                Err(e) => ctx.out.warn(&e.message),
            }
        };
        let due = loop {
            let due = prompt::text(ctx, "Due (YYYY-MM-DD or +14d, empty for none)", false)?;
            if due.is_empty() {
                break None;
            }
            match ctx.date("due", &due) {
                Ok(_) => break Some(due),
                Err(e) => ctx.out.warn(&e.message),
            }
        };
        specs.push(ActionSpec {
            text,
            fields: ActionFields {
                owner,
                due,
                kind: Some(kind),
                ticket: None,
            },
        });
    }
}

/// What the guided flow is about to record.
fn summary(args: &AnalyzeArgs) -> String {
    use postmortem::text::inline;
    let mut s = String::from("\nAbout to record:\n");
    let mut line = |k: &str, v: &str| {
        if !v.trim().is_empty() {
            s.push_str(&format!("  {k:<18} {}\n", inline(v)));
        }
    };
    line("trigger", args.trigger.as_deref().unwrap_or(""));
    line("root cause", args.root_cause.as_deref().unwrap_or(""));
    for (k, items) in [
        ("factor", &args.factors),
        ("why", &args.whys),
        ("went well", &args.went_well),
        ("went wrong", &args.went_wrong),
        ("lucky", &args.lucky),
        ("lesson", &args.lessons),
    ] {
        for i in items {
            line(k, i);
        }
    }
    for (n, a) in args.specs.iter().enumerate() {
        let f = &a.fields;
        line(
            &format!("action {}", n + 1),
            &format!(
                "{} [{}; owner {}; due {}]",
                a.text,
                f.kind.as_deref().unwrap_or("prevent"),
                f.owner.as_deref().unwrap_or("the assignee"),
                f.due.as_deref().unwrap_or("none")
            ),
        );
    }
    line(
        "no action needed",
        args.no_action_reason.as_deref().unwrap_or(""),
    );
    s
}
