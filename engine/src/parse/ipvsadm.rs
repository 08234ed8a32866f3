//! ipvsadm: the IPVS virtual server table kube-proxy's ipvs mode programs.
//!
//! Commands: `ipvsadm -Ln` (`-L -n`, `--list --numeric`, bare `ipvsadm`), `ipvsadm -Ln --stats`,
//! `ipvsadm -Ln --rate`, `--exact`, and one service: `ipvsadm -Ln -t 10.96.0.10:53`,
//! `-u 10.96.0.10:53`, `-f 100` (no version banner then). Not the connection table (`-Lnc`)
//! nor the save format (`-S`).
//!
//! Variants: ipvsadm 1.26–1.31 on IPVS 1.2.1 (`IP Virtual Server version 1.2.1
//! (size=4096)`); without `-n` names (`10.96.0.1:https`, a real server cut to 28 characters:
//! `control-plane.minikube.inter`); IPv6 (`[fd00:10:96::1]:443`); firewall marks (`FWM  100
//! rr`); `persistent 10800` (kube-proxy's `sessionAffinity: ClientIP`), `mask`, `ops`, `pe`;
//! `--stats` / `--rate` counters with ipvsadm's K/M/G/T suffixes (`830843K`, `1135M`: ×1000
//! each, as `print_largenum` divides). kube-proxy 1.28–1.31 ipvs mode: every ClusterIP, every
//! NodePort on every node address (and `kube-ipvs0`'s), `rr` unless `ipvs.scheduler` says
//! otherwise, `Masq` forwarding, weight 0 for a terminating endpoint, a service with no
//! `->` lines when it has no ready endpoints.
//!
//! Record: tagged by `record`:
//!
//! | record | fields |
//! |---|---|
//! | `header` | `line`, `version` (`1.2.1`), `size` (connection table size, `4096`) |
//! | `virtual_server` | `line`, `protocol` (`TCP`, `UDP`, `SCTP`, `FWM`), `address` (brackets removed; `None` for `FWM`), `port` (`None` for `FWM` and unknown service names), `fwmark`, `scheduler` (`rr`; `None` in `--stats`/`--rate` output), `persistent` (seconds), `netmask`, `flags` (other words: `ops`, `pe sip`, scheduler flags), `stats`, `rate`, `real_servers` |
//! | `error` | `line`, `message` (`Can't initialize ipvs: Protocol not available`, …) |
//!
//! A real server: `line`, `address`, `port`, `forward` (`Masq`, `Route`, `Tunnel`, `Local`),
//! `weight`, `active_conn`, `inact_conn`, `stats`, `rate`. `stats`: `conns`, `inpkts`,
//! `outpkts`, `inbytes`, `outbytes`; `rate`: `cps`, `inpps`, `outpps`, `inbps`, `outbps`
//! (all `u64`, suffixes expanded).
//!
//! Which columns a line has is decided by the last title line (`Prot LocalAddress:Port
//! Scheduler Flags`, `… Conns InPkts OutPkts InBytes OutBytes`, `… CPS InPPS OutPPS InBPS
//! OutBPS`); without one (a grepped paste) by the shape: a word then numbers is the plain
//! listing, five numbers are `--stats`.
//!
//! Known lines skipped deliberately: the title lines (`Prot LocalAddress:Port …`, `->
//! RemoteAddress:Port …`): they set the column layout. Any other line is a problem with its
//! line number, and so is a `->` line before any service or a line whose columns do not fit
//! the layout. Lines are read one at a time, each capped at 16 KiB.
//!
//! ```text
//! TCP  10.96.0.10:53 rr
//!   -> 10.244.1.5:53                Masq    1      0          3
//! → { record: "virtual_server", line: 1, protocol: "TCP", address: "10.96.0.10", port: 53, scheduler: "rr",
//!     real_servers: [{ line: 2, address: "10.244.1.5", port: 53, forward: "Masq", weight: 1,
//!     active_conn: 0, inact_conn: 3, … }], … }
//! ```

use super::{Chunker, Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use pest::iterators::Pair;
use pest::Parser;
use serde::Serialize;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/ipvsadm.pest"]
struct P;

/// One thing `ipvsadm -L` said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "record", rename_all = "snake_case")]
#[allow(clippy::large_enum_variant)]
pub enum Record {
    Header(Header),
    VirtualServer(VirtualServer),
    Error(ErrorLine),
}

impl Record {
    /// 1-based input line.
    pub fn line(&self) -> usize {
        match self {
            Record::Header(h) => h.line,
            Record::VirtualServer(v) => v.line,
            Record::Error(e) => e.line,
        }
    }
}

/// `IP Virtual Server version 1.2.1 (size=4096)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Header {
    pub line: usize,
    pub version: String,
    /// The connection hash table size.
    pub size: Option<u64>,
}

