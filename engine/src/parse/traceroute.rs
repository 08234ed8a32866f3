//! traceroute: Linux traceroute (2.0.x/2.1.x, Dmitry Butskoy's), busybox and BSD/macOS.
//!
//! Commands: `traceroute 10.96.0.10`, `traceroute -n 10.0.0.7`, `traceroute -T -p 443
//! 10.96.0.1` (TCP SYN probes), `traceroute -I` (ICMP), `traceroute -A` (AS numbers),
//! `traceroute6`, `busybox traceroute`.
//!
//! Variants: Linux traceroute 2.0.x–2.1.x (all responders of a hop on its line), busybox
//! 1.3x (`46 byte packets`), macOS (other responders on indented lines of their own).
//!
//! Record: one per traceroute run (each `traceroute to` header starts one), jc `traceroute`
//! names: `line`, `destination_ip`, `destination_name`, `max_hops`, `data_bytes`, `source`
//! (`from x`), `error` / `error_line` (`traceroute: bad address 'foo'`, `foo: Name or
//! service not known`), `hops[{line, hop, probes[{annotation, asn, ip, name, rtt}]}]`.
//! Each `*` is a probe with every field `null` (a probe that got no answer), so the number
//! of lost probes is the number of probes without `rtt`. A probe's `name`/`ip` are the last
//! host printed before its time (`gw (10.0.0.1)` gives both; with `-n` the bare address is
//! `ip` and `name` is `null`, as jc has it); `asn` is the number of the `[AS…]` printed
//! before that host (`-A`); `annotation` is the `!H`/`!N`/`!X`/`!F-1450` that follows its time.
//!
//! Known noise skipped deliberately: blank lines, `^C`, `traceroute: Warning: …`. Every
//! other line is a problem with its line number.
//!
//! ```text
//! traceroute to 10.96.0.10 (10.96.0.10), 30 hops max, 60 byte packets
//!  1  10.244.1.1  0.081 ms  *  0.030 ms !H
//! → { line: 1, destination_ip: "10.96.0.10", max_hops: 30, data_bytes: 60,
//!     hops: [{ hop: 1, probes: [{ ip: "10.244.1.1", rtt: 0.081, … }, { ip: null, rtt: null, … },
//!                                { ip: "10.244.1.1", rtt: 0.03, annotation: "!H", … }] }] }
//! ```

use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use pest::iterators::Pair;
use pest::Parser;
use serde::Serialize;
use std::net::IpAddr;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/traceroute.pest"]
struct P;

/// One traceroute run.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Record {
    /// 1-based input line where the run starts.
    pub line: usize,
    pub destination_ip: Option<String>,
    pub destination_name: Option<String>,
    pub max_hops: Option<u32>,
    pub data_bytes: Option<u32>,
    pub source: Option<String>,
    pub error: Option<String>,
    pub error_line: Option<usize>,
    pub hops: Vec<Hop>,
}

/// One hop (a numbered line and, on macOS, its continuation lines).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Hop {
    pub line: usize,
    pub hop: u32,
    pub probes: Vec<Probe>,
}

/// One probe: an answer (`rtt`) or a `*`.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Probe {
    pub annotation: Option<String>,
    /// `-A`'s AS number printed before this probe's host (`[AS15169]` is 15169; `[*]`,
    /// or a host printed without one, is `null`; of `[AS1/AS2]` the first).
    pub asn: Option<u32>,
    pub ip: Option<String>,
    pub name: Option<String>,
    pub rtt: Option<f64>,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "traceroute",
    aliases: &["traceroute6"],
    title: "traceroute",
    commands: &[
        "traceroute 10.96.0.10",
        "traceroute -n 10.0.0.7",
        "traceroute -T -p 443 10.96.0.1",
        "busybox traceroute backend",
    ],
    variants: &[
        "Linux traceroute 2.0.x–2.1.x",
        "busybox 1.3x",
        "macOS / BSD",
    ],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    matches!(
        super::ping::program_of(cmd).0,
        "traceroute" | "traceroute6" | "tcptraceroute"
    )
}

