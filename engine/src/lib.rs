//! netdoc's engine: pasted terminal output in, diagnosis with evidence and runbooks out.
//!
//! The pipeline (see `ARCHITECTURE.md`): [`split`] → [`detect`] → [`parse`] → facts →
//! trees → findings → runbook. The library does no I/O: it takes `&str` and returns data
//! and strings, so the same code runs in the CLI and in the browser.

pub mod cmdline;
pub mod detect;
pub mod parse;
pub mod report;
pub mod runbook;
pub mod split;
