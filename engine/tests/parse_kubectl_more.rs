//! The wider kubectl parsers (get nodes / events / deploy / ns / netpol, describe pod /
//! node / endpoints / netpol, `-o jsonpath`) over every fixture in
//! `tests/fixtures/<kind>/`, snapshotted, with the key facts of each fixture, detection
//! by content and by command line, and the facts they feed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;

use netdoc::parse::kubectl_jsonpath::Value;
use netdoc::parse::{
    kubectl_describe_endpoints as dep, kubectl_describe_netpol as dnp,
    kubectl_describe_node as dno, kubectl_describe_pod as dpo, kubectl_get_deploy as gde,
    kubectl_get_events as gev, kubectl_get_netpol as gnp, kubectl_get_nodes as gno,
    kubectl_get_ns as gns, kubectl_jsonpath as jp, parse_as, Parsed, Records, Status,
};
use netdoc::split::Segment;

const KINDS: &[&str] = &[
    "kubectl-get-nodes",
    "kubectl-get-events",
    "kubectl-get-deploy",
    "kubectl-get-ns",
    "kubectl-get-netpol",
    "kubectl-describe-pod",
    "kubectl-describe-node",
    "kubectl-describe-endpoints",
    "kubectl-describe-netpol",
    "kubectl-jsonpath",
];

/// Fixtures read under the command line that printed them (their first line is line 2).
const COMMANDS: &[(&str, &str)] = &[
    (
        "kubectl-get-nodes/kubectl-1.29--wide.txt",
        "kubectl get nodes -o wide",
    ),
    (
        "kubectl-get-events/kubectl-1.28--namespace.txt",
        "kubectl get events -n shop --sort-by=.lastTimestamp",
    ),
    (
        "kubectl-get-events/kubectl-1.29--all-namespaces.txt",
        "kubectl get events -A",
    ),
    (
        "kubectl-get-events/kubectl-1.30--kubectl-events.txt",
        "kubectl events -n kube-system",
    ),
    (
        "kubectl-get-deploy/kubectl-1.28--plain.txt",
        "kubectl get deploy -n shop",
    ),
    (
        "kubectl-get-ns/kubectl-1.28--headerless-rows.txt",
        "kubectl get ns --no-headers",
    ),
    (
        "kubectl-get-netpol/kubectl-1.28--headerless-rows.txt",
        "kubectl get netpol -n shop --no-headers",
    ),
    (
        "kubectl-get-netpol/kubectl-1.28--plain.txt",
        "kubectl get networkpolicy -n shop",
    ),
    (
        "kubectl-describe-pod/kubectl-1.29--pending-sandbox.txt",
        "kubectl describe pod web-7d4b9c8f6-abcde -n shop",
    ),
    (
        "kubectl-jsonpath/kubectl-1.28--selector-json.txt",
        "kubectl get svc backend -n shop -o jsonpath='{.spec.selector}'",
    ),
    (
        "kubectl-jsonpath/kubectl-1.14--selector-go-map.txt",
        "kubectl get svc backend -n shop -o jsonpath={.spec.selector}",
    ),
    (
        "kubectl-jsonpath/kubectl-1.28--pod-ips.txt",
        "kubectl get pods -n shop -l app=backend -o jsonpath='{.items[*].status.podIP}'",
    ),
    (
        "kubectl-jsonpath/kubectl-1.29--range-rows.txt",
        r#"kubectl get pods -n shop -o jsonpath='{range .items[*]}{.metadata.name}{"\t"}{.status.podIP}{"\n"}{end}'"#,
    ),
    (
        "kubectl-jsonpath/kubectl-1.29--ports-list.txt",
        "kubectl get svc backend -o jsonpath='{.spec.ports}'",
    ),
    (
        "kubectl-jsonpath/kubectl-1.28--truncated.txt",
        r#"kubectl get pods -o jsonpath='{range .items[*]}{.metadata.name}{"\t"}{.status.podIP}{"\n"}{end}'"#,
    ),
    (
        "kubectl-jsonpath/kubectl-1.28--garbled.txt",
        "kubectl get svc backend -o jsonpath='{.spec.selector'",
    ),
];

fn p(kind: &str, file: &str) -> Parsed {
    run_with(kind, &format!("{kind}/{file}"), COMMANDS)
}

