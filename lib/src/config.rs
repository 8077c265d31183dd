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
}

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
