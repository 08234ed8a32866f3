//! ip-addr: interfaces and their addresses as `ip addr` prints them, and the `ip -br`
//! one-liners.
//!
//! Commands: `ip addr`, `ip a`, `ip -4 a`, `ip -6 addr show dev eth0`, `ip a show cni0`,
//! `ip -o addr`, `ip a | grep inet`, `ip -br addr`, `ip -br a`, `ip -br link`, also inside
//! `ip netns exec` / `nsenter` / `kubectl exec … --`.
//!
//! Variants: iproute2 4.x (`valid_lft` lines, `scope global dynamic eth0`), 5.x and 6.x
//! (`altname` lines, `inet … metric 100 …`, `noprefixroute`), BusyBox `ip addr`. Interface
//! names as a pod or node shows them: `eth0@if12`, `cali1a2b3c@if4`, `tunl0@NONE`,
//! `cilium_host@cilium_net`.
//!
//! Record (one per interface, jc-like names): `line: usize` (the interface's first line),
//! `index: Option<u32>`, `name: String`, `link: Option<String>` (after `@`), `peer_ifindex:
//! Option<u32>` (`@if12` → 12: the veth peer's index in the other namespace), `flags:
//! Vec<String>`, `mtu: Option<u32>`, `qdisc`, `master`, `state`, `group`, `qlen:
//! Option<u32>`, `link_type`, `mac` (the link-layer address as printed), `brd`,
//! `link_netnsid: Option<u32>`, `addresses: Vec<Address>`, `altnames: Vec<String>`, `error:
//! Option<String>` (`Device "cni0" does not exist.` → a record named `cni0` with that error).
//! `Address`: `line`, `family` (`inet`/`inet6`), `address: IpAddr`, `prefix: Option<u8>`,
//! `scope`, `broadcast: Option<IpAddr>`, `peer` (`peer 10.0.0.2/32`), `label` (IPv4's last
//! word: `eth0`, `eth0:1`), `flags: Vec<String>` (`dynamic`, `secondary`, `noprefixroute`,
//! `tentative`, `dadfailed`, …), `valid_lft`/`preferred_lft: Option<String>` (`forever`,
//! `86247sec`).
//!
//! `ip -br addr` (`eth0@if12  UP  10.244.1.5/24 fe80::1/64`) and `ip -br link` (`eth0  UP
//! 02:42:ac:11:00:02 <BROADCAST,…>`) give one record per line. An `inet` line with no
//! interface header above it (`ip a | grep inet`) starts a record named by its label (empty
//! for IPv6). `-d` detail lines are recognised and not kept (`ip-link` keeps them); `-s`
//! statistics lines are skipped. A `valid_lft` or `link/…` line with no interface above it is
//! a problem, as is every line that fits no rule. `ip -o` lines are cut at their `\`
//! separators. Lines are capped at 16 KiB.
//!
//! ```text
//! 2: eth0@if12: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UP group default
//!     link/ether 0a:58:0a:f4:01:05 brd ff:ff:ff:ff:ff:ff link-netnsid 0
//!     inet 10.244.1.5/24 brd 10.244.1.255 scope global eth0
//! → { line: 1, index: 2, name: "eth0", link: "if12", peer_ifindex: 12, mtu: 1450,
//!     addresses: [{ family: "inet", address: "10.244.1.5", prefix: 24, scope: "global",
//!     broadcast: "10.244.1.255", label: "eth0", … }], … }
//! ```

use super::ip_link::{self, after, error_record, oneline_parts, peer_ifindex, IfLine};
use super::iproute::{ip_call, is_mac, Object};
use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use pest::iterators::Pair;
use pest::Parser;
use serde::Serialize;
use std::net::IpAddr;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/ip_addr.pest"]
struct P;

