//! The findings catalogue (ids from FINDINGS.md, never renamed) and the last stage of
//! the pipeline: deduplicate what the trees emitted, link causes to the symptoms they
//! explain, and rank root causes first.

use crate::lines::LineIndex;
use crate::report::{Evidence, Finding};
use crate::trees::Emitted;
use serde::Serialize;

/// Where a finding sits in a causal chain: a root cause outranks what it explains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tier {
    /// Names why it is broken (selector mismatch, wrong nameserver, default deny).
    RootCause,
    /// An intermediate state another finding usually explains (no endpoints).
    Condition,
    /// What the client saw (connection refused, lookup timed out).
    Symptom,
}

/// What the catalogue says of one finding id.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct FindingInfo {
    pub id: &'static str,
    pub layer: &'static str,
    pub severity: &'static str,
    pub title: &'static str,
    pub tier: Tier,
}

macro_rules! catalogue {
    ($(($id:literal, $layer:literal, $sev:literal, $tier:ident, $title:literal)),* $(,)?) => {
        /// Every finding id, in FINDINGS.md order.
        pub const CATALOGUE: &[FindingInfo] = &[
            $(FindingInfo { id: $id, layer: $layer, severity: $sev, title: $title, tier: Tier::$tier },)*
        ];
    };
}

catalogue! {
    ("dns-resolver-unreachable", "dns", "critical", Symptom, "DNS queries time out: nobody answers on the nameserver address"),
    ("dns-nxdomain", "dns", "warning", Symptom, "The name does not exist as asked (NXDOMAIN)"),
    ("dns-servfail", "dns", "error", Condition, "The resolver answered SERVFAIL"),
    ("dns-short-name-cross-namespace", "dns", "error", RootCause, "A short Service name was asked from another namespace"),
    ("dns-ndots-amplification", "dns", "warning", RootCause, "The name walks the whole search list first (ndots)"),
    ("dns-wrong-nameserver", "dns", "critical", RootCause, "Pods are given a nameserver that is not the cluster DNS"),
    ("coredns-not-ready", "dns", "critical", RootCause, "CoreDNS is not running and ready"),
    ("coredns-forward-loop", "dns", "critical", RootCause, "CoreDNS detected a forwarding loop"),
    ("dns-egress-blocked", "dns", "critical", RootCause, "An egress NetworkPolicy blocks DNS"),
    ("dns-tool-misleading", "dns", "info", Condition, "The DNS tool used cannot show pod resolver behaviour"),
    ("service-no-endpoints", "service", "error", Condition, "The Service has no ready endpoints"),
    ("service-selector-mismatch", "service", "error", RootCause, "The Service selector matches no pod"),
    ("service-pods-not-ready", "service", "error", RootCause, "The Service's pods are not Ready"),
    ("service-target-port-mismatch", "service", "error", RootCause, "The Service targetPort is not a port the pods serve"),
    ("service-port-name-unresolved", "service", "error", RootCause, "A named targetPort is not defined by the pods"),
    ("nodeport-out-of-range", "service", "error", RootCause, "The nodePort is outside the NodePort range"),
    ("etp-local-no-local-endpoint", "service", "error", RootCause, "externalTrafficPolicy: Local on a node without a local endpoint"),
    ("hairpin-disabled", "service", "error", RootCause, "A pod cannot reach its own Service: hairpin mode is off"),
    ("kube-proxy-mode-mismatch", "service", "warning", RootCause, "The inspected datapath is not the one kube-proxy runs"),
    ("kube-proxy-rules-missing", "service", "critical", RootCause, "kube-proxy has not programmed rules for the Service"),
    ("kube-proxy-stale-rules", "service", "error", RootCause, "kube-proxy rules point at old endpoints"),
    ("iptables-backend-split", "service", "critical", RootCause, "Rules live in iptables-legacy and nf_tables at once"),
    ("conn-refused", "transport", "error", Symptom, "Connection refused"),
    ("conn-timeout", "transport", "error", Symptom, "Connection timed out"),
    ("conn-reset", "transport", "error", Symptom, "Connection reset by peer"),
    ("no-listener", "transport", "error", RootCause, "Nothing listens on the target port"),
    ("listen-loopback-only", "transport", "error", RootCause, "The process listens on loopback only"),
    ("syn-sent-pileup", "transport", "warning", Condition, "SYN-SENT sockets pile up toward a destination"),
    ("close-wait-pileup", "transport", "warning", RootCause, "CLOSE-WAIT sockets accumulate"),
    ("netpol-default-deny", "policy", "warning", RootCause, "A default-deny NetworkPolicy isolates every pod of the namespace"),
    ("netpol-blocks-flow", "policy", "error", RootCause, "A NetworkPolicy denies this flow"),
    ("netpol-namespace-label-missing", "policy", "error", RootCause, "A namespaceSelector asks for a label the namespace lacks"),
    ("netpol-selects-nothing", "policy", "warning", RootCause, "A NetworkPolicy's podSelector matches no pod"),
    ("netpol-port-mismatch", "policy", "error", RootCause, "The policy allows the Service port instead of the pod port"),
    ("mtu-blackhole", "route", "error", RootCause, "Large packets die on the path: MTU black hole"),
    ("mtu-overlay-mismatch", "route", "error", RootCause, "Pod MTU exceeds what the overlay tunnel can carry"),
    ("route-missing", "route", "error", RootCause, "No route toward the destination"),
    ("neighbor-failed", "route", "error", RootCause, "ARP/NDP for the next hop failed"),
    ("rp-filter-strict", "route", "warning", RootCause, "Strict reverse-path filtering drops asymmetric traffic"),
    ("conntrack-table-full", "conntrack", "critical", RootCause, "The conntrack table is full: new flows are dropped"),
    ("conntrack-stale-entry", "conntrack", "error", RootCause, "Tracked flows still NAT to old endpoints"),
    ("cidr-overlap", "addressing", "critical", RootCause, "Address ranges overlap"),
    ("pod-cidr-exhausted", "addressing", "error", RootCause, "The pod CIDR cannot hold the pods or nodes"),
    ("ip-outside-cidr", "addressing", "warning", RootCause, "An address sits outside the range it must belong to"),
}

