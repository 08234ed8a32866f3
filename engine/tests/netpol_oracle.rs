//! The NetworkPolicy evaluator against np-guard/netpol-analyzer's own test suite
//! (`shared/corpus/netpol`): for every case, the connectivity list computed from the
//! manifests must equal `expected.json` as a set keyed by (src, src_kind, dst, dst_kind),
//! with equal `conns`. Every mismatch of every case is reported before failing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use netdoc::policy::{self, Manifest};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const CASES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/corpus/netpol/cases"
);

fn manifests(dir: &Path, out: &mut Vec<Manifest>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            manifests(&p, out);
        } else if p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
        {
            out.push(Manifest {
                name: p.display().to_string(),
                text: std::fs::read_to_string(&p).unwrap(),
            });
        }
    }
}

type Key = (String, String, String, String);

fn key(v: &Value) -> Key {
    let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
    (s("src"), s("src_kind"), s("dst"), s("dst_kind"))
}

#[test]
fn agrees_with_netpol_analyzer() {
    let root = Path::new(CASES);
    if !root.is_dir() {
        eprintln!(
            "\n!!!!!!!! netpol oracle SKIPPED: {} is absent !!!!!!!!\n",
            root.display()
        );
        return;
    }
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    let mut failed = Vec::new();
    let mut report = String::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let expected: Vec<Value> =
            serde_json::from_str(&std::fs::read_to_string(case.join("expected.json")).unwrap())
                .unwrap();
        let mut files = Vec::new();
        manifests(&case.join("manifests"), &mut files);
        let model = policy::load(files);
        let got = policy::list(&model);
        let got_v: Vec<Value> = got
            .connections
            .iter()
            .map(|c| serde_json::to_value(c).unwrap())
            .collect();
        let exp: BTreeMap<Key, Value> = expected
            .iter()
            .map(|v| (key(v), v["conns"].clone()))
            .collect();
        let act: BTreeMap<Key, Value> =
            got_v.iter().map(|v| (key(v), v["conns"].clone())).collect();
        let mut problems = Vec::new();
        for (k, v) in &exp {
            match act.get(k) {
                None => problems.push(format!("  missing {k:?}: {v}")),
                Some(a) if a != v => problems.push(format!("  conns {k:?}: expected {v}, got {a}")),
                _ => {}
            }
        }
        for (k, v) in &act {
            if !exp.contains_key(k) {
                problems.push(format!("  extra {k:?}: {v}"));
            }
        }
        if got.truncated {
            problems.push("  list truncated".into());
        }
        if problems.is_empty() {
            report.push_str(&format!("ok   {name} ({} connections)\n", exp.len()));
        } else {
            report.push_str(&format!(
                "FAIL {name}: {} mismatches (expected {}, got {})\n",
                problems.len(),
                exp.len(),
                act.len()
            ));
            for p in problems.iter().take(25) {
                report.push_str(p);
                report.push('\n');
            }
            if problems.len() > 25 {
                report.push_str(&format!("  … {} more\n", problems.len() - 25));
            }
            failed.push(name);
        }
    }
    eprintln!("{report}");
    eprintln!(
        "netpol oracle: {}/{} cases agree",
        cases.len() - failed.len(),
        cases.len()
    );
    assert!(failed.is_empty(), "cases that disagree: {failed:?}");
}

/// Every manifest of the corpus is read without problems, and every Pod, workload,
/// Namespace and NetworkPolicy object in it (lists, JSON and CRLF included) is modelled.
#[test]
fn every_corpus_object_is_read() {
    let root = Path::new(CASES);
    if !root.is_dir() {
        eprintln!(
            "\n!!!!!!!! netpol corpus SKIPPED: {} is absent !!!!!!!!\n",
            root.display()
        );
        return;
    }
    let mut unread = Vec::new();
    for case in std::fs::read_dir(root).unwrap() {
        let case = case.unwrap().path();
        let mut files = Vec::new();
        manifests(&case.join("manifests"), &mut files);
        for f in files {
            let name = f.name.clone();
            let seg = netdoc::split::Segment::new(&f.text, 1);
            let out = netdoc::parse::k8s_objects::parse(&seg);
            for p in &out.problems {
                unread.push(format!("{name}:{}: {}", p.line, p.message));
            }
            for o in &out.records {
                let modelled = matches!(
                    o.spec,
                    netdoc::parse::k8s_objects::Spec::Pod { .. }
                        | netdoc::parse::k8s_objects::Spec::Workload { .. }
                        | netdoc::parse::k8s_objects::Spec::Namespace {}
                        | netdoc::parse::k8s_objects::Spec::NetworkPolicy { .. }
                        | netdoc::parse::k8s_objects::Spec::Service { .. }
                );
                if !modelled || o.name.is_none() {
                    unread.push(format!(
                        "{name}:{}: {} {:?} not modelled",
                        o.first_line, o.kind, o.name
                    ));
                }
            }
            let model = policy::load(vec![f]);
            for p in &model.problems {
                unread.push(format!("{name}:{}: {}", p.line, p.message));
            }
        }
    }
    assert!(unread.is_empty(), "unread objects:\n{}", unread.join("\n"));
}
