//! `kubectl get services` tables.
//!
//! Commands: `kubectl get svc`, `kubectl get services -n <ns>`, `kubectl get svc -A`,
//! `kubectl get svc -o wide`, `kubectl get svc --show-labels`, `kubectl get svc <name>`
//! (also `oc`, `k`, `microk8s kubectl`), and their rows pasted without the header when
//! the command line is there.
//!
//! Variants: kubectl 1.7+ (`NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE`), kubectl ≤ 1.6
//! (no TYPE column: `NAME CLUSTER-IP EXTERNAL-IP PORT(S) AGE`), `-A` (NAMESPACE first),
//! `-o wide` (SELECTOR), `--show-labels` (LABELS last). Several tables in one paste.
//!
//! Record: `{ line, namespace, name, type, cluster_ip, headless, external_ips, ports:
//! [{ port, node_port, protocol }], age, selector }`. `cluster_ip` is `null` for `None`
//! (then `headless` is true) and `<none>` (ExternalName); `external_ips` is empty for
//! `<none>` and keeps `<pending>` and hostnames as written; `selector` is `null` when the
//! table has no SELECTOR column and `{}` for `<none>`.
//!
//! ```text
//! NAME      TYPE       CLUSTER-IP     EXTERNAL-IP   PORT(S)        AGE
//! backend   NodePort   10.96.45.12    <none>        80:30080/TCP   5d
//! ```
//! gives `{ "line": 2, "name": "backend", "type": "NodePort", "cluster_ip": "10.96.45.12",
//! "ports": [{ "port": 80, "node_port": 30080, "protocol": "TCP" }], … }`.

use super::kubectl_table::{self as table, label_map, Row, TableSpec};
use super::{Chunker, Output, ParserInfo};
use crate::cmdline::{CommandLine, Kubectl};
use crate::split::Segment;
use pest::Parser;
use serde::Serialize;
use std::collections::BTreeMap;
use std::net::IpAddr;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/kubectl_get_svc.pest"]
struct P;

/// One Service row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    /// 1-based input line of the row.
    pub line: usize,
    /// NAMESPACE column, else the command's `-n`, else `None`.
    pub namespace: Option<String>,
    pub name: String,
    /// TYPE column (`ClusterIP`, `NodePort`, `LoadBalancer`, `ExternalName`); `None` on
    /// kubectl ≤ 1.6 tables, which have no TYPE.
    #[serde(rename = "type")]
    pub service_type: Option<String>,
    /// `None` for headless (`None`) and ExternalName (`<none>`) services.
    pub cluster_ip: Option<IpAddr>,
    /// CLUSTER-IP was `None`.
    pub headless: bool,
    /// `<none>` → empty; `<pending>`, `nodes` and hostnames kept as written.
    pub external_ips: Vec<String>,
    pub ports: Vec<ServicePort>,
    pub age: Option<String>,
    /// `None` when the table has no SELECTOR column (no `-o wide`); `{}` for `<none>`.
    pub selector: Option<BTreeMap<String, String>>,
    /// `None` without `--show-labels`.
    pub labels: Option<BTreeMap<String, String>>,
}

/// One entry of PORT(S): `80:30080/TCP`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServicePort {
    pub port: u16,
    pub node_port: Option<u16>,
    pub protocol: String,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "kubectl-get-svc",
    aliases: &["kubectl-get-services", "svc"],
    title: "kubectl get services (table, -o wide, -A)",
    commands: &[
        "kubectl get svc",
        "kubectl get services -n <namespace>",
        "kubectl get svc -A",
        "kubectl get svc -o wide",
        "kubectl get svc --show-labels",
    ],
    variants: &[
        "kubectl 1.7+",
        "kubectl ≤1.6 (no TYPE column)",
        "-A",
        "-o wide",
        "--show-labels",
    ],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    cmd.kubectl
        .as_ref()
        .is_some_and(|k| k.is("get", &["services"]) && k.is_table())
}

