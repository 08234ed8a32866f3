//! dig (ISC bind 9.8–9.20).
//!
//! Commands: `dig NAME`, `dig @SERVER NAME`, `dig +search NAME`, `dig +showsearch NAME`,
//! `dig +short NAME`, `dig +noall +answer NAME`, `dig +trace NAME`, usually inside `kubectl exec POD -- dig …` or
//! `kubectl run … -- dig …`.
//!
//! Variants: 9.8–9.11 (`;; SERVER: 10.96.0.10#53(10.96.0.10)`), 9.16, 9.18 and 9.20
//! (`;; SERVER: 10.96.0.10#53(10.96.0.10) (UDP)`, `;; communications error to
//! 10.96.0.10#53: timed out` before `;; no servers could be reached`), `+short` output,
//! `+noall +answer` output, and pastes of `+showsearch` cut down to the banner and question
//! lines (`; <<>> DiG 9.8.1-P1 <<>> +showsearch google.com` / `;google.com.svc.cluster.local. IN
//! A`, answers without their `;; ANSWER SECTION:` header).
//!
//! Record: one per DNS message. A `; <<>> DiG` banner starts one; under one banner each
//! further `;; ->>HEADER<<-` block (`+showsearch`/`+search` print one per search domain
//! tried), or a second question line, starts the next, with the same `args`. `args`: the
//! banner's arguments (the command line's when the paste has no banner); `status`: the
//! HEADER rcode as printed (`NOERROR`, `NXDOMAIN`, `SERVFAIL`, `REFUSED`, …); `question`;
//! `answer`: the records of the ANSWER section, or records outside any section; `server`: the
//! address of `;; SERVER:` without port; `timed_out`: `;; connection timed out; no servers could
//! be reached`, or 9.18's `communications error …: timed out` when no reply followed. `+short`
//! output (bare values, no banner) is one record with `short: true` and answers with an empty
//! name and `A`/`AAAA`/`CNAME` inferred from the value; the class of such answers (and of
//! `+noclass` ones) is dig's default `IN`.
//!
//! `+trace` (one record per run): dig asks its resolver for the root `.` NS records, then
//! walks the delegations itself, printing the records of each reply (no HEADER, no
//! sections) followed by `;; Received 1170 bytes from 199.7.91.13#53(d.root-servers.net) in
//! 12 ms`. Each such line closes one `trace` step: `records` (everything printed since the
//! previous step: NS, DS, RRSIG, the final answer), `received_bytes`, `server` (the address),
//! `port`, `server_name` (the name in parentheses), `time_ms`. Records after the last
//! `;; Received` line (a paste cut short) form a last step without those fields. `answer`
//! then holds the final reply's records of the asked type (a type word in `args`, else
//! `A`) or `CNAME`, when the run went past the root list and ended without a failure;
//! `status` stays `None` (+trace prints no HEADER). Failures: `;; connection timed out; no
//! servers could be reached`, or 9.18's `;; communications error …: timed out` with no reply
//! after it, or `;; no servers could be reached` after one → `timed_out`; `couldn't get
//! address for 'a.root-servers.net': not found` and `dig: couldn't get address for …: no
//! more` → `error` (the first such line) and `error_line` — in a `+trace` run only; outside
//! one a `dig:` error stays a problem. `trace`, `error` and `error_line` are left out of the
//! JSON when empty. A run is a trace when its args (banner or command line) say `+trace` or
//! once a `;; Received` line is seen.
//!
//! Known lines skipped deliberately: AUTHORITY and ADDITIONAL records, `;; Got answer:`,
//! `;; flags:`, `;; OPT PSEUDOSECTION:` and its `; EDNS:`/`; COOKIE:` lines, `;; global
//! options:`, `; (1 server found)`, `;; Query time`, `;; WHEN`, `;; MSG SIZE`, `;; Warning:`/`;;
//! WARNING:`, `;; communications error …: connection refused` (no field for it: the record
//! keeps `status: None`), `+trace`'s `;; UDP setup with … failed: network unreachable.` (an
//! IPv6 root or TLD server from an IPv4-only pod), and the lines kubectl prints around a
//! command it ran. `dig: …` errors (`dig: couldn't get address for 'x': not found`) outside a
//! `+trace` run are reported as problems.
//!
//! ```text
//! ; <<>> DiG 9.18.28 <<>> backend.default.svc.cluster.local
//! ;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 5108
//! ;; QUESTION SECTION:
//! ;backend.default.svc.cluster.local. IN A
//! ;; ANSWER SECTION:
//! backend.default.svc.cluster.local. 30 IN A 10.96.12.7
//! → { line: 1, args: "backend.default.svc.cluster.local", status: "NOERROR",
//!     question: { line: 4, name: "backend.default.svc.cluster.local.", class: "IN", type: "A" },
//!     answer: [{ line: 6, name: "backend.default.svc.cluster.local.", ttl: 30, class: "IN",
//!     type: "A", data: "10.96.12.7", ip: 10.96.12.7 }], server: null, timed_out: false, short: false }
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
#[grammar = "../grammar/dig.pest"]
struct P;

