//! NetworkPolicy evaluation over manifests: which workloads may talk to which, on which
//! ports, and why — checked against np-guard/netpol-analyzer's test suite
//! (`shared/corpus/netpol`).
//!
//! # Model
//! - **Workloads.** A Pod with a controller `ownerReference` (other than a `Node`) becomes
//!   the peer `NAMESPACE/OWNER` of the owner's kind (the direct owner: a ReplicaSet is not
//!   walked up to its Deployment); any other Pod is its own peer of kind `Pod`. Workload
//!   objects (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob,
//!   ReplicationController) are peers under their own name and kind, with their pod
//!   template's labels and container ports. Replicas are one peer (the first object seen
//!   gives the labels; container ports are merged). A missing namespace is `default`.
//! - **Namespaces.** From Namespace objects, or implicitly from the objects in them; every
//!   namespace carries `kubernetes.io/metadata.name=<name>`.
//! - **Policies.** `policyTypes` when given; otherwise Ingress, plus Egress when the
//!   policy has at least one egress rule. A pod is isolated in a direction when some
//!   policy of its namespace selects it for that direction; `ingress: []`, `egress: []`
//!   or a missing rule list under a declared type then allow nothing.
//!
//! # Rules
//! - **Selectors.** `matchLabels` and `matchExpressions` are ANDed; operators In, NotIn,
//!   Exists, DoesNotExist (NotIn and DoesNotExist match objects without the key; an
//!   unknown operator matches nothing). An empty selector matches everything.
//! - **Peers.** A missing or empty `from`/`to` matches every pod and every address.
//!   `podSelector` alone: pods of the policy's namespace. `namespaceSelector` (with an
//!   optional `podSelector`): pods of the selected namespaces that also match the pod
//!   selector. `ipBlock` (`cidr` minus `except`): addresses only, never pods.
//! - **Ports.** A missing or empty `ports` allows every port of every protocol. A port
//!   without `protocol` is TCP; without `port`, every port of its protocol; `endPort`
//!   makes a range. A named port resolves against the **destination** pod's container
//!   ports (name and protocol must both match); toward an address, or when nothing
//!   matches, it adds nothing.
//! - **Verdict.** Allowed traffic per direction is the union over the selecting policies'
//!   rules (everything when not isolated). A pod-to-pod connection needs the source's
//!   egress and the destination's ingress. From an address to a pod only the pod's
//!   ingress counts; from a pod to an address only its egress.
//! - **Addresses.** Source ranges come from ingress `ipBlock`s, destination ranges from
//!   egress `ipBlock`s; addresses that belong to exactly the same blocks form one class,
//!   each maximal contiguous range of a class is one peer ([`ipranges::partition`]).
//!   IPv4 only.
//!
//! Work is bounded: at most [`MAX_PAIRS`] pairs are evaluated by [`list`]; beyond that the
//! result says it was truncated.

pub mod diagnose;
pub mod eval;
pub mod ipranges;
pub mod lint;
pub mod ports;

pub use eval::{
    list, Connection, Endpoint, Evaluator, ListResult, SideVerdict, Verdict, MAX_PAIRS,
};
pub use lint::lint;
pub use ports::{Conns, PortSet, PROTOCOLS};

use crate::parse::k8s_objects::{self, ContainerPort, LabelSelector, PolicyRule, Spec};
use crate::split::Segment;
use serde::Serialize;
use std::collections::BTreeMap;

/// The label every namespace carries, set to its name.
pub const NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// One input file.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// A name for messages (the path).
    pub name: String,
    pub text: String,
}

/// Where something was read: file index into [`Model::files`] and 1-based line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Loc {
    pub file: usize,
    pub line: usize,
}

/// A peer made of pods.
#[derive(Debug, Clone, Serialize)]
pub struct Workload {
    pub namespace: String,
    pub name: String,
    /// `Deployment`, `ReplicaSet`, `DaemonSet`, …, or `Pod`.
    pub kind: String,
    pub labels: BTreeMap<String, String>,
    pub ports: Vec<ContainerPort>,
    /// Pod objects folded into this peer (0 for a workload object).
    pub pods: usize,
    pub loc: Loc,
}

impl Workload {
    /// `NAMESPACE/NAME`.
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
    /// `NAMESPACE/NAME[KIND]`, upstream's text form.
    pub fn display(&self) -> String {
        format!("{}/{}[{}]", self.namespace, self.name, self.kind)
    }
}

