//! curl: the error line, the `-v` trace and `-i`/`-I` status lines.
//!
//! Commands: `curl URL`, `curl -sS URL`, `curl -v URL`, `curl -I URL`, `curl -f URL`, also
//! inside `kubectl exec POD -- curl …`.
//!
//! Variants: curl 7.58–7.88 (`curl: (7) Failed to connect to backend port 80: Connection
//! refused`) and 8.0–8.11 (`curl: (7) Failed to connect to backend port 80 after 3 ms:
//! Couldn't connect to server`; the real reason only in a `-v` line `* connect to
//! 10.96.0.5 port 80 failed: Connection refused`, else the outcome is `other`: 8.x uses
//! that text for refused and unreachable alike).
//!
//! Record: [`super::probe::Probe`] with `tool: "curl"`. One record per outcome:
//! each `curl: (N) …` line (`exit_code` N); else the `-v` echo of the error (`* Failed to
//! connect …`, under `-sv`); else each received status line `< HTTP/1.1 503` / `HTTP/2
//! 200` (outcome `http-status`); else `* Connected to …` (outcome `connected`). The `-v`
//! lines `* Trying 10.96.12.7:80...`, `* Connected to …` and `* connect to … failed: …`
//! give `ip`, `port` and the reason to the outcome that follows. URL, host and port
//! missing from the output come from the command line. Output with no such line (a bare
//! body) is `connected` when the command line is known, else a problem.
//!
//! Exit codes: 6/5 → name-not-resolved, 7 → by reason, 28 → timeout, 52 → empty-reply,
//! 56 → reset (when it says so), 22 → http-status (code from the message), 35/51/58/60/…
//! → tls-error.
//!
//! ```text
//! *   Trying 10.96.12.7:80...
//! * connect to 10.96.12.7 port 80 failed: Connection refused
//! curl: (7) Failed to connect to backend port 80 after 3 ms: Couldn't connect to server
//! → { line: 3, tool: "curl", host: "backend", ip: 10.96.12.7, port: 80, outcome: "refused", exit_code: 7 }
//! ```

use super::probe::{self, outcome_of_reason, parse_ip, Outcome, Probe, Target};
use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use pest::iterators::Pair;
use pest::Parser;
use std::net::IpAddr;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/curl.pest"]
struct P;

pub type Record = Probe;

pub const INFO: ParserInfo = ParserInfo {
    kind: "curl",
    aliases: &[],
    title: "curl errors, -v trace and status lines",
    commands: &[
        "curl URL",
        "curl -sS URL",
        "curl -v URL",
        "curl -I URL",
        "kubectl exec POD -- curl URL",
    ],
    variants: &["curl 7.58–7.88", "curl 8.0–8.11"],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    cmd.program == "curl"
}

fn sniff(head: &str) -> Option<f32> {
    let mut score: f32 = 0.0;
    for l in head.lines() {
        let l = l.trim_start();
        if l.starts_with("curl: (") || l.contains("curl: (") && l.contains("--:--") {
            score = score.max(0.95);
        } else if l.starts_with("*   Trying ")
            || l.starts_with("* Trying ")
            || l.starts_with("* Connected to ")
        {
            score = score.max(0.85);
        } else if l.starts_with("< HTTP/") || l.starts_with("  % Total    % Received") {
            score = score.max(0.8);
        }
    }
    // `curl -i`/`-I`: the response head alone.
    if head
        .lines()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| l.starts_with("HTTP/") && P::parse(Rule::curl_line, l.trim_end()).is_ok())
    {
        score = score.max(0.6);
    }
    (score > 0.0).then_some(score)
}

/// curl options that take a value (so the value is not the URL).
const VALUE_FLAGS: &[&str] = &[
    "-o",
    "-H",
    "-d",
    "-X",
    "-w",
    "-m",
    "-u",
    "-A",
    "-e",
    "-x",
    "-F",
    "-T",
    "-b",
    "-c",
    "-K",
    "-r",
    "-Y",
    "-y",
    "-C",
    "-E",
    "-U",
    "-z",
    "-Q",
    "-t",
    "--output",
    "--header",
    "--data",
    "--data-raw",
    "--data-binary",
    "--data-urlencode",
    "--request",
    "--write-out",
    "--max-time",
    "--connect-timeout",
    "--user",
    "--user-agent",
    "--referer",
    "--proxy",
    "--form",
    "--upload-file",
    "--cookie",
    "--cookie-jar",
    "--config",
    "--resolve",
    "--connect-to",
    "--cacert",
    "--capath",
    "--cert",
    "--key",
    "--retry",
    "--retry-delay",
    "--retry-max-time",
    "--interface",
    "--dns-servers",
    "--unix-socket",
    "--range",
    "--limit-rate",
    "--noproxy",
    "--url",
];

