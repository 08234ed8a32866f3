//! CNI agent logs: calico-node, flanneld, cilium-agent, and flannel's `subnet.env`.
//!
//! Commands: `kubectl -n kube-system logs calico-node-x -c calico-node`, `kubectl -n
//! kube-flannel logs ds/kube-flannel-ds`, `kubectl -n kube-system logs ds/cilium`, `cat
//! /run/flannel/subnet.env`; `kubectl describe pod calico-node-x` readiness lines pasted
//! alone.
//!
//! Variants: calico's logutils lines (`2024-01-10 23:05:07.799 [INFO][3875]
//! felix/int_dataplane.go 180: …`), calico-node's readiness output (`calico/node is not
//! ready: BIRD is not ready: BGP not established with 10.0.1.1,10.0.1.2`, with or without
//! kubelet's `Readiness probe failed: `), BIRD lines (`bird: Mesh_10_0_1_1: State changed to
//! up`); flanneld klog lines (0.9–0.26); cilium logrus logfmt (`level=info msg="…" …
//! subsys=…`, also after `time="…"`) and 1.17+ slog (`time=… level=INFO source=… msg=…`);
//! `FLANNEL_NETWORK=…` lines of subnet.env; prefixes of `kubectl logs --timestamps` and
//! `--prefix`.
//!
//! Record: one per line with a known signature: `agent` (`calico`, `flannel`, `cilium`),
//! `level` (`info`, `warning`, `error`, `fatal`, `debug`; `null` when the line has none),
//! `signature`, `detail` (the message) and `fields`:
//!
//! | agent | signature | from | fields |
//! |---|---|---|---|
//! | calico | `mtu` | a felix/startup message naming an MTU (`… MTU … 1440`, `mtu=1440`) | `mtu` |
//! | calico | `tunnel-mode` | a message naming `IPIP`/`VXLAN` and a mode (`Always`, `CrossSubnet`, `Never`) | `tunnel`, `mode` |
//! | calico | `bgp-not-established` | `calico/node is not ready: BIRD is not ready: BGP not established with A,B` | `peers` |
//! | calico | `bird-not-ready` | other `BIRD is not ready: …` | |
//! | calico | `felix-not-ready` | `calico/node is not ready: felix is not ready: …` | |
//! | calico | `bgp-state-changed` | `bird: Mesh_10_0_1_1: State changed to up` | `peer`, `state` |
//! | calico | `bird-error` | other `bird: PROTO: …` error lines (`Socket error`, `Error:`, `Received: …`) | `peer` |
//! | flannel | `interface-autodetect` | `Determining IP address of default interface` | |
//! | flannel | `interface-selected` | `Using interface with name eth0 and address 10.0.0.4` | `interface`, `address` |
//! | flannel | `backend-type` | `Found network config - Backend type: vxlan` | `tunnel` |
//! | flannel | `vxlan-config` | `VXLAN config: VNI=1 Port=0 GBP=false …` | `vni`, `port` |
//! | flannel | `pod-cidr-not-assigned` | `… failed to acquire lease: node "x" pod cidr not assigned` | `node` |
//! | flannel | `register-network-failed` | other `Error registering network: …` / `failed to register network: …` | |
//! | flannel | `subnet-env` | `FLANNEL_NETWORK=10.244.0.0/16` (one line each) | `network`, `subnet`, `mtu` or `ipmasq` |
//! | cilium | `mtu-inherited` | `msg="Inheriting MTU from external network interface" device=eth0 mtu=1500` | `interface`, `mtu` |
//! | cilium | `tunnel-mode` | `msg="  --tunnel-protocol='vxlan'"`, `--tunnel='geneve'`, `tunnel-protocol=vxlan` | `tunnel` |
//! | cilium | `kvstore-error` | a warning/error whose message names the kvstore | |
//! | cilium | `health-error` | a warning/error whose message names Cilium health | |
//!
//! Every logfmt key=value of a cilium line is kept in `fields` too (`subsys`, `error`, …).
//!
//! Known lines skipped deliberately: well-formed agent lines with no known signature (most
//! of a log), cilium lines without `msg=`, and the lines kubectl prints around a command it
//! ran. A line of no agent's shape is a problem with its line number.
//!
//! ```text
//! level=info msg="Inheriting MTU from external network interface" device=ens4 ipAddr=10.128.0.8 mtu=1460 subsys=mtu
//! → { line: 1, agent: "cilium", level: "info", signature: "mtu-inherited",
//!     detail: "Inheriting MTU from external network interface",
//!     fields: { interface: "ens4", ipAddr: "10.128.0.8", mtu: "1460", subsys: "mtu", device: "ens4" } }
//! ```

