//! Facts: one normalised store built from every parsed segment, where outputs of
//! different commands meet. The Service from `kubectl get svc` and the one from
//! `kubectl describe svc` become one [`Service`]; the pods from a `-l` query remember
//! the selector they were listed by; the client pod of a `kubectl exec` carries its
//! namespace into every lookup and probe it made.
//!
//! Every fact keeps the input lines that state it, so a finding can cite them.

use serde::Serialize;
use std::collections::BTreeMap;
use std::net::IpAddr;

mod build;
pub use build::{build, Builder};

/// A label map (`app=backend`).
pub type Labels = BTreeMap<String, String>;

/// Everything known, joined.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Facts {
    pub services: Vec<Service>,
    pub endpoints: Vec<Endpoints>,
    pub pods: Vec<Pod>,
    pub policies: Vec<Policy>,
    pub namespaces: Vec<Namespace>,
    pub resolvers: Vec<Resolver>,
    pub lookups: Vec<Lookup>,
    pub probes: Vec<Probe>,
    pub listeners: Vec<Listener>,
    /// kubelet `--cluster-dns` / `clusterDNS` values.
    pub cluster_dns: Vec<Sourced<IpAddr>>,
    /// Known signatures from logs and error messages (CoreDNS, kube-proxy, kernel,
    /// kubectl), repeated lines of one signature folded into one signal.
    pub signals: Vec<Signal>,
    /// Network interfaces from `ip link` / `ip addr`, with their MTU.
    pub interfaces: Vec<Interface>,
    /// The cluster's address ranges, each with its role (`pod CIDR (podSubnet)`, …).
    pub ranges: Vec<Sourced<(String, ipnet::IpNet)>>,
    /// NodeLocal DNSCache is in use (an installer's cluster config says so, pods are given
    /// its link-local address, or its DaemonSet is listed), with its address when known.
    pub nodelocal_dns: Vec<Sourced<Option<IpAddr>>>,
    /// Each node's pod range (`kubectl describe node` PodCIDR/PodCIDRs), by node name,
    /// with the number of pods the node lists.
    pub node_pod_cidrs: Vec<Sourced<(String, ipnet::IpNet, Option<usize>)>>,
    /// Addresses of nodes and the control plane, each with what it is.
    pub node_addresses: Vec<Sourced<(String, IpAddr)>>,
    /// Service frontends the node's datapath programs (iptables KUBE-SERVICES rules,
    /// IPVS virtual servers) with the backends they DNAT to.
    pub frontends: Vec<Frontend>,
    /// kube-router's hairpin rules (`KUBE-ROUTER-HAIRPIN`: SNAT of a pod's packets to
    /// itself through a Service address): the pod, the Service address and port, and the
    /// packets the rule counted.
    pub hairpin_rules: Vec<Sourced<HairpinRule>>,
    /// The datapath dumps pasted (iptables-save, ipvsadm -Ln), to tell "no rule for this
    /// Service" from "no dump".
    pub dumps: Vec<Dump>,
    /// conntrack -L flows whose reply comes from another address than the original
    /// destination (DNATed flows), folded by tuple.
    pub nat_flows: Vec<NatFlow>,
    /// Segments whose kind was recognised (kind ids), to say which evidence is present.
    pub kinds_seen: Vec<String>,
    /// What the NetworkPolicy evaluator found over the pasted manifests (finding id and
    /// proof), or `None` when it did not run (no policy manifests pasted).
    #[serde(skip)]
    pub evaluated: Option<Vec<(String, crate::predicates::Proof)>>,
    /// Positions by name, so merging a 100k-row table stays linear.
    #[serde(skip)]
    pub(crate) index: NameIndex,
}

/// A Service address as the datapath programs it, and where it sends packets.
#[derive(Debug, Clone, Serialize)]
pub struct Frontend {
    /// `iptables` or `ipvs`.
    pub source: String,
    pub vip: IpAddr,
    pub port: Option<u16>,
    /// `tcp`, `udp`, `sctp`.
    pub protocol: String,
    /// `ns/name:port` (or `ns/name`) from kube-proxy's rule comment.
    pub service: Option<String>,
    /// What kube-proxy's comment calls the address (`cluster IP`, `external IP`,
    /// `loadbalancer IP`), when it says.
    pub role: Option<String>,
    /// kube-proxy's "has no endpoints" REJECT/DROP rule.
    pub no_endpoints: bool,
    /// DNAT targets (KUBE-SEP `--to-destination`, IPVS real servers).
    pub backends: Vec<Sourced<(IpAddr, Option<u16>)>>,
    pub line: usize,
}

