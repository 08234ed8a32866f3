//! Cluster installer and distribution configuration: the YAML an installer reads to build
//! a cluster, whose networking keys (Service and pod ranges, cluster DNS, NodeLocal
//! DNSCache, CNI, kube-proxy mode, MTU, pods per node) explain what the cluster became.
//!
//! Not Kubernetes API objects (`k8s-objects` reads those, kubeadm's ClusterConfiguration
//! included), nor KubeProxyConfiguration / KubeletConfiguration (their own parsers).
//!
//! # Commands
//! - `cat cluster.yml` (kontena pharos, RKE; eksctl's `cluster.yaml`)
//! - `cat inventory/<name>/group_vars/k8s_cluster/k8s-cluster.yml` (kubespray)
//! - `cat /etc/rancher/rke2/config.yaml`, `cat /etc/rancher/k3s/config.yaml` (and their
//!   `config.yaml.d/*.yaml` drop-ins)
//! - `cat kind-config.yaml` (kind), `cat /etc/k0s/k0s.yaml`, `k0s config create` (k0s),
//!   `eksctl create cluster -f cluster.yaml --dry-run` (eksctl)
//!
//! # Variants (the `format` field)
//! - `pharos`: `network: {provider, service_cidr, pod_network_cidr, node_local_dns_cache,
//!   dns_replicas}`, `kube_proxy: {mode}`, `hosts:` with `role: master|worker`
//! - `kubespray`: group_vars keys `kube_service_addresses`, `kube_pods_subnet`,
//!   `kube_network_node_prefix`, `kube_proxy_mode`, `enable_nodelocaldns`,
//!   `nodelocaldns_ip`, `kube_network_plugin`, `kubelet_max_pods`, `skydns_server`,
//!   `calico_mtu` / `calico_veth_mtu` / `cilium_mtu` (Jinja templates kept as written)
//! - `rke`: `services: {kube-api: {service_cluster_ip_range}, kube-controller:
//!   {cluster_cidr, service_cluster_ip_range, extra_args.node-cidr-mask-size}, kubelet:
//!   {cluster_dns_server, extra_args.max-pods}, kubeproxy: {extra_args.proxy-mode}}`,
//!   `network: {plugin, mtu}`, `dns: {nodelocal: {ip_address}}`
//! - `rke2` / `k3s`: flat `config.yaml` keys `cluster-cidr`, `service-cidr`,
//!   `cluster-dns`, `cni` (rke2), `flannel-backend` (k3s), `disable-kube-proxy`,
//!   `kube-proxy-arg` (`proxy-mode=`), `kubelet-arg` (`max-pods=`),
//!   `kube-controller-manager-arg` (`node-cidr-mask-size=`); told apart by the command
//!   line's path, else by `cni:` (rke2 only)
//! - `kind`: `kind: Cluster`, `apiVersion: kind.x-k8s.io/v1alpha4`, `networking:
//!   {podSubnet, serviceSubnet, kubeProxyMode, disableDefaultCNI}`
//! - `eksctl`: `apiVersion: eksctl.io/v1alpha5`, `kind: ClusterConfig`,
//!   `kubernetesNetworkConfig.serviceIPv4CIDR`, `vpc.cidr` (kept as `vpc_cidr`: with the
//!   VPC CNI pods take VPC addresses, so it is the node network, not a separate pod
//!   range), `managedNodeGroups[]/nodeGroups[].maxPodsPerNode`, the `vpc-cni` addon
//! - `k0s`: `apiVersion: k0s.k0sproject.io/v1beta1`, `kind: ClusterConfig`,
//!   `spec.network: {podCIDR, serviceCIDR, provider, kubeProxy: {mode, disabled},
//!   calico.mtu, kuberouter.mtu}` (`nodeLocalLoadBalancing` balances the API server for
//!   workers: it is not NodeLocal DNSCache and is not read as such)
//! - `unknown-installer`: a document with none of the above
//!
//! # Why not pest
//! As `k8s_objects` explains: YAML's indentation, flow collections, block scalars and
//! quoting need a real loader. This module uses the same `saphyr` loader, whose markers
//! give every key its own whole-input line. Documents are split at `---` / `...` first, so
//! a broken document is one problem (with the YAML error's line) and the others parse.
//!
//! # Record schema
//! One [`Record`] per YAML document: `line`, `format`, `service_cidr`, `pod_cidr` (each
//! with the `*_key` that set it), `node_cidr_mask`, `cluster_dns`, `nodelocal_dns`,
//! `nodelocal_dns_ip`, `cni`, `proxy_mode`, `kube_proxy_disabled`, `max_pods`, `mtu`,
//! `vpc_cidr`, each with its `*_line` (the 1-based whole-input line of its key). Values
//! are as written (a comma-separated dual-stack pair stays one string); only what the
//! document says is recorded, installer defaults are not filled in.
//!
//! Skipped deliberately: every other key (installer files hold hundreds), comments, and
//! the lines kubectl prints around a command it ran. A document that is not a mapping
//! (prose, a bare list) and YAML the loader refuses are problems with their line.
//!
//! # Example
//! ```text
//! network:
//!   provider: calico
//!   node_local_dns_cache: true
//!   service_cidr: 10.96.0.0/12
//! ```
//! → `Record { line: 1, format: "pharos", cni: Some("calico"), cni_line: Some(2),
//! nodelocal_dns: Some(true), nodelocal_dns_line: Some(3), service_cidr:
//! Some("10.96.0.0/12"), service_cidr_key: Some("service_cidr"), service_cidr_line:
//! Some(4), … }`

