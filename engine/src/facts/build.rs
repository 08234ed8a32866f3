//! From parsed segments to [`Facts`]: one adapter per record kind, then the joins.
//!
//! Adapters only translate; merging (the same Service seen by `get svc` and `describe
//! svc`) happens in the `upsert_*` helpers, keyed by namespace and name, where an
//! unknown namespace matches any.

use super::*;
use crate::parse::{self, Parsed, Records};
use crate::split::Segment;

/// Build the store from every segment that parsed.
pub fn build(parsed: &[(&Segment, Option<&Parsed>)]) -> Facts {
    let mut f = Facts::default();
    for (seg, p) in parsed {
        let Some(p) = p else { continue };
        if !f.kinds_seen.iter().any(|k| k == p.kind) {
            f.kinds_seen.push(p.kind.to_string());
        }
        add(&mut f, seg, &p.records);
    }
    f
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
    let pos = f
        .services
        .iter()
        .position(|s| s.name == name && ns_compatible(s.namespace.as_deref(), namespace));
    let i = match pos {
        Some(i) => i,
        None => {
            f.services.push(Service {
                name: name.to_string(),
                namespace: namespace.map(str::to_string),
                ..Service::default()
            });
            f.services.len() - 1
        }
    };
    let s = &mut f.services[i];
    if s.namespace.is_none() {
        s.namespace = namespace.map(str::to_string);
    }
    s
}

fn upsert_pod<'f>(f: &'f mut Facts, namespace: Option<&str>, name: &str) -> &'f mut Pod {
    let pos = f
        .pods
        .iter()
        .position(|p| p.name == name && ns_compatible(p.namespace.as_deref(), namespace));
    let i = match pos {
        Some(i) => i,
        None => {
            f.pods.push(Pod {
                name: name.to_string(),
                namespace: namespace.map(str::to_string),
                ..Pod::default()
            });
            f.pods.len() - 1
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
    let pos = f
        .endpoints
        .iter()
        .position(|e| e.name == name && ns_compatible(e.namespace.as_deref(), namespace));
    let i = match pos {
        Some(i) => i,
        None => {
            f.endpoints.push(Endpoints {
                name: name.to_string(),
                namespace: namespace.map(str::to_string),
                line,
                ..Endpoints::default()
            });
            f.endpoints.len() - 1
        }
    };
    &mut f.endpoints[i]
}

fn push_line(lines: &mut Vec<usize>, line: usize) {
    if line > 0 && !lines.contains(&line) {
        lines.push(line);
    }
}

fn add(f: &mut Facts, seg: &Segment, records: &Records) {
    match records {
        Records::K8sObjects(objs) => objects(f, seg, objs),
        Records::KubeletConfig(rows) => kubelet(f, rows),
        _ => {}
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
