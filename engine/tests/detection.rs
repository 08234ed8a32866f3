//! Detection accuracy over every parser fixture: each fixture folder is named by the kind
//! that must read it. Without a command line every fixture must be recognised as its
//! kind, except the few listed in NEEDS_COMMAND whose text alone cannot say what printed
//! it (each with the reason); with its command line, every fixture must be.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;

/// Fixtures whose bare text is ambiguous, and why.
const NEEDS_COMMAND: &[(&str, &str)] = &[
    (
        "curl/curl-8.5--body-only.txt",
        "a response body: any program could print it",
    ),
    (
        "curl/curl-8.5--write-out-000.txt",
        "a bare `000` from -w '%{http_code}'",
    ),
    (
        "curl/curl-8.5--write-out-503.txt",
        "a bare `503` from -w '%{http_code}'",
    ),
    ("dig/dig-9.18--short.txt", "+short prints bare addresses"),
    (
        "dig/dig-9.18--short-aaaa.txt",
        "+short prints bare addresses",
    ),
    (
        "dig/dig-9.18--noall-answer.txt",
        "+noall +answer prints bare resource records",
    ),
    (
        "dig/dig-9.18--comm-error-timeout.txt",
        "bind's `;; communications error` lines are printed by dig and nslookup alike",
    ),
    (
        "nslookup/bind-9.18--comm-error-refused.txt",
        "bind's `;; communications error` lines are printed by dig and nslookup alike",
    ),
    (
        "nslookup/bind-9.18--comm-error-timeout.txt",
        "bind's `;; communications error` lines are printed by dig and nslookup alike",
    ),
    (
        "iptables-list/iptables-1.6.0--error.txt",
        "an iptables error message, not a listing",
    ),
    (
        "iptables-list/iptables-1.8.7--no-chain.txt",
        "an iptables error message, not a listing",
    ),
    (
        "kubectl-describe-svc/kubectl-1.28--not-found.txt",
        "only kubectl's NotFound error: read as kubectl-error",
    ),
    (
        "kubectl-error/kubectl-1.28--unreachable.txt",
        "a Go `dial tcp` error: read as net-errors",
    ),
    (
        "net-errors/client-go--truncated.txt",
        "a klog line cut before its message",
    ),
    (
        "kubectl-get-endpoints/kubectl-1.28--headerless-rows.txt",
        "rows without the header (--no-headers)",
    ),
    (
        "kubectl-get-pods/kubectl-1.7--headerless-rows.txt",
        "rows without the header (--no-headers)",
    ),
    (
        "kubectl-get-svc/kubectl-1.28--headerless-rows.txt",
        "rows without the header (--no-headers)",
    ),
    (
        "kubectl-get-pods/kubectl-1.17--no-resources.txt",
        "`No resources found` names no resource type",
    ),
    (
        "kubectl-get-svc/kubectl-1.29--no-resources.txt",
        "`No resources found` names no resource type",
    ),
    (
        "ip-addr/iproute2-6.1--device-missing.txt",
        "`Device \"x\" does not exist.` comes from ip addr and ip link alike",
    ),
    (
        "ip-link/iproute2-6.1--device-missing.txt",
        "`Device \"x\" does not exist.` comes from ip addr and ip link alike",
    ),
    (
        "ip-route-get/iproute2-6.1--bad-prefix.txt",
        "a bare `Error: …` line",
    ),
    (
        "sysctl/proc--bare-value.txt",
        "a bare value read from /proc/sys",
    ),
    ("nft/nft-1.0.9--no-table.txt", "a bare `Error: …` line"),
    (
        "conntrack/conntrack-1.4.6--count.txt",
        "`conntrack -C` prints a bare number",
    ),
    (
        "host/bind-9.11--timeout.txt",
        "bind's `;; connection timed out` line is printed by host, dig and nslookup alike",
    ),
    (
        "host/bind-9.18--comm-error-timeout.txt",
        "bind's `;; communications error` lines are printed by host, dig and nslookup alike",
    ),
    (
        "getent/glibc-2.36--not-found.txt",
        "getent prints nothing for a name not found; only kubectl's exit-code line is left",
    ),
    (
        "getent/glibc-2.36--hosts-localhost.txt",
        "`::1 localhost ip6-localhost` is an /etc/hosts line word for word",
    ),
    (
        "ethtool-features/ethtool-6.1--no-device.txt",
        "a bare `netlink error:` line names no ethtool subcommand",
    ),
    (
        "kubectl-get-ns/kubectl-1.28--headerless-rows.txt",
        "rows without the header (--no-headers)",
    ),
    (
        "kubectl-get-netpol/kubectl-1.28--headerless-rows.txt",
        "rows without the header (--no-headers)",
    ),
    (
        "kubectl-jsonpath/kubectl-1.14--selector-go-map.txt",
        "jsonpath prints bare values: only the command line says what they are",
    ),
    (
        "kubectl-jsonpath/kubectl-1.28--pod-ips.txt",
        "jsonpath prints bare values: only the command line says what they are",
    ),
    (
        "kubectl-jsonpath/kubectl-1.28--selector-json.txt",
        "jsonpath prints bare values: only the command line says what they are",
    ),
    (
        "kubectl-jsonpath/kubectl-1.28--truncated.txt",
        "jsonpath prints bare values: only the command line says what they are",
    ),
    (
        "kubectl-jsonpath/kubectl-1.29--ports-list.txt",
        "jsonpath prints bare values: only the command line says what they are",
    ),
    (
        "kubectl-jsonpath/kubectl-1.29--range-rows.txt",
        "jsonpath prints bare values: only the command line says what they are",
    ),
];

