//! cluster-config (installer configuration: pharos, kubespray, RKE, RKE2, k3s, kind,
//! eksctl, k0s) over every fixture in `tests/fixtures/cluster-config/`, snapshotted, with
//! the key values of each fixture checked, detection by content and by command line, the
//! real corpus case that pasted a pharos `network:` block below two nslookups, and the
//! facts the records become.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;

use netdoc::parse::cluster_config::Record;
use netdoc::parse::{Parsed, Records, Status};
use netdoc::split::Segment;
use serde_json::Value;

const KIND: &str = "cluster-config";

/// Fixtures read under the command line that printed them.
const COMMANDS: &[(&str, &str)] = &[
    (
        "cluster-config/rke2-1.29--config.txt",
        "cat /etc/rancher/rke2/config.yaml",
    ),
    (
        "cluster-config/k3s-1.29--config-dual-stack.txt",
        "sudo cat /etc/rancher/k3s/config.yaml",
    ),
];

fn run(rel: &str) -> Parsed {
    common::run_with(KIND, &format!("{KIND}/{rel}"), COMMANDS)
}

fn recs(rel: &str) -> (Vec<Record>, Parsed) {
    let p = run(rel);
    match &p.records {
        Records::ClusterConfig(r) => (r.clone(), p),
        _ => panic!("not cluster-config"),
    }
}

fn one(rel: &str) -> Record {
    let (r, p) = recs(rel);
    assert_eq!(p.status, Status::Parsed, "{rel}: {:?}", p.problems);
    assert_eq!(r.len(), 1, "{rel}");
    r.into_iter().next().unwrap()
}

fn s(v: &Option<String>) -> Option<&str> {
    v.as_deref()
}

#[test]
fn every_fixture_snapshot() {
    let files = files(KIND);
    for suffix in ["--empty.txt", "--garbled.txt", "--truncated.txt"] {
        assert!(
            files.iter().any(|f| f.ends_with(suffix)),
            "needs a {suffix} fixture"
        );
    }
    assert!(files.len() >= 11, "only {} fixtures", files.len());
    for f in files {
        let parsed = run(&f);
        let name = format!("{KIND}__{}", f.trim_end_matches(".txt"));
        insta::assert_json_snapshot!(name, parsed);
    }
}

#[test]
fn empty_reads_empty() {
    assert_empty_fixtures_read_empty(&[KIND]);
}

#[test]
fn pharos_network_block_with_nodelocal_dns() {
    let r = one("pharos-2.x--network-nodelocal.txt");
    assert_eq!(r.format, "pharos");
    assert_eq!((s(&r.cni), r.cni_line), (Some("calico"), Some(2)));
    assert_eq!(
        (r.nodelocal_dns, r.nodelocal_dns_line),
        (Some(true), Some(4))
    );
    assert_eq!(r.nodelocal_dns_ip, None, "pharos' file names no address");
    assert_eq!(
        (
            s(&r.service_cidr),
            s(&r.service_cidr_key),
            r.service_cidr_line
        ),
        (Some("10.96.0.0/12"), Some("service_cidr"), Some(5))
    );
    assert_eq!(
        (s(&r.pod_cidr), s(&r.pod_cidr_key), r.pod_cidr_line),
        (Some("10.32.0.0/12"), Some("pod_network_cidr"), Some(6))
    );
}

#[test]
fn pharos_example_with_hosts_and_kube_proxy() {
    let r = one("pharos-2.x--example.txt");
    assert_eq!(r.format, "pharos");
    assert_eq!((s(&r.cni), r.cni_line), (Some("weave"), Some(18)));
    assert_eq!(
        (s(&r.proxy_mode), r.proxy_mode_line),
        (Some("ipvs"), Some(22))
    );
    assert_eq!(r.nodelocal_dns, None);
}

#[test]
fn kubespray_group_vars() {
    let r = one("kubespray-2.24--k8s-cluster.txt");
    assert_eq!((r.format.as_str(), r.line), ("kubespray", 5));
    assert_eq!(
        (s(&r.service_cidr), r.service_cidr_line),
        (Some("10.233.0.0/18"), Some(20))
    );
    assert_eq!(
        (s(&r.pod_cidr), r.pod_cidr_line),
        (Some("10.233.64.0/18"), Some(25))
    );
    assert_eq!(
        (r.node_cidr_mask, r.node_cidr_mask_line),
        (Some(24), Some(36))
    );
    assert_eq!((r.max_pods, r.max_pods_line), (Some(110), Some(37)));
    assert_eq!(
        (s(&r.proxy_mode), r.proxy_mode_line),
        (Some("ipvs"), Some(41))
    );
    assert_eq!((s(&r.cni), r.cni_line), (Some("calico"), Some(14)));
    assert_eq!(
        (r.nodelocal_dns, r.nodelocal_dns_line),
        (Some(true), Some(59))
    );
    assert_eq!(
        (s(&r.nodelocal_dns_ip), r.nodelocal_dns_ip_line),
        (Some("169.254.25.10"), Some(61))
    );
    // The Jinja template is kept as written; facts skip what is not an address.
    assert!(r.cluster_dns.as_deref().unwrap().starts_with("{{"));
}