/// Which findings can explain which: a cause is linked to a symptom only when this
/// table allows it *and* both concern the same subject (Service, client namespace,
/// lookup). A Service without endpoints makes clients see a refusal, not a timeout.
const EXPLAINS: &[(&str, &[&str])] = &[
    (
        "service-selector-mismatch",
        &["service-no-endpoints", "conn-refused"],
    ),
    (
        "service-pods-not-ready",
        &["service-no-endpoints", "conn-refused"],
    ),
    ("service-no-endpoints", &["conn-refused"]),
    ("service-target-port-mismatch", &["conn-refused"]),
    (
        "service-port-name-unresolved",
        &["conn-refused", "service-no-endpoints"],
    ),
    ("no-listener", &["conn-refused"]),
    ("listen-loopback-only", &["conn-refused"]),
    (
        "netpol-default-deny",
        &[
            "conn-timeout",
            "dns-resolver-unreachable",
            "dns-egress-blocked",
            "netpol-blocks-flow",
        ],
    ),
    ("netpol-blocks-flow", &["conn-timeout"]),
    ("dns-egress-blocked", &["dns-resolver-unreachable"]),
    ("iptables-backend-split", &["kube-proxy-rules-missing"]),
    (
        "kube-proxy-rules-missing",
        &["conn-timeout", "conn-refused", "dns-resolver-unreachable"],
    ),
    (
        "kube-proxy-stale-rules",
        &["conn-timeout", "conn-refused", "dns-resolver-unreachable"],
    ),
    (
        "conntrack-stale-entry",
        &["conn-timeout", "dns-resolver-unreachable"],
    ),
    ("hairpin-disabled", &["conn-timeout"]),
    ("kube-proxy-mode-mismatch", &["kube-proxy-rules-missing"]),
    ("mtu-overlay-mismatch", &["mtu-blackhole"]),
    ("dns-wrong-nameserver", &["dns-resolver-unreachable"]),
    (
        "dns-short-name-cross-namespace",
        &["dns-nxdomain", "dns-servfail"],
    ),
    (
        "coredns-not-ready",
        &["dns-resolver-unreachable", "dns-servfail"],
    ),
    (
        "coredns-forward-loop",
        &[
            "coredns-not-ready",
            "dns-resolver-unreachable",
            "dns-servfail",
        ],
    ),
];

