//! `kubectl describe service`.
//!
//! Commands: `kubectl describe svc <name> [-n <ns>]`, `kubectl describe service`,
//! `kubectl describe svc -A` / `-l <selector>` (many services, one record each).
//!
//! Variants: kubectl 1.6 … 1.33. 1.20+ adds `IP Family Policy:`, `IP Families:` and
//! `IPs:`; 1.22+ `Internal Traffic Policy:`; LoadBalancer services print `LoadBalancer
//! Ingress:` and `Health Check Nodeport:`; ExternalName services `External Name:`. Labels
//! and annotations may continue on indented lines. The `Port:` / `TargetPort:` /
//! `NodePort:` / `Endpoints:` lines repeat once per service port: each `Port:` opens a
//! port block that the following lines fill.
//!
//! Record: `{ line (the Name: line), name, namespace, labels, annotations_line, selector,
//! selector_line, type, ip, ip_line, ips, ip_family_policy, external_ips,
//! load_balancer_ingress, external_name, ports: [{ line, name, port, protocol,
//! target_port, target_port_line, node_port, node_port_line, endpoints, endpoints_more,
//! endpoints_line }], session_affinity, external_traffic_policy,
//! external_traffic_policy_line, internal_traffic_policy, health_check_node_port, events:
//! [{ line, text }] }`. `target_port` is a number or a name (JSON `8080` or `"http"`);
//! `endpoints` is `null` without an `Endpoints:` line and `[]` for `<none>` or empty.
//!
//! ```text
//! Name:              redis-example
//! Namespace:         default
//! Selector:          redis=example
//! Type:              ClusterIP
//! IP:                10.101.33.59
//! Port:              redis  6379/TCP
//! TargetPort:        9121/TCP
//! Endpoints:         10.244.1.5:9121
//! ```

use super::kubectl_table::{self as table};
pub use super::kubectl_table::{EndpointAddress, TargetPort};
use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use pest::Parser;
use serde::Serialize;
use std::collections::BTreeMap;
use std::net::IpAddr;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/kubectl_describe_svc.pest"]
struct P;

/// One described Service.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Record {
    /// 1-based input line of `Name:`.
    pub line: usize,
    pub name: String,
    pub namespace: Option<String>,
    pub labels: BTreeMap<String, String>,
    /// Line of `Annotations:` (their content is not read).
    pub annotations_line: Option<usize>,
    /// `{}` for `<none>`.
    pub selector: BTreeMap<String, String>,
    /// Line of `Selector:`; `None` if the output had none.
    pub selector_line: Option<usize>,
    #[serde(rename = "type")]
    pub service_type: Option<String>,
    /// `IP:`; `None` for `None` (headless) or when absent.
    pub ip: Option<IpAddr>,
    pub ip_line: Option<usize>,
    /// `IPs:` (1.20+), for dual-stack services.
    pub ips: Vec<IpAddr>,
    pub ip_family_policy: Option<String>,
    pub external_ips: Vec<String>,
    pub load_balancer_ingress: Vec<String>,
    pub external_name: Option<String>,
    pub ports: Vec<DescribedPort>,
    pub session_affinity: Option<String>,
    pub external_traffic_policy: Option<String>,
    pub external_traffic_policy_line: Option<usize>,
    pub internal_traffic_policy: Option<String>,
    pub health_check_node_port: Option<u16>,
    pub events: Vec<Event>,
}

/// One port block: `Port:` and the lines after it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DescribedPort {
    /// Line of `Port:`.
    pub line: usize,
    /// Port name; `None` for `<unset>` or when not printed.
    pub name: Option<String>,
    pub port: u16,
    pub protocol: String,
    pub target_port: Option<TargetPort>,
    pub target_port_line: Option<usize>,
    pub node_port: Option<u16>,
    pub node_port_line: Option<usize>,
    /// `None` without an `Endpoints:` line; `Some([])` for `<none>` or empty.
    pub endpoints: Option<Vec<EndpointAddress>>,
    /// `+ 3 more...` on the `Endpoints:` line.
    pub endpoints_more: u32,
    pub endpoints_line: Option<usize>,
}

/// One row of the `Events:` table, as printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    pub line: usize,
    pub text: String,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "kubectl-describe-svc",
    aliases: &["kubectl-describe-service"],
    title: "kubectl describe service",
    commands: &[
        "kubectl describe svc <name> -n <namespace>",
        "kubectl describe service",
        "kubectl describe svc -l <selector>",
    ],
    variants: &[
        "kubectl 1.6–1.19 (IP:)",
        "kubectl 1.20+ (IP Family Policy, IP Families, IPs)",
        "kubectl 1.22+ (Internal Traffic Policy)",
        "several services in one output",
    ],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    cmd.kubectl
        .as_ref()
        .is_some_and(|k| k.is("describe", &["services"]))
}

