//! Transport predicates: how a connection attempt ended, and whether anything listens
//! on the port it tried.

use super::{Answer, Ctx, PredicateInfo, Proof, Subject};
use crate::facts::{Facts, Probe, ProbeOutcome};

fn probe_of<'a>(ctx: &Ctx<'a>) -> Option<&'a Probe> {
    match ctx.subject {
        Subject::Probe(p) => Some(p),
        _ => None,
    }
}

/// `10.96.0.10:80`, `backend:80`, or what the tool gave.
fn target(p: &Probe) -> String {
    let host = p
        .host
        .clone()
        .or(p.ip.map(|i| i.to_string()))
        .unwrap_or_else(|| "the target".into());
    match p.port {
        Some(port) => format!("{host}:{port}"),
        None => host,
    }
}

/// The proof every probe answer starts from: its line, its values, its relations.
pub fn probe_proof(facts: &Facts, p: &Probe) -> Proof {
    let mut proof = Proof::default()
        .line(p.line)
        .key(format!("probe:{}", p.line));
    if let Some(h) = &p.host {
        proof = proof.var("host", h.clone());
    }
    if let Some(port) = p.port {
        proof = proof.var("port", port.to_string());
    }
    if let Some(u) = &p.url {
        proof = proof.var("url", u.clone());
    }
    if let Some(ns) = &p.client_namespace {
        proof = proof
            .key(format!("client-ns:{ns}"))
            .var("client_namespace", ns.clone());
    }
    if let Some(pod) = &p.client_pod {
        proof = proof.var("client_pod", pod.clone());
    }
    if let Some(svc) = facts.service_for_probe(p) {
        proof = proof
            .key(format!("svc:{}", svc.name))
            .var("service", svc.name.clone());
        if let Some(ns) = &svc.namespace {
            proof = proof.var("namespace", ns.clone());
        }
        if let Some(ip) = svc.cluster_ip {
            proof = proof.var("cluster_ip", ip.to_string());
        }
    }
    proof
}

fn outcome_is(ctx: &Ctx, outcome: ProbeOutcome, yes: fn(&Probe) -> String) -> Answer {
    let Some(p) = probe_of(ctx) else {
        return Answer::Unknown(vec![]);
    };
    let proof = probe_proof(ctx.facts, p);
    if p.outcome == outcome {
        Answer::Yes(Proof {
            summary: yes(p),
            ..proof
        })
    } else {
        Answer::No(proof)
    }
}

pub const PROBE_REFUSED: PredicateInfo = PredicateInfo {
    name: "probe_refused",
    question: "Was the connection refused (RST)?",
    subject: "probe",
    eval: |ctx| {
        outcome_is(ctx, ProbeOutcome::Refused, |p| {
            format!("{} to {} was refused: a RST came back, so the host is reachable but nothing accepts on that port — or the Service has no endpoints and kube-proxy rejects the connection.", p.tool, target(p))
        })
    },
};

pub const PROBE_TIMED_OUT: PredicateInfo = PredicateInfo {
    name: "probe_timed_out",
    question: "Did the connection time out (no answer at all)?",
    subject: "probe",
    eval: |ctx| {
        outcome_is(ctx, ProbeOutcome::Timeout, |p| {
            format!("{} to {} timed out: no answer at all, so packets are dropped on the way — a NetworkPolicy, a firewall or security group, or a missing route — rather than rejected.", p.tool, target(p))
        })
    },
};

pub const PROBE_RESET: PredicateInfo = PredicateInfo {
    name: "probe_reset",
    question: "Was the connection reset after it was established?",
    subject: "probe",
    eval: |ctx| {
        outcome_is(ctx, ProbeOutcome::Reset, |p| {
            format!("{} to {} was reset by the peer after connecting: the backend crashed, is overloaded, or speaks another protocol (TLS vs plain HTTP).", p.tool, target(p))
        })
    },
};

/// The port a probe's packets reach in the pod: the targetPort when it went through a
/// known Service, else the port it tried.
fn pod_port(facts: &Facts, p: &Probe) -> Option<u16> {
    let port = p.port?;
    match facts.service_for_probe(p) {
        Some(svc) => {
            svc.ports
                .iter()
                .find(|sp| sp.port == port)
                .and_then(|sp| match &sp.target_port {
                    Some(crate::facts::TargetPort::Number(n)) => Some(*n),
                    Some(crate::facts::TargetPort::Name(_)) => None,
                    None => Some(port),
                })
        }
        None => Some(port),
    }
}

pub const PROBE_PORT_HAS_LISTENER: PredicateInfo = PredicateInfo {
    name: "probe_port_has_listener",
    question: "Does anything listen on the port the client tried?",
    subject: "probe",
    eval: |ctx| {
        let Some(p) = probe_of(ctx) else {
            return Answer::Unknown(vec![]);
        };
        let facts = ctx.facts;
        let Some(port) = pod_port(facts, p) else {
            return Answer::Unknown(vec![]);
        };
        if facts.listeners.is_empty() {
            return Answer::unknown(
                format!(
                    "Is anything listening on port {port} where {} connected?",
                    p.tool
                ),
                "kubectl exec <pod> -- ss -ltnp   # in the pod that should answer".to_string(),
            );
        }
        let proof = probe_proof(facts, p).var("port", port.to_string());
        if facts.listeners.iter().any(|l| l.port == port) {
            Answer::Yes(
                proof.lines(
                    facts
                        .listeners
                        .iter()
                        .filter(|l| l.port == port)
                        .map(|l| l.line),
                ),
            )
        } else {
            let socks: Vec<String> = facts
                .listeners
                .iter()
                .map(|l| format!("{}:{}", l.address, l.port))
                .collect();
            Answer::No(Proof {
                summary: format!(
                    "Nothing listens on port {port}: the listening sockets in the paste are {}.",
                    socks.join(", ")
                ),
                ..proof.lines(facts.listeners.iter().map(|l| l.line).take(12))
            })
        }
    },
};

pub const PROBE_LISTENER_NOT_LOOPBACK_ONLY: PredicateInfo = PredicateInfo {
    name: "probe_listener_not_loopback_only",
    question: "Is the listener on that port reachable from other pods (not 127.0.0.1 only)?",
    subject: "probe",
    eval: |ctx| {
        let Some(p) = probe_of(ctx) else {
            return Answer::Unknown(vec![]);
        };
        let facts = ctx.facts;
        let Some(port) = pod_port(facts, p) else {
            return Answer::Unknown(vec![]);
        };
        let on: Vec<&crate::facts::Listener> =
            facts.listeners.iter().filter(|l| l.port == port).collect();
        if on.is_empty() {
            return Answer::Unknown(vec![]);
        }
        let proof = probe_proof(facts, p)
            .var("port", port.to_string())
            .lines(on.iter().map(|l| l.line));
        if on.iter().all(|l| l.loopback_only()) {
            Answer::No(Proof {
                summary: format!("The process on port {port} listens on {} only: other pods and the Service cannot reach it, so {} is refused.", on[0].address, p.tool),
                ..proof.var("listen_address", on[0].address.clone())
            })
        } else {
            Answer::Yes(proof)
        }
    },
};
