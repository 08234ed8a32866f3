//! kube-proxy logs (klog; Kubernetes 1.10–1.31).
//!
//! Commands: `kubectl -n kube-system logs kube-proxy-xxxxx`, `kubectl -n kube-system logs -l
//! k8s-app=kube-proxy --prefix`, `kubectl logs ds/kube-proxy`, stern; `crictl logs` of the
//! container by content.
//!
//! Variants: plain klog messages (`I1120 15:18:19.757786   26448 server_others.go:186] Using
//! iptables Proxier.`, before 1.20) and structured ones (`I0501 10:00:00.000000       1
//! server_linux.go:69] "Using iptables proxy" ipFamily="IPv4"`, 1.20 on); prefixes of
//! `kubectl logs --timestamps` (`2024-05-01T10:00:00.123456789Z `), `--prefix`
//! (`[pod/kube-proxy-x/kube-proxy] `) and stern / old scripts (`kube-proxy-22hmk kube-proxy `).
//!
//! Record: one per klog line with a known signature: `level` (the klog letter `I`/`W`/`E`/`F`),
//! `file` (`server_others.go:186`), `signature`, `detail` (the message as printed, with the
//! continuation lines that follow it joined by `\n`) and `fields` (every `key=value` of a
//! structured message, unescaped, plus the signature's own):
//!
//! | signature | from | fields |
//! |---|---|---|
//! | `proxier-mode` | `Using iptables Proxier.`, `"Using ipvs Proxier"`, `"Using nftables proxy"` | `mode` (`iptables`, `ipvs`, `nftables`, `userspace`, `kernelspace`) |
//! | `ipvs-fallback` | `Can't use ipvs proxier, trying iptables proxier`, `"Can't use the IPVS proxier" err=…` | (`err`) |
//! | `iptables-restore-failed` | `Failed to execute iptables-restore: …`, `"Failed to execute iptables-restore" err=…` | (`err`) |
//! | `chain-create-failed` | `Failed to ensure that nat chain KUBE-SERVICES exists: …`, `"Failed to ensure chain exists"` | `table`, `chain`, `iptables_version` |
//! | `no-local-endpoints` | `… has no local endpoints` | |
//! | `node-ip-unknown` | `can't determine this node's IP, assuming 127.0.0.1 …` | |
//! | `hostname-not-found` | `Failed to retrieve node info: nodes "x" not found` | `node` |
//! | `conntrack-max` | `Setting nf_conntrack_max to 786432`, `"Setting nf_conntrack_max" nfConntrackMax=…` | `value` |
//! | `sysctl-set` | `Set sysctl 'net/netfilter/nf_conntrack_max' to 131072`, `"Set sysctl" entry=… value=…` | `key`, `value` |
//! | `cluster-cidr-missing` | `ClusterCIDR not specified, …`, `"Detect-local-mode set to ClusterCIDR, but no cluster CIDR defined"` | |
//! | `api-unreachable` | `… dial tcp 10.0.0.1:6443: i/o timeout` | `api_server`, `reason` |
//!
//! Known lines skipped deliberately: well-formed klog lines with no known signature (most of
//! a kube-proxy log: informer sync, flags, `Version: v1.28.2`, …), and continuation lines
//! (indented, also behind kubectl's prefixes, or carrying the same stern prefix as the line before) after a line without a
//! signature. Lines that are not klog lines at all are problems with their line number.
//!
//! ```text
//! I1120 15:18:19.757786   26448 server_others.go:186] Using iptables Proxier.
//! → { line: 1, level: "I", file: "server_others.go:186", signature: "proxier-mode",
//!     detail: "Using iptables Proxier.", fields: { mode: "iptables" } }
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
#[grammar = "../grammar/kube_proxy_log.pest"]
struct P;

/// One kube-proxy klog line with a known signature.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    /// 1-based input line.
    pub line: usize,
    /// klog severity letter: `I`, `W`, `E`, `F`.
    pub level: Option<String>,
    /// `server_others.go:186`.
    pub file: Option<String>,
    /// `proxier-mode`, `ipvs-fallback`, `iptables-restore-failed`, `chain-create-failed`,
    /// `no-local-endpoints`, `node-ip-unknown`, `hostname-not-found`, `conntrack-max`,
    /// `sysctl-set`, `cluster-cidr-missing`, `api-unreachable`.
    pub signature: String,
    /// The message as printed, continuation lines joined with `\n`.
    pub detail: String,
    pub fields: BTreeMap<String, String>,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "kube-proxy-log",
    aliases: &["kube-proxy-logs", "kube-proxy"],
    title: "kube-proxy logs",
    commands: &[
        "kubectl -n kube-system logs kube-proxy-POD",
        "kubectl -n kube-system logs -l k8s-app=kube-proxy --prefix",
        "stern -n kube-system kube-proxy",
    ],
    variants: &[
        "klog plain messages (Kubernetes 1.10–1.19)",
        "klog structured messages (1.20–1.31)",
        "kubectl logs --timestamps / --prefix, stern prefixes",
    ],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    is_kubectl_logs_of(cmd, &["kube-proxy"])
}

