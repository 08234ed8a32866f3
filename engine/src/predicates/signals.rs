//! Predicates over log signatures and error messages: each answers yes for the signals
//! that prove one finding by themselves (a CoreDNS loop, a full conntrack table, a
//! rejected nodePort, kube-proxy unable to write its rules), with every line that showed
//! it.

use super::{Answer, Ctx, PredicateInfo, Proof, Subject};
use crate::facts::Signal;

fn signal_of<'a>(ctx: &Ctx<'a>) -> Option<&'a Signal> {
    match ctx.subject {
        Subject::Signal(s) => Some(s),
        _ => None,
    }
}

fn base(s: &Signal) -> Proof {
    Proof::default()
        .lines(s.lines.iter().copied())
        .key(format!("signal:{}", s.source))
}

fn times(s: &Signal) -> String {
    if s.count > 1 {
        format!(" ({} lines)", s.count)
    } else {
        String::new()
    }
}

/// Yes when `matches` holds, with `summary`'s text; no otherwise.
fn answer(ctx: &Ctx, matches: fn(&Signal) -> bool, summary: fn(&Ctx, &Signal) -> Proof) -> Answer {
    let Some(s) = signal_of(ctx) else {
        return Answer::Unknown(vec![]);
    };
    if matches(s) {
        Answer::Yes(summary(ctx, s))
    } else {
        Answer::No(base(s))
    }
}

pub const COREDNS_LOOP_DETECTED: PredicateInfo = PredicateInfo {
    name: "coredns_loop_detected",
    question: "Did CoreDNS's loop plugin detect a forwarding loop?",
    subject: "signal",
    eval: |ctx| {
        answer(
            ctx,
            |s| s.source == "coredns" && s.signature == "loop-detected",
            |_, s| {
                let path = match (s.fields.get("from"), s.fields.get("to")) {
                    (Some(a), Some(b)) => format!(" ({a} → {b})"),
                    _ => String::new(),
                };
                Proof {
                    summary: format!("CoreDNS's loop plugin saw its own probe query come back{path}{}: `forward . /etc/resolv.conf` sends queries to a resolver that sends them back — typically the node's /etc/resolv.conf points at a local stub such as systemd-resolved's 127.0.0.53. CoreDNS exits with FATAL and CrashLoops, so cluster DNS is down.", times(s)),
                    ..base(s).key("coredns").key("cluster-dns")
                }
            },
        )
    },
};

pub const CONNTRACK_TABLE_FULL_LOGGED: PredicateInfo = PredicateInfo {
    name: "conntrack_table_full_logged",
    question: "Did the kernel log that the conntrack table is full?",
    subject: "signal",
    eval: |ctx| {
        answer(
            ctx,
            |s| s.source == "kernel" && s.signature == "conntrack-table-full",
            |ctx, s| {
                let mut p = base(s);
                let max = ctx.facts.signals.iter().find(|o| {
                    o.source == "kube-proxy"
                        && (o.signature == "conntrack-max"
                            || o.fields
                                .get("key")
                                .is_some_and(|k| k.contains("nf_conntrack_max")))
                });
                let limit = match max {
                    Some(m) => {
                        p = p.lines(m.lines.iter().copied());
                        let v = m.fields.get("value").cloned().unwrap_or_default();
                        format!(" kube-proxy set nf_conntrack_max to {v} (line {}), so the table holds at most {v} flows.", m.lines.first().copied().unwrap_or(0))
                    }
                    None => String::new(),
                };
                Proof {
                    summary: format!("The kernel logged `nf_conntrack: table full, dropping packet`{}: new connections are dropped (clients time out or retry) while established ones carry on.{limit}", times(s)),
                    ..p
                }
            },
        )
    },
};

