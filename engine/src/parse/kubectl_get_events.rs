//! `kubectl get events` tables (and `kubectl events`, 1.26+).
//!
//! Commands: `kubectl get events`, `kubectl get ev -n <ns>`, `kubectl get events -A`,
//! `kubectl get events --sort-by=.lastTimestamp` (or `.metadata.creationTimestamp`),
//! `kubectl get events --field-selector involvedObject.name=<pod>`, `kubectl get events
//! -o wide`, `kubectl events`.
//!
//! Variants:
//! - kubectl 1.19+ (and `kubectl events`): `LAST SEEN TYPE REASON OBJECT MESSAGE`, `-A`
//!   adds NAMESPACE first; `-o wide` prints `LAST SEEN TYPE REASON OBJECT SUBOBJECT SOURCE
//!   MESSAGE FIRST SEEN COUNT NAME`. OBJECT is `kind/name` in lower case (`pod/web-1`,
//!   `node/worker-1`). `kubectl events` prints repeats in LAST SEEN: `2m (x5 over 10m)`.
//! - kubectl ≤1.18: `LAST SEEN FIRST SEEN COUNT NAME KIND SUBOBJECT TYPE REASON SOURCE
//!   MESSAGE` (`LASTSEEN FIRSTSEEN …` before 1.10), NAME being the involved object's
//!   name and KIND its kind (`Pod`).
//!
//! MESSAGE, SOURCE (`kubelet, worker-1`) and LAST SEEN hold spaces: rows are cut by the
//! header's column positions, MESSAGE running to the end of the line as printed.
//!
//! Record: `{ line, namespace, last_seen, first_seen, count, type, reason, object,
//! object_kind, object_name, subobject, source, message }`. `object` is as printed
//! (`pod/web-1`, or `Pod/web-1` rebuilt from the old KIND and NAME); `object_kind` is
//! lower case; `count` comes from COUNT or from LAST SEEN's `(x5 over 10m)`.
//!
//! ```text
//! LAST SEEN   TYPE      REASON      OBJECT          MESSAGE
//! 2m          Warning   Unhealthy   pod/web-6d4cf   Readiness probe failed: dial tcp 10.244.1.7:8080: connect: connection refused
//! ```
//! gives `{ "line": 2, "last_seen": "2m", "type": "Warning", "reason": "Unhealthy",
//! "object": "pod/web-6d4cf", "object_kind": "pod", "object_name": "web-6d4cf",
//! "message": "Readiness probe failed: dial tcp 10.244.1.7:8080: connect: connection refused", … }`.

use super::kubectl_table::{self as table, Row, TableSpec};
use super::{Output, ParserInfo};
use crate::cmdline::{CommandLine, Kubectl};
use crate::split::Segment;
use pest::Parser;
use serde::Serialize;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/kubectl_get_events.pest"]
struct P;

/// One event row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    /// 1-based input line of the row.
    pub line: usize,
    /// NAMESPACE column, else the command's `-n`, else `None`.
    pub namespace: Option<String>,
    /// LAST SEEN without its `(x5 over 10m)` (`2m`, `<unknown>`).
    pub last_seen: Option<String>,
    /// FIRST SEEN (≤1.18, `-o wide`), or the `over 10m` of `kubectl events`.
    pub first_seen: Option<String>,
    /// COUNT, or the `x5` of LAST SEEN.
    pub count: Option<u32>,
    /// `Normal` or `Warning`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// `FailedCreatePodSandBox`, `Unhealthy`, `FailedScheduling`, …
    pub reason: String,
    /// The involved object as printed: `pod/web-1`, `node/worker-1`.
    pub object: String,
    /// Lower-case kind (`pod`, `node`, `service`); `None` when the row names none.
    pub object_kind: Option<String>,
    pub object_name: Option<String>,
    /// SUBOBJECT: the field path (`spec.containers{web}`).
    pub subobject: Option<String>,
    /// SOURCE: the reporting component (`kubelet, worker-1`, `default-scheduler`).
    pub source: Option<String>,
    /// MESSAGE as printed, spaces kept.
    pub message: String,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "kubectl-get-events",
    aliases: &["kubectl-get-ev", "events", "kubectl-events"],
    title: "kubectl get events (table, -A, -o wide, old LASTSEEN layout)",
    commands: &[
        "kubectl get events -n <namespace>",
        "kubectl get events -A --sort-by=.lastTimestamp",
        "kubectl get ev --field-selector involvedObject.name=<pod>",
        "kubectl get events -o wide",
        "kubectl events",
    ],
    variants: &[
        "kubectl 1.19+ (LAST SEEN TYPE REASON OBJECT MESSAGE)",
        "kubectl ≤1.18 (LAST SEEN FIRST SEEN COUNT NAME KIND SUBOBJECT TYPE REASON SOURCE MESSAGE)",
        "kubectl ≤1.9 (LASTSEEN FIRSTSEEN …)",
        "-o wide (SUBOBJECT SOURCE … FIRST SEEN COUNT NAME)",
        "kubectl events 1.26+ (2m (x5 over 10m))",
    ],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    cmd.kubectl.as_ref().is_some_and(|k| {
        (k.is("get", &["events"]) && k.is_table()) || (k.verb == "events" && k.is_table())
    })
}

