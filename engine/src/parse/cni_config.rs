//! CNI network configuration: `/etc/cni/net.d/*.conflist` / `*.conf` and flannel's
//! `net-conf.json`.
//!
//! Commands: `cat /etc/cni/net.d/10-calico.conflist`, `head -50 /etc/cni/net.d/*` (with
//! `==> file <==` headers), `cat /etc/kube-flannel/net-conf.json`, `ls`-free pastes of the
//! JSON itself. Inside `kubectl -n kube-system get cm kube-flannel-cfg -o yaml` (keys
//! `cni-conf.json`, `net-conf.json`) or calico's `calico-config` (`cni_network_config`) the
//! JSON is a ConfigMap value: that paste is the k8s-objects parser's, and
//! [`from_config_map`] reads the embedded JSON from its record.
//!
//! Variants: CNI spec 0.3.x–1.0.0 `.conflist` (`plugins: [...]`), single-plugin `.conf`
//! (the plugin's keys at the top level), flannel's `delegate` (`hairpinMode`,
//! `isDefaultGateway`), host-local `ipam.subnet` / `ipam.ranges`, calico-ipam
//! `ipv4_pools`, calico's install template placeholders (`"mtu": __CNI_MTU__`, read as
//! unknown), flannel `net-conf.json` (`Network`, `Backend.Type`, `Backend.VNI`,
//! `Backend.Port`).
//!
//! Record: one per JSON document: `line`, `last_line`, `file` (from a `==> file <==`
//! header or the command line), `format` (`conflist`, `conf`, `flannel-net-conf`), `name`,
//! `cni_version`, `plugins` (each `{ line, type, mtu, hairpin_mode, is_default_gateway,
//! ip_masq, bridge, ipam_type, subnets }`), and for flannel's net-conf `network`,
//! `backend_type`, `vni`, `port`.
//!
//! # Why not pest for the JSON
//! JSON has nesting and string escapes that serde_json already reads exactly; the module
//! uses pest for the lines around the documents and a brace scanner to cut the paste into
//! documents, so a broken document is one problem at its own line and the others still parse.
//!
//! Known lines skipped deliberately: `cat:`/`head:` error lines (`No such file or directory`)
//! and the lines kubectl prints around a command it ran. Any other text outside a JSON
//! document is a problem with its line number.
//!
//! ```text
//! {"Network": "10.244.0.0/16", "Backend": {"Type": "vxlan"}}
//! → { line: 1, last_line: 1, file: null, format: "flannel-net-conf", name: null, cni_version: null,
//!     plugins: [], network: "10.244.0.0/16", backend_type: "vxlan", vni: null, port: null }
//! ```

use super::k8s_objects::{Object, Spec};
use super::resolv_conf::is_kubectl_noise;
use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use pest::Parser;
use serde::Serialize;
use serde_json::Value;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/cni_config.pest"]
struct P;

/// One CNI configuration document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    /// 1-based input line of the opening `{`.
    pub line: usize,
    pub last_line: usize,
    pub file: Option<String>,
    /// `conflist`, `conf` or `flannel-net-conf`.
    pub format: String,
    pub name: Option<String>,
    pub cni_version: Option<String>,
    pub plugins: Vec<Plugin>,
    /// flannel `Network`.
    pub network: Option<String>,
    /// flannel `Backend.Type` (`vxlan`, `host-gw`, `wireguard`, `udp`, `ipip`).
    pub backend_type: Option<String>,
    pub vni: Option<u32>,
    pub port: Option<u16>,
}

