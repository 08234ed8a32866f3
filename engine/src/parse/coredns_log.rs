//! CoreDNS logs (1.2–1.11), as `kubectl logs` prints them.
//!
//! Commands: `kubectl -n kube-system logs coredns-5d78c9869d-abcde`, `kubectl -n kube-system
//! logs -l k8s-app=kube-dns`, `kubectl logs deploy/coredns`, with or without `--timestamps`
//! and `--prefix`; also `crictl logs`/`docker logs` of the container (detected by content).
//!
//! Variants: 1.2–1.5 lines with a Go log timestamp (`2018/09/06 13:02:45 [INFO] …`), 1.6–1.11
//! lines without one (`[INFO] plugin/reload: …`), the stdout banner (`.:53`, `CoreDNS-1.11.1`,
//! `linux/amd64, go1.20.7, ae2bbc2`, `maxprocs: …`), client-go klog lines
//! (`E0501 10:00:00.000000 1 reflector.go:138] …`), and the prefixes kubectl adds:
//! `--timestamps` (`2024-05-01T10:00:00.123456789Z `), `--prefix` (`[pod/coredns-x/coredns] `)
//! and stern's `coredns-x coredns `.
//!
//! Record: one per line that carries a known signature: `level` (`INFO`, `WARNING`, `ERROR`,
//! `FATAL`, `DEBUG`; klog letters mapped to these; `None` for banner lines), `signature`,
//! `detail` (the message as printed) and `fields`:
//!
//! | signature | from | fields |
//! |---|---|---|
//! | `loop-detected` | `plugin/loop: Loop (A -> B) detected for zone "." … Query: "HINFO …"`, 1.2's `plugin/loop: Seen "HINFO IN …" more than twice, loop detected` | `from`, `to`, `zone`, `query` when printed |
//! | `upstream-timeout` | `plugin/errors: 2 NAME. TYPE: read udp A->B: i/o timeout` | `rcode`, `name`, `qtype`, `upstream`, `reason` |
//! | `upstream-refused` | the same with `connection refused` | same |
//! | `servfail` | the same with `SERVFAIL` in the error | same |
//! | `upstream-error` | any other `plugin/errors:` line (`no route to host`, `network is unreachable`, `no next plugin found`, …) | same |
//! | `kubernetes-api-unreachable` | `Failed to list/watch *v1.X: … dial tcp ADDR: REASON` (plugin/kubernetes or a client-go klog line), or a TLS handshake / deadline timeout | `resource`, `api_server`, `reason` |
//! | `plugin-ready-waiting` | `plugin/ready: Still waiting on: "kubernetes"` | `plugins` |
//! | `startup` | `CoreDNS-1.11.1` (bare or logged), `.:53` server blocks | `version`, or `zone` and `port` |
//! | `reload` | `plugin/reload: Running configuration SHA512 = …` / `MD5 = …` | `algorithm`, `hash` |
//!
//! Known lines skipped deliberately: well-formed CoreDNS log lines with no known signature
//! (query logs of the `log` plugin, `plugin/health: Going into lameduck mode`, `SIGTERM: …`,
//! `No files matching import glob pattern`, …), the `linux/amd64, go…` and `maxprocs:` banner
//! lines, indented continuation lines after a log line, and the lines kubectl prints around
//! a command. A `plugin/errors:` line that does not read as `RCODE NAME TYPE: error` is a
//! problem (a signature cut short). Logs are mostly noise; only signatures become records. Lines that are not
//! CoreDNS output at all (prose, other programs, Go panics) are problems with their line.
//!
//! ```text
//! [ERROR] plugin/errors: 2 example.com. A: read udp 10.244.0.5:52792->8.8.8.8:53: i/o timeout
//! → { line: 1, level: "ERROR", signature: "upstream-timeout", detail: "plugin/errors: 2 …",
//!     fields: { name: "example.com.", qtype: "A", rcode: "2", reason: "i/o timeout", upstream: "8.8.8.8:53" } }
//! ```

use super::common::{capped_at, is_kubectl_logs_of, MAX_LOG_LINE};
use super::resolv_conf::is_kubectl_noise;
use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use pest::iterators::Pair;
use pest::Parser;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/coredns_log.pest"]
struct P;

/// One CoreDNS log line with a known signature.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    /// 1-based input line.
    pub line: usize,
    /// `INFO`, `WARNING`, `ERROR`, `FATAL`, `DEBUG`; `None` for stdout banner lines.
    pub level: Option<String>,
    /// `loop-detected`, `upstream-timeout`, `upstream-refused`, `upstream-error`, `servfail`,
    /// `kubernetes-api-unreachable`, `plugin-ready-waiting`, `startup`, `reload`.
    pub signature: String,
    /// The message as printed, without timestamp and level.
    pub detail: String,
    pub fields: BTreeMap<String, String>,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "coredns-log",
    aliases: &["coredns-logs", "coredns"],
    title: "CoreDNS logs",
    commands: &[
        "kubectl -n kube-system logs coredns-POD",
        "kubectl -n kube-system logs -l k8s-app=kube-dns",
        "kubectl -n kube-system logs deploy/coredns --timestamps",
    ],
    variants: &[
        "CoreDNS 1.2–1.5 (Go log timestamp)",
        "CoreDNS 1.6–1.11 ([LEVEL] only)",
        "kubectl logs --timestamps / --prefix, stern",
    ],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    is_kubectl_logs_of(cmd, &["coredns", "kube-dns"])
}