fn sniff(head: &str) -> Option<f32> {
    let h = table::header_line(head)?;
    if h.contains("CLUSTER-IP") && h.contains("PORT(S)") {
        Some(if h.contains(" TYPE ") { 0.95 } else { 0.9 })
    } else {
        None
    }
}

const COLUMNS: &[&str] = &[
    "NAMESPACE",
    "NAME",
    "TYPE",
    "CLUSTER-IP",
    "EXTERNAL-IP",
    "PORT(S)",
    "AGE",
    "SELECTOR",
    "LABELS",
];

/// Headerless rows: the columns kubectl prints for these flags (newest layout only).
fn implied(k: &Kubectl, words: usize) -> Option<&'static [&'static str]> {
    const LAYOUTS: &[&[&str]] = &[
        &[
            "NAME",
            "TYPE",
            "CLUSTER-IP",
            "EXTERNAL-IP",
            "PORT(S)",
            "AGE",
        ],
        &[
            "NAMESPACE",
            "NAME",
            "TYPE",
            "CLUSTER-IP",
            "EXTERNAL-IP",
            "PORT(S)",
            "AGE",
        ],
        &[
            "NAME",
            "TYPE",
            "CLUSTER-IP",
            "EXTERNAL-IP",
            "PORT(S)",
            "AGE",
            "SELECTOR",
        ],
        &[
            "NAMESPACE",
            "NAME",
            "TYPE",
            "CLUSTER-IP",
            "EXTERNAL-IP",
            "PORT(S)",
            "AGE",
            "SELECTOR",
        ],
        &[
            "NAME",
            "TYPE",
            "CLUSTER-IP",
            "EXTERNAL-IP",
            "PORT(S)",
            "AGE",
            "LABELS",
        ],
        &[
            "NAMESPACE",
            "NAME",
            "TYPE",
            "CLUSTER-IP",
            "EXTERNAL-IP",
            "PORT(S)",
            "AGE",
            "LABELS",
        ],
        &[
            "NAME",
            "TYPE",
            "CLUSTER-IP",
            "EXTERNAL-IP",
            "PORT(S)",
            "AGE",
            "SELECTOR",
            "LABELS",
        ],
        &[
            "NAMESPACE",
            "NAME",
            "TYPE",
            "CLUSTER-IP",
            "EXTERNAL-IP",
            "PORT(S)",
            "AGE",
            "SELECTOR",
            "LABELS",
        ],
        // kubectl ≤ 1.6
        &["NAME", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"],
    ];
    let wide = k.output.as_deref() == Some("wide");
    LAYOUTS.iter().copied().find(|l| {
        l.len() == words
            && l.contains(&"NAMESPACE") == k.all_namespaces
            && l.contains(&"SELECTOR") == wide
            && l.contains(&"LABELS") == k.show_labels
    })
}

const SPEC: TableSpec = TableSpec {
    may_be_empty: None,
    what: "service",
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
    let (cluster_ip, headless) = cluster_ip(row.get("CLUSTER-IP").unwrap_or("<none>"))?;
    let external_ips = match row.get("EXTERNAL-IP") {
        Some(cell) => external_ips(cell)?,
        None => Vec::new(),
    };
    let ports = match row.get("PORT(S)") {
        Some(cell) => service_ports(cell)?,
        None => Vec::new(),
    };
    let selector = row
        .get("SELECTOR")
        .map(|s| label_map(s).map_err(|e| format!("SELECTOR {s:?}: {e}")))
        .transpose()?;
    let labels = row
        .get("LABELS")
        .map(|s| label_map(s).map_err(|e| format!("LABELS {s:?}: {e}")))
        .transpose()?;
    Ok(Record {
        line: row.line,
        namespace: table::row_namespace(row, seg),
        name,
        service_type: table::opt_cell(row, "TYPE"),
        cluster_ip,
        headless,
        external_ips,
        ports,
        age: table::opt_cell(row, "AGE"),
        selector,
        labels,
    })
}

fn cluster_ip(cell: &str) -> Result<(Option<IpAddr>, bool), String> {
    let pairs = P::parse(Rule::cluster_ip_cell, cell).map_err(|e| {
        format!(
            "CLUSTER-IP {cell:?}: {}",
            table::cell_error(&e, "cluster IP")
        )
    })?;
    for p in pairs.flatten() {
        match p.as_rule() {
            Rule::headless_marker => return Ok((None, true)),
            Rule::ip => {
                let ip = p
                    .as_str()
                    .parse::<IpAddr>()
                    .map_err(|_| format!("CLUSTER-IP {cell:?} is not an IP address"))?;
                return Ok((Some(ip), false));
            }
            _ => {}
        }
    }
    Ok((None, false))
}

fn external_ips(cell: &str) -> Result<Vec<String>, String> {
    let pairs = P::parse(Rule::external_ips, cell).map_err(|e| {
        format!(
            "EXTERNAL-IP {cell:?}: {}",
            table::cell_error(&e, "external IPs")
        )
    })?;
    Ok(pairs
        .flatten()
        .filter(|p| p.as_rule() == Rule::external_ip)
        .map(|p| p.as_str().to_string())
        .collect())
}

fn service_ports(cell: &str) -> Result<Vec<ServicePort>, String> {
    let pairs = P::parse(Rule::service_ports, cell).map_err(|e| {
        format!(
            "PORT(S) {cell:?}: {}",
            table::cell_error(&e, "service ports")
        )
    })?;
    let mut ports = Vec::new();
    for sp in pairs
        .flatten()
        .filter(|p| p.as_rule() == Rule::service_port)
    {
        let mut port = 0;
        let mut node_port = None;
        let mut protocol = String::new();
        for p in sp.into_inner() {
            match p.as_rule() {
                Rule::port => port = table::parse_port(p.as_str())?,
                Rule::node_port => node_port = Some(table::parse_port(p.as_str())?),
                Rule::protocol => protocol = p.as_str().to_string(),
                _ => {}
            }
        }
        ports.push(ServicePort {
            port,
            node_port,
            protocol,
        });
    }
    Ok(ports)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn cluster_ip_cells() {
        assert_eq!(
            cluster_ip("10.96.0.10").unwrap(),
            (Some("10.96.0.10".parse().unwrap()), false)
        );
        assert_eq!(cluster_ip("None").unwrap(), (None, true));
        assert_eq!(cluster_ip("<none>").unwrap(), (None, false));
        assert!(cluster_ip("fd00::a").unwrap().0.is_some());
        assert!(cluster_ip("10.96.0.300").is_err());
        assert!(cluster_ip("pending").is_err());
    }

    #[test]
    fn port_cells() {
        let p = service_ports("80:30080/TCP,443/TCP").unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(
            p[0],
            ServicePort {
                port: 80,
                node_port: Some(30080),
                protocol: "TCP".into()
            }
        );
        assert_eq!(p[1].node_port, None);
        assert!(service_ports("<none>").unwrap().is_empty());
        assert!(service_ports("80").is_err());
        assert!(service_ports("80/HTTP").is_err());
        assert!(service_ports("70000/TCP").is_err());
    }

    #[test]
    fn external_ip_cells() {
        assert!(external_ips("<none>").unwrap().is_empty());
        assert_eq!(external_ips("<pending>").unwrap(), vec!["<pending>"]);
        assert_eq!(external_ips("1.2.3.4,5.6.7.8").unwrap().len(), 2);
        assert!(external_ips("").is_err());
    }

    #[test]
    fn sniffs_headers() {
        assert!(sniff("NAME   TYPE   CLUSTER-IP   EXTERNAL-IP   PORT(S)   AGE").is_some());
        assert!(sniff("NAME   READY   STATUS").is_none());
    }
}
