//! The record shared by the connection-probe parsers (`curl`, `wget`, `nc`, `telnet`,
//! `net-errors`): one [`Probe`] per line that says how an attempt to reach a host ended.
//!
//! Each tool has its own module and grammar; this module holds the record, the outcome
//! vocabulary, and the helpers that read a target (URL, host, port) from a command line
//! and an outcome from a tool's reason text (`Connection refused`, `i/o timeout`, …).
//!
//! ```text
//! curl: (7) Failed to connect to backend port 80: Connection refused
//! → Probe { tool: "curl", host: "backend", port: 80, outcome: refused, exit_code: 7, … }
//! ```

use crate::split::Segment;
use serde::Serialize;
use std::net::IpAddr;

/// How a probe ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// A TCP connection was made (and nothing more is known).
    Connected,
    /// The peer answered with RST: nothing listens there, or a firewall rejects.
    Refused,
    /// No answer in time (connect, read, DNS or client timeout).
    Timeout,
    /// The connection was reset after it was made.
    Reset,
    /// The name did not resolve (NXDOMAIN, SERVFAIL, DNS timeout, bad address).
    NameNotResolved,
    /// No route to host / network unreachable.
    NoRoute,
    /// An HTTP status line was received; see `http_status`.
    HttpStatus,
    /// TLS handshake or certificate failure.
    TlsError,
    /// The server closed the connection without a reply.
    EmptyReply,
    /// The tool failed for a reason the line does not make precise.
    Other,
}

/// One probe outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Probe {
    /// 1-based input line of the outcome.
    pub line: usize,
    /// `curl`, `wget`, `nc`, `ncat`, `telnet`, or `go` for Go/HTTP client errors.
    pub tool: String,
    pub url: Option<String>,
    /// Name or IP as the tool printed it or was given it.
    pub host: Option<String>,
    /// The address actually tried.
    pub ip: Option<IpAddr>,
    pub port: Option<u16>,
    pub outcome: Outcome,
    pub http_status: Option<u16>,
    /// curl's `curl: (7)` code.
    pub exit_code: Option<u8>,
    /// The name a failed DNS lookup asked for.
    pub lookup_name: Option<String>,
    /// The DNS server that answered or failed (`100.64.0.10:53`).
    pub dns_server: Option<String>,
    /// The resolver's error text: `no such host`, `server misbehaving`, `i/o timeout`, …
    pub dns_error: Option<String>,
    /// The line's text, trimmed.
    pub message: String,
}

impl Probe {
    pub fn new(line: usize, tool: &str, outcome: Outcome, message: &str) -> Probe {
        Probe {
            line,
            tool: tool.to_string(),
            url: None,
            host: None,
            ip: None,
            port: None,
            outcome,
            http_status: None,
            exit_code: None,
            lookup_name: None,
            dns_server: None,
            dns_error: None,
            message: message.trim().to_string(),
        }
    }

    /// Fill what the output left out from the command line's target.
    pub fn fill_from(&mut self, target: &Target) {
        if self.url.is_none() {
            self.url.clone_from(&target.url);
        }
        if self.host.is_none() {
            self.host.clone_from(&target.host);
        }
        if self.port.is_none() {
            self.port = target.port;
        }
        // A literal IP that the tool connected to is the address tried.
        if self.ip.is_none() && self.outcome != Outcome::NameNotResolved {
            self.ip = self.host.as_deref().and_then(parse_ip);
        }
    }
}

/// What a command line asked the tool to reach.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Target {
    pub url: Option<String>,
    pub host: Option<String>,
    pub port: Option<u16>,
}

/// The positional arguments of a command line, skipping flags and the values of the
/// flags in `takes_value` (`-o file`, `-H 'x: y'`); `--flag=value` is one word.
pub fn positional_args<'a>(args: &'a [String], takes_value: &[&str]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut skip = false;
    let mut after_dashes = false;
    for a in args {
        if skip {
            skip = false;
            continue;
        }
        if after_dashes || !a.starts_with('-') || a == "-" {
            out.push(a.as_str());
            continue;
        }
        if a == "--" {
            after_dashes = true;
            continue;
        }
        if a.contains('=') {
            continue;
        }
        // `-sSo file`: short flags bundle; a value flag last in the bundle takes the next word.
        if takes_value.contains(&a.as_str()) {
            skip = true;
        } else if !a.starts_with("--") && a.len() > 2 {
            if let Some(last) = a.chars().last() {
                if takes_value.contains(&format!("-{last}").as_str()) {
                    skip = true;
                }
            }
        }
    }
    out
}

