//! The team's shared settings, `<records dir>/config.toml`. Everything has a
//! default: a repository that never saw the tool works without this file.

use crate::error::{Error, Result};
use crate::record::parse::Located;
use crate::time::Zone;
use serde::Deserialize;
use std::collections::BTreeMap;

pub const DEFAULT_SEVERITIES: [&str; 4] = ["SEV1", "SEV2", "SEV3", "SEV4"];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Worst first.
    #[serde(default = "default_severities")]
    pub severities: Vec<String>,
    #[serde(default)]
    pub default_severity: Option<String>,
    /// Known services, offered by `new` and checked by `check`.
    #[serde(default)]
    pub services: Vec<String>,
    /// Zone for times typed without an offset: `+09:00`, `UTC` or `local`.
    #[serde(default)]
    pub timezone: Option<String>,
    /// The team roster, used to resolve `assign ID WHO` by prefix.
    #[serde(default)]
    pub people: Vec<Person>,
    /// Days from creation until the review is due, per severity; `default` for the rest.
    #[serde(default)]
    pub review_days: BTreeMap<String, u32>,
    /// An open record not changed for this many days is stale in `triage`.
    #[serde(default)]
    pub stale_days: Option<u32>,
    /// Assignees and action owners must come from the roster (`people`).
    #[serde(default)]
    pub strict_roster: bool,
    /// How documents from elsewhere map onto the team's names.
    #[serde(default)]
    pub import: ImportConfig,
    /// What `check` looks for in the write-up.
    #[serde(default)]
    pub lint: LintConfig,
    /// `[review]`: where an approval is needed before `close`.
    #[serde(default)]
    pub review: ReviewConfig,
    /// `[actions]`: action-item priorities and their deadlines.
    #[serde(default)]
    pub actions: ActionsConfig,
    /// Where `action push` files issues.
    #[serde(default)]
    pub tracker: TrackerConfig,
    /// `[deploys]`: which tags are deploys (and which of them unplanned).
    /// Present, even empty, it also turns on `check`'s `deploy-cause`.
    #[serde(default)]
    pub deploys: Option<DeployConfig>,
    /// `[team]`: the team's other repositories, read with `--all-repos`.
    #[serde(default)]
    pub team: TeamConfig,
}

/// `[team] repos = ["https://host/acme/api.git", { name = "web", url = "..." }]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamConfig {
    #[serde(default)]
    pub repos: Vec<crate::team::registry::TeamEntry>,
}

/// `[deploys]`: `tags = "deploy/prod/{service}/*"`, or `tags = "v*"` with
/// `service = "api"` for a repository of one service.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeployConfig {
    /// Tag patterns that mark a deploy (`*`: any run of characters but `/`;
    /// `{service}`: the service's name).
    #[serde(default)]
    pub tags: OneOrMany,
    /// The service of tags whose pattern names none, and of imported lines
    /// without `service`.
    #[serde(default)]
    pub service: Option<String>,
    /// Tag patterns of hotfixes and rollbacks (unplanned deploys).
    #[serde(default = "default_unplanned")]
    pub unplanned: OneOrMany,
}

/// A pattern, or a list of them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn patterns(&self) -> Vec<crate::deploy::TagPattern> {
        let all: Vec<&String> = match self {
            OneOrMany::None => Vec::new(),
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v.iter().collect(),
        };
        all.into_iter()
            .map(|p| crate::deploy::TagPattern::new(p))
            .collect()
    }
}

fn default_unplanned() -> OneOrMany {
    OneOrMany::Many(vec!["*hotfix*".into(), "*rollback*".into()])
}

