//! ping: iputils (Debian/Ubuntu/RHEL), busybox (Alpine) and BSD/macOS `ping` output,
//! including the don't-fragment probes of an MTU check.
//!
//! Commands: `ping -c 3 10.0.0.7`, `ping -M do -s 1472 -c 3 10.0.0.7` (iputils: DF set),
//! `ping6`, `busybox ping`, `kubectl exec pod -- ping -c 3 backend`.
//!
//! Variants: iputils s20121221–s20180629 (`From … icmp_seq=1 Frag needed and DF set (mtu =
//! 1450)`, `ping: local error: Message too long, mtu=1450`), iputils 20190709–20240905
//! (`ping: local error: message too long, mtu=1450`, `ping: foo: Name or service not
//! known`), busybox 1.3x (`PING x (x): 56 data bytes`, `seq=0`, `round-trip min/avg/max`,
//! `ping: bad address 'foo'`), macOS (`Request timeout for icmp_seq 0`, `ping: sendto:
//! Message too long`).
//!
//! Record: one per ping run (a `PING` header, a name error or a statistics block starts
//! one), jc `ping` names plus netdoc's: `line` (first line of the run), `destination_ip`,
//! `destination` (the name of the `PING` header or of `--- x ping statistics ---`),
//! `source_ip` (`from x` with `-I`), `data_bytes`, `pattern` (`PATTERN: 0xff`),
//! `packets_transmitted`, `packets_received`, `packet_loss_percent`, `duplicates`, `errors`,
//! `time_ms`, `round_trip_ms_min`/`_avg`/`_max`/`_stddev`, `responses` (see [`Response`]),
//! `payload` (the `-s` size of the command line, else `data_bytes`), `df` (`-M do` on the
//! command line), `mtu_exceeded` (a message-too-long or frag-needed line was seen),
//! `mtu_error` (the MTU such a line reported, when it gave one), `mtu_error_line` (the first
//! such line), `error` and `error_line` (ping's own failure: `bad address 'foo'`, `foo: Name
//! or service not known`, `connect: Network is unreachable`).
//!
//! Response `type`s: `reply`, `timeout`, `local_error` (`ping: local error: message too
//! long, mtu=N`), `send_error` (`ping: sendmsg: …`), jc's ICMP error names
//! (`destination_host_unreachable`, `frag_needed_and_df_set`, `time_to_live_exceeded`, …, and
//! `icmp_error` for others), `unparsable_line` (a `bytes from` line whose fields do not read;
//! it is also a problem).
//!
//! Known noise skipped deliberately: blank lines, `^C`, `pipe N`, ping's `Warning:` lines, the IP
//! header dump macOS prints under an ICMP error (`Vr HL TOS …` and its hex line). Every
//! other line is a problem with its line number.
//!
//! ```text
//! PING 10.0.0.7 (10.0.0.7) 1472(1500) bytes of data.
//! ping: local error: message too long, mtu=1450
//! → { line: 1, destination_ip: "10.0.0.7", data_bytes: 1472, payload: 1472, df: true,
//!     mtu_exceeded: true, mtu_error: 1450, mtu_error_line: 2, responses: [{ type: "local_error", mtu: 1450, … }], … }
//! ```

use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use pest::iterators::Pair;
use pest::Parser;
use serde::Serialize;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/ping.pest"]
struct P;

/// One ping run.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Record {
    /// 1-based input line where the run starts.
    pub line: usize,
    pub destination_ip: Option<String>,
    pub destination: Option<String>,
    pub source_ip: Option<String>,
    pub data_bytes: Option<u32>,
    pub pattern: Option<String>,
    pub packets_transmitted: Option<u64>,
    pub packets_received: Option<u64>,
    pub packet_loss_percent: Option<f64>,
    pub duplicates: Option<u64>,
    pub errors: Option<u64>,
    pub time_ms: Option<f64>,
    pub round_trip_ms_min: Option<f64>,
    pub round_trip_ms_avg: Option<f64>,
    pub round_trip_ms_max: Option<f64>,
    pub round_trip_ms_stddev: Option<f64>,
    pub responses: Vec<Response>,
    /// The `-s` payload size of the command line, else `data_bytes`.
    pub payload: Option<u32>,
    /// Don't-fragment set: `-M do` on the command line.
    pub df: bool,
    /// A message-too-long or frag-needed line was seen.
    pub mtu_exceeded: bool,
    /// The MTU such a line reported.
    pub mtu_error: Option<u32>,
    /// The first message-too-long / frag-needed line.
    pub mtu_error_line: Option<usize>,
    /// ping's own failure, as printed after `ping: `.
    pub error: Option<String>,
    pub error_line: Option<usize>,
}

