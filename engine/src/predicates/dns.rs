//! DNS predicates: how lookups ended, short names across namespaces, search-list
//! amplification under ndots, and whether pods are told to use the cluster DNS.

use super::{sh, Answer, Ctx, PredicateInfo, Proof, Subject};
use crate::calc::dns::expand;
use crate::facts::{Facts, Lookup, LookupStatus, Resolver, NODELOCAL_DNS_IPS};
use std::net::IpAddr;

/// NodeLocal DNSCache's link-local address.
pub const NODELOCAL_DNS: &str = "169.254.20.10";

fn lookup_of<'a>(ctx: &Ctx<'a>) -> Option<&'a Lookup> {
    match ctx.subject {
        Subject::Lookup(l) => Some(l),
        _ => None,
    }
}

fn lookup_proof(facts: &Facts, l: &Lookup) -> Proof {
    let mut p = Proof::default()
        .line(l.line)
        .var("name", l.name.clone())
        .key(format!("lookup:{}", l.line))
        // Every lookup depends on the cluster DNS: a CoreDNS outage explains any of them.
        .key("cluster-dns");
    // The server the output names, else the first nameserver of the client's resolv.conf.
    let from_resolver = || {
        facts
            .resolvers
            .iter()
            .find(|r| {
                (l.client_pod.is_some() && r.pod == l.client_pod)
                    || (r.pod.is_none() || l.client_pod.is_none())
                        && r.namespace == l.client_namespace
            })
            .and_then(|r| r.nameservers.first())
            .map(|n| n.value.to_string())
    };
    if let Some(s) = l.server.clone().or_else(from_resolver) {
        p = p.var("nameserver", s);
    }
    if let Some(ns) = &l.client_namespace {
        p = p
            .key(format!("client-ns:{ns}"))
            .var("client_namespace", ns.clone())
            .var("namespace", ns.clone());
    }
    if let Some(pod) = &l.client_pod {
        p = p.var("client_pod", pod.clone());
    }
    p
}

fn status_is(ctx: &Ctx, status: LookupStatus, yes: fn(&Lookup) -> String) -> Answer {
    let Some(l) = lookup_of(ctx) else {
        return Answer::Unknown(vec![]);
    };
    if l.status == status {
        Answer::Yes(Proof {
            summary: yes(l),
            ..lookup_proof(ctx.facts, l)
        })
    } else {
        Answer::No(lookup_proof(ctx.facts, l))
    }
}

fn on_server(l: &Lookup) -> String {
    l.server
        .as_deref()
        .map(|s| format!(" on {s}"))
        .unwrap_or_default()
}

pub const LOOKUP_TIMED_OUT: PredicateInfo = PredicateInfo {
    name: "lookup_timed_out",
    question: "Did the lookup time out with no server answering?",
    subject: "lookup",
    eval: |ctx| {
        status_is(ctx, LookupStatus::Timeout, |l| {
            format!("The {} lookup of `{}` got no answer{}: nobody answers on the nameserver address — CoreDNS down or unreachable, an egress NetworkPolicy dropping port 53, or the wrong nameserver.", l.tool, l.name, on_server(l))
        })
    },
};

pub const LOOKUP_NXDOMAIN: PredicateInfo = PredicateInfo {
    name: "lookup_nxdomain",
    question: "Did the resolver answer that the name does not exist (NXDOMAIN)?",
    subject: "lookup",
    eval: |ctx| {
        status_is(ctx, LookupStatus::NxDomain, |l| {
            format!(
                "The name `{}` does not exist as asked: the resolver answered NXDOMAIN{}.",
                l.name,
                on_server(l)
            )
        })
    },
};

pub const LOOKUP_SERVFAIL: PredicateInfo = PredicateInfo {
    name: "lookup_servfail",
    question: "Did the resolver answer SERVFAIL?",
    subject: "lookup",
    eval: |ctx| {
        status_is(ctx, LookupStatus::ServFail, |l| {
            format!("The resolver{} answered SERVFAIL for `{}` (Go reports it as \"server misbehaving\"): an upstream or plugin failure in the DNS server, not a missing name.", on_server(l), l.name)
        })
    },
};

fn failed(l: &Lookup) -> bool {
    matches!(
        l.status,
        LookupStatus::NxDomain | LookupStatus::ServFail | LookupStatus::NoAnswer
    )
}