/// A namespace and its labels.
#[derive(Debug, Clone, Serialize)]
pub struct Namespace {
    pub name: String,
    /// With `kubernetes.io/metadata.name` always present.
    pub labels: BTreeMap<String, String>,
    /// The Namespace object, if the manifests have one.
    pub loc: Option<Loc>,
}

/// A NetworkPolicy with its types resolved.
#[derive(Debug, Clone, Serialize)]
pub struct Policy {
    pub namespace: String,
    pub name: String,
    pub pod_selector: LabelSelector,
    pub pod_selector_line: Option<usize>,
    /// Does it isolate the selected pods for ingress / egress?
    pub ingress_type: bool,
    pub egress_type: bool,
    /// Were `policyTypes` given, or inferred?
    pub types_explicit: bool,
    /// Rules (empty when absent).
    pub ingress: Vec<PolicyRule>,
    pub egress: Vec<PolicyRule>,
    /// The object's first line.
    pub loc: Loc,
    /// The `name:` line of its metadata (the line quoted as evidence), else `loc`.
    pub name_loc: Loc,
}

impl Policy {
    /// `NAMESPACE/NAME`.
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// A Service, for lint.
#[derive(Debug, Clone)]
pub struct Service {
    pub namespace: String,
    pub name: String,
    pub selector: Option<BTreeMap<String, String>>,
    pub ports: Vec<k8s_objects::ServicePort>,
    pub loc: Loc,
}

/// A problem met while reading.
#[derive(Debug, Clone, Serialize)]
pub struct LoadProblem {
    pub file: String,
    pub line: usize,
    pub message: String,
}

/// Everything read from the manifests.
#[derive(Debug, Clone, Default)]
pub struct Model {
    pub files: Vec<Manifest>,
    pub workloads: Vec<Workload>,
    pub namespaces: BTreeMap<String, Namespace>,
    pub policies: Vec<Policy>,
    pub services: Vec<Service>,
    pub problems: Vec<LoadProblem>,
    /// Per file, the namespace of objects that name none (`kubectl apply -n NS`);
    /// `default` when absent.
    default_namespaces: Vec<Option<String>>,
}

const WORKLOAD_KINDS: &[&str] = &[
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "ReplicationController",
];

/// Read every object of the manifests into a model.
pub fn load(files: Vec<Manifest>) -> Model {
    load_in_namespaces(files.into_iter().map(|f| (f, None)).collect())
}

/// [`load`], with the namespace each file's objects get when they name none (what
/// `kubectl apply -n NS -f FILE` does).
pub fn load_in_namespaces(files: Vec<(Manifest, Option<String>)>) -> Model {
    let (files, defaults): (Vec<Manifest>, Vec<Option<String>>) = files.into_iter().unzip();
    let mut m = Model {
        default_namespaces: defaults,
        ..Model::default()
    };
    for (fi, f) in files.iter().enumerate() {
        let seg = Segment::new(&f.text, 1);
        let out = k8s_objects::parse(&seg);
        // Not manifests: maybe `kubectl get pods --show-labels` tables.
        if out.records.is_empty() && m.add_pod_tables(fi, &f.text) {
            continue;
        }
        for p in out.problems {
            m.problems.push(LoadProblem {
                file: f.name.clone(),
                line: p.line,
                message: p.message,
            });
        }
        for o in out.records {
            m.add_object(fi, o);
        }
    }
    m.files = files;
    for p in &mut m.policies {
        if let Some(l) = name_line(&m.files, p.loc, &p.name) {
            p.name_loc = Loc {
                file: p.loc.file,
                line: l,
            };
        }
    }
    let mut implicit: Vec<String> = m.workloads.iter().map(|w| w.namespace.clone()).collect();
    implicit.extend(m.policies.iter().map(|p| p.namespace.clone()));
    implicit.extend(m.services.iter().map(|s| s.namespace.clone()));
    for ns in implicit {
        m.namespaces.entry(ns.clone()).or_insert_with(|| Namespace {
            labels: BTreeMap::from([(NAME_LABEL.to_string(), ns.clone())]),
            name: ns,
            loc: None,
        });
    }
    m
}

/// The line of `name: NAME` within the first lines of an object.
fn name_line(files: &[Manifest], loc: Loc, name: &str) -> Option<usize> {
    let text = &files.get(loc.file)?.text;
    text.lines()
        .enumerate()
        .skip(loc.line.saturating_sub(1))
        .take(15)
        .find(|(_, l)| {
            let t = l.replace(['"', '\'', ','], "");
            let t = t.trim().trim_start_matches(['{', ' ']);
            t.starts_with("name:") && t.trim_end_matches('}').trim().ends_with(name)
                || t.contains(&format!("name: {name}"))
        })
        .map(|(i, _)| i + 1)
}

impl Model {
    fn add_object(&mut self, file: usize, o: k8s_objects::Object) {
        let loc = Loc {
            file,
            line: o.first_line,
        };
        let Some(name) = o.name.clone() else {
            if matches!(
                o.spec,
                Spec::Pod { .. } | Spec::Workload { .. } | Spec::NetworkPolicy { .. }
            ) || o.kind == "Namespace"
            {
                self.problems.push(LoadProblem {
                    file: self.file_name(file),
                    line: o.first_line,
                    message: format!("{} without metadata.name: skipped", o.kind),
                });
            }
            return;
        };
        let namespace = o
            .namespace
            .clone()
            .or_else(|| self.default_namespaces.get(file).cloned().flatten())
            .unwrap_or_else(|| "default".into());
        match o.spec {
            Spec::Namespace {} => {
                let mut labels = o.labels;
                labels.insert(NAME_LABEL.into(), name.clone());
                self.namespaces.insert(
                    name.clone(),
                    Namespace {
                        name,
                        labels,
                        loc: Some(loc),
                    },
                );
            }
            Spec::Pod { pod } => {
                let owner = o
                    .owner_references
                    .iter()
                    .find(|r| r.controller && r.kind != "Node" && !r.name.is_empty());
                let (wname, kind) = match owner {
                    Some(r) => (r.name.clone(), r.kind.clone()),
                    None => (name, "Pod".to_string()),
                };
                let ports: Vec<ContainerPort> =
                    pod.containers.into_iter().flat_map(|c| c.ports).collect();
                self.add_workload(namespace, wname, kind, o.labels, ports, 1, loc);
            }
            Spec::Workload {
                workload_kind,
                template_labels,
                pod,
                ..
            } if WORKLOAD_KINDS.contains(&workload_kind.as_str()) => {
                let ports: Vec<ContainerPort> =
                    pod.containers.into_iter().flat_map(|c| c.ports).collect();
                self.add_workload(
                    namespace,
                    name,
                    workload_kind,
                    template_labels,
                    ports,
                    0,
                    loc,
                );
            }
            Spec::NetworkPolicy {
                pod_selector,
                pod_selector_line,
                policy_types,
                ingress,
                egress,
            } => {
                let (ingress_type, egress_type) = match &policy_types {
                    Some(t) => (
                        t.iter().any(|x| x.eq_ignore_ascii_case("Ingress")),
                        t.iter().any(|x| x.eq_ignore_ascii_case("Egress")),
                    ),
                    None => (true, egress.as_ref().is_some_and(|e| !e.is_empty())),
                };
                self.policies.push(Policy {
                    namespace,
                    name,
                    pod_selector,
                    pod_selector_line,
                    ingress_type,
                    egress_type,
                    types_explicit: policy_types.is_some(),
                    ingress: ingress.unwrap_or_default(),
                    egress: egress.unwrap_or_default(),
                    loc,
                    name_loc: loc,
                });
            }
            Spec::Service {
                selector, ports, ..
            } => self.services.push(Service {
                namespace,
                name,
                selector,
                ports,
                loc,
            }),
            _ => {}
        }
    }

