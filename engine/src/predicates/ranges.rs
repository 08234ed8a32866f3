//! Address-range predicates: the cluster's ranges (kubeadm's podSubnet/serviceSubnet) must
//! not overlap each other or hold a node's own address, and Service and pod IPs must lie
//! in their ranges.

use super::{Answer, PredicateInfo, Proof};

pub const ADDRESS_RANGES_DISJOINT: PredicateInfo = PredicateInfo {
    name: "address_ranges_disjoint",
    question: "Are the pod and Service ranges disjoint from each other and from node addresses?",
    subject: "once",
    eval: |ctx| {
        let f = ctx.facts;
        if f.ranges.is_empty() {
            return Answer::Unknown(vec![]);
        }
        let mut proof = Proof::default().key("address-ranges");
        let mut problems = Vec::new();
        for (i, a) in f.ranges.iter().enumerate() {
            for b in f.ranges.iter().skip(i + 1) {
                let (na, nb) = (a.value.1, b.value.1);
                let shared = if na.contains(&nb) {
                    Some(nb)
                } else if nb.contains(&na) {
                    Some(na)
                } else {
                    None
                };
                if let Some(s) = shared {
                    proof = proof.line(a.line).line(b.line);
                    problems.push(format!(
                        "the {} {na} and the {} {nb} overlap in {s}",
                        a.value.0, b.value.0
                    ));
                }
            }
            for addr in &f.node_addresses {
                if a.value.1.contains(&addr.value.1) {
                    proof = proof.line(a.line).line(addr.line);
                    problems.push(format!(
                        "the {} {} ({} – {}) contains {} {}: traffic the cluster sends to that range (a pod, a Service DNAT target) can land on the host, and replies from the host are routed as if to a pod",
                        a.value.0,
                        a.value.1,
                        a.value.1.network(),
                        a.value.1.broadcast(),
                        addr.value.0,
                        addr.value.1
                    ));
                }
            }
        }
        if problems.is_empty() {
            return Answer::Yes(proof);
        }
        let mut text = problems.join("; ");
        if let Some(first) = text.get(..1) {
            text = first.to_uppercase() + text.get(1..).unwrap_or("");
        }
        Answer::No(Proof {
            summary: format!(
                "{text}. The ranges cannot change in place: re-create the cluster or the CNI's IP pool with a range outside the node network."
            ),
            ..proof
        })
    },
};

/// Pods that share the node's network namespace carry the node's address, not a pod IP.
const HOST_NETWORK_PREFIXES: &[&str] = &[
    "kube-proxy-",
    "etcd-",
    "kube-apiserver-",
    "kube-controller-manager-",
    "kube-scheduler-",
    "calico-node-",
    "kube-flannel-ds-",
    "cilium-",
    "kube-router-",
    "aws-node-",
    "node-local-dns-",
    "weave-net-",
];

