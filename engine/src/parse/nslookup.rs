//! nslookup (ISC bind and busybox).
//!
//! Commands: `nslookup NAME`, `nslookup NAME SERVER`, `nslookup -type=a NAME`, usually inside
//! `kubectl exec POD -- nslookup NAME` or `kubectl run -it --rm dnsutils --image=… -- nslookup
//! NAME`.
//!
//! Variants:
//! - ISC bind 9.11–9.20: `Server:\t\t10.96.0.10` / `Address:\t10.96.0.10#53`, `Non-authoritative
//!   answer:`, `Name:\tx` / `Address: 10.96.12.7`; failures `** server can't find x: NXDOMAIN`
//!   (also `SERVFAIL`, `REFUSED`), `*** Can't find x: No answer`, `;; connection timed out; no
//!   servers could be reached`, 9.18's `;; communications error to 10.96.0.10#53: timed out`
//!   (or `connection refused`) and `;; no servers could be reached`, `;; Got SERVFAIL reply
//!   from …`, `;; Got recursion not available from …` (a warning: the status comes from the
//!   line after it).
//! - busybox 1.28 and earlier: `Server:    10.96.0.10` / `Address 1: 10.96.0.10
//!   kube-dns.kube-system.svc.cluster.local`, answers `Name:      kubernetes.default` /
//!   `Address 1: 10.96.0.1 kubernetes.default.svc.cluster.local`, failure `nslookup: can't
//!   resolve 'kubernetes.default'`. Alpine's `nslookup: can't resolve '(null)': Name does not
//!   resolve` (the reverse lookup of the server, printed before good answers) is skipped.
//! - busybox 1.30+: `Address:\t10.96.0.10:53`, one `** server can't find x: NXDOMAIN` per search
//!   domain tried, `*** Can't find x: No answer`, `nslookup: write to '10.96.0.10': Connection
//!   refused` then `;; connection timed out; no servers could be reached`.
//!
//! Record: one per lookup; a `Server:` line after the first starts the next one, so
//! concatenated outputs give one record each. `name`: the name asked: the command line's
//! argument when the segment has one and a single lookup, else, in this order of trust,
//! `can't resolve 'x'`, `*** Can't find x`, the owner of the first `canonical name =` line,
//! the first `Name:`, the first `** server can't find x`. `server` is the `Server:` text,
//! `server_address` the `Address` of the server block without its port (`10.96.0.10`).
//! `answers`: each `Address` under a `Name:` (the Address line's number). `attempts`: each
//! `** server can't find` and `*** Can't find` line. `status`: `answered` when there is an
//! answer (also when other types or search domains failed), else the last failure — except
//! that `No answer` does not hide an earlier NXDOMAIN/SERVFAIL/REFUSED of the same lookup, and
//! busybox's `connection timed out` after `Connection refused` stays `refused`. A lookup that
//! ends with neither answer nor failure is `unknown` and a problem (truncated paste).
//!
//! Other record types (`canonical name =`, `name =` of PTR, `text =`, `mail exchanger =`, SOA
//! fields), `Non-authoritative answer:`, `Authoritative answers can be found from:`, `;;
//! Warning:` lines are read and not modelled. Lines `kubectl exec`/`kubectl run` print around
//! the output (`If you don't see a command prompt, try pressing enter.`, `pod "dnsutils"
//! deleted`, `command terminated with exit code 1`) are skipped deliberately.
//!
//! ```text
//! Server:         10.96.0.10
//! Address:        10.96.0.10#53
//!
//! ** server can't find foo.default.svc.cluster.local: NXDOMAIN
//! → { line: 1, name: "foo.default.svc.cluster.local", server: "10.96.0.10", server_address: "10.96.0.10",
//!     answers: [], attempts: [{ line: 4, name: "foo.default.svc.cluster.local", reason: "NXDOMAIN",
//!     status: "nxdomain" }], status: "nxdomain", status_line: 4 }
//! ```

use super::resolv_conf::{inner_command, is_kubectl_noise};
use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use pest::iterators::Pair;
use pest::Parser;
use serde::Serialize;
use std::net::IpAddr;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/nslookup.pest"]
struct P;

