//! From parsed segments to [`Facts`]: one adapter per record kind, then the joins.
//!
//! Adapters only translate; merging (the same Service seen by `get svc` and `describe
//! svc`) happens in the `upsert_*` helpers, keyed by namespace and name, where an
//! unknown namespace matches any.

use super::*;
use crate::parse::{self, Parsed, Records};
use crate::split::Segment;
use std::collections::HashSet;

/// Build the store from every segment that parsed.
pub fn build(parsed: &[(&Segment, Option<&Parsed>)]) -> Facts {
    let mut b = Builder::default();
    for (seg, p) in parsed {
        if let Some(p) = p {
            b.add(seg, p);
        }
    }
    b.finish()
}

/// The store built one parsed segment at a time, so a caller can drop each segment's
/// records once they are facts: [`build`] is `add` for every segment, then `finish`.
///
/// A big segment's records may come in chunks ([`parse::parse_stream`]): `begin` the
/// segment, `add_records` for each chunk, then `end` it; what has to see the whole
/// segment (socket pile-ups, folded conntrack tuples, kube-proxy's chains) gathers in
/// between and becomes facts at `end`.
#[derive(Debug, Default)]
pub struct Builder {
    f: Facts,
    /// Names of the Services (endpoints, slices) a kubectl command asked for.
    named: Vec<String>,
    /// What the segment being read has gathered so far.
    open: Open,
}

impl Builder {
    /// Turn one parsed segment's records into facts.
    pub fn add(&mut self, seg: &Segment, p: &Parsed) {
        self.begin(seg, p.kind);
        self.add_records(seg, &p.records);
        self.end(seg);
    }

    /// Start a segment of this kind.
    pub fn begin(&mut self, seg: &Segment, kind: &str) {
        let f = &mut self.f;
        if !f.kinds_seen.iter().any(|k| k == kind) {
            f.kinds_seen.push(kind.to_string());
        }
        self.open = Open::default();
        if let Some(k) = seg.kubectl() {
            if k.resource
                .as_deref()
                .is_some_and(|r| r == "services" || r == "endpoints" || r == "endpointslices")
            {
                self.named.extend(k.names.iter().cloned());
            }
        }
    }

    /// One chunk of the segment's records (or all of them).
    pub fn add_records(&mut self, seg: &Segment, records: &Records) {
        add(&mut self.f, &mut self.open, seg, records);
    }

    /// The segment is read: what gathered over its chunks becomes facts.
    pub fn end(&mut self, seg: &Segment) {
        std::mem::take(&mut self.open).finish(&mut self.f, seg);
    }

    /// The joins that need every output read first; the store.
    pub fn finish(mut self) -> Facts {
        join(&mut self.f, &self.named);
        self.f
    }
}

/// What one segment gathers over its chunks of records, for the facts that need all of
/// them: each part is empty unless the segment is of its kind.
#[derive(Debug, Default)]
struct Open {
    pileups: Pileups,
    conntrack: ConntrackFold,
    iptables: Option<IptablesFold>,
    ipvs: Option<IpvsFold>,
    /// A node-local-dns pod was already seen in this `get pods`.
    nodelocal_pod: bool,
}

impl Open {
    fn finish(self, f: &mut Facts, seg: &Segment) {
        self.pileups.finish(f);
        self.conntrack.finish(f);
        if let Some(ipt) = self.iptables {
            ipt.finish(f, seg);
        }
        if let Some(ipvs) = self.ipvs {
            ipvs.finish(f, seg);
        }
    }
}

/// Joins that need every output read first.
fn join(f: &mut Facts, named: &[String]) {
    for (i, fe) in f.frontends.iter().enumerate() {
        f.index.frontends_by_vip.entry(fe.vip).or_default().push(i);
    }
    for (i, nf) in f.nat_flows.iter().enumerate() {
        f.index.nat_flows_by_vip.entry(nf.vip).or_default().push(i);
    }
    // Endpoints without their Service still tell of one: the Service of the same name.
    let orphans: Vec<(Option<String>, String, usize)> = f
        .endpoints
        .iter()
        .filter(|e| f.service(&e.name, e.namespace.as_deref()).is_none())
        .map(|e| (e.namespace.clone(), e.name.clone(), e.line))
        .collect();
    for (ns, name, line) in orphans {
        let s = upsert_service(f, ns.as_deref(), &name);
        push_line(&mut s.lines, line);
    }
    let probed: Vec<String> = f
        .probes
        .iter()
        .filter_map(|p| f.service_for_probe(p).map(|s| s.name.clone()))
        .collect();
    // A nodePort outside the default range is refused by the API server (unless the
    // cluster widened --service-node-port-range).
    let mut out_of_range = Vec::new();
    for s in &f.services {
        for p in &s.ports {
            if let Some(np) = p.node_port.filter(|n| !(30000..=32767).contains(n)) {
                let mut fields = BTreeMap::new();
                fields.insert("name".to_string(), s.name.clone());
                fields.insert("value".to_string(), np.to_string());
                if let Some(ns) = &s.namespace {
                    fields.insert("namespace".to_string(), ns.clone());
                }
                out_of_range.push((fields, p.line));
            }
        }
    }
    for (fields, line) in out_of_range {
        signal(f, "manifest", "nodeport-out-of-range", "", &fields, line);
    }
    // kube-proxy's rules name the Service of each ClusterIP: a Service they tell of.
    let told: Vec<(String, String, IpAddr, usize)> = f
        .frontends
        .iter()
        .filter(|fe| fe.role.as_deref() == Some("cluster IP") || fe.no_endpoints)
        .filter_map(|fe| {
            let svc = fe.service.as_deref()?;
            let (ns, rest) = svc.split_once('/')?;
            let name = rest.split(':').next()?;
            Some((ns.to_string(), name.to_string(), fe.vip, fe.line))
        })
        .collect();
    let mut cluster_ips: HashSet<IpAddr> = f.services.iter().filter_map(|s| s.cluster_ip).collect();
    for (ns, name, vip, line) in told {
        if cluster_ips.contains(&vip) {
            continue;
        }
        let s = upsert_service(f, Some(&ns), &name);
        if s.cluster_ip.is_none() {
            s.cluster_ip = Some(vip);
        }
        push_line(&mut s.lines, line);
        cluster_ips.extend(s.cluster_ip);
    }
    let named: HashSet<&str> = named.iter().map(String::as_str).collect();
    let probed: HashSet<String> = probed.into_iter().collect();
    let with_endpoints: HashSet<String> = f.endpoints.iter().map(|e| e.name.clone()).collect();
    for s in &mut f.services {
        s.in_focus = named.contains(s.name.as_str())
            || probed.contains(&s.name)
            || with_endpoints.contains(&s.name)
            || s.described_endpoints.is_some();
    }
}

/// Where the command ran, when it was `kubectl exec … --`.
struct Client {
    pod: Option<String>,
    namespace: Option<String>,
}

fn client(seg: &Segment) -> Client {
    let exec = seg.command.as_ref().and_then(|c| c.exec_in.as_ref());
    Client {
        pod: exec.and_then(|e| e.pod.clone()),
        namespace: exec.and_then(|e| e.namespace.clone()),
    }
}

/// The namespace kubectl's `-n` gives rows that carry none.
fn cmd_namespace(seg: &Segment) -> Option<String> {
    seg.kubectl().and_then(|k| k.namespace.clone())
}

fn upsert_service<'f>(f: &'f mut Facts, namespace: Option<&str>, name: &str) -> &'f mut Service {
    let pos = f.index.services.get(name).and_then(|ix| {
        ix.iter()
            .copied()
            .find(|&i| ns_compatible(f.services[i].namespace.as_deref(), namespace))
    });
    let i = match pos {
        Some(i) => i,
        None => {
            f.services.push(Service {
                name: name.to_string(),
                namespace: namespace.map(str::to_string),
                ..Service::default()
            });
            let i = f.services.len() - 1;
            f.index
                .services
                .entry(name.to_string())
                .or_default()
                .push(i);
            i
        }
    };
    let s = &mut f.services[i];
    if s.namespace.is_none() {
        s.namespace = namespace.map(str::to_string);
    }
    s
}

fn upsert_pod<'f>(f: &'f mut Facts, namespace: Option<&str>, name: &str) -> &'f mut Pod {
    let pos = f.index.pods.get(name).and_then(|ix| {
        ix.iter()
            .copied()
            .find(|&i| ns_compatible(f.pods[i].namespace.as_deref(), namespace))
    });
    let i = match pos {
        Some(i) => i,
        None => {
            f.pods.push(Pod {
                name: name.to_string(),
                namespace: namespace.map(str::to_string),
                ..Pod::default()
            });
            let i = f.pods.len() - 1;
            f.index.pods.entry(name.to_string()).or_default().push(i);
            i
        }
    };
    let p = &mut f.pods[i];
    if p.namespace.is_none() {
        p.namespace = namespace.map(str::to_string);
    }
    p
}

fn upsert_endpoints<'f>(
    f: &'f mut Facts,
    namespace: Option<&str>,
    name: &str,
    line: usize,
) -> &'f mut Endpoints {
    let pos = f.index.endpoints.get(name).and_then(|ix| {
        ix.iter()
            .copied()
            .find(|&i| ns_compatible(f.endpoints[i].namespace.as_deref(), namespace))
    });
    let i = match pos {
        Some(i) => i,
        None => {
            f.endpoints.push(Endpoints {
                name: name.to_string(),
                namespace: namespace.map(str::to_string),
                line,
                ..Endpoints::default()
            });
            let i = f.endpoints.len() - 1;
            f.index
                .endpoints
                .entry(name.to_string())
                .or_default()
                .push(i);
            i
        }
    };
    &mut f.endpoints[i]
}

fn push_line(lines: &mut Vec<usize>, line: usize) {
    if line > 0 && !lines.contains(&line) {
        lines.push(line);
    }
}

fn add(f: &mut Facts, open: &mut Open, seg: &Segment, records: &Records) {
    match records {
        Records::K8sObjects(objs) => {
            objects(f, seg, objs);
            config_map_payloads(f, objs);
        }
        Records::KubeletConfig(rows) => kubelet(f, rows),
        Records::KubectlGetSvc(rows) => get_svc(f, seg, rows),
        Records::KubectlGetEndpoints(rows) => get_endpoints(f, seg, rows),
        Records::KubectlGetEndpointslices(rows) => get_endpointslices(f, seg, rows),
        Records::KubectlGetPods(rows) => get_pods(f, open, seg, rows),
        Records::KubectlDescribeSvc(recs) => describe_svc(f, seg, recs),
        Records::Curl(rows)
        | Records::Wget(rows)
        | Records::Nc(rows)
        | Records::Telnet(rows)
        | Records::NetErrors(rows) => probes(f, seg, rows),
        Records::Ss(rows) => ss(f, open, seg, rows),
        Records::Netstat(rows) => netstat(f, open, seg, rows),
        Records::ResolvConf(recs) => resolv_conf(f, seg, recs),
        Records::Nslookup(recs) => nslookup(f, seg, recs),
        Records::Dig(recs) => dig(f, seg, recs),
        Records::CorednsLog(recs) => coredns_log(f, recs),
        Records::KubeProxyLog(recs) => kube_proxy_log(f, recs),
        Records::KubeletLog(recs) => kubelet_log(f, recs),
        Records::KernelLog(recs) => kernel_log(f, recs),
        Records::KubectlError(recs) => kubectl_error(f, recs),
        Records::IptablesVersion(recs) => iptables_version(f, recs),
        Records::IptablesSave(recs) => {
            iptables_save(f, recs);
            open.iptables
                .get_or_insert_with(IptablesFold::default)
                .feed(f, recs);
        }
        Records::IptablesList(recs) => iptables_list(f, recs),
        Records::IpRoute(_) => {}
        Records::IpRouteGet(recs) => ip_route_get(f, recs),
        Records::IpAddr(recs) => ip_addr(f, seg, recs),
        Records::IpLink(recs) => ip_link(f, seg, recs),
        Records::IpNeigh(recs) => ip_neigh(f, recs),
        Records::IpRule(_) => {}
        Records::Sysctl(recs) => sysctl(f, recs),
        Records::Ipvsadm(recs) => open
            .ipvs
            .get_or_insert_with(IpvsFold::default)
            .feed(f, recs),
        Records::Ipset(_) => {}
        Records::Nft(recs) => nft_frontends(f, seg, recs),
        Records::Ping(recs) => ping(f, seg, recs),
        Records::Tracepath(recs) => tracepath(f, seg, recs),
        Records::Traceroute(_) => {}
        Records::Mtr(_) => {}
        Records::Tcpdump(recs) => tcpdump(f, seg, recs),
        Records::Conntrack(recs) => open.conntrack.feed(f.nat_flows.len(), recs),
        Records::Host(recs) => host_lookups(f, seg, recs),
        Records::Getent(recs) => getent_lookups(f, seg, recs),
        Records::EthtoolFeatures(recs) => ethtool_features(f, recs),
        Records::CniConfig(recs) => cni_config(f, recs),
        Records::CniAgentLog(recs) => cni_agent_log(f, seg, recs),
        Records::KubeProxyConfig(recs) => kube_proxy_config(f, recs),
        Records::KubectlGetNodes(rows) => get_nodes(f, rows),
        Records::KubectlGetEvents(rows) => get_events(f, seg, rows),
        Records::KubectlGetDeploy(_) => {}
        Records::KubectlGetNs(rows) => get_ns(f, rows),
        Records::KubectlGetNetpol(_) => {}
        Records::KubectlDescribePod(recs) => describe_pod(f, seg, recs),
        Records::KubectlDescribeNode(recs) => describe_node(f, recs),
        Records::KubectlDescribeEndpoints(recs) => describe_endpoints(f, seg, recs),
        Records::KubectlDescribeNetpol(recs) => describe_netpol(f, seg, recs),
        Records::KubectlJsonpath(_) => {}
        Records::ClusterConfig(recs) => cluster_config(f, recs),
    }
}

