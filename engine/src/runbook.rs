//! Runbooks: one tera template per finding id (`runbooks/<id>.md.tera`), embedded at
//! compile time so the same code renders them natively and in Wasm.
//!
//! A runbook file starts with TOML front matter between `+++` lines (`id`, `layer`,
//! `severity`, `title`), followed by a markdown body with the sections Meaning ·
//! Evidence · Diagnosis · Mitigation · Verify · References. Shared pieces live in
//! `runbooks/partials/` and are included as `{% include "partials/<name>.md.tera" %}`.
//!
//! Inside a template:
//! - `v.<name>` is every known variable ([`VARS`]), always defined: the caller's value,
//!   or the placeholder `<name>` (the generic form shown by the docs site);
//! - `evidence` is a list of `{line, text}`, empty in the generic form;
//! - `tailored` is true when any variable or evidence was given.
//!
//! Output is markdown; nothing is HTML-escaped. Placeholders are written inside backticks
//! or code blocks so a markdown renderer does not take `<service>` for an HTML tag.
//!
//! ```
//! use std::collections::BTreeMap;
//! let mut vars = BTreeMap::new();
//! vars.insert("service".to_string(), "backend".to_string());
//! vars.insert("namespace".to_string(), "shop".to_string());
//! let text = netdoc::runbook::render("service-no-endpoints", &vars, &[]).unwrap();
//! assert!(text.contains("kubectl get endpoints backend -n shop"));
//! ```

use crate::report::Evidence;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

/// Every variable a runbook may use (documented in `runbooks/README.md`).
pub const VARS: &[&str] = &[
    "service",
    "namespace",
    "port",
    "target_port",
    "protocol",
    "cluster_ip",
    "selector",
    "pod_labels",
    "pod",
    "pod_ip",
    "client_pod",
    "client_namespace",
    "node",
    "name",
    "fqdn",
    "nameserver",
    "kube_dns_ip",
    "search",
    "ndots",
    "queries",
    "query_count",
    "listen_address",
    "url",
    "host",
    "policy",
    "closest_labels",
    "differing_key",
    "expected_value",
    "actual_value",
    "range_a",
    "range_b",
    "shared",
    "pod_cidr",
    "service_cidr",
    "node_mask",
    "max_pods",
    "nodes",
    "nodes_max",
    "pods_per_node",
    "pod_mtu",
    "safe_mtu",
];

/// The layers of FINDINGS.md.
pub const LAYERS: &[&str] = &[
    "dns",
    "service",
    "transport",
    "policy",
    "route",
    "conntrack",
    "addressing",
];

/// The severities of FINDINGS.md, most severe first.
pub const SEVERITIES: &[&str] = &["critical", "error", "warning", "info"];

/// What a runbook's front matter declares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunbookMeta {
    /// The finding id, which is also the file name.
    pub id: &'static str,
    pub layer: String,
    pub severity: String,
    pub title: String,
}

/// Why a runbook could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RunbookError {
    /// No runbook has this id.
    UnknownId(String),
    /// The front matter is missing or does not parse (a bug in the runbook file).
    FrontMatter { id: String, message: String },
    /// The template failed to compile or render (a bug in the runbook file).
    Template { id: String, message: String },
}

impl fmt::Display for RunbookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownId(id) => write!(f, "no runbook for finding id `{id}`"),
            Self::FrontMatter { id, message } => {
                write!(f, "runbook `{id}`: bad front matter: {message}")
            }
            Self::Template { id, message } => write!(f, "runbook `{id}`: template: {message}"),
        }
    }
}

impl std::error::Error for RunbookError {}

/// `(id, file content)` for each runbook, and `(template name, content)` for each partial.
/// Adding a runbook means adding its id here; `engine/tests/runbooks.rs` fails when a
/// file in `runbooks/` or an id in FINDINGS.md is not listed.
macro_rules! embed {
    (runbooks: [$($id:literal),* $(,)?], partials: [$($partial:literal),* $(,)?] $(,)?) => {
        const RUNBOOKS: &[(&str, &str)] = &[
            $(($id, include_str!(concat!("../../runbooks/", $id, ".md.tera"))),)*
        ];
        const PARTIALS: &[(&str, &str)] = &[
            $((concat!("partials/", $partial), include_str!(concat!("../../runbooks/partials/", $partial))),)*
        ];
    };
}