fn lines(p: &Parsed) -> Vec<usize> {
    p.problems.iter().map(|p| p.line).collect()
}

macro_rules! records {
    ($fn:ident, $kind:literal, $variant:ident, $module:ident) => {
        fn $fn(file: &str) -> (Vec<$module::Record>, Parsed) {
            let parsed = p($kind, file);
            match &parsed.records {
                Records::$variant(r) => (r.clone(), parsed),
                _ => panic!("not {}", $kind),
            }
        }
    };
}
records!(nodes, "kubectl-get-nodes", KubectlGetNodes, gno);
records!(events, "kubectl-get-events", KubectlGetEvents, gev);
records!(deploys, "kubectl-get-deploy", KubectlGetDeploy, gde);
records!(nss, "kubectl-get-ns", KubectlGetNs, gns);
records!(netpols, "kubectl-get-netpol", KubectlGetNetpol, gnp);
records!(dpods, "kubectl-describe-pod", KubectlDescribePod, dpo);
records!(dnodes, "kubectl-describe-node", KubectlDescribeNode, dno);
records!(
    deps,
    "kubectl-describe-endpoints",
    KubectlDescribeEndpoints,
    dep
);
records!(
    dnetpols,
    "kubectl-describe-netpol",
    KubectlDescribeNetpol,
    dnp
);
records!(jsonpaths, "kubectl-jsonpath", KubectlJsonpath, jp);

#[test]
fn every_fixture_snapshotted() {
    for kind in KINDS {
        assert!(
            fixtures_dir().join(kind).join("README.md").exists(),
            "{kind} has no README"
        );
        let fs = files(kind);
        assert!(fs.len() >= 5, "{kind}: only {} fixtures", fs.len());
        for f in fs {
            let parsed = p(kind, &f);
            let name = format!("{kind}__{}", f.trim_end_matches(".txt"));
            insta::assert_json_snapshot!(name, parsed);
        }
    }
}

#[test]
fn empty_fixtures_read_empty() {
    assert_empty_fixtures_read_empty(KINDS);
}

#[test]
fn get_nodes_key_facts() {
    let (r, p) = nodes("kubectl-1.28--plain.txt");
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(r.len(), 5);
    assert_eq!(r[0].roles, vec!["control-plane"]);
    assert!(r[1].roles.is_empty());
    assert_eq!(r[2].ready, Some(false));
    assert_eq!(r[3].conditions, vec!["Ready", "SchedulingDisabled"]);
    assert_eq!(
        (r[4].ready, r[4].status.as_str()),
        (Some(false), "NotReady,SchedulingDisabled")
    );
    assert_eq!(r[0].version.as_deref(), Some("v1.28.3"));

    let (r, p) = nodes("kubectl-1.29--wide.txt");
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(r[0].line, 3);
    assert_eq!(r[0].internal_ip, Some("10.0.0.10".parse().unwrap()));
    assert_eq!(r[0].external_ip, Some("203.0.113.10".parse().unwrap()));
    assert_eq!(r[1].external_ip, None);
    assert_eq!(r[1].os_image.as_deref(), Some("Ubuntu 22.04.3 LTS"));
    assert_eq!(r[1].kernel_version.as_deref(), Some("5.15.0-91-generic"));
    assert_eq!(
        r[2].container_runtime.as_deref(),
        Some("containerd://1.7.2")
    );

    let (r, _) = nodes("kubectl-1.11--not-ready-cni.txt");
    assert!(r.iter().all(|n| n.ready == Some(false)));
    assert_eq!(r[2].roles, vec!["master"]);

    let (r, p) = nodes("kubectl-1.7--no-roles.txt");
    assert!(p.problems.is_empty());
    assert_eq!(r[1].conditions, vec!["Ready", "SchedulingDisabled"]);
    assert_eq!(r[1].version, None);

    let (r, p) = nodes("kubectl-1.30--wide-dual-stack-truncated.txt");
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].roles, vec!["control-plane", "master"]);
    assert_eq!(
        r[0].os_image.as_deref(),
        Some("Debian GNU/Linux 12 (bookworm)")
    );
    assert_eq!(
        r[1].internal_ip,
        Some("fc00:f853:ccd:e793::3".parse().unwrap())
    );
    assert_eq!(lines(&p), vec![4]);

    let (r, p) = nodes("kubectl-1.28--garbled.txt");
    assert_eq!(r.len(), 1);
    assert_eq!(lines(&p), vec![3, 4, 5]);
}