/// One DNS message dig printed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    /// 1-based input line where the message starts (banner, HEADER or first value).
    pub line: usize,
    /// The arguments of the `; <<>> DiG 9.18.x <<>> args` banner.
    pub args: Option<String>,
    /// The HEADER rcode: `NOERROR`, `NXDOMAIN`, `SERVFAIL`, `REFUSED`, …
    pub status: Option<String>,
    /// The line that shows the outcome: the HEADER line, or the timeout line.
    pub status_line: Option<usize>,
    pub question: Option<Question>,
    pub answer: Vec<Rr>,
    /// `;; SERVER: 10.96.0.10#53(10.96.0.10) (UDP)` → `10.96.0.10`.
    pub server: Option<String>,
    pub timed_out: bool,
    /// `+short` output.
    pub short: bool,
    /// `+trace`: one step per reply, in order (root NS list first).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub trace: Vec<TraceStep>,
    /// `+trace` runs: the first `couldn't get address for 'x': …` line, as printed (without
    /// a `dig: ` prefix).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_line: Option<usize>,
}

/// One reply of a `+trace` run: the records printed, then the `;; Received` line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceStep {
    /// The `;; Received` line (the first record's line for a step cut off before it).
    pub line: usize,
    /// Every record printed for this reply: NS, DS, RRSIG, the answer.
    pub records: Vec<Rr>,
    /// `;; Received 1170 bytes from …` → 1170.
    pub received_bytes: Option<u32>,
    /// The address that replied: `199.7.91.13`, `2001:503:a83e::2:30`.
    pub server: Option<String>,
    pub port: Option<u16>,
    /// The name in parentheses: `d.root-servers.net` (the address again for the first step).
    pub server_name: Option<String>,
    pub time_ms: Option<u32>,
}

/// The question section's line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Question {
    pub line: usize,
    pub name: String,
    pub class: String,
    /// The record type (`A`, `AAAA`, `CNAME`, …); JSON `type`, jc's name.
    #[serde(rename = "type")]
    pub rtype: String,
}

/// One resource record of the answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rr {
    pub line: usize,
    /// Owner name as printed (empty for `+short`).
    pub name: String,
    pub ttl: Option<u32>,
    pub class: String,
    /// The record type (`A`, `AAAA`, `CNAME`, …); JSON `type`, jc's name.
    #[serde(rename = "type")]
    pub rtype: String,
    pub data: String,
    /// The address of an `A`/`AAAA` record.
    pub ip: Option<IpAddr>,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "dig",
    aliases: &[],
    title: "dig",
    commands: &[
        "dig NAME",
        "dig @SERVER NAME",
        "dig +search NAME",
        "dig +showsearch NAME",
        "dig +short NAME",
        "dig +trace NAME",
        "kubectl exec POD -- dig NAME",
    ],
    variants: &[
        "ISC dig 9.8–9.11",
        "ISC dig 9.16",
        "ISC dig 9.18–9.20 (SERVER … (UDP), communications error)",
        "+short and +noall +answer output",
        "+trace output (delegation steps, `;; Received … bytes from …`)",
    ],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    inner_command(cmd).0 == "dig"
}

fn sniff(head: &str) -> Option<f32> {
    let mut score: f32 = 0.0;
    for l in head.lines() {
        let t = l.trim();
        if t.starts_with("; <<>> DiG ") || t.starts_with(";; ->>HEADER<<-") {
            score = score.max(0.95);
        } else if t.starts_with(";; QUESTION SECTION:")
            || t.starts_with(";; ANSWER SECTION:")
            || (t.starts_with(";; Received ") && t.contains(" bytes from ") && t.ends_with(" ms"))
        {
            score = score.max(0.9);
        } else if t.starts_with(";; connection timed out; no servers could be reached") {
            // nslookup prints the same words; it sniffs a little higher for a bare timeout.
            score = score.max(0.45);
        }
    }
    (score > 0.0).then_some(score)
}

