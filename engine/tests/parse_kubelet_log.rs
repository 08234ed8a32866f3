//! kubelet-log over every fixture in `tests/fixtures/kubelet-log/`, snapshotted, plus the key
//! facts of each fixture and detection by content and by the command lines that print it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;

use netdoc::parse::{kubelet_log::Record, Parsed, Records, Status};

const KIND: &str = "kubelet-log";

fn kubelet(rel: &str) -> (Vec<Record>, Parsed) {
    let p = run(KIND, &format!("{KIND}/{rel}"));
    match &p.records {
        Records::KubeletLog(r) => (r.clone(), p),
        _ => panic!("not kubelet-log"),
    }
}

fn sigs(r: &[Record]) -> Vec<(usize, &str)> {
    r.iter().map(|r| (r.line, r.signature.as_str())).collect()
}

fn field<'a>(r: &'a Record, k: &str) -> Option<&'a str> {
    r.fields.get(k).map(String::as_str)
}

fn problem_lines(p: &Parsed) -> Vec<usize> {
    p.problems.iter().map(|p| p.line).collect()
}

#[test]
fn snapshots() {
    for f in files(KIND) {
        let p = run(KIND, &format!("{KIND}/{f}"));
        insta::assert_json_snapshot!(format!("kubelet_log__{f}"), p);
    }
}

#[test]
fn empty_reads_empty() {
    assert_empty_fixtures_read_empty(&[KIND]);
}

#[test]
fn cni_not_initialized() {
    let (r, p) = kubelet("kubelet-1.24--cni-not-initialized-journal.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(
        sigs(&r),
        vec![
            (3, "cni-not-initialized"),
            (4, "cni-not-initialized"),
            (5, "cni-not-initialized")
        ]
    );
    assert_eq!(field(&r[0], "detail"), Some("cni plugin not initialized"));
    assert_eq!(r[0].level.as_deref(), Some("E"));
    assert_eq!(r[0].file.as_deref(), Some("kubelet.go:2373"));
    assert_eq!(
        field(&r[1], "detail"),
        Some("no networks found in /etc/cni/net.d")
    );

    let (r, p) = kubelet("kubelet-1.12--cni-uninitialized-plain.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(
        sigs(&r),
        vec![(1, "cni-not-initialized"), (2, "cni-not-initialized")]
    );
    assert_eq!(
        field(&r[0], "detail"),
        Some("No networks found in /etc/cni/net.d")
    );
    assert_eq!(field(&r[1], "detail"), Some("cni config uninitialized"));
    assert!(r[1]
        .detail
        .contains("network plugin is not ready: cni config uninitialized"));
}