#[test]
fn get_events_key_facts() {
    let (r, p) = events("kubectl-1.28--namespace.txt");
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(r.len(), 6);
    assert_eq!(r[1].line, 4);
    assert_eq!(r[1].reason, "FailedCreatePodSandBox");
    assert_eq!(r[1].namespace.as_deref(), Some("shop"));
    assert_eq!(
        (r[1].object_kind.as_deref(), r[1].object_name.as_deref()),
        (Some("pod"), Some("web-7d4b9c8f6-abcde"))
    );
    assert!(r[1]
        .message
        .contains(r#"plugin type="calico" failed (add)"#));
    assert!(r[2]
        .message
        .ends_with("no IP addresses available in range set: 10.244.2.1-10.244.2.254"));
    assert!(r[3].message.contains("connect: connection refused"));
    assert_eq!(r[4].object, "endpoints/backend");

    let (r, p) = events("kubectl-1.29--all-namespaces.txt");
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(r[0].namespace.as_deref(), Some("default"));
    assert_eq!(r[1].reason, "NetworkNotReady");
    assert_eq!(r[2].object_kind.as_deref(), Some("node"));
    assert!(r[0]
        .message
        .contains("{node-role.kubernetes.io/control-plane: }, 2 node(s)"));

    let (r, p) = events("kubectl-1.9--old-layout.txt");
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(r[1].subobject.as_deref(), Some("spec.containers{nginx}"));
    assert_eq!(r[1].source.as_deref(), Some("kubelet, minikube"));
    assert_eq!(r[0].subobject, None);
    assert_eq!(r[2].count, Some(158));
    assert_eq!(r[2].first_seen.as_deref(), Some("6m"));
    assert_eq!(r[2].object, "Pod/kube-dns-86f4d74b45-kgjbk");
    assert_eq!(r[2].object_kind.as_deref(), Some("pod"));

    let (r, p) = events("kubectl-1.30--kubectl-events.txt");
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(r[1].last_seen.as_deref(), Some("2m"));
    assert_eq!(r[1].count, Some(180));
    assert_eq!(r[1].first_seen.as_deref(), Some("41m"));
    assert!(r[1].message.starts_with("(combined from similar events): "));
    assert_eq!(r[1].namespace.as_deref(), Some("kube-system"));

    let (r, p) = events("kubectl-1.28--truncated.txt");
    assert_eq!(r.len(), 2);
    assert!(r[1]
        .message
        .contains("dial unix /var/run/cilium/cilium.sock"));
    assert_eq!(lines(&p), vec![4]);

    let (r, p) = events("kubectl-1.28--garbled.txt");
    assert_eq!(r.len(), 2);
    assert_eq!(lines(&p), vec![3, 5]);
}

#[test]
fn get_deploy_ns_netpol_key_facts() {
    let (r, p) = deploys("kubectl-1.28--plain.txt");
    assert!(p.problems.is_empty());
    assert_eq!(
        (r[0].ready_replicas, r[0].replicas, r[0].available),
        (Some(0), Some(2), Some(0))
    );
    assert_eq!(r[0].namespace.as_deref(), Some("shop"));
    let (r, p) = deploys("kubectl-1.29--wide-all-namespaces.txt");
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(r[1].containers, vec!["backend", "envoy"]);
    assert_eq!(r[1].images.len(), 2);
    let sel = r[1].selector.as_ref().unwrap();
    assert_eq!(sel.get("tier").map(String::as_str), Some("api"));
    assert_eq!(r[2].selector, None);
    assert_eq!(
        r[2].selector_text.as_deref(),
        Some("app=worker,tier in (batch,queue)")
    );
    let (r, _) = deploys("kubectl-1.14--old-columns.txt");
    assert_eq!(
        (r[1].desired, r[1].available, r[1].replicas),
        (Some(1), Some(0), None)
    );
    let (r, p) = deploys("kubectl-1.28--truncated.txt");
    assert_eq!((r.len(), lines(&p)), (1, vec![3]));
    let (r, p) = deploys("kubectl-1.28--garbled.txt");
    assert_eq!((r.len(), lines(&p)), (1, vec![3, 4, 5]));

    let (r, p) = nss("kubectl-1.28--plain.txt");
    assert!(p.problems.is_empty());
    assert_eq!(r[5].status, "Terminating");
    assert_eq!(r[0].labels, None);
    let (r, _) = nss("kubectl-1.29--show-labels.txt");
    let l = r[3].labels.as_ref().unwrap();
    assert_eq!(l.get("team").map(String::as_str), Some("payments"));
    let (r, p) = nss("kubectl-1.28--headerless-rows.txt");
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!((r[1].name.as_str(), r[1].line), ("monitoring", 3));
    let (r, p) = nss("kubectl-1.28--truncated.txt");
    assert_eq!((r.len(), lines(&p)), (1, vec![3]));
    let (r, p) = nss("kubectl-1.28--garbled.txt");
    assert_eq!((r.len(), lines(&p)), (2, vec![3, 4]));

    let (r, p) = netpols("kubectl-1.28--plain.txt");
    assert!(p.problems.is_empty());
    assert!(r[0].pod_selector.as_ref().unwrap().is_empty());
    assert_eq!(r[1].namespace.as_deref(), Some("shop"));
    assert_eq!(
        r[1].pod_selector
            .as_ref()
            .unwrap()
            .get("app")
            .map(String::as_str),
        Some("backend")
    );
    let (r, p) = netpols("kubectl-1.29--all-namespaces.txt");
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(r[3].pod_selector, None);
    assert_eq!(r[3].pod_selector_text, "app=worker,tier in (batch,queue)");
    assert_eq!(r[1].namespace.as_deref(), Some("monitoring"));
    let (r, p) = netpols("kubectl-1.28--headerless-rows.txt");
    assert!(p.problems.is_empty());
    assert_eq!(r.len(), 2);
    let (r, p) = netpols("kubectl-1.28--truncated.txt");
    assert_eq!((r.len(), lines(&p)), (1, vec![3]));
    let (r, p) = netpols("kubectl-1.28--garbled.txt");
    assert_eq!((r.len(), lines(&p)), (1, vec![3, 4, 5]));
}

#[test]
fn describe_pod_key_facts() {
    let (r, p) = dpods("kubectl-1.28--readiness-refused.txt");
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    let pod = &r[0];
    assert_eq!(
        (pod.name.as_str(), pod.namespace.as_deref()),
        ("backend-6d4cf56db6-x7k2p", Some("shop"))
    );
    assert_eq!(pod.node.as_deref(), Some("worker-1"));
    assert_eq!(pod.node_ip, Some("10.0.0.11".parse().unwrap()));
    assert_eq!(pod.labels.len(), 3);
    assert_eq!(
        (pod.ip, pod.ip_line),
        (Some("10.244.1.7".parse().unwrap()), Some(14))
    );
    assert_eq!(pod.ips.len(), 1);
    let c = &pod.containers[0];
    assert_eq!(
        (c.name.as_str(), c.ready, c.restart_count),
        ("backend", Some(false), Some(0))
    );
    assert_eq!((c.ports[0].port, c.ports_line), (8080, Some(23)));
    let rp = c.readiness.as_ref().unwrap();
    assert_eq!(
        rp.port,
        Some(netdoc::parse::kubectl_table::TargetPort::Number(8080))
    );
    assert_eq!(rp.path.as_deref(), Some("/ready"));
    assert_eq!(pod.conditions.len(), 4);
    assert_eq!(
        (
            pod.conditions[1].condition_type.as_str(),
            pod.conditions[1].status.as_str()
        ),
        ("Ready", "False")
    );
    assert_eq!(pod.events.len(), 5);
    assert_eq!(pod.events[4].count, Some(24));
    assert!(pod.events[4]
        .message
        .ends_with("connect: connection refused"));

    let (r, p) = dpods("kubectl-1.29--pending-sandbox.txt");
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!((r[0].ip, r[0].ips.len()), (None, 0));
    assert_eq!(
        r[0].containers[0].state_reason.as_deref(),
        Some("ContainerCreating")
    );
    assert_eq!(
        r[0].conditions[0].condition_type,
        "PodReadyToStartContainers"
    );
    assert_eq!(r[0].events[1].reason, "FailedCreatePodSandBox");
    assert_eq!(r[0].line, 2);

    let (r, p) = dpods("kubectl-1.30--two-pods-named-ports.txt");
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].node, None);
    let ports = &r[0].containers[0].ports;
    assert_eq!(ports.len(), 3);
    assert_eq!(
        (ports[2].port, ports[2].name.as_deref()),
        (9153, Some("metrics"))
    );
    assert_eq!(r[0].events[0].reason, "FailedScheduling");
    assert_eq!(r[1].ips.len(), 2);
    assert!(r[1].containers[0].ports.is_empty());
    assert_eq!(
        r[1].containers[0].last_state_reason.as_deref(),
        Some("Error")
    );
    assert_eq!(
        r[1].containers[0].readiness.as_ref().unwrap().port,
        Some(netdoc::parse::kubectl_table::TargetPort::Name(
            "http".into()
        ))
    );

    let (r, p) = dpods("kubectl-1.28--truncated.txt");
    assert_eq!(r[0].events.len(), 4);
    assert_eq!(lines(&p), vec![59]);

    let (r, p) = dpods("kubectl-1.28--garbled.txt");
    assert_eq!(r.len(), 1);
    assert_eq!(lines(&p), vec![3, 9, 10, 11, 12, 13, 15]);
}

