//! `kubectl get nodes` tables.
//!
//! Commands: `kubectl get nodes`, `kubectl get no -o wide`, `kubectl get nodes
//! --show-labels`, and rows pasted without the header when the command line is there.
//!
//! Variants: kubectl 1.6 … 1.33: `NAME STATUS AGE` (≤1.7), `NAME STATUS ROLES AGE
//! VERSION` (1.8+); `-o wide` adds `INTERNAL-IP EXTERNAL-IP OS-IMAGE KERNEL-VERSION
//! CONTAINER-RUNTIME` (1.8+; `EXTERNAL-IP` alone before); `--show-labels` adds LABELS.
//! STATUS is the Ready condition (`Ready`, `NotReady`, `Unknown`) followed by
//! `SchedulingDisabled` for a cordoned node (`Ready,SchedulingDisabled`). OS-IMAGE holds
//! spaces (`Ubuntu 22.04.3 LTS`): rows are cut by the header's column positions.
//!
//! Record: `{ line, name, status, conditions, ready, roles, age, version, internal_ip,
//! external_ip, os_image, kernel_version, container_runtime, labels }`. `conditions` is
//! STATUS split at commas; `ready` is `true` for `Ready`, `false` for `NotReady`, `null`
//! for `Unknown`; `roles` is `[]` for `<none>`; `<none>` IPs are `null`.
//!
//! ```text
//! NAME       STATUS                        ROLES           AGE   VERSION
//! worker-2   NotReady,SchedulingDisabled   <none>          41d   v1.28.3
//! ```
//! gives `{ "line": 2, "name": "worker-2", "status": "NotReady,SchedulingDisabled",
//! "conditions": ["NotReady", "SchedulingDisabled"], "ready": false, "roles": [], … }`.

use super::kubectl_table::{self as table, Row, TableSpec};
use super::{Output, ParserInfo};
use crate::cmdline::{CommandLine, Kubectl};
use crate::split::Segment;
use pest::Parser;
use serde::Serialize;
use std::collections::BTreeMap;
use std::net::IpAddr;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/kubectl_get_nodes.pest"]
struct P;

/// One Node row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    /// 1-based input line of the row.
    pub line: usize,
    pub name: String,
    /// STATUS as printed.
    pub status: String,
    /// STATUS split at commas: `Ready`, `NotReady`, `Unknown`, `SchedulingDisabled`.
    pub conditions: Vec<String>,
    /// The Ready condition: `Ready` → true, `NotReady` → false, `Unknown` → null.
    pub ready: Option<bool>,
    /// ROLES split at commas; `[]` for `<none>`.
    pub roles: Vec<String>,
    pub age: Option<String>,
    /// Kubelet version (`v1.28.3`).
    pub version: Option<String>,
    pub internal_ip: Option<IpAddr>,
    pub external_ip: Option<IpAddr>,
    pub os_image: Option<String>,
    pub kernel_version: Option<String>,
    pub container_runtime: Option<String>,
    /// `None` without `--show-labels`.
    pub labels: Option<BTreeMap<String, String>>,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "kubectl-get-nodes",
    aliases: &["kubectl-get-no", "nodes"],
    title: "kubectl get nodes (table, -o wide, --show-labels)",
    commands: &[
        "kubectl get nodes",
        "kubectl get no -o wide",
        "kubectl get nodes --show-labels",
    ],
    variants: &[
        "kubectl 1.6–1.7 (NAME STATUS AGE)",
        "kubectl 1.8–1.33 (ROLES, VERSION)",
        "-o wide (INTERNAL-IP EXTERNAL-IP OS-IMAGE KERNEL-VERSION CONTAINER-RUNTIME)",
        "--show-labels",
    ],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    cmd.kubectl
        .as_ref()
        .is_some_and(|k| k.is("get", &["nodes"]) && k.is_table())
}

fn sniff(head: &str) -> Option<f32> {
    let h = table::header_line(head)?;
    let words: Vec<&str> = h.split_whitespace().collect();
    if words.contains(&"KERNEL-VERSION") || words.contains(&"CONTAINER-RUNTIME") {
        return Some(0.95);
    }
    if words.starts_with(&["NAME", "STATUS", "ROLES", "AGE", "VERSION"]) {
        return Some(0.95);
    }
    // `NAME STATUS AGE` is also `kubectl get ns`: the STATUS cells decide.
    let node_status = head.lines().skip(1).any(|l| {
        l.split_whitespace()
            .nth(1)
            .is_some_and(|s| s.starts_with("Ready") || s.starts_with("NotReady"))
    });
    (words.starts_with(&["NAME", "STATUS", "AGE"]) && node_status).then_some(0.7)
}