/// One interface and its addresses.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Record {
    /// 1-based input line of the interface's first line.
    pub line: usize,
    pub index: Option<u32>,
    pub name: String,
    pub link: Option<String>,
    pub peer_ifindex: Option<u32>,
    pub flags: Vec<String>,
    pub mtu: Option<u32>,
    pub qdisc: Option<String>,
    pub master: Option<String>,
    pub state: Option<String>,
    pub group: Option<String>,
    pub qlen: Option<u32>,
    pub link_type: Option<String>,
    pub mac: Option<String>,
    pub brd: Option<String>,
    pub link_netnsid: Option<u32>,
    pub addresses: Vec<Address>,
    pub altnames: Vec<String>,
    pub error: Option<String>,
}

/// One `inet`/`inet6` address of an interface.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Address {
    pub line: usize,
    pub family: String,
    pub address: IpAddr,
    pub prefix: Option<u8>,
    pub scope: Option<String>,
    pub broadcast: Option<IpAddr>,
    pub peer: Option<String>,
    pub label: Option<String>,
    pub flags: Vec<String>,
    pub valid_lft: Option<String>,
    pub preferred_lft: Option<String>,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "ip-addr",
    aliases: &["ip-address", "ip-a"],
    title: "ip addr interfaces and addresses",
    commands: &[
        "ip addr",
        "ip a",
        "ip -4 a",
        "ip -o addr",
        "ip -br addr",
        "ip -br link",
    ],
    variants: &["iproute2 4.x", "iproute2 5.x", "iproute2 6.x", "BusyBox ip"],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    ip_call(cmd).is_some_and(|c| {
        !c.json && c.show && (c.object == Object::Address || c.object == Object::Link && c.brief)
    })
}

fn sniff(head: &str) -> Option<f32> {
    let s = ip_link::shape(head);
    if s.headers > 0 && (s.inets > 0 || s.lfts > 0) {
        return Some(0.95);
    }
    if s.brief_addrs > 0 || s.brief_links > 0 {
        return Some(0.85);
    }
    if s.inets > 0 {
        return Some(0.85);
    }
    if s.headers > 0 {
        return Some(0.7);
    }
    None
}

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out: Output<Record> = Output::default();
    let mut open = false;
    for (n, raw) in seg.lines() {
        let capped = super::probe::capped(raw);
        for text in oneline_parts(capped) {
            if let Ok(mut p) = P::parse(Rule::addr_line, text) {
                if let Some(pair) = p.next().and_then(|l| l.into_inner().next()) {
                    if let Err(m) = address_line(&mut out.records, &mut open, pair, n) {
                        out.problem(n, m);
                    }
                    continue;
                }
            }
            let line = match ip_link::read_line(text, n) {
                Ok(l) => l,
                Err(mut p) => {
                    if text.starts_with("inet") {
                        p.message = format!("not an ip addr line: {}", p.message);
                    }
                    out.problems.push(p);
                    continue;
                }
            };
            let cur = out.records.last_mut().filter(|_| open);
            match (line, cur) {
                (IfLine::Header(h), _) => {
                    let mut r = Record {
                        line: n,
                        index: h.index,
                        name: h.name.to_string(),
                        link: h.link.map(str::to_string),
                        peer_ifindex: peer_ifindex(h.link),
                        flags: h.flags.iter().map(|f| f.to_string()).collect(),
                        ..Record::default()
                    };
                    for (k, v) in &h.attrs {
                        let s = Some(v.to_string());
                        match *k {
                            "mtu" => r.mtu = v.parse().ok(),
                            "qdisc" => r.qdisc = s,
                            "master" => r.master = s,
                            "state" => r.state = s,
                            "group" => r.group = s,
                            "qlen" => r.qlen = v.parse().ok(),
                            _ => {}
                        }
                    }
                    out.records.push(r);
                    open = true;
                }
                (IfLine::Error(t), _) => {
                    let (name, error) = error_record(t);
                    out.records.push(Record {
                        line: n,
                        name,
                        error: Some(error),
                        ..Record::default()
                    });
                    open = false;
                }
                (
                    IfLine::Brief {
                        name,
                        link,
                        state,
                        words,
                    },
                    _,
                ) => {
                    let mut r = Record {
                        line: n,
                        name: name.to_string(),
                        link: link.map(str::to_string),
                        peer_ifindex: peer_ifindex(link),
                        state: Some(state.to_string()),
                        ..Record::default()
                    };
                    for w in words {
                        if let Some(f) = w.strip_prefix('<').and_then(|f| f.strip_suffix('>')) {
                            r.flags = f
                                .split(',')
                                .filter(|f| !f.is_empty())
                                .map(str::to_string)
                                .collect();
                        } else if let Some(a) = brief_address(w, n) {
                            r.addresses.push(a);
                        } else if is_mac(w) || r.mac.is_none() && w.parse::<IpAddr>().is_ok() {
                            r.mac = Some(w.to_string());
                        } else {
                            out.problems.push(super::Problem {
                                line: n,
                                message: format!("`{w}`: not an address, MAC or <FLAGS> of ip -br"),
                            });
                        }
                    }
                    out.records.push(r);
                    open = false;
                }
                (IfLine::Stats, _) => {}
                (IfLine::Link { link_type, words }, Some(r)) => {
                    r.link_type = Some(link_type.to_string());
                    if let Some(first) = words.first().filter(|w| **w != "brd" && **w != "peer") {
                        r.mac = Some(first.to_string());
                    }
                    r.brd = after(&words, "brd").map(str::to_string);
                    r.link_netnsid = after(&words, "link-netnsid").and_then(|v| v.parse().ok());
                }
                (
                    IfLine::Generic {
                        key: "altname",
                        words,
                    },
                    Some(r),
                ) => r.altnames.extend(words.first().map(|w| w.to_string())),
                // `ip -d addr` details: ip-link reads them.
                (IfLine::Detail { .. } | IfLine::Generic { .. }, Some(_)) => {}
                (_, None) => out.problem(
                    n,
                    "interface line with no `N: name: <FLAGS> mtu …` header above it",
                ),
            }
        }
    }
    out
}

