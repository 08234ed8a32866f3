//! sysctl: kernel settings that decide Kubernetes networking (forwarding, rp_filter,
//! br_netfilter, conntrack limits, bridge-port hairpin mode), however they were read.
//!
//! Commands: `sysctl -a | grep …`, `sysctl net.ipv4.ip_forward`, `sysctl -n
//! net.netfilter.nf_conntrack_max`, `sysctl -p`, `sysctl -w …`, `cat
//! /proc/sys/net/ipv4/ip_forward` (a bare `1`: the key comes from the command's path), `cat
//! /sys/devices/virtual/net/cni0/brif/veth1234/hairpin_mode`, `grep . /proc/sys/net/ipv4/conf/*/rp_filter`
//! and `grep -H . /sys/class/net/*/brport/hairpin_mode` (`path:value`), `for f in
//! /sys/class/net/*/brport/hairpin_mode; do echo $f $(cat $f); done` (`path value`).
//!
//! Variants: procps(-ng) 3.3.x–4.0.x `sysctl` (`key = value`; tab-separated values such as
//! `net.ipv4.ip_local_port_range = 32768<TAB>60999` kept as printed; interface names with a
//! `.` written as `/`: `net.ipv4.conf.flannel/1.rp_filter`), BusyBox `sysctl` (same shape),
//! and the errors: `sysctl: cannot stat /proc/sys/net/bridge/bridge-nf-call-iptables: No such
//! file or directory` (br_netfilter not loaded), `sysctl: permission denied on key
//! 'net.ipv6.conf.all.stable_secret'`, `sysctl: reading key "…"`, `cat: /proc/sys/…: No such
//! file or directory`.
//!
//! Record: `line: usize`, `key: String` (dotted where it is a `/proc/sys` path:
//! `/proc/sys/net/ipv4/conf/flannel.1/rp_filter` → `net.ipv4.conf.flannel/1.rp_filter`, as
//! sysctl itself names it; other paths such as `/sys/…/brport/hairpin_mode` kept as paths),
//! `value: Option<String>` (trimmed, as printed; `None` for an error), `error:
//! Option<String>` (the tool's reason: `No such file or directory`, `permission denied`).
//!
//! A bare value is read only when the command line names the keys (`sysctl -n a b`, `cat
//! /proc/sys/a /proc/sys/b`), in order; a bare value without one, or beyond the named keys,
//! is a problem, as is a tool error naming no key. Lines are read one at a time, each capped
//! at 16 KiB.
//!
//! ```text
//! net.netfilter.nf_conntrack_count = 131070
//! → { line: 1, key: "net.netfilter.nf_conntrack_count", value: "131070", error: null }
//! ```

use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use pest::Parser;
use serde::Serialize;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/sysctl.pest"]
struct P;

/// One setting (or the error reading it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    /// 1-based input line.
    pub line: usize,
    pub key: String,
    pub value: Option<String>,
    pub error: Option<String>,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "sysctl",
    aliases: &["proc-sys"],
    title: "sysctl and /proc/sys, /sys settings",
    commands: &[
        "sysctl -a | grep conntrack",
        "sysctl net.ipv4.ip_forward",
        "cat /proc/sys/net/ipv4/ip_forward",
        "grep -H . /sys/class/net/*/brport/hairpin_mode",
        "for f in /sys/class/net/*/brport/hairpin_mode; do echo $f $(cat $f); done",
    ],
    variants: &[
        "procps-ng 3.3–4.0 sysctl",
        "BusyBox sysctl",
        "cat / grep of /proc/sys and /sys",
    ],
    matches_command,
    sniff,
};

fn is_sys_path(a: &str) -> bool {
    a.starts_with("/proc/sys/") || a.starts_with("/sys/")
}