/// One line about one probe packet.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Response {
    pub line: usize,
    /// `reply`, `timeout`, `local_error`, `send_error`, `destination_host_unreachable`,
    /// `frag_needed_and_df_set`, …, `icmp_error`, `unparsable_line`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `-D` timestamp.
    pub timestamp: Option<f64>,
    pub bytes: Option<u32>,
    pub response_ip: Option<String>,
    pub icmp_seq: Option<u32>,
    pub ttl: Option<u32>,
    pub time_ms: Option<f64>,
    pub duplicate: bool,
    /// The MTU a local error or frag-needed reply reported.
    pub mtu: Option<u32>,
    /// The error text of a non-reply (`Destination Host Unreachable`, `Message too long`).
    pub message: Option<String>,
    /// The line, for `unparsable_line`.
    pub unparsed_line: Option<String>,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "ping",
    aliases: &["ping6"],
    title: "ping (iputils, busybox, macOS)",
    commands: &[
        "ping -c 3 10.0.0.7",
        "ping -M do -s 1472 -c 3 10.0.0.7",
        "ping6 -c 3 fd00::7",
        "busybox ping -c 3 backend",
    ],
    variants: &[
        "iputils s20121221–s20180629 (Frag needed and DF set)",
        "iputils 20190709–20240905 (local error: message too long, mtu=N)",
        "busybox 1.3x",
        "macOS / BSD",
    ],
    matches_command,
    sniff,
};

/// The program of a command line, seeing through `busybox <applet>`.
pub fn program_of(cmd: &CommandLine) -> (&str, &[String]) {
    if cmd.program == "busybox" {
        if let Some((first, rest)) = cmd.args.split_first() {
            return (first.as_str(), rest);
        }
    }
    (cmd.program.as_str(), cmd.args.as_slice())
}

/// The value of a short option: `-s 1472` or `-s1472`.
pub fn short_opt<'a>(args: &'a [String], flag: &str) -> Option<&'a str> {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == flag {
            return it.next().map(String::as_str);
        }
        if let Some(v) = a.strip_prefix(flag) {
            if !v.is_empty() && a.starts_with('-') && !a.starts_with("--") {
                return Some(v);
            }
        }
    }
    None
}

fn matches_command(cmd: &CommandLine) -> bool {
    matches!(program_of(cmd).0, "ping" | "ping6" | "ping4")
}

