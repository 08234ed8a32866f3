//! netstat: net-tools and BusyBox socket tables.
//!
//! Commands: `netstat -tlnp`, `netstat -tulnp`, `netstat -antp`, `netstat -ln`,
//! `netstat -an` (the `Active UNIX domain sockets` section is read without records).
//!
//! Variants: net-tools 2.10 (Debian/Ubuntu/RHEL) and BusyBox netstat 1.30–1.36, which
//! print the same columns: `Proto Recv-Q Send-Q Local Address Foreign Address State
//! PID/Program name`. UDP rows have no state; `-p` as non-root prints `-`; program names
//! may contain spaces (`1/nginx: master pro`). Addresses: `0.0.0.0:22`, `:::80`,
//! `127.0.0.1:10248`, `0.0.0.0:*`, without `-n` names (`localhost:domain`).
//!
//! Record (jc `netstat` names): `line: usize`, `proto: String` (`tcp`, `tcp6`, `udp`,
//! `udp6`, `raw6`), `recv_q: u64`, `send_q: u64`, `local_address: String` (brackets and
//! `%iface` removed; `::` for `:::80`), `local_port: Option<u16>` (`None` for `*`),
//! `foreign_address: String`, `foreign_port: Option<u16>`, `state: Option<String>`
//! (`LISTEN`, `ESTABLISHED`, `TIME_WAIT`, …; `None` for UDP), `pid: Option<u32>`,
//! `program_name: Option<String>` (both `None` for `-`).
//!
//! ```text
//! Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name
//! tcp        0      0 127.0.0.1:10248         0.0.0.0:*               LISTEN      1234/kubelet
//! → { line: 2, proto: "tcp", local_address: "127.0.0.1", local_port: 10248, state: "LISTEN", pid: 1234,
//!     program_name: "kubelet", … }
//! ```

use super::ss::split_endpoint;
use super::{Chunker, Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use pest::Parser;
use serde::Serialize;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/netstat.pest"]
struct P;

/// One socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    /// 1-based input line.
    pub line: usize,
    pub proto: String,
    pub recv_q: u64,
    pub send_q: u64,
    pub local_address: String,
    pub local_port: Option<u16>,
    pub foreign_address: String,
    pub foreign_port: Option<u16>,
    pub state: Option<String>,
    pub pid: Option<u32>,
    pub program_name: Option<String>,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "netstat",
    aliases: &[],
    title: "netstat socket tables",
    commands: &[
        "netstat -tlnp",
        "netstat -tulnp",
        "netstat -antp",
        "netstat -an",
    ],
    variants: &["net-tools 2.10", "BusyBox netstat 1.30–1.36"],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    // `netstat -rn` (routes) and `-i` (interfaces) are other tables.
    cmd.program == "netstat"
        && !cmd.args.iter().any(|a| {
            a.starts_with('-')
                && !a.starts_with("--")
                && (a.contains('r') || a.contains('i') || a.contains('s'))
        })
}

fn sniff(head: &str) -> Option<f32> {
    for l in head.lines() {
        if l.starts_with("Proto Recv-Q Send-Q Local Address") && l.contains("Foreign Address") {
            return Some(0.95);
        }
        if l.starts_with("Active Internet connections") {
            return Some(0.9);
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
        let pair = match P::parse(Rule::netstat_line, text) {
            Ok(mut p) => p.next().and_then(|l| l.into_inner().next()),
            Err(_) => {
                // Counted, not collected: a garbage line costs no allocation beyond the message.
                let cols = text.split_whitespace().take(64).count();
                out.problem(n, format!("not a netstat socket line: expected `Proto Recv-Q Send-Q Local-Address Foreign-Address [State] [PID/Program name]`, found {cols} column(s)"));
                continue;
            }
        };
        if let Some(pair) = pair.filter(|p| p.as_rule() == Rule::socket) {
            out.records.push(socket(pair, n));
        }
    }
}

fn socket(pair: pest::iterators::Pair<'_, Rule>, n: usize) -> Record {
    let mut r = Record {
        line: n,
        proto: String::new(),
        recv_q: 0,
        send_q: 0,
        local_address: String::new(),
        local_port: None,
        foreign_address: String::new(),
        foreign_port: None,
        state: None,
        pid: None,
        program_name: None,
    };
    let (mut qi, mut ei) = (0, 0);
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::proto => r.proto = p.as_str().to_string(),
            Rule::queue => {
                let q = p.as_str().parse().unwrap_or(u64::MAX);
                if qi == 0 {
                    r.recv_q = q;
                } else {
                    r.send_q = q;
                }
                qi += 1;
            }
            Rule::endpoint => {
                let e = split_endpoint(p.as_str());
                if ei == 0 {
                    r.local_address = e.address.to_string();
                    r.local_port = e.port;
                } else {
                    r.foreign_address = e.address.to_string();
                    r.foreign_port = e.port;
                }
                ei += 1;
            }
            Rule::state => r.state = Some(p.as_str().to_string()),
            Rule::pid_program => {
                for f in p.into_inner() {
                    match f.as_rule() {
                        Rule::pid => r.pid = f.as_str().parse().ok(),
                        Rule::program_name => r.program_name = Some(f.as_str().trim().to_string()),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule_of(line: &str) -> Option<Rule> {
        P::parse(Rule::netstat_line, line)
            .ok()?
            .next()?
            .into_inner()
            .next()
            .map(|p| p.as_rule())
    }

    #[test]
    fn line_rules() {
        assert_eq!(
            rule_of("Active Internet connections (only servers)"),
            Some(Rule::section_header)
        );
        assert_eq!(rule_of("Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name"), Some(Rule::column_header));
        assert_eq!(rule_of("tcp        0      0 127.0.0.1:10248         0.0.0.0:*               LISTEN      1234/kubelet"), Some(Rule::socket));
        assert_eq!(
            rule_of(
                "udp        0      0 0.0.0.0:8472            0.0.0.0:*                           -"
            ),
            Some(Rule::socket)
        );
        // Negative.
        assert_eq!(rule_of("tcp        0      0 127.0.0.1:10248"), None);
        assert_eq!(rule_of("State Recv-Q Send-Q Local Address:Port"), None);
    }

    #[test]
    fn udp_without_state_and_spaced_program() {
        let seg = Segment::new(
            "udp        0      0 0.0.0.0:8472            0.0.0.0:*                           -\ntcp        0      0 :::8080                 :::*                    LISTEN      1/nginx: master pro",
            1,
        );
        let out = parse(&seg);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(
            (out.records[0].state.as_deref(), out.records[0].pid),
            (None, None)
        );
        let r = &out.records[1];
        assert_eq!(
            (r.local_address.as_str(), r.local_port, r.pid),
            ("::", Some(8080), Some(1))
        );
        assert_eq!(r.program_name.as_deref(), Some("nginx: master pro"));
    }
}
