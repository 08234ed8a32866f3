//! `ethtool -k IFACE`: offload features (ethtool 3.x–6.x).
//!
//! Commands: `ethtool -k eth0`, `ethtool --show-features flannel.1`, `ethtool
//! --show-offload vxlan.calico`, and `ethtool -K flannel.1 tx-checksum-ip-generic off`
//! (which prints an `Actual changes:` block of the same lines).
//!
//! Variants: `Features for eth0:` (3.4+) and `Offload parameters for eth0:` (older) headers;
//! values `on`/`off` with ` [fixed]` (the driver cannot change it) or ` [requested on]`
//! (asked for but not in effect); sub-features indented with a tab under their group
//! (`tx-checksumming: on` / `\ttx-checksum-ip-generic: on`); errors (`netlink error: no device
//! matches name (offset 24)`, `Cannot get device feature names: No such device`, per-feature
//! `Cannot get device … settings: Operation not supported`).
//!
//! Record: one per interface block: `interface` (`null` for an `Actual changes:` block whose
//! command line names none), `features` (each `{ line, name, enabled, fixed, requested,
//! parent }`: `requested` is the `[requested on|off]` value, `parent` the group a tab-indented
//! sub-feature sits under), and `errors` (messages as printed). Why it matters: on several
//! kernels tx checksum offload on a VXLAN device (`flannel.1`, `vxlan.calico`) sends VXLAN
//! packets with a bad UDP checksum when the path NATs them (flannel-io/flannel#1279,
//! projectcalico/calico#3145); the workaround is `ethtool -K flannel.1 tx-checksum-ip-generic off`.
//!
//! Known lines skipped deliberately: the lines kubectl prints around a command it ran.
//! Anything else is a problem with its line number.
//!
//! ```text
//! Features for flannel.1:
//! tx-checksumming: on
//!     tx-checksum-ip-generic: on   (tab-indented)
//! → { line: 1, interface: "flannel.1", features: [
//!     { line: 2, name: "tx-checksumming", enabled: true, fixed: false, requested: null, parent: null },
//!     { line: 3, name: "tx-checksum-ip-generic", enabled: true, fixed: false, requested: null,
//!       parent: "tx-checksumming" }], errors: [] }
//! ```

use super::resolv_conf::{inner_command, is_kubectl_noise};
use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use pest::Parser;
use serde::Serialize;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/ethtool_features.pest"]
struct P;

/// One interface's feature list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    /// 1-based input line of the header (or first line).
    pub line: usize,
    pub interface: Option<String>,
    pub features: Vec<Feature>,
    pub errors: Vec<String>,
}

/// One `name: on|off [fixed]` line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Feature {
    pub line: usize,
    pub name: String,
    pub enabled: bool,
    pub fixed: bool,
    /// `[requested on]` → `Some(true)`.
    pub requested: Option<bool>,
    /// The group a tab-indented sub-feature belongs to.
    pub parent: Option<String>,
}

impl Record {
    /// The feature of this name.
    pub fn feature(&self, name: &str) -> Option<&Feature> {
        self.features.iter().find(|f| f.name == name)
    }
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "ethtool-features",
    aliases: &["ethtool-k", "ethtool"],
    title: "ethtool -k (offload features)",
    commands: &[
        "ethtool -k IFACE",
        "ethtool --show-features IFACE",
        "ethtool -K IFACE FEATURE on|off",
    ],
    variants: &[
        "ethtool 3.4–6.x `Features for IFACE:`",
        "ethtool < 3.4 `Offload parameters for IFACE:`",
        "`Actual changes:` block of ethtool -K",
    ],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    let (p, args) = inner_command(cmd);
    p == "ethtool"
        && args.iter().any(|a| {
            matches!(
                a.as_str(),
                "-k" | "-K" | "--show-features" | "--show-offload" | "--features" | "--offload"
            )
        })
}

/// The interface a command line names (`ethtool -K flannel.1 …`).
fn iface_of(seg: &Segment) -> Option<String> {
    let cmd = seg.command.as_ref()?;
    let (p, args) = inner_command(cmd);
    if p != "ethtool" {
        return None;
    }
    args.iter().find(|a| !a.starts_with('-')).cloned()
}

fn line_rule(t: &str) -> Option<pest::iterators::Pair<'_, Rule>> {
    P::parse(Rule::ethtool_line, t)
        .ok()?
        .next()?
        .into_inner()
        .next()
}

