//! Go net / net/http client errors, wherever they appear in a line.
//!
//! Commands: none of its own — these lines come from `kubectl` (`Unable to connect to the
//! server: dial tcp 10.0.0.1:6443: i/o timeout`), `kubectl logs` of Go programs
//! (client-go reflectors, controllers, CoreDNS), `journalctl -u kubelet`, kubelet probe
//! events, and `crictl logs`. Detected by content; a segment is this kind when its lines
//! carry such errors.
//!
//! Variants: Go 1.12–1.23 wording: `Get https://kubernetes/api: …` (before Go 1.14) and
//! `Get "https://10.96.0.1:443/api?timeout=32s": …` (after); `dial tcp: lookup NAME on
//! SERVER: REASON`, `dial tcp IP:PORT: i/o timeout`, `dial tcp IP:PORT: connect:
//! connection refused`, `… connect: no route to host`, `read tcp A->B: read: connection
//! reset by peer`, `context deadline exceeded (Client.Timeout exceeded while awaiting
//! headers)`, `net/http: TLS handshake timeout`, `x509: …`, `Get "…": EOF`, kubectl's
//! `The connection to the server 10.0.0.1:6443 was refused`. The error may follow a klog
//! header (`E1123 10:00:00.123456 1 reflector.go:138] …`) or sit in a JSON field with
//! `\"` escapes.
//!
//! Record: [`super::probe::Probe`] with `tool: "go"`, one per line that carries an error
//! (the first error in the line). `url` from `Get "URL"`; `host`/`ip`/`port` from the
//! dialled or read address (the remote side of `read tcp A->B`), else the URL's host;
//! lookups fill `lookup_name`, `dns_server` (`100.64.0.10:53`) and `dns_error` (the last
//! part of the reason: `no such host`, `server misbehaving`, `i/o timeout`) with outcome
//! `name-not-resolved`. Lines without an error are skipped when some line had one; when
//! none had, every line is a problem (it is not this kind of output).
//!
//! ```text
//! Get https://kubernetes/api: dial tcp: lookup kubernetes on 100.64.0.10:53: server misbehaving
//! → { tool: "go", url: "https://kubernetes/api", host: "kubernetes", port: 443, outcome: "name-not-resolved",
//!     lookup_name: "kubernetes", dns_server: "100.64.0.10:53", dns_error: "server misbehaving" }
//! ```

use super::probe::{self, outcome_of_reason, parse_ip, Outcome, Probe};
use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use pest::iterators::Pair;
use pest::Parser;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/net_errors.pest"]
struct P;

pub type Record = Probe;

pub const INFO: ParserInfo = ParserInfo {
    kind: "net-errors",
    aliases: &["go-errors"],
    title: "Go / Kubernetes client network errors",
    commands: &[
        "kubectl logs POD",
        "journalctl -u kubelet",
        "kubectl get --raw /",
        "(any Go client error line)",
    ],
    variants: &[
        "Go 1.12–1.13 (unquoted URL)",
        "Go 1.14–1.23 (quoted URL)",
        "klog and JSON log wrappers",
    ],
    matches_command,
    sniff,
};

fn matches_command(_cmd: &CommandLine) -> bool {
    // Many commands can print these lines; none prints only them. Content decides.
    false
}

/// Quick test without the grammar: the phrases every Go network error carries.
fn has_error_phrase(l: &str) -> bool {
    const PHRASES: &[&str] = &[
        "dial tcp",
        "dial udp",
        "read tcp ",
        "read udp ",
        "write tcp ",
        "context deadline exceeded",
        "Client.Timeout exceeded",
        "net/http: ",
        "The connection to the server ",
        "connect: connection refused",
        "connect: no route to host",
    ];
    PHRASES.iter().any(|p| l.contains(p))
        || (l.contains("lookup ")
            && (l.contains("no such host") || l.contains("server misbehaving")))
}

fn sniff(head: &str) -> Option<f32> {
    let (mut lines, mut hits) = (0usize, 0usize);
    for l in head.lines().filter(|l| !l.trim().is_empty()) {
        lines += 1;
        if has_error_phrase(l) && P::parse(Rule::net_line, probe::capped(l)).is_ok() {
            hits += 1;
        }
    }
    if hits == 0 {
        return None;
    }
    // A table or a curl trace with one error line in it belongs to its own parser, which
    // sniffs higher; a paste that is mostly errors is ours.
    Some(if hits * 2 >= lines { 0.75 } else { 0.4 })
}

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out = Output::default();
    let mut misses = Vec::new();
    for (n, raw) in seg.lines() {
        let text = probe::capped(raw);
        if text.trim().is_empty() {
            continue;
        }
        let found = if has_error_phrase(text)
            || text.contains("x509: ")
            || text.contains("tls: ")
            || text.contains("EOF")
        {
            P::parse(Rule::net_line, text)
                .ok()
                .and_then(|mut p| p.next())
                .and_then(|l| l.into_inner().next())
        } else {
            None
        };
        match found {
            Some(err) => out.records.push(record(err, n, text)),
            None if misses.len() < 201 => misses.push(n),
            None => {}
        }
    }
    if out.records.is_empty() {
        for n in misses {
            out.problem(n, "expected a Go network error (`dial tcp …`, `lookup … on …`, `read tcp …`, `context deadline exceeded`)");
        }
    }
    out
}