embed! {
    runbooks: [
        // dns
        "dns-resolver-unreachable",
        "dns-nxdomain",
        "dns-servfail",
        "dns-short-name-cross-namespace",
        "dns-ndots-amplification",
        "dns-wrong-nameserver",
        "coredns-not-ready",
        "coredns-forward-loop",
        "dns-egress-blocked",
        "dns-tool-misleading",
        // service
        "service-no-endpoints",
        "service-selector-mismatch",
        "service-pods-not-ready",
        "service-target-port-mismatch",
        "service-port-name-unresolved",
        "nodeport-out-of-range",
        "etp-local-no-local-endpoint",
        "hairpin-disabled",
        "kube-proxy-mode-mismatch",
        "kube-proxy-rules-missing",
        "kube-proxy-stale-rules",
        "iptables-backend-split",
        // transport
        "conn-refused",
        "conn-timeout",
        "conn-reset",
        "no-listener",
        "listen-loopback-only",
        "syn-sent-pileup",
        "close-wait-pileup",
        // policy
        "netpol-default-deny",
        "netpol-blocks-flow",
        "netpol-namespace-label-missing",
        "netpol-selects-nothing",
        "netpol-port-mismatch",
        // route
        "mtu-blackhole",
        "mtu-overlay-mismatch",
        "route-missing",
        "neighbor-failed",
        "rp-filter-strict",
        // conntrack
        "conntrack-table-full",
        "conntrack-stale-entry",
        // addressing
        "cidr-overlap",
        "pod-cidr-exhausted",
        "ip-outside-cidr",
    ],
    partials: [
        "evidence.md.tera",
        "snapshot-first.md.tera",
    ],
}

/// The front matter as written in the file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    id: String,
    layer: String,
    severity: String,
    title: String,
}

/// Splits `+++\n<toml>\n+++\n<body>` into the TOML and the body.
fn split_front_matter(source: &str) -> Option<(&str, &str)> {
    let rest = source.strip_prefix("+++")?;
    let rest = rest
        .strip_prefix("\r\n")
        .or_else(|| rest.strip_prefix('\n'))?;
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "+++" {
            return Some((&rest[..offset], &rest[offset + line.len()..]));
        }
        offset += line.len();
    }
    None
}

fn source(id: &str) -> Result<(&'static str, &'static str), RunbookError> {
    RUNBOOKS
        .iter()
        .find(|(known, _)| *known == id)
        .copied()
        .ok_or_else(|| RunbookError::UnknownId(id.to_string()))
}

fn load_meta(id: &'static str, text: &'static str) -> Result<RunbookMeta, RunbookError> {
    let bad = |message: String| RunbookError::FrontMatter {
        id: id.to_string(),
        message,
    };
    let (toml_text, _) =
        split_front_matter(text).ok_or_else(|| bad("no `+++` front matter".to_string()))?;
    let front: FrontMatter = toml::from_str(toml_text).map_err(|e| bad(e.to_string()))?;
    if front.id != id {
        return Err(bad(format!("id `{}` differs from the file name", front.id)));
    }
    if !LAYERS.contains(&front.layer.as_str()) {
        return Err(bad(format!("unknown layer `{}`", front.layer)));
    }
    if !SEVERITIES.contains(&front.severity.as_str()) {
        return Err(bad(format!("unknown severity `{}`", front.severity)));
    }
    Ok(RunbookMeta {
        id,
        layer: front.layer,
        severity: front.severity,
        title: front.title,
    })
}