fn matches_command(cmd: &CommandLine) -> bool {
    match cmd.program.as_str() {
        "sysctl" => true,
        "cat" | "head" | "tail" | "grep" | "more" | "less" => {
            cmd.args.iter().any(|a| is_sys_path(a))
        }
        // `for f in /sys/class/net/*/brport/hairpin_mode; do echo $f $(cat $f); done`
        "for" => cmd.text.contains("/proc/sys/") || cmd.text.contains("/sys/"),
        _ => false,
    }
}

/// First words of the sysctl trees.
const ROOTS: &[&str] = &[
    "net.", "kernel.", "vm.", "fs.", "user.", "dev.", "abi.", "crypto.",
];

fn sniff(head: &str) -> Option<f32> {
    let mut hits = 0;
    let mut other = 0;
    for l in head.lines() {
        let t = l.trim();
        if t.is_empty() {
            continue;
        }
        if let Some((k, _)) = t.split_once(" = ") {
            if ROOTS.iter().any(|r| k.starts_with(r))
                && k.matches('.').count() >= 2
                && !k.contains(' ')
            {
                hits += 1;
                continue;
            }
        }
        if (t.starts_with("sysctl: ") && (t.contains("/proc/sys/") || t.contains(" key ")))
            || t.starts_with("/proc/sys/") && (t.contains(':') || t.contains(' '))
            || t.starts_with("/sys/") && t.contains("hairpin_mode")
        {
            hits += 1;
            continue;
        }
        other += 1;
    }
    match (hits, other) {
        (0, _) => None,
        (h, o) if h >= o => Some(0.9),
        _ => Some(0.6),
    }
}

/// `/proc/sys/net/ipv4/conf/flannel.1/rp_filter` → `net.ipv4.conf.flannel/1.rp_filter`;
/// other paths unchanged.
pub fn key_of_path(path: &str) -> String {
    match path.strip_prefix("/proc/sys/") {
        Some(rest) => rest
            .split('/')
            .filter(|c| !c.is_empty())
            .map(|c| c.replace('.', "/"))
            .collect::<Vec<_>>()
            .join("."),
        None => path.to_string(),
    }
}

/// The keys a command line reads, in order, for bare values.
fn command_keys(cmd: &CommandLine) -> Vec<String> {
    match cmd.program.as_str() {
        "sysctl" => cmd
            .args
            .iter()
            .filter(|a| !a.starts_with('-'))
            .map(|a| {
                let k = a.split('=').next().unwrap_or(a);
                if k.starts_with('/') {
                    key_of_path(k)
                } else {
                    k.replace('/', ".")
                }
            })
            .collect(),
        "cat" | "head" | "tail" | "more" | "less" => cmd
            .args
            .iter()
            .filter(|a| is_sys_path(a) && !a.contains('*'))
            .map(|a| key_of_path(a))
            .collect(),
        _ => Vec::new(),
    }
}

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out: Output<Record> = Output::default();
    let keys = seg.command.as_ref().map(command_keys).unwrap_or_default();
    let mut next_key = keys.iter();
    for (n, raw) in seg.lines() {
        let text = super::probe::capped(raw).trim();
        if text.is_empty() {
            continue;
        }
        let pair = match P::parse(Rule::sysctl_line, text) {
            Ok(mut p) => p.next().and_then(|l| l.into_inner().next()),
            Err(e) => {
                out.problems
                    .push(super::pest_problem(&e, n, "not a sysctl line"));
                continue;
            }
        };
        let Some(pair) = pair else { continue };
        let record = |key: String, value: Option<&str>, error: Option<String>| Record {
            line: n,
            key,
            value: value.map(|v| v.trim().to_string()),
            error,
        };
        match pair.as_rule() {
            Rule::setting => {
                let mut inner = pair.into_inner();
                let key = inner.next().map(|p| p.as_str()).unwrap_or("");
                let value = inner.next().map(|p| p.as_str()).unwrap_or("");
                out.records.push(record(key.to_string(), Some(value), None));
            }
            Rule::path_value => {
                let mut inner = pair.into_inner();
                let path = inner.next().map(|p| p.as_str()).unwrap_or("");
                match inner.next().map(|p| p.as_str()) {
                    Some(v) => out.records.push(record(key_of_path(path), Some(v), None)),
                    // `grep -H .`: `/proc/sys/net/ipv4/ip_forward:1`
                    None => match path.rsplit_once(':') {
                        Some((p, v)) if !v.is_empty() && !v.contains('/') => {
                            out.records.push(record(key_of_path(p), Some(v), None))
                        }
                        _ => match next_key.next() {
                            // `cat /sys/…/x` printing a path-like value.
                            Some(k) => out.records.push(record(k.clone(), Some(path), None)),
                            None => out.problem(n, format!("`{path}`: a path with no value")),
                        },
                    },
                }
            }
            Rule::tool_error => match error_key(text) {
                Some((key, reason)) => out.records.push(record(key, None, Some(reason))),
                None => out.problem(n, format!("tool error naming no setting: {text}")),
            },
            Rule::bare_value => match next_key.next() {
                Some(k) => out.records.push(record(k.clone(), Some(text), None)),
                None if keys.is_empty() => out.problem(
                    n,
                    "a bare value with no key: expected `key = value` (or the command line that names the key)",
                ),
                None => out.problem(n, "more values than the command line names keys"),
            },
            _ => {}
        }
    }
    out
}

