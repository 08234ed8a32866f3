//! The reader every `kubectl describe` parser shares (service, pod, node, endpoints,
//! networkpolicy).
//!
//! kubectl describe prints `Field:  value` lines at column 0, and below a field indented
//! lines that continue it (`Labels:` one label a line), nest further fields (`Addresses:`
//! then `  InternalIP:  10.0.0.4`) or form small tables (`Conditions:`, `Events:`,
//! `Ports:`) whose header gives the columns. Several objects follow one another, each
//! opened by its `Name:` line (`kubectl describe nodes`, `describe svc -l …`).
//!
//! [`read_objects`] walks the lines: a blank line is skipped, a line longer than
//! [`table::MAX_LINE`] and kubectl's own messages (`Error from server (NotFound): …`,
//! `Warning: …`) are problems that quote them, a `Name:` line at column 0 opens an
//! object, and every other line is handed to the parser as a [`Line`] (indent, text,
//! `Key: value` split when it is one). A column-0 line that is not a field, or any line
//! before the first `Name:`, is a problem. [`SubTable`] reads the small tables by the
//! header's column positions (falling back to runs of two spaces or tabs when a paste
//! lost the alignment); [`Event`] is one row of the `Events:` table.

use super::kubectl_table as table;
use super::{pest_problem, Output};
use crate::split::Segment;
use pest::Parser;
use serde::Serialize;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/kubectl_describe.pest"]
struct P;

/// One non-blank line of a describe output.
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    /// 1-based input line.
    pub n: usize,
    /// Leading whitespace, a tab counting as 8.
    pub indent: usize,
    /// The line as pasted (`\r` trimmed), for column positions.
    pub raw: &'a str,
    /// The line without its leading and trailing whitespace.
    pub text: &'a str,
    /// `Key: value` (value trimmed, maybe empty) when the line is one.
    pub field: Option<(&'a str, &'a str)>,
}

impl<'a> Line<'a> {
    /// The value when this line is the field `key`.
    pub fn value_of(&self, key: &str) -> Option<&'a str> {
        self.field.filter(|(k, _)| *k == key).map(|(_, v)| v)
    }
    /// The key, if the line is a field.
    pub fn key(&self) -> Option<&'a str> {
        self.field.map(|(k, _)| k)
    }
}

fn indent_of(raw: &str) -> usize {
    raw.chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .map(|c| if c == '\t' { 8 } else { 1 })
        .sum()
}

fn split_field(rule: Rule, text: &str) -> Option<(&str, &str)> {
    let pairs = P::parse(rule, text).ok()?;
    let mut key = "";
    let mut value = "";
    for p in pairs.flatten() {
        match p.as_rule() {
            Rule::field_name | Rule::nested_key => key = p.as_str(),
            Rule::field_value => value = p.as_str().trim(),
            _ => {}
        }
    }
    Some((key, value))
}

/// Walk the objects of a describe output. `open` makes a record from its `Name:` line;
/// `on_line` reads every later line of the object into it, or says what is wrong (the
/// message becomes a problem at that line). `S` is what the parser remembers between
/// the lines of one object (the section it is in, a sub-table's columns): a fresh
/// `S::default()` for each object. `what` names the object in messages (`service`).
pub fn read_objects<R, S: Default>(
    seg: &Segment,
    what: &str,
    mut open: impl FnMut(&Line) -> R,
    mut on_line: impl FnMut(&mut R, &mut S, &Line) -> Result<(), String>,
) -> Output<R> {
    let mut out = Output::default();
    let mut cur: Option<(R, S)> = None;
    for (n, raw) in seg.lines() {
        if raw.trim().is_empty() {
            continue;
        }
        if raw.len() > table::MAX_LINE {
            out.problem(
                n,
                format!("line longer than {} bytes, not read", table::MAX_LINE),
            );
            continue;
        }
        if let Some(msg) = table::kubectl_message(raw) {
            out.problem(n, msg);
            continue;
        }
        let indent = indent_of(raw);
        let text = raw.trim();
        if indent == 0 {
            let field = match P::parse(Rule::field_line, raw) {
                Ok(_) => split_field(Rule::field_line, raw),
                Err(e) => {
                    out.problems.push(pest_problem(
                        &e,
                        n,
                        &format!("expected a `Field:  value` line of kubectl describe {what}"),
                    ));
                    continue;
                }
            };
            let line = Line {
                n,
                indent,
                raw,
                text,
                field,
            };
            if line.key() == Some("Name") {
                if let Some((done, _)) = cur.take() {
                    out.records.push(done);
                }
                cur = Some((open(&line), S::default()));
                continue;
            }
            let Some((rec, state)) = cur.as_mut() else {
                out.problem(
                    n,
                    format!("`{}:` before any `Name:` line", line.key().unwrap_or("")),
                );
                continue;
            };
            if let Err(e) = on_line(rec, state, &line) {
                out.problem(n, e);
            }
            continue;
        }
        let Some((rec, state)) = cur.as_mut() else {
            out.problem(n, "indented line before any `Name:` line");
            continue;
        };
        let line = Line {
            n,
            indent,
            raw,
            text,
            field: split_field(Rule::nested_field, text),
        };
        if let Err(e) = on_line(rec, state, &line) {
            out.problem(n, e);
        }
    }
    if let Some((done, _)) = cur.take() {
        out.records.push(done);
    }
    out
}

