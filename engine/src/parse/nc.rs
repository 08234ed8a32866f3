//! nc / ncat: netcat's verbose connect lines.
//!
//! Commands: `nc -zv HOST PORT`, `nc -vz -w 3 HOST PORT`, `nc -v HOST PORT`,
//! `ncat -v HOST PORT`, `ncat -zv HOST PORT`, also inside `kubectl exec POD -- …`.
//!
//! Variants: OpenBSD netcat 1.187–1.226 (`Connection to 10.96.12.7 80 port [tcp/http]
//! succeeded!`, `nc: connect to 10.96.12.7 port 80 (tcp) failed: Connection refused`,
//! `… (tcp) timed out: Operation now in progress`, `nc: getaddrinfo for host "backend"
//! port 80: Name or service not known`); BusyBox nc 1.30–1.36 (`nc: 10.96.12.7
//! (10.96.12.7:80): Connection refused`, `10.96.12.7 (10.96.12.7:80) open`, `nc: bad
//! address 'backend'`); traditional netcat 1.10 (`backend [10.96.12.7] 80 (http) open`,
//! `… (http) : Connection refused`); Nmap ncat 7.7x–7.9x (`Ncat: Connected to
//! 10.96.12.7:80.`, `Ncat: Connection refused.`, `Ncat: TIMEOUT.`, `Ncat: Could not
//! resolve hostname "backend": …`).
//!
//! Record: [`super::probe::Probe`], `tool` `"nc"` (or `"ncat"` for `Ncat:` lines or the
//! `ncat` program), one per outcome line; host/port the line lacks come from the command
//! line's positional `HOST PORT`.
//!
//! ```text
//! nc: connect to 10.96.12.7 port 80 (tcp) failed: Connection refused
//! → { tool: "nc", host: "10.96.12.7", ip: 10.96.12.7, port: 80, outcome: "refused" }
//! ```

use super::probe::{self, outcome_of_reason, parse_ip, Outcome, Probe, Target};
use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use pest::iterators::Pair;
use pest::Parser;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/nc.pest"]
struct P;

pub type Record = Probe;

pub const INFO: ParserInfo = ParserInfo {
    kind: "nc",
    aliases: &["ncat", "netcat"],
    title: "nc / ncat connect results",
    commands: &[
        "nc -zv HOST PORT",
        "nc -v HOST PORT",
        "ncat -v HOST PORT",
        "kubectl exec POD -- nc -zv HOST PORT",
    ],
    variants: &[
        "OpenBSD netcat 1.187–1.226",
        "BusyBox nc 1.30–1.36",
        "netcat 1.10 (traditional)",
        "Nmap ncat 7.7x–7.9x",
    ],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    matches!(
        cmd.program.as_str(),
        "nc" | "ncat" | "netcat" | "nc.openbsd" | "nc.traditional"
    )
}

fn sniff(head: &str) -> Option<f32> {
    let mut score: f32 = 0.0;
    for l in head.lines() {
        let l = probe::capped(l).trim();
        // The grammar's alternatives all need one of these: a cheap test first, since the
        // splitter asks every sniffer about every blank-line block of a big paste.
        let maybe = l.starts_with("nc: ")
            || l.starts_with("Ncat: ")
            || l.starts_with("Connection to ")
            || l.ends_with(") open")
            || (l.contains(" [") && l.contains("] ") && l.contains(" ("))
            || l.contains(": forward host lookup failed: ");
        if !maybe {
            continue;
        }
        let Some(rule) = P::parse(Rule::nc_line, l)
            .ok()
            .and_then(|mut p| p.next())
            .and_then(|p| p.into_inner().next())
            .map(|p| p.as_rule())
        else {
            continue;
        };
        score = score.max(match rule {
            Rule::nc_error => 0.6,
            Rule::traditional | Rule::busybox_open | Rule::lookup_failed => 0.8,
            _ => 0.9,
        });
    }
    (score > 0.0).then_some(score)
}

const VALUE_FLAGS: &[&str] = &[
    "-w", "-W", "-s", "-p", "-i", "-q", "-x", "-X", "-e", "-c", "-P", "-I", "-O", "-T", "-V",
];

