//! Differential test against jc (<https://github.com/kellyjonbrazil/jc>, PyPI `jc`, pinned
//! to [`JC_VERSION`]): every fixture of the kinds below goes through `jc --<parser>` and
//! through `netdoc::parse::parse_as`, and the fields both emit under the same name must hold
//! equal values, record by record (nested objects and lists compared element by element,
//! a list's length counting as one field). A field only one side emits is not compared (jc
//! leaves out what it did not find where netdoc writes `null`, and each side has fields of
//! its own); where netdoc names a field differently from jc for the same meaning, netdoc's
//! name was changed to jc's.
//!
//! jc must be on PATH (or named by `NETDOC_JC`). Without it the test prints why it is
//! skipped and passes, unless `NETDOC_REQUIRE_JC` is set (CI: `scripts/test-all.sh`
//! installs the pinned jc and sets it), when it fails. Another jc version fails too: the
//! exclusions below are about this version's behaviour. Minimum counts of compared fixtures
//! and fields per kind keep a broken mapping that compares nothing from passing.
//!
//! | kind | jc parser |
//! |---|---|
//! | dig | `--dig` |
//! | ss | `--ss` |
//! | ip-route | `--ip-route` |
//! | ping | `--ping` |
//! | tracepath | `--tracepath` |
//! | traceroute | `--traceroute` |
//! | iptables-list | `--iptables` |
//! | netstat | `--netstat` |
//! | resolv-conf | `--resolve-conf` |
//! | conntrack | `--conntrack` (jc 1.26 has one) |
//!
//! Normalisations, all of them (anything else must be equal as printed):
//! - jc prints one object for ping, tracepath, traceroute and resolv.conf: it is one record
//!   (`{}` none); netdoc prints a list of records.
//! - numbers compare by value (`2003` equals `2003.0`).
//! - ss `local_port`/`peer_port`, netstat `local_port`/`foreign_port`: jc keeps the text
//!   (`"8080"`, `"*"`) and types it itself in `*_port_num`; netdoc's are numbers, `null` for
//!   `*`. jc's numeric text is read as its number, `"*"` as `null`.
//! - ss `local_address`/`peer_address`: jc keeps ss's brackets around IPv6 (`[::]`),
//!   netdoc's are addresses; jc's brackets are removed.
//! - dig `server`: jc keeps the footer text (`10.96.0.10#53(10.96.0.10) (UDP)`), netdoc's
//!   is the address; jc's text up to `#` is compared.
//! - ip-route `ip`: jc prints a host route as `ip route` does (`10.0.0.1`), netdoc as a
//!   prefix (`10.0.0.1/32`, `/128` for IPv6); jc's bare address gets `/32` or `/128`.
//! - ip-route `status`: jc keeps one flag as a string (`"linkdown"`), netdoc every flag in a
//!   list; jc's string is a one-element list.
//! - resolv-conf `nameservers`: jc's are strings, netdoc's objects (`ip`, `raw`, `line`);
//!   netdoc's `raw` (the text as written) is compared.
//! - conntrack: netdoc's `summary`/`stats` records (the `conntrack v1.4.6 …: N flow entries`
//!   line, `-S`, `-C`) have no jc counterpart and are left out; netdoc's `extra` map (ICMP
//!   `orig_type`, `orig_code`, `orig_id`, …, kept as text) is compared with jc's top-level
//!   fields of the same names as text (`8` equals `"8"`).
//! - iptables-list: netdoc's non-chain records (error messages) are left out.
//! - netstat: jc's `unix` socket records (`kind: socket`) are left out: netdoc reads the
//!   internet sockets only.
//! - traceroute: a `*` is a probe with every field `null` in netdoc and no probe at all in
//!   jc; netdoc's all-`null` probes are left out.
//!
//! Fixtures not compared, and single fields not compared, are listed in [`EXCLUDED`] with
//! the reason; an exclusion that no longer matches anything fails the test, so the list
//! stays true. Kinds jc has no parser for (ip addr/link/neigh/rule, iptables-save, nft,
//! ipvsadm, ipset, curl, nslookup, mtr, kubectl, …) are not compared.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;

