//! kubectl describe service.
//!
//! STUB: not implemented yet.

use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use serde::Serialize;

/// One parsed record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    /// 1-based input line.
    pub line: usize,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "kubectl-describe-svc",
    aliases: &[],
    title: "kubectl describe service",
    commands: &[],
    variants: &[],
    matches_command,
    sniff,
};

fn matches_command(_cmd: &CommandLine) -> bool {
    false
}

fn sniff(_head: &str) -> Option<f32> {
    None
}

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out = Output::default();
    if let Some((line, _)) = seg.lines().next() {
        out.problem(line, "parser not implemented yet");
    }
    out
}
