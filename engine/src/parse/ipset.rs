//! ipset: the IP sets kube-proxy's ipvs mode matches with `-m set --match-set`.
//!
//! Commands: `ipset list` (`ipset -L`, `ipset ls`), `ipset list KUBE-CLUSTER-IP`, `ipset list
//! -t` (headers only), `ipset list -n` (names only, read only with the command line), `ipset
//! save` (`create …` / `add …` lines).
//!
//! Variants: ipset 6.x (`Revision: 5`, older builds without `Number of entries:`, numeric protocols
//! `10.96.0.10,17:53`) and 7.x (`bucketsize 12 initval 0x…` in the header). kube-proxy
//! 1.28–1.31 ipvs mode sets, names kept as printed: `KUBE-CLUSTER-IP` (hash:ip,port, every
//! ClusterIP:port), `KUBE-LOOP-BACK` (hash:ip,port,ip, endpoint hairpin), `KUBE-NODE-PORT-TCP` /
//! `-UDP` / `-LOCAL-TCP` (bitmap:port), `KUBE-EXTERNAL-IP`, `KUBE-LOAD-BALANCER*`,
//! `KUBE-HEALTH-CHECK-NODE-PORT`, `KUBE-6-…` for IPv6 (`family inet6`).
//!
//! Record: tagged by `record`:
//!
//! | record | fields |
//! |---|---|
//! | `set` | `line` (the `Name:` or `create` line), `name`, `type` (`hash:ip,port`), `revision`, `header` (as printed), `family` (`inet`, `inet6`), `hashsize`, `maxelem`, `bucketsize`, `initval`, `range` (`0-65535`), `size` (list:set), `timeout`, `netmask`, `header_flags` (`comment`, `counters`, `skbinfo`, `forceadd`), `size_in_memory`, `references`, `number_of_entries`, `members` |
//! | `error` | `line`, `version` (`7.1`), `message` (`The set with the given name does not exist`) |
//!
//! A member: `line`, `value` (`10.96.0.1,tcp:443` as printed), `address`, `protocol` (`tcp`;
//! ipset 6's `6`/`17` read as `tcp`/`udp`), `port`, `address2` (the third part of
//! `hash:ip,port,ip` / `hash:ip,port,net`), `timeout`, `packets`, `bytes`, `comment`,
//! `nomatch`. For `bitmap:port` members (`30080`) only `port` is set.
//!
//! Known lines skipped deliberately: none besides blank lines; `Members:` opens the member
//! list (a member line before it is a problem). Any line that fits no rule is a problem with
//! its line number. Lines are read one at a time, each capped at 16 KiB.
//!
//! ```text
//! Name: KUBE-CLUSTER-IP
//! Type: hash:ip,port
//! Members:
//! 10.96.0.10,udp:53
//! → { record: "set", line: 1, name: "KUBE-CLUSTER-IP", type: "hash:ip,port",
//!     members: [{ line: 4, value: "10.96.0.10,udp:53", address: "10.96.0.10", protocol: "udp", port: 53, … }], … }
//! ```

use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use pest::iterators::Pair;
use pest::Parser;
use serde::Serialize;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/ipset.pest"]
struct P;

/// One set, or an error ipset printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "record", rename_all = "snake_case")]
#[allow(clippy::large_enum_variant)]
pub enum Record {
    Set(IpSet),
    Error(ErrorLine),
}

impl Record {
    /// 1-based input line.
    pub fn line(&self) -> usize {
        match self {
            Record::Set(s) => s.line,
            Record::Error(e) => e.line,
        }
    }
}

/// `ipset v7.1: The set with the given name does not exist`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorLine {
    pub line: usize,
    pub version: String,
    pub message: String,
}

