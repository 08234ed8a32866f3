//! Runbooks stay whole: one per FINDINGS.md id, valid front matter, the six sections in
//! order, clean generic and tailored renders, and three reviewed tailored snapshots.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test's helpers may panic

use netdoc::report::Evidence;
use netdoc::runbook::{self, RunbookError, LAYERS, SEVERITIES, VARS};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const SECTIONS: [&str; 6] = [
    "## Meaning",
    "## Evidence",
    "## Diagnosis",
    "## Mitigation",
    "## Verify",
    "## References",
];

/// `<…>` tokens that are literal tool output or prose, not variables.
const LITERAL_ANGLES: &[&str] = &["none", "nil", "pending", "unknown"];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `(id, layer)` of every finding in FINDINGS.md: the rows of the tables under
/// `## Findings`, the layer being the `### <layer>` heading above them.
fn findings() -> Vec<(String, String)> {
    let path = root().join("../shared/design/FINDINGS.md");
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let mut out = Vec::new();
    let mut in_findings = false;
    let mut layer = String::new();
    for line in text.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            in_findings = heading.trim() == "Findings";
        } else if let Some(heading) = line.strip_prefix("### ") {
            layer = heading.trim().to_string();
        } else if in_findings {
            if let Some(rest) = line.strip_prefix("| `") {
                if let Some((id, _)) = rest.split_once('`') {
                    out.push((id.to_string(), layer.clone()));
                }
            }
        }
    }
    assert!(out.len() >= 40, "parsed only {} findings", out.len());
    out
}

fn runbook_files() -> BTreeMap<String, String> {
    let dir = root().join("runbooks");
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if let Some(id) = name.strip_suffix(".md.tera") {
            out.insert(id.to_string(), std::fs::read_to_string(&path).unwrap());
        }
    }
    out
}

/// Every `<name>` token of a text.
fn angle_tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        let len = rest
            .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(rest.len());
        if len > 0 && rest[len..].starts_with('>') {
            out.push(rest[..len].to_string());
        }
    }
    out
}

fn all_vars() -> BTreeMap<String, String> {
    VARS.iter()
        .map(|v| (v.to_string(), format!("VAL-{v}")))
        .collect()
}

#[test]
fn every_finding_has_exactly_one_runbook() {
    let expected: BTreeSet<String> = findings().into_iter().map(|(id, _)| id).collect();
    let files: BTreeSet<String> = runbook_files().into_keys().collect();
    let listed: BTreeSet<String> = runbook::list().iter().map(|m| m.id.to_string()).collect();
    let missing: Vec<_> = expected.difference(&files).collect();
    assert!(
        missing.is_empty(),
        "findings without a runbook file: {missing:?}"
    );
    let extra: Vec<_> = files.difference(&expected).collect();
    assert!(
        extra.is_empty(),
        "runbooks for no FINDINGS.md id: {extra:?}"
    );
    let unembedded: Vec<_> = files.difference(&listed).collect();
    assert!(
        unembedded.is_empty(),
        "runbook files not in embed! (or with bad front matter): {unembedded:?}"
    );
    let ids: Vec<&str> = runbook::list().iter().map(|m| m.id).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted, "list() is sorted by id");
}

#[test]
fn front_matter_is_valid_and_matches_findings() {
    let layers: BTreeMap<String, String> = findings().into_iter().collect();
    for (id, text) in runbook_files() {
        let meta = runbook::check(&id).unwrap_or_else(|e| panic!("{e}"));
        // Read the file independently of the engine's parser, too.
        let front = text
            .strip_prefix("+++\n")
            .and_then(|t| t.split_once("\n+++\n"))
            .map(|(f, _)| f)
            .unwrap_or_else(|| panic!("{id}: no +++ front matter"));
        let table: toml::Table = toml::from_str(front).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(
            table["id"].as_str(),
            Some(id.as_str()),
            "{id}: id == file name"
        );
        assert_eq!(meta.id, id);
        assert!(LAYERS.contains(&meta.layer.as_str()), "{id}: layer");
        assert!(
            SEVERITIES.contains(&meta.severity.as_str()),
            "{id}: severity"
        );
        assert!(!meta.title.trim().is_empty(), "{id}: title");
        if let Some(layer) = layers.get(&id) {
            assert_eq!(&meta.layer, layer, "{id}: layer as in FINDINGS.md");
        }
        assert_eq!(runbook::meta(&id), Some(meta));
        let lines = text.lines().count();
        assert!(
            (40..=95).contains(&lines),
            "{id}: {lines} lines, keep runbooks between 40 and 90"
        );
    }
}

