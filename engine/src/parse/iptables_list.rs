//! iptables -L: chain listings.
//!
//! Commands: `iptables -t nat -L -n`, `iptables -L -n -v`, `iptables -t nat -nL PREROUTING`,
//! `iptables -L KUBE-SERVICES -n --line-numbers`, `iptables -L -n -v -x`, `ip6tables -L -n`,
//! `iptables-legacy -L`, `iptables-nft -L`, also as `docker run … iptables -t nat -Ln`.
//!
//! Variants: iptables 1.4.21–1.8.11, legacy and nf_tables: `Chain X (policy ACCEPT)`, with
//! `-v` `(policy ACCEPT 0 packets, 0 bytes)`, user chains `(3 references)`; columns `target
//! prot opt source destination`, with `-v` `pkts bytes … in out …`, with `--line-numbers`
//! `num` first; counters abbreviated `186K`/`12M` (powers of 1000) unless `-x`; 1.8.9's
//! numeric protocols (`6`); ip6tables' blank `opt` column; rows with an empty target column
//! (`           all  --  0.0.0.0/0 …`, a rule that only counts).
//!
//! Record (jc `--iptables` names): one per chain, `record: "chain"`, `line`, `chain`,
//! `default_policy: Option<String>`, `default_packets`/`default_bytes: Option<u64>`,
//! `references: Option<u32>`, `rules: Vec<ListRule>` (`line`, `num: Option<u32>`, `pkts`,
//! `bytes: Option<u64>` with K/M/G/T/P expanded by powers of 1000 as jc does, `target:
//! Option<String>` (`None` for an empty column), `prot`, `opt: Option<String>` (`None` for
//! `--` or blank), `in`, `out: Option<String>`, `source`, `destination: String`, `options:
//! Option<String>` (the match text after the destination column)); `message: None`.
//!
//! Two more shapes, same record type, `chain: ""`: `record: "warning"` for `Warning:
//! iptables-legacy tables present, use iptables-legacy to see them` (the nft build's note that
//! rules also live in the legacy backend), and `record: "error"` for what iptables prints
//! instead of a listing (`iptables: No chain/target/match by that name.`, `iptables v1.6.0:
//! can't initialize iptables table `nat': Table does not exist (do you need to insmod?)`,
//! with a following `Perhaps iptables or your kernel needs to be upgraded.` joined), so a
//! failed listing is recognised and read without problems. `message` holds the text.
//!
//! Rows before any `Chain` line (`iptables -L -n | grep KUBE`) go to a chain named `unknown`.
//! A row whose protocol column is not a protocol, or with too few columns, is a problem with
//! its line number. Lines are read one at a time, each capped at 16 KiB.
//!
//! ```text
//! Chain KUBE-SERVICES (2 references)
//! target     prot opt source               destination
//! KUBE-SVC-TCOU7JCQXEZGVUNU  udp  --  0.0.0.0/0            10.96.0.10           /* kube-system/kube-dns:dns cluster IP */ udp dpt:53
//! → { record: "chain", line: 1, chain: "KUBE-SERVICES", references: 2, rules: [{ line: 3,
//!     target: "KUBE-SVC-TCOU7JCQXEZGVUNU", prot: "udp", opt: null, source: "0.0.0.0/0",
//!     destination: "10.96.0.10", options: "/* kube-system/kube-dns:dns cluster IP */ udp dpt:53", … }] }
//! ```

use super::iptables_save::{has_flag, iptables_command};
use super::{Chunker, Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use pest::iterators::Pair;
use pest::Parser;
use serde::Serialize;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/iptables_list.pest"]
struct P;

/// One chain of the listing (or a warning / error line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    /// 1-based input line of the `Chain` heading (of the first row for `unknown`).
    pub line: usize,
    /// `chain`, `warning` or `error`.
    pub record: String,
    pub chain: String,
    pub default_policy: Option<String>,
    pub default_packets: Option<u64>,
    pub default_bytes: Option<u64>,
    /// `(3 references)` of a user chain.
    pub references: Option<u32>,
    pub rules: Vec<ListRule>,
    /// The text of a warning or error.
    pub message: Option<String>,
}

