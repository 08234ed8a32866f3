//! Lint: findings about the policies of the manifests, each with the manifest lines that
//! prove it (per file; with several files each quoted line starts with its file name).
//!
//! - `netpol-default-deny`: a policy with `podSelector: {}` isolates a direction and has
//!   no rules for it.
//! - `netpol-selects-nothing`: a policy's `podSelector`, or a `podSelector` /
//!   `namespaceSelector` peer, matches no pod the manifests show (only said when the
//!   manifests show pods at all).
//! - `netpol-namespace-label-missing`: a `namespaceSelector.matchLabels` pair that no
//!   namespace carries (namespaces without a Namespace object are stock: they carry only
//!   `kubernetes.io/metadata.name`), with the one-line fix.
//! - `netpol-port-mismatch`: a policy port equals a Service's `port` or `nodePort` where
//!   the pods serve the `targetPort`, and nothing else in the rule opens the targetPort.
//! - `dns-egress-blocked`: an egress-isolated workload cannot reach UDP or TCP 53 on the
//!   cluster DNS (the manifests' `k8s-app=kube-dns` pods, else a stock CoreDNS in
//!   `kube-system`) nor on the NodeLocal DNS cache 169.254.20.10.

use super::eval::{Endpoint, Evaluator};
use super::ports::protocol_index;
use super::{selector_matches, selector_text, Loc, Model, Policy, Workload, NAME_LABEL};
use crate::findings::from_calculation;
use crate::parse::k8s_objects::{ContainerPort, Peer, TargetPort};
use crate::report::{Evidence, Finding};
use std::collections::BTreeMap;

/// The NodeLocal DNSCache link-local address.
pub const NODELOCAL_DNS: u32 = u32::from_be_bytes([169, 254, 20, 10]);

/// Namespaces every cluster has.
const STOCK_NAMESPACES: &[&str] = &["default", "kube-system", "kube-public", "kube-node-lease"];

/// Every finding about the model's policies.
pub fn lint(model: &Model) -> Vec<Finding> {
    let ev = Evaluator::new(model);
    let mut out = Vec::new();
    default_deny(model, &ev, &mut out);
    let mut label_missing_peers = Vec::new();
    namespace_labels(model, &mut out, &mut label_missing_peers);
    selects_nothing(model, &label_missing_peers, &mut out);
    port_mismatch(model, &ev, &mut out);
    dns_blocked(model, &mut out);
    out
}