#[test]
fn describe_node_key_facts() {
    let (r, p) = dnodes("kubectl-1.28--not-ready-cni.txt");
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    let n = &r[0];
    assert_eq!(n.taints.len(), 2);
    assert_eq!(n.unschedulable, Some(false));
    let ready = n
        .conditions
        .iter()
        .find(|c| c.condition_type == "Ready")
        .unwrap();
    assert_eq!(ready.status, "False");
    assert_eq!(ready.reason.as_deref(), Some("KubeletNotReady"));
    assert!(ready
        .message
        .as_deref()
        .unwrap()
        .ends_with("cni plugin not initialized"));
    assert_eq!(n.addresses[0].address, "10.0.0.12");
    assert_eq!(n.addresses[1].address_type, "Hostname");
    assert_eq!(
        (n.pod_cidr.as_deref(), n.pod_cidrs.len()),
        (Some("10.244.2.0/24"), 1)
    );
    assert_eq!(
        n.system_info.get("Kernel Version").map(String::as_str),
        Some("5.15.0-91-generic")
    );
    assert_eq!(n.pods.len(), 2);
    assert_eq!(n.pods[1].name, "web-7d4b9c8f6-abcde");
    assert_eq!(n.events[0].reason, "NodeNotReady");

    let (r, p) = dnodes("kubectl-1.29--two-nodes-network-unavailable.txt");
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].roles, vec!["control-plane"]);
    assert_eq!(r[0].pod_cidrs, vec!["10.244.0.0/24", "fd00:10:244::/64"]);
    assert_eq!(r[0].addresses[1].address, "203.0.113.10");
    assert_eq!(r[1].unschedulable, Some(true));
    assert_eq!(r[1].conditions[0].status, "True");
    assert_eq!(r[1].conditions[1].status, "Unknown");

    let (r, p) = dnodes("kubectl-1.7--tabs.txt");
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(r[0].labels.len(), 4);
    assert_eq!(r[0].conditions.len(), 3);
    assert!(r[0].conditions[2]
        .message
        .as_deref()
        .unwrap()
        .contains("cni config uninitialized"));
    assert_eq!(r[0].addresses.len(), 3);

    let (r, p) = dnodes("kubectl-1.28--truncated.txt");
    assert_eq!(r[0].conditions.len(), 3);
    assert_eq!(lines(&p), vec![25]);

    let (r, p) = dnodes("kubectl-1.28--garbled.txt");
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].addresses.len(), 1);
    assert_eq!(lines(&p), vec![4, 6, 8, 10]);
}