fn record(err: Pair<'_, Rule>, n: usize, text: &str) -> Probe {
    let mut p = Probe::new(n, "go", Outcome::Other, text);
    let mut reason = "";
    for part in err.into_inner() {
        match part.as_rule() {
            Rule::http_request => {
                for u in part.into_inner() {
                    if matches!(u.as_rule(), Rule::quoted_url | Rule::bare_url) {
                        let t = probe::target_from_url(u.as_str());
                        p.url = t.url;
                        p.host = t.host;
                        p.port = t.port;
                    }
                }
            }
            Rule::lookup_error => {
                p.outcome = Outcome::NameNotResolved;
                for f in part.into_inner() {
                    match f.as_rule() {
                        Rule::lookup_name => p.lookup_name = Some(f.as_str().to_string()),
                        Rule::dns_server => p.dns_server = Some(f.as_str().to_string()),
                        Rule::reason => {
                            let r = f.as_str().trim();
                            p.dns_error = Some(r.rsplit(": ").next().unwrap_or(r).to_string());
                        }
                        _ => {}
                    }
                }
                if p.host.is_none() {
                    p.host.clone_from(&p.lookup_name);
                }
            }
            Rule::dial_error | Rule::io_error | Rule::server_refused => {
                let rule = part.as_rule();
                for f in part.into_inner() {
                    match f.as_rule() {
                        // For `read tcp A->B` the last address is the remote one.
                        Rule::address => {
                            let (h, port) = probe::split_host_port(f.as_str());
                            p.ip = parse_ip(h);
                            if p.ip.is_none() || p.host.is_none() {
                                p.host = Some(h.to_string());
                            }
                            p.port = port.or(p.port);
                        }
                        Rule::reason => reason = f.as_str(),
                        _ => {}
                    }
                }
                p.outcome = if rule == Rule::server_refused {
                    Outcome::Refused
                } else {
                    outcome_of_reason(reason).unwrap_or(Outcome::Other)
                };
            }
            Rule::client_timeout => p.outcome = Outcome::Timeout,
            Rule::tls_error => p.outcome = Outcome::TlsError,
            Rule::bare_connect => {
                p.outcome = outcome_of_reason(part.as_str()).unwrap_or(Outcome::Other);
            }
            Rule::eof => p.outcome = Outcome::EmptyReply,
            _ => {}
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> Option<Probe> {
        let seg = Segment::new(line, 1);
        parse(&seg).records.into_iter().next()
    }

    #[test]
    fn kubeadm_issue_line() {
        let p = one("Get https://kubernetes/api: dial tcp: lookup kubernetes on 100.64.0.10:53: server misbehaving").unwrap_or_else(|| panic!("no record"));
        assert_eq!(p.outcome, Outcome::NameNotResolved);
        assert_eq!(p.lookup_name.as_deref(), Some("kubernetes"));
        assert_eq!(p.dns_server.as_deref(), Some("100.64.0.10:53"));
        assert_eq!(p.dns_error.as_deref(), Some("server misbehaving"));
        assert_eq!(p.url.as_deref(), Some("https://kubernetes/api"));
    }

    #[test]
    fn dial_read_and_wrappers() {
        let p = one(
            r#"E1123 10:00:00.123456       1 reflector.go:138] Get "https://10.96.0.1:443/api?timeout=32s": dial tcp 10.96.0.1:443: i/o timeout"#,
        );
        let p = p.unwrap_or_else(|| panic!("no record"));
        assert_eq!((p.outcome, p.port), (Outcome::Timeout, Some(443)));
        assert_eq!(p.ip, "10.96.0.1".parse().ok());
        let p = one("read tcp 10.244.0.5:54322->10.96.0.1:443: read: connection reset by peer")
            .unwrap_or_else(|| panic!("no record"));
        assert_eq!(
            (p.outcome, p.ip),
            (Outcome::Reset, "10.96.0.1".parse().ok())
        );
        let p = one(r#"{"level":"error","msg":"failed","error":"Get \"http://10.244.1.5:8080/healthz\": dial tcp 10.244.1.5:8080: connect: connection refused"}"#)
            .unwrap_or_else(|| panic!("no record"));
        assert_eq!((p.outcome, p.port), (Outcome::Refused, Some(8080)));
        assert_eq!(p.url.as_deref(), Some("http://10.244.1.5:8080/healthz"));
    }

    fn rule_of(line: &str) -> Option<Rule> {
        let net_error = P::parse(Rule::net_line, line)
            .ok()?
            .next()?
            .into_inner()
            .next()?;
        net_error.into_inner().last().map(|p| p.as_rule())
    }

    #[test]
    fn line_rules() {
        assert_eq!(
            rule_of("dial tcp 10.96.0.1:443: i/o timeout"),
            Some(Rule::dial_error)
        );
        assert_eq!(rule_of("x: dial tcp: i/o timeout"), Some(Rule::dial_error));
        assert_eq!(
            rule_of("dial tcp: lookup x on 10.96.0.10:53: no such host"),
            Some(Rule::lookup_error)
        );
        assert_eq!(
            rule_of("read udp 10.244.0.5:41234->10.96.0.10:53: i/o timeout"),
            Some(Rule::io_error)
        );
        assert_eq!(rule_of(r#"Get "http://a/": EOF"#), Some(Rule::eof));
        assert_eq!(
            rule_of("Unable to connect to the server: x509: certificate has expired"),
            Some(Rule::tls_error)
        );
        // Negative: cut before the reason, words without the shape.
        assert_eq!(rule_of("dial tcp 10.96.0.1:443"), None);
        assert_eq!(rule_of("we dial tcp numbers"), None);
        assert_eq!(rule_of("EOF"), None);
    }

    #[test]
    fn negatives() {
        assert!(one("everything is fine").is_none());
        assert!(one("dial tcp").is_none());
        assert_eq!(sniff("NAME READY STATUS\nfoo 1/1 Running"), None);
        assert!(
            sniff("dial tcp 10.244.1.5:8080: connect: connection refused").is_some_and(|s| s > 0.5)
        );
    }
}