// ------------------------------------------------------------------ objects

fn target_port(t: &parse::k8s_objects::TargetPort) -> TargetPort {
    match t {
        parse::k8s_objects::TargetPort::Number(n) => TargetPort::Number(*n),
        parse::k8s_objects::TargetPort::Name(s) => TargetPort::Name(s.clone()),
    }
}

fn selector(s: &parse::k8s_objects::LabelSelector) -> Selector {
    Selector {
        match_labels: s.match_labels.clone(),
        match_expressions: s
            .match_expressions
            .iter()
            .map(|r| (r.key.clone(), r.operator.clone(), r.values.clone()))
            .collect(),
    }
}

fn pod_spec(p: &mut Pod, spec: &parse::k8s_objects::PodSpec, fallback_line: usize) {
    use parse::k8s_objects::ContainerPort as Cp;
    if let Some(ip) = spec.pod_ip.as_deref().and_then(|s| s.parse().ok()) {
        p.ip = Some(ip);
    }
    if spec.node_name.is_some() {
        p.node = spec.node_name.clone();
    }
    if spec.phase.is_some() {
        p.status = spec.phase.clone();
    }
    for c in &spec.containers {
        for Cp {
            line,
            name,
            container_port,
            protocol,
        } in &c.ports
        {
            p.container_ports.push(ContainerPort {
                name: name.clone(),
                port: *container_port,
                protocol: protocol.clone(),
                line: *line,
            });
        }
    }
    // The endpoints controller reads the Ready condition, not the containers' flags.
    if let Some(c) = spec.conditions.iter().find(|c| c.condition_type == "Ready") {
        let ready = c.status == "True";
        p.ready = Some(Sourced {
            value: ready,
            line: c.line,
        });
        if !ready {
            p.not_ready_reason = Some(match &c.reason {
                Some(r) => format!("Ready condition False: {r}"),
                None => "Ready condition False".into(),
            });
        }
    } else if let Some(w) = spec
        .container_statuses
        .iter()
        .find(|s| s.waiting_reason.is_some() || s.ready == Some(false))
    {
        p.ready = Some(Sourced {
            value: false,
            line: w.line,
        });
        p.not_ready_reason = w
            .waiting_reason
            .clone()
            .or(Some(format!("container {} not ready", w.name)));
    } else if !spec.container_statuses.is_empty()
        && spec
            .container_statuses
            .iter()
            .all(|s| s.ready == Some(true))
    {
        p.ready = Some(Sourced {
            value: true,
            line: spec.container_statuses[0].line.max(fallback_line),
        });
    }
}

fn objects(f: &mut Facts, seg: &Segment, objs: &[parse::k8s_objects::Object]) {
    use parse::k8s_objects::Spec;
    let cmd_ns = cmd_namespace(seg);
    for o in objs {
        let ns = o.namespace.clone().or(cmd_ns.clone());
        let ns = ns.as_deref();
        if let Spec::ClusterConfiguration {
            pod_subnet,
            pod_subnet_line,
            service_subnet,
            service_subnet_line,
            control_plane_endpoint,
            control_plane_endpoint_line,
            cert_sans,
        } = &o.spec
        {
            cluster_configuration(
                f,
                [
                    (pod_subnet, pod_subnet_line, "pod CIDR (podSubnet)"),
                    (
                        service_subnet,
                        service_subnet_line,
                        "Service CIDR (serviceSubnet)",
                    ),
                ],
                control_plane_endpoint
                    .as_deref()
                    .map(|e| (e, control_plane_endpoint_line.unwrap_or(o.line))),
                cert_sans,
            );
            continue;
        }
        let Some(name) = o.name.as_deref() else {
            if let Spec::KubeletConfiguration {
                cluster_dns,
                cluster_dns_line,
                ..
            } = &o.spec
            {
                kubelet_dns(f, cluster_dns, cluster_dns_line.unwrap_or(o.line));
            }
            continue;
        };
        match &o.spec {
            Spec::Service {
                selector: sel,
                selector_line,
                service_type,
                cluster_ip,
                ports,
                external_traffic_policy,
                external_traffic_policy_line,
                ..
            } => {
                let s = upsert_service(f, ns, name);
                push_line(&mut s.lines, o.line);
                if let Some(sel) = sel {
                    s.selector = Some(Sourced {
                        value: sel.clone(),
                        line: selector_line.unwrap_or(o.line),
                    });
                }
                if service_type.is_some() {
                    s.service_type = service_type.clone();
                }
                match cluster_ip.as_deref() {
                    Some("None") => s.headless = true,
                    Some(ip) => s.cluster_ip = ip.parse().ok().or(s.cluster_ip),
                    None => {}
                }
                if !ports.is_empty() {
                    s.ports = ports
                        .iter()
                        .map(|p| ServicePort {
                            name: p.name.clone(),
                            port: p.port,
                            protocol: p.protocol.clone(),
                            target_port: p.target_port.as_ref().map(target_port),
                            target_port_line: p.target_port_line,
                            node_port: p.node_port,
                            line: p.line,
                        })
                        .collect();
                }
                if let Some(etp) = external_traffic_policy {
                    s.external_traffic_policy = Some(Sourced {
                        value: etp.clone(),
                        line: external_traffic_policy_line.unwrap_or(o.line),
                    });
                }
            }
            Spec::Endpoints {
                subsets,
                subsets_line,
            } => {
                let e = upsert_endpoints(f, ns, name, subsets_line.unwrap_or(o.line));
                e.complete = true;
                for sub in subsets {
                    let ports: Vec<u16> = sub.ports.iter().map(|p| p.port).collect();
                    let fmt = |ip: &str| match ports.as_slice() {
                        [] => ip.to_string(),
                        ps => ps
                            .iter()
                            .map(|p| format!("{ip}:{p}"))
                            .collect::<Vec<_>>()
                            .join(","),
                    };
                    e.ready.extend(sub.addresses.iter().map(|a| fmt(&a.ip)));
                    e.not_ready
                        .extend(sub.not_ready_addresses.iter().map(|a| fmt(&a.ip)));
                }
            }
            Spec::EndpointSlice {
                service_name,
                endpoints,
                ..
            } => {
                let svc = service_name.clone().unwrap_or_else(|| name.to_string());
                let e = upsert_endpoints(f, ns, &svc, o.line);
                e.complete = true;
                for ep in endpoints {
                    if ep.ready != Some(false) {
                        e.ready.extend(ep.addresses.iter().cloned());
                    } else {
                        e.not_ready.extend(ep.addresses.iter().cloned());
                    }
                }
            }
            Spec::Pod { pod } => {
                let labels = (!o.labels.is_empty()).then(|| Sourced {
                    value: o.labels.clone(),
                    line: o.line,
                });
                let p = upsert_pod(f, ns, name);
                push_line(&mut p.lines, o.line);
                if labels.is_some() {
                    p.labels = labels;
                }
                pod_spec(p, pod, o.line);
            }
            Spec::Workload {
                workload_kind,
                template_labels,
                template_labels_line,
                pod,
                ..
            } => {
                // A workload's pod template stands for its pods: its labels and ports
                // decide selector and targetPort questions even without the pods.
                let p = upsert_pod(f, ns, &format!("{}/{name}", workload_kind.to_lowercase()));
                push_line(&mut p.lines, o.line);
                if !template_labels.is_empty() {
                    p.labels = Some(Sourced {
                        value: template_labels.clone(),
                        line: template_labels_line.unwrap_or(o.line),
                    });
                }
                pod_spec(p, pod, o.line);
            }
            Spec::Namespace {} => f.namespaces.push(Namespace {
                name: name.to_string(),
                labels: o.labels.clone(),
                line: o.line,
            }),
            Spec::NetworkPolicy {
                pod_selector,
                pod_selector_line,
                policy_types,
                ingress,
                egress,
            } => {
                let has = |t: &str| {
                    policy_types
                        .as_ref()
                        .map(|v| v.iter().any(|x| x.eq_ignore_ascii_case(t)))
                };
                f.policies.push(Policy {
                    name: name.to_string(),
                    namespace: ns.map(str::to_string),
                    pod_selector: selector(pod_selector),
                    pod_selector_line: pod_selector_line.unwrap_or(o.line),
                    // Without policyTypes, Ingress always applies and Egress when egress rules exist.
                    ingress_isolated: has("Ingress").unwrap_or(true),
                    egress_isolated: has("Egress").unwrap_or(egress.is_some()),
                    ingress_rules: ingress.as_ref().map_or(0, Vec::len),
                    egress_rules: egress.as_ref().map_or(0, Vec::len),
                    first_line: o.first_line,
                    last_line: o.last_line,
                    policy_types_line: None,
                });
            }
            Spec::KubeletConfiguration {
                cluster_dns,
                cluster_dns_line,
                ..
            } => kubelet_dns(f, cluster_dns, cluster_dns_line.unwrap_or(o.line)),
            _ => {}
        }
    }
}

fn kubelet_dns(f: &mut Facts, values: &[String], line: usize) {
    for v in values {
        if let Ok(ip) = v.trim().parse() {
            f.cluster_dns.push(Sourced { value: ip, line });
        }
    }
}

fn kubelet(f: &mut Facts, rows: &[parse::kubelet_config::Record]) {
    for r in rows {
        if r.flag == "cluster-dns" {
            kubelet_dns(f, &r.values, r.line);
        }
    }
}

// ------------------------------------------------------------------ kubectl tables

fn addr(a: &parse::kubectl_table::EndpointAddress) -> String {
    match (a.ip, a.port) {
        (std::net::IpAddr::V6(ip), Some(p)) => format!("[{ip}]:{p}"),
        (ip, Some(p)) => format!("{ip}:{p}"),
        (ip, None) => ip.to_string(),
    }
}

fn get_svc(f: &mut Facts, seg: &Segment, rows: &[parse::kubectl_get_svc::Record]) {
    let cmd_ns = cmd_namespace(seg);
    for r in rows {
        let ns = r.namespace.clone().or(cmd_ns.clone());
        let s = upsert_service(f, ns.as_deref(), &r.name);
        push_line(&mut s.lines, r.line);
        if r.service_type.is_some() {
            s.service_type = r.service_type.clone();
        }
        s.cluster_ip = r.cluster_ip.or(s.cluster_ip);
        s.headless |= r.headless;
        if let Some(sel) = &r.selector {
            s.selector = Some(Sourced {
                value: sel.clone(),
                line: r.line,
            });
        }
        if s.ports.is_empty() {
            s.ports = r
                .ports
                .iter()
                .map(|p| ServicePort {
                    name: None,
                    port: p.port,
                    protocol: p.protocol.clone(),
                    target_port: None,
                    target_port_line: None,
                    node_port: p.node_port,
                    line: r.line,
                })
                .collect();
        }
    }
}

fn get_endpoints(f: &mut Facts, seg: &Segment, rows: &[parse::kubectl_get_endpoints::Record]) {
    let cmd_ns = cmd_namespace(seg);
    for r in rows {
        let ns = r.namespace.clone().or(cmd_ns.clone());
        let e = upsert_endpoints(f, ns.as_deref(), &r.name, r.line);
        e.complete |= r.more == 0;
        e.line = r.line;
        e.ready.extend(r.addresses.iter().map(addr));
        e.more += r.more;
    }
}

fn get_endpointslices(
    f: &mut Facts,
    seg: &Segment,
    rows: &[parse::kubectl_get_endpointslices::Record],
) {
    let cmd_ns = cmd_namespace(seg);
    for r in rows {
        let ns = r.namespace.clone().or(cmd_ns.clone());
        // Slices are named `<service>-<5 random chars>` unless the label says otherwise.
        let svc = r
            .labels
            .as_ref()
            .and_then(|l| l.get("kubernetes.io/service-name").cloned())
            .or_else(|| r.name.rsplit_once('-').map(|(s, _)| s.to_string()))
            .unwrap_or_else(|| r.name.clone());
        let e = upsert_endpoints(f, ns.as_deref(), &svc, r.line);
        e.complete |= r.more == 0;
        // The table does not show readiness: listed addresses count as endpoints.
        for ip in &r.endpoints {
            match r.ports.as_slice() {
                [] => e.ready.push(ip.to_string()),
                ports => e.ready.extend(ports.iter().map(|p| format!("{ip}:{p}"))),
            }
        }
        e.more += r.more;
    }
}

