//! `kubectl get networkpolicies` tables.
//!
//! Commands: `kubectl get netpol`, `kubectl get networkpolicy -n <ns>`, `kubectl get
//! netpol -A`, `kubectl get netpol --show-labels`.
//!
//! Variants: kubectl 1.8 … 1.33: `NAME POD-SELECTOR AGE`; `-A` adds NAMESPACE first;
//! `--show-labels` adds LABELS. POD-SELECTOR is `<none>` for an empty selector (every pod
//! of the namespace) and may be set-based with spaces (`app in (a,b)`): rows are cut by
//! column positions.
//!
//! Record: `{ line, namespace, name, pod_selector, pod_selector_text, age, labels }`.
//! `pod_selector` is a label map (`{}` for `<none>`, `null` for a set-based selector,
//! which `pod_selector_text` keeps as printed).
//!
//! ```text
//! NAME               POD-SELECTOR   AGE
//! default-deny-all   <none>         12d
//! allow-frontend     app=backend    12d
//! ```

use super::kubectl_table::{self as table, Row, TableSpec};
use super::{Output, ParserInfo};
use crate::cmdline::{CommandLine, Kubectl};
use crate::split::Segment;
use serde::Serialize;
use std::collections::BTreeMap;

/// One NetworkPolicy row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    pub line: usize,
    pub namespace: Option<String>,
    pub name: String,
    /// `{}` for `<none>` (selects every pod); `None` for a set-based selector.
    pub pod_selector: Option<BTreeMap<String, String>>,
    pub pod_selector_text: String,
    pub age: Option<String>,
    /// `None` without `--show-labels`.
    pub labels: Option<BTreeMap<String, String>>,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "kubectl-get-netpol",
    aliases: &["kubectl-get-networkpolicy", "kubectl-get-networkpolicies"],
    title: "kubectl get networkpolicies (table, -A)",
    commands: &[
        "kubectl get netpol -n <namespace>",
        "kubectl get networkpolicy -A",
    ],
    variants: &["kubectl 1.8–1.33", "-A", "--show-labels"],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    cmd.kubectl
        .as_ref()
        .is_some_and(|k| k.is("get", &["networkpolicies"]) && k.is_table())
}

fn sniff(head: &str) -> Option<f32> {
    let h = table::header_line(head)?;
    h.contains(" POD-SELECTOR ").then_some(0.95)
}

const COLUMNS: &[&str] = &["NAMESPACE", "NAME", "POD-SELECTOR", "AGE", "LABELS"];

fn implied(k: &Kubectl, words: usize) -> Option<&'static [&'static str]> {
    const LAYOUTS: &[&[&str]] = &[
        &["NAME", "POD-SELECTOR", "AGE"],
        &["NAMESPACE", "NAME", "POD-SELECTOR", "AGE"],
        &["NAME", "POD-SELECTOR", "AGE", "LABELS"],
        &["NAMESPACE", "NAME", "POD-SELECTOR", "AGE", "LABELS"],
    ];
    LAYOUTS.iter().copied().find(|l| {
        l.len() == words
            && l.contains(&"NAMESPACE") == k.all_namespaces
            && l.contains(&"LABELS") == k.show_labels
    })
}

const SPEC: TableSpec = TableSpec {
    may_be_empty: None,
    what: "networkpolicy",
    columns: COLUMNS,
    implied,
    spaced: &["POD-SELECTOR"],
};

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    table::read_tables(seg, &SPEC, |row| record(row, seg))
}

fn record(row: &Row, seg: &Segment) -> Result<Record, String> {
    let name = table::row_name(row)?;
    let text = row.get("POD-SELECTOR").unwrap_or("").to_string();
    if text.is_empty() {
        return Err("empty POD-SELECTOR".into());
    }
    let pod_selector = if text.contains(' ') || text.contains('!') {
        None
    } else {
        Some(table::label_map(&text).map_err(|e| format!("POD-SELECTOR {text:?}: {e}"))?)
    };
    let labels = row
        .get("LABELS")
        .map(|s| table::label_map(s).map_err(|e| format!("LABELS {s:?}: {e}")))
        .transpose()?;
    Ok(Record {
        line: row.line,
        namespace: table::row_namespace(row, seg),
        name,
        pod_selector,
        pod_selector_text: text,
        age: table::opt_cell(row, "AGE"),
        labels,
    })
}
