//! Misc parsers (host, getent, ethtool-features, cni-config, cni-agent-log,
//! kube-proxy-config) over every fixture in `tests/fixtures/<kind>/`, snapshotted, with the
//! key facts of each fixture checked explicitly, detection by content and by command line,
//! and the ConfigMap readers of cni-config and kube-proxy-config.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;

use netdoc::parse::{
    cni_agent_log, cni_config, ethtool_features, getent, host, k8s_objects, kube_proxy_config,
    Parsed, Records, Status,
};
use netdoc::split::Segment;

const KINDS: &[&str] = &[
    "host",
    "getent",
    "ethtool-features",
    "cni-config",
    "cni-agent-log",
    "kube-proxy-config",
];

/// Fixtures whose meaning depends on the command line that produced them.
const COMMANDS: &[(&str, &str)] = &[
    (
        "host/bind-9.16--server-nxdomain.txt",
        "kubectl exec -it debug -- host backend.default 10.96.0.10",
    ),
    (
        "getent/glibc-2.36--not-found.txt",
        "kubectl exec -it debug -- getent hosts nope.default.svc.cluster.local",
    ),
    (
        "ethtool-features/ethtool-4.8--actual-changes.txt",
        "ethtool -K flannel.1 tx-checksum-ip-generic off",
    ),
    (
        "cni-config/flannel-0.26--net-conf.txt",
        "cat /etc/kube-flannel/net-conf.json",
    ),
];

fn run(kind: &str, rel: &str) -> Parsed {
    common::run_with(kind, rel, COMMANDS)
}

fn problem_lines(p: &Parsed) -> Vec<usize> {
    p.problems.iter().map(|p| p.line).collect()
}

fn hosts(rel: &str) -> (Vec<host::Record>, Parsed) {
    let p = run("host", rel);
    match &p.records {
        Records::Host(r) => (r.clone(), p),
        _ => panic!("not host"),
    }
}

fn getents(rel: &str) -> (Vec<getent::Record>, Parsed) {
    let p = run("getent", rel);
    match &p.records {
        Records::Getent(r) => (r.clone(), p),
        _ => panic!("not getent"),
    }
}

fn ethtools(rel: &str) -> (Vec<ethtool_features::Record>, Parsed) {
    let p = run("ethtool-features", rel);
    match &p.records {
        Records::EthtoolFeatures(r) => (r.clone(), p),
        _ => panic!("not ethtool-features"),
    }
}

fn cnis(rel: &str) -> (Vec<cni_config::Record>, Parsed) {
    let p = run("cni-config", rel);
    match &p.records {
        Records::CniConfig(r) => (r.clone(), p),
        _ => panic!("not cni-config"),
    }
}

fn agents(rel: &str) -> (Vec<cni_agent_log::Record>, Parsed) {
    let p = run("cni-agent-log", rel);
    match &p.records {
        Records::CniAgentLog(r) => (r.clone(), p),
        _ => panic!("not cni-agent-log"),
    }
}

fn proxies(rel: &str) -> (Vec<kube_proxy_config::Record>, Parsed) {
    let p = run("kube-proxy-config", rel);
    match &p.records {
        Records::KubeProxyConfig(r) => (r.clone(), p),
        _ => panic!("not kube-proxy-config"),
    }
}

fn field<'a>(r: &'a cni_agent_log::Record, k: &str) -> Option<&'a str> {
    r.fields.get(k).map(String::as_str)
}

#[test]
fn every_fixture_snapshot() {
    let mut seen = 0;
    for kind in KINDS {
        let files = files(kind);
        assert!(files.len() >= 5, "{kind}: only {} fixtures", files.len());
        for f in ["--empty.txt", "--truncated.txt", "--garbled.txt"] {
            assert!(
                files.iter().any(|x| x.ends_with(f)),
                "{kind} needs a {f} fixture"
            );
        }
        for f in files {
            let rel = format!("{kind}/{f}");
            let parsed = run(kind, &rel);
            let name = format!("{kind}__{}", f.trim_end_matches(".txt"));
            insta::assert_json_snapshot!(name, parsed);
            seen += 1;
        }
    }
    assert!(seen >= 40, "only {seen} fixtures");
}