/// Can `cause` explain `symptom`?
pub fn can_explain(cause: &str, symptom: &str) -> bool {
    EXPLAINS
        .iter()
        .any(|(c, s)| *c == cause && s.contains(&symptom))
}

/// The catalogue entry of an id.
///
/// The catalogue is the source of layer and severity; every runbook's front matter
/// must agree (tested).
pub fn info(id: &str) -> Option<&'static FindingInfo> {
    CATALOGUE.iter().find(|f| f.id == id)
}

fn severity_rank(s: &str) -> u8 {
    match s {
        "critical" => 0,
        "error" => 1,
        "warning" => 2,
        _ => 3,
    }
}

/// Most evidence lines quoted for one finding.
const MAX_EVIDENCE: usize = 40;

/// Deduplicate, link and rank the emitted findings.
pub fn assemble(emitted: &[Emitted], lines: &LineIndex) -> Vec<Finding> {
    // One finding per id: the walks of several subjects merge, the first proof leads.
    struct Acc<'a> {
        info: &'static FindingInfo,
        proofs: Vec<&'a crate::predicates::Proof>,
    }
    let mut accs: Vec<Acc> = Vec::new();
    for e in emitted {
        let Some(info) = info(&e.finding) else {
            continue;
        };
        match accs.iter_mut().find(|a| a.info.id == info.id) {
            Some(a) => {
                if !a.proofs.iter().any(|p| **p == e.proof) {
                    a.proofs.push(&e.proof);
                }
            }
            None => accs.push(Acc {
                info,
                proofs: vec![&e.proof],
            }),
        }
    }
    let keys_of = |a: &Acc| -> Vec<String> {
        a.proofs
            .iter()
            .flat_map(|p| p.keys.iter().cloned())
            .collect()
    };
    let mut findings: Vec<(Tier, u8, usize, Finding)> = accs
        .iter()
        .map(|a| {
            let mut evidence: Vec<Evidence> = Vec::new();
            for p in &a.proofs {
                for l in &p.lines {
                    if evidence.len() < MAX_EVIDENCE && !evidence.iter().any(|e| e.line == *l) {
                        evidence.push(Evidence {
                            line: *l,
                            text: lines.quote(*l),
                        });
                    }
                }
            }
            evidence.sort_by_key(|e| e.line);
            for p in &a.proofs {
                for n in &p.notes {
                    let e = Evidence {
                        line: 0,
                        text: n.clone(),
                    };
                    if !evidence.contains(&e) {
                        evidence.push(e);
                    }
                }
            }
            let first = a.proofs[0];
            let mut summary = first.summary.clone();
            // Proofs that only repeat the first one's explanation for another subject
            // (nslookup and curl both timing out) are named by their line; the rest are
            // said in full.
            let tail = |s: &str| s.split_once(": ").map(|(_, t)| t.to_string());
            let first_tail = tail(&summary);
            let mut same_lines: Vec<String> = Vec::new();
            let mut others: Vec<&str> = Vec::new();
            for p in &a.proofs[1..] {
                let s = p.summary.as_str();
                if s.is_empty() || s == summary {
                    continue;
                }
                if first_tail.is_some() && tail(s) == first_tail {
                    let head = s.split_once(": ").map(|(h, _)| h).unwrap_or(s);
                    match p.lines.first() {
                        Some(l) => same_lines.push(format!("{head} (line {l})")),
                        None => same_lines.push(head.to_string()),
                    }
                } else {
                    others.push(s);
                }
            }
            if !same_lines.is_empty() {
                summary.push_str(&format!(" The same: {}.", same_lines.join("; ")));
            }
            if !others.is_empty() {
                summary.push_str(&format!(" (Also: {})", others.join(" ")));
            }
            let first_line = evidence
                .iter()
                .map(|e| e.line)
                .filter(|l| *l > 0)
                .min()
                .unwrap_or(usize::MAX);
            let finding = Finding {
                id: a.info.id.to_string(),
                layer: a.info.layer.to_string(),
                severity: a.info.severity.to_string(),
                title: a.info.title.to_string(),
                summary,
                evidence,
                runbook: a.info.id.to_string(),
                explains: Vec::new(),
                vars: first.vars.clone(),
            };
            (
                a.info.tier,
                severity_rank(a.info.severity),
                first_line,
                finding,
            )
        })
        .collect();
    // A finding explains another when the table allows it and they share a subject key.
    let keys: Vec<Vec<String>> = accs.iter().map(keys_of).collect();
    for i in 0..findings.len() {
        for j in 0..findings.len() {
            if i != j
                && can_explain(&findings[i].3.id, &findings[j].3.id)
                && keys[i].iter().any(|k| keys[j].contains(k))
            {
                let id = findings[j].3.id.clone();
                findings[i].3.explains.push(id);
            }
        }
    }
    // Root causes that explain something come before the ones that explain nothing, and a
    // cause another finding explains in turn (DNS egress blocked by a default deny) after
    // the one that explains it.
    let explained: Vec<String> = findings
        .iter()
        .flat_map(|f| f.3.explains.iter().cloned())
        .collect();
    let mut ranked: Vec<(bool, (Tier, u8, usize, Finding))> = findings
        .into_iter()
        .map(|f| (explained.contains(&f.3.id), f))
        .collect();
    ranked.sort_by(|(ea, a), (eb, b)| {
        (a.0, *ea, a.3.explains.is_empty(), a.1, a.2).cmp(&(
            b.0,
            *eb,
            b.3.explains.is_empty(),
            b.1,
            b.2,
        ))
    });
    ranked.into_iter().map(|(_, f)| f.3).collect()
}