fn sniff(head: &str) -> Option<f32> {
    let mut score: f32 = 0.0;
    for l in head.lines() {
        let t = l.trim();
        if t.starts_with("PING ") && (t.contains("bytes of data") || t.contains("data bytes"))
            || t.starts_with("--- ") && t.ends_with(" ping statistics ---")
        {
            score = score.max(0.95);
        } else if t.contains(" bytes from ") && (t.contains("icmp_seq=") || t.contains(" seq="))
            || t.contains(" packets transmitted, ")
            || t.starts_with("ping: local error: ")
        {
            score = score.max(0.9);
        } else if t.starts_with("From ") && t.contains(" icmp_seq=") {
            score = score.max(0.85);
        } else if t.starts_with("ping: ") {
            score = score.max(0.8);
        }
    }
    (score > 0.0).then_some(score)
}

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out = Output::default();
    let (payload_arg, df) = match &seg.command {
        Some(cmd) if matches_command(cmd) => {
            let (_, args) = program_of(cmd);
            let payload = short_opt(args, "-s").and_then(|v| v.parse().ok());
            let df = short_opt(args, "-M") == Some("do");
            (payload, df)
        }
        _ => (None, false),
    };
    let mut cur: Option<Record> = None;
    for (n, raw) in seg.lines() {
        let text = super::probe::capped(raw).trim();
        if text.is_empty() || text == "^C" {
            continue;
        }
        let pair = match P::parse(Rule::ping_line, text) {
            Ok(mut p) => p.next().and_then(|l| l.into_inner().next()),
            Err(_) => {
                if text.contains(" bytes from ") {
                    run(&mut cur, &mut out, n, payload_arg, df, false)
                        .responses
                        .push(Response {
                            line: n,
                            kind: "unparsable_line".into(),
                            unparsed_line: Some(text.to_string()),
                            ..Response::default()
                        });
                }
                out.problem(n, format!("not a ping line: `{}`", short(text)));
                continue;
            }
        };
        let Some(pair) = pair else { continue };
        match pair.as_rule() {
            Rule::header => {
                let r = run(&mut cur, &mut out, n, payload_arg, df, true);
                header(r, pair);
            }
            Rule::pattern_line => {
                let r = run(&mut cur, &mut out, n, payload_arg, df, false);
                r.pattern = pair
                    .into_inner()
                    .next()
                    .map(|p| p.as_str().trim().to_string());
            }
            Rule::reply => {
                let resp = reply(pair, n);
                run(&mut cur, &mut out, n, payload_arg, df, false)
                    .responses
                    .push(resp);
            }
            Rule::icmp_error | Rule::bsd_icmp_error => {
                let resp = icmp_error(pair, n);
                let r = run(&mut cur, &mut out, n, payload_arg, df, false);
                if resp.kind == "frag_needed_and_df_set" {
                    mtu_seen(r, n, resp.mtu);
                }
                r.responses.push(resp);
            }
            Rule::timeout => {
                let mut resp = Response {
                    line: n,
                    kind: "timeout".into(),
                    ..Response::default()
                };
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::seq => resp.icmp_seq = p.as_str().parse().ok(),
                        Rule::stamp => resp.timestamp = stamp(p.as_str()),
                        _ => {}
                    }
                }
                run(&mut cur, &mut out, n, payload_arg, df, false)
                    .responses
                    .push(resp);
            }
            Rule::local_error => {
                let mtu = pair
                    .into_inner()
                    .find(|p| p.as_rule() == Rule::mtu)
                    .and_then(|p| p.as_str().parse().ok());
                let r = run(&mut cur, &mut out, n, payload_arg, df, false);
                mtu_seen(r, n, mtu);
                r.responses.push(Response {
                    line: n,
                    kind: "local_error".into(),
                    mtu,
                    message: Some("message too long".into()),
                    ..Response::default()
                });
            }
            Rule::send_error => {
                let msg = pair
                    .into_inner()
                    .find(|p| p.as_rule() == Rule::rest)
                    .map(|p| p.as_str().trim().to_string())
                    .unwrap_or_default();
                let r = run(&mut cur, &mut out, n, payload_arg, df, false);
                if msg.eq_ignore_ascii_case("message too long") {
                    mtu_seen(r, n, None);
                }
                r.responses.push(Response {
                    line: n,
                    kind: "send_error".into(),
                    message: Some(msg),
                    ..Response::default()
                });
            }
            Rule::tool_error => {
                let msg = pair
                    .into_inner()
                    .find(|p| p.as_rule() == Rule::rest)
                    .map(|p| p.as_str().trim())
                    .unwrap_or("");
                if msg.starts_with("Warning") || msg.starts_with("WARNING") {
                    continue;
                }
                // A second failure after a run that already says something is a new run.
                let fresh = cur
                    .as_ref()
                    .is_some_and(|r| r.error.is_some() || r.packets_transmitted.is_some());
                let r = run(&mut cur, &mut out, n, payload_arg, df, fresh);
                if r.error.is_none() {
                    r.error = Some(msg.to_string());
                    r.error_line = Some(n);
                }
            }
            Rule::stats_header => {
                let fresh = cur
                    .as_ref()
                    .is_some_and(|r| r.packets_transmitted.is_some());
                let r = run(&mut cur, &mut out, n, payload_arg, df, fresh);
                r.destination = pair
                    .into_inner()
                    .find(|p| p.as_rule() == Rule::destination)
                    .map(|p| p.as_str().to_string());
            }
            Rule::counts => {
                let r = run(&mut cur, &mut out, n, payload_arg, df, false);
                counts(r, pair);
            }
            Rule::rtt => {
                let r = run(&mut cur, &mut out, n, payload_arg, df, false);
                let v: Vec<Option<f64>> = pair
                    .into_inner()
                    .filter(|p| p.as_rule() == Rule::rtt_value)
                    .map(|p| p.as_str().parse().ok())
                    .collect();
                r.round_trip_ms_min = v.first().copied().flatten();
                r.round_trip_ms_avg = v.get(1).copied().flatten();
                r.round_trip_ms_max = v.get(2).copied().flatten();
                r.round_trip_ms_stddev = v.get(3).copied().flatten();
            }
            // macOS's IP header dump under an ICMP error: known noise.
            _ => {}
        }
    }
    if let Some(r) = cur.take() {
        out.records.push(finish(r));
    }
    out
}

/// The current run; a new one when there is none or `fresh` asks for one (a `PING` header
/// after a run that already holds something).
fn run<'c>(
    cur: &'c mut Option<Record>,
    out: &mut Output<Record>,
    n: usize,
    payload: Option<u32>,
    df: bool,
    header: bool,
) -> &'c mut Record {
    let start_new = match cur.as_ref() {
        None => true,
        Some(r) => header && !is_blank(r),
    };
    if start_new {
        if let Some(old) = cur.take() {
            out.records.push(finish(old));
        }
    }
    cur.get_or_insert_with(|| Record {
        line: n,
        payload,
        df,
        ..Record::default()
    })
}

