//! NetworkPolicies pasted into `netdoc diagnose`: the evaluator over the paste's own
//! manifests (and the pods its tables list), so that a timed-out connection between two
//! known workloads is decided (`netpol-blocks-flow`, citing the isolating policies) and
//! the lint findings (`netpol-namespace-label-missing`, `dns-egress-blocked`, …) come with
//! the diagnosis. `netpol-default-deny` is left to the policy tree, which links it to the
//! symptoms it explains.

use super::{selector_matches, Manifest, Model, Workload};
use crate::facts::{Facts, Probe, ProbeOutcome, TargetPort};
use crate::parse::Parsed;
use crate::predicates::Proof;
use crate::split::Segment;
use crate::trees::Emitted;

/// One "file" per Kubernetes-object segment: the whole paste with every other line
/// blanked, so the model's line numbers are the paste's, with the namespace of the
/// segment's `kubectl … -n NS` for objects that name none.
fn object_files(input: &str, objects: &[&Segment]) -> Vec<(Manifest, Option<String>)> {
    // One manifest per namespace the commands gave (usually one or two), each the whole
    // input with only its segments' lines kept, so line numbers stay the paste's: linear
    // in the input however many object segments a paste holds.
    let lines: Vec<&str> = input.lines().collect();
    // Per line: 0 blank, 1 kept, 2 a `---` between two segments (on the blanked line
    // above a segment, where its command was), so their documents never run together.
    let mut groups: Vec<(Option<String>, Vec<u8>)> = Vec::new();
    for seg in objects {
        let ns = seg.kubectl().and_then(|k| k.namespace.clone());
        let i = match groups.iter().position(|(n, _)| *n == ns) {
            Some(i) => i,
            None => {
                groups.push((ns, vec![0; lines.len()]));
                groups.len() - 1
            }
        };
        let keep = &mut groups[i].1;
        let (a, b) = (seg.first_line.max(1), seg.last_line().min(lines.len()));
        for k in keep.iter_mut().take(b).skip(a - 1) {
            *k = 1;
        }
        if let Some(above) = a.checked_sub(2).and_then(|i| keep.get_mut(i)) {
            if *above == 0 {
                *above = 2;
            }
        }
    }
    groups
        .into_iter()
        .map(|(ns, keep)| {
            let mut text = String::new();
            for (line, keep) in lines.iter().zip(&keep) {
                match keep {
                    1 => text.push_str(line),
                    2 => text.push_str("---"),
                    _ => {}
                }
                text.push('\n');
            }
            (
                Manifest {
                    name: "paste".into(),
                    text,
                },
                ns,
            )
        })
        .collect()
}

/// Pods the tables list (with labels) that no manifest already describes.
fn add_listed_pods(model: &mut Model, facts: &Facts) {
    // Workloads by (namespace, name): a pod is known when its name is a workload's, or
    // starts with a workload's name and a dash (`web-7d4b9c8f6-x2kq4` of Deployment `web`).
    let mut names: std::collections::HashSet<(String, String)> = model
        .workloads
        .iter()
        .map(|w| (w.namespace.clone(), w.name.clone()))
        .collect();
    for p in &facts.pods {
        let Some(labels) = &p.labels else { continue };
        let ns = p.namespace.clone().unwrap_or_else(|| "default".into());
        let known = std::iter::once(p.name.as_str())
            .chain(
                p.name
                    .char_indices()
                    .filter(|(_, c)| *c == '-')
                    .map(|(i, _)| &p.name[..i]),
            )
            .any(|prefix| names.contains(&(ns.clone(), prefix.to_string())));
        if known {
            continue;
        }
        names.insert((ns.clone(), p.name.clone()));
        model.workloads.push(Workload {
            namespace: ns,
            name: p.name.clone(),
            kind: "Pod".into(),
            labels: labels.value.clone(),
            ports: Vec::new(),
            pods: 1,
            loc: super::Loc {
                file: 0,
                line: labels.line,
            },
        });
    }
}