pub const NODEPORT_REJECTED: PredicateInfo = PredicateInfo {
    name: "nodeport_rejected",
    question: "Is a Service's nodePort outside the NodePort range?",
    subject: "signal",
    eval: |ctx| {
        answer(
            ctx,
            |s| {
                (s.source == "kubectl"
                    && s.signature == "invalid"
                    && s.fields
                        .get("field")
                        .is_some_and(|f| f.contains("nodePort"))
                    && s.fields
                        .get("reason")
                        .is_some_and(|r| r.contains("valid range")))
                    || (s.source == "manifest" && s.signature == "nodeport-out-of-range")
            },
            |_, s| {
                let name = s
                    .fields
                    .get("name")
                    .cloned()
                    .unwrap_or_else(|| "the Service".into());
                let port = s.fields.get("value").cloned().unwrap_or_default();
                let how = if s.source == "kubectl" {
                    "the API server rejected it"
                } else {
                    "the API server rejects it unless the cluster's --service-node-port-range was widened"
                };
                let mut p = base(s)
                    .var("service", name.clone())
                    .var("port", port.clone());
                if let Some(ns) = s.fields.get("namespace") {
                    p = p.var("namespace", ns.clone());
                }
                Proof {
                    summary: format!("Service {name} asks for nodePort {port}, outside the NodePort range (30000-32767 unless kube-apiserver's --service-node-port-range says otherwise): {how}. Use port/targetPort {port} and let Kubernetes pick the nodePort, or a LoadBalancer/Ingress for a fixed external port."),
                    ..p
                }
            },
        )
    },
};

fn backend_mismatch(s: &Signal) -> bool {
    let d = s.detail.to_ascii_lowercase();
    d.contains("can't initialize iptables table")
        || d.contains("table does not exist")
        || d.contains("iptables-legacy tables present")
}

pub const IPTABLES_BACKEND_SPLIT_LOGGED: PredicateInfo = PredicateInfo {
    name: "iptables_backend_split_logged",
    question: "Does kube-proxy's iptables fail to find a table the host has in the other backend?",
    subject: "signal",
    eval: |ctx| {
        answer(
            ctx,
            |s| {
                (s.source == "kube-proxy" && backend_mismatch(s))
                    || (s.source == "iptables" && s.signature == "legacy-tables-present")
            },
            |ctx, s| {
                if s.source == "iptables" {
                    // The versions pasted say which backend this iptables is.
                    let mut p = base(s).key("kube-proxy-rules");
                    let mut shown: Vec<String> = Vec::new();
                    for o in ctx
                        .facts
                        .signals
                        .iter()
                        .filter(|o| o.source == "iptables" && o.signature == "version")
                    {
                        p = p.lines(o.lines.iter().copied());
                        shown.push(format!(
                            "{} {}",
                            o.fields.get("version").map(String::as_str).unwrap_or(""),
                            o.fields.get("backend").map(String::as_str).unwrap_or("")
                        ));
                    }
                    let versions = if shown.is_empty() {
                        String::new()
                    } else {
                        format!(" (iptables here: {})", shown.join(", "))
                    };
                    return Proof {
                        summary: format!("This iptables reads the nf_tables backend and warns that iptables-legacy tables are present{versions}: kube-proxy (or another agent) wrote its rules with the other backend, so the rules listed here are not all the kernel runs, and two sets of rules may fight."),
                        ..p
                    };
                }
                let v = s
                    .fields
                    .get("iptables_version")
                    .map(|v| format!(" v{}", v.trim_start_matches('v')))
                    .unwrap_or_default();
                Proof {
                    summary: format!("kube-proxy's iptables{v} cannot open the nat table: `Table does not exist (do you need to insmod?)` means its iptables speaks the legacy backend while the host's kernel and tools use nf_tables (or the reverse), so the rules it needs live in a backend it cannot see."),
                    ..base(s).key("kube-proxy-rules")
                }
            },
        )
    },
};

