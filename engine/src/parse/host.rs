//! `host` (ISC bind 9.11–9.20), the default non-verbose form.
//!
//! Commands: `host NAME`, `host -t A NAME`, `host NAME SERVER`, `host -t AAAA NAME`, `host IP`
//! (a reverse lookup), usually inside `kubectl exec POD -- host …` or `kubectl run … -- host …`.
//!
//! Variants: 9.11–9.16 timeouts (`;; connection timed out; no servers could be reached`),
//! 9.18+ timeouts (`;; communications error to 10.96.0.10#53: timed out` lines, then `;; no
//! servers could be reached`), the `Using domain server:` block printed when a server is
//! given on the command line.
//!
//! Record: one per answer or outcome line. `name` (the owner name as printed, or the name of
//! `Host NAME not found`), `record_type` (`A`, `AAAA`, `CNAME`, `PTR`, `MX`, the type of `has no
//! TYPE record`, …), `address` (`A`/`AAAA`), `target` (the CNAME, PTR or MX target, or the rest
//! of other records), `status` (`answered`, `nxdomain`, `servfail`, `refused`, `not-found`
//! (no rcode printed), `no-record`, `timeout`, `connection-refused`, `error`), `rcode` (`3(NXDOMAIN)`
//! → `NXDOMAIN`), `server` (the `Name:` of the `Using domain server:` block, when printed).
//!
//! Known lines skipped deliberately: the `Using domain server:` block itself (it only sets
//! `server`), `;; Warning:` / `;; Truncated` lines, a `;; communications error …: timed out`
//! that a later answer or `;; no servers could be reached` settles, and the lines kubectl
//! prints around a command it ran. `host: …` errors (`host: couldn't get address for 'x': not
//! found`) are records with status `error`.
//!
//! ```text
//! backend.default.svc.cluster.local has address 10.96.12.7
//! → { line: 1, name: "backend.default.svc.cluster.local", record_type: "A",
//!     address: 10.96.12.7, target: null, status: "answered", rcode: null, server: null }
//! ```

use super::resolv_conf::{inner_command, is_kubectl_noise};
use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use pest::iterators::Pair;
use pest::Parser;
use serde::Serialize;
use std::net::IpAddr;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/host.pest"]
struct P;

/// One answer or outcome line of `host`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    /// 1-based input line.
    pub line: usize,
    pub name: Option<String>,
    /// `A`, `AAAA`, `CNAME`, `PTR`, `MX`, …
    pub record_type: Option<String>,
    pub address: Option<IpAddr>,
    /// CNAME / PTR / MX target, or the data of another record type.
    pub target: Option<String>,
    /// `answered`, `nxdomain`, `servfail`, `refused`, `not-found`, `no-record`, `timeout`,
    /// `connection-refused`, `error`.
    pub status: String,
    /// The rcode name of `Host x not found: 3(NXDOMAIN)`.
    pub rcode: Option<String>,
    /// The server of a `Using domain server:` block.
    pub server: Option<String>,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "host",
    aliases: &["bind-host"],
    title: "host (bind DNS lookup utility)",
    commands: &[
        "host NAME",
        "host -t A NAME",
        "host NAME SERVER",
        "kubectl exec POD -- host NAME",
    ],
    variants: &[
        "ISC host 9.11–9.16 (connection timed out)",
        "ISC host 9.18–9.20 (communications error)",
        "with a server argument (Using domain server:)",
    ],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    inner_command(cmd).0 == "host"
}

fn rule_of(t: &str) -> Option<Pair<'_, Rule>> {
    P::parse(Rule::host_line, t)
        .ok()?
        .next()?
        .into_inner()
        .next()
}

fn sniff(head: &str) -> Option<f32> {
    let mut score: f32 = 0.0;
    for l in head.lines() {
        let t = super::probe::capped(l).trim();
        if t.contains(" has address ")
            || t.contains(" has IPv6 address ")
            || t.contains(" is an alias for ")
            || t.contains(" domain name pointer ")
            || (t.starts_with("Host ") && t.contains(" not found"))
            || t == "Using domain server:"
        {
            if let Some(p) = rule_of(t) {
                score = score.max(if p.as_rule() == Rule::using_server {
                    0.9
                } else {
                    0.85
                });
            }
        }
    }
    (score > 0.0).then_some(score)
}