/// One kube-router hairpin rule.
#[derive(Debug, Clone, Serialize)]
pub struct HairpinRule {
    pub pod: IpAddr,
    pub vip: IpAddr,
    pub port: Option<u16>,
    pub packets: Option<u64>,
}

/// One datapath dump in the paste.
#[derive(Debug, Clone, Serialize)]
pub struct Dump {
    /// `iptables` or `ipvs`.
    pub source: String,
    /// First line of the dump.
    pub line: usize,
    /// The command filtered it (`| grep …`), or it is an excerpt (iptables `-A` lines
    /// without the table's chain declarations, IPVS rows without the version header): a
    /// rule not shown may still exist.
    pub filtered: bool,
    /// Service frontends it holds.
    pub frontends: usize,
    /// An iptables dump whose rules match kube-proxy's IPVS ipsets (`KUBE-CLUSTER-IP`):
    /// written by the IPVS proxier, which keeps Services out of iptables.
    pub ipvs_sets: Option<usize>,
}

/// DNATed conntrack flows with one tuple, folded.
#[derive(Debug, Clone, Serialize)]
pub struct NatFlow {
    pub protocol: String,
    /// The address the client asked for (a ClusterIP).
    pub vip: IpAddr,
    pub vport: Option<u16>,
    /// The address the reply came from (the backend it was NATed to).
    pub backend: IpAddr,
    pub bport: Option<u16>,
    /// TCP state or `[UNREPLIED]`/`[ASSURED]` of the first flow.
    pub state: Option<String>,
    pub count: usize,
    pub line: usize,
}

/// Positions in [`Facts`]' lists by object name (several namespaces may share a name).
#[derive(Debug, Clone, Default)]
pub(crate) struct NameIndex {
    pub services: std::collections::HashMap<String, Vec<usize>>,
    pub endpoints: std::collections::HashMap<String, Vec<usize>>,
    pub pods: std::collections::HashMap<String, Vec<usize>>,
    /// Signal positions by a hash of (source, signature, fields), so folding a repeated
    /// signature does not scan every signal; `signals_seen` signals are indexed (some are
    /// pushed directly and indexed on the next fold).
    pub signals: std::collections::HashMap<u64, Vec<usize>>,
    pub signals_seen: usize,
    /// Datapath frontends and DNATed flows by Service address (built once every output
    /// is read), so asking for each of 10,000 Services does not scan them all.
    pub frontends_by_vip: std::collections::HashMap<IpAddr, Vec<usize>>,
    pub nat_flows_by_vip: std::collections::HashMap<IpAddr, Vec<usize>>,
}

/// A network interface and its MTU.
#[derive(Debug, Clone, Serialize)]
pub struct Interface {
    /// As printed, without `@ifN` (`eth0`, `flannel.1`, `vxlan.calico`).
    pub name: String,
    pub mtu: u32,
    /// `vxlan`, `geneve`, `ipip`, `wireguard`, `veth`, `bridge`, … when `ip -d` says or the
    /// name is a well-known CNI device.
    pub kind: Option<String>,
    /// The pod whose namespace it is in (from `kubectl exec`), if known.
    pub pod: Option<String>,
    pub line: usize,
}

/// A log line or error message that means something on its own (`plugin/loop: Loop
/// detected`, `nf_conntrack: table full`), with every line that repeated it.
#[derive(Debug, Clone, Serialize)]
pub struct Signal {
    /// `coredns`, `kube-proxy`, `kernel`, `kubectl` or `manifest`.
    pub source: String,
    /// The parser's signature id (`loop-detected`, `conntrack-table-full`, …).
    pub signature: String,
    pub detail: String,
    pub fields: BTreeMap<String, String>,
    /// Every line showing it, first first (at most 20 kept), and how many there were.
    pub lines: Vec<usize>,
    pub count: usize,
}