#[test]
fn describe_endpoints_key_facts() {
    let (r, p) = deps("kubectl-1.28--kube-dns.txt");
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    let s = &r[0].subsets[0];
    assert_eq!(s.addresses.len(), 2);
    assert!(s.not_ready_addresses.is_empty());
    assert_eq!(s.ports.len(), 3);
    assert_eq!(
        (s.ports[2].name.as_deref(), s.ports[2].port),
        (Some("metrics"), 9153)
    );

    let (r, p) = deps("kubectl-1.29--not-ready-and-many.txt");
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(r.len(), 3);
    assert!(r[0].subsets[0].addresses.is_empty());
    assert_eq!(r[0].subsets[0].not_ready_addresses.len(), 2);
    assert_eq!(r[1].subsets.len(), 2);
    assert_eq!(r[1].subsets[1].ports[0].name, None);
    assert!(r[2].subsets.is_empty());

    let (r, p) = deps("kubectl-1.33--deprecation-warning.txt");
    assert_eq!(lines(&p), vec![1]);
    assert_eq!(r[0].subsets[0].addresses.len(), 2);

    let (r, p) = deps("kubectl-1.28--truncated.txt");
    assert!(r[0].subsets[0].ports.is_empty());
    assert_eq!(lines(&p), vec![13]);

    let (r, p) = deps("kubectl-1.28--garbled.txt");
    assert_eq!(r.len(), 1);
    assert_eq!(lines(&p), vec![4, 7, 9, 10, 11]);
}