/// The namespace a pod's resolv.conf puts first (`<ns>.svc.<domain>`).
fn search_namespace(r: &Resolver) -> Option<String> {
    let first = r.search.first()?;
    let (ns, rest) = first.split_once('.')?;
    rest.starts_with("svc.").then(|| ns.to_string())
}

fn resolver_for<'a>(facts: &'a Facts, l: &Lookup) -> Option<&'a Resolver> {
    facts
        .resolvers
        .iter()
        .find(|r| r.pod.is_some() && r.pod == l.client_pod)
        .or_else(|| {
            facts
                .resolvers
                .iter()
                .find(|r| l.client_namespace.is_some() && r.namespace == l.client_namespace)
        })
        .or_else(|| (facts.resolvers.len() == 1).then(|| &facts.resolvers[0]))
}

pub const SHORT_NAME_FROM_OTHER_NAMESPACE: PredicateInfo = PredicateInfo {
    name: "short_name_from_other_namespace",
    question: "Was a single-label Service name asked from a pod in another namespace?",
    subject: "lookup",
    eval: |ctx| {
        let Some(l) = lookup_of(ctx) else {
            return Answer::Unknown(vec![]);
        };
        let facts = ctx.facts;
        let name = l.name.trim_end_matches('.');
        let proof = lookup_proof(ctx.facts, l);
        if l.name.ends_with('.') || name.contains('.') || name.is_empty() || !failed(l) {
            return Answer::No(proof);
        }
        // Where the Service of that name lives.
        let svc_ns = facts
            .services
            .iter()
            .find(|s| s.name == name && s.namespace.is_some())
            .and_then(|s| {
                s.namespace
                    .clone()
                    .map(|n| (n, s.lines.first().copied().unwrap_or(0)))
            })
            .or_else(|| (name == "kubernetes").then(|| ("default".to_string(), 0)));
        let resolver = resolver_for(facts, l);
        let client_ns = l
            .client_namespace
            .clone()
            .or_else(|| resolver.and_then(search_namespace));
        let Some((svc_ns, svc_line)) = svc_ns else {
            return Answer::unknown(
                format!("In which namespace does Service `{name}` live?"),
                format!(
                    "kubectl get svc -A --field-selector metadata.name={}",
                    sh(name)
                ),
            );
        };
        if client_ns.as_deref() == Some(svc_ns.as_str()) {
            return Answer::No(proof);
        }
        let from = match &client_ns {
            Some(ns) => format!("from a pod in namespace `{ns}`"),
            None => "from a pod outside it".to_string(),
        };
        let first_try = match &client_ns {
            Some(ns) => format!("`{name}.{ns}.svc.cluster.local`"),
            None => format!("`{name}.<client-namespace>.svc.cluster.local`"),
        };
        let mut p = Proof {
            summary: format!(
                "`{name}` is a single-label name and Service `{name}` lives in namespace `{svc_ns}`; asked {from}, the resolver expands it with the client's own namespace first ({first_try}), which does not exist. Use `{name}.{svc_ns}` or the FQDN `{name}.{svc_ns}.svc.cluster.local.`"
            ),
            ..proof
        }
        .line(svc_line)
        .var("service", name.to_string())
        .var("namespace", svc_ns.clone())
        .var("fqdn", format!("{name}.{svc_ns}.svc.cluster.local"));
        if svc_line == 0 {
            p = p.note(format!(
                "the `{name}` Service is created by Kubernetes in namespace `{svc_ns}`"
            ));
        }
        if let Some(r) = resolver {
            p = p.lines(r.search_line);
        }
        if client_ns.is_none() {
            p = p.confirm(
                "Which namespace does the client run in (first search domain)?",
                "kubectl exec <client-pod> -n <client-namespace> -- cat /etc/resolv.conf",
            );
        }
        Answer::Yes(p)
    },
};

/// Does the name look like one outside the cluster (has a dot, not a cluster suffix)?
fn external_looking(name: &str) -> bool {
    let n = name.trim_end_matches('.');
    n.contains('.') && !n.ends_with(".local") && !n.contains(".svc")
}