pub const KUBE_PROXY_CANNOT_PROGRAM: PredicateInfo = PredicateInfo {
    name: "kube_proxy_cannot_program",
    question: "Does kube-proxy fail to write its rules?",
    subject: "signal",
    eval: |ctx| {
        answer(
            ctx,
            |s| {
                s.source == "kube-proxy"
                    && (s.signature == "chain-create-failed"
                        || s.signature == "iptables-restore-failed")
            },
            |_, s| {
                let chain = s
                    .fields
                    .get("chain")
                    .map(|c| format!(" chain {c}"))
                    .unwrap_or_default();
                Proof {
                    summary: format!("kube-proxy failed to write its rules{chain}{}: Services on this node have no (or stale) KUBE-SERVICES rules, so ClusterIPs and NodePorts do not answer here.", times(s)),
                    ..base(s).key("kube-proxy-rules")
                }
            },
        )
    },
};

pub const KUBE_PROXY_NO_LOCAL_ENDPOINTS: PredicateInfo = PredicateInfo {
    name: "kube_proxy_no_local_endpoints",
    question: "Does kube-proxy drop traffic for a Service with no local endpoint?",
    subject: "signal",
    eval: |ctx| {
        answer(
            ctx,
            |s| s.signature == "no-local-endpoints",
            |ctx, s| {
                let svc = s.fields.get("service").cloned();
                let what = match &svc {
                    Some(n) => format!(
                        "Service {n} has externalTrafficPolicy: Local and no endpoint on this node"
                    ),
                    None => {
                        "A Service with externalTrafficPolicy: Local has no endpoint on this node"
                            .to_string()
                    }
                };
                let source = if s.source == "iptables" {
                    "kube-proxy's rule `has no local endpoints` jumps to KUBE-MARK-DROP"
                } else {
                    "kube-proxy logs it"
                };
                let mut p = base(s);
                if let Some((ns, name)) = svc.as_deref().and_then(|n| n.split_once('/')) {
                    let name = name.split(':').next().unwrap_or(name);
                    p = p.var("namespace", ns).var("service", name);
                    // The Service's own `externalTrafficPolicy: Local`, when pasted.
                    if let Some(etp) = ctx
                        .facts
                        .service(name, Some(ns))
                        .and_then(|x| x.external_traffic_policy.as_ref())
                    {
                        p = p.line(etp.line);
                    }
                }
                Proof {
                    summary: format!("{what} ({source}): NodePort/LoadBalancer traffic arriving here is dropped instead of forwarded to a node that runs a pod. Clients time out on this node's IP and work on others."),
                    ..p
                }
            },
        )
    },
};

pub const SYN_SENT_PILEUP: PredicateInfo = PredicateInfo {
    name: "syn_sent_pileup",
    question: "Do several connections to one peer hang in SYN-SENT?",
    subject: "signal",
    eval: |ctx| {
        answer(
            ctx,
            |s| s.source == "sockets" && s.signature == "syn-sent-pileup",
            |_, s| {
                let peer = s.fields.get("peer").cloned().unwrap_or_default();
                let (host, port) = peer.rsplit_once(':').unwrap_or((peer.as_str(), ""));
                let by = s
                    .fields
                    .get("process")
                    .map(|p| format!(" by {p}"))
                    .unwrap_or_default();
                Proof {
                    summary: format!("{} sockets{by} sit in SYN-SENT toward {peer}: their SYNs get no answer at all — the packets are dropped on the way (a NetworkPolicy, a firewall or security group, a missing route) or the peer is gone without a RST; clients see connect timeouts.", s.count),
                    ..base(s).var("host", host).var("port", port)
                }
            },
        )
    },
};

pub const CLOSE_WAIT_PILEUP: PredicateInfo = PredicateInfo {
    name: "close_wait_pileup",
    question: "Do many sockets on one local port sit in CLOSE-WAIT?",
    subject: "signal",
    eval: |ctx| {
        answer(
            ctx,
            |s| s.source == "sockets" && s.signature == "close-wait-pileup",
            |_, s| {
                let port = s.fields.get("local_port").cloned().unwrap_or_default();
                let by = s
                    .fields
                    .get("process")
                    .map(|p| format!(" ({p})"))
                    .unwrap_or_default();
                Proof {
                    summary: format!("{} sockets on local port {port}{by} sit in CLOSE-WAIT: the peers closed their side but the application never closed its own — a socket or connection-pool leak that ends in exhausted file descriptors or ports and refused or hanging requests.", s.count),
                    ..base(s).var("port", port)
                }
            },
        )
    },
};