/// Fixtures kept beside one parser to test how it copes, that detection rightly hands
/// to another kind.
const READ_AS: &[(&str, &str)] = &[(
    "kubectl-describe-svc/kubectl-1.28--not-found.txt",
    "kubectl-error",
)];

/// A command line that prints each kind, for fixtures whose test names none.
fn command_for(kind: &str) -> &'static str {
    match kind {
        "curl" => "curl -sv http://backend/",
        "wget" => "wget -O- http://backend/",
        "nc" => "nc -zv backend 80",
        "telnet" => "telnet backend 80",
        // Any program prints these; no command line decides them.
        "net-errors" => "",
        "dig" => "dig backend.default.svc.cluster.local",
        "nslookup" => "nslookup backend",
        "resolv-conf" => "cat /etc/resolv.conf",
        "ss" => "ss -tanp",
        "netstat" => "netstat -tanp",
        "kubectl-get-svc" => "kubectl get svc -o wide",
        "kubectl-get-endpoints" => "kubectl get endpoints",
        "kubectl-get-endpointslices" => "kubectl get endpointslices",
        "kubectl-get-pods" => "kubectl get pods -o wide --show-labels",
        "kubectl-describe-svc" => "kubectl describe svc backend",
        "k8s-objects" => "kubectl get svc backend -o yaml",
        "kubelet-config" => "systemctl cat kubelet",
        "coredns-log" => "kubectl -n kube-system logs deploy/coredns",
        "kube-proxy-log" => "kubectl -n kube-system logs ds/kube-proxy",
        "kernel-log" => "dmesg -T",
        "kubectl-error" => "kubectl get svc backend",
        "iptables-save" => "iptables-save",
        "iptables-list" => "iptables -t nat -L -n -v",
        "iptables-version" => "iptables -V",
        "ip-route" => "ip route",
        "ip-route-get" => "ip route get 10.96.0.10",
        "ip-addr" => "ip addr",
        "ip-link" => "ip -d link",
        "ip-neigh" => "ip neigh",
        "ip-rule" => "ip rule",
        "sysctl" => "sysctl -a",
        "ipvsadm" => "ipvsadm -Ln",
        "ipset" => "ipset list",
        "nft" => "nft list ruleset",
        "ping" => "ping -c 3 10.0.0.7",
        "tracepath" => "tracepath -n 10.0.0.7",
        "traceroute" => "traceroute -n 10.0.0.7",
        "mtr" => "mtr -r -c 10 10.0.0.7",
        "tcpdump" => "tcpdump -nn -i any port 53",
        "conntrack" => "conntrack -L",
        "host" => "host backend.default.svc.cluster.local",
        "getent" => "getent ahosts backend.default.svc.cluster.local",
        "ethtool-features" => "ethtool -k flannel.1",
        "cni-config" => "cat /etc/cni/net.d/10-flannel.conflist",
        "cni-agent-log" => "kubectl -n kube-flannel logs ds/kube-flannel-ds",
        "kube-proxy-config" => "cat /var/lib/kube-proxy/config.conf",
        "kubectl-get-nodes" => "kubectl get nodes -o wide",
        "kubectl-get-events" => "kubectl get events -A --sort-by=.lastTimestamp",
        "kubectl-get-deploy" => "kubectl get deploy -o wide",
        "kubectl-get-ns" => "kubectl get ns",
        "kubectl-get-netpol" => "kubectl get netpol",
        "kubectl-describe-pod" => "kubectl describe pod backend",
        "kubectl-describe-node" => "kubectl describe node worker-2",
        "kubectl-describe-endpoints" => "kubectl describe endpoints backend",
        "kubectl-describe-netpol" => "kubectl describe networkpolicy allow-frontend",
        "kubectl-jsonpath" => "kubectl get pods -o jsonpath='{.items[*].status.podIP}'",
        "cluster-config" => "cat cluster.yml",
        "kubelet-log" => "journalctl -u kubelet",
        _ => "",
    }
}

