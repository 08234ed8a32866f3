//! ip-route: the routing table as `ip route` prints it.
//!
//! Commands: `ip route`, `ip r`, `ip route show`, `ip -4 route show`, `ip -6 route`,
//! `ip route show table all`, `ip route show table local`, `ip route list dev cni0`,
//! `ip netns exec NS ip route`, `nsenter -t PID -n ip r`, BusyBox `ip route` in a pod.
//!
//! Variants: iproute2 4.x (double spaces between attributes, trailing blanks), 5.x and 6.x
//! (`ip/iproute.c` print_route()), BusyBox `ip` 1.30–1.36. Shapes read:
//! `default via 10.0.0.1 dev eth0 proto dhcp src 10.0.0.5 metric 100`,
//! `10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink`, `10.244.0.0/24 dev cni0 proto kernel
//! scope link src 10.244.0.1 linkdown`, Calico's `blackhole 10.244.3.0/26 proto bird` and
//! `10.244.5.0/26 via 192.168.1.12 dev tunl0 proto bird onlink`, `unreachable`/`prohibit`/
//! `throw`, table local's `local …`/`broadcast …`, `via inet6 fe80::1`, IPv6 routes with
//! `pref medium`, `expires 1797sec`, `error -113`, `mtu lock 1400`, and multipath routes whose
//! `nexthop via … dev … weight 1` lines follow on their own (indented) lines.
//!
//! Record (jc `ip_route` names, plus `type`, `table`, `mtu`, `nexthops`): `line: usize`,
//! `type: String` (`unicast` when ip prints no type; `blackhole`, `unreachable`, `local`,
//! `broadcast`, `multicast`, `anycast`, `prohibit`, `throw`, `nat`), `ip: Destination`
//! (`"default"` or a prefix as `ipnet::IpNet`, `10.0.0.5` read as `10.0.0.5/32`), `via:
//! Option<IpAddr>`, `dev`, `metric: Option<u32>`, `proto`, `scope`, `src: Option<IpAddr>`,
//! `status: Vec<String>` (the flags: `onlink`, `linkdown`, `dead`, `offload`, …; a list
//! where jc has one string, as a route can be both `onlink` and `linkdown`), `table`, `mtu:
//! Option<u32>` (the `mtu` route metric), `pref`, `nexthops: Vec<Nexthop>` (`via`, `dev`,
//! `weight: Option<u32>`, `status`).
//!
//! Other attributes (`expires`, `advmss`, `hoplimit`, `realms`, `error`, …) are read and not
//! kept. Errors `ip` prints instead of a table (`Error: ipv4: FIB table does not exist.`,
//! `RTNETLINK answers: …`) are problems with their text: there is no table to read. A
//! `nexthop` line with no route above it is a problem, as is every line that is not a route.
//! Lines are read one at a time, each capped at 16 KiB; LWT `encap …` routes are not read
//! (problem).
//!
//! ```text
//! 10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink
//! → { line: 1, type: "unicast", ip: "10.244.1.0/24", via: "10.244.1.0", dev: "flannel.1",
//!     status: ["onlink"], … }
//! ```

use super::iproute::ip_call;
use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use ipnet::IpNet;
use pest::iterators::Pair;
use pest::Parser;
use serde::{Serialize, Serializer};
use std::net::IpAddr;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/ip_route.pest"]
struct P;

/// Where a route leads: `default` or a prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    Default,
    Net(IpNet),
}

impl Serialize for Destination {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Destination::Default => s.serialize_str("default"),
            Destination::Net(n) => s.collect_str(n),
        }
    }
}

impl Destination {
    /// `default`, `10.244.0.0/24`, `10.0.0.5` (a /32), `fe80::/64`.
    pub fn parse(s: &str) -> Option<Destination> {
        if s == "default" {
            return Some(Destination::Default);
        }
        if let Ok(n) = s.parse::<IpNet>() {
            return Some(Destination::Net(n));
        }
        s.parse::<IpAddr>()
            .ok()
            .map(|a| Destination::Net(IpNet::from(a)))
    }
}

/// One route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    /// 1-based input line.
    pub line: usize,
    #[serde(rename = "type")]
    pub r#type: String,
    pub ip: Destination,
    pub via: Option<IpAddr>,
    pub dev: Option<String>,
    pub metric: Option<u32>,
    pub proto: Option<String>,
    pub scope: Option<String>,
    pub src: Option<IpAddr>,
    pub status: Vec<String>,
    pub table: Option<String>,
    pub mtu: Option<u32>,
    pub pref: Option<String>,
    pub nexthops: Vec<Nexthop>,
}

