//! `kubectl get deployments` tables.
//!
//! Commands: `kubectl get deploy`, `kubectl get deployments -n <ns>`, `kubectl get deploy
//! -A`, `kubectl get deploy -o wide`, `kubectl get deploy --show-labels`.
//!
//! Variants: kubectl 1.15+ `NAME READY UP-TO-DATE AVAILABLE AGE`; kubectl ≤1.14 `NAME
//! DESIRED CURRENT UP-TO-DATE AVAILABLE AGE`; `-o wide` adds `CONTAINERS IMAGES
//! SELECTOR`; `-A` adds NAMESPACE first; `--show-labels` adds LABELS. A set-based
//! SELECTOR (`app=web,tier in (a,b)`) holds spaces: rows are cut by column positions.
//!
//! Record: `{ line, namespace, name, ready_replicas, replicas, desired, current,
//! up_to_date, available, age, containers, images, selector, selector_text, labels }`.
//! READY `2/3` gives `ready_replicas` 2 and `replicas` 3; `selector` is the SELECTOR as a
//! label map (`null` when set-based or not printed; `selector_text` keeps it as printed).
//!
//! ```text
//! NAME      READY   UP-TO-DATE   AVAILABLE   AGE
//! backend   0/2     2            0           5m
//! ```
//! gives `{ "line": 2, "name": "backend", "ready_replicas": 0, "replicas": 2,
//! "up_to_date": 2, "available": 0, "age": "5m", … }`.

use super::kubectl_table::{self as table, Row, TableSpec};
use super::{Output, ParserInfo};
use crate::cmdline::{CommandLine, Kubectl};
use crate::split::Segment;
use pest::Parser;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/kubectl_get_pods.pest"]
struct P;

/// One Deployment row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    pub line: usize,
    pub namespace: Option<String>,
    pub name: String,
    /// READY `2/3` → 2 and 3 (1.15+).
    pub ready_replicas: Option<u32>,
    pub replicas: Option<u32>,
    /// DESIRED and CURRENT (≤1.14).
    pub desired: Option<u32>,
    pub current: Option<u32>,
    pub up_to_date: Option<u32>,
    pub available: Option<u32>,
    pub age: Option<String>,
    /// `-o wide`: CONTAINERS and IMAGES split at commas.
    pub containers: Vec<String>,
    pub images: Vec<String>,
    /// `-o wide` SELECTOR as labels; `None` when absent or set-based.
    pub selector: Option<BTreeMap<String, String>>,
    pub selector_text: Option<String>,
    /// `None` without `--show-labels`.
    pub labels: Option<BTreeMap<String, String>>,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "kubectl-get-deploy",
    aliases: &["kubectl-get-deployments", "deployments"],
    title: "kubectl get deployments (table, -o wide, -A)",
    commands: &[
        "kubectl get deploy -n <namespace>",
        "kubectl get deployments -A",
        "kubectl get deploy -o wide",
    ],
    variants: &[
        "kubectl 1.15–1.33 (READY UP-TO-DATE AVAILABLE)",
        "kubectl ≤1.14 (DESIRED CURRENT UP-TO-DATE AVAILABLE)",
        "-o wide (CONTAINERS IMAGES SELECTOR)",
        "-A",
        "--show-labels",
    ],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    cmd.kubectl
        .as_ref()
        .is_some_and(|k| k.is("get", &["deployments"]) && k.is_table())
}

fn sniff(head: &str) -> Option<f32> {
    let h = table::header_line(head)?;
    (h.contains(" UP-TO-DATE ") && h.contains(" AVAILABLE")).then_some(0.95)
}

const COLUMNS: &[&str] = &[
    "NAMESPACE",
    "NAME",
    "READY",
    "DESIRED",
    "CURRENT",
    "UP-TO-DATE",
    "AVAILABLE",
    "AGE",
    "CONTAINERS",
    "IMAGES",
    "SELECTOR",
    "LABELS",
];

fn implied(k: &Kubectl, words: usize) -> Option<&'static [&'static str]> {
    const LAYOUTS: &[&[&str]] = &[
        &["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"],
        &[
            "NAMESPACE",
            "NAME",
            "READY",
            "UP-TO-DATE",
            "AVAILABLE",
            "AGE",
        ],
        &[
            "NAME",
            "READY",
            "UP-TO-DATE",
            "AVAILABLE",
            "AGE",
            "CONTAINERS",
            "IMAGES",
            "SELECTOR",
        ],
        &[
            "NAMESPACE",
            "NAME",
            "READY",
            "UP-TO-DATE",
            "AVAILABLE",
            "AGE",
            "CONTAINERS",
            "IMAGES",
            "SELECTOR",
        ],
    ];
    if k.show_labels {
        return None;
    }
    let wide = k.output.as_deref() == Some("wide");
    LAYOUTS.iter().copied().find(|l| {
        l.len() == words
            && l.contains(&"NAMESPACE") == k.all_namespaces
            && l.contains(&"IMAGES") == wide
    })
}

const SPEC: TableSpec = TableSpec {
    may_be_empty: None,
    what: "deployment",
    columns: COLUMNS,
    implied,
    spaced: &["SELECTOR"],
};

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    table::read_tables(seg, &SPEC, |row| record(row, seg))
}

fn count(row: &Row, column: &str) -> Result<Option<u32>, String> {
    table::opt_cell(row, column)
        .map(|v| {
            v.parse::<u32>()
                .map_err(|_| format!("{column} {:?} is not a number", table::clip(&v)))
        })
        .transpose()
}

fn list(row: &Row, column: &str) -> Vec<String> {
    table::opt_cell(row, column)
        .map(|v| v.split(',').map(str::to_string).collect())
        .unwrap_or_default()
}

fn record(row: &Row, seg: &Segment) -> Result<Record, String> {
    let name = table::row_name(row)?;
    let (ready_replicas, replicas) = match row.get("READY") {
        Some(cell) => ready(cell).map(|(r, t)| (Some(r), Some(t)))?,
        None => (None, None),
    };
    let selector_text = row.get("SELECTOR").map(str::to_string);
    let selector = selector_text
        .as_deref()
        .and_then(|s| table::label_map(s).ok());
    let labels = row
        .get("LABELS")
        .map(|s| table::label_map(s).map_err(|e| format!("LABELS {s:?}: {e}")))
        .transpose()?;
    Ok(Record {
        line: row.line,
        namespace: table::row_namespace(row, seg),
        name,
        ready_replicas,
        replicas,
        desired: count(row, "DESIRED")?,
        current: count(row, "CURRENT")?,
        up_to_date: count(row, "UP-TO-DATE")?,
        available: count(row, "AVAILABLE")?,
        age: table::opt_cell(row, "AGE"),
        containers: list(row, "CONTAINERS"),
        images: list(row, "IMAGES"),
        selector,
        selector_text,
        labels,
    })
}

/// READY `0/2` (the pods grammar's `ready_cell`).
fn ready(cell: &str) -> Result<(u32, u32), String> {
    let pairs = P::parse(Rule::ready_cell, cell).map_err(|e| {
        format!(
            "READY {:?}: {}",
            table::clip(cell),
            table::cell_error(&e, "ready count")
        )
    })?;
    let (mut r, mut t) = (0, 0);
    for p in pairs.flatten() {
        match p.as_rule() {
            Rule::ready_count => r = p.as_str().parse().map_err(|_| "READY too large")?,
            Rule::total_count => t = p.as_str().parse().map_err(|_| "READY too large")?,
            _ => {}
        }
    }
    Ok((r, t))
}