/// One row of a chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListRule {
    pub line: usize,
    pub num: Option<u32>,
    pub pkts: Option<u64>,
    pub bytes: Option<u64>,
    pub target: Option<String>,
    pub prot: String,
    pub opt: Option<String>,
    pub r#in: Option<String>,
    pub out: Option<String>,
    pub source: String,
    pub destination: String,
    pub options: Option<String>,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "iptables-list",
    aliases: &["iptables-L", "iptables"],
    title: "iptables -L chain listings",
    commands: &[
        "iptables -t nat -L -n",
        "iptables -L -n -v",
        "iptables -L KUBE-SERVICES -n --line-numbers",
        "ip6tables -L -n",
    ],
    variants: &[
        "iptables 1.4.21–1.6.x",
        "iptables 1.8.x legacy and nf_tables (1.8.9 numeric protocols)",
        "-v counters with K/M/G suffixes, -x exact, --line-numbers",
    ],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    let Some((prog, args)) = iptables_command(cmd) else {
        return false;
    };
    !prog.ends_with("-save") && has_flag(args, 'L', "--list")
}

fn sniff(head: &str) -> Option<f32> {
    let mut score: f32 = 0.0;
    for l in head.lines() {
        let t = l.trim();
        if t.starts_with("Chain ")
            && (t.contains("(policy ") || t.ends_with("references)") || t.ends_with("reference)"))
        {
            score = score.max(0.9);
        } else if t.starts_with("target ") && t.contains(" prot ") && t.contains(" destination")
            || t.starts_with("num ") && t.contains(" target ") && t.contains(" prot ")
            || t.starts_with("pkts ") && t.contains(" target ") && t.contains(" prot ")
        {
            score = score.max(0.95);
        }
    }
    (score > 0.0).then_some(score)
}

const DEFAULT_COLUMNS: &[&str] = &["target", "prot", "opt", "source", "destination"];

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out = Output::default();
    read(seg, &mut out, &mut Chunker::keep_all());
    out
}

/// Read `seg` into `out`, handing records on through `chunks` as they gather.
pub fn read(seg: &Segment, out: &mut Output<Record>, chunks: &mut Chunker<'_, Record>) {
    let mut columns: Vec<String> = DEFAULT_COLUMNS.iter().map(|c| c.to_string()).collect();
    // Number (counting records already handed on) and name of the chain rows go to.
    let mut current: Option<usize> = None;
    let mut current_chain = String::new();
    for (n, raw) in seg.lines() {
        chunks.next_line(out);
        let text = super::probe::capped(raw).trim_end();
        if text.trim().is_empty() {
            continue;
        }
        let line = match P::parse(Rule::list_line, text) {
            Ok(mut p) => p.next().and_then(|l| l.into_inner().next()),
            Err(_) => {
                out.problem(n, "not an iptables -L line");
                continue;
            }
        };
        let Some(line) = line else { continue };
        match line.as_rule() {
            Rule::chain_line => {
                let c = chain(line, n);
                current_chain.clone_from(&c.chain);
                out.records.push(c);
                current = Some(chunks.handed() + out.records.len() - 1);
            }
            Rule::column_header => {
                columns = line.into_inner().map(|c| c.as_str().to_string()).collect();
            }
            Rule::warning | Rule::error => {
                let kind = if line.as_rule() == Rule::warning {
                    "warning"
                } else {
                    "error"
                };
                let message = line
                    .into_inner()
                    .next()
                    .map(|p| p.as_str().trim().to_string())
                    .unwrap_or_default();
                // `Perhaps iptables or your kernel needs to be upgraded.` explains the error above.
                if let Some(prev) = out.records.last_mut().filter(|r| {
                    kind == "error" && r.record == "error" && message.starts_with("Perhaps ")
                }) {
                    if let Some(m) = prev.message.as_mut() {
                        m.push('\n');
                        m.push_str(&message);
                    }
                    continue;
                }
                out.records.push(Record {
                    message: Some(message),
                    ..empty(n, kind, "")
                });
            }
            Rule::row => match row(line, n, &columns) {
                Ok(r) => {
                    // The chain's record, unless it was already handed on (a message
                    // between its rows and a chunk boundary): then its rows go on in a
                    // record of the same chain.
                    let at = current.and_then(|i| i.checked_sub(chunks.handed()));
                    let idx = match at.filter(|&i| i < out.records.len()) {
                        Some(i) => i,
                        None => {
                            let name = if current.is_some() {
                                current_chain.as_str()
                            } else {
                                "unknown"
                            };
                            out.records.push(empty(n, "chain", name));
                            out.records.len() - 1
                        }
                    };
                    current = Some(chunks.handed() + idx);
                    if let Some(c) = out.records.get_mut(idx) {
                        c.rules.push(r);
                    }
                }
                Err(msg) => out.problem(n, msg),
            },
            _ => {}
        }
    }
}