/// `Can't initialize ipvs: Protocol not available`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorLine {
    pub line: usize,
    pub message: String,
}

/// `TCP  10.96.0.1:443 rr persistent 10800` and its `->` lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VirtualServer {
    pub line: usize,
    /// `TCP`, `UDP`, `SCTP`, `FWM`.
    pub protocol: String,
    /// `10.96.0.1`, `fd00:10:96::1` (brackets removed), a host name without `-n`; `None` for `FWM`.
    pub address: Option<String>,
    /// `None` for `FWM` and service names ipvsadm printed that are not well known.
    pub port: Option<u16>,
    /// The mark of an `FWM` service.
    pub fwmark: Option<u32>,
    /// `rr`, `wrr`, `lc`, `sh`, …; `None` in `--stats` / `--rate` output.
    pub scheduler: Option<String>,
    /// `persistent 10800`: seconds.
    pub persistent: Option<u32>,
    /// `mask 255.255.255.0` (persistence granularity).
    pub netmask: Option<String>,
    /// Other words after the scheduler: `ops`, `pe sip`, scheduler flags.
    pub flags: Vec<String>,
    pub stats: Option<Stats>,
    pub rate: Option<Rate>,
    pub real_servers: Vec<RealServer>,
}

/// `  -> 10.244.1.5:8080              Masq    1      0          0`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RealServer {
    pub line: usize,
    pub address: String,
    pub port: Option<u16>,
    /// `Masq`, `Route`, `Tunnel`, `Local`.
    pub forward: Option<String>,
    pub weight: Option<u32>,
    pub active_conn: Option<u64>,
    pub inact_conn: Option<u64>,
    pub stats: Option<Stats>,
    pub rate: Option<Rate>,
}

/// `--stats` columns: totals since the service was added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub conns: u64,
    pub inpkts: u64,
    pub outpkts: u64,
    pub inbytes: u64,
    pub outbytes: u64,
}

/// `--rate` columns: per-second estimates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rate {
    pub cps: u64,
    pub inpps: u64,
    pub outpps: u64,
    pub inbps: u64,
    pub outbps: u64,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "ipvsadm",
    aliases: &["ipvs"],
    title: "ipvsadm virtual server tables",
    commands: &[
        "ipvsadm -Ln",
        "ipvsadm -Ln --stats",
        "ipvsadm -Ln --rate",
        "ipvsadm -Ln -t 10.96.0.10:53",
    ],
    variants: &[
        "ipvsadm 1.26–1.31 (IPVS 1.2.1)",
        "numeric (-n) and named addresses, IPv6, FWM services",
        "kube-proxy 1.28–1.31 ipvs mode",
    ],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    if cmd.program != "ipvsadm" {
        return false;
    }
    let mut listing = cmd.args.is_empty();
    for a in &cmd.args {
        match a.as_str() {
            "--list" | "--stats" | "--rate" => listing = true,
            "--connection" | "--save" => return false,
            long if long.starts_with("--") => {}
            short => {
                if let Some(cluster) = short.strip_prefix('-') {
                    if cluster.contains(['c', 'S']) {
                        return false;
                    }
                    if cluster.contains(['L', 'l']) {
                        listing = true;
                    }
                }
            }
        }
    }
    listing
}

fn sniff(head: &str) -> Option<f32> {
    let mut score: f32 = 0.0;
    let mut services = 0;
    for l in head.lines() {
        let t = l.trim();
        if t.starts_with("IP Virtual Server version ") {
            return Some(0.99);
        }
        if t.starts_with("Can't initialize ipvs:")
            || t.starts_with("Are you sure that IP Virtual Server is built in the kernel")
        {
            return Some(0.9);
        }
        if t.starts_with("Prot LocalAddress:Port") || t.starts_with("-> RemoteAddress:Port") {
            score = score.max(0.97);
        } else if let Some(rest) = t.strip_prefix("-> ") {
            let mut w = rest.split_whitespace();
            let ep = w.next().unwrap_or("");
            let fwd = w.next().unwrap_or("");
            if ep.contains(':') && matches!(fwd, "Masq" | "Route" | "Tunnel" | "Local") {
                score = score.max(if services > 0 { 0.9 } else { 0.7 });
            }
        } else {
            let mut w = t.split_whitespace();
            let proto = w.next().unwrap_or("");
            let ep = w.next().unwrap_or("");
            if matches!(proto, "TCP" | "UDP" | "SCTP")
                && ep.contains(':')
                && ep.rsplit(':').next().is_some_and(|p| !p.is_empty())
                && w.next().is_some_and(is_scheduler)
            {
                services += 1;
                score = score.max(0.6);
            }
        }
    }
    (score > 0.0).then_some(score)
}