pub const NAME_EXPANDS_THROUGH_SEARCH_LIST: PredicateInfo = PredicateInfo {
    name: "name_expands_through_search_list",
    question: "Does the name walk the whole search list before it is asked as typed (ndots)?",
    subject: "lookup",
    eval: |ctx| {
        let Some(l) = lookup_of(ctx) else {
            return Answer::Unknown(vec![]);
        };
        let facts = ctx.facts;
        let proof = lookup_proof(ctx.facts, l);
        if l.name.ends_with('.') || l.name.is_empty() {
            return Answer::No(proof);
        }
        let relevant =
            external_looking(&l.name) || l.status == LookupStatus::NxDomain || l.tried.len() > 1;
        if !relevant {
            return Answer::No(proof);
        }
        let Some(r) = resolver_for(facts, l) else {
            return Answer::unknown(
                format!(
                    "How many queries does a lookup of `{}` cost (search list and ndots)?",
                    l.name
                ),
                match (&l.client_pod, &l.client_namespace) {
                    (Some(pod), Some(ns)) => format!(
                        "kubectl exec -n {} {} -- cat /etc/resolv.conf",
                        sh(ns),
                        sh(pod)
                    ),
                    _ => "kubectl exec <client-pod> -- cat /etc/resolv.conf".to_string(),
                },
            );
        };
        // resolv(5): ndots defaults to 1.
        let ndots = r.ndots.as_ref().map(|n| n.value).unwrap_or(1);
        let e = expand(&l.name, &r.search, ndots);
        let before = e.as_typed_position().unwrap_or(0);
        if before == 0 {
            return Answer::No(proof);
        }
        let queries: Vec<String> = e
            .tries
            .iter()
            .enumerate()
            .map(|(i, t)| format!("{}. {t} A + AAAA", i + 1))
            .collect();
        let total = e.queries_with_aaaa();
        let outcome = if l.status == LookupStatus::NxDomain {
            format!("the name does not exist, so all {total} queries (A and AAAA for {} names) are spent before NXDOMAIN", e.tries.len())
        } else {
            format!("{} of the {} names are tried and fail first: {} wasted queries (A and AAAA) before the one that answers", before, e.tries.len(), before * 2)
        };
        let mut p = Proof {
            summary: format!(
                "`{}` has {} dot(s), fewer than ndots:{ndots}, so the resolver appends each of the {} search domains before asking it as typed: {outcome}. A trailing dot (`{}.`) or a lower ndots makes it one query.",
                l.name,
                e.dots,
                r.search.len(),
                l.name
            ),
            ..proof
        }
        .lines(r.ndots.as_ref().map(|n| n.line))
        .lines(r.search_line)
        .lines(l.tried.iter().map(|t| t.line))
        .note(format!("search expansion (glibc/musl order): {}", e.tries.join(" → ")))
        .var("ndots", ndots.to_string())
        .var("search", r.search.join(" "))
        .var("queries", queries.join("\n"))
        .var("query_count", total.to_string())
        .var("fqdn", format!("{}.", l.name));
        if r.ndots.is_none() {
            p = p.note("no `options ndots` line: resolv.conf's default ndots is 1");
        }
        Answer::Yes(p)
    },
};

