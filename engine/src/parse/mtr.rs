//! mtr: the report mode of mtr (`mtr -r -c 10 host`, `mtr --report`, `-w` wide, `-z` AS
//! numbers, `-b` names and addresses, `-n`).
//!
//! Variants: mtr 0.8x–0.92 (`Start: Wed May  1 10:00:00 2024`, hop lines `  1.|-- host`; the
//! oldest `  1. host` without `|--`), mtr 0.93–0.95 (`Start: 2024-05-01T10:00:00+0000`).
//! Columns are read from the `HOST:` header (`Loss%`, `Snt`, `Rcv`, `Drop`, `Last`, `Avg`,
//! `Best`, `Wrst`, `StDev`, `Gmean`, `Jttr`, `Javg`, `Jmax`, `Jint`); without a header the
//! default `Loss% Snt Last Avg Best Wrst StDev` is assumed.
//!
//! Record: one per report (a `Start:` or `HOST:` line after hops starts the next); jc has no
//! mtr parser, so the names are mtr's `--json` ones in snake case: `line`, `start`,
//! `source_host` (after `HOST:`), `columns` (as printed), `error` / `error_line` (`mtr: …`),
//! `hops[{line, hop, asn, host ("???" for no reply), ip (of `-b`'s `name (ip)`),
//! loss_percent, sent, received, dropped, last_ms, avg_ms, best_ms, worst_ms, stddev_ms,
//! geomean_ms, jitter_ms, jitter_avg_ms, jitter_max_ms, jitter_interarrival_ms,
//! other_hosts}]` (`other_hosts`: the further responders mtr lists under a hop).
//!
//! Known noise skipped deliberately: blank lines and `-e`'s `[MPLS: …]` lines. Every other
//! line is a problem with its line number, and so is a hop line whose number of values does
//! not match the header.
//!
//! ```text
//! HOST: node-1                      Loss%   Snt   Last   Avg  Best  Wrst StDev
//!   1.|-- 10.0.0.1                   0.0%    10    0.3   0.4   0.3   0.6   0.1
//! → { source_host: "node-1", hops: [{ line: 2, hop: 1, host: "10.0.0.1", loss_percent: 0.0, sent: 10, avg_ms: 0.4, … }] }
//! ```

use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use pest::Parser;
use serde::Serialize;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/mtr.pest"]
struct P;

/// One mtr report.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Record {
    pub line: usize,
    pub start: Option<String>,
    pub source_host: Option<String>,
    pub columns: Vec<String>,
    pub error: Option<String>,
    pub error_line: Option<usize>,
    pub hops: Vec<Hop>,
}

/// One hop row.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Hop {
    pub line: usize,
    pub hop: u32,
    pub asn: Option<String>,
    pub host: String,
    pub ip: Option<String>,
    pub loss_percent: Option<f64>,
    pub sent: Option<u64>,
    pub received: Option<u64>,
    pub dropped: Option<u64>,
    pub last_ms: Option<f64>,
    pub avg_ms: Option<f64>,
    pub best_ms: Option<f64>,
    pub worst_ms: Option<f64>,
    pub stddev_ms: Option<f64>,
    pub geomean_ms: Option<f64>,
    pub jitter_ms: Option<f64>,
    pub jitter_avg_ms: Option<f64>,
    pub jitter_max_ms: Option<f64>,
    pub jitter_interarrival_ms: Option<f64>,
    pub other_hosts: Vec<String>,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "mtr",
    aliases: &[],
    title: "mtr report",
    commands: &[
        "mtr -r -c 10 10.0.0.7",
        "mtr --report -n 10.0.0.7",
        "mtr -rwz host",
    ],
    variants: &["mtr 0.8x–0.92", "mtr 0.93–0.95"],
    matches_command,
    sniff,
};

const DEFAULT_COLUMNS: &[&str] = &["Loss%", "Snt", "Last", "Avg", "Best", "Wrst", "StDev"];

fn matches_command(cmd: &CommandLine) -> bool {
    matches!(cmd.program.as_str(), "mtr" | "mtr-packet")
}

