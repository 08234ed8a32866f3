//! `kubectl get … -o jsonpath=…` output.
//!
//! Commands: `kubectl get svc web -o jsonpath='{.spec.selector}'`, `kubectl get pods -o
//! jsonpath='{.items[*].status.podIP}'`, `kubectl get pods -o jsonpath='{range
//! .items[*]}{.metadata.name}{"\t"}{.status.podIP}{"\n"}{end}'`, `kubectl get ep web -o
//! jsonpath='{.subsets[*].addresses[*].ip}'`, `kubectl get nodes -o
//! jsonpath='{.items[*].spec.podCIDR}'`.
//!
//! The text alone says nothing of what printed it (a bare IP list, a bare word): it is
//! recognised only under its command line, whose jsonpath expression becomes the record's
//! `path`. A path into `.data.<key>` (`kubectl get cm kubeadm-config -o
//! jsonpath='{.data.ClusterConfiguration}'`) prints a file, left to the parser its
//! content fits.
//!
//! Variants: kubectl 1.18+ prints maps and lists as JSON (`{"app":"web"}`,
//! `[{"port":80,…}]`); older kubectl printed Go's `map[app:web]`. `{range}` templates
//! print one row a line, cells separated by the template's `\t`.
//!
//! Record: `{ line, path, values }`, one per output line. A line with tabs gives one
//! value per cell (empty cells kept); a JSON object or `map[…]` gives one map (values
//! that are not strings in their JSON form); a JSON list gives its items; otherwise a
//! path that walks a list (`[*]`, `range`) gives one value per word, and any other path
//! the whole line.
//!
//! ```text
//! $ kubectl get pods -n shop -o jsonpath='{.items[*].status.podIP}'
//! 10.244.1.7 10.244.2.9
//! ```
//! gives `{ "line": 2, "path": "{.items[*].status.podIP}", "values": ["10.244.1.7", "10.244.2.9"] }`.

use super::kubectl_table as table;
use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use pest::Parser;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/kubectl_jsonpath.pest"]
struct P;

/// One output line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    pub line: usize,
    /// The jsonpath expression of the command line (`{.spec.selector}`); empty when the
    /// output was read without one (`netdoc parse --as kubectl-jsonpath`).
    pub path: String,
    pub values: Vec<Value>,
}

/// A printed value: text, or a map (a label selector, an object).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    Text(String),
    Map(BTreeMap<String, String>),
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "kubectl-jsonpath",
    aliases: &["jsonpath"],
    title: "kubectl get … -o jsonpath=… (with its command line)",
    commands: &[
        "kubectl get svc <name> -o jsonpath='{.spec.selector}'",
        "kubectl get pods -o jsonpath='{.items[*].status.podIP}'",
        "kubectl get pods -o jsonpath='{range .items[*]}{.metadata.name}{\"\\t\"}{.status.podIP}{\"\\n\"}{end}'",
    ],
    variants: &[
        "kubectl 1.18+ (maps and lists as JSON)",
        "kubectl ≤1.17 (map[k:v])",
        "{range} rows with \\t cells",
    ],
    matches_command,
    sniff,
};

/// The jsonpath expression of a `-o jsonpath=…` command line.
fn jsonpath_of(cmd: &CommandLine) -> Option<&str> {
    let o = cmd.kubectl.as_ref()?.output.as_deref()?;
    let p = o.strip_prefix("jsonpath=")?;
    Some(p.trim_matches(|c| c == '\'' || c == '"'))
}

/// A path into a ConfigMap's or Secret's `.data.<key>` prints a file (a kubeadm
/// ClusterConfiguration, a Corefile): its content says what it is, so detection is left
/// to the content sniffers.
fn matches_command(cmd: &CommandLine) -> bool {
    jsonpath_of(cmd).is_some_and(|p| !p.contains(".data.") && !p.contains(".data["))
}

/// Bare jsonpath output is any text at all: never claimed by content.
fn sniff(_: &str) -> Option<f32> {
    None
}

