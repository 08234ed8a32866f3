//! Kubernetes address planning: how many nodes a pod CIDR holds at a node mask, how many
//! pods fit on a node, and every collision among the pod, Service and node/VPC ranges and
//! the ranges something else already uses (Docker's bridge, NodeLocal DNSCache, CNI
//! reservations, link-local, loopback, multicast). Each problem is a finding of the
//! catalogue (`cidr-overlap`, `pod-cidr-exhausted`) whose evidence is the calculation.

use super::cidr::{info, parse_net, CidrInfo};
use crate::findings::from_calculation as finding;
use crate::report::Finding;
use ipnet::IpNet;
use serde::Serialize;
use std::collections::BTreeMap;

/// What `netdoc cidr plan` was asked.
#[derive(Debug, Clone, Default)]
pub struct PlanRequest {
    pub pods: String,
    pub services: String,
    /// `--node-cidr-mask-size`: the prefix of each node's pod range.
    pub node_mask: u8,
    pub nodes: Option<u64>,
    /// kubelet `maxPods` (default 110).
    pub max_pods: Option<u64>,
    pub node_networks: Vec<String>,
    /// ClusterIPs that must lie in the Service CIDR.
    pub service_ips: Vec<String>,
    /// Pod IPs that must lie in the pod CIDR.
    pub pod_ips: Vec<String>,
}

/// A range with the role it plays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Range {
    pub role: String,
    pub cidr: String,
}

/// Two ranges that share addresses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Collision {
    pub a: Range,
    pub b: Range,
    pub shared: String,
}

/// The plan: capacities, collisions and the findings they make.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub pods: CidrInfo,
    pub services: CidrInfo,
    pub node_mask: u8,
    /// Node-sized blocks the pod CIDR splits into (decimal string).
    pub nodes_max: String,
    pub nodes: Option<u64>,
    /// Nodes that can still join (`nodes_max - nodes`), when `nodes` is given.
    pub nodes_headroom: Option<String>,
    pub addresses_per_node: String,
    /// Addresses host-local IPAM can hand to pods on a node: all but the network,
    /// broadcast (IPv4) and the bridge gateway.
    pub pod_ips_per_node: String,
    pub max_pods: u64,
    /// `min(max_pods, pod_ips_per_node)`.
    pub pods_per_node: String,
    pub ranges: Vec<Range>,
    pub collisions: Vec<Collision>,
    pub findings: Vec<Finding>,
}

/// Ranges other software already uses, that pod and Service CIDRs must avoid.
pub const RESERVED: &[(&str, &str)] = &[
    ("172.17.0.0/16", "Docker's default bridge (docker0)"),
    ("169.254.20.10/32", "NodeLocal DNSCache listen address"),
    ("100.64.0.0/16", "OVN-Kubernetes join switch (default)"),
    (
        "100.88.0.0/16",
        "OVN-Kubernetes transit switch (interconnect)",
    ),
    (
        "169.254.0.0/16",
        "IPv4 link-local (cloud metadata 169.254.169.254)",
    ),
    ("127.0.0.0/8", "IPv4 loopback"),
    ("224.0.0.0/4", "IPv4 multicast"),
    ("fe80::/10", "IPv6 link-local"),
    ("::1/128", "IPv6 loopback"),
    ("ff00::/8", "IPv6 multicast"),
];

fn pow2(bits: u32) -> Option<u128> {
    1u128.checked_shl(bits)
}

