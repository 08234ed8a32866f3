//! Scenario tests: every `tests/scenarios/<name>/input.txt` is diagnosed and checked
//! against its `expected.json`:
//! `expect` (ids that must be found), `expect_first` (the id ranked first),
//! `absent` (ids that must not be found). One table drives them all.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use std::path::{Path, PathBuf};

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/scenarios")
}

fn ids(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn every_scenario_gives_its_expected_findings() {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(scenarios_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("input.txt").exists())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 15, "scenarios missing: {}", dirs.len());
    let mut failures = Vec::new();
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let input = std::fs::read_to_string(dir.join("input.txt")).unwrap();
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap())
                .unwrap();
        let report = netdoc::diagnose(&input);
        let found: Vec<String> = report.findings.iter().map(|f| f.id.clone()).collect();
        for id in ids(&expected, "expect") {
            if !found.contains(&id) {
                failures.push(format!("{name}: expected {id}, found {found:?}"));
            }
        }
        for id in ids(&expected, "absent") {
            if found.contains(&id) {
                failures.push(format!("{name}: {id} must not be found, found {found:?}"));
            }
        }
        if let Some(first) = expected.get("expect_first").and_then(Value::as_str) {
            if found.first().map(String::as_str) != Some(first) {
                failures.push(format!("{name}: expected {first} first, found {found:?}"));
            }
        }
        for seg in &report.segments {
            if seg.status == "unrecognized" || seg.status == "error" {
                failures.push(format!(
                    "{name}: segment {} (lines {:?}) is {}: {}",
                    seg.index, seg.lines, seg.status, seg.why
                ));
            }
        }
        // Every finding cites input lines or a calculation, and those lines exist.
        let n_lines = input.lines().count();
        for f in &report.findings {
            if f.evidence.is_empty() {
                failures.push(format!("{name}: {} has no evidence", f.id));
            }
            for e in &f.evidence {
                if e.line > n_lines {
                    failures.push(format!(
                        "{name}: {} cites line {} beyond the input ({n_lines} lines)",
                        f.id, e.line
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} scenario failure(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_issue_two_finding_has_a_positive_and_a_negative_scenario() {
    let ids = [
        "service-no-endpoints",
        "service-selector-mismatch",
        "service-pods-not-ready",
        "service-target-port-mismatch",
        "conn-refused",
        "conn-timeout",
        "conn-reset",
        "no-listener",
        "listen-loopback-only",
        "dns-nxdomain",
        "dns-resolver-unreachable",
        "dns-ndots-amplification",
        "dns-wrong-nameserver",
        "dns-short-name-cross-namespace",
        "netpol-default-deny",
    ];
    let mut pos = std::collections::BTreeSet::new();
    let mut neg = std::collections::BTreeSet::new();
    for e in std::fs::read_dir(scenarios_dir()).unwrap() {
        let p = e.unwrap().path().join("expected.json");
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        let v: Value = serde_json::from_str(&text).unwrap();
        pos.extend(super_ids(&v, "expect"));
        neg.extend(super_ids(&v, "absent"));
    }
    for id in ids {
        assert!(pos.contains(id), "no positive scenario for {id}");
        assert!(neg.contains(id), "no negative scenario for {id}");
    }
}

fn super_ids(v: &Value, key: &str) -> Vec<String> {
    ids(v, key)
}
