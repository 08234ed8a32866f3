//! Kubernetes objects as YAML or JSON: manifests and `kubectl … -o yaml|json` dumps.
//!
//! # Commands
//! - `kubectl get <resource> [<name>…] -o yaml` / `-o json` (any resource; lists too)
//! - `kubectl create … --dry-run=client -o yaml`, `kubectl apply view-last-applied`
//! - `cat <file>.yaml|.yml|.json` (manifests, `/var/lib/kubelet/config.yaml`)
//!
//! # Variants
//! - single objects, multi-document YAML streams (`---`, `...`), CRLF line endings
//! - `kind: List` and typed lists (`PodList`, `ServiceList`, `NamespaceList`, …), whose
//!   `items` become one record each (an item without `kind` takes it from the list's kind)
//! - JSON objects and lists as kubectl 1.x prints them (JSON is read as YAML 1.2, so every
//!   key keeps its line number; JSON YAML cannot read falls back to serde_json with the
//!   document's first line for every key)
//! - fragments: YAML that starts at `status:` or `spec:` with no `kind`/`metadata`, when the
//!   command line says what it is (`kubectl get po kube-dns-v17.1-j7nsx -n kube-system -o
//!   yaml` → a Pod named from the command's last name, namespace from `-n`)
//!
//! Modelled kinds: Service, Endpoints, EndpointSlice, Pod, Deployment / ReplicaSet /
//! StatefulSet / DaemonSet / Job / ReplicationController / CronJob (its `jobTemplate`'s
//! pod template) (as `Workload`), Namespace, NetworkPolicy,
//! KubeletConfiguration, ConfigMap. Every other kind is kept as `Other` with its kind,
//! name, namespace and labels: an object is never dropped.
//!
//! # Why not pest
//! YAML is indentation-sensitive with flow collections, block scalars, anchors and
//! quoting rules; a pest grammar for it would be large and wrong at the edges. This
//! module uses `saphyr` (a maintained, YAML 1.2 compliant loader that gives every node a
//! line marker), so each key keeps its own evidence line. Documents are split at `---`
//! first, so a broken document is one problem (with the YAML error's line) and the others
//! still parse.
//!
//! # Record schema
//! [`Object`] `{ kind, api_version, name, namespace, labels, owner_references, first_line,
//! last_line, line, spec }` where `spec` is a [`Spec`] tagged by `"type"`: `Service`, `Endpoints`,
//! `EndpointSlice`, `Pod`, `Workload`, `Namespace`, `NetworkPolicy`,
//! `KubeletConfiguration`, `ConfigMap`, `Other`. Every `line`/`*_line` field is the 1-based
//! whole-input line where that key (or list item) appears. Absent and empty are kept apart
//! where Kubernetes gives them different meanings (`podSelector: {}`, `ingress: []`,
//! `subsets: []`, a Service `selector`).
//!
//! # Example
//! ```text
//! apiVersion: v1
//! kind: Service
//! metadata: {name: backend, namespace: shop}
//! spec:
//!   selector: {app: backend}
//!   ports:
//!   - port: 80
//!     targetPort: http
//! ```
//! → `Object { kind: "Service", name: Some("backend"), spec: Service { selector:
//! Some({app: backend}), selector_line: Some(5), ports: [ServicePort { line: 7, port: 80,
//! target_port: Some(Name("http")), target_port_line: Some(8), protocol: "TCP", … }] } }`

use super::yaml::{chunks, convert, from_json, too_deep, Chunk, Node, Val};
use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use saphyr::{LoadableYamlNode, MarkedYaml};
use serde::Serialize;
use std::collections::BTreeMap;

/// Records of this parser are objects.
pub type Record = Object;

/// One Kubernetes object.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Object {
    /// `kind:` (`Service`, `Pod`, …); for a fragment, the kind the command line names.
    pub kind: String,
    pub api_version: Option<String>,
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub labels: BTreeMap<String, String>,
    /// `metadata.ownerReferences` (a Pod names its ReplicaSet, DaemonSet, Job or Node).
    pub owner_references: Vec<OwnerReference>,
    /// First line of the object (its document start, or its list item).
    pub first_line: usize,
    /// Last line of the object.
    pub last_line: usize,
    /// Evidence line for the object as a whole (= `first_line`).
    pub line: usize,
    pub spec: Spec,
}

/// One `metadata.ownerReferences` item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OwnerReference {
    pub kind: String,
    pub name: String,
    /// `controller: true` marks the managing owner; `false` when absent.
    pub controller: bool,
    pub line: usize,
}