use netdoc::parse::parse_as;
use netdoc::split::Segment;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::io::Write;
use std::net::IpAddr;
use std::process::{Command, Stdio};

/// The jc release the exclusions were written against (`scripts/test-all.sh` installs it).
/// `dig +trace` prints one reply per delegation step: jc lists every record of every step
/// as an answer; netdoc keeps them per step in `trace` and in `answer` only the final
/// reply's records of the asked type.
const TRACE: &str = "dig +trace: jc takes every delegation step's records (root NS, TLD NS, RRSIG) for answers; netdoc keeps steps in `trace` and the final reply in `answer`";

const JC_VERSION: &str = "1.26.1";

/// netdoc kind (fixture folder), jc parser option, minimum fixtures compared, minimum
/// fields compared (the counts when this was written: a new exclusion or a mapping that
/// stops matching lowers them and fails; new fixtures raise them).
const KINDS: &[(&str, &str, usize, usize)] = &[
    ("dig", "--dig", 11, 98),
    ("ss", "--ss", 2, 59),
    ("ip-route", "--ip-route", 5, 139),
    ("ping", "--ping", 8, 130),
    ("tracepath", "--tracepath", 4, 128),
    ("traceroute", "--traceroute", 8, 233),
    ("iptables-list", "--iptables", 8, 230),
    ("netstat", "--netstat", 7, 187),
    ("resolv-conf", "--resolve-conf", 11, 94),
    ("conntrack", "--conntrack", 8, 265),
];