fn sniff(head: &str) -> Option<f32> {
    let mut score: f32 = 0.0;
    for l in head.lines() {
        let t = l.trim();
        if t.starts_with("HOST: ") && t.contains("Loss%") && t.contains("Snt") {
            score = score.max(0.95);
        } else if t.starts_with("1.|-- ") {
            score = score.max(0.85);
        } else if t.starts_with("mtr: ") {
            score = score.max(0.7);
        }
    }
    (score > 0.0).then_some(score)
}

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out = Output::default();
    let mut cur: Option<Record> = None;
    for (n, raw) in seg.lines() {
        let text = super::probe::capped(raw).trim();
        if text.is_empty() {
            continue;
        }
        let Ok(Some(pair)) = P::parse(Rule::mtr_line, text)
            .map(|mut p| p.next().and_then(|l| l.into_inner().next()))
        else {
            out.problem(
                n,
                format!(
                    "not an mtr report line: expected `Start:`, `HOST: … Loss% Snt …` or `N.|-- host values…`, found `{}`",
                    super::ping::short(text)
                ),
            );
            continue;
        };
        let rule = pair.as_rule();
        // A `Start:` or `HOST:` after hops (or after its own kind) opens the next report.
        if matches!(rule, Rule::start | Rule::header | Rule::tool_error) {
            let next = cur.as_ref().is_some_and(|r| {
                !r.hops.is_empty()
                    || r.error.is_some()
                    || (rule == Rule::start && r.start.is_some())
                    || (rule == Rule::header && r.source_host.is_some())
            });
            if next {
                if let Some(r) = cur.take() {
                    out.records.push(r);
                }
            }
        }
        let r = cur.get_or_insert_with(|| Record {
            line: n,
            ..Record::default()
        });
        match rule {
            Rule::start => r.start = pair.into_inner().next().map(|p| p.as_str().to_string()),
            Rule::header => {
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::source_host => r.source_host = Some(p.as_str().to_string()),
                        Rule::column => r.columns.push(p.as_str().to_string()),
                        _ => {}
                    }
                }
            }
            Rule::tool_error => {
                r.error = pair.into_inner().next().map(|p| p.as_str().to_string());
                r.error_line = Some(n);
            }
            Rule::hop => {
                let mut h = Hop {
                    line: n,
                    ..Hop::default()
                };
                let mut values = Vec::new();
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::hop_number => h.hop = p.as_str().parse().unwrap_or(0),
                        Rule::asn => h.asn = Some(p.as_str().to_string()),
                        Rule::unknown | Rule::host => h.host = p.as_str().to_string(),
                        Rule::host_ip => h.ip = Some(p.as_str().to_string()),
                        Rule::value => values.push(p.as_str()),
                        _ => {}
                    }
                }
                let owned: Vec<&str>;
                let columns: &[&str] = if r.columns.is_empty() {
                    DEFAULT_COLUMNS
                } else {
                    owned = r.columns.iter().map(String::as_str).collect();
                    &owned
                };
                if values.len() != columns.len() {
                    out.problem(
                        n,
                        format!(
                            "mtr hop {}: {} values for {} columns",
                            h.hop,
                            values.len(),
                            columns.len()
                        ),
                    );
                }
                for (col, v) in columns.iter().zip(values) {
                    set(&mut h, col, v);
                }
                r.hops.push(h);
            }
            Rule::other_host => {
                let mut host = String::new();
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::host => host = p.as_str().to_string(),
                        Rule::host_ip => host = p.as_str().to_string(),
                        _ => {}
                    }
                }
                match r.hops.last_mut() {
                    Some(h) => h.other_hosts.push(host),
                    None => out.problem(n, "mtr: a responder line before any hop line"),
                }
            }
            _ => {}
        }
    }
    if let Some(r) = cur.take() {
        out.records.push(r);
    }
    out
}

fn set(h: &mut Hop, column: &str, v: &str) {
    let f = || v.trim_end_matches('%').parse::<f64>().ok();
    let u = || v.parse::<u64>().ok();
    match column {
        "Loss%" => h.loss_percent = f(),
        "Snt" => h.sent = u(),
        "Rcv" => h.received = u(),
        "Drop" => h.dropped = u(),
        "Last" => h.last_ms = f(),
        "Avg" => h.avg_ms = f(),
        "Best" => h.best_ms = f(),
        "Wrst" => h.worst_ms = f(),
        "StDev" => h.stddev_ms = f(),
        "Gmean" => h.geomean_ms = f(),
        "Jttr" => h.jitter_ms = f(),
        "Javg" => h.jitter_avg_ms = f(),
        "Jmax" => h.jitter_max_ms = f(),
        "Jint" => h.jitter_interarrival_ms = f(),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report() {
        let text = "Start: 2024-05-01T10:00:00+0000\nHOST: node-1                      Loss%   Snt   Last   Avg  Best  Wrst StDev\n  1.|-- 10.0.0.1                   0.0%    10    0.3   0.4   0.3   0.6   0.1\n  2.|-- ???                       100.0    10    0.0   0.0   0.0   0.0   0.0\n";
        let out = parse(&Segment::new(text, 1));
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let r = &out.records[0];
        assert_eq!(r.source_host.as_deref(), Some("node-1"));
        assert_eq!(r.hops.len(), 2);
        assert_eq!(r.hops[0].avg_ms, Some(0.4));
        assert_eq!(r.hops[1].host, "???");
        assert_eq!(r.hops[1].loss_percent, Some(100.0));
    }
}
