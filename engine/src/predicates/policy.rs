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
