//! `getent hosts` / `getent ahosts` (glibc; also musl-based images' `getent`).
//!
//! Commands: `getent hosts NAME`, `getent ahosts NAME`, `getent ahostsv4 NAME`, `getent
//! ahostsv6 NAME`, usually inside `kubectl exec POD -- getent hosts …`. getent goes through
//! nsswitch (`/etc/hosts`, then DNS with the pod's search list), so unlike dig it shows what
//! an application would get.
//!
//! Variants: `hosts` lines (`10.96.12.7      backend.default.svc.cluster.local`, with aliases
//! after the canonical name), `ahosts` lines (`10.96.12.7      STREAM backend…`, then `DGRAM`
//! and `RAW` lines without the name), and the empty output of a name that did not resolve
//! (getent exits 2; `kubectl exec` adds `command terminated with exit code 2`).
//!
//! Record: one per address line: `address`, `socket_type` (`STREAM`/`DGRAM`/`RAW` for
//! `ahosts`, `null` for `hosts`), `names` (the canonical name then aliases; empty on the
//! unnamed `ahosts` lines), `status` `found`; and one record with `status: "not-found"`,
//! `address: null` for kubectl's `command terminated with exit code 2` line (getent's "key
//! not found" exit code; exit code 1 and 3 are other errors, status `error`).
//!
//! Detection: bare `IP  name` lines are exactly the shape of `/etc/hosts`, so they sniff
//! low (0.35), and not at all when they carry `/etc/hosts`-only names (`localhost`,
//! `ip6-localhost`, `ip6-allnodes`, …) or comment lines; `ahosts` lines (a socket type after
//! the address) sniff high.
//!
//! Known lines skipped deliberately: the other lines kubectl prints around a command it
//! ran. Anything else is a problem with its line number.
//!
//! ```text
//! 10.96.12.7      STREAM backend.default.svc.cluster.local
//! → { line: 1, address: 10.96.12.7, socket_type: "STREAM",
//!     names: ["backend.default.svc.cluster.local"], status: "found" }
//! ```

use super::resolv_conf::{inner_command, is_kubectl_noise};
use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use pest::Parser;
use serde::Serialize;
use std::net::IpAddr;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/getent.pest"]
struct P;

/// One `getent hosts|ahosts` line, or the not-found outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    /// 1-based input line.
    pub line: usize,
    pub address: Option<IpAddr>,
    /// `STREAM`, `DGRAM` or `RAW` (`ahosts`); `None` for `hosts`.
    pub socket_type: Option<String>,
    /// Canonical name, then aliases.
    pub names: Vec<String>,
    /// `found`, `not-found` (exit code 2) or `error` (exit codes 1, 3).
    pub status: String,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "getent",
    aliases: &["getent-hosts", "getent-ahosts"],
    title: "getent hosts / ahosts (nsswitch name lookup)",
    commands: &[
        "getent hosts NAME",
        "getent ahosts NAME",
        "getent ahostsv4 NAME",
        "kubectl exec POD -- getent hosts NAME",
    ],
    variants: &[
        "glibc getent hosts",
        "glibc getent ahosts / ahostsv4 / ahostsv6",
    ],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    let (p, args) = inner_command(cmd);
    p == "getent"
        && args
            .iter()
            .find(|a| !a.starts_with('-'))
            .is_some_and(|db| db.starts_with("hosts") || db.starts_with("ahosts"))
}

/// Names only `/etc/hosts` carries: a paste with them is the file, not a lookup.
const HOSTS_FILE_NAMES: &[&str] = &[
    "localhost",
    "localhost.localdomain",
    "ip6-localhost",
    "ip6-loopback",
    "ip6-localnet",
    "ip6-mcastprefix",
    "ip6-allnodes",
    "ip6-allrouters",
    "localhost4",
    "localhost6",
];

