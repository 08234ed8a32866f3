//! Kernel log lines: `dmesg`, `dmesg -T`, `journalctl -k`, `/var/log/messages`, `/var/log/syslog`.
//!
//! Commands: `dmesg`, `dmesg -T`, `sudo dmesg | grep conntrack`, `journalctl -k`, `journalctl
//! --dmesg`, `cat /var/log/messages`, `grep kernel /var/log/syslog`, `tail /var/log/kern.log`.
//!
//! Variants: util-linux dmesg with uptime stamps (`[448136.197740] `, also space-padded `[
//! 12.345678] `), `dmesg -T` wall-clock stamps (`[Tue Nov 20 22:30:22 2018] `), syslog /
//! journald lines of the `kernel` program (`Jan 18 14:57:18 minion kernel: [448136.197740] `,
//! the stamp optional; `-o short-iso` times), and bare messages without any prefix when they
//! carry a known signature.
//!
//! Record: one per line with a known signature; `signature`, `detail` (the message after the
//! prefixes) and `fields`:
//!
//! | signature | from | fields |
//! |---|---|---|
//! | `conntrack-table-full` | `nf_conntrack: table full, dropping packet` (also doubled `nf_conntrack: nf_conntrack: …`) | |
//! | `neighbour-table-overflow` | `neighbour: arp_cache: neighbor table overflow!`, `Neighbour table overflow.` | `table` when printed |
//! | `iptables-trace` | `TRACE: nat:PREROUTING:rule:1 IN=ens5 OUT= … SRC=… DST=… PROTO=TCP SPT=… DPT=…` | `table`, `chain`, `rule` (`rule:N`, `return:N`, `policy:N`), `in`, `out`, `src`, `dst`, `proto`, `sport`, `dport` |
//! | `martian-source` | `IPv4: martian source 10.0.0.5 from 10.244.1.3, on dev eth0` | `dst`, `src`, `dev` |
//! | `br-netfilter` | `bridge: filtering via arp/ip/ip6tables is no longer available by default. …` | |
//! | `vxlan-error` | `vxlan: non-ECT from 10.244.1.0 with TOS=0x2`, other `vxlan: …` messages | `from`, `tos` when printed |
//! | `conntrack-expectation-table-full` | `nf_conntrack: nf_conntrack: expectation table full` | |
//! | `ipvs-no-destination` | `IPVS: rr: TCP 10.96.0.10:53 - no destination available` | `scheduler`, `proto`, `service` |
//! | `syn-flood` | `TCP: request_sock_TCP: Possible SYN flooding on port 80. Sending cookies.` | `port`, `action` |
//! | `net-ratelimit` | `net_ratelimit: 14 callbacks suppressed` | `suppressed` |
//! | `interface-renamed` | `eth0: renamed from veth5d2c3e1` (a CNI moving a veth into a pod) | `dev`, `from` |
//! | `bridge-port-state` | `cni0: port 2(veth1a2b3c) entered forwarding state` (`blocking`, `disabled`, `forwarding`) | `bridge`, `port_no`, `port`, `state` |
//! | `netfilter-module-loaded` | `ip_tables: (C) 2000-2006 Netfilter Core Team`, `nf_tables: (c) 2007-2009 Patrick McHardy …` | `module` |
//!
//! The `ll header: 00000000: …` line the kernel prints after a martian-source line becomes
//! that record's `ll_header` field (a stray one is skipped).
//!
//! Known lines skipped deliberately: kernel lines with no known signature (most of a kernel
//! log), syslog lines of programs other than `kernel` (a `/var/log/messages` paste), and
//! journalctl's `-- Logs begin at … --` / `-- No entries --` / `-- Boot … --` lines. Lines that
//! are not kernel log lines (no dmesg or syslog prefix, no signature) are problems.
//!
//! ```text
//! [Tue Nov 20 22:30:22 2018] nf_conntrack: table full, dropping packet
//! → { line: 1, signature: "conntrack-table-full", detail: "nf_conntrack: table full, dropping packet", fields: {} }
//! ```

use super::common::{capped_at, MAX_LOG_LINE};
use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use pest::iterators::Pair;
use pest::Parser;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/kernel_log.pest"]
struct P;

