//! Allowed connections between peers, the verdict for one flow with its reasons, and the
//! connectivity list in upstream's normalized form.

use super::ipranges::{self, Range};
use super::ports::{protocol_index, PortSet, PROTOCOLS};
use super::{selector_matches, Loc, Model, Policy, Workload};
use crate::parse::k8s_objects::{Peer, PolicyPort, PolicyRule, TargetPort};
use serde::Serialize;
use std::collections::BTreeMap;

/// At most this many (source, destination) pairs are evaluated by [`list`].
pub const MAX_PAIRS: usize = 250_000;

/// One end of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// A workload, by index into [`Model::workloads`].
    Pod(usize),
    /// An inclusive IPv4 range outside the cluster.
    Ip(Range),
}

/// A rule that matched the other end, with the ports it opens.
#[derive(Debug, Clone)]
struct Hit {
    policy: usize,
    rule_line: usize,
    /// The peer item that matched (`None`: the rule has no peers, so it matches all).
    peer_line: Option<usize>,
    ports: PortSet,
}

/// Precomputed per-workload isolation, shared by every query.
pub struct Evaluator<'m> {
    pub model: &'m Model,
    ingress: Vec<Vec<usize>>,
    egress: Vec<Vec<usize>>,
    empty: BTreeMap<String, String>,
}