pub const ADDRESSES_IN_THEIR_RANGES: PredicateInfo = PredicateInfo {
    name: "addresses_in_their_ranges",
    question: "Do the ClusterIPs lie in the Service CIDR and the pod IPs in the pod CIDR?",
    subject: "once",
    eval: |ctx| {
        let f = ctx.facts;
        let of = |prefix: &str| -> Vec<&crate::facts::Sourced<(String, ipnet::IpNet)>> {
            f.ranges
                .iter()
                .filter(|r| r.value.0.starts_with(prefix))
                .collect()
        };
        let (svc_ranges, pod_ranges) = (of("Service CIDR"), of("pod CIDR"));
        if svc_ranges.is_empty() && pod_ranges.is_empty() && f.node_pod_cidrs.is_empty() {
            return Answer::Unknown(vec![]);
        }
        let mut proof = Proof::default().key("address-ranges");
        let mut problems = Vec::new();
        let mut checked = 0usize;
        let outside = |ranges: &[&crate::facts::Sourced<(String, ipnet::IpNet)>],
                       ip: std::net::IpAddr|
         -> Option<Vec<usize>> {
            let same: Vec<_> = ranges
                .iter()
                .filter(|r| r.value.1.addr().is_ipv4() == ip.is_ipv4())
                .collect();
            if same.is_empty() || same.iter().any(|r| r.value.1.contains(&ip)) {
                return None;
            }
            Some(same.iter().map(|r| r.line).collect())
        };
        for s in &f.services {
            let Some(ip) = s.cluster_ip.filter(|_| !s.headless) else {
                continue;
            };
            checked += 1;
            if let Some(lines) = outside(&svc_ranges, ip) {
                let cidrs: Vec<String> = svc_ranges.iter().map(|r| r.value.1.to_string()).collect();
                proof = proof
                    .lines(s.lines.first().copied())
                    .lines(lines)
                    .var("service", s.name.clone())
                    .var("cluster_ip", ip.to_string());
                if let Some(ns) = &s.namespace {
                    proof = proof.var("namespace", ns.clone());
                }
                problems.push(format!(
                    "Service {} has ClusterIP {ip}, outside the Service CIDR {}",
                    super::qualified(s.namespace.as_deref(), &s.name),
                    cidrs.join(", ")
                ));
            }
        }
        for p in &f.pods {
            let Some(ip) = p.ip else { continue };
            // A pod outside its own node's podCIDR (the CNI does not use the node ranges,
            // or the node's range changed).
            let node_cidr = p.node.as_deref().and_then(|n| {
                f.node_pod_cidrs
                    .iter()
                    .find(|c| c.value.0 == n && c.value.1.addr().is_ipv4() == ip.is_ipv4())
            });
            let shared = f.pods.iter().filter(|o| o.ip == Some(ip)).count() > 1;
            let host = HOST_NETWORK_PREFIXES.iter().any(|h| p.name.starts_with(h))
                || f.node_addresses.iter().any(|a| a.value.1 == ip);
            if shared || host {
                continue;
            }
            checked += 1;
            if let Some(c) = node_cidr.filter(|c| !c.value.1.contains(&ip)) {
                proof = proof
                    .lines(p.lines.first().copied())
                    .line(c.line)
                    .var("pod", p.name.clone())
                    .var("pod_ip", ip.to_string())
                    .var("node", c.value.0.clone());
                problems.push(format!(
                    "pod {} has IP {ip}, outside its node {}'s podCIDR {}",
                    super::qualified(p.namespace.as_deref(), &p.name),
                    c.value.0,
                    c.value.1
                ));
                continue;
            }
            if let Some(lines) = outside(&pod_ranges, ip) {
                let cidrs: Vec<String> = pod_ranges.iter().map(|r| r.value.1.to_string()).collect();
                proof = proof
                    .lines(p.lines.first().copied())
                    .lines(lines)
                    .var("pod", p.name.clone())
                    .var("pod_ip", ip.to_string());
                if let Some(n) = &p.node {
                    proof = proof.var("node", n.clone());
                }
                if let Some(ns) = &p.namespace {
                    proof = proof.var("namespace", ns.clone());
                }
                problems.push(format!(
                    "pod {} has IP {ip}, outside the pod CIDR {}",
                    super::qualified(p.namespace.as_deref(), &p.name),
                    cidrs.join(", ")
                ));
            }
        }
        if checked == 0 {
            return Answer::Unknown(vec![]);
        }
        if problems.is_empty() {
            return Answer::Yes(Proof {
                summary: format!(
                    "All {checked} ClusterIPs and pod IPs pasted lie in their ranges."
                ),
                ..proof
            });
        }
        let n = problems.len();
        problems.truncate(5);
        Answer::No(Proof {
            summary: format!(
                "{}{}. An address outside its range is not routed or translated as the cluster expects: the range was changed after the object was created (the API server's --service-cluster-ip-range, the CNI's IP pool), or two configurations disagree.",
                problems.join("; "),
                if n > 5 { format!(" (and {} more)", n - 5) } else { String::new() }
            ),
            ..proof
        })
    },
};

/// kubelet's default maxPods.
const DEFAULT_MAX_PODS: u128 = 110;

/// What the logs and events say when a range has run out.
fn exhaustion_logged(s: &crate::facts::Signal) -> bool {
    let d = s.detail.to_ascii_lowercase();
    s.signature == "cidr-not-available"
        || s.signature == "pod-cidr-not-assigned"
        || d.contains("no ip addresses available in range set")
        || d.contains("no remaining cidrs left")
        || d.contains("cidr allocation failed")
        || d.contains("failed to allocate for range")
}

