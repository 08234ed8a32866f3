//! ip-link: network interfaces as `ip link` prints them, with `-d` tunnel and bridge-port
//! details.
//!
//! Commands: `ip link`, `ip l`, `ip link show flannel.1`, `ip -d link show flannel.1`,
//! `ip -d link show type vxlan`, `ip -d link show master cni0`, `ip -s link`, `ip -o link`,
//! also inside `ip netns exec` / `nsenter`. (`ip -br link` goes to `ip-addr`, whose record
//! carries the same columns; this parser reads its lines too.)
//!
//! Variants: iproute2 4.x (`-d` details without `allmulti`, `ipip remote any …` without the
//! protocol word), 5.x and 6.x (`ipip ipip remote any …`, `altname` lines, `allmulti 0`,
//! `gro_max_size …`), BusyBox `ip link`. Interfaces netdoc cares about: `flannel.1`,
//! `vxlan.calico`, `tunl0@NONE`, `cilium_vxlan`, `cilium_geneve`, `cilium_host@cilium_net`,
//! `wg0`, `cni0`, `docker0`, `kube-ipvs0`, `cali…@ifN` / `veth…@ifN`, `eth0@ifN` in a pod.
//!
//! Record: `line: usize` (the header line), `index: Option<u32>`, `name: String`, `link:
//! Option<String>` (after `@`: `if12`, `NONE`, `cilium_net`), `peer_ifindex: Option<u32>`
//! (`@if12` → 12), `flags: Vec<String>`, `mtu: Option<u32>`, `qdisc`, `master`, `state`,
//! `mode`, `group`, `qlen: Option<u32>`, `xdp: Option<String>` (`xdp/id:12`), `link_type`
//! (`ether`, `loopback`, `ipip`, `none`, …), `mac` (the link-layer address as printed; an
//! IPv4 address for `link/ipip`), `brd`, `link_netnsid: Option<u32>`, `promiscuity:
//! Option<u32>`; from `-d`: `kind` (`vxlan`, `geneve`, `ipip`, `wireguard`, `bridge`, `veth`,
//! `dummy`, …), `slave_kind` (`bridge_slave`, `bond_slave`), `id: Option<u32>` (VNI),
//! `local`, `remote` (`remote` or multicast `group`), `dev` (the tunnel's underlay device),
//! `dstport: Option<u16>`, `learning: Option<bool>`, `external: bool` (Cilium's collect-
//! metadata tunnels), `ttl`, `pmtudisc: Option<bool>` (`nopmtudisc` → false), `hairpin:
//! Option<bool>` (a bridge port's `hairpin on|off`), `port_state` (a bridge port's `state
//! forwarding`), `altnames: Vec<String>`, `details: Vec<String>` (every `-d` detail line as
//! printed, capped at 1 KiB each), `error: Option<String>` (`Device "flannel.1" does not
//! exist.` gives a record named `flannel.1` with that error).
//!
//! Skipped deliberately: `ip -s` statistics lines (`RX: bytes packets …` and their numbers).
//! A link or detail line with no interface header above it is a problem, as is every line
//! that fits no rule (a detail line whose first word is not a known link kind among them).
//! `ip -o` lines are cut at their `\` separators and read as the lines ip would print
//! without `-o`. Lines are capped at 16 KiB.
//!
//! ```text
//! 3: flannel.1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UNKNOWN mode DEFAULT group default
//!     link/ether 5e:2f:6a:2c:1b:3d brd ff:ff:ff:ff:ff:ff promiscuity 0 minmtu 68 maxmtu 65535
//!     vxlan id 1 local 10.0.0.5 dev eth0 srcport 0 0 dstport 8472 nolearning ttl auto ageing 300
//! → { line: 1, index: 3, name: "flannel.1", mtu: 1450, state: "UNKNOWN", link_type: "ether",
//!     mac: "5e:2f:6a:2c:1b:3d", kind: "vxlan", id: 1, local: "10.0.0.5", dev: "eth0",
//!     dstport: 8472, learning: false, … }
//! ```

use super::iproute::{error_device, ip_call, is_mac, Object};
use super::{Output, ParserInfo, Problem};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use pest::iterators::Pair;
use pest::Parser;
use serde::Serialize;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/ip_link.pest"]
struct P;