/// Fixture folders that are not one parser's outputs.
const NOT_A_KIND: &[&str] = &["netpol-seed-lab", "netpol-tables"];

fn kinds_found(text: &str) -> Vec<String> {
    let v = netdoc::parse_all(text);
    v.as_array()
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
fn every_fixture_is_recognised_as_its_kind() {
    let mut dirs: Vec<String> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|d| !NOT_A_KIND.contains(&d.as_str()))
        .collect();
    dirs.sort();
    let (mut bare_ok, mut bare_n, mut cmd_ok, mut cmd_n) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    for kind in &dirs {
        assert!(
            netdoc::parse::registry::info(kind).is_some(),
            "fixture folder {kind} names no parser kind"
        );
        for f in files(kind) {
            if f.ends_with("--empty.txt") || f.ends_with("--garbled.txt") {
                continue;
            }
            let rel = format!("{kind}/{f}");
            let text = read(&rel);
            // Bare: every segment must be this kind.
            if !NEEDS_COMMAND.iter().any(|(n, _)| *n == rel) {
                bare_n += 1;
                let got = kinds_found(&text);
                if got.iter().all(|k| k == kind) {
                    bare_ok += 1;
                } else {
                    failures.push(format!("{rel} (no command): {got:?}"));
                }
            }
            // Under its command line.
            let cmd = command_for(kind);
            if cmd.is_empty() {
                continue;
            }
            cmd_n += 1;
            let want = READ_AS
                .iter()
                .find(|(n, _)| *n == rel)
                .map_or(kind.as_str(), |(_, k)| *k);
            let got = kinds_found(&format!("$ {cmd}\n{text}"));
            if got.first().is_some_and(|k| k == want) {
                cmd_ok += 1;
            } else {
                failures.push(format!("{rel} (after `$ {cmd}`): {got:?}"));
            }
        }
    }
    eprintln!("detection: {bare_ok}/{bare_n} bare, {cmd_ok}/{cmd_n} with the command line");
    assert!(
        bare_n > 100 && cmd_n > 100,
        "too few fixtures: {bare_n}, {cmd_n}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_exceptions_are_still_ambiguous() {
    // An exception that detection now gets right should leave the list.
    for (rel, why) in NEEDS_COMMAND {
        let kind = rel.split('/').next().unwrap();
        let got = kinds_found(&read(rel));
        assert!(
            !got.iter().all(|k| k == kind),
            "{rel} is now recognised bare ({got:?}); drop it from NEEDS_COMMAND ({why})"
        );
    }
}

#[test]
fn every_real_case_segment_is_recognised() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/real");
    let mut unrecognized = Vec::new();
    for e in std::fs::read_dir(&dir).expect("../shared/corpus/real beside the project") {
        let p = e.unwrap().path().join("input.txt");
        let text = std::fs::read_to_string(&p).unwrap();
        let v = netdoc::parse_all(&text);
        for s in v.as_array().unwrap() {
            if s["parsed"].is_null() {
                unrecognized.push(format!("{}: lines {}", p.display(), s["lines"]));
            }
        }
    }
    eprintln!(
        "{} unrecognized segment(s) in the real corpus",
        unrecognized.len()
    );
    assert!(unrecognized.is_empty(), "{}", unrecognized.join("\n"));
}