/// A predicate over one node signal: yes with the summary `say` writes.
macro_rules! node_signal {
    ($const:ident, $name:literal, $question:literal, $sig:literal, $say:expr) => {
        pub const $const: PredicateInfo = PredicateInfo {
            name: $name,
            question: $question,
            subject: "signal",
            eval: |ctx| {
                answer(
                    ctx,
                    |s| s.source == "node" && s.signature == $sig,
                    |_, s| {
                        let say: fn(&Signal) -> Proof = $say;
                        let p = say(s);
                        Proof {
                            lines: s.lines.clone(),
                            keys: vec![format!("signal:node:{}", $sig)],
                            ..p
                        }
                    },
                )
            },
        };
    };
}

fn field<'s>(s: &'s Signal, k: &str) -> &'s str {
    s.fields.get(k).map(String::as_str).unwrap_or("")
}

node_signal!(
    NO_ROUTE,
    "no_route",
    "Does the node have no route to the address?",
    "no-route",
    |s| {
        Proof::new(format!(
        "`ip route get {}` answers `{}`: the node has no route to that address, so packets to it never leave (connections fail at once with `No route to host` / `Network is unreachable`).",
        field(s, "destination"),
        field(s, "error")
    ))
    .var("host", field(s, "destination"))
    }
);

node_signal!(
    NEIGHBOR_FAILED,
    "neighbor_failed",
    "Does ARP/NDP fail for a next hop?",
    "neighbor-failed",
    |s| {
        Proof::new(format!(
        "The neighbour entry for {} on {} is {}: ARP/NDP gets no answer, so nothing reaches that next hop (the host is down, on another L2 segment, or filtered).{}",
        field(s, "ip"),
        if field(s, "dev").is_empty() { "its device" } else { field(s, "dev") },
        field(s, "state"),
        if s.count > 1 { format!(" {} entries like it.", s.count) } else { String::new() }
    ))
    .var("host", field(s, "ip"))
    }
);

node_signal!(
    RP_FILTER_STRICT,
    "rp_filter_strict",
    "Is strict reverse-path filtering on?",
    "rp-filter-strict",
    |s| {
        Proof::new(format!(
        "`{} = 1` is strict reverse-path filtering: a packet is dropped when the reply route to its source leaves by another interface — which happens with tunnels, multiple NICs and policy routing (Calico, Cilium, AWS VPC CNI). The kernel uses the larger of `all` and the interface's value; loose mode is 2.",
        field(s, "key")
    ))
    }
);

node_signal!(
    HAIRPIN_OFF,
    "hairpin_off",
    "Is hairpin mode off on a pod's bridge port?",
    "hairpin-off",
    |s| {
        let port = if field(s, "port").is_empty() {
            field(s, "key")
        } else {
            field(s, "port")
        };
        Proof::new(format!(
            "Hairpin mode is off on bridge port {port}: a pod behind it cannot reach itself through its own Service IP (the DNATed packet would have to leave and re-enter the same port), so such requests time out while other pods' requests work.{}",
            if s.count > 1 { format!(" {} ports like it.", s.count) } else { String::new() }
        ))
    }
);

node_signal!(
    CONNTRACK_NEAR_MAX,
    "conntrack_near_max",
    "Is the conntrack table (nearly) full?",
    "conntrack-near-max",
    |s| {
        Proof::new(format!(
        "nf_conntrack_count is {} of nf_conntrack_max {}: at the limit new flows are dropped (`nf_conntrack: table full, dropping packet`) while existing ones carry on.",
        field(s, "count"),
        field(s, "max")
    ))
    }
);

