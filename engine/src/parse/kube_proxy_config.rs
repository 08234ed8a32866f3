//! kube-proxy configuration: a `KubeProxyConfiguration` (kubeproxy.config.k8s.io/v1alpha1).
//!
//! Commands: `cat /var/lib/kube-proxy/config.conf`, `kubectl -n kube-system exec
//! kube-proxy-x -- cat /var/lib/kube-proxy/config.conf`. In `kubectl -n kube-system get cm
//! kube-proxy -o yaml` the same text is the `config.conf` value of a ConfigMap: that paste is
//! the k8s-objects parser's, and [`from_config_map`] reads the configuration from its record.
//!
//! Variants: kubeadm's generated file (1.12–1.31; every key present, `mode: ""` meaning the
//! platform default, iptables on Linux), hand-written minimal files, `nftables` mode (1.29+).
//!
//! Record: one per YAML document: `line` (first line), `mode` (as written; `""` stays `""`),
//! `mode_line`, `cluster_cidr` (`clusterCIDR`), `conntrack_max_per_core`, `conntrack_min`
//! (`conntrack.maxPerCore`, `conntrack.min`; `null` in the file → `None`), `masquerade_all`
//! (`iptables.masqueradeAll`), `strict_arp` (`ipvs.strictARP`), `bind_address`,
//! `metrics_bind_address`, `kind` (`KubeProxyConfiguration` when written).
//!
//! Known lines skipped deliberately: comments, every other key (kubeadm writes ~40), list
//! items, and the lines kubectl prints around a command it ran. A line that is not YAML
//! `key: value`, `key:` or `- item` is a problem with its line number.
//!
//! ```text
//! kind: KubeProxyConfiguration
//! mode: "ipvs"
//! → { line: 1, kind: "KubeProxyConfiguration", mode: "ipvs", mode_line: 2, cluster_cidr: null, … }
//! ```

use super::k8s_objects::{Object, Spec};
use super::resolv_conf::is_kubectl_noise;
use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use pest::Parser;
use serde::Serialize;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/kube_proxy_config.pest"]
struct P;

/// One KubeProxyConfiguration document.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Record {
    /// 1-based input line where the document starts.
    pub line: usize,
    pub kind: Option<String>,
    /// `iptables`, `ipvs`, `nftables`, `kernelspace`, or `""` (the default: iptables).
    pub mode: Option<String>,
    pub mode_line: Option<usize>,
    pub cluster_cidr: Option<String>,
    pub conntrack_max_per_core: Option<u64>,
    pub conntrack_min: Option<u64>,
    pub masquerade_all: Option<bool>,
    pub strict_arp: Option<bool>,
    pub bind_address: Option<String>,
    pub metrics_bind_address: Option<String>,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "kube-proxy-config",
    aliases: &["kubeproxyconfiguration"],
    title: "kube-proxy configuration (KubeProxyConfiguration)",
    commands: &[
        "cat /var/lib/kube-proxy/config.conf",
        "kubectl -n kube-system exec kube-proxy-x -- cat /var/lib/kube-proxy/config.conf",
    ],
    variants: &[
        "kubeadm-generated config.conf (1.12–1.31)",
        "minimal hand-written files",
    ],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    cmd.kubectl.is_none()
        && matches!(
            cmd.program.as_str(),
            "cat" | "head" | "tail" | "less" | "more"
        )
        && cmd
            .args
            .iter()
            .any(|a| a.contains("kube-proxy/config") || a.contains("kube-proxy-config"))
}

fn sniff(head: &str) -> Option<f32> {
    let (mut kind, mut keys) = (false, 0usize);
    for l in head.lines() {
        let t = l.trim();
        // A ConfigMap around it (`data:`, `apiVersion: v1`) is k8s-objects'.
        if l.starts_with("data:")
            || l.starts_with("metadata:")
            || (l.starts_with("apiVersion:") && !l.contains("kubeproxy.config.k8s.io"))
        {
            return None;
        }
        if t.starts_with("kind:") {
            if t.contains("KubeProxyConfiguration") {
                kind = true;
            } else {
                // A ConfigMap (or anything else) around it is k8s-objects'.
                return None;
            }
        } else if l.starts_with("mode:")
            || l.starts_with("clusterCIDR:")
            || t.starts_with("masqueradeAll:")
            || t.starts_with("maxPerCore:")
            || l.starts_with("metricsBindAddress:")
        {
            keys += 1;
        }
    }
    if kind {
        Some(0.97)
    } else if keys >= 2 {
        Some(0.7)
    } else {
        None
    }
}

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out = Output::default();
    let lines: Vec<(usize, &str)> = seg
        .lines()
        .map(|(n, l)| (n, super::probe::capped(l)))
        .collect();
    read(&lines, &mut out);
    out
}

