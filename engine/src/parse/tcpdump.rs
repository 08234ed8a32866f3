//! tcpdump: the text lines of a capture, as people paste them while chasing DNS, resets and
//! MTU black holes.
//!
//! Commands: `tcpdump -nn -i any port 53`, `tcpdump -ni eth0 host 10.0.0.7`, `tcpdump -nn
//! icmp`, `tcpdump -v …` (two lines per packet), `tcpdump -e …` (link header), `tcpdump -tttt`
//! / `-tt` / `-t` (timestamps), `tcpdump -r file.pcap`.
//!
//! Variants: tcpdump 4.9 (`capture size N bytes`; `-i any` prints no interface) and 4.99+
//! (`snapshot length N bytes`; `-i any` adds the interface and direction: `eth0 Out`,
//! `cali123 In`, `lo M`, `B`, `P`). Without `-n` names and service names (`.domain`,
//! `.https`) are read too: well-known services become port numbers.
//!
//! Record: one per packet: `line` (its first line; the `IP (tos …)` line with `-v`), `time` (as printed), `interface`, `direction`, `proto`
//! (`tcp`, `udp`, `icmp`, `icmp6`, `arp`, or the word tcpdump printed, lowercased), `src`,
//! `sport`, `dst`, `dport`, `tcp_flags` (`S`, `S.`, `R.`, `P.`, `F.`, `.`), `mss` (of a SYN's
//! options), `dns {id, query (true for a question), qtype, qname, rcode (`NXDomain`,
//! `ServFail`, `Refused`, …; `NoError` for an answer without one), answer_count,
//! authority_count, additional_count, answers (`A 10.96.3.4`, `CNAME x.`)}`, `icmp {kind
//! (`echo-request`, `echo-reply`, `need-to-frag`, `packet-too-big`, `host-unreachable`,
//! `port-unreachable`, `net-unreachable`, `admin-prohibited`, `unreachable`,
//! `time-exceeded`, `redirect`, `other`), target (the address or `udp port 53` the error is
//! about), mtu}`, `length`, `info` (the text after `dst:`, as printed).
//!
//! Known noise skipped deliberately: `listening on …` (also after `tcpdump: ` with `-v`),
//! `reading from file …`, `tcpdump:
//! verbose output suppressed …`, `tcpdump: data link type …`, `dropped privs to …`, the `N
//! packets captured` / `received by filter` / `dropped by kernel` trailer, `^C`, blank lines.
//! The `IP (tos …)` line of `-v` is joined with the indented line that follows it; a line that
//! continues a packet line ending in `,` (a terminal wrapped it) is joined to it. Every other
//! line, other `tcpdump: …` messages included, is a problem with its line number.
//!
//! ```text
//! 10:00:00.123456 eth0 Out IP 10.244.1.5.43210 > 10.96.0.10.53: 12345+ A? backend.default.svc.cluster.local. (51)
//! → { line: 1, interface: "eth0", direction: "Out", proto: "udp", src: "10.244.1.5", sport: 43210,
//!     dst: "10.96.0.10", dport: 53, dns: { id: 12345, query: true, qtype: "A", qname: "backend.default.svc.cluster.local." }, length: 51 }
//! ```

use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use pest::iterators::Pair;
use pest::Parser;
use serde::Serialize;
use std::net::IpAddr;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/tcpdump.pest"]
struct P;

/// One captured packet.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Record {
    pub line: usize,
    pub time: Option<String>,
    pub interface: Option<String>,
    pub direction: Option<String>,
    pub proto: String,
    pub src: Option<String>,
    pub sport: Option<u16>,
    pub dst: Option<String>,
    pub dport: Option<u16>,
    pub tcp_flags: Option<String>,
    pub mss: Option<u16>,
    pub dns: Option<Dns>,
    pub icmp: Option<Icmp>,
    pub length: Option<u32>,
    pub info: String,
}

/// A DNS message as tcpdump summarises it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Dns {
    pub id: u16,
    pub query: bool,
    pub qtype: Option<String>,
    pub qname: Option<String>,
    pub rcode: Option<String>,
    pub answer_count: Option<u32>,
    pub authority_count: Option<u32>,
    pub additional_count: Option<u32>,
    pub answers: Vec<String>,
}