fn sniff(head: &str) -> Option<f32> {
    let has = |field: &str| head.lines().any(|l| l.starts_with(field));
    // `Name:` opens every kubectl describe; TargetPort and Session Affinity are Service-only.
    if !has("Name:") || !(has("TargetPort:") || has("Session Affinity:")) {
        return None;
    }
    let score = [
        "Selector:",
        "TargetPort:",
        "Session Affinity:",
        "Endpoints:",
        "Type:",
    ]
    .iter()
    .filter(|f| has(f))
    .count();
    super::kubectl_describe::confidence(score)
}

#[derive(PartialEq, Clone, Copy, Default)]
enum Section {
    #[default]
    Fields,
    Labels,
    Annotations,
    Events,
    Other,
}

/// Parse one segment (the line walk is [`super::kubectl_describe::read_objects`]).
pub fn parse(seg: &Segment) -> Output<Record> {
    super::kubectl_describe::read_objects(
        seg,
        "service",
        |line| Record {
            line: line.n,
            name: line.value_of("Name").unwrap_or("").to_string(),
            ..Record::default()
        },
        |rec, section: &mut Section, line| {
            if line.indent > 0 {
                let mut out = Output::default();
                continuation(rec, section, line.n, line.text, &mut out);
                return match out.problems.pop() {
                    Some(p) => Err(p.message),
                    None => Ok(()),
                };
            }
            let (name, value) = line.field.unwrap_or(("", ""));
            let mut s = Section::Fields;
            let r = field(rec, &mut s, line.n, name, value).map_err(|e| format!("{name}: {e}"));
            *section = s;
            r
        },
    )
}

/// An indented line: a further label, annotation, or an event row.
fn continuation(
    rec: &mut Record,
    section: &Section,
    n: usize,
    text: &str,
    out: &mut Output<Record>,
) {
    match section {
        Section::Labels => match table::label_map(text) {
            Ok(m) => rec.labels.extend(m),
            Err(e) => out.problem(n, format!("Labels: {e}")),
        },
        Section::Events => {
            let is_header = text.starts_with("Type") && text.contains("Reason");
            let is_rule = text.chars().all(|c| c == '-' || c == ' ');
            if !is_header && !is_rule {
                rec.events.push(Event {
                    line: n,
                    text: text.to_string(),
                });
            }
        }
        // Annotation values (even multi-line JSON) and LoadBalancer Ingress lists.
        Section::Annotations | Section::Other | Section::Fields => {}
    }
}

fn opt(value: &str) -> Option<String> {
    (!value.is_empty() && value != "<none>").then(|| value.to_string())
}

fn field(
    rec: &mut Record,
    section: &mut Section,
    n: usize,
    name: &str,
    value: &str,
) -> Result<(), String> {
    match name {
        "Namespace" => rec.namespace = opt(value),
        "Labels" => {
            *section = Section::Labels;
            rec.labels = table::label_map(value)?;
        }
        "Annotations" => {
            *section = Section::Annotations;
            rec.annotations_line = Some(n);
        }
        "Selector" => {
            rec.selector_line = Some(n);
            rec.selector = table::label_map(value)?;
        }
        "Type" => rec.service_type = opt(value),
        "IP" => {
            rec.ip_line = Some(n);
            rec.ip = ip_or_none(value)?;
        }
        "IPs" => {
            rec.ips = value
                .split(',')
                .map(ip_or_none)
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .flatten()
                .collect();
        }
        "IP Family Policy" => rec.ip_family_policy = opt(value),
        "IP Families" => {}
        "External IPs" => rec.external_ips = value.split(',').filter_map(opt).collect(),
        "LoadBalancer Ingress" => {
            *section = Section::Other;
            rec.load_balancer_ingress = value.split(',').filter_map(|v| opt(v.trim())).collect();
        }
        "External Name" => rec.external_name = opt(value),
        "Port" => rec.ports.push(port_line(n, value)?),
        "TargetPort" => {
            let p = last_port(rec)?;
            p.target_port = Some(target_port(value)?);
            p.target_port_line = Some(n);
        }
        "NodePort" => {
            let (_, port, _) = named_port(Rule::node_port_value, value, "node port")?;
            let p = last_port(rec)?;
            p.node_port = Some(port);
            p.node_port_line = Some(n);
        }
        "Endpoints" => {
            let list = table::endpoint_list(value)?;
            let p = last_port(rec)?;
            p.endpoints = Some(list.addresses);
            p.endpoints_more = list.more;
            p.endpoints_line = Some(n);
        }
        "Session Affinity" => rec.session_affinity = opt(value),
        "External Traffic Policy" => {
            rec.external_traffic_policy = opt(value);
            rec.external_traffic_policy_line = Some(n);
        }
        "Internal Traffic Policy" => rec.internal_traffic_policy = opt(value),
        "HealthCheck NodePort" | "Health Check Nodeport" => {
            rec.health_check_node_port = Some(table::parse_port(value)?)
        }
        "Events" => {
            if value.is_empty() {
                *section = Section::Events;
            }
        }
        // Fields this parser does not need (`Session Affinity Config`, `Traffic
        // Distribution`, …): known shape, ignored.
        _ => *section = Section::Other,
    }
    Ok(())
}

