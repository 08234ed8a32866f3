//! wget: GNU Wget's and BusyBox wget's log lines.
//!
//! Commands: `wget URL`, `wget -O- URL`, `wget -qO- URL`, `wget -S --spider URL`,
//! `wget -T 5 URL`, also inside `kubectl exec POD -- wget …`.
//!
//! Variants: GNU Wget 1.19–1.21 (and wget2, same phrases):
//! `Connecting to backend (backend)|10.96.12.7|:80... failed: Connection refused.`,
//! `Resolving backend (backend)... failed: Name or service not known.`,
//! `wget: unable to resolve host address 'backend'` (or with ‘’),
//! `HTTP request sent, awaiting response... 503 Service Unavailable`;
//! BusyBox 1.30–1.36: `Connecting to backend (10.96.12.7:80)`,
//! `wget: can't connect to remote host (10.96.12.7): Connection refused`,
//! `wget: bad address 'backend'`, `wget: download timed out`,
//! `wget: server returned error: HTTP/1.1 503 Service Unavailable`.
//!
//! Record: [`super::probe::Probe`] with `tool: "wget"`, one per outcome line: a failed
//! `Connecting …`/`Resolving …` line, an `HTTP request sent … NNN` line (`http-status`),
//! a `wget: …` error line, BusyBox `saving to`/`writing to stdout` (`connected`), or a
//! GNU `Connecting … connected.` that no response line followed. `wget: unable to
//! resolve host address` right after a failed `Resolving` line is the same outcome and
//! gives no second record. `url` comes from GNU's `--date--  URL` line or the command.
//!
//! ```text
//! Connecting to backend (backend)|10.96.12.7|:80... failed: Connection refused.
//! → { tool: "wget", host: "backend", ip: 10.96.12.7, port: 80, outcome: "refused" }
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
#[grammar = "../grammar/wget.pest"]
struct P;

pub type Record = Probe;

pub const INFO: ParserInfo = ParserInfo {
    kind: "wget",
    aliases: &[],
    title: "wget (GNU and BusyBox) connection log",
    commands: &[
        "wget URL",
        "wget -O- URL",
        "wget -qO- URL",
        "wget --spider URL",
        "kubectl exec POD -- wget URL",
    ],
    variants: &["GNU Wget 1.19–1.21", "BusyBox wget 1.30–1.36"],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    cmd.program == "wget"
}

fn sniff(head: &str) -> Option<f32> {
    let mut score: f32 = 0.0;
    for l in head.lines() {
        if l.starts_with("wget: ") || l.starts_with("HTTP request sent, awaiting response...") {
            score = score.max(0.9);
        } else if l.starts_with("Connecting to ")
            && (l.contains(")|")
                || l.ends_with(')')
                || l.contains("... connected.")
                || l.contains("... failed: "))
            || (l.starts_with("--") && (l.contains("--  http://") || l.contains("--  https://")))
        {
            score = score.max(0.8);
        } else if l.starts_with("Resolving ") && l.contains("... ") {
            score = score.max(0.7);
        }
    }
    (score > 0.0).then_some(score)
}

const VALUE_FLAGS: &[&str] = &[
    "-O",
    "-o",
    "-a",
    "-T",
    "-t",
    "-U",
    "-P",
    "-Y",
    "-e",
    "-i",
    "-w",
    "-Q",
    "--header",
    "--user-agent",
    "--output-document",
    "--timeout",
    "--tries",
    "--post-data",
    "--method",
    "--body-data",
];

fn target(seg: &Segment) -> Target {
    let Some(cmd) = seg.command.as_ref() else {
        return Target::default();
    };
    probe::positional_args(&cmd.args, VALUE_FLAGS)
        .first()
        .map(|u| probe::target_from_url(u))
        .unwrap_or_default()
}

/// What the log has said about the request in progress.
#[derive(Default)]
struct State<'a> {
    url: Option<String>,
    host: Option<String>,
    ip: Option<IpAddr>,
    port: Option<u16>,
    /// A GNU `… connected.` line not yet followed by a response line.
    connected: Option<(usize, &'a str)>,
    /// A `Connecting to …` line with no result yet (BusyBox, or GNU cut off).
    connecting: Option<usize>,
    last_was_resolve_failure: bool,
}