/// One lookup.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    /// 1-based input line where the lookup's output starts (its `Server:` line).
    pub line: usize,
    /// The name asked.
    pub name: Option<String>,
    /// The `Server:` text (an address or the server name given).
    pub server: Option<String>,
    /// The server block's address, without port (`10.96.0.10`).
    pub server_address: Option<String>,
    pub answers: Vec<Answer>,
    pub attempts: Vec<Attempt>,
    pub status: LookupStatus,
    /// The line that decided `status`.
    pub status_line: Option<usize>,
}

/// One address answered for a name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answer {
    pub line: usize,
    pub name: String,
    pub address: IpAddr,
}

/// One failed query: `** server can't find x: NXDOMAIN`, `*** Can't find x: No answer`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attempt {
    pub line: usize,
    pub name: String,
    /// As printed: `NXDOMAIN`, `SERVFAIL`, `No answer`.
    pub reason: String,
    pub status: LookupStatus,
}

/// How a lookup ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LookupStatus {
    Answered,
    Nxdomain,
    Servfail,
    Refused,
    Timeout,
    NoServers,
    CantResolve,
    NoAnswer,
    Other(String),
    Unknown,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "nslookup",
    aliases: &[],
    title: "nslookup (busybox and bind)",
    commands: &[
        "nslookup NAME",
        "nslookup NAME SERVER",
        "kubectl exec POD -- nslookup NAME",
        "kubectl run -it --rm dnsutils --image=… -- nslookup NAME",
    ],
    variants: &[
        "ISC bind 9.11–9.20",
        "busybox 1.28 and earlier (Address 1:)",
        "busybox 1.30+ (one line per search domain tried)",
    ],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    inner_command(cmd).0 == "nslookup"
}

fn sniff(head: &str) -> Option<f32> {
    let mut score: f32 = 0.0;
    let mut server = false;
    for l in head.lines() {
        let t = l.trim();
        if t.starts_with("** server can't find ")
            || t.starts_with("nslookup: can't resolve '")
            || t.starts_with("nslookup: write to '")
        {
            score = score.max(0.95);
        } else if t.starts_with("*** Can't find ") {
            score = score.max(0.9);
        } else if t.starts_with("Server:") {
            server = true;
        } else if server && t.starts_with("Address") {
            // `Server:` then `Address:`/`Address 1:` (kubectl describe has neither together).
            score = score.max(0.9);
        } else if t.starts_with(";; connection timed out; no servers could be reached") {
            // Also dig's wording: a bare timeout is nslookup's by a small margin.
            score = score.max(0.5);
        }
    }
    (score > 0.0).then_some(score)
}

/// What a reason text means: `NXDOMAIN`, `SERVFAIL`, `No answer`, `timed out`, …
fn status_of(reason: &str) -> LookupStatus {
    let r = reason.trim();
    let lower = r.to_ascii_lowercase();
    if r.contains("NXDOMAIN") || lower.contains("non-existent domain") {
        LookupStatus::Nxdomain
    } else if r.contains("SERVFAIL") || lower.contains("server failed") {
        LookupStatus::Servfail
    } else if r.contains("REFUSED") || lower.contains("refused") {
        LookupStatus::Refused
    } else if lower == "no answer" {
        LookupStatus::NoAnswer
    } else if lower.contains("timed out") || lower.contains("timeout") {
        LookupStatus::Timeout
    } else {
        LookupStatus::Other(r.to_string())
    }
}

/// The lookup being read.
struct Lookup {
    rec: Record,
    /// The `Name:` the next `Address` lines answer.
    pending_name: Option<String>,
    /// Every line that said how the lookup ended, in order.
    events: Vec<(usize, LookupStatus)>,
    /// Names the output gave, best first: (rank, name).
    name_hint: Option<(u8, String)>,
    last_line: usize,
    /// A line that ends a lookup was seen (`no servers could be reached`, `can't resolve`).
    final_seen: bool,
}

impl Lookup {
    fn new(line: usize) -> Lookup {
        Lookup {
            rec: Record {
                line,
                name: None,
                server: None,
                server_address: None,
                answers: Vec::new(),
                attempts: Vec::new(),
                status: LookupStatus::Unknown,
                status_line: None,
            },
            pending_name: None,
            events: Vec::new(),
            name_hint: None,
            last_line: line,
            final_seen: false,
        }
    }

    /// Keep `name` if it ranks better (lower) than what was seen.
    fn hint(&mut self, rank: u8, name: &str) {
        if self.name_hint.as_ref().is_none_or(|(r, _)| rank < *r) {
            self.name_hint = Some((rank, name.to_string()));
        }
    }