/// A run that has seen nothing but a `PATTERN:` line.
fn is_blank(r: &Record) -> bool {
    r.destination_ip.is_none()
        && r.destination.is_none()
        && r.responses.is_empty()
        && r.error.is_none()
        && r.packets_transmitted.is_none()
}

fn finish(mut r: Record) -> Record {
    if r.payload.is_none() {
        r.payload = r.data_bytes;
    }
    r
}

fn mtu_seen(r: &mut Record, n: usize, mtu: Option<u32>) {
    r.mtu_exceeded = true;
    if r.mtu_error_line.is_none() {
        r.mtu_error_line = Some(n);
    }
    if r.mtu_error.is_none() {
        r.mtu_error = mtu;
    }
}

fn header(r: &mut Record, pair: Pair<'_, Rule>) {
    let mut name = None;
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::addr => name = Some(p.as_str()),
            Rule::ip_addr => r.destination_ip = Some(p.as_str().to_string()),
            Rule::from_part => {
                r.source_ip = p
                    .into_inner()
                    .find(|q| q.as_rule() == Rule::addr)
                    .map(|q| q.as_str().to_string())
            }
            Rule::data_bytes => r.data_bytes = p.as_str().parse().ok(),
            _ => {}
        }
    }
    if r.destination.is_none() {
        r.destination = name.map(str::to_string);
    }
    if r.destination_ip.is_none() {
        r.destination_ip = name.map(str::to_string);
    }
}

fn reply(pair: Pair<'_, Rule>, n: usize) -> Response {
    let mut resp = Response {
        line: n,
        kind: "reply".into(),
        ..Response::default()
    };
    let mut name = None;
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::stamp => resp.timestamp = stamp(p.as_str()),
            Rule::reply_bytes => resp.bytes = p.as_str().parse().ok(),
            Rule::addr => name = Some(p.as_str()),
            Rule::ip_addr => resp.response_ip = Some(p.as_str().to_string()),
            Rule::seq => resp.icmp_seq = p.as_str().parse().ok(),
            Rule::ttl => resp.ttl = p.as_str().parse().ok(),
            Rule::time_ms => resp.time_ms = p.as_str().parse().ok(),
            Rule::dup => resp.duplicate = true,
            _ => {}
        }
    }
    if resp.response_ip.is_none() {
        resp.response_ip = name.map(str::to_string);
    }
    resp
}

/// jc's names for the ICMP errors ping prints (iputils `pr_icmph`, macOS `pr_icmph`).
const ICMP_ERRORS: &[(&str, &str)] = &[
    ("Destination Net Unreachable", "destination_net_unreachable"),
    (
        "Destination Host Unreachable",
        "destination_host_unreachable",
    ),
    (
        "Destination Protocol Unreachable",
        "destination_protocol_unreachable",
    ),
    (
        "Destination Port Unreachable",
        "destination_port_unreachable",
    ),
    ("Frag needed and DF set", "frag_needed_and_df_set"),
    ("Source Route Failed", "source_route_failed"),
    ("Destination Net Unknown", "destination_net_unknown"),
    ("Destination Host Unknown", "destination_host_unknown"),
    ("Source Host Isolated", "source_host_isolated"),
    ("Destination Net Prohibited", "destination_net_prohibited"),
    ("Destination Host Prohibited", "destination_host_prohibited"),
    ("Packet filtered", "packet_filtered"),
    ("Precedence Violation", "precedence_violation"),
    ("Precedence Cutoff", "precedence_cutoff"),
    ("Redirect Network", "redirect_network"),
    ("Redirect Host", "redirect_host"),
    ("Time to live exceeded", "time_to_live_exceeded"),
    (
        "Frag reassembly time exceeded",
        "frag_reassembly_time_exceeded",
    ),
];

fn icmp_error(pair: Pair<'_, Rule>, n: usize) -> Response {
    let mut resp = Response {
        line: n,
        kind: "icmp_error".into(),
        ..Response::default()
    };
    let mut name = None;
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::stamp => resp.timestamp = stamp(p.as_str()),
            Rule::reply_bytes => resp.bytes = p.as_str().parse().ok(),
            Rule::addr => name = Some(p.as_str()),
            Rule::ip_addr => resp.response_ip = Some(p.as_str().to_string()),
            Rule::seq => resp.icmp_seq = p.as_str().parse().ok(),
            Rule::rest => resp.message = Some(p.as_str().trim().to_string()),
            _ => {}
        }
    }
    if resp.response_ip.is_none() {
        resp.response_ip = name.map(str::to_string);
    }
    if let Some(msg) = resp.message.as_deref() {
        // Longest match first: "… Unreachable for Type of Service" starts like "… Unreachable".
        if let Some((_, kind)) = ICMP_ERRORS
            .iter()
            .filter(|(text, _)| msg.contains(text))
            .max_by_key(|(text, _)| text.len())
        {
            resp.kind = (*kind).to_string();
        }
        resp.mtu = mtu_in(msg);
    }
    resp
}

