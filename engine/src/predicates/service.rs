//! Service-layer predicates: endpoints, selector vs labels, readiness, targetPort,
//! listeners behind the targetPort.

use super::{ns_flag, qualified, sh, Answer, Ctx, PredicateInfo, Proof, Subject};
use crate::facts::{labels_to_string, Facts, Pod, ProbeOutcome, Service, TargetPort};
use crate::report::Missing;

fn svc_of<'a>(ctx: &Ctx<'a>) -> Option<&'a Service> {
    match ctx.subject {
        Subject::Service(s) => Some(s),
        _ => None,
    }
}

/// A Service's names, ports and selector as runbook values, with its relation key.
pub(crate) fn base(svc: &Service) -> Proof {
    let q = qualified(svc.namespace.as_deref(), &svc.name);
    let mut p = Proof::default()
        .var("service", svc.name.clone())
        .key(format!("svc:{}", svc.name));
    if let Some(ns) = &svc.namespace {
        p = p.var("namespace", ns.clone());
    }
    if let Some(ip) = svc.cluster_ip {
        p = p.var("cluster_ip", ip.to_string());
    }
    if let Some(sel) = &svc.selector {
        p = p.var("selector", labels_to_string(&sel.value));
    }
    if let Some(port) = svc.ports.first() {
        p = p
            .var("port", port.port.to_string())
            .var("protocol", port.protocol.clone());
        if let Some(t) = &port.target_port {
            p = p.var("target_port", t.to_string());
        }
    }
    let _ = q;
    p
}

fn with_summary(p: Proof, summary: String) -> Proof {
    Proof { summary, ..p }
}

// ------------------------------------------------------------------ endpoints

pub const HAS_READY_ENDPOINTS: PredicateInfo = PredicateInfo {
    name: "service_has_ready_endpoints",
    question: "Does the Service have ready endpoints?",
    subject: "service",
    eval: has_ready_endpoints,
};

fn has_ready_endpoints(ctx: &Ctx) -> Answer {
    let Some(svc) = svc_of(ctx) else {
        return Answer::Unknown(vec![]);
    };
    let q = qualified(svc.namespace.as_deref(), &svc.name);
    let p = base(svc);
    if let Some(ep) = ctx.facts.endpoints_of(&svc.name, svc.namespace.as_deref()) {
        if !ep.ready.is_empty() || ep.more > 0 {
            let n = ep.ready.len() + ep.more as usize;
            return Answer::Yes(
                with_summary(
                    p,
                    format!(
                        "Service {q} has {n} ready endpoint(s): {}.",
                        ep.ready.join(", ")
                    ),
                )
                .line(ep.line),
            );
        }
        let not_ready = if ep.not_ready.is_empty() {
            String::new()
        } else {
            format!(
                " ({} address(es) wait in notReadyAddresses: {})",
                ep.not_ready.len(),
                ep.not_ready.join(", ")
            )
        };
        return Answer::No(with_summary(p, format!("Service {q} has no ready endpoints{not_ready}: traffic to it is rejected, so clients see connection refused.")).line(ep.line));
    }
    if let Some(d) = &svc.described_endpoints {
        if d.value.is_empty() {
            return Answer::No(
                with_summary(
                    p,
                    format!("`kubectl describe svc` shows no endpoints for Service {q}."),
                )
                .line(d.line),
            );
        }
        return Answer::Yes(
            with_summary(
                p,
                format!("Service {q} has endpoints {}.", d.value.join(", ")),
            )
            .line(d.line),
        );
    }
    Answer::unknown(
        format!("Does Service {q} have ready endpoints?"),
        format!(
            "kubectl get endpoints {}{} -o wide",
            sh(&svc.name),
            ns_flag(svc.namespace.as_deref())
        ),
    )
}

// ------------------------------------------------------------------ backing pods

/// How the pods behind a Service were found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Basis {
    /// The Service selector matched their labels.
    Selector,
    /// They were listed with a `-l` selector that includes the Service selector.
    ListedBySelector,
    /// No selector to go by: pods that look like the Service's backends (listed by some
    /// `-l` query, named after the Service, or all pods of the namespace).
    Guess,
}