/// A Service with a selector in a namespace where the paste shows no pod at all stands
/// for pods carrying at least its selector's labels: one stand-in workload lets the
/// evaluator check policies against the Service's targetPort.
fn add_service_pods(model: &mut Model) {
    let mut extra = Vec::new();
    for s in &model.services {
        let Some(sel) = s.selector.as_ref().filter(|x| !x.is_empty()) else {
            continue;
        };
        if model.workloads.iter().any(|w| w.namespace == s.namespace) {
            continue;
        }
        extra.push(Workload {
            namespace: s.namespace.clone(),
            name: s.name.clone(),
            kind: "pods behind the Service".into(),
            labels: sel.clone(),
            ports: Vec::new(),
            pods: 0,
            loc: s.loc,
        });
    }
    model.workloads.extend(extra);
}

/// The workload a pod name belongs to: itself, or the workload whose name prefixes it
/// (`frontend-5d8f9c7b6d-7xkqp` → `frontend`), longest name first.
fn workload_of(model: &Model, ns: &str, pod: &str) -> Option<usize> {
    let pod = pod
        .trim_start_matches("deploy/")
        .trim_start_matches("deployment/")
        .trim_start_matches("pod/");
    model
        .workloads
        .iter()
        .enumerate()
        .filter(|(_, w)| {
            w.namespace == ns && (w.name == pod || pod.starts_with(&format!("{}-", w.name)))
        })
        .max_by_key(|(_, w)| w.name.len())
        .map(|(i, _)| i)
}

/// Every finding the evaluator adds to a diagnosis; `None` when no policy manifest was
/// pasted, so it could not run.
pub fn findings(
    input: &str,
    parsed: &[(&Segment, Option<&Parsed>)],
    facts: &Facts,
) -> Option<Vec<Emitted>> {
    let objects: Vec<&Segment> = parsed
        .iter()
        .filter(|(_, p)| p.is_some_and(|p| p.kind == "k8s-objects"))
        .map(|(seg, _)| *seg)
        .collect();
    findings_in(input, &objects, facts)
}

/// [`findings`] given only the segments parsed as Kubernetes objects (`k8s-objects`):
/// the evaluator reads their lines again from `input`, not their records, so a caller
/// may drop every segment's records once they are facts.
pub fn findings_in(input: &str, objects: &[&Segment], facts: &Facts) -> Option<Vec<Emitted>> {
    if facts.policies.is_empty() {
        return None;
    }
    let files = object_files(input, objects);
    if files.is_empty() {
        return None;
    }
    let mut model = super::load_in_namespaces(files);
    add_listed_pods(&mut model, facts);
    add_service_pods(&mut model);
    let mut out = Vec::new();
    for f in super::lint(&model) {
        if f.id == "netpol-default-deny" {
            continue;
        }
        let mut proof = Proof {
            summary: f.summary.clone(),
            vars: f.vars.clone(),
            ..Proof::default()
        };
        proof.lines = f
            .evidence
            .iter()
            .map(|e| e.line)
            .filter(|l| *l > 0)
            .collect();
        if let Some(ns) = f.vars.get("namespace") {
            // The runbook's commands run from the pod whose lookup failed, when pasted.
            let failing = facts.lookups.iter().find(|l| {
                l.status != crate::facts::LookupStatus::Answered
                    && l.client_namespace.as_deref() == Some(ns.as_str())
                    && l.client_pod.is_some()
            });
            if let Some(pod) = failing.and_then(|l| l.client_pod.clone()) {
                proof.vars.insert("client_pod".into(), pod);
            }
            proof.keys.push(format!("client-ns:{ns}"));
            proof.keys.push(format!("dst-ns:{ns}"));
        }
        out.push(Emitted {
            finding: f.id.clone(),
            tree: "policy".into(),
            proof,
        });
    }
    for p in facts
        .probes
        .iter()
        .filter(|p| p.outcome == ProbeOutcome::Timeout)
    {
        if let Some(e) = blocked_flow(&model, facts, p) {
            out.push(e);
        }
    }
    Some(out)
}