/// How a line reads, before signatures.
enum Shape<'i> {
    /// A CoreDNS or klog line: level and message.
    Log(Option<String>, Pair<'i, Rule>),
    /// A stdout banner line.
    Banner(Pair<'i, Rule>),
}

fn shape(text: &str) -> Option<Shape<'_>> {
    for rule in [Rule::log_line, Rule::klog_line, Rule::banner_line] {
        let Ok(mut pairs) = P::parse(rule, text) else {
            continue;
        };
        let Some(line) = pairs.next() else { continue };
        let mut level = None;
        for part in line.into_inner() {
            match part.as_rule() {
                Rule::level_tag => {
                    level = part.into_inner().next().map(|l| match l.as_str() {
                        "WARN" => "WARNING".to_string(),
                        other => other.to_string(),
                    });
                }
                Rule::klog_header => {
                    level = part
                        .into_inner()
                        .find(|p| p.as_rule() == Rule::klog_level)
                        .map(|l| klog_level(l.as_str()).to_string());
                }
                Rule::message => return Some(Shape::Log(level, part)),
                Rule::coredns_version | Rule::server_block | Rule::platform | Rule::maxprocs => {
                    return Some(Shape::Banner(part))
                }
                _ => {}
            }
        }
    }
    None
}

fn klog_level(l: &str) -> &'static str {
    match l {
        "W" => "WARNING",
        "E" => "ERROR",
        "F" => "FATAL",
        _ => "INFO",
    }
}

fn sniff(head: &str) -> Option<f32> {
    let mut score: f32 = 0.0;
    let mut log_lines = 0usize;
    for l in head.lines() {
        let t = capped_at(l.trim_end_matches('\r'), MAX_LOG_LINE);
        if t.contains("plugin/") && (t.contains("[INFO]") || t.contains("[ERROR]"))
            || t.contains("[FATAL] plugin/")
            || t.contains("[WARNING] plugin/")
            || t.contains("CoreDNS-")
        {
            if shape(t).is_some() {
                score = score.max(0.9);
            }
        } else if t.contains("[INFO] ") || t.contains("[ERROR] ") || t.contains("[WARNING] ") {
            if matches!(shape(t), Some(Shape::Log(..))) {
                log_lines += 1;
            }
        } else if t.trim() == ".:53" {
            score = score.max(0.6);
        }
    }
    if log_lines > 0 {
        score = score.max(0.5);
    }
    (score > 0.0).then_some(score)
}

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out = Output::default();
    let mut after_log = false;
    for (n, raw) in seg.lines() {
        let text = capped_at(raw, MAX_LOG_LINE);
        let t = text.trim();
        if t.is_empty() || is_kubectl_noise(t) {
            continue;
        }
        match shape(text.trim_end()) {
            Some(Shape::Log(level, msg)) => {
                after_log = true;
                let msg = msg.as_str().trim();
                match signature(n, level, msg) {
                    Some(r) => out.records.push(r),
                    // A query error line cut short is a signature lost, not noise.
                    None if msg.starts_with("plugin/errors: ") => out.problem(
                        n,
                        "expected `plugin/errors: RCODE NAME TYPE: error` (line cut short?)",
                    ),
                    None => {}
                }
            }
            Some(Shape::Banner(part)) => {
                after_log = true;
                if let Some(r) = banner(n, part) {
                    out.records.push(r);
                }
            }
            None if after_log && text.starts_with([' ', '\t']) => {}
            None => {
                after_log = false;
                out.problem(
                    n,
                    "expected a CoreDNS log line (`[INFO] plugin/…`, `2018/09/06 13:02:45 [ERROR] …`, `CoreDNS-1.11.1`, `.:53`)",
                );
            }
        }
    }
    out
}

fn banner(n: usize, part: Pair<'_, Rule>) -> Option<Record> {
    let mut fields = BTreeMap::new();
    let detail = part.as_str().trim().to_string();
    match part.as_rule() {
        Rule::coredns_version => {
            for p in part.into_inner() {
                if p.as_rule() == Rule::version {
                    fields.insert("version".into(), p.as_str().to_string());
                }
            }
        }
        Rule::server_block => {
            for p in part.into_inner() {
                match p.as_rule() {
                    Rule::zone => {
                        fields.insert("zone".into(), p.as_str().to_string());
                    }
                    Rule::port => {
                        fields.insert("port".into(), p.as_str().to_string());
                    }
                    _ => {}
                }
            }
        }
        _ => return None,
    }
    Some(Record {
        line: n,
        level: None,
        signature: "startup".into(),
        detail,
        fields,
    })
}