fn is_scheduler(s: &str) -> bool {
    matches!(
        s,
        "rr" | "wrr"
            | "lc"
            | "wlc"
            | "lblc"
            | "lblcr"
            | "dh"
            | "sh"
            | "sed"
            | "nq"
            | "fo"
            | "ovf"
            | "mh"
            | "twos"
    )
}

/// Which columns the entries below a title have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// `Scheduler Flags` / `Forward Weight ActiveConn InActConn`.
    Plain,
    /// `Conns InPkts OutPkts InBytes OutBytes`.
    Stats,
    /// `CPS InPPS OutPPS InBPS OutBPS`.
    Rate,
    /// `--persistent-conn`, `--thresholds`: `Forward Weight` then other counters.
    Other,
    /// No title seen yet: decide by shape.
    Unknown,
}

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out = Output::default();
    read(seg, &mut out, &mut Chunker::keep_all());
    out
}

/// Read `seg` into `out`, handing records on through `chunks` as they gather.
pub fn read(seg: &Segment, out: &mut Output<Record>, chunks: &mut Chunker<'_, Record>) {
    let mut layout = Layout::Unknown;
    // Number (counting records already handed on) of the virtual server the `->` lines
    // belong to.
    let mut current: Option<usize> = None;
    for (n, raw) in seg.lines() {
        chunks.next_line(out);
        let text = super::probe::capped(raw).trim();
        if text.is_empty() {
            continue;
        }
        let pair = match P::parse(Rule::ipvsadm_line, text) {
            Ok(mut p) => p.next().and_then(|l| l.into_inner().next()),
            Err(_) => {
                out.problem(n, "not an ipvsadm line: expected `Prot LocalAddress:Port …`, a service (`TCP  10.96.0.1:443 rr`) or a real server (`  -> 10.244.1.5:8080  Masq 1 0 0`)");
                continue;
            }
        };
        let Some(pair) = pair else { continue };
        match pair.as_rule() {
            Rule::version_line => {
                let (mut version, mut size) = (String::new(), None);
                for p in pair.into_inner() {
                    match p.as_rule() {
                        Rule::ipvs_version => version = p.as_str().to_string(),
                        Rule::table_size => size = p.as_str().parse().ok(),
                        _ => {}
                    }
                }
                out.records.push(Record::Header(Header {
                    line: n,
                    version,
                    size,
                }));
            }
            Rule::title => {
                let cols: Vec<&str> = pair.into_inner().map(|p| p.as_str()).collect();
                layout = match cols.first().copied() {
                    Some("Scheduler") => Layout::Plain,
                    Some("Conns") => Layout::Stats,
                    Some("CPS") => Layout::Rate,
                    _ => Layout::Other,
                };
            }
            Rule::real_title => {}
            Rule::virtual_server => match virtual_server(pair, n, layout) {
                Ok(v) => {
                    current = Some(chunks.handed() + out.records.len());
                    out.records.push(Record::VirtualServer(v));
                }
                Err(msg) => {
                    current = None;
                    out.problem(n, msg);
                }
            },
            Rule::real_server => {
                let vs = current
                    .and_then(|i| i.checked_sub(chunks.handed()))
                    .and_then(|i| match out.records.get_mut(i) {
                        Some(Record::VirtualServer(v)) => Some(v),
                        _ => None,
                    });
                let Some(vs) = vs else {
                    out.problem(n, "real server (`->`) line before any virtual server line");
                    continue;
                };
                match real_server(pair, n, layout) {
                    Ok(r) => vs.real_servers.push(r),
                    Err(msg) => out.problem(n, msg),
                }
            }
            Rule::error_line => out.records.push(Record::Error(ErrorLine {
                line: n,
                message: text.to_string(),
            })),
            _ => {}
        }
    }
}

