//! The YAML tree the object and config parsers share: saphyr's marked tree converted into
//! nodes that carry whole-input line numbers, a JSON fallback, and the guards that keep
//! hostile text (deep nesting, huge indentation) away from the loader.

use crate::split::Segment;
use saphyr::{MarkedYaml, Scalar, YamlData};
use std::collections::BTreeMap;

/// Deeper nesting than this is no object or configuration; refuse it rather than recurse.
pub(crate) const MAX_DEPTH: usize = 64;
/// Lines indented deeper than this are refused before the YAML loader sees them.
pub(crate) const MAX_INDENT: usize = 512;

#[derive(Debug, Clone)]
pub(crate) enum Val {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Debug, Clone)]
pub(crate) struct Node {
    /// Whole-input line where the node starts.
    pub line: usize,
    /// Whole-input line where it ends (last line with content).
    pub end_line: usize,
    pub val: Val,
}

#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub key: String,
    pub key_line: usize,
    pub value: Node,
}

impl Node {
    pub(crate) fn entry(&self, key: &str) -> Option<&Entry> {
        match &self.val {
            Val::Map(entries) => entries.iter().rev().find(|e| e.key == key),
            _ => None,
        }
    }
    /// The value under `key`, `None` when absent or null.
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key)
            .map(|e| &e.value)
            .filter(|n| !matches!(n.val, Val::Null))
    }
    pub(crate) fn path(&self, keys: &[&str]) -> Option<&Node> {
        let mut n = self;
        for k in keys {
            n = n.get(k)?;
        }
        Some(n)
    }
    pub(crate) fn key_line(&self, key: &str) -> Option<usize> {
        self.entry(key).map(|e| e.key_line)
    }
    pub(crate) fn text(&self) -> Option<String> {
        match &self.val {
            Val::Str(s) => Some(s.clone()),
            Val::Int(i) => Some(i.to_string()),
            Val::Float(f) => Some(f.to_string()),
            Val::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
    pub(crate) fn str_at(&self, key: &str) -> Option<String> {
        self.get(key).and_then(Node::text)
    }
    pub(crate) fn bool_at(&self, key: &str) -> Option<bool> {
        match self.get(key).map(|n| &n.val) {
            Some(Val::Bool(b)) => Some(*b),
            Some(Val::Str(s)) if s == "true" => Some(true),
            Some(Val::Str(s)) if s == "false" => Some(false),
            _ => None,
        }
    }
    pub(crate) fn int(&self) -> Option<i64> {
        match &self.val {
            Val::Int(i) => Some(*i),
            Val::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
    pub(crate) fn items(&self) -> &[Node] {
        match &self.val {
            Val::Seq(items) => items,
            _ => &[],
        }
    }
    pub(crate) fn strings(&self) -> Vec<String> {
        match &self.val {
            Val::Seq(items) => items.iter().filter_map(Node::text).collect(),
            // A scalar where a list belongs: keep it rather than lose it.
            _ => self.text().into_iter().collect(),
        }
    }
    pub(crate) fn string_map(&self) -> BTreeMap<String, String> {
        match &self.val {
            Val::Map(entries) => entries
                .iter()
                .map(|e| (e.key.clone(), e.value.text().unwrap_or_default()))
                .collect(),
            _ => BTreeMap::new(),
        }
    }
    pub(crate) fn describe(&self) -> &'static str {
        match self.val {
            Val::Null => "nothing",
            Val::Bool(_) | Val::Int(_) | Val::Float(_) | Val::Str(_) => "a scalar",
            Val::Seq(_) => "a list",
            Val::Map(_) => "a mapping",
        }
    }
}

/// Convert saphyr's tree into ours, with whole-input lines. `offset` = input line of the
/// chunk's first line minus one.
pub(crate) fn convert(y: &MarkedYaml<'_>, offset: usize, depth: usize) -> Option<Node> {
    if depth > MAX_DEPTH {
        return None;
    }
    let start = offset + y.span.start.line().max(1);
    let (val, end) = match &y.data {
        YamlData::Value(s) => {
            let v = match s {
                Scalar::Null => Val::Null,
                Scalar::Boolean(b) => Val::Bool(*b),
                Scalar::Integer(i) => Val::Int(*i),
                Scalar::FloatingPoint(f) => Val::Float(f.into_inner()),
                Scalar::String(s) => Val::Str(s.to_string()),
            };
            let end_marker = y.span.end;
            let end = if end_marker.col() == 0 && end_marker.line() > y.span.start.line() {
                offset + end_marker.line() - 1
            } else {
                offset + end_marker.line().max(1)
            };
            (v, end.max(start))
        }
        YamlData::Representation(s, _, _) => (Val::Str(s.to_string()), start),
        YamlData::Sequence(items) => {
            let mut out = Vec::with_capacity(items.len());
            let mut end = start;
            for it in items {
                let n = convert(it, offset, depth + 1)?;
                end = end.max(n.end_line);
                out.push(n);
            }
            (Val::Seq(out), end)
        }
        YamlData::Mapping(map) => {
            let mut out = Vec::with_capacity(map.len());
            let mut end = start;
            for (k, v) in map {
                let key_line = offset + k.span.start.line().max(1);
                let key = convert(k, offset, depth + 1)?.text().unwrap_or_default();
                let value = convert(v, offset, depth + 1)?;
                end = end.max(value.end_line).max(key_line);
                out.push(Entry {
                    key,
                    key_line,
                    value,
                });
            }
            (Val::Map(out), end)
        }
        YamlData::Tagged(_, inner) => {
            let n = convert(inner, offset, depth + 1)?;
            (n.val, n.end_line)
        }
        YamlData::Alias(_) | YamlData::BadValue => (Val::Null, start),
    };
    Some(Node {
        line: start,
        end_line: end,
        val,
    })
}

pub(crate) fn from_json(v: &serde_json::Value, line: usize, depth: usize) -> Option<Node> {
    if depth > MAX_DEPTH {
        return None;
    }
    let val = match v {
        serde_json::Value::Null => Val::Null,
        serde_json::Value::Bool(b) => Val::Bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Val::Int(i),
            None => Val::Float(n.as_f64().unwrap_or(0.0)),
        },
        serde_json::Value::String(s) => Val::Str(s.clone()),
        serde_json::Value::Array(a) => Val::Seq(
            a.iter()
                .map(|x| from_json(x, line, depth + 1))
                .collect::<Option<Vec<_>>>()?,
        ),
        serde_json::Value::Object(o) => Val::Map(
            o.iter()
                .map(|(k, x)| {
                    Some(Entry {
                        key: k.clone(),
                        key_line: line,
                        value: from_json(x, line, depth + 1)?,
                    })
                })
                .collect::<Option<Vec<_>>>()?,
        ),
    };
    Some(Node {
        line,
        end_line: line,
        val,
    })
}

/// One YAML document of a segment: its text, with the lines the segment skipped (kubectl's
/// own noise) kept as blank lines so the loader's line numbers stay whole-input ones.
pub(crate) struct Chunk {
    pub text: String,
    pub first_line: usize,
    pub last_line: usize,
}

/// The segment's documents, split at `---` / `...` (`--- {inline: doc}` keeps its content).
pub(crate) fn chunks(seg: &Segment) -> Vec<Chunk> {
    let mut out = Vec::new();
    let mut cur: Option<Chunk> = None;
    for (n, line) in seg.lines() {
        let line = super::probe::capped(line);
        if line == "---" || line.starts_with("--- ") || line == "..." {
            if let Some(c) = cur.take() {
                out.push(c);
            }
            if let Some(rest) = line.strip_prefix("--- ") {
                cur = Some(Chunk {
                    text: format!("    {rest}"),
                    first_line: n,
                    last_line: n,
                });
            }
            continue;
        }
        match &mut cur {
            Some(c) => {
                for _ in c.last_line + 1..n {
                    c.text.push('\n');
                }
                c.text.push('\n');
                c.text.push_str(line);
                c.last_line = n;
            }
            None => {
                cur = Some(Chunk {
                    text: line.to_string(),
                    first_line: n,
                    last_line: n,
                })
            }
        }
    }
    if let Some(c) = cur {
        out.push(c);
    }
    out
}

/// Refuse text that would make the loader or the conversion work too hard: the line and
/// why. `what` names what the text is not (`a Kubernetes object`).
pub(crate) fn too_deep(text: &str, first_line: usize, what: &str) -> Option<(usize, String)> {
    let mut flow = 0usize;
    for (i, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        if indent > MAX_INDENT {
            return Some((
                first_line + i,
                format!("line indented by {indent} spaces: not {what}"),
            ));
        }
        for b in line.bytes() {
            match b {
                b'[' | b'{' => flow += 1,
                b']' | b'}' => flow = flow.saturating_sub(1),
                _ => {}
            }
        }
        if flow > MAX_DEPTH {
            return Some((
                first_line + i,
                format!("brackets nested too deeply: not {what}"),
            ));
        }
    }
    None
}