/// `10.244.1.5/24` of an `ip -br addr` line.
fn brief_address(w: &str, n: usize) -> Option<Address> {
    let (a, p) = w.split_once('/')?;
    let address: IpAddr = a.parse().ok()?;
    Some(Address {
        line: n,
        family: if address.is_ipv4() { "inet" } else { "inet6" }.into(),
        address,
        prefix: Some(p.parse().ok()?),
        scope: None,
        broadcast: None,
        peer: None,
        label: None,
        flags: Vec::new(),
        valid_lft: None,
        preferred_lft: None,
    })
}

fn address_line(
    records: &mut Vec<Record>,
    open: &mut bool,
    pair: Pair<'_, Rule>,
    n: usize,
) -> Result<(), String> {
    match pair.as_rule() {
        Rule::lifetime => {
            let words: Vec<&str> = pair.into_inner().map(|p| p.as_str()).collect();
            let addr = records
                .last_mut()
                .filter(|_| *open)
                .and_then(|r| r.addresses.last_mut())
                .ok_or("`valid_lft` line with no address above it")?;
            addr.valid_lft = words.first().map(|w| w.to_string());
            addr.preferred_lft = words.get(1).map(|w| w.to_string());
            Ok(())
        }
        Rule::inet => {
            let a = inet(pair, n)?;
            attach(records, open, a, None, n);
            Ok(())
        }
        Rule::oneline_inet => {
            let mut index = None;
            let mut name = "";
            let mut addr = None;
            for p in pair.into_inner() {
                match p.as_rule() {
                    Rule::ifindex => index = p.as_str().parse().ok(),
                    Rule::ifname => name = p.as_str(),
                    Rule::inet => addr = Some(inet(p, n)?),
                    _ => {}
                }
            }
            let a = addr.ok_or("no address")?;
            attach(records, open, a, Some((index, name)), n);
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Add an address to the interface it belongs to: the open one, the `-o` line's, or a new
/// record named by the label (`ip a | grep inet`).
fn attach(
    records: &mut Vec<Record>,
    open: &mut bool,
    a: Address,
    oneline: Option<(Option<u32>, &str)>,
    n: usize,
) {
    let same = match (oneline, records.last()) {
        (Some((index, name)), Some(r)) => r.index == index && r.name == name,
        (Some(_), None) => false,
        (None, _) => *open,
    };
    if !same {
        let (index, name) = match oneline {
            Some((i, name)) => (i, name.to_string()),
            None => (None, a.label.clone().unwrap_or_default()),
        };
        // `ip a | grep inet`: consecutive lines of one label are one interface.
        let reuse = oneline.is_none()
            && !name.is_empty()
            && records
                .last()
                .is_some_and(|r| r.index.is_none() && r.name == name);
        if !reuse {
            records.push(Record {
                line: n,
                index,
                name,
                ..Record::default()
            });
        }
        *open = oneline.is_some();
    }
    if let Some(r) = records.last_mut() {
        r.addresses.push(a);
    }
}

fn inet(pair: Pair<'_, Rule>, n: usize) -> Result<Address, String> {
    let mut family = "";
    let mut text = "";
    let mut a = Address {
        line: n,
        family: String::new(),
        address: IpAddr::from([0, 0, 0, 0]),
        prefix: None,
        scope: None,
        broadcast: None,
        peer: None,
        label: None,
        flags: Vec::new(),
        valid_lft: None,
        preferred_lft: None,
    };
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::family => family = p.as_str(),
            Rule::address => text = p.as_str(),
            Rule::addr_attr => {
                let mut key = "";
                for x in p.into_inner() {
                    match x.as_rule() {
                        Rule::addr_key => key = x.as_str(),
                        Rule::addr_flag => a.flags.push(x.as_str().to_string()),
                        Rule::word => {
                            let v = x.as_str();
                            match key {
                                "brd" => {
                                    a.broadcast = Some(
                                        v.parse()
                                            .map_err(|_| format!("`brd {v}`: not an IP address"))?,
                                    )
                                }
                                "scope" => a.scope = Some(v.to_string()),
                                "peer" => a.peer = Some(v.to_string()),
                                "label" => a.label = Some(v.to_string()),
                                _ => {}
                            }
                        }
                        _ => {}
                    }
                }
            }
            Rule::label => a.label = Some(p.as_str().to_string()),
            _ => {}
        }
    }
    let (addr, prefix) = match text.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (text, None),
    };
    a.address = addr
        .parse()
        .map_err(|_| format!("`{text}`: not an IP address"))?;
    a.prefix = match prefix {
        Some(p) => Some(
            p.parse::<u8>()
                .ok()
                .filter(|p| *p <= if a.address.is_ipv4() { 32 } else { 128 })
                .ok_or_else(|| format!("`{text}`: bad prefix length"))?,
        ),
        None => None,
    };
    a.family = family.to_string();
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_and_grep() {
        let text = "2: eth0@if12: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UP group default \n    link/ether 0a:58:0a:f4:01:05 brd ff:ff:ff:ff:ff:ff link-netnsid 0\n    inet 10.244.1.5/24 brd 10.244.1.255 scope global eth0\n       valid_lft forever preferred_lft forever\n    inet6 fe80::858:aff:fef4:105/64 scope link \n       valid_lft forever preferred_lft forever";
        let out = parse(&Segment::new(text, 1));
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let r = &out.records[0];
        assert_eq!((r.name.as_str(), r.peer_ifindex), ("eth0", Some(12)));
        assert_eq!(r.addresses.len(), 2);
        assert_eq!(r.addresses[0].prefix, Some(24));
        assert_eq!(r.addresses[1].valid_lft.as_deref(), Some("forever"));
        let out = parse(&Segment::new(
            "    inet 127.0.0.1/8 scope host lo\n    inet 10.0.0.5/24 brd 10.0.0.255 scope global dynamic eth0",
            1,
        ));
        assert_eq!(out.records.len(), 2);
        assert_eq!(out.records[1].name, "eth0");
        assert_eq!(out.records[1].addresses[0].flags, vec!["dynamic"]);
    }
}