/// `-l app=x,tier=y` as labels (set-based selectors are not label maps: ignored).
fn listed_selector(seg: &Segment) -> Option<Labels> {
    let sel = seg.kubectl()?.selector.as_deref()?;
    if sel.contains(" in ") || sel.contains('!') || sel.contains("notin") {
        return None;
    }
    parse::common::parse_label_list(sel).filter(|m| !m.is_empty())
}

fn get_pods(
    f: &mut Facts,
    open: &mut Open,
    seg: &Segment,
    rows: &[parse::kubectl_get_pods::Record],
) {
    let cmd_ns = cmd_namespace(seg);
    if !open.nodelocal_pod {
        open.nodelocal_pod = nodelocal_from_pods(f, rows, cmd_ns.as_deref());
    }
    let listed = listed_selector(seg);
    let cmd_line = seg.command_line.unwrap_or(0);
    for r in rows {
        let ns = r.namespace.clone().or(cmd_ns.clone());
        let p = upsert_pod(f, ns.as_deref(), &r.name);
        push_line(&mut p.lines, r.line);
        if let Some(l) = &r.labels {
            p.labels = Some(Sourced {
                value: l.clone(),
                line: r.line,
            });
        }
        if let Some(l) = &listed {
            p.listed_by_selector = Some(Sourced {
                value: l.clone(),
                line: cmd_line,
            });
        }
        p.status = Some(r.status.clone());
        p.ip = r.ip.or(p.ip);
        if r.node.is_some() {
            p.node = r.node.clone();
        }
        // A Ready condition from the pod's YAML outranks the READY column.
        if p.ready.as_ref().is_some_and(|r| {
            r.line != 0
                && p.not_ready_reason
                    .as_deref()
                    .is_some_and(|x| x.starts_with("Ready condition"))
        }) {
            continue;
        }
        if let (Some(rc), Some(tc)) = (r.ready_containers, r.total_containers) {
            let ready = rc == tc && tc > 0 && r.status == "Running";
            p.ready = Some(Sourced {
                value: ready,
                line: r.line,
            });
            p.not_ready_reason = (!ready).then(|| format!("READY {rc}/{tc}, {}", r.status));
        }
    }
}

fn describe_svc(f: &mut Facts, seg: &Segment, recs: &[parse::kubectl_describe_svc::Record]) {
    use parse::kubectl_table::TargetPort as Tp;
    let cmd_ns = cmd_namespace(seg);
    for r in recs {
        let ns = r.namespace.clone().or(cmd_ns.clone());
        let s = upsert_service(f, ns.as_deref(), &r.name);
        push_line(&mut s.lines, r.line);
        s.selector = Some(Sourced {
            value: r.selector.clone(),
            line: r.selector_line.unwrap_or(r.line),
        });
        if r.service_type.is_some() {
            s.service_type = r.service_type.clone();
        }
        s.cluster_ip = r.ip.or(s.cluster_ip);
        if let Some(etp) = &r.external_traffic_policy {
            s.external_traffic_policy = Some(Sourced {
                value: etp.clone(),
                line: r.external_traffic_policy_line.unwrap_or(r.line),
            });
        }
        if !r.ports.is_empty() {
            s.ports = r
                .ports
                .iter()
                .map(|p| ServicePort {
                    name: p.name.clone(),
                    port: p.port,
                    protocol: p.protocol.clone(),
                    target_port: p.target_port.as_ref().map(|t| match t {
                        Tp::Number(n) => TargetPort::Number(*n),
                        Tp::Name(n) => TargetPort::Name(n.clone()),
                    }),
                    target_port_line: p.target_port_line,
                    node_port: p.node_port,
                    line: p.line,
                })
                .collect();
        }
        let mut eps: Option<Sourced<Vec<String>>> = None;
        for p in &r.ports {
            if let (Some(list), Some(line)) = (&p.endpoints, p.endpoints_line) {
                let e = eps.get_or_insert(Sourced {
                    value: Vec::new(),
                    line,
                });
                e.value.extend(list.iter().map(addr));
            }
        }
        if eps.is_some() {
            s.described_endpoints = eps;
        }
    }
}

// ------------------------------------------------------------------ probes

fn probes(f: &mut Facts, seg: &Segment, rows: &[parse::probe::Probe]) {
    use parse::probe::Outcome as O;
    let c = client(seg);
    for r in rows {
        let outcome = match r.outcome {
            O::Connected => ProbeOutcome::Connected,
            O::Refused => ProbeOutcome::Refused,
            O::Timeout => ProbeOutcome::Timeout,
            O::Reset | O::EmptyReply => ProbeOutcome::Reset,
            O::NameNotResolved => ProbeOutcome::NameNotResolved,
            O::NoRoute => ProbeOutcome::NoRoute,
            O::HttpStatus => ProbeOutcome::HttpStatus,
            _ => ProbeOutcome::Other,
        };
        // A client that could not resolve its target made a DNS lookup too.
        let lookup_name = r.lookup_name.clone().or_else(|| {
            (outcome == ProbeOutcome::NameNotResolved)
                .then(|| r.host.clone())
                .flatten()
        });
        if let Some(name) = lookup_name {
            let err = r
                .dns_error
                .as_deref()
                .unwrap_or(&r.message)
                .to_ascii_lowercase();
            let status = if err.contains("misbehaving") || err.contains("servfail") {
                LookupStatus::ServFail
            } else if err.contains("no such host") || err.contains("nxdomain") {
                LookupStatus::NxDomain
            } else if err.contains("timeout") || err.contains("timed out") {
                LookupStatus::Timeout
            } else {
                LookupStatus::Other
            };
            f.lookups.push(Lookup {
                tool: r.tool.clone(),
                name,
                server: r.dns_server.clone(),
                status,
                line: r.line,
                tried: Vec::new(),
                answers: Vec::new(),
                command: seg.command.as_ref().map(|c| c.text.clone()),
                client_pod: c.pod.clone(),
                client_namespace: c.namespace.clone(),
            });
            if outcome == ProbeOutcome::NameNotResolved
                || r.lookup_name.is_some() && outcome == ProbeOutcome::Other
            {
                continue;
            }
        }
        f.probes.push(Probe {
            tool: r.tool.clone(),
            host: r.host.clone(),
            ip: r.ip,
            port: r.port,
            url: r.url.clone(),
            outcome,
            http_status: r.http_status,
            line: r.line,
            message: r.message.clone(),
            client_pod: c.pod.clone(),
            client_namespace: c.namespace.clone(),
        });
    }
}

// ------------------------------------------------------------------ listeners

/// One socket row of ss or netstat, in the fields a listener needs.
struct Socket<'r> {
    proto: &'r str,
    state: Option<&'r str>,
    address: &'r str,
    port: Option<u16>,
    process: Option<String>,
    line: usize,
}

fn listener(f: &mut Facts, pod: Option<String>, s: Socket) {
    let listening = match s.state {
        Some(st) => {
            st.eq_ignore_ascii_case("LISTEN")
                || (s.proto.starts_with("udp") && st.eq_ignore_ascii_case("UNCONN"))
        }
        None => s.proto.starts_with("udp"),
    };
    if let (true, Some(port)) = (listening, s.port) {
        f.listeners.push(Listener {
            protocol: s.proto.to_string(),
            address: s.address.to_string(),
            port,
            process: s.process,
            line: s.line,
            pod,
        });
    }
}

fn ss(f: &mut Facts, open: &mut Open, seg: &Segment, rows: &[parse::ss::Record]) {
    let pod = client(seg).pod;
    for r in rows {
        let sock = Socket {
            proto: r.netid.as_deref().unwrap_or("tcp"),
            state: r.state.as_deref(),
            address: &r.local_address,
            port: r.local_port,
            process: r.program.clone(),
            line: r.line,
        };
        listener(f, pod.clone(), sock);
    }
    for r in rows {
        open.pileups.feed(Conn {
            state: r.state.as_deref().unwrap_or(""),
            local_port: r.local_port,
            peer: &r.peer_address,
            peer_port: r.peer_port,
            process: r.program.as_deref(),
            line: r.line,
        });
    }
}

/// One connection row of ss or netstat, for the state pile-ups.
struct Conn<'r> {
    state: &'r str,
    local_port: Option<u16>,
    peer: &'r str,
    peer_port: Option<u16>,
    process: Option<&'r str>,
    line: usize,
}

/// Many SYN-SENT sockets to one peer (its SYNs go unanswered) or many CLOSE-WAIT sockets
/// on one local port (the application does not close what the peer closed) become
/// signals, with the rows as evidence. Fed row by row over a whole segment (which may
/// come in several chunks), then finished.
#[derive(Debug, Default)]
struct Pileups {
    /// (signal, key, first process, rows, the first rows' lines)
    #[allow(clippy::type_complexity)]
    groups: Vec<(&'static str, String, Option<String>, usize, Vec<usize>)>,
    /// Group positions by (signal, key): a million sockets with thousands of distinct
    /// peers must not scan every group per row.
    at: std::collections::HashMap<(&'static str, String), usize>,
}

impl Pileups {
    const SYN_SENT_MIN: usize = 3;
    const CLOSE_WAIT_MIN: usize = 10;
    const KEEP_LINES: usize = 20;

    fn feed(&mut self, c: Conn<'_>) {
        let is = |want: &str| {
            c.state.len() == want.len()
                && c.state
                    .bytes()
                    .zip(want.bytes())
                    .all(|(a, b)| a.to_ascii_uppercase() == b || (a == b'_' && b == b'-'))
        };
        let (sig, key) = if is("SYN-SENT") {
            (
                "syn-sent-pileup",
                format!(
                    "{}:{}",
                    c.peer,
                    c.peer_port.map(|p| p.to_string()).unwrap_or_default()
                ),
            )
        } else if is("CLOSE-WAIT") {
            (
                "close-wait-pileup",
                c.local_port.map(|p| p.to_string()).unwrap_or_default(),
            )
        } else {
            return;
        };
        let k = (sig, key);
        match self.at.get(&k).and_then(|&i| self.groups.get_mut(i)) {
            Some(g) => {
                g.3 += 1;
                if g.4.len() < Self::KEEP_LINES {
                    g.4.push(c.line);
                }
            }
            None => {
                self.at.insert(k.clone(), self.groups.len());
                self.groups
                    .push((sig, k.1, c.process.map(str::to_string), 1, vec![c.line]));
            }
        }
    }

    fn finish(self, f: &mut Facts) {
        const SYN_SENT_MIN: usize = Pileups::SYN_SENT_MIN;
        const CLOSE_WAIT_MIN: usize = Pileups::CLOSE_WAIT_MIN;
        let groups = self.groups;
        for (sig, key, process, count, lines) in groups {
            let min = if sig == "syn-sent-pileup" {
                SYN_SENT_MIN
            } else {
                CLOSE_WAIT_MIN
            };
            if count < min {
                continue;
            }
            let mut fields = BTreeMap::new();
            fields.insert(
                if sig == "syn-sent-pileup" {
                    "peer"
                } else {
                    "local_port"
                }
                .to_string(),
                key,
            );
            if let Some(p) = process {
                fields.insert("process".to_string(), p);
            }
            fields.insert("count".to_string(), count.to_string());
            f.signals.push(Signal {
                source: "sockets".into(),
                signature: sig.into(),
                detail: String::new(),
                fields,
                count,
                lines,
            });
        }
    }
}

fn netstat(f: &mut Facts, open: &mut Open, seg: &Segment, rows: &[parse::netstat::Record]) {
    let pod = client(seg).pod;
    for r in rows {
        open.pileups.feed(Conn {
            state: r.state.as_deref().unwrap_or(""),
            local_port: r.local_port,
            peer: &r.foreign_address,
            peer_port: r.foreign_port,
            process: r.program_name.as_deref(),
            line: r.line,
        });
    }
    for r in rows {
        let sock = Socket {
            proto: &r.proto,
            state: r.state.as_deref(),
            address: &r.local_address,
            port: r.local_port,
            process: r.program_name.clone(),
            line: r.line,
        };
        listener(f, pod.clone(), sock);
    }
}

// ------------------------------------------------------------------ DNS

fn resolv_conf(f: &mut Facts, seg: &Segment, recs: &[parse::resolv_conf::Record]) {
    let c = client(seg);
    for r in recs {
        (r.nameservers.iter()).for_each(|n| {
            n.ip.into_iter()
                .for_each(|ip| nodelocal_from_nameserver(f, ip, n.line))
        });
        f.resolvers.push(Resolver {
            nameservers: r
                .nameservers
                .iter()
                .filter_map(|n| {
                    n.ip.map(|ip| Sourced {
                        value: ip,
                        line: n.line,
                    })
                })
                .collect(),
            search: r.effective_search.clone(),
            search_line: r.search_line,
            ndots: r
                .ndots
                .zip(r.ndots_line)
                .map(|(value, line)| Sourced { value, line }),
            pod: c.pod.clone(),
            namespace: c.namespace.clone(),
            line: r.line,
        });
    }
}

/// The name a DNS command was asked for: its first argument that is not an option, a
/// `@server`, a record type or a class.
fn asked_name(seg: &Segment) -> Option<String> {
    const TYPES: &[&str] = &[
        "a", "aaaa", "any", "cname", "mx", "ns", "ptr", "soa", "srv", "txt", "in", "ch",
    ];
    let cmd = seg.command.as_ref()?;
    let mut skip_next = false;
    for a in &cmd.args {
        if skip_next {
            skip_next = false;
            continue;
        }
        if a == "-p" || a == "-t" || a == "-c" || a == "-q" || a == "-b" || a == "-k" {
            skip_next = true;
            continue;
        }
        if a.starts_with('-') || a.starts_with('+') || a.starts_with('@') {
            continue;
        }
        if TYPES.contains(&a.to_ascii_lowercase().as_str()) {
            continue;
        }
        return Some(a.clone());
    }
    None
}

fn nslookup_status(s: &parse::nslookup::LookupStatus) -> LookupStatus {
    use parse::nslookup::LookupStatus as S;
    match s {
        S::Answered => LookupStatus::Answered,
        S::Nxdomain | S::CantResolve => LookupStatus::NxDomain,
        S::Servfail => LookupStatus::ServFail,
        S::Refused => LookupStatus::Refused,
        S::Timeout | S::NoServers => LookupStatus::Timeout,
        S::NoAnswer => LookupStatus::NoAnswer,
        S::Other(_) | S::Unknown => LookupStatus::Other,
    }
}

fn nslookup(f: &mut Facts, seg: &Segment, recs: &[parse::nslookup::Record]) {
    let c = client(seg);
    let asked = asked_name(seg);
    for r in recs {
        let Some(name) = asked
            .clone()
            .or_else(|| r.name.clone())
            .or_else(|| r.attempts.first().map(|a| a.name.clone()))
        else {
            continue;
        };
        let mut status = nslookup_status(&r.status);
        // busybox `can't resolve` means the name failed, not why: a timeout if the
        // server never answered is not visible, so keep it as NXDOMAIN only when an
        // attempt says so.
        if matches!(r.status, parse::nslookup::LookupStatus::CantResolve) {
            status = r
                .attempts
                .last()
                .map(|a| nslookup_status(&a.status))
                .unwrap_or(LookupStatus::Other);
        }
        f.lookups.push(Lookup {
            tool: "nslookup".into(),
            name,
            server: r
                .server
                .clone()
                .or_else(|| r.server_address.clone())
                .map(|s| strip_port(&s)),
            status,
            line: r.status_line.unwrap_or(r.line),
            tried: r
                .attempts
                .iter()
                .map(|a| Sourced {
                    value: a.name.clone(),
                    line: a.line,
                })
                .collect(),
            answers: r
                .answers
                .iter()
                .map(|a| Sourced {
                    value: a.address.to_string(),
                    line: a.line,
                })
                .collect(),
            command: seg.command.as_ref().map(|c| c.text.clone()),
            client_pod: c.pod.clone(),
            client_namespace: c.namespace.clone(),
        });
    }
}

/// `10.96.0.10#53`, `10.96.0.10:53` → `10.96.0.10`.
fn strip_port(s: &str) -> String {
    let s = s.trim();
    if let Some((host, _)) = s.split_once('#') {
        return host.to_string();
    }
    if s.parse::<std::net::IpAddr>().is_ok() {
        return s.to_string();
    }
    match s.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) && !host.contains(':') => {
            host.to_string()
        }
        _ => s.to_string(),
    }
}