impl<'m> Evaluator<'m> {
    pub fn new(model: &'m Model) -> Evaluator<'m> {
        let mut ingress = vec![Vec::new(); model.workloads.len()];
        let mut egress = vec![Vec::new(); model.workloads.len()];
        for (wi, w) in model.workloads.iter().enumerate() {
            for (pi, p) in model.policies.iter().enumerate() {
                if p.namespace == w.namespace && selector_matches(&p.pod_selector, &w.labels) {
                    if p.ingress_type {
                        ingress[wi].push(pi);
                    }
                    if p.egress_type {
                        egress[wi].push(pi);
                    }
                }
            }
        }
        Evaluator {
            model,
            ingress,
            egress,
            empty: BTreeMap::new(),
        }
    }

    /// Policies that isolate workload `w` for ingress (`true`) or egress.
    pub fn isolating(&self, w: usize, ingress: bool) -> &[usize] {
        let v = if ingress { &self.ingress } else { &self.egress };
        v.get(w).map(Vec::as_slice).unwrap_or_default()
    }

    fn ns_labels(&self, ns: &str) -> &BTreeMap<String, String> {
        self.model
            .namespaces
            .get(ns)
            .map(|n| &n.labels)
            .unwrap_or(&self.empty)
    }

    /// Does one peer item match `other`?
    pub fn peer_matches(&self, policy: &Policy, peer: &Peer, other: Endpoint) -> bool {
        if let Some(b) = &peer.ip_block {
            return match other {
                Endpoint::Pod(_) => false,
                Endpoint::Ip(r) => {
                    ipranges::block(&b.cidr, &b.except).is_ok_and(|set| ipranges::covers(&set, r))
                }
            };
        }
        let Endpoint::Pod(i) = other else {
            return false;
        };
        let Some(w) = self.model.workloads.get(i) else {
            return false;
        };
        match (&peer.namespace_selector, &peer.pod_selector) {
            (Some(ns), pods) => {
                selector_matches(ns, self.ns_labels(&w.namespace))
                    && pods.as_ref().is_none_or(|s| selector_matches(s, &w.labels))
            }
            (None, Some(pods)) => {
                w.namespace == policy.namespace && selector_matches(pods, &w.labels)
            }
            (None, None) => false,
        }
    }

    /// Which peer of the rule matches (`Some(None)`: the rule matches every peer).
    fn rule_peer(
        &self,
        policy: &Policy,
        peers: &Option<Vec<Peer>>,
        other: Endpoint,
    ) -> Option<Option<usize>> {
        match peers {
            None => Some(None),
            Some(v) if v.is_empty() => Some(None),
            Some(v) => v
                .iter()
                .find(|p| self.peer_matches(policy, p, other))
                .map(|p| Some(p.line)),
        }
    }

    /// The ports a rule opens toward `dst` (named ports resolve against `dst`'s pods).
    pub fn rule_ports(&self, ports: &Option<Vec<PolicyPort>>, dst: Endpoint) -> PortSet {
        let Some(ports) = ports.as_ref().filter(|p| !p.is_empty()) else {
            return PortSet::all();
        };
        let mut set = PortSet::none();
        for p in ports {
            let proto_name = p.protocol.as_deref().unwrap_or("TCP");
            let Some(proto) = protocol_index(proto_name) else {
                continue;
            };
            match &p.port {
                None => set.add_protocol(proto),
                Some(TargetPort::Number(n)) => {
                    let hi = p.end_port.filter(|e| e >= n).unwrap_or(*n);
                    set.add(proto, *n, hi);
                }
                Some(TargetPort::Name(name)) => {
                    if let Endpoint::Pod(i) = dst {
                        if let Some(w) = self.model.workloads.get(i) {
                            for cp in &w.ports {
                                if cp.name.as_deref() == Some(name.as_str())
                                    && cp.protocol.eq_ignore_ascii_case(proto_name)
                                {
                                    set.add(proto, cp.container_port, cp.container_port);
                                }
                            }
                        }
                    }
                }
            }
        }
        set
    }

    /// What one side allows: `subject`'s ingress from `other` (`ingress`), or its egress
    /// to `other`. Returns the set, whether the subject is isolated, and the rules that
    /// matched the other end.
    fn side(&self, ingress: bool, subject: usize, other: Endpoint) -> (PortSet, bool, Vec<Hit>) {
        let pols = self.isolating(subject, ingress);
        if pols.is_empty() {
            return (PortSet::all(), false, Vec::new());
        }
        let dst = if ingress {
            Endpoint::Pod(subject)
        } else {
            other
        };
        let mut set = PortSet::none();
        let mut hits = Vec::new();
        for &pi in pols {
            let Some(p) = self.model.policies.get(pi) else {
                continue;
            };
            let rules = if ingress { &p.ingress } else { &p.egress };
            for r in rules {
                if let Some(peer_line) = self.rule_peer(p, &r.peers, other) {
                    let ports = self.rule_ports(&r.ports, dst);
                    set.union_with(&ports);
                    hits.push(Hit {
                        policy: pi,
                        rule_line: r.line,
                        peer_line,
                        ports,
                    });
                }
            }
        }
        (set, true, hits)
    }

    /// Everything allowed from `src` to `dst`.
    pub fn allowed(&self, src: Endpoint, dst: Endpoint) -> PortSet {
        let eg = match src {
            Endpoint::Pod(s) => self.side(false, s, dst).0,
            Endpoint::Ip(_) => PortSet::all(),
        };
        if eg.is_empty() {
            return eg;
        }
        let ing = match dst {
            Endpoint::Pod(d) => self.side(true, d, src).0,
            Endpoint::Ip(_) => PortSet::all(),
        };
        eg.intersect(&ing)
    }

    /// The name of an endpoint: `ns/name[Kind]` or `a.b.c.d-e.f.g.h[External]`.
    pub fn endpoint_text(&self, e: Endpoint) -> String {
        match e {
            Endpoint::Pod(i) => self
                .model
                .workloads
                .get(i)
                .map(Workload::display)
                .unwrap_or_default(),
            Endpoint::Ip(r) => format!("{}[External]", ipranges::range_text(r)),
        }
    }

    fn policy_place(&self, pi: usize) -> String {
        match self.model.policies.get(pi) {
            Some(p) => format!("{} ({})", p.id(), self.model.place(p.name_loc)),
            None => String::new(),
        }
    }

    fn line_place(&self, pi: usize, line: usize) -> String {
        let file = self.model.policies.get(pi).map_or(0, |p| p.loc.file);
        self.model.place(Loc { file, line })
    }

    fn side_verdict(
        &self,
        ingress: bool,
        subject: Endpoint,
        other: Endpoint,
        proto: usize,
        port: u16,
    ) -> SideVerdict {
        let direction = if ingress { "ingress" } else { "egress" };
        let mut v = SideVerdict {
            direction: direction.into(),
            subject: self.endpoint_text(subject),
            applies: false,
            isolated_by: Vec::new(),
            allowed: true,
            allowed_by: Vec::new(),
            reasons: Vec::new(),
        };
        let Endpoint::Pod(s) = subject else {
            v.reasons.push(format!(
                "{} is outside the cluster: no policy applies to its {direction}",
                v.subject
            ));
            return v;
        };
        v.applies = true;
        let (_, isolated, hits) = self.side(ingress, s, other);
        if !isolated {
            v.reasons.push(format!(
                "{} is not isolated for {direction}: no policy of its namespace selects it with policyType {}",
                v.subject,
                if ingress { "Ingress" } else { "Egress" }
            ));
            return v;
        }
        v.isolated_by = self
            .isolating(s, ingress)
            .iter()
            .map(|&pi| self.policy_place(pi))
            .collect();
        let pname = PROTOCOLS.get(proto).copied().unwrap_or("TCP");
        for h in hits.iter().filter(|h| h.ports.contains(proto, port)) {
            let peer = match h.peer_line {
                Some(l) => format!("peer at {}", self.line_place(h.policy, l)),
                None => "any peer".into(),
            };
            v.allowed_by.push(format!(
                "{} {direction} rule at {} ({peer}; {})",
                self.model
                    .policies
                    .get(h.policy)
                    .map(Policy::id)
                    .unwrap_or_default(),
                self.line_place(h.policy, h.rule_line),
                h.ports.text()
            ));
        }
        v.allowed = !v.allowed_by.is_empty();
        if v.allowed {
            return v;
        }
        let other_text = self.endpoint_text(other);
        for &pi in self.isolating(s, ingress) {
            let Some(p) = self.model.policies.get(pi) else {
                continue;
            };
            let rules: &[PolicyRule] = if ingress { &p.ingress } else { &p.egress };
            if rules.is_empty() {
                v.reasons.push(format!(
                    "{} isolates {direction} and has no {direction} rules: it allows nothing",
                    self.policy_place(pi)
                ));
                continue;
            }
            for r in rules {
                let at = self.line_place(pi, r.line);
                match hits.iter().find(|h| h.policy == pi && h.rule_line == r.line) {
                    Some(h) if h.ports.is_empty() => v.reasons.push(format!(
                        "{} {direction} rule at {at} matches {other_text} but its ports resolve to nothing (a named port the destination does not define?)",
                        p.id()
                    )),
                    Some(h) => v.reasons.push(format!(
                        "{} {direction} rule at {at} matches {other_text} but allows only {}, not {pname} {port}",
                        p.id(),
                        h.ports.text()
                    )),
                    None => v.reasons.push(format!(
                        "{} {direction} rule at {at}: no peer matches {other_text}",
                        p.id()
                    )),
                }
            }
        }
        v
    }

    /// The verdict for one flow, with the policies that isolate each side and the rule
    /// that allows it, or why none does.
    pub fn eval(&self, src: Endpoint, dst: Endpoint, proto: usize, port: u16) -> Verdict {
        let egress = self.side_verdict(false, src, dst, proto, port);
        let ingress = self.side_verdict(true, dst, src, proto, port);
        let allowed = egress.allowed && ingress.allowed;
        let pname = PROTOCOLS.get(proto).copied().unwrap_or("TCP");
        let src_t = self.endpoint_text(src);
        let dst_t = self.endpoint_text(dst);
        let mut explanation = vec![format!(
            "{src_t} => {dst_t} on {pname} {port}: {}",
            if allowed { "ALLOWED" } else { "DENIED" }
        )];
        for s in [&egress, &ingress] {
            if s.applies {
                if s.isolated_by.is_empty() {
                    explanation.push(format!("{}: not isolated (all allowed)", s.direction));
                } else {
                    explanation.push(format!(
                        "{} of {} isolated by: {}",
                        s.direction,
                        s.subject,
                        s.isolated_by.join(", ")
                    ));
                }
            }
            if s.allowed && !s.allowed_by.is_empty() {
                for a in &s.allowed_by {
                    explanation.push(format!("  allowed by {a}"));
                }
            } else {
                for r in &s.reasons {
                    explanation.push(format!("  {r}"));
                }
            }
        }
        Verdict {
            allowed,
            src: src_t,
            dst: dst_t,
            protocol: pname.into(),
            port,
            egress,
            ingress,
            explanation,
        }
    }
}

/// One direction's answer for a flow.
#[derive(Debug, Clone, Serialize)]
pub struct SideVerdict {
    /// `egress` (of the source) or `ingress` (of the destination).
    pub direction: String,
    pub subject: String,
    /// False when the subject is an address (no policy applies to it).
    pub applies: bool,
    /// The policies selecting the subject for this direction, with their place.
    pub isolated_by: Vec<String>,
    pub allowed: bool,
    /// The rules that allow the flow.
    pub allowed_by: Vec<String>,
    /// Why no rule allows it (or why the side is open).
    pub reasons: Vec<String>,
}

/// The answer for one flow.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    pub allowed: bool,
    pub src: String,
    pub dst: String,
    pub protocol: String,
    pub port: u16,
    pub egress: SideVerdict,
    pub ingress: SideVerdict,
    /// The explanation as lines of text.
    pub explanation: Vec<String>,
}

