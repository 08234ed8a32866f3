//! tracepath: iputils `tracepath` / `tracepath6`, the path MTU discovery tool.
//!
//! Commands: `tracepath 10.0.0.7`, `tracepath -n 10.0.0.7`, `tracepath -l 1500 10.0.0.7`,
//! `tracepath6 fd00::7`.
//!
//! Variants: iputils s20121221–s20180629 and 20190709–20240905 (same line shapes; newer
//! versions print `-n` by default in some distributions, so hosts may be names or
//! `name (ip)`).
//!
//! Record: one per tracepath run (a `1?: [LOCALHOST]` line after hops, or any line after a
//! `Resume:`, starts the next), jc `tracepath` names: `line`, `pmtu` (of the `Resume:` /
//! `Too many hops:` line), `forward_hops`, `return_hops`, `too_many_hops` (the run gave up at
//! the hop limit), `error` / `error_line` (`tracepath: foo: Name or service not known`),
//! `hops[{line, ttl, guess (the `1?:` form), host (`[LOCALHOST]`, an address or a name),
//! ip (of `name (ip)`), reply_ms, pmtu, asymmetric_difference, reached, no_reply,
//! annotation (`!H`, `!N`, …)}]`.
//!
//! Known noise skipped deliberately: blank lines and `^C`. Every other line is a problem with
//! its line number.
//!
//! ```text
//!  2:  10.0.0.7                                              0.512ms pmtu 1450
//! → hops: [{ line: 1, ttl: 2, guess: false, host: "10.0.0.7", reply_ms: 0.512, pmtu: 1450, reached: false, … }]
//! ```

use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use pest::iterators::Pair;
use pest::Parser;
use serde::Serialize;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/tracepath.pest"]
struct P;

/// One tracepath run.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Record {
    /// 1-based input line where the run starts.
    pub line: usize,
    pub pmtu: Option<u32>,
    pub forward_hops: Option<u32>,
    pub return_hops: Option<u32>,
    pub too_many_hops: bool,
    pub error: Option<String>,
    pub error_line: Option<usize>,
    pub hops: Vec<Hop>,
}

/// One hop line.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Hop {
    pub line: usize,
    pub ttl: u32,
    /// `1?:` — the TTL was guessed, not read back.
    pub guess: bool,
    pub host: Option<String>,
    pub ip: Option<String>,
    pub reply_ms: Option<f64>,
    pub pmtu: Option<u32>,
    pub asymmetric_difference: Option<u32>,
    pub reached: bool,
    pub no_reply: bool,
    pub annotation: Option<String>,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "tracepath",
    aliases: &["tracepath6"],
    title: "tracepath path MTU discovery",
    commands: &[
        "tracepath 10.0.0.7",
        "tracepath -n 10.0.0.7",
        "tracepath6 fd00::7",
    ],
    variants: &["iputils s20121221–s20180629", "iputils 20190709–20240905"],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    matches!(
        super::ping::program_of(cmd).0,
        "tracepath" | "tracepath6" | "tracepath4"
    )
}

