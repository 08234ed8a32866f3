//! `kubectl describe pod`.
//!
//! Commands: `kubectl describe pod <name> [-n <ns>]`, `kubectl describe po -l
//! <selector>` (several pods, one record each), `kubectl describe pods -A`.
//!
//! Variants: kubectl 1.6 … 1.33. 1.16+ prints `IPs:` with nested `IP:` lines under the
//! `IP:` field; `Node:` is `name/nodeIP` or `<none>` while pending; a container prints
//! `Port:` for one port and `Ports:` for several (`8080/TCP, 9090/TCP`), 1.30+ adds the
//! port's name (`8080/TCP (http)`); probes print as `http-get http://:8080/healthz
//! delay=5s timeout=1s period=10s #success=1 #failure=3`, `tcp-socket :8080 …`, `exec
//! [cmd] …`, `grpc <pod>:9090 …`. The Conditions table has a Status column (1.29+ adds
//! `PodReadyToStartContainers`), the Events table ends the object. Volumes, mounts,
//! environment, command and tolerations are known shapes that are not read.
//!
//! Record: `{ line, name, namespace, node, node_ip, labels, labels_line, status,
//! status_reason, ip, ip_line, ips, controlled_by, containers: [{ line, name, init,
//! image, ports: [{ port, protocol, name }], ports_line, state, state_reason,
//! last_state_reason, ready, restart_count, liveness, readiness, startup }], conditions:
//! [{ line, type, status }], qos_class, events: [{ line, type, reason, age, count, from,
//! message }] }`. A probe is `{ line, action, target, port, path, options }`, `port`
//! being a number or a port name.
//!
//! ```text
//! Name:         web-6d4cf56db6-x7k2p
//! Namespace:    shop
//! Node:         worker-1/10.0.0.11
//! Labels:       app=web
//! Status:       Running
//! IP:           10.244.1.7
//! Containers:
//!   web:
//!     Port:       8080/TCP
//!     Ready:      False
//!     Readiness:  http-get http://:8080/healthz delay=5s timeout=1s period=10s #success=1 #failure=3
//! ```

use super::kubectl_describe::{self as describe, Event, EventTable, Line, SubTable};
use super::kubectl_table::{self as table, TargetPort};
use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use pest::Parser;
use serde::Serialize;
use std::collections::BTreeMap;
use std::net::IpAddr;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/kubectl_describe_pod.pest"]
struct P;

/// One described Pod.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Record {
    /// Line of `Name:`.
    pub line: usize,
    pub name: String,
    pub namespace: Option<String>,
    /// `Node:` name; `None` for `<none>` (not scheduled).
    pub node: Option<String>,
    /// The node's IP after the `/` of `Node:`.
    pub node_ip: Option<IpAddr>,
    pub labels: BTreeMap<String, String>,
    pub labels_line: Option<usize>,
    /// `Status:` (the phase: `Running`, `Pending`, …).
    pub status: Option<String>,
    /// `Reason:` at the top (`Evicted`, `NodeLost`).
    pub status_reason: Option<String>,
    pub ip: Option<IpAddr>,
    pub ip_line: Option<usize>,
    /// `IPs:` (1.16+), dual-stack pods have two.
    pub ips: Vec<IpAddr>,
    /// `Controlled By:` (`ReplicaSet/web-6d4cf56db6`).
    pub controlled_by: Option<String>,
    /// Init containers first (`init: true`), then containers, as printed.
    pub containers: Vec<Container>,
    pub conditions: Vec<Condition>,
    pub qos_class: Option<String>,
    pub events: Vec<Event>,
}

/// One container block.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Container {
    /// Line of `  <name>:`.
    pub line: usize,
    pub name: String,
    /// Listed under `Init Containers:`.
    pub init: bool,
    pub image: Option<String>,
    pub ports: Vec<ContainerPort>,
    pub ports_line: Option<usize>,
    /// `State:` (`Running`, `Waiting`, `Terminated`).
    pub state: Option<String>,
    /// The `Reason:` under `State:` (`CrashLoopBackOff`, `ContainerCreating`).
    pub state_reason: Option<String>,
    /// The `Reason:` under `Last State:` (`Error`, `OOMKilled`).
    pub last_state_reason: Option<String>,
    pub ready: Option<bool>,
    pub restart_count: Option<u32>,
    pub liveness: Option<Probe>,
    pub readiness: Option<Probe>,
    pub startup: Option<Probe>,
}