#[test]
fn rke_cluster_yml() {
    let r = one("rke-1.4--cluster.txt");
    assert_eq!(r.format, "rke");
    assert_eq!(
        (
            s(&r.service_cidr),
            s(&r.service_cidr_key),
            r.service_cidr_line
        ),
        (
            Some("10.43.0.0/16"),
            Some("service_cluster_ip_range"),
            Some(13)
        )
    );
    assert_eq!(
        (s(&r.pod_cidr), r.pod_cidr_line),
        (Some("10.42.0.0/16"), Some(16))
    );
    assert_eq!(
        (r.node_cidr_mask, r.node_cidr_mask_line),
        (Some(25), Some(19))
    );
    assert_eq!(
        (s(&r.cluster_dns), r.cluster_dns_line),
        (Some("10.43.0.10"), Some(22))
    );
    assert_eq!((r.max_pods, r.max_pods_line), (Some(150), Some(24)));
    assert_eq!(
        (s(&r.proxy_mode), r.proxy_mode_line),
        (Some("ipvs"), Some(27))
    );
    assert_eq!(
        (s(&r.cni), r.mtu, r.mtu_line),
        (Some("canal"), Some(1400), Some(30))
    );
    assert_eq!(
        (
            r.nodelocal_dns,
            s(&r.nodelocal_dns_ip),
            r.nodelocal_dns_ip_line
        ),
        (Some(true), Some("169.254.20.10"), Some(36))
    );
}

#[test]
fn rke2_and_k3s_configs() {
    let r = one("rke2-1.29--config.txt");
    assert_eq!(r.format, "rke2");
    assert_eq!((s(&r.cni), r.cni_line), (Some("cilium"), Some(5)));
    assert_eq!(
        (s(&r.pod_cidr), s(&r.service_cidr), s(&r.cluster_dns)),
        (
            Some("10.42.0.0/16"),
            Some("10.43.0.0/16"),
            Some("10.43.0.10")
        )
    );
    assert_eq!(
        (r.kube_proxy_disabled, r.kube_proxy_disabled_line),
        (Some(true), Some(9))
    );
    assert_eq!(r.proxy_mode, None);
    assert_eq!((r.max_pods, r.max_pods_line), (Some(200), Some(11)));
    assert_eq!(
        (r.node_cidr_mask, r.node_cidr_mask_line),
        (Some(23), Some(13))
    );

    let r = one("k3s-1.29--config-dual-stack.txt");
    assert_eq!(r.format, "k3s");
    assert_eq!(
        s(&r.pod_cidr),
        Some("10.42.0.0/16,2001:cafe:42::/56"),
        "dual-stack pair kept as written"
    );
    assert_eq!(s(&r.cni), Some("flannel (wireguard-native)"));
    assert_eq!(
        (s(&r.proxy_mode), r.proxy_mode_line),
        (Some("ipvs"), Some(12))
    );
}

#[test]
fn kind_eksctl_k0s() {
    let r = one("kind-0.22--cluster-ipvs-no-cni.txt");
    assert_eq!(r.format, "kind");
    assert_eq!(
        (
            s(&r.pod_cidr),
            r.pod_cidr_line,
            s(&r.service_cidr),
            r.service_cidr_line
        ),
        (
            Some("10.244.0.0/16"),
            Some(7),
            Some("10.96.0.0/12"),
            Some(8)
        )
    );
    assert_eq!((s(&r.cni), r.cni_line), (Some("none"), Some(9)));
    assert_eq!(
        (s(&r.proxy_mode), r.proxy_mode_line),
        (Some("ipvs"), Some(10))
    );

    let r = one("eksctl-0.175--cluster.txt");
    assert_eq!(r.format, "eksctl");
    assert_eq!(
        (s(&r.service_cidr), r.service_cidr_line),
        (Some("172.20.0.0/16"), Some(11))
    );
    assert_eq!(r.pod_cidr, None, "the VPC is not a pod range of its own");
    assert_eq!(
        (s(&r.vpc_cidr), r.vpc_cidr_line),
        (Some("10.10.0.0/16"), Some(14))
    );
    assert_eq!((r.max_pods, r.max_pods_line), (Some(110), Some(29)));
    assert_eq!(s(&r.cni), Some("vpc-cni"));

    let r = one("k0s-1.29--config-create.txt");
    assert_eq!(r.format, "k0s");
    assert_eq!(
        (
            s(&r.pod_cidr),
            r.pod_cidr_line,
            s(&r.service_cidr),
            r.service_cidr_line
        ),
        (
            Some("10.244.0.0/16"),
            Some(38),
            Some("10.96.0.0/12"),
            Some(40)
        )
    );
    assert_eq!(
        (s(&r.proxy_mode), r.proxy_mode_line),
        (Some("iptables"), Some(26))
    );
    assert_eq!(s(&r.cni), Some("kuberouter"));
    assert_eq!(r.mtu, None, "mtu: 0 beside autoMTU means detect");
    assert_eq!(
        r.nodelocal_dns, None,
        "nodeLocalLoadBalancing is not NodeLocal DNSCache"
    );
}

