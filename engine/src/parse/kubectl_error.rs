//! Errors kubectl and the API server print.
//!
//! Commands: any kubectl command whose output is an error instead of its usual output
//! (`kubectl apply -f svc.yaml`, `kubectl get svc x`, `kubectl logs POD`, `kubectl exec …`,
//! `kubectl port-forward …`, `kubectl proxy` requests). No command line decides this kind: the
//! same command prints a table when it works, so content decides.
//!
//! Variants: kubectl 1.0–1.31 wording: validation errors in the current form (`The Service
//! "my-service" is invalid: spec.ports[0].nodePort: Invalid value: 2181: provided port is not
//! in the valid range. The range of valid ports is 30000-32767`), the 1.0 form (`is
//! invalid:spec.ports[0].nodePort: spec.ports[0].nodePort: invalid value '2181': …`) and the
//! multi-error form (`is invalid: ` followed by `* field: …` lines); `Error from server
//! (Reason): …` and `Error from server: …`; `error: …`; `Unable to connect to the server: …`;
//! `The connection to the server HOST:PORT was refused - did you specify the right host or
//! port?`.
//!
//! Record: one per error: `signature`, and `kind`, `name`, `field`, `value`, `reason`,
//! `address` where the message has them:
//!
//! | signature | from | fields |
//! |---|---|---|
//! | `invalid` | `The KIND "NAME" is invalid: FIELD: Invalid value: VALUE: REASON` (and `* FIELD: …` bullets) | `kind`, `name`, `field`, `value`, `reason` (the explanation, or the error type such as `Required value`) |
//! | `not-found` | `Error from server (NotFound): services "x" not found` | `kind` (the resource as printed: `services`), `name`, `reason` |
//! | `no-endpoints` | `error: no endpoints available for service "x"`, `Error from server (ServiceUnavailable): no endpoints …` | `kind: "service"`, `name` |
//! | `api-unreachable` | `Unable to connect to the server: dial tcp 10.0.0.1:6443: i/o timeout`, `The connection to the server localhost:8080 was refused …` | `address`, `reason` |
//! | `kubelet-unreachable` | `Error from server: Get https://NODE:10250/containerLogs/…: dial tcp NODE:10250: connection refused`, `error: unable to upgrade connection: … dial tcp …`, `error dialing backend: dial tcp …` | `address`, `reason` |
//! | `forbidden` | `Error from server (Forbidden): services is forbidden: User "u" cannot list …` | `kind`, `name` when printed, `reason` |
//! | `other-error` | any other `Error from server …`, `error: …`, `Error: …` | `reason` |
//!
//! The same Go network errors are also read by `net-errors`, which claims a segment made of
//! them (its sniffer is surer of such lines than this one); this parser reads them when they
//! sit among kubectl's own errors or when asked with `--as kubectl-error`.
//!
//! Known lines skipped deliberately: kubectl's lines around an exec/run (`command terminated
//! with exit code 1`, …) and `Trying to reach: '…'` after a proxy error. Every other line that
//! is not an error is a problem.
//!
//! ```text
//! Error from server (NotFound): services "backend" not found
//! → { line: 1, signature: "not-found", kind: "services", name: "backend", field: null,
//!     value: null, reason: "services \"backend\" not found", address: null }
//! ```

use super::common::{capped_at, MAX_LOG_LINE};
use super::resolv_conf::is_kubectl_noise;
use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use pest::iterators::Pair;
use pest::Parser;
use serde::Serialize;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/kubectl_error.pest"]
struct P;

/// One error kubectl printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    /// 1-based input line.
    pub line: usize,
    /// `invalid`, `not-found`, `no-endpoints`, `api-unreachable`, `kubelet-unreachable`,
    /// `forbidden`, `other-error`.
    pub signature: String,
    /// Object kind (`Service`) or resource as printed (`services`).
    pub kind: Option<String>,
    pub name: Option<String>,
    /// The field path of a validation error: `spec.ports[0].nodePort`.
    pub field: Option<String>,
    /// The rejected value: `2181`.
    pub value: Option<String>,
    /// Why, as printed.
    pub reason: Option<String>,
    /// The address kubectl or the API server could not reach: `10.0.0.1:6443`.
    pub address: Option<String>,
}

impl Record {
    fn new(line: usize, signature: &str) -> Record {
        Record {
            line,
            signature: signature.to_string(),
            kind: None,
            name: None,
            field: None,
            value: None,
            reason: None,
            address: None,
        }
    }
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "kubectl-error",
    aliases: &["kubectl-errors"],
    title: "kubectl and API server errors",
    commands: &[
        "kubectl apply -f FILE",
        "kubectl get RESOURCE NAME",
        "kubectl logs POD",
        "kubectl exec POD -- CMD",
    ],
    variants: &[
        "kubectl 1.0 validation wording",
        "kubectl 1.5–1.31 (`Invalid value: V: reason`, `Error from server (Reason): …`)",
    ],
    matches_command,
    sniff,
};