/// A timed-out probe between two workloads the manifests know, denied by policy.
fn blocked_flow(model: &Model, facts: &Facts, p: &Probe) -> Option<Emitted> {
    let client_ns = p
        .client_namespace
        .clone()
        .unwrap_or_else(|| "default".into());
    let src = workload_of(model, &client_ns, p.client_pod.as_deref()?)?;
    let svc = facts.service_for_probe(p);
    let (dst_ns, dst) = match svc {
        Some(s) => {
            let ns = s.namespace.clone().unwrap_or_else(|| client_ns.clone());
            let sel = s.selector.as_ref()?;
            let i = model.workloads.iter().position(|w| {
                w.namespace == ns && sel.value.iter().all(|(k, v)| w.labels.get(k) == Some(v))
            })?;
            (ns, i)
        }
        None => {
            let ip = p.ip?;
            let pod = facts.pods.iter().find(|x| x.ip == Some(ip))?;
            let ns = pod.namespace.clone().unwrap_or_else(|| "default".into());
            (ns.clone(), workload_of(model, &ns, &pod.name)?)
        }
    };
    // The port the packet reaches the pod on: the Service's targetPort when numeric.
    let port = svc
        .and_then(|s| {
            s.ports
                .iter()
                .find(|sp| Some(sp.port) == p.port || p.port.is_none())
                .map(|sp| match &sp.target_port {
                    Some(TargetPort::Number(n)) => *n,
                    _ => sp.port,
                })
        })
        .or(p.port)?;
    let (sw, dw) = (model.workloads.get(src)?, model.workloads.get(dst)?);
    let verdict = super::eval(model, &sw.id(), &dw.id(), &format!("TCP/{port}")).ok()?;
    if verdict.allowed {
        return None;
    }
    let mut lines = vec![p.line];
    for pol in &model.policies {
        let selects = |w: &Workload| {
            pol.namespace == w.namespace && selector_matches(&pol.pod_selector, &w.labels)
        };
        if (pol.egress_type && selects(sw) && !verdict.egress.allowed)
            || (pol.ingress_type && selects(dw) && !verdict.ingress.allowed)
        {
            lines.push(pol.name_loc.line);
            if let Some(l) = pol.pod_selector_line {
                lines.push(l);
            }
        }
    }
    let side = match (verdict.egress.allowed, verdict.ingress.allowed) {
        (false, false) => "neither the client's egress nor the server's ingress allows it",
        (false, true) => "the client's egress does not allow it",
        _ => "the server's ingress does not allow it",
    };
    // The reasons of the side(s) that deny, not of the side that is open.
    let why: Vec<String> = [&verdict.egress, &verdict.ingress]
        .into_iter()
        .filter(|s| !s.allowed)
        .flat_map(|s| s.reasons.iter())
        .take(4)
        .map(|r| r.trim_end_matches('.').to_string())
        .collect();
    let mut proof = Proof::default()
        .var("client_namespace", client_ns.clone())
        .var("namespace", dst_ns.clone())
        .var("port", port.to_string())
        .var("target_port", port.to_string())
        .key(format!("probe:{}", p.line))
        .key(format!("client-ns:{client_ns}"))
        .key(format!("dst-ns:{dst_ns}"));
    if let Some(s) = svc {
        proof = proof
            .var("service", s.name.clone())
            .key(format!("svc:{}", s.name));
    }
    if let Some(c) = &p.client_pod {
        proof = proof.var("client_pod", c.clone());
    }
    proof.lines = lines;
    proof.summary = format!(
        "{} to {} on TCP {port} is denied by NetworkPolicy: {side} ({}).",
        sw.id(),
        dw.id(),
        why.join("; ")
    );
    Some(Emitted {
        finding: "netpol-blocks-flow".into(),
        tree: "policy".into(),
        proof,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Many object segments make one manifest per namespace, linear in the paste, and
    /// their documents stay apart.
    #[test]
    fn object_segments_make_one_manifest_per_namespace() {
        let mut input = String::new();
        for i in 0..300 {
            input.push_str(&format!(
                "$ kubectl get netpol p{i} -n shop -o yaml\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: p{i}\nspec:\n  podSelector: {{}}\n"
            ));
        }
        let segs = crate::split::split(&input, &crate::detect::Blocks);
        let refs: Vec<&Segment> = segs.iter().collect();
        let files = object_files(&input, &refs);
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].1.as_deref(), Some("shop"));
        assert_eq!(files[0].0.text.lines().count(), input.lines().count());
        let model = crate::policy::load_in_namespaces(files);
        assert_eq!(model.policies.len(), 300);
    }
}