/// One `Name:` block (or `create` line with its `add` lines).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct IpSet {
    pub line: usize,
    pub name: String,
    /// `hash:ip,port`, `bitmap:port`, `list:set`.
    #[serde(rename = "type")]
    pub set_type: Option<String>,
    pub revision: Option<u32>,
    /// The `Header:` text as printed.
    pub header: Option<String>,
    /// `inet`, `inet6`.
    pub family: Option<String>,
    pub hashsize: Option<u64>,
    pub maxelem: Option<u64>,
    pub bucketsize: Option<u64>,
    /// `0x5a4c6d3e`.
    pub initval: Option<String>,
    /// bitmap types: `0-65535`.
    pub range: Option<String>,
    /// list:set size.
    pub size: Option<u64>,
    /// Default member timeout (seconds).
    pub timeout: Option<u64>,
    pub netmask: Option<String>,
    /// Header words without a value: `comment`, `counters`, `skbinfo`, `forceadd`, …
    pub header_flags: Vec<String>,
    pub size_in_memory: Option<u64>,
    pub references: Option<u64>,
    pub number_of_entries: Option<u64>,
    pub members: Vec<Member>,
}

/// One member line.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Member {
    pub line: usize,
    /// As printed: `10.96.0.1,tcp:443`.
    pub value: String,
    pub address: Option<String>,
    /// `tcp`, `udp`, `sctp`; numbers (ipset 6) read as names.
    pub protocol: Option<String>,
    pub port: Option<u16>,
    /// The third part of `hash:ip,port,ip` / `hash:ip,port,net` members.
    pub address2: Option<String>,
    pub timeout: Option<u64>,
    pub packets: Option<u64>,
    pub bytes: Option<u64>,
    pub comment: Option<String>,
    pub nomatch: bool,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "ipset",
    aliases: &[],
    title: "ipset set listings",
    commands: &[
        "ipset list",
        "ipset list KUBE-CLUSTER-IP",
        "ipset list -t",
        "ipset list -n",
        "ipset save",
    ],
    variants: &[
        "ipset 6.x (revision 5, numeric protocols)",
        "ipset 7.x (bucketsize, initval)",
        "kube-proxy 1.28–1.31 ipvs mode sets",
    ],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    const VERBS: &[&str] = &[
        "list", "ls", "save", "-L", "-S", "--list", "--save", "-list", "-save",
    ];
    cmd.program == "ipset"
        && cmd
            .args
            .iter()
            .find(|a| !a.starts_with('-') || VERBS.contains(&a.as_str()))
            .is_some_and(|verb| VERBS.contains(&verb.as_str()))
}

fn sniff(head: &str) -> Option<f32> {
    let mut name = false;
    for l in head.lines() {
        let t = l.trim();
        if t.starts_with("Name: ") {
            name = true;
        } else if let Some(ty) = t.strip_prefix("Type:") {
            let ty = ty.trim();
            if name
                && (ty.starts_with("hash:") || ty.starts_with("bitmap:") || ty.starts_with("list:"))
            {
                return Some(0.97);
            }
        } else if t.starts_with("Header: family inet") || t.starts_with("Number of entries:") {
            return Some(0.9);
        } else if let Some(rest) = t.strip_prefix("create ") {
            let ty = rest.split_whitespace().nth(1).unwrap_or("");
            if ty.starts_with("hash:") || ty.starts_with("bitmap:") || ty.starts_with("list:") {
                return Some(0.95);
            }
        } else if t.starts_with("ipset v") && t.contains(": ") {
            return Some(0.9);
        }
    }
    None
}