fn sniff(head: &str) -> Option<f32> {
    let (mut ahosts, mut hosts, mut bad) = (0usize, 0usize, 0usize);
    for l in head.lines() {
        let t = super::probe::capped(l).trim_end();
        if t.trim().is_empty() || is_kubectl_noise(t.trim()) {
            continue;
        }
        if t.trim_start().starts_with('#') {
            return None;
        }
        if t.split_whitespace()
            .next()
            .is_none_or(|a| a.parse::<IpAddr>().is_err())
        {
            bad += 1;
            continue;
        }
        let Some(p) = P::parse(Rule::getent_line, t)
            .ok()
            .and_then(|mut p| p.next())
            .and_then(|l| l.into_inner().next())
        else {
            // A paste cut mid-line still reads as getent when most lines do.
            bad += 1;
            continue;
        };
        if p.as_rule() == Rule::ahosts_line {
            ahosts += 1;
        } else {
            if p.into_inner()
                .filter(|x| x.as_rule() == Rule::gname)
                .any(|x| HOSTS_FILE_NAMES.contains(&x.as_str()))
            {
                return None;
            }
            hosts += 1;
        }
    }
    if bad > ahosts + hosts {
        None
    } else if ahosts > 0 {
        Some(0.9)
    } else if hosts > 0 {
        Some(0.35)
    } else {
        None
    }
}

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out = Output::default();
    // Not `seg.lines()`: that drops kubectl's `command terminated with exit code N`, which
    // is getent's only output for a name not found.
    let first = seg.first_line;
    let lines = seg
        .body
        .lines()
        .enumerate()
        .map(move |(i, l)| (first + i, l.strip_suffix('\r').unwrap_or(l)));
    for (n, raw) in lines {
        let t = super::probe::capped(raw).trim();
        if t.is_empty() {
            continue;
        }
        if let Some(code) = t.strip_prefix("command terminated with exit code ") {
            let status = match code.trim() {
                "2" => "not-found",
                _ => "error",
            };
            out.records.push(Record {
                line: n,
                address: None,
                socket_type: None,
                names: Vec::new(),
                status: status.into(),
            });
            continue;
        }
        if is_kubectl_noise(t) {
            continue;
        }
        let Some(p) = P::parse(Rule::getent_line, t)
            .ok()
            .and_then(|mut p| p.next())
            .and_then(|l| l.into_inner().next())
        else {
            out.problem(
                n,
                "not a getent line: expected `ADDRESS  NAME…` or `ADDRESS  STREAM|DGRAM|RAW [NAME]`",
            );
            continue;
        };
        let mut rec = Record {
            line: n,
            address: None,
            socket_type: None,
            names: Vec::new(),
            status: "found".into(),
        };
        for x in p.into_inner() {
            match x.as_rule() {
                Rule::ip => rec.address = x.as_str().parse().ok(),
                Rule::socket_type => rec.socket_type = Some(x.as_str().to_string()),
                Rule::gname => rec.names.push(x.as_str().to_string()),
                _ => {}
            }
        }
        if rec.address.is_none() {
            out.problem(
                n,
                "not a getent line: the first column is not an IP address",
            );
            continue;
        }
        out.records.push(rec);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_and_sniff() {
        let out = parse(&Segment::new(
            "10.96.12.7      STREAM backend.default.svc.cluster.local\n10.96.12.7      DGRAM  \n10.96.12.7      RAW    \n",
            1,
        ));
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 3);
        assert!(out.records[1].names.is_empty());
        assert_eq!(sniff("10.96.12.7  STREAM backend"), Some(0.9));
        assert_eq!(
            sniff("10.96.12.7  backend.default.svc.cluster.local"),
            Some(0.35)
        );
        assert_eq!(sniff("127.0.0.1 localhost\n::1 ip6-localhost"), None);
        assert_eq!(sniff("# comment\n10.0.0.1 a"), None);
        assert_eq!(parse(&Segment::new("hello", 5)).problems[0].line, 5);
    }
}
