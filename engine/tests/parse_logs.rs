//! Log parsers (coredns-log, kube-proxy-log, kernel-log, kubectl-error) over every fixture in
//! `tests/fixtures/<kind>/`, snapshotted, plus the key facts of each fixture, detection by
//! content and by command line, and the log segments of the real corpus cases.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;

use netdoc::parse::{
    coredns_log, kernel_log, kube_proxy_log, kubectl_error, Parsed, Records, Status,
};
use std::path::Path;

const KINDS: &[&str] = &[
    "coredns-log",
    "kube-proxy-log",
    "kernel-log",
    "kubectl-error",
];

fn problem_lines(p: &Parsed) -> Vec<usize> {
    p.problems.iter().map(|p| p.line).collect()
}

fn coredns(rel: &str) -> (Vec<coredns_log::Record>, Parsed) {
    let p = run("coredns-log", &format!("coredns-log/{rel}"));
    match &p.records {
        Records::CorednsLog(r) => (r.clone(), p),
        _ => panic!("not coredns-log"),
    }
}

fn proxy(rel: &str) -> (Vec<kube_proxy_log::Record>, Parsed) {
    let p = run("kube-proxy-log", &format!("kube-proxy-log/{rel}"));
    match &p.records {
        Records::KubeProxyLog(r) => (r.clone(), p),
        _ => panic!("not kube-proxy-log"),
    }
}

fn kernel(rel: &str) -> (Vec<kernel_log::Record>, Parsed) {
    let p = run("kernel-log", &format!("kernel-log/{rel}"));
    match &p.records {
        Records::KernelLog(r) => (r.clone(), p),
        _ => panic!("not kernel-log"),
    }
}

fn kerr(rel: &str) -> (Vec<kubectl_error::Record>, Parsed) {
    let p = run("kubectl-error", &format!("kubectl-error/{rel}"));
    match &p.records {
        Records::KubectlError(r) => (r.clone(), p),
        _ => panic!("not kubectl-error"),
    }
}

/// (line, signature) of every record.
fn sigs<'a>(recs: impl IntoIterator<Item = (usize, &'a str)>) -> Vec<(usize, &'a str)> {
    recs.into_iter().collect()
}

fn field<'a>(fields: &'a std::collections::BTreeMap<String, String>, k: &str) -> Option<&'a str> {
    fields.get(k).map(String::as_str)
}

#[test]
fn every_fixture_snapshot() {
    let mut seen = 0;
    for kind in KINDS {
        let files = files(kind);
        assert!(
            files.iter().any(|f| f.ends_with("--empty.txt")),
            "{kind} needs an empty fixture"
        );
        for tag in ["--truncated.txt", "--garbled.txt"] {
            assert!(files.iter().any(|f| f.ends_with(tag)), "{kind} needs {tag}");
        }
        assert!(files.len() >= 6, "{kind}: only {} fixtures", files.len());
        for f in files {
            let parsed = run(kind, &format!("{kind}/{f}"));
            let name = format!("{kind}__{}", f.trim_end_matches(".txt"));
            insta::assert_json_snapshot!(name, parsed);
            seen += 1;
        }
    }
    assert!(seen >= 24, "only {seen} fixtures");
}

#[test]
fn empty_fixtures_are_empty() {
    assert_empty_fixtures_read_empty(KINDS);
}

// ---------------------------------------------------------------- coredns-log

