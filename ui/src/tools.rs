//! The calculator and policy pages' data: the engine's answers for the typed inputs, and
//! their markdown. Pure Rust, no DOM, tested on the host. Every input comes in as the text
//! of a field; every problem goes back as a message the page shows beside the input.

use std::collections::BTreeMap;
use std::sync::Arc;

use netdoc::calc::{cidr, dns, mtu, plan};
use netdoc::policy::{self, Endpoint, Evaluator, Manifest, Model, Verdict, PROTOCOLS};
use netdoc::report::Finding;

/// Most subnets the Split section lists.
pub const MAX_SPLIT_LIMIT: usize = 4096;
/// Most workloads the policy matrix shows (rows × columns grow quadratically).
pub const MAX_MATRIX: usize = 60;

/// A field read as a number, with the field's name in the error.
fn number<T: std::str::FromStr>(field: &str, text: &str) -> Result<T, String> {
    let t = text.trim().trim_start_matches('/');
    t.parse()
        .map_err(|_| format!("{field}: `{}` is not a number", text.trim()))
}

/// An optional number field: empty is `None`.
fn optional<T: std::str::FromStr>(field: &str, text: &str) -> Result<Option<T>, String> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        number(field, text).map(Some)
    }
}

/// A JSON value as one cell of text (`-` for null).
fn scalar(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "-".into(),
        serde_json::Value::Array(items) => items.iter().map(scalar).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// Fields in the order a reader wants them (the CLI's order; JSON objects sort by name).
const FIELD_ORDER: &[&str] = &[
    "cidr",
    "range",
    "version",
    "network",
    "prefix",
    "netmask",
    "hostmask",
    "first_address",
    "last_address",
    "broadcast",
    "addresses",
    "hosts",
    "first_host",
    "last_host",
    "cidrs",
];

// ---------------------------------------------------------------------------------------
// Subnet

/// `(field, value)` rows of one answer.
pub type Rows = Vec<(String, String)>;

/// The field table of a network, `ADDR NETMASK`, or a range `A-B` (its covering CIDRs).
pub fn subnet(input: &str) -> Result<Rows, String> {
    let req = cidr::Request {
        networks: vec![input.trim().to_string()],
        ..Default::default()
    };
    let value = cidr::answer(&req)?;
    let Some(map) = value.as_object() else {
        return Err("one network at a time".into());
    };
    let mut rows: Vec<(&String, &serde_json::Value)> = map.iter().collect();
    rows.sort_by_key(|(k, _)| {
        FIELD_ORDER
            .iter()
            .position(|o| o == k)
            .unwrap_or(FIELD_ORDER.len())
    });
    Ok(rows
        .into_iter()
        .map(|(k, v)| (k.replace('_', " "), scalar(v)))
        .collect())
}

/// The subnets of a network at a longer prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    pub network: String,
    pub prefix: u8,
    /// How many there are (a decimal string: IPv6 counts exceed u64).
    pub count: String,
    pub subnets: Vec<String>,
}

pub fn split(input: &str, prefix: &str, limit: &str) -> Result<Split, String> {
    let prefix: u8 = number("prefix", prefix)?;
    let limit: usize = optional("limit", limit)?.unwrap_or(256);
    if limit == 0 || limit > MAX_SPLIT_LIMIT {
        return Err(format!("limit: 1 to {MAX_SPLIT_LIMIT}"));
    }
    let net = cidr::parse_net(input)?;
    let (count, subnets) = cidr::split(net, prefix, limit)?;
    Ok(Split {
        network: net.trunc().to_string(),
        prefix,
        count,
        subnets: subnets.iter().map(ToString::to_string).collect(),
    })
}

/// The Subnet page's markdown: the field table and the split, whichever there are.
pub fn subnet_markdown(rows: Option<&Rows>, split: Option<&Split>) -> String {
    let mut s = String::from("# Subnet\n\n");
    if let Some(rows) = rows {
        s.push_str("| field | value |\n|---|---|\n");
        for (k, v) in rows {
            s.push_str(&format!("| {k} | `{v}` |\n"));
        }
        s.push('\n');
    }
    if let Some(sp) = split {
        s.push_str(&format!(
            "## {} split into /{}: {} subnets{}\n\n",
            sp.network,
            sp.prefix,
            sp.count,
            if sp.subnets.len().to_string() == sp.count {
                String::new()
            } else {
                format!(" (first {} listed)", sp.subnets.len())
            }
        ));
        for n in &sp.subnets {
            s.push_str(&format!("- `{n}`\n"));
        }
    }
    s
}

