//! conntrack: the netfilter connection tracking table and its counters, as conntrack-tools
//! prints them.
//!
//! Commands: `conntrack -L`, `conntrack -L -p udp`, `conntrack -L -d 10.96.0.10`, `conntrack
//! -L -o extended`, `conntrack -E` (events), `conntrack -S` (per-CPU statistics), `conntrack
//! -C` (the number of entries), `conntrack -D …` (its trailer), `cat /proc/net/nf_conntrack`
//! lines (the `-o extended` shape).
//!
//! Variants: conntrack-tools 1.4.2–1.4.8. `-S` changed with kernel 5.x: older lines carry
//! `entries= searched= new= delete= delete_list=`, newer ones `found= invalid= ignore= insert=
//! insert_failed= drop= early_drop= error= search_restart=` (and `clash_resolve=
//! chaintoolong=` on 5.15+).
//!
//! Record: tagged by `record`. Flow names are jc's `conntrack` parser's (jc ≥ 1.25: flat
//! `orig_*`/`reply_*` tuple fields, bracket flags in `status`):
//!
//! | record | fields |
//! |---|---|
//! | `flow` | `line`, `event` (`NEW`/`UPDATE`/`DESTROY` of `-E`), `event_timestamp`, `family`, `family_number` (`-o extended`), `protocol` (`tcp`), `protocol_number` (6), `timeout` (s), `state` (`ESTABLISHED`; `None` for UDP/ICMP), `status` (`["ASSURED"]`, `["UNREPLIED"]`), `orig_src`, `orig_dst`, `orig_sport`, `orig_dport`, `reply_src`, `reply_dst`, `reply_sport`, `reply_dport`, `orig_packets`, `orig_bytes`, `reply_packets`, `reply_bytes` (with accounting), `mark`, `use`, `zone`, `extra` (every other `key=value`, tuple keys prefixed `orig_`/`reply_`: ICMP `orig_type`, `orig_code`, `orig_id`, `secctx`, `labels`, …) |
//! | `stats` | `line`, `cpu`, `found`, `invalid`, `ignore`, `insert`, `insert_failed`, `drop`, `early_drop`, `error`, `search_restart`, `clash_resolve`, `chaintoolong`, `entries`, `searched`, `new`, `delete`, `delete_list`, `extra` (other counters) |
//! | `count` | `line`, `count` (`conntrack -C`) |
//! | `summary` | `line`, `version` (`1.4.6`), `entries`, `action` (`shown`, `deleted`, `updated`), `message` (an error such as `Operation failed: …` instead of a count) |
//!
//! A flow whose reply tuple does not mirror its original tuple (a line cut off mid-way) is a
//! problem, as is every line of another shape. Nothing is skipped but blank lines. Lines are
//! read one at a time: the bench generator's 100k-line table costs one pass.
//!
//! ```text
//! tcp      6 86397 ESTABLISHED src=10.244.1.5 dst=10.96.0.1 sport=43210 dport=443 src=10.0.0.5 dst=10.244.1.5 sport=6443 dport=43210 [ASSURED] mark=0 use=1
//! → { record: "flow", line: 1, protocol: "tcp", protocol_number: 6, timeout: 86397, state: "ESTABLISHED",
//!     status: ["ASSURED"], orig_src: "10.244.1.5", orig_dst: "10.96.0.1", orig_dport: 443,
//!     reply_src: "10.0.0.5", reply_sport: 6443, mark: 0, use: 1, … }
//! ```

use super::common::interned;
use super::{Chunker, Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use pest::iterators::Pair;
use pest::Parser;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::BTreeMap;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/conntrack.pest"]
struct P;

/// One line of conntrack output that says something.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "record", rename_all = "lowercase")]
// Nearly every record is a flow: boxing it would add an allocation to each.
#[allow(clippy::large_enum_variant)]
pub enum Record {
    Flow(Flow),
    Stats(Stats),
    Count(Count),
    Summary(Summary),
}

impl Record {
    /// 1-based input line.
    pub fn line(&self) -> usize {
        match self {
            Record::Flow(r) => r.line,
            Record::Stats(r) => r.line,
            Record::Count(r) => r.line,
            Record::Summary(r) => r.line,
        }
    }
}

/// One tracked connection (`-L`) or event (`-E`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Flow {
    pub line: usize,
    pub event: Option<String>,
    pub event_timestamp: Option<String>,
    pub family: Option<Cow<'static, str>>,
    pub family_number: Option<u8>,
    pub protocol: Cow<'static, str>,
    pub protocol_number: u8,
    pub timeout: Option<u64>,
    pub state: Option<Cow<'static, str>>,
    pub status: Vec<Cow<'static, str>>,
    pub orig_src: String,
    pub orig_dst: Option<String>,
    pub orig_sport: Option<u16>,
    pub orig_dport: Option<u16>,
    pub reply_src: Option<String>,
    pub reply_dst: Option<String>,
    pub reply_sport: Option<u16>,
    pub reply_dport: Option<u16>,
    pub orig_packets: Option<u64>,
    pub orig_bytes: Option<u64>,
    pub reply_packets: Option<u64>,
    pub reply_bytes: Option<u64>,
    pub mark: Option<u64>,
    #[serde(rename = "use")]
    pub use_count: Option<u64>,
    pub zone: Option<u64>,
    pub extra: BTreeMap<String, String>,
}