fn dig_status(r: &parse::dig::Record) -> LookupStatus {
    if r.timed_out {
        return LookupStatus::Timeout;
    }
    match r.status.as_deref() {
        Some("NOERROR") if r.answer.is_empty() => LookupStatus::NoAnswer,
        Some("NOERROR") => LookupStatus::Answered,
        Some("NXDOMAIN") => LookupStatus::NxDomain,
        Some("SERVFAIL") => LookupStatus::ServFail,
        Some("REFUSED") => LookupStatus::Refused,
        Some(_) => LookupStatus::Other,
        None if r.short && !r.answer.is_empty() => LookupStatus::Answered,
        // `+trace` prints no HEADER: the parser keeps the final reply's records as `answer`.
        None if !r.trace.is_empty() && !r.answer.is_empty() => LookupStatus::Answered,
        None => LookupStatus::Other,
    }
}

fn dig(f: &mut Facts, seg: &Segment, recs: &[parse::dig::Record]) {
    let c = client(seg);
    let asked = asked_name(seg);
    // `dig +search`/`+showsearch` prints one message per name tried under one banner:
    // consecutive records with the same arguments are one lookup.
    let mut groups: Vec<Vec<&parse::dig::Record>> = Vec::new();
    for r in recs {
        match groups.last_mut() {
            Some(g)
                if r.args.is_some() && g.last().is_some_and(|p| p.args == r.args && !p.short) =>
            {
                g.push(r)
            }
            _ => groups.push(vec![r]),
        }
    }
    for g in groups {
        let Some(last) = g.last() else { continue };
        // The outcome is the first answered message, else the last one.
        let decisive = g
            .iter()
            .find(|r| dig_status(r) == LookupStatus::Answered)
            .unwrap_or(last);
        let from_args = last.args.as_deref().and_then(|a| {
            a.split_whitespace()
                .find(|w| {
                    !w.starts_with('+')
                        && !w.starts_with('@')
                        && !w.starts_with('-')
                        && ![
                            "a", "aaaa", "any", "srv", "ptr", "txt", "ns", "mx", "soa", "cname",
                        ]
                        .contains(&w.to_ascii_lowercase().as_str())
                })
                .map(str::to_string)
        });
        let Some(name) = asked
            .clone()
            .or(from_args)
            .or_else(|| {
                g.first()
                    .and_then(|r| r.question.as_ref())
                    .map(|q| q.name.clone())
            })
            // A `+trace` tail pasted alone: the final answer's owner is the name asked.
            .or_else(|| {
                (!decisive.trace.is_empty())
                    .then(|| decisive.answer.first().map(|rr| rr.name.clone()))
                    .flatten()
            })
        else {
            continue;
        };
        let tried = if g.len() > 1 {
            g.iter()
                .filter_map(|r| r.question.as_ref())
                .map(|q| Sourced {
                    value: q.name.clone(),
                    line: q.line,
                })
                .collect()
        } else {
            Vec::new()
        };
        let status = dig_status(decisive);
        let line = decisive.status_line.unwrap_or(decisive.line);
        f.lookups.push(Lookup {
            tool: "dig".into(),
            name,
            server: decisive.server.clone(),
            status,
            line,
            tried,
            answers: decisive
                .answer
                .iter()
                .map(|rr| Sourced {
                    value: rr
                        .ip
                        .map(|ip| ip.to_string())
                        .unwrap_or_else(|| rr.data.clone()),
                    line: rr.line,
                })
                .collect(),
            command: seg
                .command
                .as_ref()
                .map(|c| c.text.clone())
                .or_else(|| dig_trace_command(decisive)),
            client_pod: c.pod.clone(),
            client_namespace: c.namespace.clone(),
        });
    }
}

/// A `+trace` run pasted without its command line: the command as dig's banner echoes it
/// (`dig +trace example.com`), so `lookup_tool_misleads` still sees `+trace`.
fn dig_trace_command(r: &parse::dig::Record) -> Option<String> {
    let args = r.args.as_deref().unwrap_or("");
    let flagged = args.split_whitespace().any(|w| w == "+trace");
    match (flagged, r.trace.is_empty()) {
        (true, _) => Some(format!("dig {args}")),
        (false, false) => Some(format!("dig +trace {args}").trim_end().to_string()),
        (false, true) => None,
    }
}

// ------------------------------------------------------------------ signals

/// Add one signal, folding repeats of the same signature (and same fields).
fn signal(
    f: &mut Facts,
    source: &str,
    signature: &str,
    detail: &str,
    fields: &BTreeMap<String, String>,
    line: usize,
) {
    const KEEP_LINES: usize = 20;
    while let Some(s) = f.signals.get(f.index.signals_seen) {
        let key = signal_key(&s.source, &s.signature, &s.fields);
        f.index
            .signals
            .entry(key)
            .or_default()
            .push(f.index.signals_seen);
        f.index.signals_seen += 1;
    }
    // The first signal with the same source, signature and fields (positions ascend).
    let found = f
        .index
        .signals
        .get(&signal_key(source, signature, fields))
        .and_then(|ix| {
            ix.iter().copied().find(|&i| {
                f.signals.get(i).is_some_and(|s| {
                    s.source == source && s.signature == signature && s.fields == *fields
                })
            })
        });
    if let Some(s) = found.and_then(|i| f.signals.get_mut(i)) {
        s.count += 1;
        if s.lines.len() < KEEP_LINES {
            push_line(&mut s.lines, line);
        }
        return;
    }
    f.signals.push(Signal {
        source: source.to_string(),
        signature: signature.to_string(),
        detail: detail.to_string(),
        fields: fields.clone(),
        lines: vec![line],
        count: 1,
    });
}

fn signal_key(source: &str, signature: &str, fields: &BTreeMap<String, String>) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (source, signature, fields).hash(&mut h);
    h.finish()
}

fn coredns_log(f: &mut Facts, recs: &[parse::coredns_log::Record]) {
    for r in recs {
        signal(f, "coredns", &r.signature, &r.detail, &r.fields, r.line);
    }
}

fn kube_proxy_log(f: &mut Facts, recs: &[parse::kube_proxy_log::Record]) {
    for r in recs {
        signal(f, "kube-proxy", &r.signature, &r.detail, &r.fields, r.line);
    }
}

fn kernel_log(f: &mut Facts, recs: &[parse::kernel_log::Record]) {
    for r in recs {
        // Trace lines differ in every field: fold them by table and chain only.
        let fields = if r.signature == "iptables-trace" {
            r.fields
                .iter()
                .filter(|(k, _)| *k == "table" || *k == "chain")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        } else {
            r.fields.clone()
        };
        signal(f, "kernel", &r.signature, &r.detail, &fields, r.line);
    }
}

fn kubectl_error(f: &mut Facts, recs: &[parse::kubectl_error::Record]) {
    for r in recs {
        let mut fields = BTreeMap::new();
        for (k, v) in [
            ("kind", &r.kind),
            ("name", &r.name),
            ("field", &r.field),
            ("value", &r.value),
            ("reason", &r.reason),
            ("address", &r.address),
        ] {
            if let Some(v) = v {
                fields.insert(k.to_string(), v.clone());
            }
        }
        let detail = r.reason.clone().unwrap_or_default();
        signal(f, "kubectl", &r.signature, &detail, &fields, r.line);
    }
}

// ------------------------------------------------------------------ iptables

fn legacy_warning(f: &mut Facts, message: &str, line: usize) {
    if message.contains("iptables-legacy tables present") {
        signal(
            f,
            "iptables",
            "legacy-tables-present",
            message,
            &BTreeMap::new(),
            line,
        );
    }
}

/// kube-proxy's `"ns/svc:port has no local endpoints"` rule (jumping to a drop).
fn no_local_endpoints(f: &mut Facts, comment: &str, line: usize) {
    if let Some(svc) = comment.strip_suffix("has no local endpoints") {
        let mut fields = BTreeMap::new();
        let svc = svc.trim().trim_end_matches(':');
        fields.insert("service".to_string(), svc.to_string());
        signal(f, "iptables", "no-local-endpoints", comment, &fields, line);
    }
}

fn iptables_version(f: &mut Facts, recs: &[parse::iptables_version::Record]) {
    for r in recs {
        let mut fields = BTreeMap::new();
        fields.insert("version".to_string(), r.version.clone());
        fields.insert("backend".to_string(), r.backend.clone());
        signal(f, "iptables", "version", &r.program, &fields, r.line);
    }
}

fn iptables_save(f: &mut Facts, recs: &[parse::iptables_save::Record]) {
    use parse::iptables_save::Record as R;
    for r in recs {
        match r {
            R::Warning(w) => legacy_warning(f, &w.message, w.line),
            R::Rule(rule) => {
                if let Some(c) = &rule.comment {
                    no_local_endpoints(f, c, rule.line);
                }
            }
            R::Header(_) | R::Chain(_) => {}
        }
    }
}