/// A value and the line that states it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sourced<T> {
    pub value: T,
    pub line: usize,
}

/// A Service port.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServicePort {
    pub name: Option<String>,
    pub port: u16,
    pub protocol: String,
    pub target_port: Option<TargetPort>,
    pub target_port_line: Option<usize>,
    pub node_port: Option<u16>,
    pub line: usize,
}

/// `targetPort`: a number or a container port name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum TargetPort {
    Number(u16),
    Name(String),
}

impl std::fmt::Display for TargetPort {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TargetPort::Number(n) => write!(f, "{n}"),
            TargetPort::Name(s) => write!(f, "{s}"),
        }
    }
}

/// A Service, merged from every output that mentions it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Service {
    pub name: String,
    /// `None` when no output said (kubectl's current namespace, usually `default`).
    pub namespace: Option<String>,
    pub service_type: Option<String>,
    pub cluster_ip: Option<IpAddr>,
    pub headless: bool,
    /// `None` when no output showed the selector.
    pub selector: Option<Sourced<Labels>>,
    pub ports: Vec<ServicePort>,
    pub external_traffic_policy: Option<Sourced<String>>,
    /// Lines that mention this Service.
    pub lines: Vec<usize>,
    /// Endpoints as `kubectl describe svc` printed them, when it did.
    pub described_endpoints: Option<Sourced<Vec<String>>>,
    /// The paste is about this Service: a command named it, its endpoints were shown,
    /// or a client tried it. Only questions about such Services become missing
    /// evidence; the others of a `get svc -A` listing are checked silently.
    pub in_focus: bool,
}

/// An Endpoints object, or the endpoint slices of one Service, merged.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Endpoints {
    pub name: String,
    pub namespace: Option<String>,
    /// Ready addresses (`ip` or `ip:port`).
    pub ready: Vec<String>,
    pub not_ready: Vec<String>,
    /// `+ N more…` on a table row.
    pub more: u32,
    /// Some source listed every address (an object, or a row without `+ N more`), so
    /// the distinct addresses are all known even when another row was cut short.
    pub complete: bool,
    pub line: usize,
}

/// A pod, merged from tables and objects.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Pod {
    pub name: String,
    pub namespace: Option<String>,
    pub labels: Option<Sourced<Labels>>,
    /// The `-l` selector the pod was listed by, when the paste shows one.
    pub listed_by_selector: Option<Sourced<Labels>>,
    /// Ready as the endpoints controller sees it: the Ready condition when known, else the
    /// READY column (all containers ready and Running).
    pub ready: Option<Sourced<bool>>,
    /// Why it is not ready, in the output's words (`0/1`, `CrashLoopBackOff`, `Ready=False`).
    pub not_ready_reason: Option<String>,
    pub status: Option<String>,
    pub ip: Option<IpAddr>,
    pub node: Option<String>,
    pub container_ports: Vec<ContainerPort>,
    pub lines: Vec<usize>,
}

/// A declared container port.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContainerPort {
    pub name: Option<String>,
    pub port: u16,
    pub protocol: String,
    pub line: usize,
}

/// A label selector as NetworkPolicy spells it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Selector {
    pub match_labels: Labels,
    /// (key, operator, values)
    pub match_expressions: Vec<(String, String, Vec<String>)>,
}

impl Selector {
    /// An empty selector selects everything.
    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.match_expressions.is_empty()
    }
    /// Does the selector match these labels?
    pub fn matches(&self, labels: &Labels) -> bool {
        self.match_labels
            .iter()
            .all(|(k, v)| labels.get(k) == Some(v))
            && self
                .match_expressions
                .iter()
                .all(|(k, op, vals)| match op.as_str() {
                    "In" => labels.get(k).is_some_and(|v| vals.contains(v)),
                    "NotIn" => labels.get(k).is_none_or(|v| !vals.contains(v)),
                    "Exists" => labels.contains_key(k),
                    "DoesNotExist" => !labels.contains_key(k),
                    _ => false,
                })
    }
}