fn ip_or_none(value: &str) -> Result<Option<IpAddr>, String> {
    let v = value.trim();
    if v == "None" || v == "<none>" || v.is_empty() {
        return Ok(None);
    }
    v.parse::<IpAddr>()
        .map(Some)
        .map_err(|_| format!("{:?} is not an IP address", table::clip(v)))
}

fn last_port(rec: &mut Record) -> Result<&mut DescribedPort, String> {
    rec.ports
        .last_mut()
        .ok_or_else(|| "no `Port:` line before it".to_string())
}

fn named_port(
    rule: Rule,
    value: &str,
    what: &str,
) -> Result<(Option<String>, u16, String), String> {
    let pairs = P::parse(rule, value).map_err(|e| table::cell_error(&e, what))?;
    let mut name = None;
    let mut port = 0;
    let mut protocol = String::new();
    for p in pairs.flatten() {
        match p.as_rule() {
            Rule::port_name => name = Some(p.as_str().to_string()).filter(|s| s != "<unset>"),
            Rule::port => port = table::parse_port(p.as_str())?,
            Rule::protocol => protocol = p.as_str().to_string(),
            _ => {}
        }
    }
    Ok((name, port, protocol))
}

fn port_line(n: usize, value: &str) -> Result<DescribedPort, String> {
    let (name, port, protocol) = named_port(Rule::port_value, value, "port")?;
    Ok(DescribedPort {
        line: n,
        name,
        port,
        protocol,
        target_port: None,
        target_port_line: None,
        node_port: None,
        node_port_line: None,
        endpoints: None,
        endpoints_more: 0,
        endpoints_line: None,
    })
}

fn target_port(value: &str) -> Result<TargetPort, String> {
    let pairs = P::parse(Rule::target_port_value, value)
        .map_err(|e| table::cell_error(&e, "target port"))?;
    for p in pairs.flatten() {
        match p.as_rule() {
            Rule::target_port_number => {
                return table::parse_port(p.as_str()).map(TargetPort::Number)
            }
            Rule::target_port_name => return Ok(TargetPort::Name(p.as_str().to_string())),
            _ => {}
        }
    }
    Err("no target port".into())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn field_lines() {
        assert!(P::parse(Rule::field_line, "Session Affinity:  None").is_ok());
        assert!(P::parse(Rule::field_line, "Events:            <none>").is_ok());
        assert!(P::parse(Rule::field_line, "Annotations:").is_ok());
        assert!(P::parse(Rule::field_line, "10.0.0.1:80").is_err());
        assert!(P::parse(Rule::field_line, "no colon here").is_err());
    }

    #[test]
    fn port_values() {
        assert_eq!(
            named_port(Rule::port_value, "redis  6379/TCP", "port").unwrap(),
            (Some("redis".into()), 6379, "TCP".into())
        );
        assert_eq!(
            named_port(Rule::port_value, "<unset>  53/UDP", "port").unwrap(),
            (None, 53, "UDP".into())
        );
        assert_eq!(
            named_port(Rule::port_value, "80/TCP", "port").unwrap(),
            (None, 80, "TCP".into())
        );
        assert!(named_port(Rule::port_value, "http  80", "port").is_err());
        assert!(named_port(Rule::port_value, "http  99999/TCP", "port").is_err());
        assert_eq!(target_port("9121/TCP").unwrap(), TargetPort::Number(9121));
        assert_eq!(
            target_port("http/TCP").unwrap(),
            TargetPort::Name("http".into())
        );
        assert_eq!(target_port("8080").unwrap(), TargetPort::Number(8080));
        assert_eq!(
            target_port("8080x").unwrap(),
            TargetPort::Name("8080x".into())
        );
        assert!(target_port("a b").is_err());
    }

    #[test]
    fn sniffs() {
        assert!(sniff(
            "Name: x\nNamespace: y\nSelector: a=b\nType: ClusterIP\nTargetPort: 80/TCP\n"
        )
        .is_some());
        assert!(sniff("Name: x\nStatus: Running\n").is_none());
    }
}
