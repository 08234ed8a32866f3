//! The real cases of `../shared/corpus/real/`: outputs people posted in public issue
//! threads, each with the finding ids that name its settled root cause.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use std::path::{Path, PathBuf};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/real")
}

fn case_dir(prefix: &str) -> PathBuf {
    let dir = std::fs::read_dir(corpus()).expect("../shared/corpus/real is beside the project");
    dir.map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .unwrap_or_else(|| panic!("case {prefix} missing"))
}

/// (case prefix, the rank its expected finding must reach). Where the paste alone
/// decides the root cause, top 1; where it needs the reporter's prose, top 3.
const CASES: &[(&str, usize)] = &[
    // CoreDNS `plugin/loop: Seen … more than twice, loop detected`.
    ("01-", 1),
    // dmesg `nf_conntrack: table full, dropping packet` ×4 and kube-proxy's conntrack max.
    ("03-", 1),
    // tcpdump: ICMP `need to frag (mtu 1440)` answered to full-size segments.
    ("05-", 1),
    // DNS timeouts for every name with NodeLocal DNSCache in the installer's config: the
    // egress policy that misses the cache's address is the reporter's prose, so the
    // finding is an inference (in fact first).
    ("16-", 3),
    // kube-router's hairpin SNAT rule (pod → itself through the VIP, 0 packets), the pod
    // IP answering and the VIP timing out from the same shell.
    ("06-", 1),
    // kube-proxy's `has no local endpoints` rule (iptables-save | grep) for an ETP Local Service.
    ("08-", 1),
    // The API server's `provided port is not in the valid range` and the nodePort 2181.
    ("10-", 1),
    // Pods Ready + empty endpoints, selector not in the paste: the inference is sound
    // but still an inference, so top 3 (it is in fact first).
    ("12-", 3),
    ("13-", 1),
    // Refused through the ClusterIP + targetPort 9121 vs port 6379 (redis).
    ("14-", 1),
    ("19-", 1),
    ("21-", 1),
    // Only the error line was pasted; that the caller is in kube-system is prose.
    ("28-", 3),
    // The policy allows the nodePort 30644, the pods serve 8080 (after DNAT); its empty
    // egress list is a default egress deny too, which may rank first.
    ("18-", 3),
    // iptables-nft warns that iptables-legacy tables are present.
    ("24-", 1),
    // kube-proxy's legacy iptables cannot open the nat table of an nf_tables host.
    ("26-", 1),
    // kubeadm's podSubnet 10.233.64.0/20 holds the control-plane endpoint 10.233.64.102.
    ("30-", 1),
    // netstat shows kubelet's 10250 on 127.0.0.1 only; kubectl logs is refused.
    ("32-", 1),
];

#[test]
fn real_cases_find_their_root_cause() {
    let mut failures = Vec::new();
    for (prefix, rank) in CASES {
        let dir = case_dir(prefix);
        let input = std::fs::read_to_string(dir.join("input.txt")).unwrap();
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap())
                .unwrap();
        let want: Vec<&str> = expected["expect_any_of"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let report = netdoc::diagnose(&input);
        let found: Vec<&str> = report.findings.iter().map(|f| f.id.as_str()).collect();
        let pos = found.iter().position(|id| want.contains(id));
        match pos {
            Some(p) if p < *rank => {}
            _ => failures.push(format!(
                "{}: want one of {want:?} in top {rank}, found {found:?}",
                dir.display()
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn no_real_case_crashes_and_every_segment_is_accounted_for() {
    for e in std::fs::read_dir(corpus()).unwrap() {
        let dir = e.unwrap().path();
        let Ok(input) = std::fs::read_to_string(dir.join("input.txt")) else {
            continue;
        };
        let report = netdoc::diagnose(&input);
        let covered: usize = report
            .segments
            .iter()
            .map(|s| s.lines[1] + 1 - s.lines[0])
            .sum();
        assert!(
            covered
                >= input
                    .lines()
                    .filter(|l| !l.trim().is_empty())
                    .count()
                    .min(1),
            "{}",
            dir.display()
        );
    }
}