fn target(seg: &Segment) -> Target {
    let Some(cmd) = seg.command.as_ref() else {
        return Target::default();
    };
    if let Some(pos) = cmd.args.iter().position(|a| a == "--url") {
        if let Some(u) = cmd.args.get(pos + 1) {
            return probe::target_from_url(u);
        }
    }
    probe::positional_args(&cmd.args, VALUE_FLAGS)
        .first()
        .map(|u| probe::target_from_url(u))
        .unwrap_or_default()
}

/// What the `-v` lines have said about the attempt in progress.
#[derive(Default)]
struct Attempt<'a> {
    /// The `* Trying` line, while no outcome has been seen.
    tried: Option<usize>,
    ip: Option<IpAddr>,
    port: Option<u16>,
    host: Option<String>,
    reason: Option<Outcome>,
    connected: Option<(usize, &'a str)>,
    status: Option<(usize, u16, &'a str)>,
    final_error: Option<Probe>,
}

impl Attempt<'_> {
    fn enrich(&self, p: &mut Probe) {
        if p.ip.is_none() {
            p.ip = self.ip;
        }
        if p.port.is_none() {
            p.port = self.port;
        }
        if p.host.is_none() {
            p.host.clone_from(&self.host);
        }
        if p.http_status.is_none() {
            p.http_status = self.status.map(|(_, s, _)| s);
        }
        // 8.x `Couldn't connect to server`: the `* connect to … failed: …` line is precise.
        if p.outcome == Outcome::Other {
            if let Some(r) = self.reason {
                p.outcome = r;
            }
        }
    }

    /// The record an attempt stands for when no `curl: (N)` line closed it.
    fn flush(&mut self, out: &mut Output<Probe>) {
        let a = std::mem::take(self);
        let rec = if let Some(p) = a.final_error.clone() {
            Some(p)
        } else if let Some((line, code, text)) = a.status {
            let mut p = Probe::new(line, "curl", Outcome::HttpStatus, text);
            p.http_status = Some(code);
            Some(p)
        } else {
            a.connected
                .map(|(line, text)| Probe::new(line, "curl", Outcome::Connected, text))
        };
        if let Some(mut p) = rec {
            a.enrich(&mut p);
            out.records.push(p);
        }
    }

    fn has_result(&self) -> bool {
        self.status.is_some() || self.final_error.is_some()
    }
}

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out = Output::default();
    let mut cur = Attempt::default();
    for (n, raw) in seg.lines() {
        let raw = probe::capped(raw);
        // The progress meter is redrawn with `\r`, so the error often ends its last row.
        let text = match raw.find("curl: (") {
            Some(i) if i > 0 => raw.get(i..).unwrap_or(raw),
            _ => raw,
        }
        .trim_end();
        if text.trim().is_empty() {
            continue;
        }
        match P::parse(Rule::curl_line, text) {
            Ok(mut pairs) => {
                let Some(line) = pairs.next().and_then(|p| p.into_inner().next()) else {
                    continue;
                };
                on_line(line, n, text, &mut cur, &mut out);
            }
            Err(_) if text.starts_with("curl:") => {
                out.problem(n, "expected a curl error line `curl: (N) message`");
            }
            // Body text, progress meter: not curl's to explain.
            Err(_) => {}
        }
    }
    let truncated = cur
        .tried
        .filter(|_| !cur.has_result() && cur.connected.is_none());
    cur.flush(&mut out);
    if let Some(n) = truncated.filter(|_| out.records.is_empty()) {
        out.problem(
            n,
            "output ends after `Trying` before curl reported an outcome",
        );
    }
    if out.records.is_empty() && out.problems.is_empty() {
        write_out_status(seg, &mut out);
    }
    probe::finish(
        seg,
        "curl",
        &target(seg),
        &mut out,
        "`curl: (N) …`, `< HTTP/1.1 …` or `* Connected to …`",
    );
    out
}

/// `curl -s -o /dev/null -w '%{http_code}' URL` prints only the code: `503`, or `000`
/// when no response came (the reason is then unknown: outcome `other`).
fn write_out_status(seg: &Segment, out: &mut Output<Probe>) {
    let asks_code = seg.command.as_ref().is_some_and(|c| {
        c.args
            .iter()
            .any(|a| a.contains("%{http_code}") || a.contains("%{response_code}"))
    });
    if !asks_code {
        return;
    }
    for (n, line) in seg.lines() {
        let t = line.trim();
        let digits = t.get(..3).filter(|d| d.bytes().all(|b| b.is_ascii_digit()));
        let ends_code = t.len() == 3 || t.as_bytes().get(3).is_some_and(|b| !b.is_ascii_digit());
        if let (Some(code), true) = (digits.and_then(|d| d.parse::<u16>().ok()), ends_code) {
            let mut p = Probe::new(n, "curl", Outcome::Other, t);
            if code != 0 {
                p.outcome = Outcome::HttpStatus;
                p.http_status = Some(code);
            }
            out.records.push(p);
            return;
        }
    }
}