/// One path of a multipath route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Nexthop {
    pub line: usize,
    pub via: Option<IpAddr>,
    pub dev: Option<String>,
    pub weight: Option<u32>,
    pub status: Vec<String>,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "ip-route",
    aliases: &["ip-r"],
    title: "ip route tables",
    commands: &[
        "ip route",
        "ip r",
        "ip -4 route show",
        "ip -6 route",
        "ip route show table all",
    ],
    variants: &["iproute2 4.x", "iproute2 5.x", "iproute2 6.x", "BusyBox ip"],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    ip_call(cmd).is_some_and(|c| c.object == super::iproute::Object::Route && c.show && !c.json)
}

/// Score of one line as a route line: 0 when it is not one.
pub(crate) fn route_line_score(t: &str) -> f32 {
    let mut words = t.split_whitespace();
    let Some(mut first) = words.next() else {
        return 0.0;
    };
    let typed = matches!(
        first,
        "blackhole" | "unreachable" | "prohibit" | "local" | "broadcast" | "throw" | "multicast"
    );
    if typed {
        match words.next() {
            Some(w) => first = w,
            None => return 0.0,
        }
    }
    if Destination::parse(first).is_none() {
        return 0.0;
    }
    let rest: Vec<&str> = words.take(24).collect();
    let has = |k: &str| rest.contains(&k);
    if rest
        .iter()
        .any(|w| *w == "lladdr" || *w == "uid" || *w == "cache")
    {
        return 0.0;
    }
    let keyed = [
        "proto", "scope", "metric", "via", "src", "onlink", "pref", "table",
    ]
    .iter()
    .filter(|k| has(k))
    .count();
    if first == "default" && (has("via") || has("dev")) {
        return 0.9;
    }
    if first.contains('/') && (has("dev") || has("via")) && keyed > 0 {
        return 0.9;
    }
    if typed && (has("proto") || has("dev")) {
        return 0.85;
    }
    if has("dev") && keyed > 0 {
        return 0.6;
    }
    0.0
}

fn sniff(head: &str) -> Option<f32> {
    let mut best: f32 = 0.0;
    for l in head.lines() {
        let t = l.trim();
        if t.starts_with("nexthop via ") {
            best = best.max(0.7);
        }
        best = best.max(route_line_score(t));
    }
    (best > 0.0).then_some(best)
}

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out: Output<Record> = Output::default();
    for (n, raw) in seg.lines() {
        let text = super::probe::capped(raw).trim();
        if text.is_empty() {
            continue;
        }
        let line = match P::parse(Rule::route_line, text) {
            Ok(mut p) => p.next().and_then(|l| l.into_inner().next()),
            Err(e) => {
                let mut p = super::pest_problem(&e, n, "not an ip route line");
                if p.message.ends_with(" at column 1") {
                    p.message =
                        "not an ip route line: expected `[type] destination [via …] [dev …] …`"
                            .into();
                }
                if text.starts_with("encap") || text.contains(" encap ") {
                    p.message = "route with an `encap` (lightweight tunnel) is not read".into();
                }
                out.problems.push(p);
                continue;
            }
        };
        let Some(line) = line else { continue };
        match line.as_rule() {
            Rule::ip_error => out.problem(n, format!("ip printed an error, not routes: {text}")),
            Rule::nexthop => {
                let hop = nexthop(line, n);
                match (hop, out.records.last_mut()) {
                    (Ok(h), Some(last)) => last.nexthops.push(h),
                    (Ok(_), None) => out.problem(n, "`nexthop` line with no route above it"),
                    (Err(m), _) => out.problem(n, m),
                }
            }
            Rule::route => match route(line, n) {
                Ok(r) => out.records.push(r),
                Err(m) => out.problem(n, m),
            },
            _ => {}
        }
    }
    out
}

/// The parts of one attribute: key, value (or the flag itself), and nothing else.
pub(crate) fn attribute<'i>(p: Pair<'i, Rule>) -> (&'i str, &'i str) {
    let mut key = "";
    let mut value = "";
    for a in p.into_inner() {
        match a.as_rule() {
            Rule::route_key => key = a.as_str(),
            Rule::word => value = a.as_str(),
            Rule::route_flag => {
                key = "flag";
                value = a.as_str();
            }
            _ => {}
        }
    }
    (key, value)
}