fn vars(pairs: &[(&str, String)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn finding(
    model: &Model,
    id: &str,
    summary: String,
    lines: &[Loc],
    v: BTreeMap<String, String>,
) -> Finding {
    let mut f = from_calculation(id, summary, Vec::new(), v);
    let mut seen: Vec<Loc> = Vec::new();
    for l in lines {
        if l.line > 0 && !seen.contains(l) {
            seen.push(*l);
        }
    }
    seen.sort_by_key(|l| (l.file, l.line));
    f.evidence = seen
        .into_iter()
        .map(|l| Evidence {
            line: l.line,
            text: model.quote(l),
        })
        .collect();
    f
}

fn at(p: &Policy, line: usize) -> Loc {
    Loc {
        file: p.loc.file,
        line,
    }
}

fn policy_lines(p: &Policy) -> Vec<Loc> {
    let mut v = vec![p.name_loc];
    if let Some(l) = p.pod_selector_line {
        v.push(at(p, l));
    }
    v
}

fn default_deny(model: &Model, ev: &Evaluator, out: &mut Vec<Finding>) {
    for (pi, p) in model.policies.iter().enumerate() {
        let everything =
            p.pod_selector.match_labels.is_empty() && p.pod_selector.match_expressions.is_empty();
        let mut dirs = Vec::new();
        if p.ingress_type && p.ingress.is_empty() {
            dirs.push("ingress");
        }
        if p.egress_type && p.egress.is_empty() {
            dirs.push("egress");
        }
        if !everything || dirs.is_empty() {
            continue;
        }
        let pods: Vec<String> = model
            .workloads
            .iter()
            .enumerate()
            .filter(|(wi, _)| {
                ev.isolating(*wi, true).contains(&pi) || ev.isolating(*wi, false).contains(&pi)
            })
            .map(|(_, w)| w.display())
            .collect();
        let who = if pods.is_empty() {
            String::new()
        } else {
            format!(" Isolated here: {}.", pods.join(", "))
        };
        out.push(finding(
            model,
            "netpol-default-deny",
            format!(
                "NetworkPolicy {} selects every pod of namespace {} (podSelector: {{}}) and allows no {}: only flows that another policy allows pass, the rest time out.{who}",
                p.id(),
                p.namespace,
                dirs.join(" and ")
            ),
            &policy_lines(p),
            vars(&[("policy", p.name.clone()), ("namespace", p.namespace.clone())]),
        ));
    }
}

/// The line of a `key: value` pair inside a peer (the selector's own line), if found.
fn pair_line(model: &Model, file: usize, from: usize, key: &str, value: &str) -> Option<usize> {
    let text = &model.files.get(file)?.text;
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .take(12)
        .find(|(_, l)| {
            let t = l.trim().trim_start_matches('-').trim();
            let t = t.replace(['"', '\''], "");
            t.contains(&format!("{key}: {value}")) || t.contains(&format!("{key}:{value}"))
        })
        .map(|(i, _)| i + 1)
}

fn peers(p: &Policy) -> impl Iterator<Item = (&'static str, usize, &Peer)> {
    let ing = p.ingress.iter().flat_map(|r| {
        r.peers
            .iter()
            .flatten()
            .map(move |x| ("ingress", r.line, x))
    });
    let eg = p
        .egress
        .iter()
        .flat_map(|r| r.peers.iter().flatten().map(move |x| ("egress", r.line, x)));
    ing.chain(eg)
}

fn namespace_labels(model: &Model, out: &mut Vec<Finding>, flagged: &mut Vec<(usize, usize)>) {
    for (pi, p) in model.policies.iter().enumerate() {
        for (dir, _, peer) in peers(p) {
            let Some(ns_sel) = &peer.namespace_selector else {
                continue;
            };
            for (k, v) in &ns_sel.match_labels {
                if k == NAME_LABEL
                    || model
                        .namespaces
                        .values()
                        .any(|n| n.labels.get(k) == Some(v))
                {
                    continue;
                }
                flagged.push((pi, peer.line));
                let line = pair_line(model, p.loc.file, peer.line, k, v).unwrap_or(peer.line);
                let intended = model.namespaces.get(v.as_str());
                let is_ns = intended.is_some() || STOCK_NAMESPACES.contains(&v.as_str());
                let closest = match intended {
                    Some(n) => n
                        .labels
                        .iter()
                        .map(|(a, b)| format!("{a}={b}"))
                        .collect::<Vec<_>>()
                        .join(","),
                    None => format!("{NAME_LABEL}={v}"),
                };
                let fix = if is_ns {
                    format!(
                        " Fix: select it by the label every namespace carries, `{NAME_LABEL}: {v}` instead of `{k}: {v}` ({}).",
                        model.place(at(p, line))
                    )
                } else {
                    format!(
                        " Fix: label the intended namespace `{k}={v}`, or select it by `{NAME_LABEL}: <namespace>` ({}).",
                        model.place(at(p, line))
                    )
                };
                let mut vv = vec![
                    ("policy", p.name.clone()),
                    ("namespace", p.namespace.clone()),
                    ("differing_key", k.clone()),
                    ("expected_value", v.clone()),
                    ("closest_labels", closest.clone()),
                ];
                if is_ns {
                    vv.push(("client_namespace", v.clone()));
                }
                out.push(finding(
                    model,
                    "netpol-namespace-label-missing",
                    format!(
                        "NetworkPolicy {} {dir} peer asks for namespaces labelled {k}={v}, which no namespace carries{}: the peer matches nothing and its flows are denied.{fix}",
                        p.id(),
                        if is_ns {
                            format!(" (namespace {v} has only {closest})")
                        } else {
                            String::new()
                        }
                    ),
                    &[p.name_loc, at(p, peer.line), at(p, line)],
                    vars(&vv),
                ));
            }
        }
    }
}

/// The workload of `ns` whose labels come closest to `sel`'s matchLabels, and the first
/// key where they differ.
fn closest(
    model: &Model,
    ns: &str,
    sel: &crate::parse::k8s_objects::LabelSelector,
) -> Option<(String, String, String)> {
    let w = model
        .workloads
        .iter()
        .filter(|w| w.namespace == ns)
        .min_by_key(|w| {
            sel.match_labels
                .iter()
                .filter(|(k, v)| w.labels.get(*k) != Some(v))
                .count()
        })?;
    let (k, _) = sel
        .match_labels
        .iter()
        .find(|(k, v)| w.labels.get(*k) != Some(v))?;
    let labels = w
        .labels
        .iter()
        .map(|(a, b)| format!("{a}={b}"))
        .collect::<Vec<_>>()
        .join(",");
    let actual = w
        .labels
        .get(k)
        .cloned()
        .unwrap_or_else(|| "(absent)".into());
    Some((labels, k.clone(), actual))
}

fn selects_nothing(model: &Model, flagged: &[(usize, usize)], out: &mut Vec<Finding>) {
    if model.workloads.is_empty() {
        return;
    }
    let stock = with_stock_dns(model);
    let stock_ev = Evaluator::new(&stock);
    for (pi, p) in model.policies.iter().enumerate() {
        let selected = model
            .workloads
            .iter()
            .any(|w| w.namespace == p.namespace && selector_matches(&p.pod_selector, &w.labels));
        if !selected {
            let mut vv = vec![
                ("policy", p.name.clone()),
                ("namespace", p.namespace.clone()),
                ("selector", selector_text(&p.pod_selector)),
            ];
            if let Some((labels, k, actual)) = closest(model, &p.namespace, &p.pod_selector) {
                vv.push(("closest_labels", labels));
                vv.push(("differing_key", k));
                vv.push(("actual_value", actual));
            }
            out.push(finding(
                model,
                "netpol-selects-nothing",
                format!(
                    "NetworkPolicy {} selects pods {} in namespace {}, and no pod of the manifests matches: the policy does nothing.",
                    p.id(),
                    selector_text(&p.pod_selector),
                    p.namespace
                ),
                &policy_lines(p),
                vars(&vv),
            ));
        }
        for (dir, _, peer) in peers(p) {
            if peer.ip_block.is_some()
                || (peer.namespace_selector.is_none() && peer.pod_selector.is_none())
                || flagged.contains(&(pi, peer.line))
            {
                continue;
            }
            // Only where the manifests show the whole scope: the policy's own namespace,
            // or namespaces a non-empty namespaceSelector picks among the known ones.
            let closed = match &peer.namespace_selector {
                None => true,
                Some(s) if s.match_labels.is_empty() && s.match_expressions.is_empty() => false,
                Some(s) => model
                    .namespaces
                    .values()
                    .any(|n| selector_matches(s, &n.labels)),
            };
            let any = (0..stock.workloads.len())
                .any(|wi| stock_ev.peer_matches(p, peer, Endpoint::Pod(wi)));
            if !closed || any {
                continue;
            }
            let mut desc = Vec::new();
            if let Some(s) = &peer.namespace_selector {
                desc.push(format!("namespaceSelector {}", selector_text(s)));
            }
            if let Some(s) = &peer.pod_selector {
                desc.push(format!("podSelector {}", selector_text(s)));
            }
            out.push(finding(
                model,
                "netpol-selects-nothing",
                format!(
                    "NetworkPolicy {} has an {dir} peer ({}) at {} that matches no pod of the manifests: that peer allows nothing.",
                    p.id(),
                    desc.join(" + "),
                    model.place(at(p, peer.line))
                ),
                &[p.name_loc, at(p, peer.line)],
                vars(&[
                    ("policy", p.name.clone()),
                    ("namespace", p.namespace.clone()),
                    ("selector", desc.join(" + ")),
                ]),
            ));
        }
    }
}

fn resolve_target(w: &Workload, tp: &Option<TargetPort>, port: u16, proto: &str) -> Option<u16> {
    match tp {
        None => Some(port),
        Some(TargetPort::Number(n)) => Some(*n),
        Some(TargetPort::Name(name)) => w
            .ports
            .iter()
            .find(|c: &&ContainerPort| {
                c.name.as_deref() == Some(name.as_str()) && c.protocol.eq_ignore_ascii_case(proto)
            })
            .map(|c| c.container_port),
    }
}

fn port_mismatch(model: &Model, ev: &Evaluator, out: &mut Vec<Finding>) {
    let mut seen: Vec<(usize, usize, u16)> = Vec::new();
    for svc in &model.services {
        let Some(sel) = svc.selector.as_ref().filter(|s| !s.is_empty()) else {
            continue;
        };
        for (wi, w) in model.workloads.iter().enumerate() {
            if w.namespace != svc.namespace || !sel.iter().all(|(k, v)| w.labels.get(k) == Some(v))
            {
                continue;
            }
            for sp in &svc.ports {
                let Some(target) = resolve_target(w, &sp.target_port, sp.port, &sp.protocol) else {
                    continue;
                };
                let Some(proto) = protocol_index(&sp.protocol) else {
                    continue;
                };
                for &pi in ev.isolating(wi, true) {
                    let Some(p) = model.policies.get(pi) else {
                        continue;
                    };
                    for r in &p.ingress {
                        if ev
                            .rule_ports(&r.ports, Endpoint::Pod(wi))
                            .contains(proto, target)
                        {
                            continue;
                        }
                        for pp in r.ports.iter().flatten() {
                            let pproto = pp.protocol.as_deref().unwrap_or("TCP");
                            let Some(TargetPort::Number(n)) = pp.port else {
                                continue;
                            };
                            if !pproto.eq_ignore_ascii_case(&sp.protocol)
                                || n == target
                                || (n != sp.port && Some(n) != sp.node_port)
                                || seen.contains(&(pi, pp.line, n))
                            {
                                continue;
                            }
                            seen.push((pi, pp.line, n));
                            let which = if n == sp.port { "port" } else { "nodePort" };
                            let mut lines = vec![p.name_loc, at(p, pp.line), svc.loc];
                            let svc_at = |l: usize| Loc {
                                file: svc.loc.file,
                                line: l,
                            };
                            lines.push(svc_at(sp.line));
                            if let Some(l) = sp.target_port_line {
                                lines.push(svc_at(l));
                            }
                            if let Some(l) = sp.node_port_line.filter(|_| which == "nodePort") {
                                lines.push(svc_at(l));
                            }
                            out.push(finding(
                                model,
                                "netpol-port-mismatch",
                                format!(
                                    "NetworkPolicy {} allows {pproto} {n} to {}, the {which} of Service {}/{}, but the pods serve targetPort {target}: policies see the packet after DNAT, so the rule never matches. Allow port {target} instead.",
                                    p.id(),
                                    w.display(),
                                    svc.namespace,
                                    svc.name
                                ),
                                &lines,
                                vars(&[
                                    ("policy", p.name.clone()),
                                    ("namespace", p.namespace.clone()),
                                    ("service", svc.name.clone()),
                                    ("port", n.to_string()),
                                    ("target_port", target.to_string()),
                                    ("protocol", sp.protocol.clone()),
                                ]),
                            ));
                        }
                    }
                }
            }
        }
    }
}

fn is_dns(w: &Workload) -> bool {
    w.labels.get("k8s-app").map(String::as_str) == Some("kube-dns")
}

/// The model plus what every cluster has but manifests rarely show: CoreDNS in
/// `kube-system` (pods `k8s-app=kube-dns`, ports 53 UDP `dns` and TCP `dns-tcp`), when the
/// manifests have no kube-dns pods. The added workload has `pods: 0` and line 0.
pub fn with_stock_dns(model: &Model) -> Model {
    let mut m = model.clone();
    if m.workloads.iter().any(is_dns) {
        return m;
    }
    let port = |name: &str, proto: &str| ContainerPort {
        line: 0,
        name: Some(name.into()),
        container_port: 53,
        protocol: proto.into(),
    };
    m.workloads.push(Workload {
        namespace: "kube-system".into(),
        name: "coredns".into(),
        kind: "Deployment".into(),
        labels: BTreeMap::from([("k8s-app".to_string(), "kube-dns".to_string())]),
        ports: vec![port("dns", "UDP"), port("dns-tcp", "TCP")],
        pods: 0,
        loc: Loc { file: 0, line: 0 },
    });
    m.namespaces
        .entry("kube-system".into())
        .or_insert_with(|| super::Namespace {
            name: "kube-system".into(),
            labels: BTreeMap::from([(NAME_LABEL.to_string(), "kube-system".to_string())]),
            loc: None,
        });
    m
}

/// Per namespace: workloads whose DNS is blocked, the blocked protocols, the isolating
/// policies.
type Blocked = (Vec<(String, Vec<&'static str>)>, Vec<usize>);

fn dns_blocked(model: &Model, out: &mut Vec<Finding>) {
    let m = with_stock_dns(model);
    let ev = Evaluator::new(&m);
    let targets: Vec<usize> = (0..m.workloads.len())
        .filter(|&i| m.workloads.get(i).is_some_and(is_dns))
        .collect();
    let nodelocal = Endpoint::Ip((NODELOCAL_DNS, NODELOCAL_DNS));
    let mut by_ns: BTreeMap<String, Blocked> = BTreeMap::new();
    for (wi, w) in model.workloads.iter().enumerate() {
        if is_dns(w) || ev.isolating(wi, false).is_empty() {
            continue;
        }
        let mut blocked = Vec::new();
        for proto in ["UDP", "TCP"] {
            let Some(pidx) = protocol_index(proto) else {
                continue;
            };
            let ok = targets.iter().any(|&t| {
                ev.allowed(Endpoint::Pod(wi), Endpoint::Pod(t))
                    .contains(pidx, 53)
            }) || ev.allowed(Endpoint::Pod(wi), nodelocal).contains(pidx, 53);
            if !ok {
                blocked.push(proto);
            }
        }
        if blocked.is_empty() {
            continue;
        }
        let e = by_ns.entry(w.namespace.clone()).or_default();
        e.0.push((w.name.clone(), blocked));
        for &pi in ev.isolating(wi, false) {
            if !e.1.contains(&pi) {
                e.1.push(pi);
            }
        }
    }
    let dns_where = if targets
        .iter()
        .any(|&t| model.workloads.get(t).is_some_and(is_dns))
    {
        "the kube-dns pods of the manifests"
    } else {
        "CoreDNS (kube-system, k8s-app=kube-dns, as on a stock cluster)"
    };
    for (ns, (pods, pols)) in by_ns {
        let mut lines = Vec::new();
        let mut names = Vec::new();
        for &pi in &pols {
            let Some(p) = model.policies.get(pi) else {
                continue;
            };
            names.push(p.id());
            lines.extend(policy_lines(p));
            // Rules that look like DNS allows: show why they do not help.
            for r in &p.egress {
                let dnsish = r.ports.iter().flatten().any(|pp| {
                    matches!(pp.port, Some(TargetPort::Number(53)))
                        || matches!(&pp.port, Some(TargetPort::Name(n)) if n.starts_with("dns"))
                });
                if dnsish {
                    lines.push(at(p, r.line));
                    for peer in r.peers.iter().flatten() {
                        lines.push(at(p, peer.line));
                    }
                }
            }
        }
        let first_policy = pols
            .first()
            .and_then(|&pi| model.policies.get(pi))
            .map(|p| p.name.clone())
            .unwrap_or_default();
        out.push(finding(
            model,
            "dns-egress-blocked",
            format!(
                "Egress in namespace {ns} is isolated by {} and no rule allows DNS (port 53) to {dns_where} or to the NodeLocal cache 169.254.20.10 for: {}. Blocked UDP means lookups time out; blocked TCP breaks large or truncated answers. Allow egress to namespaceSelector {{matchLabels: {{{NAME_LABEL}: kube-system}}}} + podSelector {{matchLabels: {{k8s-app: kube-dns}}}} on UDP and TCP 53.",
                names.join(", "),
                pods.iter()
                    .map(|(n, b)| format!("{n} ({})", b.join(" and ")))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            &lines,
            vars(&[
                ("namespace", ns.clone()),
                ("client_namespace", ns.clone()),
                (
                    "client_pod",
                    pods.first().map(|(n, _)| n.clone()).unwrap_or_default(),
                ),
                ("policy", first_policy),
            ]),
        ));
    }
}