#[test]
fn coredns_loops() {
    let (r, p) = coredns("coredns-1.2--loop.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(
        sigs(r.iter().map(|r| (r.line, r.signature.as_str()))),
        vec![
            (1, "startup"),
            (2, "startup"),
            (4, "startup"),
            (6, "reload"),
            (7, "loop-detected")
        ]
    );
    assert_eq!(field(&r[0].fields, "zone"), Some("."));
    assert_eq!(field(&r[0].fields, "port"), Some("53"));
    assert_eq!(field(&r[1].fields, "version"), Some("1.2.2"));
    assert_eq!(r[1].level.as_deref(), Some("INFO"));
    assert_eq!(r[2].level, None);
    assert_eq!(field(&r[3].fields, "algorithm"), Some("MD5"));
    assert_eq!(r[4].level.as_deref(), Some("FATAL"));
    assert_eq!(
        field(&r[4].fields, "query"),
        Some("HINFO IN 2050421060481615995.5620656063561519376.")
    );

    let (r, p) = coredns("coredns-1.11--loop.txt");
    assert_eq!(p.status, Status::Parsed);
    let l = r.iter().find(|r| r.signature == "loop-detected").unwrap();
    assert_eq!(l.line, 5);
    assert_eq!(field(&l.fields, "from"), Some("127.0.0.1:55953"));
    assert_eq!(field(&l.fields, "to"), Some(":53"));
    assert_eq!(field(&l.fields, "zone"), Some("."));
    assert_eq!(
        field(&l.fields, "query"),
        Some("HINFO 4547991504243258144.3688648895315093531.")
    );
    assert_eq!(field(&r[2].fields, "version"), Some("1.11.1"));
    assert_eq!(field(&r[1].fields, "algorithm"), Some("SHA512"));
}

#[test]
fn coredns_upstream_errors() {
    let (r, p) = coredns("coredns-1.11--upstream-timeout.txt");
    assert_eq!(p.status, Status::Parsed);
    let errs: Vec<_> = r
        .iter()
        .filter(|r| r.level.as_deref() == Some("ERROR"))
        .collect();
    assert_eq!(
        sigs(errs.iter().map(|r| (r.line, r.signature.as_str()))),
        vec![
            (6, "upstream-timeout"),
            (7, "upstream-timeout"),
            (8, "upstream-refused"),
            (9, "upstream-error")
        ]
    );
    assert_eq!(field(&errs[0].fields, "name"), Some("example.com."));
    assert_eq!(field(&errs[0].fields, "qtype"), Some("A"));
    assert_eq!(field(&errs[0].fields, "upstream"), Some("8.8.8.8:53"));
    assert_eq!(field(&errs[1].fields, "qtype"), Some("AAAA"));
    assert_eq!(field(&errs[2].fields, "upstream"), Some("8.8.4.4:53"));
    assert!(field(&errs[3].fields, "reason")
        .unwrap()
        .contains("network is unreachable"));
    // The query log line (5) is well-formed and skipped.
    assert!(!r.iter().any(|r| r.line == 5));

    let (r, p) = coredns("coredns-1.11--servfail.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(
        sigs(r.iter().map(|r| (r.line, r.signature.as_str()))),
        vec![(1, "reload"), (2, "servfail"), (3, "upstream-error")]
    );
    assert_eq!(
        field(&r[1].fields, "name"),
        Some("backend.shop.svc.cluster.local.corp.example.")
    );
}

#[test]
fn coredns_api_unreachable() {
    let (r, p) = coredns("coredns-1.8--api-unreachable.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(
        sigs(r.iter().map(|r| (r.line, r.signature.as_str()))),
        vec![
            (1, "plugin-ready-waiting"),
            (3, "startup"),
            (4, "startup"),
            (6, "kubernetes-api-unreachable"),
            (7, "kubernetes-api-unreachable"),
            (8, "plugin-ready-waiting")
        ]
    );
    assert_eq!(field(&r[0].fields, "plugins"), Some("kubernetes"));
    assert_eq!(r[3].level.as_deref(), Some("ERROR"));
    assert_eq!(field(&r[3].fields, "api_server"), Some("10.96.0.1:443"));
    assert_eq!(field(&r[3].fields, "reason"), Some("i/o timeout"));
    assert_eq!(field(&r[3].fields, "resource"), Some("*v1.Namespace"));
    assert_eq!(
        field(&r[4].fields, "reason"),
        Some("connect: connection refused")
    );
    assert_eq!(field(&r[4].fields, "resource"), Some("*v1.EndpointSlice"));

    let (r, p) = coredns("coredns-1.2--api-unreachable.txt");
    assert_eq!(p.status, Status::Parsed);
    let api: Vec<_> = r
        .iter()
        .filter(|r| r.signature == "kubernetes-api-unreachable")
        .collect();
    assert_eq!(api.iter().map(|r| r.line).collect::<Vec<_>>(), vec![4, 5]);
    assert_eq!(field(&api[1].fields, "resource"), Some("*v1.Endpoints"));
    assert_eq!(field(&api[1].fields, "api_server"), Some("10.96.0.1:443"));
}