/// One interface.
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
    pub mode: Option<String>,
    pub group: Option<String>,
    pub qlen: Option<u32>,
    pub xdp: Option<String>,
    pub link_type: Option<String>,
    pub mac: Option<String>,
    pub brd: Option<String>,
    pub link_netnsid: Option<u32>,
    pub promiscuity: Option<u32>,
    pub kind: Option<String>,
    pub slave_kind: Option<String>,
    pub id: Option<u32>,
    pub local: Option<String>,
    pub remote: Option<String>,
    pub dev: Option<String>,
    pub dstport: Option<u16>,
    pub learning: Option<bool>,
    pub external: bool,
    pub ttl: Option<String>,
    pub pmtudisc: Option<bool>,
    pub hairpin: Option<bool>,
    pub port_state: Option<String>,
    pub altnames: Vec<String>,
    pub details: Vec<String>,
    pub error: Option<String>,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "ip-link",
    aliases: &[],
    title: "ip link interfaces",
    commands: &[
        "ip link",
        "ip -d link show flannel.1",
        "ip -d link show type vxlan",
        "ip -s link",
    ],
    variants: &["iproute2 4.x", "iproute2 5.x", "iproute2 6.x", "BusyBox ip"],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    ip_call(cmd).is_some_and(|c| c.object == Object::Link && c.show && !c.brief && !c.json)
}

/// What the interface sniffers see in a head: (headers, headers with `mode`, link lines,
/// `inet` lines, `valid_lft` lines, detail lines, brief link lines, brief addr lines).
#[derive(Default)]
pub(crate) struct IfaceShape {
    pub headers: usize,
    pub with_mode: usize,
    pub links: usize,
    pub inets: usize,
    pub lfts: usize,
    pub details: usize,
    pub brief_links: usize,
    pub brief_addrs: usize,
    pub device_errors: usize,
}

pub(crate) fn shape(head: &str) -> IfaceShape {
    let mut s = IfaceShape::default();
    for l in head.lines() {
        let t = l.trim();
        let mut w = t.split_whitespace();
        let first = w.next().unwrap_or("");
        if first.len() > 1
            && first.ends_with(':')
            && first[..first.len() - 1].bytes().all(|b| b.is_ascii_digit())
        {
            let rest = t[first.len()..].trim_start();
            // `2: eth0: <BROADCAST,…> mtu 1500` (or `-o addr`'s `2: eth0    inet …`)
            if let Some((_, after)) = rest.split_once(": <") {
                if after.contains("> mtu ") || after.contains(">  mtu ") {
                    s.headers += 1;
                    if t.contains(" mode ") {
                        s.with_mode += 1;
                    }
                }
            } else if rest.contains(" inet ") || rest.contains(" inet6 ") {
                s.inets += 1;
                s.headers += 1;
            }
        } else if first.starts_with("link/") {
            s.links += 1;
        } else if (first == "inet" || first == "inet6") && w.next().is_some_and(|a| a.contains('/'))
        {
            s.inets += 1;
        } else if first == "valid_lft" {
            s.lfts += 1;
        } else if matches!(
            first,
            "vxlan"
                | "geneve"
                | "ipip"
                | "bridge_slave"
                | "bridge"
                | "veth"
                | "wireguard"
                | "dummy"
        ) && l.starts_with([' ', '\t'])
        {
            s.details += 1;
        } else if first.starts_with("Device \"") || t.starts_with("Device \"") {
            if t.ends_with("does not exist.") {
                s.device_errors += 1;
            }
        } else {
            let state = w.next().unwrap_or("");
            if matches!(
                state,
                "UP" | "DOWN" | "UNKNOWN" | "LOWERLAYERDOWN" | "DORMANT" | "NOTPRESENT"
            ) && !first.contains(':')
            {
                let words: Vec<&str> = w.take(16).collect();
                if words
                    .last()
                    .is_some_and(|f| f.starts_with('<') && f.ends_with('>'))
                {
                    s.brief_links += 1;
                } else if words.is_empty() || words.iter().all(|a| a.contains('/')) {
                    s.brief_addrs += 1;
                }
            }
        }
    }
    s
}