/// Read `scheme://host:port/path` (or a bare `host:port/path`, taken as http).
pub fn target_from_url(s: &str) -> Target {
    let (scheme, rest) = match s.split_once("://") {
        Some((sc, r)) => (sc.to_ascii_lowercase(), r),
        None => ("http".to_string(), s),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    let (host, port) = split_host_port(authority);
    let port = port.or(match scheme.as_str() {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        "ftp" => Some(21),
        _ => None,
    });
    Target {
        url: Some(s.to_string()),
        host: (!host.is_empty()).then(|| host.to_string()),
        port,
    }
}

/// `host:80` → (`host`, 80); `[::1]:80` → (`::1`, 80); `::1` → (`::1`, None).
pub fn split_host_port(s: &str) -> (&str, Option<u16>) {
    if let Some(rest) = s.strip_prefix('[') {
        if let Some((h, after)) = rest.split_once(']') {
            return (h, after.strip_prefix(':').and_then(|p| p.parse().ok()));
        }
    }
    match s.rsplit_once(':') {
        // More than one colon without brackets is a bare IPv6 address.
        Some((h, p)) if !h.contains(':') => match p.parse() {
            Ok(port) => (h, Some(port)),
            Err(_) => (s, None),
        },
        _ => (s, None),
    }
}

/// An IP address as tools print it: bare, `[v6]`, with a `%zone`.
pub fn parse_ip(s: &str) -> Option<IpAddr> {
    let s = s.trim().trim_start_matches('[').trim_end_matches(']');
    let s = s.split('%').next().unwrap_or(s);
    s.parse().ok()
}

/// What a tool's reason text says, if anything precise: `Connection refused`,
/// `Connection timed out`, `connect: no route to host`, `Name or service not known`, …
pub fn outcome_of_reason(reason: &str) -> Option<Outcome> {
    let r = reason.to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| r.contains(w));
    if has(&["connection refused", "was refused"]) {
        Some(Outcome::Refused)
    } else if has(&[
        "could not resolve",
        "couldn't resolve",
        "name or service not known",
        "no such host",
        "temporary failure in name resolution",
        "bad address",
        "unable to resolve",
        "server misbehaving",
        "nodename nor servname",
        "no address associated",
    ]) {
        Some(Outcome::NameNotResolved)
    } else if has(&[
        "no route to host",
        "network is unreachable",
        "host is unreachable",
        "network unreachable",
    ]) {
        Some(Outcome::NoRoute)
    } else if has(&["connection reset", "reset by peer"]) {
        Some(Outcome::Reset)
    } else if has(&["timed out", "timeout", "deadline exceeded"]) {
        Some(Outcome::Timeout)
    } else if has(&["empty reply", "no data received"]) {
        Some(Outcome::EmptyReply)
    } else if has(&["ssl", "tls", "certificate", "x509"]) {
        Some(Outcome::TlsError)
    } else {
        None
    }
}

/// Finish a probe parse: fill targets from the command line, and decide what an output
/// with no outcome line means (see the probe modules' docs).
pub fn finish(
    seg: &Segment,
    tool: &str,
    target: &Target,
    out: &mut super::Output<Probe>,
    expected: &str,
) {
    for r in &mut out.records {
        r.fill_from(target);
    }
    if !out.records.is_empty() || !out.problems.is_empty() {
        return;
    }
    let mut lines = seg.lines().filter(|(_, l)| !l.trim().is_empty());
    let Some((first, text)) = lines.next() else {
        return;
    };
    if seg.command.is_some() {
        // The tool printed something that is not an error (a body, a banner): it got through.
        let mut p = Probe::new(first, tool, Outcome::Connected, text);
        p.fill_from(target);
        out.records.push(p);
    } else {
        out.problem(
            first,
            format!("no {tool} outcome line found: expected {expected}"),
        );
    }
}

/// Per-line work is capped: a line longer than this is cut (at a char boundary) before
/// the grammar sees it, so a pasted blob cannot make one line cost much.
pub const MAX_LINE: usize = 16 * 1024;

/// `line` cut to [`MAX_LINE`].
pub fn capped(line: &str) -> &str {
    if line.len() <= MAX_LINE {
        return line;
    }
    let mut end = MAX_LINE;
    while end > 0 && !line.is_char_boundary(end) {
        end -= 1;
    }
    line.get(..end).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_host_ports() {
        let t = target_from_url("http://backend.broken-net:80/");
        assert_eq!(t.host.as_deref(), Some("backend.broken-net"));
        assert_eq!(t.port, Some(80));
        let t = target_from_url("https://10.96.0.1/api");
        assert_eq!(t.port, Some(443));
        let t = target_from_url("backend:8080");
        assert_eq!((t.host.as_deref(), t.port), (Some("backend"), Some(8080)));
        assert_eq!(split_host_port("[::1]:80"), ("::1", Some(80)));
        assert_eq!(split_host_port("::1"), ("::1", None));
        assert_eq!(split_host_port("x:notaport"), ("x:notaport", None));
        assert_eq!(parse_ip("[fe80::1%eth0]"), "fe80::1".parse().ok());
    }

    #[test]
    fn positional_args_skip_flag_values() {
        let args: Vec<String> = ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "http://x/"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(positional_args(&args, &["-o", "-w"]), vec!["http://x/"]);
        let args: Vec<String> = ["-sSo", "/dev/null", "http://y/"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(positional_args(&args, &["-o"]), vec!["http://y/"]);
    }

    #[test]
    fn reasons() {
        assert_eq!(
            outcome_of_reason("Connection refused"),
            Some(Outcome::Refused)
        );
        assert_eq!(outcome_of_reason("Couldn't connect to server"), None);
        assert_eq!(outcome_of_reason("i/o timeout"), Some(Outcome::Timeout));
        assert_eq!(
            outcome_of_reason("connect: no route to host"),
            Some(Outcome::NoRoute)
        );
        assert_eq!(
            outcome_of_reason("lookup x on 1.1.1.1:53: no such host"),
            Some(Outcome::NameNotResolved)
        );
    }
}