    fn event(&mut self, line: usize, status: LookupStatus) {
        self.events.push((line, status));
    }

    fn last_event(&self) -> Option<&LookupStatus> {
        self.events.last().map(|(_, s)| s)
    }

    /// Has this lookup printed its server block, a result or a final failure? Retry
    /// warnings (`;; Got SERVFAIL reply from …`, `;; communications error …`) come before
    /// the `Server:` block of the same lookup, so they do not count.
    fn has_content(&self) -> bool {
        self.rec.server.is_some()
            || self.rec.server_address.is_some()
            || !self.rec.answers.is_empty()
            || !self.rec.attempts.is_empty()
            || self.pending_name.is_some()
            || self.final_seen
    }

    fn finish(mut self, out: &mut Output<Record>) {
        let decided = if let Some(a) = self.rec.answers.first() {
            Some((a.line, LookupStatus::Answered))
        } else {
            let last = self.events.last().cloned();
            match last {
                Some((_, LookupStatus::NoAnswer)) => self
                    .events
                    .iter()
                    .rev()
                    .find(|(_, s)| {
                        matches!(
                            s,
                            LookupStatus::Nxdomain | LookupStatus::Servfail | LookupStatus::Refused
                        )
                    })
                    .cloned()
                    .or(last),
                other => other,
            }
        };
        match decided {
            Some((line, status)) => {
                self.rec.status = status;
                self.rec.status_line = Some(line);
            }
            None => out.problem(
                self.last_line,
                "nslookup output ends before an answer or an error (truncated?)",
            ),
        }
        self.rec.name = self.name_hint.map(|(_, n)| n);
        out.records.push(self.rec);
    }
}

/// The name asked on the command line: nslookup's first argument that is not an option.
fn asked_name(seg: &Segment) -> Option<String> {
    let cmd = seg.command.as_ref()?;
    let (program, args) = inner_command(cmd);
    if program != "nslookup" {
        return None;
    }
    args.iter()
        .find(|a| !a.starts_with('-'))
        .map(|a| a.trim_end_matches(';').to_string())
}

/// `10.96.0.10#53`, `10.96.0.10:53`, `[fd00::a]:53`, `fd00::a#53`, `10.96.0.10` → the host.
fn server_host(addr: &str) -> &str {
    match addr.split_once('#') {
        Some((h, _)) => h,
        None => super::probe::split_host_port(addr).0,
    }
}

/// Longest line read with the grammar.
const MAX_LINE: usize = 2048;

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out = Output::default();
    let mut cur: Option<Lookup> = None;
    for (n, raw) in seg.lines() {
        let t = super::probe::capped(raw).trim();
        if t.is_empty() || is_kubectl_noise(t) {
            continue;
        }
        // DNS names are at most 253 characters: a longer line is not nslookup's, and the
        // `query_name` rule looks ahead, so bound its work.
        if t.len() > MAX_LINE {
            out.problem(
                n,
                format!("not an nslookup line: longer than {MAX_LINE} characters"),
            );
            continue;
        }
        let Some(pair) = P::parse(Rule::nslookup_line, t)
            .ok()
            .and_then(|mut p| p.next())
            .and_then(|l| l.into_inner().next())
        else {
            out.problem(
                n,
                "not an nslookup line: expected `Server:`, `Address:`, `Name:`, `** server can't find …` or an error",
            );
            continue;
        };
        // A new `Server:` block starts the next lookup.
        if pair.as_rule() == Rule::server && cur.as_ref().is_some_and(Lookup::has_content) {
            if let Some(done) = cur.take() {
                done.finish(&mut out);
            }
        }
        let lk = cur.get_or_insert_with(|| Lookup::new(n));
        lk.last_line = n;
        on_line(pair, n, lk, &mut out);
    }
    if let Some(done) = cur.take() {
        done.finish(&mut out);
    }
    if out.records.len() == 1 {
        if let (Some(name), Some(r)) = (asked_name(seg), out.records.first_mut()) {
            r.name = Some(name);
        }
    }
    out
}

fn inner_str(pair: Pair<'_, Rule>, rule: Rule) -> Option<&str> {
    pair.into_inner()
        .find(|p| p.as_rule() == rule)
        .map(|p| p.as_str())
}