fn sniff(head: &str) -> Option<f32> {
    let s = shape(head);
    if s.headers > 0 && s.inets == 0 && s.lfts == 0 {
        if s.with_mode > 0 || s.details > 0 {
            return Some(0.95);
        }
        if s.links > 0 {
            return Some(0.8);
        }
        return Some(0.6);
    }
    if s.headers > 0 {
        return Some(0.5);
    }
    if s.brief_links > 0 {
        return Some(0.7);
    }
    None
}

// ---------------------------------------------------------------- shared line reader

/// One line of an interface listing, read.
pub(crate) enum IfLine<'a> {
    Header(Header<'a>),
    Link {
        link_type: &'a str,
        words: Vec<&'a str>,
    },
    Detail {
        kind: &'a str,
        words: Vec<&'a str>,
    },
    Generic {
        key: &'a str,
        words: Vec<&'a str>,
    },
    Stats,
    Brief {
        name: &'a str,
        link: Option<&'a str>,
        state: &'a str,
        words: Vec<&'a str>,
    },
    Error(&'a str),
}

/// `2: eth0@if12: <BROADCAST,…> mtu 1500 qdisc noqueue state UP group default`
pub(crate) struct Header<'a> {
    pub index: Option<u32>,
    pub name: &'a str,
    pub link: Option<&'a str>,
    pub flags: Vec<&'a str>,
    pub attrs: Vec<(&'a str, &'a str)>,
    pub xdp: Option<&'a str>,
}

/// Words kept per line: bounded work on a pasted monster line.
const MAX_WORDS: usize = 512;

fn words_of<'a>(pair: Pair<'a, Rule>) -> Vec<&'a str> {
    pair.into_inner()
        .filter(|p| p.as_rule() == Rule::word)
        .take(MAX_WORDS)
        .map(|p| p.as_str())
        .collect()
}

/// Read one trimmed line of an interface listing; a problem at line `n` if it fits no rule.
pub(crate) fn read_line(text: &str, n: usize) -> Result<IfLine<'_>, Problem> {
    let pair = P::parse(Rule::iface_line, text)
        .map_err(|e| {
            let mut p = super::pest_problem(&e, n, "not an ip link line");
            // Prose falls through to the `-br` rule, which wants a state second.
            if p.message.contains("oper state") || p.message.ends_with(" at column 1") {
                p.message = "not an interface line: expected `N: name: <FLAGS> mtu …`, `link/TYPE …`, an `inet …`/`-d` detail line or an `ip -br` line".into();
            }
            p
        })?
        .next()
        .and_then(|l| l.into_inner().next());
    let Some(pair) = pair else {
        return Err(Problem {
            line: n,
            message: "not an ip link line".into(),
        });
    };
    Ok(match pair.as_rule() {
        Rule::ip_error => IfLine::Error(text),
        Rule::iface_header => {
            let mut h = Header {
                index: None,
                name: "",
                link: None,
                flags: Vec::new(),
                attrs: Vec::new(),
                xdp: None,
            };
            for p in pair.into_inner() {
                match p.as_rule() {
                    Rule::ifindex => h.index = p.as_str().parse().ok(),
                    Rule::ifname => h.name = p.as_str(),
                    Rule::iflink => h.link = Some(p.as_str()),
                    Rule::link_flags => {
                        h.flags = p.into_inner().take(64).map(|f| f.as_str()).collect()
                    }
                    Rule::header_attr => {
                        let mut key = "";
                        for a in p.into_inner() {
                            match a.as_rule() {
                                Rule::header_key => key = a.as_str(),
                                Rule::word => h.attrs.push((key, a.as_str())),
                                Rule::xdp_attach => h.xdp = Some(a.as_str()),
                                _ => {}
                            }
                        }
                    }
                    _ => {}
                }
            }
            IfLine::Header(h)
        }
        Rule::link_addr => {
            let mut inner = pair.into_inner();
            let link_type = inner.next().map(|p| p.as_str()).unwrap_or("");
            IfLine::Link {
                link_type,
                words: inner.take(MAX_WORDS).map(|p| p.as_str()).collect(),
            }
        }
        Rule::detail => {
            let kind = pair
                .clone()
                .into_inner()
                .next()
                .map(|p| p.as_str())
                .unwrap_or("");
            IfLine::Detail {
                kind,
                words: words_of(pair),
            }
        }
        Rule::generic => {
            let key = pair
                .clone()
                .into_inner()
                .next()
                .map(|p| p.as_str())
                .unwrap_or("");
            IfLine::Generic {
                key,
                words: words_of(pair),
            }
        }
        Rule::brief => {
            let (mut name, mut link, mut state) = ("", None, "");
            let mut words = Vec::new();
            for p in pair.into_inner().take(MAX_WORDS) {
                match p.as_rule() {
                    Rule::ifname => name = p.as_str(),
                    Rule::iflink => link = Some(p.as_str()),
                    Rule::oper_state => state = p.as_str(),
                    Rule::word => words.push(p.as_str()),
                    _ => {}
                }
            }
            IfLine::Brief {
                name,
                link,
                state,
                words,
            }
        }
        _ => IfLine::Stats,
    })
}