/// Most values read from one line (a `[*]` over a huge list).
const MAX_VALUES: usize = 10_000;

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out = Output::default();
    let path = seg
        .command
        .as_ref()
        .and_then(jsonpath_of)
        .unwrap_or("")
        .to_string();
    let walks_list = path.contains("[*]") || path.contains("range");
    for (n, line) in seg.lines() {
        if line.trim().is_empty() {
            continue;
        }
        if line.len() > table::MAX_LINE {
            out.problem(
                n,
                format!("line longer than {} bytes, not read", table::MAX_LINE),
            );
            continue;
        }
        if let Some(msg) = table::kubectl_message(line) {
            out.problem(n, msg);
            continue;
        }
        match values(line, walks_list) {
            Ok(values) => out.records.push(Record {
                line: n,
                path: path.clone(),
                values,
            }),
            Err(e) => out.problem(n, e),
        }
    }
    out
}

fn values(line: &str, walks_list: bool) -> Result<Vec<Value>, String> {
    let t = line.trim();
    if line.contains('\t') {
        return Ok(line
            .trim_end_matches(' ')
            .split('\t')
            .take(MAX_VALUES)
            .map(|c| Value::Text(c.trim().to_string()))
            .collect());
    }
    if t.starts_with('{') || t.starts_with('[') {
        return json(t);
    }
    if t.starts_with("map[") {
        return go_map(t).map(|m| vec![Value::Map(m)]);
    }
    if walks_list {
        Ok(t.split_whitespace()
            .take(MAX_VALUES)
            .map(|w| Value::Text(w.to_string()))
            .collect())
    } else {
        Ok(vec![Value::Text(t.to_string())])
    }
}

fn scalar(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn json_value(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Object(m) => {
            Value::Map(m.iter().map(|(k, v)| (k.clone(), scalar(v))).collect())
        }
        other => Value::Text(scalar(other)),
    }
}

fn json(t: &str) -> Result<Vec<Value>, String> {
    // Several `[*]` items of objects print back to back: `{"a":"b"} {"c":"d"}`.
    let mut out = Vec::new();
    for v in serde_json::Deserializer::from_str(t).into_iter::<serde_json::Value>() {
        let v = v.map_err(|e| format!("not JSON ({e}): {:?}", table::clip(t)))?;
        match &v {
            serde_json::Value::Array(items) => {
                out.extend(items.iter().take(MAX_VALUES).map(json_value))
            }
            other => out.push(json_value(other)),
        }
        if out.len() > MAX_VALUES {
            break;
        }
    }
    Ok(out)
}

fn go_map(t: &str) -> Result<BTreeMap<String, String>, String> {
    let pairs = P::parse(Rule::go_map, t)
        .map_err(|e| format!("{:?}: {}", table::clip(t), table::cell_error(&e, "Go map")))?;
    let mut m = BTreeMap::new();
    for e in pairs.flatten().filter(|p| p.as_rule() == Rule::go_entry) {
        let mut k = "";
        let mut v = "";
        for p in e.into_inner() {
            match p.as_rule() {
                Rule::go_key => k = p.as_str(),
                Rule::go_value => v = p.as_str(),
                _ => {}
            }
        }
        m.insert(k.to_string(), v.to_string());
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn lines() {
        let v = values("{\"app\":\"web\",\"tier\":\"fe\"}", false).unwrap();
        assert!(matches!(&v[0], Value::Map(m) if m.get("tier").map(String::as_str) == Some("fe")));
        let v = values("map[app:web tier:fe]", false).unwrap();
        assert!(matches!(&v[0], Value::Map(m) if m.len() == 2));
        let v = values("10.244.1.7 10.244.2.9", true).unwrap();
        assert_eq!(v.len(), 2);
        let v = values("web-1\t10.244.1.7", false).unwrap();
        assert_eq!(
            v,
            vec![
                Value::Text("web-1".into()),
                Value::Text("10.244.1.7".into())
            ]
        );
        assert!(values("{\"app\":", false).is_err());
        assert!(values("map[app:web", false).is_err());
        let cmd =
            crate::cmdline::parse("kubectl get svc web -o jsonpath='{.spec.selector}'").unwrap();
        assert_eq!(jsonpath_of(&cmd), Some("{.spec.selector}"));
        let cmd =
            crate::cmdline::parse("kubectl get svc web -o=jsonpath={.spec.clusterIP}").unwrap();
        assert_eq!(jsonpath_of(&cmd), Some("{.spec.clusterIP}"));
    }
}