fn sniff(head: &str) -> Option<f32> {
    let mut score: f32 = 0.0;
    for l in head.lines() {
        let t = l.trim();
        if t.contains("[LOCALHOST]") && t.contains("pmtu")
            || t.starts_with("Resume: pmtu ")
            || t.starts_with("Too many hops: pmtu ")
        {
            score = score.max(0.95);
        } else if t.starts_with("tracepath: ") || t.starts_with("tracepath6: ") {
            score = score.max(0.8);
        } else if t.ends_with("ms reached") || t.contains("ms pmtu ") {
            score = score.max(0.85);
        }
    }
    (score > 0.0).then_some(score)
}

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out = Output::default();
    let mut cur: Option<Record> = None;
    let mut finished = false;
    for (n, raw) in seg.lines() {
        let text = super::probe::capped(raw).trim();
        if text.is_empty() || text == "^C" {
            continue;
        }
        let Ok(Some(pair)) = P::parse(Rule::tracepath_line, text)
            .map(|mut p| p.next().and_then(|l| l.into_inner().next()))
        else {
            out.problem(
                n,
                format!(
                    "not a tracepath line: expected `N: host time`, `Resume: pmtu N …`, found `{}`",
                    super::ping::short(text)
                ),
            );
            continue;
        };
        match pair.as_rule() {
            Rule::hop => {
                let h = hop(pair, n);
                // A new run: after a Resume line, or a first-hop LOCALHOST probe after hops.
                let restart = finished
                    || h.host.as_deref() == Some("[LOCALHOST]")
                        && cur.as_ref().is_some_and(|r| !r.hops.is_empty());
                if restart {
                    if let Some(r) = cur.take() {
                        out.records.push(r);
                    }
                    finished = false;
                }
                cur.get_or_insert_with(|| new(n)).hops.push(h);
            }
            Rule::resume => {
                if finished {
                    if let Some(r) = cur.take() {
                        out.records.push(r);
                    }
                }
                let r = cur.get_or_insert_with(|| new(n));
                // `Too many hops:` is followed by its run's `Resume:` line: only that ends it.
                let mut too_many = false;
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::too_many => too_many = true,
                        Rule::pmtu => r.pmtu = p.as_str().parse().ok(),
                        Rule::forward => r.forward_hops = p.as_str().parse().ok(),
                        Rule::back => r.return_hops = p.as_str().parse().ok(),
                        _ => {}
                    }
                }
                r.too_many_hops |= too_many;
                finished = !too_many;
            }
            Rule::tool_error => {
                if finished || cur.as_ref().is_some_and(|r| r.error.is_some()) {
                    if let Some(r) = cur.take() {
                        out.records.push(r);
                    }
                }
                let r = cur.get_or_insert_with(|| new(n));
                r.error = pair
                    .into_inner()
                    .next()
                    .map(|p| p.as_str().trim().to_string());
                r.error_line = Some(n);
                finished = true;
            }
            _ => {}
        }
    }
    if let Some(r) = cur.take() {
        out.records.push(r);
    }
    out
}

fn new(n: usize) -> Record {
    Record {
        line: n,
        ..Record::default()
    }
}

fn hop(pair: Pair<'_, Rule>, n: usize) -> Hop {
    let mut h = Hop {
        line: n,
        ..Hop::default()
    };
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::ttl => h.ttl = p.as_str().parse().unwrap_or(0),
            Rule::guess => h.guess = true,
            Rule::host => h.host = Some(p.as_str().to_string()),
            Rule::host_ip => h.ip = Some(p.as_str().to_string()),
            Rule::rtt => h.reply_ms = p.into_inner().next().and_then(|q| q.as_str().parse().ok()),
            Rule::pmtu => h.pmtu = p.as_str().parse().ok(),
            Rule::asymm => h.asymmetric_difference = p.as_str().parse().ok(),
            Rule::reached => h.reached = true,
            Rule::no_reply => h.no_reply = true,
            Rule::send_failed => h.annotation = Some("send failed".into()),
            Rule::annotation => h.annotation = Some(p.as_str().to_string()),
            _ => {}
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hop_lines() {
        let text = " 1?: [LOCALHOST]                      pmtu 1500\n 1:  10.0.0.1                                              0.345ms\n 2:  10.0.0.7                                              0.512ms pmtu 1450\n 2:  node-2 (10.0.0.7)   0.498ms reached\n 3:  no reply\n 4:  10.0.0.9   1.1ms asymm  5\n     Resume: pmtu 1450 hops 2 back 2 \n";
        let out = parse(&Segment::new(text, 1));
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let r = &out.records[0];
        assert_eq!(
            (r.pmtu, r.forward_hops, r.return_hops),
            (Some(1450), Some(2), Some(2))
        );
        assert_eq!(r.hops.len(), 6);
        assert!(r.hops[0].guess);
        assert_eq!(r.hops[0].pmtu, Some(1500));
        assert_eq!(r.hops[2].pmtu, Some(1450));
        assert_eq!(r.hops[3].ip.as_deref(), Some("10.0.0.7"));
        assert!(r.hops[3].reached);
        assert!(r.hops[4].no_reply);
        assert_eq!(r.hops[5].asymmetric_difference, Some(5));
    }
}