/// True when the command asks for names only (`ipset list -n`, `-name`).
fn names_only(seg: &Segment) -> bool {
    seg.command
        .as_ref()
        .is_some_and(|c| c.program == "ipset" && c.args.iter().any(|a| a == "-n" || a == "-name"))
}

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out = Output::default();
    let names = names_only(seg);
    // Index into `out.records` of the set being read, and whether `Members:` was seen.
    let mut current: Option<usize> = None;
    let mut in_members = false;
    for (n, raw) in seg.lines() {
        let text = super::probe::capped(raw).trim();
        if text.is_empty() {
            continue;
        }
        let pair = match P::parse(Rule::ipset_line, text) {
            Ok(mut p) => p.next().and_then(|l| l.into_inner().next()),
            Err(_) => {
                if names && !text.contains(char::is_whitespace) {
                    out.records.push(Record::Set(IpSet {
                        line: n,
                        name: text.to_string(),
                        ..IpSet::default()
                    }));
                    continue;
                }
                let set = current.and_then(|i| set_at(&mut out.records, i));
                match (set, in_members) {
                    (Some(set), true) => match P::parse(Rule::member_line, text) {
                        Ok(mut p) => {
                            if let Some(m) = p
                                .next()
                                .and_then(|l| l.into_inner().next())
                                .map(|m| member(m, n))
                            {
                                set.members.push(m);
                            }
                        }
                        Err(_) => out.problem(n, "not an ipset member: expected a value such as `10.96.0.1,tcp:443`, then `timeout N`, `packets N bytes N`, `comment \"…\"` or `nomatch`"),
                    },
                    (Some(_), false) => out.problem(n, "member or unknown line before `Members:`: expected `Type:`, `Revision:`, `Header:`, `Size in memory:`, `References:`, `Number of entries:` or `Members:`"),
                    (None, _) => out.problem(n, "not an ipset list line: expected `Name: SET` to start a set"),
                }
                continue;
            }
        };
        let Some(pair) = pair else { continue };
        let rule = pair.as_rule();
        match rule {
            Rule::name_line => {
                let name = inner_str(pair, Rule::set_name);
                current = Some(out.records.len());
                in_members = false;
                out.records.push(Record::Set(IpSet {
                    line: n,
                    name,
                    ..IpSet::default()
                }));
            }
            Rule::create_line => {
                let mut s = IpSet {
                    line: n,
                    ..IpSet::default()
                };
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::set_name => s.name = p.as_str().to_string(),
                        Rule::set_type => s.set_type = Some(p.as_str().to_string()),
                        Rule::header_text => set_header(&mut s, p.as_str()),
                        _ => {}
                    }
                }
                current = Some(out.records.len());
                in_members = true;
                out.records.push(Record::Set(s));
            }
            Rule::add_line => {
                let mut name = "";
                let mut m = None;
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::set_name => name = p.as_str(),
                        Rule::member => m = Some(member(p, n)),
                        _ => {}
                    }
                }
                // `ipset save` writes each set's `add` lines right after its `create`.
                let set = current
                    .and_then(|i| set_at(&mut out.records, i))
                    .filter(|s| s.name == name);
                match (set, m) {
                    (Some(set), Some(m)) => set.members.push(m),
                    _ => out.problem(
                        n,
                        format!("`add {name} …` without a `create {name}` line above it"),
                    ),
                }
            }
            Rule::error_line => {
                let (mut version, mut message) = (String::new(), String::new());
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::ipset_version => version = p.as_str().to_string(),
                        Rule::error_text => message = p.as_str().trim().to_string(),
                        _ => {}
                    }
                }
                out.records.push(Record::Error(ErrorLine {
                    line: n,
                    version,
                    message,
                }));
            }
            _ => {
                let Some(set) = current.and_then(|i| set_at(&mut out.records, i)) else {
                    out.problem(n, "set field before any `Name:` line");
                    continue;
                };
                let num = || -> Option<u64> {
                    pair.clone()
                        .into_inner()
                        .find(|p| p.as_rule() == Rule::number)
                        .and_then(|p| p.as_str().parse().ok())
                };
                match rule {
                    Rule::type_line => set.set_type = Some(inner_str(pair, Rule::set_type)),
                    Rule::revision_line => set.revision = num().and_then(|v| u32::try_from(v).ok()),
                    Rule::header_line => {
                        let h = inner_str(pair, Rule::header_text);
                        set_header(set, &h);
                    }
                    Rule::memory_line => set.size_in_memory = num(),
                    Rule::references_line => set.references = num(),
                    Rule::entries_line => set.number_of_entries = num(),
                    Rule::members_line => in_members = true,
                    _ => {}
                }
            }
        }
    }
    out
}

fn set_at(records: &mut [Record], i: usize) -> Option<&mut IpSet> {
    match records.get_mut(i) {
        Some(Record::Set(s)) => Some(s),
        _ => None,
    }
}

fn inner_str(pair: Pair<'_, Rule>, rule: Rule) -> String {
    pair.into_inner()
        .find(|p| p.as_rule() == rule)
        .map(|p| p.as_str().trim().to_string())
        .unwrap_or_default()
}