    /// Workloads from `kubectl get pods --show-labels` tables in a file: a pod with a
    /// `pod-template-hash` label belongs to the ReplicaSet its name starts with (as
    /// upstream names it); any other pod is its own peer. True when a table was found.
    fn add_pod_tables(&mut self, file: usize, text: &str) -> bool {
        let mut found = false;
        for seg in crate::split::split(text, &crate::detect::Blocks) {
            let Some(kind) = crate::detect::detect(&seg).kind else {
                continue;
            };
            if kind != "kubectl-get-pods" {
                continue;
            }
            let Some(parsed) = crate::parse::parse_as(kind, &seg) else {
                continue;
            };
            let crate::parse::Records::KubectlGetPods(rows) = parsed.records else {
                continue;
            };
            let cmd_ns = seg.kubectl().and_then(|k| k.namespace.clone());
            for r in rows {
                let Some(labels) = r.labels else { continue };
                found = true;
                let ns = r
                    .namespace
                    .or_else(|| cmd_ns.clone())
                    .or_else(|| self.default_namespaces.get(file).cloned().flatten())
                    .unwrap_or_else(|| "default".into());
                let owner = labels.get("pod-template-hash").and_then(|h| {
                    let cut = r.name.find(&format!("-{h}-"))? + h.len() + 1;
                    r.name.get(..cut).map(str::to_string)
                });
                let (name, kind) = match owner {
                    Some(rs) => (rs, "ReplicaSet".to_string()),
                    None => (r.name.clone(), "Pod".to_string()),
                };
                let loc = Loc { file, line: r.line };
                self.add_workload(ns, name, kind, labels, Vec::new(), 1, loc);
            }
        }
        found
    }