/// The Plan section's fields, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanInput {
    pub pods: String,
    pub services: String,
    pub node_mask: String,
    pub nodes: String,
    pub max_pods: String,
    /// One network a line (commas and spaces separate too).
    pub node_networks: String,
}

pub fn plan(input: &PlanInput) -> Result<plan::Plan, String> {
    let req = plan::PlanRequest {
        pods: input.pods.trim().to_string(),
        services: input.services.trim().to_string(),
        node_mask: number("node mask", &input.node_mask)?,
        nodes: optional("nodes", &input.nodes)?,
        max_pods: optional("maxPods", &input.max_pods)?,
        node_networks: input
            .node_networks
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        service_ips: Vec::new(),
        pod_ips: Vec::new(),
    };
    plan::plan(&req)
}

/// The capacity rows of a plan.
pub fn plan_rows(p: &plan::Plan) -> Rows {
    let mut rows = vec![
        (
            "pod CIDR".to_string(),
            format!("{} ({} addresses)", p.pods.cidr, p.pods.addresses),
        ),
        (
            "Service CIDR".to_string(),
            format!("{} ({} ClusterIPs)", p.services.cidr, p.services.hosts),
        ),
        ("node mask".to_string(), format!("/{}", p.node_mask)),
        ("nodes the CIDR holds".to_string(), p.nodes_max.clone()),
    ];
    if let (Some(n), Some(h)) = (p.nodes, &p.nodes_headroom) {
        rows.push(("nodes needed".to_string(), format!("{n} (headroom {h})")));
    }
    rows.push((
        "addresses per node".to_string(),
        p.addresses_per_node.clone(),
    ));
    rows.push(("pod IPs per node".to_string(), p.pod_ips_per_node.clone()));
    rows.push((
        "pods per node".to_string(),
        format!("{} (maxPods {})", p.pods_per_node, p.max_pods),
    ));
    rows
}

/// Findings as markdown sections, then each distinct runbook once.
fn findings_markdown(findings: &[Finding], evidence_place: impl Fn(usize) -> String) -> String {
    let mut s = String::new();
    for (i, f) in findings.iter().enumerate() {
        s.push_str(&format!(
            "## {}. `{}` — {}\n\n{}\n\n",
            i + 1,
            f.id,
            f.title,
            f.summary
        ));
        for e in &f.evidence {
            s.push_str(&format!("- {}: `{}`\n", evidence_place(e.line), e.text));
        }
        s.push('\n');
    }
    if !findings.is_empty() {
        s.push_str("---\n\n# Runbooks\n\n");
        let mut seen: Vec<(&str, &BTreeMap<String, String>)> = Vec::new();
        for f in findings {
            let key = (f.id.as_str(), &f.vars);
            if !seen.contains(&key) {
                seen.push(key);
                s.push_str(&netdoc::runbook_markdown(f));
                s.push('\n');
            }
        }
    }
    s
}

fn calc_place(line: usize) -> String {
    if line == 0 {
        "calc".to_string()
    } else {
        format!("line {line}")
    }
}

pub fn plan_markdown(p: &plan::Plan) -> String {
    let mut s = String::from("# Cluster address plan\n\n| | |\n|---|---|\n");
    for (k, v) in plan_rows(p) {
        s.push_str(&format!("| {k} | `{v}` |\n"));
    }
    s.push('\n');
    if p.collisions.is_empty() {
        s.push_str("No collisions with the Service, node/VPC or reserved ranges.\n\n");
    } else {
        s.push_str("## Collisions\n\n| range | collides with | shared |\n|---|---|---|\n");
        for c in &p.collisions {
            s.push_str(&format!(
                "| {} `{}` | {} `{}` | `{}` |\n",
                c.a.role, c.a.cidr, c.b.role, c.b.cidr, c.shared
            ));
        }
        s.push('\n');
    }
    s + &findings_markdown(&p.findings, calc_place)
}