fn iptables_list(f: &mut Facts, recs: &[parse::iptables_list::Record]) {
    for r in recs {
        if let Some(m) = &r.message {
            legacy_warning(f, m, r.line);
        }
        for rule in &r.rules {
            if let Some(o) = &rule.options {
                if let Some(c) = o.split("/*").nth(1).and_then(|c| c.split("*/").next()) {
                    no_local_endpoints(f, c.trim(), rule.line);
                }
                if r.chain == "KUBE-ROUTER-HAIRPIN" {
                    // `vaddr 10.42.13.240 vport 80 to:10.42.13.240`
                    let word = |k: &str| {
                        o.split_whitespace()
                            .skip_while(|w| *w != k)
                            .nth(1)
                            .map(str::to_string)
                    };
                    let ip = |s: &str| s.split('/').next().and_then(|a| a.parse::<IpAddr>().ok());
                    if let (Some(pod), Some(vip)) =
                        (ip(&rule.source), word("vaddr").as_deref().and_then(ip))
                    {
                        f.hairpin_rules.push(Sourced {
                            value: HairpinRule {
                                pod,
                                vip,
                                port: word("vport").and_then(|p| p.parse().ok()),
                                packets: rule.pkts,
                            },
                            line: rule.line,
                        });
                    }
                }
            }
        }
    }
}

// ------------------------------------------------------------------ MTU

/// The tunnel kind a well-known CNI device name stands for.
fn kind_by_name(name: &str) -> Option<&'static str> {
    if name == "flannel.1"
        || name == "vxlan.calico"
        || name.starts_with("vxlan")
        || name == "cilium_vxlan"
    {
        Some("vxlan")
    } else if name == "tunl0" {
        Some("ipip")
    } else if name == "genev_sys_6081" || name == "cilium_geneve" {
        Some("geneve")
    } else if name.starts_with("wg") || name == "wireguard.cali" || name == "cilium_wg0" {
        Some("wireguard")
    } else {
        None
    }
}

fn interface(
    f: &mut Facts,
    seg: &Segment,
    name: &str,
    mtu: Option<u32>,
    kind: Option<&str>,
    line: usize,
) {
    let Some(mtu) = mtu else { return };
    let name = name.split('@').next().unwrap_or(name).to_string();
    let kind = kind
        .map(str::to_string)
        .or_else(|| kind_by_name(&name).map(str::to_string));
    let pod = client(seg).pod;
    if f.interfaces.iter().any(|i| i.name == name && i.pod == pod) {
        return;
    }
    f.interfaces.push(Interface {
        name,
        mtu,
        kind,
        pod,
        line,
    });
}

fn ip_link(f: &mut Facts, seg: &Segment, recs: &[parse::ip_link::Record]) {
    for r in recs {
        interface(f, seg, &r.name, r.mtu, r.kind.as_deref(), r.line);
        // `ip -d link` shows `bridge_slave … hairpin off` on a pod's veth.
        if r.hairpin == Some(false) && r.master.is_some() {
            let mut fields = BTreeMap::new();
            fields.insert(
                "port".to_string(),
                r.name.split('@').next().unwrap_or(&r.name).to_string(),
            );
            if let Some(m) = &r.master {
                fields.insert("bridge".to_string(), m.clone());
            }
            signal(f, "node", "hairpin-off", "", &fields, r.line);
        }
    }
}

fn ip_addr(f: &mut Facts, seg: &Segment, recs: &[parse::ip_addr::Record]) {
    let on_node = client(seg).pod.is_none();
    for r in recs {
        interface(f, seg, &r.name, r.mtu, None, r.line);
        // A node's own addresses (uplinks, not pod or tunnel devices).
        let uplink = ["eth", "ens", "enp", "eno", "bond", "em"]
            .iter()
            .any(|p| r.name.starts_with(p));
        if on_node && uplink {
            for a in &r.addresses {
                f.node_addresses.push(Sourced {
                    value: (
                        format!("address of {}", r.name.split('@').next().unwrap_or(&r.name)),
                        a.address,
                    ),
                    line: a.line,
                });
            }
        }
    }
}

fn ping(f: &mut Facts, _seg: &Segment, recs: &[parse::ping::Record]) {
    for r in recs {
        let dest = r
            .destination_ip
            .clone()
            .or_else(|| r.destination.clone())
            .unwrap_or_default();
        let mut fields = BTreeMap::new();
        fields.insert("destination".to_string(), dest);
        if let Some(p) = r.payload {
            fields.insert("payload".to_string(), p.to_string());
        }
        if let Some(line) = r.mtu_error_line {
            if let Some(m) = r.mtu_error {
                fields.insert("mtu".to_string(), m.to_string());
            }
            signal(f, "path", "ping-mtu-error", "", &fields, line);
        } else if r.df && r.packets_transmitted.unwrap_or(0) > 0 && r.packets_received == Some(0) {
            signal(f, "path", "df-ping-lost", "", &fields, r.line);
        } else if r.df && r.packets_received.unwrap_or(0) > 0 {
            signal(f, "path", "df-ping-ok", "", &fields, r.line);
        }
    }
}

fn tracepath(f: &mut Facts, _seg: &Segment, recs: &[parse::tracepath::Record]) {
    for r in recs {
        // The first pmtu tracepath prints is the local interface's; a smaller one later
        // is where the path narrows.
        let mut pmtus = r.hops.iter().filter_map(|h| h.pmtu.map(|p| (p, h.line)));
        let Some((first, first_line)) = pmtus.next() else {
            continue;
        };
        if let Some((low, line)) = pmtus.filter(|(p, _)| *p < first).min_by_key(|(p, _)| *p) {
            let mut fields = BTreeMap::new();
            fields.insert("first_pmtu".to_string(), first.to_string());
            fields.insert("mtu".to_string(), low.to_string());
            signal(f, "path", "pmtu-drop", "", &fields, first_line);
            if let Some(s) = f.signals.last_mut() {
                push_line(&mut s.lines, line);
            }
        }
    }
}

fn tcpdump(f: &mut Facts, _seg: &Segment, recs: &[parse::tcpdump::Record]) {
    for r in recs {
        let Some(icmp) = &r.icmp else { continue };
        if icmp.kind != "need-to-frag" && icmp.kind != "packet-too-big" {
            continue;
        }
        let mut fields = BTreeMap::new();
        if let Some(m) = icmp.mtu {
            fields.insert("mtu".to_string(), m.to_string());
        }
        signal(f, "path", "icmp-need-frag", "", &fields, r.line);
    }
}

// ------------------------------------------------------------------ address ranges

type RangeField<'a> = (&'a Option<String>, &'a Option<usize>, &'static str);

fn cluster_configuration(
    f: &mut Facts,
    ranges: [RangeField; 2],
    endpoint: Option<(&str, usize)>,
    sans: &[(String, usize)],
) {
    for (cidr, line, role) in ranges {
        let (Some(cidr), Some(line)) = (cidr, line) else {
            continue;
        };
        // kubeadm accepts a comma-separated dual-stack pair.
        for c in cidr.split(',') {
            if let Ok(net) = crate::calc::cidr::parse_net(c) {
                f.ranges.push(Sourced {
                    value: (role.to_string(), net),
                    line: *line,
                });
            }
        }
    }
    let host = |e: &str| -> Option<std::net::IpAddr> {
        let h = e.trim().trim_matches('"');
        h.parse().ok().or_else(|| {
            let (h, _) = h.rsplit_once(':')?;
            h.trim_matches(['[', ']']).parse().ok()
        })
    };
    if let Some((e, line)) = endpoint {
        if let Some(ip) = host(e) {
            f.node_addresses.push(Sourced {
                value: ("control-plane endpoint".to_string(), ip),
                line,
            });
        }
    }
    for (san, line) in sans {
        if let Some(ip) = host(san) {
            if !f.node_addresses.iter().any(|a| a.value.1 == ip) {
                f.node_addresses.push(Sourced {
                    value: ("API server certificate SAN".to_string(), ip),
                    line: *line,
                });
            }
        }
    }
}

// ------------------------------------------------------------------ node state

fn ip_route_get(f: &mut Facts, recs: &[parse::ip_route_get::Record]) {
    for r in recs {
        let Some(err) = &r.error else { continue };
        let mut fields = BTreeMap::new();
        if let Some(d) = r.destination {
            fields.insert("destination".to_string(), d.to_string());
        }
        fields.insert("error".to_string(), err.clone());
        signal(f, "node", "no-route", err, &fields, r.line);
    }
}

fn ip_neigh(f: &mut Facts, recs: &[parse::ip_neigh::Record]) {
    for r in recs {
        let state = r.state.as_deref().unwrap_or("");
        if state != "FAILED" && state != "INCOMPLETE" {
            continue;
        }
        let mut fields = BTreeMap::new();
        fields.insert("ip".to_string(), r.ip.to_string());
        fields.insert("state".to_string(), state.to_string());
        if let Some(d) = &r.dev {
            fields.insert("dev".to_string(), d.clone());
        }
        signal(f, "node", "neighbor-failed", "", &fields, r.line);
    }
}

fn sysctl(f: &mut Facts, recs: &[parse::sysctl::Record]) {
    let value = |key: &str| {
        recs.iter().find(|r| r.key == key).and_then(|r| {
            r.value
                .as_deref()?
                .trim()
                .parse::<u64>()
                .ok()
                .map(|v| (v, r.line))
        })
    };
    for r in recs {
        let Some(v) = r.value.as_deref().map(str::trim) else {
            continue;
        };
        let mut fields = BTreeMap::new();
        fields.insert("key".to_string(), r.key.clone());
        fields.insert("value".to_string(), v.to_string());
        if r.key.starts_with("net.ipv4.conf.") && r.key.ends_with(".rp_filter") && v == "1" {
            signal(f, "node", "rp-filter-strict", "", &fields, r.line);
        } else if r.key.ends_with("hairpin_mode") && v == "0" {
            // `/sys/class/net/cni0/brif/<port>/hairpin_mode` or
            // `/sys/devices/virtual/net/<port>/brport/hairpin_mode`: name the port.
            let parts: Vec<&str> = r.key.split('/').collect();
            let port = parts
                .iter()
                .position(|p| *p == "brif")
                .and_then(|i| parts.get(i + 1))
                .or_else(|| {
                    parts
                        .iter()
                        .position(|p| *p == "brport")
                        .and_then(|i| i.checked_sub(1))
                        .and_then(|i| parts.get(i))
                });
            let mut fields = BTreeMap::new();
            fields.insert(
                "port".to_string(),
                port.map_or(r.key.as_str(), |p| p).to_string(),
            );
            signal(f, "node", "hairpin-off", "", &fields, r.line);
        }
    }
    // The table's fill: count against max.
    if let (Some((count, cl)), Some((max, ml))) = (
        value("net.netfilter.nf_conntrack_count"),
        value("net.netfilter.nf_conntrack_max"),
    ) {
        if max > 0 && count * 10 >= max * 9 {
            let mut fields = BTreeMap::new();
            fields.insert("count".to_string(), count.to_string());
            fields.insert("max".to_string(), max.to_string());
            signal(f, "node", "conntrack-near-max", "", &fields, cl);
            if let Some(s) = f.signals.last_mut() {
                push_line(&mut s.lines, ml);
            }
        }
    }
}

/// A conntrack segment's counters and DNATed tuples, gathered over its chunks.
#[derive(Debug, Default)]
struct ConntrackFold {
    /// `conntrack -S`: insert_failed and drop summed over CPUs, the lines that count.
    failed: u64,
    dropped: u64,
    lines: Vec<usize>,
    /// Folded per segment: a tuple pasted twice in two segments shows as two entries.
    at: std::collections::HashMap<NatTuple, usize>,
    fresh: Vec<NatFlow>,
}

/// (protocol, Service address, its port, backend, its port).
type NatTuple = (
    std::borrow::Cow<'static, str>,
    IpAddr,
    Option<u16>,
    IpAddr,
    Option<u16>,
);

impl ConntrackFold {
    /// `kept`: NATed tuples the store holds already (from earlier segments).
    fn feed(&mut self, kept: usize, recs: &[parse::conntrack::Record]) {
        use parse::conntrack::Record as R;
        for r in recs {
            match r {
                R::Stats(s) => {
                    let (i, d) = (s.insert_failed.unwrap_or(0), s.drop.unwrap_or(0));
                    if i > 0 || d > 0 {
                        self.failed = self.failed.saturating_add(i);
                        self.dropped = self.dropped.saturating_add(d);
                        if self.lines.len() < 20 {
                            self.lines.push(s.line);
                        }
                    }
                }
                R::Flow(fl) => self.nat_flow(kept, fl),
                R::Count(_) | R::Summary(_) => {}
            }
        }
    }

    /// A flow whose reply source differs from its original destination was DNATed.
    fn nat_flow(&mut self, kept: usize, fl: &parse::conntrack::Flow) {
        let (Some(dst), Some(rsrc)) = (fl.orig_dst.as_deref(), fl.reply_src.as_deref()) else {
            return;
        };
        if dst == rsrc {
            return;
        }
        let (Ok(vip), Ok(backend)) = (dst.parse::<IpAddr>(), rsrc.parse::<IpAddr>()) else {
            return;
        };
        let key = (
            fl.protocol.clone(),
            vip,
            fl.orig_dport,
            backend,
            fl.reply_sport,
        );
        if let Some(&i) = self.at.get(&key) {
            if let Some(nf) = self.fresh.get_mut(i) {
                nf.count += 1;
            }
            return;
        }
        if kept + self.at.len() >= MAX_NAT_TUPLES {
            return;
        }
        let state = fl
            .state
            .as_ref()
            .map(|s| s.to_string())
            .or_else(|| fl.status.first().map(|s| format!("[{s}]")));
        self.at.insert(key, self.fresh.len());
        self.fresh.push(NatFlow {
            protocol: fl.protocol.to_string(),
            vip,
            vport: fl.orig_dport,
            backend,
            bport: fl.reply_sport,
            state,
            count: 1,
            line: fl.line,
        });
    }

