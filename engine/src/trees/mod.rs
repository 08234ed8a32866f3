//! Decision trees, kept as data in `runbooks/trees/*.toml` and walked over [`Facts`].
//!
//! A tree names the subjects it is walked for (`for_each`: every Service, lookup, probe,
//! policy, resolver, signal, or the paste `once`; one kind or a list), a start node (or,
//! with several kinds, a start node per kind: `start = { service = "rules", signal =
//! "logs" }`), and nodes. Each node asks one predicate and, for
//! each answer, lists where to go: another node, `finding:<id>` (emit that finding with
//! the predicate's proof), or nothing (stop). A walk never loops and is bounded.

use crate::facts::Facts;
use crate::predicates::{self, Answer, Ctx, Proof, Subject};
use crate::report::{Evidence, Missing, TraceStep};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The tree files, embedded at compile time.
pub const SOURCES: &[(&str, &str)] = &[
    (
        "node-routing",
        include_str!("../../../runbooks/trees/node-routing.toml"),
    ),
    (
        "large-transfers-hang",
        include_str!("../../../runbooks/trees/large-transfers-hang.toml"),
    ),
    (
        "service-ports",
        include_str!("../../../runbooks/trees/service-ports.toml"),
    ),
    (
        "addressing",
        include_str!("../../../runbooks/trees/addressing.toml"),
    ),
    (
        "service-unreachable",
        include_str!("../../../runbooks/trees/service-unreachable.toml"),
    ),
    (
        "connection-failed",
        include_str!("../../../runbooks/trees/connection-failed.toml"),
    ),
    (
        "kube-proxy-datapath",
        include_str!("../../../runbooks/trees/kube-proxy-datapath.toml"),
    ),
    (
        "new-connections-fail-intermittently",
        include_str!("../../../runbooks/trees/new-connections-fail-intermittently.toml"),
    ),
    (
        "dns-failing",
        include_str!("../../../runbooks/trees/dns-failing.toml"),
    ),
    (
        "dns-config",
        include_str!("../../../runbooks/trees/dns-config.toml"),
    ),
    (
        "policy",
        include_str!("../../../runbooks/trees/policy.toml"),
    ),
];

/// A tree as written in TOML.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tree {
    pub id: String,
    pub title: String,
    pub description: String,
    /// `service`, `lookup`, `probe`, `policy`, `resolver`, `signal` or `once`, or a list
    /// of them.
    pub for_each: OneOrMany,
    /// The first node, or the first node per subject kind.
    pub start: Start,
    pub nodes: BTreeMap<String, Node>,
}

/// One subject kind or several.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// A start node, or one per subject kind.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Start {
    One(String),
    Per(BTreeMap<String, String>),
}

impl Tree {
    /// The subject kinds the tree is walked for, in the order written.
    pub fn kinds(&self) -> Vec<&str> {
        match &self.for_each {
            OneOrMany::One(k) => vec![k.as_str()],
            OneOrMany::Many(ks) => ks.iter().map(String::as_str).collect(),
        }
    }

    /// The node a walk over subjects of `kind` starts at.
    pub fn start_for(&self, kind: &str) -> Option<&str> {
        match &self.start {
            Start::One(s) => Some(s.as_str()),
            Start::Per(m) => m.get(kind).map(String::as_str),
        }
    }
}

/// One question of a tree.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Node {
    /// Predicate name.
    pub ask: String,
    #[serde(default)]
    pub yes: Vec<String>,
    #[serde(default)]
    pub no: Vec<String>,
    #[serde(default)]
    pub unknown: Vec<String>,
}

/// A tree file that does not load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeError {
    pub tree: String,
    pub message: String,
}

impl std::fmt::Display for TreeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "tree {}: {}", self.tree, self.message)
    }
}

/// Parse and check every embedded tree: predicates exist and take the tree's subject,
/// targets name nodes or findings, the file name is the id.
pub fn load() -> Result<Vec<Tree>, TreeError> {
    SOURCES
        .iter()
        .map(|(name, src)| parse_tree(name, src))
        .collect()
}