fn selector_subset(sel: &crate::facts::Labels, labels: &crate::facts::Labels) -> bool {
    sel.iter().all(|(k, v)| labels.get(k) == Some(v))
}

fn backing_pods<'a>(facts: &'a Facts, svc: &'a Service) -> (Vec<&'a Pod>, Basis) {
    let ns = svc.namespace.as_deref();
    if let Some(sel) = svc.selector.as_ref().filter(|s| !s.value.is_empty()) {
        let by_labels: Vec<&Pod> = facts
            .pods_in(ns)
            .filter(|p| {
                p.labels
                    .as_ref()
                    .is_some_and(|l| selector_subset(&sel.value, &l.value))
            })
            .collect();
        if !by_labels.is_empty() {
            return (by_labels, Basis::Selector);
        }
        let listed: Vec<&Pod> = facts
            .pods_in(ns)
            .filter(|p| {
                p.labels.is_none()
                    && p.listed_by_selector
                        .as_ref()
                        .is_some_and(|l| selector_subset(&sel.value, &l.value))
            })
            .collect();
        return (listed, Basis::ListedBySelector);
    }
    if svc.selector.is_some() {
        return (Vec::new(), Basis::Selector);
    }
    let listed: Vec<&Pod> = facts
        .pods_in(ns)
        .filter(|p| p.listed_by_selector.is_some())
        .collect();
    if !listed.is_empty() {
        return (listed, Basis::Guess);
    }
    let prefix = format!("{}-", svc.name);
    let named: Vec<&Pod> = facts
        .pods_in(ns)
        .filter(|p| p.name.starts_with(&prefix))
        .collect();
    if !named.is_empty() {
        return (named, Basis::Guess);
    }
    (facts.pods_in(ns).collect(), Basis::Guess)
}

fn pod_line(p: &Pod) -> usize {
    p.labels
        .as_ref()
        .map(|l| l.line)
        .or(p.ready.as_ref().map(|r| r.line))
        .or(p.lines.first().copied())
        .unwrap_or(0)
}

fn show_labels_cmd(svc: &Service) -> Missing {
    Missing {
        question: format!(
            "Which labels do the pods in {} carry?",
            svc.namespace
                .as_deref()
                .unwrap_or("the Service's namespace")
        ),
        command: format!(
            "kubectl get pods{} --show-labels",
            ns_flag(svc.namespace.as_deref())
        ),
    }
}

fn selector_cmd(svc: &Service) -> Missing {
    Missing {
        question: format!("What does Service {} select?", svc.name),
        command: format!(
            "kubectl get svc {}{} -o jsonpath='{{.spec.selector}}'",
            sh(&svc.name),
            ns_flag(svc.namespace.as_deref())
        ),
    }
}

// ------------------------------------------------------------------ selector

pub const SELECTOR_MATCHES_PODS: PredicateInfo = PredicateInfo {
    name: "service_selector_matches_pods",
    question: "Does the Service selector match any pod in its namespace?",
    subject: "service",
    eval: selector_matches_pods,
};

