//! `kubectl get endpoints` tables.
//!
//! Commands: `kubectl get endpoints`, `kubectl get ep -n <ns>`, `kubectl get ep -A`,
//! `kubectl get ep <name>`, `kubectl get ep --show-labels` (also `-o wide`, which prints
//! the same columns), and headerless rows after such a command line.
//!
//! Variants: kubectl 1.6 … 1.33 (`NAME ENDPOINTS AGE`), `-A` (NAMESPACE first),
//! `--show-labels` (LABELS last); 1.33+ may precede the table with
//! `Warning: v1 Endpoints is deprecated …` (reported as a problem quoting it).
//!
//! Record: `{ line, namespace, name, addresses: [{ ip, port }], more, age }`. ENDPOINTS
//! `<none>` or an empty cell give no addresses; `+ 3 more...` gives `more: 3` (kubectl
//! shows at most three addresses).
//!
//! ```text
//! NAME       ENDPOINTS                                   AGE
//! kube-dns   10.244.0.2:53,10.244.0.3:53,10.244.0.2:53 + 3 more...   2d
//! ```
//! gives `{ "line": 2, "name": "kube-dns", "addresses": [{ "ip": "10.244.0.2", "port": 53 }, …],
//! "more": 3, "age": "2d" }`.

pub use super::kubectl_table::EndpointAddress;
use super::kubectl_table::{self as table, Row, TableSpec};
use super::{Chunker, Output, ParserInfo};
use crate::cmdline::{CommandLine, Kubectl};
use crate::split::Segment;
use pest::Parser;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/kubectl_table.pest"]
#[grammar = "../grammar/kubectl_get_endpoints.pest"]
struct P;

/// One Endpoints row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    /// 1-based input line of the row.
    pub line: usize,
    /// NAMESPACE column, else the command's `-n`, else `None`.
    pub namespace: Option<String>,
    pub name: String,
    /// The addresses shown (at most three); empty for `<none>` or an empty cell.
    pub addresses: Vec<EndpointAddress>,
    /// How many more kubectl elided (`+ 3 more...`).
    pub more: u32,
    pub age: Option<String>,
    /// `None` without `--show-labels`.
    pub labels: Option<BTreeMap<String, String>>,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "kubectl-get-endpoints",
    aliases: &["kubectl-get-ep", "ep"],
    title: "kubectl get endpoints (table, -A)",
    commands: &[
        "kubectl get endpoints",
        "kubectl get ep -n <namespace>",
        "kubectl get ep -A",
        "kubectl get ep <name>",
    ],
    variants: &["kubectl 1.6–1.33", "-A", "--show-labels"],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    cmd.kubectl
        .as_ref()
        .is_some_and(|k| k.is("get", &["endpoints"]) && k.is_table())
}

fn sniff(head: &str) -> Option<f32> {
    let h = table::header_line(head)?;
    let words: Vec<&str> = h.split_whitespace().collect();
    let core = words
        .iter()
        .filter(|w| !matches!(**w, "NAMESPACE" | "LABELS"))
        .copied()
        .collect::<Vec<_>>();
    (core == ["NAME", "ENDPOINTS", "AGE"]).then_some(0.95)
}

const COLUMNS: &[&str] = &["NAMESPACE", "NAME", "ENDPOINTS", "AGE", "LABELS"];

fn implied(k: &Kubectl, words: usize) -> Option<&'static [&'static str]> {
    const LAYOUTS: &[&[&str]] = &[
        &["NAME", "ENDPOINTS", "AGE"],
        &["NAMESPACE", "NAME", "ENDPOINTS", "AGE"],
        &["NAME", "ENDPOINTS", "AGE", "LABELS"],
        &["NAMESPACE", "NAME", "ENDPOINTS", "AGE", "LABELS"],
    ];
    LAYOUTS.iter().copied().find(|l| {
        l.len() == words
            && l.contains(&"NAMESPACE") == k.all_namespaces
            && l.contains(&"LABELS") == k.show_labels
    })
}

const SPEC: TableSpec = TableSpec {
    may_be_empty: Some("ENDPOINTS"),
    what: "endpoints",
    columns: COLUMNS,
    implied,
    spaced: &[],
};

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out = Output::default();
    read(seg, &mut out, &mut Chunker::keep_all());
    out
}

/// Read `seg` into `out`, handing records on through `chunks` as they gather.
pub fn read(seg: &Segment, out: &mut Output<Record>, chunks: &mut Chunker<'_, Record>) {
    table::read_tables_into(seg, &SPEC, |row| record(row, seg), out, chunks)
}

fn record(row: &Row, seg: &Segment) -> Result<Record, String> {
    let name = table::row_name(row)?;
    if P::parse(Rule::endpoints_name, &name).is_err() {
        return Err(format!(
            "NAME {:?} is not an object name",
            table::clip(&name)
        ));
    }
    let cell = row.get("ENDPOINTS").unwrap_or("");
    let list = table::endpoint_list(cell)
        .map_err(|e| format!("ENDPOINTS {:?}: {e}", table::clip(cell)))?;
    let labels = row
        .get("LABELS")
        .map(|s| table::label_map(s).map_err(|e| format!("LABELS {s:?}: {e}")))
        .transpose()?;
    Ok(Record {
        line: row.line,
        namespace: table::row_namespace(row, seg),
        name,
        addresses: list.addresses,
        more: list.more,
        age: table::opt_cell(row, "AGE"),
        labels,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn names_and_sniff() {
        assert!(P::parse(Rule::endpoints_name, "kube-dns").is_ok());
        assert!(P::parse(Rule::endpoints_name, "a b").is_err());
        assert!(sniff("NAME         ENDPOINTS          AGE").is_some());
        assert!(sniff("NAMESPACE   NAME   ENDPOINTS   AGE").is_some());
        assert!(sniff("NAME   ADDRESSTYPE   PORTS   ENDPOINTS   AGE").is_none());
    }
}
