//! Every fixture of `k8s-objects` and `kubelet-config` through the registry, snapshotted,
//! plus the facts that matter asserted by hand.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use netdoc::parse::k8s_objects::{Spec, TargetPort};
use netdoc::parse::{parse_as, Parsed, Records, Status};
use netdoc::split::Segment;
use std::path::PathBuf;

fn fixture_dir(kind: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(kind)
}

/// Fixtures whose meaning depends on the command line that printed them.
fn command_for(name: &str) -> Option<&'static str> {
    match name {
        "kubectl-1.3--pod-fragment-status.txt" => {
            Some("kubectl get po --namespace=kube-system get po kube-dns-v17.1-j7nsx -o yaml")
        }
        "kubectl-1.30--list-svc-ep.txt" => Some("kubectl get svc,ep -n broken-net -o yaml"),
        _ => None,
    }
}

fn run(kind: &str, name: &str) -> Parsed {
    let text = std::fs::read_to_string(fixture_dir(kind).join(name)).unwrap();
    let seg = match command_for(name) {
        Some(cmd) => Segment::with_command(&text, 1, cmd),
        None => Segment::new(&text, 1),
    };
    parse_as(kind, &seg).unwrap()
}

fn fixtures(kind: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixture_dir(kind))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".txt"))
        .collect();
    names.sort();
    names
}

#[test]
fn snapshots() {
    for kind in ["k8s-objects", "kubelet-config"] {
        let names = fixtures(kind);
        assert!(
            names.iter().any(|n| n.ends_with("--empty.txt")),
            "{kind} needs an empty case"
        );
        for name in names {
            let parsed = run(kind, &name);
            insta::assert_json_snapshot!(
                format!("{kind}__{}", name.trim_end_matches(".txt")),
                parsed
            );
        }
    }
}

fn objects(p: &Parsed) -> &[netdoc::parse::k8s_objects::Object] {
    match &p.records {
        Records::K8sObjects(r) => r,
        _ => panic!("not k8s-objects"),
    }
}

fn flags(p: &Parsed) -> &[netdoc::parse::kubelet_config::Record] {
    match &p.records {
        Records::KubeletConfig(r) => r,
        _ => panic!("not kubelet-config"),
    }
}

#[test]
fn empty_is_empty() {
    let p = run("k8s-objects", "kubectl--empty.txt");
    assert_eq!((p.records.len(), p.problems.len()), (0, 0));
    assert_eq!(p.status, Status::Parsed);
    let p = run("kubelet-config", "kubelet--empty.txt");
    assert_eq!((p.records.len(), p.problems.len()), (0, 0));
}

#[test]
fn service_nodeport_local() {
    let p = run("k8s-objects", "kubectl-1.30--svc-nodeport-etp-local.txt");
    assert_eq!(p.status, Status::Parsed);
    let o = &objects(&p)[0];
    assert_eq!(
        (o.kind.as_str(), o.name.as_deref(), o.namespace.as_deref()),
        ("Service", Some("web"), Some("shop"))
    );
    let Spec::Service {
        ports,
        external_traffic_policy,
        external_traffic_policy_line,
        cluster_ip,
        ..
    } = &o.spec
    else {
        panic!()
    };
    assert_eq!(cluster_ip.as_deref(), Some("10.96.142.7"));
    assert_eq!(
        (
            external_traffic_policy.as_deref(),
            *external_traffic_policy_line
        ),
        (Some("Local"), Some(18))
    );
    assert_eq!(ports[0].target_port, Some(TargetPort::Name("http".into())));
    assert_eq!(
        (ports[0].node_port, ports[0].node_port_line),
        (Some(30080), Some(25))
    );
    assert_eq!(ports[1].target_port, Some(TargetPort::Number(9090)));
}

#[test]
fn endpoints_not_ready_and_empty() {
    let p = run("k8s-objects", "kubectl-1.30--endpoints-not-ready.txt");
    let Spec::Endpoints { subsets, .. } = &objects(&p)[0].spec else {
        panic!()
    };
    assert_eq!(subsets[0].addresses[0].ip, "10.244.1.17");
    assert_eq!(subsets[0].not_ready_addresses[0].ip, "10.244.2.9");
    assert_eq!(subsets[0].not_ready_addresses[0].line, 23);
    assert_eq!(
        subsets[0].not_ready_addresses[0].target_name.as_deref(),
        Some("web-7c9d8b6f5-m8w4z")
    );
    let p = run("k8s-objects", "kubectl-1.19--endpoints-no-subsets.txt");
    let Spec::Endpoints {
        subsets,
        subsets_line,
    } = &objects(&p)[0].spec
    else {
        panic!()
    };
    assert!(subsets.is_empty());
    assert_eq!(*subsets_line, Some(12));
}