fn selector_matches_pods(ctx: &Ctx) -> Answer {
    let Some(svc) = svc_of(ctx) else {
        return Answer::Unknown(vec![]);
    };
    let facts = ctx.facts;
    let ns = svc.namespace.as_deref();
    let q = qualified(ns, &svc.name);
    let p = base(svc);
    let ep_line = facts
        .endpoints_of(&svc.name, ns)
        .map(|e| e.line)
        .unwrap_or(0);
    let Some(sel) = &svc.selector else {
        // No selector in the paste: judge from the pods that look like its backends —
        // only when the endpoints are known to be empty (ready pods that never become
        // endpoints); with endpoints unknown nothing is inferred.
        let empty = facts
            .endpoints_of(&svc.name, ns)
            .is_some_and(|e| e.ready.is_empty() && e.more == 0);
        if !empty && svc.described_endpoints.is_none() {
            return Answer::Unknown(vec![]);
        }
        let (pods, _) = backing_pods(facts, svc);
        if pods.is_empty() {
            return Answer::Unknown(vec![selector_cmd(svc), show_labels_cmd(svc)]);
        }
        if pods
            .iter()
            .all(|p| p.ready.as_ref().is_some_and(|r| r.value))
        {
            let names: Vec<&str> = pods.iter().map(|p| p.name.as_str()).collect();
            let proof = with_summary(
                p,
                format!(
                    "Service {q} has no endpoints although {} pod(s) that look like its backends are Ready ({}). Ready pods that never become endpoints are pods the selector does not pick: compare the Service selector with their labels.",
                    pods.len(),
                    names.join(", ")
                ),
            )
            .line(ep_line)
            .lines(pods.iter().map(|p| pod_line(p)))
            .var("pod", pods[0].name.clone())
            .note("inferred: the Service selector is not in the paste; every candidate pod is Ready, which rules out readiness")
            .confirm(selector_cmd(svc).question, selector_cmd(svc).command)
            .confirm(show_labels_cmd(svc).question, show_labels_cmd(svc).command);
            let proof = match pods[0].listed_by_selector.as_ref() {
                Some(l) => proof
                    .var("pod_labels", labels_to_string(&l.value))
                    .line(l.line),
                None => proof,
            };
            return Answer::No(proof);
        }
        // Some are not ready: readiness is the better explanation; let the tree ask it.
        return Answer::Unknown(vec![selector_cmd(svc)]);
    };
    let p = p.line(sel.line);
    if sel.value.is_empty() {
        return Answer::Yes(with_summary(p, format!("Service {q} has no selector: its endpoints are managed by hand, not matched from pod labels.")));
    }
    let wanted = labels_to_string(&sel.value);
    let labelled: Vec<&Pod> = facts.pods_in(ns).filter(|p| p.labels.is_some()).collect();
    let (pods, basis) = backing_pods(facts, svc);
    if !pods.is_empty() && basis != Basis::Guess {
        let names: Vec<&str> = pods.iter().map(|p| p.name.as_str()).collect();
        return Answer::Yes(
            with_summary(
                p,
                format!(
                    "Service {q} selects {wanted}, which {} pod(s) carry: {}.",
                    pods.len(),
                    names.join(", ")
                ),
            )
            .lines(pods.iter().map(|p| pod_line(p))),
        );
    }
    if labelled.is_empty() {
        return Answer::unknown(
            format!(
                "Do any pods in {} carry {wanted}?",
                ns.unwrap_or("the namespace")
            ),
            format!("kubectl get pods{} --show-labels", ns_flag(ns)),
        );
    }
    // No pod matches: name the closest and the exact key/value that differs.
    let score = |pod: &&Pod| -> usize {
        pod.labels
            .as_ref()
            .map(|l| {
                sel.value
                    .iter()
                    .filter(|(k, v)| l.value.get(*k) == Some(*v))
                    .count()
                    * 2
                    + sel
                        .value
                        .keys()
                        .filter(|k| l.value.contains_key(*k))
                        .count()
            })
            .unwrap_or(0)
    };
    let mut closest = labelled[0];
    for pod in &labelled {
        if score(pod) > score(&closest) {
            closest = pod;
        }
    }
    let closest_labels = closest
        .labels
        .as_ref()
        .map(|l| l.value.clone())
        .unwrap_or_default();
    let (key, expected, actual) = sel
        .value
        .iter()
        .find(|(k, v)| closest_labels.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone(), closest_labels.get(k).cloned()))
        .unwrap_or_default();
    let differs = match &actual {
        Some(a) => {
            format!("key `{key}` differs: the Service wants `{expected}`, the pod has `{a}`")
        }
        None => {
            format!("the pod has no `{key}` label at all (the Service wants `{key}={expected}`)")
        }
    };
    let summary = format!(
        "Service {q} selects {wanted}, but none of the {} labelled pod(s) in {} carries it. Closest: {} with {} — {differs}.",
        labelled.len(),
        ns.unwrap_or("the namespace"),
        closest.name,
        labels_to_string(&closest_labels),
    );
    let mut proof = with_summary(p, summary)
        .line(pod_line(closest))
        .line(ep_line)
        .var("pod", closest.name.clone())
        .var("pod_labels", labels_to_string(&closest_labels))
        .var("closest_labels", labels_to_string(&closest_labels))
        .var("differing_key", key.clone())
        .var("expected_value", expected);
    if let Some(a) = actual {
        proof = proof.var("actual_value", a);
    }
    Answer::No(proof)
}