fn matches_command(_cmd: &CommandLine) -> bool {
    // A kubectl command prints an error only when it fails: content decides.
    false
}

/// Phrases `net-errors` reads: such lines are its, unless kubectl's own errors surround them.
fn is_net_error(l: &str) -> bool {
    [
        "dial tcp",
        "dial udp",
        "The connection to the server ",
        "i/o timeout",
        "connection refused",
        "context deadline exceeded",
        "net/http: ",
    ]
    .iter()
    .any(|p| l.contains(p))
}

fn sniff(head: &str) -> Option<f32> {
    let mut score: f32 = 0.0;
    for l in head.lines() {
        let t = capped_at(l.trim(), MAX_LOG_LINE);
        if !(t.starts_with("The ")
            || t.starts_with("Error")
            || t.starts_with("error: ")
            || t.starts_with("Unable to connect"))
        {
            continue;
        }
        if P::parse(Rule::error_line, t).is_err() {
            continue;
        }
        let s = if is_net_error(t) {
            0.3
        } else if t.starts_with("The ") || t.starts_with("Error from server") {
            0.9
        } else {
            0.6
        };
        score = score.max(s);
    }
    (score > 0.0).then_some(score)
}

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out: Output<Record> = Output::default();
    // The kind and name of the last `is invalid:` line, and whether bullets followed it.
    let mut invalid_head: Option<(usize, bool)> = None;
    for (n, raw) in seg.lines() {
        let text = capped_at(raw, MAX_LOG_LINE).trim();
        if text.is_empty() || is_kubectl_noise(text) || text.starts_with("Trying to reach: ") {
            continue;
        }
        if let (Some((idx, _)), Ok(mut b)) = (invalid_head, P::parse(Rule::bullet, text)) {
            let base = out.records.get(idx).cloned();
            if let (Some(base), Some(fe)) = (base, b.next().and_then(|b| b.into_inner().next())) {
                let mut r = Record::new(n, "invalid");
                r.kind = base.kind;
                r.name = base.name;
                field_error(&mut r, fe);
                if invalid_head.is_some_and(|(_, bulleted)| !bulleted) {
                    // The header line said only "is invalid:": its bullets replace it.
                    out.records.remove(idx);
                    invalid_head = Some((out.records.len(), true));
                }
                out.records.push(r);
                continue;
            }
        }
        let Some(line) = P::parse(Rule::error_line, text)
            .ok()
            .and_then(|mut p| p.next())
            .and_then(|l| l.into_inner().next())
        else {
            invalid_head = None;
            out.problem(
                n,
                "expected a kubectl error (`Error from server (…): …`, `error: …`, `The Service \"x\" is invalid: …`, `Unable to connect to the server: …`)",
            );
            continue;
        };
        invalid_head = None;
        let rec = match line.as_rule() {
            Rule::invalid => {
                let r = invalid(n, line);
                if r.field.is_none() {
                    invalid_head = Some((out.records.len(), false));
                }
                r
            }
            Rule::server_error | Rule::client_error => error_message(n, line),
            Rule::unable_connect => {
                let mut r = Record::new(n, "api-unreachable");
                let msg = line.into_inner().next().map(|p| p.as_str()).unwrap_or("");
                dial(&mut r, msg);
                r
            }
            _ => {
                let mut r = Record::new(n, "api-unreachable");
                for p in line.into_inner() {
                    if p.as_rule() == Rule::address {
                        r.address = Some(p.as_str().to_string());
                    }
                }
                r.reason = Some("connection refused".into());
                r
            }
        };
        out.records.push(rec);
    }
    out
}

fn invalid(n: usize, line: Pair<'_, Rule>) -> Record {
    let mut r = Record::new(n, "invalid");
    for p in line.into_inner() {
        match p.as_rule() {
            Rule::object_kind => r.kind = Some(p.as_str().to_string()),
            Rule::object_name => r.name = Some(p.as_str().to_string()),
            Rule::field_error => field_error(&mut r, p),
            Rule::message if !p.as_str().trim().is_empty() => {
                r.reason = Some(p.as_str().trim().to_string());
            }
            _ => {}
        }
    }
    r
}

fn field_error(r: &mut Record, fe: Pair<'_, Rule>) {
    let mut error_type = None;
    for p in fe.into_inner() {
        match p.as_rule() {
            // `spec.ports[0].nodePort: spec.ports[0].nodePort: …` (1.0): the last one.
            Rule::field_path => r.field = Some(p.as_str().to_string()),
            Rule::error_type => error_type = Some(p.as_str().to_string()),
            Rule::value | Rule::quoted_value => r.value = Some(p.as_str().to_string()),
            Rule::reason => r.reason = Some(p.as_str().trim().to_string()),
            _ => {}
        }
    }
    if r.reason.is_none() {
        r.reason = error_type;
    }
}