/// A klog line's parts.
struct KlogLine<'i> {
    /// The prefix before the klog header (`kube-proxy-22hmk kube-proxy`), if any.
    stern: Option<&'i str>,
    level: Option<String>,
    file: Option<String>,
    message: Pair<'i, Rule>,
}

fn klog(text: &str) -> Option<KlogLine<'_>> {
    let line = P::parse(Rule::klog_line, text).ok()?.next()?;
    let (mut stern, mut level, mut file) = (None, None, None);
    for part in line.into_inner() {
        match part.as_rule() {
            Rule::stern_prefix => stern = Some(part.as_str()),
            Rule::klog_header => {
                let mut name = "";
                for h in part.into_inner() {
                    match h.as_rule() {
                        Rule::level => level = Some(h.as_str().to_string()),
                        Rule::source_file => name = h.as_str(),
                        Rule::source_line => file = Some(format!("{name}:{}", h.as_str())),
                        _ => {}
                    }
                }
            }
            Rule::message => {
                return Some(KlogLine {
                    stern,
                    level,
                    file,
                    message: part,
                })
            }
            _ => {}
        }
    }
    None
}

/// Files of kube-proxy itself (cmd/kube-proxy/app, pkg/proxy, pkg/util/conntrack).
const OWN_FILES: &[&str] = &[
    "server_others.go",
    "server_linux.go",
    "server.go",
    "proxier.go",
    "conntrack.go",
    "config.go",
    "node.go",
    "iptables.go",
    "ipset.go",
];

fn sniff(head: &str) -> Option<f32> {
    let mut score: f32 = 0.0;
    for l in head.lines() {
        let t = capped_at(l.trim_end_matches('\r'), MAX_LOG_LINE);
        let Some(k) = klog(t) else { continue };
        let msg = k.message.as_str();
        let own = k
            .file
            .as_deref()
            .and_then(|f| f.split(':').next())
            .is_some_and(|f| OWN_FILES.contains(&f));
        match P::parse(Rule::signature_in, msg)
            .ok()
            .and_then(|mut p| p.next())
            .and_then(|s| s.into_inner().next())
            .map(|s| s.as_rule())
        {
            // Any Go client dials the API server; net-errors sniffs those higher.
            Some(Rule::api_dial) => score = score.max(if own { 0.6 } else { 0.3 }),
            Some(_) => score = score.max(0.9),
            None if own => score = score.max(0.55),
            None => score = score.max(0.2),
        }
    }
    (score > 0.0).then_some(score)
}

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out = Output::default();
    // The stern prefix of the last klog line, and whether that line made a record.
    let mut last: Option<(Option<String>, bool)> = None;
    for (n, raw) in seg.lines() {
        let text = capped_at(raw, MAX_LOG_LINE);
        let t = text.trim();
        if t.is_empty() || is_kubectl_noise(t) {
            continue;
        }
        if let Some(k) = klog(text.trim_end()) {
            let rec = record(n, &k);
            last = Some((k.stern.map(str::to_string), rec.is_some()));
            if let Some(r) = rec {
                out.records.push(r);
            }
            continue;
        }
        // A continuation of the line before: indented, or behind the same stern prefix.
        let cont = last.as_ref().and_then(|(stern, made)| {
            let rest = match stern {
                Some(p) => text.strip_prefix(p.as_str()).map(str::trim),
                None => None,
            };
            let rest = rest.or_else(|| indented_rest(text));
            rest.map(|r| (r, *made))
        });
        match cont {
            Some((rest, true)) => {
                if let Some(r) = out.records.last_mut() {
                    r.detail.push('\n');
                    r.detail.push_str(rest);
                    // The lines of a klog multi-line value (`err=<` … ` >`) are its value.
                    let open = r
                        .fields
                        .iter_mut()
                        .find(|(k, v)| v.is_empty() && r.detail.contains(&format!("{k}=<\n")));
                    if let (Some((_, v)), false) = (open, rest == ">") {
                        v.push_str(rest);
                    }
                }
            }
            Some((_, false)) => {}
            None => {
                last = None;
                out.problem(
                    n,
                    "expected a klog line (`I0501 10:00:00.000000       1 server.go:12] message`)",
                );
            }
        }
    }
    out
}

/// The text of an indented continuation line, behind kubectl's `--prefix`/`--timestamps`.
fn indented_rest(text: &str) -> Option<&str> {
    let rest = P::parse(Rule::cont_line, text)
        .ok()?
        .next()?
        .into_inner()
        .find(|p| p.as_rule() == Rule::rest)?
        .as_str();
    rest.starts_with([' ', '\t']).then(|| rest.trim())
}