/// What the object says, per kind.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type")]
pub enum Spec {
    Service {
        /// `None` when the Service has no selector (endpoints managed by hand).
        selector: Option<BTreeMap<String, String>>,
        selector_line: Option<usize>,
        service_type: Option<String>,
        cluster_ip: Option<String>,
        cluster_ips: Vec<String>,
        ports: Vec<ServicePort>,
        external_traffic_policy: Option<String>,
        external_traffic_policy_line: Option<usize>,
    },
    Endpoints {
        subsets: Vec<Subset>,
        /// Line of the `subsets:` key (also for `subsets: []`); `None` when absent.
        subsets_line: Option<usize>,
    },
    EndpointSlice {
        /// The `kubernetes.io/service-name` label.
        service_name: Option<String>,
        address_type: Option<String>,
        endpoints: Vec<SliceEndpoint>,
        ports: Vec<EpPort>,
    },
    Pod {
        pod: PodSpec,
    },
    Workload {
        /// Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, ReplicationController or CronJob.
        workload_kind: String,
        replicas: Option<u32>,
        selector: Option<LabelSelector>,
        template_labels: BTreeMap<String, String>,
        template_labels_line: Option<usize>,
        pod: PodSpec,
    },
    Namespace {},
    NetworkPolicy {
        /// `podSelector` (an empty selector selects every pod of the namespace).
        pod_selector: LabelSelector,
        pod_selector_line: Option<usize>,
        /// `None` when absent: inferring the default is the evaluator's job.
        policy_types: Option<Vec<String>>,
        /// `None` when absent or null, `Some(vec![])` for `ingress: []`.
        ingress: Option<Vec<PolicyRule>>,
        egress: Option<Vec<PolicyRule>>,
    },
    KubeletConfiguration {
        cluster_dns: Vec<String>,
        cluster_dns_line: Option<usize>,
        cluster_domain: Option<String>,
        cluster_domain_line: Option<usize>,
        resolv_conf: Option<String>,
        resolv_conf_line: Option<usize>,
        hairpin_mode: Option<String>,
        hairpin_mode_line: Option<usize>,
    },
    /// kubeadm's `ClusterConfiguration`: the cluster's address ranges and the control
    /// plane's address.
    ClusterConfiguration {
        pod_subnet: Option<String>,
        pod_subnet_line: Option<usize>,
        service_subnet: Option<String>,
        service_subnet_line: Option<usize>,
        /// `host:port` as written.
        control_plane_endpoint: Option<String>,
        control_plane_endpoint_line: Option<usize>,
        /// `apiServer.certSANs`, each with its line.
        cert_sans: Vec<(String, usize)>,
    },
    ConfigMap {
        /// `data`, values kept raw (kube-proxy's `config.conf` is one string).
        data: BTreeMap<String, String>,
        data_line: Option<usize>,
        /// Line of each data key.
        data_lines: BTreeMap<String, usize>,
    },
    Other {},
}