/// Fill `address` and `reason` from a `dial tcp ADDR: REASON` in `msg`; false when none.
fn dial(r: &mut Record, msg: &str) -> bool {
    let found = P::parse(Rule::dial_in, msg)
        .ok()
        .and_then(|mut p| p.next())
        .and_then(|d| d.into_inner().next());
    match found {
        Some(d) => {
            for p in d.into_inner() {
                match p.as_rule() {
                    Rule::address => r.address = Some(p.as_str().to_string()),
                    Rule::reason => r.reason = Some(p.as_str().trim().to_string()),
                    _ => {}
                }
            }
            true
        }
        None => {
            r.reason = Some(msg.trim().to_string());
            false
        }
    }
}

fn error_message(n: usize, line: Pair<'_, Rule>) -> Record {
    let mut status = "";
    let mut msg = "";
    for p in line.into_inner() {
        match p.as_rule() {
            Rule::status_reason => status = p.as_str(),
            Rule::message => msg = p.as_str().trim(),
            _ => {}
        }
    }
    let first = |rule: Rule| {
        P::parse(rule, msg)
            .ok()
            .and_then(|mut p| p.next())
            .filter(|p| p.as_str().len() == msg.len() || rule != Rule::not_found)
    };
    if let Some(p) = first(Rule::no_endpoints) {
        let mut r = Record::new(n, "no-endpoints");
        r.kind = Some("service".into());
        r.name = p.into_inner().next().map(|x| x.as_str().to_string());
        r.reason = Some(msg.to_string());
        return r;
    }
    if let Some(p) = first(Rule::not_found).filter(|_| status.is_empty() || status == "NotFound") {
        let mut r = Record::new(n, "not-found");
        for x in p.into_inner() {
            match x.as_rule() {
                Rule::resource => r.kind = Some(x.as_str().to_string()),
                Rule::object_name => r.name = Some(x.as_str().to_string()),
                _ => {}
            }
        }
        r.reason = Some(msg.to_string());
        return r;
    }
    if status == "Forbidden" || first(Rule::forbidden).is_some() {
        let mut r = Record::new(n, "forbidden");
        if let Some(p) = first(Rule::forbidden) {
            for x in p.into_inner() {
                match x.as_rule() {
                    Rule::resource => r.kind = Some(x.as_str().to_string()),
                    Rule::object_name => r.name = Some(x.as_str().to_string()),
                    _ => {}
                }
            }
        }
        r.reason = Some(msg.to_string());
        return r;
    }
    if status == "NotFound" {
        let mut r = Record::new(n, "not-found");
        r.reason = Some(msg.to_string());
        return r;
    }
    // The API server proxies logs, exec and port-forward to the kubelet (port 10250).
    let kubelet_path = ["/containerLogs/", "/exec/", "/attach/", "/portForward/"]
        .iter()
        .any(|p| msg.contains(p))
        || msg.contains("unable to upgrade connection")
        || msg.contains("error dialing backend");
    let mut r = Record::new(n, "other-error");
    if dial(&mut r, msg) {
        let kubelet_port = r.address.as_deref().is_some_and(|a| a.ends_with(":10250"));
        r.signature = if kubelet_path || kubelet_port {
            "kubelet-unreachable"
        } else {
            "api-unreachable"
        }
        .into();
    } else {
        r.reason = Some(msg.to_string());
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> Record {
        parse(&Segment::new(line, 1))
            .records
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no record: {line}"))
    }

    #[test]
    fn wordings() {
        let r = one("The Service \"my-service\" is invalid: spec.ports[0].nodePort: Invalid value: 2181: provided port is not in the valid range. The range of valid ports is 30000-32767");
        assert_eq!(r.field.as_deref(), Some("spec.ports[0].nodePort"));
        assert_eq!(r.value.as_deref(), Some("2181"));
        let r = one("The Service \"my-service\" is invalid:spec.ports[0].nodePort: spec.ports[0].nodePort: invalid value '2181': provided port is not in the valid range");
        assert_eq!(
            (r.kind.as_deref(), r.value.as_deref()),
            (Some("Service"), Some("2181"))
        );
        let r = one("Error from server (NotFound): services \"x\" not found");
        assert_eq!(
            (r.signature.as_str(), r.name.as_deref()),
            ("not-found", Some("x"))
        );
        let r = one("Error from server: Get https://192.168.0.22:10250/containerLogs/default/p/c: dial tcp 192.168.0.22:10250: connection refused");
        assert_eq!(r.signature, "kubelet-unreachable");
        assert_eq!(r.address.as_deref(), Some("192.168.0.22:10250"));
        let r = one("The connection to the server localhost:8080 was refused - did you specify the right host or port?");
        assert_eq!(
            (r.signature.as_str(), r.address.as_deref()),
            ("api-unreachable", Some("localhost:8080"))
        );
        assert_eq!(parse(&Segment::new("NAME READY", 5)).problems[0].line, 5);
    }
}