    fn finish(self, f: &mut Facts) {
        if let Some(first) = self.lines.first().copied() {
            let mut fields = BTreeMap::new();
            fields.insert("insert_failed".to_string(), self.failed.to_string());
            fields.insert("drop".to_string(), self.dropped.to_string());
            signal(f, "node", "conntrack-drops", "", &fields, first);
            if let Some(s) = f.signals.last_mut() {
                for &l in self.lines.iter().skip(1) {
                    push_line(&mut s.lines, l);
                }
            }
        }
        f.nat_flows.extend(self.fresh);
    }
}

// ------------------------------------------------------------------ datapath

/// Was the command's output filtered (`iptables-save | grep KUBE-SVC`)? Then a rule it
/// does not show may still exist.
fn filtered(seg: &Segment) -> bool {
    seg.command.as_ref().is_some_and(|c| {
        c.text.split('|').skip(1).any(|p| {
            ["grep", "egrep", "awk", "sed", "head", "tail"]
                .iter()
                .any(|t| p.trim_start().starts_with(t))
        })
    })
}

/// `6`/`17`/`132` (iptables 1.8.9 prints numbers) as names.
fn proto_name(p: &str) -> String {
    match p {
        "6" => "tcp".into(),
        "17" => "udp".into(),
        "132" => "sctp".into(),
        p => p.to_ascii_lowercase(),
    }
}

/// kube-proxy's iptables frontends: a KUBE-SERVICES rule for a Service address that jumps
/// to its KUBE-SVC/KUBE-SVL/KUBE-EXT/KUBE-FW chain, followed through the KUBE-SEP chains to
/// their DNAT targets; and the "has no endpoints" REJECT rules of the filter table.
///
/// Gathered over the segment's chunks: the entry rules, and per nat chain only the steps
/// the walk follows (a jump on to a Service or endpoint chain, a DNAT target), so a
/// 10,000-Service dump is not held as records until its end.
#[derive(Debug, Default)]
struct IptablesFold {
    first: usize,
    /// A whole table shows its chain declarations (`:KUBE-SERVICES - [0:0]`); `-A` lines
    /// alone are an excerpt, and a rule missing from an excerpt proves nothing.
    declared: bool,
    ipvs_sets: Option<usize>,
    /// Chain names, each kept once: a number per name.
    ids: std::collections::HashMap<String, u32>,
    /// Per chain number, the steps of its rules.
    chains: Vec<Vec<ChainStep>>,
    entries: Vec<Frontend>,
    /// Per entry in `entries`: the chain it jumps to.
    jumps: Vec<u32>,
}

/// One nat rule the walk from a Service's entry follows.
#[derive(Debug)]
struct ChainStep {
    /// A KUBE-SVC/KUBE-SVL/KUBE-SEP chain it jumps to.
    next: Option<u32>,
    /// Its DNAT target.
    to: Option<(IpAddr, Option<u16>)>,
    line: usize,
}

impl IptablesFold {
    /// The number of chain `name`.
    fn id(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.ids.get(name) {
            return i;
        }
        let i = u32::try_from(self.chains.len()).unwrap_or(u32::MAX);
        self.ids.insert(name.to_string(), i);
        self.chains.push(Vec::new());
        i
    }

    fn feed(&mut self, f: &mut Facts, recs: &[parse::iptables_save::Record]) {
        use parse::iptables_save::Record as R;
        for r in recs {
            if self.first == 0 {
                self.first = r.line();
            }
            if let R::Chain(c) = r {
                self.declared |= c.table == "nat";
            }
            let R::Rule(rule) = r else { continue };
            if self.ipvs_sets.is_none() && rule.raw.contains("KUBE-CLUSTER-IP") {
                self.ipvs_sets = Some(rule.line);
            }
            if rule.chain == "KUBE-ROUTER-HAIRPIN" {
                hairpin_from_save(f, rule);
            }
            let target = rule.jump.as_deref().or(rule.goto.as_deref()).unwrap_or("");
            if rule.table == "nat" {
                let next = ["KUBE-SVC-", "KUBE-SVL-", "KUBE-SEP-"]
                    .iter()
                    .any(|p| target.starts_with(p))
                    .then(|| self.id(target));
                let to = rule
                    .to_destination
                    .as_deref()
                    .and_then(|to| addr_port(to.split(',').next().unwrap_or(to)));
                if next.is_some() || to.is_some() {
                    let step = ChainStep {
                        next,
                        to,
                        line: rule.line,
                    };
                    let chain = self.id(&rule.chain) as usize;
                    if let Some(steps) = self.chains.get_mut(chain) {
                        steps.push(step);
                    }
                }
            }
            if rule.chain == "KUBE-SERVICES" || rule.chain == "KUBE-EXTERNAL-SERVICES" {
                self.entry(rule, target);
            }
        }
    }

    /// A KUBE-SERVICES rule for one Service address.
    fn entry(&mut self, rule: &parse::iptables_save::RuleSpec, jump: &str) {
        let Some(dst) = rule.destination.as_deref() else {
            return;
        };
        if rule.negate_destination {
            return;
        }
        let Some(vip) = dst.split('/').next().and_then(|d| d.parse::<IpAddr>().ok()) else {
            return;
        };
        let comment = rule.comment.as_deref().unwrap_or("");
        let no_endpoints =
            comment.contains("has no endpoints") && matches!(jump, "REJECT" | "DROP");
        let svc_chain = ["KUBE-SVC-", "KUBE-SVL-", "KUBE-EXT-", "KUBE-FW-"]
            .iter()
            .any(|p| jump.starts_with(p));
        if !svc_chain && !no_endpoints {
            return;
        }
        let service = comment
            .split(" cluster IP")
            .next()
            .and_then(|c| c.split(" has no endpoints").next())
            .and_then(|c| c.split(" external IP").next())
            .and_then(|c| c.split(" loadbalancer IP").next())
            .map(str::trim)
            .filter(|c| c.contains('/'))
            .map(str::to_string);
        self.entries.push(Frontend {
            source: "iptables".into(),
            vip,
            port: rule.dport.as_deref().and_then(|p| p.parse().ok()),
            protocol: rule
                .protocol
                .as_deref()
                .map(proto_name)
                .unwrap_or_else(|| "tcp".into()),
            service,
            role: ["cluster IP", "external IP", "loadbalancer IP"]
                .iter()
                .find(|r| comment.contains(*r))
                .map(|r| r.to_string()),
            no_endpoints,
            backends: Vec::new(),
            line: rule.line,
        });
        let jump = self.id(jump);
        self.jumps.push(jump);
    }

    /// Follow each entry's jumps to its KUBE-SEP chains, at most three chains deep (EXT →
    /// SVC → SEP), for the DNAT targets.
    fn finish(self, f: &mut Facts, seg: &Segment) {
        if self.first == 0 {
            return;
        }
        let mut frontends = self.entries;
        for (fe, jump) in frontends.iter_mut().zip(self.jumps) {
            let mut todo: Vec<(u32, u8)> = vec![(jump, 0)];
            let mut seen: Vec<u32> = Vec::new();
            while let Some((chain, depth)) = todo.pop() {
                if depth > 3 || seen.contains(&chain) || seen.len() > 4096 {
                    continue;
                }
                for step in self
                    .chains
                    .get(chain as usize)
                    .map(Vec::as_slice)
                    .unwrap_or(&[])
                {
                    if let Some(b) = step.to {
                        if !fe.backends.iter().any(|x| x.value == b) {
                            fe.backends.push(Sourced {
                                value: b,
                                line: step.line,
                            });
                        }
                    }
                    if let Some(next) = step.next {
                        todo.push((next, depth + 1));
                    }
                }
                seen.push(chain);
            }
        }
        f.dumps.push(Dump {
            source: "iptables".into(),
            line: self.first,
            filtered: filtered(seg) || !self.declared,
            frontends: frontends.len(),
            ipvs_sets: self.ipvs_sets,
        });
        f.frontends.extend(frontends);
    }
}

/// `-A KUBE-ROUTER-HAIRPIN -s P/32 -d P/32 -m ipvs --vaddr V --vport 80 -j SNAT …`.
fn hairpin_from_save(f: &mut Facts, rule: &parse::iptables_save::RuleSpec) {
    let words: Vec<&str> = rule.raw.split_whitespace().collect();
    let after = |k: &str| {
        words
            .iter()
            .position(|w| *w == k)
            .and_then(|i| words.get(i + 1))
            .copied()
    };
    let ip = |s: &str| s.split('/').next().and_then(|a| a.parse::<IpAddr>().ok());
    let (Some(pod), Some(vip)) = (
        rule.source.as_deref().and_then(ip),
        after("--vaddr").and_then(ip),
    ) else {
        return;
    };
    f.hairpin_rules.push(Sourced {
        value: HairpinRule {
            pod,
            vip,
            port: after("--vport").and_then(|p| p.parse().ok()),
            packets: None,
        },
        line: rule.line,
    });
}

/// IPVS virtual servers and their real servers.
/// An ipvsadm segment's dump, counted over its chunks; its frontends become facts as
/// they come.
#[derive(Debug, Default)]
struct IpvsFold {
    first: usize,
    frontends: usize,
    header: bool,
}

impl IpvsFold {
    fn feed(&mut self, f: &mut Facts, recs: &[parse::ipvsadm::Record]) {
        use parse::ipvsadm::Record as R;
        for r in recs {
            if self.first == 0 {
                self.first = r.line();
            }
            self.header |= matches!(r, R::Header(_));
            let R::VirtualServer(v) = r else { continue };
            let Some(vip) = v
                .address
                .as_deref()
                .and_then(|a| a.trim_matches(['[', ']']).parse().ok())
            else {
                continue;
            };
            let backends = v
                .real_servers
                .iter()
                // Weight 0: a terminating endpoint IPVS drains on purpose.
                .filter(|rs| rs.weight != Some(0))
                .filter_map(|rs| {
                    let ip = rs.address.trim_matches(['[', ']']).parse().ok()?;
                    Some(Sourced {
                        value: (ip, rs.port),
                        line: rs.line,
                    })
                })
                .collect();
            self.frontends += 1;
            f.frontends.push(Frontend {
                source: "ipvs".into(),
                vip,
                port: v.port,
                protocol: v.protocol.to_ascii_lowercase(),
                service: None,
                role: None,
                no_endpoints: false,
                backends,
                line: v.line,
            });
        }
    }

    fn finish(self, f: &mut Facts, seg: &Segment) {
        if self.first > 0 {
            f.dumps.push(Dump {
                source: "ipvs".into(),
                line: self.first,
                filtered: filtered(seg) || !self.header,
                frontends: self.frontends,
                ipvs_sets: None,
            });
        }
    }
}

/// At most this many distinct NATed tuples are kept (a 160 MB `conntrack -L` holds
/// millions of flows but few distinct Service → backend tuples).
const MAX_NAT_TUPLES: usize = 100_000;

// ------------------------------------------------------------------ host / getent

fn host_status(s: &str) -> LookupStatus {
    match s {
        "answered" => LookupStatus::Answered,
        "nxdomain" | "not-found" => LookupStatus::NxDomain,
        "servfail" => LookupStatus::ServFail,
        "refused" => LookupStatus::Refused,
        "timeout" => LookupStatus::Timeout,
        "no-record" => LookupStatus::NoAnswer,
        _ => LookupStatus::Other,
    }
}

/// `host NAME`: one lookup per segment; answered when any address, alias or pointer was
/// printed, else the first outcome line decides.
fn host_lookups(f: &mut Facts, seg: &Segment, recs: &[parse::host::Record]) {
    let Some(first) = recs.first() else { return };
    let c = client(seg);
    let Some(name) = asked_name(seg).or_else(|| recs.iter().find_map(|r| r.name.clone())) else {
        return;
    };
    let answered: Vec<&parse::host::Record> =
        recs.iter().filter(|r| r.status == "answered").collect();
    let (status, line) = match answered.first() {
        Some(a) => (LookupStatus::Answered, a.line),
        None => (host_status(&first.status), first.line),
    };
    f.lookups.push(Lookup {
        tool: "host".into(),
        name,
        server: recs.iter().find_map(|r| r.server.clone()),
        status,
        line,
        tried: Vec::new(),
        answers: answered
            .iter()
            .filter_map(|r| {
                r.address
                    .map(|a| a.to_string())
                    .or_else(|| r.target.clone())
                    .map(|value| Sourced {
                        value,
                        line: r.line,
                    })
            })
            .collect(),
        command: seg.command.as_ref().map(|c| c.text.clone()),
        client_pod: c.pod.clone(),
        client_namespace: c.namespace.clone(),
    });
}