/// A declared container port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContainerPort {
    pub port: u16,
    pub protocol: String,
    /// 1.30+ prints the name: `8080/TCP (http)`.
    pub name: Option<String>,
}

/// A probe line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Probe {
    pub line: usize,
    /// `http-get`, `tcp-socket`, `exec`, `grpc`.
    pub action: String,
    /// As printed: `http://:8080/healthz`, `:8080`, `[cat /tmp/healthy]`.
    pub target: String,
    /// The port probed: a number or a container port name.
    pub port: Option<TargetPort>,
    /// The HTTP path of an `http-get` probe.
    pub path: Option<String>,
    /// `delay`, `timeout`, `period`, `#success`, `#failure` as printed.
    pub options: BTreeMap<String, String>,
}

/// One row of the Conditions table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Condition {
    pub line: usize,
    #[serde(rename = "type")]
    pub condition_type: String,
    pub status: String,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "kubectl-describe-pod",
    aliases: &["kubectl-describe-po", "kubectl-describe-pods"],
    title: "kubectl describe pod",
    commands: &[
        "kubectl describe pod <name> -n <namespace>",
        "kubectl describe po -l <selector>",
    ],
    variants: &[
        "kubectl 1.6–1.15 (IP: only)",
        "kubectl 1.16+ (IPs:)",
        "kubectl 1.30+ (container port names)",
        "several pods in one output",
    ],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    cmd.kubectl
        .as_ref()
        .is_some_and(|k| k.is("describe", &["pods"]))
}

fn sniff(head: &str) -> Option<f32> {
    let has = |field: &str| head.lines().any(|l| l.starts_with(field));
    if !has("Name:") {
        return None;
    }
    let nested = |field: &str| head.lines().any(|l| l.trim_start().starts_with(field));
    let score = [
        has("Containers:") || has("Init Containers:"),
        has("Controlled By:") || has("Service Account:") || has("Start Time:"),
        has("Node:"),
        nested("Restart Count:") || nested("Container ID:") || nested("Image:"),
        has("QoS Class:") || has("Priority:"),
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
    Ips,
    Containers { init: bool },
    Conditions,
    Events,
    Other,
}

#[derive(Default)]
struct State {
    section: Option<Section>,
    /// Under `State:` (true) or `Last State:` (false) of the current container.
    in_state: Option<bool>,
    conditions: Option<SubTable>,
    events: EventTable,
}

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    describe::read_objects(
        seg,
        "pod",
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

fn top_field(rec: &mut Record, s: &mut State, line: &Line) -> Result<(), String> {
    let (key, value) = line.field.unwrap_or(("", ""));
    s.section = Some(Section::Fields);
    let err = |e: String| format!("{key}: {e}");
    match key {
        "Namespace" => rec.namespace = describe::opt(value),
        "Node" => {
            let (node, ip) = value.split_once('/').unwrap_or((value, ""));
            rec.node = describe::opt(node);
            rec.node_ip = describe::opt(ip)
                .map(|ip| {
                    ip.parse()
                        .map_err(|_| err(format!("{ip:?} is not an IP address")))
                })
                .transpose()?;
        }
        "Labels" => {
            s.section = Some(Section::Labels);
            rec.labels_line = Some(line.n);
            rec.labels = table::label_map(value).map_err(err)?;
        }
        "Status" => rec.status = describe::opt(value),
        "Reason" => rec.status_reason = describe::opt(value),
        "IP" => {
            rec.ip_line = Some(line.n);
            rec.ip = ip_value(value).map_err(err)?;
        }
        "IPs" => {
            s.section = Some(Section::Ips);
            rec.ips.extend(ip_value(value).map_err(err)?);
        }
        "Controlled By" => rec.controlled_by = describe::opt(value),
        "Containers" => s.section = Some(Section::Containers { init: false }),
        "Init Containers" => s.section = Some(Section::Containers { init: true }),
        "Conditions" => {
            s.section = Some(Section::Conditions);
            s.conditions = None;
        }
        "QoS Class" => rec.qos_class = describe::opt(value),
        "Events" => s.section = Some(Section::Events),
        // Name-value fields read no further (Priority, Service Account, Start Time,
        // Annotations, Volumes, Node-Selectors, Tolerations, …): their indented lines
        // are skipped.
        _ => s.section = Some(Section::Other),
    }
    Ok(())
}

fn ip_value(value: &str) -> Result<Option<IpAddr>, String> {
    match describe::opt(value) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| format!("{:?} is not an IP address", table::clip(&v))),
    }
}