/// Which section the lines belong to.
#[derive(Clone, Copy, PartialEq)]
enum Section {
    None,
    Question,
    Answer,
    Skipped,
}

/// The message being read.
struct Msg {
    rec: Record,
    /// A `communications error …: timed out` was seen.
    comm_timeout: bool,
    /// Opened by a `; <<>> DiG` banner.
    banner: bool,
    /// A `communications error …: timed out` was seen at any point (not reset by a reply).
    any_comm_timeout: bool,
}

impl Msg {
    fn new(line: usize, args: Option<String>, short: bool) -> Msg {
        Msg {
            rec: Record {
                line,
                args,
                status: None,
                status_line: None,
                question: None,
                answer: Vec::new(),
                server: None,
                timed_out: false,
                short,
                trace: Vec::new(),
                error: None,
                error_line: None,
            },
            comm_timeout: false,
            banner: false,
            any_comm_timeout: false,
        }
    }

    /// A `+trace` run: its args say so, or it printed a `;; Received` line.
    fn is_trace(&self) -> bool {
        !self.rec.trace.is_empty() || has_trace_flag(self.rec.args.as_deref())
    }

    fn finish(mut self, out: &mut Output<Record>) {
        if self.is_trace() {
            finish_trace(&mut self);
        } else if self.comm_timeout && self.rec.status.is_none() && self.rec.answer.is_empty() {
            // 9.18 prints a communications error for each retry; a reply after it is a success.
            self.rec.timed_out = true;
        }
        out.records.push(self.rec);
    }
}

/// `+trace` among the args.
fn has_trace_flag(args: Option<&str>) -> bool {
    args.is_some_and(|a| a.split_whitespace().any(|w| w == "+trace"))
}

/// Close a `+trace` run: records after the last `;; Received` line become a last step, and
/// `answer` becomes the final reply's records of the asked type.
fn finish_trace(m: &mut Msg) {
    let rec = &mut m.rec;
    let pending = std::mem::take(&mut rec.answer);
    if let Some(first) = pending.first() {
        rec.trace.push(TraceStep {
            line: first.line,
            records: pending,
            received_bytes: None,
            server: None,
            port: None,
            server_name: None,
            time_ms: None,
        });
    }
    // A timeout after the last reply: dig gave up on the next delegation.
    if m.comm_timeout {
        rec.timed_out = true;
    }
    if rec.timed_out || rec.error.is_some() || rec.trace.len() < 2 {
        return;
    }
    let qtype = asked_type(rec.args.as_deref());
    if let Some(last) = rec.trace.last().filter(|s| s.received_bytes.is_some()) {
        rec.status_line.get_or_insert(last.line);
        rec.answer = last
            .records
            .iter()
            .filter(|r| {
                r.rtype.eq_ignore_ascii_case(&qtype)
                    || r.rtype == "CNAME"
                    || (qtype == "ANY" && !matches!(r.rtype.as_str(), "RRSIG" | "NSEC" | "NSEC3"))
            })
            .cloned()
            .collect();
    }
}

/// The query type named in dig's args (`AAAA`, `mx`, …), else dig's default `A`.
fn asked_type(args: Option<&str>) -> String {
    const TYPES: &[&str] = &[
        "A", "AAAA", "ANY", "CAA", "CNAME", "DNSKEY", "DS", "MX", "NS", "PTR", "SOA", "SRV", "TXT",
    ];
    args.into_iter()
        .flat_map(str::split_whitespace)
        .map(str::to_ascii_uppercase)
        .find(|w| TYPES.contains(&w.as_str()))
        .unwrap_or_else(|| "A".into())
}

/// The reader's state across lines.
struct State {
    cur: Option<Msg>,
    section: Section,
    /// The current banner's args, for messages after the first under it.
    args: Option<String>,
    /// The command line asked for `+short`.
    short_cmd: bool,
}

impl State {
    fn start(&mut self, line: usize, out: &mut Output<Record>) -> &mut Msg {
        if let Some(done) = self.cur.take() {
            done.finish(out);
        }
        self.section = Section::None;
        self.cur
            .insert(Msg::new(line, self.args.clone(), self.short_cmd))
    }