// ------------------------------------------------------------------ readiness

pub const SELECTED_PODS_READY: PredicateInfo = PredicateInfo {
    name: "selected_pods_ready",
    question: "Are the pods behind the Service Ready?",
    subject: "service",
    eval: selected_pods_ready,
};

fn selected_pods_ready(ctx: &Ctx) -> Answer {
    let Some(svc) = svc_of(ctx) else {
        return Answer::Unknown(vec![]);
    };
    let ns = svc.namespace.as_deref();
    let q = qualified(ns, &svc.name);
    let (pods, basis) = backing_pods(ctx.facts, svc);
    let sel_text = svc.selector.as_ref().map(|s| labels_to_string(&s.value));
    if pods.is_empty() {
        let sel_flag = sel_text
            .as_deref()
            .map(|s| format!(" -l {}", sh(s)))
            .unwrap_or_default();
        return Answer::unknown(
            format!("Are the pods behind {q} Ready?"),
            format!("kubectl get pods{}{sel_flag} -o wide", ns_flag(ns)),
        );
    }
    let not_ready: Vec<&&Pod> = pods
        .iter()
        .filter(|p| p.ready.as_ref().is_some_and(|r| !r.value))
        .collect();
    let p = base(svc);
    if !not_ready.is_empty() {
        let list: Vec<String> = not_ready
            .iter()
            .map(|p| match &p.not_ready_reason {
                Some(r) => format!("{} ({r})", p.name),
                None => p.name.clone(),
            })
            .collect();
        let guess = if basis == Basis::Guess {
            " that look like its backends"
        } else {
            " it selects"
        };
        let summary = format!(
            "{} of the {} pod(s){guess} are not Ready: {}. The endpoints controller lists only pods whose Ready condition is True, so Service {q} has no ready endpoints while they stay this way.",
            not_ready.len(),
            pods.len(),
            list.join(", ")
        );
        let proof = with_summary(p, summary)
            .lines(
                not_ready
                    .iter()
                    .filter_map(|p| p.ready.as_ref().map(|r| r.line)),
            )
            .lines(ctx.facts.endpoints_of(&svc.name, ns).map(|e| e.line))
            .var("pod", not_ready[0].name.clone());
        return Answer::No(proof);
    }
    if pods
        .iter()
        .all(|p| p.ready.as_ref().is_some_and(|r| r.value))
    {
        return Answer::Yes(
            with_summary(
                p,
                format!("All {} pod(s) behind {q} are Ready.", pods.len()),
            )
            .lines(pods.iter().map(|p| pod_line(p))),
        );
    }
    Answer::unknown(
        format!("Are the pods behind {q} Ready?"),
        format!("kubectl get pods{} -o wide", ns_flag(ns)),
    )
}

// ------------------------------------------------------------------ targetPort

/// Ports some well-known software listens on, to explain a suspicious targetPort.
const WELL_KNOWN: &[(u16, &str)] = &[
    (53, "DNS"),
    (80, "HTTP"),
    (443, "HTTPS"),
    (2181, "ZooKeeper"),
    (3000, "Grafana"),
    (3306, "MySQL"),
    (5432, "PostgreSQL"),
    (5672, "RabbitMQ"),
    (6379, "Redis"),
    (8080, "HTTP (alternate)"),
    (9090, "Prometheus"),
    (9092, "Kafka"),
    (9093, "Alertmanager"),
    (9100, "node_exporter"),
    (9104, "mysqld_exporter"),
    (9121, "redis_exporter"),
    (9187, "postgres_exporter"),
    (9200, "Elasticsearch"),
    (11211, "memcached"),
    (27017, "MongoDB"),
];

fn well_known(port: u16) -> Option<&'static str> {
    WELL_KNOWN.iter().find(|(p, _)| *p == port).map(|(_, n)| *n)
}