/// One plugin of a configuration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plugin {
    /// Line of its `"type"` key.
    pub line: usize,
    /// `calico`, `flannel`, `cilium-cni`, `bridge`, `portmap`, `bandwidth`, …
    #[serde(rename = "type")]
    pub plugin_type: String,
    pub mtu: Option<u32>,
    /// `hairpinMode` (also inside flannel's `delegate`).
    pub hairpin_mode: Option<bool>,
    pub is_default_gateway: Option<bool>,
    pub ip_masq: Option<bool>,
    pub bridge: Option<String>,
    pub ipam_type: Option<String>,
    /// `ipam.subnet`, `ipam.ranges[][].subnet`, `ipam.ipv4_pools`, `ipam.ipv6_pools`.
    pub subnets: Vec<String>,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "cni-config",
    aliases: &["cni-conflist", "flannel-net-conf"],
    title: "CNI network configuration (/etc/cni/net.d, flannel net-conf.json)",
    commands: &[
        "cat /etc/cni/net.d/10-calico.conflist",
        "head -100 /etc/cni/net.d/*",
        "cat /etc/kube-flannel/net-conf.json",
    ],
    variants: &[
        "CNI 0.3.x–1.0.0 .conflist",
        "single-plugin .conf",
        "flannel net-conf.json",
    ],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    matches!(
        cmd.program.as_str(),
        "cat" | "head" | "tail" | "less" | "more"
    ) && cmd.args.iter().any(|a| {
        a.contains("/cni/net.d")
            || a.ends_with(".conflist")
            || a.ends_with("net-conf.json")
            || a.ends_with("cni-conf.json")
    })
}

fn sniff(head: &str) -> Option<f32> {
    let mut score: f32 = 0.0;
    for l in head.lines() {
        let t = l.trim();
        // A Kubernetes object around the JSON (a ConfigMap) belongs to k8s-objects.
        if t.starts_with("apiVersion:") || t.starts_with("kind:") || t.starts_with("\"apiVersion\"")
        {
            return None;
        }
        if t.contains("\"cniVersion\"") {
            score = score.max(0.97);
        } else if t.starts_with("\"Network\"")
            || t.starts_with("\"Backend\"")
            || t.starts_with("{\"Network\"")
            || (t.starts_with("==> ") && (t.contains("/cni/net.d/") || t.contains("net-conf")))
        {
            score = score.max(0.9);
        }
    }
    (score > 0.0).then_some(score)
}

/// The file a command line names, when exactly one.
fn cmd_file(seg: &Segment) -> Option<String> {
    let cmd = seg.command.as_ref()?;
    let files: Vec<&String> = cmd.args.iter().filter(|a| !a.starts_with('-')).collect();
    match files.as_slice() {
        [one] if !one.contains('*') => Some((*one).clone()),
        _ => None,
    }
}

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out = Output::default();
    let lines: Vec<(usize, &str)> = seg
        .lines()
        .map(|(n, l)| (n, super::probe::capped(l)))
        .collect();
    read_docs(&lines, cmd_file(seg), &mut out);
    out
}

/// Bytes one document may hold; a larger "document" is refused.
const MAX_DOC: usize = 1 << 20;

/// Cut `lines` into JSON documents and read each.
fn read_docs(lines: &[(usize, &str)], mut file: Option<String>, out: &mut Output<Record>) {
    let mut doc = String::new();
    let mut start = 0usize;
    let mut depth = 0i64;
    let mut in_str = false;
    let mut escaped = false;
    for &(n, l) in lines {
        let t = l.trim();
        if depth == 0 {
            if t.is_empty() || is_kubectl_noise(t) {
                continue;
            }
            if let Some(p) = P::parse(Rule::cni_line, t)
                .ok()
                .and_then(|mut p| p.next())
                .and_then(|p| p.into_inner().next())
            {
                if p.as_rule() == Rule::file_header {
                    file = p
                        .into_inner()
                        .find(|x| x.as_rule() == Rule::file_path)
                        .map(|x| x.as_str().to_string());
                }
                continue;
            }
            if !t.starts_with('{') {
                out.problem(
                    n,
                    "not CNI configuration: expected a JSON object `{…}` or a `==> file <==` header",
                );
                continue;
            }
            start = n;
            doc.clear();
        }
        if doc.len() + l.len() > MAX_DOC {
            out.problem(n, "CNI configuration document too large");
            return;
        }
        doc.push_str(l);
        doc.push('\n');
        for c in l.chars() {
            if in_str {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    in_str = false;
                }
            } else if c == '"' {
                in_str = true;
            } else if c == '{' || c == '[' {
                depth += 1;
            } else if c == '}' || c == ']' {
                depth -= 1;
            }
        }
        if depth <= 0 {
            depth = 0;
            in_str = false;
            read_doc(&doc, start, n, file.clone(), out);
            doc.clear();
        }
    }
    if !doc.is_empty() {
        out.problem(
            start,
            "CNI configuration cut short: the JSON object is not closed",
        );
    }
}