/// Every runbook whose front matter is valid, sorted by id.
pub fn list() -> Vec<RunbookMeta> {
    let mut all: Vec<RunbookMeta> = RUNBOOKS
        .iter()
        .filter_map(|(id, text)| load_meta(id, text).ok())
        .collect();
    all.sort_by(|a, b| a.id.cmp(b.id));
    all
}

/// The front matter of one runbook; `None` for an unknown id (or a broken file, which
/// [`check`] explains).
pub fn meta(id: &str) -> Option<RunbookMeta> {
    check(id).ok()
}

/// The front matter of one runbook, or why it is unusable.
pub fn check(id: &str) -> Result<RunbookMeta, RunbookError> {
    let (id, text) = source(id)?;
    load_meta(id, text)
}

/// All templates compiled once: the runbook bodies under their id, partials under
/// `partials/<file>`. A compile error is kept and reported by every render.
fn engine() -> &'static Result<tera::Tera, String> {
    static ENGINE: OnceLock<Result<tera::Tera, String>> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut tera = tera::Tera::new();
        // Markdown, not HTML: never escape (tera would only escape `.html` names anyway).
        tera.autoescape_on(Vec::<&'static str>::new());
        let bodies = RUNBOOKS.iter().map(|(id, text)| {
            (
                *id,
                split_front_matter(text).map_or(*text, |(_, body)| body),
            )
        });
        tera.add_raw_templates(PARTIALS.iter().copied().chain(bodies))
            .map_err(|e| format!("{e:?}"))?;
        Ok(tera)
    })
}

/// Renders a runbook tailored to the user's cluster: `vars` fill the placeholders (any
/// known variable not given renders as `<name>`), `evidence` lists the lines that prove
/// the finding.
pub fn render(
    id: &str,
    vars: &BTreeMap<String, String>,
    evidence: &[Evidence],
) -> Result<String, RunbookError> {
    let (id, _) = source(id)?;
    let template_error = |message: String| RunbookError::Template {
        id: id.to_string(),
        message,
    };
    let tera = engine().as_ref().map_err(|e| template_error(e.clone()))?;

    let mut v: BTreeMap<String, String> = VARS
        .iter()
        .map(|name| (name.to_string(), format!("<{name}>")))
        .collect();
    for (name, value) in vars {
        // An empty value would leave a hole in a command; the placeholder reads better.
        if !value.trim().is_empty() {
            v.insert(name.clone(), value.clone());
        }
    }
    let mut context = tera::Context::new();
    context.insert("v", &v);
    context.insert("evidence", evidence);
    context.insert("tailored", &(!vars.is_empty() || !evidence.is_empty()));
    let text = tera
        .render(id, &context)
        .map_err(|e| template_error(format!("{e:?}")))?;
    Ok(tidy(&text))
}

/// Renders a runbook in its generic form: placeholders such as `<service>`, and an
/// Evidence section that names the command whose output would show the problem.
pub fn render_generic(id: &str) -> Result<String, RunbookError> {
    render(id, &BTreeMap::new(), &[])
}

/// Collapses the blank lines that template tags leave behind, and ends with one newline.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0;
    let mut in_fence = false;
    for line in text.trim_start_matches('\n').lines() {
        let line = line.trim_end();
        if line.starts_with("```") {
            in_fence = !in_fence;
        }
        if line.is_empty() && !in_fence {
            blank_run += 1;
            if blank_run > 1 {
                continue;
            }
        } else {
            blank_run = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_splits() {
        let (front, body) = split_front_matter("+++\nid = \"x\"\n+++\n## Meaning\n").unwrap();
        assert_eq!(front, "id = \"x\"\n");
        assert_eq!(body, "## Meaning\n");
        assert!(split_front_matter("## Meaning\n").is_none());
        assert!(split_front_matter("+++\nid = \"x\"\n").is_none());
    }

    #[test]
    fn tidy_collapses_blank_lines_outside_fences() {
        assert_eq!(tidy("\n\na\n\n\n\nb\n\n"), "a\n\nb\n");
        assert_eq!(tidy("```\n\n\n```\n"), "```\n\n\n```\n");
    }
}