/// The numeric target port of a Service port, resolving a name against the pods.
fn resolve_target(port: &crate::facts::ServicePort, pods: &[&Pod]) -> Option<u16> {
    match &port.target_port {
        Some(TargetPort::Number(n)) => Some(*n),
        Some(TargetPort::Name(name)) => pods
            .iter()
            .flat_map(|p| p.container_ports.iter())
            .find(|c| c.name.as_deref() == Some(name))
            .map(|c| c.port),
        None => Some(port.port),
    }
}

pub const TARGET_PORT_ACCEPTED: PredicateInfo = PredicateInfo {
    name: "service_target_port_accepted",
    question: "Is the Service's targetPort a port its pods declare or listen on?",
    subject: "service",
    eval: target_port_accepted,
};

fn target_port_accepted(ctx: &Ctx) -> Answer {
    let Some(svc) = svc_of(ctx) else {
        return Answer::Unknown(vec![]);
    };
    let facts = ctx.facts;
    let ns = svc.namespace.as_deref();
    let q = qualified(ns, &svc.name);
    let (pods, _) = backing_pods(facts, svc);
    let declared: Vec<&crate::facts::ContainerPort> =
        pods.iter().flat_map(|p| p.container_ports.iter()).collect();
    let endpoints_empty = facts
        .endpoints_of(&svc.name, ns)
        .is_some_and(|e| e.ready.is_empty() && e.more == 0);
    for sp in &svc.ports {
        // A name that resolves to no container port is service-port-name-unresolved,
        // decided by the service-ports tree.
        let Some(target) = resolve_target(sp, &pods) else {
            continue;
        };
        let p = base(svc)
            .var("port", sp.port.to_string())
            .var("target_port", target.to_string())
            .lines(sp.target_port_line)
            .line(sp.line);
        if !declared.is_empty() {
            if declared.iter().any(|c| c.port == target) {
                continue;
            }
            let ports: Vec<String> = declared.iter().map(|c| c.port.to_string()).collect();
            return Answer::No(with_summary(p, format!("Service {q} forwards port {} to targetPort {target}, but its pods declare only port(s) {}: connections reach the pod and are refused.", sp.port, ports.join(", "))).lines(declared.iter().map(|c| c.line)));
        }
        if facts.listeners.iter().any(|l| l.port == target) {
            continue;
        }
        // No pod ports in the paste. A refusal through the Service while it has (or may
        // have) endpoints, on a Service whose targetPort differs from its port, points at
        // the targetPort: kube-proxy forwarded the SYN and the pod answered RST.
        let refused = facts.probes.iter().find(|pr| {
            pr.outcome == ProbeOutcome::Refused
                && (pr.ip.is_some() && pr.ip == svc.cluster_ip
                    || pr
                        .host
                        .as_deref()
                        .is_some_and(|h| h.split('.').next() == Some(svc.name.as_str())))
                && pr.port.is_none_or(|p| p == sp.port)
        });
        if let (Some(pr), false, true) = (refused, endpoints_empty, target != sp.port) {
            let mut why = format!(
                "{} to {}:{} was refused. Service {q} forwards port {} to targetPort {target}; a refusal through a ClusterIP that has endpoints means the pod answered RST on {target}: nothing listens there.",
                pr.tool,
                pr.ip.map(|i| i.to_string()).or(pr.host.clone()).unwrap_or_default(),
                sp.port,
                sp.port,
            );
            let named = sp
                .name
                .as_deref()
                .map(|n| format!(" (port name `{n}`)"))
                .unwrap_or_default();
            if let (Some(port_sw), Some(target_sw)) = (well_known(sp.port), well_known(target)) {
                if port_sw != target_sw {
                    why.push_str(&format!(" Port {}{named} is {port_sw}'s port while {target} is {target_sw}'s: the targetPort likely points at the wrong container port.", sp.port));
                }
            }
            let sel = svc
                .selector
                .as_ref()
                .map(|s| format!(" -l {}", sh(&labels_to_string(&s.value))))
                .unwrap_or_default();
            return Answer::No(
                with_summary(p, why)
                    .line(pr.line)
                    .note("inferred from the refusal: the pods' container ports are not in the paste")
                    .confirm(
                        format!("Which ports do the pods behind {q} declare?"),
                        format!("kubectl get pods{}{sel} -o jsonpath='{{range .items[*]}}{{.metadata.name}}{{\"\\t\"}}{{.spec.containers[*].ports[*].containerPort}}{{\"\\n\"}}{{end}}'", ns_flag(ns)),
                    )
                    .confirm(format!("Does Endpoints {} list port {target}?", svc.name), format!("kubectl get endpoints {}{}", sh(&svc.name), ns_flag(ns))),
            );
        }
    }
    if svc.ports.is_empty() {
        return Answer::unknown(
            format!("Which ports does Service {q} expose?"),
            format!("kubectl describe svc {}{}", sh(&svc.name), ns_flag(ns)),
        );
    }
    if declared.is_empty()
        && !svc.ports.iter().any(|sp| {
            facts
                .listeners
                .iter()
                .any(|l| Some(l.port) == resolve_target(sp, &pods))
        })
    {
        let sel = svc
            .selector
            .as_ref()
            .map(|s| format!(" -l {}", sh(&labels_to_string(&s.value))))
            .unwrap_or_default();
        return Answer::unknown(
            format!("Do the pods behind {q} declare its targetPort?"),
            format!("kubectl get pods{}{sel} -o jsonpath='{{range .items[*]}}{{.metadata.name}}{{\"\\t\"}}{{.spec.containers[*].ports[*].containerPort}}{{\"\\n\"}}{{end}}'", ns_flag(ns)),
        );
    }
    Answer::Yes(with_summary(
        base(svc),
        format!("Every targetPort of {q} is declared by its pods or has a listener."),
    ))
}