/// What is left out of the comparison, and why (the second string, for the reader).
enum Ex {
    /// The whole fixture.
    Fixture(&'static str),
    /// Fields whose path (`0.rules.1.pkts`; `*` matches any one step) starts with this.
    Field(&'static str, &'static str),
    /// One entry jc made of a line netdoc reports as a problem or skips as noise (path of
    /// the entry in jc's output: `0.answer.1`), removed from jc's side before comparing;
    /// several of one list are listed from the highest index down.
    JcExtra(&'static str, &'static str),
}

use Ex::{Field, Fixture, JcExtra};

impl Ex {
    fn describe(&self) -> String {
        match self {
            Fixture(why) => format!("whole fixture: {why}"),
            Field(path, why) => format!("field {path}: {why}"),
            JcExtra(path, why) => format!("jc entry {path}: {why}"),
        }
    }
}

const JC_BSD_PING: &str = "jc reads this Linux ping with its BSD parser (its Linux \
    detection wants ` time ` on the second or third last line): `56(84)` becomes 5684, \
    the loss and the `From …` responses are lost";
const JC_ROUTE_TYPE: &str = "jc takes a typed route's type (`local`, `broadcast`, \
    `blackhole`, `unreachable`, `prohibit`, `multicast`) for its destination";

/// Fixtures and fields not compared (fixture path relative to `tests/fixtures/`).
const EXCLUDED: &[(&str, Ex)] = &[
    // dig
    (
        "dig/dig-9.11--timeout.txt",
        JcExtra(
            "0.answer.0",
            "jc reads kubectl's `command terminated with exit code 9` as an answer record",
        ),
    ),
    (
        "dig/dig-9.18--comm-error-timeout.txt",
        Fixture(
            "jc prints nothing for 9.18's timeout (communications errors before the banner); \
         netdoc's one record says timed_out",
        ),
    ),
    (
        "dig/dig-9.18--garbled.txt",
        JcExtra(
            "0.answer.2",
            "garbled: jc reads the `dig: couldn't get address` error as an answer",
        ),
    ),
    (
        "dig/dig-9.18--garbled.txt",
        JcExtra(
            "0.answer.1",
            "garbled: jc reads the prose line as an answer",
        ),
    ),
    ("dig/dig-9.16--trace-no-root-address.txt", Fixture(TRACE)),
    ("dig/dig-9.16--trace-root-timeout.txt", Fixture(TRACE)),
    ("dig/dig-9.18--trace-answer.txt", Fixture(TRACE)),
    ("dig/dig-9.18--trace-comm-error.txt", Fixture(TRACE)),
    ("dig/dig-9.18--trace-cut.txt", Fixture(TRACE)),
    (
        "dig/dig-9.18--short.txt",
        Fixture("jc's dig parser does not read `+short` output (exits 100)"),
    ),
    (
        "dig/dig-9.18--short-aaaa.txt",
        Fixture("jc's dig parser does not read `+short` output (exits 100)"),
    ),
    (
        "dig/dig-9.18--truncated.txt",
        Fixture("truncated: jc fails on the cut record (exits 100)"),
    ),
    (
        "dig/dig-9.8--showsearch-cut.txt",
        Fixture(
            "jc merges the four 9.8 `+showsearch` queries (banner and question, no section \
         headers) into one record without question",
        ),
    ),
    // ss: jc needs the Netid column
    (
        "ss/iproute2-4.15--ltn-old.txt",
        Fixture("ss -t prints no Netid column: jc fails (exits 100)"),
    ),
    (
        "ss/iproute2-5.10--tanp.txt",
        Fixture("ss -t prints no Netid column: jc fails (exits 100)"),
    ),
    (
        "ss/iproute2-5.10--tlnp.txt",
        Fixture("ss -t prints no Netid column: jc fails (exits 100)"),
    ),
    (
        "ss/iproute2-6.1--summary.txt",
        Fixture("`ss -s` is no socket table: jc fails (exits 100)"),
    ),
    (
        "ss/iproute2-6.1--garbled.txt",
        Fixture("garbled, without Netid column: jc fails (exits 100)"),
    ),
    // ip route
    (
        "ip-route/iproute2-4.15--old-spacing.txt",
        Field("5.ip", JC_ROUTE_TYPE),
    ),
    (
        "ip-route/iproute2-4.15--old-spacing.txt",
        Field("6.ip", JC_ROUTE_TYPE),
    ),
    (
        "ip-route/iproute2-6.1--calico-table-all.txt",
        Field("1.ip", JC_ROUTE_TYPE),
    ),
    (
        "ip-route/iproute2-6.1--calico-table-all.txt",
        Field("7.ip", JC_ROUTE_TYPE),
    ),
    (
        "ip-route/iproute2-6.1--calico-table-all.txt",
        Field("8.ip", JC_ROUTE_TYPE),
    ),
    (
        "ip-route/iproute2-6.1--calico-table-all.txt",
        Field("9.ip", JC_ROUTE_TYPE),
    ),
    (
        "ip-route/iproute2-6.1--calico-table-all.txt",
        Field("10.ip", JC_ROUTE_TYPE),
    ),
    (
        "ip-route/iproute2-6.1--calico-table-all.txt",
        Field("11.ip", JC_ROUTE_TYPE),
    ),
    (
        "ip-route/iproute2-6.1--calico-table-all.txt",
        Field("12.ip", JC_ROUTE_TYPE),
    ),
    (
        "ip-route/iproute2-6.1--calico-table-all.txt",
        Field("14.ip", JC_ROUTE_TYPE),
    ),
    (
        "ip-route/iproute2-6.1--calico-table-all.txt",
        Field("15.ip", JC_ROUTE_TYPE),
    ),
    (
        "ip-route/iproute2-6.1--calico-table-all.txt",
        Field("16.ip", JC_ROUTE_TYPE),
    ),
    (
        "ip-route/iproute2-5.15--garbled.txt",
        Fixture("garbled: jc reads the prose and a stray `nexthop` line as routes"),
    ),
    (
        "ip-route/iproute2-5.15--truncated.txt",
        JcExtra(
            "4",
            "truncated: jc reads the cut line `10.244.2.0/24 via 10.2` as a route",
        ),
    ),
    (
        "ip-route/iproute2-6.1--multipath-ipv6.txt",
        Fixture(
            "jc knows no multipath routes (each `nexthop` line becomes a route) and reads \
         `via inet6 fe80::1` as via `inet6`",
        ),
    ),
    // ping
    (
        "ping/busybox-1.36--ok-and-bad-address.txt",
        Fixture("jc fails on busybox ping (exits 100)"),
    ),
    (
        "ping/iputils-20211215--name-not-known.txt",
        Fixture("jc fails on an error-only ping (exits 100)"),
    ),
    (
        "ping/iputils-20211215--garbled.txt",
        Field("0.data_bytes", JC_BSD_PING),
    ),
    (
        "ping/iputils-20211215--garbled.txt",
        Field("0.packet_loss_percent", JC_BSD_PING),
    ),
    (
        "ping/iputils-20211215--truncated.txt",
        Field("0.data_bytes", JC_BSD_PING),
    ),
    (
        "ping/iputils-20211215--truncated.txt",
        Field(
            "0.responses.1.unparsed_line",
            "jc's BSD parser rewrites the cut line's `:` and `=` to spaces",
        ),
    ),
    (
        "ping/iputils-s20161105--frag-needed.txt",
        Field("0.data_bytes", JC_BSD_PING),
    ),
    (
        "ping/iputils-s20161105--frag-needed.txt",
        Field("0.packet_loss_percent", JC_BSD_PING),
    ),
    (
        "ping/iputils-s20161105--frag-needed.txt",
        Field("0.responses", JC_BSD_PING),
    ),
    (
        "ping/iputils-20211215--host-unreachable.txt",
        Field(
            "0.responses",
            "jc's Linux parser keeps no `From … Destination Host Unreachable` line",
        ),
    ),
    (
        "ping/iputils-20211215--mtu-local-error.txt",
        Field(
            "0.responses",
            "jc's Linux parser keeps no `ping: local error: message too long` line",
        ),
    ),
    // tracepath
    (
        "tracepath/iputils-20211215--garbled.txt",
        Fixture("garbled: jc prints `{}` when any line fits no rule"),
    ),
    (
        "tracepath/iputils-20211215--truncated.txt",
        Fixture("truncated: jc prints `{}` when any line fits no rule"),
    ),
    (
        "tracepath/iputils-20211215--name-error.txt",
        Fixture("jc prints `{}` for `Name or service not known`; netdoc's record has the error"),
    ),
    // traceroute
    (
        "traceroute/linux-2.1.0--truncated.txt",
        JcExtra(
            "0.hops.1",
            "truncated: jc reads the cut hop line `2  10.0.0.1 (10.0` as a hop",
        ),
    ),
    // iptables -L
    (
        "iptables-list/iptables-1.6.0--error.txt",
        Fixture("an error, no chain: jc fails (exits 100)"),
    ),
    (
        "iptables-list/iptables-1.8.7--no-chain.txt",
        Fixture("an error, no chain: jc fails (exits 100)"),
    ),
    (
        "iptables-list/ip6tables-1.8.7--filter.txt",
        Field(
            "*.rules.*.opt",
            "ip6tables prints an empty `opt` column and jc splits on spaces: its columns shift",
        ),
    ),
    (
        "iptables-list/ip6tables-1.8.7--filter.txt",
        Field(
            "*.rules.*.destination",
            "ip6tables prints an empty `opt` column and jc splits on spaces: its columns shift",
        ),
    ),
    (
        "iptables-list/ip6tables-1.8.7--filter.txt",
        Field(
            "*.rules.*.options",
            "ip6tables prints an empty `opt` column and jc splits on spaces: its columns shift",
        ),
    ),
    (
        "iptables-list/iptables-1.8.4--legacy-warning.txt",
        JcExtra(
            "0.rules.1",
            "jc reads `Warning: iptables-legacy tables present …` as a rule",
        ),
    ),
    (
        "iptables-list/iptables-1.8.7--garbled.txt",
        JcExtra(
            "0.rules.2",
            "garbled: jc reads the rule with protocol `banana` (a problem in netdoc)",
        ),
    ),
    (
        "iptables-list/iptables-1.8.7--garbled.txt",
        JcExtra("0.rules.1", "garbled: jc reads the prose line as a rule"),
    ),
    (
        "iptables-list/iptables-1.8.7--truncated.txt",
        JcExtra(
            "4.rules.1",
            "truncated: jc reads the cut rule line as a rule",
        ),
    ),
    (
        "iptables-list/iptables-1.8.7--nat-nv-line-numbers.txt",
        Field(
            "0.default_packets",
            "jc drops the K of `1523K packets` (1523) where it multiplies bytes' suffixes",
        ),
    ),
    (
        "iptables-list/iptables-1.8.7--nat-nv-line-numbers.txt",
        Field(
            "0.rules.1.pkts",
            "jc drops the K of `1523K` packets (1523) where it multiplies bytes' suffixes",
        ),
    ),
    (
        "iptables-list/iptables-1.8.7--nat-nv-line-numbers.txt",
        Field(
            "2.rules.0",
            "a rule with an empty target column: jc's columns shift (target `all`, prot `--`)",
        ),
    ),
    // netstat
    (
        "netstat/net-tools-2.10--garbled.txt",
        JcExtra("2", "garbled: jc reads `<<binary junk>>` as a socket"),
    ),
    (
        "netstat/net-tools-2.10--garbled.txt",
        JcExtra(
            "1",
            "garbled: jc reads the cut line `tcp 0 0 127.0.0.1:102` as a socket",
        ),
    ),
];

fn find_jc() -> Option<String> {
    let bin = std::env::var("NETDOC_JC").unwrap_or_else(|_| "jc".to_string());
    match Command::new(&bin).arg("--version").output() {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout).to_string();
            assert!(
                text.contains(&format!("jc version:  {JC_VERSION}")),
                "{bin} is not jc {JC_VERSION} (the exclusions are written for it): {text}"
            );
            Some(bin)
        }
        other => {
            let why = match other {
                Ok(out) => format!("`{bin} --version` exited {}", out.status),
                Err(e) => format!("`{bin}` not runnable: {e}"),
            };
            if std::env::var_os("NETDOC_REQUIRE_JC").is_some() {
                panic!("NETDOC_REQUIRE_JC is set but jc is missing: {why}");
            }
            eprintln!(
                "jc_diff SKIPPED: {why}; install jc=={JC_VERSION} (`python3 -m pip install jc=={JC_VERSION}`) to run it, \
                 set NETDOC_REQUIRE_JC=1 to make its absence fail"
            );
            None
        }
    }
}

