//! Shared reading of kubectl's human-readable tables, used by the `kubectl get svc`,
//! `endpoints`, `endpointslices` and `pods` parsers, and the cell types that the
//! `kubectl describe service` parser shares with them ([`EndpointAddress`],
//! [`TargetPort`]).
//!
//! Tables are read header-first: a header line (`NAME  TYPE  CLUSTER-IP …`) gives the
//! columns and where each starts; each row is cut into whitespace-separated words, the
//! two multi-word values kubectl prints (`RESTARTS` `3 (2m ago)`, `ENDPOINTS`
//! `a,b + 3 more...`) are glued back, and words are matched to columns one to one, or by
//! start position when a cell is empty. A second header starts a second table. Rows
//! pasted without their header are read when the command line says what they are, the
//! columns implied by the word count and the flags (`-A`, `-o wide`, `--show-labels`).
//!
//! Lines that are kubectl messages (`Error from server (NotFound): …`, `Warning: …`)
//! become problems that quote them; `No resources found in shop namespace.` is a valid
//! empty result.

use super::{pest_problem, Chunker, Output};
use crate::cmdline::Kubectl;
use crate::split::Segment;
use pest::Parser;
use serde::Serialize;
use std::collections::BTreeMap;
use std::net::IpAddr;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/kubectl_table.pest"]
struct P;

/// One address of an Endpoints object: `10.244.1.5:9121`, `[fd00::5]:80`, `10.244.1.5`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EndpointAddress {
    pub ip: IpAddr,
    pub port: Option<u16>,
}

/// A Service's `targetPort`: a number, or the name of a container port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum TargetPort {
    Number(u16),
    Name(String),
}

/// The ENDPOINTS of one row or `Endpoints:` line: the addresses shown and how many more
/// kubectl elided (`+ 3 more...`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EndpointList {
    pub addresses: Vec<EndpointAddress>,
    pub more: u32,
}

/// Longest line read; beyond it a line is reported, not parsed (bounded work per line).
pub const MAX_LINE: usize = 64 * 1024;
/// Most words a row may have; real rows have at most ~15.
const MAX_WORDS: usize = 64;
/// Most columns a header may have; the widest real table (pods -A -o wide --show-labels)
/// has 11.
const MAX_COLUMNS: usize = 16;

/// Parse an ENDPOINTS cell (`10.244.1.5:9121,10.244.2.3:9121 + 1 more...`, `<none>`, ``).
pub fn endpoint_list(cell: &str) -> Result<EndpointList, String> {
    let pairs = P::parse(Rule::endpoint_list, cell).map_err(|e| cell_error(&e, "endpoint list"))?;
    let mut list = EndpointList::default();
    for pair in pairs.flatten() {
        match pair.as_rule() {
            Rule::endpoint_address => list.addresses.push(endpoint_address(pair)?),
            Rule::more_count => {
                list.more = pair
                    .as_str()
                    .parse()
                    .map_err(|_| format!("bad endpoint count {:?}", pair.as_str()))?;
            }
            _ => {}
        }
    }
    Ok(list)
}

fn endpoint_address(pair: pest::iterators::Pair<Rule>) -> Result<EndpointAddress, String> {
    let mut ip = None;
    let mut port = None;
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::ipv4 | Rule::ipv6 => {
                ip = Some(
                    p.as_str()
                        .parse::<IpAddr>()
                        .map_err(|_| format!("{:?} is not an IP address", p.as_str()))?,
                );
            }
            Rule::port => port = Some(parse_port(p.as_str())?),
            _ => {}
        }
    }
    ip.map(|ip| EndpointAddress { ip, port })
        .ok_or_else(|| "endpoint without an address".to_string())
}

/// Parse a label map or selector (`app=web,tier=front`, `<none>` → empty).
pub fn label_map(cell: &str) -> Result<BTreeMap<String, String>, String> {
    let pairs = P::parse(Rule::label_map, cell).map_err(|e| cell_error(&e, "labels"))?;
    let mut map = BTreeMap::new();
    for pair in pairs.flatten().filter(|p| p.as_rule() == Rule::label) {
        let mut key = "";
        let mut value = "";
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::label_key => key = p.as_str(),
                Rule::label_value => value = p.as_str(),
                _ => {}
            }
        }
        map.insert(key.to_string(), value.to_string());
    }
    Ok(map)
}

/// A port number, 0..=65535.
pub fn parse_port(s: &str) -> Result<u16, String> {
    s.parse::<u16>()
        .map_err(|_| format!("{s:?} is not a port number"))
}