#[test]
fn sandbox_and_ipam() {
    let (r, p) = kubelet("kubelet-1.27--sandbox-calico-status.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(
        sigs(&r),
        vec![
            (14, "sandbox-network-failed"),
            (15, "sandbox-network-failed")
        ]
    );
    assert_eq!(field(&r[0], "plugin"), Some("calico"));
    assert_eq!(field(&r[0], "error"), Some("Unauthorized"));
    assert_eq!(field(&r[1], "pod"), Some("shop/web-7d4b9c-x2x"));
    assert_eq!(field(&r[1], "plugin"), Some("calico"));
    assert_eq!(field(&r[1], "error"), Some("Unauthorized"));

    let (r, p) = kubelet("kubelet-1.11--ipam-exhausted-klog.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(sigs(&r), vec![(1, "ipam-exhausted"), (2, "ipam-exhausted")]);
    for rec in &r {
        assert_eq!(field(rec, "pod"), Some("myzep/myzep-79945ccb7f-rz8ld"));
        assert_eq!(field(rec, "range"), Some("10.42.0.1-10.42.0.254"));
        assert_eq!(field(rec, "range_index"), Some("0"));
        assert!(rec
            .detail
            .contains("no IP addresses available in range set"));
    }
}

#[test]
fn probes() {
    let (r, p) = kubelet("kubelet-1.13--probe-failed-plain.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(sigs(&r), vec![(1, "probe-failed"), (2, "probe-failed")]);
    assert_eq!(field(&r[0], "probe_type"), Some("Readiness"));
    assert_eq!(
        field(&r[0], "pod"),
        Some("default/zp-crm-rule-1362938709-4900s")
    );
    assert_eq!(field(&r[0], "container"), Some("zp-crm-rule"));
    assert_eq!(field(&r[0], "address"), Some("11.11.75.4"));
    assert_eq!(field(&r[0], "port"), Some("8080"));
    assert_eq!(field(&r[0], "error"), Some("connection refused"));
    assert_eq!(field(&r[1], "probe_type"), Some("Liveness"));
    assert_eq!(field(&r[1], "error"), Some("Client.Timeout exceeded"));

    let (r, p) = kubelet("kubelet-1.28--probe-failed-cat.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(sigs(&r), vec![(1, "probe-failed"), (2, "probe-failed")]);
    assert_eq!(field(&r[0], "pod"), Some("shop/web-7d4b9c-x2x"));
    assert_eq!(field(&r[0], "container"), Some("web"));
    assert_eq!(field(&r[0], "address"), Some("10.244.1.7"));
    assert_eq!(field(&r[0], "port"), Some("8080"));
    assert_eq!(field(&r[0], "error"), Some("connection refused"));
    assert!(field(&r[0], "output")
        .unwrap()
        .starts_with("Get \"http://10.244.1.7:8080/healthz\""));
    assert_eq!(field(&r[1], "probe_type"), Some("Liveness"));
    assert_eq!(field(&r[1], "address"), Some("10.244.2.9"));
    assert_eq!(field(&r[1], "error"), Some("context deadline exceeded"));
}

#[test]
fn dns_hairpin_node_ip() {
    let (r, p) = kubelet("kubelet-1.26--dns-limits-short-iso.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(
        sigs(&r),
        vec![
            (1, "nameserver-limit-exceeded"),
            (2, "search-limit-exceeded"),
            (3, "cluster-dns-unset")
        ]
    );
    assert_eq!(field(&r[0], "applied"), Some("10.0.0.2 10.0.0.3 10.0.0.4"));
    assert!(field(&r[1], "applied")
        .unwrap()
        .starts_with("shop.svc.cluster.local "));
    assert_eq!(field(&r[2], "pod"), Some("shop/web-7d4b9c-x2x"));

    let (r, p) = kubelet("kubelet-1.12--dns-hairpin-nodeip-plain.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(
        sigs(&r),
        vec![
            (5, "hairpin-mode-fallback"),
            (7, "node-ip-problem"),
            (8, "nameserver-limit-exceeded"),
            (9, "cluster-dns-unset")
        ]
    );
    assert_eq!(field(&r[0], "requested"), Some("promiscuous-bridge"));
    assert_eq!(field(&r[0], "effective"), Some("hairpin-veth"));
    assert_eq!(field(&r[2], "applied"), Some("10.10.0.2 8.8.8.8 8.8.4.4"));
    assert_eq!(
        field(&r[3], "pod"),
        Some("kube-system/metrics-server-697746ff48-krmpt")
    );
}

#[test]
fn broken() {
    let (r, p) = kubelet("kubelet-1.28--truncated.txt");
    assert_eq!(p.status, Status::Partial);
    assert_eq!(problem_lines(&p), vec![3]);
    assert_eq!(sigs(&r), vec![(1, "cni-not-initialized")]);

    let (r, p) = kubelet("kubelet-1.28--garbled.txt");
    assert_eq!(p.status, Status::Partial);
    assert_eq!(problem_lines(&p), vec![2, 4]);
    assert_eq!(sigs(&r), vec![(1, "nameserver-limit-exceeded")]);
}

// ---------------------------------------------------------------- detection

const COMMANDS: &[&str] = &[
    "journalctl -u kubelet",
    "journalctl -xeu kubelet",
    "systemctl status kubelet",
    "tail /var/log/kubelet.log",
];

#[test]
fn detected_by_content_and_by_command() {
    for f in files(KIND) {
        let rel = format!("{KIND}/{f}");
        let text = read(&rel);
        if text.trim().is_empty() {
            continue;
        }
        let segs = segments(&text);
        assert_eq!(segs.len(), 1, "{rel}: {segs:?}");
        assert_eq!(
            segs[0]["detection"]["kind"].as_str(),
            Some(KIND),
            "{rel} by content: {:?}",
            segs[0]["detection"]
        );
        let expect = serde_json::to_value(run(KIND, &rel).status).unwrap();
        for cmd in COMMANDS {
            let segs = segments(&format!("$ {cmd}\n{text}"));
            assert_eq!(segs.len(), 1, "{rel} under {cmd}: {segs:?}");
            assert_eq!(
                segs[0]["detection"]["kind"].as_str(),
                Some(KIND),
                "{rel} under {cmd}"
            );
            assert_eq!(segs[0]["parsed"]["status"], expect, "{rel} under {cmd}");
        }
    }
}