// ------------------------------------------------------------------ listeners

fn target_ports(facts: &Facts, svc: &Service) -> Vec<(u16, Option<usize>)> {
    let (pods, _) = backing_pods(facts, svc);
    svc.ports
        .iter()
        .filter_map(|sp| {
            resolve_target(sp, &pods).map(|t| (t, sp.target_port_line.or(Some(sp.line))))
        })
        .collect()
}

fn exec_ss(svc: &Service, facts: &Facts) -> Missing {
    let (pods, _) = backing_pods(facts, svc);
    let target = pods
        .first()
        .map(|p| p.name.clone())
        .unwrap_or_else(|| match svc.name.as_str() {
            // kube-dns is served by the coredns Deployment.
            "kube-dns" => "deploy/coredns".to_string(),
            n => format!("deploy/{n}"),
        });
    Missing {
        question: format!("Is anything listening on the targetPort inside {target}?"),
        command: format!(
            "kubectl exec{} {} -- ss -ltnp",
            ns_flag(svc.namespace.as_deref()),
            sh(&target)
        ),
    }
}

pub const TARGET_PORT_HAS_LISTENER: PredicateInfo = PredicateInfo {
    name: "target_port_has_listener",
    question: "Does a process listen on the targetPort in the pod?",
    subject: "service",
    eval: target_port_has_listener,
};

fn target_port_has_listener(ctx: &Ctx) -> Answer {
    let Some(svc) = svc_of(ctx) else {
        return Answer::Unknown(vec![]);
    };
    let facts = ctx.facts;
    let targets = target_ports(facts, svc);
    if facts.listeners.is_empty() || targets.is_empty() {
        return Answer::Unknown(vec![exec_ss(svc, facts)]);
    }
    for (t, line) in &targets {
        if !facts.listeners.iter().any(|l| l.port == *t) {
            let ports: Vec<String> = facts
                .listeners
                .iter()
                .map(|l| format!("{}:{}", l.address, l.port))
                .collect();
            return Answer::No(
                with_summary(base(svc).var("target_port", t.to_string()), format!("Nothing listens on port {t}, the targetPort of {}: the sockets in the paste are {}.", svc.name, ports.join(", ")))
                    .lines(*line)
                    .lines(facts.listeners.iter().map(|l| l.line).take(12)),
            );
        }
    }
    Answer::Yes(
        with_summary(base(svc), "A process listens on every targetPort.".into()).lines(
            facts
                .listeners
                .iter()
                .filter(|l| targets.iter().any(|(t, _)| *t == l.port))
                .map(|l| l.line),
        ),
    )
}