fn on_line<'a>(
    pair: Pair<'a, Rule>,
    n: usize,
    text: &'a str,
    cur: &mut Attempt<'a>,
    out: &mut Output<Probe>,
) {
    match pair.as_rule() {
        Rule::curl_error => {
            let mut p = error_record(pair, n, text, true);
            cur.enrich(&mut p);
            out.records.push(p);
            *cur = Attempt::default();
        }
        Rule::verbose_error => {
            let p = error_record(pair, n, text, false);
            if let Some(r) = outcome_of_reason(&p.message) {
                cur.reason.get_or_insert(r);
            }
            cur.final_error = Some(p);
        }
        Rule::trying => {
            if cur.has_result() {
                cur.flush(out);
            }
            cur.tried = Some(n);
            if let Some(addr) = pair.into_inner().next() {
                let (ip, port) = tried_address(addr.as_str());
                cur.ip = ip;
                cur.port = port;
            }
        }
        Rule::connected => {
            let mut it = pair.into_inner();
            cur.host = it.next().map(|p| p.as_str().to_string());
            cur.ip = it.next().and_then(|p| parse_ip(p.as_str())).or(cur.ip);
            cur.port = it.next().and_then(|p| p.as_str().parse().ok()).or(cur.port);
            cur.connected = Some((n, text));
        }
        Rule::connect_failed => {
            let mut it = pair.into_inner();
            if let Some(addr) = it.next() {
                cur.ip = parse_ip(addr.as_str()).or(cur.ip);
            }
            for p in it {
                match p.as_rule() {
                    Rule::port if cur.port.is_none() => cur.port = p.as_str().parse().ok(),
                    Rule::reason => {
                        cur.reason = outcome_of_reason(p.as_str()).or(Some(Outcome::Other))
                    }
                    _ => {}
                }
            }
        }
        Rule::response_status | Rule::bare_status => {
            let rule = pair.as_rule();
            let code: Option<u16> = pair
                .into_inner()
                .find(|p| p.as_rule() == Rule::status_code)
                .and_then(|p| p.as_str().parse().ok());
            // `curl -vi` prints the status twice: `< HTTP/1.1 200 OK` on stderr, bare on stdout.
            if rule == Rule::bare_status && cur.status.is_some_and(|(_, c, _)| Some(c) == code) {
                return;
            }
            if cur.status.is_some() {
                cur.flush(out);
            }
            if let Some(code) = code {
                // `HTTP/1.1 100 Continue` is followed by the real status.
                if code != 100 {
                    cur.status = Some((n, code, text));
                }
            }
        }
        _ => {}
    }
}

/// `10.96.12.7:80`, `[::1]:80`, `::1:80` (7.6x), `10.96.12.7` (older, no port).
fn tried_address(s: &str) -> (Option<IpAddr>, Option<u16>) {
    let (h, port) = probe::split_host_port(s);
    if port.is_some() {
        return (parse_ip(h), port);
    }
    // curl 7.6x prints IPv6 without brackets: `::1:80`.
    if let Some((h, p)) = s.rsplit_once(':') {
        if let (Some(ip), Ok(port)) = (parse_ip(h), p.parse::<u16>()) {
            if h.contains(':') {
                return (Some(ip), Some(port));
            }
        }
    }
    (parse_ip(s), None)
}

