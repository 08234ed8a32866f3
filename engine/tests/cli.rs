//! The real `netdoc` binary on real files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::{Command, Stdio};

fn netdoc() -> Command {
    Command::new(env!("CARGO_BIN_EXE_netdoc"))
}

#[test]
fn example_diagnoses_the_selector_mismatch_first_and_exits_1() {
    let out = netdoc()
        .args(["diagnose", "--example", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "findings exit with 1");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["findings"][0]["id"], "service-selector-mismatch");
    let ev = v["findings"][0]["evidence"].as_array().unwrap();
    assert!(
        ev.iter().any(|e| e["line"] == 3),
        "cites the selector row: {ev:?}"
    );
    for seg in v["segments"].as_array().unwrap() {
        assert_eq!(seg["status"], "parsed", "{seg}");
    }
}

#[test]
fn text_and_markdown_formats_name_the_finding_and_the_runbook() {
    let out = netdoc()
        .args(["diagnose", "--example", "--format", "text"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("service-selector-mismatch"), "{text}");
    let out = netdoc()
        .args(["diagnose", "--example", "--format", "md"])
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.starts_with("# "), "{md}");
    assert!(
        md.contains("## Mitigation") || md.contains("Mitigation"),
        "{md}"
    );
}

#[test]
fn stdin_and_exit_code_zero_when_nothing_is_wrong() {
    let mut child = netdoc()
        .args(["diagnose", "-", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"hello\nworld\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["segments"][0]["status"], "unrecognized");
}

#[test]
fn unreadable_file_is_a_clear_error_with_exit_2() {
    let out = netdoc()
        .args(["diagnose", "/nonexistent/paste.txt"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("/nonexistent/paste.txt"), "{err}");
}

#[test]
fn binary_input_does_not_crash() {
    let dir = std::env::temp_dir().join(format!("netdoc-bin-{}", std::process::id()));
    std::fs::write(&dir, [0u8, 159, 146, 150, 10, 255, 254, 10, 36, 32, 107]).unwrap();
    let out = netdoc()
        .args(["diagnose", dir.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    std::fs::remove_file(&dir).ok();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8(out.stderr).unwrap().contains("UTF-8"));
}

#[test]
fn closed_pipe_exits_zero() {
    let mut child = netdoc()
        .args(["runbook", "list"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    assert!(status.code() == Some(0), "{status:?}");
}

#[test]
fn parse_prints_records_and_rejects_unknown_kinds() {
    let out = netdoc().args(["parse", "--list"]).output().unwrap();
    let list = String::from_utf8(out.stdout).unwrap();
    assert!(
        list.contains("kubectl-get-svc") && list.contains("nslookup"),
        "{list}"
    );
    let out = netdoc()
        .args(["parse", "--as", "no-such-kind", "/dev/null"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn runbook_show_fills_values_and_unknown_ids_fail() {
    let out = netdoc()
        .args([
            "runbook",
            "show",
            "service-selector-mismatch",
            "--set",
            "service=backend",
            "--set",
            "namespace=broken-net",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("backend") && text.contains("broken-net"),
        "{text}"
    );
    let out = netdoc()
        .args(["runbook", "show", "no-such-finding"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn cidr_prints_json_fields_sizes_networks_and_rejects_bad_input() {
    let out = netdoc()
        .args(["cidr", "10.244.1.7", "255.255.0.0", "-f", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["cidr"], "10.244.0.0/16");
    assert_eq!(v["hosts"], "65534");
    assert_eq!(v["broadcast"], "10.244.255.255");

    let out = netdoc()
        .args(["cidr", "--hosts", "500", "-f", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["prefix"], 23);

    // Overlaps are findings: exit 1, and the text names the shared range.
    let out = netdoc()
        .args([
            "cidr",
            "--overlap",
            "10.0.0.0/8",
            "10.96.0.0/12",
            "172.17.0.0/16",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("shared  10.96.0.0/12"), "{text}");

    let out = netdoc().args(["cidr", "10.0.0.0/33"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("/33 is out of range for IPv4"), "{err}");
}

#[test]
fn cidr_plan_reports_collisions_and_capacity_as_findings() {
    let out = netdoc()
        .args([
            "cidr",
            "plan",
            "--pods",
            "172.16.0.0/12",
            "--services",
            "10.96.0.0/12",
            "--node-mask",
            "26",
            "--nodes",
            "20000",
            "--node-network",
            "10.100.0.0/16",
            "-f",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "findings exit with 1");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["nodes_max"], "16384");
    assert_eq!(v["pod_ips_per_node"], "61");
    let ids: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "cidr-overlap",
            "cidr-overlap",
            "pod-cidr-exhausted",
            "pod-cidr-exhausted"
        ]
    );
    let shared: Vec<&str> = v["collisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["shared"].as_str().unwrap())
        .collect();
    assert_eq!(shared, ["172.17.0.0/16", "10.100.0.0/16"]);

    // kubeadm's defaults are clean: exit 0.
    let out = netdoc()
        .args([
            "cidr",
            "plan",
            "--pods",
            "10.244.0.0/16",
            "--services",
            "10.96.0.0/12",
            "--node-mask",
            "24",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let md = netdoc()
        .args([
            "cidr",
            "plan",
            "--pods",
            "10.244.0.0/16",
            "--services",
            "10.96.0.0/12",
            "--node-mask",
            "24",
            "--node-network",
            "10.0.0.0/8",
            "-f",
            "md",
        ])
        .output()
        .unwrap();
    let md = String::from_utf8(md.stdout).unwrap();
    assert!(
        md.contains("# Runbook: Address ranges overlap — `cidr-overlap`"),
        "{md}"
    );
    assert!(
        md.contains("calc: 10.0.0.0/8 contains 10.244.0.0/16: 65536 shared address(es)"),
        "{md}"
    );
}

#[test]
fn dns_expand_lists_the_names_in_order_for_glibc_and_musl() {
    let out = netdoc()
        .args([
            "dns",
            "expand",
            "google.com",
            "--namespace",
            "shop",
            "-f",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["tries"],
        serde_json::json!([
            "google.com.shop.svc.cluster.local.",
            "google.com.svc.cluster.local.",
            "google.com.cluster.local.",
            "google.com."
        ])
    );
    assert_eq!(v["queries_until_as_typed"], 8);
    let out = netdoc()
        .args([
            "dns",
            "expand",
            "a.b.c.d.e.f",
            "--libc",
            "musl",
            "-f",
            "json",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["tries"], serde_json::json!(["a.b.c.d.e.f."]));

    // From a resolv.conf on standard input.
    let mut child = netdoc()
        .args(["dns", "expand", "backend", "--resolv", "-", "-f", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"search default.svc.cluster.local svc.cluster.local cluster.local google.internal\nnameserver 10.96.0.10\noptions ndots:5\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["tries"].as_array().unwrap().len(), 5);
    assert_eq!(v["tries"][3], "backend.google.internal.");
}

#[test]
fn mtu_shows_the_arithmetic_and_flags_a_pod_mtu_too_large_for_the_tunnel() {
    let out = netdoc()
        .args([
            "mtu",
            "--underlay",
            "1500",
            "--encap",
            "vxlan",
            "-f",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["plan"]["pod_mtu"], 1450);
    assert_eq!(v["plan"]["tcp_mss"], 1410);
    assert_eq!(v["plan"]["pod_ping_payload"], 1422);
    let out = netdoc()
        .args([
            "mtu",
            "--underlay",
            "9001",
            "--encap",
            "wireguard",
            "--pod-mtu",
            "8981",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("pod MTU = 9001 − 60 = 8941"), "{text}");
    assert!(text.contains("mtu-overlay-mismatch"), "{text}");
    let out = netdoc()
        .args(["mtu", "--encap", "pigeon"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn policy_list_reads_workloads_from_a_pods_table_when_no_manifests_are_given() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/netpol-tables"
    );
    let out = netdoc()
        .args([
            "policy",
            "list",
            &format!("{dir}/pods-show-labels.txt"),
            &format!("{dir}/backend-from-frontend.yaml"),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("shop/frontend-7d4b9c8f6d[ReplicaSet] => shop/backend-5f6c7d8e9a[ReplicaSet] : TCP 5678"),
        "{text}"
    );
    // The backend is isolated for ingress: nothing else reaches it.
    assert!(
        !text.contains("=> shop/backend-5f6c7d8e9a[ReplicaSet] : All"),
        "{text}"
    );
}

/// `netdoc collect` prints a script; run against stand-ins for kubectl and the node
/// tools (`tests/collect/bin`, with nothing else on PATH but `sh`, `cat` and `tail`), its
/// output is read back by `netdoc diagnose`: every segment recognised and parsed, the
/// datapath slices present, and the lab's stale DNAT and conntrack entries found.
#[test]
fn collect_script_output_is_read_back_by_diagnose() {
    let out = netdoc()
        .args([
            "collect",
            "--svc",
            "web",
            "-n",
            "shop",
            "--pod",
            "client-7d9",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let script = String::from_utf8(out.stdout).unwrap();
    let dir = std::env::temp_dir().join(format!("netdoc-collect-{}", std::process::id()));
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let stubs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/collect/bin");
    for e in std::fs::read_dir(&stubs).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, bin.join(p.file_name().unwrap())).unwrap();
    }
    for tool in ["sh", "cat", "tail"] {
        let found = ["/bin", "/usr/bin"]
            .iter()
            .map(|d| std::path::Path::new(d).join(tool))
            .find(|p| p.exists())
            .unwrap_or_else(|| panic!("{tool} not found"));
        let _ = std::fs::remove_file(bin.join(tool));
        std::os::unix::fs::symlink(found, bin.join(tool)).unwrap();
    }
    std::fs::write(dir.join("collect.sh"), &script).unwrap();
    let mut evidence = Vec::new();
    for args in [&["collect.sh"][..], &["collect.sh", "--node"][..]] {
        let o = Command::new("/bin/sh")
            .args(args)
            .current_dir(&dir)
            .env_clear()
            .env("PATH", &bin)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        evidence.extend(o.stdout);
    }
    let text = String::from_utf8(evidence).unwrap();
    assert!(!text.contains("stub does not know"), "{text}");
    let mut child = netdoc()
        .args(["diagnose", "-", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let segs = v["segments"].as_array().unwrap();
    assert!(segs.len() >= 25, "{} segments", segs.len());
    for seg in segs {
        assert_eq!(seg["status"], "parsed", "{seg}");
    }
    let ids: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    for want in [
        "kube-proxy-stale-rules",
        "conntrack-stale-entry",
        "conn-timeout",
    ] {
        assert!(ids.contains(&want), "{want} in {ids:?}");
    }
    let slices: Vec<(&str, bool)> = v["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["slice"].as_str().unwrap(),
                s["present"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        slices,
        [
            ("route", true),
            ("socket", true),
            ("dns", true),
            ("capture", false),
            ("nat", true)
        ]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn collect_refuses_names_kubernetes_would_refuse() {
    let out = netdoc()
        .args(["collect", "--svc", "web; rm -rf /", "-n", "shop"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--svc") && err.contains("not a Kubernetes object name"),
        "{err}"
    );
}