/// `[tracker]`: where action items go as issues. Every key is optional:
/// `gh` and `glab` default to the repository they run in, `jira` to the
/// project `jira init` chose.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrackerConfig {
    /// `OWNER/REPO` for `gh`.
    #[serde(default)]
    pub github: Option<String>,
    /// `GROUP/PROJECT` for `glab`.
    #[serde(default)]
    pub gitlab: Option<String>,
    /// The Jira project key, e.g. `OPS`.
    #[serde(default)]
    pub jira_project: Option<String>,
    /// The Jira issue type of a new issue.
    #[serde(default = "default_jira_type")]
    pub jira_type: String,
    /// The Jira transition that closes an issue.
    #[serde(default = "default_jira_done")]
    pub jira_done: String,
    /// The label every pushed issue gets ("" for none).
    #[serde(default = "default_label")]
    pub label: String,
    /// The link back to a record in an issue: `{path}` and `{id}` are
    /// filled in, e.g. `https://github.com/acme/api/blob/postmortems/{path}`.
    #[serde(default)]
    pub record_url: Option<String>,
}

fn default_jira_type() -> String {
    "Task".into()
}

fn default_jira_done() -> String {
    "Done".into()
}

fn default_label() -> String {
    "postmortem".into()
}

impl Default for TrackerConfig {
    fn default() -> Self {
        TrackerConfig {
            github: None,
            gitlab: None,
            jira_project: None,
            jira_type: default_jira_type(),
            jira_done: default_jira_done(),
            label: default_label(),
            record_url: None,
        }
    }
}

/// `[review]`: `required = ["SEV1", "SEV2"]` makes `close` wait for an
/// approval by someone other than the assignee at those severities.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewConfig {
    #[serde(default)]
    pub required: Vec<String>,
}

/// `[actions]`: `default_priority = "normal"` and `[actions.priorities]`
/// `high = "4w"`: each level and the time from an item's creation to its
/// due day. Given levels replace the built-in set.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionsConfig {
    #[serde(default)]
    pub priorities: BTreeMap<String, String>,
    #[serde(default)]
    pub default_priority: Option<String>,
}

/// Priorities without a config: Atlassian's 4 and 8 weeks, and a slower one.
pub const DEFAULT_PRIORITIES: [(&str, i64); 3] = [("high", 28), ("normal", 56), ("low", 84)];

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportConfig {
    #[serde(default)]
    pub pagerduty: SourceMap,
}

/// `[import.pagerduty]`: their names → ours.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceMap {
    /// Priority (`P1`) or urgency (`high`) → severity (`SEV1`).
    #[serde(default)]
    pub severity: BTreeMap<String, String>,
    /// Their service name → ours.
    #[serde(default)]
    pub services: BTreeMap<String, String>,
}

/// `[lint]`: the team's additions to the write-up rules.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LintConfig {
    /// Blame words and phrases, added to the built-in English and Korean list.
    #[serde(default)]
    pub blame_words: Vec<String>,
    /// Vague action phrases, added to the built-in list.
    #[serde(default)]
    pub vague_actions: Vec<String>,
    /// Rule ids turned off for the whole team (`check --rule ID` still runs one).
    #[serde(default)]
    pub off: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub handle: String,
}

impl Person {
    /// `Name <email>`, the form git uses and records store.
    pub fn display(&self) -> String {
        if self.email.is_empty() {
            self.name.clone()
        } else {
            format!("{} <{}>", self.name, self.email)
        }
    }
}

fn default_severities() -> Vec<String> {
    DEFAULT_SEVERITIES.iter().map(|s| s.to_string()).collect()
}

/// The largest day count the config accepts (a century).
const MAX_DAYS: u32 = 36_500;

impl Default for Config {
    fn default() -> Self {
        Config {
            severities: default_severities(),
            default_severity: None,
            services: Vec::new(),
            timezone: None,
            people: Vec::new(),
            review_days: BTreeMap::new(),
            stale_days: None,
            strict_roster: false,
            import: ImportConfig::default(),
            lint: LintConfig::default(),
            review: ReviewConfig::default(),
            actions: ActionsConfig::default(),
            tracker: TrackerConfig::default(),
            deploys: None,
            team: TeamConfig::default(),
        }
    }
}