    fn current(&mut self, line: usize) -> &mut Msg {
        let (args, short) = (self.args.clone(), self.short_cmd);
        self.cur.get_or_insert_with(|| Msg::new(line, args, short))
    }
}

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out = Output::default();
    let cmd = seg.command.as_ref().map(inner_command);
    let cmd_args = cmd
        .filter(|(p, a)| *p == "dig" && !a.is_empty())
        .map(|(_, a)| a.join(" "));
    let mut st = State {
        cur: None,
        section: Section::None,
        args: cmd_args,
        short_cmd: cmd.is_some_and(|(p, a)| p == "dig" && a.iter().any(|a| a == "+short")),
    };
    for (n, raw) in seg.lines() {
        let t = super::probe::capped(raw).trim();
        if t.is_empty() || is_kubectl_noise(t) {
            continue;
        }
        let Some(pair) = P::parse(Rule::dig_line, t)
            .ok()
            .and_then(|mut p| p.next())
            .and_then(|l| l.into_inner().next())
        else {
            let msg = if t.starts_with(';') {
                "not a dig line: a `;` line of no known kind"
            } else {
                "not a dig line: expected a resource record `name [ttl] [class] type data` or a `+short` value"
            };
            out.problem(n, msg);
            continue;
        };
        on_line(pair, n, &mut st, &mut out);
    }
    if let Some(done) = st.cur.take() {
        done.finish(&mut out);
    }
    out
}

fn on_line(pair: Pair<'_, Rule>, n: usize, st: &mut State, out: &mut Output<Record>) {
    match pair.as_rule() {
        Rule::banner => {
            st.args = pair
                .into_inner()
                .find(|p| p.as_rule() == Rule::dig_args)
                .map(|p| p.as_str().trim().to_string())
                .filter(|a| !a.is_empty());
            // 9.18 writes `communications error` lines to stderr, which a terminal shows
            // before the banner: they belong to the message the banner opens.
            let prelude = st.cur.as_ref().is_some_and(|m| {
                !m.banner
                    && !m.rec.short
                    && m.rec.status.is_none()
                    && m.rec.question.is_none()
                    && m.rec.answer.is_empty()
            });
            let args = st.args.clone();
            let m = if prelude {
                st.current(n)
            } else {
                st.start(n, out)
            };
            m.banner = true;
            m.rec.args = args;
        }
        Rule::header => {
            let rcode = pair
                .into_inner()
                .find(|p| p.as_rule() == Rule::rcode)
                .map(|p| p.as_str().to_string());
            let fresh = st.cur.as_ref().is_none_or(|m| {
                m.rec.status.is_none() && m.rec.answer.is_empty() && m.rec.question.is_none()
            });
            let m = if fresh {
                st.section = Section::None;
                st.current(n)
            } else {
                st.start(n, out)
            };
            m.rec.status = rcode;
            m.rec.status_line = Some(n);
        }
        Rule::section => {
            let name = pair.into_inner().next().map(|p| p.as_str()).unwrap_or("");
            st.section = match name {
                "QUESTION" => Section::Question,
                "ANSWER" => Section::Answer,
                _ => Section::Skipped,
            };
        }
        Rule::question => {
            let q = question(pair, n);
            if st.cur.as_ref().is_some_and(|m| m.rec.question.is_some()) {
                // `+showsearch` pasted without its HEADER lines: the next query.
                st.start(n, out);
            }
            st.current(n).rec.question = Some(q);
        }
        // AUTHORITY and ADDITIONAL records stay out of `answer`.
        Rule::rr if st.section != Section::Skipped => {
            let rr = rr(pair, n);
            st.current(n).rec.answer.push(rr);
        }
        Rule::short => {
            let v = pair.as_str();
            let Some(rr) = short_rr(v, n) else {
                out.problem(
                    n,
                    format!(
                        "not a dig line: `{}` is neither an address nor a name",
                        clip(v)
                    ),
                );
                return;
            };
            match &mut st.cur {
                Some(m) if m.rec.short => m.rec.answer.push(rr),
                Some(_) => out.problem(n, "a bare value inside a full dig message"),
                None => {
                    let m = st.current(n);
                    m.rec.short = true;
                    m.rec.answer.push(rr);
                }
            }
        }
        Rule::server => {
            let host = pair
                .into_inner()
                .find(|p| p.as_rule() == Rule::server_host)
                .map(|p| p.as_str().to_string());
            st.current(n).rec.server = host;
        }
        Rule::timed_out => {
            let m = st.current(n);
            m.rec.timed_out = true;
            m.rec.status_line = Some(n);
        }
        Rule::comm_error => {
            let reason = pair
                .into_inner()
                .find(|p| p.as_rule() == Rule::reason)
                .map(|p| p.as_str())
                .unwrap_or("");
            let m = st.current(n);
            if reason.contains("timed out") {
                m.comm_timeout = true;
                m.any_comm_timeout = true;
                m.rec.status_line.get_or_insert(n);
            }
        }
        Rule::no_servers => {
            let m = st.current(n);
            // In a trace a reply may come between the retries and this line.
            if m.comm_timeout || (m.is_trace() && m.any_comm_timeout) {
                m.rec.timed_out = true;
                if m.is_trace() {
                    m.rec.status_line.get_or_insert(n);
                }
            }
        }
        Rule::received => {
            let mut step = trace_step(pair, n);
            let m = st.current(n);
            step.records = std::mem::take(&mut m.rec.answer);
            m.rec.trace.push(step);
            // A server answered after the retries: not a timeout (yet).
            m.comm_timeout = false;
        }
        Rule::dig_error | Rule::no_address => {
            let text = pair.as_str();
            match &mut st.cur {
                Some(m) if m.is_trace() => {
                    if m.rec.error.is_none() {
                        m.rec.error = Some(text.trim_start_matches("dig: ").to_string());
                        m.rec.error_line = Some(n);
                        m.rec.status_line.get_or_insert(n);
                    }
                }
                _ => out.problem(n, format!("dig failed: {}", clip(text))),
            }
        }
        // Known lines with nothing to keep.
        _ => {}
    }
}