impl State<'_> {
    fn record(&self, n: usize, outcome: Outcome, text: &str) -> Probe {
        let mut p = Probe::new(n, "wget", outcome, text);
        p.url.clone_from(&self.url);
        p.host.clone_from(&self.host);
        p.ip = self.ip;
        p.port = self.port;
        p
    }

    fn push(&mut self, out: &mut Output<Probe>, p: Probe) {
        self.connected = None;
        self.connecting = None;
        self.last_was_resolve_failure = p.outcome == Outcome::NameNotResolved;
        out.records.push(p);
    }

    fn flush_connected(&mut self, out: &mut Output<Probe>) {
        if let Some((n, text)) = self.connected.take() {
            let p = self.record(n, Outcome::Connected, text);
            self.push(out, p);
        }
    }
}

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out = Output::default();
    let mut st = State::default();
    for (n, raw) in seg.lines() {
        let text = probe::capped(raw).trim();
        if text.is_empty() {
            continue;
        }
        match P::parse(Rule::wget_line, text) {
            Ok(mut pairs) => {
                if let Some(line) = pairs.next().and_then(|p| p.into_inner().next()) {
                    on_line(line, n, text, &mut st, &mut out);
                }
            }
            Err(_) if looks_like_wget(text) => {
                out.problem(n, "expected a wget log line (`Connecting to …`, `Resolving …`, `HTTP request sent, …`, `wget: …`)");
            }
            // Progress bars, headers, bodies.
            Err(_) => {}
        }
    }
    st.flush_connected(&mut out);
    if let Some(n) = st.connecting {
        out.problem(
            n,
            "output ends after `Connecting to …` before wget reported the result",
        );
    }
    probe::finish(
        seg,
        "wget",
        &target(seg),
        &mut out,
        "`Connecting to …`, `HTTP request sent, …` or `wget: …`",
    );
    out
}

fn looks_like_wget(text: &str) -> bool {
    ["Connecting to", "Resolving ", "HTTP request sent", "wget:"]
        .iter()
        .any(|p| text.starts_with(p))
}