/// One kernel log line with a known signature.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    /// 1-based input line.
    pub line: usize,
    /// `conntrack-table-full`, `neighbour-table-overflow`, `iptables-trace`, `martian-source`,
    /// `br-netfilter`, `vxlan-error`, `conntrack-expectation-table-full`,
    /// `ipvs-no-destination`, `syn-flood`, `net-ratelimit`, `interface-renamed`,
    /// `bridge-port-state`, `netfilter-module-loaded`.
    pub signature: String,
    /// The message after the dmesg / syslog prefixes.
    pub detail: String,
    pub fields: BTreeMap<String, String>,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "kernel-log",
    aliases: &["dmesg", "kern-log"],
    title: "kernel log (dmesg, journalctl -k, syslog)",
    commands: &[
        "dmesg",
        "dmesg -T",
        "journalctl -k",
        "cat /var/log/messages",
        "grep kernel /var/log/syslog",
    ],
    variants: &[
        "dmesg uptime stamps",
        "dmesg -T wall-clock stamps",
        "syslog / journald `kernel:` lines",
    ],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    let logs = |a: &String| {
        a.starts_with("/var/log/messages")
            || a.starts_with("/var/log/kern")
            || a.starts_with("/var/log/syslog")
    };
    match cmd.program.as_str() {
        "dmesg" => true,
        "journalctl" => cmd
            .args
            .iter()
            .any(|a| a == "-k" || a == "--dmesg" || a.starts_with("-k") && !a.starts_with("--")),
        "cat" | "tail" | "head" | "less" | "grep" => cmd.args.iter().any(logs),
        _ => false,
    }
}

/// How a line reads.
enum Shape<'i> {
    /// A kernel message (after its prefixes); `prefixed` when it had a dmesg or syslog prefix.
    Kernel(&'i str, bool),
    /// A well-formed line that is not the kernel's: another program's syslog line, a
    /// journalctl note.
    Other,
}

fn shape(text: &str) -> Option<Shape<'_>> {
    if P::parse(Rule::journal_note, text).is_ok() {
        return Some(Shape::Other);
    }
    let line = P::parse(Rule::kernel_line, text).ok()?.next()?;
    let mut kernel = true;
    let mut message = "";
    for part in line.into_inner() {
        match part.as_rule() {
            Rule::syslog_head => {
                kernel = part
                    .into_inner()
                    .any(|p| p.as_rule() == Rule::program && p.as_str() == "kernel");
            }
            Rule::message => message = part.as_str(),
            _ => {}
        }
    }
    Some(if kernel {
        Shape::Kernel(message.trim(), true)
    } else {
        Shape::Other
    })
}

fn signature_of(msg: &str) -> Option<Pair<'_, Rule>> {
    P::parse(Rule::signature_in, msg)
        .ok()?
        .next()?
        .into_inner()
        .next()
}

fn sniff(head: &str) -> Option<f32> {
    let (mut kernel, mut sig) = (0usize, 0usize);
    for l in head.lines() {
        let t = capped_at(l.trim_end_matches('\r'), MAX_LOG_LINE).trim();
        match shape(t) {
            Some(Shape::Kernel(m, _)) => {
                kernel += 1;
                if signature_of(m).is_some() {
                    sig += 1;
                }
            }
            _ => {
                if t.contains("nf_conntrack: table full") || t.contains("neighbor table overflow") {
                    sig += 1;
                }
            }
        }
    }
    if sig > 0 {
        Some(0.9)
    } else if kernel > 0 {
        Some(0.7)
    } else {
        None
    }
}

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out: Output<Record> = Output::default();
    for (n, raw) in seg.lines() {
        let text = capped_at(raw, MAX_LOG_LINE).trim();
        if text.is_empty() {
            continue;
        }
        let (msg, prefixed) = match shape(text) {
            Some(Shape::Kernel(m, p)) => (m, p),
            Some(Shape::Other) => continue,
            None => (text, false),
        };
        match signature_of(msg) {
            // The `ll header:` line continues the martian-source line before it.
            Some(sig) if sig.as_rule() == Rule::ll_header => {
                let hex = msg.trim_start_matches("ll header:").trim().to_string();
                match out.records.last_mut() {
                    Some(r) if r.signature == "martian-source" => {
                        r.fields.insert("ll_header".into(), hex);
                    }
                    _ => {}
                }
            }
            Some(sig) => out.records.push(record(n, msg, sig)),
            None if prefixed => {}
            None => out.problem(
                n,
                "expected a kernel log line (`[448136.197740] …`, `[Tue Nov 20 22:30:22 2018] …`, `Jan 18 14:57:18 node kernel: …`)",
            ),
        }
    }
    out
}