use super::common::{capped_at, is_kubectl_logs_of, unescape_go, MAX_LOG_LINE};
use super::resolv_conf::is_kubectl_noise;
use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use pest::iterators::Pair;
use pest::Parser;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/cni_agent_log.pest"]
struct P;

/// One agent log line with a known signature.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    /// 1-based input line.
    pub line: usize,
    /// `calico`, `flannel` or `cilium`.
    pub agent: String,
    pub level: Option<String>,
    pub signature: String,
    pub detail: String,
    pub fields: BTreeMap<String, String>,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "cni-agent-log",
    aliases: &["calico-log", "flannel-log", "cilium-log"],
    title: "CNI agent logs (calico-node, flanneld, cilium-agent)",
    commands: &[
        "kubectl -n kube-system logs calico-node-x -c calico-node",
        "kubectl -n kube-flannel logs ds/kube-flannel-ds",
        "kubectl -n kube-system logs ds/cilium",
        "cat /run/flannel/subnet.env",
    ],
    variants: &[
        "calico-node 3.x (felix, confd, BIRD, readiness output)",
        "flanneld 0.9–0.26 (klog)",
        "cilium-agent 1.8–1.16 logfmt, 1.17+ slog",
        "flannel subnet.env",
    ],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    if is_kubectl_logs_of(cmd, &["calico-node", "flannel", "cilium"]) {
        // The operator and cilium-envoy are other programs.
        return !is_kubectl_logs_of(cmd, &["cilium-operator", "cilium-envoy"]);
    }
    matches!(cmd.program.as_str(), "cat" | "head" | "tail")
        && cmd.args.iter().any(|a| a.ends_with("flannel/subnet.env"))
}

/// A line read into its parts.
struct Line<'i> {
    agent: &'static str,
    level: Option<String>,
    message: String,
    fields: BTreeMap<String, String>,
    /// The file a klog / calico line names (`main.go`, `felix/int_dataplane.go`).
    file: Option<&'i str>,
    /// A flannel `subnet.env` key.
    env: Option<(&'i str, &'i str)>,
}

fn level_word(s: &str) -> String {
    match s.to_ascii_lowercase().as_str() {
        "i" | "info" => "info",
        "w" | "warn" | "warning" => "warning",
        "e" | "error" | "err" => "error",
        "f" | "fatal" | "panic" | "panc" => "fatal",
        "d" | "debug" | "debu" => "debug",
        other => return other.to_string(),
    }
    .to_string()
}

fn read_line(t: &str) -> Option<Line<'_>> {
    let line = P::parse(Rule::agent_line, t).ok()?.next()?;
    let body = line
        .into_inner()
        .find(|p| !matches!(p.as_rule(), Rule::rfc3339 | Rule::pod_prefix | Rule::EOI))?;
    let mut l = Line {
        agent: "calico",
        level: None,
        message: String::new(),
        fields: BTreeMap::new(),
        file: None,
        env: None,
    };
    fn inner<'i>(p: &Pair<'i, Rule>, r: Rule) -> Option<&'i str> {
        p.clone()
            .into_inner()
            .find(|x| x.as_rule() == r)
            .map(|x| x.as_str())
    }
    match body.as_rule() {
        Rule::calico_line => {
            l.level = inner(&body, Rule::calico_level).map(level_word);
            l.file = inner(&body, Rule::calico_file);
            l.message = inner(&body, Rule::message).unwrap_or("").to_string();
        }
        Rule::calico_ready => {
            l.message = format!(
                "calico/node is not ready: {}",
                inner(&body, Rule::message).unwrap_or("")
            );
        }
        Rule::bird_line => {
            l.file = Some("bird");
            l.message = inner(&body, Rule::message).unwrap_or("").to_string();
        }
        Rule::klog_line => {
            l.agent = "flannel";
            l.level = inner(&body, Rule::klog_level).map(level_word);
            l.file = inner(&body, Rule::klog_file);
            l.message = inner(&body, Rule::message).unwrap_or("").to_string();
        }
        Rule::subnet_env => {
            l.agent = "flannel";
            let k = inner(&body, Rule::env_key)?;
            let v = inner(&body, Rule::env_value).unwrap_or("");
            l.env = Some((k, v));
            l.message = t.trim().to_string();
        }
        Rule::logfmt_line => {
            l.agent = "cilium";
            for pair in body.into_inner() {
                let mut k = "";
                let mut v = String::new();
                for x in pair.into_inner() {
                    match x.as_rule() {
                        Rule::lf_key => k = x.as_str(),
                        Rule::lf_quoted => v = unescape_go(x.as_str()),
                        Rule::lf_bare => v = x.as_str().to_string(),
                        _ => {}
                    }
                }
                match k {
                    "level" => l.level = Some(level_word(&v)),
                    "msg" => l.message = v,
                    "time" | "ts" => {}
                    _ => {
                        l.fields.insert(k.to_string(), v);
                    }
                }
            }
            if l.level.is_none() && l.message.is_empty() {
                return None;
            }
        }
        _ => return None,
    }
    Some(l)
}