#[test]
fn coredns_broken() {
    let (r, p) = coredns("coredns-1.11--truncated.txt");
    // The cut `plugin/errors:` line is a signature lost: a problem, not noise.
    assert_eq!(p.status, Status::Partial);
    assert_eq!(problem_lines(&p), vec![5]);
    assert_eq!(r.last().map(|r| r.line), Some(4));
    let (r, p) = coredns("coredns-1.11--garbled.txt");
    assert_eq!(p.status, Status::Partial);
    assert_eq!(problem_lines(&p), vec![2, 4]);
    assert_eq!(
        sigs(r.iter().map(|r| (r.line, r.signature.as_str()))),
        vec![(1, "plugin-ready-waiting"), (3, "upstream-timeout")]
    );
}

// ---------------------------------------------------------------- kube-proxy-log

#[test]
fn kube_proxy_plain() {
    let (r, p) = proxy("kube-proxy-1.12--iptables.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(
        sigs(r.iter().map(|r| (r.line, r.signature.as_str()))),
        vec![
            (2, "proxier-mode"),
            (5, "sysctl-set"),
            (6, "conntrack-max"),
            (7, "sysctl-set")
        ]
    );
    assert_eq!(field(&r[0].fields, "mode"), Some("iptables"));
    assert_eq!(r[0].level.as_deref(), Some("I"));
    assert_eq!(r[0].file.as_deref(), Some("server_others.go:186"));
    assert_eq!(
        field(&r[1].fields, "key"),
        Some("net/netfilter/nf_conntrack_max")
    );
    assert_eq!(field(&r[1].fields, "value"), Some("786432"));
    assert_eq!(field(&r[2].fields, "value"), Some("786432"));

    let (r, p) = proxy("kube-proxy-1.13--ipvs-fallback-plain.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(
        sigs(r.iter().map(|r| (r.line, r.signature.as_str()))),
        vec![
            (1, "node-ip-unknown"),
            (3, "ipvs-fallback"),
            (4, "proxier-mode"),
            (5, "cluster-cidr-missing")
        ]
    );
}

#[test]
fn kube_proxy_structured() {
    let (r, p) = proxy("kube-proxy-1.28--ipvs-fallback.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(
        sigs(r.iter().map(|r| (r.line, r.signature.as_str()))),
        vec![
            (2, "ipvs-fallback"),
            (3, "proxier-mode"),
            (5, "conntrack-max"),
            (6, "sysctl-set"),
            (7, "hostname-not-found")
        ]
    );
    assert_eq!(r[0].level.as_deref(), Some("E"));
    assert!(field(&r[0].fields, "err").unwrap().contains("ip_vs_rr"));
    assert_eq!(field(&r[1].fields, "mode"), Some("iptables"));
    assert_eq!(field(&r[2].fields, "value"), Some("131072"));
    assert_eq!(
        field(&r[3].fields, "key"),
        Some("net/netfilter/nf_conntrack_tcp_timeout_close_wait")
    );
    assert_eq!(field(&r[3].fields, "value"), Some("3600"));
    assert_eq!(field(&r[4].fields, "node"), Some("worker-1"));

    let (r, p) = proxy("kube-proxy-1.29--restore-failed.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(
        sigs(r.iter().map(|r| (r.line, r.signature.as_str()))),
        vec![
            (1, "proxier-mode"),
            (2, "cluster-cidr-missing"),
            (3, "iptables-restore-failed"),
            (6, "no-local-endpoints"),
            (7, "api-unreachable")
        ]
    );
    // The multi-line `err=<` value follows on lines 4-5, joined to the record.
    assert!(r[2].detail.contains("Couldn't load match `comment'"));
    assert!(field(&r[2].fields, "err")
        .unwrap()
        .starts_with("exit status 2: iptables-restore v1.8.9"));
    assert_eq!(field(&r[4].fields, "api_server"), Some("10.0.0.1:6443"));
    assert_eq!(
        field(&r[4].fields, "reason"),
        Some("connect: connection refused")
    );
    assert_eq!(field(&r[3].fields, "serviceName"), Some("shop/frontend"));
}