fn target(seg: &Segment) -> Target {
    let Some(cmd) = seg.command.as_ref() else {
        return Target::default();
    };
    let pos = probe::positional_args(&cmd.args, VALUE_FLAGS);
    let host = pos.first().map(|h| h.to_string());
    // `nc host 80`, `nc host 80-90` (a range: the first port), `nc -zv host 80 443`.
    let port = pos
        .get(1)
        .and_then(|p| p.split('-').next())
        .and_then(|p| p.parse().ok());
    Target {
        url: None,
        host,
        port,
    }
}

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out = Output::default();
    let tool = match seg.command.as_ref() {
        Some(c) if c.program == "ncat" => "ncat",
        _ => "nc",
    };
    for (n, raw) in seg.lines() {
        let text = probe::capped(raw).trim();
        if text.is_empty() {
            continue;
        }
        match P::parse(Rule::nc_line, text) {
            Ok(mut pairs) => {
                if let Some(line) = pairs.next().and_then(|p| p.into_inner().next()) {
                    if let Some(p) = record(line, n, text, tool) {
                        out.records.push(p);
                    }
                }
            }
            // Data read from the socket is not nc's to explain.
            Err(_)
                if text.starts_with("nc:")
                    || text.starts_with("Ncat:")
                    || text.starts_with("Connection to ") =>
            {
                out.problem(n, "expected an nc result line (`Connection to … succeeded!`, `nc: connect to … failed: …`, `Ncat: …`)");
            }
            Err(_) => {}
        }
    }
    probe::finish(
        seg,
        tool,
        &target(seg),
        &mut out,
        "`Connection to … succeeded!`, `nc: …` or `Ncat: …`",
    );
    out
}

fn record(pair: Pair<'_, Rule>, n: usize, text: &str, tool: &str) -> Option<Probe> {
    let rule = pair.as_rule();
    let tool = if text.starts_with("Ncat:") {
        "ncat"
    } else {
        tool
    };
    let mut p = Probe::new(n, tool, Outcome::Other, text);
    let mut reason: Option<&str> = None;
    let mut timed_out = false;
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::host_text if p.host.is_none() => p.host = Some(part.as_str().to_string()),
            Rule::ip_text => p.ip = parse_ip(part.as_str()),
            Rule::port => p.port = part.as_str().parse().ok(),
            Rule::address_port | Rule::address_port_dot => {
                let (h, port) = probe::split_host_port(part.as_str());
                p.ip = parse_ip(h);
                p.port = port;
            }
            Rule::reason => reason = Some(part.as_str()),
            Rule::timed_out => timed_out = true,
            _ => {}
        }
    }
    let by_reason = reason.and_then(outcome_of_reason).unwrap_or(Outcome::Other);
    p.outcome = match rule {
        Rule::ncat_info => return None,
        Rule::openbsd_succeeded | Rule::busybox_open | Rule::ncat_connected => Outcome::Connected,
        Rule::traditional if reason.is_none() => Outcome::Connected,
        Rule::openbsd_failed if timed_out => Outcome::Timeout,
        Rule::getaddrinfo | Rule::bad_address | Rule::ncat_unresolved | Rule::lookup_failed => {
            Outcome::NameNotResolved
        }
        _ => by_reason,
    };
    if p.outcome == Outcome::NameNotResolved {
        p.lookup_name.clone_from(&p.host);
        p.dns_error = reason.map(str::to_string);
    }
    if p.ip.is_none() && p.outcome != Outcome::NameNotResolved {
        p.ip = p.host.as_deref().and_then(parse_ip);
    }
    Some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule_of(line: &str) -> Option<Rule> {
        P::parse(Rule::nc_line, line)
            .ok()?
            .next()?
            .into_inner()
            .next()
            .map(|p| p.as_rule())
    }

    #[test]
    fn line_rules() {
        assert_eq!(
            rule_of("Connection to 10.96.12.7 80 port [tcp/http] succeeded!"),
            Some(Rule::openbsd_succeeded)
        );
        assert_eq!(
            rule_of("nc: connect to 10.96.12.7 port 80 (tcp) failed: Connection refused"),
            Some(Rule::openbsd_failed)
        );
        assert_eq!(
            rule_of("nc: 10.96.12.7 (10.96.12.7:80): Connection refused"),
            Some(Rule::busybox_failed)
        );
        assert_eq!(
            rule_of("10.96.12.7 (10.96.12.7:80) open"),
            Some(Rule::busybox_open)
        );
        assert_eq!(
            rule_of("backend [10.96.12.7] 80 (http) : Connection refused"),
            Some(Rule::traditional)
        );
        assert_eq!(
            rule_of("Ncat: Connected to 10.96.12.7:80."),
            Some(Rule::ncat_connected)
        );
        assert_eq!(rule_of("Ncat: TIMEOUT."), Some(Rule::ncat_error));
        assert_eq!(
            rule_of("Ncat: Version 7.92 ( https://nmap.org/ncat )"),
            Some(Rule::ncat_info)
        );
        // Negative.
        assert_eq!(rule_of("Connection to 10.96.12.7 80 port [tcp/ht"), None);
        assert_eq!(rule_of("HTTP/1.1 200 OK"), None);
    }

    #[test]
    fn outcomes() {
        let seg = Segment::new("nc: connect to 10.96.12.7 port 80 (tcp) timed out: Operation now in progress\nNcat: TIMEOUT.", 1);
        let out = parse(&seg);
        assert_eq!(out.records[0].outcome, Outcome::Timeout);
        assert_eq!(out.records[1].outcome, Outcome::Timeout);
        assert_eq!(out.records[1].tool, "ncat");
    }
}