pub const NAMESERVER_IS_CLUSTER_DNS: PredicateInfo = PredicateInfo {
    name: "nameserver_is_cluster_dns",
    question: "Are pods told to use the kube-dns ClusterIP (or the NodeLocal DNSCache address)?",
    subject: "once",
    eval: |ctx| {
        let facts = ctx.facts;
        // Nameservers pods are given: kubelet's clusterDNS and pod resolv.conf files (a
        // node's own resolv.conf, with no cluster search domain, is not a pod's).
        let mut configured: Vec<(IpAddr, usize, &str)> = facts
            .cluster_dns
            .iter()
            .map(|c| (c.value, c.line, "kubelet --cluster-dns"))
            .collect();
        for r in &facts.resolvers {
            if r.pod.is_some() || r.search.iter().any(|s| s.contains(".svc.")) {
                configured.extend(
                    r.nameservers
                        .iter()
                        .map(|n| (n.value, n.line, "the pod's resolv.conf")),
                );
            }
        }
        let failing = facts
            .lookups
            .iter()
            .any(|l| l.status != LookupStatus::Answered);
        let Some(kube_dns) = facts.kube_dns() else {
            if configured.is_empty() || !failing {
                return Answer::Unknown(vec![]);
            }
            return Answer::unknown(
                "What is the kube-dns Service ClusterIP?",
                "kubectl get svc -n kube-system kube-dns",
            );
        };
        let Some(dns_ip) = kube_dns.cluster_ip else {
            return Answer::Unknown(vec![]);
        };
        let dns_line = kube_dns.lines.first().copied().unwrap_or(0);
        let proof = Proof::default()
            .line(dns_line)
            .var("kube_dns_ip", dns_ip.to_string())
            .key("dns-config");
        if configured.is_empty() {
            if failing {
                return Answer::unknown(
                    "Which nameserver does the failing pod use?",
                    "kubectl exec <client-pod> -- cat /etc/resolv.conf",
                );
            }
            return Answer::Unknown(vec![]);
        }
        if let Some((wrong, line, source)) = configured.iter().find(|(ip, _, _)| {
            *ip != dns_ip
                && !NODELOCAL_DNS_IPS.contains(ip)
                && !facts.nodelocal_dns.iter().any(|n| n.value == Some(*ip))
        }) {
            return Answer::No(Proof {
                summary: format!(
                    "Pods are told to use nameserver {wrong} ({source}, line {line}) but the kube-dns Service's ClusterIP is {dns_ip} (line {dns_line}), and {wrong} is not the NodeLocal DNSCache address {NODELOCAL_DNS} either: their queries go to an address nobody serves."
                ),
                ..proof.line(*line).var("nameserver", wrong.to_string())
            });
        }
        Answer::Yes(Proof {
            summary: format!("Pods use {dns_ip}, the kube-dns ClusterIP (or NodeLocal DNSCache)."),
            ..proof.lines(configured.iter().map(|c| c.1))
        })
    },
};

/// CoreDNS pods: kube-system pods labelled `k8s-app=kube-dns` or named `coredns-…`.
fn coredns_pods(facts: &Facts) -> Vec<&crate::facts::Pod> {
    facts
        .pods
        .iter()
        .filter(|p| {
            p.namespace.as_deref().is_none_or(|n| n == "kube-system")
                && (p.name.starts_with("coredns-")
                    || p.name.starts_with("kube-dns-")
                    || p.labels
                        .as_ref()
                        .is_some_and(|l| l.value.get("k8s-app").is_some_and(|v| v == "kube-dns")))
        })
        .collect()
}

pub const COREDNS_PODS_NOT_READY: PredicateInfo = PredicateInfo {
    name: "coredns_pods_not_ready",
    question: "Are some CoreDNS pods not Ready?",
    subject: "once",
    eval: |ctx| {
        let pods = coredns_pods(ctx.facts);
        if pods.is_empty() {
            return Answer::Unknown(vec![]);
        }
        let not_ready: Vec<_> = pods
            .iter()
            .filter(|p| p.ready.as_ref().is_some_and(|r| !r.value))
            .collect();
        let mut proof = Proof::default()
            .key("coredns")
            .key("cluster-dns")
            .var("namespace", "kube-system");
        for p in &pods {
            proof = proof.lines(p.lines.iter().copied());
        }
        if not_ready.is_empty() {
            return Answer::No(proof);
        }
        let list: Vec<String> = not_ready
            .iter()
            .map(|p| {
                format!(
                    "{} ({})",
                    p.name,
                    p.not_ready_reason
                        .clone()
                        .or_else(|| p.status.clone())
                        .unwrap_or_else(|| "not Ready".into())
                )
            })
            .collect();
        let all = not_ready.len() == pods.len();
        Answer::Yes(Proof {
            summary: format!(
                "{} of {} CoreDNS pod(s) are not Ready: {}. {}",
                not_ready.len(),
                pods.len(),
                list.join(", "),
                if all {
                    "With none Ready, kube-dns has no endpoints and every lookup in the cluster times out."
                } else {
                    "Lookups that land on them fail or time out; the rest of the cluster DNS limps on."
                }
            ),
            ..proof.var("pod", not_ready[0].name.clone())
        })
    },
};

