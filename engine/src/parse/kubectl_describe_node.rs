//! `kubectl describe node`.
//!
//! Commands: `kubectl describe node <name>`, `kubectl describe nodes` (every node, one
//! record each), `kubectl describe no -l <selector>`.
//!
//! Variants: kubectl 1.6 … 1.33. 1.8+ prints `Roles:`; 1.12+ `Unschedulable:`; 1.14+
//! `Lease:`; 1.16+ `PodCIDRs:` beside `PodCIDR:`; ≤1.8 separated names and values with
//! tabs. The Conditions table (`Type Status LastHeartbeatTime LastTransitionTime Reason
//! Message`, timestamps holding spaces) is read by the header's column positions;
//! `NetworkUnavailable` appears only where a CNI or cloud route controller sets it.
//! `Non-terminated Pods:` lists the node's pods (`Namespace Name CPU Requests …`).
//! Capacity, Allocatable, Allocated resources and Lease are known shapes, not read.
//!
//! Record: `{ line, name, roles, labels, taints, unschedulable, conditions: [{ line,
//! type, status, reason, message }], addresses: [{ line, type, address }], pod_cidr,
//! pod_cidr_line, pod_cidrs, system_info, pods: [{ line, namespace, name }], events }`.
//! `system_info` maps `Kernel Version`, `OS Image`, `Container Runtime Version`,
//! `Kubelet Version`, `Kube-Proxy Version`, … to their values.
//!
//! ```text
//! Name:               worker-2
//! Conditions:
//!   Type     Status  LastHeartbeatTime                 LastTransitionTime                Reason            Message
//!   ----     ------  -----------------                 ------------------                ------            -------
//!   Ready    False   Mon, 04 Mar 2024 10:11:12 +0000   Mon, 04 Mar 2024 09:01:02 +0000   KubeletNotReady   container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized
//! Addresses:
//!   InternalIP:  10.0.0.12
//!   Hostname:    worker-2
//! PodCIDR:       10.244.2.0/24
//! ```

use super::kubectl_describe::{self as describe, Event, EventTable, Line, SubTable};
use super::kubectl_table as table;
use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use serde::Serialize;
use std::collections::BTreeMap;

/// One described Node.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Record {
    pub line: usize,
    pub name: String,
    /// `Roles:` split at commas; `[]` for `<none>`.
    pub roles: Vec<String>,
    pub labels: BTreeMap<String, String>,
    /// `Taints:` one per entry (`node.kubernetes.io/not-ready:NoSchedule`).
    pub taints: Vec<String>,
    pub unschedulable: Option<bool>,
    pub conditions: Vec<NodeCondition>,
    pub addresses: Vec<NodeAddress>,
    pub pod_cidr: Option<String>,
    pub pod_cidr_line: Option<usize>,
    /// `PodCIDRs:` (1.16+), comma-separated for dual stack.
    pub pod_cidrs: Vec<String>,
    pub system_info: BTreeMap<String, String>,
    /// The `Non-terminated Pods:` table.
    pub pods: Vec<NodePod>,
    pub events: Vec<Event>,
}

/// One row of the Conditions table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeCondition {
    pub line: usize,
    /// `Ready`, `NetworkUnavailable`, `MemoryPressure`, …
    #[serde(rename = "type")]
    pub condition_type: String,
    /// `True`, `False`, `Unknown`.
    pub status: String,
    pub reason: Option<String>,
    pub message: Option<String>,
}

/// One `Addresses:` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeAddress {
    pub line: usize,
    /// `InternalIP`, `ExternalIP`, `Hostname`, `InternalDNS`, `ExternalDNS`; empty for
    /// the untyped list of kubectl ≤1.8 (`Addresses:  10.0.0.4,10.0.0.4,node-1`).
    #[serde(rename = "type")]
    pub address_type: String,
    pub address: String,
}

/// One row of `Non-terminated Pods:`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodePod {
    pub line: usize,
    pub namespace: String,
    pub name: String,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "kubectl-describe-node",
    aliases: &["kubectl-describe-no", "kubectl-describe-nodes"],
    title: "kubectl describe node",
    commands: &["kubectl describe node <name>", "kubectl describe nodes"],
    variants: &[
        "kubectl 1.6–1.15 (PodCIDR:)",
        "kubectl 1.16+ (PodCIDRs:)",
        "tab-separated ≤1.8 output",
        "several nodes in one output",
    ],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    cmd.kubectl
        .as_ref()
        .is_some_and(|k| k.is("describe", &["nodes"]))
}