fn empty(n: usize, record: &str, chain: &str) -> Record {
    Record {
        line: n,
        record: record.to_string(),
        chain: chain.to_string(),
        default_policy: None,
        default_packets: None,
        default_bytes: None,
        references: None,
        rules: Vec::new(),
        message: None,
    }
}

fn chain(pair: Pair<'_, Rule>, n: usize) -> Record {
    let mut r = empty(n, "chain", "");
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::chain_name => r.chain = p.as_str().to_string(),
            Rule::policy_info => {
                let mut counts = Vec::new();
                for q in p.into_inner() {
                    match q.as_rule() {
                        Rule::policy => r.default_policy = Some(q.as_str().to_string()),
                        Rule::count => counts.push(count(q.as_str())),
                        _ => {}
                    }
                }
                r.default_packets = counts.first().copied().flatten();
                r.default_bytes = counts.get(1).copied().flatten();
            }
            Rule::refs_info => {
                r.references = p.into_inner().next().and_then(|q| q.as_str().parse().ok());
            }
            _ => {}
        }
    }
    r
}

/// `186K` → 186000 (iptables and jc: powers of 1000).
pub fn count(s: &str) -> Option<u64> {
    let (digits, mult) = match s.char_indices().last() {
        Some((i, 'K')) => (s.get(..i)?, 1_000),
        Some((i, 'M')) => (s.get(..i)?, 1_000_000),
        Some((i, 'G')) => (s.get(..i)?, 1_000_000_000),
        Some((i, 'T')) => (s.get(..i)?, 1_000_000_000_000),
        Some((i, 'P')) => (s.get(..i)?, 1_000_000_000_000_000),
        _ => (s, 1),
    };
    digits.parse::<u64>().ok()?.checked_mul(mult)
}