/// `family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x5a4c6d3e comment`.
fn set_header(s: &mut IpSet, h: &str) {
    let h = h.trim();
    s.header = Some(h.to_string());
    let mut words = h.split_whitespace().take(64);
    while let Some(w) = words.next() {
        let takes_value = matches!(
            w,
            "family"
                | "hashsize"
                | "maxelem"
                | "bucketsize"
                | "initval"
                | "range"
                | "size"
                | "timeout"
                | "netmask"
                | "markmask"
                | "memsize"
                | "references"
                | "elements"
        );
        if !takes_value {
            s.header_flags.push(w.to_string());
            continue;
        }
        let Some(v) = words.next() else { break };
        match w {
            "family" => s.family = Some(v.to_string()),
            "hashsize" => s.hashsize = v.parse().ok(),
            "maxelem" => s.maxelem = v.parse().ok(),
            "bucketsize" => s.bucketsize = v.parse().ok(),
            "initval" => s.initval = Some(v.to_string()),
            "range" => s.range = Some(v.to_string()),
            "size" => s.size = v.parse().ok(),
            "timeout" => s.timeout = v.parse().ok(),
            "netmask" => s.netmask = Some(v.to_string()),
            _ => {}
        }
    }
}

fn member(pair: Pair<'_, Rule>, n: usize) -> Member {
    let mut m = Member {
        line: n,
        ..Member::default()
    };
    for p in pair.into_inner() {
        let num = || {
            p.clone()
                .into_inner()
                .find(|x| x.as_rule() == Rule::number)
                .and_then(|x| x.as_str().parse().ok())
        };
        match p.as_rule() {
            Rule::member_value => m.value = p.as_str().to_string(),
            Rule::timeout => m.timeout = num(),
            Rule::packets => m.packets = num(),
            Rule::bytes => m.bytes = num(),
            Rule::comment => {
                m.comment = p.into_inner().next().map(|q| {
                    let s = q.as_str();
                    s.get(1..s.len().saturating_sub(1))
                        .unwrap_or("")
                        .replace("\\\"", "\"")
                })
            }
            Rule::nomatch => m.nomatch = true,
            _ => {}
        }
    }
    split_value(&mut m);
    m
}

/// `10.96.0.1,tcp:443` → address, protocol, port; `30080` → port;
/// `10.244.1.5,tcp:8080,10.244.1.5` → … and address2.
fn split_value(m: &mut Member) {
    let v = m.value.as_str();
    if let Ok(p) = v.parse::<u16>() {
        m.port = Some(p);
        return;
    }
    let mut parts = v.splitn(3, ',');
    let first = parts.next().unwrap_or("");
    m.address = Some(first.to_string()).filter(|a| !a.is_empty());
    if let Some(pp) = parts.next() {
        let (proto, port) = match pp.split_once(':') {
            Some((pr, po)) => (Some(pr), po),
            None => (None, pp),
        };
        m.protocol = proto.map(|p| {
            match p {
                "6" => "tcp",
                "17" => "udp",
                "132" => "sctp",
                "1" => "icmp",
                other => other,
            }
            .to_string()
        });
        m.port = port.parse().ok();
        if m.port.is_none() && proto.is_none() {
            // `hash:ip,mac`, `hash:net,iface`: keep the second part as is.
            m.address2 = Some(pp.to_string());
        }
    }
    if let Some(third) = parts.next() {
        m.address2 = Some(third.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_values() {
        let out = parse(&Segment::new(
            "Name: S\nType: hash:ip,port\nMembers:\n10.96.0.10,17:53 timeout 0 comment \"a b\"\n30080\n10.244.1.5,tcp:8080,10.244.1.5",
            1,
        ));
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let Some(Record::Set(s)) = out.records.first() else {
            panic!("no set")
        };
        let m = &s.members[0];
        assert_eq!(
            (
                m.protocol.as_deref(),
                m.port,
                m.timeout,
                m.comment.as_deref()
            ),
            (Some("udp"), Some(53), Some(0), Some("a b"))
        );
        assert_eq!(
            (s.members[1].port, s.members[1].address.as_deref()),
            (Some(30080), None)
        );
        assert_eq!(s.members[2].address2.as_deref(), Some("10.244.1.5"));
    }
}