impl Config {
    /// Parses the config text; `path` is only for messages.
    pub fn parse(text: &str, path: &str) -> Result<Config> {
        let config: Config = toml::from_str(text)
            .map_err(|e| Error::new(Located::at(text, e.span(), e.message()).in_file(path)))?;
        if config.severities.is_empty() {
            return Err(Error::new(format!(
                "{path}: severities must list at least one level"
            )));
        }
        if let Some(tz) = &config.timezone
            && Zone::parse(tz).is_none()
        {
            return Err(Error::new(format!(
                "{path}: timezone = \"{tz}\" is not understood: use an offset such as \"+09:00\", \"UTC\" or \"local\""
            )));
        }
        // Day counts beyond a century are typos (or 4294967295).
        let days = config
            .stale_days
            .map(|d| ("stale_days".to_string(), d))
            .into_iter()
            .chain(
                config
                    .review_days
                    .iter()
                    .map(|(k, d)| (format!("review_days.{k}"), *d)),
            );
        for (field, d) in days {
            if d > MAX_DAYS {
                return Err(Error::new(format!(
                    "{path}: {field} = {d} is too large: use a number of days from 0 to {MAX_DAYS}"
                )));
            }
        }
        if let Some(d) = &config.default_severity {
            config
                .check_severity(d)
                .map_err(|e| Error::new(format!("{path}: default_severity: {e}")))?;
        }
        for (theirs, ours) in &config.import.pagerduty.severity {
            config.check_severity(ours).map_err(|e| {
                Error::new(format!("{path}: import.pagerduty.severity.{theirs}: {e}"))
            })?;
        }
        for s in &config.review.required {
            config
                .check_severity(s)
                .map_err(|e| Error::new(format!("{path}: review.required: {e}")))?;
        }
        config.check_priorities(path)?;
        for id in &config.lint.off {
            use crate::record::lint::{is_error_rule, is_rule, rule_ids};
            if !is_rule(id) {
                return Err(Error::new(format!(
                    "{path}: lint.off: no rule '{id}': the rules are {}",
                    rule_ids().join(", ")
                )));
            }
            // Errors keep the format whole: every command relies on them.
            if is_error_rule(id) {
                return Err(Error::new(format!(
                    "{path}: lint.off: '{id}' is an error rule and stays on; only warning and info rules can be turned off"
                )));
            }
        }
        if let Some(d) = &config.deploys {
            for p in d.tags.patterns() {
                if !p.names_service() && d.service.is_none() {
                    return Err(Error::new(format!(
                        "{path}: deploys.tags = \"{}\" names no {{service}}: add `service = \"NAME\"` under [deploys] (a repository of one service)",
                        p.as_str()
                    )));
                }
            }
        }
        Ok(config)
    }

    pub fn zone(&self) -> Zone {
        self.timezone
            .as_deref()
            .and_then(Zone::parse)
            .unwrap_or(Zone::Local)
    }

    /// The configured spelling of a severity typed in any case (`sev2` → `SEV2`).
    pub fn check_severity(&self, s: &str) -> Result<String> {
        self.severities
            .iter()
            .find(|known| known.eq_ignore_ascii_case(s.trim()))
            .cloned()
            .ok_or_else(|| {
                Error::usage(format!(
                    "unknown severity '{}': use one of {}",
                    crate::text::inline(s),
                    self.severities.join(", ")
                ))
            })
    }

    pub fn default_severity(&self) -> String {
        self.default_severity.clone().unwrap_or_else(|| {
            // The middle of the scale: a guess that triage will revisit.
            self.severities[self.severities.len() / 2].clone()
        })
    }

    /// Whether `close` needs an approval at this severity (`[review] required`).
    pub fn review_required(&self, severity: &str) -> bool {
        self.review
            .required
            .iter()
            .any(|s| s.eq_ignore_ascii_case(severity.trim()))
    }

    /// The priority levels and their deadlines in days, soonest first.
    pub fn priorities(&self) -> Vec<(String, i64)> {
        let mut levels: Vec<(String, i64)> = if self.actions.priorities.is_empty() {
            DEFAULT_PRIORITIES
                .iter()
                .map(|(k, d)| (k.to_string(), *d))
                .collect()
        } else {
            self.actions
                .priorities
                .iter()
                // Checked when the config was read.
                .filter_map(|(k, v)| Some((k.clone(), crate::time::relative_days(v)?)))
                .collect()
        };
        levels.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        levels
    }