/// Protocols as the `prot` column prints them (names, or numbers with `-n` in 1.8.9).
fn is_prot(s: &str) -> bool {
    let s = s.strip_prefix('!').unwrap_or(s);
    matches!(
        s,
        "all"
            | "tcp"
            | "udp"
            | "icmp"
            | "icmpv6"
            | "ipv6-icmp"
            | "sctp"
            | "udplite"
            | "esp"
            | "ah"
            | "gre"
            | "igmp"
            | "ipv6"
            | "ipip"
            | "mh"
            | "ipv6-mh"
            | "dccp"
    ) || !s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_opt(s: &str) -> bool {
    matches!(s, "--" | "-f" | "!f")
}

fn row(pair: Pair<'_, Rule>, n: usize, columns: &[String]) -> Result<ListRule, String> {
    let base = pair.as_span().start();
    let text = pair.as_str();
    let cells: Vec<(&str, usize)> = pair
        .into_inner()
        .take(64)
        .map(|c| (c.as_str(), c.as_span().end() - base))
        .collect();
    let has = |c: &str| columns.iter().any(|x| x == c);
    let mut i = 0;
    let mut next = |what: &str| -> Result<&str, String> {
        let c = cells.get(i).map(|c| c.0).ok_or_else(|| {
            format!(
                "row cut short: expected a {what} column (columns: {})",
                columns.join(" ")
            )
        })?;
        i += 1;
        Ok(c)
    };
    let num = if has("num") {
        let c = next("num")?;
        Some(
            c.parse::<u32>()
                .map_err(|_| format!("expected a rule number, found `{c}`"))?,
        )
    } else {
        None
    };
    let (mut pkts, mut bytes) = (None, None);
    if has("pkts") {
        let c = next("pkts")?;
        pkts = Some(count(c).ok_or_else(|| format!("expected a packet count, found `{c}`"))?);
        let c = next("bytes")?;
        bytes = Some(count(c).ok_or_else(|| format!("expected a byte count, found `{c}`"))?);
    }
    // An empty target column: the first cell is already the protocol.
    let first = cells.get(i).map(|c| c.0).unwrap_or("");
    let second = cells.get(i + 1).map(|c| c.0).unwrap_or("");
    let target = if is_prot(first) && !is_prot(second) {
        None
    } else {
        i += 1;
        Some(first.to_string())
    };
    let mut next = |what: &str| -> Result<&str, String> {
        let c = cells
            .get(i)
            .map(|c| c.0)
            .ok_or_else(|| format!("row cut short: expected a {what} column"))?;
        i += 1;
        Ok(c)
    };
    let prot = next("prot")?;
    if !is_prot(prot) {
        return Err(format!(
            "not an iptables -L row: expected a protocol (`all`, `tcp`, `6`, …), found `{prot}`"
        ));
    }
    let prot = prot.to_string();
    let mut opt = None;
    if cells.get(i).is_some_and(|c| is_opt(c.0)) {
        opt = cells
            .get(i)
            .map(|c| c.0)
            .filter(|o| *o != "--")
            .map(str::to_string);
        i += 1;
    }
    let mut next = |what: &str| -> Result<(&str, usize), String> {
        let c = cells
            .get(i)
            .copied()
            .ok_or_else(|| format!("row cut short: expected a {what} column"))?;
        i += 1;
        Ok(c)
    };
    let (mut r#in, mut out) = (None, None);
    if has("in") {
        r#in = Some(next("in")?.0.to_string());
        out = Some(next("out")?.0.to_string());
    }
    let source = next("source")?.0.to_string();
    let (destination, end) = next("destination")?;
    let options = text.get(end..).map(str::trim).filter(|o| !o.is_empty());
    Ok(ListRule {
        line: n,
        num,
        pkts,
        bytes,
        target,
        prot,
        opt,
        r#in,
        out,
        source,
        destination: destination.to_string(),
        options: options.map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts() {
        assert_eq!(count("186K"), Some(186_000));
        assert_eq!(count("12"), Some(12));
        assert_eq!(count("3G"), Some(3_000_000_000));
        assert_eq!(count("K"), None);
        assert_eq!(count("x"), None);
    }

    #[test]
    fn rows_and_chains() {
        let text = "Chain PREROUTING (policy ACCEPT 5 packets, 2K bytes)\n num   pkts bytes target     prot opt in     out     source               destination\n1        0     0            all  --  *      *       0.0.0.0/0            0.0.0.0/0\n2     2183  186K KUBE-SERVICES  all  --  *      *       0.0.0.0/0            0.0.0.0/0            /* kubernetes service portals */\n";
        let out = parse(&Segment::new(text, 1));
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let c = &out.records[0];
        assert_eq!(c.default_bytes, Some(2000));
        assert_eq!(c.rules[0].target, None);
        assert_eq!(c.rules[1].bytes, Some(186_000));
        assert_eq!(
            c.rules[1].options.as_deref(),
            Some("/* kubernetes service portals */")
        );
        let out = parse(&Segment::new("hello world and more", 7));
        assert_eq!(out.problems[0].line, 7);
    }
}