/// `if12` → 12.
pub(crate) fn peer_ifindex(link: Option<&str>) -> Option<u32> {
    link?.strip_prefix("if")?.parse().ok()
}

/// The value after `key` among `words`.
pub(crate) fn after<'a>(words: &[&'a str], key: &str) -> Option<&'a str> {
    words
        .iter()
        .position(|w| *w == key)
        .and_then(|i| words.get(i + 1))
        .copied()
}

/// `ip -o` joins an interface's lines with `\`: cut them apart again.
pub(crate) fn oneline_parts(text: &str) -> impl Iterator<Item = &str> {
    text.split('\\').map(str::trim).filter(|p| !p.is_empty())
}

/// The text of an ip error, and the record name it gives (the device it names).
pub(crate) fn error_record(text: &str) -> (String, String) {
    let name = error_device(text).unwrap_or("").to_string();
    (name, text.to_string())
}

// ---------------------------------------------------------------- parser

const MAX_DETAIL: usize = 1024;

impl Record {
    fn apply_header(&mut self, h: &Header<'_>) {
        self.index = h.index;
        self.name = h.name.to_string();
        self.link = h.link.map(str::to_string);
        self.peer_ifindex = peer_ifindex(h.link);
        self.flags = h.flags.iter().map(|f| f.to_string()).collect();
        self.xdp = h.xdp.map(str::to_string);
        for (k, v) in &h.attrs {
            let s = Some(v.to_string());
            match *k {
                "mtu" => self.mtu = v.parse().ok(),
                "qdisc" => self.qdisc = s,
                "master" => self.master = s,
                "state" => self.state = s,
                "mode" => self.mode = s,
                "group" => self.group = s,
                "qlen" => self.qlen = v.parse().ok(),
                _ => {}
            }
        }
    }

    fn apply_link(&mut self, link_type: &str, words: &[&str]) {
        self.link_type = Some(link_type.to_string());
        if let Some(first) = words.first() {
            if !is_link_key(first) {
                self.mac = Some(first.to_string());
            }
        }
        self.brd = after(words, "brd").map(str::to_string);
        self.link_netnsid = after(words, "link-netnsid").and_then(|v| v.parse().ok());
        self.promiscuity = after(words, "promiscuity").and_then(|v| v.parse().ok());
    }

