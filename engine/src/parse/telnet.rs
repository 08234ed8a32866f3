//! telnet: whether a TCP connection to HOST PORT was made.
//!
//! Commands: `telnet HOST PORT`, also inside `kubectl exec POD -- telnet HOST PORT`.
//!
//! Variants: netkit telnet 0.17 and inetutils telnet 2.x (`Trying 10.101.33.59...`,
//! `Connected to 10.101.33.59.`, `Escape character is '^]'.`, `telnet: Unable to connect
//! to remote host: Connection refused`, `telnet: connect to address 10.0.0.1: Connection
//! timed out`, `telnet: could not resolve backend/6379: Name or service not known`);
//! BusyBox telnet 1.30–1.36 (`telnet: can't connect to remote host (10.0.0.1): Connection
//! refused`, `telnet: bad address 'backend'`).
//!
//! Record: [`super::probe::Probe`] with `tool: "telnet"`, one per outcome line:
//! `Connected to …` (`connected`), `telnet: connect to address X: …` (per address
//! tried), `telnet: Unable to connect …` (unless it only repeats the address line just
//! before), resolve and BusyBox errors. `ip` is the last `Trying X...` address; host and
//! port come from the command line (`telnet 10.101.33.59 6379`) when the output lacks them.
//!
//! ```text
//! $ telnet  10.101.33.59 6379
//! Trying 10.101.33.59...
//! telnet: Unable to connect to remote host: Connection refused
//! → { line: 3, tool: "telnet", host: "10.101.33.59", ip: 10.101.33.59, port: 6379, outcome: "refused" }
//! ```

use super::probe::{self, outcome_of_reason, parse_ip, Outcome, Probe, Target};
use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use pest::Parser;
use std::net::IpAddr;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/telnet.pest"]
struct P;

pub type Record = Probe;

pub const INFO: ParserInfo = ParserInfo {
    kind: "telnet",
    aliases: &[],
    title: "telnet connect results",
    commands: &["telnet HOST PORT", "kubectl exec POD -- telnet HOST PORT"],
    variants: &[
        "netkit telnet 0.17",
        "inetutils telnet 2.x",
        "BusyBox telnet 1.30–1.36",
    ],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    cmd.program == "telnet"
}

fn sniff(head: &str) -> Option<f32> {
    let mut score: f32 = 0.0;
    let mut trying = false;
    for l in head.lines() {
        if l.starts_with("telnet: ") || l.starts_with("Escape character is '^]'") {
            score = score.max(0.9);
        } else if l.starts_with("Trying ") && l.trim_end().ends_with("...") {
            trying = true;
        }
    }
    if trying {
        score = score.max(0.6);
    }
    (score > 0.0).then_some(score)
}

fn target(seg: &Segment) -> Target {
    let Some(cmd) = seg.command.as_ref() else {
        return Target::default();
    };
    let pos = probe::positional_args(&cmd.args, &["-b", "-e", "-l", "-n", "-X"]);
    Target {
        url: None,
        host: pos.first().map(|h| h.to_string()),
        port: pos.get(1).and_then(|p| p.parse().ok()),
    }
}

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out: Output<Probe> = Output::default();
    let mut tried: Option<(usize, Option<IpAddr>)> = None;
    let mut last_address_failure = false;
    for (n, raw) in seg.lines() {
        let text = probe::capped(raw).trim();
        if text.is_empty() {
            continue;
        }
        let line = match P::parse(Rule::telnet_line, text) {
            Ok(mut pairs) => pairs.next().and_then(|p| p.into_inner().next()),
            Err(_) => {
                if text.starts_with("telnet:")
                    || text.starts_with("Trying ")
                    || text.starts_with("Connected to ")
                {
                    out.problem(
                        n,
                        "expected a telnet line (`Trying …...`, `Connected to ….`, `telnet: …`)",
                    );
                }
                // Anything else is what the server sent.
                continue;
            }
        };
        let Some(line) = line else { continue };
        let rule = line.as_rule();
        let mut p = Probe::new(n, "telnet", Outcome::Other, text);
        p.ip = tried.and_then(|(_, ip)| ip);
        let mut reason = None;
        for part in line.into_inner() {
            match part.as_rule() {
                Rule::address => p.ip = parse_ip(part.as_str()),
                Rule::host_text | Rule::connected_host => p.host = Some(part.as_str().to_string()),
                Rule::port_text => p.port = part.as_str().parse().ok(),
                Rule::reason => reason = Some(part.as_str()),
                _ => {}
            }
        }
        p.outcome = match rule {
            Rule::trying => {
                tried = Some((n, p.ip));
                continue;
            }
            Rule::info => continue,
            Rule::connected => {
                if let Some(ip) = p.host.as_deref().and_then(parse_ip) {
                    p.ip = Some(ip);
                }
                Outcome::Connected
            }
            Rule::could_not_resolve | Rule::bad_address => Outcome::NameNotResolved,
            _ => reason.and_then(outcome_of_reason).unwrap_or(Outcome::Other),
        };
        if p.outcome == Outcome::NameNotResolved {
            p.lookup_name.clone_from(&p.host);
            p.dns_error = reason.map(str::to_string);
            p.ip = None;
        }
        // `Unable to connect` after `connect to address X: same reason` says nothing new.
        if rule == Rule::unable_to_connect
            && last_address_failure
            && (p.outcome == Outcome::Other
                || out.records.last().is_some_and(|r| r.outcome == p.outcome))
        {
            last_address_failure = false;
            continue;
        }
        last_address_failure = rule == Rule::connect_to_address;
        tried = None;
        out.records.push(p);
    }
    if let Some((n, _)) = tried {
        if out.records.is_empty() {
            out.problem(
                n,
                "output ends after `Trying …` before telnet reported the result",
            );
        }
    }
    probe::finish(
        seg,
        "telnet",
        &target(seg),
        &mut out,
        "`Connected to ….` or `telnet: …`",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule_of(line: &str) -> Option<Rule> {
        P::parse(Rule::telnet_line, line)
            .ok()?
            .next()?
            .into_inner()
            .next()
            .map(|p| p.as_rule())
    }

    #[test]
    fn line_rules() {
        assert_eq!(rule_of("Trying 10.101.33.59..."), Some(Rule::trying));
        assert_eq!(rule_of("Connected to 10.101.33.59."), Some(Rule::connected));
        assert_eq!(rule_of("Escape character is '^]'."), Some(Rule::info));
        assert_eq!(
            rule_of("telnet: Unable to connect to remote host: Connection refused"),
            Some(Rule::unable_to_connect)
        );
        assert_eq!(
            rule_of("telnet: connect to address 10.0.0.1: Connection timed out"),
            Some(Rule::connect_to_address)
        );
        assert_eq!(
            rule_of("telnet: could not resolve backend/6379: Name or service not known"),
            Some(Rule::could_not_resolve)
        );
        // Negative.
        assert_eq!(rule_of("Trying 10.101."), None);
        assert_eq!(rule_of("+OK"), None);
    }

    #[test]
    fn real_paste() {
        let seg = Segment::with_command(
            "Trying 10.101.33.59...\ntelnet: Unable to connect to remote host: Connection refused",
            2,
            "telnet  10.101.33.59 6379",
        );
        let out = parse(&seg);
        assert!(out.problems.is_empty());
        let r = &out.records[0];
        assert_eq!(
            (r.line, r.outcome, r.port),
            (3, Outcome::Refused, Some(6379))
        );
        assert_eq!(r.ip, "10.101.33.59".parse().ok());
    }
}