fn on_line(pair: Pair<'_, Rule>, n: usize, lk: &mut Lookup, out: &mut Output<Record>) {
    if matches!(
        pair.as_rule(),
        Rule::timed_out | Rule::no_servers | Rule::cant_resolve | Rule::couldnt_get
    ) && !pair.as_str().contains("'(null)'")
    {
        lk.final_seen = true;
    }
    match pair.as_rule() {
        Rule::server => {
            lk.rec.server = inner_str(pair, Rule::server_name).map(str::to_string);
        }
        Rule::address => {
            let Some(addr) = inner_str(pair, Rule::addr) else {
                return;
            };
            if let Some(name) = lk.pending_name.clone() {
                match super::probe::parse_ip(addr) {
                    Some(address) => lk.rec.answers.push(Answer {
                        line: n,
                        name,
                        address,
                    }),
                    None => out.problem(n, format!("answer address `{addr}` is not an IP address")),
                }
            } else if lk.rec.server_address.is_none() {
                lk.rec.server_address = Some(server_host(addr).to_string());
            } else {
                out.problem(n, "`Address` line outside a server block or `Name:` answer");
            }
        }
        Rule::name => {
            if let Some(v) = inner_str(pair, Rule::value) {
                lk.hint(5, v);
                lk.pending_name = Some(v.to_string());
            }
        }
        Rule::cant_find | Rule::no_answer => {
            let rank = if pair.as_rule() == Rule::no_answer {
                2
            } else {
                6
            };
            let mut name = "";
            let mut reason = "";
            for p in pair.into_inner() {
                match p.as_rule() {
                    Rule::query_name => name = p.as_str(),
                    Rule::reason => reason = p.as_str().trim(),
                    _ => {}
                }
            }
            let status = status_of(reason);
            lk.hint(rank, name);
            lk.rec.attempts.push(Attempt {
                line: n,
                name: name.to_string(),
                reason: reason.to_string(),
                status: status.clone(),
            });
            lk.event(n, status);
        }
        Rule::cant_resolve => {
            let q = inner_str(pair, Rule::quoted).unwrap_or("");
            // Alpine/musl busybox: the reverse lookup of the server failed; harmless.
            if q != "(null)" {
                lk.hint(1, q);
                lk.event(n, LookupStatus::CantResolve);
            }
        }
        Rule::write_failed | Rule::comm_error => {
            let reason = inner_str(pair, Rule::reason).unwrap_or("");
            lk.event(n, status_of(reason));
        }
        Rule::couldnt_get => lk.event(n, LookupStatus::NoServers),
        // busybox prints this after `write to '…': Connection refused`: keep the cause.
        Rule::timed_out if lk.last_event() != Some(&LookupStatus::Refused) => {
            lk.event(n, LookupStatus::Timeout);
        }
        // bind 9.18 ends its `communications error` lines with this: keep their reason.
        Rule::no_servers
            if !matches!(
                lk.last_event(),
                Some(LookupStatus::Timeout | LookupStatus::Refused)
            ) =>
        {
            lk.event(n, LookupStatus::NoServers);
        }
        Rule::got_reply => {
            let kind = inner_str(pair, Rule::value).unwrap_or("");
            lk.event(n, status_of(kind));
        }
        // `payments.shop.svc.cluster.local\tcanonical name = payments.example.com.`: the
        // owner of the first CNAME is the name that was looked up.
        Rule::other_record if pair.as_str().contains("canonical name = ") => {
            if let Some(owner) = inner_str(pair, Rule::value) {
                lk.hint(3, owner);
            }
        }
        // Non-authoritative answer:, other record types, warnings: read, not modelled.
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule_of(line: &str) -> Option<Rule> {
        P::parse(Rule::nslookup_line, line)
            .ok()?
            .next()?
            .into_inner()
            .next()
            .map(|p| p.as_rule())
    }

    #[test]
    fn line_rules() {
        assert_eq!(rule_of("Server:\t\t10.96.0.10"), Some(Rule::server));
        assert_eq!(rule_of("Address:\t10.96.0.10#53"), Some(Rule::address));
        assert_eq!(
            rule_of("Address 1: 10.96.0.1 kubernetes.default.svc.cluster.local"),
            Some(Rule::address)
        );
        assert_eq!(
            rule_of("** server can't find a.b: c: NXDOMAIN"),
            Some(Rule::cant_find)
        );
        assert_eq!(
            rule_of("*** Can't find backend: No answer"),
            Some(Rule::no_answer)
        );
        assert_eq!(
            rule_of("backend.default.svc.cluster.local\tcanonical name = web.default.svc.cluster.local."),
            Some(Rule::other_record)
        );
        assert_eq!(
            rule_of("origin = ns.dns.cluster.local"),
            Some(Rule::other_record)
        );
        assert_eq!(
            rule_of(";; Got recursion not available from 10.96.0.10"),
            Some(Rule::warning)
        );
        assert_eq!(
            rule_of(";; Got SERVFAIL reply from 10.96.0.10, trying next server"),
            Some(Rule::got_reply)
        );
        assert_eq!(
            rule_of(";; communications error to 10.96.0.10#53: timed out"),
            Some(Rule::comm_error)
        );
        // Negative: cut-off and prose lines.
        assert_eq!(rule_of("** server can't find backend"), None);
        assert_eq!(rule_of("Address"), None);
        assert_eq!(rule_of("the server is down"), None);
    }

    #[test]
    fn query_name_keeps_colons_up_to_the_reason() {
        let out = parse(&Segment::new("** server can't find a:b: SERVFAIL", 3));
        let r = &out.records[0];
        assert_eq!(r.attempts[0].name, "a:b");
        assert_eq!(
            (r.status.clone(), r.status_line),
            (LookupStatus::Servfail, Some(3))
        );
    }

    #[test]
    fn no_answer_does_not_hide_nxdomain() {
        let out = parse(&Segment::new(
            "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n** server can't find kubernetes.default: NXDOMAIN\n\n*** Can't find kubernetes.default: No answer\n",
            1,
        ));
        let r = &out.records[0];
        assert_eq!(
            (r.status.clone(), r.status_line),
            (LookupStatus::Nxdomain, Some(4))
        );
        assert_eq!(r.attempts.len(), 2);
        assert_eq!(r.name.as_deref(), Some("kubernetes.default"));
        assert_eq!(r.server_address.as_deref(), Some("10.96.0.10"));
    }

    #[test]
    fn refused_then_timeout_stays_refused() {
        let out = parse(&Segment::new(
            "nslookup: write to '10.96.0.10': Connection refused\n;; connection timed out; no servers could be reached\n",
            1,
        ));
        assert_eq!(out.records[0].status, LookupStatus::Refused);
        assert!(out.problems.is_empty());
    }

    #[test]
    fn retry_warnings_belong_to_the_lookup_that_follows() {
        let out = parse(&Segment::new(
            ";; Got SERVFAIL reply from 10.96.0.10, trying next server\nServer:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\n** server can't find google.com: SERVFAIL\n;; connection timed out; no servers could be reached\nServer:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n",
            1,
        ));
        assert_eq!(out.records.len(), 2, "{:?}", out.records);
        assert_eq!(out.records[0].status, LookupStatus::Timeout);
        assert_eq!(out.records[0].server.as_deref(), Some("10.96.0.10"));
        assert_eq!(out.records[1].line, 7);
    }

    #[test]
    fn long_lines_are_refused_cheaply() {
        let line = format!("** server can't find {}", "a".repeat(20_000));
        let out = parse(&Segment::new(&line, 1));
        assert!(out.records.is_empty());
        assert_eq!(out.problems.len(), 1);
    }

    #[test]
    fn truncated_is_a_problem() {
        let out = parse(&Segment::new(
            "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n",
            1,
        ));
        assert_eq!(out.records[0].status, LookupStatus::Unknown);
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].line, 2);
    }

    #[test]
    fn sniff_is_specific() {
        assert!(sniff("Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n").is_some());
        assert!(sniff("Name: x\nNamespace: y\nAddress: 1.2.3.4\n").is_none());
    }

    #[test]
    fn command_name_wins_for_a_single_lookup() {
        let seg = Segment::with_command(
            "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\nName:\tbackend.default.svc.cluster.local\nAddress: 10.96.12.7\n",
            2,
            "kubectl exec -it debug -- nslookup backend",
        );
        let out = parse(&seg);
        assert_eq!(out.records[0].name.as_deref(), Some("backend"));
        assert_eq!(out.records[0].answers[0].line, 6);
        assert!(matches_command(&crate::cmdline::parse("kubectl run -it --rm dnsutils --image=busybox:1.28 --restart=Never -- nslookup kubernetes.default").unwrap_or_else(|| panic!())));
    }
}