const COLUMNS: &[&str] = &[
    "NAME",
    "STATUS",
    "ROLES",
    "AGE",
    "VERSION",
    "INTERNAL-IP",
    "EXTERNAL-IP",
    "OS-IMAGE",
    "KERNEL-VERSION",
    "CONTAINER-RUNTIME",
    "LABELS",
];

fn implied(k: &Kubectl, words: usize) -> Option<&'static [&'static str]> {
    const PLAIN: &[&str] = &["NAME", "STATUS", "ROLES", "AGE", "VERSION"];
    const LABELS: &[&str] = &["NAME", "STATUS", "ROLES", "AGE", "VERSION", "LABELS"];
    // Wide rows hold spaces (OS-IMAGE): they are read only under their header.
    if k.output.as_deref() == Some("wide") {
        return None;
    }
    [PLAIN, LABELS]
        .into_iter()
        .find(|l| l.len() == words && l.contains(&"LABELS") == k.show_labels)
}

const SPEC: TableSpec = TableSpec {
    may_be_empty: None,
    what: "node",
    columns: COLUMNS,
    implied,
    spaced: &["OS-IMAGE", "CONTAINER-RUNTIME", "KERNEL-VERSION"],
};

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    table::read_tables(seg, &SPEC, record)
}

fn record(row: &Row) -> Result<Record, String> {
    let name = table::row_name(row)?;
    let status = row.get("STATUS").unwrap_or("").to_string();
    let conditions = node_status(&status)?;
    let ready = if conditions.iter().any(|c| c == "Ready") {
        Some(true)
    } else if conditions.iter().any(|c| c == "NotReady") {
        Some(false)
    } else {
        None
    };
    let roles = table::opt_cell(row, "ROLES")
        .map(|r| r.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    let labels = row
        .get("LABELS")
        .map(|s| table::label_map(s).map_err(|e| format!("LABELS {s:?}: {e}")))
        .transpose()?;
    Ok(Record {
        line: row.line,
        name,
        status,
        conditions,
        ready,
        roles,
        age: table::opt_cell(row, "AGE"),
        version: table::opt_cell(row, "VERSION"),
        internal_ip: ip_cell(row, "INTERNAL-IP")?,
        external_ip: ip_cell(row, "EXTERNAL-IP")?,
        os_image: table::opt_cell(row, "OS-IMAGE"),
        kernel_version: table::opt_cell(row, "KERNEL-VERSION"),
        container_runtime: table::opt_cell(row, "CONTAINER-RUNTIME"),
        labels,
    })
}

fn node_status(cell: &str) -> Result<Vec<String>, String> {
    let pairs = P::parse(Rule::node_status_cell, cell).map_err(|e| {
        format!(
            "STATUS {:?}: {}",
            table::clip(cell),
            table::cell_error(&e, "node status")
        )
    })?;
    Ok(pairs
        .flatten()
        .filter(|p| p.as_rule() == Rule::node_condition)
        .map(|p| p.as_str().to_string())
        .collect())
}

fn ip_cell(row: &Row, column: &str) -> Result<Option<IpAddr>, String> {
    match table::opt_cell(row, column) {
        None => Ok(None),
        Some(v) => v
            .parse::<IpAddr>()
            .map(Some)
            .map_err(|_| format!("{column} {:?} is not an IP address", table::clip(&v))),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn cells() {
        assert_eq!(
            node_status("Ready,SchedulingDisabled").unwrap(),
            vec!["Ready", "SchedulingDisabled"]
        );
        assert_eq!(node_status("NotReady").unwrap(), vec!["NotReady"]);
        assert!(node_status("Ready,").is_err());
        assert!(node_status("").is_err());
        assert!(sniff("NAME   STATUS   ROLES   AGE   VERSION\n").is_some());
        assert!(sniff("NAME   STATUS   AGE\ndefault   Active   5d\n").is_none());
        assert!(sniff("NAME   STATUS   AGE\nnode-1   Ready   5d\n").is_some());
    }
}