/// `(mtu = 1450)`, `mtu=1450`, `mtu: 1450`.
pub fn mtu_in(text: &str) -> Option<u32> {
    let i = text.find("mtu")?;
    let rest = text.get(i + 3..)?.trim_start_matches([' ', '=', ':']);
    let digits: String = rest
        .chars()
        .take_while(char::is_ascii_digit)
        .take(6)
        .collect();
    digits.parse().ok()
}

fn stamp(s: &str) -> Option<f64> {
    s.trim_start_matches('[').trim_end_matches(']').parse().ok()
}

fn counts(r: &mut Record, pair: Pair<'_, Rule>) {
    for p in pair.into_inner() {
        let v = p.as_str();
        match p.as_rule() {
            Rule::transmitted => r.packets_transmitted = v.parse().ok(),
            Rule::received => r.packets_received = v.parse().ok(),
            Rule::duplicates => r.duplicates = v.parse().ok(),
            Rule::errors => r.errors = v.parse().ok(),
            Rule::loss => r.packet_loss_percent = v.parse().ok(),
            Rule::total_time => r.time_ms = v.parse().ok(),
            _ => {}
        }
    }
    if r.duplicates.is_none() {
        r.duplicates = Some(0);
    }
}

/// A line for a message, cut to 80 characters.
pub fn short(text: &str) -> &str {
    super::common::capped_at(text, 80)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule_of(line: &str) -> Option<Rule> {
        P::parse(Rule::ping_line, line)
            .ok()?
            .next()?
            .into_inner()
            .next()
            .map(|p| p.as_rule())
    }

    #[test]
    fn line_rules() {
        for (line, rule) in [
            (
                "PING 10.0.0.7 (10.0.0.7) 1472(1500) bytes of data.",
                Rule::header,
            ),
            (
                "PING 10.0.0.7 (10.0.0.7) from 10.0.0.5 eth0: 56(84) bytes of data.",
                Rule::header,
            ),
            ("PING ::1(::1) 56 data bytes", Rule::header),
            ("PING 10.0.0.7 (10.0.0.7): 1472 data bytes", Rule::header),
            (
                "1480 bytes from 10.0.0.7: icmp_seq=1 ttl=64 time=0.512 ms",
                Rule::reply,
            ),
            (
                "64 bytes from fd00::7: icmp_seq=1 ttl=64 time=0.05 ms (DUP!)",
                Rule::reply,
            ),
            (
                "64 bytes from 10.0.0.7: seq=0 ttl=64 time=0.089 ms",
                Rule::reply,
            ),
            (
                "ping: local error: message too long, mtu=1450",
                Rule::local_error,
            ),
            (
                "From 10.0.0.5 icmp_seq=1 Frag needed and DF set (mtu = 1450)",
                Rule::icmp_error,
            ),
            ("ping: sendmsg: Message too long", Rule::send_error),
            ("Request timeout for icmp_seq 0", Rule::timeout),
            ("--- 10.0.0.7 ping statistics ---", Rule::stats_header),
            (
                "3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 2034ms",
                Rule::counts,
            ),
            (
                "3 packets transmitted, 3 packets received, 0% packet loss",
                Rule::counts,
            ),
            ("rtt min/avg/max/mdev = 0.4/0.5/0.6/0.1 ms", Rule::rtt),
            ("round-trip min/avg/max = 0.1/0.2/0.3 ms", Rule::rtt),
            ("ping: bad address 'foo'", Rule::tool_error),
            ("ping: foo: Name or service not known", Rule::tool_error),
        ] {
            assert_eq!(rule_of(line), Some(rule), "{line}");
        }
        assert_eq!(rule_of("64 bytes from"), None);
        assert_eq!(rule_of("PING"), None);
    }

    #[test]
    fn mtu_text() {
        assert_eq!(mtu_in("Frag needed and DF set (mtu = 1450)"), Some(1450));
        assert_eq!(mtu_in("mtu=1400"), Some(1400));
        assert_eq!(mtu_in("no number"), None);
    }
}