#[test]
fn kube_proxy_chain_and_broken() {
    let (r, p) = proxy("kube-proxy-1.12--chain-create-failed-stern.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r.len(), 1);
    assert_eq!(
        (r[0].line, r[0].signature.as_str()),
        (1, "chain-create-failed")
    );
    assert_eq!(field(&r[0].fields, "chain"), Some("KUBE-SERVICES"));
    assert_eq!(field(&r[0].fields, "table"), Some("nat"));
    assert_eq!(field(&r[0].fields, "iptables_version"), Some("1.6.0"));
    assert!(r[0]
        .detail
        .ends_with("\nPerhaps iptables or your kernel needs to be upgraded."));

    let (r, p) = proxy("kube-proxy-1.28--truncated.txt");
    assert_eq!(p.status, Status::Partial);
    assert_eq!(problem_lines(&p), vec![3]);
    assert_eq!(field(&r[0].fields, "mode"), Some("ipvs"));

    let (r, p) = proxy("kube-proxy-1.28--garbled.txt");
    assert_eq!(p.status, Status::Partial);
    assert_eq!(problem_lines(&p), vec![2, 4]);
    assert_eq!(field(&r[0].fields, "mode"), Some("nftables"));
}

// ---------------------------------------------------------------- kernel-log

#[test]
fn kernel_signatures() {
    let (r, p) = kernel("dmesg-T--conntrack-full.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r.len(), 4);
    assert!(r.iter().all(|r| r.signature == "conntrack-table-full"));
    assert_eq!(r[3].line, 4);

    let (r, p) = kernel("dmesg--neighbour-overflow.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(
        sigs(r.iter().map(|r| (r.line, r.signature.as_str()))),
        vec![
            (1, "neighbour-table-overflow"),
            (2, "neighbour-table-overflow"),
            (3, "net-ratelimit"),
            (4, "martian-source"),
            (5, "conntrack-table-full")
        ]
    );
    assert_eq!(field(&r[0].fields, "table"), Some("arp_cache"));
    assert_eq!(field(&r[3].fields, "dst"), Some("10.0.0.5"));
    assert_eq!(field(&r[3].fields, "src"), Some("10.244.1.3"));
    assert_eq!(field(&r[3].fields, "dev"), Some("eth0"));

    let (r, p) = kernel("syslog--iptables-trace.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r.len(), 2);
    let t = &r[1].fields;
    assert_eq!(
        (field(t, "table"), field(t, "chain"), field(t, "rule")),
        (Some("nat"), Some("KUBE-SERVICES"), Some("rule:25"))
    );
    assert_eq!(field(t, "src"), Some("110.110.110.108"));
    assert_eq!(field(t, "dst"), Some("110.110.110.111"));
    assert_eq!(field(t, "proto"), Some("TCP"));
    assert_eq!(field(t, "dport"), Some("8089"));
    assert_eq!(field(t, "in"), Some("ens5"));
    assert_eq!(field(t, "out"), Some(""));
    // `SRC=     110.110.110.108`: the stray spaces of the paste.
    assert_eq!(field(&r[0].fields, "src"), Some("110.110.110.108"));

    let (r, p) = kernel("journalctl-k--bridge-vxlan.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(
        sigs(r.iter().map(|r| (r.line, r.signature.as_str()))),
        vec![(2, "br-netfilter"), (4, "vxlan-error")]
    );
    assert_eq!(field(&r[1].fields, "from"), Some("10.244.1.0"));
    assert_eq!(field(&r[1].fields, "tos"), Some("0x2"));

    let (r, p) = kernel("dmesg--node-network-signatures.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(
        sigs(r.iter().map(|r| (r.line, r.signature.as_str()))),
        vec![
            (1, "netfilter-module-loaded"),
            (2, "netfilter-module-loaded"),
            (3, "bridge-port-state"),
            (4, "bridge-port-state"),
            (6, "interface-renamed"),
            (7, "bridge-port-state"),
            (8, "martian-source"),
            (10, "conntrack-expectation-table-full"),
            (11, "ipvs-no-destination"),
            (12, "syn-flood"),
            (13, "net-ratelimit"),
            (14, "neighbour-table-overflow"),
        ]
    );
    assert_eq!(field(&r[1].fields, "module"), Some("nf_tables"));
    let b = &r[5].fields;
    assert_eq!(
        (field(b, "bridge"), field(b, "port"), field(b, "state")),
        (Some("cni0"), Some("veth5d2c3e1a"), Some("forwarding"))
    );
    assert_eq!(
        (field(&r[4].fields, "dev"), field(&r[4].fields, "from")),
        (Some("eth0"), Some("veth9f0b1c2"))
    );
    assert_eq!(
        field(&r[6].fields, "ll_header"),
        Some("00000000: ff ff ff ff ff ff 0a 58 0a f4 02 07 08 06")
    );
    let v = &r[8].fields;
    assert_eq!(
        (
            field(v, "scheduler"),
            field(v, "proto"),
            field(v, "service")
        ),
        (Some("rr"), Some("TCP"), Some("10.96.0.10:53"))
    );
    assert_eq!(field(&r[9].fields, "port"), Some("80"));
    assert_eq!(field(&r[10].fields, "suppressed"), Some("14"));
}

#[test]
fn kernel_broken() {
    let (r, p) = kernel("dmesg--truncated.txt");
    assert_eq!(p.status, Status::Partial);
    assert_eq!(problem_lines(&p), vec![3]);
    assert_eq!(r.len(), 1);
    let (r, p) = kernel("dmesg-T--garbled.txt");
    assert_eq!(p.status, Status::Partial);
    assert_eq!(problem_lines(&p), vec![2, 5]);
    // A bare message with a known signature counts; an unknown stamped line is skipped.
    assert_eq!(r.iter().map(|r| r.line).collect::<Vec<_>>(), vec![1, 3, 4]);
}

// ---------------------------------------------------------------- kubectl-error

#[test]
fn kubectl_invalid() {
    for f in [
        "kubectl-1.0--nodeport-invalid.txt",
        "kubectl-1.28--nodeport-invalid.txt",
    ] {
        let (r, p) = kerr(f);
        assert_eq!(p.status, Status::Parsed, "{f}");
        let r = &r[0];
        assert_eq!(
            (
                r.line,
                r.signature.as_str(),
                r.kind.as_deref(),
                r.name.as_deref()
            ),
            (1, "invalid", Some("Service"), Some("my-service")),
            "{f}"
        );
        assert_eq!(r.field.as_deref(), Some("spec.ports[0].nodePort"), "{f}");
        assert_eq!(r.value.as_deref(), Some("2181"), "{f}");
        assert!(r
            .reason
            .as_deref()
            .unwrap()
            .starts_with("provided port is not in the valid range"));
    }
    let (r, p) = kerr("kubectl-1.28--invalid-bullets.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r.len(), 3);
    assert!(r.iter().all(|r| r.name.as_deref() == Some("backend")));
    assert_eq!(
        r.iter()
            .map(|r| (r.line, r.field.as_deref().unwrap()))
            .collect::<Vec<_>>(),
        vec![
            (2, "spec.ports[0].port"),
            (3, "spec.selector"),
            (4, "spec.type")
        ]
    );
    assert_eq!(r[0].value.as_deref(), Some("0"));
    assert_eq!(r[1].reason.as_deref(), Some("Required value"));
    assert_eq!(r[2].value.as_deref(), Some("\"Foo\""));
}

#[test]
fn kubectl_server_errors() {
    let (r, p) = kerr("kubectl-1.28--not-found-forbidden.txt");
    assert_eq!(p.status, Status::Parsed);
    let got: Vec<_> = r
        .iter()
        .map(|r| {
            (
                r.line,
                r.signature.as_str(),
                r.kind.as_deref(),
                r.name.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (1, "not-found", Some("services"), Some("backend")),
            (2, "not-found", Some("namespaces"), Some("shop")),
            (3, "forbidden", Some("services"), None),
            (4, "no-endpoints", Some("service"), Some("backend")),
            (5, "no-endpoints", Some("service"), Some("frontend")),
            (6, "other-error", None, None),
        ]
    );

    let (r, p) = kerr("kubectl-1.28--unreachable.txt");
    assert_eq!(p.status, Status::Parsed);
    let got: Vec<_> = r
        .iter()
        .map(|r| {
            (
                r.signature.as_str(),
                r.address.as_deref(),
                r.reason.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "api-unreachable",
                Some("10.0.0.1:6443"),
                Some("i/o timeout")
            ),
            (
                "api-unreachable",
                Some("localhost:8080"),
                Some("connection refused")
            ),
            (
                "kubelet-unreachable",
                Some("192.168.0.22:10250"),
                Some("connection refused")
            ),
            (
                "kubelet-unreachable",
                Some("10.0.0.5:10250"),
                Some("connect: no route to host")
            ),
            (
                "kubelet-unreachable",
                Some("10.0.0.6:10250"),
                Some("i/o timeout")
            ),
        ]
    );
}

#[test]
fn kubectl_broken() {
    let (r, p) = kerr("kubectl-1.28--truncated.txt");
    assert_eq!(p.status, Status::Partial);
    assert_eq!(problem_lines(&p), vec![2]);
    assert_eq!(r.len(), 1);
    let (r, p) = kerr("kubectl-1.28--garbled.txt");
    assert_eq!(p.status, Status::Partial);
    assert_eq!(problem_lines(&p), vec![1, 3]);
    assert_eq!(r[0].signature, "other-error");
    assert_eq!(r[0].line, 2);
}

// ---------------------------------------------------------------- detection

/// Fixtures whose first lines are prose or another tool's output on purpose: content
/// detection is not asked of them.
const NOT_BY_CONTENT: &[&str] = &["kubectl-error/kubectl-1.28--garbled.txt"];

/// Fixtures another parser claims by content, on purpose: Go network errors alone are
/// `net-errors`' (kubectl-error reads them only among kubectl's own errors or with `--as`).
const OTHER_KIND_BY_CONTENT: &[(&str, &str)] =
    &[("kubectl-error/kubectl-1.28--unreachable.txt", "net-errors")];

/// A command line that produces each kind (kubectl-error: none claims it; content decides).
fn command_for(kind: &str) -> &'static str {
    match kind {
        "coredns-log" => "kubectl -n kube-system logs -l k8s-app=kube-dns",
        "kube-proxy-log" => "kubectl -n kube-system logs kube-proxy-22hmk",
        "kernel-log" => "dmesg -T",
        _ => "kubectl apply -f svc.yaml",
    }
}

#[test]
fn every_fixture_is_detected_by_content_and_by_command() {
    for kind in KINDS {
        for f in files(kind) {
            let rel = format!("{kind}/{f}");
            let text = read(&rel);
            if text.trim().is_empty() {
                continue;
            }
            if !NOT_BY_CONTENT.contains(&rel.as_str()) {
                let segs = segments(&text);
                assert_eq!(segs.len(), 1, "{rel}: {segs:?}");
                let want = OTHER_KIND_BY_CONTENT
                    .iter()
                    .find(|(f, _)| *f == rel)
                    .map_or(*kind, |(_, k)| *k);
                assert_eq!(
                    segs[0]["detection"]["kind"].as_str(),
                    Some(want),
                    "{rel} by content: {:?}",
                    segs[0]["detection"]
                );
            }
            if *kind == "kubectl-error"
                && (NOT_BY_CONTENT.contains(&rel.as_str())
                    || OTHER_KIND_BY_CONTENT.iter().any(|(f, _)| *f == rel))
            {
                // No command line claims kubectl errors: content decides here too.
                continue;
            }
            let with_cmd = format!("$ {}\n{text}", command_for(kind));
            let seg = one_segment_of(&with_cmd, kind, &format!("{rel} with command"));
            let expect = run(kind, &rel);
            let status = serde_json::to_value(expect.status).unwrap();
            assert_eq!(seg["parsed"]["status"], status, "{rel} with command");
        }
    }
}

fn corpus_input(prefix: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/real");
    let case = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .unwrap_or_else(|| panic!("case {prefix} missing"));
    std::fs::read_to_string(case.join("input.txt")).unwrap()
}

/// (first line, last line, kind, status) of each segment.
fn shape(input: &str) -> Vec<(u64, u64, Option<String>, Option<String>)> {
    segments(input)
        .iter()
        .map(|s| {
            (
                s["lines"][0].as_u64().unwrap(),
                s["lines"][1].as_u64().unwrap(),
                s["detection"]["kind"].as_str().map(str::to_string),
                s["parsed"]["status"].as_str().map(str::to_string),
            )
        })
        .collect()
}

fn seg(a: u64, b: u64, kind: &str, status: &str) -> (u64, u64, Option<String>, Option<String>) {
    (a, b, Some(kind.into()), Some(status.into()))
}

#[test]
fn corpus_log_segments() {
    // 01: the zsh `➜` prompt is a command line; its `kubectl logs coredns-…` decides.
    let s = shape(&corpus_input("01-"));
    assert_eq!(s, vec![seg(1, 8, "coredns-log", "parsed")]);
    let all = segments(&corpus_input("01-"));
    let recs = &all[0]["parsed"]["records"]["records"];
    assert!(recs
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["signature"] == "loop-detected" && r["line"] == 8));

    // 03: dmesg -T lines, a blank line, a kube-proxy klog line: two segments.
    let s = shape(&corpus_input("03-"));
    assert_eq!(
        s,
        vec![
            seg(1, 4, "kernel-log", "parsed"),
            seg(6, 6, "kube-proxy-log", "parsed")
        ]
    );
    let all = segments(&corpus_input("03-"));
    let r = &all[1]["parsed"]["records"]["records"][0];
    assert_eq!(r["signature"], "conntrack-max");
    assert_eq!(r["fields"]["value"], "786432");

    // 10: the 1.0 validation error, then the Service YAML.
    let s = shape(&corpus_input("10-"));
    assert_eq!(s[0], seg(1, 1, "kubectl-error", "parsed"));
    assert_eq!(s[1].2.as_deref(), Some("k8s-objects"));

    // 24: kernel TRACE lines below an `iptables -nL` output are cut into their own segment.
    let s = shape(&corpus_input("24-"));
    assert_eq!(s.len(), 2);
    assert_eq!((s[0].0, s[0].1), (1, 5));
    assert_eq!(s[1], seg(7, 8, "kernel-log", "parsed"));

    // 26: stern-prefixed kube-proxy lines, the second a continuation of the first.
    let s = shape(&corpus_input("26-"));
    assert_eq!(s[0], seg(1, 2, "kube-proxy-log", "parsed"));

    // 32: the kubelet error stays net-errors' (not duplicated as kubectl-error).
    let s = shape(&corpus_input("32-"));
    assert_eq!(s[0].2.as_deref(), Some("net-errors"));
}
