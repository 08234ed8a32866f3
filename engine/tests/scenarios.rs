//! Scenario tests: every `tests/scenarios/<name>/input.txt` is diagnosed and checked
//! against its `expected.json`:
//! `expect` (ids that must be found), `expect_first` (the id ranked first),
//! `absent` (ids that must not be found), `missing` (text each of some missing-evidence
//! commands must contain: the next command the paste calls for). One table drives them all.
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
        for want in ids(&expected, "missing") {
            if !report.missing.iter().any(|m| m.command.contains(&want)) {
                let got: Vec<&str> = report.missing.iter().map(|m| m.command.as_str()).collect();
                failures.push(format!(
                    "{name}: no missing command contains `{want}`: {got:?}"
                ));
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

/// Every finding of the catalogue (FINDINGS.md) has a scenario that finds it and one that
/// must not, so each decision is shown to fire and to hold back.
#[test]
fn every_finding_has_a_positive_and_a_negative_scenario() {
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
    let mut gaps = Vec::new();
    for f in netdoc::findings::CATALOGUE {
        if !pos.contains(f.id) {
            gaps.push(format!("no positive scenario for {}", f.id));
        }
        if !neg.contains(f.id) {
            gaps.push(format!("no negative scenario for {}", f.id));
        }
    }
    assert!(gaps.is_empty(), "{}", gaps.join("\n"));
}

/// Every finding of the catalogue is a leaf of some decision tree: the trees are the whole
/// knowledge, and the docs draw them.
#[test]
fn every_finding_is_reachable_from_a_tree() {
    let trees = netdoc::trees::load().unwrap();
    let leaves: std::collections::BTreeSet<&str> = trees
        .iter()
        .flat_map(|t| t.nodes.values())
        .flat_map(|n| n.yes.iter().chain(&n.no).chain(&n.unknown))
        .filter_map(|t| t.strip_prefix("finding:"))
        .collect();
    let unreachable: Vec<&str> = netdoc::findings::CATALOGUE
        .iter()
        .map(|f| f.id)
        .filter(|id| !leaves.contains(id))
        .collect();
    assert!(
        unreachable.is_empty(),
        "not reachable from any tree: {unreachable:?}"
    );
    assert!(netdoc::findings::CATALOGUE.len() >= 40);
}

fn super_ids(v: &Value, key: &str) -> Vec<String> {
    ids(v, key)
}