/// Unquoted install-template placeholders (`"mtu": __CNI_MTU__`) become `null`.
fn without_placeholders(doc: &str) -> String {
    let mut out = String::with_capacity(doc.len());
    let mut in_str = false;
    let mut escaped = false;
    let mut chars = doc.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if !in_str && c == '_' && doc.get(i..).is_some_and(|r| r.starts_with("__")) {
            let rest = doc.get(i..).unwrap_or("");
            let len = rest
                .char_indices()
                .find(|(_, ch)| !(ch.is_ascii_uppercase() || *ch == '_' || ch.is_ascii_digit()))
                .map_or(rest.len(), |(j, _)| j);
            if len > 4 && rest.get(..len).is_some_and(|tok| tok.ends_with("__")) {
                out.push_str("null");
                for _ in 1..len {
                    chars.next();
                }
                continue;
            }
        }
        if in_str {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
            }
        } else if c == '"' {
            in_str = true;
        }
        out.push(c);
    }
    out
}

fn read_doc(doc: &str, first: usize, last: usize, file: Option<String>, out: &mut Output<Record>) {
    let v: Value = match serde_json::from_str(&without_placeholders(doc)) {
        Ok(v) => v,
        Err(e) => {
            out.problem(
                first + e.line().saturating_sub(1),
                format!("CNI configuration is not valid JSON: {e}"),
            );
            return;
        }
    };
    match record(&v, doc, first, last, file) {
        Some(r) => out.records.push(r),
        None => out.problem(
            first,
            "a JSON object that is neither CNI configuration (`cniVersion`, `type`, `plugins`) nor flannel's net-conf (`Network`)",
        ),
    }
}

fn str_of(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

/// Build a record from one parsed document; `None` when it is not CNI configuration.
pub fn record(
    v: &Value,
    doc: &str,
    first: usize,
    last: usize,
    file: Option<String>,
) -> Option<Record> {
    let mut rec = Record {
        line: first,
        last_line: last,
        file,
        format: String::new(),
        name: str_of(v, "name"),
        cni_version: str_of(v, "cniVersion"),
        plugins: Vec::new(),
        network: None,
        backend_type: None,
        vni: None,
        port: None,
    };
    let mut cursor = 0usize;
    if let Some(list) = v.get("plugins").and_then(Value::as_array) {
        rec.format = "conflist".into();
        for p in list {
            if let Some(pl) = plugin(p, doc, first, &mut cursor) {
                rec.plugins.push(pl);
            }
        }
    } else if v.get("type").is_some() {
        rec.format = "conf".into();
        if let Some(pl) = plugin(v, doc, first, &mut cursor) {
            rec.plugins.push(pl);
        }
    } else if v.get("Network").is_some() || v.get("Backend").is_some() {
        rec.format = "flannel-net-conf".into();
        rec.network = str_of(v, "Network");
        let b = v.get("Backend");
        rec.backend_type = b.and_then(|b| str_of(b, "Type"));
        rec.vni = b
            .and_then(|b| b.get("VNI"))
            .and_then(Value::as_u64)
            .and_then(|x| u32::try_from(x).ok());
        rec.port = b
            .and_then(|b| b.get("Port"))
            .and_then(Value::as_u64)
            .and_then(|x| u16::try_from(x).ok());
    } else {
        return None;
    }
    Some(rec)
}

/// The input line of the next `"type": "<t>"` at or after `cursor` (a line index in `doc`).
fn type_line(doc: &str, t: &str, first: usize, cursor: &mut usize) -> usize {
    for (i, l) in doc.lines().enumerate().skip(*cursor) {
        if l.contains("\"type\"") && l.contains(&format!("\"{t}\"")) {
            *cursor = i + 1;
            return first + i;
        }
    }
    first + *cursor
}

fn plugin(p: &Value, doc: &str, first: usize, cursor: &mut usize) -> Option<Plugin> {
    let plugin_type = str_of(p, "type")?;
    let line = type_line(doc, &plugin_type, first, cursor);
    let delegate = p.get("delegate");
    let flag = |k: &str| {
        p.get(k)
            .and_then(Value::as_bool)
            .or_else(|| delegate.and_then(|d| d.get(k)).and_then(Value::as_bool))
    };
    let ipam = p
        .get("ipam")
        .or_else(|| delegate.and_then(|d| d.get("ipam")));
    let mut subnets = Vec::new();
    if let Some(ipam) = ipam {
        if let Some(s) = str_of(ipam, "subnet") {
            subnets.push(s);
        }
        for set in ipam
            .get("ranges")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            for r in set.as_array().into_iter().flatten() {
                if let Some(s) = str_of(r, "subnet") {
                    subnets.push(s);
                }
            }
        }
        for key in ["ipv4_pools", "ipv6_pools"] {
            for s in ipam
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let Some(s) = s.as_str() {
                    subnets.push(s.to_string());
                }
            }
        }
    }
    let mtu = p
        .get("mtu")
        .or_else(|| delegate.and_then(|d| d.get("mtu")))
        .and_then(|m| {
            m.as_u64()
                .or_else(|| m.as_str().and_then(|s| s.parse().ok()))
        })
        .and_then(|m| u32::try_from(m).ok());
    Some(Plugin {
        line,
        plugin_type,
        mtu,
        hairpin_mode: flag("hairpinMode"),
        is_default_gateway: flag("isDefaultGateway"),
        ip_masq: flag("ipMasq"),
        bridge: str_of(p, "bridge").or_else(|| delegate.and_then(|d| str_of(d, "bridge"))),
        ipam_type: ipam.and_then(|i| str_of(i, "type")),
        subnets,
    })
}