/// What a kubectl message line says, if the line is one (`Error from server …`).
pub fn kubectl_message(line: &str) -> Option<String> {
    if line.len() > MAX_LINE {
        return None;
    }
    P::parse(Rule::kubectl_message, line)
        .ok()
        .map(|_| format!("kubectl reported: {}", line.trim()))
}

/// True for `No resources found.` / `No resources found in shop namespace.`
pub fn is_no_resources(line: &str) -> bool {
    line.len() <= MAX_LINE && P::parse(Rule::no_resources_found, line).is_ok()
}

/// A pest error on one cell, as a short message ("expected ipv4 or ipv6 at column 3").
pub fn cell_error<R: pest::RuleType>(err: &pest::error::Error<R>, what: &str) -> String {
    pest_problem(err, 1, what).message
}

// ---------------------------------------------------------------- table layout

/// One column of a header: its name as printed and where it starts (byte offset).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub start: usize,
}

/// One row, its cells by column name.
#[derive(Debug, Clone)]
pub struct Row<'a> {
    pub line: usize,
    cells: Vec<(&'static str, &'a str)>,
}

impl<'a> Row<'a> {
    /// The cell under `column`; `None` when the table has no such column.
    pub fn get(&self, column: &str) -> Option<&'a str> {
        self.cells
            .iter()
            .find(|(c, _)| *c == column)
            .map(|(_, v)| *v)
    }
    /// True when the table has `column`.
    pub fn has(&self, column: &str) -> bool {
        self.cells.iter().any(|(c, _)| *c == column)
    }
}

/// What a kind's table looks like.
pub struct TableSpec {
    /// What the rows are, for messages ("service").
    pub what: &'static str,
    /// The one column whose cell kubectl may leave empty (ENDPOINTS), if any.
    pub may_be_empty: Option<&'static str>,
    /// Every header word this kind's tables may have (two-word ones with their space).
    pub columns: &'static [&'static str],
    /// The columns a headerless row has, given the command's flags and its word count.
    pub implied: fn(&Kubectl, usize) -> Option<&'static [&'static str]>,
    /// Columns whose values may hold spaces (`OS-IMAGE` `Ubuntu 22.04.3 LTS`, an event's
    /// `MESSAGE`). When a kind has any, its rows are cut by the header's column
    /// positions first (kubectl aligns every cell under its header word), and by word
    /// count only when the positions do not fit.
    pub spaced: &'static [&'static str],
}