fn sniff(head: &str) -> Option<f32> {
    let (mut header, mut feats) = (false, 0usize);
    for l in head.lines() {
        let t = super::probe::capped(l).trim();
        match line_rule(t).map(|p| p.as_rule()) {
            Some(Rule::header) => header = true,
            // Well-known feature names, not any `word: on` line.
            Some(Rule::feature)
                if t.contains("checksum")
                    || t.contains("segmentation")
                    || t.contains("offload")
                    || t.contains("scatter-gather")
                    || t.starts_with("rx-")
                    || t.starts_with("tx-") =>
            {
                feats += 1;
            }
            _ => {}
        }
    }
    if header {
        Some(0.95)
    } else if feats >= 2 {
        Some(0.8)
    } else {
        None
    }
}

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out = Output::default();
    let cmd_iface = iface_of(seg);
    let mut cur: Option<Record> = None;
    let mut group: Option<String> = None;
    for (n, raw) in seg.lines() {
        let capped = super::probe::capped(raw).trim_end();
        let t = capped.trim_start();
        if t.is_empty() || is_kubectl_noise(t) {
            continue;
        }
        let indented = capped.starts_with(['\t', ' ']);
        let Some(p) = line_rule(t) else {
            out.problem(
                n,
                "not an ethtool -k line: expected `Features for IFACE:` or `name: on|off [fixed]`",
            );
            continue;
        };
        match p.as_rule() {
            Rule::header | Rule::actual => {
                if let Some(done) = cur.take() {
                    out.records.push(done);
                }
                let iface = p
                    .into_inner()
                    .find(|x| x.as_rule() == Rule::iface)
                    .map(|x| x.as_str().to_string())
                    .or_else(|| cmd_iface.clone());
                cur = Some(Record {
                    line: n,
                    interface: iface,
                    features: Vec::new(),
                    errors: Vec::new(),
                });
                group = None;
            }
            Rule::feature => {
                let mut f = Feature {
                    line: n,
                    name: String::new(),
                    enabled: false,
                    fixed: false,
                    requested: None,
                    parent: None,
                };
                for x in p.into_inner() {
                    match x.as_rule() {
                        Rule::feat_name => f.name = x.as_str().to_string(),
                        Rule::state => f.enabled = x.as_str() == "on",
                        Rule::fixed => f.fixed = true,
                        Rule::requested => {
                            f.requested = x
                                .into_inner()
                                .find(|s| s.as_rule() == Rule::state)
                                .map(|s| s.as_str() == "on")
                        }
                        _ => {}
                    }
                }
                if indented {
                    f.parent = group.clone();
                } else {
                    group = Some(f.name.clone());
                }
                let rec = cur.get_or_insert_with(|| Record {
                    line: n,
                    interface: cmd_iface.clone(),
                    features: Vec::new(),
                    errors: Vec::new(),
                });
                rec.features.push(f);
            }
            _ => {
                let rec = cur.get_or_insert_with(|| Record {
                    line: n,
                    interface: cmd_iface.clone(),
                    features: Vec::new(),
                    errors: Vec::new(),
                });
                rec.errors.push(t.to_string());
            }
        }
    }
    if let Some(done) = cur.take() {
        out.records.push(done);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_and_flags() {
        let text = "Features for flannel.1:\nrx-checksumming: on\ntx-checksumming: on\n\ttx-checksum-ipv4: off [fixed]\n\ttx-checksum-ip-generic: on\ntx-tcp-segmentation: off [requested on]\n";
        let out = parse(&Segment::new(text, 1));
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let r = &out.records[0];
        assert_eq!(r.interface.as_deref(), Some("flannel.1"));
        let g = r
            .feature("tx-checksum-ip-generic")
            .unwrap_or_else(|| panic!());
        assert!(g.enabled && !g.fixed);
        assert_eq!(g.parent.as_deref(), Some("tx-checksumming"));
        assert!(r.feature("tx-checksum-ipv4").is_some_and(|f| f.fixed));
        assert_eq!(
            r.feature("tx-tcp-segmentation").and_then(|f| f.requested),
            Some(true)
        );
        assert_eq!(sniff(text), Some(0.95));
        assert_eq!(sniff("foo: on\nbar: off"), None);
    }
}