/// ConfigMap keys that hold CNI or flannel configuration.
const CM_KEYS: &[&str] = &[
    "cni-conf.json",
    "net-conf.json",
    "cni_network_config",
    "cni-conf",
];

/// The CNI configuration embedded in a ConfigMap record of the k8s-objects parser
/// (`kube-flannel-cfg`'s `cni-conf.json` / `net-conf.json`, calico's `cni_network_config`).
/// Lines count from the line after the data key (a block scalar's first line).
pub fn from_config_map(obj: &Object) -> Vec<Record> {
    let Spec::ConfigMap {
        data, data_lines, ..
    } = &obj.spec
    else {
        return Vec::new();
    };
    let mut recs = Vec::new();
    for (key, text) in data {
        if !CM_KEYS.contains(&key.as_str()) {
            continue;
        }
        let key_line = data_lines.get(key).copied().unwrap_or(obj.line);
        let lines: Vec<(usize, &str)> = text
            .lines()
            .enumerate()
            .map(|(i, l)| (key_line + 1 + i, super::probe::capped(l)))
            .collect();
        let mut out = Output::default();
        let label = format!(
            "configmap/{}:{key}",
            obj.name.as_deref().unwrap_or("unnamed")
        );
        read_docs(&lines, Some(label), &mut out);
        recs.extend(out.records);
    }
    recs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflist_and_net_conf() {
        let text = "{\n  \"name\": \"cbr0\",\n  \"cniVersion\": \"0.3.1\",\n  \"plugins\": [\n    {\n      \"type\": \"flannel\",\n      \"delegate\": {\"hairpinMode\": true, \"isDefaultGateway\": true}\n    },\n    {\"type\": \"portmap\", \"capabilities\": {\"portMappings\": true}}\n  ]\n}\n{\"Network\": \"10.244.0.0/16\", \"Backend\": {\"Type\": \"vxlan\", \"VNI\": 1, \"Port\": 8472}}\n";
        let out = parse(&Segment::new(text, 1));
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 2);
        let f = &out.records[0].plugins[0];
        assert_eq!((f.line, f.hairpin_mode), (6, Some(true)));
        assert_eq!(out.records[0].plugins[1].line, 9);
        assert_eq!(out.records[1].vni, Some(1));
        assert_eq!(out.records[1].port, Some(8472));
        let t = without_placeholders("{\"mtu\": __CNI_MTU__, \"k\": \"__X__\"}");
        assert_eq!(t, "{\"mtu\": null, \"k\": \"__X__\"}");
        assert_eq!(parse(&Segment::new("hello", 3)).problems[0].line, 3);
    }
}