/// `getent hosts|ahosts NAME`: one lookup. getent's exit code 2 says "not found" without
/// saying whether the server answered NXDOMAIN or never answered, so it stays `Other`.
fn getent_lookups(f: &mut Facts, seg: &Segment, recs: &[parse::getent::Record]) {
    let Some(first) = recs.first() else { return };
    let c = client(seg);
    let asked = seg.command.as_ref().and_then(|cmd| {
        cmd.args
            .iter()
            .filter(|a| !a.starts_with('-'))
            .nth(1)
            .cloned()
    });
    let Some(name) = asked.or_else(|| recs.iter().find_map(|r| r.names.first().cloned())) else {
        return;
    };
    let found: Vec<&parse::getent::Record> = recs.iter().filter(|r| r.status == "found").collect();
    let (status, line) = match found.first() {
        Some(r) => (LookupStatus::Answered, r.line),
        None => (LookupStatus::Other, first.line),
    };
    let mut answers: Vec<Sourced<String>> = Vec::new();
    for r in &found {
        if let Some(a) = r.address {
            let value = a.to_string();
            if !answers.iter().any(|s| s.value == value) {
                answers.push(Sourced {
                    value,
                    line: r.line,
                });
            }
        }
    }
    f.lookups.push(Lookup {
        tool: "getent".into(),
        name,
        server: None,
        status,
        line,
        tried: Vec::new(),
        answers,
        command: seg.command.as_ref().map(|c| c.text.clone()),
        client_pod: c.pod.clone(),
        client_namespace: c.namespace.clone(),
    });
}

// ------------------------------------------------------------------ ethtool -k

/// A VXLAN/Geneve device with tx checksum offload on: a `node` signal
/// `tx-checksum-offload-on` (fields `interface`, `feature`), the state the flannel/calico
/// checksum-corruption workaround turns off.
fn ethtool_features(f: &mut Facts, recs: &[parse::ethtool_features::Record]) {
    for r in recs {
        let Some(iface) = r.interface.as_deref() else {
            continue;
        };
        if !matches!(kind_by_name(iface), Some("vxlan" | "geneve")) {
            continue;
        }
        let on = ["tx-checksum-ip-generic", "tx-checksumming"]
            .iter()
            .find_map(|n| r.feature(n).filter(|x| x.enabled && !x.fixed));
        if let Some(feat) = on {
            let mut fields = BTreeMap::new();
            fields.insert("interface".to_string(), iface.to_string());
            fields.insert("feature".to_string(), feat.name.clone());
            signal(
                f,
                "node",
                "tx-checksum-offload-on",
                &format!("{}: on", feat.name),
                &fields,
                feat.line,
            );
        }
    }
}

// ------------------------------------------------------------------ CNI configuration

/// CNI configuration becomes `cni-config` signals: `cni-plugin` per plugin (fields `type`,
/// `mtu`, `hairpin_mode`, `ipam_type`, `subnets`, `file`) and `flannel-net-conf` (fields
/// `network`, `backend_type`, `vni`, `port`).
fn cni_config(f: &mut Facts, recs: &[parse::cni_config::Record]) {
    for r in recs {
        cni_config_one(f, r);
    }
}

fn cni_config_one(f: &mut Facts, r: &parse::cni_config::Record) {
    let mut base = BTreeMap::new();
    if let Some(file) = &r.file {
        base.insert("file".to_string(), file.clone());
    }
    if let Some(name) = &r.name {
        base.insert("name".to_string(), name.clone());
    }
    for p in &r.plugins {
        let mut fields = base.clone();
        fields.insert("type".into(), p.plugin_type.clone());
        if let Some(m) = p.mtu {
            fields.insert("mtu".into(), m.to_string());
        }
        if let Some(h) = p.hairpin_mode {
            fields.insert("hairpin_mode".into(), h.to_string());
        }
        if let Some(t) = &p.ipam_type {
            fields.insert("ipam_type".into(), t.clone());
        }
        if !p.subnets.is_empty() {
            fields.insert("subnets".into(), p.subnets.join(","));
        }
        signal(
            f,
            "cni-config",
            "cni-plugin",
            &p.plugin_type,
            &fields,
            p.line,
        );
    }
    if r.format == "flannel-net-conf" {
        let mut fields = base;
        let opt = [
            ("network", r.network.clone()),
            ("backend_type", r.backend_type.clone()),
            ("vni", r.vni.map(|v| v.to_string())),
            ("port", r.port.map(|v| v.to_string())),
        ];
        for (k, v) in opt {
            if let Some(v) = v {
                fields.insert(k.to_string(), v);
            }
        }
        signal(f, "cni-config", "flannel-net-conf", "", &fields, r.line);
    }
}

// ------------------------------------------------------------------ CNI agent logs

/// Agent log lines become signals with the agent as source (`calico`, `flannel`,
/// `cilium`); cilium's `mtu-inherited` also names a real device and its MTU, so it adds
/// that interface.
fn cni_agent_log(f: &mut Facts, seg: &Segment, recs: &[parse::cni_agent_log::Record]) {
    for r in recs {
        signal(f, &r.agent, &r.signature, &r.detail, &r.fields, r.line);
        if r.signature == "mtu-inherited" {
            if let (Some(dev), Some(mtu)) = (
                r.fields.get("interface"),
                r.fields.get("mtu").and_then(|m| m.parse().ok()),
            ) {
                interface(f, seg, dev, Some(mtu), None, r.line);
            }
        }
    }
}

// ------------------------------------------------------------------ kube-proxy configuration

/// A KubeProxyConfiguration becomes a `manifest` signal `kube-proxy-config` whose fields
/// are the record's set values (`mode` — `""` stays `""`, meaning iptables —,
/// `cluster_cidr`, `conntrack_max_per_core`, `conntrack_min`, `masquerade_all`,
/// `strict_arp`, `bind_address`, `metrics_bind_address`), on the `mode:` line.
fn kube_proxy_config(f: &mut Facts, recs: &[parse::kube_proxy_config::Record]) {
    for r in recs {
        let opt = [
            ("mode", r.mode.clone()),
            ("cluster_cidr", r.cluster_cidr.clone()),
            (
                "conntrack_max_per_core",
                r.conntrack_max_per_core.map(|v| v.to_string()),
            ),
            ("conntrack_min", r.conntrack_min.map(|v| v.to_string())),
            ("masquerade_all", r.masquerade_all.map(|v| v.to_string())),
            ("strict_arp", r.strict_arp.map(|v| v.to_string())),
            ("bind_address", r.bind_address.clone()),
            ("metrics_bind_address", r.metrics_bind_address.clone()),
        ];
        let mut fields = BTreeMap::new();
        for (k, v) in opt {
            if let Some(v) = v {
                fields.insert(k.to_string(), v);
            }
        }
        let detail = format!("mode: {}", r.mode.as_deref().unwrap_or(""));
        signal(
            f,
            "manifest",
            "kube-proxy-config",
            &detail,
            &fields,
            r.mode_line.unwrap_or(r.line),
        );
    }
}

/// ConfigMaps that carry CNI or kube-proxy configuration (`kube-flannel-cfg`,
/// `calico-config`, `kube-proxy`): the embedded JSON / YAML read into the same facts as
/// the files themselves.
fn config_map_payloads(f: &mut Facts, objs: &[parse::k8s_objects::Object]) {
    for o in objs.iter().filter(|o| o.kind == "ConfigMap") {
        for r in parse::cni_config::from_config_map(o) {
            cni_config_one(f, &r);
        }
        let kp = parse::kube_proxy_config::from_config_map(o);
        kube_proxy_config(f, &kp);
    }
}

// ------------------------------------------------------------------ nodes, events, describe

/// A node's address, once per (name, ip).
fn node_address(f: &mut Facts, node: &str, what: &str, ip: IpAddr, line: usize) {
    let label = format!("node {node} ({what})");
    if !f
        .node_addresses
        .iter()
        .any(|a| a.value.1 == ip && a.value.0 == label)
    {
        f.node_addresses.push(Sourced {
            value: (label, ip),
            line,
        });
    }
}

/// `node-ready`, `node-not-ready` (NotReady or Unknown), `node-network-unavailable`.
fn node_signal(f: &mut Facts, node: &str, signature: &str, detail: &str, line: usize) {
    let mut fields = BTreeMap::new();
    fields.insert("node".to_string(), node.to_string());
    signal(f, "node", signature, detail, &fields, line);
}

fn get_nodes(f: &mut Facts, rows: &[parse::kubectl_get_nodes::Record]) {
    for r in rows {
        if let Some(ip) = r.internal_ip {
            node_address(f, &r.name, "InternalIP", ip, r.line);
        }
        if let Some(ip) = r.external_ip {
            node_address(f, &r.name, "ExternalIP", ip, r.line);
        }
        match r.ready {
            Some(true) => node_signal(f, &r.name, "node-ready", &r.status, r.line),
            _ => node_signal(f, &r.name, "node-not-ready", &r.status, r.line),
        }
    }
}

fn describe_node(f: &mut Facts, recs: &[parse::kubectl_describe_node::Record]) {
    for r in recs {
        let line = r.pod_cidr_line.unwrap_or(r.line);
        let mut cidrs: Vec<&str> = r.pod_cidrs.iter().map(String::as_str).collect();
        if cidrs.is_empty() {
            cidrs.extend(r.pod_cidr.as_deref());
        }
        let pods = (!r.pods.is_empty()).then_some(r.pods.len());
        for c in cidrs.iter().flat_map(|c| c.split(',')) {
            if let Ok(net) = crate::calc::cidr::parse_net(c.trim()) {
                f.node_pod_cidrs.push(Sourced {
                    value: (r.name.clone(), net, pods),
                    line,
                });
            }
        }
        for a in &r.addresses {
            let Ok(ip) = a.address.parse::<IpAddr>() else {
                continue;
            };
            let what = if a.address_type.is_empty() {
                "address"
            } else {
                &a.address_type
            };
            node_address(f, &r.name, what, ip, a.line);
        }
        for c in &r.conditions {
            let detail = match (&c.reason, &c.message) {
                (Some(reason), Some(m)) => format!("{reason}: {m}"),
                (Some(x), None) | (None, Some(x)) => x.clone(),
                (None, None) => format!("{} {}", c.condition_type, c.status),
            };
            match (c.condition_type.as_str(), c.status.as_str()) {
                ("Ready", "True") => node_signal(f, &r.name, "node-ready", &detail, c.line),
                ("Ready", _) => node_signal(f, &r.name, "node-not-ready", &detail, c.line),
                ("NetworkUnavailable", "True") => {
                    node_signal(f, &r.name, "node-network-unavailable", &detail, c.line)
                }
                _ => {}
            }
        }
    }
}