fn sniff(head: &str) -> Option<f32> {
    let has = |field: &str| head.lines().any(|l| l.starts_with(field));
    if !has("Name:") {
        return None;
    }
    let score = [
        has("Taints:"),
        has("Unschedulable:") || has("Roles:"),
        has("CreationTimestamp:"),
        head.contains("LastHeartbeatTime") || has("Addresses:"),
        has("PodCIDR") || has("System Info:") || has("Capacity:"),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    super::kubectl_describe::confidence(score)
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Section {
    Fields,
    Labels,
    Taints,
    Conditions,
    Addresses,
    SystemInfo,
    Pods,
    Events,
    Other,
}

struct State {
    section: Section,
    table: Option<SubTable>,
    events: EventTable,
}

impl Default for State {
    fn default() -> Self {
        State {
            section: Section::Fields,
            table: None,
            events: EventTable::default(),
        }
    }
}

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    describe::read_objects(
        seg,
        "node",
        |line| Record {
            line: line.n,
            name: line.value_of("Name").unwrap_or("").to_string(),
            ..Record::default()
        },
        |rec, s: &mut State, line| {
            if line.indent == 0 {
                top_field(rec, s, line)
            } else {
                nested(rec, s, line)
            }
        },
    )
}

fn list(value: &str) -> Vec<String> {
    describe::opt(value)
        .map(|v| v.split(',').map(|s| s.trim().to_string()).collect())
        .unwrap_or_default()
}

fn top_field(rec: &mut Record, s: &mut State, line: &Line) -> Result<(), String> {
    let (key, value) = line.field.unwrap_or(("", ""));
    s.section = Section::Fields;
    s.table = None;
    match key {
        "Roles" | "Role" => rec.roles = list(value),
        "Labels" => {
            s.section = Section::Labels;
            rec.labels = table::label_map(value).map_err(|e| format!("Labels: {e}"))?;
        }
        "Taints" => {
            s.section = Section::Taints;
            rec.taints = describe::opt(value).into_iter().collect();
        }
        "Unschedulable" => {
            rec.unschedulable = match value {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            }
        }
        "Conditions" => s.section = Section::Conditions,
        "Addresses" => {
            s.section = Section::Addresses;
            // ≤1.8 printed the addresses on the field's own line, without their types.
            for a in describe::opt(value).iter().flat_map(|v| v.split(',')) {
                rec.addresses.push(NodeAddress {
                    line: line.n,
                    address_type: String::new(),
                    address: a.trim().to_string(),
                });
            }
        }
        "System Info" => s.section = Section::SystemInfo,
        "PodCIDR" => {
            rec.pod_cidr = describe::opt(value);
            rec.pod_cidr_line = Some(line.n);
        }
        "PodCIDRs" => rec.pod_cidrs = list(value),
        "Non-terminated Pods" => s.section = Section::Pods,
        "Events" => s.section = Section::Events,
        _ => s.section = Section::Other,
    }
    Ok(())
}

fn nested(rec: &mut Record, s: &mut State, line: &Line) -> Result<(), String> {
    match s.section {
        Section::Labels => {
            let m = table::label_map(line.text).map_err(|e| format!("Labels: {e}"))?;
            rec.labels.extend(m);
        }
        Section::Taints => rec.taints.push(line.text.to_string()),
        Section::Addresses => {
            let (t, a) = line.field.ok_or_else(|| {
                format!(
                    "Addresses: expected `Type:  address`, got {:?}",
                    table::clip(line.text)
                )
            })?;
            rec.addresses.push(NodeAddress {
                line: line.n,
                address_type: t.to_string(),
                address: a.to_string(),
            });
        }
        Section::SystemInfo => {
            if let Some((k, v)) = line.field {
                rec.system_info.insert(k.to_string(), v.to_string());
            }
        }
        Section::Conditions | Section::Pods => {
            let first = if s.section == Section::Conditions {
                "Type"
            } else {
                "Namespace"
            };
            if describe::is_rule(line.text) {
                return Ok(());
            }
            if let Some(h) = SubTable::header(line.raw, first) {
                s.table = Some(h);
                return Ok(());
            }
            let what = if s.section == Section::Conditions {
                "Conditions"
            } else {
                "Non-terminated Pods"
            };
            let h = s
                .table
                .as_ref()
                .ok_or_else(|| format!("{what}: a row before the table's header"))?;
            let cells = h.row(line.raw).map_err(|e| format!("{what}: {e}"))?;
            let col = |name: &str| {
                h.names()
                    .iter()
                    .position(|c| *c == name)
                    .and_then(|i| cells.get(i))
                    .and_then(|c| describe::opt(c))
            };
            if s.section == Section::Conditions {
                rec.conditions.push(NodeCondition {
                    line: line.n,
                    condition_type: col("Type").unwrap_or_default(),
                    status: col("Status").unwrap_or_default(),
                    reason: col("Reason"),
                    message: col("Message"),
                });
            } else {
                rec.pods.push(NodePod {
                    line: line.n,
                    namespace: col("Namespace").unwrap_or_default(),
                    name: col("Name").unwrap_or_default(),
                });
            }
        }
        Section::Events => {
            if let Some(e) = s.events.line(line)? {
                rec.events.push(e);
            }
        }
        Section::Fields | Section::Other => {}
    }
    Ok(())
}
