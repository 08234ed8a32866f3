//! The seed lab `broken-net` as manifests (`tests/fixtures/netpol-seed-lab/`): a
//! `deny-all` policy breaks frontend → backend:5678 and DNS; the "fixed" set opens
//! frontend → backend but its `allow-dns` selects `name: kube-system`, a label no stock
//! namespace carries, so DNS stays blocked and lint says which line to change.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use netdoc::policy::{self, Manifest, Model};
use std::path::{Path, PathBuf};
use std::process::Command;

fn lab() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/netpol-seed-lab")
}

fn read(dirs: &[&str]) -> Vec<Manifest> {
    let mut out = Vec::new();
    for d in dirs {
        let mut files: Vec<PathBuf> = std::fs::read_dir(lab().join(d))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for f in files {
            out.push(Manifest {
                name: format!("{d}/{}", f.file_name().unwrap().to_string_lossy()),
                text: std::fs::read_to_string(&f).unwrap(),
            });
        }
    }
    out
}

fn load(dirs: &[&str]) -> Model {
    let m = policy::load(read(dirs));
    assert!(m.problems.is_empty(), "{:?}", m.problems);
    m
}

const FE: &str = "broken-net/frontend";
const BE: &str = "broken-net/backend";
const DNS: &str = "kube-system/coredns";

#[test]
fn broken_set_denies_the_app_flow_and_dns() {
    let m = load(&["common", "broken", "stock-cluster"]);
    let v = policy::eval(&m, FE, BE, "TCP/5678").unwrap();
    assert!(!v.allowed);
    assert_eq!(v.egress.isolated_by.len(), 1);
    assert!(v.egress.isolated_by[0].starts_with("broken-net/deny-all (broken/deny-all.yaml:4)"));
    assert!(v.ingress.isolated_by[0].starts_with("broken-net/deny-all"));
    assert!(
        v.explanation
            .iter()
            .any(|l| l.contains("has no egress rules")),
        "{:#?}",
        v.explanation
    );
    let dns = policy::eval(&m, FE, DNS, "UDP/53").unwrap();
    assert!(!dns.allowed);
    assert!(!dns.egress.allowed && dns.ingress.allowed);
    // The rest of the cluster is unaffected.
    assert!(policy::eval(&m, DNS, DNS, "UDP/53").unwrap().allowed);

    let ids: Vec<String> = policy::lint(&load(&["common", "broken"]))
        .into_iter()
        .map(|f| f.id)
        .collect();
    assert!(ids.contains(&"netpol-default-deny".to_string()), "{ids:?}");
    assert!(ids.contains(&"dns-egress-blocked".to_string()), "{ids:?}");
    assert!(!ids.contains(&"netpol-namespace-label-missing".to_string()));
}