/// `10.96.0.1:443` → (`10.96.0.1`, 443); `[fd00::1]:443`; `10.96.0.1:https`.
fn split_endpoint(s: &str) -> (String, Option<u16>) {
    if let Some(rest) = s.strip_prefix('[') {
        if let Some((addr, port)) = rest.split_once("]:") {
            return (addr.to_string(), super::ss::port_of(port));
        }
        return (rest.trim_end_matches(']').to_string(), None);
    }
    match s.rsplit_once(':') {
        // A bare IPv6 address has more than one colon: no port.
        Some((a, p)) if !a.contains(':') => (a.to_string(), super::ss::port_of(p)),
        _ => (s.to_string(), None),
    }
}

/// `830843K` → 830_843_000: ipvsadm prints large counters divided by 1000 per suffix.
fn counter(s: &str) -> Option<u64> {
    let (digits, mult) = match s.char_indices().last() {
        Some((i, 'K')) => (s.get(..i)?, 1_000u64),
        Some((i, 'M')) => (s.get(..i)?, 1_000_000),
        Some((i, 'G')) => (s.get(..i)?, 1_000_000_000),
        Some((i, 'T')) => (s.get(..i)?, 1_000_000_000_000),
        _ => (s, 1),
    };
    if let Ok(v) = digits.parse::<u64>() {
        return v.checked_mul(mult);
    }
    // `23.4K` (seen in hand-edited pastes).
    let (int, frac) = digits.split_once('.')?;
    if frac.is_empty() || frac.len() > 3 || mult == 1 {
        return None;
    }
    let int: u64 = int.parse().ok()?;
    let scale = 10u64.pow(frac.len() as u32);
    let frac: u64 = frac.parse().ok()?;
    int.checked_mul(mult)?
        .checked_add(frac.checked_mul(mult)? / scale)
}

/// Five counters, for `--stats` or `--rate`.
fn five(fields: &[&str]) -> Option<[u64; 5]> {
    if fields.len() != 5 {
        return None;
    }
    let mut v = [0u64; 5];
    for (slot, f) in v.iter_mut().zip(fields) {
        *slot = counter(f)?;
    }
    Some(v)
}

fn stats_of(v: [u64; 5]) -> Stats {
    let [conns, inpkts, outpkts, inbytes, outbytes] = v;
    Stats {
        conns,
        inpkts,
        outpkts,
        inbytes,
        outbytes,
    }
}

fn rate_of(v: [u64; 5]) -> Rate {
    let [cps, inpps, outpps, inbps, outbps] = v;
    Rate {
        cps,
        inpps,
        outpps,
        inbps,
        outbps,
    }
}

fn virtual_server(pair: Pair<'_, Rule>, n: usize, layout: Layout) -> Result<VirtualServer, String> {
    let mut protocol = "";
    let mut endpoint = "";
    let mut fields: Vec<&str> = Vec::new();
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::service_protocol => protocol = p.as_str(),
            Rule::endpoint => endpoint = p.as_str(),
            Rule::field if fields.len() < 64 => fields.push(p.as_str()),
            _ => {}
        }
    }
    let mut v = VirtualServer {
        line: n,
        protocol: protocol.to_string(),
        address: None,
        port: None,
        fwmark: None,
        scheduler: None,
        persistent: None,
        netmask: None,
        flags: Vec::new(),
        stats: None,
        rate: None,
        real_servers: Vec::new(),
    };
    if protocol == "FWM" {
        v.fwmark =
            Some(endpoint.parse().map_err(|_| {
                format!("FWM service: expected a firewall mark, found `{endpoint}`")
            })?);
    } else {
        let (a, p) = split_endpoint(endpoint);
        if !endpoint.contains(':') {
            return Err(format!(
                "{protocol} service: expected ADDRESS:PORT, found `{endpoint}`"
            ));
        }
        v.address = Some(a);
        v.port = p;
    }
    let numeric = fields.first().is_some_and(|f| counter(f).is_some());
    match (layout, numeric) {
        (Layout::Stats, _) | (Layout::Unknown, true) => {
            v.stats = Some(stats_of(five(&fields).ok_or_else(|| {
                "service with --stats columns: expected Conns InPkts OutPkts InBytes OutBytes"
                    .to_string()
            })?));
        }
        (Layout::Rate, _) => {
            v.rate = Some(rate_of(five(&fields).ok_or_else(|| {
                "service with --rate columns: expected CPS InPPS OutPPS InBPS OutBPS".to_string()
            })?));
        }
        _ => {
            let mut it = fields.iter();
            let sched = it
                .next()
                .filter(|s| s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
                .ok_or_else(|| format!("{protocol} service: expected a scheduler (`rr`, `wrr`, …) after the address"))?;
            v.scheduler = Some(sched.to_string());
            while let Some(f) = it.next() {
                match *f {
                    "persistent" => {
                        v.persistent = it.next().and_then(|s| s.parse().ok());
                        if v.persistent.is_none() {
                            return Err("`persistent` without a timeout in seconds".into());
                        }
                    }
                    "mask" => v.netmask = it.next().map(|s| s.to_string()),
                    "pe" => {
                        let name = it.next().copied().unwrap_or("");
                        v.flags.push(format!("pe {name}").trim_end().to_string());
                    }
                    other => v.flags.push(other.trim_matches(['(', ')']).to_string()),
                }
            }
        }
    }
    Ok(v)
}

