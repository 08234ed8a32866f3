//! ip-neigh: the neighbour (ARP / NDP) table as `ip neigh` prints it.
//!
//! Commands: `ip neigh`, `ip n`, `ip neigh show dev flannel.1`, `ip -4 neigh`, `ip -6 n`,
//! `ip -s neigh`, `ip neigh show nud all`, also inside `ip netns exec` / `nsenter`.
//!
//! Variants: iproute2 4.x (double space before a state with no `lladdr`), 5.x and 6.x
//! (`proto zebra`, `extern_learn`), BusyBox `ip neigh`. Entries: `10.0.0.1 dev eth0 lladdr
//! 52:54:00:12:34:56 REACHABLE`, flannel's `10.244.2.0 dev flannel.1 lladdr … PERMANENT`,
//! `10.0.0.9 dev eth0 FAILED`, `INCOMPLETE`, `STALE`, `DELAY`, `PROBE`, `NOARP`, IPv6 with
//! `router`, `-s`'s `used 12/12/9 probes 1`.
//!
//! Record (jc-like names): `line: usize`, `ip: IpAddr`, `dev: Option<String>` (absent
//! when the command named it: `ip neigh show dev eth0` prints no `dev`; then it comes from
//! the command line), `lladdr: Option<String>`, `router: bool`, `state: Option<String>`
//! (`REACHABLE`, `FAILED`, …; several joined by a space), `flags: Vec<String>` (`proxy`,
//! `extern_learn`, `offload`, …), `proto: Option<String>`.
//!
//! `RTNETLINK answers: …` / `Device "x" does not exist.` lines are problems with their text
//! (there is no table); so is every line that is not an entry. Lines are read one at a time,
//! each capped at 16 KiB.
//!
//! ```text
//! 10.0.0.9 dev eth0  FAILED
//! → { line: 1, ip: "10.0.0.9", dev: "eth0", lladdr: null, router: false, state: "FAILED", … }
//! ```

use super::iproute::{ip_call, Object};
use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use pest::Parser;
use serde::Serialize;
use std::net::IpAddr;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/ip_neigh.pest"]
struct P;

/// One neighbour entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    /// 1-based input line.
    pub line: usize,
    pub ip: IpAddr,
    pub dev: Option<String>,
    pub lladdr: Option<String>,
    pub router: bool,
    pub state: Option<String>,
    pub flags: Vec<String>,
    pub proto: Option<String>,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "ip-neigh",
    aliases: &["ip-neighbor", "ip-neighbour"],
    title: "ip neigh (ARP/NDP) tables",
    commands: &[
        "ip neigh",
        "ip n",
        "ip neigh show dev flannel.1",
        "ip -s neigh",
    ],
    variants: &["iproute2 4.x", "iproute2 5.x", "iproute2 6.x", "BusyBox ip"],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    ip_call(cmd).is_some_and(|c| c.object == Object::Neigh && c.show && !c.json)
}

const STATES: &[&str] = &[
    "INCOMPLETE",
    "REACHABLE",
    "STALE",
    "DELAY",
    "PROBE",
    "FAILED",
    "NOARP",
    "PERMANENT",
];

fn sniff(head: &str) -> Option<f32> {
    let mut best: f32 = 0.0;
    for l in head.lines() {
        let mut w = l.split_whitespace();
        let Some(first) = w.next() else { continue };
        if first.parse::<IpAddr>().is_err() {
            continue;
        }
        let words: Vec<&str> = w.take(16).collect();
        let state = words.last().is_some_and(|s| STATES.contains(s));
        if words.contains(&"lladdr") && state {
            best = best.max(0.95);
        } else if state && (words.first() == Some(&"dev") || words.contains(&"lladdr")) {
            best = best.max(0.9);
        }
    }
    (best > 0.0).then_some(best)
}

/// The `dev X` of an `ip neigh show dev X` command line.
fn command_dev(cmd: Option<&CommandLine>) -> Option<String> {
    let call = ip_call(cmd?)?;
    let i = call.rest.iter().position(|w| w == "dev")?;
    call.rest.get(i + 1).cloned()
}

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out: Output<Record> = Output::default();
    let dev = command_dev(seg.command.as_ref());
    for (n, raw) in seg.lines() {
        let text = super::probe::capped(raw).trim();
        if text.is_empty() {
            continue;
        }
        let first = text.split_whitespace().next().unwrap_or("");
        if first.parse::<IpAddr>().is_err() && !super::iproute::is_ip_error(text) {
            out.problem(
                n,
                format!(
                    "not an ip neigh entry: expected `ADDRESS dev … [lladdr …] STATE`, found `{}`",
                    super::common::capped_at(first, 64)
                ),
            );
            continue;
        }
        let pair = match P::parse(Rule::neigh_line, text) {
            Ok(mut p) => p.next().and_then(|l| l.into_inner().next()),
            Err(e) => {
                out.problems
                    .push(super::pest_problem(&e, n, "not an ip neigh entry"));
                continue;
            }
        };
        let Some(pair) = pair else { continue };
        if pair.as_rule() == Rule::ip_error {
            out.problem(n, format!("ip printed an error, not neighbours: {text}"));
            continue;
        }
        let mut r = Record {
            line: n,
            ip: IpAddr::from([0, 0, 0, 0]),
            dev: dev.clone(),
            lladdr: None,
            router: false,
            state: None,
            flags: Vec::new(),
            proto: None,
        };
        let mut ok = true;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::neigh_ip => match p.as_str().parse() {
                    Ok(ip) => r.ip = ip,
                    Err(_) => {
                        out.problem(n, format!("`{}`: not an IP address", p.as_str()));
                        ok = false;
                    }
                },
                Rule::neigh_attr => {
                    let mut key = "";
                    for a in p.into_inner() {
                        match a.as_rule() {
                            Rule::neigh_key => key = a.as_str(),
                            Rule::word => match key {
                                "dev" => r.dev = Some(a.as_str().to_string()),
                                "lladdr" => r.lladdr = Some(a.as_str().to_string()),
                                "proto" | "protocol" => r.proto = Some(a.as_str().to_string()),
                                _ => {}
                            },
                            Rule::neigh_flag if a.as_str() == "router" => r.router = true,
                            Rule::neigh_flag => r.flags.push(a.as_str().to_string()),
                            Rule::nud_state => {
                                r.state = Some(match r.state.take() {
                                    Some(s) => format!("{s} {}", a.as_str()),
                                    None => a.as_str().to_string(),
                                })
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        if ok {
            out.records.push(r);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries() {
        let out = parse(&Segment::new(
            "fe80::1 dev eth0 lladdr 52:54:00:12:34:56 router STALE\n10.0.0.9 dev eth0  FAILED\nbad dev eth0 FAILED",
            1,
        ));
        assert_eq!(out.records.len(), 2);
        assert!(out.records[0].router);
        assert_eq!(out.records[1].state.as_deref(), Some("FAILED"));
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].line, 3);
    }
}
