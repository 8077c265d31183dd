//! Integration tests: the real `devops` binary against real temporary git
//! repositories, checked with the git CLI and an independent TOML parse.

mod helpers;
mod hostile;
mod hostile_team;
mod support;
mod team;
mod tracker_standins;
mod trust;

mod architecture;
mod at_3am;
mod audit;
mod bad_input;
mod caches;
mod deploys;
mod digest;
mod driver_model;
mod examples;
mod field_reports;
mod follow_through;
mod git_behaviour;
mod index_layouts;
mod interactive;
mod lifecycle;
mod outputs;
mod read_commands;
mod records_branch;
mod reports;
mod repos;
mod said_not_skipped;
mod serve;
mod sharing;
mod snapshots;
mod sources;
mod team_clock;
mod team_view;
mod terminal;
mod trackers;
mod wall_browser;
mod week;
mod writeup;