fn nested(rec: &mut Record, s: &mut State, line: &Line) -> Result<(), String> {
    match s.section {
        Some(Section::Labels) => {
            let m = table::label_map(line.text).map_err(|e| format!("Labels: {e}"))?;
            rec.labels.extend(m);
        }
        Some(Section::Ips) => {
            if let Some(v) = line.value_of("IP") {
                rec.ips
                    .extend(ip_value(v).map_err(|e| format!("IPs: {e}"))?);
            }
        }
        Some(Section::Containers { init }) => container_line(rec, s, line, init)?,
        Some(Section::Conditions) => {
            if describe::is_rule(line.text) {
                return Ok(());
            }
            if let Some(h) = SubTable::header(line.raw, "Type") {
                s.conditions = Some(h);
                return Ok(());
            }
            let h = s
                .conditions
                .as_ref()
                .ok_or("Conditions: a row before the `Type  Status` header")?;
            let cells = h.row(line.raw).map_err(|e| format!("Conditions: {e}"))?;
            rec.conditions.push(Condition {
                line: line.n,
                condition_type: cells.first().unwrap_or(&"").to_string(),
                status: cells.get(1).unwrap_or(&"").to_string(),
            });
        }
        Some(Section::Events) => {
            if let Some(e) = s.events.line(line)? {
                rec.events.push(e);
            }
        }
        Some(Section::Fields | Section::Other) | None => {}
    }
    Ok(())
}

fn container_line(rec: &mut Record, s: &mut State, line: &Line, init: bool) -> Result<(), String> {
    // `  web:` opens a container (level 1 of the describe writer).
    if line.indent <= 2 {
        match line.field {
            Some((name, "")) => {
                rec.containers.push(Container {
                    line: line.n,
                    name: name.to_string(),
                    init,
                    ..Container::default()
                });
                s.in_state = None;
                return Ok(());
            }
            _ => {
                return Err(format!(
                    "expected a container name (`  name:`), got {:?}",
                    table::clip(line.text)
                ))
            }
        }
    }
    let Some(c) = rec.containers.last_mut() else {
        return Err("a container field before any container name".into());
    };
    let Some((key, value)) = line.field else {
        return Ok(()); // command, args and mount lines
    };
    if line.indent > 4 {
        // Under `State:` / `Last State:`: the reason.
        if key == "Reason" {
            match s.in_state {
                Some(true) => c.state_reason = describe::opt(value),
                Some(false) => c.last_state_reason = describe::opt(value),
                None => {}
            }
        }
        return Ok(());
    }
    s.in_state = None;
    match key {
        "Image" => c.image = describe::opt(value),
        "Port" | "Ports" => {
            c.ports = ports(value).map_err(|e| format!("{key}: {e}"))?;
            c.ports_line = Some(line.n);
        }
        "State" => {
            c.state = describe::opt(value);
            s.in_state = Some(true);
        }
        "Last State" => s.in_state = Some(false),
        "Ready" => {
            c.ready = match value {
                "True" => Some(true),
                "False" => Some(false),
                _ => {
                    return Err(format!(
                        "Ready: {:?} is not True or False",
                        table::clip(value)
                    ))
                }
            }
        }
        "Restart Count" => {
            c.restart_count =
                Some(value.parse().map_err(|_| {
                    format!("Restart Count: {:?} is not a number", table::clip(value))
                })?)
        }
        "Liveness" => c.liveness = Some(probe(line.n, value)?),
        "Readiness" => c.readiness = Some(probe(line.n, value)?),
        "Startup" => c.startup = Some(probe(line.n, value)?),
        _ => {}
    }
    Ok(())
}