use super::yaml::{chunks, convert, too_deep, Chunk, Node, Val};
use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use saphyr::{LoadableYamlNode, MarkedYaml};
use serde::Serialize;

/// One installer configuration document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Record {
    /// 1-based input line where the document starts.
    pub line: usize,
    /// `pharos`, `kubespray`, `rke`, `rke2`, `k3s`, `kind`, `eksctl`, `k0s` or
    /// `unknown-installer`.
    pub format: String,
    pub service_cidr: Option<String>,
    /// The key that set it (`service_cidr`, `kube_service_addresses`, `serviceSubnet`, …).
    pub service_cidr_key: Option<String>,
    pub service_cidr_line: Option<usize>,
    pub pod_cidr: Option<String>,
    pub pod_cidr_key: Option<String>,
    pub pod_cidr_line: Option<usize>,
    /// Prefix length of each node's pod range (`kube_network_node_prefix`,
    /// `node-cidr-mask-size`).
    pub node_cidr_mask: Option<u8>,
    pub node_cidr_mask_line: Option<usize>,
    /// The cluster DNS Service address kubelet hands to pods, as written.
    pub cluster_dns: Option<String>,
    pub cluster_dns_line: Option<usize>,
    /// NodeLocal DNSCache on (`true`) or off (`false`) when the document says.
    pub nodelocal_dns: Option<bool>,
    pub nodelocal_dns_line: Option<usize>,
    pub nodelocal_dns_ip: Option<String>,
    pub nodelocal_dns_ip_line: Option<usize>,
    /// CNI plugin / network provider (`calico`, `flannel`, `weave`, `none`, …).
    pub cni: Option<String>,
    pub cni_line: Option<usize>,
    /// kube-proxy mode (`iptables`, `ipvs`, `nftables`, `none`).
    pub proxy_mode: Option<String>,
    pub proxy_mode_line: Option<usize>,
    /// kube-proxy not deployed (`disable-kube-proxy`, k0s `kubeProxy.disabled`).
    pub kube_proxy_disabled: Option<bool>,
    pub kube_proxy_disabled_line: Option<usize>,
    pub max_pods: Option<u32>,
    pub max_pods_line: Option<usize>,
    pub mtu: Option<u32>,
    pub mtu_line: Option<usize>,
    /// eksctl `vpc.cidr`: the VPC the nodes (and, with the VPC CNI, the pods) live in.
    pub vpc_cidr: Option<String>,
    pub vpc_cidr_line: Option<usize>,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "cluster-config",
    aliases: &["installer-config", "cluster-yml"],
    title: "Cluster installer configuration (pharos, kubespray, RKE, RKE2/k3s, kind, eksctl, k0s)",
    commands: &[
        "cat cluster.yml",
        "cat inventory/mycluster/group_vars/k8s_cluster/k8s-cluster.yml",
        "cat /etc/rancher/rke2/config.yaml",
        "cat /etc/rancher/k3s/config.yaml",
        "cat kind-config.yaml",
        "cat /etc/k0s/k0s.yaml",
        "k0s config create",
        "eksctl create cluster -f cluster.yaml --dry-run",
    ],
    variants: &[
        "kontena pharos cluster.yml (network, kube_proxy)",
        "kubespray group_vars k8s-cluster.yml",
        "RKE cluster.yml (services, network, dns.nodelocal)",
        "RKE2 / k3s config.yaml",
        "kind Cluster (kind.x-k8s.io/v1alpha4)",
        "eksctl ClusterConfig (eksctl.io/v1alpha5)",
        "k0s ClusterConfig (k0s.k0sproject.io/v1beta1)",
    ],
    matches_command,
    sniff,
};