/// `FailedCreatePodSandBox` → `failed-create-pod-sandbox`.
fn kebab(reason: &str) -> String {
    let mut out = String::new();
    // Kubernetes spells the sandbox as one word in lower case but two in its reasons.
    let reason = reason.replace("SandBox", "Sandbox");
    let chars: Vec<char> = reason.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev_lower = i > 0 && chars.get(i - 1).is_some_and(|p| p.is_ascii_lowercase());
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            let prev_upper = i > 0 && chars.get(i - 1).is_some_and(|p| p.is_ascii_uppercase());
            if i > 0 && (prev_lower || (prev_upper && next_lower)) {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(*c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

fn event_signal(
    f: &mut Facts,
    namespace: Option<&str>,
    object: &str,
    event_type: &str,
    reason: &str,
    message: &str,
    line: usize,
) {
    let mut fields = BTreeMap::new();
    fields.insert("object".to_string(), object.to_string());
    fields.insert("type".to_string(), event_type.to_string());
    fields.insert("reason".to_string(), reason.to_string());
    if let Some(ns) = namespace {
        fields.insert("namespace".to_string(), ns.to_string());
    }
    signal(f, "event", &kebab(reason), message, &fields, line);
}

fn get_events(f: &mut Facts, seg: &Segment, rows: &[parse::kubectl_get_events::Record]) {
    let cmd_ns = cmd_namespace(seg);
    for r in rows {
        let ns = r.namespace.clone().or(cmd_ns.clone());
        event_signal(
            f,
            ns.as_deref(),
            &r.object,
            &r.event_type,
            &r.reason,
            &r.message,
            r.line,
        );
    }
}

fn get_ns(f: &mut Facts, rows: &[parse::kubectl_get_ns::Record]) {
    for r in rows {
        let Some(labels) = &r.labels else { continue };
        match f.namespaces.iter_mut().find(|n| n.name == r.name) {
            Some(n) => n.labels.extend(labels.clone()),
            None => f.namespaces.push(Namespace {
                name: r.name.clone(),
                labels: labels.clone(),
                line: r.line,
            }),
        }
    }
}

fn describe_pod(f: &mut Facts, seg: &Segment, recs: &[parse::kubectl_describe_pod::Record]) {
    let cmd_ns = cmd_namespace(seg);
    for r in recs {
        let ns = r.namespace.clone().or(cmd_ns.clone());
        let p = upsert_pod(f, ns.as_deref(), &r.name);
        push_line(&mut p.lines, r.line);
        if r.labels_line.is_some() {
            p.labels = Some(Sourced {
                value: r.labels.clone(),
                line: r.labels_line.unwrap_or(r.line),
            });
        }
        if r.status.is_some() {
            p.status = r.status.clone();
        }
        p.ip = r.ip.or(r.ips.first().copied()).or(p.ip);
        if r.node.is_some() {
            p.node = r.node.clone();
        }
        let declared: Vec<ContainerPort> = r
            .containers
            .iter()
            .filter(|c| !c.init)
            .flat_map(|c| {
                c.ports.iter().map(move |cp| ContainerPort {
                    name: cp.name.clone(),
                    port: cp.port,
                    protocol: cp.protocol.clone(),
                    line: c.ports_line.unwrap_or(c.line),
                })
            })
            .collect();
        if !declared.is_empty() {
            p.container_ports = declared;
        }
        // The endpoints controller reads the Ready condition.
        if let Some(c) = r.conditions.iter().find(|c| c.condition_type == "Ready") {
            let ready = c.status == "True";
            p.ready = Some(Sourced {
                value: ready,
                line: c.line,
            });
            p.not_ready_reason = (!ready).then(|| {
                let waiting = r
                    .containers
                    .iter()
                    .find_map(|c| c.state_reason.clone())
                    .map(|w| format!(" ({w})"))
                    .unwrap_or_default();
                format!("Ready condition {}{waiting}", c.status)
            });
        }
        for e in &r.events {
            event_signal(
                f,
                ns.as_deref(),
                &format!("pod/{}", r.name),
                &e.event_type,
                &e.reason,
                &e.message,
                e.line,
            );
        }
    }
}

fn describe_endpoints(
    f: &mut Facts,
    seg: &Segment,
    recs: &[parse::kubectl_describe_endpoints::Record],
) {
    let cmd_ns = cmd_namespace(seg);
    for r in recs {
        let ns = r.namespace.clone().or(cmd_ns.clone());
        let line = r.subsets.first().map_or(r.line, |s| s.line);
        let e = upsert_endpoints(f, ns.as_deref(), &r.name, line);
        e.line = line;
        for sub in &r.subsets {
            let with_ports = |ips: &[IpAddr]| -> Vec<String> {
                ips.iter()
                    .flat_map(|ip| {
                        let a = |port: Option<u16>| {
                            addr(&parse::kubectl_table::EndpointAddress { ip: *ip, port })
                        };
                        if sub.ports.is_empty() {
                            vec![a(None)]
                        } else {
                            sub.ports.iter().map(|p| a(Some(p.port))).collect()
                        }
                    })
                    .collect()
            };
            e.ready.extend(with_ports(&sub.addresses));
            e.not_ready.extend(with_ports(&sub.not_ready_addresses));
        }
    }
}

// ------------------------------------------------------------------ installer configuration

/// An installer's cluster configuration: its Service and pod ranges join `ranges` (a
/// network already there under the same role is not added twice), its cluster DNS joins
/// `cluster_dns`, NodeLocal DNSCache turned on joins `nodelocal_dns` (with the address the
/// file gives, else the installer's default: pharos 169.254.20.10, kubespray
/// 169.254.25.10), and its kube-proxy mode becomes the same `manifest` /
/// `kube-proxy-config` signal a KubeProxyConfiguration gives (`none` is left out: no
/// kube-proxy runs to have a mode).
fn cluster_config(f: &mut Facts, recs: &[parse::cluster_config::Record]) {
    for r in recs {
        let ranges = [
            (
                &r.service_cidr,
                &r.service_cidr_key,
                r.service_cidr_line,
                "Service CIDR",
            ),
            (&r.pod_cidr, &r.pod_cidr_key, r.pod_cidr_line, "pod CIDR"),
        ];
        for (cidr, key, line, role) in ranges {
            let (Some(cidr), Some(line)) = (cidr, line) else {
                continue;
            };
            let key = key.as_deref().unwrap_or("cluster config");
            for c in cidr.split(',') {
                let Ok(net) = crate::calc::cidr::parse_net(c.trim()) else {
                    continue;
                };
                if f.ranges
                    .iter()
                    .any(|x| x.value.1 == net && x.value.0.starts_with(role))
                {
                    continue;
                }
                f.ranges.push(Sourced {
                    value: (format!("{role} ({key})"), net),
                    line,
                });
            }
        }
        if let (Some(dns), Some(line)) = (&r.cluster_dns, r.cluster_dns_line) {
            kubelet_dns(f, std::slice::from_ref(dns), line);
        }
        if r.nodelocal_dns == Some(true) {
            let ip = r
                .nodelocal_dns_ip
                .as_deref()
                .and_then(|s| s.trim().parse().ok())
                .or(match r.format.as_str() {
                    "pharos" => Some(NODELOCAL_DNS_IPS[0]),
                    "kubespray" => Some(NODELOCAL_DNS_IPS[1]),
                    _ => None,
                });
            let line = r
                .nodelocal_dns_line
                .or(r.nodelocal_dns_ip_line)
                .unwrap_or(r.line);
            f.nodelocal_dns.push(Sourced { value: ip, line });
        }
        if let Some(mode) = r.proxy_mode.as_deref().filter(|m| *m != "none") {
            let fields = BTreeMap::from([("mode".to_string(), mode.to_string())]);
            signal(
                f,
                "manifest",
                "kube-proxy-config",
                &format!("mode: {mode}"),
                &fields,
                r.proxy_mode_line.unwrap_or(r.line),
            );
        }
    }
}

/// A resolver nameserver at NodeLocal DNSCache's link-local address: pods are given the
/// cache.
fn nodelocal_from_nameserver(f: &mut Facts, ip: IpAddr, line: usize) {
    if NODELOCAL_DNS_IPS.contains(&ip) {
        f.nodelocal_dns.push(Sourced {
            value: Some(ip),
            line,
        });
    }
}

/// NodeLocal DNSCache's DaemonSet pods (`node-local-dns-*` in kube-system) listed: the
/// cache runs; its address is not in the row. One fact per listing.
fn nodelocal_from_pods(
    f: &mut Facts,
    rows: &[parse::kubectl_get_pods::Record],
    cmd_ns: Option<&str>,
) -> bool {
    let row = rows.iter().find(|r| {
        r.name.starts_with("node-local-dns-")
            && r.namespace
                .as_deref()
                .or(cmd_ns)
                .is_none_or(|ns| ns == "kube-system")
    });
    if let Some(r) = row {
        f.nodelocal_dns.push(Sourced {
            value: None,
            line: r.line,
        });
    }
    row.is_some()
}

/// kubelet log lines become signals of source `kubelet`: the signature, the message as
/// `detail` (it keeps the CNI's and IPAM's own words, which predicates look for) and the
/// signature's typed fields. The raw structured values that change with every line (sandbox
/// ids inside `err`, `podUID`, a probe's `output`) are left out so repeated lines fold.
fn kubelet_log(f: &mut Facts, recs: &[parse::kubelet_log::Record]) {
    const TYPED: &[&str] = &[
        "detail",
        "pod",
        "plugin",
        "error",
        "range",
        "range_index",
        "probe_type",
        "container",
        "address",
        "port",
        "applied",
        "requested",
        "effective",
    ];
    for r in recs {
        let fields: BTreeMap<String, String> = r
            .fields
            .iter()
            .filter(|(k, _)| {
                TYPED.contains(&k.as_str())
                    || (r.signature == "node-ip-problem" && k.as_str() == "err")
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        signal(f, "kubelet", &r.signature, &r.detail, &fields, r.line);
    }
}

/// kube-proxy's nftables mode: the `service-ips` map's elements (`VIP . proto . port : goto
/// service-…-ns/name/proto/port`) followed through the service chain's `goto`/`vmap` to
/// the endpoint chains' `dnat to`; `no-endpoint-services` elements are Services without
/// endpoints.
fn nft_frontends(f: &mut Facts, seg: &Segment, recs: &[parse::nft::Record]) {
    use parse::nft::Record as R;
    use std::collections::HashMap;
    let mut chains: HashMap<&str, Vec<&parse::nft::NftRule>> = HashMap::new();
    let mut maps: Vec<&parse::nft::NftSet> = Vec::new();
    let mut first = 0;
    for r in recs {
        match r {
            R::Rule(rule) if rule.table == "kube-proxy" => {
                chains.entry(rule.chain.as_str()).or_default().push(rule);
            }
            R::Set(set)
                if set.table == "kube-proxy"
                    && (set.name == "service-ips" || set.name == "no-endpoint-services") =>
            {
                if first == 0 {
                    first = set.line;
                }
                maps.push(set);
            }
            _ => {}
        }
    }
    if maps.is_empty() {
        return;
    }
    let mut n = 0;
    for set in maps {
        let no_endpoints = set.name == "no-endpoint-services";
        for el in &set.elements {
            // `10.96.0.10 . udp . 53`
            let mut key = el.key.split(" . ").map(str::trim);
            let (Some(vip), Some(proto), Some(port)) = (key.next(), key.next(), key.next()) else {
                continue;
            };
            let Ok(vip) = vip.parse::<IpAddr>() else {
                continue;
            };
            let target = el
                .value
                .as_deref()
                .and_then(|v| v.strip_prefix("goto ").or(v.strip_prefix("jump ")))
                .unwrap_or("");
            // `service-FY4VZNJ5-kube-system/kube-dns/udp/dns` → `kube-system/kube-dns:dns`
            let service = target
                .split_once('-')
                .and_then(|(_, rest)| rest.split_once('-'))
                .map(|(_, name)| name)
                .or(el.comment.as_deref())
                .and_then(|name| {
                    let parts: Vec<&str> = name.split('/').collect();
                    match parts.as_slice() {
                        [ns, svc, _, port] => Some(format!("{ns}/{svc}:{port}")),
                        [ns, svc] => Some(format!("{ns}/{svc}")),
                        _ => None,
                    }
                });
            let mut backends: Vec<Sourced<(IpAddr, Option<u16>)>> = Vec::new();
            let mut todo: Vec<(&str, u8)> = vec![(target, 0)];
            let mut seen: Vec<&str> = Vec::new();
            while let Some((chain, depth)) = todo.pop() {
                if depth > 2 || chain.is_empty() || seen.contains(&chain) || seen.len() > 4096 {
                    continue;
                }
                seen.push(chain);
                for r in chains.get(chain).map(Vec::as_slice).unwrap_or(&[]) {
                    if let Some(b) = r.dnat_to.as_deref().and_then(addr_port) {
                        if !backends.iter().any(|x| x.value == b) {
                            backends.push(Sourced {
                                value: b,
                                line: r.line,
                            });
                        }
                    }
                    for t in r
                        .goto
                        .iter()
                        .chain(r.jump.iter())
                        .chain(r.vmap_targets.iter())
                    {
                        if t.starts_with("endpoint-") || t.starts_with("service-") {
                            todo.push((t.as_str(), depth + 1));
                        }
                    }
                }
            }
            n += 1;
            f.frontends.push(Frontend {
                source: "nft".into(),
                vip,
                port: port.parse().ok(),
                protocol: proto.to_ascii_lowercase(),
                service,
                role: (!no_endpoints).then(|| "cluster IP".to_string()),
                no_endpoints,
                backends,
                line: el.line,
            });
        }
    }
    f.dumps.push(Dump {
        source: "nft".into(),
        line: first,
        filtered: filtered(seg),
        frontends: n,
        ipvs_sets: None,
    });
}

/// `kubectl describe networkpolicy`: the policy's selector, the directions it isolates and
/// how many rules allow traffic in each (set-based selectors are left to the manifests).
fn describe_netpol(f: &mut Facts, seg: &Segment, recs: &[parse::kubectl_describe_netpol::Record]) {
    let cmd_ns = cmd_namespace(seg);
    for r in recs {
        let Some(labels) = &r.pod_selector else {
            continue;
        };
        let has = |t: &str| r.policy_types.iter().any(|x| x.eq_ignore_ascii_case(t));
        let last = [r.ingress_line, r.egress_line, r.policy_types_line]
            .into_iter()
            .flatten()
            .chain(r.ingress.iter().flatten().map(|x| x.line))
            .chain(r.egress.iter().flatten().map(|x| x.line))
            .max()
            .unwrap_or(r.line);
        f.policies.push(Policy {
            name: r.name.clone(),
            namespace: r.namespace.clone().or(cmd_ns.clone()),
            pod_selector: Selector {
                match_labels: labels.clone(),
                match_expressions: Vec::new(),
            },
            pod_selector_line: r.pod_selector_line.unwrap_or(r.line),
            ingress_isolated: has("Ingress") || r.ingress.is_some(),
            egress_isolated: has("Egress") || r.egress.is_some(),
            ingress_rules: r.ingress.as_ref().map_or(0, Vec::len),
            egress_rules: r.egress.as_ref().map_or(0, Vec::len),
            first_line: r.line,
            last_line: last.max(r.line),
            policy_types_line: r.policy_types_line,
        });
    }
}