/// An ICMP / ICMPv6 message.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Icmp {
    pub kind: String,
    pub target: Option<String>,
    pub mtu: Option<u32>,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "tcpdump",
    aliases: &[],
    title: "tcpdump text output",
    commands: &[
        "tcpdump -nn -i any port 53",
        "tcpdump -ni eth0 host 10.0.0.7",
        "tcpdump -nn icmp",
        "tcpdump -v -nn port 53",
    ],
    variants: &[
        "tcpdump 4.9 (capture size; -i any without interface)",
        "tcpdump 4.99+ (snapshot length; -i any prints interface and direction)",
    ],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    cmd.program == "tcpdump"
}

fn sniff(head: &str) -> Option<f32> {
    let mut score: f32 = 0.0;
    let mut packets = 0usize;
    for l in head.lines() {
        let t = l.trim();
        if t.starts_with("listening on ") && t.contains("link-type ")
            || t.starts_with("tcpdump: verbose output suppressed")
        {
            score = score.max(0.95);
        } else if t.contains(" > ")
            && (t.contains(" IP ") || t.contains(" IP6 "))
            && t.as_bytes().first().is_some_and(u8::is_ascii_digit)
            && P::parse(Rule::tcpdump_line, t).is_ok()
        {
            packets += 1;
        }
    }
    if packets > 0 {
        score = score.max(0.9);
    }
    (score > 0.0).then_some(score)
}

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out: Output<Record> = Output::default();
    // A `-v` header line waiting for its indented second line.
    let mut pending: Option<Record> = None;
    for (n, raw) in seg.lines() {
        let text = super::probe::capped(raw).trim();
        if text.is_empty() {
            continue;
        }
        let pair = match P::parse(Rule::tcpdump_line, text) {
            Ok(mut p) => p.next().and_then(|l| l.into_inner().next()),
            Err(_) => {
                // A packet line a terminal wrapped after a comma: join the rest to it.
                if let Some(last) = out.records.last_mut().filter(|r| r.info.ends_with(',')) {
                    last.info.push(' ');
                    last.info.push_str(text);
                    describe(last);
                    continue;
                }
                out.problem(
                    n,
                    format!(
                        "not a tcpdump line: expected `time [iface dir] IP src > dst: …`, found `{}`",
                        super::ping::short(text)
                    ),
                );
                continue;
            }
        };
        let Some(pair) = pair else { continue };
        match pair.as_rule() {
            Rule::packet | Rule::ether_packet => {
                if let Some(p) = pending.take() {
                    out.records.push(p);
                }
                let mut r = Record {
                    line: n,
                    ..Record::default()
                };
                let mut has_flow = false;
                let mut ip6 = false;
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::family => ip6 = p.as_str() == "IP6",
                        Rule::ip_options => {
                            // `proto UDP (17)` names the protocol of a `-v` packet.
                            let o = p.as_str();
                            if let Some(i) = o.find("proto ") {
                                let word = o
                                    .get(i + 6..)
                                    .and_then(|s| s.split([' ', ',', ')']).next())
                                    .unwrap_or("");
                                r.proto = word.to_ascii_lowercase();
                            }
                        }
                        _ => has_flow |= head_field(&mut r, p),
                    }
                }
                if ip6 && r.proto.is_empty() {
                    r.proto = "ip6".into();
                }
                if has_flow {
                    describe(&mut r);
                    out.records.push(r);
                } else {
                    pending = Some(r);
                }
            }
            Rule::flow_line => {
                let mut r = pending.take().unwrap_or(Record {
                    line: n,
                    ..Record::default()
                });
                for p in pair.into_inner() {
                    head_field(&mut r, p);
                }
                describe(&mut r);
                out.records.push(r);
            }
            Rule::other_packet => {
                if let Some(p) = pending.take() {
                    out.records.push(p);
                }
                let mut r = Record {
                    line: n,
                    ..Record::default()
                };
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::other_proto => r.proto = p.as_str().to_ascii_lowercase(),
                        _ => {
                            head_field(&mut r, p);
                        }
                    }
                }
                // The text after the protocol word, for reading.
                let proto_at = text.find(&r.proto.to_ascii_uppercase()).unwrap_or(0);
                r.info = text
                    .get(proto_at..)
                    .unwrap_or("")
                    .trim_start_matches(|c: char| !c.is_whitespace() && c != ',')
                    .trim_start_matches([',', ' '])
                    .to_string();
                r.length = length_in(&r.info);
                out.records.push(r);
            }
            Rule::tool_error => {
                out.problem(n, format!("tcpdump reported: {}", super::ping::short(text)));
            }
            // Banners and trailers: known noise.
            _ => {}
        }
    }
    if let Some(p) = pending.take() {
        out.records.push(p);
    }
    out
}