#[test]
fn describe_netpol_key_facts() {
    let (r, p) = dnetpols("kubectl-1.28--ingress-rules.txt");
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    let np = &r[0];
    assert_eq!(
        np.pod_selector
            .as_ref()
            .unwrap()
            .get("app")
            .map(String::as_str),
        Some("backend")
    );
    let ing = np.ingress.as_ref().unwrap();
    assert_eq!(ing.len(), 2);
    assert_eq!(ing[0].ports, vec!["8080/TCP"]);
    assert_eq!(ing[0].peers.len(), 2);
    assert_eq!(
        ing[0].peers[1].namespace_selector.as_deref(),
        Some("kubernetes.io/metadata.name=monitoring")
    );
    assert_eq!(
        ing[0].peers[1].pod_selector.as_deref(),
        Some("app.kubernetes.io/name=prometheus")
    );
    assert!(ing[1].all_ports);
    assert_eq!(ing[1].peers[0].ip_block.as_deref(), Some("10.0.0.0/8"));
    assert_eq!(ing[1].peers[0].except, vec!["10.0.1.0/24", "10.0.2.0/24"]);
    assert_eq!((np.egress.as_ref(), np.egress_line), (None, Some(21)));
    assert_eq!(np.policy_types, vec!["Ingress"]);

    let (r, p) = dnetpols("kubectl-1.29--default-deny-and-dns.txt");
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert_eq!(r.len(), 2);
    assert!(r[0].pod_selector.as_ref().unwrap().is_empty());
    assert_eq!(r[0].ingress.as_ref().map(Vec::len), Some(0));
    assert_eq!(r[0].egress.as_ref().map(Vec::len), Some(0));
    assert_eq!(r[0].policy_types, vec!["Ingress", "Egress"]);
    assert_eq!(r[1].ingress, None);
    let eg = r[1].egress.as_ref().unwrap();
    assert_eq!(eg[0].ports, vec!["53/UDP", "53/TCP"]);
    assert_eq!(
        eg[0].peers[0].pod_selector.as_deref(),
        Some("k8s-app=kube-dns")
    );

    let (r, p) = dnetpols("kubectl-1.18--annotations-spec-same-line.txt");
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert!(r[0].egress.as_ref().unwrap()[0].all_peers);

    let (r, p) = dnetpols("kubectl-1.19--last-applied-annotation.txt");
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    let ing = r[0].ingress.as_ref().unwrap();
    assert!(ing[0].all_ports && ing[0].all_peers);
    assert_eq!(r[0].policy_types, vec!["Egress", "Ingress"]);

    let (r, p) = dnetpols("kubectl-1.28--truncated.txt");
    assert_eq!(r[0].ingress.as_ref().unwrap()[0].peers.len(), 2);
    assert_eq!(lines(&p), vec![15]);

    let (r, p) = dnetpols("kubectl-1.28--garbled.txt");
    assert_eq!(r.len(), 1);
    assert_eq!(lines(&p), vec![4, 5, 7, 9, 10]);
}

