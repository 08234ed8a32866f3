//! `kubectl get pods` tables.
//!
//! Commands: `kubectl get pods`, `kubectl get po -n <ns>`, `kubectl get pods -A`,
//! `kubectl get pods -o wide`, `kubectl get pods --show-labels`, `kubectl get po -l
//! <selector>`, and their rows pasted without the header when the command line is there
//! (`$ kubectl get po -n kube-system -l k8s-app=kube-dns` then `kube-dns-v17.1-j7nsx  3/3
//! Running  0  33m`).
//!
//! Variants: kubectl 1.6 … 1.33: `NAME READY STATUS RESTARTS AGE`; `-o wide` adds `IP
//! NODE` (≤1.10), `NOMINATED NODE` (1.11+), `READINESS GATES` (1.12+); `-A` adds NAMESPACE
//! first; `--show-labels` adds LABELS last; 1.22+ prints RESTARTS as `3 (2m ago)`.
//!
//! Record: `{ line, namespace, name, ready_containers, total_containers, status, restarts,
//! last_restart, age, ip, node, nominated_node, readiness_gates, labels }`. `<none>` cells
//! are `null`; `labels` is `null` without `--show-labels`.
//!
//! ```text
//! NAME                       READY   STATUS             RESTARTS      AGE
//! backend-6d4cf56db6-x7k2p   0/1     CrashLoopBackOff   5 (41s ago)   4m
//! ```
//! gives `{ "line": 2, "name": "backend-6d4cf56db6-x7k2p", "ready_containers": 0,
//! "total_containers": 1, "status": "CrashLoopBackOff", "restarts": 5, "last_restart": "41s", … }`.

use super::kubectl_table::{self as table, Row, TableSpec};
use super::{Chunker, Output, ParserInfo};
use crate::cmdline::{CommandLine, Kubectl};
use crate::split::Segment;
use pest::Parser;
use serde::Serialize;
use std::collections::BTreeMap;
use std::net::IpAddr;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/kubectl_get_pods.pest"]
struct P;

/// One Pod row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    /// 1-based input line of the row.
    pub line: usize,
    /// NAMESPACE column, else the command's `-n`, else `None`.
    pub namespace: Option<String>,
    pub name: String,
    /// READY `0/1` → 0 and 1.
    pub ready_containers: Option<u32>,
    pub total_containers: Option<u32>,
    /// STATUS as printed: `Running`, `CrashLoopBackOff`, `Init:0/1`, `Completed`, …
    pub status: String,
    pub restarts: Option<u32>,
    /// `3 (2m ago)` → `2m` (kubectl 1.22+).
    pub last_restart: Option<String>,
    pub age: Option<String>,
    /// `-o wide` only; `<none>` → `None`.
    pub ip: Option<IpAddr>,
    pub node: Option<String>,
    pub nominated_node: Option<String>,
    pub readiness_gates: Option<String>,
    /// `None` without `--show-labels`; `{}` for `<none>`.
    pub labels: Option<BTreeMap<String, String>>,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "kubectl-get-pods",
    aliases: &["kubectl-get-po", "pods"],
    title: "kubectl get pods (table, -o wide, -A, --show-labels)",
    commands: &[
        "kubectl get pods",
        "kubectl get po -n <namespace>",
        "kubectl get pods -A",
        "kubectl get pods -o wide",
        "kubectl get pods --show-labels",
        "kubectl get po -l <selector>",
    ],
    variants: &[
        "kubectl 1.6–1.33",
        "-o wide (IP NODE; NOMINATED NODE 1.11+; READINESS GATES 1.12+)",
        "-A",
        "--show-labels",
        "RESTARTS with (… ago), 1.22+",
    ],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    cmd.kubectl
        .as_ref()
        .is_some_and(|k| k.is("get", &["pods"]) && k.is_table())
}

fn sniff(head: &str) -> Option<f32> {
    let h = table::header_line(head)?;
    (h.contains(" READY ") && h.contains(" STATUS ") && h.contains(" RESTARTS ")).then_some(0.95)
}

const COLUMNS: &[&str] = &[
    "NAMESPACE",
    "NAME",
    "READY",
    "STATUS",
    "RESTARTS",
    "AGE",
    "IP",
    "NODE",
    "NOMINATED NODE",
    "READINESS GATES",
    "LABELS",
];