/// At most 80 characters of `s`, for messages.
fn clip(s: &str) -> String {
    s.chars().take(80).collect()
}

/// A `;; Received N bytes from ADDR#PORT(NAME) in T ms` line, records still to fill in.
fn trace_step(pair: Pair<'_, Rule>, n: usize) -> TraceStep {
    let mut s = TraceStep {
        line: n,
        records: Vec::new(),
        received_bytes: None,
        server: None,
        port: None,
        server_name: None,
        time_ms: None,
    };
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::received_bytes => s.received_bytes = p.as_str().parse().ok(),
            Rule::server_host => s.server = Some(p.as_str().to_string()),
            Rule::port => s.port = p.as_str().parse().ok(),
            Rule::server_name => s.server_name = Some(p.as_str().to_string()),
            Rule::time_ms => s.time_ms = p.as_str().parse().ok(),
            _ => {}
        }
    }
    s
}

fn question(pair: Pair<'_, Rule>, n: usize) -> Question {
    let mut q = Question {
        line: n,
        name: String::new(),
        class: "IN".into(),
        rtype: String::new(),
    };
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::owner => q.name = p.as_str().to_string(),
            Rule::class => q.class = p.as_str().to_string(),
            Rule::rtype => q.rtype = p.as_str().to_string(),
            _ => {}
        }
    }
    q
}

fn rr(pair: Pair<'_, Rule>, n: usize) -> Rr {
    let mut r = Rr {
        line: n,
        name: String::new(),
        ttl: None,
        class: "IN".into(),
        rtype: String::new(),
        data: String::new(),
        ip: None,
    };
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::owner => r.name = p.as_str().to_string(),
            Rule::ttl => r.ttl = p.as_str().parse().ok(),
            Rule::class => r.class = p.as_str().to_string(),
            Rule::rtype => r.rtype = p.as_str().to_string(),
            Rule::rdata => r.data = p.as_str().trim().to_string(),
            _ => {}
        }
    }
    if matches!(r.rtype.as_str(), "A" | "AAAA") {
        r.ip = r.data.parse().ok();
    }
    r
}

