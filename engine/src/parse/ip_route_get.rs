//! ip-route-get: which route the kernel picks for one address, as `ip route get` answers.
//!
//! Commands: `ip route get 10.96.0.10`, `ip r g 8.8.8.8`, `ip -6 route get 2001:db8::1`,
//! `ip route get 10.244.1.5 from 10.244.2.3 iif cni0`, `ip route get 10.96.0.10 mark 0x4000`,
//! also inside `ip netns exec` / `nsenter`.
//!
//! Variants: iproute2 4.x (no `uid`, double spaces), 5.x and 6.x (`uid 0`), and the errors
//! ip prints instead of an answer: `RTNETLINK answers: Network is unreachable`, `… No route
//! to host` (an `unreachable` route), `… Invalid argument` (a `blackhole` route on old
//! kernels), `… Permission denied` (`prohibit`), `Error: any valid prefix is expected rather
//! than "foo".`, `Error: inet prefix is expected rather than "…".`
//!
//! Record: `line: usize`, `destination: Option<IpAddr>` (for an error, the address of the
//! command line when there is one), `kind: String` (`unicast`, `local`, `broadcast`,
//! `multicast`, `unreachable`, …; `error` for an error line), `from: Option<IpAddr>`, `via:
//! Option<IpAddr>`, `dev`, `src: Option<IpAddr>`, `table`, `proto`, `metric: Option<u32>`,
//! `uid: Option<u32>`, `mark`, `iif` (from the answer or its cache line), `mtu: Option<u32>`
//! (the cache line's path MTU, else the route's), `cache_flags: Vec<String>` (`<local,brd>` →
//! `["local", "brd"]`), `error: Option<String>` (the text after `RTNETLINK answers: ` or
//! `Error: `).
//!
//! The `cache …` line belongs to the answer above it; one with no answer above it, and any
//! other line, is a problem. Lines are read one at a time, each capped at 16 KiB.
//!
//! ```text
//! 10.96.0.10 via 10.0.0.1 dev eth0 src 10.0.0.5 uid 0
//!     cache
//! → { line: 1, destination: "10.96.0.10", kind: "unicast", via: "10.0.0.1", dev: "eth0",
//!     src: "10.0.0.5", uid: 0, error: null, … }
//! ```

use super::iproute::{ip_call, Object};
use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use pest::iterators::Pair;
use pest::Parser;
use serde::Serialize;
use std::net::IpAddr;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/ip_route.pest"]
#[grammar = "../grammar/ip_route_get.pest"]
struct P;

/// One answer (or the error that came instead).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    /// 1-based input line.
    pub line: usize,
    pub destination: Option<IpAddr>,
    pub kind: String,
    pub from: Option<IpAddr>,
    pub via: Option<IpAddr>,
    pub dev: Option<String>,
    pub src: Option<IpAddr>,
    pub table: Option<String>,
    pub proto: Option<String>,
    pub metric: Option<u32>,
    pub uid: Option<u32>,
    pub mark: Option<String>,
    pub iif: Option<String>,
    pub mtu: Option<u32>,
    pub cache_flags: Vec<String>,
    pub error: Option<String>,
}

impl Record {
    fn empty(line: usize) -> Record {
        Record {
            line,
            destination: None,
            kind: "unicast".into(),
            from: None,
            via: None,
            dev: None,
            src: None,
            table: None,
            proto: None,
            metric: None,
            uid: None,
            mark: None,
            iif: None,
            mtu: None,
            cache_flags: Vec::new(),
            error: None,
        }
    }
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "ip-route-get",
    aliases: &[],
    title: "ip route get answers",
    commands: &[
        "ip route get 10.96.0.10",
        "ip r g 8.8.8.8",
        "ip -6 route get 2001:db8::1",
    ],
    variants: &["iproute2 4.x (no uid)", "iproute2 5.x", "iproute2 6.x"],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    ip_call(cmd).is_some_and(|c| c.object == Object::Route && c.get && !c.json)
}

fn sniff(head: &str) -> Option<f32> {
    let mut answer = false;
    let mut cache = false;
    let mut uid = false;
    let mut error = false;
    for l in head.lines() {
        let t = l.trim();
        if t == "cache"
            || t.starts_with("cache <")
            || t.starts_with("cache iif ")
            || t.starts_with("cache expires ")
        {
            cache = true;
        } else if t.starts_with("RTNETLINK answers: ")
            && (t.contains("unreachable") || t.contains("No route to host"))
        {
            error = true;
        } else {
            let mut w = t.split_whitespace();
            let first = w.next().unwrap_or("");
            let first = match first {
                "local" | "broadcast" | "multicast" | "unreachable" => w.next().unwrap_or(""),
                f => f,
            };
            if first.parse::<IpAddr>().is_ok() && t.contains(" dev ") {
                answer = true;
                uid |= t.contains(" uid ");
            }
        }
    }
    match (answer, cache, uid) {
        (true, true, _) => Some(0.97),
        (true, false, true) => Some(0.92),
        _ if error => Some(0.6),
        _ => None,
    }
}