/// `cat FILE` names a file, not a format: a kubeadm ClusterConfiguration in a file called
/// `cluster.yaml` is still read as Kubernetes objects, and an installer's cluster.yml as
/// the installer's config.
#[test]
fn cat_of_a_file_is_read_by_its_content() {
    let kubeadm = "$ cat cluster.yaml\napiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\nnetworking:\n  podSubnet: 10.244.0.0/16\n  serviceSubnet: 10.96.0.0/12\ncontrolPlaneEndpoint: \"10.244.0.5:6443\"\n";
    let r = netdoc::diagnose(kubeadm);
    assert_eq!(
        r.segments[0].kind.as_deref(),
        Some("k8s-objects"),
        "{:?}",
        r.segments
    );
    assert!(r.findings.iter().any(|f| f.id == "cidr-overlap"));
    let pharos = "$ cat cluster.yml\nnetwork:\n  provider: calico\n  node_local_dns_cache: true\n  service_cidr: 10.96.0.0/12\n  pod_network_cidr: 10.32.0.0/12\n";
    let r = netdoc::diagnose(pharos);
    assert_eq!(
        r.segments[0].kind.as_deref(),
        Some("cluster-config"),
        "{:?}",
        r.segments
    );
}

/// Where each segment of `text` starts and ends, cut with `sniff`.
fn cuts(text: &str, sniff: netdoc::split::Sniffer<'_>) -> Vec<(usize, usize, Option<String>)> {
    netdoc::split::split(text, sniff)
        .iter()
        .map(|s| {
            (
                s.first_line,
                s.line_count,
                s.command.as_ref().map(|c| c.text.clone()),
            )
        })
        .collect()
}

/// The splitter's shortcut (a block whose first line the kind above is sure of continues
/// that kind, without asking every sniffer) cuts every paste where asking every sniffer
/// does: each fixture bare, after itself, and after a blank line before the next kind's
/// first fixture; every scenario and real corpus paste. With no blank line between, the
/// next fixture's lines join the last block; there the shortcut may keep a block that
/// starts like the output above with it, but never cuts where the full sniff does not.
#[test]
fn the_block_shortcut_cuts_where_every_sniffer_would() {
    let full = |h: &str| netdoc::detect::sniff_kind(h);
    let mut pastes: Vec<(String, String)> = Vec::new();
    let mut joined: Vec<(String, String)> = Vec::new();
    let kinds: Vec<&str> = netdoc::parse::ALL.iter().map(|p| p.kind).collect();
    for (i, kind) in kinds.iter().enumerate() {
        let next = kinds.get(i + 1).unwrap_or(&kinds[0]);
        let other = files(next)
            .into_iter()
            .find(|f| !f.contains("empty"))
            .map(|f| read(&format!("{next}/{f}")))
            .unwrap_or_default();
        for f in files(kind) {
            let text = read(&format!("{kind}/{f}"));
            pastes.push((format!("{kind}/{f}"), text.clone()));
            pastes.push((format!("{kind}/{f} twice"), format!("{text}\n\n{text}")));
            joined.push((format!("{kind}/{f} + {next}"), format!("{text}\n{other}")));
            pastes.push((
                format!("{kind}/{f} + {next}, blank"),
                format!("{text}\n\n{other}"),
            ));
        }
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for dir in [
        root.join("tests/scenarios"),
        root.join("../shared/corpus/real"),
    ] {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path().join("input.txt");
            if let Ok(text) = std::fs::read_to_string(&p) {
                pastes.push((p.display().to_string(), text));
            }
        }
    }
    // Every kind's first fixture after every other's, after a blank line.
    let firsts: Vec<(&str, String)> = kinds
        .iter()
        .filter_map(|k| {
            let f = files(k).into_iter().find(|f| !f.contains("empty"))?;
            Some((*k, read(&format!("{k}/{f}"))))
        })
        .collect();
    for (a, ta) in &firsts {
        for (b, tb) in &firsts {
            pastes.push((format!("{a} then {b}"), format!("{ta}\n\n{tb}")));
        }
    }
    assert!(pastes.len() > 4500, "{} pastes", pastes.len());
    for (name, text) in &pastes {
        assert_eq!(
            cuts(text, &netdoc::detect::Blocks),
            cuts(text, &full),
            "{name}"
        );
    }
    let mut merged = 0;
    for (name, text) in &joined {
        let (short, all) = (cuts(text, &netdoc::detect::Blocks), cuts(text, &full));
        let starts: Vec<usize> = all.iter().map(|c| c.0).collect();
        for c in &short {
            assert!(
                starts.contains(&c.0),
                "{name}: a cut at line {} the full sniff does not make",
                c.0
            );
        }
        let last = |cs: &[(usize, usize, Option<String>)]| cs.last().map(|c| c.0 + c.1);
        assert_eq!(last(&short), last(&all), "{name}: both read to the end");
        merged += usize::from(short != all);
    }
    assert!(
        merged < joined.len() / 20,
        "{merged} of {} joined pastes cut otherwise",
        joined.len()
    );
}
