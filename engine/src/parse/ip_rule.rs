//! ip-rule: the policy-routing rules as `ip rule` prints them.
//!
//! Commands: `ip rule`, `ip ru`, `ip rule show`, `ip rule list`, `ip -6 rule`, also inside
//! `ip netns exec` / `nsenter`.
//!
//! Variants: iproute2 4.x, 5.x and 6.x (`ip/iprule.c` print_rule(); a tab after the
//! priority, trailing blanks on old versions). Rules netdoc meets: the default `0: from all
//! lookup local`, `32766: from all lookup main`, `32767: from all lookup default`; Cilium's
//! `9: from all fwmark 0x200/0xf00 lookup 2004` and `100: from all lookup local`; AWS VPC CNI's
//! `512: from all to 10.0.97.30 lookup main`, `1536: from 10.0.97.30 lookup 2`; WireGuard's
//! `not from all fwmark 0xca6c lookup 51820` and `from all lookup main suppress_prefixlength 0`;
//! Calico's `from all fwmark 0x80000/0x80000 lookup 250`.
//!
//! Record: `line: usize`, `priority: u32`, `not: bool`, `from: Option<String>` (`all`, a
//! prefix), `to`, `fwmark` (`0x200/0xf00` as printed), `iif`, `oif`, `tos`, `uidrange`,
//! `ipproto`, `sport`, `dport`, `l3mdev: bool`, `action: Option<String>` (`lookup`, `goto`,
//! `blackhole`, `unreachable`, `prohibit`, `nop`, `nat`), `table: Option<String>` (`local`,
//! `main`, `100`; also the `goto` target), `suppress_prefixlength: Option<i32>`, `proto`,
//! `status: Vec<String>` (`detached`, `unresolved`).
//!
//! `RTNETLINK answers: …` / `Error: …` lines are problems with their text; so is every line
//! that is not a rule. Lines are read one at a time, each capped at 16 KiB.
//!
//! ```text
//! 9: from all fwmark 0x200/0xf00 lookup 2004
//! → { line: 1, priority: 9, from: "all", fwmark: "0x200/0xf00", action: "lookup", table: "2004", … }
//! ```

use super::iproute::{ip_call, Object};
use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use pest::Parser;
use serde::Serialize;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/ip_rule.pest"]
struct P;

/// One rule.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Record {
    /// 1-based input line.
    pub line: usize,
    pub priority: u32,
    pub not: bool,
    pub from: Option<String>,
    pub to: Option<String>,
    pub fwmark: Option<String>,
    pub iif: Option<String>,
    pub oif: Option<String>,
    pub tos: Option<String>,
    pub uidrange: Option<String>,
    pub ipproto: Option<String>,
    pub sport: Option<String>,
    pub dport: Option<String>,
    pub l3mdev: bool,
    pub action: Option<String>,
    pub table: Option<String>,
    pub suppress_prefixlength: Option<i32>,
    pub proto: Option<String>,
    pub status: Vec<String>,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "ip-rule",
    aliases: &[],
    title: "ip rule policy routing",
    commands: &["ip rule", "ip ru", "ip rule show", "ip -6 rule"],
    variants: &["iproute2 4.x", "iproute2 5.x", "iproute2 6.x"],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    ip_call(cmd).is_some_and(|c| c.object == Object::Rule && c.show && !c.json)
}

fn sniff(head: &str) -> Option<f32> {
    let mut hits = 0;
    for l in head.lines() {
        let t = l.trim();
        let Some((prio, rest)) = t.split_once(':') else {
            continue;
        };
        if prio.is_empty() || prio.len() > 10 || !prio.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let rest = rest.trim_start();
        let rest = rest.strip_prefix("not ").unwrap_or(rest);
        if rest.starts_with("from ")
            && (rest.contains(" lookup ")
                || rest.contains(" goto ")
                || rest.ends_with(" blackhole")
                || rest.ends_with(" unreachable")
                || rest.ends_with(" prohibit"))
        {
            hits += 1;
        }
    }
    match hits {
        0 => None,
        1 => Some(0.85),
        _ => Some(0.95),
    }
}

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out: Output<Record> = Output::default();
    for (n, raw) in seg.lines() {
        let text = super::probe::capped(raw).trim();
        if text.is_empty() {
            continue;
        }
        let pair = match P::parse(Rule::rule_line, text) {
            Ok(mut p) => p.next().and_then(|l| l.into_inner().next()),
            Err(e) => {
                let mut p = super::pest_problem(&e, n, "not an ip rule line");
                if p.message.ends_with(" at column 1") {
                    p.message =
                        "not an ip rule line: expected `PRIORITY: [not] from … lookup TABLE`"
                            .into();
                }
                out.problems.push(p);
                continue;
            }
        };
        let Some(pair) = pair else { continue };
        if pair.as_rule() == Rule::ip_error {
            out.problem(n, format!("ip printed an error, not rules: {text}"));
            continue;
        }
        let mut r = Record {
            line: n,
            ..Record::default()
        };
        let mut bad = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::priority => match p.as_str().parse() {
                    Ok(v) => r.priority = v,
                    Err(_) => bad = Some(format!("`{}`: priority out of range", p.as_str())),
                },
                Rule::rule_attr => {
                    let mut key = "";
                    for a in p.into_inner() {
                        match a.as_rule() {
                            Rule::rule_key => key = a.as_str(),
                            Rule::rule_flag => match a.as_str() {
                                "not" => r.not = true,
                                "l3mdev" => r.l3mdev = true,
                                "[detached]" => r.status.push("detached".into()),
                                "[unresolved]" => r.status.push("unresolved".into()),
                                action => r.action = Some(action.to_string()),
                            },
                            Rule::word => {
                                let v = Some(a.as_str().to_string());
                                match key {
                                    "from" => r.from = v,
                                    "to" => r.to = v,
                                    "fwmark" => r.fwmark = v,
                                    "iif" => r.iif = v,
                                    "oif" => r.oif = v,
                                    "tos" | "dsfield" => r.tos = v,
                                    "uidrange" => r.uidrange = v,
                                    "ipproto" => r.ipproto = v,
                                    "sport" => r.sport = v,
                                    "dport" => r.dport = v,
                                    "proto" => r.proto = v,
                                    "lookup" | "table" => {
                                        r.action = Some("lookup".into());
                                        r.table = v;
                                    }
                                    "goto" | "nat" => {
                                        r.action = Some(key.to_string());
                                        r.table = v;
                                    }
                                    "suppress_prefixlength" => {
                                        r.suppress_prefixlength = a.as_str().parse().ok()
                                    }
                                    _ => {}
                                }
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        match bad {
            Some(m) => out.problem(n, m),
            None => out.records.push(r),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        let out = parse(&Segment::new(
            "0:\tfrom all lookup local \n32765:\tnot from all fwmark 0xca6c lookup 51820\n32764:\tfrom all lookup main suppress_prefixlength 0\nfrom all lookup main",
            1,
        ));
        assert_eq!(out.records.len(), 3);
        assert_eq!(out.records[0].table.as_deref(), Some("local"));
        assert!(out.records[1].not);
        assert_eq!(out.records[2].suppress_prefixlength, Some(0));
        assert_eq!(out.problems.len(), 1);
    }
}
