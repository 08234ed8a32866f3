//! NetworkPolicy predicates: default deny per policy, and the evaluator's verdicts over
//! the pasted manifests (`crate::policy`: flows denied, DNS egress, namespace labels,
//! selectors that select nothing, ports that are not the pods' ports).

use super::{qualified, Answer, PredicateInfo, Proof, Subject};

pub const POLICY_DENIES_BY_DEFAULT: PredicateInfo = PredicateInfo {
    name: "policy_denies_by_default",
    question:
        "Does this policy select every pod of its namespace and allow nothing in a direction?",
    subject: "policy",
    eval: |ctx| {
        let Subject::Policy(pol) = ctx.subject else {
            return Answer::Unknown(vec![]);
        };
        let q = qualified(pol.namespace.as_deref(), &pol.name);
        let ns = pol
            .namespace
            .clone()
            .unwrap_or_else(|| "its namespace".into());
        let deny_in = pol.ingress_isolated && pol.ingress_rules == 0;
        let deny_out = pol.egress_isolated && pol.egress_rules == 0;
        let mut proof = Proof::default()
            .line(pol.first_line)
            .line(pol.pod_selector_line)
            .lines(pol.policy_types_line)
            .var("policy", pol.name.clone())
            .key(format!("policy:{q}"));
        if let Some(n) = &pol.namespace {
            proof = proof.var("namespace", n.clone());
        }
        if !pol.pod_selector.is_empty() || !(deny_in || deny_out) {
            return Answer::No(proof);
        }
        // The runbook's allow-policy example is written for the Service in focus in the
        // isolated namespace and the client that probed it, when the paste shows them.
        let svc = ctx
            .facts
            .services
            .iter()
            .find(|s| s.in_focus && s.namespace == pol.namespace);
        if let Some(svc) = svc {
            for (k, v) in super::service::base(svc).vars {
                proof.vars.entry(k).or_insert(v);
            }
            let client = ctx.facts.probes.iter().find(|p| {
                ctx.facts
                    .service_for_probe(p)
                    .is_some_and(|s| s.name == svc.name && s.namespace == svc.namespace)
            });
            if let Some(c) = client {
                if let Some(ns) = &c.client_namespace {
                    proof.vars.insert("client_namespace".into(), ns.clone());
                }
                if let Some(pod) = &c.client_pod {
                    proof.vars.insert("client_pod".into(), pod.clone());
                }
            }
        }
        let dirs = match (deny_in, deny_out) {
            (true, true) => "no Ingress and no Egress",
            (true, false) => "no Ingress",
            _ => "no Egress",
        };
        let mut effect = Vec::new();
        if deny_in {
            effect.push(format!("nothing can connect to pods in {ns}"));
            proof = proof.key(format!("dst-ns:{ns}"));
        }
        if deny_out {
            effect.push(format!(
                "pods in {ns} cannot open any connection, DNS lookups to kube-dns included"
            ));
            proof = proof.key(format!("client-ns:{ns}"));
        }
        let others = ctx
            .facts
            .policies
            .iter()
            .filter(|p| p.namespace == pol.namespace && p.name != pol.name)
            .count();
        let rest = if others > 0 {
            format!(" {others} other polic(ies) in {ns} may allow some flows back.")
        } else {
            " No other policy in the paste allows anything back.".to_string()
        };
        Answer::Yes(Proof {
            summary: format!("NetworkPolicy {q} selects every pod in {ns} (podSelector: {{}}) and allows {dirs}: {}.{rest}", effect.join("; ")),
            ..proof
        })
    },
};

/// The evaluator's findings of one id as an answer: none found is `Yes`, each found one
/// a proof of `No`; `Unknown` (no question asked) when the evaluator did not run.
fn verdict(ctx: &super::Ctx, id: &str, fine: &str) -> Answer {
    let Some(found) = ctx.facts.evaluated.as_ref() else {
        return Answer::Unknown(vec![]);
    };
    let mut proofs = found
        .iter()
        .filter(|(i, _)| i == id)
        .map(|(_, p)| p.clone());
    match proofs.next() {
        None => Answer::Yes(Proof::new(fine)),
        Some(mut first) => {
            first.more = proofs.collect();
            Answer::No(first)
        }
    }
}

pub const DNS_EGRESS_ALLOWED: PredicateInfo = PredicateInfo {
    name: "dns_egress_allowed",
    question: "Can every egress-isolated workload reach the cluster DNS on UDP and TCP 53?",
    subject: "once",
    eval: |ctx| {
        verdict(
            ctx,
            "dns-egress-blocked",
            "Every workload the pasted policies isolate for egress may reach DNS on UDP and TCP 53.",
        )
    },
};

pub const POLICIES_ALLOW_PROBED_FLOWS: PredicateInfo = PredicateInfo {
    name: "policies_allow_probed_flows",
    question: "Do the policies allow the flows that timed out?",
    subject: "once",
    eval: |ctx| {
        verdict(
            ctx,
            "netpol-blocks-flow",
            "No timed-out connection between known workloads is denied by the pasted policies.",
        )
    },
};

pub const POLICY_NAMESPACE_LABELS_EXIST: PredicateInfo = PredicateInfo {
    name: "policy_namespace_labels_exist",
    question: "Do the namespaces carry the labels the policies' namespaceSelectors ask for?",
    subject: "once",
    eval: |ctx| {
        verdict(
            ctx,
            "netpol-namespace-label-missing",
            "Every namespaceSelector asks for labels some known namespace carries.",
        )
    },
};

pub const POLICY_SELECTS_PODS: PredicateInfo = PredicateInfo {
    name: "policy_selects_pods",
    question: "Does every policy's podSelector match a known pod?",
    subject: "once",
    eval: |ctx| {
        verdict(
            ctx,
            "netpol-selects-nothing",
            "Every policy selects at least one known workload.",
        )
    },
};

pub const POLICY_PORTS_MATCH_TARGETS: PredicateInfo = PredicateInfo {
    name: "policy_ports_match_targets",
    question: "Do the policies allow the pods' targetPorts (not the Service port or nodePort)?",
    subject: "once",
    eval: |ctx| {
        verdict(
            ctx,
            "netpol-port-mismatch",
            "The ports the policies allow are ports the selected pods serve.",
        )
    },
};