fn text_of(pair: &Pair<'_, Rule>, rule: Rule) -> Option<String> {
    pair.clone()
        .into_inner()
        .find(|p| p.as_rule() == rule)
        .map(|p| p.as_str().trim().to_string())
}

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out = Output::default();
    let mut server: Option<String> = None;
    let mut in_server_block = false;
    // Line of a `communications error …: timed out` not yet settled.
    let mut pending_timeout: Option<usize> = None;
    for (n, raw) in seg.lines() {
        let t = super::probe::capped(raw).trim();
        if t.is_empty() || is_kubectl_noise(t) {
            continue;
        }
        let Some(pair) = rule_of(t) else {
            out.problem(
                n,
                "not a host line: expected `NAME has address IP`, `NAME is an alias for NAME`, `Host NAME not found: …` or `Using domain server:`",
            );
            continue;
        };
        let rule = pair.as_rule();
        let mut rec = Record {
            line: n,
            name: text_of(&pair, Rule::hname),
            record_type: None,
            address: None,
            target: None,
            status: "answered".into(),
            rcode: None,
            server: server.clone(),
        };
        match rule {
            Rule::using_server => {
                in_server_block = true;
                continue;
            }
            Rule::srv_name | Rule::srv_address | Rule::srv_aliases => {
                if !in_server_block {
                    out.problem(
                        n,
                        "a `Name:`/`Address:` line outside a `Using domain server:` block",
                    );
                } else if rule == Rule::srv_name {
                    server = text_of(&pair, Rule::srv_value).filter(|s| !s.is_empty());
                } else if rule == Rule::srv_address && server.is_none() {
                    server = text_of(&pair, Rule::srv_value)
                        .map(|s| s.split('#').next().unwrap_or(&s).to_string());
                }
                continue;
            }
            Rule::has_address | Rule::has_ipv6 => {
                rec.record_type = Some(
                    if rule == Rule::has_address {
                        "A"
                    } else {
                        "AAAA"
                    }
                    .into(),
                );
                rec.address = text_of(&pair, Rule::ip).and_then(|s| s.parse().ok());
                if rec.address.is_none() {
                    out.problem(n, "host: the address is not an IP address");
                    continue;
                }
            }
            Rule::alias | Rule::pointer | Rule::mail => {
                rec.record_type = Some(
                    match rule {
                        Rule::alias => "CNAME",
                        Rule::pointer => "PTR",
                        _ => "MX",
                    }
                    .into(),
                );
                rec.target = pair
                    .clone()
                    .into_inner()
                    .filter(|p| p.as_rule() == Rule::hname)
                    .nth(1)
                    .map(|p| p.as_str().to_string());
            }
            Rule::no_record => {
                rec.record_type = text_of(&pair, Rule::rtype_word);
                rec.status = "no-record".into();
            }
            Rule::other_record => {
                rec.record_type = text_of(&pair, Rule::rtype_word);
                rec.target = text_of(&pair, Rule::rest);
            }
            Rule::not_found => {
                rec.rcode = text_of(&pair, Rule::rcode_name);
                rec.status = match rec.rcode.as_deref() {
                    Some("NXDOMAIN") => "nxdomain",
                    Some("SERVFAIL") => "servfail",
                    Some("REFUSED") => "refused",
                    Some(_) => "error",
                    None => "not-found",
                }
                .into();
            }
            Rule::timed_out => {
                pending_timeout = None;
                rec.name = None;
                rec.status = "timeout".into();
            }
            Rule::comm_error => {
                let reason = text_of(&pair, Rule::rest).unwrap_or_default();
                if reason.contains("timed out") {
                    pending_timeout.get_or_insert(n);
                    continue;
                }
                rec.target = rec.name.take();
                rec.status = if reason.contains("refused") {
                    "connection-refused"
                } else {
                    "error"
                }
                .into();
            }
            Rule::no_servers => {
                if pending_timeout.take().is_none() {
                    // The comm errors were refusals, already recorded.
                    continue;
                }
                rec.name = None;
                rec.status = "timeout".into();
            }
            Rule::host_error => {
                rec.name = None;
                rec.target = text_of(&pair, Rule::rest);
                rec.status = "error".into();
            }
            // warnings
            _ => continue,
        }
        if rule != Rule::comm_error && rule != Rule::no_servers {
            pending_timeout = None;
        }
        in_server_block = false;
        out.records.push(rec);
    }
    // 9.18 retries print `communications error` per try; with nothing after them the
    // lookup timed out.
    if let Some(line) = pending_timeout {
        out.records.push(Record {
            line,
            name: None,
            record_type: None,
            address: None,
            target: None,
            status: "timeout".into(),
            rcode: None,
            server,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let text = "Using domain server:\nName: 10.96.0.10\nAddress: 10.96.0.10#53\nAliases: \n\nweb.shop.svc.cluster.local is an alias for backend.shop.svc.cluster.local.\nbackend.shop.svc.cluster.local has address 10.96.12.7\nHost nope not found: 3(NXDOMAIN)\n";
        let out = parse(&Segment::new(text, 1));
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 3);
        assert_eq!(out.records[0].record_type.as_deref(), Some("CNAME"));
        assert_eq!(out.records[1].server.as_deref(), Some("10.96.0.10"));
        assert_eq!(out.records[2].status, "nxdomain");
        assert!(sniff("x has address 10.0.0.1").is_some());
        assert_eq!(sniff("hello"), None);
        let out = parse(&Segment::new(
            ";; communications error to 10.96.0.10#53: timed out\n",
            3,
        ));
        assert_eq!(
            (out.records[0].status.as_str(), out.records[0].line),
            ("timeout", 3)
        );
    }
}
