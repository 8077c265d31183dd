//! The library behind `devops postmortem`: the domain of incident
//! post-mortems kept as TOML records on a branch of their own in the
//! team's git repository. It never prints, prompts or exits: every
//! operation returns values, outcomes and typed errors, and the `devops`
//! binary turns them into words.
//!
//! - `record`: the record (model, IDs, the TOML document and its edits,
//!   status rules, lint, diff, three-way merge). Pure.
//! - `metrics`: stats, triage and DORA's deploy figures over records. Pure.
//! - `deploy`: deploys (tag patterns, CI's JSON lines, one deploy told
//!   twice). Pure.
//! - `sources`: what other tools export (PagerDuty, Alertmanager, Slack,
//!   JSON lines, CSV), read into timeline events. Pure.
//! - `store`: the records branch: reading it, its one write transaction,
//!   history, sync.
//! - `tracker`: the team's issue tracker, through its own CLI.
//! - `ops`: one operation per verb, over a [`session::Session`].

pub mod config;
pub mod deploy;
pub mod error;
pub mod fsio;
pub mod metrics;
pub mod ops;
pub mod people;
#[cfg(test)]
mod proptests;
pub mod record;
pub mod session;
pub mod sources;
pub mod store;
pub mod team;
pub mod templates;
pub mod text;
pub mod time;
pub mod trace;
pub mod tracker;
