//! Datapath predicates: does the node's kube-proxy datapath (iptables KUBE-SERVICES →
//! KUBE-SVC → KUBE-SEP chains, IPVS virtual and real servers, the nftables proxier's
//! `service-ips` map → service → endpoint chains) hold the Service, do its
//! DNAT targets match the current endpoints, and do tracked flows still NAT to addresses
//! that are no longer endpoints?

use super::service::base;
use super::{ns_flag, qualified, sh, Answer, Ctx, PredicateInfo, Proof, Subject};
use crate::facts::{Facts, Frontend, ProbeOutcome, Service};
use crate::report::Missing;
use std::net::IpAddr;

/// A Service's proof base, related also to every lookup when it is the cluster DNS and
/// to the kube-proxy datapath as a whole.
fn svc_base(svc: &Service) -> Proof {
    let p = base(svc).key("kube-proxy");
    if matches!(svc.name.as_str(), "kube-dns" | "coredns") {
        p.key("cluster-dns")
    } else {
        p
    }
}

fn svc_of<'a>(ctx: &Ctx<'a>) -> Option<&'a Service> {
    match ctx.subject {
        Subject::Service(s) if !s.headless && s.cluster_ip.is_some() => Some(s),
        _ => None,
    }
}

/// The commands that show the node's rules for one ClusterIP.
fn dump_commands(svc: &Service, vip: IpAddr) -> Vec<Missing> {
    let port = svc.ports.first().map(|p| p.port);
    vec![
        Missing {
            question: format!(
                "Which rules does the node hold for {} ({vip}) in iptables mode?",
                qualified(svc.namespace.as_deref(), &svc.name)
            ),
            command: format!("iptables-save -t nat | grep -e {vip} -e KUBE-SEP"),
        },
        Missing {
            question: format!("Which real servers does IPVS send {vip} to (IPVS mode)?"),
            command: match port {
                Some(p) => format!("ipvsadm -Ln -t {vip}:{p}"),
                None => "ipvsadm -Ln".to_string(),
            },
        },
    ]
}