/// `<none>`, `<unset>` and empty values are absent.
/// A describe sniffer's confidence from how many of its telltale fields the head shows
/// (`Name:` being there already): two is a guess, three likely, four or more certain.
pub fn confidence(telltales: usize) -> Option<f32> {
    match telltales {
        0 | 1 => None,
        2 => Some(0.6),
        3 => Some(0.8),
        _ => Some(0.95),
    }
}

pub fn opt(value: &str) -> Option<String> {
    let v = value.trim();
    (!v.is_empty() && v != "<none>" && v != "<unset>").then(|| v.to_string())
}

/// True for a table's `----  ------` rule line.
pub fn is_rule(text: &str) -> bool {
    text.starts_with('-') && text.chars().all(|c| c == '-' || c == ' ' || c == '\t')
}

// ---------------------------------------------------------------- small tables

/// The columns of an indented table (`Type  Status  LastHeartbeatTime …`), from its
/// header: names separated by two or more spaces or a tab, each with its start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubTable {
    cols: Vec<(String, usize)>,
    tabbed: bool,
}

/// Most columns a describe table has (Non-terminated Pods has 7).
const MAX_SUB_COLUMNS: usize = 12;

/// Cells separated by two or more spaces or a tab: (start, text).
fn wide_split(raw: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let bytes = raw.as_bytes();
    let mut i = 0;
    let mut start: Option<usize> = None;
    while i < bytes.len() {
        let b = bytes.get(i).copied().unwrap_or(b' ');
        let gap = b == b'\t' || (b == b' ' && matches!(bytes.get(i + 1), Some(b' ' | b'\t')));
        let blank = b == b' ' || b == b'\t';
        if gap || (blank && start.is_none()) {
            if let Some(s) = start.take() {
                out.push((s, raw.get(s..i).unwrap_or("").trim_end()));
            }
        } else if start.is_none() {
            start = Some(i);
        }
        i += 1;
    }
    if let Some(s) = start {
        out.push((s, raw.get(s..).unwrap_or("").trim_end()));
    }
    out
}

impl SubTable {
    /// A header whose first word is `first` (`Type`, `Name`, `Namespace`).
    pub fn header(raw: &str, first: &str) -> Option<SubTable> {
        let cells = wide_split(raw);
        if cells.first().map(|(_, c)| *c) != Some(first)
            || cells.len() < 2
            || cells.len() > MAX_SUB_COLUMNS
        {
            return None;
        }
        Some(SubTable {
            cols: cells.into_iter().map(|(s, c)| (c.to_string(), s)).collect(),
            tabbed: raw.contains('\t'),
        })
    }

    /// Column names, as printed.
    pub fn names(&self) -> Vec<&str> {
        self.cols.iter().map(|(c, _)| c.as_str()).collect()
    }

    /// A row's cells, one per column (the last takes the rest of the line).
    pub fn row<'a>(&self, raw: &'a str) -> Result<Vec<&'a str>, String> {
        if !self.tabbed && !raw.contains('\t') {
            if let Some(cells) = self.by_position(raw) {
                return Ok(cells);
            }
        }
        // Alignment lost: cells are what runs of spaces or tabs separate; the last
        // column takes whatever is left.
        let cells = wide_split(raw);
        if cells.len() < self.cols.len() {
            return Err(format!(
                "{} values for {} columns ({})",
                cells.len(),
                self.cols.len(),
                self.names().join(", ")
            ));
        }
        let last = self.cols.len() - 1;
        let mut out: Vec<&'a str> = cells.iter().take(last).map(|(_, c)| *c).collect();
        let rest = cells
            .get(last)
            .and_then(|(s, _)| raw.get(*s..))
            .unwrap_or("")
            .trim();
        out.push(rest);
        Ok(out)
    }

    fn by_position<'a>(&self, raw: &'a str) -> Option<Vec<&'a str>> {
        let mut out = Vec::with_capacity(self.cols.len());
        for (i, (_, start)) in self.cols.iter().enumerate() {
            // A cell starts at its column, right after a blank (or the line's start).
            if *start > 0 {
                let before = raw.as_bytes().get(start - 1).copied();
                if before.is_some_and(|b| b != b' ') {
                    return None;
                }
            }
            let end = self.cols.get(i + 1).map_or(raw.len(), |(_, s)| *s);
            let cell = if *start >= raw.len() {
                ""
            } else {
                raw.get(*start..end.min(raw.len()))?.trim()
            };
            out.push(cell);
        }
        // Text left of the first column is not a row of this table.
        let first = self.cols.first().map_or(0, |(_, s)| *s);
        if raw.get(..first).is_some_and(|l| !l.trim().is_empty()) {
            return None;
        }
        // A row cut before its last column is not read by position.
        if out.last().is_none_or(|c| c.is_empty()) {
            return None;
        }
        Some(out)
    }
}