fn addr(key: &str, value: &str) -> Result<IpAddr, String> {
    value
        .parse()
        .map_err(|_| format!("`{key} {value}`: not an IP address"))
}

fn number(key: &str, value: &str) -> Result<u32, String> {
    value
        .parse()
        .map_err(|_| format!("`{key} {value}`: not a number"))
}

fn route(pair: Pair<'_, Rule>, n: usize) -> Result<Record, String> {
    let mut r = Record {
        line: n,
        r#type: "unicast".into(),
        ip: Destination::Default,
        via: None,
        dev: None,
        metric: None,
        proto: None,
        scope: None,
        src: None,
        status: Vec::new(),
        table: None,
        mtu: None,
        pref: None,
        nexthops: Vec::new(),
    };
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::route_type => r.r#type = p.as_str().to_string(),
            Rule::destination => {
                r.ip = Destination::parse(p.as_str())
                    .ok_or_else(|| format!("`{}`: not a route destination", p.as_str()))?;
            }
            Rule::route_attribute => {
                let (k, v) = attribute(p);
                match k {
                    "via" => r.via = Some(addr(k, v)?),
                    "dev" => r.dev = Some(v.to_string()),
                    "metric" => r.metric = Some(number(k, v)?),
                    "proto" => r.proto = Some(v.to_string()),
                    "scope" => r.scope = Some(v.to_string()),
                    "src" => r.src = Some(addr(k, v)?),
                    "table" => r.table = Some(v.to_string()),
                    "mtu" => r.mtu = Some(number(k, v)?),
                    "pref" => r.pref = Some(v.to_string()),
                    "flag" => r.status.push(v.to_string()),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    Ok(r)
}

fn nexthop(pair: Pair<'_, Rule>, n: usize) -> Result<Nexthop, String> {
    let mut h = Nexthop {
        line: n,
        via: None,
        dev: None,
        weight: None,
        status: Vec::new(),
    };
    for p in pair.into_inner() {
        if p.as_rule() == Rule::route_attribute {
            let (k, v) = attribute(p);
            match k {
                "via" => h.via = Some(addr(k, v)?),
                "dev" => h.dev = Some(v.to_string()),
                "weight" => h.weight = Some(number(k, v)?),
                "flag" => h.status.push(v.to_string()),
                _ => {}
            }
        }
    }
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> Record {
        let out = parse(&Segment::new(line, 1));
        assert!(out.problems.is_empty(), "{line}: {:?}", out.problems);
        out.records.into_iter().next().unwrap()
    }

    #[test]
    fn shapes() {
        let r = one("default via 10.0.0.1 dev eth0 proto dhcp src 10.0.0.5 metric 100 ");
        assert_eq!(r.ip, Destination::Default);
        assert_eq!(r.via, Some("10.0.0.1".parse().unwrap()));
        assert_eq!((r.metric, r.proto.as_deref()), (Some(100), Some("dhcp")));
        let r = one("blackhole 10.244.3.0/26 proto bird");
        assert_eq!(r.r#type, "blackhole");
        assert_eq!(r.ip, Destination::parse("10.244.3.0/26").unwrap());
        let r = one("10.0.0.0/8 dev wg0  scope link  mtu lock 1400");
        assert_eq!((r.scope.as_deref(), r.mtu), (Some("link"), Some(1400)));
        let r = one("local 10.0.0.5 dev eth0 table local proto kernel scope host src 10.0.0.5");
        assert_eq!(r.ip, Destination::parse("10.0.0.5/32").unwrap());
        assert_eq!(r.table.as_deref(), Some("local"));
        let r = one("default via inet6 fe80::1 dev eth0 proto bgp metric 20 pref medium");
        assert_eq!(r.via, Some("fe80::1".parse().unwrap()));
        let r = one("unreachable ::/96 dev lo metric 1024 error -113 pref medium");
        assert_eq!(r.r#type, "unreachable");
        let r = one("10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink linkdown");
        assert_eq!(r.status, vec!["onlink", "linkdown"]);
    }

    #[test]
    fn not_routes() {
        for l in [
            "hello world",
            "default via nowhere dev eth0",
            "10.0.0.0/8 dev eth0 bogus 1",
        ] {
            let out = parse(&Segment::new(l, 3));
            assert_eq!(out.problems.len(), 1, "{l}");
            assert_eq!(out.problems[0].line, 3);
        }
    }
}