fn ports(value: &str) -> Result<Vec<ContainerPort>, String> {
    let pairs = P::parse(Rule::container_ports, value)
        .map_err(|e| table::cell_error(&e, "container ports"))?;
    let mut out = Vec::new();
    for p in pairs
        .flatten()
        .filter(|p| p.as_rule() == Rule::container_port)
    {
        let mut port = 0;
        let mut protocol = String::new();
        let mut name = None;
        for q in p.into_inner() {
            match q.as_rule() {
                Rule::port => port = table::parse_port(q.as_str())?,
                Rule::protocol => protocol = q.as_str().to_string(),
                Rule::port_name => name = Some(q.as_str().to_string()),
                _ => {}
            }
        }
        out.push(ContainerPort {
            port,
            protocol,
            name,
        });
    }
    Ok(out)
}

fn probe(n: usize, value: &str) -> Result<Probe, String> {
    let pairs = P::parse(Rule::probe_value, value).map_err(|e| table::cell_error(&e, "probe"))?;
    let mut action = String::new();
    let mut target = String::new();
    let mut options = BTreeMap::new();
    for p in pairs.flatten() {
        match p.as_rule() {
            Rule::probe_action => action = p.as_str().to_string(),
            Rule::probe_target => target = p.as_str().to_string(),
            Rule::probe_option => {
                let (k, v) = p.as_str().split_once('=').unwrap_or((p.as_str(), ""));
                options.insert(k.to_string(), v.to_string());
            }
            _ => {}
        }
    }
    let (port, path) = probe_port(&action, &target);
    Ok(Probe {
        line: n,
        action,
        target,
        port,
        path,
        options,
    })
}

/// The port (and HTTP path) a probe target names: `http://:8080/healthz` → 8080 and
/// `/healthz`; `:http` → the name `http`; `[cmd]` → none.
fn probe_port(action: &str, target: &str) -> (Option<TargetPort>, Option<String>) {
    let (host_port, path) = match action {
        "http-get" => {
            let rest = target.split_once("://").map_or(target, |(_, r)| r);
            match rest.find('/') {
                Some(i) => (
                    rest.get(..i).unwrap_or(""),
                    rest.get(i..).map(str::to_string),
                ),
                None => (rest, None),
            }
        }
        "tcp-socket" | "grpc" => (target, None),
        _ => return (None, None),
    };
    let port = host_port
        .rsplit_once(':')
        .map(|(_, p)| p)
        .filter(|p| !p.is_empty());
    let port = port.map(|p| match p.parse::<u16>() {
        Ok(n) => TargetPort::Number(n),
        Err(_) => TargetPort::Name(p.to_string()),
    });
    (port, path)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn values() {
        let p = ports("8080/TCP, 9090/UDP").unwrap();
        assert_eq!((p[1].port, p[1].protocol.as_str()), (9090, "UDP"));
        assert_eq!(
            ports("8080/TCP (http)").unwrap()[0].name.as_deref(),
            Some("http")
        );
        assert!(ports("<none>").unwrap().is_empty());
        assert!(ports("8080").is_err());
        let pr = probe(
            1,
            "http-get http://:8080/healthz delay=5s timeout=1s period=10s #success=1 #failure=3",
        )
        .unwrap();
        assert_eq!(pr.port, Some(TargetPort::Number(8080)));
        assert_eq!(pr.path.as_deref(), Some("/healthz"));
        assert_eq!(pr.options.get("#failure").map(String::as_str), Some("3"));
        let pr = probe(
            1,
            "tcp-socket :http delay=0s timeout=1s period=10s #success=1 #failure=3",
        )
        .unwrap();
        assert_eq!(pr.port, Some(TargetPort::Name("http".into())));
        let pr = probe(
            1,
            "exec [cat /tmp/healthy] delay=5s timeout=1s period=5s #success=1 #failure=3",
        )
        .unwrap();
        assert_eq!((pr.target.as_str(), pr.port), ("[cat /tmp/healthy]", None));
        assert!(probe(1, "carrier-pigeon x").is_err());
    }
}