    #[allow(clippy::too_many_arguments)]
    fn add_workload(
        &mut self,
        namespace: String,
        name: String,
        kind: String,
        labels: BTreeMap<String, String>,
        ports: Vec<ContainerPort>,
        pods: usize,
        loc: Loc,
    ) {
        if let Some(w) = self
            .workloads
            .iter_mut()
            .find(|w| w.namespace == namespace && w.name == name && w.kind == kind)
        {
            w.pods += pods;
            for p in ports {
                if !w.ports.iter().any(|q| {
                    q.name == p.name
                        && q.container_port == p.container_port
                        && q.protocol == p.protocol
                }) {
                    w.ports.push(p);
                }
            }
            return;
        }
        self.workloads.push(Workload {
            namespace,
            name,
            kind,
            labels,
            ports,
            pods,
            loc,
        });
    }

    /// The name of file `i`.
    pub fn file_name(&self, i: usize) -> String {
        self.files
            .get(i)
            .map(|f| f.name.clone())
            .unwrap_or_default()
    }

    /// `file:line` (just `line N` when there is one file).
    pub fn place(&self, loc: Loc) -> String {
        if self.files.len() <= 1 {
            format!("line {}", loc.line)
        } else {
            format!("{}:{}", self.file_name(loc.file), loc.line)
        }
    }

    /// The text of a line (trimmed at the end), prefixed with the file name when there
    /// are several files.
    pub fn quote(&self, loc: Loc) -> String {
        let text = self
            .files
            .get(loc.file)
            .and_then(|f| f.text.lines().nth(loc.line.saturating_sub(1)))
            .unwrap_or_default()
            .trim_end();
        if self.files.len() <= 1 {
            text.to_string()
        } else {
            format!("{}: {text}", self.file_name(loc.file))
        }
    }

    /// The labels of a namespace (just the name label when unknown).
    pub fn namespace_labels(&self, ns: &str) -> BTreeMap<String, String> {
        self.namespaces
            .get(ns)
            .map(|n| n.labels.clone())
            .unwrap_or_else(|| BTreeMap::from([(NAME_LABEL.to_string(), ns.to_string())]))
    }