/// Unquote a scalar; `null`/`~`/empty → `None`.
fn scalar(v: &str) -> Option<String> {
    let v = v.trim();
    let v = match v.split_once(" #") {
        Some((a, _)) => a.trim(),
        None => v,
    };
    if v.is_empty() || v == "null" || v == "~" {
        return None;
    }
    let unq = v
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .or_else(|| v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
        .unwrap_or(v);
    Some(unq.to_string())
}

fn read(lines: &[(usize, &str)], out: &mut Output<Record>) {
    let mut cur: Option<Record> = None;
    // (indent, key) of the enclosing mappings.
    let mut path: Vec<(usize, String)> = Vec::new();
    for &(n, raw) in lines {
        let t = raw.trim();
        if t.is_empty() || is_kubectl_noise(t) {
            continue;
        }
        let indent = raw.len() - raw.trim_start().len();
        let Some(p) = P::parse(Rule::kp_line, t)
            .ok()
            .and_then(|mut p| p.next())
            .and_then(|p| p.into_inner().next())
        else {
            out.problem(
                n,
                "not a kube-proxy configuration line: expected YAML `key: value`",
            );
            continue;
        };
        match p.as_rule() {
            Rule::doc_sep => {
                if let Some(done) = cur.take() {
                    out.records.push(done);
                }
                path.clear();
                continue;
            }
            Rule::kv_line => {}
            _ => continue,
        }
        let mut key = "";
        let mut value = None;
        for x in p.into_inner() {
            match x.as_rule() {
                Rule::kp_key => key = x.as_str(),
                Rule::kp_value => value = Some(x.as_str()),
                _ => {}
            }
        }
        while path.last().is_some_and(|(i, _)| *i >= indent) {
            path.pop();
        }
        let full = path
            .iter()
            .map(|(_, k)| k.as_str())
            .chain(std::iter::once(key))
            .collect::<Vec<_>>()
            .join(".");
        let rec = cur.get_or_insert_with(|| Record {
            line: n,
            ..Record::default()
        });
        let v = value.and_then(scalar);
        match full.as_str() {
            "kind" => rec.kind = v,
            "mode" => {
                // `mode: ""` is a value (the default), unlike an absent key.
                rec.mode = Some(v.unwrap_or_default());
                rec.mode_line = Some(n);
            }
            "clusterCIDR" => rec.cluster_cidr = v.filter(|s| !s.is_empty()),
            "conntrack.maxPerCore" => rec.conntrack_max_per_core = v.and_then(|s| s.parse().ok()),
            "conntrack.min" => rec.conntrack_min = v.and_then(|s| s.parse().ok()),
            "iptables.masqueradeAll" => rec.masquerade_all = v.and_then(|s| s.parse().ok()),
            "ipvs.strictARP" => rec.strict_arp = v.and_then(|s| s.parse().ok()),
            "bindAddress" => rec.bind_address = v.filter(|s| !s.is_empty()),
            "metricsBindAddress" => rec.metrics_bind_address = v.filter(|s| !s.is_empty()),
            _ => {}
        }
        if value.is_none() {
            path.push((indent, key.to_string()));
        }
    }
    if let Some(done) = cur.take() {
        out.records.push(done);
    }
}

/// The configuration in a kube-proxy ConfigMap record of the k8s-objects parser (its
/// `config.conf` value). Lines count from the line after the data key.
pub fn from_config_map(obj: &Object) -> Vec<Record> {
    let Spec::ConfigMap {
        data, data_lines, ..
    } = &obj.spec
    else {
        return Vec::new();
    };
    let Some(text) = data.get("config.conf") else {
        return Vec::new();
    };
    let key_line = data_lines.get("config.conf").copied().unwrap_or(obj.line);
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (key_line + 1 + i, super::probe::capped(l)))
        .collect();
    let mut out = Output::default();
    read(&lines, &mut out);
    out.records
        .into_iter()
        .filter(|r| r.kind.as_deref() == Some("KubeProxyConfiguration") || r.mode.is_some())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_keys() {
        let text = "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nbindAddress: 0.0.0.0\nclusterCIDR: 10.244.0.0/16\nconntrack:\n  maxPerCore: null\n  min: 131072\niptables:\n  masqueradeAll: false\nipvs:\n  strictARP: true\nkind: KubeProxyConfiguration\nmetricsBindAddress: \"\"\nmode: \"ipvs\"\n";
        let out = parse(&Segment::new(text, 1));
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let r = &out.records[0];
        assert_eq!(r.mode.as_deref(), Some("ipvs"));
        assert_eq!(r.mode_line, Some(13));
        assert_eq!(r.conntrack_max_per_core, None);
        assert_eq!(r.conntrack_min, Some(131072));
        assert_eq!(r.masquerade_all, Some(false));
        assert_eq!(r.strict_arp, Some(true));
        assert_eq!(r.metrics_bind_address, None);
        assert_eq!(sniff(text), Some(0.97));
        assert_eq!(
            sniff("kind: ConfigMap\ndata:\n  config.conf: |-\n    kind: KubeProxyConfiguration"),
            None
        );
    }
}
