//! netdoc's engine: pasted terminal output in, diagnosis with evidence and runbooks out.
//!
//! The pipeline (see `ARCHITECTURE.md`): [`split`] → [`detect`] → [`parse`] → facts →
//! trees → findings → runbook. The library does no I/O: it takes `&str` and returns data
//! and strings, so the same code runs in the CLI and in the browser.

pub mod cmdline;
pub mod detect;
pub mod parse;
pub mod report;
pub mod split;

use report::{Finding, Report};

/// The built-in example: the seed lab `broken-net` as an engineer would paste it
/// (Service selector `app=api` vs pods `app=backend`, a deny-all policy, DNS timing out).
pub const EXAMPLE: &str = include_str!("../../tests/scenarios/broken-net-lab/input.txt");

/// Diagnose a paste: the whole pipeline.
pub fn diagnose(input: &str) -> Report {
    let segments = split::split(input, &detect::sniff_kind);
    let mut report = Report { version: report::VERSION, ..Report::default() };
    for seg in &segments {
        let det = detect::detect(seg);
        let first = seg.command_line.unwrap_or(seg.first_line);
        let (status, records, problems) = match det.kind.and_then(|k| parse::parse_as(k, seg)) {
            Some(p) => (format!("{:?}", p.status).to_lowercase(), p.records.len(), p.problems),
            None => ("unrecognized".to_string(), 0, Vec::new()),
        };
        report.segments.push(report::SegmentReport {
            index: seg.index,
            kind: det.kind.map(str::to_string),
            command: seg.command.as_ref().map(|c| c.text.clone()),
            lines: [first, seg.last_line()],
            confidence: det.confidence,
            status,
            why: det.why,
            records,
            problems,
            candidates: det.candidates.iter().map(|c| c.kind.to_string()).collect(),
        });
    }
    report
}

/// The whole report as markdown.
pub fn render_markdown(report: &Report) -> String {
    let mut out = String::from("# netdoc report\n");
    for f in &report.findings {
        out.push_str(&format!("\n## {} — {}\n\n{}\n", f.id, f.title, f.summary));
    }
    out
}

/// One finding's runbook, tailored with its values, as markdown.
pub fn runbook_markdown(finding: &Finding) -> String {
    format!("# {}\n\n{}\n", finding.title, finding.summary)
}