/// File names and paths that hold an installer's configuration.
fn is_config_path(arg: &str) -> bool {
    let a = arg.to_ascii_lowercase();
    let file = a.rsplit('/').next().unwrap_or(&a);
    matches!(
        file,
        "cluster.yml"
            | "cluster.yaml"
            | "k8s-cluster.yml"
            | "k8s_cluster.yml"
            | "k8s-net-calico.yml"
            | "k0s.yaml"
            | "k0s.yml"
            | "kind-config.yaml"
            | "kind-config.yml"
            | "kind.yaml"
    ) || a.contains("rancher/rke2/config.yaml")
        || a.contains("rancher/k3s/config.yaml")
        || a.contains("group_vars/k8s_cluster/")
        || a.contains("group_vars/k8s-cluster/")
        || a.contains("/etc/k0s/")
}

fn matches_command(cmd: &CommandLine) -> bool {
    if cmd.kubectl.is_some() {
        return false;
    }
    let words = || cmd.args.iter().filter(|a| !a.starts_with('-'));
    match cmd.program.as_str() {
        p if crate::cmdline::FILE_VIEWERS.contains(&p) => words().any(|a| is_config_path(a)),
        "k0s" => {
            let w: Vec<&String> = words().collect();
            w.first().is_some_and(|a| *a == "config")
                && w.get(1).is_some_and(|a| *a == "create" || *a == "view")
        }
        "eksctl" => cmd.args.iter().any(|a| a == "--dry-run"),
        _ => false,
    }
}

/// Keys that only installer files use, at the start of a line (any indentation).
const KNOWN_KEYS: &[&str] = &[
    // pharos
    "pod_network_cidr",
    "service_cidr",
    "node_local_dns_cache",
    "dns_replicas",
    "trusted_subnets",
    // kubespray
    "kube_service_addresses",
    "kube_pods_subnet",
    "kube_network_node_prefix",
    "kube_proxy_mode",
    "enable_nodelocaldns",
    "nodelocaldns_ip",
    "kube_network_plugin",
    "kubelet_max_pods",
    "kube_config_dir",
    "kube_manifest_dir",
    "kube_cert_dir",
    "kube_version",
    "skydns_server",
    "dns_mode",
    "resolvconf_mode",
    // RKE
    "kube-api",
    "kube-controller",
    "service_cluster_ip_range",
    "cluster_dns_server",
    "cluster_cidr",
    "kubeproxy",
    "ignore_docker_version",
    "ssh_key_path",
    "kubernetes_version",
    // RKE2 / k3s, besides RKE2_K3S_KEYS
    "disable-network-policy",
    "disable-cloud-controller",
    "egress-selector-mode",
    "cluster-domain",
    // eksctl
    "kubernetesNetworkConfig",
    "serviceIPv4CIDR",
    "managedNodeGroups",
    "maxPodsPerNode",
    // kind
    "kubeProxyMode",
    "disableDefaultCNI",
];

/// The top-level keys of an RKE2 or k3s `config.yaml`: installer keys for the sniffer, and
/// what tells such a file from the other installers' when the path does not.
const RKE2_K3S_KEYS: &[&str] = &[
    "cluster-cidr",
    "service-cidr",
    "cluster-dns",
    "flannel-backend",
    "disable-kube-proxy",
    "kube-proxy-arg",
    "kubelet-arg",
    "kube-controller-manager-arg",
    "write-kubeconfig-mode",
    "tls-san",
];

/// The key of a `key:` / `key: value` / `- key: value` line.
fn line_key(line: &str) -> Option<&str> {
    let t = line.trim_start().trim_start_matches("- ").trim_start();
    let (k, rest) = t.split_once(':')?;
    (rest.is_empty() || rest.starts_with(' ')).then_some(k.trim_matches(['"', '\'']))
}

