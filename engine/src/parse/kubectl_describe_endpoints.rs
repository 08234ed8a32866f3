//! `kubectl describe endpoints`.
//!
//! Commands: `kubectl describe endpoints <name> [-n <ns>]`, `kubectl describe ep`
//! (several objects, one record each).
//!
//! Variants: kubectl 1.6 … 1.33 (1.33 warns that v1 Endpoints is deprecated: a problem
//! quoting it). `Subsets:` lists one block per subset: `Addresses:` (ready),
//! `NotReadyAddresses:`, and a `Ports:` table (`Name Port Protocol`, `<unset>` for an
//! unnamed port). An Endpoints object with no subsets prints `Subsets:` alone.
//!
//! Record: `{ line, name, namespace, labels, subsets: [{ line, addresses,
//! not_ready_addresses, ports: [{ line, name, port, protocol }] }], events }`.
//!
//! ```text
//! Name:         backend
//! Namespace:    shop
//! Subsets:
//!   Addresses:          10.244.1.7
//!   NotReadyAddresses:  10.244.2.9
//!   Ports:
//!     Name  Port  Protocol
//!     ----  ----  --------
//!     http  8080  TCP
//! ```

use super::kubectl_describe::{self as describe, Event, EventTable, Line, SubTable};
use super::kubectl_table as table;
use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use serde::Serialize;
use std::collections::BTreeMap;
use std::net::IpAddr;

/// One described Endpoints object.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Record {
    pub line: usize,
    pub name: String,
    pub namespace: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub subsets: Vec<Subset>,
    pub events: Vec<Event>,
}

/// One subset.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Subset {
    /// Line of its `Addresses:`.
    pub line: usize,
    pub addresses: Vec<IpAddr>,
    pub not_ready_addresses: Vec<IpAddr>,
    pub ports: Vec<EndpointPort>,
}

/// One row of a subset's Ports table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EndpointPort {
    pub line: usize,
    /// `None` for `<unset>`.
    pub name: Option<String>,
    pub port: u16,
    pub protocol: String,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "kubectl-describe-endpoints",
    aliases: &["kubectl-describe-ep"],
    title: "kubectl describe endpoints",
    commands: &[
        "kubectl describe endpoints <name> -n <namespace>",
        "kubectl describe ep",
    ],
    variants: &["kubectl 1.6–1.33", "several objects in one output"],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    cmd.kubectl
        .as_ref()
        .is_some_and(|k| k.is("describe", &["endpoints"]))
}

fn sniff(head: &str) -> Option<f32> {
    let has = |field: &str| head.lines().any(|l| l.starts_with(field));
    let nested = |field: &str| head.lines().any(|l| l.trim_start().starts_with(field));
    if !has("Name:") || !has("Subsets:") {
        return None;
    }
    Some(if nested("Addresses:") || nested("NotReadyAddresses:") {
        0.95
    } else {
        0.8
    })
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Section {
    Fields,
    Labels,
    Subsets,
    Ports,
    Events,
    Other,
}

struct State {
    section: Section,
    ports: Option<SubTable>,
    events: EventTable,
}

impl Default for State {
    fn default() -> Self {
        State {
            section: Section::Fields,
            ports: None,
            events: EventTable::default(),
        }
    }
}

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    describe::read_objects(
        seg,
        "endpoints",
        |line| Record {
            line: line.n,
            name: line.value_of("Name").unwrap_or("").to_string(),
            ..Record::default()
        },
        |rec, s: &mut State, line| {
            if line.indent == 0 {
                let (key, value) = line.field.unwrap_or(("", ""));
                s.section = match key {
                    "Namespace" => {
                        rec.namespace = describe::opt(value);
                        Section::Fields
                    }
                    "Labels" => {
                        rec.labels = table::label_map(value).map_err(|e| format!("Labels: {e}"))?;
                        Section::Labels
                    }
                    "Subsets" => Section::Subsets,
                    "Events" => Section::Events,
                    _ => Section::Other,
                };
                return Ok(());
            }
            nested(rec, s, line)
        },
    )
}

fn addresses(value: &str) -> Result<Vec<IpAddr>, String> {
    let list = table::endpoint_list(value)?;
    Ok(list.addresses.into_iter().map(|a| a.ip).collect())
}

fn nested(rec: &mut Record, s: &mut State, line: &Line) -> Result<(), String> {
    match s.section {
        Section::Labels => {
            let m = table::label_map(line.text).map_err(|e| format!("Labels: {e}"))?;
            rec.labels.extend(m);
        }
        Section::Subsets | Section::Ports => match line.field {
            Some(("Addresses", v)) => {
                s.section = Section::Subsets;
                rec.subsets.push(Subset {
                    line: line.n,
                    addresses: addresses(v).map_err(|e| format!("Addresses: {e}"))?,
                    ..Subset::default()
                });
            }
            Some(("NotReadyAddresses", v)) => {
                s.section = Section::Subsets;
                let list = addresses(v).map_err(|e| format!("NotReadyAddresses: {e}"))?;
                match rec.subsets.last_mut() {
                    Some(sub) => sub.not_ready_addresses = list,
                    None => rec.subsets.push(Subset {
                        line: line.n,
                        not_ready_addresses: list,
                        ..Subset::default()
                    }),
                }
            }
            Some(("Ports", _)) => {
                s.section = Section::Ports;
                s.ports = None;
            }
            _ if s.section == Section::Ports => port_row(rec, s, line)?,
            _ => {
                return Err(format!(
                    "Subsets: expected Addresses, NotReadyAddresses or Ports, got {:?}",
                    table::clip(line.text)
                ))
            }
        },
        Section::Events => {
            if let Some(e) = s.events.line(line)? {
                rec.events.push(e);
            }
        }
        Section::Fields | Section::Other => {}
    }
    Ok(())
}

fn port_row(rec: &mut Record, s: &mut State, line: &Line) -> Result<(), String> {
    if describe::is_rule(line.text) {
        return Ok(());
    }
    if let Some(h) = SubTable::header(line.raw, "Name") {
        s.ports = Some(h);
        return Ok(());
    }
    let h = s
        .ports
        .as_ref()
        .ok_or("Ports: a row before the `Name  Port  Protocol` header")?;
    let cells = h.row(line.raw).map_err(|e| format!("Ports: {e}"))?;
    let port = table::parse_port(cells.get(1).unwrap_or(&"")).map_err(|e| format!("Ports: {e}"))?;
    let protocol = cells.get(2).unwrap_or(&"").to_string();
    if !matches!(protocol.as_str(), "TCP" | "UDP" | "SCTP") {
        return Err(format!("Ports: {protocol:?} is not TCP, UDP or SCTP"));
    }
    let Some(sub) = rec.subsets.last_mut() else {
        return Err("Ports: no `Addresses:` line before it".into());
    };
    sub.ports.push(EndpointPort {
        line: line.n,
        name: cells.first().and_then(|c| describe::opt(c)),
        port,
        protocol,
    });
    Ok(())
}