/// Time, interface, direction and the `src > dst: info` parts. True when the flow was there.
fn head_field(r: &mut Record, p: Pair<'_, Rule>) -> bool {
    let v = p.as_str();
    match p.as_rule() {
        Rule::time => r.time = Some(v.to_string()),
        Rule::interface => r.interface = Some(v.to_string()),
        Rule::direction => r.direction = Some(v.to_string()),
        Rule::src => {
            let (a, port) = endpoint(v);
            r.src = Some(a.to_string());
            r.sport = port;
            return true;
        }
        Rule::dst => {
            let (a, port) = endpoint(v);
            r.dst = Some(a.to_string());
            r.dport = port;
        }
        Rule::info => r.info = v.trim_end().to_string(),
        _ => {}
    }
    false
}

/// `10.244.1.5.43210` → (`10.244.1.5`, 43210); `fd00::1.53`; `web.shop.svc.cluster.local.domain`
/// → 53; `10.0.0.1` → no port.
pub fn endpoint(s: &str) -> (&str, Option<u16>) {
    if s.parse::<IpAddr>().is_ok() {
        return (s, None);
    }
    match s.rsplit_once('.') {
        Some((a, p)) if !a.is_empty() => match super::ss::port_of(p) {
            Some(port) => (a, Some(port)),
            None => (s, None),
        },
        _ => (s, None),
    }
}

/// Read the protocol text: TCP flags, DNS, ICMP, the length.
fn describe(r: &mut Record) {
    let info = r.info.as_str();
    let ports = r.sport.is_some() || r.dport.is_some();
    if let Some(rest) = info.strip_prefix("Flags [") {
        r.proto = "tcp".into();
        r.tcp_flags = rest.split(']').next().map(str::to_string);
        r.mss = info
            .find("mss ")
            .and_then(|i| info.get(i + 4..))
            .and_then(|s| s.split([',', ']']).next())
            .and_then(|s| s.parse().ok());
        // DNS over TCP: `…, length 51: 12345+ A? x. (49)`
        if (r.sport == Some(53) || r.dport == Some(53)) && info.contains(": ") {
            if let Some((_, dns_text)) = info.split_once("]: ").or_else(|| {
                info.find(", length ")
                    .and_then(|i| info.get(i..))
                    .and_then(|s| s.split_once(": "))
            }) {
                r.dns = dns(dns_text);
            }
        }
        r.length = length_in(info);
    } else if let Some(rest) = info.strip_prefix("ICMP6") {
        r.proto = "icmp6".into();
        r.icmp = Some(icmp(rest.trim_start_matches([',', ' '])));
        r.length = length_in(info);
    } else if let Some(rest) = info.strip_prefix("ICMP ") {
        r.proto = "icmp".into();
        r.icmp = Some(icmp(rest));
        r.length = length_in(info);
    } else if ports && (r.sport == Some(53) || r.dport == Some(53) || r.sport == Some(5353)) {
        if r.proto.is_empty() || r.proto == "ip6" {
            r.proto = "udp".into();
        }
        r.dns = dns(info);
        r.length = r
            .dns
            .as_ref()
            .and_then(|_| paren_len(info))
            .or_else(|| length_in(info));
    } else if ports {
        if r.proto.is_empty() || r.proto == "ip6" {
            r.proto = "udp".into();
        }
        r.length = length_in(info);
    } else {
        if r.proto.is_empty() || r.proto == "ip6" {
            let word = info
                .split([' ', ','])
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            r.proto = if word.is_empty() { "ip".into() } else { word };
        }
        r.length = length_in(info);
    }
}