fn real_server(pair: Pair<'_, Rule>, n: usize, layout: Layout) -> Result<RealServer, String> {
    let mut endpoint = "";
    let mut fields: Vec<&str> = Vec::new();
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::endpoint => endpoint = p.as_str(),
            Rule::field if fields.len() < 64 => fields.push(p.as_str()),
            _ => {}
        }
    }
    let (address, port) = split_endpoint(endpoint);
    let mut r = RealServer {
        line: n,
        address,
        port,
        forward: None,
        weight: None,
        active_conn: None,
        inact_conn: None,
        stats: None,
        rate: None,
    };
    let numeric = fields.first().is_some_and(|f| counter(f).is_some());
    match (layout, numeric) {
        (Layout::Stats, _) | (Layout::Unknown, true) => {
            r.stats = Some(stats_of(five(&fields).ok_or_else(|| {
                "real server with --stats columns: expected Conns InPkts OutPkts InBytes OutBytes"
                    .to_string()
            })?));
        }
        (Layout::Rate, _) => {
            r.rate = Some(rate_of(five(&fields).ok_or_else(|| {
                "real server with --rate columns: expected CPS InPPS OutPPS InBPS OutBPS"
                    .to_string()
            })?));
        }
        (Layout::Other, _) => {
            r.forward = fields.first().map(|s| s.to_string());
            r.weight = fields.get(1).and_then(|s| s.parse().ok());
            let n = fields.len();
            if n >= 4 {
                r.active_conn = fields.get(n - 2).and_then(|s| counter(s));
                r.inact_conn = fields.get(n - 1).and_then(|s| counter(s));
            }
        }
        _ => {
            let [fwd, w, a, i] = fields.as_slice() else {
                return Err(format!(
                    "real server: expected Forward Weight ActiveConn InActConn, found {} column(s)",
                    fields.len()
                ));
            };
            if !matches!(*fwd, "Masq" | "Route" | "Tunnel" | "Local" | "Bypass") {
                return Err(format!(
                    "real server: expected a forwarding method (Masq, Route, Tunnel, Local), found `{fwd}`"
                ));
            }
            r.forward = Some(fwd.to_string());
            r.weight = w.parse().ok();
            r.active_conn = counter(a);
            r.inact_conn = counter(i);
            if r.weight.is_none() || r.active_conn.is_none() || r.inact_conn.is_none() {
                return Err("real server: expected numbers for Weight ActiveConn InActConn".into());
            }
        }
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_with_suffixes() {
        assert_eq!(counter("0"), Some(0));
        assert_eq!(counter("830843K"), Some(830_843_000));
        assert_eq!(counter("1135M"), Some(1_135_000_000));
        assert_eq!(counter("23.4K"), Some(23_400));
        assert_eq!(counter("K"), None);
        assert_eq!(counter("rr"), None);
        assert_eq!(counter("99999999999999999999T"), None);
    }

    #[test]
    fn endpoints() {
        assert_eq!(
            split_endpoint("[fd00:10:96::1]:443"),
            ("fd00:10:96::1".to_string(), Some(443))
        );
        assert_eq!(
            split_endpoint("10.96.0.1:https"),
            ("10.96.0.1".to_string(), Some(443))
        );
        assert_eq!(
            split_endpoint("control-plane.minikube.inter"),
            ("control-plane.minikube.inter".to_string(), None)
        );
    }

    #[test]
    fn one_service() {
        let text = "TCP  10.0.0.5:30080 rr persistent 10800\n  -> 10.244.1.5:8080              Masq    0      0          2";
        let out = parse(&Segment::new(text, 5));
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let Some(Record::VirtualServer(v)) = out.records.first() else {
            panic!("no service")
        };
        assert_eq!(
            (v.line, v.persistent, v.port),
            (5, Some(10800), Some(30080))
        );
        assert_eq!(v.real_servers[0].weight, Some(0));
        assert_eq!(v.real_servers[0].line, 6);
    }
}