#[test]
fn endpoint_slice_conditions() {
    let p = run("k8s-objects", "kubectl-1.30--endpointslice.txt");
    let Spec::EndpointSlice {
        service_name,
        endpoints,
        ports,
        ..
    } = &objects(&p)[0].spec
    else {
        panic!()
    };
    assert_eq!(service_name.as_deref(), Some("web"));
    assert_eq!(endpoints[1].ready, Some(false));
    assert_eq!(endpoints[1].line, 16);
    assert_eq!(ports.len(), 2);
}

#[test]
fn pod_crashloop_and_json() {
    let p = run("k8s-objects", "kubectl-1.30--pod-crashloop.txt");
    let Spec::Pod { pod } = &objects(&p)[0].spec else {
        panic!()
    };
    let ready = pod
        .conditions
        .iter()
        .find(|c| c.condition_type == "Ready")
        .unwrap();
    assert_eq!((ready.status.as_str(), ready.line), ("False", 55));
    assert_eq!(
        pod.container_statuses[0].waiting_reason.as_deref(),
        Some("CrashLoopBackOff")
    );
    assert_eq!(pod.container_statuses[0].restart_count, Some(8));
    assert_eq!(pod.containers[0].ports.len(), 3);
    let p = run("k8s-objects", "kubectl-1.30--pod-json.txt");
    let o = &objects(&p)[0];
    assert_eq!(o.labels.get("version").map(String::as_str), Some("1.0"));
    let Spec::Pod { pod } = &o.spec else { panic!() };
    assert_eq!(pod.pod_ip.as_deref(), Some("10.244.1.23"));
    assert_eq!(pod.containers[0].ports[0].line, 19);
}

#[test]
fn fragment_named_from_the_command_line() {
    let p = run("k8s-objects", "kubectl-1.3--pod-fragment-status.txt");
    assert_eq!(p.status, Status::Parsed);
    let o = &objects(&p)[0];
    assert_eq!(o.kind, "Pod");
    assert_eq!(o.name.as_deref(), Some("kube-dns-v17.1-j7nsx"));
    assert_eq!(o.namespace.as_deref(), Some("kube-system"));
    let Spec::Pod { pod } = &o.spec else { panic!() };
    assert_eq!(pod.container_statuses.len(), 2);
    assert_eq!(pod.pod_ip.as_deref(), Some("10.32.0.4"));
}

#[test]
fn list_items_are_objects() {
    let p = run("k8s-objects", "kubectl-1.30--list-svc-ep.txt");
    let objs = objects(&p);
    assert_eq!(objs.len(), 2);
    assert_eq!((objs[0].first_line, objs[0].last_line), (3, 30));
    assert_eq!(objs[1].first_line, 31);
    let Spec::Endpoints {
        subsets,
        subsets_line,
    } = &objs[1].spec
    else {
        panic!()
    };
    assert!(subsets.is_empty() && subsets_line.is_none());
    let p = run("k8s-objects", "netpol-analyzer--json-namespacelist.txt");
    let objs = objects(&p);
    assert_eq!(objs[0].kind, "Namespace");
    assert_eq!(objs[0].name.as_deref(), Some("demo"));
}

#[test]
fn crlf_multi_document_and_other_kinds() {
    let p = run(
        "k8s-objects",
        "netpol-analyzer--crlf-ns-and-deployments.txt",
    );
    assert_eq!(p.status, Status::Parsed);
    let kinds: Vec<&str> = objects(&p).iter().map(|o| o.kind.as_str()).collect();
    assert_eq!(kinds[0], "Namespace");
    let p = run("k8s-objects", "manifest--multi-doc-deploy-svc-ingress.txt");
    let objs = objects(&p);
    assert_eq!(objs.len(), 3);
    assert!(matches!(objs[2].spec, Spec::Other {}));
    assert_eq!(
        objs[2].labels.get("team").map(String::as_str),
        Some("payments")
    );
    let Spec::Workload {
        template_labels_line,
        pod,
        replicas,
        ..
    } = &objs[0].spec
    else {
        panic!()
    };
    assert_eq!((*template_labels_line, *replicas), (Some(14), Some(2)));
    let dns = pod.dns_config.as_ref().unwrap();
    assert_eq!(dns.options[0], ("ndots".to_string(), Some("2".to_string())));
    assert_eq!(dns.options[1], ("single-request-reopen".to_string(), None));
}