/// The setting and reason of `sysctl: cannot stat /proc/sys/x: No such file or directory`,
/// `sysctl: permission denied on key 'x'`, `sysctl: reading key "x"`, `cat: /proc/sys/x: …`.
fn error_key(text: &str) -> Option<(String, String)> {
    let (_, rest) = text.split_once(": ")?;
    // A path, then `: reason`.
    if let Some(start) = rest.find('/') {
        let path_and = &rest[start..];
        if let Some((path, reason)) = path_and.split_once(": ") {
            let path = path.trim_matches(['"', '\'']);
            if is_sys_path(path) {
                return Some((key_of_path(path), reason.trim().to_string()));
            }
        }
    }
    // A quoted key: `permission denied on key 'x'`, `reading key "x"`.
    let q = rest.find(['\'', '"'])?;
    let quote = rest[q..].chars().next()?;
    let inner = &rest[q + 1..];
    let (key, after) = inner.split_once(quote)?;
    let reason = after.trim_start_matches(':').trim();
    let reason = if reason.is_empty() {
        rest[..q]
            .trim()
            .trim_end_matches(" on key")
            .trim_end_matches(" key")
    } else {
        reason
    };
    Some((key.to_string(), reason.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_keys() {
        assert_eq!(
            key_of_path("/proc/sys/net/ipv4/conf/flannel.1/rp_filter"),
            "net.ipv4.conf.flannel/1.rp_filter"
        );
        assert_eq!(
            key_of_path("/sys/class/net/veth1/brport/hairpin_mode"),
            "/sys/class/net/veth1/brport/hairpin_mode"
        );
    }

    #[test]
    fn errors() {
        assert_eq!(
            error_key("sysctl: cannot stat /proc/sys/net/bridge/bridge-nf-call-iptables: No such file or directory"),
            Some(("net.bridge.bridge-nf-call-iptables".into(), "No such file or directory".into()))
        );
        assert_eq!(
            error_key("sysctl: permission denied on key 'net.ipv6.conf.all.stable_secret'"),
            Some((
                "net.ipv6.conf.all.stable_secret".into(),
                "permission denied".into()
            ))
        );
        assert_eq!(
            error_key("sysctl: reading key \"net.ipv6.conf.all.stable_secret\""),
            Some(("net.ipv6.conf.all.stable_secret".into(), "reading".into()))
        );
    }

    #[test]
    fn bare_values_take_the_command_keys() {
        let seg = Segment::with_command(
            "1\n0\n7",
            2,
            "cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/bridge/bridge-nf-call-iptables",
        );
        let out = parse(&seg);
        assert_eq!(out.records[0].key, "net.ipv4.ip_forward");
        assert_eq!(out.records[1].key, "net.bridge.bridge-nf-call-iptables");
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].line, 4);
    }
}
