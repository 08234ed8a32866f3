//! `kubectl get namespaces` tables.
//!
//! Commands: `kubectl get ns`, `kubectl get namespaces --show-labels`, `kubectl get ns
//! -l <selector>`, and rows pasted without the header when the command line is there.
//!
//! Variants: kubectl 1.6 … 1.33: `NAME STATUS AGE`; `--show-labels` adds LABELS (1.21+
//! always shows `kubernetes.io/metadata.name=<name>`). STATUS is `Active` or
//! `Terminating`.
//!
//! Record: `{ line, name, status, age, labels }`; `labels` is `null` without
//! `--show-labels`, `{}` for `<none>`.
//!
//! ```text
//! NAME    STATUS   AGE   LABELS
//! shop    Active   5d    kubernetes.io/metadata.name=shop,team=payments
//! ```

use super::kubectl_table::{self as table, Row, TableSpec};
use super::{Output, ParserInfo};
use crate::cmdline::{CommandLine, Kubectl};
use crate::split::Segment;
use serde::Serialize;
use std::collections::BTreeMap;

/// One Namespace row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    pub line: usize,
    pub name: String,
    pub status: String,
    pub age: Option<String>,
    /// `None` without `--show-labels`.
    pub labels: Option<BTreeMap<String, String>>,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "kubectl-get-ns",
    aliases: &["kubectl-get-namespaces", "namespaces"],
    title: "kubectl get namespaces (table, --show-labels)",
    commands: &["kubectl get ns", "kubectl get namespaces --show-labels"],
    variants: &["kubectl 1.6–1.33", "--show-labels"],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    cmd.kubectl
        .as_ref()
        .is_some_and(|k| k.is("get", &["namespaces"]) && k.is_table())
}

fn sniff(head: &str) -> Option<f32> {
    let h = table::header_line(head)?;
    let words: Vec<&str> = h.split_whitespace().collect();
    if !(words == ["NAME", "STATUS", "AGE"] || words == ["NAME", "STATUS", "AGE", "LABELS"]) {
        return None;
    }
    // `NAME STATUS AGE` is also an old `kubectl get nodes`: the STATUS cells decide.
    let ns_status = head.lines().skip(1).any(|l| {
        l.split_whitespace()
            .nth(1)
            .is_some_and(|s| s == "Active" || s == "Terminating")
    });
    ns_status.then_some(if words.len() == 4 { 0.9 } else { 0.8 })
}

const COLUMNS: &[&str] = &["NAME", "STATUS", "AGE", "LABELS"];

fn implied(k: &Kubectl, words: usize) -> Option<&'static [&'static str]> {
    match (words, k.show_labels) {
        (3, false) => Some(&["NAME", "STATUS", "AGE"]),
        (4, true) => Some(COLUMNS),
        _ => None,
    }
}

const SPEC: TableSpec = TableSpec {
    may_be_empty: None,
    what: "namespace",
    columns: COLUMNS,
    implied,
    spaced: &[],
};

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    table::read_tables(seg, &SPEC, record)
}

fn record(row: &Row) -> Result<Record, String> {
    let name = table::row_name(row)?;
    let status = table::opt_cell(row, "STATUS").ok_or("empty STATUS")?;
    if !status.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(format!(
            "STATUS {:?} is not a namespace phase",
            table::clip(&status)
        ));
    }
    let labels = row
        .get("LABELS")
        .map(|s| table::label_map(s).map_err(|e| format!("LABELS {s:?}: {e}")))
        .transpose()?;
    Ok(Record {
        line: row.line,
        name,
        status,
        age: table::opt_cell(row, "AGE"),
        labels,
    })
}