/// One per-CPU line of `conntrack -S`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Stats {
    pub line: usize,
    pub cpu: Option<u32>,
    pub found: Option<u64>,
    pub invalid: Option<u64>,
    pub ignore: Option<u64>,
    pub insert: Option<u64>,
    pub insert_failed: Option<u64>,
    pub drop: Option<u64>,
    pub early_drop: Option<u64>,
    pub error: Option<u64>,
    pub search_restart: Option<u64>,
    pub clash_resolve: Option<u64>,
    pub chaintoolong: Option<u64>,
    pub entries: Option<u64>,
    pub searched: Option<u64>,
    pub new: Option<u64>,
    pub delete: Option<u64>,
    pub delete_list: Option<u64>,
    pub extra: BTreeMap<String, u64>,
}

/// `conntrack -C`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count {
    pub line: usize,
    pub count: u64,
}

/// `conntrack v1.4.6 (conntrack-tools): 123 flow entries have been shown.`
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub line: usize,
    pub version: String,
    pub entries: Option<u64>,
    pub action: Option<String>,
    pub message: Option<String>,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "conntrack",
    aliases: &[],
    title: "conntrack table, events and statistics",
    commands: &[
        "conntrack -L",
        "conntrack -L -p udp",
        "conntrack -E",
        "conntrack -S",
        "conntrack -C",
    ],
    variants: &[
        "conntrack-tools 1.4.2–1.4.8",
        "-S before kernel 5.x (entries/searched/new) and after (found/insert_failed/drop, clash_resolve)",
        "/proc/net/nf_conntrack (-o extended shape)",
    ],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    cmd.program == "conntrack"
}

fn sniff(head: &str) -> Option<f32> {
    let mut score: f32 = 0.0;
    for l in head.lines() {
        let t = l.trim();
        if t.starts_with("conntrack v") && t.contains("(conntrack-tools):")
            || t.starts_with("cpu=") && (t.contains("found=") || t.contains("searched="))
        {
            score = score.max(0.95);
        } else if t.contains(" src=") && t.contains(" dst=") {
            let mut w = t.split_whitespace();
            let mut first = w.next().unwrap_or("");
            if first.starts_with('[') {
                first = w.next().unwrap_or("");
            }
            if matches!(first, "ipv4" | "ipv6") {
                let _ = w.next();
                first = w.next().unwrap_or("");
            }
            let num = w.next().is_some_and(|n| n.parse::<u8>().is_ok());
            if num
                && matches!(
                    first,
                    "tcp"
                        | "udp"
                        | "icmp"
                        | "icmpv6"
                        | "sctp"
                        | "udplite"
                        | "dccp"
                        | "gre"
                        | "unknown"
                )
            {
                score = score.max(0.9);
            }
        }
    }
    (score > 0.0).then_some(score)
}

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out = Output::default();
    read(seg, &mut out, &mut Chunker::keep_all());
    out
}