/// A `+short` value: an address (`A`/`AAAA`) or a name ending in `.` (`CNAME`).
fn short_rr(v: &str, n: usize) -> Option<Rr> {
    let (rtype, ip) = match v.parse::<IpAddr>() {
        Ok(ip @ IpAddr::V4(_)) => ("A", Some(ip)),
        Ok(ip @ IpAddr::V6(_)) => ("AAAA", Some(ip)),
        Err(_)
            if v.len() > 1
                && v.ends_with('.')
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')) =>
        {
            ("CNAME", None)
        }
        Err(_) => return None,
    };
    Some(Rr {
        line: n,
        name: String::new(),
        ttl: None,
        class: "IN".into(),
        rtype: rtype.into(),
        data: v.to_string(),
        ip,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule_of(line: &str) -> Option<Rule> {
        P::parse(Rule::dig_line, line)
            .ok()?
            .next()?
            .into_inner()
            .next()
            .map(|p| p.as_rule())
    }

    #[test]
    fn line_rules() {
        assert_eq!(
            rule_of("; <<>> DiG 9.18.28-0ubuntu0.22.04.1-Ubuntu <<>> +search backend"),
            Some(Rule::banner)
        );
        assert_eq!(
            rule_of(";; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: 41476"),
            Some(Rule::header)
        );
        assert_eq!(rule_of(";; OPT PSEUDOSECTION:"), Some(Rule::section));
        assert_eq!(
            rule_of("; EDNS: version: 0, flags:; udp: 1232"),
            Some(Rule::pseudo)
        );
        assert_eq!(
            rule_of(";google.com.            IN  A"),
            Some(Rule::question)
        );
        assert_eq!(
            rule_of("google.com.     258 IN  A   74.125.201.100"),
            Some(Rule::rr)
        );
        assert_eq!(
            rule_of("cluster.local.\t30\tIN\tSOA\tns.dns.cluster.local. hostmaster.cluster.local. 1700000000 7200 1800 86400 30"),
            Some(Rule::rr)
        );
        assert_eq!(rule_of("; (1 server found)"), Some(Rule::servers_found));
        assert_eq!(
            rule_of(";; SERVER: 10.96.0.10#53(10.96.0.10) (UDP)"),
            Some(Rule::server)
        );
        assert_eq!(rule_of("10.96.12.7"), Some(Rule::short));
        // Negative: prose does not pass for a record.
        assert_eq!(rule_of("Error: SOMETHING bad happened"), None);
        assert_eq!(rule_of(";; ->>HEADER<<- opcode: QUERY"), None);
    }

    #[test]
    fn showsearch_headers_are_records_with_the_same_args() {
        let text = "; <<>> DiG 9.18.28 <<>> +showsearch backend\n;; global options: +cmd\n;; Got answer:\n;; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: 1\n;; QUESTION SECTION:\n;backend.svc.cluster.local. IN A\n\n;; Got answer:\n;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 2\n;; QUESTION SECTION:\n;backend.default.svc.cluster.local. IN A\n\n;; ANSWER SECTION:\nbackend.default.svc.cluster.local. 30 IN A 10.96.12.7\n\n;; AUTHORITY SECTION:\ncluster.local. 30 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1 2 3 4 5\n";
        let out = parse(&Segment::new(text, 1));
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records.len(), 2);
        let (a, b) = (&out.records[0], &out.records[1]);
        assert_eq!((a.line, a.status.as_deref()), (1, Some("NXDOMAIN")));
        assert_eq!((b.line, b.status.as_deref()), (9, Some("NOERROR")));
        assert_eq!(b.args.as_deref(), Some("+showsearch backend"));
        assert_eq!(b.answer.len(), 1, "authority kept out");
        assert_eq!(b.answer[0].ip, "10.96.12.7".parse().ok());
    }

    #[test]
    fn short_values() {
        let out = parse(&Segment::new(
            "web.default.svc.cluster.local.\n10.96.12.7\nfd00::7\n",
            1,
        ));
        let r = &out.records[0];
        assert!(r.short && out.problems.is_empty());
        let types: Vec<&str> = r.answer.iter().map(|a| a.rtype.as_str()).collect();
        assert_eq!(types, vec!["CNAME", "A", "AAAA"]);
        let out = parse(&Segment::new("garbage!\n", 4));
        assert_eq!(out.problems[0].line, 4);
    }

    #[test]
    fn comm_error_then_reply_is_not_a_timeout() {
        let text = ";; communications error to 10.96.0.10#53: timed out\n;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 2\n";
        let out = parse(&Segment::new(text, 1));
        assert!(!out.records[0].timed_out);
        let text = ";; communications error to 10.96.0.10#53: timed out\n;; communications error to 10.96.0.10#53: timed out\n;; no servers could be reached\n";
        let out = parse(&Segment::new(text, 1));
        assert!(out.records[0].timed_out && out.problems.is_empty());
    }
}