/// The last `length N` of a summary.
fn length_in(info: &str) -> Option<u32> {
    let i = info.rfind("length ")?;
    let digits: String = info
        .get(i + 7..)?
        .chars()
        .take_while(char::is_ascii_digit)
        .take(10)
        .collect();
    digits.parse().ok()
}

/// DNS's trailing `(51)`.
fn paren_len(info: &str) -> Option<u32> {
    let t = info.trim_end();
    let inner = t.strip_suffix(')')?;
    let (_, n) = inner.rsplit_once('(')?;
    n.parse().ok()
}

const RCODES: &[&str] = &[
    "FormErr", "ServFail", "NXDomain", "NotImp", "Refused", "YXDomain", "YXRRSet", "NXRRSet",
    "NotAuth", "NotZone", "BadVers", "BadSig",
];

/// `12345+ A? backend.default.svc.cluster.local. (51)`, `12345 NXDomain* 0/1/0 (144)`,
/// `12345* 1/0/0 A 10.96.3.4 (90)`, `12345 2/0/0 CNAME a., A 1.2.3.4 (100)`.
fn dns(info: &str) -> Option<Dns> {
    let mut words = info.split_whitespace();
    let first = words.next()?;
    let id_digits: String = first.chars().take_while(char::is_ascii_digit).collect();
    let id: u16 = id_digits.parse().ok()?;
    let mut d = Dns {
        id,
        ..Dns::default()
    };
    let rest: Vec<&str> = words.collect();
    let mut i = 0;
    // Skip `[1au]`, `[b2&3=0x…]` option blocks.
    while rest.get(i).is_some_and(|w| w.starts_with('[')) {
        i += 1;
    }
    if let Some(q) = rest.get(i).filter(|w| w.ends_with('?')) {
        d.query = true;
        d.qtype = Some(q.trim_end_matches('?').to_string());
        d.qname = rest.get(i + 1).map(|s| s.to_string());
        return Some(d);
    }
    // A response: optional rcode (with flag characters), optional `q: A? name.`, counts.
    if let Some(w) = rest.get(i) {
        let bare = w.trim_end_matches(['*', '-', '|', '$', '+', '!', '^']);
        if let Some(rc) = RCODES.iter().find(|rc| **rc == bare) {
            d.rcode = Some((*rc).to_string());
            i += 1;
        } else if bare.starts_with("Resp") || bare.starts_with("Unk") {
            d.rcode = Some(bare.to_string());
            i += 1;
        }
    }
    if rest.get(i) == Some(&"q:") {
        d.qtype = rest.get(i + 1).map(|s| s.trim_end_matches('?').to_string());
        d.qname = rest.get(i + 2).map(|s| s.to_string());
        i += 3;
    }
    let counts: Vec<u32> = rest
        .get(i)?
        .split('/')
        .map(|c| c.parse().ok())
        .collect::<Option<Vec<u32>>>()?;
    if counts.len() != 3 {
        return None;
    }
    d.answer_count = counts.first().copied();
    d.authority_count = counts.get(1).copied();
    d.additional_count = counts.get(2).copied();
    if d.rcode.is_none() {
        d.rcode = Some("NoError".into());
    }
    // Answers: the words after the counts up to the `(len)`, split at `, `.
    let mut tail: Vec<&str> = rest.get(i + 1..).unwrap_or(&[]).to_vec();
    if tail
        .last()
        .is_some_and(|w| w.starts_with('(') && w.ends_with(')'))
    {
        tail.pop();
    }
    let joined = tail.join(" ");
    d.answers = joined
        .split(", ")
        .map(str::trim)
        .filter(|s| !s.is_empty() && !s.starts_with("ns:") && !s.starts_with("ar:"))
        .take(64)
        .map(str::to_string)
        .collect();
    Some(d)
}