#[test]
fn generic_renders_are_complete_and_clean() {
    for meta in runbook::list() {
        let id = meta.id;
        let text = runbook::render_generic(id).unwrap_or_else(|e| panic!("{e}"));
        for leftover in ["{{", "{%", "{#", "+++"] {
            assert!(
                !text.contains(leftover),
                "{id}: `{leftover}` left in\n{text}"
            );
        }
        let headings: Vec<&str> = text.lines().filter(|l| l.starts_with("## ")).collect();
        assert_eq!(headings, SECTIONS, "{id}: the six sections, in order");
        for token in angle_tokens(&text) {
            assert!(
                VARS.contains(&token.as_str()) || LITERAL_ANGLES.contains(&token.as_str()),
                "{id}: placeholder <{token}> is not a known variable"
            );
        }
        assert!(
            angle_tokens(&text)
                .iter()
                .any(|t| VARS.contains(&t.as_str())),
            "{id}: the generic form shows placeholders"
        );
        // Generic Evidence says where to look.
        let evidence = section(&text, "## Evidence");
        assert!(
            evidence.contains("It shows in"),
            "{id}: generic evidence hint"
        );
        assert!(
            evidence.lines().filter(|l| l.contains('`')).count() >= 1,
            "{id}: hint names a command"
        );
        for name in ["## Diagnosis", "## Mitigation", "## Verify"] {
            assert!(
                section(&text, name).contains('`'),
                "{id}: {name} has commands"
            );
        }
        assert!(
            section(&text, "## References").contains("https://"),
            "{id}: references"
        );
        // Placeholders outside code would be eaten by a markdown renderer as HTML tags.
        let mut in_fence = false;
        for line in text.lines() {
            if line.trim_start().starts_with("```") {
                in_fence = !in_fence;
                continue;
            }
            if in_fence {
                continue;
            }
            for (i, part) in line.split('`').enumerate() {
                if i % 2 == 0 {
                    let bare: Vec<_> = angle_tokens(part)
                        .into_iter()
                        .filter(|t| VARS.contains(&t.as_str()))
                        .collect();
                    assert!(
                        bare.is_empty(),
                        "{id}: placeholder outside backticks: {line}"
                    );
                }
            }
        }
    }
}

fn section<'a>(text: &'a str, heading: &str) -> &'a str {
    let start = text.find(heading).map_or(text.len(), |i| i + heading.len());
    let rest = &text[start..];
    rest.find("\n## ").map_or(rest, |end| &rest[..end])
}

#[test]
fn tailored_renders_substitute_every_variable() {
    let vars = all_vars();
    let evidence = [Evidence {
        line: 7,
        text: "EVIDENCE-LINE".to_string(),
    }];
    for meta in runbook::list() {
        let id = meta.id;
        let text = runbook::render(id, &vars, &evidence).unwrap_or_else(|e| panic!("{e}"));
        for token in angle_tokens(&text) {
            assert!(
                !VARS.contains(&token.as_str()),
                "{id}: <{token}> left although given"
            );
        }
        assert!(text.contains("7: EVIDENCE-LINE"), "{id}: evidence listed");
        assert!(
            !text.contains("It shows in"),
            "{id}: no generic hint when tailored"
        );
        assert!(text.contains("VAL-"), "{id}: uses at least one variable");
    }
}