pub const LOOKUP_TOOL_MISLEADS: PredicateInfo = PredicateInfo {
    name: "lookup_tool_misleads",
    question: "Can the command used show what the pod's resolver does?",
    subject: "lookup",
    eval: |ctx| {
        let Some(l) = lookup_of(ctx) else {
            return Answer::Unknown(vec![]);
        };
        let proof = lookup_proof(ctx.facts, l);
        let Some(cmd) = l.command.as_deref() else {
            return Answer::Yes(proof);
        };
        let words: Vec<&str> = cmd.split_whitespace().collect();
        let dig = l.tool == "dig";
        let fqdn = format!(
            "{}.<namespace>.svc.cluster.local.",
            l.name.trim_end_matches('.')
        );
        let why = if dig && words.contains(&"+trace") {
            Some(format!("`dig +trace` resolves `{}` from the root servers itself: it ignores the pod's nameserver, search list and ndots, so its answer says nothing about what the pod's resolver does.", l.name))
        } else if dig
            && !l.name.ends_with('.')
            && !l.name.contains('.')
            && !words.iter().any(|w| *w == "+search" || *w == "+showsearch")
            && l.status == LookupStatus::NxDomain
        {
            Some(format!("`dig {}` asks for the single label `{}.` as is: dig does not apply the search list unless given `+search`, so this NXDOMAIN is expected and says nothing about the pod's resolver (getaddrinfo would try `{fqdn}` first).", l.name, l.name))
        } else {
            None
        };
        match why {
            Some(summary) => Answer::No(Proof {
                summary,
                ..proof.var("fqdn", fqdn)
            }),
            None => Answer::Yes(proof),
        }
    },
};

/// A server named as text that is a NodeLocal DNSCache address.
fn nodelocal_ip(ip: &str) -> bool {
    ip.parse()
        .is_ok_and(|ip: IpAddr| NODELOCAL_DNS_IPS.contains(&ip))
}

pub const NODELOCAL_EGRESS_UNPROVEN: PredicateInfo = PredicateInfo {
    name: "nodelocal_dns_not_blocked",
    question: "With NodeLocal DNSCache in use and no policy pasted, is something other than an egress policy the likely cause of the timeouts?",
    subject: "lookup",
    eval: |ctx| {
        let f = ctx.facts;
        let Some(l) = lookup_of(ctx) else {
            return Answer::Unknown(vec![]);
        };
        if l.status != LookupStatus::Timeout || f.evaluated.is_some() {
            // Not a timeout, or the pasted policies were evaluated: they decide.
            return Answer::Unknown(vec![]);
        }
        let by_server = l.server.as_deref().is_some_and(nodelocal_ip);
        let Some(used) = f.nodelocal_dns.first() else {
            if !by_server {
                return Answer::Unknown(vec![]);
            }
            return nodelocal_answer(f, l, NODELOCAL_DNS.to_string(), l.line);
        };
        let ip = used
            .value
            .map(|i| i.to_string())
            .unwrap_or_else(|| NODELOCAL_DNS.to_string());
        nodelocal_answer(f, l, ip, used.line)
    },
};

fn nodelocal_answer(f: &Facts, l: &Lookup, ip: String, line: usize) -> Answer {
    let ns = l.client_namespace.clone();
    let ns_flag = super::ns_flag(ns.as_deref());
    let every = f
        .lookups
        .iter()
        .filter(|o| o.status != LookupStatus::Answered)
        .all(|o| o.status == LookupStatus::Timeout);
    let mut p = lookup_proof(f, l)
        .line(line)
        .var("nodelocal_ip", ip.clone())
        .note("inferred: no NetworkPolicy was pasted; the confirm commands decide it");
    if let Some(n) = &ns {
        p = p
            .var("namespace", n.clone())
            .var("client_namespace", n.clone());
    }
    if let Some(pod) = &l.client_pod {
        p = p.var("client_pod", pod.clone());
    }
    Answer::No(Proof {
        summary: format!(
            "{} time out, and the cluster resolves through NodeLocal DNSCache at {ip} (line {line}): a hostNetwork cache on every node, reached at a link-local address. The usual cause is an egress NetworkPolicy whose DNS rule allows only the kube-dns pods (a namespaceSelector/podSelector for kube-system): the cache is no pod in kube-system, so the rule never matches it — allow UDP and TCP 53 to ipBlock {ip}/32 as well. If no policy selects the client, look at the node-local-dns pods instead.",
            if every { "All lookups" } else { "Lookups" }
        ),
        ..p
    }
    .confirm(
        "Which NetworkPolicies select the client, and do they allow UDP/TCP 53 to the NodeLocal address?",
        format!("kubectl get networkpolicy{ns_flag} -o yaml"),
    )
    .confirm(
        "Is the NodeLocal DNSCache running on the client's node?",
        "kubectl -n kube-system get pods -l k8s-app=node-local-dns -o wide",
    ))
}
