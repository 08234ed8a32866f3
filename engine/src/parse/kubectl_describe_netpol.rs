//! `kubectl describe networkpolicy`.
//!
//! Commands: `kubectl describe networkpolicy <name> [-n <ns>]`, `kubectl describe netpol`
//! (several policies, one record each).
//!
//! Variants: kubectl 1.8 … 1.33 (describe.go describeNetworkPolicySpec). Under `Spec:`:
//! `PodSelector:` (`<none> (Allowing the specific traffic to all pods in this
//! namespace)` for an empty one); per direction either `Allowing ingress traffic:` with
//! its rules or `Not affecting ingress traffic` (1.17+; before, both directions were
//! always printed); a rule is its `To Port: 8080/TCP` lines (`<any> (traffic allowed to
//! all ports)`), then one `From:` (egress `To:`) block per peer, each with
//! `PodSelector:`, `NamespaceSelector:` or `IPBlock:` (`CIDR:`, `Except:`), or `From:
//! <any> (traffic not restricted by source)`; rules are separated by `----------`; no
//! rule at all prints `<none> (Selected pods are isolated for ingress connectivity)`.
//! `Policy Types: Ingress, Egress` ends the spec. Some versions print an empty
//! `Annotations:` without its line end, so `Spec:` lands on it (`Annotations:  Spec:`).
//!
//! Record: `{ line, name, namespace, labels, pod_selector, pod_selector_text,
//! pod_selector_line, ingress, ingress_line, egress, egress_line, policy_types,
//! policy_types_line }`; `ingress`/`egress` are `null` when the policy does not affect
//! that direction, else a list of rules `{ line, ports, all_ports, peers, all_peers }`,
//! each peer `{ line, pod_selector, namespace_selector, ip_block, except }` as printed.
//! `pod_selector` is a label map (`{}` for `<none>`; `null` when set-based).
//!
//! ```text
//! Spec:
//!   PodSelector:     app=backend
//!   Allowing ingress traffic:
//!     To Port: 8080/TCP
//!     From:
//!       PodSelector: app=frontend
//!   Not affecting egress traffic
//!   Policy Types: Ingress
//! ```

use super::kubectl_describe::{self as describe, Line};
use super::kubectl_table as table;
use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use serde::Serialize;
use std::collections::BTreeMap;

/// One described NetworkPolicy.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Record {
    pub line: usize,
    pub name: String,
    pub namespace: Option<String>,
    pub labels: BTreeMap<String, String>,
    /// `{}` for `<none>` (every pod of the namespace); `None` when set-based.
    pub pod_selector: Option<BTreeMap<String, String>>,
    pub pod_selector_text: Option<String>,
    pub pod_selector_line: Option<usize>,
    /// `None`: `Not affecting ingress traffic` (or not printed).
    pub ingress: Option<Vec<PolicyRule>>,
    pub ingress_line: Option<usize>,
    pub egress: Option<Vec<PolicyRule>>,
    pub egress_line: Option<usize>,
    pub policy_types: Vec<String>,
    pub policy_types_line: Option<usize>,
}

/// One ingress or egress rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct PolicyRule {
    /// First line of the rule.
    pub line: usize,
    /// `To Port:` values as printed (`8080/TCP`, `http/TCP`).
    pub ports: Vec<String>,
    /// `To Port: <any> (traffic allowed to all ports)`.
    pub all_ports: bool,
    pub peers: Vec<Peer>,
    /// `From: <any> (traffic not restricted by source)` (egress: `To: <any> …`).
    pub all_peers: bool,
}

/// One `From:` / `To:` block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Peer {
    pub line: usize,
    pub pod_selector: Option<String>,
    pub namespace_selector: Option<String>,
    /// `IPBlock:`'s `CIDR:`.
    pub ip_block: Option<String>,
    pub except: Vec<String>,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "kubectl-describe-netpol",
    aliases: &["kubectl-describe-networkpolicy"],
    title: "kubectl describe networkpolicy",
    commands: &[
        "kubectl describe networkpolicy <name> -n <namespace>",
        "kubectl describe netpol",
    ],
    variants: &[
        "kubectl 1.8–1.16 (both directions always printed)",
        "kubectl 1.17+ (Not affecting … traffic)",
        "several policies in one output",
    ],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    cmd.kubectl
        .as_ref()
        .is_some_and(|k| k.is("describe", &["networkpolicies"]))
}