/// A NetworkPolicy, reduced to what the trees ask.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Policy {
    pub name: String,
    pub namespace: Option<String>,
    pub pod_selector: Selector,
    pub pod_selector_line: usize,
    /// Effective policy types (inferred when absent: Ingress, plus Egress when egress rules exist).
    pub ingress_isolated: bool,
    pub egress_isolated: bool,
    pub ingress_rules: usize,
    pub egress_rules: usize,
    pub first_line: usize,
    pub last_line: usize,
    pub policy_types_line: Option<usize>,
}

/// A Namespace and its labels.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Namespace {
    pub name: String,
    pub labels: Labels,
    pub line: usize,
}

/// A resolver configuration (a pod's /etc/resolv.conf, or a pod's dnsConfig).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Resolver {
    pub nameservers: Vec<Sourced<IpAddr>>,
    pub search: Vec<String>,
    pub search_line: Option<usize>,
    pub ndots: Option<Sourced<u32>>,
    /// The pod whose file this is (from `kubectl exec`), if known.
    pub pod: Option<String>,
    pub namespace: Option<String>,
    pub line: usize,
}

/// How a DNS lookup ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LookupStatus {
    Answered,
    NxDomain,
    ServFail,
    Refused,
    Timeout,
    NoAnswer,
    Other,
}

/// One DNS lookup: nslookup, dig, or a client's `lookup X on Y` error.
#[derive(Debug, Clone, Serialize)]
pub struct Lookup {
    pub tool: String,
    /// The name as asked.
    pub name: String,
    pub server: Option<String>,
    pub status: LookupStatus,
    /// The line that shows the outcome.
    pub line: usize,
    /// Names the resolver tried, in order, when the output shows them (dig +showsearch,
    /// busybox's per-domain NXDOMAIN lines).
    pub tried: Vec<Sourced<String>>,
    pub answers: Vec<Sourced<String>>,
    /// The command line, when pasted (`dig +trace` cannot show pod behaviour).
    pub command: Option<String>,
    pub client_pod: Option<String>,
    pub client_namespace: Option<String>,
}

/// How a connection attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProbeOutcome {
    Connected,
    Refused,
    Timeout,
    Reset,
    NameNotResolved,
    NoRoute,
    HttpStatus,
    Other,
}

/// One connection attempt (curl, wget, nc, telnet, a client error line).
#[derive(Debug, Clone, Serialize)]
pub struct Probe {
    pub tool: String,
    pub host: Option<String>,
    pub ip: Option<IpAddr>,
    pub port: Option<u16>,
    pub url: Option<String>,
    pub outcome: ProbeOutcome,
    pub http_status: Option<u16>,
    pub line: usize,
    pub message: String,
    pub client_pod: Option<String>,
    pub client_namespace: Option<String>,
}

/// A listening socket (ss / netstat).
#[derive(Debug, Clone, Serialize)]
pub struct Listener {
    pub protocol: String,
    pub address: String,
    pub port: u16,
    pub process: Option<String>,
    pub line: usize,
    /// The pod it was read in (`kubectl exec`), if known.
    pub pod: Option<String>,
}

impl Listener {
    /// Listening on loopback only (127.0.0.0/8 or ::1)?
    pub fn loopback_only(&self) -> bool {
        let a = self.address.trim_start_matches('[').trim_end_matches(']');
        let a = a.split('%').next().unwrap_or(a);
        a.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback()) || a == "localhost"
    }
}

impl Facts {
    /// The Service with this name (and namespace, when both sides know it).
    pub fn service(&self, name: &str, namespace: Option<&str>) -> Option<&Service> {
        self.services
            .iter()
            .find(|s| s.name == name && ns_compatible(s.namespace.as_deref(), namespace))
    }

    /// The endpoints of a Service.
    pub fn endpoints_of(&self, name: &str, namespace: Option<&str>) -> Option<&Endpoints> {
        self.endpoints
            .iter()
            .find(|e| e.name == name && ns_compatible(e.namespace.as_deref(), namespace))
    }