#[test]
fn network_policies_keep_absent_versus_empty() {
    let p = run("k8s-objects", "netpol-analyzer--netpol-end-port.txt");
    let Spec::NetworkPolicy {
        pod_selector,
        ingress,
        egress,
        policy_types,
        ..
    } = &objects(&p)[0].spec
    else {
        panic!()
    };
    assert!(pod_selector.match_labels.is_empty() && pod_selector.match_expressions.is_empty());
    assert_eq!(policy_types.as_deref(), Some(&["Ingress".to_string()][..]));
    assert!(egress.is_none());
    let rule = &ingress.as_ref().unwrap()[0];
    assert!(rule.peers.is_none());
    let ports = rule.ports.as_ref().unwrap();
    assert_eq!(
        (ports[0].end_port, ports[0].protocol.as_deref()),
        (Some(65535), Some("UDP"))
    );
    let p = run("k8s-objects", "netpol-analyzer--crlf-netpol-except-pod.txt");
    let Spec::NetworkPolicy { ingress, .. } = &objects(&p)[0].spec else {
        panic!()
    };
    let peer = &ingress.as_ref().unwrap()[0].peers.as_ref().unwrap()[0];
    assert_eq!(peer.line, 15);
    assert!(peer.pod_selector.is_none());
    let ns = peer.namespace_selector.as_ref().unwrap();
    assert_eq!(
        ns.match_labels
            .get("kubernetes.io/metadata.name")
            .map(String::as_str),
        Some("backend")
    );
}

#[test]
fn kubelet_configuration_and_kube_proxy_configmap() {
    let p = run("k8s-objects", "kubelet-1.30--config-yaml.txt");
    let Spec::KubeletConfiguration {
        cluster_dns,
        cluster_dns_line,
        resolv_conf,
        hairpin_mode_line,
        ..
    } = &objects(&p)[0].spec
    else {
        panic!()
    };
    assert_eq!(
        (cluster_dns.as_slice(), *cluster_dns_line),
        (&["10.96.0.10".to_string()][..], Some(13))
    );
    assert_eq!(
        resolv_conf.as_deref(),
        Some("/run/systemd/resolve/resolv.conf")
    );
    assert_eq!(*hairpin_mode_line, Some(17));
    let p = run("k8s-objects", "kubectl-1.30--configmap-kube-proxy.txt");
    let Spec::ConfigMap {
        data, data_lines, ..
    } = &objects(&p)[0].spec
    else {
        panic!()
    };
    assert!(data.get("config.conf").unwrap().contains("mode: ipvs"));
    assert_eq!(data_lines.get("config.conf"), Some(&3));
}

#[test]
fn broken_inputs_name_their_lines() {
    let p = run("k8s-objects", "broken--bad-indent.txt");
    assert_eq!(p.status, Status::Partial);
    assert_eq!(p.problems[0].line, 5);
    assert_eq!(objects(&p)[0].kind, "Namespace");
    let p = run("k8s-objects", "broken--truncated-json.txt");
    assert_eq!(p.status, Status::Error);
    assert!(p.problems[0].line >= 12, "{:?}", p.problems);
    let p = run("k8s-objects", "broken--bad-port.txt");
    assert_eq!(p.status, Status::Partial);
    assert_eq!(p.problems[0].line, 7);
}

#[test]
fn kubelet_flags_from_every_source() {
    let p = run("kubelet-config", "kubeadm-1.5--10-kubeadm-conf.txt");
    assert_eq!(p.status, Status::Parsed);
    let dns = flags(&p).iter().find(|r| r.flag == "cluster-dns").unwrap();
    assert_eq!(
        (dns.value.as_str(), dns.line, dns.variable.as_deref()),
        ("10.12.0.10", 5, Some("KUBELET_DNS_ARGS"))
    );
    let p = run("kubelet-config", "procps--ps-aux-grep-kubelet.txt");
    assert_eq!(p.status, Status::Parsed);
    let dns = flags(&p).iter().find(|r| r.flag == "cluster-dns").unwrap();
    assert_eq!(dns.values, vec!["10.96.0.10", "169.254.20.10"]);
    let p = run("kubelet-config", "systemd--execstart-continuation.txt");
    let host = flags(&p)
        .iter()
        .find(|r| r.flag == "hostname-override")
        .unwrap();
    assert_eq!((host.value.as_str(), host.line), ("worker-0", 7));
    let resolv = flags(&p).iter().find(|r| r.flag == "resolv-conf").unwrap();
    assert_eq!(resolv.value, "/run/systemd/resolve/resolv.conf");
    let p = run("kubelet-config", "kubeadm-1.30--kubeadm-flags-env.txt");
    assert!(flags(&p)
        .iter()
        .any(|r| r.flag == "node-ip" && r.value == "192.168.56.11"));
    let p = run("kubelet-config", "garbled--truncated.txt");
    assert_eq!(p.status, Status::Partial);
    let lines: Vec<usize> = p.problems.iter().map(|q| q.line).collect();
    assert_eq!(lines, vec![2, 4]);
}
