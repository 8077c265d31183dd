//! Operations: what a command does, below the argument parsing of `cli/`
//! and above `record/` (the data) and `store/` (git). A command in `cli/`
//! parses its flags, calls one operation, and renders what it returns.

pub mod check;
pub mod demo;
pub mod fixes;
pub mod import;
pub mod related;
pub mod search;
pub mod sync;