#[test]
fn tailored_render_fills_names() {
    let mut vars = BTreeMap::new();
    vars.insert("service".to_string(), "backend".to_string());
    vars.insert("namespace".to_string(), "broken-net".to_string());
    let text = runbook::render("service-selector-mismatch", &vars, &[]).unwrap();
    assert!(text.contains("backend"));
    assert!(text.contains("-n broken-net"));
    assert!(!text.contains("<service>"));
    assert!(!text.contains("<namespace>"));
    // Variables not given keep their placeholder.
    assert!(text.contains("<selector>") || text.contains("<differing_key>"));
}

#[test]
fn unknown_id_is_an_error() {
    assert_eq!(
        runbook::render_generic("no-such-finding"),
        Err(RunbookError::UnknownId("no-such-finding".to_string()))
    );
    assert!(runbook::meta("no-such-finding").is_none());
    assert!(runbook::render("", &BTreeMap::new(), &[]).is_err());
}

fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn ev(pairs: &[(usize, &str)]) -> Vec<Evidence> {
    pairs
        .iter()
        .map(|(line, text)| Evidence {
            line: *line,
            text: text.to_string(),
        })
        .collect()
}

#[test]
fn snapshot_service_selector_mismatch() {
    let vars = vars(&[
        ("service", "backend"),
        ("namespace", "broken-net"),
        ("port", "80"),
        ("target_port", "5678"),
        ("cluster_ip", "10.96.140.21"),
        ("selector", "app=backend"),
        ("closest_labels", "app=back-end,pod-template-hash=7c9d5b"),
        ("pod", "backend-7c9d5b-x2x9q"),
        ("differing_key", "app"),
        ("expected_value", "backend"),
        ("actual_value", "back-end"),
    ]);
    let evidence = ev(&[
        (4, "backend   <none>   2m"),
        (
            9,
            "backend   ClusterIP   10.96.140.21   <none>   80/TCP   2m   app=backend",
        ),
        (
            14,
            "backend-7c9d5b-x2x9q   1/1   Running   0   2m   app=back-end,pod-template-hash=7c9d5b",
        ),
    ]);
    let text = runbook::render("service-selector-mismatch", &vars, &evidence).unwrap();
    insta::assert_snapshot!("service-selector-mismatch", text);
}

#[test]
fn snapshot_dns_ndots_amplification() {
    let vars = vars(&[
        ("name", "api.example.com"),
        ("namespace", "web"),
        ("client_pod", "frontend-6c8d7-abcde"),
        ("client_namespace", "web"),
        ("nameserver", "10.96.0.10"),
        ("search", "web.svc.cluster.local svc.cluster.local cluster.local"),
        ("ndots", "5"),
        (
            "queries",
            "api.example.com.web.svc.cluster.local.\napi.example.com.svc.cluster.local.\napi.example.com.cluster.local.\napi.example.com.",
        ),
        ("query_count", "4"),
        ("fqdn", "api.example.com."),
    ]);
    let evidence = ev(&[
        (
            2,
            "search web.svc.cluster.local svc.cluster.local cluster.local",
        ),
        (3, "options ndots:5"),
    ]);
    let text = runbook::render("dns-ndots-amplification", &vars, &evidence).unwrap();
    insta::assert_snapshot!("dns-ndots-amplification", text);
}

#[test]
fn snapshot_conn_refused() {
    let vars = vars(&[
        ("service", "backend"),
        ("namespace", "broken-net"),
        ("port", "80"),
        ("target_port", "5678"),
        ("cluster_ip", "10.96.140.21"),
        ("selector", "app=backend"),
        ("url", "http://backend.broken-net/"),
        ("host", "backend.broken-net"),
        ("client_pod", "frontend-6c8d7-abcde"),
        ("client_namespace", "web"),
    ]);
    let evidence = ev(&[(
        21,
        "curl: (7) Failed to connect to backend.broken-net port 80 after 3 ms: Connection refused",
    )]);
    let text = runbook::render("conn-refused", &vars, &evidence).unwrap();
    insta::assert_snapshot!("conn-refused", text);
}