/// Words of a line with their byte offsets.
fn words(line: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        if c == ' ' || c == '\t' {
            if let Some(s) = start.take() {
                out.push((s, line.get(s..i).unwrap_or("")));
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push((s, line.get(s..).unwrap_or("")));
    }
    out
}

/// The columns of `line` if it is a header of this kind (every word a known header word,
/// the first NAME or NAMESPACE).
pub fn header(line: &str, spec: &TableSpec) -> Option<Vec<Column>> {
    let ws = words(line);
    let first = ws.first()?.1;
    // `LAST SEEN` / `LASTSEEN` open `kubectl get events` tables.
    if !matches!(first, "NAME" | "NAMESPACE" | "LAST" | "LASTSEEN") {
        return None;
    }
    let mut cols = Vec::new();
    let mut i = 0;
    while let Some(&(start, w)) = ws.get(i) {
        // Two-word headers: `NOMINATED NODE`, `READINESS GATES`.
        if let Some(&(_, next)) = ws.get(i + 1) {
            let joined = format!("{w} {next}");
            if let Some(name) = spec.columns.iter().find(|c| **c == joined) {
                cols.push(Column { name, start });
                i += 2;
                continue;
            }
        }
        let name = spec.columns.iter().find(|c| **c == w)?;
        cols.push(Column { name, start });
        i += 1;
        if cols.len() > MAX_COLUMNS {
            return None;
        }
    }
    Some(cols)
}

/// Words of a row, with kubectl's two multi-word values glued back: `3 (2m ago)` and
/// `a,b + 3 more...`. Each item is (start offset, text).
fn row_words(line: &str) -> Vec<(usize, &str)> {
    let ws = words(line);
    let mut out: Vec<(usize, usize)> = Vec::new(); // (start, end)
    let mut i = 0;
    while let Some(&(start, w)) = ws.get(i) {
        let end = start + w.len();
        let glue_paren = w.starts_with('(') && !out.is_empty();
        let glue_more = w == "+"
            && !out.is_empty()
            && ws
                .get(i + 1)
                .is_some_and(|(_, n)| n.bytes().all(|b| b.is_ascii_digit()))
            && ws.get(i + 2).is_some_and(|(_, m)| *m == "more...");
        if glue_paren {
            // Glue up to the word that closes the parenthesis.
            let mut j = i;
            let mut last_end = end;
            while let Some(&(s, x)) = ws.get(j) {
                last_end = s + x.len();
                j += 1;
                if x.ends_with(')') || j - i > 4 {
                    break;
                }
            }
            if let Some(prev) = out.last_mut() {
                prev.1 = last_end;
            }
            i = j;
        } else if glue_more {
            if let (Some(prev), Some(&(s, m))) = (out.last_mut(), ws.get(i + 2)) {
                prev.1 = s + m.len();
            }
            i += 3;
        } else {
            out.push((start, end));
            i += 1;
        }
    }
    out.into_iter()
        .map(|(s, e)| (s, line.get(s..e).unwrap_or("")))
        .collect()
}

/// Cut a row into cells under `cols`.
fn cells<'a>(
    line: &'a str,
    cols: &[Column],
    spec: &TableSpec,
) -> Result<Vec<(&'static str, &'a str)>, String> {
    if !spec.spaced.is_empty() {
        // Values with spaces cannot be counted into columns: the header decides, and a
        // row that does not fit it (cut short, misaligned) is reported.
        return cells_under_header(line, cols, spec.spaced);
    }
    let by_position = cells_by_position(line, cols);
    if by_position.is_ok() {
        return by_position;
    }
    // Spacing lost in the paste (chat apps collapse runs of spaces): one word short,
    // and the kind has a cell that may be empty: that is the one missing.
    let ws = row_words(line);
    if let Some(empty) = spec.may_be_empty.filter(|_| ws.len() + 1 == cols.len()) {
        if cols.iter().any(|c| c.name == empty) {
            let mut words = ws.into_iter().map(|(_, w)| w);
            return Ok(cols
                .iter()
                .map(|c| {
                    (
                        c.name,
                        if c.name == empty {
                            ""
                        } else {
                            words.next().unwrap_or("")
                        },
                    )
                })
                .collect());
        }
    }
    by_position
}

/// Cut a row by the header's column positions: each word belongs to the last column
/// starting at or before it; a column of `spaced` takes several words (the text between
/// them kept as printed), any other column at most one, which must end before the next
/// column starts. Empty cells are allowed except the last (a row cut short).
fn cells_under_header<'a>(
    line: &'a str,
    cols: &[Column],
    spaced: &[&str],
) -> Result<Vec<(&'static str, &'a str)>, String> {
    let mut spans: Vec<Option<(usize, usize)>> = vec![None; cols.len()];
    for (start, w) in words(line) {
        let idx = cols
            .iter()
            .rposition(|c| c.start <= start)
            .ok_or_else(|| format!("value {w:?} left of the first column"))?;
        let (Some(col), Some(slot)) = (cols.get(idx), spans.get_mut(idx)) else {
            return Err("no such column".into());
        };
        let end = start + w.len();
        let is_spaced = spaced.contains(&col.name);
        if let Some(next) = cols.get(idx + 1) {
            if end >= next.start {
                return Err(format!("{w:?} runs into column {}", next.name));
            }
        }
        match slot {
            Some((_, e)) if is_spaced => *e = end,
            Some(_) => return Err(format!("two values under {}", col.name)),
            None => *slot = Some((start, end)),
        }
    }
    if spans.last().is_some_and(Option::is_none) {
        return Err("the row stops before the last column (truncated?)".into());
    }
    Ok(cols
        .iter()
        .zip(spans)
        .map(|(c, s)| (c.name, s.and_then(|(a, b)| line.get(a..b)).unwrap_or("")))
        .collect())
}