/// Read `seg` into `out`, handing records on through `chunks` as they gather.
pub fn read(seg: &Segment, out: &mut Output<Record>, chunks: &mut Chunker<'_, Record>) {
    for (n, raw) in seg.lines() {
        chunks.next_line(out);
        let text = super::probe::capped(raw).trim();
        if text.is_empty() {
            continue;
        }
        let Ok(Some(pair)) = P::parse(Rule::conntrack_line, text)
            .map(|mut p| p.next().and_then(|l| l.into_inner().next()))
        else {
            out.problem(
                n,
                format!(
                    "not a conntrack line: expected `proto num [timeout] [STATE] src=… dst=… …`, `cpu=N key=value…`, a count or the `conntrack vX (conntrack-tools): …` trailer, found `{}`",
                    super::ping::short(text)
                ),
            );
            continue;
        };
        match pair.as_rule() {
            Rule::flow => match flow(pair, n) {
                Ok(f) => out.records.push(Record::Flow(f)),
                Err(msg) => out.problem(n, msg),
            },
            Rule::stats => out.records.push(Record::Stats(stats(pair, n))),
            Rule::count => {
                if let Ok(count) = pair.as_str().parse() {
                    out.records.push(Record::Count(Count { line: n, count }));
                }
            }
            Rule::summary => {
                let mut s = Summary {
                    line: n,
                    version: String::new(),
                    entries: None,
                    action: None,
                    message: None,
                };
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::version => s.version = p.as_str().to_string(),
                        Rule::entries => s.entries = p.as_str().parse().ok(),
                        Rule::action => s.action = Some(p.as_str().to_string()),
                        Rule::rest => s.message = Some(p.as_str().trim().to_string()),
                        _ => {}
                    }
                }
                out.records.push(Record::Summary(s));
            }
            _ => {}
        }
    }
}

/// Words kept without a heap copy per flow.
const PROTOCOLS: &[&str] = &[
    "tcp", "udp", "icmp", "icmpv6", "sctp", "dccp", "gre", "udplite",
];
const STATES: &[&str] = &[
    "ESTABLISHED",
    "TIME_WAIT",
    "SYN_SENT",
    "SYN_RECV",
    "FIN_WAIT",
    "CLOSE_WAIT",
    "LAST_ACK",
    "CLOSE",
    "LISTEN",
    "NONE",
];
const STATUS: &[&str] = &["ASSURED", "UNREPLIED", "OFFLOAD", "HW_OFFLOAD"];

fn flow(pair: Pair<'_, Rule>, n: usize) -> Result<Flow, String> {
    let mut f = Flow {
        line: n,
        ..Flow::default()
    };
    let mut fields: Vec<(&str, &str)> = Vec::with_capacity(12);
    let mut protocol = None;
    let mut number = None;
    for p in pair.into_inner() {
        let v = p.as_str();
        match p.as_rule() {
            Rule::event_timestamp => {
                f.event_timestamp = Some(v.trim_matches(['[', ']']).to_string())
            }
            Rule::event => f.event = Some(v.trim_matches(['[', ']']).to_string()),
            Rule::family => f.family = Some(interned(v, &["ipv4", "ipv6"])),
            Rule::family_number => f.family_number = v.parse().ok(),
            Rule::proto_name => protocol = Some(v),
            Rule::protocol_number => number = v.parse().ok(),
            Rule::timeout => f.timeout = v.parse().ok(),
            Rule::state => f.state = Some(interned(v, STATES)),
            Rule::status => f.status.push(interned(v.trim_matches(['[', ']']), STATUS)),
            Rule::field => {
                if let Some((k, val)) = v.split_once('=') {
                    fields.push((k, val));
                }
            }
            _ => {}
        }
    }
    f.protocol = interned(protocol.unwrap_or(""), PROTOCOLS);
    f.protocol_number = number.ok_or("conntrack: protocol number out of range")?;
    // The reply tuple repeats the original's keys: the second `src` starts it.
    if fields.first().map(|(k, _)| *k) != Some("src") {
        return Err("conntrack entry: expected `src=` to open the original tuple".into());
    }
    let Some(reply_start) = fields.iter().skip(1).position(|(k, _)| *k == "src") else {
        return Err("conntrack entry without its reply tuple (cut off?)".into());
    };
    let reply_start = reply_start + 1;
    let (orig, after) = fields.split_at(reply_start);
    let reply = after.get(..orig.len()).unwrap_or(after);
    if reply.len() != orig.len() || reply.iter().zip(orig).any(|(r, o)| r.0 != o.0) {
        return Err(
            "conntrack entry: the reply tuple does not mirror the original (cut off?)".into(),
        );
    }
    let extra = after.get(orig.len()..).unwrap_or(&[]);
    for (k, v) in orig {
        tuple_field(&mut f, "orig_", k, v);
    }
    for (k, v) in reply {
        tuple_field(&mut f, "reply_", k, v);
    }
    for (k, v) in extra {
        match *k {
            "mark" => f.mark = v.parse().ok(),
            "use" => f.use_count = v.parse().ok(),
            "zone" => f.zone = v.parse().ok(),
            _ => {
                f.extra.insert((*k).to_string(), (*v).to_string());
            }
        }
    }
    Ok(f)
}

