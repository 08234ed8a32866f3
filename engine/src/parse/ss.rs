//! ss: iproute2 socket tables.
//!
//! Commands: `ss -tlnp`, `ss -ltn`, `ss -tulnp` / `ss -lntu` (with a `Netid` column),
//! `ss -tanp`, `ss -antp state established`, `ss -s` (summary: read without records).
//!
//! Variants: iproute2 4.x (no `Process` header, the `users:((…))` text still follows the
//! peer column), 5.4–5.15 and 6.1–6.8 (`Process` header). Addresses as ss prints them:
//! `0.0.0.0:22`, `127.0.0.1:10248`, `*:10250`, `[::]:80`, `[::ffff:127.0.0.1]:8080`,
//! `127.0.0.53%lo:53`, `0.0.0.0%eth0:68`, old `:::22`; without `-n` service names
//! (`0.0.0.0:ssh`, well-known ones mapped to numbers, others give `None`).
//!
//! Record (jc `ss` names): `line: usize`, `netid: Option<Cow<str>>` (`tcp`, `udp`; only
//! with a Netid column), `state: Option<Cow<str>>` (`LISTEN`, `ESTAB`, `UNCONN`, …),
//! `recv_q`/`send_q: Option<u64>`, `local_address: String` (brackets and `%iface`
//! removed: `::`, `127.0.0.53`, `*`), `local_port: Option<u16>` (`None` for `*`),
//! `peer_address: String`, `peer_port: Option<u16>`, `interface: Option<String>` (the
//! `%iface` of the local address, else of the peer), `process: Option<String>` (the raw
//! `users:((…))` text, also when ss printed it on the next line), `program:
//! Option<String>` and `pid: Option<u32>` (the first process listed).
//!
//! Unix, netlink and packet sockets (`u_str`, `nl`, `p_raw`, from `ss -a`/`-x`) are
//! skipped: their columns are paths and inodes, not addresses. `-i`/`-m`/`-e` detail lines
//! are skipped. Lines are read one at a time: a 170 MB `ss -tanp` costs one pass.
//!
//! ```text
//! State  Recv-Q Send-Q Local Address:Port  Peer Address:Port Process
//! LISTEN 0      4096       127.0.0.1:10248      0.0.0.0:*     users:(("kubelet",pid=1234,fd=20))
//! → { line: 2, state: "LISTEN", local_address: "127.0.0.1", local_port: 10248, peer_address: "0.0.0.0",
//!     peer_port: null, program: "kubelet", pid: 1234, … }
//! ```

use super::common::interned;
use super::{Chunker, Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use pest::Parser;
use serde::Serialize;
use std::borrow::Cow;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/ss.pest"]
struct P;

/// One socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    /// 1-based input line.
    pub line: usize,
    pub netid: Option<Cow<'static, str>>,
    pub state: Option<Cow<'static, str>>,
    pub recv_q: Option<u64>,
    pub send_q: Option<u64>,
    pub local_address: String,
    pub local_port: Option<u16>,
    pub peer_address: String,
    pub peer_port: Option<u16>,
    pub interface: Option<String>,
    pub process: Option<String>,
    pub program: Option<String>,
    pub pid: Option<u32>,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "ss",
    aliases: &[],
    title: "ss socket tables",
    commands: &["ss -tlnp", "ss -ltn", "ss -tulnp", "ss -tanp", "ss -s"],
    variants: &[
        "iproute2 4.x (no Process header)",
        "iproute2 5.4–5.15",
        "iproute2 6.1–6.8",
    ],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    cmd.program == "ss"
}