fn signature(n: usize, level: Option<String>, msg: &str) -> Option<Record> {
    let sig = P::parse(Rule::signature_in, msg)
        .ok()?
        .next()?
        .into_inner()
        .next()?;
    let mut fields = BTreeMap::new();
    let mut put = |k: &str, v: &str| {
        fields.insert(k.to_string(), v.to_string());
    };
    let id = match sig.as_rule() {
        Rule::loop_new | Rule::loop_old => {
            for p in sig.into_inner() {
                match p.as_rule() {
                    Rule::loop_from => put("from", p.as_str()),
                    Rule::loop_to => put("to", p.as_str()),
                    Rule::loop_zone => put("zone", p.as_str()),
                    Rule::loop_query => put("query", p.as_str()),
                    _ => {}
                }
            }
            "loop-detected"
        }
        Rule::plugin_errors => {
            let mut error = "";
            for p in sig.into_inner() {
                match p.as_rule() {
                    Rule::rcode => put("rcode", p.as_str()),
                    Rule::qname => put("name", p.as_str()),
                    Rule::qtype => put("qtype", p.as_str()),
                    Rule::upstream_io | Rule::upstream_dial => {
                        // For `read udp A->B` the remote side is the last address.
                        if let Some(a) = p.into_inner().filter(|a| a.as_rule() == Rule::addr).last()
                        {
                            put("upstream", a.as_str());
                        }
                    }
                    Rule::query_error => error = p.as_str().trim(),
                    _ => {}
                }
            }
            put("reason", error);
            if error.contains("i/o timeout") || error.contains("timed out") {
                "upstream-timeout"
            } else if error.contains("connection refused") {
                "upstream-refused"
            } else if error.contains("SERVFAIL") {
                "servfail"
            } else {
                "upstream-error"
            }
        }
        Rule::api_error => {
            for p in sig.into_inner() {
                match p.as_rule() {
                    Rule::resource => put("resource", p.as_str()),
                    Rule::api_dial => {
                        for a in p.into_inner() {
                            match a.as_rule() {
                                Rule::addr => put("api_server", a.as_str()),
                                Rule::reason => put("reason", a.as_str().trim()),
                                _ => {}
                            }
                        }
                    }
                    Rule::api_timeout => put("reason", p.as_str()),
                    _ => {}
                }
            }
            "kubernetes-api-unreachable"
        }
        Rule::ready_waiting => {
            for p in sig.into_inner() {
                if p.as_rule() == Rule::waiting_on {
                    put("plugins", p.as_str());
                }
            }
            "plugin-ready-waiting"
        }
        Rule::reload => {
            for p in sig.into_inner() {
                match p.as_rule() {
                    Rule::algorithm => put("algorithm", p.as_str()),
                    Rule::hash => put("hash", p.as_str()),
                    _ => {}
                }
            }
            "reload"
        }
        Rule::startup => {
            for p in sig.into_inner().flat_map(|p| p.into_inner()) {
                if p.as_rule() == Rule::version {
                    put("version", p.as_str());
                }
            }
            "startup"
        }
        _ => return None,
    };
    Some(Record {
        line: n,
        level,
        signature: id.to_string(),
        detail: msg.to_string(),
        fields,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> Option<Record> {
        parse(&Segment::new(line, 1)).records.into_iter().next()
    }

    #[test]
    fn signatures() {
        let r = one("[ERROR] plugin/errors: 2 example.com. A: read udp 10.244.0.5:52792->8.8.8.8:53: i/o timeout");
        let r = r.unwrap_or_else(|| panic!("no record"));
        assert_eq!(r.signature, "upstream-timeout");
        assert_eq!(
            r.fields.get("upstream").map(String::as_str),
            Some("8.8.8.8:53")
        );
        assert_eq!(
            r.fields.get("name").map(String::as_str),
            Some("example.com.")
        );
        let r = one(r#"2018/09/06 13:02:45 [FATAL] plugin/loop: Seen "HINFO IN 1.2." more than twice, loop detected"#)
            .unwrap_or_else(|| panic!("no record"));
        assert_eq!(
            (r.signature.as_str(), r.level.as_deref()),
            ("loop-detected", Some("FATAL"))
        );
        let r = one("[pod/coredns-1/coredns] 2024-05-01T10:00:00.1Z [INFO] plugin/reload: Running configuration SHA512 = ab12")
            .unwrap_or_else(|| panic!("no record"));
        assert_eq!(r.signature, "reload");
        assert!(one("[INFO] 10.244.0.1:5 - 1 \"A IN x. udp 29 false 512\" NOERROR").is_none());
        assert_eq!(parse(&Segment::new("hello world", 3)).problems[0].line, 3);
    }

    #[test]
    fn sniffs() {
        assert!(
            sniff("[INFO] plugin/ready: Still waiting on: \"kubernetes\"").is_some_and(|s| s > 0.8)
        );
        assert_eq!(sniff("NAME READY STATUS"), None);
    }
}