/// A finding proven by a calculation (the calculators' CIDR and MTU checks): each note is
/// an evidence item with line 0, shown as `calc:`.
pub fn from_calculation(
    id: &str,
    summary: String,
    notes: Vec<String>,
    vars: std::collections::BTreeMap<String, String>,
) -> Finding {
    let meta = info(id);
    Finding {
        id: id.to_string(),
        layer: meta.map_or("addressing", |m| m.layer).to_string(),
        severity: meta.map_or("error", |m| m.severity).to_string(),
        title: meta.map_or(id, |m| m.title).to_string(),
        summary,
        evidence: notes
            .into_iter()
            .map(|text| Evidence { line: 0, text })
            .collect(),
        runbook: id.to_string(),
        explains: Vec::new(),
        vars,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explanation_table_names_only_catalogue_ids_and_respects_the_datapath() {
        for (c, ss) in EXPLAINS {
            assert!(info(c).is_some(), "{c}");
            for s in *ss {
                assert!(info(s).is_some(), "{s}");
                assert!(
                    info(c).map(|i| i.tier) <= info(s).map(|i| i.tier),
                    "{c} -> {s}"
                );
            }
        }
        // An empty Service is rejected (refused); only drops time out.
        assert!(can_explain("service-no-endpoints", "conn-refused"));
        assert!(!can_explain("service-selector-mismatch", "conn-timeout"));
        assert!(can_explain("netpol-default-deny", "conn-timeout"));
    }

    #[test]
    fn catalogue_and_runbooks_agree() {
        for f in CATALOGUE {
            let m = crate::runbook::meta(f.id).unwrap_or_else(|| panic!("no runbook for {}", f.id));
            assert_eq!(
                (m.layer.as_str(), m.severity.as_str()),
                (f.layer, f.severity),
                "{}",
                f.id
            );
        }
        assert_eq!(crate::runbook::list().len(), CATALOGUE.len());
    }
}