    /// Pods in a namespace (a pod of unknown namespace counts as in any namespace).
    pub fn pods_in<'a>(&'a self, namespace: Option<&'a str>) -> impl Iterator<Item = &'a Pod> + 'a {
        self.pods
            .iter()
            .filter(move |p| ns_compatible(p.namespace.as_deref(), namespace))
    }

    /// The Service a probe went to: by ClusterIP, or by a host name whose first label
    /// is the Service name (`backend`, `backend.shop`, `backend.shop.svc.cluster.local`).
    pub fn service_for_probe(&self, p: &Probe) -> Option<&Service> {
        if let Some(ip) = p.ip {
            if let Some(s) = self.services.iter().find(|s| s.cluster_ip == Some(ip)) {
                return Some(s);
            }
        }
        let host = p.host.as_deref()?;
        if let Ok(ip) = host.parse::<IpAddr>() {
            return self.services.iter().find(|s| s.cluster_ip == Some(ip));
        }
        let mut labels = host.trim_end_matches('.').split('.');
        let name = labels.next()?;
        let ns = labels.next().or(p.client_namespace.as_deref());
        self.services
            .iter()
            .find(|s| s.name == name && ns_compatible(s.namespace.as_deref(), ns))
    }

    /// The datapath frontends for the Service's ClusterIP.
    pub fn frontends_of(&self, s: &Service) -> Vec<&Frontend> {
        s.cluster_ip
            .map(|ip| self.frontends_at(ip))
            .unwrap_or_default()
    }

    /// The datapath frontends for an address.
    pub fn frontends_at(&self, vip: IpAddr) -> Vec<&Frontend> {
        let at = self.index.frontends_by_vip.get(&vip);
        at.into_iter()
            .flatten()
            .filter_map(|&i| self.frontends.get(i))
            .collect()
    }

    /// The DNATed flows whose client asked for an address.
    pub fn nat_flows_at(&self, vip: IpAddr) -> Vec<&NatFlow> {
        let at = self.index.nat_flows_by_vip.get(&vip);
        at.into_iter()
            .flatten()
            .filter_map(|&i| self.nat_flows.get(i))
            .collect()
    }

    /// The Service's ready endpoint addresses, when its endpoints are known.
    pub fn ready_ips(&self, s: &Service) -> Option<Vec<IpAddr>> {
        let e = self.endpoints_of(&s.name, s.namespace.as_deref())?;
        if e.more > 0 && !e.complete {
            return None;
        }
        let mut seen = std::collections::HashSet::new();
        Some(
            e.ready
                .iter()
                .filter_map(|a| endpoint_ip(a))
                .filter(|ip| seen.insert(*ip))
                .collect(),
        )
    }

    /// Is kube-dns (or CoreDNS's Service) known, and at which ClusterIP?
    pub fn kube_dns(&self) -> Option<&Service> {
        self.services.iter().find(|s| {
            (s.name == "kube-dns" || s.name == "coredns" || s.name == "rke2-coredns-rke2-coredns")
                && s.cluster_ip.is_some()
        })
    }
}

/// Two namespaces agree when equal, or when either is unknown.
pub fn ns_compatible(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

/// `app=backend,tier=web`
pub fn labels_to_string(l: &Labels) -> String {
    l.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// NodeLocal DNSCache's usual link-local addresses: the upstream manifest's and pharos'
/// `169.254.20.10`, kubespray's default `nodelocaldns_ip` `169.254.25.10`.
pub const NODELOCAL_DNS_IPS: [IpAddr; 2] = [
    IpAddr::V4(std::net::Ipv4Addr::new(169, 254, 20, 10)),
    IpAddr::V4(std::net::Ipv4Addr::new(169, 254, 25, 10)),
];

/// `10.244.1.5:8080`, `[fd00::5]:8080`, `10.244.1.5` as an address and port (an endpoint,
/// a DNAT target).
pub fn addr_port(s: &str) -> Option<(IpAddr, Option<u16>)> {
    let s = s.trim();
    if let Ok(ip) = s.parse() {
        return Some((ip, None));
    }
    if let Some(rest) = s.strip_prefix('[') {
        let (ip, port) = rest.split_once(']')?;
        return Some((
            ip.parse().ok()?,
            port.strip_prefix(':').and_then(|p| p.parse().ok()),
        ));
    }
    let (ip, port) = s.rsplit_once(':')?;
    Some((ip.parse().ok()?, port.parse().ok()))
}

/// The address of an endpoint written `ip`, `ip:port` or `[v6]:port`.
pub fn endpoint_ip(a: &str) -> Option<IpAddr> {
    addr_port(a).map(|(ip, _)| ip)
}