fn sniff(head: &str) -> Option<f32> {
    let mut known = 0usize;
    let mut installer_api = false;
    let mut api_version_other = false;
    let mut hosts_roles = 0usize;
    let mut top = "";
    for l in head.lines() {
        let l = l.trim_end_matches('\r');
        let t = l.trim_start();
        if t.starts_with('#') {
            continue;
        }
        if let Some(v) = t.strip_prefix("apiVersion:") {
            let v = v.trim().trim_matches(['"', '\'']);
            if v.starts_with("kind.x-k8s.io/")
                || v.starts_with("kind.sigs.k8s.io/")
                || v.starts_with("eksctl.io/")
                || v.starts_with("k0s.k0sproject.io/")
                || v.starts_with("k0sctl.k0sproject.io/")
            {
                installer_api = true;
            } else {
                api_version_other = true;
            }
            continue;
        }
        // `- address: 1.1.1.1` under `nodes:`/`hosts:` and `role: master|worker` /
        // `- controlplane`: pharos and RKE host lists.
        if matches!(
            t,
            "- controlplane" | "- etcd" | "- worker" | "role: master" | "role: worker"
        ) {
            hosts_roles += 1;
        }
        if let Some(k) = line_key(l) {
            if !l.starts_with([' ', '-']) {
                top = k;
            }
            // `provider:` / `plugin:` / `mtu:` alone are common words; under a top-level
            // `network:` they are pharos' and RKE's CNI keys.
            if KNOWN_KEYS.contains(&k)
                || RKE2_K3S_KEYS.contains(&k)
                || top == "network"
                    && l.starts_with(' ')
                    && matches!(k, "provider" | "plugin" | "mtu")
            {
                known += 1;
            }
        }
    }
    if installer_api {
        return Some(0.97);
    }
    if api_version_other {
        // An API object (kubeadm's ClusterConfiguration, a ConfigMap) is k8s-objects'.
        return None;
    }
    match known + hosts_roles.min(1) {
        0 | 1 => None,
        2 => Some(0.8),
        _ => Some(0.9),
    }
}

// ---------------------------------------------------------------- the YAML tree

/// Lookups that also give the line of the key, which the records keep.
trait Lined {
    /// The value under `key` (not null), with its key's line.
    fn get_l(&self, key: &str) -> Option<(usize, &Node)>;
    fn path_l(&self, keys: &[&str]) -> Option<(usize, &Node)>;
    fn has(&self, key: &str) -> bool;
    /// `true`/`yes`/`on` and their opposites, as installers write them.
    fn boolean(&self) -> Option<bool>;
}

impl Lined for Node {
    fn get_l(&self, key: &str) -> Option<(usize, &Node)> {
        self.entry(key)
            .filter(|e| !matches!(e.value.val, Val::Null))
            .map(|e| (e.key_line, &e.value))
    }
    fn path_l(&self, keys: &[&str]) -> Option<(usize, &Node)> {
        let mut cur = (self.line, self);
        for k in keys {
            cur = cur.1.get_l(k)?;
        }
        Some(cur)
    }
    fn has(&self, key: &str) -> bool {
        self.entry(key).is_some()
    }
    fn boolean(&self) -> Option<bool> {
        match &self.val {
            Val::Bool(b) => Some(*b),
            Val::Str(s) => match s.to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" => Some(true),
                "false" | "no" | "off" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }
}

fn load(chunk: &Chunk, out: &mut Output<Record>) -> Option<Node> {
    if chunk
        .text
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return None;
    }
    if let Some((line, msg)) = too_deep(&chunk.text, chunk.first_line, "a configuration file") {
        out.problem(line, msg);
        return None;
    }
    let offset = chunk.first_line - 1;
    match MarkedYaml::load_from_str(&chunk.text) {
        Ok(docs) => {
            let doc = docs.first()?;
            let node = convert(doc, offset, 0);
            if node.is_none() {
                out.problem(chunk.first_line, "document nested too deeply");
            }
            node
        }
        Err(e) => {
            let line = (offset + e.marker().line().max(1)).min(chunk.last_line);
            out.problem(
                line,
                format!(
                    "invalid YAML: {} (column {})",
                    e.info(),
                    e.marker().col() + 1
                ),
            );
            // A paste cut short or broken part-way: what comes before the broken line
            // still says something. Read it once more without the broken line and after.
            let keep = line.saturating_sub(chunk.first_line);
            if keep == 0 {
                return None;
            }
            let head: Vec<&str> = chunk.text.lines().take(keep).collect();
            let docs = MarkedYaml::load_from_str(&head.join("\n")).ok()?;
            convert(docs.first()?, offset, 0)
        }
    }
}