fn sniff(head: &str) -> Option<f32> {
    if !head.lines().any(|l| l.starts_with("Name:")) {
        return None;
    }
    let nested = |field: &str| head.lines().any(|l| l.trim_start().starts_with(field));
    let score = [
        nested("PodSelector:"),
        nested("Allowing ingress traffic")
            || nested("Allowing egress traffic")
            || nested("Not affecting ingress traffic")
            || nested("Not affecting egress traffic"),
        nested("Policy Types:"),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    match score {
        0 | 1 => None,
        2 => Some(0.8),
        _ => Some(0.95),
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Section {
    Fields,
    Labels,
    Spec,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Dir {
    Ingress,
    Egress,
}

struct State {
    section: Section,
    dir: Option<Dir>,
    /// The next `To Port:` starts a new rule (after `----------` or a peer).
    new_rule: bool,
}

impl Default for State {
    fn default() -> Self {
        State {
            section: Section::Fields,
            dir: None,
            new_rule: true,
        }
    }
}

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    describe::read_objects(
        seg,
        "networkpolicy",
        |line| Record {
            line: line.n,
            name: line.value_of("Name").unwrap_or("").to_string(),
            ..Record::default()
        },
        |rec, s: &mut State, line| {
            if line.indent == 0 {
                let (key, value) = line.field.unwrap_or(("", ""));
                s.section = match key {
                    "Namespace" => {
                        rec.namespace = describe::opt(value);
                        Section::Fields
                    }
                    "Labels" => {
                        rec.labels = table::label_map(value).map_err(|e| format!("Labels: {e}"))?;
                        Section::Labels
                    }
                    "Spec" => Section::Spec,
                    // `Annotations:  Spec:` — an empty annotation list without its newline.
                    "Annotations" if value == "Spec:" => Section::Spec,
                    _ => Section::Other,
                };
                return Ok(());
            }
            match s.section {
                Section::Labels => {
                    let m = table::label_map(line.text).map_err(|e| format!("Labels: {e}"))?;
                    rec.labels.extend(m);
                    Ok(())
                }
                Section::Spec => spec_line(rec, s, line),
                Section::Fields | Section::Other => Ok(()),
            }
        },
    )
}

fn rules(rec: &mut Record, dir: Dir) -> &mut Vec<PolicyRule> {
    let slot = match dir {
        Dir::Ingress => &mut rec.ingress,
        Dir::Egress => &mut rec.egress,
    };
    slot.get_or_insert_with(Vec::new)
}

fn spec_line(rec: &mut Record, s: &mut State, line: &Line) -> Result<(), String> {
    let text = line.text;
    // Level 1: the spec's own lines.
    match (line.field, text) {
        (Some(("PodSelector", v)), _) if line.indent <= 2 => {
            rec.pod_selector_line = Some(line.n);
            let sel = v.split(" (").next().unwrap_or(v).trim();
            rec.pod_selector_text = Some(sel.to_string());
            rec.pod_selector = if sel.contains(' ') || sel.contains('!') {
                None
            } else {
                Some(table::label_map(sel).map_err(|e| format!("PodSelector: {e}"))?)
            };
            return Ok(());
        }
        (Some(("Allowing ingress traffic", _)), _) => {
            s.dir = Some(Dir::Ingress);
            s.new_rule = true;
            rec.ingress = Some(Vec::new());
            rec.ingress_line = Some(line.n);
            return Ok(());
        }
        (Some(("Allowing egress traffic", _)), _) => {
            s.dir = Some(Dir::Egress);
            s.new_rule = true;
            rec.egress = Some(Vec::new());
            rec.egress_line = Some(line.n);
            return Ok(());
        }
        (_, "Not affecting ingress traffic" | "Allowing all ingress traffic") => {
            s.dir = None;
            rec.ingress = None;
            rec.ingress_line = Some(line.n);
            return Ok(());
        }
        (_, "Not affecting egress traffic" | "Allowing all egress traffic") => {
            s.dir = None;
            rec.egress = None;
            rec.egress_line = Some(line.n);
            return Ok(());
        }
        (Some(("Policy Types", v)), _) => {
            s.dir = None;
            rec.policy_types = v
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect();
            rec.policy_types_line = Some(line.n);
            return Ok(());
        }
        _ => {}
    }
    let Some(dir) = s.dir else {
        return Err(format!(
            "Spec: unexpected line {:?} outside an ingress or egress section",
            table::clip(text)
        ));
    };
    if text.starts_with("<none>") {
        // `<none> (Selected pods are isolated for … connectivity)`: no rule.
        rules(rec, dir);
        return Ok(());
    }
    if text.chars().all(|c| c == '-') {
        s.new_rule = true;
        return Ok(());
    }
    let (key, value) = line.field.ok_or_else(|| {
        format!(
            "Spec: expected `To Port:`, `From:`/`To:` or a selector, got {:?}",
            table::clip(text)
        )
    })?;
    let list = rules(rec, dir);
    match key {
        "To Port" => {
            if s.new_rule || list.is_empty() {
                list.push(PolicyRule {
                    line: line.n,
                    ..PolicyRule::default()
                });
                s.new_rule = false;
            }
            let r = list.last_mut().ok_or("no rule")?;
            if value.starts_with("<any>") {
                r.all_ports = true;
            } else {
                r.ports.push(value.to_string());
            }
        }
        "From" | "To" => {
            if s.new_rule || list.is_empty() {
                list.push(PolicyRule {
                    line: line.n,
                    ..PolicyRule::default()
                });
                s.new_rule = false;
            }
            let r = list.last_mut().ok_or("no rule")?;
            if value.starts_with("<any>") {
                r.all_peers = true;
            } else {
                r.peers.push(Peer {
                    line: line.n,
                    ..Peer::default()
                });
            }
        }
        "PodSelector" | "NamespaceSelector" | "IPBlock" | "CIDR" | "Except" => {
            let peer = list
                .last_mut()
                .and_then(|r| r.peers.last_mut())
                .ok_or_else(|| format!("{key}: no `From:`/`To:` line before it"))?;
            let v = Some(value.to_string());
            match key {
                "PodSelector" => peer.pod_selector = v,
                "NamespaceSelector" => peer.namespace_selector = v,
                "CIDR" => peer.ip_block = v,
                "Except" => {
                    peer.except = value
                        .split(',')
                        .map(str::trim)
                        .filter(|e| !e.is_empty())
                        .map(str::to_string)
                        .collect()
                }
                _ => {}
            }
        }
        other => return Err(format!("Spec: unknown field {other:?}")),
    }
    Ok(())
}