/// One allowed (source, destination) pair, in the corpus's normalized form (fields in
/// alphabetical order so the JSON matches `expected.json` byte for byte).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Connection {
    pub conns: super::Conns,
    pub dst: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dst_ip_range: Option<String>,
    pub dst_kind: String,
    pub src: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub src_ip_range: Option<String>,
    pub src_kind: String,
    /// Upstream's text line `SRC => DST : CONNS`.
    #[serde(skip)]
    pub line: String,
}

/// The connectivity list.
#[derive(Debug, Clone, Serialize)]
pub struct ListResult {
    /// Sorted like upstream (plain string order of the text lines).
    pub connections: Vec<Connection>,
    pub pairs_evaluated: usize,
    /// More than [`MAX_PAIRS`] pairs: the list is incomplete.
    pub truncated: bool,
    /// External source ranges (from ingress ipBlocks) and destination ranges (egress).
    pub src_ranges: Vec<String>,
    pub dst_ranges: Vec<String>,
}

fn ranges_of(model: &Model, ingress: bool) -> Vec<Range> {
    let mut blocks = Vec::new();
    for p in &model.policies {
        let rules = if ingress { &p.ingress } else { &p.egress };
        for r in rules {
            for peer in r.peers.iter().flatten() {
                if let Some(b) = &peer.ip_block {
                    if let Ok(set) = ipranges::block(&b.cidr, &b.except) {
                        blocks.push(set);
                    }
                }
            }
        }
    }
    ipranges::partition(&blocks)
}