fn cells_by_position<'a>(
    line: &'a str,
    cols: &[Column],
) -> Result<Vec<(&'static str, &'a str)>, String> {
    let ws = row_words(line);
    if ws.len() == cols.len() {
        return Ok(cols.iter().zip(ws).map(|(c, (_, w))| (c.name, w)).collect());
    }
    if ws.len() > cols.len() {
        return Err(format!("{} values for {} columns", ws.len(), cols.len()));
    }
    // Fewer words than columns: some cells are empty; place words by where they start.
    let mut out: Vec<(&'static str, &'a str)> = cols.iter().map(|c| (c.name, "")).collect();
    let mut last_col: Option<usize> = None;
    for (start, w) in ws {
        let idx = cols
            .iter()
            .rposition(|c| c.start <= start)
            .ok_or_else(|| format!("value {w:?} left of the first column"))?;
        if last_col.is_some_and(|l| l >= idx) {
            return Err(format!(
                "{} values for {} columns, and they do not line up under the header",
                row_words(line).len(),
                cols.len()
            ));
        }
        last_col = Some(idx);
        if let Some(slot) = out.get_mut(idx) {
            slot.1 = w;
        }
    }
    // Only inner cells are ever empty (ENDPOINTS); a row that stops before the last
    // column was cut off.
    let filled = last_col.map_or(0, |l| l + 1);
    if filled < cols.len() {
        let missing: Vec<&str> = cols.iter().skip(filled).map(|c| c.name).collect();
        return Err(format!(
            "the row stops before {} (truncated?)",
            missing.join(", ")
        ));
    }
    Ok(out)
}

/// Walk the table(s) of `seg`: headers, rows, messages. `on_row` turns a row into a
/// record or says what is wrong with it. Returns the records and problems.
pub fn read_tables<R>(
    seg: &Segment,
    spec: &TableSpec,
    on_row: impl FnMut(&Row) -> Result<R, String>,
) -> Output<R> {
    let mut out = Output::default();
    read_tables_into(seg, spec, on_row, &mut out, &mut Chunker::keep_all());
    out
}

/// [`read_tables`] into `out`, handing records on through `chunks` as they gather.
pub fn read_tables_into<R>(
    seg: &Segment,
    spec: &TableSpec,
    mut on_row: impl FnMut(&Row) -> Result<R, String>,
    out: &mut Output<R>,
    chunks: &mut Chunker<'_, R>,
) {
    let kubectl = seg.kubectl();
    let mut table = Table::NotYet;
    for (n, line) in seg.lines() {
        chunks.next_line(out);
        if line.trim().is_empty() {
            continue;
        }
        if line.len() > MAX_LINE {
            out.problem(n, format!("line longer than {MAX_LINE} bytes, not read"));
            continue;
        }
        if is_no_resources(line) {
            continue;
        }
        if let Some(msg) = kubectl_message(line) {
            out.problem(n, msg);
            continue;
        }
        if let Some(h) = header(line, spec) {
            table = Table::Ours(h);
            continue;
        }
        if looks_like_header(line) {
            // `kubectl get all` and `get svc,ep` print several kinds of table; rows under
            // another kind's header are not ours. One problem for the header, not one
            // per row.
            out.problem(
                n,
                format!(
                    "a table of another kind (header {:?}), skipped",
                    clip(line.trim())
                ),
            );
            table = Table::Foreign;
            continue;
        }
        let row_cells = match &table {
            Table::Ours(c) => cells(line, c, spec),
            Table::NotYet => implied_cells(line, kubectl, spec),
            Table::Foreign => continue,
        };
        let row = match row_cells {
            Ok(cells) => Row { line: n, cells },
            Err(e) => {
                out.problem(n, format!("not a row of the {} table: {e}", spec.what));
                continue;
            }
        };
        match on_row(&row) {
            Ok(r) => out.records.push(r),
            Err(e) => out.problem(n, format!("{} row: {e}", spec.what)),
        }
    }
}

/// Which table the rows being read belong to.
enum Table {
    /// No header seen yet: rows are read by the command line's implied columns.
    NotYet,
    /// Under one of this kind's headers.
    Ours(Vec<Column>),
    /// Under another kind's header (`kubectl get all`): rows skipped.
    Foreign,
}

/// A kubectl table header of any kind: `NAME` first, every word upper case.
fn looks_like_header(line: &str) -> bool {
    let ws = words(line);
    ws.first()
        .is_some_and(|(_, w)| *w == "NAME" || *w == "NAMESPACE")
        && ws.len() >= 2
        && ws.iter().all(|(_, w)| {
            w.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b"()-/_.".contains(&b))
        })
}