fn on_line<'a>(
    pair: Pair<'a, Rule>,
    n: usize,
    text: &'a str,
    st: &mut State<'a>,
    out: &mut Output<Probe>,
) {
    match pair.as_rule() {
        Rule::request_start => {
            st.flush_connected(out);
            let url = pair.into_inner().next().map(|p| p.as_str().to_string());
            *st = State {
                url,
                ..State::default()
            };
            if let Some(u) = st.url.as_deref() {
                let t = probe::target_from_url(u);
                st.host = t.host;
                st.port = t.port;
            }
        }
        Rule::resolving => {
            let mut name = None;
            for p in pair.into_inner() {
                match p.as_rule() {
                    Rule::name_text if name.is_none() => name = Some(p.as_str().to_string()),
                    Rule::resolve_failed => {
                        let reason = p.into_inner().next().map(|r| r.as_str().to_string());
                        let mut rec = st.record(n, Outcome::NameNotResolved, text);
                        rec.host = name.clone().or(rec.host);
                        rec.lookup_name.clone_from(&rec.host);
                        rec.dns_error = reason;
                        rec.ip = None;
                        st.push(out, rec);
                    }
                    _ => {}
                }
            }
            if name.is_some() {
                st.host = name;
            }
        }
        Rule::gnu_connecting => {
            st.flush_connected(out);
            let mut names = Vec::new();
            let mut result = None;
            for p in pair.into_inner() {
                match p.as_rule() {
                    Rule::name_text => names.push(p.as_str()),
                    Rule::ip_text => st.ip = parse_ip(p.as_str()),
                    Rule::port => st.port = p.as_str().parse().ok(),
                    Rule::address_port => {
                        let (h, port) = probe::split_host_port(p.as_str());
                        st.ip = parse_ip(h);
                        st.host = Some(h.to_string());
                        st.port = port.or(st.port);
                    }
                    Rule::connect_result => result = p.into_inner().next(),
                    _ => {}
                }
            }
            if let Some(h) = names.first() {
                st.host = Some((*h).to_string());
            }
            match result {
                Some(r) if r.as_rule() == Rule::connected_word => st.connected = Some((n, text)),
                Some(r) => {
                    let reason = r.into_inner().next().map_or("", |x| x.as_str());
                    let rec =
                        st.record(n, outcome_of_reason(reason).unwrap_or(Outcome::Other), text);
                    st.push(out, rec);
                }
                None => st.connecting = Some(n),
            }
        }
        Rule::busybox_connecting => {
            let mut it = pair.into_inner();
            // `Connecting to backend:8080 (10.96.12.7:8080)`: the name may carry the port.
            st.host = it
                .next()
                .map(|p| probe::split_host_port(p.as_str()).0.to_string());
            if let Some(ap) = it.next() {
                let (h, port) = probe::split_host_port(ap.as_str());
                st.ip = parse_ip(h);
                st.port = port;
            }
            st.connecting = Some(n);
        }
        Rule::http_response | Rule::server_response => {
            // `-S`: `awaiting response...` with nothing after it; the status line follows.
            if pair.clone().into_inner().next().is_none() {
                return;
            }
            st.connected = None;
            let mut rec = st.record(n, Outcome::Other, text);
            for p in pair.into_inner() {
                match p.as_rule() {
                    Rule::status_code => {
                        rec.http_status = p.as_str().parse().ok();
                        rec.outcome = Outcome::HttpStatus;
                    }
                    Rule::reason => {
                        rec.outcome = outcome_of_reason(p.as_str()).unwrap_or(Outcome::Other)
                    }
                    _ => {}
                }
            }
            st.push(out, rec);
        }
        Rule::tls_failure => {
            let rec = st.record(n, Outcome::TlsError, text);
            st.push(out, rec);
        }
        Rule::unable_to_resolve | Rule::bad_address => {
            let name = pair.into_inner().next().map(|p| p.as_str().to_string());
            let dup =
                st.last_was_resolve_failure && out.records.last().is_some_and(|r| r.host == name);
            if !dup {
                let mut rec = st.record(n, Outcome::NameNotResolved, text);
                rec.host.clone_from(&name);
                rec.lookup_name = name;
                rec.ip = None;
                st.push(out, rec);
            }
        }
        Rule::cant_connect => {
            let mut rec = st.record(n, Outcome::Other, text);
            for p in pair.into_inner() {
                match p.as_rule() {
                    Rule::ip_text => rec.ip = parse_ip(p.as_str()).or(rec.ip),
                    Rule::reason => {
                        rec.outcome = outcome_of_reason(p.as_str()).unwrap_or(Outcome::Other)
                    }
                    _ => {}
                }
            }
            st.push(out, rec);
        }
        Rule::server_error => {
            let mut rec = st.record(n, Outcome::HttpStatus, text);
            rec.http_status = pair
                .into_inner()
                .next()
                .and_then(|p| p.as_str().parse().ok());
            st.push(out, rec);
        }
        Rule::busybox_saving if st.connecting.is_some() => {
            let rec = st.record(n, Outcome::Connected, text);
            st.push(out, rec);
        }
        Rule::wget_error => {
            let reason = pair.into_inner().next().map_or("", |p| p.as_str());
            let rec = st.record(n, outcome_of_reason(reason).unwrap_or(Outcome::Other), text);
            st.push(out, rec);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule_of(line: &str) -> Option<Rule> {
        P::parse(Rule::wget_line, line)
            .ok()?
            .next()?
            .into_inner()
            .next()
            .map(|p| p.as_rule())
    }

    #[test]
    fn line_rules() {
        assert_eq!(
            rule_of("--2024-01-10 10:00:00--  http://backend/"),
            Some(Rule::request_start)
        );
        assert_eq!(
            rule_of("Resolving backend (backend)... 10.96.12.7"),
            Some(Rule::resolving)
        );
        assert_eq!(
            rule_of(
                "Connecting to backend (backend)|10.96.12.7|:80... failed: Connection refused."
            ),
            Some(Rule::gnu_connecting)
        );
        assert_eq!(
            rule_of("Connecting to 10.96.12.7:80... connected."),
            Some(Rule::gnu_connecting)
        );
        assert_eq!(
            rule_of("Connecting to backend (10.96.12.7:80)"),
            Some(Rule::busybox_connecting)
        );
        assert_eq!(
            rule_of("HTTP request sent, awaiting response... 503 Service Unavailable"),
            Some(Rule::http_response)
        );
        assert_eq!(
            rule_of("wget: unable to resolve host address ‘backend’"),
            Some(Rule::unable_to_resolve)
        );
        assert_eq!(
            rule_of("wget: bad address 'backend'"),
            Some(Rule::bad_address)
        );
        assert_eq!(
            rule_of("wget: can't connect to remote host (10.96.12.7): Connection refused"),
            Some(Rule::cant_connect)
        );
        assert_eq!(
            rule_of("wget: server returned error: HTTP/1.1 503 Service Unavailable"),
            Some(Rule::server_error)
        );
        // Negative.
        assert_eq!(rule_of("Connecting to backend (backend)|10.96."), None);
        assert_eq!(rule_of("Length: 612 [text/html]"), None);
    }

    #[test]
    fn gnu_refused() {
        let seg = Segment::new(
            "Connecting to backend (backend)|10.96.12.7|:80... failed: Connection refused.",
            1,
        );
        let out = parse(&seg);
        let r = &out.records[0];
        assert_eq!(
            (r.outcome, r.port, r.ip),
            (Outcome::Refused, Some(80), "10.96.12.7".parse().ok())
        );
    }
}