fn record(n: usize, msg: &str, sig: Pair<'_, Rule>) -> Record {
    let mut fields = BTreeMap::new();
    let mut put = |k: &str, v: &str| {
        fields.insert(k.to_string(), v.to_string());
    };
    let id = match sig.as_rule() {
        Rule::conntrack_full => "conntrack-table-full",
        Rule::neigh_overflow => {
            for p in sig.into_inner() {
                if p.as_rule() == Rule::neigh_table {
                    put("table", p.as_str());
                }
            }
            "neighbour-table-overflow"
        }
        Rule::iptables_trace => {
            let mut kind = "";
            for p in sig.into_inner() {
                match p.as_rule() {
                    Rule::trace_table => put("table", p.as_str()),
                    Rule::trace_chain => put("chain", p.as_str()),
                    Rule::trace_kind => kind = p.as_str(),
                    Rule::number => put("rule", &format!("{kind}:{}", p.as_str())),
                    Rule::trace_kv => {
                        let mut key = "";
                        let mut value = "";
                        for kv in p.into_inner() {
                            match kv.as_rule() {
                                Rule::trace_key => key = kv.as_str(),
                                Rule::trace_value => value = kv.as_str(),
                                _ => {}
                            }
                        }
                        let name = match key {
                            "IN" => "in",
                            "OUT" => "out",
                            "SRC" => "src",
                            "DST" => "dst",
                            "PROTO" => "proto",
                            "SPT" => "sport",
                            "DPT" => "dport",
                            _ => continue,
                        };
                        put(name, value);
                    }
                    _ => {}
                }
            }
            "iptables-trace"
        }
        Rule::martian => {
            for p in sig.into_inner() {
                match p.as_rule() {
                    Rule::martian_dst => put("dst", p.as_str()),
                    Rule::martian_src => put("src", p.as_str()),
                    Rule::dev => put("dev", p.as_str()),
                    _ => {}
                }
            }
            "martian-source"
        }
        Rule::br_netfilter => "br-netfilter",
        Rule::expect_full => "conntrack-expectation-table-full",
        Rule::ipvs_no_dest => {
            for p in sig.into_inner() {
                match p.as_rule() {
                    Rule::ipvs_sched => put("scheduler", p.as_str()),
                    Rule::ipvs_proto => put("proto", p.as_str()),
                    Rule::ipvs_vip => put("service", p.as_str()),
                    _ => {}
                }
            }
            "ipvs-no-destination"
        }
        Rule::syn_flood => {
            for p in sig.into_inner() {
                match p.as_rule() {
                    Rule::port => put("port", p.as_str()),
                    Rule::syn_action => put("action", p.as_str()),
                    _ => {}
                }
            }
            "syn-flood"
        }
        Rule::ratelimit => {
            for p in sig.into_inner() {
                if p.as_rule() == Rule::number {
                    put("suppressed", p.as_str());
                }
            }
            "net-ratelimit"
        }
        Rule::renamed => {
            let mut names = sig.into_inner().filter(|p| p.as_rule() == Rule::ifname);
            if let Some(p) = names.next() {
                put("dev", p.as_str());
            }
            if let Some(p) = names.next() {
                put("from", p.as_str());
            }
            "interface-renamed"
        }
        Rule::bridge_port => {
            for p in sig.into_inner() {
                match p.as_rule() {
                    Rule::ifname => put("bridge", p.as_str()),
                    Rule::port_no => put("port_no", p.as_str()),
                    Rule::port_dev => put("port", p.as_str()),
                    Rule::port_state => put("state", p.as_str()),
                    _ => {}
                }
            }
            "bridge-port-state"
        }
        Rule::nf_banner => {
            for p in sig.into_inner() {
                if p.as_rule() == Rule::nf_module {
                    put("module", p.as_str());
                }
            }
            "netfilter-module-loaded"
        }
        Rule::ll_header => "ll-header",
        _ => {
            for p in sig.into_inner() {
                match p.as_rule() {
                    Rule::vxlan_from => put("from", p.as_str()),
                    Rule::vxlan_tos => put("tos", p.as_str()),
                    _ => {}
                }
            }
            "vxlan-error"
        }
    };
    Record {
        line: n,
        signature: id.to_string(),
        detail: msg.to_string(),
        fields,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> Option<Record> {
        parse(&Segment::new(line, 1)).records.into_iter().next()
    }

    #[test]
    fn prefixes_and_signatures() {
        for l in [
            "[Tue Nov 20 22:30:22 2018] nf_conntrack: table full, dropping packet",
            "[448136.197740] nf_conntrack: nf_conntrack: table full, dropping packet",
            "Jan 18 14:57:18 minion kernel: nf_conntrack: table full, dropping packet",
        ] {
            let r = one(l).unwrap_or_else(|| panic!("{l}"));
            assert_eq!(r.signature, "conntrack-table-full");
        }
        let r = one("Jan 18 14:57:18 minion kernel: [448136.197740] TRACE: nat:KUBE-SERVICES:rule:25 IN=ens5 OUT= MAC=fa:16 SRC=     10.0.0.8 DST=10.0.0.9 PROTO=TCP SPT=45847 DPT=8089 SYN")
            .unwrap_or_else(|| panic!("no trace"));
        assert_eq!(
            r.fields.get("chain").map(String::as_str),
            Some("KUBE-SERVICES")
        );
        assert_eq!(r.fields.get("src").map(String::as_str), Some("10.0.0.8"));
        assert_eq!(r.fields.get("out").map(String::as_str), Some(""));
        assert_eq!(r.fields.get("dport").map(String::as_str), Some("8089"));
        assert!(one("[  12.345678] eth0: link up").is_none());
        assert_eq!(parse(&Segment::new("hello", 2)).problems[0].line, 2);
    }
}