fn record(n: usize, k: &KlogLine<'_>) -> Option<Record> {
    let msg = k.message.as_str().trim();
    let mut fields = BTreeMap::new();
    // Structured messages: every key=value.
    for part in k.message.clone().into_inner().flat_map(|m| m.into_inner()) {
        if part.as_rule() == Rule::kv {
            let mut key = "";
            for p in part.into_inner() {
                match p.as_rule() {
                    Rule::kv_key => key = p.as_str(),
                    // `err=<` opens a multi-line value: its lines follow (see `parse`).
                    Rule::bare_value if p.as_str() == "<" => {
                        fields.insert(key.to_string(), String::new());
                    }
                    Rule::quoted_value | Rule::bare_value => {
                        fields.insert(key.to_string(), unescape_go(p.as_str()));
                    }
                    _ => {}
                }
            }
        }
    }
    let sig = P::parse(Rule::signature_in, msg)
        .ok()?
        .next()?
        .into_inner()
        .next()?;
    let inner = |rule: Rule| {
        sig.clone()
            .into_inner()
            .find(|p| p.as_rule() == rule)
            .map(|p| p.as_str().to_string())
    };
    let id = match sig.as_rule() {
        Rule::proxier_mode => {
            if let Some(m) = inner(Rule::mode) {
                fields.insert("mode".into(), m);
            }
            "proxier-mode"
        }
        Rule::ipvs_fallback => "ipvs-fallback",
        Rule::restore_failed => "iptables-restore-failed",
        Rule::chain_failed => {
            if let Some(t) = inner(Rule::table) {
                fields.insert("table".into(), t);
            }
            if let Some(c) = inner(Rule::chain) {
                fields.insert("chain".into(), c);
            }
            let version = P::parse(Rule::version_in, msg)
                .ok()
                .and_then(|mut p| p.next())
                .and_then(|v| v.into_inner().next())
                .map(|v| v.as_str().to_string());
            if let Some(v) = version {
                fields.insert("iptables_version".into(), v);
            }
            "chain-create-failed"
        }
        Rule::no_local => "no-local-endpoints",
        Rule::node_ip => "node-ip-unknown",
        Rule::node_missing => {
            if let Some(v) = inner(Rule::node_name) {
                fields.insert("node".into(), v);
            }
            "hostname-not-found"
        }
        Rule::conntrack_max => {
            let v = inner(Rule::number).or_else(|| fields.get("nfConntrackMax").cloned());
            if let Some(v) = v {
                fields.insert("value".into(), v);
            }
            "conntrack-max"
        }
        Rule::sysctl_set => {
            if let Some(key) = inner(Rule::sysctl_key).or_else(|| fields.get("entry").cloned()) {
                fields.insert("key".into(), key);
            }
            if let Some(v) = inner(Rule::number) {
                fields.insert("value".into(), v);
            }
            "sysctl-set"
        }
        Rule::cidr_missing => "cluster-cidr-missing",
        Rule::api_dial => {
            if let Some(a) = inner(Rule::address) {
                fields.insert("api_server".into(), a);
            }
            if let Some(r) = inner(Rule::dial_reason) {
                fields.insert("reason".into(), r.trim().to_string());
            }
            "api-unreachable"
        }
        _ => return None,
    };
    Some(Record {
        line: n,
        level: k.level.clone(),
        file: k.file.clone(),
        signature: id.to_string(),
        detail: msg.to_string(),
        fields,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> Option<Record> {
        parse(&Segment::new(line, 1)).records.into_iter().next()
    }

    #[test]
    fn plain_and_structured() {
        let r = one("I1120 15:18:19.757786   26448 server_others.go:186] Using iptables Proxier.")
            .unwrap_or_else(|| panic!("no record"));
        assert_eq!(r.signature, "proxier-mode");
        assert_eq!(r.fields.get("mode").map(String::as_str), Some("iptables"));
        assert_eq!(r.file.as_deref(), Some("server_others.go:186"));
        let r = one(r#"I0501 10:00:00.000000       1 conntrack.go:58] "Setting nf_conntrack_max" nfConntrackMax=131072"#)
            .unwrap_or_else(|| panic!("no record"));
        assert_eq!(r.fields.get("value").map(String::as_str), Some("131072"));
        let r = one("kube-proxy-22hmk kube-proxy E1120 07:08:50.135017       1 proxier.go:647] Failed to ensure that nat chain KUBE-SERVICES exists: error creating chain \"KUBE-SERVICES\": exit status 3: iptables v1.6.0: can't initialize iptables table `nat': Table does not exist (do you need to insmod?)")
            .unwrap_or_else(|| panic!("no record"));
        assert_eq!(
            r.fields.get("chain").map(String::as_str),
            Some("KUBE-SERVICES")
        );
        assert_eq!(r.fields.get("table").map(String::as_str), Some("nat"));
        assert_eq!(
            r.fields.get("iptables_version").map(String::as_str),
            Some("1.6.0")
        );
        assert!(
            one("I0501 10:00:00.000000       1 shared_informer.go:1] Caches are synced").is_none()
        );
        assert_eq!(parse(&Segment::new("hello", 4)).problems[0].line, 4);
    }
}