/// A `curl: (N) …` line or its `* …` echo.
fn error_record(pair: Pair<'_, Rule>, n: usize, text: &str, with_code: bool) -> Probe {
    let mut code: Option<u8> = None;
    let mut p = Probe::new(n, "curl", Outcome::Other, text.trim_start_matches('*'));
    let mut body_outcome = None;
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::exit_code => code = part.as_str().parse().ok(),
            Rule::failed_to_connect => {
                for f in part.into_inner() {
                    match f.as_rule() {
                        Rule::host_name => p.host = Some(f.as_str().to_string()),
                        Rule::port => p.port = f.as_str().parse().ok(),
                        Rule::reason => body_outcome = outcome_of_reason(f.as_str()),
                        _ => {}
                    }
                }
            }
            Rule::could_not_resolve => {
                p.host = part.into_inner().next().map(|h| h.as_str().to_string());
                body_outcome = Some(Outcome::NameNotResolved);
            }
            Rule::other_message => body_outcome = outcome_of_reason(part.as_str()),
            _ => {}
        }
    }
    if with_code {
        p.exit_code = code;
    }
    p.outcome = match code {
        Some(5 | 6) => Outcome::NameNotResolved,
        // `(28) Resolving timed out`: the name lookup, not the connection, timed out.
        Some(28) if p.message.contains("Resolving timed out") => Outcome::NameNotResolved,
        Some(28) => Outcome::Timeout,
        Some(52) => Outcome::EmptyReply,
        Some(35 | 51 | 53 | 54 | 58 | 59 | 60 | 64 | 66 | 77 | 80 | 82 | 83 | 90 | 91 | 98) => {
            Outcome::TlsError
        }
        Some(22) => Outcome::HttpStatus,
        _ => body_outcome.unwrap_or(Outcome::Other),
    };
    if p.outcome == Outcome::HttpStatus || p.message.contains("returned error: ") {
        p.http_status = p
            .message
            .split("returned error: ")
            .nth(1)
            .and_then(|s| s.get(..3))
            .and_then(|s| s.parse().ok());
        if p.http_status.is_some() {
            p.outcome = Outcome::HttpStatus;
        }
    }
    // TLS errors: `… in connection to backend:443`.
    if p.host.is_none() {
        if let Some(rest) = p.message.split(" in connection to ").nth(1) {
            let (h, port) = probe::split_host_port(rest.trim().trim_end_matches('.'));
            if !h.is_empty() && !h.contains(' ') {
                p.host = Some(h.to_string());
                p.port = port;
            }
        }
    }
    if let Some(ip) = p.host.as_deref().and_then(parse_ip) {
        if p.outcome != Outcome::NameNotResolved {
            p.ip = Some(ip);
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule_of(line: &str) -> Option<Rule> {
        P::parse(Rule::curl_line, line)
            .ok()?
            .next()?
            .into_inner()
            .next()
            .map(|p| p.as_rule())
    }

    #[test]
    fn line_rules() {
        assert_eq!(
            rule_of("curl: (7) Failed to connect to backend port 80: Connection refused"),
            Some(Rule::curl_error)
        );
        assert_eq!(rule_of("*   Trying 10.96.12.7:80..."), Some(Rule::trying));
        assert_eq!(
            rule_of("* Connected to backend (10.96.12.7) port 80 (#0)"),
            Some(Rule::connected)
        );
        assert_eq!(
            rule_of("* connect to 10.96.0.5 port 80 failed: Connection refused"),
            Some(Rule::connect_failed)
        );
        assert_eq!(
            rule_of(
                "* Failed to connect to backend port 80 after 3 ms: Couldn't connect to server"
            ),
            Some(Rule::verbose_error)
        );
        assert_eq!(
            rule_of("< HTTP/1.1 503 Service Unavailable"),
            Some(Rule::response_status)
        );
        assert_eq!(rule_of("< HTTP/2 200 "), Some(Rule::response_status));
        assert_eq!(rule_of("HTTP/1.1 404 Not Found"), Some(Rule::bare_status));
        assert_eq!(rule_of("> GET / HTTP/1.1"), Some(Rule::verbose_other));
        // Negative: a body line, a cut-off error.
        assert_eq!(rule_of("<html><body>hi</body></html>"), None);
        assert_eq!(rule_of("curl: (7"), None);
        assert_eq!(rule_of("HTTP/1.1 5"), None);
    }

    #[test]
    fn curl7_refused() {
        let seg = Segment::new(
            "curl: (7) Failed to connect to backend port 80: Connection refused",
            1,
        );
        let out = parse(&seg);
        assert_eq!(out.records.len(), 1);
        let r = &out.records[0];
        assert_eq!(
            (r.outcome, r.exit_code, r.port),
            (Outcome::Refused, Some(7), Some(80))
        );
        assert_eq!(r.host.as_deref(), Some("backend"));
    }

    #[test]
    fn curl8_couldnt_connect_is_other_without_v() {
        let seg = Segment::new(
            "curl: (7) Failed to connect to backend port 80 after 3 ms: Couldn't connect to server",
            1,
        );
        assert_eq!(parse(&seg).records[0].outcome, Outcome::Other);
    }

    #[test]
    fn tried_addresses() {
        assert_eq!(
            tried_address("10.96.12.7:80"),
            ("10.96.12.7".parse().ok(), Some(80))
        );
        assert_eq!(tried_address("[::1]:80"), ("::1".parse().ok(), Some(80)));
        assert_eq!(
            tried_address("10.96.12.7"),
            ("10.96.12.7".parse().ok(), None)
        );
    }
}