/// The text after `needle` up to the next space (or end), without quotes and trailing
/// punctuation.
fn word_after<'a>(s: &'a str, needle: &str) -> Option<&'a str> {
    let i = s.find(needle)? + needle.len();
    let rest = s.get(i..)?.trim_start();
    let w = rest.split([' ', ',', ')']).next()?;
    let w = w.trim_matches(['"', '\'', '.']);
    (!w.is_empty()).then_some(w)
}

/// The first number after `needle` within a few characters.
fn number_after(s: &str, needle: &str) -> Option<String> {
    let i = s.find(needle)? + needle.len();
    let rest = s.get(i..)?;
    let start = rest.find(|c: char| c.is_ascii_digit())?;
    if start > 12 {
        return None;
    }
    let digits: String = rest
        .get(start..)?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    Some(digits)
}

/// The signature of a line and its fields; `None` for lines with nothing to keep.
fn signature(l: &mut Line<'_>) -> Option<&'static str> {
    let m = l.message.as_str();
    let mut put = |k: &str, v: &str| {
        l.fields.insert(k.to_string(), v.to_string());
    };
    match l.agent {
        "calico" => {
            if l.file == Some("bird") {
                let (peer, rest) = m.split_once(": ")?;
                if let Some(state) = rest.strip_prefix("State changed to ") {
                    put("peer", peer);
                    put("state", state.trim());
                    return Some("bgp-state-changed");
                }
                if rest.contains("error")
                    || rest.contains("Error")
                    || rest.starts_with("Received: ")
                {
                    put("peer", peer);
                    return Some("bird-error");
                }
                return None;
            }
            if let Some(peers) = m
                .find("BGP not established with ")
                .and_then(|i| m.get(i + "BGP not established with ".len()..))
            {
                let peers = peers.split_whitespace().next().unwrap_or("");
                put("peers", peers.trim_end_matches(','));
                return Some("bgp-not-established");
            }
            if m.contains("BIRD is not ready") || m.contains("BIRDv6 is not ready") {
                return Some("bird-not-ready");
            }
            if m.contains("felix is not ready") {
                return Some("felix-not-ready");
            }
            for (word, tunnel) in [("IPIP", "ipip"), ("IPIP", "ipip"), ("VXLAN", "vxlan")] {
                if m.contains(word) {
                    let mode = ["CrossSubnet", "Always", "Never"]
                        .into_iter()
                        .find(|md| m.contains(md));
                    if let Some(mode) = mode {
                        put("tunnel", tunnel);
                        put("mode", mode);
                        return Some("tunnel-mode");
                    }
                }
            }
            let mtu = number_after(m, "MTU").or_else(|| number_after(m, "mtu="));
            if let Some(mtu) = mtu {
                put("mtu", &mtu);
                return Some("mtu");
            }
            None
        }
        "flannel" => {
            if let Some((k, v)) = l.env {
                let key = match k {
                    "NETWORK" => "network",
                    "SUBNET" => "subnet",
                    "MTU" => "mtu",
                    "IPMASQ" => "ipmasq",
                    "IPV6_NETWORK" => "ipv6_network",
                    "IPV6_SUBNET" => "ipv6_subnet",
                    _ => return None,
                };
                put(key, v);
                return Some("subnet-env");
            }
            if m.contains("Determining IP address of default interface") {
                return Some("interface-autodetect");
            }
            if m.contains("Using interface with name ") {
                if let Some(i) = word_after(m, "with name ") {
                    put("interface", i);
                }
                if let Some(a) = word_after(m, "and address ") {
                    put("address", a);
                }
                return Some("interface-selected");
            }
            if let Some(b) = word_after(m, "Backend type: ") {
                put("tunnel", b);
                return Some("backend-type");
            }
            if m.contains("VXLAN config: ") {
                if let Some(v) = word_after(m, "VNI=") {
                    put("vni", v);
                }
                if let Some(p) = word_after(m, "Port=") {
                    put("port", p);
                }
                return Some("vxlan-config");
            }
            if m.contains("pod cidr not assigned") {
                if let Some(n) = word_after(m, "node ") {
                    put("node", n);
                }
                return Some("pod-cidr-not-assigned");
            }
            if m.contains("rror registering network") || m.contains("failed to register network") {
                return Some("register-network-failed");
            }
            None
        }
        _ => {
            if m.contains("Inheriting MTU from external network interface") {
                let dev = l.fields.get("device").cloned();
                if let Some(d) = dev {
                    l.fields.insert("interface".into(), d);
                }
                return Some("mtu-inherited");
            }
            let tunnel = word_after(m, "--tunnel-protocol=")
                .or_else(|| word_after(m, "--tunnel="))
                .map(str::to_string)
                .or_else(|| l.fields.get("tunnel-protocol").cloned());
            if let Some(t) = tunnel {
                l.fields.insert("tunnel".into(), t);
                return Some("tunnel-mode");
            }
            let bad = matches!(l.level.as_deref(), Some("warning" | "error" | "fatal"));
            if bad
                && (m.contains("kvstore") || l.fields.get("subsys").is_some_and(|s| s == "kvstore"))
            {
                return Some("kvstore-error");
            }
            if bad && (m.contains("health") || m.contains("Health")) {
                return Some("health-error");
            }
            None
        }
    }
}

/// calico and flannel files and cilium keys that make a line this parser's without a
/// signature.
fn own_unsigned(l: &Line<'_>) -> bool {
    match l.agent {
        "calico" => l.file.is_some_and(|f| {
            f.starts_with("felix/")
                || f.starts_with("startup/")
                || f.starts_with("confd/")
                || f.starts_with("ipam/")
                || f == "bird"
        }),
        "cilium" => l.fields.contains_key("subsys"),
        _ => false,
    }
}

fn sniff(head: &str) -> Option<f32> {
    let mut score: f32 = 0.0;
    for raw in head.lines() {
        let t = capped_at(raw.trim_end_matches('\r'), MAX_LOG_LINE).trim();
        // Cheap gate before the grammar.
        if !(t.contains("calico")
            || t.contains("bird: ")
            || t.contains("][")
            || t.contains("FLANNEL_")
            || t.contains("msg=")
            || t.contains(".go:"))
        {
            continue;
        }
        let Some(mut l) = read_line(t) else { continue };
        if l.agent == "cilium" && l.message.is_empty() {
            continue;
        }
        if signature(&mut l).is_some() {
            score = score.max(0.9);
        } else if own_unsigned(&l) {
            score = score.max(0.8);
        }
    }
    (score > 0.0).then_some(score)
}

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out = Output::default();
    for (n, raw) in seg.lines() {
        let t = capped_at(raw, MAX_LOG_LINE).trim();
        if t.is_empty() || is_kubectl_noise(t) {
            continue;
        }
        let Some(mut l) = read_line(t) else {
            out.problem(
                n,
                "not a CNI agent log line: expected calico `… [INFO][1] file.go 12: …`, flannel `I0518 19:28:39.956871 1 main.go:475] …`, cilium `level=info msg=\"…\"` or `FLANNEL_X=…`",
            );
            continue;
        };
        if l.agent == "cilium" && l.message.is_empty() {
            continue;
        }
        if let Some(sig) = signature(&mut l) {
            out.records.push(Record {
                line: n,
                agent: l.agent.to_string(),
                level: l.level,
                signature: sig.to_string(),
                detail: l.message,
                fields: l.fields,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(t: &str) -> Option<Record> {
        parse(&Segment::new(t, 1)).records.into_iter().next()
    }

    #[test]
    fn agents() {
        let r = one("level=info msg=\"Inheriting MTU from external network interface\" device=ens4 ipAddr=10.128.0.8 mtu=1460 subsys=mtu").unwrap_or_else(|| panic!());
        assert_eq!(
            (r.agent.as_str(), r.signature.as_str()),
            ("cilium", "mtu-inherited")
        );
        assert_eq!(r.fields.get("interface").map(String::as_str), Some("ens4"));
        let r = one("E0519 00:37:28.550351       1 network.go:102] failed to register network: failed to acquire lease: node \"k8s-test-2.novalocal\" pod cidr not assigned").unwrap_or_else(|| panic!());
        assert_eq!(r.signature, "pod-cidr-not-assigned");
        assert_eq!(
            r.fields.get("node").map(String::as_str),
            Some("k8s-test-2.novalocal")
        );
        let r = one("calico/node is not ready: BIRD is not ready: BGP not established with 10.0.1.1,10.0.1.2").unwrap_or_else(|| panic!());
        assert_eq!(
            r.fields.get("peers").map(String::as_str),
            Some("10.0.1.1,10.0.1.2")
        );
        let r = one("FLANNEL_MTU=1450").unwrap_or_else(|| panic!());
        assert_eq!(r.fields.get("mtu").map(String::as_str), Some("1450"));
        assert_eq!(parse(&Segment::new("hello world", 4)).problems[0].line, 4);
        assert!(sniff("FLANNEL_NETWORK=10.244.0.0/16").is_some());
        assert_eq!(
            sniff("I0501 10:00:00.000000       1 server.go:1] hello"),
            None
        );
    }
}