    /// Workloads whose `NAMESPACE/NAME` (or `NAMESPACE/NAME[KIND]`) is `id`.
    pub fn find_workloads(&self, id: &str) -> Vec<usize> {
        self.workloads
            .iter()
            .enumerate()
            .filter(|(_, w)| w.id() == id || w.display() == id)
            .map(|(i, _)| i)
            .collect()
    }
}

/// Does `sel` match `labels`? (matchLabels and every expression; empty = everything.)
pub fn selector_matches(sel: &LabelSelector, labels: &BTreeMap<String, String>) -> bool {
    sel.match_labels
        .iter()
        .all(|(k, v)| labels.get(k) == Some(v))
        && sel.match_expressions.iter().all(|r| {
            let val = labels.get(&r.key);
            match r.operator.as_str() {
                "In" => val.is_some_and(|v| r.values.contains(v)),
                "NotIn" => val.is_none_or(|v| !r.values.contains(v)),
                "Exists" => val.is_some(),
                "DoesNotExist" => val.is_none(),
                _ => false,
            }
        })
}

/// A selector as `kubectl` would write it: `app=web,tier in (a,b)`; `{}` when empty.
pub fn selector_text(sel: &LabelSelector) -> String {
    let mut parts: Vec<String> = sel
        .match_labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    for r in &sel.match_expressions {
        parts.push(match r.operator.as_str() {
            "Exists" => r.key.clone(),
            "DoesNotExist" => format!("!{}", r.key),
            op => format!(
                "{} {} ({})",
                r.key,
                op.to_ascii_lowercase(),
                r.values.join(",")
            ),
        });
    }
    if parts.is_empty() {
        "{}".into()
    } else {
        parts.join(",")
    }
}

/// A flow end by name: `NAMESPACE/NAME`, `NAMESPACE/NAME[KIND]` (when several kinds share
/// the name), or an IPv4 address outside the cluster.
pub fn endpoint(model: &Model, s: &str) -> Result<Endpoint, String> {
    let s = s.trim();
    if let Ok(ip) = s.parse::<std::net::Ipv4Addr>() {
        let n = u32::from(ip);
        return Ok(Endpoint::Ip((n, n)));
    }
    let found = model.find_workloads(s);
    match found.as_slice() {
        [i] => Ok(Endpoint::Pod(*i)),
        [] => {
            let known: Vec<String> = model.workloads.iter().take(20).map(Workload::id).collect();
            Err(format!(
                "no workload `{s}` in the manifests (NAMESPACE/NAME{}{})",
                if known.is_empty() {
                    "; none found"
                } else {
                    "; known: "
                },
                known.join(", ")
            ))
        }
        many => Err(format!(
            "`{s}` names several workloads; add the kind: {}",
            many.iter()
                .filter_map(|i| model.workloads.get(*i))
                .map(Workload::display)
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// `TCP/5678`, `udp/53` or `5678` (TCP) → (protocol index, port).
pub fn parse_port(s: &str) -> Result<(usize, u16), String> {
    let (proto, port) = match s.split_once('/') {
        Some((a, b)) => (a.trim(), b.trim()),
        None => ("TCP", s.trim()),
    };
    let p = ports::protocol_index(proto)
        .ok_or_else(|| format!("unknown protocol `{proto}`: TCP, UDP or SCTP"))?;
    let n: u16 = port
        .parse()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("`{port}` is not a port (1-65535)"))?;
    Ok((p, n))
}

/// The verdict for `src` → `dst` on `port` (`PROTO/PORT`), names as in [`endpoint`].
pub fn eval(model: &Model, src: &str, dst: &str, port: &str) -> Result<Verdict, String> {
    let s = endpoint(model, src)?;
    let d = endpoint(model, dst)?;
    if matches!((s, d), (Endpoint::Ip(_), Endpoint::Ip(_))) {
        return Err("at least one end must be a workload of the manifests".into());
    }
    let (proto, n) = parse_port(port)?;
    Ok(Evaluator::new(model).eval(s, d, proto, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(text: &str) -> Model {
        load(vec![Manifest {
            name: "t.yaml".into(),
            text: text.into(),
        }])
    }

    const PODS: &str = "apiVersion: v1
kind: Pod
metadata:
  name: a-1
  namespace: x
  labels: {app: a}
  ownerReferences:
  - {kind: ReplicaSet, name: a-rs, controller: true}
spec:
  containers:
  - name: c
    ports:
    - {name: web, containerPort: 8080}
    - {name: dns, containerPort: 5353, protocol: UDP}
---
apiVersion: v1
kind: Pod
metadata:
  name: a-2
  namespace: x
  labels: {app: a}
  ownerReferences:
  - {kind: ReplicaSet, name: a-rs, controller: true}
---
apiVersion: v1
kind: Pod
metadata:
  name: etcd
  namespace: y
  labels: {tier: cp}
  ownerReferences:
  - {kind: Node, name: n1, controller: true}
---
apiVersion: v1
kind: Pod
metadata: {name: b, labels: {app: b}}
";

    #[test]
    fn peers_follow_direct_owners_and_default_namespace() {
        let m = model(PODS);
        let names: Vec<String> = m.workloads.iter().map(Workload::display).collect();
        assert_eq!(
            names,
            ["x/a-rs[ReplicaSet]", "y/etcd[Pod]", "default/b[Pod]"]
        );
        assert_eq!(m.workloads[0].pods, 2);
        assert_eq!(
            m.namespace_labels("y").get(NAME_LABEL).map(String::as_str),
            Some("y")
        );
    }

    #[test]
    fn selector_operators_and_absent_keys() {
        let labels = BTreeMap::from([("app".to_string(), "a".to_string())]);
        let sel = |op: &str, key: &str, vals: &[&str]| LabelSelector {
            match_labels: BTreeMap::new(),
            match_expressions: vec![k8s_objects::Requirement {
                key: key.into(),
                operator: op.into(),
                values: vals.iter().map(|v| v.to_string()).collect(),
            }],
        };
        assert!(selector_matches(&sel("In", "app", &["a", "b"]), &labels));
        assert!(!selector_matches(&sel("In", "tier", &["a"]), &labels));
        assert!(selector_matches(&sel("NotIn", "tier", &["x"]), &labels));
        assert!(!selector_matches(&sel("NotIn", "app", &["a"]), &labels));
        assert!(selector_matches(&sel("Exists", "app", &[]), &labels));
        assert!(selector_matches(&sel("DoesNotExist", "tier", &[]), &labels));
        assert!(!selector_matches(&sel("Bogus", "app", &[]), &labels));
        assert!(selector_matches(&LabelSelector::default(), &labels));
    }

    #[test]
    fn named_ports_end_ports_and_both_directions() {
        let text = format!(
            "{PODS}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: in-a, namespace: x}}
spec:
  podSelector: {{matchLabels: {{app: a}}}}
  ingress:
  - from: [{{namespaceSelector: {{}}}}]
    ports: [{{port: web}}, {{port: dns, protocol: UDP}}, {{port: dns}}, {{port: 9000, endPort: 9002, protocol: SCTP}}]
  - from: [{{ipBlock: {{cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: out-b, namespace: default}}
spec:
  podSelector: {{}}
  egress: []
  policyTypes: [Egress]
"
        );
        let m = model(&text);
        let ev = Evaluator::new(&m);
        let (a, etcd, b) = (Endpoint::Pod(0), Endpoint::Pod(1), Endpoint::Pod(2));
        // Named ports resolve on the destination, name and protocol; `dns` over TCP is nothing.
        assert_eq!(
            ev.allowed(etcd, a).text(),
            "SCTP 9000-9002,TCP 8080,UDP 5353"
        );
        // b's egress is denied by `egress: []`.
        assert!(ev.allowed(b, a).is_empty());
        assert!(ev.allowed(a, b).is_all());
        // ipBlocks never match pods, only addresses; except carves a hole.
        let ip = |s: &str| {
            let n = u32::from(
                s.parse::<std::net::Ipv4Addr>()
                    .unwrap_or(std::net::Ipv4Addr::UNSPECIFIED),
            );
            Endpoint::Ip((n, n))
        };
        assert!(ev.allowed(ip("10.2.3.4"), a).is_all());
        assert!(ev.allowed(ip("10.1.3.4"), a).is_empty());
        assert!(ev.allowed(ip("11.0.0.1"), a).is_empty());
        let v = ev.eval(etcd, a, 1, 8080);
        assert!(v.allowed && v.egress.isolated_by.is_empty());
        assert_eq!(v.ingress.isolated_by, ["x/in-a (line 40)"]);
        // 10/8 minus 10.1/16: 10.0/16 and 10.2-10.255 are one class but not contiguous.
        let r = list(&m);
        assert_eq!(r.src_ranges.len(), 5);
        assert!(!r.truncated);
    }

    #[test]
    fn lint_port_mismatch_and_selects_nothing() {
        let text = format!(
            "{PODS}---
apiVersion: v1
kind: Service
metadata: {{name: a, namespace: x}}
spec:
  selector: {{app: a}}
  ports:
  - port: 80
    targetPort: web
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: in-a, namespace: x}}
spec:
  podSelector: {{matchLabels: {{app: a}}}}
  ingress:
  - from: [{{podSelector: {{matchLabels: {{app: ghost}}}}}}]
    ports: [{{port: 80}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: nobody, namespace: x}}
spec:
  podSelector: {{matchLabels: {{app: ab}}}}
"
        );
        let m = model(&text);
        let f = lint(&m);
        let ids: Vec<&str> = f.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "netpol-selects-nothing",
                "netpol-selects-nothing",
                "netpol-port-mismatch"
            ]
        );
        let pm = &f[2];
        assert_eq!(pm.vars.get("target_port").map(String::as_str), Some("8080"));
        assert!(pm
            .evidence
            .iter()
            .any(|e| e.text.contains("ports: [{port: 80}]")));
        assert_eq!(
            f[1].vars.get("differing_key").map(String::as_str),
            Some("app")
        );
        assert_eq!(f[1].vars.get("actual_value").map(String::as_str), Some("a"));
    }
}