// ---------------------------------------------------------------------------------------
// MTU

/// The encapsulations the MTU page offers: `(value, label)`.
pub const ENCAPS: &[(&str, &str)] = &[
    ("vxlan", "VXLAN (Flannel, Calico VXLAN, Cilium)"),
    ("geneve", "Geneve (OVN-Kubernetes, Antrea)"),
    ("ipip", "IP-in-IP (Calico IPIP)"),
    ("wireguard", "WireGuard"),
    ("gre", "GRE"),
    ("none", "none (native routing, BGP)"),
];

/// The MTU page's fields, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MtuInput {
    pub underlay: String,
    pub encap: String,
    pub underlay_ipv6: bool,
    pub inner_ipv6: bool,
    pub geneve_options: String,
    /// The MTU the pods actually use, to check (empty: not checked).
    pub configured: String,
}

/// The safe overlay MTU, and `mtu-overlay-mismatch` when the configured one is larger.
#[derive(Debug, Clone)]
pub struct MtuAnswer {
    pub plan: mtu::MtuPlan,
    pub mismatch: Option<Finding>,
}

pub fn mtu(input: &MtuInput) -> Result<MtuAnswer, String> {
    let underlay: u32 = number("underlay MTU", &input.underlay)?;
    let encap = mtu::Encap::parse(&input.encap).ok_or_else(|| {
        format!(
            "unknown encapsulation `{}`: none, vxlan, geneve, ipip, wireguard or gre",
            input.encap
        )
    })?;
    let geneve: u32 = optional("Geneve options", &input.geneve_options)?.unwrap_or(0);
    let configured: Option<u32> = optional("configured pod MTU", &input.configured)?;
    let plan = mtu::plan(
        underlay,
        encap,
        input.underlay_ipv6,
        input.inner_ipv6,
        if encap == mtu::Encap::Geneve {
            geneve
        } else {
            0
        },
    )?;
    // The same finding, worded the same, as `netdoc mtu --pod-mtu`.
    let mismatch = configured.filter(|m| *m > plan.pod_mtu).map(|configured| {
        let name = input.encap.trim();
        let mut vars = BTreeMap::new();
        vars.insert("pod_mtu".to_string(), configured.to_string());
        vars.insert("safe_mtu".to_string(), plan.pod_mtu.to_string());
        vars.insert("underlay_mtu".to_string(), underlay.to_string());
        vars.insert("encap".to_string(), name.to_string());
        netdoc::findings::from_calculation(
            "mtu-overlay-mismatch",
            format!(
                "Pods use MTU {configured} but {name} over a {underlay}-byte underlay leaves {}: packets between {} and {configured} bytes are dropped or fragmented on the way between nodes (small requests work, large responses hang).",
                plan.pod_mtu,
                plan.pod_mtu + 1
            ),
            plan.steps
                .iter()
                .take(2)
                .cloned()
                .chain(std::iter::once(format!(
                    "configured {configured} > {} by {} byte(s)",
                    plan.pod_mtu,
                    configured - plan.pod_mtu
                )))
                .collect(),
            vars,
        )
    });
    Ok(MtuAnswer { plan, mismatch })
}

/// The MTU page's result rows.
pub fn mtu_rows(p: &mtu::MtuPlan) -> Rows {
    vec![
        ("pod MTU".into(), p.pod_mtu.to_string()),
        ("overhead".into(), format!("{} bytes", p.overhead)),
        ("TCP MSS".into(), p.tcp_mss.to_string()),
        (
            "node-to-node ping".into(),
            format!("ping -M do -s {}", p.node_ping_payload),
        ),
        (
            "pod-to-pod ping".into(),
            format!("ping -M do -s {}", p.pod_ping_payload),
        ),
    ]
}

pub fn mtu_markdown(a: &MtuAnswer) -> String {
    let mut s = String::from("# Overlay MTU\n\n| | |\n|---|---|\n");
    for (k, v) in mtu_rows(&a.plan) {
        s.push_str(&format!("| {k} | `{v}` |\n"));
    }
    s.push_str("\n## Arithmetic\n\n");
    for step in &a.plan.steps {
        s.push_str(&format!("- {step}\n"));
    }
    s.push('\n');
    if let Some(f) = &a.mismatch {
        s.push_str(&findings_markdown(std::slice::from_ref(f), calc_place));
    }
    s
}