fn sniff(head: &str) -> Option<f32> {
    let mut score: f32 = 0.0;
    for l in head.lines() {
        let t = l.trim();
        if (t.starts_with("traceroute to ") || t.starts_with("traceroute6 to "))
            && t.contains(" hops max")
        {
            score = score.max(0.95);
        } else if t.starts_with("traceroute: ") {
            score = score.max(0.8);
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
        if text.is_empty() || text == "^C" || text.starts_with("traceroute: Warning:") {
            continue;
        }
        let Ok(Some(pair)) = P::parse(Rule::traceroute_line, text)
            .map(|mut p| p.next().and_then(|l| l.into_inner().next()))
        else {
            out.problem(
                n,
                format!(
                    "not a traceroute line: expected `traceroute to …` or `N  host  time ms …`, found `{}`",
                    super::ping::short(text)
                ),
            );
            continue;
        };
        match pair.as_rule() {
            Rule::header => {
                if let Some(r) = cur.take() {
                    out.records.push(r);
                }
                let mut r = Record {
                    line: n,
                    ..Record::default()
                };
                for p in pair.into_inner() {
                    let v = p.as_str();
                    match p.as_rule() {
                        Rule::destination_name => r.destination_name = Some(v.to_string()),
                        Rule::destination_ip => r.destination_ip = Some(v.to_string()),
                        Rule::source => r.source = Some(v.to_string()),
                        Rule::max_hops => r.max_hops = v.parse().ok(),
                        Rule::data_bytes => r.data_bytes = v.parse().ok(),
                        _ => {}
                    }
                }
                cur = Some(r);
            }
            Rule::hop => {
                let mut h = Hop {
                    line: n,
                    ..Hop::default()
                };
                let mut host = Host::default();
                for p in pair.into_inner() {
                    if p.as_rule() == Rule::hop_number {
                        h.hop = p.as_str().parse().unwrap_or(0);
                    } else {
                        item(&mut h.probes, &mut host, p);
                    }
                }
                cur.get_or_insert_with(|| Record {
                    line: n,
                    ..Record::default()
                })
                .hops
                .push(h);
            }
            Rule::continuation => {
                let Some(h) = cur.as_mut().and_then(|r| r.hops.last_mut()) else {
                    out.problem(n, "traceroute: a responder line before any hop line");
                    continue;
                };
                let mut host = Host::default();
                for p in pair.into_inner() {
                    item(&mut h.probes, &mut host, p);
                }
            }
            Rule::tool_error => {
                if cur
                    .as_ref()
                    .is_some_and(|r| !r.hops.is_empty() || r.error.is_some())
                {
                    if let Some(r) = cur.take() {
                        out.records.push(r);
                    }
                }
                let r = cur.get_or_insert_with(|| Record {
                    line: n,
                    ..Record::default()
                });
                r.error = Some(text.to_string());
                r.error_line = Some(n);
            }
            _ => {}
        }
    }
    if let Some(r) = cur.take() {
        out.records.push(r);
    }
    out
}

/// Who answers the following times: the last host printed (`ip`, `name`, and the AS number
/// printed just before it), and an AS number waiting for its host.
#[derive(Default)]
struct Host {
    ip: Option<String>,
    name: Option<String>,
    asn: Option<u32>,
    pending_asn: Option<u32>,
}

/// `[AS15169]` → 15169; `[*]` → None; `[AS64512/AS64513]` → 64512.
fn asn_number(text: &str) -> Option<u32> {
    let digits = text.strip_prefix("[AS")?;
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    digits.get(..end)?.parse().ok()
}

/// Fold one hop item into the probes: a host sets who answers the following times.
fn item(probes: &mut Vec<Probe>, host: &mut Host, p: Pair<'_, Rule>) {
    match p.as_rule() {
        Rule::host => {
            let mut name = None;
            let mut ip = None;
            for q in p.into_inner() {
                match q.as_rule() {
                    Rule::name => name = Some(q.as_str().to_string()),
                    Rule::host_ip => ip = Some(q.as_str().to_string()),
                    _ => {}
                }
            }
            // `-n` prints the address alone: an address and no name (as jc reads it).
            if ip.is_none() && name.as_deref().is_some_and(|n| n.parse::<IpAddr>().is_ok()) {
                ip = name.take();
            }
            host.ip = ip;
            host.name = name;
            host.asn = host.pending_asn.take();
        }
        Rule::asn => host.pending_asn = asn_number(p.as_str()),
        Rule::probe_time => probes.push(Probe {
            annotation: None,
            asn: host.asn,
            ip: host.ip.clone(),
            name: host.name.clone(),
            rtt: p.into_inner().next().and_then(|q| q.as_str().parse().ok()),
        }),
        Rule::star => probes.push(Probe::default()),
        Rule::annotation => {
            if let Some(last) = probes.last_mut() {
                last.annotation = Some(p.as_str().to_string());
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hops() {
        let text = "traceroute to 10.96.0.10 (10.96.0.10), 30 hops max, 60 byte packets\n 1  10.244.1.1 (10.244.1.1)  0.081 ms  0.034 ms  0.030 ms\n 2  * * *\n 3  10.0.0.7  0.5 ms !H  0.4 ms !H  *\n 4  gw (10.0.0.1)  1.0 ms  other (10.0.0.2)  2.0 ms  3.0 ms\n";
        let out = parse(&Segment::new(text, 1));
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let r = &out.records[0];
        assert_eq!(r.destination_ip.as_deref(), Some("10.96.0.10"));
        assert_eq!((r.max_hops, r.data_bytes), (Some(30), Some(60)));
        assert_eq!(r.hops.len(), 4);
        assert_eq!(r.hops[0].probes.len(), 3);
        assert_eq!(r.hops[1].probes, vec![Probe::default(); 3]);
        assert_eq!(r.hops[2].probes[0].annotation.as_deref(), Some("!H"));
        assert_eq!(r.hops[2].probes[0].ip.as_deref(), Some("10.0.0.7"));
        assert_eq!(r.hops[2].probes[2], Probe::default());
        assert_eq!(r.hops[3].probes[1].ip.as_deref(), Some("10.0.0.2"));
        assert_eq!(r.hops[3].probes[1].name.as_deref(), Some("other"));
    }
}