fn implied_cells<'a>(
    line: &'a str,
    kubectl: Option<&Kubectl>,
    spec: &TableSpec,
) -> Result<Vec<(&'static str, &'a str)>, String> {
    let Some(k) = kubectl else {
        return Err(format!("expected a table header (NAME …) before the rows, or a `kubectl get` command line; got {:?}", clip(line)));
    };
    let ws = row_words(line);
    if ws.len() > MAX_WORDS {
        return Err(format!("{} values, too many for a table row", ws.len()));
    }
    let names = (spec.implied)(k, ws.len()).ok_or_else(|| {
        format!(
            "no header, and {} values do not fit the columns this command prints",
            ws.len()
        )
    })?;
    Ok(names
        .iter()
        .copied()
        .zip(ws.into_iter().map(|(_, w)| w))
        .collect())
}

/// The namespace of a row: its NAMESPACE cell, else the command's `-n`, else `None`.
pub fn row_namespace(row: &Row, seg: &Segment) -> Option<String> {
    if let Some(ns) = row.get("NAMESPACE") {
        return Some(ns.to_string());
    }
    seg.kubectl()
        .filter(|k| !k.all_namespaces)
        .and_then(|k| k.namespace.clone())
}

/// A NAME cell, with `service/` style prefixes (`kubectl get svc,ep`) removed.
pub fn row_name(row: &Row) -> Result<String, String> {
    let name = row.get("NAME").unwrap_or("");
    if name.is_empty() {
        return Err("empty NAME".into());
    }
    Ok(name.rsplit('/').next().unwrap_or(name).to_string())
}

/// Optional cell: `None` when absent, empty or `<none>`.
pub fn opt_cell(row: &Row, column: &str) -> Option<String> {
    row.get(column)
        .filter(|v| !v.is_empty() && *v != "<none>")
        .map(str::to_string)
}

/// The first 80 characters of `s`, for messages.
pub fn clip(s: &str) -> &str {
    match s.char_indices().nth(80) {
        Some((i, _)) => s.get(..i).unwrap_or(s),
        None => s,
    }
}

/// The first line of `head` that starts with `NAME` or `NAMESPACE` (a sniffer helper).
pub fn header_line(head: &str) -> Option<&str> {
    head.lines()
        .map(str::trim_end)
        .find(|l| l.starts_with("NAME ") || l.starts_with("NAMESPACE "))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn endpoint_lists() {
        let l = endpoint_list("10.244.1.5:9121,10.244.2.3:9121 + 1 more...").unwrap();
        assert_eq!(l.addresses.len(), 2);
        assert_eq!(l.more, 1);
        assert_eq!(l.addresses[0].port, Some(9121));
        assert_eq!(endpoint_list("<none>").unwrap(), EndpointList::default());
        assert_eq!(endpoint_list("").unwrap(), EndpointList::default());
        let l = endpoint_list("[fd00::5]:80,10.0.0.1").unwrap();
        assert_eq!(l.addresses[0].ip, "fd00::5".parse::<IpAddr>().unwrap());
        assert_eq!(l.addresses[1].port, None);
        assert!(endpoint_list("10.0.0.1:99999").is_err());
        assert!(endpoint_list("300.1.1.1:80").is_err());
        assert!(endpoint_list("hello").is_err());
    }

    #[test]
    fn labels_and_messages() {
        let m = label_map("app=web,app.kubernetes.io/name=x,empty=").unwrap();
        assert_eq!(m.get("app").map(String::as_str), Some("web"));
        assert_eq!(m.get("empty").map(String::as_str), Some(""));
        assert!(label_map("<none>").unwrap().is_empty());
        assert!(label_map("a=b c").is_err());
        assert!(
            kubectl_message("Error from server (NotFound): services \"x\" not found").is_some()
        );
        assert!(kubectl_message("Warning: v1 Endpoints is deprecated in v1.33+").is_some());
        assert!(kubectl_message("NAME  READY").is_none());
        assert!(is_no_resources("No resources found in shop namespace."));
        assert!(is_no_resources("No resources found."));
        assert!(!is_no_resources("No resources found in"));
    }

    #[test]
    fn row_words_glue_multiword_values() {
        let w: Vec<&str> = row_words("web-1   1/1   Running   3 (2m ago)   5d")
            .into_iter()
            .map(|(_, w)| w)
            .collect();
        assert_eq!(w, vec!["web-1", "1/1", "Running", "3 (2m ago)", "5d"]);
        let w: Vec<&str> = row_words("web   10.0.0.1:80,10.0.0.2:80 + 3 more...   5d")
            .into_iter()
            .map(|(_, w)| w)
            .collect();
        assert_eq!(w, vec!["web", "10.0.0.1:80,10.0.0.2:80 + 3 more...", "5d"]);
    }
}
