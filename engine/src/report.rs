//! The report: what `netdoc diagnose` returns, and its stable JSON contract
//! (ARCHITECTURE.md, "Output contract"). Fields are only ever added, never renamed.

use serde::Serialize;

/// JSON contract version.
pub const VERSION: u32 = 1;

/// A whole diagnosis.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub version: u32,
    pub segments: Vec<SegmentReport>,
    /// Most likely root cause first.
    pub findings: Vec<Finding>,
    /// Questions the paste could not answer, each with the command that would.
    pub missing: Vec<Missing>,
    /// The decision-tree walk, step by step.
    pub trace: Vec<TraceStep>,
    /// The five slices of evidence (route/neighbour, socket, DNS, capture,
    /// NAT/conntrack): which the paste holds, and the commands for the others.
    pub evidence: Vec<crate::bundle::Slice>,
    /// The `netdoc collect` command that gathers every slice for this paste's names.
    pub collect: String,
}

/// What the engine made of one segment of the paste.
#[derive(Debug, Clone, Serialize)]
pub struct SegmentReport {
    pub index: usize,
    /// Parser kind, or `null` when unrecognized.
    pub kind: Option<String>,
    /// The command line that introduced it, if pasted.
    pub command: Option<String>,
    /// First and last 1-based input line (the command line included).
    pub lines: [usize; 2],
    pub confidence: f32,
    /// `parsed`, `partial`, `error` or `unrecognized`.
    pub status: String,
    /// Why detection chose this kind.
    pub why: String,
    /// Number of records read.
    pub records: usize,
    /// Lines that could not be read.
    pub problems: Vec<crate::parse::Problem>,
    /// Other kinds the text could be.
    pub candidates: Vec<String>,
}

/// One conclusion, with the lines that prove it.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// Stable id from FINDINGS.md.
    pub id: String,
    /// `dns`, `service`, `transport`, `policy`, `route`, `conntrack`, `addressing`.
    pub layer: String,
    /// `critical`, `error`, `warning`, `info`.
    pub severity: String,
    pub title: String,
    /// One or two sentences with the user's names, IPs and ports.
    pub summary: String,
    pub evidence: Vec<Evidence>,
    /// Runbook id (same as `id`).
    pub runbook: String,
    /// Ids of the findings this one explains (a root cause explains its symptoms).
    pub explains: Vec<String>,
    /// Values the runbook is filled with (`service`, `namespace`, `port`, …).
    pub vars: std::collections::BTreeMap<String, String>,
}

/// An input line that proves a finding, or a calculation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// 1-based line of the whole input; 0 for a calculation that cites no line.
    pub line: usize,
    pub text: String,
}

/// Evidence that is not in the paste, and how to get it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Missing {
    pub question: String,
    pub command: String,
}

/// One question of a tree, and its answer.
#[derive(Debug, Clone, Serialize)]
pub struct TraceStep {
    pub tree: String,
    pub predicate: String,
    pub question: String,
    /// `yes`, `no` or `unknown`.
    pub answer: String,
    pub evidence: Vec<Evidence>,
}