fn sniff(head: &str) -> Option<f32> {
    let h = head.lines().map(str::trim_end).find(|l| {
        l.starts_with("LAST SEEN ")
            || l.starts_with("LASTSEEN ")
            || l.starts_with("NAMESPACE   LAST SEEN ")
            || l.starts_with("NAMESPACE ") && l.contains(" LAST SEEN ")
    })?;
    (h.contains(" REASON ") && h.contains("MESSAGE")).then_some(0.95)
}

const COLUMNS: &[&str] = &[
    "NAMESPACE",
    "LAST SEEN",
    "LASTSEEN",
    "FIRST SEEN",
    "FIRSTSEEN",
    "COUNT",
    "NAME",
    "KIND",
    "SUBOBJECT",
    "TYPE",
    "REASON",
    "OBJECT",
    "SOURCE",
    "MESSAGE",
];

/// Headerless rows hold spaces in MESSAGE: they cannot be cut by word count.
fn implied(_: &Kubectl, _: usize) -> Option<&'static [&'static str]> {
    None
}

const SPEC: TableSpec = TableSpec {
    may_be_empty: Some("SUBOBJECT"),
    what: "event",
    columns: COLUMNS,
    implied,
    spaced: &[
        "LAST SEEN",
        "LASTSEEN",
        "FIRST SEEN",
        "FIRSTSEEN",
        "SOURCE",
        "MESSAGE",
    ],
};

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    table::read_tables(seg, &SPEC, |row| record(row, seg))
}

fn cell(row: &Row, names: &[&str]) -> Option<String> {
    names.iter().find_map(|n| table::opt_cell(row, n))
}

fn record(row: &Row, seg: &Segment) -> Result<Record, String> {
    let event_type = cell(row, &["TYPE"]).ok_or("empty TYPE")?;
    let reason = cell(row, &["REASON"]).ok_or("empty REASON")?;
    let message = row.get("MESSAGE").unwrap_or("").to_string();
    let (mut last_seen, mut count, mut first_seen) = (None, None, None);
    if let Some(ls) = cell(row, &["LAST SEEN", "LASTSEEN"]) {
        let (l, c, f) = last_seen_cell(&ls)?;
        (last_seen, count, first_seen) = (Some(l), c, f);
    }
    if let Some(fs) = cell(row, &["FIRST SEEN", "FIRSTSEEN"]) {
        first_seen = Some(fs);
    }
    if let Some(c) = cell(row, &["COUNT"]) {
        count = Some(
            c.parse()
                .map_err(|_| format!("COUNT {:?} is not a number", table::clip(&c)))?,
        );
    }
    let (object, object_kind, object_name) = if let Some(obj) = cell(row, &["OBJECT"]) {
        match obj.split_once('/') {
            Some((k, n)) => (
                obj.clone(),
                Some(k.to_ascii_lowercase()),
                Some(n.to_string()),
            ),
            None => (obj.clone(), Some(obj.to_ascii_lowercase()), None),
        }
    } else {
        // ≤1.18: NAME is the involved object's name, KIND its kind. (`-o wide`'s NAME is
        // the event's own name and comes with OBJECT, handled above.)
        let name = cell(row, &["NAME"]);
        let kind = cell(row, &["KIND"]);
        let object = match (&kind, &name) {
            (Some(k), Some(n)) => format!("{k}/{n}"),
            (Some(k), None) => k.clone(),
            (None, Some(n)) => n.clone(),
            (None, None) => return Err("no OBJECT, NAME or KIND".into()),
        };
        (object, kind.map(|k| k.to_ascii_lowercase()), name)
    };
    Ok(Record {
        line: row.line,
        namespace: table::row_namespace(row, seg),
        last_seen,
        first_seen,
        count,
        event_type,
        reason,
        object,
        object_kind,
        object_name,
        subobject: cell(row, &["SUBOBJECT"]),
        source: cell(row, &["SOURCE"]),
        message,
    })
}

/// `2m`, `<unknown>`, `2m (x5 over 10m)` → (last seen, count, first seen).
fn last_seen_cell(cell: &str) -> Result<(String, Option<u32>, Option<String>), String> {
    let pairs = P::parse(Rule::last_seen_cell, cell).map_err(|e| {
        format!(
            "LAST SEEN {:?}: {}",
            table::clip(cell),
            table::cell_error(&e, "last seen")
        )
    })?;
    let (mut last, mut count, mut over) = (String::new(), None, None);
    for p in pairs.flatten() {
        match p.as_rule() {
            Rule::seen_age => last = p.as_str().to_string(),
            Rule::repeat_count => {
                count = Some(
                    p.as_str()
                        .parse()
                        .map_err(|_| "repeat count too large".to_string())?,
                )
            }
            Rule::over_age => over = Some(p.as_str().to_string()),
            _ => {}
        }
    }
    Ok((last, count, over))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn cells() {
        assert_eq!(last_seen_cell("2m").unwrap(), ("2m".into(), None, None));
        assert_eq!(
            last_seen_cell("2m (x5 over 10m)").unwrap(),
            ("2m".into(), Some(5), Some("10m".into()))
        );
        assert_eq!(last_seen_cell("<unknown>").unwrap().0, "<unknown>");
        assert!(last_seen_cell("soon").is_err());
        assert!(sniff("LAST SEEN   TYPE   REASON   OBJECT   MESSAGE\n").is_some());
        assert!(sniff("NAMESPACE   LAST SEEN   TYPE   REASON   OBJECT   MESSAGE\n").is_some());
        assert!(sniff("NAME   READY\n").is_none());
    }
}
