//! Address-range predicates: the cluster's ranges (kubeadm's podSubnet/serviceSubnet) must
//! not overlap each other or hold a node's own address, and Service and pod IPs must lie
//! in their ranges.

use super::{Answer, PredicateInfo, Proof};

pub const ADDRESS_RANGES_DISJOINT: PredicateInfo = PredicateInfo {
    name: "address_ranges_disjoint",
    question: "Are the pod and Service ranges disjoint from each other and from node addresses?",
    subject: "once",
    eval: |ctx| {
        let f = ctx.facts;
        if f.ranges.is_empty() {
            return Answer::Unknown(vec![]);
        }
        let mut proof = Proof::default().key("address-ranges");
        let mut problems = Vec::new();
        for (i, a) in f.ranges.iter().enumerate() {
            for b in f.ranges.iter().skip(i + 1) {
                let (na, nb) = (a.value.1, b.value.1);
                let shared = if na.contains(&nb) {
                    Some(nb)
                } else if nb.contains(&na) {
                    Some(na)
                } else {
                    None
                };
                if let Some(s) = shared {
                    proof = proof.line(a.line).line(b.line);
                    problems.push(format!(
                        "the {} {na} and the {} {nb} overlap in {s}",
                        a.value.0, b.value.0
                    ));
                }
            }
            for addr in &f.node_addresses {
                if a.value.1.contains(&addr.value.1) {
                    proof = proof.line(a.line).line(addr.line);
                    problems.push(format!(
                        "the {} {} ({} – {}) contains {} {}: traffic the cluster sends to that range (a pod, a Service DNAT target) can land on the host, and replies from the host are routed as if to a pod",
                        a.value.0,
                        a.value.1,
                        a.value.1.network(),
                        a.value.1.broadcast(),
                        addr.value.0,
                        addr.value.1
                    ));
                }
            }
        }
        if problems.is_empty() {
            return Answer::Yes(proof);
        }
        let mut text = problems.join("; ");
        if let Some(first) = text.get(..1) {
            text = first.to_uppercase() + text.get(1..).unwrap_or("");
        }
        Answer::No(Proof {
            summary: format!(
                "{text}. The ranges cannot change in place: re-create the cluster or the CNI's IP pool with a range outside the node network."
            ),
            ..proof
        })
    },
};