fn endpoint_fields(ev: &Evaluator, e: Endpoint) -> (String, String, Option<String>) {
    match e {
        Endpoint::Pod(i) => match ev.model.workloads.get(i) {
            Some(w) => (w.id(), w.kind.clone(), None),
            None => (String::new(), String::new(), None),
        },
        Endpoint::Ip(r) => (
            ipranges::cidr_cover(r),
            "External".into(),
            Some(ipranges::range_text(r)),
        ),
    }
}

/// Every allowed pair: distinct workloads, source range → workload, workload →
/// destination range.
pub fn list(model: &Model) -> ListResult {
    let ev = Evaluator::new(model);
    let src_ranges = ranges_of(model, true);
    let dst_ranges = ranges_of(model, false);
    let n = model.workloads.len();
    let mut pairs: Vec<(Endpoint, Endpoint)> = Vec::new();
    for s in 0..n {
        for d in 0..n {
            if s != d {
                pairs.push((Endpoint::Pod(s), Endpoint::Pod(d)));
            }
        }
        for r in &dst_ranges {
            pairs.push((Endpoint::Pod(s), Endpoint::Ip(*r)));
        }
    }
    for r in &src_ranges {
        for d in 0..n {
            pairs.push((Endpoint::Ip(*r), Endpoint::Pod(d)));
        }
    }
    let truncated = pairs.len() > MAX_PAIRS;
    pairs.truncate(MAX_PAIRS);
    let mut connections = Vec::new();
    for &(s, d) in &pairs {
        let set = ev.allowed(s, d);
        if set.is_empty() {
            continue;
        }
        let (src, src_kind, src_ip_range) = endpoint_fields(&ev, s);
        let (dst, dst_kind, dst_ip_range) = endpoint_fields(&ev, d);
        let line = format!(
            "{} => {} : {}",
            ev.endpoint_text(s),
            ev.endpoint_text(d),
            set.text()
        );
        connections.push(Connection {
            conns: set.conns(),
            dst,
            dst_ip_range,
            dst_kind,
            src,
            src_ip_range,
            src_kind,
            line,
        });
    }
    connections.sort_by(|a, b| a.line.cmp(&b.line));
    ListResult {
        connections,
        pairs_evaluated: pairs.len(),
        truncated,
        src_ranges: src_ranges.into_iter().map(ipranges::range_text).collect(),
        dst_ranges: dst_ranges.into_iter().map(ipranges::range_text).collect(),
    }
}