// ---------------------------------------------------------------- documents

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out = Output::default();
    let hint = command_hint(seg);
    for chunk in chunks(seg) {
        let Some(node) = load(&chunk, &mut out) else {
            continue;
        };
        if !matches!(node.val, Val::Map(_)) {
            let line = first_content_line(&chunk).unwrap_or(chunk.first_line);
            out.problem(
                line,
                "not an installer configuration: expected a YAML mapping of `key: value`",
            );
            continue;
        }
        let mut r = Record {
            line: first_content_line(&chunk).unwrap_or(chunk.first_line),
            ..Record::default()
        };
        r.format = format_of(&node, hint).to_string();
        match r.format.as_str() {
            "pharos" => pharos(&node, &mut r),
            "kubespray" => kubespray(&node, &mut r),
            "rke" => rke(&node, &mut r),
            "rke2" | "k3s" => rancher_flat(&node, &mut r),
            "kind" => kind(&node, &mut r),
            "eksctl" => eksctl(&node, &mut r),
            "k0s" => k0s(&node, &mut r),
            _ => {}
        }
        out.records.push(r);
    }
    out
}

/// The first line of a chunk that is neither blank nor a comment.
fn first_content_line(chunk: &Chunk) -> Option<usize> {
    chunk
        .text
        .lines()
        .position(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|i| chunk.first_line + i)
}

/// What the command line's path says (`rke2`, `k3s`), if anything.
fn command_hint(seg: &Segment) -> Option<&'static str> {
    let cmd = seg.command.as_ref()?;
    let text = cmd.args.join(" ").to_ascii_lowercase();
    if text.contains("rke2") {
        Some("rke2")
    } else if text.contains("k3s") {
        Some("k3s")
    } else {
        None
    }
}