fn sniff(head: &str) -> Option<f32> {
    for l in head.lines() {
        if l.contains("Recv-Q")
            && l.contains("Local Address:Port")
            && l.contains("Peer Address:Port")
        {
            return Some(0.95);
        }
        // `ss -s`: `Total: 1166` then `TCP:   58 (estab 31, closed 4, …)`.
        if l.starts_with("Transport Total") || l.starts_with("TCP:") && l.contains("(estab ") {
            return Some(0.7);
        }
    }
    None
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
        let pair = match P::parse(Rule::ss_line, text) {
            Ok(mut p) => p.next().and_then(|l| l.into_inner().next()),
            Err(_) => {
                // Counted, not collected: a garbage line costs no allocation beyond the message.
                let cols = text.split_whitespace().take(64).count();
                out.problem(n, format!("not an ss socket line: expected `[Netid] State Recv-Q Send-Q Local-Address:Port Peer-Address:Port [Process]`, found {cols} column(s)"));
                continue;
            }
        };
        let Some(pair) = pair else { continue };
        match pair.as_rule() {
            Rule::socket => {
                if let Some(r) = socket(pair, n) {
                    out.records.push(r);
                }
            }
            Rule::continuation => {
                // `-p` text wrapped onto its own line belongs to the socket above.
                if let Some(last) = out.records.last_mut() {
                    if last.process.is_none() && text.starts_with("users:((") {
                        set_process(last, text);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Netids and states kept without a heap copy per row.
const NETIDS: &[&str] = &["tcp", "udp", "raw", "mptcp", "sctp", "icmp6"];
const STATES: &[&str] = &[
    "ESTAB",
    "LISTEN",
    "UNCONN",
    "TIME-WAIT",
    "CLOSE-WAIT",
    "SYN-SENT",
    "SYN-RECV",
    "FIN-WAIT-1",
    "FIN-WAIT-2",
    "LAST-ACK",
    "CLOSING",
    "CLOSED",
];

fn socket(pair: pest::iterators::Pair<'_, Rule>, n: usize) -> Option<Record> {
    let mut netid = None;
    let mut state = None;
    let mut queues = [None, None];
    let mut qi = 0;
    let mut ends: [&str; 2] = ["", ""];
    let mut ei = 0;
    let mut process = None;
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::netid => netid = Some(p.as_str()),
            Rule::state => state = Some(p.as_str()),
            Rule::queue => {
                if let Some(q) = queues.get_mut(qi) {
                    *q = p.as_str().parse().ok();
                }
                qi += 1;
            }
            Rule::endpoint => {
                if let Some(e) = ends.get_mut(ei) {
                    *e = p.as_str();
                }
                ei += 1;
            }
            Rule::process => process = Some(p.as_str()),
            _ => {}
        }
    }
    // Unix/netlink/packet sockets: paths and inodes, not addresses.
    if netid.is_some_and(|id| !matches!(id, "tcp" | "udp" | "raw" | "mptcp" | "sctp" | "icmp6")) {
        return None;
    }
    let local = split_endpoint(ends[0]);
    let peer = split_endpoint(ends[1]);
    let mut r = Record {
        line: n,
        netid: netid.map(|n| interned(n, NETIDS)),
        state: state.map(|st| interned(st, STATES)),
        recv_q: queues[0],
        send_q: queues[1],
        local_address: local.address.to_string(),
        local_port: local.port,
        peer_address: peer.address.to_string(),
        peer_port: peer.port,
        interface: local.interface.or(peer.interface).map(str::to_string),
        process: None,
        program: None,
        pid: None,
    };
    if let Some(p) = process {
        set_process(&mut r, p);
    }
    Some(r)
}

/// Read `users:(("kubelet",pid=1234,fd=20),…)`: the raw text, the first program and pid.
fn set_process(r: &mut Record, text: &str) {
    r.process = Some(text.to_string());
    if let Some(rest) = text.find("users:((\"").and_then(|i| text.get(i + 9..)) {
        if let Some((prog, after)) = rest.split_once('"') {
            r.program = Some(prog.to_string());
            r.pid = after
                .split_once("pid=")
                .map(|(_, p)| p.split(|c: char| !c.is_ascii_digit()).next().unwrap_or(""))
                .and_then(|p| p.parse().ok());
        }
    }
}

/// An address as `ss`/`netstat` print it, split.
#[derive(Debug, PartialEq, Eq)]
pub struct Endpoint<'a> {
    /// Without brackets or `%iface`: `::`, `127.0.0.1`, `*`, `localhost`.
    pub address: &'a str,
    /// `None` for `*` and unknown service names.
    pub port: Option<u16>,
    pub interface: Option<&'a str>,
}

/// `[::ffff:127.0.0.1]:8080`, `127.0.0.53%lo:53`, `*:*`, `:::22`, `0.0.0.0:ssh`.
pub fn split_endpoint(s: &str) -> Endpoint<'_> {
    let (addr, port) = match s.rsplit_once(':') {
        Some((a, p)) => (a, port_of(p)),
        None => (s, None),
    };
    let (addr, interface) = match addr.rsplit_once('%') {
        Some((a, i)) if !i.is_empty() && !i.contains(':') => (a, Some(i)),
        _ => (addr, None),
    };
    let addr = addr
        .strip_prefix('[')
        .and_then(|a| a.strip_suffix(']'))
        .unwrap_or(addr);
    Endpoint {
        address: addr,
        port,
        interface,
    }
}

/// A port number, or a well-known service name as ss/netstat print without `-n`.
pub fn port_of(s: &str) -> Option<u16> {
    if let Ok(p) = s.parse() {
        return Some(p);
    }
    Some(match s {
        "ssh" => 22,
        "domain" => 53,
        "http" => 80,
        "https" => 443,
        "bootps" => 67,
        "bootpc" => 68,
        "ntp" => 123,
        "bgp" => 179,
        "mysql" => 3306,
        "postgresql" => 5432,
        "redis" => 6379,
        "http-alt" | "webcache" => 8080,
        "sunrpc" => 111,
        "smtp" => 25,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule_of(line: &str) -> Option<Rule> {
        P::parse(Rule::ss_line, line)
            .ok()?
            .next()?
            .into_inner()
            .next()
            .map(|p| p.as_rule())
    }

    #[test]
    fn line_rules() {
        assert_eq!(
            rule_of("Netid State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process"),
            Some(Rule::column_header)
        );
        assert_eq!(
            rule_of("State      Recv-Q Send-Q Local Address:Port               Peer Address:Port"),
            Some(Rule::column_header)
        );
        assert_eq!(
            rule_of("LISTEN 0      4096   127.0.0.1:10248 0.0.0.0:*"),
            Some(Rule::socket)
        );
        assert_eq!(
            rule_of("udp   UNCONN 0      0      127.0.0.53%lo:53 0.0.0.0:*"),
            Some(Rule::socket)
        );
        assert_eq!(
            rule_of("TCP:   58 (estab 31, closed 4, orphaned 0, timewait 4)"),
            Some(Rule::summary)
        );
        assert_eq!(
            rule_of("INET	  65        44        21"),
            Some(Rule::summary)
        );
        // Negative: cut off before the peer column, a foreign header.
        assert_eq!(rule_of("LISTEN 0      4096   127.0.0.1:10248"), None);
        assert_eq!(
            rule_of("Proto Recv-Q Send-Q Local Address Foreign Address State"),
            None
        );
    }

    #[test]
    fn endpoints() {
        let e = split_endpoint("[::ffff:127.0.0.1]:8080");
        assert_eq!((e.address, e.port), ("::ffff:127.0.0.1", Some(8080)));
        let e = split_endpoint("127.0.0.53%lo:53");
        assert_eq!(
            (e.address, e.port, e.interface),
            ("127.0.0.53", Some(53), Some("lo"))
        );
        let e = split_endpoint("*:*");
        assert_eq!((e.address, e.port), ("*", None));
        let e = split_endpoint(":::22");
        assert_eq!((e.address, e.port), ("::", Some(22)));
        let e = split_endpoint("[::]%lo:53");
        assert_eq!(
            (e.address, e.port, e.interface),
            ("::", Some(53), Some("lo"))
        );
    }

    #[test]
    fn process_fields() {
        let seg = Segment::new(
            "LISTEN 0 4096 *:10250 *:* users:((\"kubelet\",pid=1234,fd=25),(\"kubelet\",pid=1234,fd=26))",
            1,
        );
        let out = parse(&seg);
        let r = &out.records[0];
        assert_eq!(
            (r.program.as_deref(), r.pid, r.local_port),
            (Some("kubelet"), Some(1234), Some(10250))
        );
    }
}