// ---------------------------------------------------------------------------------------
// DNS

/// The DNS page's fields, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DnsInput {
    pub name: String,
    pub namespace: String,
    pub domain: String,
    pub ndots: String,
    /// Search domains that replace the namespace's (space or comma separated).
    pub search: String,
    /// A pasted resolv.conf: when not blank, its search list and ndots win.
    pub resolv: String,
    pub libc: String,
    pub family: String,
}

pub fn dns(input: &DnsInput) -> Result<dns::Report, String> {
    let name = input.name.trim();
    if name.is_empty() || name.len() > 253 {
        return Err("the name must be 1 to 253 characters".into());
    }
    if name.chars().any(char::is_whitespace) {
        return Err("a DNS name has no spaces".into());
    }
    let (search, ndots) = if input.resolv.trim().is_empty() {
        let listed: Vec<String> = input
            .search
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        let search = if listed.is_empty() {
            let ns = input.namespace.trim();
            let domain = input.domain.trim();
            dns::pod_search(
                if ns.is_empty() { "default" } else { ns },
                if domain.is_empty() {
                    "cluster.local"
                } else {
                    domain
                },
            )
        } else {
            listed
        };
        let ndots: u32 = optional("ndots", &input.ndots)?.unwrap_or(5);
        if ndots > 15 {
            return Err("ndots: 0 to 15 (the resolver caps it at 15)".into());
        }
        (search, ndots)
    } else {
        dns::from_resolv_conf(&input.resolv).map_err(|e| format!("resolv.conf: {e}"))?
    };
    let libc = match input.libc.as_str() {
        "musl" => dns::Libc::Musl,
        _ => dns::Libc::Glibc,
    };
    let family = match input.family.as_str() {
        "a" => dns::Family::A,
        "aaaa" => dns::Family::Aaaa,
        _ => dns::Family::Both,
    };
    Ok(dns::report(name, &search, ndots, libc, family))
}

/// `N queries per name; … until the name as typed answers; … if every name is NXDOMAIN.`
pub fn dns_counts(r: &dns::Report) -> String {
    format!(
        "{} quer{} per name; {} before the name as typed answers; {} if every name is NXDOMAIN.",
        r.queries_per_try,
        if r.queries_per_try == 1 { "y" } else { "ies" },
        r.queries_until_as_typed,
        r.queries_if_nxdomain
    )
}

/// `google.com: 1 dot(s), ndots:5, glibc, search a b c`.
pub fn dns_head(r: &dns::Report) -> String {
    let libc = match r.libc {
        dns::Libc::Glibc => "glibc",
        dns::Libc::Musl => "musl",
    };
    format!(
        "`{}`: {} dot(s), ndots:{}, {libc}, search {}",
        r.name,
        r.dots,
        r.ndots,
        if r.search.is_empty() {
            "(none)".to_string()
        } else {
            r.search.join(" ")
        }
    )
}

pub fn dns_markdown(r: &dns::Report) -> String {
    let mut s = format!(
        "# DNS search expansion\n\n{}\n\n| # | name asked |\n|---|---|\n",
        dns_head(r)
    );
    for (i, t) in r.tries.iter().enumerate() {
        s.push_str(&format!("| {} | `{t}` |\n", i + 1));
    }
    s.push('\n');
    s.push_str(&dns_counts(r));
    s.push('\n');
    for f in &r.fixes {
        s.push_str(&format!("- {f}\n"));
    }
    s
}

// ---------------------------------------------------------------------------------------
// Policy