#[test]
fn jsonpath_key_facts() {
    let (r, p) = jsonpaths("kubectl-1.28--selector-json.txt");
    assert!(p.problems.is_empty());
    assert_eq!(r[0].path, "{.spec.selector}");
    assert_eq!(r[0].line, 2);
    assert!(
        matches!(&r[0].values[0], Value::Map(m) if m.get("app").map(String::as_str) == Some("backend"))
    );
    let (r, _) = jsonpaths("kubectl-1.14--selector-go-map.txt");
    assert!(matches!(&r[0].values[0], Value::Map(m) if m.len() == 2));
    let (r, _) = jsonpaths("kubectl-1.28--pod-ips.txt");
    assert_eq!(r[0].values.len(), 3);
    assert_eq!(r[0].values[2], Value::Text("10.244.3.4".into()));
    let (r, _) = jsonpaths("kubectl-1.29--range-rows.txt");
    assert_eq!(r.len(), 3);
    assert_eq!(r[1].values[1], Value::Text("10.244.2.9".into()));
    assert_eq!(
        r[2].values,
        vec![
            Value::Text("backend-6d4cf56db6-pending".into()),
            Value::Text(String::new())
        ]
    );
    let (r, _) = jsonpaths("kubectl-1.29--ports-list.txt");
    assert_eq!(r[0].values.len(), 2);
    assert!(
        matches!(&r[0].values[1], Value::Map(m) if m.get("targetPort").map(String::as_str) == Some("metrics"))
    );
    let (r, p) = jsonpaths("kubectl-1.28--truncated.txt");
    assert_eq!((r.len(), p.problems.len()), (2, 0));
    let (r, p) = jsonpaths("kubectl-1.28--garbled.txt");
    assert!(r.is_empty());
    assert_eq!(lines(&p), vec![2, 3]);
    assert_eq!(p.status, Status::Error);
}

fn kinds_found(text: &str) -> Vec<String> {
    netdoc::parse_all(text)
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            s["parsed"]["kind"]
                .as_str()
                .unwrap_or("unrecognized")
                .to_string()
        })
        .collect()
}

#[test]
fn detection_by_content_and_by_command() {
    for kind in KINDS {
        for f in files(kind) {
            if f.ends_with("--empty.txt") || f.ends_with("--garbled.txt") {
                continue;
            }
            let rel = format!("{kind}/{f}");
            let text = read(&rel);
            let bare_ambiguous = *kind == "kubectl-jsonpath" || f.contains("headerless");
            if !bare_ambiguous {
                let got = kinds_found(&text);
                assert!(got.iter().all(|k| k == kind), "{rel} bare: {got:?}");
            }
            if let Some((_, cmd)) = COMMANDS.iter().find(|(r, _)| *r == rel) {
                let got = kinds_found(&format!("$ {cmd}\n{text}"));
                assert_eq!(
                    got.first().map(String::as_str),
                    Some(*kind),
                    "{rel} under `{cmd}`"
                );
            }
        }
    }
}