fn format_of(doc: &Node, hint: Option<&'static str>) -> &'static str {
    let api = doc
        .get_l("apiVersion")
        .and_then(|(_, n)| n.text())
        .unwrap_or_default();
    if api.starts_with("kind.x-k8s.io/") || api.starts_with("kind.sigs.k8s.io/") {
        return "kind";
    }
    if api.starts_with("eksctl.io/") {
        return "eksctl";
    }
    if api.starts_with("k0s.k0sproject.io/") {
        return "k0s";
    }
    if !api.is_empty() {
        return "unknown-installer";
    }
    const KUBESPRAY: &[&str] = &[
        "kube_service_addresses",
        "kube_pods_subnet",
        "kube_network_node_prefix",
        "kube_proxy_mode",
        "enable_nodelocaldns",
        "nodelocaldns_ip",
        "kube_network_plugin",
        "kubelet_max_pods",
        "kube_config_dir",
        "skydns_server",
    ];
    if KUBESPRAY.iter().any(|k| doc.has(k)) {
        return "kubespray";
    }
    let services = doc.get_l("services").map(|(_, n)| n);
    if services.is_some_and(|s| {
        [
            "kube-api",
            "kube-controller",
            "kubelet",
            "kubeproxy",
            "etcd",
        ]
        .iter()
        .any(|k| s.has(k))
    }) || doc.path_l(&["network", "plugin"]).is_some()
        || doc.has("nodes") && doc.has("ssh_key_path")
    {
        return "rke";
    }
    let network = doc.get_l("network").map(|(_, n)| n);
    if network.is_some_and(|n| {
        [
            "provider",
            "service_cidr",
            "pod_network_cidr",
            "node_local_dns_cache",
            "dns_replicas",
        ]
        .iter()
        .any(|k| n.has(k))
    }) || doc.has("hosts") && (doc.has("network") || doc.has("addons"))
    {
        return "pharos";
    }
    if RKE2_K3S_KEYS.iter().chain(&["cni"]).any(|k| doc.has(k)) {
        return match hint {
            Some(h) => h,
            None if doc.has("cni") => "rke2",
            None => "k3s",
        };
    }
    "unknown-installer"
}

// ---------------------------------------------------------------- per format

/// A scalar value and its key's line.
fn text_at(n: &Node, keys: &[&str]) -> Option<(String, usize)> {
    n.path_l(keys)
        .and_then(|(l, v)| v.text().map(|t| (t.trim().to_string(), l)))
        .filter(|(t, _)| !t.is_empty())
}

fn bool_at(n: &Node, keys: &[&str]) -> Option<(bool, usize)> {
    n.path_l(keys)
        .and_then(|(l, v)| v.boolean().map(|b| (b, l)))
}

fn int_at(n: &Node, keys: &[&str]) -> Option<(i64, usize)> {
    n.path_l(keys).and_then(|(l, v)| v.int().map(|i| (i, l)))
}

fn set_service(r: &mut Record, v: Option<(String, usize)>, key: &str) {
    if r.service_cidr.is_none() {
        if let Some((s, l)) = v {
            r.service_cidr = Some(s);
            r.service_cidr_line = Some(l);
            r.service_cidr_key = Some(key.to_string());
        }
    }
}

fn set_pod(r: &mut Record, v: Option<(String, usize)>, key: &str) {
    if r.pod_cidr.is_none() {
        if let Some((s, l)) = v {
            r.pod_cidr = Some(s);
            r.pod_cidr_line = Some(l);
            r.pod_cidr_key = Some(key.to_string());
        }
    }
}

fn set_str(field: &mut Option<String>, line: &mut Option<usize>, v: Option<(String, usize)>) {
    if field.is_none() {
        if let Some((s, l)) = v {
            *field = Some(s);
            *line = Some(l);
        }
    }
}

fn set_bool(field: &mut Option<bool>, line: &mut Option<usize>, v: Option<(bool, usize)>) {
    if field.is_none() {
        if let Some((b, l)) = v {
            *field = Some(b);
            *line = Some(l);
        }
    }
}

fn set_u32(field: &mut Option<u32>, line: &mut Option<usize>, v: Option<(i64, usize)>) {
    if field.is_none() {
        if let Some((i, l)) = v {
            if let Ok(i) = u32::try_from(i) {
                *field = Some(i);
                *line = Some(l);
            }
        }
    }
}

fn set_mask(r: &mut Record, v: Option<(i64, usize)>) {
    if r.node_cidr_mask.is_none() {
        if let Some((i, l)) = v {
            if let Ok(m) = u8::try_from(i) {
                if m <= 128 {
                    r.node_cidr_mask = Some(m);
                    r.node_cidr_mask_line = Some(l);
                }
            }
        }
    }
}

fn pharos(doc: &Node, r: &mut Record) {
    let net = &["network"];
    let at = |k: &str| text_at(doc, &[net[0], k]);
    set_service(r, at("service_cidr"), "service_cidr");
    set_pod(r, at("pod_network_cidr"), "pod_network_cidr");
    set_str(&mut r.cni, &mut r.cni_line, at("provider"));
    set_bool(
        &mut r.nodelocal_dns,
        &mut r.nodelocal_dns_line,
        bool_at(doc, &["network", "node_local_dns_cache"]),
    );
    set_str(
        &mut r.proxy_mode,
        &mut r.proxy_mode_line,
        text_at(doc, &["kube_proxy", "mode"]),
    );
    // `network.weave.mtu`, `network.calico.mtu`
    for p in ["weave", "calico"] {
        set_u32(
            &mut r.mtu,
            &mut r.mtu_line,
            int_at(doc, &["network", p, "mtu"]),
        );
    }
}

fn kubespray(doc: &Node, r: &mut Record) {
    let at = |k: &str| text_at(doc, &[k]);
    set_service(r, at("kube_service_addresses"), "kube_service_addresses");
    set_pod(r, at("kube_pods_subnet"), "kube_pods_subnet");
    set_mask(r, int_at(doc, &["kube_network_node_prefix"]));
    set_str(
        &mut r.proxy_mode,
        &mut r.proxy_mode_line,
        at("kube_proxy_mode"),
    );
    set_bool(
        &mut r.nodelocal_dns,
        &mut r.nodelocal_dns_line,
        bool_at(doc, &["enable_nodelocaldns"]),
    );
    set_str(
        &mut r.nodelocal_dns_ip,
        &mut r.nodelocal_dns_ip_line,
        at("nodelocaldns_ip"),
    );
    set_str(&mut r.cni, &mut r.cni_line, at("kube_network_plugin"));
    set_u32(
        &mut r.max_pods,
        &mut r.max_pods_line,
        int_at(doc, &["kubelet_max_pods"]),
    );
    // `dns_mode: manual` names its server; otherwise skydns_server (usually a template).
    let manual = at("dns_mode").is_some_and(|(m, _)| m == "manual");
    if manual {
        set_str(
            &mut r.cluster_dns,
            &mut r.cluster_dns_line,
            at("manual_dns_server"),
        );
    }
    set_str(
        &mut r.cluster_dns,
        &mut r.cluster_dns_line,
        at("skydns_server"),
    );
    for k in ["calico_mtu", "calico_veth_mtu", "cilium_mtu", "flannel_mtu"] {
        set_u32(&mut r.mtu, &mut r.mtu_line, int_at(doc, &[k]));
    }
}

/// `key=value` from an `extra_args` map or a `*-arg` list/string.
fn arg_value(n: &Node, name: &str) -> Option<(String, usize)> {
    match &n.val {
        Val::Map(_) => text_at(n, &[name]),
        Val::Seq(items) => items.iter().find_map(|it| {
            let t = it.text()?;
            let t = t.trim().trim_start_matches('-');
            let (k, v) = t.split_once('=')?;
            (k.trim() == name).then(|| (v.trim().to_string(), it.line))
        }),
        _ => {
            let t = n.text()?;
            let t = t.trim().trim_start_matches('-');
            let (k, v) = t.split_once('=')?;
            (k.trim() == name).then(|| (v.trim().to_string(), n.line))
        }
    }
}

fn int_of(v: Option<(String, usize)>) -> Option<(i64, usize)> {
    v.and_then(|(s, l)| s.parse().ok().map(|i| (i, l)))
}

fn rke(doc: &Node, r: &mut Record) {
    let svc = |path: &[&str]| {
        let mut p = vec!["services"];
        p.extend_from_slice(path);
        text_at(doc, &p)
    };
    set_service(
        r,
        svc(&["kube-api", "service_cluster_ip_range"]),
        "service_cluster_ip_range",
    );
    set_service(
        r,
        svc(&["kube-controller", "service_cluster_ip_range"]),
        "service_cluster_ip_range",
    );
    set_pod(r, svc(&["kube-controller", "cluster_cidr"]), "cluster_cidr");
    set_str(
        &mut r.cluster_dns,
        &mut r.cluster_dns_line,
        svc(&["kubelet", "cluster_dns_server"]),
    );
    if let Some((_, args)) = doc.path_l(&["services", "kube-controller", "extra_args"]) {
        set_mask(r, int_of(arg_value(args, "node-cidr-mask-size")));
    }
    if let Some((_, args)) = doc.path_l(&["services", "kubelet", "extra_args"]) {
        set_u32(
            &mut r.max_pods,
            &mut r.max_pods_line,
            int_of(arg_value(args, "max-pods")),
        );
    }
    if let Some((_, args)) = doc.path_l(&["services", "kubeproxy", "extra_args"]) {
        set_str(
            &mut r.proxy_mode,
            &mut r.proxy_mode_line,
            arg_value(args, "proxy-mode"),
        );
    }
    set_str(
        &mut r.cni,
        &mut r.cni_line,
        text_at(doc, &["network", "plugin"]),
    );
    set_u32(
        &mut r.mtu,
        &mut r.mtu_line,
        int_at(doc, &["network", "mtu"]),
    );
    // `dns: nodelocal: ip_address: "169.254.20.10"` turns NodeLocal DNSCache on.
    if let Some((l, nl)) = doc.path_l(&["dns", "nodelocal"]) {
        let ip = text_at(nl, &["ip_address"]);
        set_bool(
            &mut r.nodelocal_dns,
            &mut r.nodelocal_dns_line,
            Some((ip.is_some(), l)),
        );
        set_str(&mut r.nodelocal_dns_ip, &mut r.nodelocal_dns_ip_line, ip);
    }
}

fn rancher_flat(doc: &Node, r: &mut Record) {
    let at = |k: &str| text_at(doc, &[k]);
    set_service(r, at("service-cidr"), "service-cidr");
    set_pod(r, at("cluster-cidr"), "cluster-cidr");
    set_str(
        &mut r.cluster_dns,
        &mut r.cluster_dns_line,
        at("cluster-dns"),
    );
    set_str(&mut r.cni, &mut r.cni_line, at("cni"));
    if r.cni.is_none() {
        if let Some((b, l)) = at("flannel-backend") {
            r.cni = Some(if b == "none" {
                b
            } else {
                format!("flannel ({b})")
            });
            r.cni_line = Some(l);
        }
    }
    set_bool(
        &mut r.kube_proxy_disabled,
        &mut r.kube_proxy_disabled_line,
        bool_at(doc, &["disable-kube-proxy"]),
    );
    if let Some((_, a)) = doc.get_l("kube-proxy-arg") {
        set_str(
            &mut r.proxy_mode,
            &mut r.proxy_mode_line,
            arg_value(a, "proxy-mode"),
        );
    }
    if let Some((_, a)) = doc.get_l("kubelet-arg") {
        set_u32(
            &mut r.max_pods,
            &mut r.max_pods_line,
            int_of(arg_value(a, "max-pods")),
        );
    }
    if let Some((_, a)) = doc.get_l("kube-controller-manager-arg") {
        set_mask(r, int_of(arg_value(a, "node-cidr-mask-size")));
    }
}

fn kind(doc: &Node, r: &mut Record) {
    let at = |k: &str| text_at(doc, &["networking", k]);
    set_service(r, at("serviceSubnet"), "serviceSubnet");
    set_pod(r, at("podSubnet"), "podSubnet");
    set_str(
        &mut r.proxy_mode,
        &mut r.proxy_mode_line,
        at("kubeProxyMode"),
    );
    if let Some((true, l)) = bool_at(doc, &["networking", "disableDefaultCNI"]) {
        r.cni = Some("none".into());
        r.cni_line = Some(l);
    }
}

fn eksctl(doc: &Node, r: &mut Record) {
    set_service(
        r,
        text_at(doc, &["kubernetesNetworkConfig", "serviceIPv4CIDR"]),
        "serviceIPv4CIDR",
    );
    set_str(
        &mut r.vpc_cidr,
        &mut r.vpc_cidr_line,
        text_at(doc, &["vpc", "cidr"]),
    );
    for groups in ["managedNodeGroups", "nodeGroups"] {
        if let Some((_, g)) = doc.get_l(groups) {
            for ng in g.items() {
                set_u32(
                    &mut r.max_pods,
                    &mut r.max_pods_line,
                    int_at(ng, &["maxPodsPerNode"]),
                );
            }
        }
    }
    if let Some((_, addons)) = doc.get_l("addons") {
        for a in addons.items() {
            if let Some((name, l)) = text_at(a, &["name"]) {
                if name == "vpc-cni" {
                    set_str(&mut r.cni, &mut r.cni_line, Some((name, l)));
                }
            }
        }
    }
}

fn k0s(doc: &Node, r: &mut Record) {
    let Some((_, net)) = doc.path_l(&["spec", "network"]) else {
        return;
    };
    set_service(r, text_at(net, &["serviceCIDR"]), "serviceCIDR");
    set_pod(r, text_at(net, &["podCIDR"]), "podCIDR");
    set_str(&mut r.cni, &mut r.cni_line, text_at(net, &["provider"]));
    set_str(
        &mut r.proxy_mode,
        &mut r.proxy_mode_line,
        text_at(net, &["kubeProxy", "mode"]),
    );
    set_bool(
        &mut r.kube_proxy_disabled,
        &mut r.kube_proxy_disabled_line,
        bool_at(net, &["kubeProxy", "disabled"]),
    );
    // Only the provider in use counts.
    let provider = r.cni.clone().unwrap_or_else(|| "kuberouter".into());
    set_u32(
        &mut r.mtu,
        &mut r.mtu_line,
        // `mtu: 0` beside `autoMTU: true` means "detect": no MTU is set.
        int_at(net, &[provider.as_str(), "mtu"]).filter(|(m, _)| *m > 0),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pharos_network_block_keeps_its_lines() {
        let text = "network:\n  provider: calico\n  node_local_dns_cache: true\n  service_cidr: 10.96.0.0/12\n";
        let out = parse(&Segment::new(text, 7));
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let r = &out.records[0];
        assert_eq!(r.format, "pharos");
        assert_eq!((r.cni.as_deref(), r.cni_line), (Some("calico"), Some(8)));
        assert_eq!(
            (r.nodelocal_dns, r.nodelocal_dns_line),
            (Some(true), Some(9))
        );
        assert_eq!(r.service_cidr_line, Some(10));
    }

    #[test]
    fn sniff_needs_two_installer_keys_and_leaves_api_objects() {
        assert!(sniff("network:\n  provider: calico\n  service_cidr: 10.96.0.0/12").is_some());
        assert!(sniff("network:\n  provider: calico").is_none());
        assert!(sniff(
            "apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\nnetworking:\n  podSubnet: 10.244.0.0/16\n  serviceSubnet: 10.96.0.0/12"
        )
        .is_none());
        assert_eq!(
            sniff("kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4"),
            Some(0.97)
        );
    }
}