fn implied(k: &Kubectl, words: usize) -> Option<&'static [&'static str]> {
    const BASE: &[&str] = &["NAME", "READY", "STATUS", "RESTARTS", "AGE"];
    const LAYOUTS: &[&[&str]] = &[
        BASE,
        &["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE"],
        &[
            "NAME",
            "READY",
            "STATUS",
            "RESTARTS",
            "AGE",
            "IP",
            "NODE",
            "NOMINATED NODE",
        ],
        &[
            "NAME",
            "READY",
            "STATUS",
            "RESTARTS",
            "AGE",
            "IP",
            "NODE",
            "NOMINATED NODE",
            "READINESS GATES",
        ],
        &["NAME", "READY", "STATUS", "RESTARTS", "AGE", "LABELS"],
        &[
            "NAME",
            "READY",
            "STATUS",
            "RESTARTS",
            "AGE",
            "IP",
            "NODE",
            "NOMINATED NODE",
            "READINESS GATES",
            "LABELS",
        ],
        &["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"],
        &[
            "NAMESPACE",
            "NAME",
            "READY",
            "STATUS",
            "RESTARTS",
            "AGE",
            "IP",
            "NODE",
        ],
        &[
            "NAMESPACE",
            "NAME",
            "READY",
            "STATUS",
            "RESTARTS",
            "AGE",
            "IP",
            "NODE",
            "NOMINATED NODE",
        ],
        &[
            "NAMESPACE",
            "NAME",
            "READY",
            "STATUS",
            "RESTARTS",
            "AGE",
            "IP",
            "NODE",
            "NOMINATED NODE",
            "READINESS GATES",
        ],
        &[
            "NAMESPACE",
            "NAME",
            "READY",
            "STATUS",
            "RESTARTS",
            "AGE",
            "LABELS",
        ],
        &[
            "NAMESPACE",
            "NAME",
            "READY",
            "STATUS",
            "RESTARTS",
            "AGE",
            "IP",
            "NODE",
            "NOMINATED NODE",
            "READINESS GATES",
            "LABELS",
        ],
    ];
    let wide = k.output.as_deref() == Some("wide");
    LAYOUTS.iter().copied().find(|l| {
        l.len() == words
            && l.contains(&"NAMESPACE") == k.all_namespaces
            && l.contains(&"IP") == wide
            && l.contains(&"LABELS") == k.show_labels
    })
}

const SPEC: TableSpec = TableSpec {
    may_be_empty: None,
    what: "pod",
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
    let (ready_containers, total_containers) = match row.get("READY") {
        Some(cell) => ready(cell).map(|(r, t)| (Some(r), Some(t)))?,
        None => (None, None),
    };
    let status = row.get("STATUS").unwrap_or("").to_string();
    if row.has("STATUS") && status.is_empty() {
        return Err("empty STATUS".into());
    }
    let (restarts, last_restart) = match row.get("RESTARTS") {
        Some(cell) => restarts(cell).map(|(n, last)| (Some(n), last))?,
        None => (None, None),
    };
    let ip = match row.get("IP") {
        Some(cell) => pod_ip(cell)?,
        None => None,
    };
    let labels = row
        .get("LABELS")
        .map(|s| table::label_map(s).map_err(|e| format!("LABELS {s:?}: {e}")))
        .transpose()?;
    Ok(Record {
        line: row.line,
        namespace: table::row_namespace(row, seg),
        name,
        ready_containers,
        total_containers,
        status,
        restarts,
        last_restart,
        age: table::opt_cell(row, "AGE"),
        ip,
        node: table::opt_cell(row, "NODE"),
        nominated_node: table::opt_cell(row, "NOMINATED NODE"),
        readiness_gates: table::opt_cell(row, "READINESS GATES"),
        labels,
    })
}

fn ready(cell: &str) -> Result<(u32, u32), String> {
    let pairs = P::parse(Rule::ready_cell, cell).map_err(|e| {
        format!(
            "READY {:?}: {}",
            table::clip(cell),
            table::cell_error(&e, "ready count")
        )
    })?;
    let mut r = 0;
    let mut t = 0;
    for p in pairs.flatten() {
        match p.as_rule() {
            Rule::ready_count => {
                r = p
                    .as_str()
                    .parse()
                    .map_err(|_| "READY count too large".to_string())?
            }
            Rule::total_count => {
                t = p
                    .as_str()
                    .parse()
                    .map_err(|_| "READY total too large".to_string())?
            }
            _ => {}
        }
    }
    Ok((r, t))
}

fn restarts(cell: &str) -> Result<(u32, Option<String>), String> {
    let pairs = P::parse(Rule::restarts_cell, cell).map_err(|e| {
        format!(
            "RESTARTS {:?}: {}",
            table::clip(cell),
            table::cell_error(&e, "restart count")
        )
    })?;
    let mut n = 0;
    let mut last = None;
    for p in pairs.flatten() {
        match p.as_rule() {
            Rule::restart_count => {
                n = p
                    .as_str()
                    .parse()
                    .map_err(|_| "RESTARTS too large".to_string())?
            }
            Rule::last_restart => last = Some(p.as_str().to_string()),
            _ => {}
        }
    }
    Ok((n, last))
}

fn pod_ip(cell: &str) -> Result<Option<IpAddr>, String> {
    let pairs = P::parse(Rule::pod_ip_cell, cell).map_err(|e| {
        format!(
            "IP {:?}: {}",
            table::clip(cell),
            table::cell_error(&e, "pod IP")
        )
    })?;
    for p in pairs.flatten() {
        if p.as_rule() == Rule::ip {
            return p
                .as_str()
                .parse::<IpAddr>()
                .map(Some)
                .map_err(|_| format!("IP {:?} is not an IP address", p.as_str()));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn cells() {
        assert_eq!(ready("0/1").unwrap(), (0, 1));
        assert!(ready("1").is_err());
        assert!(ready("a/b").is_err());
        assert_eq!(restarts("0").unwrap(), (0, None));
        assert_eq!(restarts("3 (2m ago)").unwrap(), (3, Some("2m".into())));
        assert_eq!(restarts("12 (41d ago)").unwrap(), (12, Some("41d".into())));
        assert!(restarts("3 (2m)").is_err());
        assert!(restarts("x").is_err());
        assert_eq!(pod_ip("<none>").unwrap(), None);
        assert!(pod_ip("10.244.1.7").unwrap().is_some());
        assert!(pod_ip("10.244.1").is_err());
        assert!(sniff("NAME   READY   STATUS    RESTARTS   AGE").is_some());
        assert!(sniff("NAME   TYPE   CLUSTER-IP").is_none());
    }
}