/// The seed lab's fixed manifests: deny-all, frontend → backend, DNS egress to a
/// namespace labelled `name: kube-system` (which no stock namespace carries), the apps.
pub const POLICY_EXAMPLE: &[(&str, &str)] = &[
    (
        "fixed/deny-all.yaml",
        include_str!("../../tests/fixtures/netpol-seed-lab/fixed/deny-all.yaml"),
    ),
    (
        "fixed/allow-frontend-to-backend.yaml",
        include_str!("../../tests/fixtures/netpol-seed-lab/fixed/allow-frontend-to-backend.yaml"),
    ),
    (
        "fixed/allow-dns.yaml",
        include_str!("../../tests/fixtures/netpol-seed-lab/fixed/allow-dns.yaml"),
    ),
    (
        "common/apps.yaml",
        include_str!("../../tests/fixtures/netpol-seed-lab/common/apps.yaml"),
    ),
];

/// The example as one paste: the files as YAML documents, each headed by its name.
pub fn policy_example() -> String {
    POLICY_EXAMPLE
        .iter()
        .map(|(name, text)| format!("# {name}\n{}\n", text.trim_end()))
        .collect::<Vec<_>>()
        .join("---\n")
}

/// One cell of the matrix: what `src` may open on `dst`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub src: usize,
    pub dst: usize,
    /// `TCP 5678`, `All Connections`, or empty when denied.
    pub ports: String,
    /// The port to explain the pair with: the first allowed one (TCP first), else the
    /// destination's first container port, else TCP/80.
    pub probe: String,
}

impl Cell {
    pub fn allowed(&self) -> bool {
        !self.ports.is_empty()
    }
}

/// The policy page's analysis of a set of manifests.
#[derive(Debug, Clone)]
pub struct PolicyView {
    pub model: Arc<Model>,
    /// `namespace/name[Kind]`, the matrix's row and column heads.
    pub workloads: Vec<String>,
    /// Row-major, `workloads × workloads` (at most [`MAX_MATRIX`] of them).
    pub cells: Vec<Vec<Cell>>,
    /// More workloads than the matrix shows.
    pub clipped: bool,
    /// Allowed connections from or to an IP range outside the cluster.
    pub external: Vec<String>,
    pub findings: Vec<Finding>,
    /// What could not be read: `file:line: message`.
    pub problems: Vec<String>,
}

/// `TCP/5678`: the first allowed port of a set, TCP before UDP and SCTP.
fn first_port(set: &policy::PortSet) -> Option<String> {
    let order = ["TCP", "UDP", "SCTP"];
    order.iter().find_map(|name| {
        let p = PROTOCOLS.iter().position(|x| x == name)?;
        set.ranges(p)
            .first()
            .map(|(lo, _)| format!("{name}/{}", (*lo).max(1)))
    })
}

pub fn policy_view(files: Vec<Manifest>) -> PolicyView {
    let model = policy::load(files);
    let ev = Evaluator::new(&model);
    let n = model.workloads.len().min(MAX_MATRIX);
    let workloads: Vec<String> = model
        .workloads
        .iter()
        .take(n)
        .map(policy::Workload::display)
        .collect();
    let default_port = |d: usize| {
        model
            .workloads
            .get(d)
            .and_then(|w| w.ports.first())
            .map(|p| format!("{}/{}", p.protocol, p.container_port))
            .unwrap_or_else(|| "TCP/80".to_string())
    };
    let cells = (0..n)
        .map(|s| {
            (0..n)
                .map(|d| {
                    let set = ev.allowed(Endpoint::Pod(s), Endpoint::Pod(d));
                    let ports = if set.is_empty() {
                        String::new()
                    } else {
                        set.text()
                    };
                    Cell {
                        src: s,
                        dst: d,
                        ports,
                        probe: first_port(&set).unwrap_or_else(|| default_port(d)),
                    }
                })
                .collect()
        })
        .collect();
    let external = policy::list(&model)
        .connections
        .into_iter()
        .filter(|c| c.src_kind == "External" || c.dst_kind == "External")
        .map(|c| c.line)
        .collect();
    let findings = policy::lint(&model);
    let problems = model
        .problems
        .iter()
        .map(|p| format!("{}:{}: {}", p.file, p.line, p.message))
        .collect();
    PolicyView {
        clipped: model.workloads.len() > n,
        workloads,
        cells,
        external,
        findings,
        problems,
        model: Arc::new(model),
    }
}