pub const POD_CIDR_HAS_ROOM: PredicateInfo = PredicateInfo {
    name: "pod_cidr_has_room",
    question:
        "Do the pod ranges have room: addresses for each node's pods, node ranges for every node?",
    subject: "once",
    eval: |ctx| {
        let f = ctx.facts;
        let logged: Vec<&crate::facts::Signal> =
            f.signals.iter().filter(|s| exhaustion_logged(s)).collect();
        if let Some(first) = logged.first() {
            let mut proof = Proof::default().key("address-ranges");
            for s in &logged {
                proof = proof.lines(s.lines.iter().copied().take(3));
            }
            if let Some(n) = first.fields.get("node").or(first.fields.get("object")) {
                proof = proof.var("node", n.trim_start_matches("node/").to_string());
            }
            let detail: String = first.detail.chars().take(200).collect();
            let summary = if first.signature == "pod-cidr-not-assigned" {
                format!("The node has no podCIDR ({detail}): the controller manager hands out none — the cluster CIDR has no free node range left at this node mask, or it does not allocate them at all (kube-controller-manager --allocate-node-cidrs / kubeadm --pod-network-cidr unset). The CNI cannot start on that node.")
            } else {
                format!("The cluster reports that an address range ran out: {detail}. New pods on the affected node stay in ContainerCreating (the CNI's IPAM has no address left), or a new node gets no pod range at all.")
            };
            return Answer::No(Proof { summary, ..proof });
        }
        let mut proof = Proof::default().key("address-ranges");
        let mut problems = Vec::new();
        for c in &f.node_pod_cidrs {
            let (node, net, pods) = &c.value;
            let host_bits = u32::from(net.max_prefix_len() - net.prefix_len());
            let usable = if host_bits >= 64 {
                u128::MAX
            } else {
                (1u128 << host_bits).saturating_sub(3)
            };
            if usable < DEFAULT_MAX_PODS || pods.is_some_and(|p| p as u128 > usable) {
                proof = proof.line(c.line).var("node", node.clone());
                problems.push(format!(
                    "node {node}'s podCIDR {net} holds {usable} pod addresses (minus network, broadcast and the bridge gateway){}, fewer than kubelet's default maxPods of {DEFAULT_MAX_PODS}",
                    pods.map(|p| format!(" for {p} pods listed")).unwrap_or_default()
                ));
            }
        }
        // Node ranges the cluster CIDR can hand out, at the size the nodes were given.
        let nodes: Vec<&str> = f
            .node_addresses
            .iter()
            .filter_map(|a| a.value.0.strip_prefix("node "))
            .filter_map(|l| l.split(" (").next())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let node_prefix = f.node_pod_cidrs.first().map(|c| c.value.1.prefix_len());
        for r in f
            .ranges
            .iter()
            .filter(|r| r.value.0.starts_with("pod CIDR"))
        {
            let net = r.value.1;
            let Some(np) = node_prefix.filter(|np| *np >= net.prefix_len()) else {
                continue;
            };
            let bits = u32::from(np - net.prefix_len());
            let capacity = if bits >= 64 { u128::MAX } else { 1u128 << bits };
            if (nodes.len() as u128) > capacity {
                proof = proof.line(r.line);
                problems.push(format!(
                    "the pod CIDR {net} holds {capacity} node range(s) of /{np}, and {} nodes are listed",
                    nodes.len()
                ));
            }
        }
        if problems.is_empty() {
            if f.node_pod_cidrs.is_empty() {
                return Answer::Unknown(vec![]);
            }
            return Answer::Yes(Proof {
                summary: "Every node's podCIDR holds kubelet's default maxPods.".into(),
                ..proof
            });
        }
        Answer::No(Proof {
            summary: format!(
                "{}. Pods beyond the range's size stay in ContainerCreating with `failed to allocate for range 0: no IP addresses available in range set`; nodes beyond the cluster CIDR's node ranges get no podCIDR.",
                problems.join("; ")
            ),
            ..proof
        })
    },
};