#[test]
fn empty_fixtures_are_empty() {
    assert_empty_fixtures_read_empty(KINDS);
}

// ---------------------------------------------------------------- host

#[test]
fn host_answers_and_failures() {
    let (r, p) = hosts("host/bind-9.18--answer.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].address, Some("10.96.12.7".parse().unwrap()));
    assert_eq!(
        (r[0].record_type.as_deref(), r[0].status.as_str()),
        (Some("A"), "answered")
    );

    let (r, _) = hosts("host/bind-9.18--alias-ipv6.txt");
    let types: Vec<_> = r.iter().map(|x| x.record_type.clone().unwrap()).collect();
    assert_eq!(types, vec!["CNAME", "A", "AAAA"]);
    assert_eq!(
        r[0].target.as_deref(),
        Some("backend.shop.svc.cluster.local.")
    );

    // Under its command line: line 1 is the command, the output starts on line 2.
    let (r, p) = hosts("host/bind-9.16--server-nxdomain.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].line, 7);
    assert_eq!(r[0].status, "nxdomain");
    assert_eq!(r[0].rcode.as_deref(), Some("NXDOMAIN"));
    assert_eq!(r[0].server.as_deref(), Some("10.96.0.10"));
    assert_eq!(r[0].name.as_deref(), Some("backend.default"));

    let (r, _) = hosts("host/bind-9.18--servfail.txt");
    assert_eq!((r.len(), r[0].status.as_str()), (1, "servfail"));

    let (r, _) = hosts("host/bind-9.11--timeout.txt");
    assert_eq!(
        (r.len(), r[0].status.as_str(), r[0].line),
        (1, "timeout", 1)
    );

    let (r, _) = hosts("host/bind-9.18--comm-error-timeout.txt");
    assert_eq!(
        (r.len(), r[0].status.as_str(), r[0].line),
        (1, "timeout", 3)
    );

    let (r, p) = hosts("host/bind-9.18--truncated.txt");
    assert_eq!(p.status, Status::Partial);
    assert_eq!(r[1].status, "no-record");
    assert_eq!(problem_lines(&p), vec![3]);

    let (_, p) = hosts("host/bind-9.18--garbled.txt");
    assert_eq!(problem_lines(&p), vec![2, 4]);
}

// ---------------------------------------------------------------- getent

#[test]
fn getent_hosts_and_ahosts() {
    let (r, p) = getents("getent/glibc-2.36--hosts.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r[0].names, vec!["backend.default.svc.cluster.local"]);
    assert_eq!(r[0].socket_type, None);

    let (r, _) = getents("getent/glibc-2.36--ahosts.txt");
    let socks: Vec<_> = r.iter().map(|x| x.socket_type.clone().unwrap()).collect();
    assert_eq!(socks, vec!["STREAM", "DGRAM", "RAW"]);
    assert!(r[1].names.is_empty());

    let (r, _) = getents("getent/glibc-2.36--ahosts-headless.txt");
    assert_eq!(r.len(), 6);
    assert_eq!(r[3].address, Some("10.244.2.7".parse().unwrap()));

    let (r, p) = getents("getent/glibc-2.36--not-found.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(
        (r.len(), r[0].status.as_str(), r[0].line),
        (1, "not-found", 2)
    );
    assert_eq!(r[0].address, None);

    let (r, _) = getents("getent/glibc-2.36--hosts-localhost.txt");
    assert_eq!(
        r[0].names,
        vec!["localhost", "ip6-localhost", "ip6-loopback"]
    );

    let (_, p) = getents("getent/glibc-2.36--truncated.txt");
    assert_eq!(problem_lines(&p), vec![2]);
    let (_, p) = getents("getent/glibc-2.36--garbled.txt");
    assert_eq!(problem_lines(&p), vec![2, 3]);
}

// ---------------------------------------------------------------- ethtool -k

#[test]
fn ethtool_features_flags() {
    let (r, p) = ethtools("ethtool-features/ethtool-5.16--virtio-eth0.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].interface.as_deref(), Some("eth0"));
    assert!(r[0].features.len() > 50);
    let f = r[0].feature("tx-checksum-ipv4").unwrap();
    assert!(!f.enabled && f.fixed);
    assert_eq!(f.parent.as_deref(), Some("tx-checksumming"));
    assert!(r[0]
        .feature("highdma")
        .is_some_and(|f| f.enabled && f.fixed));

    let (r, _) = ethtools("ethtool-features/ethtool-5.16--flannel-tx-csum-on.txt");
    assert_eq!(r[0].interface.as_deref(), Some("flannel.1"));
    let g = r[0].feature("tx-checksum-ip-generic").unwrap();
    assert!(g.enabled && !g.fixed);
    assert_eq!(g.line, 5);
    assert!(r[0].feature("tx-udp_tnl-segmentation").unwrap().enabled);

    let (r, p) = ethtools("ethtool-features/ethtool-4.8--actual-changes.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(
        r[0].interface.as_deref(),
        Some("flannel.1"),
        "from the command line"
    );
    let t = r[0].feature("tx-tcp-segmentation").unwrap();
    assert_eq!((t.enabled, t.requested), (false, Some(true)));
    assert!(!r[0].feature("tx-checksum-ip-generic").unwrap().enabled);

    let (r, p) = ethtools("ethtool-features/ethtool-6.1--no-device.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r[0].errors.len(), 2);
    assert!(r[0].features.is_empty());

    let (_, p) = ethtools("ethtool-features/ethtool-6.1--truncated.txt");
    assert_eq!(problem_lines(&p), vec![5]);
    let (_, p) = ethtools("ethtool-features/ethtool-6.1--garbled.txt");
    assert_eq!(problem_lines(&p), vec![3, 4, 5]);
}

// ---------------------------------------------------------------- CNI configuration

#[test]
fn cni_config_documents() {
    let (r, p) = cnis("cni-config/flannel-0.26--conflist.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r[0].format, "conflist");
    assert_eq!(r[0].name.as_deref(), Some("cbr0"));
    let fl = &r[0].plugins[0];
    assert_eq!((fl.plugin_type.as_str(), fl.line), ("flannel", 6));
    assert_eq!(
        (fl.hairpin_mode, fl.is_default_gateway),
        (Some(true), Some(true))
    );
    assert_eq!(r[0].plugins[1].plugin_type, "portmap");

    let (r, _) = cnis("cni-config/flannel-0.26--net-conf.txt");
    assert_eq!(r[0].format, "flannel-net-conf");
    assert_eq!(r[0].network.as_deref(), Some("10.244.0.0/16"));
    assert_eq!(r[0].backend_type.as_deref(), Some("vxlan"));
    assert_eq!((r[0].vni, r[0].port), (Some(1), Some(8472)));
    assert_eq!(
        r[0].file.as_deref(),
        Some("/etc/kube-flannel/net-conf.json")
    );
    assert_eq!(r[0].line, 2);

    let (r, _) = cnis("cni-config/calico-3.27--conflist.txt");
    let c = &r[0].plugins[0];
    assert_eq!(
        (c.mtu, c.ipam_type.as_deref(), c.line),
        (Some(1440), Some("calico-ipam"), 6)
    );
    let types: Vec<_> = r[0]
        .plugins
        .iter()
        .map(|p| p.plugin_type.as_str())
        .collect();
    assert_eq!(types, vec!["calico", "portmap", "bandwidth"]);

    let (r, p) = cnis("cni-config/calico-3.27--template-placeholder.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r[0].plugins[0].mtu, None);
    assert_eq!(r[0].plugins[0].subnets, vec!["usePodCidr"]);

    let (r, p) = cnis("cni-config/cni-1.0--bridge-host-local-heads.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].file.as_deref(), Some("/etc/cni/net.d/10-bridge.conf"));
    assert_eq!(r[0].format, "conf");
    let b = &r[0].plugins[0];
    assert_eq!(b.subnets, vec!["10.22.0.0/16"]);
    assert_eq!(
        (b.hairpin_mode, b.ip_masq, b.bridge.as_deref()),
        (Some(false), Some(true), Some("cni0"))
    );
    assert_eq!(r[1].plugins[0].plugin_type, "cilium-cni");
    assert_eq!(
        r[1].file.as_deref(),
        Some("/etc/cni/net.d/05-cilium.conflist")
    );

    let (_, p) = cnis("cni-config/flannel-0.26--truncated.txt");
    assert_eq!((p.status, problem_lines(&p)), (Status::Error, vec![1]));
    let (r, p) = cnis("cni-config/flannel-0.26--garbled.txt");
    assert!(r.is_empty());
    assert_eq!(problem_lines(&p), vec![2, 6, 8]);
}

#[test]
fn cni_config_inside_a_config_map() {
    let text = read("k8s-objects/kubectl-1.30--configmap-kube-flannel-cfg.txt");
    let p = netdoc::parse::parse_as("k8s-objects", &Segment::new(&text, 1)).unwrap();
    let Records::K8sObjects(objs) = &p.records else {
        panic!()
    };
    let recs: Vec<cni_config::Record> = objs.iter().flat_map(cni_config::from_config_map).collect();
    assert_eq!(recs.len(), 2);
    let conf = recs.iter().find(|r| r.format == "conflist").unwrap();
    assert_eq!(
        conf.file.as_deref(),
        Some("configmap/kube-flannel-cfg:cni-conf.json")
    );
    assert_eq!(conf.line, 4, "the `{{` after `cni-conf.json: |` on line 3");
    assert_eq!(conf.plugins[0].line, 9);
    assert_eq!(conf.plugins[0].hairpin_mode, Some(true));
    let net = recs
        .iter()
        .find(|r| r.format == "flannel-net-conf")
        .unwrap();
    assert_eq!(net.network.as_deref(), Some("10.244.0.0/16"));
    assert_eq!(net.backend_type.as_deref(), Some("vxlan"));
}

// ---------------------------------------------------------------- agent logs

#[test]
fn agent_log_signatures() {
    let (r, p) = agents("cni-agent-log/flannel-0.10--pod-cidr-not-assigned.txt");
    assert_eq!(p.status, Status::Parsed);
    let sigs: Vec<_> = r.iter().map(|x| x.signature.as_str()).collect();
    assert_eq!(
        sigs,
        vec![
            "interface-autodetect",
            "interface-selected",
            "backend-type",
            "vxlan-config",
            "pod-cidr-not-assigned"
        ]
    );
    assert!(r.iter().all(|x| x.agent == "flannel"));
    assert_eq!(field(&r[1], "interface"), Some("eth0"));
    assert_eq!(field(&r[1], "address"), Some("172.31.125.3"));
    assert_eq!(field(&r[2], "tunnel"), Some("vxlan"));
    assert_eq!(
        (field(&r[3], "vni"), field(&r[3], "port")),
        (Some("1"), Some("0"))
    );
    assert_eq!((r[4].line, field(&r[4], "node")), (11, Some("worker-2")));
    assert_eq!(r[4].level.as_deref(), Some("error"));

    let (r, _) = agents("cni-agent-log/flannel-0.7--register-loop.txt");
    assert_eq!(r.len(), 3);
    assert_eq!(field(&r[0], "node"), Some("k8s-test-2.novalocal"));

    let (r, _) = agents("cni-agent-log/flannel--subnet-env.txt");
    assert_eq!(r.len(), 4);
    assert_eq!(field(&r[0], "network"), Some("10.244.0.0/16"));
    assert_eq!(field(&r[2], "mtu"), Some("1450"));

    let (r, p) = agents("cni-agent-log/calico-3.27--bgp-not-established.txt");
    assert_eq!(p.status, Status::Parsed);
    let sigs: Vec<_> = r.iter().map(|x| x.signature.as_str()).collect();
    assert_eq!(
        sigs,
        vec![
            "bgp-not-established",
            "felix-not-ready",
            "bgp-state-changed",
            "bird-error"
        ]
    );
    assert_eq!(field(&r[0], "peers"), Some("10.0.1.1"));
    assert_eq!(
        (field(&r[2], "peer"), field(&r[2], "state")),
        (Some("Mesh_10_0_1_1"), Some("start"))
    );

    let (r, _) = agents("cni-agent-log/calico-3.27--startup-mtu-ipip.txt");
    let tunnels: Vec<_> = r
        .iter()
        .filter(|x| x.signature == "tunnel-mode")
        .map(|x| (field(x, "tunnel").unwrap(), field(x, "mode").unwrap()))
        .collect();
    assert_eq!(tunnels, vec![("ipip", "Always"), ("vxlan", "Never")]);
    let mtus: Vec<_> = r
        .iter()
        .filter(|x| x.signature == "mtu")
        .map(|x| field(x, "mtu").unwrap())
        .collect();
    assert_eq!(mtus, vec!["1500", "1480"]);

    let (r, _) = agents("cni-agent-log/cilium-1.14--mtu-tunnel.txt");
    let sigs: Vec<_> = r.iter().map(|x| x.signature.as_str()).collect();
    assert_eq!(
        sigs,
        vec![
            "tunnel-mode",
            "mtu-inherited",
            "kvstore-error",
            "health-error"
        ]
    );
    assert_eq!(field(&r[0], "tunnel"), Some("vxlan"));
    assert_eq!(
        (field(&r[1], "interface"), field(&r[1], "mtu")),
        (Some("ens4"), Some("1460"))
    );
    assert_eq!(field(&r[2], "error"), Some("context deadline exceeded"));

    let (r, _) = agents("cni-agent-log/cilium-1.17--slog-timestamps.txt");
    assert_eq!(r.len(), 2);
    assert_eq!(field(&r[0], "mtu"), Some("1500"));
    assert_eq!(
        (r[1].level.as_deref(), field(&r[1], "tunnel")),
        (Some("info"), Some("geneve"))
    );

    let (_, p) = agents("cni-agent-log/flannel-0.10--garbled.txt");
    assert_eq!(problem_lines(&p), vec![2, 4]);
}

// ---------------------------------------------------------------- kube-proxy configuration

#[test]
fn kube_proxy_config_fields() {
    let (r, p) = proxies("kube-proxy-config/kubeadm-1.30--config-conf.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r.len(), 1);
    let k = &r[0];
    assert_eq!((k.mode.as_deref(), k.mode_line), (Some(""), Some(52)));
    assert_eq!(k.cluster_cidr.as_deref(), Some("10.244.0.0/16"));
    assert_eq!((k.conntrack_max_per_core, k.conntrack_min), (None, None));
    assert_eq!((k.masquerade_all, k.strict_arp), (Some(false), Some(false)));
    assert_eq!(k.bind_address.as_deref(), Some("0.0.0.0"));
    assert_eq!(k.metrics_bind_address, None);
    assert_eq!(k.kind.as_deref(), Some("KubeProxyConfiguration"));

    let (r, _) = proxies("kube-proxy-config/kubeadm-1.24--ipvs-strict-arp.txt");
    let k = &r[0];
    assert_eq!(k.mode.as_deref(), Some("ipvs"));
    assert_eq!(
        (k.conntrack_max_per_core, k.conntrack_min),
        (Some(32768), Some(131072))
    );
    assert_eq!((k.masquerade_all, k.strict_arp), (Some(true), Some(true)));
    assert_eq!(k.metrics_bind_address.as_deref(), Some("0.0.0.0:10249"));

    let (r, _) = proxies("kube-proxy-config/manual--minimal-nftables.txt");
    assert_eq!(r[0].mode.as_deref(), Some("nftables"));
    assert_eq!(
        r[0].cluster_cidr.as_deref(),
        Some("10.244.0.0/16,fd00:10:244::/56")
    );

    let (r, p) = proxies("kube-proxy-config/kubeadm-1.30--truncated.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(
        (r[0].mode.as_deref(), r[0].conntrack_min),
        (None, Some(131))
    );
    let (_, p) = proxies("kube-proxy-config/kubeadm-1.30--garbled.txt");
    assert_eq!(problem_lines(&p), vec![3, 4]);
}

#[test]
fn kube_proxy_config_inside_a_config_map() {
    let text = read("k8s-objects/kubectl-1.30--configmap-kube-proxy.txt");
    let p = netdoc::parse::parse_as("k8s-objects", &Segment::new(&text, 1)).unwrap();
    let Records::K8sObjects(objs) = &p.records else {
        panic!()
    };
    let recs: Vec<_> = objs
        .iter()
        .flat_map(kube_proxy_config::from_config_map)
        .collect();
    assert_eq!(recs.len(), 1);
    assert_eq!(
        (recs[0].mode.as_deref(), recs[0].mode_line),
        (Some("ipvs"), Some(15))
    );
    assert_eq!(recs[0].cluster_cidr.as_deref(), Some("10.244.0.0/16"));
    let _: &[k8s_objects::Object] = objs;
}

// ---------------------------------------------------------------- detection

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
    for (rel, want) in [
        ("host/bind-9.18--alias-ipv6.txt", "host"),
        ("host/bind-9.16--server-nxdomain.txt", "host"),
        ("getent/glibc-2.36--ahosts.txt", "getent"),
        ("getent/glibc-2.36--hosts.txt", "getent"),
        (
            "ethtool-features/ethtool-5.16--flannel-tx-csum-on.txt",
            "ethtool-features",
        ),
        ("cni-config/calico-3.27--conflist.txt", "cni-config"),
        ("cni-config/flannel-0.26--net-conf.txt", "cni-config"),
        ("cni-agent-log/cilium-1.14--mtu-tunnel.txt", "cni-agent-log"),
        (
            "cni-agent-log/calico-3.27--bgp-not-established.txt",
            "cni-agent-log",
        ),
        (
            "cni-agent-log/flannel-0.10--pod-cidr-not-assigned.txt",
            "cni-agent-log",
        ),
        (
            "kube-proxy-config/kubeadm-1.30--config-conf.txt",
            "kube-proxy-config",
        ),
        // The ConfigMaps stay k8s-objects'.
        (
            "k8s-objects/kubectl-1.30--configmap-kube-flannel-cfg.txt",
            "k8s-objects",
        ),
        (
            "k8s-objects/kubectl-1.30--configmap-kube-proxy.txt",
            "k8s-objects",
        ),
    ] {
        assert_eq!(kinds(&read(rel)), vec![want], "{rel}");
    }
    for (cmd, rel, want) in [
        ("host -t A backend", "host/bind-9.18--answer.txt", "host"),
        (
            "kubectl exec debug -- getent hosts localhost",
            "getent/glibc-2.36--hosts-localhost.txt",
            "getent",
        ),
        (
            "getent ahosts nope",
            "getent/glibc-2.36--not-found.txt",
            "getent",
        ),
        (
            "ethtool -k eth9",
            "ethtool-features/ethtool-6.1--no-device.txt",
            "ethtool-features",
        ),
        (
            "cat /etc/cni/net.d/10-flannel.conflist",
            "cni-config/flannel-0.26--conflist.txt",
            "cni-config",
        ),
        (
            "kubectl -n kube-system logs calico-node-x4k2p -c calico-node",
            "cni-agent-log/calico-3.27--startup-mtu-ipip.txt",
            "cni-agent-log",
        ),
        (
            "cat /run/flannel/subnet.env",
            "cni-agent-log/flannel--subnet-env.txt",
            "cni-agent-log",
        ),
        (
            "cat /var/lib/kube-proxy/config.conf",
            "kube-proxy-config/manual--minimal-nftables.txt",
            "kube-proxy-config",
        ),
        (
            "kubectl -n kube-system get cm kube-proxy -o yaml",
            "k8s-objects/kubectl-1.30--configmap-kube-proxy.txt",
            "k8s-objects",
        ),
    ] {
        let got = kinds(&format!("$ {cmd}\n{}", read(rel)));
        assert_eq!(
            got.first().map(String::as_str),
            Some(want),
            "{cmd}: {got:?}"
        );
    }
}

// ---------------------------------------------------------------- facts

#[test]
fn facts_from_the_new_kinds() {
    let report = |text: &str| {
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
    };
    let v = report(&format!(
        "$ kubectl exec -it debug -- host backend.default 10.96.0.10\n{}",
        read("host/bind-9.16--server-nxdomain.txt")
    ));
    let l = &v["lookups"][0];
    assert_eq!(
        (l["tool"].as_str(), l["status"].as_str()),
        (Some("host"), Some("nx-domain"))
    );
    assert_eq!(l["name"].as_str(), Some("backend.default"));

    let v = report(&format!(
        "$ getent ahosts backend.default.svc.cluster.local\n{}",
        read("getent/glibc-2.36--ahosts.txt")
    ));
    let l = &v["lookups"][0];
    assert_eq!(
        (l["tool"].as_str(), l["status"].as_str()),
        (Some("getent"), Some("answered"))
    );
    assert_eq!(
        l["answers"].as_array().unwrap().len(),
        1,
        "one address, three socket types"
    );

    let v = report(&read(
        "ethtool-features/ethtool-5.16--flannel-tx-csum-on.txt",
    ));
    let s = v["signals"].as_array().unwrap();
    assert!(s
        .iter()
        .any(|s| s["signature"] == "tx-checksum-offload-on"
            && s["fields"]["interface"] == "flannel.1"));

    let v = report(&read("k8s-objects/kubectl-1.30--configmap-kube-proxy.txt"));
    let s = v["signals"].as_array().unwrap();
    let kp = s
        .iter()
        .find(|s| s["signature"] == "kube-proxy-config")
        .unwrap();
    assert_eq!(
        (kp["source"].as_str(), kp["fields"]["mode"].as_str()),
        (Some("manifest"), Some("ipvs"))
    );

    let v = report(&read(
        "k8s-objects/kubectl-1.30--configmap-kube-flannel-cfg.txt",
    ));
    let s = v["signals"].as_array().unwrap();
    assert!(s
        .iter()
        .any(|s| s["signature"] == "flannel-net-conf" && s["fields"]["backend_type"] == "vxlan"));
    assert!(s
        .iter()
        .any(|s| s["signature"] == "cni-plugin" && s["fields"]["hairpin_mode"] == "true"));

    let v = report(&read("cni-agent-log/cilium-1.14--mtu-tunnel.txt"));
    let i = &v["interfaces"][0];
    assert_eq!(
        (i["name"].as_str(), i["mtu"].as_u64()),
        (Some("ens4"), Some(1460))
    );
    assert!(v["signals"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["source"] == "cilium" && s["signature"] == "kvstore-error"));
}