fn jc_output(bin: &str, parser: &str, text: &str, rel: &str) -> Result<Value, String> {
    let mut child = Command::new(bin)
        .args([parser, "-q"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{rel}: jc: {e}"))?;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    if !out.status.success() {
        return Err(format!(
            "{rel}: jc {parser} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("{rel}: jc output: {e}"))
}

fn ours(kind: &str, text: &str) -> Vec<Value> {
    let parsed = parse_as(kind, &Segment::new(text, 1)).expect("known kind");
    let v = serde_json::to_value(&parsed.records).unwrap();
    match v.get("records") {
        Some(Value::Array(a)) => a.clone(),
        _ => panic!("{kind}: records are not a list: {v}"),
    }
}

/// jc's records, as a list.
fn jc_records(v: Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a,
        Value::Object(o) if o.is_empty() => vec![],
        other => vec![other],
    }
}

/// A port as jc prints it: `"8080"` is 8080, `"*"` is null.
fn jc_port(v: &mut Value) {
    if let Value::String(s) = v {
        *v = match s.parse::<u64>() {
            Ok(n) => Value::from(n),
            Err(_) if s == "*" => Value::Null,
            Err(_) => return,
        };
    }
}

fn obj(v: &mut Value) -> &mut Map<String, Value> {
    v.as_object_mut().expect("record is an object")
}

/// Apply the documented normalisations (module doc) to both sides of one kind.
fn normalise(kind: &str, ours: &mut Vec<Value>, jc: &mut Vec<Value>) {
    match kind {
        "ss" => {
            for r in jc.iter_mut().map(obj) {
                for k in ["local_port", "peer_port"] {
                    if let Some(v) = r.get_mut(k) {
                        jc_port(v);
                    }
                }
                for k in ["local_address", "peer_address"] {
                    if let Some(Value::String(s)) = r.get_mut(k) {
                        if let Some(inner) = s.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
                            *s = inner.to_string();
                        }
                    }
                }
            }
        }
        "netstat" => {
            jc.retain(|r| r.get("kind").and_then(Value::as_str) != Some("socket"));
            for r in jc.iter_mut().map(obj) {
                for k in ["local_port", "foreign_port"] {
                    if let Some(v) = r.get_mut(k) {
                        jc_port(v);
                    }
                }
            }
        }
        "dig" => {
            for r in jc.iter_mut().map(obj) {
                if let Some(Value::String(s)) = r.get_mut("server") {
                    if let Some((ip, _)) = s.split_once('#') {
                        *s = ip.to_string();
                    }
                }
            }
        }
        "ip-route" => {
            for r in jc.iter_mut().map(obj) {
                if let Some(Value::String(s)) = r.get_mut("ip") {
                    match s.parse::<IpAddr>() {
                        Ok(IpAddr::V4(_)) => s.push_str("/32"),
                        Ok(IpAddr::V6(_)) => s.push_str("/128"),
                        Err(_) => {}
                    }
                }
                if let Some(v @ Value::String(_)) = r.get_mut("status") {
                    *v = Value::Array(vec![v.take()]);
                }
            }
        }
        "resolv-conf" => {
            for r in ours.iter_mut().map(obj) {
                if let Some(Value::Array(ns)) = r.get_mut("nameservers") {
                    for n in ns.iter_mut() {
                        *n = n["raw"].take();
                    }
                }
            }
        }
        "conntrack" => {
            ours.retain(|r| r.get("record").and_then(Value::as_str) == Some("flow"));
            for (o, j) in ours.iter_mut().zip(jc.iter_mut()) {
                let extra = obj(o).remove("extra");
                if let Some(Value::Object(extra)) = extra {
                    for (k, v) in extra {
                        if let Some(jv) = obj(j).get_mut(&k) {
                            if !jv.is_string() && !jv.is_null() {
                                *jv = Value::String(jv.to_string());
                            }
                        }
                        obj(o).insert(k, v);
                    }
                }
            }
        }
        "iptables-list" => {
            ours.retain(|r| r.get("record").and_then(Value::as_str) == Some("chain"));
        }
        "traceroute" => {
            for r in ours.iter_mut().map(obj) {
                if let Some(Value::Array(hops)) = r.get_mut("hops") {
                    for h in hops.iter_mut().map(obj) {
                        if let Some(Value::Array(probes)) = h.get_mut("probes") {
                            probes.retain(|p| {
                                p.as_object()
                                    .is_some_and(|p| p.values().any(|v| !v.is_null()))
                            });
                        }
                    }
                }
            }
        }
        _ => {}
    }
}

/// What one fixture's comparison found.
#[derive(Default)]
struct Cmp {
    fields: usize,
    /// The compared fields' names (`rules[].pkts`), for the report.
    names: std::collections::BTreeSet<String>,
    mismatches: Vec<String>,
}

fn excluded(path: &str, patterns: &[&str]) -> Option<usize> {
    let steps: Vec<&str> = path.split('.').collect();
    patterns.iter().position(|p| {
        let ps: Vec<&str> = p.split('.').collect();
        ps.len() <= steps.len() && ps.iter().zip(&steps).all(|(a, b)| *a == "*" || a == b)
    })
}

/// `0.rules.1.pkts` → `rules[].pkts`.
fn field_name(path: &str) -> String {
    let mut name = String::new();
    for step in path.split('.') {
        if step.parse::<usize>().is_ok() {
            if !name.is_empty() {
                name.push_str("[]");
            }
        } else {
            if !name.is_empty() {
                name.push('.');
            }
            name.push_str(step);
        }
    }
    name
}

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

fn compare(ours: &Value, jc: &Value, path: &str, ignore: &[&str], used: &mut [bool], c: &mut Cmp) {
    if let Some(i) = excluded(path, ignore) {
        used[i] = true;
        return;
    }
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match (ours, jc) {
        (Value::Object(o), Value::Object(j)) => {
            for (k, jv) in j {
                if let Some(ov) = o.get(k) {
                    compare(ov, jv, &join(k), ignore, used, c);
                }
            }
        }
        (Value::Array(o), Value::Array(j)) => {
            c.fields += 1;
            if o.len() != j.len() {
                c.mismatches.push(format!(
                    "{path}: {} entries in netdoc, {} in jc",
                    o.len(),
                    j.len()
                ));
            }
            for (i, (ov, jv)) in o.iter().zip(j).enumerate() {
                compare(ov, jv, &join(&i.to_string()), ignore, used, c);
            }
        }
        _ => {
            c.fields += 1;
            c.names.insert(field_name(path));
            if !same(ours, jc) {
                c.mismatches.push(format!("{path}: netdoc {ours}, jc {jc}"));
            }
        }
    }
}

#[test]
fn common_fields_agree_with_jc() {
    let Some(bin) = find_jc() else { return };
    let mut failures = Vec::new();
    let mut used_fixture = vec![false; EXCLUDED.len()];
    let mut used_field = vec![false; EXCLUDED.len()];
    let mut report = BTreeMap::new();
    for &(kind, parser, min_fixtures, min_fields) in KINDS {
        let (mut n_fixtures, mut n_fields) = (0, 0);
        let mut names = std::collections::BTreeSet::new();
        for file in files(kind) {
            let rel = format!("{kind}/{file}");
            let mine: Vec<(usize, &Ex)> = EXCLUDED
                .iter()
                .enumerate()
                .filter(|(_, (f, _))| *f == rel)
                .map(|(i, (_, e))| (i, e))
                .collect();
            if let Some((i, _)) = mine.iter().find(|(_, e)| matches!(e, Ex::Fixture(_))) {
                used_fixture[*i] = true;
                continue;
            }
            let (idx, ignore): (Vec<usize>, Vec<&str>) = mine
                .iter()
                .filter_map(|(i, e)| match e {
                    Ex::Field(p, _) => Some((*i, *p)),
                    _ => None,
                })
                .unzip();
            let text = read(&rel);
            let jc = match jc_output(&bin, parser, &text, &rel) {
                Ok(v) => v,
                Err(e) => {
                    failures.push(e);
                    continue;
                }
            };
            let mut jc = Value::Array(jc_records(jc));
            for (i, e) in &mine {
                if let Ex::JcExtra(path, _) = e {
                    let (parent, last) = path.rsplit_once('.').unwrap_or(("", path));
                    let pointer: String = parent
                        .split('.')
                        .filter(|s| !s.is_empty())
                        .map(|s| format!("/{s}"))
                        .collect();
                    let list = jc.pointer_mut(&pointer).and_then(Value::as_array_mut);
                    let at: usize = last.parse().expect("JcExtra ends in an index");
                    match list {
                        Some(list) if at < list.len() => {
                            list.remove(at);
                            used_field[*i] = true;
                        }
                        _ => {}
                    }
                }
            }
            let Value::Array(mut jc) = jc else {
                unreachable!()
            };
            let mut nd = ours(kind, &text);
            normalise(kind, &mut nd, &mut jc);
            let mut used = vec![false; ignore.len()];
            let mut c = Cmp::default();
            compare(
                &Value::Array(nd),
                &Value::Array(jc),
                "",
                &ignore,
                &mut used,
                &mut c,
            );
            for (u, i) in used.iter().zip(&idx) {
                used_field[*i] |= *u;
            }
            failures.extend(c.mismatches.iter().map(|m| format!("{rel}: {m}")));
            n_fixtures += 1;
            n_fields += c.fields;
            names.extend(c.names);
        }
        eprintln!(
            "jc_diff: {kind}: fields compared: {}",
            names.into_iter().collect::<Vec<_>>().join(", ")
        );
        report.insert(kind, (n_fixtures, n_fields));
        if n_fixtures < min_fixtures || n_fields < min_fields {
            failures.push(format!(
                "{kind}: compared {n_fixtures} fixtures and {n_fields} fields, expected at least {min_fixtures} and {min_fields}"
            ));
        }
    }
    for (i, (rel, e)) in EXCLUDED.iter().enumerate() {
        let used = match e {
            Ex::Fixture(_) => used_fixture[i],
            Ex::Field(..) | Ex::JcExtra(..) => used_field[i],
        };
        if !used {
            failures.push(format!("exclusion for {rel} matches nothing: remove it"));
        }
    }
    for (rel, e) in EXCLUDED {
        eprintln!("jc_diff: not compared: {rel}: {}", e.describe());
    }
    eprintln!("jc_diff: compared (fixtures, fields) per kind: {report:?}");
    assert!(
        failures.is_empty(),
        "{} disagreements with jc {JC_VERSION}:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