#[test]
fn facts_from_nodes_events_pods_endpoints() {
    let paste = format!(
        "$ kubectl get nodes -o wide\n{}$ kubectl describe node worker-3\n{}$ kubectl get events -n shop\n{}$ kubectl describe pod -n shop backend-6d4cf56db6-x7k2p\n{}$ kubectl describe endpoints -n shop\n{}",
        read("kubectl-get-nodes/kubectl-1.29--wide.txt"),
        read("kubectl-describe-node/kubectl-1.29--two-nodes-network-unavailable.txt"),
        read("kubectl-get-events/kubectl-1.28--namespace.txt"),
        read("kubectl-describe-pod/kubectl-1.28--readiness-refused.txt"),
        read("kubectl-describe-endpoints/kubectl-1.29--not-ready-and-many.txt"),
    );
    let segments = netdoc::split::split(&paste, &netdoc::detect::sniff_kind);
    let parsed: Vec<Option<Parsed>> = segments
        .iter()
        .map(|s| netdoc::detect::detect(s).kind.and_then(|k| parse_as(k, s)))
        .collect();
    let pairs: Vec<_> = segments
        .iter()
        .zip(parsed.iter().map(Option::as_ref))
        .collect();
    let f = netdoc::facts::build(&pairs);

    let addr = |label: &str| {
        f.node_addresses
            .iter()
            .find(|a| a.value.0 == label)
            .map(|a| a.value.1)
    };
    assert_eq!(
        addr("node worker-2 (InternalIP)"),
        Some("10.0.0.12".parse().unwrap())
    );
    assert_eq!(
        addr("node control-plane (ExternalIP)"),
        Some("203.0.113.10".parse().unwrap())
    );
    assert_eq!(
        addr("node cp-1 (InternalIP)"),
        Some("10.0.0.10".parse().unwrap())
    );
    let sig = |source: &str, sig: &str| {
        f.signals
            .iter()
            .filter(|s| s.source == source && s.signature == sig)
            .collect::<Vec<_>>()
    };
    let not_ready = sig("node", "node-not-ready");
    assert!(not_ready
        .iter()
        .any(|s| s.fields.get("node").map(String::as_str) == Some("worker-2")));
    assert!(not_ready
        .iter()
        .any(|s| s.fields.get("node").map(String::as_str) == Some("worker-3")));
    let unavailable = sig("node", "node-network-unavailable");
    assert_eq!(unavailable.len(), 1);
    assert!(unavailable[0].detail.starts_with("NoRouteCreated"));
    let sandbox = sig("event", "failed-create-pod-sandbox");
    assert_eq!(sandbox.len(), 2);
    assert!(sandbox[0].detail.contains(r#"plugin type="calico""#));
    assert_eq!(
        sandbox[0].fields.get("namespace").map(String::as_str),
        Some("shop")
    );
    assert!(!sig("event", "unhealthy").is_empty());
    assert!(!sig("event", "failed-to-update-endpoint").is_empty());

    let pod = f
        .pods
        .iter()
        .find(|p| p.name == "backend-6d4cf56db6-x7k2p")
        .unwrap();
    assert_eq!(pod.ip, Some("10.244.1.7".parse().unwrap()));
    assert_eq!(pod.node.as_deref(), Some("worker-1"));
    assert_eq!(pod.ready.as_ref().map(|r| r.value), Some(false));
    assert_eq!(pod.container_ports[0].port, 8080);
    assert_eq!(
        pod.labels
            .as_ref()
            .unwrap()
            .value
            .get("app")
            .map(String::as_str),
        Some("backend")
    );

    let ep = f.endpoints.iter().find(|e| e.name == "backend").unwrap();
    assert!(ep.ready.is_empty());
    assert_eq!(ep.not_ready, vec!["10.244.1.7:8080", "10.244.2.9:8080"]);
    let db = f.endpoints.iter().find(|e| e.name == "legacy-db").unwrap();
    assert_eq!(db.ready, vec!["192.168.10.5:5432", "192.168.10.6:5433"]);
}

#[test]
fn hostile_input_does_not_panic() {
    let long = "x".repeat(200_000);
    let inputs = [
        "NAME\n\u{0}\u{0}\n",
        "LAST SEEN   TYPE   REASON   OBJECT   MESSAGE\nä ö ü ß € 😀 ä ö ü ß € 😀 ä ö ü\n",
        "NAME STATUS ROLES AGE VERSION INTERNAL-IP EXTERNAL-IP OS-IMAGE KERNEL-VERSION CONTAINER-RUNTIME\nn Ready <none> 1d v1 x y z\n",
        long.as_str(),
        "Name:\n  \n:::\nConditions:\n  Type  Status\n  😀😀😀😀  True\nEvents:\n  Type  Reason  Age  From  Message\n  ä  ö  ü  ß  €\n",
        "Name: x\nSpec:\n  Allowing ingress traffic:\n    From:\n      PodSelector: a\n    ----------\n      CIDR: 1\n",
        "Name: x\nSubsets:\n  Ports:\n    Name Port Protocol\n  Addresses: 1.2.3.4\n",
        "{\"a\":[[[[[[[[[[]]]]]]]]]]}\nmap[a:b c]\n\t\t\t\n",
    ];
    for kind in KINDS {
        for text in inputs {
            let _ = parse_as(kind, &Segment::new(text, 1)).unwrap();
            let _ = parse_as(
                kind,
                &Segment::with_command(text, 1, "kubectl get events -A -o wide --show-labels"),
            )
            .unwrap();
        }
    }
}