    fn apply_detail(&mut self, kind: &str, words: &[&str], text: &str) {
        self.details
            .push(super::common::capped_at(text, MAX_DETAIL).to_string());
        if kind.ends_with("_slave") {
            self.slave_kind = Some(kind.to_string());
            if kind == "bridge_slave" {
                self.port_state = after(words, "state").map(str::to_string);
                self.hairpin = after(words, "hairpin").and_then(on_off);
                self.learning = self
                    .learning
                    .or_else(|| after(words, "learning").and_then(on_off));
            }
            return;
        }
        if self.kind.is_none() {
            self.kind = Some(kind.to_string());
        }
        let s = |k: &str| after(words, k).map(str::to_string);
        match kind {
            "vxlan" | "geneve" => {
                self.id = after(words, "id").and_then(|v| v.parse().ok());
                self.local = s("local");
                self.remote = s("remote").or_else(|| s("group"));
                self.dev = s("dev");
                self.dstport = after(words, "dstport").and_then(|v| v.parse().ok());
                self.ttl = s("ttl");
                self.external = words.contains(&"external");
                if words.contains(&"nolearning") {
                    self.learning = Some(false);
                } else if words.contains(&"learning") {
                    self.learning = Some(true);
                }
            }
            "ipip" | "sit" | "gre" | "gretap" | "ip6tnl" | "ip6gre" | "ip6gretap" | "vti"
            | "vti6" | "erspan" | "ip6erspan" => {
                self.local = s("local");
                self.remote = s("remote");
                self.dev = s("dev");
                self.ttl = s("ttl");
                self.external = words.contains(&"external");
                if words.contains(&"nopmtudisc") {
                    self.pmtudisc = Some(false);
                } else if words.contains(&"pmtudisc") {
                    self.pmtudisc = Some(true);
                }
            }
            _ => {}
        }
    }
}

fn is_link_key(w: &str) -> bool {
    matches!(
        w,
        "brd"
            | "peer"
            | "link-netnsid"
            | "link-netns"
            | "permaddr"
            | "promiscuity"
            | "allmulti"
            | "minmtu"
            | "maxmtu"
    )
}

fn on_off(v: &str) -> Option<bool> {
    match v {
        "on" => Some(true),
        "off" => Some(false),
        _ => None,
    }
}

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out: Output<Record> = Output::default();
    // True while the last record's block is open (after its header).
    let mut open = false;
    for (n, raw) in seg.lines() {
        let capped = super::probe::capped(raw);
        for text in oneline_parts(capped) {
            let line = match read_line(text, n) {
                Ok(l) => l,
                Err(p) => {
                    out.problems.push(p);
                    continue;
                }
            };
            let cur = out.records.last_mut().filter(|_| open);
            match (line, cur) {
                (IfLine::Header(h), _) => {
                    let mut r = Record {
                        line: n,
                        ..Record::default()
                    };
                    r.apply_header(&h);
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
                        } else if is_mac(w) || r.mac.is_none() && !w.contains('/') {
                            r.mac = Some(w.to_string());
                        }
                    }
                    out.records.push(r);
                    open = false;
                }
                (IfLine::Stats, _) => {}
                (IfLine::Link { link_type, words }, Some(r)) => r.apply_link(link_type, &words),
                (IfLine::Detail { kind, words }, Some(r)) => r.apply_detail(kind, &words, text),
                (IfLine::Generic { key, words }, Some(r)) => match key {
                    "altname" => r.altnames.extend(words.first().map(|w| w.to_string())),
                    _ => r
                        .details
                        .push(super::common::capped_at(text, MAX_DETAIL).to_string()),
                },
                (_, None) => out.problem(
                    n,
                    "interface detail line with no `N: name: <FLAGS> mtu …` header above it",
                ),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vxlan_details() {
        let text = "3: flannel.1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue state UNKNOWN mode DEFAULT group default \n    link/ether 5e:2f:6a:2c:1b:3d brd ff:ff:ff:ff:ff:ff promiscuity 0 minmtu 68 maxmtu 65535 \n    vxlan id 1 local 10.0.0.5 dev eth0 srcport 0 0 dstport 8472 nolearning ttl auto ageing 300 udpcsum noudp6zerocsumtx noudp6zerocsumrx addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 ";
        let out = parse(&Segment::new(text, 1));
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let r = &out.records[0];
        assert_eq!(r.name, "flannel.1");
        assert_eq!(
            (r.kind.as_deref(), r.id, r.dstport),
            (Some("vxlan"), Some(1), Some(8472))
        );
        assert_eq!(r.learning, Some(false));
        assert_eq!(r.mac.as_deref(), Some("5e:2f:6a:2c:1b:3d"));
    }

    #[test]
    fn orphans_and_errors() {
        let out = parse(&Segment::new(
            "    link/ether 00:11:22:33:44:55\nDevice \"flannel.1\" does not exist.",
            5,
        ));
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].line, 5);
        assert_eq!(out.records[0].name, "flannel.1");
        assert_eq!(out.records[0].line, 6);
    }
}