// ---------------------------------------------------------------- events

/// One row of a describe's `Events:` table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    pub line: usize,
    /// `Normal` or `Warning`.
    #[serde(rename = "type")]
    pub event_type: String,
    pub reason: String,
    /// Age as printed without `(x5 over 3m)`: `2m`, `<unknown>`.
    pub age: String,
    /// How many times it happened, from `(x5 over 3m)`.
    pub count: Option<u32>,
    /// The reporting component: `kubelet`, `default-scheduler`, `kubelet, worker-1` (≤1.14).
    pub from: String,
    pub message: String,
}

/// The `Events:` table of one object: its header, then rows.
#[derive(Debug, Clone, Default)]
pub struct EventTable {
    header: Option<SubTable>,
}

impl EventTable {
    /// Read one indented line under `Events:` (the header, the rule, or a row).
    pub fn line(&mut self, line: &Line) -> Result<Option<Event>, String> {
        if is_rule(line.text) {
            return Ok(None);
        }
        if let Some(h) = SubTable::header(line.raw, "Type") {
            self.header = Some(h);
            return Ok(None);
        }
        let Some(h) = &self.header else {
            return Err(format!(
                "expected the Events header (Type  Reason  Age  From  Message), got {:?}",
                table::clip(line.text)
            ));
        };
        let cells = h.row(line.raw).map_err(|e| format!("event row: {e}"))?;
        let get = |name: &str| {
            h.names()
                .iter()
                .position(|c| *c == name)
                .and_then(|i| cells.get(i))
                .map(|s| s.to_string())
                .unwrap_or_default()
        };
        let event_type = get("Type");
        let reason = get("Reason");
        if event_type.is_empty() || reason.is_empty() {
            return Err(format!(
                "event row without type or reason: {:?}",
                table::clip(line.text)
            ));
        }
        let age_text = get("Age");
        let (age, count) = event_age(&age_text)?;
        Ok(Some(Event {
            line: line.n,
            event_type,
            reason,
            age,
            count,
            from: get("From"),
            message: get("Message"),
        }))
    }
}

fn event_age(text: &str) -> Result<(String, Option<u32>), String> {
    let pairs = P::parse(Rule::event_age, text).map_err(|e| {
        format!(
            "event Age {:?}: {}",
            table::clip(text),
            table::cell_error(&e, "age")
        )
    })?;
    let mut age = String::new();
    let mut count = None;
    for p in pairs.flatten() {
        match p.as_rule() {
            Rule::event_last => age = p.as_str().to_string(),
            Rule::event_count => count = p.as_str().parse().ok(),
            _ => {}
        }
    }
    Ok((age, count))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn fields() {
        assert_eq!(
            split_field(Rule::nested_field, "InternalIP:  10.0.0.4"),
            Some(("InternalIP", "10.0.0.4"))
        );
        assert_eq!(
            split_field(Rule::nested_field, "hugepages-1Gi:      0"),
            Some(("hugepages-1Gi", "0"))
        );
        assert_eq!(
            split_field(Rule::nested_field, "Ports:"),
            Some(("Ports", ""))
        );
        assert!(split_field(Rule::nested_field, "10.0.0.1:80").is_none());
        assert!(split_field(
            Rule::nested_field,
            "node.kubernetes.io/not-ready:NoSchedule"
        )
        .is_none());
        assert!(split_field(
            Rule::nested_field,
            "Warning  Unhealthy  2m  kubelet  Readiness probe failed: x"
        )
        .is_none());
    }

    #[test]
    fn sub_tables() {
        let h = SubTable::header(
            "  Type     Reason     Age                From     Message",
            "Type",
        )
        .unwrap();
        let row = h
            .row("  Warning  Unhealthy  2m (x5 over 3m)    kubelet  Readiness probe failed: dial tcp 10.0.0.1:80: connect: connection refused")
            .unwrap();
        assert_eq!(row[2], "2m (x5 over 3m)");
        assert_eq!(
            row[4],
            "Readiness probe failed: dial tcp 10.0.0.1:80: connect: connection refused"
        );
        // Alignment lost in the paste.
        let row = h
            .row("  Warning  Unhealthy  2m  kubelet  Readiness  probe failed")
            .unwrap();
        assert_eq!(row[4], "Readiness  probe failed");
        assert!(h.row("  Warning").is_err());
        assert_eq!(
            event_age("2m (x5 over 3m)").unwrap(),
            ("2m".into(), Some(5))
        );
        assert!(event_age("yesterday").is_err());
    }
}