node_signal!(
    CONNTRACK_DROPS,
    "conntrack_drops",
    "Does conntrack -S count failed inserts or drops?",
    "conntrack-drops",
    |s| {
        Proof::new(format!(
        "`conntrack -S` counts insert_failed={} and drop={}: new flows were refused an entry (a full table, or racing inserts of the same flow — the classic source of 5-second DNS timeouts over UDP).",
        field(s, "insert_failed"),
        field(s, "drop")
    ))
    }
);

pub const KUBE_PROXY_FELL_BACK: PredicateInfo = PredicateInfo {
    name: "kube_proxy_fell_back",
    question: "Did kube-proxy fall back from IPVS to iptables?",
    subject: "signal",
    eval: |ctx| {
        answer(
            ctx,
            |s| s.source == "kube-proxy" && s.signature == "ipvs-fallback",
            |ctx, s| {
                let mut p = base(s);
                // The mode it runs in, when its log says.
                let running = ctx
                    .facts
                    .signals
                    .iter()
                    .find(|o| o.source == "kube-proxy" && o.signature == "proxier-mode");
                let mode = match running {
                    Some(m) => {
                        p = p.lines(m.lines.iter().copied());
                        m.fields
                            .get("mode")
                            .cloned()
                            .unwrap_or_else(|| "iptables".into())
                    }
                    None => "iptables".into(),
                };
                Proof {
                    summary: format!("kube-proxy was configured for IPVS but could not use it (missing ip_vs kernel modules or ipset) and runs the {mode} proxier instead: `ipvsadm -Ln` shows nothing useful on this node, the rules live in iptables, and IPVS-only settings (schedulers, strictARP) do nothing."),
                    ..p
                }
            },
        )
    },
};

pub const BGP_NOT_ESTABLISHED: PredicateInfo = PredicateInfo {
    name: "bgp_not_established",
    question: "Does the CNI report BGP sessions to other nodes down (Calico/BIRD)?",
    subject: "signal",
    eval: |ctx| {
        answer(
            ctx,
            |s| {
                (s.signature == "bgp-not-established")
                    || s.detail.contains("BGP not established with")
            },
            |_, s| {
                let peers = s.fields.get("peers").cloned().unwrap_or_else(|| {
                    s.detail
                        .split("BGP not established with")
                        .nth(1)
                        .map(|p| p.trim().trim_end_matches(['"', '.']).to_string())
                        .unwrap_or_default()
                });
                let mut p = Proof::new(format!(
                    "calico-node reports BGP not established with {peers}{}: without its BGP sessions the node learns no routes to the pod CIDRs behind those peers, so pod traffic to them has no route (or leaves by the default gateway and is dropped). Usually TCP 179 is blocked between the nodes, or calico-node picked the wrong interface address (IP_AUTODETECTION_METHOD).",
                    times(s)
                ))
                .key("signal:node:no-route");
                p.lines = s.lines.clone();
                if let Some(first) = peers.split([',', ' ']).find(|x| !x.is_empty()) {
                    p = p.var("host", first.to_string());
                }
                p
            },
        )
    },
};

pub const KUBELET_CLUSTER_DNS_UNSET: PredicateInfo = PredicateInfo {
    name: "kubelet_cluster_dns_unset",
    question: "Does kubelet say it has no cluster DNS address to give pods?",
    subject: "signal",
    eval: |ctx| {
        answer(
            ctx,
            |s| s.source == "kubelet" && s.signature == "cluster-dns-unset",
            |_, s| {
                let mut p = Proof::new(format!(
                    "kubelet has no clusterDNS configured{}: pods with dnsPolicy ClusterFirst fall back to the node's own resolv.conf (the \"Default\" policy), so their nameserver is the node's resolver, which knows no cluster names — `*.svc.cluster.local` fails while external names resolve.{}",
                    s.fields
                        .get("pod")
                        .map(|p| format!(" (pod {p})"))
                        .unwrap_or_default(),
                    times(s)
                ))
                .key("dns-config")
                .key("cluster-dns");
                p.lines = s.lines.clone();
                p
            },
        )
    },
};