#[test]
fn truncated_and_garbled_report_their_lines() {
    let (r, p) = recs("rke-1.4--truncated.txt");
    assert_eq!(p.status, Status::Partial);
    assert_eq!(p.problems[0].line, 10);
    assert_eq!(r[0].format, "rke", "what came before the cut is still read");

    let (r, p) = recs("pharos-2.x--garbled.txt");
    assert_eq!((r.len(), p.status), (0, Status::Error));
    assert!((3..=4).contains(&p.problems[0].line), "{:?}", p.problems);

    // Prose is not a mapping.
    let out = netdoc::parse::parse_as(KIND, &Segment::new("this is not yaml at all", 1)).unwrap();
    assert_eq!((out.status, out.problems[0].line), (Status::Error, 1));
}

fn kinds(text: &str) -> Vec<String> {
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
fn detection_by_content_and_command() {
    for f in files(KIND) {
        if f.ends_with("--empty.txt") || f.ends_with("--garbled.txt") {
            continue;
        }
        let text = read(&format!("{KIND}/{f}"));
        assert_eq!(kinds(&text), vec![KIND], "{f} bare");
    }
    for (cmd, rel) in [
        ("cat cluster.yml", "pharos-2.x--example.txt"),
        (
            "cat inventory/mycluster/group_vars/k8s_cluster/k8s-cluster.yml",
            "kubespray-2.24--k8s-cluster.txt",
        ),
        ("cat /etc/rancher/rke2/config.yaml", "rke2-1.29--config.txt"),
        (
            "sudo cat /etc/rancher/k3s/config.yaml",
            "k3s-1.29--config-dual-stack.txt",
        ),
        ("cat kind-config.yaml", "kind-0.22--cluster-ipvs-no-cni.txt"),
        ("cat cluster.yaml", "eksctl-0.175--cluster.txt"),
        ("k0s config create", "k0s-1.29--config-create.txt"),
        ("cat rke/cluster.yml", "rke-1.4--truncated.txt"),
    ] {
        let got = kinds(&format!("$ {cmd}\n{}", read(&format!("{KIND}/{rel}"))));
        assert_eq!(got, vec![KIND], "{cmd}");
    }
    // The command line's path names the distribution when the content cannot.
    let v = netdoc::parse_all(&format!(
        "$ cat /etc/rancher/rke2/config.yaml\n{}",
        read("cluster-config/k3s-1.29--config-dual-stack.txt")
    ));
    assert_eq!(v[0]["parsed"]["records"]["records"][0]["format"], "rke2");
}

#[test]
fn neighbours_keep_their_segments() {
    for (rel, want) in [
        ("k8s-objects/kubelet-1.30--config-yaml.txt", "k8s-objects"),
        (
            "k8s-objects/kubectl-1.30--configmap-kube-proxy.txt",
            "k8s-objects",
        ),
        (
            "kube-proxy-config/kubeadm-1.30--config-conf.txt",
            "kube-proxy-config",
        ),
    ] {
        assert_eq!(kinds(&read(rel)), vec![want], "{rel}");
    }
    // kubeadm's ClusterConfiguration stays k8s-objects', bare and under `cat`.
    let kubeadm = "apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\nnetworking:\n  podSubnet: 10.244.0.0/16\n  serviceSubnet: 10.96.0.0/12\n";
    assert_eq!(kinds(kubeadm), vec!["k8s-objects"]);
    assert_eq!(
        kinds(&format!("$ cat kubeadm-config.yaml\n{kubeadm}")),
        vec!["k8s-objects"]
    );
}

#[test]
fn the_pharos_corpus_case_splits_off_its_config() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/corpus/real/16-dns-egress-nodelocal-dnscache-not-allowed/input.txt");
    let text = std::fs::read_to_string(path).unwrap();
    let v = netdoc::parse_all(&text);
    let segs = v.as_array().unwrap();
    let shape: Vec<(String, String)> = segs
        .iter()
        .map(|s| {
            (
                s["parsed"]["kind"].as_str().unwrap_or("-").to_string(),
                s["parsed"]["status"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        vec![
            ("nslookup".into(), "parsed".into()),
            ("nslookup".into(), "parsed".into()),
            ("cluster-config".into(), "parsed".into()),
        ]
    );
    assert_eq!(segs[2]["lines"], serde_json::json!([7, 14]));
}

// ---------------------------------------------------------------- facts

fn facts(text: &str) -> Value {
    let segs = netdoc::split::split(text, &netdoc::detect::sniff_kind);
    let parsed: Vec<Option<Parsed>> = segs
        .iter()
        .map(|s| {
            netdoc::detect::detect(s)
                .kind
                .and_then(|k| netdoc::parse::parse_as(k, s))
        })
        .collect();
    let pairs: Vec<(&Segment, Option<&Parsed>)> =
        segs.iter().zip(parsed.iter().map(Option::as_ref)).collect();
    serde_json::to_value(netdoc::facts::build(&pairs)).unwrap()
}

fn ranges(v: &Value) -> Vec<(String, String, u64)> {
    v["ranges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["value"][0].as_str().unwrap().to_string(),
                r["value"][1].as_str().unwrap().to_string(),
                r["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn proxy_mode(v: &Value) -> Option<(String, u64)> {
    v["signals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "manifest" && s["signature"] == "kube-proxy-config")
        .map(|s| {
            (
                s["fields"]["mode"].as_str().unwrap().to_string(),
                s["lines"][0].as_u64().unwrap(),
            )
        })
}

#[test]
fn facts_from_installer_configs() {
    let v = facts(&read("cluster-config/pharos-2.x--network-nodelocal.txt"));
    assert_eq!(
        ranges(&v),
        vec![
            (
                "Service CIDR (service_cidr)".into(),
                "10.96.0.0/12".into(),
                5
            ),
            (
                "pod CIDR (pod_network_cidr)".into(),
                "10.32.0.0/12".into(),
                6
            ),
        ]
    );
    assert_eq!(
        v["nodelocal_dns"],
        serde_json::json!([{"value": "169.254.20.10", "line": 4}]),
        "pharos' default address"
    );

    let v = facts(&read("cluster-config/kubespray-2.24--k8s-cluster.txt"));
    assert_eq!(
        v["nodelocal_dns"],
        serde_json::json!([{"value": "169.254.25.10", "line": 59}])
    );
    assert_eq!(proxy_mode(&v), Some(("ipvs".into(), 41)));
    assert_eq!(
        v["cluster_dns"],
        serde_json::json!([]),
        "a template is no address"
    );

    // RKE names its Service range twice: one range.
    let v = facts(&read("cluster-config/rke-1.4--cluster.txt"));
    assert_eq!(
        ranges(&v),
        vec![
            (
                "Service CIDR (service_cluster_ip_range)".into(),
                "10.43.0.0/16".into(),
                13
            ),
            ("pod CIDR (cluster_cidr)".into(), "10.42.0.0/16".into(), 16),
        ]
    );
    assert_eq!(
        v["cluster_dns"],
        serde_json::json!([{"value": "10.43.0.10", "line": 22}])
    );
    assert_eq!(
        v["nodelocal_dns"],
        serde_json::json!([{"value": "169.254.20.10", "line": 35}])
    );

    // Dual stack: both families; kube-proxy disabled gives no mode.
    let v = facts(&read("cluster-config/k3s-1.29--config-dual-stack.txt"));
    assert_eq!(ranges(&v).len(), 4);
    let v = facts(&read("cluster-config/rke2-1.29--config.txt"));
    assert_eq!(proxy_mode(&v), None);

    // The same config pasted twice adds no second range.
    let text = read("cluster-config/kind-0.22--cluster-ipvs-no-cni.txt");
    let v = facts(&format!("{text}---\n{text}"));
    assert_eq!(ranges(&v).len(), 2);
    assert_eq!(proxy_mode(&v).map(|m| m.0), Some("ipvs".into()));
}

#[test]
fn nodelocal_dns_from_resolvers_and_pods() {
    let v = facts("$ cat /etc/resolv.conf\nnameserver 169.254.25.10\nsearch default.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n");
    assert_eq!(
        v["nodelocal_dns"],
        serde_json::json!([{"value": "169.254.25.10", "line": 2}])
    );
    let v = facts("$ cat /etc/resolv.conf\nnameserver 10.96.0.10\n");
    assert_eq!(v["nodelocal_dns"], serde_json::json!([]));

    let v = facts("$ kubectl get pods -n kube-system\nNAME                   READY   STATUS    RESTARTS   AGE\ncoredns-5d78c9869d-x   1/1     Running   0          2d\nnode-local-dns-7xk2p   1/1     Running   0          2d\nnode-local-dns-9qv4m   1/1     Running   0          2d\n");
    assert_eq!(
        v["nodelocal_dns"],
        serde_json::json!([{"value": null, "line": 4}])
    );
}