pub const LISTENER_NOT_LOOPBACK_ONLY: PredicateInfo = PredicateInfo {
    name: "listener_not_loopback_only",
    question: "Does the listener accept connections from other pods (not 127.0.0.1 only)?",
    subject: "service",
    eval: listener_not_loopback_only,
};

fn listener_not_loopback_only(ctx: &Ctx) -> Answer {
    let Some(svc) = svc_of(ctx) else {
        return Answer::Unknown(vec![]);
    };
    let facts = ctx.facts;
    let targets = target_ports(facts, svc);
    for (t, line) in &targets {
        let on: Vec<&crate::facts::Listener> =
            facts.listeners.iter().filter(|l| l.port == *t).collect();
        if !on.is_empty() && on.iter().all(|l| l.loopback_only()) {
            return Answer::No(
                with_summary(
                    base(svc).var("target_port", t.to_string()).var("listen_address", on[0].address.clone()),
                    format!("The process on port {t} listens on {} only: it accepts connections from inside its own pod, never from the Service or other pods.", on[0].address),
                )
                .lines(on.iter().map(|l| l.line))
                .lines(*line),
            );
        }
    }
    if targets
        .iter()
        .any(|(t, _)| facts.listeners.iter().any(|l| l.port == *t))
    {
        return Answer::Yes(with_summary(
            base(svc),
            "The listener is bound to a non-loopback address.".into(),
        ));
    }
    Answer::Unknown(vec![exec_ss(svc, facts)])
}

// ------------------------------------------------------------------ named target ports

pub const NAMED_TARGET_PORTS_RESOLVE: PredicateInfo = PredicateInfo {
    name: "named_target_ports_resolve",
    question: "Does every named targetPort exist on the selected pods?",
    subject: "service",
    eval: |ctx| {
        let Some(svc) = svc_of(ctx) else {
            return Answer::Unknown(vec![]);
        };
        let named: Vec<(&crate::facts::ServicePort, &str)> = svc
            .ports
            .iter()
            .filter_map(|p| match &p.target_port {
                Some(TargetPort::Name(n)) => Some((p, n.as_str())),
                _ => None,
            })
            .collect();
        if named.is_empty() {
            // No named targetPort: nothing to ask (the tree stays out of the walk).
            return Answer::Unknown(vec![]);
        }
        let (pods, _) = backing_pods(ctx.facts, svc);
        // Only pods whose container ports the paste shows can answer.
        let known: Vec<&&Pod> = pods
            .iter()
            .filter(|p| !p.container_ports.is_empty())
            .collect();
        if known.is_empty() {
            return Answer::Unknown(vec![]);
        }
        let mut p = base(svc);
        let mut missing = Vec::new();
        for (sp, name) in named {
            let found = known.iter().any(|pod| {
                pod.container_ports.iter().any(|c| {
                    c.name.as_deref() == Some(name) && c.protocol.eq_ignore_ascii_case(&sp.protocol)
                })
            });
            if !found {
                p = p
                    .line(sp.target_port_line.unwrap_or(sp.line))
                    .var("target_port", name);
                let have: Vec<String> = known
                    .iter()
                    .flat_map(|pod| pod.container_ports.iter())
                    .map(|c| match &c.name {
                        Some(n) => format!("{n}={}/{}", c.port, c.protocol),
                        None => format!("{}/{} (unnamed)", c.port, c.protocol),
                    })
                    .collect();
                for pod in &known {
                    p = p.lines(pod.container_ports.iter().map(|c| c.line));
                }
                missing.push(format!("targetPort `{name}` (port {}) names no {} container port of the selected pods, which declare {}", sp.port, sp.protocol, if have.is_empty() { "none".into() } else { have.join(", ") }));
            }
        }
        if missing.is_empty() {
            return Answer::Yes(p);
        }
        Answer::No(Proof {
            summary: format!(
                "Service {}: {}. The endpoints controller publishes no address for that port, so connections to it are refused.",
                qualified(svc.namespace.as_deref(), &svc.name),
                missing.join("; ")
            ),
            ..p
        })
    },
};