/// Why `src` may or may not reach `dst` on `port` (`PROTO/PORT`).
pub fn policy_explain(
    view: &PolicyView,
    src: usize,
    dst: usize,
    port: &str,
) -> Result<Verdict, String> {
    let name = |i: usize| {
        view.workloads
            .get(i)
            .cloned()
            .ok_or_else(|| "no such workload".to_string())
    };
    policy::eval(&view.model, &name(src)?, &name(dst)?, port.trim())
}

pub fn verdict_markdown(v: &Verdict) -> String {
    let mut s = format!(
        "# {}\n\n",
        v.explanation.first().cloned().unwrap_or_default()
    );
    for l in v.explanation.iter().skip(1) {
        let depth = if l.starts_with("  ") { "  " } else { "" };
        s.push_str(&format!("{depth}- {}\n", l.trim_start()));
    }
    s
}

pub fn policy_markdown(view: &PolicyView, verdict: Option<&Verdict>) -> String {
    let mut s = format!(
        "# NetworkPolicy analysis\n\n{} workloads, {} policies, {} findings.\n\n## Allowed connections\n\n| source | destination | connections |\n|---|---|---|\n",
        view.model.workloads.len(),
        view.model.policies.len(),
        view.findings.len()
    );
    for row in &view.cells {
        for c in row.iter().filter(|c| c.allowed() && c.src != c.dst) {
            let name = |i: usize| view.workloads.get(i).cloned().unwrap_or_default();
            s.push_str(&format!(
                "| `{}` | `{}` | {} |\n",
                name(c.src),
                name(c.dst),
                c.ports
            ));
        }
    }
    for line in &view.external {
        let (src, rest) = line.split_once(" => ").unwrap_or((line, ""));
        let (dst, conns) = rest.split_once(" : ").unwrap_or((rest, ""));
        s.push_str(&format!("| `{src}` | `{dst}` | {conns} |\n"));
    }
    s.push('\n');
    if let Some(v) = verdict {
        s.push_str(&verdict_markdown(v).replacen("# ", "## ", 1));
        s.push('\n');
    }
    if !view.findings.is_empty() {
        s.push_str("# Lint\n\n");
        s.push_str(&findings_markdown(&view.findings, |l| format!("line {l}")));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value<'a>(rows: &'a Rows, k: &str) -> Option<&'a str> {
        rows.iter().find(|(f, _)| f == k).map(|(_, v)| v.as_str())
    }

    #[test]
    fn subnet_fields_and_split() {
        let rows = subnet("10.244.0.0/16").unwrap_or_default();
        assert_eq!(value(&rows, "hosts"), Some("65534"));
        assert_eq!(value(&rows, "netmask"), Some("255.255.0.0"));
        assert_eq!(rows.first().map(|r| r.0.as_str()), Some("cidr"));
        let rows = subnet("10.0.0.7 255.255.255.0").unwrap_or_default();
        assert_eq!(value(&rows, "cidr"), Some("10.0.0.0/24"));
        let rows = subnet("10.0.0.0-10.0.0.9").unwrap_or_default();
        assert_eq!(value(&rows, "cidrs"), Some("10.0.0.0/29, 10.0.0.8/31"));
        assert!(subnet("10.0.0.300/8").is_err());
        let s = split("10.244.0.0/16", "24", "").map_err(|e| e.to_string());
        assert_eq!(
            s.as_ref()
                .map(|s| (s.count.as_str(), s.subnets.get(1).cloned())),
            Ok(("256", Some("10.244.1.0/24".to_string())))
        );
        assert!(split("10.244.0.0/16", "8", "").is_err());
        assert!(split("10.244.0.0/16", "x", "").is_err());
        assert!(split("10.244.0.0/16", "24", "0").is_err());
    }

    #[test]
    fn plan_highlights_the_docker_bridge() {
        let input = PlanInput {
            pods: "172.16.0.0/12".into(),
            services: "10.96.0.0/12".into(),
            node_mask: "24".into(),
            max_pods: "110".into(),
            ..Default::default()
        };
        let p = plan(&input).map_err(|e| e.to_string());
        let Ok(p) = p else {
            panic!("{p:?}");
        };
        assert!(p.collisions.iter().any(|c| c.b.cidr == "172.17.0.0/16"));
        assert!(p.findings.iter().any(|f| f.id == "cidr-overlap"));
        let md = plan_markdown(&p);
        assert!(md.contains("172.17.0.0/16") && md.contains("# Runbooks"));
        let bad = PlanInput {
            node_mask: "x".into(),
            ..input
        };
        assert!(plan(&bad).is_err_and(|e| e.contains("node mask")));
    }

    #[test]
    fn mtu_vxlan_and_mismatch() {
        let mut input = MtuInput {
            underlay: "1500".into(),
            encap: "vxlan".into(),
            ..Default::default()
        };
        let a = mtu(&input).map_err(|e| e.to_string());
        assert_eq!(a.as_ref().map(|a| a.plan.pod_mtu), Ok(1450));
        assert!(a.is_ok_and(|a| a.mismatch.is_none()));
        input.configured = "1500".into();
        let a = mtu(&input).map_err(|e| e.to_string());
        assert_eq!(
            a.as_ref()
                .map(|a| a.mismatch.as_ref().map(|f| f.id.clone())),
            Ok(Some("mtu-overlay-mismatch".to_string()))
        );
        assert!(a.is_ok_and(|a| mtu_markdown(&a).contains("mtu-overlay-mismatch")));
        input.underlay = "100".into();
        assert!(mtu(&input).is_err());
        input.underlay = "abc".into();
        assert!(mtu(&input).is_err());
    }

    #[test]
    fn dns_expansion_in_a_namespace() {
        let input = DnsInput {
            name: "google.com".into(),
            namespace: "shop".into(),
            ..Default::default()
        };
        let r = dns(&input).map_err(|e| e.to_string());
        let Ok(r) = r else {
            panic!("{r:?}");
        };
        assert_eq!(r.tries.len(), 4);
        assert_eq!(
            r.tries.first().map(String::as_str),
            Some("google.com.shop.svc.cluster.local.")
        );
        assert_eq!(r.queries_if_nxdomain, 8);
        assert!(!r.fixes.is_empty());
        assert!(dns_markdown(&r).contains("| 1 | `google.com.shop.svc.cluster.local.` |"));
        let resolv = DnsInput {
            resolv: "search a.svc.cluster.local svc.cluster.local\noptions ndots:2\n".into(),
            ..input.clone()
        };
        assert_eq!(dns(&resolv).map(|r| r.tries.len()), Ok(3));
        assert!(dns(&DnsInput::default()).is_err());
    }

    #[test]
    fn policy_example_matrix_explain_and_lint() {
        let view = policy_view(vec![Manifest {
            name: "paste.yaml".into(),
            text: policy_example(),
        }]);
        assert!(view.problems.is_empty(), "{:?}", view.problems);
        let idx = |n: &str| view.workloads.iter().position(|w| w.contains(n));
        let (Some(f), Some(b)) = (idx("/frontend["), idx("/backend[")) else {
            panic!("workloads: {:?}", view.workloads);
        };
        let cell = |s: usize, d: usize| view.cells.get(s).and_then(|r| r.get(d));
        assert_eq!(cell(f, b).map(|c| c.ports.as_str()), Some("TCP 5678"));
        assert_eq!(cell(f, b).map(|c| c.probe.as_str()), Some("TCP/5678"));
        assert_eq!(cell(b, f).map(Cell::allowed), Some(false));
        let v = policy_explain(&view, f, b, "TCP/5678").map_err(|e| e.to_string());
        assert!(v.as_ref().is_ok_and(|v| v.allowed));
        assert!(v.is_ok_and(|v| v
            .explanation
            .iter()
            .any(|l| l.contains("allow-frontend-to-backend"))));
        assert!(policy_explain(&view, f, b, "TCP/x").is_err());
        assert!(view
            .findings
            .iter()
            .any(|f| f.id == "netpol-namespace-label-missing"));
        let md = policy_markdown(&view, None);
        assert!(md.contains("TCP 5678") && md.contains("netpol-namespace-label-missing"));
    }

    #[test]
    fn policy_garbage_is_a_problem_not_a_panic() {
        let view = policy_view(vec![Manifest {
            name: "paste.yaml".into(),
            text: "kind: [\n  - : :".into(),
        }]);
        assert!(view.workloads.is_empty());
        assert!(!view.problems.is_empty());
    }
}
