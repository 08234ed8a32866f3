//! netdoc's engine: pasted terminal output in, diagnosis with evidence and runbooks out.
//!
//! The pipeline (see `ARCHITECTURE.md`): [`split`] → [`detect`] → [`parse`] → facts →
//! trees → findings → runbook. The library does no I/O: it takes `&str` and returns data
//! and strings, so the same code runs in the CLI and in the browser.

pub mod bundle;
pub mod calc;
pub mod cmdline;
pub mod detect;
pub mod facts;
pub mod findings;
pub mod lines;
pub mod parse;
pub mod policy;
pub mod predicates;
pub mod render;
pub mod report;
pub mod runbook;
pub mod split;
pub mod trees;

use report::{Finding, Report};

/// The built-in example: the seed lab `broken-net` as an engineer would paste it
/// (Service selector `app=api` vs pods `app=backend`, a deny-all policy, DNS timing out).
pub const EXAMPLE: &str = include_str!("../../tests/scenarios/broken-net-lab/input.txt");

/// Diagnose a paste: the whole pipeline.
pub fn diagnose(input: &str) -> Report {
    diagnose_in_chunks(input, parse::CHUNK_RECORDS)
}

/// [`diagnose`] with big segments' records handed on `chunk` at a time: the report must
/// not depend on it (tests compare 1 record at a time with all at once).
#[doc(hidden)]
pub fn diagnose_in_chunks(input: &str, chunk: usize) -> Report {
    let segments = split::split(input, &detect::Blocks);
    let mut report = Report {
        version: report::VERSION,
        ..Report::default()
    };
    // Streamed: a segment's records become facts chunk by chunk as its parser reads
    // them, and are dropped at once, so the peak is one chunk of records plus the facts
    // (a 160 MB `conntrack -L` is never held as a million records).
    let mut builder = facts::Builder::default();
    // The NetworkPolicy evaluator reads the Kubernetes-object segments' lines again.
    let mut objects: Vec<&split::Segment> = Vec::new();
    for seg in &segments {
        let det = detect::detect(seg);
        let result = det.kind.and_then(|k| {
            builder.begin(seg, k);
            let streamed = parse::parse_stream(k, seg, chunk, &mut |records| {
                builder.add_records(seg, &records)
            });
            builder.end(seg);
            streamed
        });
        let first = seg.command_line.unwrap_or(seg.first_line);
        let (status, records, problems) = match result {
            Some(p) => {
                if p.kind == "k8s-objects" {
                    objects.push(seg);
                }
                (
                    serde_json::to_value(p.status)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                    p.records,
                    p.problems,
                )
            }
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
    let mut facts = builder.finish();
    // Pasted NetworkPolicies: the evaluator decides flows and lints the policies; the
    // policy tree asks it.
    facts.evaluated = policy::diagnose::findings_in(input, &objects, &facts)
        .map(|found| found.into_iter().map(|e| (e.finding, e.proof)).collect());
    // The trees are embedded and checked by tests; a broken one is skipped, not fatal.
    let trees = trees::load().unwrap_or_default();
    let walk = trees::walk_all(&trees, &facts);
    let index = lines::LineIndex::new(input);
    report.findings = findings::assemble(&walk.emitted, &index);
    report.missing = walk.missing;
    report.evidence = bundle::slices(&facts);
    report.collect = bundle::collect_command(&facts);
    report.trace = walk
        .trace
        .into_iter()
        .map(|mut t| {
            for e in &mut t.evidence {
                e.text = index.quote(e.line);
            }
            t
        })
        .collect();
    report
}

/// The whole report as markdown, each finding's runbook tailored and appended.
pub fn render_markdown(report: &Report) -> String {
    render::markdown(report, &|f| Some(runbook_markdown(f)))
}

/// One finding's runbook, tailored with its values and evidence, as markdown.
pub fn runbook_markdown(finding: &Finding) -> String {
    let body = runbook::render(&finding.id, &finding.vars, &finding.evidence)
        .unwrap_or_else(|e| format!("{e}\n"));
    format!("# Runbook: {} — `{}`\n\n{body}", finding.title, finding.id)
}

/// Split, detect and parse a paste; every segment with its records, as JSON (the value of
/// what `netdoc parse` writes, [`parse::json::write_all`]).
pub fn parse_all(input: &str) -> serde_json::Value {
    parse::json::to_value(input)
}

/// Render a runbook by id with the given values (unset ones stay `<placeholders>`).
pub fn runbook_for(
    id: &str,
    vars: &std::collections::BTreeMap<String, String>,
) -> Result<String, String> {
    let meta = runbook::meta(id)
        .ok_or_else(|| format!("unknown runbook `{id}`; `netdoc runbook list` shows them"))?;
    let body = if vars.is_empty() {
        runbook::render_generic(id)
    } else {
        runbook::render(id, vars, &[])
    };
    let body = body.map_err(|e| e.to_string())?;
    Ok(format!(
        "# {} — `{id}`\n\n*layer `{}` · severity `{}`*\n\n{body}",
        meta.title, meta.layer, meta.severity
    ))
}
