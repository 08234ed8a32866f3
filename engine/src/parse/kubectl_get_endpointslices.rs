//! `kubectl get endpointslices` tables.
//!
//! Commands: `kubectl get endpointslices`, `kubectl get endpointslice -n <ns>`,
//! `kubectl get endpointslices -A`, `kubectl get endpointslices -l
//! kubernetes.io/service-name=<svc>`, and headerless rows after such a command line.
//!
//! Variants: kubectl 1.17 … 1.33 (`NAME ADDRESSTYPE PORTS ENDPOINTS AGE`), `-A`,
//! `--show-labels`.
//!
//! Record: `{ line, namespace, name, address_type, ports: [u16], endpoints: [ip], more,
//! age }`. PORTS `<unset>` (a slice of a selector-less port) gives no ports; ENDPOINTS
//! `<unset>` or `<none>` gives none; `+ 2 more...` gives `more: 2`.
//!
//! ```text
//! NAME            ADDRESSTYPE   PORTS   ENDPOINTS               AGE
//! backend-7x2kq   IPv4          8080    10.244.1.7,10.244.2.9   5d
//! ```

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
#[grammar = "../grammar/kubectl_get_endpointslices.pest"]
struct P;

/// One EndpointSlice row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    /// 1-based input line of the row.
    pub line: usize,
    /// NAMESPACE column, else the command's `-n`, else `None`.
    pub namespace: Option<String>,
    pub name: String,
    /// `IPv4`, `IPv6` or `FQDN`.
    pub address_type: String,
    /// `<unset>` → empty.
    pub ports: Vec<u16>,
    /// The addresses shown (at most three).
    pub endpoints: Vec<IpAddr>,
    /// How many more kubectl elided (`+ 2 more...`).
    pub more: u32,
    pub age: Option<String>,
    /// `None` without `--show-labels`.
    pub labels: Option<BTreeMap<String, String>>,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "kubectl-get-endpointslices",
    aliases: &["kubectl-get-endpointslice", "endpointslices"],
    title: "kubectl get endpointslices (table, -A)",
    commands: &[
        "kubectl get endpointslices",
        "kubectl get endpointslices -n <namespace>",
        "kubectl get endpointslices -A",
        "kubectl get endpointslices -l kubernetes.io/service-name=<service>",
    ],
    variants: &["kubectl 1.17–1.33", "-A", "--show-labels"],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    cmd.kubectl
        .as_ref()
        .is_some_and(|k| k.is("get", &["endpointslices"]) && k.is_table())
}

fn sniff(head: &str) -> Option<f32> {
    let h = table::header_line(head)?;
    (h.contains("ADDRESSTYPE") && h.contains("ENDPOINTS")).then_some(0.95)
}

const COLUMNS: &[&str] = &[
    "NAMESPACE",
    "NAME",
    "ADDRESSTYPE",
    "PORTS",
    "ENDPOINTS",
    "AGE",
    "LABELS",
];

fn implied(k: &Kubectl, words: usize) -> Option<&'static [&'static str]> {
    const LAYOUTS: &[&[&str]] = &[
        &["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"],
        &[
            "NAMESPACE",
            "NAME",
            "ADDRESSTYPE",
            "PORTS",
            "ENDPOINTS",
            "AGE",
        ],
        &["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE", "LABELS"],
        &[
            "NAMESPACE",
            "NAME",
            "ADDRESSTYPE",
            "PORTS",
            "ENDPOINTS",
            "AGE",
            "LABELS",
        ],
    ];
    LAYOUTS.iter().copied().find(|l| {
        l.len() == words
            && l.contains(&"NAMESPACE") == k.all_namespaces
            && l.contains(&"LABELS") == k.show_labels
    })
}

const SPEC: TableSpec = TableSpec {
    may_be_empty: None,
    what: "endpointslice",
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
    let at = row.get("ADDRESSTYPE").unwrap_or("");
    let address_type = P::parse(Rule::address_type, at)
        .map_err(|e| {
            format!(
                "ADDRESSTYPE {:?}: {}",
                table::clip(at),
                table::cell_error(&e, "address type")
            )
        })?
        .as_str()
        .to_string();
    let ports = slice_ports(row.get("PORTS").unwrap_or(""))?;
    let (endpoints, more) = slice_endpoints(row.get("ENDPOINTS").unwrap_or(""))?;
    let labels = row
        .get("LABELS")
        .map(|s| table::label_map(s).map_err(|e| format!("LABELS {s:?}: {e}")))
        .transpose()?;
    Ok(Record {
        line: row.line,
        namespace: table::row_namespace(row, seg),
        name,
        address_type,
        ports,
        endpoints,
        more,
        age: table::opt_cell(row, "AGE"),
        labels,
    })
}

fn slice_ports(cell: &str) -> Result<Vec<u16>, String> {
    let pairs = P::parse(Rule::slice_ports, cell).map_err(|e| {
        format!(
            "PORTS {:?}: {}",
            table::clip(cell),
            table::cell_error(&e, "ports")
        )
    })?;
    pairs
        .flatten()
        .filter(|p| p.as_rule() == Rule::port)
        .map(|p| table::parse_port(p.as_str()))
        .collect()
}

fn slice_endpoints(cell: &str) -> Result<(Vec<IpAddr>, u32), String> {
    let pairs = P::parse(Rule::slice_endpoints, cell).map_err(|e| {
        format!(
            "ENDPOINTS {:?}: {}",
            table::clip(cell),
            table::cell_error(&e, "endpoints")
        )
    })?;
    let mut ips = Vec::new();
    let mut more = 0;
    for p in pairs.flatten() {
        match p.as_rule() {
            Rule::slice_endpoint => ips.push(
                p.as_str()
                    .parse::<IpAddr>()
                    .map_err(|_| format!("{:?} is not an IP address", p.as_str()))?,
            ),
            Rule::more_count => {
                more = p
                    .as_str()
                    .parse()
                    .map_err(|_| format!("bad count {:?}", p.as_str()))?
            }
            _ => {}
        }
    }
    Ok((ips, more))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn cells() {
        assert_eq!(slice_ports("80,443").unwrap(), vec![80, 443]);
        assert!(slice_ports("<unset>").unwrap().is_empty());
        assert!(slice_ports("http").is_err());
        let (ips, more) = slice_endpoints("10.244.1.7,10.244.2.9 + 2 more...").unwrap();
        assert_eq!((ips.len(), more), (2, 2));
        assert!(slice_endpoints("<unset>").unwrap().0.is_empty());
        assert_eq!(slice_endpoints("fd00:10:244::7").unwrap().0.len(), 1);
        assert!(slice_endpoints("10.244.1.7:80").is_err());
        assert!(P::parse(Rule::address_type, "IPv4").is_ok());
        assert!(P::parse(Rule::address_type, "IPv5").is_err());
    }
}