#[test]
fn fixed_set_allows_the_app_flow_but_dns_stays_blocked_on_a_stock_cluster() {
    let m = load(&["common", "fixed", "stock-cluster"]);
    let v = policy::eval(&m, FE, BE, "TCP/5678").unwrap();
    assert!(v.allowed, "{:#?}", v.explanation);
    assert!(v.egress.allowed_by[0].contains(
        "allow-frontend-egress-to-backend egress rule at fixed/allow-frontend-to-backend.yaml:33"
    ));
    assert!(v.ingress.allowed_by[0].contains(
        "allow-frontend-to-backend ingress rule at fixed/allow-frontend-to-backend.yaml:13"
    ));
    // Other ports stay closed, and the rule says why.
    let other = policy::eval(&m, FE, BE, "TCP/80").unwrap();
    assert!(!other.allowed);
    assert!(
        other
            .explanation
            .iter()
            .any(|l| l.contains("allows only TCP 5678, not TCP 80")),
        "{:#?}",
        other.explanation
    );
    for port in ["UDP/53", "TCP/53"] {
        let dns = policy::eval(&m, FE, DNS, port).unwrap();
        assert!(!dns.allowed, "{port}");
        assert!(
            dns.explanation
                .iter()
                .any(|l| l
                    .contains("allow-dns egress rule at fixed/allow-dns.yaml:11: no peer matches")),
            "{:#?}",
            dns.explanation
        );
    }

    // Lint on the lab as applied (no CoreDNS manifest: a stock cluster is assumed).
    let findings = policy::lint(&load(&["common", "fixed"]));
    let label = findings
        .iter()
        .find(|f| f.id == "netpol-namespace-label-missing")
        .expect("label finding");
    assert!(label
        .summary
        .contains("`kubernetes.io/metadata.name: kube-system` instead of `name: kube-system`"));
    assert!(
        label.summary.contains("fixed/allow-dns.yaml:14"),
        "{}",
        label.summary
    );
    assert!(label
        .evidence
        .iter()
        .any(|e| e.line == 14 && e.text == "fixed/allow-dns.yaml:           name: kube-system"));
    assert_eq!(
        label.vars.get("policy").map(String::as_str),
        Some("allow-dns")
    );
    let rb = netdoc::runbook_markdown(label);
    assert!(
        rb.contains("kubectl get networkpolicy allow-dns -n broken-net"),
        "{rb}"
    );
    assert!(findings.iter().any(|f| f.id == "dns-egress-blocked"));
    assert!(findings.iter().any(|f| f.id == "netpol-default-deny"));
}

#[test]
fn the_one_line_fix_opens_dns() {
    let mut files = read(&["common", "fixed", "stock-cluster"]);
    for f in &mut files {
        f.text = f.text.replace(
            "name: kube-system",
            "kubernetes.io/metadata.name: kube-system",
        );
    }
    let m = policy::load(files);
    assert!(policy::eval(&m, FE, DNS, "UDP/53").unwrap().allowed);
    assert!(policy::eval(&m, FE, DNS, "TCP/53").unwrap().allowed);
    let ids: Vec<String> = policy::lint(&m).into_iter().map(|f| f.id).collect();
    assert!(!ids.contains(&"dns-egress-blocked".to_string()), "{ids:?}");
    assert!(!ids.contains(&"netpol-namespace-label-missing".to_string()));
}

fn netdoc(args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_netdoc"))
        .current_dir(lab())
        .args(args)
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8(out.stdout).unwrap())
}

#[test]
fn cli_eval_list_and_lint() {
    let (code, text) = netdoc(&[
        "policy", "eval", "common", "broken", "--src", FE, "--dst", BE, "--port", "TCP/5678",
    ]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("DENIED"));
    let (code, text) = netdoc(&[
        "policy",
        "eval",
        "common",
        "fixed",
        "--src",
        FE,
        "--dst",
        BE,
        "--port",
        "TCP/5678",
        "--explain",
    ]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("allowed by broken-net/allow-frontend-to-backend ingress rule"));
    let (code, _) = netdoc(&[
        "policy", "eval", "common", "--src", "nope/x", "--dst", BE, "--port", "TCP/1",
    ]);
    assert_eq!(code, Some(2));

    let (code, text) = netdoc(&["policy", "list", "common", "fixed"]);
    assert_eq!(code, Some(0));
    assert_eq!(
        text,
        "broken-net/frontend[Deployment] => broken-net/backend[Deployment] : TCP 5678\n"
    );
    let (_, json) = netdoc(&["policy", "list", "common", "fixed", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v[0]["conns"][0], "TCP 5678");

    let (code, md) = netdoc(&["policy", "lint", "common", "fixed", "--format", "md"]);
    assert_eq!(code, Some(1));
    assert!(md.contains("netpol-namespace-label-missing"));
    assert!(md.contains("# Runbook:"));
    assert!(md.contains("kubernetes.io/metadata.name: kube-system"));
    let (code, json) = netdoc(&["policy", "lint", "common", "fixed", "-f", "json"]);
    assert_eq!(code, Some(1));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(v["findings"].as_array().unwrap().len() >= 3);
}