/// `echo request, id 1, seq 1, length 64`, `10.0.0.7 unreachable - need to frag (mtu 1450),
/// length 556`, `10.96.0.10 udp port 53 unreachable, length 87`, `host 10.0.0.7 unreachable -
/// admin prohibited filter, length 92`; ICMP6 `packet too big, mtu 1450, length 1240`.
fn icmp(text: &str) -> Icmp {
    let mut i = Icmp {
        kind: "other".into(),
        ..Icmp::default()
    };
    let head = text.split(", length").next().unwrap_or(text);
    if head.starts_with("echo request") {
        i.kind = "echo-request".into();
    } else if head.starts_with("echo reply") {
        i.kind = "echo-reply".into();
    } else if head.starts_with("time exceeded") {
        i.kind = "time-exceeded".into();
    } else if head.starts_with("redirect") {
        i.kind = "redirect".into();
        i.target = head.split_whitespace().nth(1).map(str::to_string);
    } else if head.starts_with("packet too big") {
        i.kind = "packet-too-big".into();
        i.mtu = super::ping::mtu_in(head);
    } else if head.contains("unreachable") {
        let before = head.split(" unreachable").next().unwrap_or("");
        i.kind = if head.contains("need to frag") {
            "need-to-frag"
        } else if head.contains("admin prohibited") {
            "admin-prohibited"
        } else if before.contains(" port ") || head.contains("unreachable port") {
            "port-unreachable"
        } else if before.starts_with("host ") {
            "host-unreachable"
        } else if before.starts_with("net ") {
            "net-unreachable"
        } else {
            "unreachable"
        }
        .into();
        let target = before
            .trim_start_matches("host ")
            .trim_start_matches("net ")
            .trim_start_matches("destination unreachable, ");
        if !target.is_empty() {
            i.target = Some(target.trim().to_string());
        }
        i.mtu = super::ping::mtu_in(head);
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packets() {
        let text = "listening on any, link-type LINUX_SLL2 (Linux cooked v2), snapshot length 262144 bytes\n10:00:00.123456 eth0 Out IP 10.244.1.5.43210 > 10.96.0.10.53: 12345+ A? backend.default.svc.cluster.local. (51)\n10:00:00.124000 eth0 In  IP 10.96.0.10.53 > 10.244.1.5.43210: 12345 NXDomain* 0/1/0 (144)\n10:00:00.2 IP 10.0.0.1 > 10.0.0.5: ICMP 10.0.0.7 unreachable - need to frag (mtu 1450), length 556\n10:00:01.0 IP 10.61.1.35.52108 > 151.101.128.70.443: Flags [S], seq 3528876158, win 29200, options [mss 1460,sackOK,TS val 454081318 ecr 0,nop,wscale 7],\nlength 0\n2 packets captured\n";
        let out = parse(&Segment::new(text, 1));
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 4);
        let q = &out.records[0];
        assert_eq!(
            (
                q.interface.as_deref(),
                q.direction.as_deref(),
                q.proto.as_str()
            ),
            (Some("eth0"), Some("Out"), "udp")
        );
        assert_eq!((q.sport, q.dport), (Some(43210), Some(53)));
        let d = q.dns.as_ref().unwrap();
        assert!(d.query);
        assert_eq!(d.qtype.as_deref(), Some("A"));
        assert_eq!(q.length, Some(51));
        let a = out.records[1].dns.as_ref().unwrap();
        assert_eq!(a.rcode.as_deref(), Some("NXDomain"));
        let i = out.records[2].icmp.as_ref().unwrap();
        assert_eq!((i.kind.as_str(), i.mtu), ("need-to-frag", Some(1450)));
        let s = &out.records[3];
        assert_eq!(
            (s.tcp_flags.as_deref(), s.mss, s.length),
            (Some("S"), Some(1460), Some(0))
        );
    }

    #[test]
    fn endpoints() {
        assert_eq!(endpoint("10.244.1.5.43210"), ("10.244.1.5", Some(43210)));
        assert_eq!(endpoint("10.0.0.1"), ("10.0.0.1", None));
        assert_eq!(endpoint("fd00::1.53"), ("fd00::1", Some(53)));
        assert_eq!(endpoint("web.shop.domain"), ("web.shop", Some(53)));
        assert_eq!(endpoint("example.com"), ("example.com", None));
    }
}