/// Parse and check one tree.
pub fn parse_tree(name: &str, src: &str) -> Result<Tree, TreeError> {
    let err = |m: String| TreeError {
        tree: name.to_string(),
        message: m,
    };
    let tree: Tree = toml::from_str(src).map_err(|e| err(e.to_string()))?;
    if tree.id != name {
        return Err(err(format!("id `{}` differs from the file name", tree.id)));
    }
    let kinds = tree.kinds();
    if kinds.is_empty() {
        return Err(err("for_each names no subject".into()));
    }
    if matches!(tree.start, Start::One(_)) && kinds.len() > 1 {
        return Err(err(
            "a tree walked for several subjects needs a start node per subject".into(),
        ));
    }
    for kind in &kinds {
        if !SUBJECT_KINDS.contains(kind) {
            return Err(err(format!("unknown subject `{kind}`")));
        }
        match tree.start_for(kind) {
            None => return Err(err(format!("no start node for subject `{kind}`"))),
            Some(s) if !tree.nodes.contains_key(s) => {
                return Err(err(format!("start node `{s}` does not exist")))
            }
            Some(_) => {}
        }
    }
    if let Start::Per(m) = &tree.start {
        if let Some(k) = m.keys().find(|k| !kinds.contains(&k.as_str())) {
            return Err(err(format!(
                "start names subject `{k}` the tree is not walked for"
            )));
        }
    }
    for (id, node) in &tree.nodes {
        let Some(p) = predicates::get(&node.ask) else {
            return Err(err(format!(
                "node `{id}` asks unknown predicate `{}`",
                node.ask
            )));
        };
        if !kinds.contains(&p.subject) && p.subject != "once" {
            return Err(err(format!(
                "node `{id}`: predicate `{}` is about a {}, the tree walks each {}",
                node.ask,
                p.subject,
                kinds.join(", ")
            )));
        }
        for t in node.yes.iter().chain(&node.no).chain(&node.unknown) {
            match t.strip_prefix("finding:") {
                Some(f) if crate::findings::info(f).is_none() => {
                    return Err(err(format!("node `{id}` names unknown finding `{f}`")))
                }
                Some(_) => {}
                None if !tree.nodes.contains_key(t) => {
                    return Err(err(format!("node `{id}` goes to unknown node `{t}`")))
                }
                None => {}
            }
        }
    }
    Ok(tree)
}

/// A finding reached by a walk.
#[derive(Debug, Clone)]
pub struct Emitted {
    pub finding: String,
    pub tree: String,
    pub proof: Proof,
}

/// What walking all trees produced.
#[derive(Debug, Clone, Default)]
pub struct Walk {
    pub emitted: Vec<Emitted>,
    pub missing: Vec<Missing>,
    pub trace: Vec<TraceStep>,
}

/// The subject kinds a tree may be walked for.
pub const SUBJECT_KINDS: &[&str] = &[
    "service", "lookup", "probe", "policy", "resolver", "signal", "once",
];

/// Upper bound on questions asked per subject: trees are small; this only guards loops.
const MAX_STEPS: usize = 64;

/// Walk every tree over every subject it applies to.
pub fn walk_all(trees: &[Tree], facts: &Facts) -> Walk {
    let mut out = Walk::default();
    for tree in trees {
        for kind in tree.kinds() {
            let Some(start) = tree.start_for(kind) else {
                continue;
            };
            for subject in subjects(kind, facts) {
                walk(tree, start, facts, subject, &mut out);
            }
        }
    }
    out
}

fn subjects<'a>(kind: &str, facts: &'a Facts) -> Vec<Subject<'a>> {
    match kind {
        "service" => facts.services.iter().map(Subject::Service).collect(),
        "lookup" => facts.lookups.iter().map(Subject::Lookup).collect(),
        "probe" => facts.probes.iter().map(Subject::Probe).collect(),
        "policy" => facts.policies.iter().map(Subject::Policy).collect(),
        "resolver" => facts.resolvers.iter().map(Subject::Resolver).collect(),
        "signal" => facts.signals.iter().map(Subject::Signal).collect(),
        _ => vec![Subject::Once],
    }
}

