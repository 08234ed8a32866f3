//! NetworkPolicy predicates (the full evaluator comes with the policy tree).

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