fn ips(list: &[IpAddr]) -> String {
    list.iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

// ------------------------------------------------------------------ rules present

pub const SERVICE_HAS_PROXY_RULES: PredicateInfo = PredicateInfo {
    name: "service_has_proxy_rules",
    question: "Does the node's datapath (iptables or IPVS) hold the Service's ClusterIP?",
    subject: "service",
    eval: has_proxy_rules,
};

fn has_proxy_rules(ctx: &Ctx) -> Answer {
    let f = ctx.facts;
    let Some(svc) = svc_of(ctx) else {
        return Answer::Unknown(vec![]);
    };
    let Some(vip) = svc.cluster_ip else {
        return Answer::Unknown(vec![]);
    };
    let q = qualified(svc.namespace.as_deref(), &svc.name);
    let ready = f.ready_ips(svc);
    if f.dumps.is_empty() {
        // Endpoints are ready yet a client cannot get through: the datapath is next.
        let failed = f.probes.iter().any(|p| {
            matches!(
                p.outcome,
                ProbeOutcome::Timeout | ProbeOutcome::Refused | ProbeOutcome::Reset
            ) && f
                .service_for_probe(p)
                .is_some_and(|s| s.name == svc.name && s.namespace == svc.namespace)
        });
        if failed && ready.as_ref().is_some_and(|r| !r.is_empty()) {
            return Answer::Unknown(dump_commands(svc, vip));
        }
        return Answer::Unknown(vec![]);
    }
    let mine = f.frontends_of(svc);
    let p = svc_base(svc).var("cluster_ip", vip.to_string());
    if !mine.is_empty() {
        let lines: Vec<usize> = mine.iter().map(|fe| fe.line).take(4).collect();
        let srcs = sources(&mine);
        return Answer::Yes(Proof {
            summary: format!("The node's {srcs} rules hold {q}'s ClusterIP {vip}."),
            ..p.lines(lines)
        });
    }
    if ready.as_ref().is_some_and(|r| r.is_empty()) {
        // No endpoints: kube-proxy writes no DNAT for it; the endpoints tell the story.
        return Answer::Unknown(vec![]);
    }
    let usable: Vec<_> = f
        .dumps
        .iter()
        .filter(|d| !d.filtered && d.frontends > 0)
        .collect();
    if usable.is_empty() {
        if f.dumps.iter().any(|d| d.ipvs_sets.is_some()) {
            // The IPVS proxier keeps Services out of iptables: ask IPVS.
            return Answer::Unknown(dump_commands(svc, vip).split_off(1));
        }
        let mut m = dump_commands(svc, vip);
        m.truncate(1);
        if let Some(first) = m.first_mut() {
            first.command = "iptables-save -t nat".into();
            first.question = format!(
                "The pasted dump is filtered or holds no kube-proxy Service rules: does the whole nat table hold {vip}?"
            );
        }
        return Answer::Unknown(m);
    }
    let lines: Vec<usize> = usable.iter().map(|d| d.line).collect();
    let described = usable
        .iter()
        .map(|d| {
            format!(
                "the {} dump at line {} ({} Service frontends)",
                if d.source == "ipvs" {
                    "IPVS"
                } else {
                    "iptables"
                },
                d.line,
                d.frontends
            )
        })
        .collect::<Vec<_>>()
        .join(" and ");
    let endpoints = match &ready {
        Some(r) => format!("has {} ready endpoint(s) ({})", r.len(), ips(r)),
        None => "is a Service".to_string(),
    };
    let mut proof = Proof {
        summary: format!(
            "{q} {endpoints}, but {described} has no rule for its ClusterIP {vip}: kube-proxy has not programmed it on this node — it is not running here, crashlooping, or failing to write its rules — so connections to {vip} go nowhere."
        ),
        ..p.lines(lines)
    }
    .note(format!(
        "no KUBE-SERVICES rule or IPVS virtual server has destination {vip}"
    ));
    if ready.is_none() {
        proof = proof.confirm(
            format!("Does {q} have ready endpoints (else kube-proxy writes no DNAT for it)?"),
            format!(
                "kubectl get endpointslices{} -l kubernetes.io/service-name={} -o wide",
                ns_flag(svc.namespace.as_deref()),
                sh(&svc.name)
            ),
        );
    }
    Answer::No(proof)
}

fn sources(fes: &[&Frontend]) -> String {
    let mut names: Vec<&str> = Vec::new();
    for fe in fes {
        let name = match fe.source.as_str() {
            "ipvs" => "IPVS",
            "nft" => "nftables",
            _ => "iptables",
        };
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names.join(" and ")
}

// ------------------------------------------------------------------ DNAT targets

pub const DNAT_TARGETS_MATCH_ENDPOINTS: PredicateInfo = PredicateInfo {
    name: "dnat_targets_match_endpoints",
    question: "Do the rules DNAT the ClusterIP to exactly the current ready endpoints?",
    subject: "service",
    eval: dnat_matches,
};

/// The backend addresses of the frontends, and their lines.
fn backends(fes: &[&Frontend]) -> Vec<(IpAddr, usize)> {
    let mut out: Vec<(IpAddr, usize)> = Vec::new();
    for fe in fes {
        for b in &fe.backends {
            if !out.iter().any(|(ip, _)| *ip == b.value.0) {
                out.push((b.value.0, b.line));
            }
        }
    }
    out
}

fn endpoints_command(svc: &Service) -> Missing {
    Missing {
        question: format!(
            "Which endpoints does {} have now?",
            qualified(svc.namespace.as_deref(), &svc.name)
        ),
        command: format!(
            "kubectl get endpointslices{} -l kubernetes.io/service-name={} -o wide",
            ns_flag(svc.namespace.as_deref()),
            sh(&svc.name)
        ),
    }
}

fn dnat_matches(ctx: &Ctx) -> Answer {
    let f = ctx.facts;
    let Some(svc) = svc_of(ctx) else {
        return Answer::Unknown(vec![]);
    };
    let mine = f.frontends_of(svc);
    if mine.is_empty() {
        return Answer::Unknown(vec![]);
    }
    let Some(ready) = f.ready_ips(svc) else {
        return Answer::Unknown(vec![endpoints_command(svc)]);
    };
    let vip = svc.cluster_ip.map(|i| i.to_string()).unwrap_or_default();
    let q = qualified(svc.namespace.as_deref(), &svc.name);
    let targets = backends(&mine);
    let ep_line = f
        .endpoints_of(&svc.name, svc.namespace.as_deref())
        .map(|e| e.line)
        .unwrap_or(0);
    let stale: Vec<&(IpAddr, usize)> = targets
        .iter()
        .filter(|(ip, _)| !ready.contains(ip))
        .collect();
    let missing: Vec<IpAddr> = ready
        .iter()
        .copied()
        .filter(|ip| !targets.iter().any(|(t, _)| t == ip))
        .collect();
    let mut p = svc_base(svc).line(ep_line);
    if svc.ports.is_empty() {
        // The rules know the ports the paste does not show otherwise.
        if let Some(port) = mine.iter().find_map(|fe| fe.port) {
            p = p.var("port", port.to_string());
        }
        if let Some(tp) = mine
            .iter()
            .flat_map(|fe| fe.backends.iter())
            .find_map(|b| b.value.1)
        {
            p = p.var("target_port", tp.to_string());
        }
    }
    let rule_lines = mine
        .iter()
        .map(|fe| fe.line)
        .chain(targets.iter().map(|(_, l)| *l))
        .take(8);
    if stale.is_empty() && missing.is_empty() {
        return Answer::Yes(Proof {
            summary: format!(
                "The rules for {q} ({vip}) send traffic to exactly its ready endpoints ({}).",
                ips(&ready)
            ),
            ..p.lines(rule_lines)
        });
    }
    let rules_say_none = targets.is_empty() && mine.iter().any(|fe| fe.no_endpoints);
    let mut parts = Vec::new();
    if rules_say_none {
        parts.push(format!(
            "the rules still say {q} has no endpoints (REJECT), while it has {} ready now ({})",
            ready.len(),
            ips(&ready)
        ));
    } else {
        if !stale.is_empty() {
            let s: Vec<IpAddr> = stale.iter().map(|(ip, _)| *ip).collect();
            parts.push(format!(
                "the rules DNAT {vip} to {} which {} no longer a ready endpoint",
                ips(&s),
                if s.len() == 1 { "is" } else { "are" }
            ));
        }
        if !missing.is_empty() {
            parts.push(format!(
                "the ready endpoint(s) {} have no DNAT rule",
                ips(&missing)
            ));
        }
    }
    let stale_lines: Vec<usize> = stale.iter().map(|(_, l)| *l).collect();
    let stale_list: Vec<String> = stale.iter().map(|(ip, _)| ip.to_string()).collect();
    Answer::No(
        Proof {
            summary: format!(
                "For {q}, {}: kube-proxy on this node has not applied the latest endpoints — it is stuck, restarting, or failing to write its rules (look for iptables-restore or nft errors in its log). Part of the traffic goes to pods that are gone.",
                parts.join("; ")
            ),
            ..p.lines(stale_lines).lines(rule_lines)
        }
        .var("stale_backends", stale_list.join(", "))
        .var(
            "pod_ip",
            stale_list.first().cloned().unwrap_or_else(|| ips(&missing)),
        )
        .var("endpoints", ips(&ready))
        .note(format!(
            "DNAT targets {{{}}} vs ready endpoints {{{}}}",
            ips(&targets.iter().map(|(i, _)| *i).collect::<Vec<_>>()),
            ips(&ready)
        )),
    )
}

// ------------------------------------------------------------------ conntrack

pub const CONNTRACK_MATCHES_ENDPOINTS: PredicateInfo = PredicateInfo {
    name: "conntrack_matches_endpoints",
    question: "Do the tracked flows to the ClusterIP NAT only to current endpoints?",
    subject: "service",
    eval: conntrack_matches,
};

/// TCP flows in these states are ending anyway; they hold no client to a dead backend.
const ENDING: &[&str] = &["TIME_WAIT", "CLOSE", "FIN_WAIT", "LAST_ACK", "CLOSE_WAIT"];

fn current_backends(f: &Facts, svc: &Service) -> Option<(Vec<IpAddr>, &'static str)> {
    if let Some(r) = f.ready_ips(svc) {
        return Some((r, "ready endpoints"));
    }
    let t = backends(&f.frontends_of(svc));
    if t.is_empty() {
        return None;
    }
    Some((
        t.into_iter().map(|(i, _)| i).collect(),
        "DNAT targets in the pasted rules",
    ))
}

fn conntrack_matches(ctx: &Ctx) -> Answer {
    let f = ctx.facts;
    let Some(svc) = svc_of(ctx) else {
        return Answer::Unknown(vec![]);
    };
    let Some(vip) = svc.cluster_ip else {
        return Answer::Unknown(vec![]);
    };
    let flows = f.nat_flows_at(vip);
    if flows.is_empty() {
        return Answer::Unknown(vec![]);
    }
    let Some((current, what)) = current_backends(f, svc) else {
        return Answer::Unknown(vec![endpoints_command(svc)]);
    };
    let q = qualified(svc.namespace.as_deref(), &svc.name);
    let stale: Vec<_> = flows
        .iter()
        .filter(|n| !current.contains(&n.backend))
        .filter(|n| {
            !(n.protocol == "tcp" && n.state.as_deref().is_some_and(|s| ENDING.contains(&s)))
        })
        .collect();
    let p = svc_base(svc).var("cluster_ip", vip.to_string());
    if stale.is_empty() {
        return Answer::Yes(Proof {
            summary: format!(
                "Every tracked flow to {q} ({vip}) is NATed to one of its {what} ({}).",
                ips(&current)
            ),
            ..p.lines(flows.iter().map(|n| n.line).take(4))
        });
    }
    let mut gone: Vec<IpAddr> = Vec::new();
    for n in &stale {
        if !gone.contains(&n.backend) {
            gone.push(n.backend);
        }
    }
    let count: usize = stale.iter().map(|n| n.count).sum();
    let proto = stale
        .first()
        .map(|n| n.protocol.clone())
        .unwrap_or_else(|| "udp".into());
    let port = stale.first().and_then(|n| n.vport);
    let udp = stale.iter().any(|n| n.protocol == "udp");
    let why = if udp {
        " UDP entries never see a FIN: as long as the client keeps sending from the same source port (DNS clients do), the entry is refreshed and keeps pointing at the dead pod."
    } else {
        ""
    };
    let mut proof = Proof {
        summary: format!(
            "{count} tracked flow(s) to {q} ({vip}) still NAT to {} — not among its {what} ({}). Packets of those flows go to an address with no pod behind it.{why}",
            ips(&gone),
            ips(&current)
        ),
        ..p.lines(stale.iter().map(|n| n.line).take(8))
    }
    .var("stale_backends", ips(&gone))
    .var("pod_ip", gone.first().map(|i| i.to_string()).unwrap_or_default())
    .var("endpoints", ips(&current))
    .var("conntrack_protocol", proto);
    if let Some(port) = port {
        proof = proof.var("port", port.to_string());
    }
    Answer::No(proof)
}

// ------------------------------------------------------------------ proxier mode

pub const KUBE_PROXY_MODE_MATCHES_DUMP: PredicateInfo = PredicateInfo {
    name: "kube_proxy_mode_matches_dump",
    question: "Does the pasted datapath dump belong to the proxier kube-proxy runs?",
    subject: "once",
    eval: mode_matches_dump,
};

fn mode_matches_dump(ctx: &Ctx) -> Answer {
    let f = ctx.facts;
    if f.dumps.is_empty() {
        return Answer::Unknown(vec![]);
    }
    // What runs: kube-proxy's own log beats its configuration; an empty mode is iptables.
    let logged = f
        .signals
        .iter()
        .find(|s| s.source == "kube-proxy" && s.signature == "proxier-mode");
    let configured = f
        .signals
        .iter()
        .find(|s| s.signature == "kube-proxy-config" && s.fields.contains_key("mode"));
    let ipt = f.dumps.iter().filter(|d| d.source == "iptables");
    let ipt_frontends: usize = ipt.clone().map(|d| d.frontends).sum();
    let ipt_line = ipt.clone().map(|d| d.line).next();
    let ipvs_hint = ipt.clone().find_map(|d| d.ipvs_sets);
    let ipvs: Vec<_> = f.dumps.iter().filter(|d| d.source == "ipvs").collect();
    let ipvs_frontends: usize = ipvs.iter().map(|d| d.frontends).sum();
    let (mode, mode_line, said) = match (logged, configured) {
        (Some(s), _) => (
            s.fields.get("mode").cloned().unwrap_or_default(),
            s.lines.first().copied(),
            "kube-proxy logs that it uses",
        ),
        (None, Some(s)) => {
            let m = s.fields.get("mode").cloned().unwrap_or_default();
            (
                if m.is_empty() { "iptables".into() } else { m },
                s.lines.first().copied(),
                "kube-proxy's configuration sets",
            )
        }
        (None, None) => match ipvs_hint {
            // The iptables dump itself shows the IPVS proxier's ipset rules.
            Some(l) if ipt_frontends == 0 && ipvs.is_empty() => (
                "ipvs".into(),
                Some(l),
                "the iptables rules match kube-proxy's IPVS ipsets, so it runs",
            ),
            _ => return Answer::Unknown(vec![]),
        },
    };
    let mut proof = Proof::default().lines(mode_line).key("kube-proxy");
    let wrong = match mode.as_str() {
        "ipvs" if ipt_line.is_some() && ipt_frontends == 0 && ipvs.is_empty() => Some((
            ipt_line,
            "an iptables dump, which holds no KUBE-SVC chains in IPVS mode: Services live in IPVS virtual servers",
            "ipvsadm -Ln",
        )),
        "iptables" | "" if !ipvs.is_empty() && ipvs_frontends == 0 && ipt_line.is_none() => Some((
            ipvs.first().map(|d| d.line),
            "an empty IPVS table, which the iptables proxier never fills",
            "iptables-save -t nat",
        )),
        "nftables" if ipt_line.is_some() && ipt_frontends == 0 => Some((
            ipt_line,
            "an iptables dump, which the nftables proxier does not write",
            "nft list table ip kube-proxy",
        )),
        _ => None,
    };
    let Some((line, what, cmd)) = wrong else {
        return Answer::Yes(Proof {
            summary: format!("{said} the {mode} proxier, and the pasted dump is of that datapath."),
            ..proof
        });
    };
    proof = proof.lines(line).var("mode", mode.clone());
    Answer::No(Proof {
        summary: format!(
            "{said} the {mode} proxier, but the paste inspects {what}. Conclusions drawn from it (\"no rule for my Service\") are about a datapath this node does not use: look at `{cmd}` instead."
        ),
        ..proof
    }
    .confirm(format!("What does the {mode} datapath hold?"), cmd))
}

// ------------------------------------------------------------------ hairpin

pub const PROBE_NOT_SELF_HAIRPIN: PredicateInfo = PredicateInfo {
    name: "probe_not_self_hairpin",
    question: "Is the client that failed something other than a backend of the Service it called?",
    subject: "probe",
    eval: not_self_hairpin,
};

/// The probe's destination address: its IP, or a Service's ClusterIP by name.
fn probe_vip(f: &Facts, p: &crate::facts::Probe) -> Option<IpAddr> {
    p.ip.or_else(|| p.host.as_deref().and_then(|h| h.parse().ok()))
        .or_else(|| f.service_for_probe(p).and_then(|s| s.cluster_ip))
}

fn not_self_hairpin(ctx: &Ctx) -> Answer {
    let f = ctx.facts;
    let Subject::Probe(p) = ctx.subject else {
        return Answer::Unknown(vec![]);
    };
    if !matches!(p.outcome, ProbeOutcome::Timeout) {
        return Answer::Unknown(vec![]);
    }
    let Some(vip) = probe_vip(f, p) else {
        return Answer::Unknown(vec![]);
    };
    // The Service's backends: its endpoints, the node's DNAT targets, kube-router's
    // hairpin rules for the address.
    let mut backends: Vec<(IpAddr, usize)> = Vec::new();
    let mut add = |ip: IpAddr, line: usize| {
        if !backends.iter().any(|(b, _)| *b == ip) {
            backends.push((ip, line));
        }
    };
    let svc = f.services.iter().find(|s| s.cluster_ip == Some(vip));
    if let Some(s) = svc {
        let line = f
            .endpoints_of(&s.name, s.namespace.as_deref())
            .map(|e| e.line)
            .unwrap_or(0);
        for ip in f.ready_ips(s).unwrap_or_default() {
            add(ip, line);
        }
    }
    for fe in f.frontends_at(vip) {
        for b in &fe.backends {
            add(b.value.0, b.line);
        }
    }
    let rules: Vec<_> = f
        .hairpin_rules
        .iter()
        .filter(|h| h.value.vip == vip)
        .collect();
    for h in &rules {
        add(h.value.pod, h.line);
    }
    if backends.is_empty() {
        return Answer::Unknown(vec![]);
    }
    // Who is the client? The pod the command ran in, or — with no `kubectl exec` — the
    // backend the same shell reached directly a moment before.
    let client_ip = p.client_pod.as_deref().and_then(|name| {
        f.pods
            .iter()
            .find(|pod| pod.name == name || name.ends_with(&format!("/{}", pod.name)))
            .and_then(|pod| pod.ip)
    });
    let direct = f.probes.iter().find(|o| {
        matches!(
            o.outcome,
            ProbeOutcome::Connected | ProbeOutcome::HttpStatus
        ) && o.client_pod == p.client_pod
            && o.ip
                .or_else(|| o.host.as_deref().and_then(|h| h.parse().ok()))
                .is_some_and(|ip| backends.iter().any(|(b, _)| *b == ip))
    });
    let (me, how, lines): (IpAddr, String, Vec<usize>) = match (client_ip, direct) {
        (Some(ip), _) if backends.iter().any(|(b, _)| *b == ip) => (
            ip,
            format!(
                "the client pod {} (IP {ip}),",
                p.client_pod.clone().unwrap_or_default()
            ),
            vec![],
        ),
        // Reaching a backend directly while its Service times out proves self-calling
        // only where a hairpin rule says that backend calls itself through the address.
        (None, Some(d)) => {
            let ip =
                d.ip.or_else(|| d.host.as_deref().and_then(|h| h.parse().ok()));
            match ip.filter(|ip| rules.iter().any(|h| h.value.pod == *ip)) {
                Some(ip) => (
                    ip,
                    format!(
                        "the pod {ip} — the shell that reached {ip} directly (line {}) runs in it, as kube-router's hairpin rule for {ip} calling itself through {vip} says —",
                        d.line
                    ),
                    vec![d.line],
                ),
                None => return Answer::Unknown(vec![]),
            }
        }
        _ => {
            return Answer::Yes(Proof::new(format!(
                "The client is not known to be a backend of {vip}."
            )))
        }
    };
    let mut proof = Proof::default()
        .line(p.line)
        .lines(lines)
        .lines(backends.iter().filter(|(b, _)| *b == me).map(|(_, l)| *l))
        .var("pod_ip", me.to_string())
        .var("cluster_ip", vip.to_string())
        .key(format!("hairpin:{me}"))
        .key(format!("probe:{}", p.line));
    if let Some(s) = svc {
        proof = base(s)
            .lines(proof.lines.clone())
            .var("pod_ip", me.to_string());
    }
    if let Some(pod) = &p.client_pod {
        proof = proof.var("pod", pod.clone());
    }
    let idle = rules
        .iter()
        .find(|h| h.value.pod == me && h.value.packets == Some(0));
    let rule_note = match idle {
        Some(h) => format!(
            " kube-router's hairpin SNAT rule for {me} → {vip} (line {}) has counted 0 packets: the hairpinned packet never comes back through the bridge.",
            h.line
        ),
        None => String::new(),
    };
    let only = if backends.len() == 1 {
        " It is the Service's only backend, so every such call fails."
    } else {
        " Calls the Service load-balances to another backend work, so the failure looks intermittent."
    };
    Answer::No(
        Proof {
            summary: format!(
                "The connection to {vip} timed out from {how} a backend of that Service itself. A pod calling itself through its Service needs hairpin mode on its bridge port: the DNATed packet must leave and re-enter the same veth, and with hairpin off the bridge drops it.{only}{rule_note}"
            ),
            ..proof
        }
        .confirm(
            "Is hairpin mode on for the pod's bridge port (on its node)?",
            "for f in /sys/class/net/*/brif/*/hairpin_mode; do echo \"$f $(cat $f)\"; done",
        )
        .confirm(
            "Does the bridge CNI configuration set hairpinMode?",
            "cat /etc/cni/net.d/*.conf*",
        ),
    )
}