/// The address a `ip route get …` command line asks about.
fn asked(cmd: Option<&CommandLine>) -> Option<IpAddr> {
    let call = ip_call(cmd?)?;
    let mut words = call.rest.iter();
    while let Some(w) = words.next() {
        match w.as_str() {
            "to" | "fibmatch" | "connected" => {}
            "from" | "iif" | "oif" | "mark" | "tos" | "dsfield" | "vrf" | "ipproto" | "sport"
            | "dport" | "uid" | "as" => {
                words.next();
            }
            other => return other.split('/').next()?.parse().ok(),
        }
    }
    None
}

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out = Output::default();
    let wanted = asked(seg.command.as_ref());
    // The last answer takes the cache line below it.
    let mut open = false;
    for (n, raw) in seg.lines() {
        let text = super::probe::capped(raw).trim();
        if text.is_empty() {
            continue;
        }
        let line = match P::parse(Rule::get_line, text) {
            Ok(mut p) => p.next().and_then(|l| l.into_inner().next()),
            Err(e) => {
                let mut p = super::pest_problem(&e, n, "not an ip route get answer");
                if p.message.ends_with(" at column 1") {
                    p.message = "not an ip route get answer: expected `ADDRESS [via …] dev … src …`, `cache …` or `RTNETLINK answers: …`".into();
                }
                out.problems.push(p);
                open = false;
                continue;
            }
        };
        let Some(line) = line else { continue };
        match line.as_rule() {
            Rule::ip_error => {
                let msg = text
                    .strip_prefix("RTNETLINK answers:")
                    .or_else(|| text.strip_prefix("Error:"))
                    .unwrap_or(text)
                    .trim();
                let mut r = Record::empty(n);
                r.kind = "error".into();
                r.destination = wanted;
                r.error = Some(msg.to_string());
                out.records.push(r);
                open = false;
            }
            Rule::answer => {
                let mut r = Record::empty(n);
                match fill(&mut r, line) {
                    Ok(()) => {
                        out.records.push(r);
                        open = true;
                    }
                    Err(m) => {
                        out.problem(n, m);
                        open = false;
                    }
                }
            }
            Rule::cache => match out.records.last_mut().filter(|_| open) {
                Some(r) => {
                    if let Err(m) = fill(r, line) {
                        out.problem(n, m);
                    }
                    open = false;
                }
                None => out.problem(n, "`cache` line with no route answer above it"),
            },
            _ => {}
        }
    }
    out
}

fn fill(r: &mut Record, pair: Pair<'_, Rule>) -> Result<(), String> {
    let addr = |k: &str, v: &str| -> Result<IpAddr, String> {
        v.parse()
            .map_err(|_| format!("`{k} {v}`: not an IP address"))
    };
    let num = |k: &str, v: &str| -> Result<u32, String> {
        v.parse().map_err(|_| format!("`{k} {v}`: not a number"))
    };
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::route_type => r.kind = p.as_str().to_string(),
            Rule::destination => {
                r.destination = Some(addr(
                    "destination",
                    p.as_str().split('/').next().unwrap_or(""),
                )?)
            }
            Rule::cache_flags => {
                let inner = p.as_str().trim_start_matches('<').trim_end_matches('>');
                r.cache_flags.extend(
                    inner
                        .split(',')
                        .filter(|f| !f.is_empty())
                        .map(str::to_string),
                );
            }
            Rule::get_attribute => {
                let mut key = "";
                let mut value = "";
                for a in p.into_inner() {
                    match a.as_rule() {
                        Rule::get_key => key = a.as_str(),
                        Rule::word => value = a.as_str(),
                        Rule::route_attribute => {
                            for b in a.into_inner() {
                                match b.as_rule() {
                                    Rule::route_key => key = b.as_str(),
                                    Rule::word => value = b.as_str(),
                                    Rule::route_flag => key = "flag",
                                    _ => {}
                                }
                            }
                        }
                        _ => {}
                    }
                }
                match key {
                    "from" => r.from = Some(addr(key, value)?),
                    "via" => r.via = Some(addr(key, value)?),
                    "dev" => r.dev = Some(value.to_string()),
                    "src" => r.src = Some(addr(key, value)?),
                    "table" => r.table = Some(value.to_string()),
                    "proto" => r.proto = Some(value.to_string()),
                    "metric" => r.metric = Some(num(key, value)?),
                    "uid" => r.uid = Some(num(key, value)?),
                    "mark" => r.mark = Some(value.to_string()),
                    "iif" => r.iif = Some(value.to_string()),
                    "mtu" => r.mtu = Some(num(key, value)?),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answer_and_cache() {
        let seg = Segment::new(
            "local 10.0.0.5 dev lo table local src 10.0.0.5 uid 0 \n    cache <local> ",
            1,
        );
        let out = parse(&seg);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let r = &out.records[0];
        assert_eq!(r.kind, "local");
        assert_eq!(r.cache_flags, vec!["local"]);
        assert_eq!(r.table.as_deref(), Some("local"));
    }

    #[test]
    fn error_takes_the_asked_address() {
        let seg = Segment::with_command(
            "RTNETLINK answers: Network is unreachable",
            2,
            "ip route get 10.96.0.10",
        );
        let out = parse(&seg);
        let r = &out.records[0];
        assert_eq!(r.destination, Some("10.96.0.10".parse().unwrap()));
        assert_eq!(r.error.as_deref(), Some("Network is unreachable"));
    }
}