fn tuple_field(f: &mut Flow, prefix: &str, k: &str, v: &str) {
    let orig = prefix == "orig_";
    match (k, orig) {
        ("src", true) => f.orig_src = v.to_string(),
        ("src", false) => f.reply_src = Some(v.to_string()),
        ("dst", true) => f.orig_dst = Some(v.to_string()),
        ("dst", false) => f.reply_dst = Some(v.to_string()),
        ("sport", true) => f.orig_sport = v.parse().ok(),
        ("sport", false) => f.reply_sport = v.parse().ok(),
        ("dport", true) => f.orig_dport = v.parse().ok(),
        ("dport", false) => f.reply_dport = v.parse().ok(),
        ("packets", true) => f.orig_packets = v.parse().ok(),
        ("packets", false) => f.reply_packets = v.parse().ok(),
        ("bytes", true) => f.orig_bytes = v.parse().ok(),
        ("bytes", false) => f.reply_bytes = v.parse().ok(),
        _ => {
            f.extra.insert(format!("{prefix}{k}"), v.to_string());
        }
    }
}

fn stats(pair: Pair<'_, Rule>, n: usize) -> Stats {
    let mut s = Stats {
        line: n,
        ..Stats::default()
    };
    for p in pair.into_inner() {
        let Some((k, v)) = p.as_str().split_once('=') else {
            continue;
        };
        // Counters are decimal; some kernels print hex in /proc/net/stat, never here.
        let num = v.parse::<u64>().ok();
        let slot = match k {
            "cpu" => {
                s.cpu = v.parse().ok();
                continue;
            }
            "found" => &mut s.found,
            "invalid" => &mut s.invalid,
            "ignore" => &mut s.ignore,
            "insert" => &mut s.insert,
            "insert_failed" => &mut s.insert_failed,
            "drop" => &mut s.drop,
            "early_drop" => &mut s.early_drop,
            "error" => &mut s.error,
            "search_restart" => &mut s.search_restart,
            "clash_resolve" => &mut s.clash_resolve,
            "chaintoolong" => &mut s.chaintoolong,
            "entries" => &mut s.entries,
            "searched" => &mut s.searched,
            "new" => &mut s.new,
            "delete" => &mut s.delete,
            "delete_list" => &mut s.delete_list,
            _ => {
                if let Some(v) = num {
                    s.extra.insert(k.to_string(), v);
                }
                continue;
            }
        };
        *slot = num;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        let text = "tcp      6 86397 ESTABLISHED src=10.244.1.5 dst=10.96.0.1 sport=43210 dport=443 src=10.0.0.5 dst=10.244.1.5 sport=6443 dport=43210 [ASSURED] mark=0 use=1\nudp      17 29 src=10.244.1.5 dst=10.96.0.10 sport=5353 dport=53 [UNREPLIED] src=10.244.2.3 dst=10.244.1.5 sport=53 dport=5353 mark=0 use=1\ncpu=0   \tfound=0 invalid=1234 ignore=0 insert=0 insert_failed=12 drop=12 early_drop=0 error=0 search_restart=0\n1234\nconntrack v1.4.6 (conntrack-tools): 2 flow entries have been shown.\nicmp     1 29 src=10.0.0.1 dst=10.0.0.2 type=8 code=0 id=7 src=10.0.0.2 dst=10.0.0.1 type=0 code=0 id=7 mark=0 use=1\n";
        let out = parse(&Segment::new(text, 1));
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 6);
        let Record::Flow(f) = &out.records[0] else {
            panic!()
        };
        assert_eq!(f.reply_sport, Some(6443));
        assert_eq!(f.status, vec!["ASSURED"]);
        let Record::Flow(f) = &out.records[1] else {
            panic!()
        };
        assert_eq!((f.state.as_deref(), f.timeout), (None, Some(29)));
        let Record::Stats(s) = &out.records[2] else {
            panic!()
        };
        assert_eq!((s.insert_failed, s.invalid), (Some(12), Some(1234)));
        let Record::Flow(f) = &out.records[5] else {
            panic!()
        };
        assert_eq!(f.extra.get("orig_type").map(String::as_str), Some("8"));
        // Cut off mid-reply.
        let out = parse(&Segment::new(
            "tcp 6 10 ESTABLISHED src=1.1.1.1 dst=2.2.2.2 sport=1 dport=2 src=2.2.2.2 dst=1.1.1.1",
            1,
        ));
        assert_eq!(out.problems.len(), 1);
    }
}
