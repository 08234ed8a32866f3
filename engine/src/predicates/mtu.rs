//! MTU predicates: a path that carries fewer bytes than the interfaces send (a black hole
//! when the ICMP that says so is lost or ignored), and a tunnel or pod interface whose MTU
//! leaves no room for the overlay's headers. The arithmetic is `calc::mtu`'s.

use super::{Answer, PredicateInfo, Proof, Subject};
use crate::calc::mtu::{self, Encap};
use crate::facts::{Interface, Signal};

fn num(s: &Signal, k: &str) -> Option<u32> {
    s.fields.get(k).and_then(|v| v.parse().ok())
}

pub const PATH_MTU_BELOW_INTERFACE: PredicateInfo = PredicateInfo {
    name: "path_mtu_below_interface",
    question: "Does the path carry fewer bytes than the sender's MTU?",
    subject: "signal",
    eval: |ctx| {
        let Subject::Signal(s) = ctx.subject else {
            return Answer::Unknown(vec![]);
        };
        let base = Proof::default()
            .lines(s.lines.iter().copied())
            .key("path-mtu");
        if s.source != "path" {
            return Answer::No(base);
        }
        let dest = s.fields.get("destination").cloned().unwrap_or_default();
        let summary = match s.signature.as_str() {
            "ping-mtu-error" => {
                let payload = num(s, "payload");
                match (num(s, "mtu"), payload) {
                    (Some(m), Some(p)) => format!("`ping -M do -s {p}` to {dest} cannot leave: {p} + 28 = {} bytes exceed the path MTU of {m}. Packets over {m} bytes with DF set are not delivered; TCP must use an MSS of at most {} (= {m} − 40).", p + 28, m.saturating_sub(40)),
                    (Some(m), None) => format!("ping to {dest} reports a path MTU of {m}: packets over {m} bytes with DF set are not delivered; TCP needs an MSS of at most {}.", m.saturating_sub(40)),
                    (None, Some(p)) => format!("`ping -M do -s {p}` to {dest} fails with `Message too long`: {} bytes exceed the MTU on the way.", p + 28),
                    (None, None) => format!("ping to {dest} fails with `Message too long`: the packet exceeds the MTU on the way."),
                }
            }
            "pmtu-drop" => {
                let (first, low) = (
                    num(s, "first_pmtu").unwrap_or(0),
                    num(s, "mtu").unwrap_or(0),
                );
                format!("tracepath starts with pmtu {first} and drops to {low} on the way: a hop carries only {low} bytes, {} fewer than the sender's interface. Anything larger is dropped there unless the ICMP `fragmentation needed` gets back to the sender.", first.saturating_sub(low))
            }
            "icmp-need-frag" => {
                let m = num(s, "mtu");
                let times = if s.count > 1 {
                    format!(" {} times", s.count)
                } else {
                    String::new()
                };
                match m {
                    Some(m) => format!("A hop answered{times} with ICMP `need to frag (mtu {m})`: packets over {m} bytes are dropped there, and the sender keeps sending them — large transfers stall while small requests work (an MTU black hole). Inner MTU ≤ {m}, MSS ≤ {}.", m.saturating_sub(40)),
                    None => format!("A hop answered{times} with ICMP `need to frag`: large packets are dropped on the way while small ones pass."),
                }
            }
            "df-ping-lost" => {
                let payload = num(s, "payload").unwrap_or(0);
                let ok = ctx.facts.signals.iter().find(|o| {
                    o.signature == "df-ping-ok"
                        && o.fields.get("destination") == s.fields.get("destination")
                        && num(o, "payload").is_some_and(|p| p < payload)
                });
                let Some(ok) = ok else {
                    return Answer::No(base);
                };
                let small = num(ok, "payload").unwrap_or(0);
                return Answer::Yes(Proof {
                    summary: format!("DF pings to {dest} pass with {small} bytes of payload ({} on the wire) but all are lost with {payload} ({}): the path MTU lies between {} and {} and nothing reports it — an MTU black hole.", small + 28, payload + 28, small + 28, payload + 27),
                    ..base.lines(ok.lines.iter().copied())
                });
            }
            _ => return Answer::No(base),
        };
        Answer::Yes(Proof { summary, ..base })
    },
};

/// The node's uplink: the largest MTU among physical-looking interfaces outside pods.
fn underlay(ifaces: &[Interface]) -> Option<&Interface> {
    ifaces
        .iter()
        .filter(|i| i.pod.is_none() && i.kind.is_none())
        .filter(|i| {
            ["eth", "ens", "enp", "eno", "bond", "em"]
                .iter()
                .any(|p| i.name.starts_with(p))
        })
        .max_by_key(|i| i.mtu)
}

pub const OVERLAY_MTU_FITS: PredicateInfo = PredicateInfo {
    name: "overlay_mtu_fits",
    question: "Do tunnel and pod MTUs leave room for the overlay's headers?",
    subject: "once",
    eval: |ctx| {
        let ifaces = &ctx.facts.interfaces;
        let tunnels: Vec<(&Interface, Encap)> = ifaces
            .iter()
            .filter_map(|i| {
                let e = Encap::parse(i.kind.as_deref()?)?;
                (e != Encap::None).then_some((i, e))
            })
            .collect();
        if tunnels.is_empty() {
            return Answer::Unknown(vec![]);
        }
        let mut proof = Proof::default().key("path-mtu");
        let mut problems = Vec::new();
        if let Some(up) = underlay(ifaces) {
            for (t, e) in &tunnels {
                let Ok(plan) = mtu::plan(up.mtu, *e, false, false, 0) else {
                    continue;
                };
                if t.mtu > plan.pod_mtu {
                    proof = proof.line(t.line).line(up.line);
                    problems.push(format!("{} ({}) has MTU {} but {} over {}'s {} leaves {} ({} − {} bytes of headers)", t.name, t.kind.as_deref().unwrap_or(""), t.mtu, t.kind.as_deref().unwrap_or(""), up.name, up.mtu, plan.pod_mtu, up.mtu, plan.overhead));
                    proof = proof
                        .var("pod_mtu", t.mtu.to_string())
                        .var("safe_mtu", plan.pod_mtu.to_string());
                }
            }
        }
        // Pod interfaces bigger than the tunnel that carries them.
        if let Some((t, _)) = tunnels.iter().min_by_key(|(t, _)| t.mtu) {
            for p in ifaces
                .iter()
                .filter(|i| i.pod.is_some() && i.name == "eth0")
            {
                if p.mtu > t.mtu {
                    proof = proof.line(p.line).line(t.line);
                    problems.push(format!("eth0 in pod {} has MTU {} but the tunnel {} carries {}: packets of {}–{} bytes leave the pod and cannot cross nodes", p.pod.as_deref().unwrap_or(""), p.mtu, t.name, t.mtu, t.mtu + 1, p.mtu));
                    proof = proof
                        .var("pod_mtu", p.mtu.to_string())
                        .var("safe_mtu", t.mtu.to_string());
                }
            }
        }
        if problems.is_empty() {
            return Answer::Yes(proof);
        }
        Answer::No(Proof {
            summary: format!("{}. Small packets pass, large ones (TLS handshakes, big responses) are dropped or fragmented between nodes.", problems.join("; ")),
            ..proof
        })
    },
};