/// Walk one tree from node `start` for one subject.
pub fn walk(tree: &Tree, start: &str, facts: &Facts, subject: Subject, out: &mut Walk) {
    let mut queue: Vec<String> = vec![start.to_string()];
    let mut visited: Vec<String> = Vec::new();
    let label = subject.label();
    while let Some(node_id) = queue.pop() {
        if visited.contains(&node_id) || visited.len() >= MAX_STEPS {
            continue;
        }
        visited.push(node_id.clone());
        let Some(node) = tree.nodes.get(&node_id) else {
            continue;
        };
        let Some(pred) = predicates::get(&node.ask) else {
            continue;
        };
        let answer = (pred.eval)(&Ctx { facts, subject });
        // Questions about a Service the paste is not about (one a datapath dump merely
        // lists) would only be noise when they cannot be answered.
        let focus = match subject {
            Subject::Service(s) => s.in_focus,
            _ => true,
        };
        let (targets, proof) = match &answer {
            Answer::Yes(p) => (&node.yes, Some(p)),
            Answer::No(p) => (&node.no, Some(p)),
            Answer::Unknown(m) => {
                for missing in m.iter().filter(|_| focus) {
                    if !out.missing.contains(missing) {
                        out.missing.push(missing.clone());
                    }
                }
                (&node.unknown, None)
            }
        };
        // A question with nothing to go on (no interfaces, no address ranges, no
        // datapath dump pasted) and no command to ask for stays out of the walk's trace;
        // so does an open question about a Service out of focus (a 10,000-Service
        // iptables-save asked 50,000 of them, 7 MB of report saying "unknown").
        let idle = matches!(&answer, Answer::Unknown(m) if m.is_empty() || !focus);
        if !idle {
            out.trace.push(TraceStep {
                tree: tree.id.clone(),
                predicate: node.ask.clone(),
                question: format!("{} — {label}", pred.question),
                answer: answer.word().to_string(),
                evidence: proof
                    .map(|p| {
                        p.lines
                            .iter()
                            .map(|l| Evidence {
                                line: *l,
                                text: String::new(),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            });
        }
        // Targets run in the order written: push in reverse onto the stack.
        for t in targets.iter().rev() {
            match t.strip_prefix("finding:") {
                Some(f) => {
                    if let Some(p) = proof {
                        let mut first = p.clone();
                        let more = std::mem::take(&mut first.more);
                        for proof in std::iter::once(first).chain(more) {
                            out.emitted.push(Emitted {
                                finding: f.to_string(),
                                tree: tree.id.clone(),
                                proof,
                            });
                        }
                        for c in &p.confirm {
                            if !out.missing.contains(c) {
                                out.missing.push(c.clone());
                            }
                        }
                    }
                }
                None => queue.push(t.clone()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_tree_loads_and_checks() {
        let trees = load().unwrap();
        assert_eq!(trees.len(), SOURCES.len());
    }

    #[test]
    fn broken_trees_are_refused_with_a_reason() {
        let bad = r#"
id = "t"
title = "t"
description = "t"
for_each = "service"
start = "a"
[nodes.a]
ask = "no_such_predicate"
"#;
        let e = parse_tree("t", bad).unwrap_err();
        assert!(e.message.contains("unknown predicate"), "{e}");
        let bad = bad
            .replace("no_such_predicate", "service_has_ready_endpoints")
            .replace("[nodes.a]", "[nodes.a]\nno = [\"finding:not-a-finding\"]");
        assert!(parse_tree("t", &bad)
            .unwrap_err()
            .message
            .contains("unknown finding"));
        let bad = bad.replace("finding:not-a-finding", "nowhere");
        assert!(parse_tree("t", &bad)
            .unwrap_err()
            .message
            .contains("unknown node"));
    }
}