/// A Service or NetworkPolicy port reference: a number or a container port name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum TargetPort {
    Number(u16),
    Name(String),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServicePort {
    pub line: usize,
    pub name: Option<String>,
    pub port: u16,
    pub target_port: Option<TargetPort>,
    pub target_port_line: Option<usize>,
    pub node_port: Option<u16>,
    pub node_port_line: Option<usize>,
    /// `TCP` when absent.
    pub protocol: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Subset {
    pub line: usize,
    pub addresses: Vec<EpAddr>,
    pub not_ready_addresses: Vec<EpAddr>,
    pub ports: Vec<EpPort>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EpAddr {
    pub ip: String,
    pub node_name: Option<String>,
    /// `targetRef.name` (usually the pod).
    pub target_name: Option<String>,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EpPort {
    pub name: Option<String>,
    pub port: u16,
    /// `TCP` when absent.
    pub protocol: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SliceEndpoint {
    pub line: usize,
    pub addresses: Vec<String>,
    pub ready: Option<bool>,
    pub serving: Option<bool>,
    pub terminating: Option<bool>,
    pub node_name: Option<String>,
    pub target_name: Option<String>,
}

/// The networking-relevant parts of a pod (spec and status).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct PodSpec {
    pub node_name: Option<String>,
    pub pod_ip: Option<String>,
    pub host_ip: Option<String>,
    pub phase: Option<String>,
    pub host_network: bool,
    pub conditions: Vec<Condition>,
    pub containers: Vec<Container>,
    pub container_statuses: Vec<ContainerStatus>,
    pub dns_policy: Option<String>,
    pub dns_config: Option<DnsConfig>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Condition {
    pub line: usize,
    pub condition_type: String,
    pub status: String,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Container {
    pub line: usize,
    pub name: String,
    pub ports: Vec<ContainerPort>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContainerPort {
    pub line: usize,
    pub name: Option<String>,
    pub container_port: u16,
    /// `TCP` when absent.
    pub protocol: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContainerStatus {
    pub line: usize,
    pub name: String,
    pub ready: Option<bool>,
    pub restart_count: Option<u32>,
    /// `state.waiting.reason` (`CrashLoopBackOff`, `ImagePullBackOff`, …).
    pub waiting_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct DnsConfig {
    pub nameservers: Vec<String>,
    pub searches: Vec<String>,
    /// `(name, value)` pairs, e.g. `("ndots", Some("2"))`.
    pub options: Vec<(String, Option<String>)>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct LabelSelector {
    pub match_labels: BTreeMap<String, String>,
    pub match_expressions: Vec<Requirement>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Requirement {
    pub key: String,
    /// `In`, `NotIn`, `Exists`, `DoesNotExist`.
    pub operator: String,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyRule {
    pub line: usize,
    /// `from` / `to`: `None` when absent (all peers), `Some(vec![])` for `[]`.
    pub peers: Option<Vec<Peer>>,
    /// `None` when absent (all ports).
    pub ports: Option<Vec<PolicyPort>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Peer {
    pub line: usize,
    pub pod_selector: Option<LabelSelector>,
    pub namespace_selector: Option<LabelSelector>,
    pub ip_block: Option<IpBlock>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IpBlock {
    pub cidr: String,
    pub except: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyPort {
    pub line: usize,
    /// `None` when absent (the API defaults to TCP).
    pub protocol: Option<String>,
    pub port: Option<TargetPort>,
    pub end_port: Option<u16>,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "k8s-objects",
    aliases: &["yaml", "json"],
    title: "Kubernetes objects as YAML or JSON",
    commands: &[
        "kubectl get <resource> [<name>] -o yaml",
        "kubectl get <resource> [<name>] -o json",
        "cat <manifest>.yaml",
        "cat /var/lib/kubelet/config.yaml",
    ],
    variants: &[
        "kubectl 1.x -o yaml / -o json (single objects and List)",
        "manifests: multi-document YAML, CRLF",
        "fragments starting at status:/spec: named by the command line",
        "KubeletConfiguration (kubelet.config.k8s.io/v1beta1)",
    ],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    if let Some(k) = &cmd.kubectl {
        return match k.output.as_deref() {
            Some(o) => o == "yaml" || o == "json",
            None => k.verb == "apply" && k.resource.as_deref() == Some("view-last-applied"),
        };
    }
    if matches!(
        cmd.program.as_str(),
        "cat" | "less" | "more" | "head" | "tail"
    ) {
        return cmd.args.iter().any(|a| {
            let a = a.to_ascii_lowercase();
            !a.starts_with('-')
                && (a.ends_with(".yaml") || a.ends_with(".yml") || a.ends_with(".json"))
        });
    }
    false
}

fn sniff(head: &str) -> Option<f32> {
    let mut api_version = false;
    let mut kind = false;
    let mut fragment = 0;
    for line in head.lines() {
        let t = line.trim_start_matches(['-', ' ']).trim_end_matches('\r');
        let t = t.trim_start_matches('{').trim_start();
        if t.starts_with("apiVersion:") || t.starts_with("\"apiVersion\":") {
            api_version = true;
        } else if t.starts_with("kind:") || t.starts_with("\"kind\":") {
            kind = true;
        } else if matches!(
            line.trim_end_matches('\r'),
            "status:" | "spec:" | "metadata:"
        ) {
            fragment += 1;
        }
    }
    match (api_version, kind) {
        (true, true) => Some(0.95),
        (true, false) | (false, true) => Some(0.6),
        _ if fragment > 0 => Some(0.3),
        _ => None,
    }
}

// ---------------------------------------------------------------- documents

fn load(chunk: &Chunk, out: &mut Output<Record>) -> Vec<Node> {
    if chunk.text.trim().is_empty()
        || chunk
            .text
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Vec::new();
    }
    if let Some((line, msg)) = too_deep(&chunk.text, chunk.first_line, "a Kubernetes object") {
        out.problem(line, msg);
        return Vec::new();
    }
    let offset = chunk.first_line - 1;
    match MarkedYaml::load_from_str(&chunk.text) {
        Ok(docs) => {
            let mut nodes = Vec::new();
            for d in &docs {
                match convert(d, offset, 0) {
                    Some(n) => nodes.push(n),
                    None => out.problem(
                        chunk.first_line,
                        "document nested too deeply: not a Kubernetes object",
                    ),
                }
            }
            nodes
        }
        Err(e) => {
            let t = chunk.text.trim_start();
            if t.starts_with('{') || t.starts_with('[') {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(&chunk.text) {
                    if let Some(n) = from_json(&v, chunk.first_line, 0) {
                        return vec![n];
                    }
                }
            }
            let line = (offset + e.marker().line().max(1)).min(chunk.last_line);
            out.problem(
                line,
                format!(
                    "invalid YAML: {} (column {})",
                    e.info(),
                    e.marker().col() + 1
                ),
            );
            Vec::new()
        }
    }
}

/// What the command line says about a fragment without `kind`/`metadata`.
struct Defaults {
    kind: Option<String>,
    name: Option<String>,
    namespace: Option<String>,
}

fn defaults(seg: &Segment) -> Defaults {
    let Some(k) = seg.kubectl() else {
        return Defaults {
            kind: None,
            name: None,
            namespace: None,
        };
    };
    let kind = k
        .resource
        .as_deref()
        .and_then(kind_of_resource)
        .map(str::to_string);
    Defaults {
        kind,
        name: k.names.last().cloned(),
        namespace: k.namespace.clone(),
    }
}

fn kind_of_resource(r: &str) -> Option<&'static str> {
    Some(match r {
        "pods" => "Pod",
        "services" => "Service",
        "endpoints" => "Endpoints",
        "endpointslices" => "EndpointSlice",
        "namespaces" => "Namespace",
        "nodes" => "Node",
        "deployments" => "Deployment",
        "replicasets" => "ReplicaSet",
        "statefulsets" => "StatefulSet",
        "daemonsets" => "DaemonSet",
        "jobs" => "Job",
        "networkpolicies" => "NetworkPolicy",
        "configmaps" => "ConfigMap",
        "ingresses" => "Ingress",
        _ => return None,
    })
}

const CLUSTER_SCOPED: &[&str] = &[
    "Namespace",
    "Node",
    "PersistentVolume",
    "ClusterRole",
    "ClusterRoleBinding",
    "StorageClass",
    "CustomResourceDefinition",
    "KubeletConfiguration",
    "KubeProxyConfiguration",
    "ClusterConfiguration",
    "InitConfiguration",
    "IngressClass",
];

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out = Output::default();
    let defaults = defaults(seg);
    for chunk in chunks(seg) {
        for node in load(&chunk, &mut out) {
            top_level(&node, &defaults, &mut out);
        }
    }
    out
}

fn top_level(node: &Node, d: &Defaults, out: &mut Output<Record>) {
    match &node.val {
        Val::Map(_) => {}
        // A bare JSON/YAML array of objects.
        Val::Seq(items) => {
            for it in items {
                top_level(it, d, out);
            }
            return;
        }
        Val::Null => return,
        _ => {
            out.problem(
                node.line,
                "expected a Kubernetes object (a mapping with apiVersion and kind), found a scalar",
            );
            return;
        }
    }
    let kind = node.str_at("kind");
    let is_list = kind.as_deref().is_some_and(|k| k.ends_with("List"))
        || (kind.is_none() && node.get("items").is_some());
    if is_list {
        if let Some(items) = node.get("items") {
            if !matches!(items.val, Val::Seq(_)) {
                out.problem(
                    items.line,
                    format!(
                        "expected a list of objects under items, found {}",
                        items.describe()
                    ),
                );
                return;
            }
            let item_kind = kind
                .as_deref()
                .and_then(|k| k.strip_suffix("List"))
                .filter(|k| !k.is_empty())
                .map(str::to_string);
            for it in items.items() {
                if !matches!(it.val, Val::Map(_)) {
                    out.problem(
                        it.line,
                        format!("expected an object in items, found {}", it.describe()),
                    );
                    continue;
                }
                let item_defaults = Defaults {
                    kind: item_kind.clone().or_else(|| d.kind.clone()),
                    name: None,
                    namespace: d.namespace.clone(),
                };
                if let Some(obj) = object(it, &item_defaults, out) {
                    out.records.push(obj);
                }
            }
            return;
        }
    }
    if let Some(obj) = object(node, d, out) {
        out.records.push(obj);
    }
}

fn object(node: &Node, d: &Defaults, out: &mut Output<Record>) -> Option<Object> {
    let meta = node.get("metadata");
    let kind = match node.str_at("kind").or_else(|| d.kind.clone()) {
        Some(k) => k,
        None => {
            out.problem(
                node.line,
                "no kind: and the command line does not say which resource this is",
            );
            String::new()
        }
    };
    let name = meta.and_then(|m| m.str_at("name")).or_else(|| {
        if meta.is_none() {
            d.name.clone()
        } else {
            None
        }
    });
    let namespace = meta.and_then(|m| m.str_at("namespace")).or_else(|| {
        if CLUSTER_SCOPED.contains(&kind.as_str()) {
            None
        } else {
            d.namespace.clone()
        }
    });
    let labels = meta
        .and_then(|m| m.get("labels"))
        .map(Node::string_map)
        .unwrap_or_default();
    let owner_references = meta
        .and_then(|m| m.get("ownerReferences"))
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .map(|o| OwnerReference {
            kind: o.str_at("kind").unwrap_or_default(),
            name: o.str_at("name").unwrap_or_default(),
            controller: o.bool_at("controller").unwrap_or(false),
            line: o.line,
        })
        .collect();
    let spec_node = node.get("spec");
    let spec = match kind.as_str() {
        "Service" => service(spec_node, out),
        "Endpoints" => endpoints(node, out),
        "EndpointSlice" => endpoint_slice(node, &labels, out),
        "Pod" => Spec::Pod {
            pod: pod_spec(spec_node, node.get("status"), out),
        },
        "Deployment"
        | "ReplicaSet"
        | "StatefulSet"
        | "DaemonSet"
        | "Job"
        | "ReplicationController" => workload(&kind, spec_node, out),
        // A CronJob's pods come from `spec.jobTemplate.spec.template`.
        "CronJob" => workload(
            &kind,
            spec_node.and_then(|s| s.path(&["jobTemplate", "spec"])),
            out,
        ),
        "Namespace" => Spec::Namespace {},
        "NetworkPolicy" => network_policy(spec_node, out),
        "KubeletConfiguration" => kubelet_configuration(node),
        "ClusterConfiguration" => cluster_configuration(node),
        "ConfigMap" => config_map(node),
        _ => Spec::Other {},
    };
    Some(Object {
        kind,
        api_version: node.str_at("apiVersion"),
        name,
        namespace,
        labels,
        owner_references,
        first_line: node.line,
        last_line: node.end_line.max(node.line),
        line: node.line,
        spec,
    })
}

/// The items of a list field; a non-list value is a problem.
fn list<'n>(parent: &'n Node, key: &str, out: &mut Output<Record>) -> &'n [Node] {
    match parent.get(key) {
        None => &[],
        Some(n) if matches!(n.val, Val::Seq(_)) => n.items(),
        Some(n) => {
            out.problem(
                n.line,
                format!("expected a list under {key}, found {}", n.describe()),
            );
            &[]
        }
    }
}

fn port_number(n: &Node, what: &str, out: &mut Output<Record>) -> Option<u16> {
    match n.int().and_then(|i| u16::try_from(i).ok()) {
        Some(p) => Some(p),
        None => {
            out.problem(
                n.line,
                format!(
                    "{what} {} is not a port number (0-65535)",
                    n.text().unwrap_or_default()
                ),
            );
            None
        }
    }
}

fn target_port(n: &Node, out: &mut Output<Record>) -> Option<TargetPort> {
    match &n.val {
        Val::Str(s) if !s.trim().chars().all(|c| c.is_ascii_digit()) => {
            Some(TargetPort::Name(s.clone()))
        }
        _ => port_number(n, "port", out).map(TargetPort::Number),
    }
}

fn protocol(n: &Node) -> String {
    n.str_at("protocol").unwrap_or_else(|| "TCP".into())
}

fn service(spec: Option<&Node>, out: &mut Output<Record>) -> Spec {
    let Some(spec) = spec else {
        return Spec::Service {
            selector: None,
            selector_line: None,
            service_type: None,
            cluster_ip: None,
            cluster_ips: Vec::new(),
            ports: Vec::new(),
            external_traffic_policy: None,
            external_traffic_policy_line: None,
        };
    };
    let mut ports = Vec::new();
    for p in list(spec, "ports", out) {
        let Some(port) = p.get("port").and_then(|n| port_number(n, "port", out)) else {
            if p.get("port").is_none() {
                out.problem(p.line, "Service port without port:");
            }
            continue;
        };
        ports.push(ServicePort {
            line: p.line,
            name: p.str_at("name"),
            port,
            target_port: p.get("targetPort").and_then(|n| target_port(n, out)),
            target_port_line: p.key_line("targetPort"),
            node_port: p
                .get("nodePort")
                .and_then(|n| port_number(n, "nodePort", out)),
            node_port_line: p.key_line("nodePort"),
            protocol: protocol(p),
        });
    }
    Spec::Service {
        selector: spec.get("selector").map(Node::string_map),
        selector_line: spec.key_line("selector"),
        service_type: spec.str_at("type"),
        cluster_ip: spec.str_at("clusterIP"),
        cluster_ips: spec
            .get("clusterIPs")
            .map(Node::strings)
            .unwrap_or_default(),
        ports,
        external_traffic_policy: spec.str_at("externalTrafficPolicy"),
        external_traffic_policy_line: spec.key_line("externalTrafficPolicy"),
    }
}

fn ep_ports(parent: &Node, out: &mut Output<Record>) -> Vec<EpPort> {
    let mut ports = Vec::new();
    for p in list(parent, "ports", out) {
        // An EndpointSlice port without a number means "all ports": nothing to compare.
        let Some(port) = p.get("port").and_then(|n| port_number(n, "port", out)) else {
            continue;
        };
        ports.push(EpPort {
            name: p.str_at("name"),
            port,
            protocol: protocol(p),
        });
    }
    ports
}

fn ep_addrs(subset: &Node, key: &str, out: &mut Output<Record>) -> Vec<EpAddr> {
    list(subset, key, out)
        .iter()
        .map(|a| EpAddr {
            ip: a.str_at("ip").unwrap_or_default(),
            node_name: a.str_at("nodeName"),
            target_name: a.path(&["targetRef", "name"]).and_then(Node::text),
            line: a.line,
        })
        .collect()
}

fn endpoints(node: &Node, out: &mut Output<Record>) -> Spec {
    let subsets = list(node, "subsets", out)
        .iter()
        .map(|s| Subset {
            line: s.line,
            addresses: ep_addrs(s, "addresses", out),
            not_ready_addresses: ep_addrs(s, "notReadyAddresses", out),
            ports: ep_ports(s, out),
        })
        .collect();
    Spec::Endpoints {
        subsets,
        subsets_line: node.key_line("subsets"),
    }
}

fn endpoint_slice(
    node: &Node,
    labels: &BTreeMap<String, String>,
    out: &mut Output<Record>,
) -> Spec {
    let endpoints = list(node, "endpoints", out)
        .iter()
        .map(|e| {
            let cond = e.get("conditions");
            SliceEndpoint {
                line: e.line,
                addresses: e.get("addresses").map(Node::strings).unwrap_or_default(),
                ready: cond.and_then(|c| c.bool_at("ready")),
                serving: cond.and_then(|c| c.bool_at("serving")),
                terminating: cond.and_then(|c| c.bool_at("terminating")),
                node_name: e.str_at("nodeName"),
                target_name: e.path(&["targetRef", "name"]).and_then(Node::text),
            }
        })
        .collect();
    Spec::EndpointSlice {
        service_name: labels.get("kubernetes.io/service-name").cloned(),
        address_type: node.str_at("addressType"),
        endpoints,
        ports: ep_ports(node, out),
    }
}

fn pod_spec(spec: Option<&Node>, status: Option<&Node>, out: &mut Output<Record>) -> PodSpec {
    let mut p = PodSpec::default();
    if let Some(spec) = spec {
        p.node_name = spec.str_at("nodeName");
        p.host_network = spec.bool_at("hostNetwork").unwrap_or(false);
        p.dns_policy = spec.str_at("dnsPolicy");
        p.dns_config = spec.get("dnsConfig").map(|d| DnsConfig {
            nameservers: d.get("nameservers").map(Node::strings).unwrap_or_default(),
            searches: d.get("searches").map(Node::strings).unwrap_or_default(),
            options: d
                .get("options")
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .filter_map(|o| Some((o.str_at("name")?, o.str_at("value"))))
                .collect(),
        });
        for c in list(spec, "containers", out) {
            let mut ports = Vec::new();
            for cp in list(c, "ports", out) {
                let Some(port) = cp
                    .get("containerPort")
                    .and_then(|n| port_number(n, "containerPort", out))
                else {
                    continue;
                };
                ports.push(ContainerPort {
                    line: cp.line,
                    name: cp.str_at("name"),
                    container_port: port,
                    protocol: protocol(cp),
                });
            }
            p.containers.push(Container {
                line: c.line,
                name: c.str_at("name").unwrap_or_default(),
                ports,
            });
        }
    }
    if let Some(status) = status {
        p.pod_ip = status.str_at("podIP");
        p.host_ip = status.str_at("hostIP");
        p.phase = status.str_at("phase");
        for c in list(status, "conditions", out) {
            p.conditions.push(Condition {
                line: c.line,
                condition_type: c.str_at("type").unwrap_or_default(),
                status: c.str_at("status").unwrap_or_default(),
                reason: c.str_at("reason"),
            });
        }
        for s in list(status, "containerStatuses", out) {
            p.container_statuses.push(ContainerStatus {
                line: s.line,
                name: s.str_at("name").unwrap_or_default(),
                ready: s.bool_at("ready"),
                restart_count: s
                    .get("restartCount")
                    .and_then(Node::int)
                    .and_then(|i| u32::try_from(i).ok()),
                waiting_reason: s.path(&["state", "waiting", "reason"]).and_then(Node::text),
            });
        }
    }
    p
}

fn label_selector(n: &Node) -> LabelSelector {
    LabelSelector {
        match_labels: n
            .get("matchLabels")
            .map(Node::string_map)
            .unwrap_or_default(),
        match_expressions: n
            .get("matchExpressions")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .map(|e| Requirement {
                key: e.str_at("key").unwrap_or_default(),
                operator: e.str_at("operator").unwrap_or_default(),
                values: e.get("values").map(Node::strings).unwrap_or_default(),
            })
            .collect(),
    }
}

fn workload(kind: &str, spec: Option<&Node>, out: &mut Output<Record>) -> Spec {
    let template = spec.and_then(|s| s.get("template"));
    let template_meta = template.and_then(|t| t.get("metadata"));
    Spec::Workload {
        workload_kind: kind.to_string(),
        replicas: spec
            .and_then(|s| s.get("replicas"))
            .and_then(Node::int)
            .and_then(|i| u32::try_from(i).ok()),
        selector: spec.and_then(|s| s.get("selector")).map(label_selector),
        template_labels: template_meta
            .and_then(|m| m.get("labels"))
            .map(Node::string_map)
            .unwrap_or_default(),
        template_labels_line: template_meta.and_then(|m| m.key_line("labels")),
        pod: pod_spec(template.and_then(|t| t.get("spec")), None, out),
    }
}

fn policy_rules(
    spec: &Node,
    key: &str,
    peers_key: &str,
    out: &mut Output<Record>,
) -> Option<Vec<PolicyRule>> {
    spec.get(key)?;
    let rules = list(spec, key, out)
        .iter()
        .map(|r| {
            let peers = r.get(peers_key).map(|_| {
                list(r, peers_key, out)
                    .iter()
                    .map(|p| Peer {
                        line: p.line,
                        pod_selector: p.get("podSelector").map(label_selector),
                        namespace_selector: p.get("namespaceSelector").map(label_selector),
                        ip_block: p.get("ipBlock").map(|b| IpBlock {
                            cidr: b.str_at("cidr").unwrap_or_default(),
                            except: b.get("except").map(Node::strings).unwrap_or_default(),
                        }),
                    })
                    .collect()
            });
            let ports = r.get("ports").map(|_| {
                let mut v = Vec::new();
                for p in list(r, "ports", out) {
                    v.push(PolicyPort {
                        line: p.line,
                        protocol: p.str_at("protocol"),
                        port: p.get("port").and_then(|n| target_port(n, out)),
                        end_port: p
                            .get("endPort")
                            .and_then(|n| port_number(n, "endPort", out)),
                    });
                }
                v
            });
            PolicyRule {
                line: r.line,
                peers,
                ports,
            }
        })
        .collect();
    Some(rules)
}

fn network_policy(spec: Option<&Node>, out: &mut Output<Record>) -> Spec {
    let Some(spec) = spec else {
        return Spec::NetworkPolicy {
            pod_selector: LabelSelector::default(),
            pod_selector_line: None,
            policy_types: None,
            ingress: None,
            egress: None,
        };
    };
    Spec::NetworkPolicy {
        pod_selector: spec
            .get("podSelector")
            .map(label_selector)
            .unwrap_or_default(),
        pod_selector_line: spec.key_line("podSelector"),
        policy_types: spec.get("policyTypes").map(Node::strings),
        ingress: policy_rules(spec, "ingress", "from", out),
        egress: policy_rules(spec, "egress", "to", out),
    }
}

fn kubelet_configuration(node: &Node) -> Spec {
    Spec::KubeletConfiguration {
        cluster_dns: node
            .get("clusterDNS")
            .map(Node::strings)
            .unwrap_or_default(),
        cluster_dns_line: node.key_line("clusterDNS"),
        cluster_domain: node.str_at("clusterDomain"),
        cluster_domain_line: node.key_line("clusterDomain"),
        resolv_conf: node.str_at("resolvConf"),
        resolv_conf_line: node.key_line("resolvConf"),
        hairpin_mode: node.str_at("hairpinMode"),
        hairpin_mode_line: node.key_line("hairpinMode"),
    }
}

fn cluster_configuration(node: &Node) -> Spec {
    let net = node.get("networking");
    let sans = node
        .get("apiServer")
        .and_then(|a| a.get("certSANs"))
        .map(|n| {
            n.items()
                .iter()
                .filter_map(|i| match &i.val {
                    Val::Str(s) => Some((s.clone(), i.line)),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    Spec::ClusterConfiguration {
        pod_subnet: net.and_then(|n| n.str_at("podSubnet")),
        pod_subnet_line: net.and_then(|n| n.key_line("podSubnet")),
        service_subnet: net.and_then(|n| n.str_at("serviceSubnet")),
        service_subnet_line: net.and_then(|n| n.key_line("serviceSubnet")),
        control_plane_endpoint: node.str_at("controlPlaneEndpoint"),
        control_plane_endpoint_line: node.key_line("controlPlaneEndpoint"),
        cert_sans: sans,
    }
}

fn config_map(node: &Node) -> Spec {
    let data = node.get("data");
    let mut data_lines = BTreeMap::new();
    if let Some(Val::Map(entries)) = data.map(|d| &d.val) {
        for e in entries {
            data_lines.insert(e.key.clone(), e.key_line);
        }
    }
    Spec::ConfigMap {
        data: data.map(Node::string_map).unwrap_or_default(),
        data_line: node.key_line("data"),
        data_lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Output<Record> {
        parse(&Segment::new(text, 1))
    }

    #[test]
    fn empty_is_empty() {
        let out = parse_text("");
        assert!(out.records.is_empty() && out.problems.is_empty());
    }

    #[test]
    fn service_lines_and_ports() {
        let out = parse_text(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: backend\nspec:\n  selector:\n    app: backend\n  ports:\n  - port: 80\n    targetPort: http\n  - port: 53\n    protocol: UDP\n    targetPort: 5353\n",
        );
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let o = &out.records[0];
        assert_eq!((o.first_line, o.last_line), (1, 13));
        let Spec::Service {
            selector,
            selector_line,
            ports,
            ..
        } = &o.spec
        else {
            panic!("not a service")
        };
        assert_eq!(
            selector
                .as_ref()
                .and_then(|s| s.get("app"))
                .map(String::as_str),
            Some("backend")
        );
        assert_eq!(*selector_line, Some(6));
        assert_eq!(ports[0].line, 9);
        assert_eq!(ports[0].target_port, Some(TargetPort::Name("http".into())));
        assert_eq!(ports[0].target_port_line, Some(10));
        assert_eq!(ports[1].target_port, Some(TargetPort::Number(5353)));
        assert_eq!(ports[1].protocol, "UDP");
    }

    #[test]
    fn absent_versus_empty_in_policies() {
        let out = parse_text(
            "kind: NetworkPolicy\nspec:\n  podSelector: {}\n  ingress:\n  - {}\n  egress: []\n",
        );
        let Spec::NetworkPolicy {
            pod_selector,
            pod_selector_line,
            policy_types,
            ingress,
            egress,
        } = &out.records[0].spec
        else {
            panic!("not a policy")
        };
        assert_eq!(*pod_selector, LabelSelector::default());
        assert_eq!(*pod_selector_line, Some(3));
        assert_eq!(*policy_types, None);
        let ingress = ingress.as_ref().map(Vec::as_slice).unwrap_or_default();
        assert_eq!(ingress.len(), 1);
        assert_eq!(ingress[0].peers, None);
        assert_eq!(ingress[0].ports, None);
        assert_eq!(*egress, Some(Vec::new()));
    }

    #[test]
    fn owner_references_and_cronjob_templates() {
        let out = parse_text(
            "kind: Pod\r\nmetadata:\r\n  name: web-1\r\n  ownerReferences:\r\n  - kind: ReplicaSet\r\n    name: web-5d\r\n    controller: true\r\n---\r\nkind: CronJob\r\nmetadata: {name: nightly}\r\nspec:\r\n  jobTemplate:\r\n    spec:\r\n      template:\r\n        metadata: {labels: {app: nightly}}\r\n",
        );
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let owners = &out.records[0].owner_references;
        assert_eq!(owners.len(), 1);
        assert_eq!(
            (
                owners[0].kind.as_str(),
                owners[0].name.as_str(),
                owners[0].controller,
                owners[0].line
            ),
            ("ReplicaSet", "web-5d", true, 5)
        );
        let Spec::Workload {
            workload_kind,
            template_labels,
            ..
        } = &out.records[1].spec
        else {
            panic!("not a workload")
        };
        assert_eq!(workload_kind, "CronJob");
        assert_eq!(
            template_labels.get("app").map(String::as_str),
            Some("nightly")
        );
    }

    #[test]
    fn bad_yaml_names_its_line() {
        let out = parse_text("kind: Service\nmetadata:\n  name: a\n   bad: [\n");
        assert!(out.records.is_empty());
        assert!(out.problems[0].line >= 3, "{:?}", out.problems);
    }

    #[test]
    fn scalar_garbage_is_a_problem() {
        let out = parse_text("hello world this is not yaml of an object");
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].line, 1);
    }

    #[test]
    fn hostile_nesting_is_refused() {
        let deep = "[".repeat(10_000);
        let out = parse_text(&deep);
        assert_eq!(out.problems.len(), 1);
        let mut deep = String::new();
        for i in 0..2000 {
            deep.push_str(&" ".repeat(i));
            deep.push_str("a:\n");
        }
        let out = parse_text(&deep);
        assert!(!out.problems.is_empty());
    }

    #[test]
    fn commands_and_sniffing() {
        let cmd = crate::cmdline::parse("kubectl get svc backend -n shop -o yaml")
            .unwrap_or_else(|| unreachable!());
        assert!(matches_command(&cmd));
        let cmd =
            crate::cmdline::parse("kubectl get svc -n shop").unwrap_or_else(|| unreachable!());
        assert!(!matches_command(&cmd));
        let cmd = crate::cmdline::parse("cat /var/lib/kubelet/config.yaml")
            .unwrap_or_else(|| unreachable!());
        assert!(matches_command(&cmd));
        assert!(sniff("apiVersion: v1\nkind: Pod\n").is_some_and(|c| c > 0.9));
        assert!(
            sniff("{\n    \"apiVersion\": \"v1\",\n    \"kind\": \"List\",\n")
                .is_some_and(|c| c > 0.9)
        );
        assert_eq!(
            sniff("nameserver 10.96.0.10\nsearch default.svc.cluster.local\n"),
            None
        );
    }
}