    /// The level items get when none is given: the configured one, else
    /// `normal` when there is one, else the middle of the scale.
    pub fn default_priority(&self) -> String {
        let levels = self.priorities();
        if let Some(p) = &self.actions.default_priority {
            return p.clone();
        }
        match levels.iter().find(|(k, _)| k == "normal") {
            Some((k, _)) => k.clone(),
            None => levels[levels.len() / 2].0.clone(),
        }
    }

    /// A priority typed in any case, as configured, with its deadline in days.
    pub fn check_priority(&self, p: &str) -> Result<(String, i64)> {
        let levels = self.priorities();
        levels
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(p.trim()))
            .cloned()
            .ok_or_else(|| {
                Error::usage(format!(
                    "unknown priority '{}': use one of {}",
                    crate::text::inline(p),
                    levels
                        .iter()
                        .map(|(k, _)| k.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })
    }

    /// Each deadline a span of days (`4w`, `30d`) within a century; no two
    /// levels the same in any case (a level is typed in any case); the
    /// default level one of them.
    fn check_priorities(&self, path: &str) -> Result<()> {
        let levels: Vec<&String> = self.actions.priorities.keys().collect();
        for (i, level) in levels.iter().enumerate() {
            if let Some(twin) = levels[i + 1..]
                .iter()
                .find(|l| l.eq_ignore_ascii_case(level))
            {
                return Err(Error::new(format!(
                    "{path}: actions.priorities has '{}' and '{}', the same level in another case: keep one",
                    crate::text::inline(level),
                    crate::text::inline(twin)
                )));
            }
        }
        for (level, deadline) in &self.actions.priorities {
            match crate::time::relative_days(deadline) {
                Some(d) if (0..=i64::from(MAX_DAYS)).contains(&d) => {}
                _ => {
                    return Err(Error::new(format!(
                        "{path}: actions.priorities.{level} = \"{}\" is not a deadline: use days or weeks such as \"30d\" or \"4w\"",
                        crate::text::inline(deadline)
                    )));
                }
            }
        }
        if let Some(p) = &self.actions.default_priority {
            self.check_priority(p)
                .map_err(|e| Error::new(format!("{path}: actions.default_priority: {e}")))?;
        }
        Ok(())
    }

    /// Whether the team left rule `id` on (`[lint] off`).
    pub fn rule_on(&self, id: &str) -> bool {
        !self.lint.off.iter().any(|o| o == id)
    }

    /// The rules `check` (and every write) holds records to.
    pub fn lint_rules(&self) -> crate::record::lint::Rules<'_> {
        crate::record::lint::Rules {
            severities: &self.severities,
            services: &self.services,
            roster: self
                .strict_roster
                .then(|| self.people.iter().map(Person::display).collect()),
            review_days: Box::new(|severity| self.review_days(severity)),
            blame_words: &self.lint.blame_words,
            vague_actions: &self.lint.vague_actions,
            deploys: self.deploys.is_some(),
            selection: crate::record::lint::Selection {
                only: Vec::new(),
                skip: self.lint.off.clone(),
            },
        }
    }

    /// Days allowed from creation to a finished review, per severity.
    pub fn stale_days(&self) -> u32 {
        self.stale_days.unwrap_or(7)
    }

    pub fn review_days(&self, severity: &str) -> u32 {
        if let Some(d) = self.review_days.get(severity) {
            return *d;
        }
        if let Some(d) = self.review_days.get("default") {
            return *d;
        }
        match self.severities.iter().position(|s| s == severity) {
            Some(0) => 3,
            Some(1) => 5,
            _ => 10,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Config {
        Config::parse(text, "postmortems/config.toml").unwrap_or_else(|e| panic!("{}", e.message))
    }

    /// The error for `text`, which must be one line naming the file.
    fn error(text: &str) -> String {
        let e = Config::parse(text, "postmortems/config.toml").unwrap_err();
        assert!(
            e.message.starts_with("postmortems/config.toml:"),
            "{}",
            e.message
        );
        assert!(!e.message.contains('\n'), "{}", e.message);
        e.message
    }

    #[test]
    fn an_empty_file_is_the_defaults() {
        let c = parse("");
        assert_eq!(c.severities, ["SEV1", "SEV2", "SEV3", "SEV4"]);
        assert_eq!(c.stale_days(), 7);
        assert!(c.services.is_empty() && c.people.is_empty() && !c.strict_roster);
        assert!(matches!(c.zone(), Zone::Local));
        assert!(c.rule_on("no-educate"));
    }

    #[test]
    fn the_default_severity_is_the_middle_of_the_scale_unless_given() {
        // Four levels: index 4 / 2 = 2, SEV3; three: index 1, the second.
        assert_eq!(parse("").default_severity(), "SEV3");
        assert_eq!(
            parse("severities = [\"P1\", \"P2\", \"P3\"]").default_severity(),
            "P2"
        );
        assert_eq!(parse("severities = [\"only\"]").default_severity(), "only");
        assert_eq!(
            parse("default_severity = \"SEV4\"").default_severity(),
            "SEV4"
        );
    }

    #[test]
    fn review_days_by_severity_then_default_then_by_rank() {
        let built_in = parse("");
        // Built in: the worst 3 days, the next 5, the rest 10.
        let days: Vec<u32> = ["SEV1", "SEV2", "SEV3", "SEV4", "unknown"]
            .map(|s| built_in.review_days(s))
            .to_vec();
        assert_eq!(days, [3, 5, 10, 10, 10]);
        let c = parse("[review_days]\nSEV2 = 1\ndefault = 14\n");
        assert_eq!(
            (
                c.review_days("SEV1"),
                c.review_days("SEV2"),
                c.review_days("SEV4")
            ),
            (14, 1, 14)
        );
    }

    #[test]
    fn severities_are_matched_in_any_case_and_spelled_as_configured() {
        let c = parse("");
        assert_eq!(c.check_severity(" sev2 ").unwrap(), "SEV2");
        let e = c.check_severity("SEV9").unwrap_err();
        assert_eq!(e.kind, crate::error::Kind::Usage);
        assert_eq!(
            e.message,
            "unknown severity 'SEV9': use one of SEV1, SEV2, SEV3, SEV4"
        );
    }

    #[test]
    fn a_timezone_is_an_offset_utc_or_local() {
        let seoul = parse("timezone = \"+09:00\"").zone();
        assert!(matches!(seoul, Zone::Fixed(o) if o.local_minus_utc() == 9 * 3600));
        assert!(
            matches!(parse("timezone = \"UTC\"").zone(), Zone::Fixed(o) if o.local_minus_utc() == 0)
        );
        let e = error("timezone = \"Asia/Seoul\"");
        assert!(
            e.contains("timezone = \"Asia/Seoul\" is not understood"),
            "{e}"
        );
    }

    #[test]
    fn an_unknown_field_is_named_with_its_line() {
        let e = error("severities = [\"SEV1\"]\nstale_dayz = 3\n");
        assert!(e.starts_with("postmortems/config.toml:2:1:"), "{e}");
        assert!(e.contains("stale_dayz"), "{e}");
        let e = error("[lint]\nofff = []\n");
        assert!(e.contains("offf"), "{e}");
    }

    #[test]
    fn a_value_of_the_wrong_type_points_at_the_field() {
        let e = error("services = []\nstale_days = \"7\"\n");
        // Line 2, column 14: the value of stale_days. (The message is
        // toml's, "invalid type: string \"7\", expected u32": it does not
        // repeat the key, the place names it.)
        assert!(e.starts_with("postmortems/config.toml:2:14:"), "{e}");
        let e = error("stale_days = -1\n");
        assert!(e.starts_with("postmortems/config.toml:1:14:"), "{e}");
    }

    #[test]
    fn an_empty_severity_scale_is_refused() {
        let e = error("severities = []");
        assert!(e.contains("severities must list at least one level"), "{e}");
    }

    #[test]
    fn day_counts_over_a_century_are_refused_naming_the_field() {
        let e = error("stale_days = 36501");
        assert!(e.contains("stale_days = 36501 is too large"), "{e}");
        let e = error("[review_days]\nSEV1 = 4294967295\n");
        assert!(
            e.contains("review_days.SEV1 = 4294967295 is too large"),
            "{e}"
        );
        assert_eq!(parse("stale_days = 36500").stale_days(), 36_500);
        assert_eq!(parse("stale_days = 0").stale_days(), 0);
    }

    #[test]
    fn severities_named_elsewhere_must_be_on_the_scale() {
        let e = error("default_severity = \"SEV5\"");
        assert!(
            e.contains("default_severity: unknown severity 'SEV5'"),
            "{e}"
        );
        let e = error("[import.pagerduty.severity]\nP1 = \"SEV1\"\nP2 = \"critical\"\n");
        assert!(
            e.contains("import.pagerduty.severity.P2: unknown severity 'critical'"),
            "{e}"
        );
        let ok = parse("[import.pagerduty.severity]\nhigh = \"SEV2\"\n");
        assert_eq!(ok.import.pagerduty.severity["high"], "SEV2");
    }

    #[test]
    fn lint_off_takes_warning_rules_only() {
        let c = parse("[lint]\noff = [\"no-educate\", \"blame-language\"]\n");
        assert!(!c.rule_on("no-educate") && !c.rule_on("blame-language"));
        assert!(c.rule_on("vague-action"));
        let e = error("[lint]\noff = [\"no-such-rule\"]\n");
        assert!(
            e.contains("lint.off: no rule 'no-such-rule': the rules are "),
            "{e}"
        );
        let e = error("[lint]\noff = [\"time-order\"]\n");
        assert!(
            e.contains("'time-order' is an error rule and stays on"),
            "{e}"
        );
    }

    #[test]
    fn review_required_names_severities_on_the_scale() {
        let c = parse("[review]\nrequired = [\"SEV1\", \"sev2\"]\n");
        assert!(c.review_required("SEV1") && c.review_required("SEV2"));
        assert!(!c.review_required("SEV3"));
        assert!(!parse("").review_required("SEV1"));
        let e = error("[review]\nrequired = [\"P1\"]\n");
        assert!(e.contains("review.required: unknown severity 'P1'"), "{e}");
    }

    #[test]
    fn priorities_have_a_built_in_set_or_the_teams_own() {
        let built_in = parse("");
        assert_eq!(
            built_in.priorities(),
            [
                ("high".into(), 28),
                ("normal".into(), 56),
                ("low".into(), 84)
            ]
        );
        assert_eq!(built_in.default_priority(), "normal");
        assert_eq!(
            built_in.check_priority("HIGH").unwrap(),
            ("high".into(), 28)
        );
        let e = built_in.check_priority("urgent").unwrap_err();
        assert_eq!(
            e.message,
            "unknown priority 'urgent': use one of high, normal, low"
        );
        let c = parse("[actions.priorities]\np1 = \"1w\"\np2 = \"30d\"\np3 = \"90d\"\n");
        assert_eq!(c.default_priority(), "p2");
        let c = parse("[actions]\ndefault_priority = \"p1\"\n[actions.priorities]\np1 = \"1w\"\n");
        assert_eq!(c.default_priority(), "p1");
        let e = error("[actions.priorities]\nhigh = \"soon\"\n");
        assert!(
            e.contains("actions.priorities.high = \"soon\" is not a deadline"),
            "{e}"
        );
        let e = error("[actions]\ndefault_priority = \"urgent\"\n");
        assert!(
            e.contains("actions.default_priority: unknown priority 'urgent'"),
            "{e}"
        );
    }

    #[test]
    fn people_show_as_name_and_email() {
        let c = parse(
            "[[people]]\nname = \"이지은\"\nemail = \"jieun@example.com\"\n\n[[people]]\nname = \"Bot\"\n",
        );
        let shown: Vec<String> = c.people.iter().map(Person::display).collect();
        assert_eq!(shown, ["이지은 <jieun@example.com>", "Bot"]);
        let e = error("[[people]]\nemail = \"x@example.com\"\n");
        assert!(e.contains("name"), "{e}");
    }
}