fn big(bits: u32) -> String {
    match pow2(bits) {
        Some(n) => n.to_string(),
        None => "340282366920938463463374607431768211456".into(),
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn shared(a: &IpNet, b: &IpNet) -> Option<IpNet> {
    if a.contains(b) {
        Some(*b)
    } else if b.contains(a) {
        Some(*a)
    } else {
        None
    }
}

/// Plan a cluster's addressing.
pub fn plan(req: &PlanRequest) -> Result<Plan, String> {
    let pods = parse_net(&req.pods).map_err(|e| format!("--pods: {e}"))?;
    let services = parse_net(&req.services).map_err(|e| format!("--services: {e}"))?;
    if req.node_mask < pods.prefix_len() || req.node_mask > pods.max_prefix_len() {
        return Err(format!(
            "--node-mask /{} must lie between the pod CIDR's /{} and /{}",
            req.node_mask,
            pods.prefix_len(),
            pods.max_prefix_len()
        ));
    }
    let v4 = matches!(pods, IpNet::V4(_));
    let node_bits = u32::from(req.node_mask - pods.prefix_len());
    let host_bits = u32::from(pods.max_prefix_len() - req.node_mask);
    let per_node = pow2(host_bits);
    // Network, broadcast (IPv4 only) and the bridge gateway are not for pods.
    let reserved_per_node: u128 = if v4 { 3 } else { 2 };
    let pod_ips = per_node.map(|n| n.saturating_sub(reserved_per_node));
    let max_pods = req.max_pods.unwrap_or(110);
    let pods_per_node = match pod_ips {
        Some(n) => n.min(u128::from(max_pods)),
        None => u128::from(max_pods),
    };
    let nodes_max = pow2(node_bits);
    let headroom = match (req.nodes, nodes_max) {
        (Some(n), Some(max)) => Some((max as i128 - i128::from(n)).to_string()),
        (Some(_), None) => Some("more than 10^38".to_string()),
        _ => None,
    };

    let mut ranges = vec![
        (pods, "pod CIDR (--cluster-cidr / podSubnet)".to_string()),
        (
            services,
            "Service CIDR (--service-cluster-ip-range / serviceSubnet)".to_string(),
        ),
    ];
    for n in &req.node_networks {
        let net = parse_net(n).map_err(|e| format!("--node-network: {e}"))?;
        ranges.push((net, "node / VPC network".to_string()));
    }
    let ours = ranges.len();
    for (cidr, role) in RESERVED {
        if let Ok(net) = parse_net(cidr) {
            ranges.push((net, (*role).to_string()));
        }
    }

    let mut collisions = Vec::new();
    let mut findings = Vec::new();
    for i in 0..ours {
        for j in (i + 1)..ranges.len() {
            // Node networks may nest in each other (a VPC and its subnets).
            if i >= 2 && j < ours {
                continue;
            }
            let ((a, ra), (b, rb)) = (&ranges[i], &ranges[j]);
            let Some(s) = shared(a, b) else { continue };
            let c = Collision {
                a: Range {
                    role: ra.clone(),
                    cidr: a.to_string(),
                },
                b: Range {
                    role: rb.clone(),
                    cidr: b.to_string(),
                },
                shared: s.to_string(),
            };
            let mut vars = BTreeMap::new();
            vars.insert("range_a".into(), c.a.cidr.clone());
            vars.insert("range_b".into(), c.b.cidr.clone());
            vars.insert("shared".into(), c.shared.clone());
            vars.insert("pod_cidr".into(), pods.to_string());
            vars.insert("service_cidr".into(), services.to_string());
            findings.push(finding(
                "cidr-overlap",
                format!(
                    "{} {} and {} {} overlap in {}: addresses there are ambiguous, and traffic to them goes wherever the node's routing or kube-proxy's DNAT sends it.",
                    capitalised(&c.a.role), c.a.cidr, c.b.role, c.b.cidr, c.shared
                ),
                vec![format!(
                    "{} contains {}: {} shared address(es)",
                    if a.contains(b) { a } else { b },
                    s,
                    big(u32::from(s.max_prefix_len() - s.prefix_len()))
                )],
                vars,
            ));
            collisions.push(c);
        }
    }

    let mut vars = BTreeMap::new();
    vars.insert("pod_cidr".into(), pods.to_string());
    vars.insert("node_mask".into(), req.node_mask.to_string());
    vars.insert("max_pods".into(), max_pods.to_string());
    vars.insert("nodes_max".into(), big(node_bits));
    vars.insert("pods_per_node".into(), pods_per_node.to_string());
    if let (Some(n), Some(max)) = (req.nodes, nodes_max) {
        vars.insert("nodes".into(), n.to_string());
        if u128::from(n) > max {
            findings.push(finding(
                "pod-cidr-exhausted",
                format!("The pod CIDR {pods} splits into {max} node range(s) of /{} but the cluster needs {n} nodes: {} node(s) will get no pod CIDR and stay without pod networking.", req.node_mask, u128::from(n) - max),
                vec![format!("2^({} − {}) = {max} node ranges < {n} nodes", req.node_mask, pods.prefix_len())],
                vars.clone(),
            ));
        }
    }
    if let Some(ips) = pod_ips {
        if u128::from(max_pods) > ips {
            findings.push(finding(
                "pod-cidr-exhausted",
                format!("A /{} node range gives {ips} pod address(es), fewer than maxPods {max_pods}: pods beyond {ips} on a node stay ContainerCreating with `no IP addresses available`.", req.node_mask),
                vec![format!("2^{host_bits} addresses − {reserved_per_node} (network, {}gateway) = {ips} < maxPods {max_pods}", if v4 { "broadcast, " } else { "" })],
                vars.clone(),
            ));
        }
    }

    for (ips, range, what, cidr_name) in [
        (&req.service_ips, services, "ClusterIP", "Service CIDR"),
        (&req.pod_ips, pods, "pod IP", "pod CIDR"),
    ] {
        for text in ips {
            let ip: std::net::IpAddr = text
                .trim()
                .parse()
                .map_err(|_| format!("`{text}` is not an IP address"))?;
            if range.contains(&ip) {
                continue;
            }
            let mut vars = BTreeMap::new();
            vars.insert("pod_cidr".into(), pods.to_string());
            vars.insert("service_cidr".into(), services.to_string());
            vars.insert(
                if what == "ClusterIP" {
                    "cluster_ip"
                } else {
                    "pod_ip"
                }
                .into(),
                ip.to_string(),
            );
            findings.push(finding(
                "ip-outside-cidr",
                format!("{what} {ip} is outside the {cidr_name} {range}: {}", if what == "ClusterIP" {
                    "it was allocated under an older --service-cluster-ip-range (or set by hand), so kube-proxy's rules and the API server's allocator disagree about it"
                } else {
                    "the CNI handed out an address from another pool (a stale IPPool, a node podCIDR from an old cluster CIDR), so routes and policies written for the pod CIDR miss it"
                }),
                vec![format!("{ip} ∉ {range} ({} – {})", range.network(), range.broadcast())],
                vars,
            ));
        }
    }

    Ok(Plan {
        pods: info(pods),
        services: info(services),
        node_mask: req.node_mask,
        nodes_max: big(node_bits),
        nodes: req.nodes,
        nodes_headroom: headroom,
        addresses_per_node: big(host_bits),
        pod_ips_per_node: match pod_ips {
            Some(n) => n.to_string(),
            None => big(host_bits),
        },
        max_pods,
        pods_per_node: pods_per_node.to_string(),
        ranges: ranges
            .iter()
            .take(ours)
            .map(|(n, r)| Range {
                role: r.clone(),
                cidr: n.to_string(),
            })
            .collect(),
        collisions,
        findings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(pods: &str, services: &str, mask: u8) -> PlanRequest {
        PlanRequest {
            pods: pods.into(),
            services: services.into(),
            node_mask: mask,
            ..PlanRequest::default()
        }
    }

    #[test]
    fn kubeadm_defaults_are_clean() {
        let p = plan(&req("10.244.0.0/16", "10.96.0.0/12", 24)).unwrap();
        assert_eq!(
            (
                p.nodes_max.as_str(),
                p.pod_ips_per_node.as_str(),
                p.pods_per_node.as_str()
            ),
            ("256", "253", "110")
        );
        assert!(p.collisions.is_empty(), "{:?}", p.collisions);
        assert!(p.findings.is_empty());
    }

    #[test]
    fn collisions_and_exhaustion_are_findings() {
        let mut r = req("172.16.0.0/12", "10.96.0.0/12", 26);
        r.service_ips = vec!["10.96.0.10".into(), "10.112.0.3".into()];
        r.pod_ips = vec!["172.20.1.5".into()];
        r.nodes = Some(20_000);
        r.node_networks = vec!["10.100.0.0/16".into()];
        let p = plan(&r).unwrap();
        let pairs: Vec<(String, String, String)> = p
            .collisions
            .iter()
            .map(|c| (c.a.cidr.clone(), c.b.cidr.clone(), c.shared.clone()))
            .collect();
        assert!(
            pairs.contains(&(
                "172.16.0.0/12".into(),
                "172.17.0.0/16".into(),
                "172.17.0.0/16".into()
            )),
            "{pairs:?}"
        );
        assert!(
            pairs.contains(&(
                "10.96.0.0/12".into(),
                "10.100.0.0/16".into(),
                "10.100.0.0/16".into()
            )),
            "{pairs:?}"
        );
        let ids: Vec<&str> = p.findings.iter().map(|f| f.id.as_str()).collect();
        assert_eq!(ids.iter().filter(|i| **i == "cidr-overlap").count(), 2);
        // /12 at /26: 2^14 = 16384 node ranges < 20000; a /26 has 61 pod IPs < 110.
        assert_eq!(
            ids.iter().filter(|i| **i == "pod-cidr-exhausted").count(),
            2
        );
        assert_eq!(p.nodes_headroom.as_deref(), Some("-3616"));
        let outside: Vec<&str> = p
            .findings
            .iter()
            .filter(|f| f.id == "ip-outside-cidr")
            .map(|f| f.summary.as_str())
            .collect();
        assert_eq!(outside.len(), 1, "{outside:?}");
        assert!(
            outside[0].starts_with("ClusterIP 10.112.0.3 is outside the Service CIDR 10.96.0.0/12")
        );
    }

    #[test]
    fn bad_masks_are_errors() {
        assert!(plan(&req("10.244.0.0/16", "10.96.0.0/12", 8)).is_err());
        assert!(plan(&req("10.244.0.0/16", "10.96.0.0/12", 33)).is_err());
        assert!(plan(&req("nope", "10.96.0.0/12", 24)).is_err());
    }
}
