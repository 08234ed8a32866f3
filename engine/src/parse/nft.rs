//! nft: nftables rulesets, as kube-proxy's nftables mode and iptables-nft leave them.
//!
//! Commands: `nft list ruleset`, `nft -a list ruleset` (`# handle N`), `nft list table ip
//! kube-proxy`, `nft list chain ip kube-proxy services`, `nft list map ip kube-proxy
//! service-ips`, `nft list set …`, `nft list tables` (bare `table ip nat` lines), `nft list
//! chains`.
//!
//! Variants: nftables 0.9.x–1.1.x output (tab-indented blocks; long `elements = { …,` lists
//! continued on the next lines). Two kube-proxy shapes:
//! - iptables-nft's translated tables (kube-proxy 1.28–1.31 iptables mode on an nf_tables
//!   host): `# Warning: table ip nat is managed by iptables-nft, do not touch!`, `table ip nat
//!   {`, chains `KUBE-SERVICES`, `KUBE-SVC-*`, `KUBE-SEP-*`, rules such as `meta l4proto tcp ip
//!   daddr 10.96.0.1  tcp dport 443 counter packets 0 bytes 0 jump KUBE-SVC-NPX46M4PTMTKRN6Y`,
//!   `meta random & 2147483647 < 1073741824 …` (the statistic pick), `dnat to 10.244.1.5:8080`,
//!   untranslatable matches as `xt match "set"` / `xt target "DNAT"` (older nft prints `#
//!   Warning: XT target DNAT not found` at the end of the rule and the `xt …` on the next line:
//!   read as one rule).
//! - kube-proxy's nftables mode (1.31+; alpha 1.29, beta 1.31): `table ip kube-proxy` / `table
//!   ip6 kube-proxy` with `set cluster-ips`, `set nodeport-ips`, `map service-ips`, `map
//!   service-nodeports`, `map no-endpoint-services`, `map firewall-ips`, chains
//!   `nat-prerouting`, `services`, `service-<hash>-<ns>/<svc>/<proto>/<port>` (`numgen random
//!   mod N vmap { 0 : goto endpoint-…, … }`), `endpoint-<hash>-…__<ip>/<port>` (`dnat to`),
//!   `mark-for-masquerade`, `masquerading`, `reject-chain`.
//!
//! Record: tagged by `record`:
//!
//! | record | fields |
//! |---|---|
//! | `table` | `line`, `family` (`ip`, `ip6`, `inet`, `arp`, `bridge`, `netdev`), `name`, `comment`, `flags`, `iptables_nft` (a `# Warning: table … is managed by iptables-nft` named it), `handle` |
//! | `chain` | `line`, `family`, `table`, `name`, `type` (`nat`, `filter`, `route`), `hook` (`prerouting`, …), `device`, `priority` (as printed: `dstnat`, `-100`, `dstnat - 10`), `policy` (`accept`, `drop`), `comment`, `handle` |
//! | `rule` | `line`, `family`, `table`, `chain`, `text` (as printed, `# handle` cut off), `comment`, `jump`, `goto`, `verdict` (`accept`, `drop`, `reject`, `return`, `masquerade`, …), `vmap_targets` (the jump/goto targets of an anonymous `vmap { … }`), `vmap_set` (`@service-ips` of a named `vmap`), `l4proto` (`meta l4proto` / `ip protocol`), `saddr`, `saddr_negated`, `daddr`, `daddr_negated` (`!=`), `sport`, `dport` (`th`/`tcp`/`udp`/`sctp`), `dnat_to`, `snat_to`, `counter_packets`, `counter_bytes`, `xt` (`match set`, `target DNAT`), `warning`, `handle` |
//! | `set` | `line`, `family`, `table`, `name`, `kind` (`set`, `map`), `key_type` (`ipv4_addr . inet_proto . inet_service`), `value_type` (`verdict`), `typeof` (the type was given as `typeof …`), `flags`, `comment`, `size`, `elements`, `handle` |
//! | `warning` | `line`, `message` (`table ip nat is managed by iptables-nft, do not touch!`) |
//! | `error` | `line`, `message` (`No such file or directory`, `Could not process rule: …`) |
//!
//! An element: `line` (where the element starts: lists run over several lines), `key`
//! (`10.96.0.1 . tcp . 443`), `value` (`goto service-…`; `None` in a set), `comment`.
//!
//! Brace depth is kept as a stack of open blocks; a `}` with nothing open is a problem, and a
//! paste that ends inside blocks (cut off) gives one problem per unclosed block, at the line
//! that opened it. What was read before stays.
//!
//! Known lines skipped deliberately: `}` (closes a block); the bodies of stateful objects
//! (`counter NAME {`, `quota`, `limit`, `ct helper|timeout|expectation`, `flowtable`,
//! `secmark`, `synproxy`: not kube-proxy's), set properties other than type, flags,
//! comment and size (`timeout`, `gc-interval`, `policy`, `auto-merge`, `counter`); the echoed
//! command and `^^^^` lines nft prints under an `Error:`. Any other line that fits no rule of
//! its block (a rule outside a chain, text outside a table, an unknown set property, a rule
//! with an unclosed quote) is a problem with its line number. Lines are read one at a time,
//! each capped at 16 KiB; a rule whose anonymous `{ … }` runs over lines is joined (at most
//! 256 lines).
//!
//! ```text
//! table ip kube-proxy {
//!     chain endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80 {
//!         meta l4proto tcp dnat to 10.180.0.5:80
//! → { record: "rule", line: 3, family: "ip", table: "kube-proxy",
//!     chain: "endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80", l4proto: "tcp", dnat_to: "10.180.0.5:80", … }
//! ```

use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use pest::iterators::Pair;
use pest::Parser;
use serde::Serialize;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/nft.pest"]
struct P;

/// One thing of an nft listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "record", rename_all = "snake_case")]
#[allow(clippy::large_enum_variant)]
pub enum Record {
    Table(Table),
    Chain(Chain),
    Rule(NftRule),
    Set(NftSet),
    Warning(Message),
    Error(Message),
}

impl Record {
    /// 1-based input line.
    pub fn line(&self) -> usize {
        match self {
            Record::Table(t) => t.line,
            Record::Chain(c) => c.line,
            Record::Rule(r) => r.line,
            Record::Set(s) => s.line,
            Record::Warning(m) | Record::Error(m) => m.line,
        }
    }
}

/// `table ip kube-proxy {`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Table {
    pub line: usize,
    pub family: String,
    pub name: String,
    pub comment: Option<String>,
    /// `flags dormant`, `flags owner`.
    pub flags: Vec<String>,
    /// True when `# Warning: table FAMILY NAME is managed by iptables-nft` named it.
    pub iptables_nft: bool,
    pub handle: Option<u64>,
}

/// `chain nat-prerouting {` with its `type … hook … priority …; policy …;` line.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Chain {
    pub line: usize,
    pub family: String,
    pub table: String,
    pub name: String,
    /// `nat`, `filter`, `route`; `None` for a regular (non-base) chain.
    #[serde(rename = "type")]
    pub chain_type: Option<String>,
    pub hook: Option<String>,
    pub device: Option<String>,
    /// As printed: `dstnat`, `-100`, `dstnat - 10`.
    pub priority: Option<String>,
    pub policy: Option<String>,
    pub comment: Option<String>,
    pub handle: Option<u64>,
}

/// One rule of a chain.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct NftRule {
    pub line: usize,
    pub family: String,
    pub table: String,
    pub chain: String,
    /// The rule as printed (trimmed, `# handle N` and a trailing `# Warning:` cut off).
    pub text: String,
    pub comment: Option<String>,
    pub jump: Option<String>,
    pub goto: Option<String>,
    /// `accept`, `drop`, `reject`, `return`, `continue`, `masquerade`, `redirect`, `queue`.
    pub verdict: Option<String>,
    /// Targets of an anonymous verdict map: `numgen random mod 2 vmap { 0 : goto a, 1 : goto b }`.
    pub vmap_targets: Vec<String>,
    /// A named verdict map: `vmap @service-ips`.
    pub vmap_set: Option<String>,
    /// `meta l4proto tcp`, `ip protocol udp`, `ip6 nexthdr tcp`.
    pub l4proto: Option<String>,
    /// `ip saddr 10.244.0.0/16`, `@set`, `{ a, b }` as printed.
    pub saddr: Option<String>,
    pub saddr_negated: bool,
    pub daddr: Option<String>,
    pub daddr_negated: bool,
    pub sport: Option<String>,
    pub dport: Option<String>,
    /// `dnat to 10.244.1.5:8080`, `dnat ip to …`.
    pub dnat_to: Option<String>,
    pub snat_to: Option<String>,
    pub counter_packets: Option<u64>,
    pub counter_bytes: Option<u64>,
    /// iptables-nft extensions nft cannot show: `match set`, `target DNAT`.
    pub xt: Vec<String>,
    /// `# Warning: XT target DNAT not found` at the end of the rule.
    pub warning: Option<String>,
    pub handle: Option<u64>,
}

/// `set cluster-ips {` / `map service-ips {`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct NftSet {
    pub line: usize,
    pub family: String,
    pub table: String,
    pub name: String,
    /// `set` or `map`.
    pub kind: String,
    /// `ipv4_addr . inet_proto . inet_service` (a map's key; left of ` : `).
    pub key_type: Option<String>,
    /// A map's value type: `verdict`, `ipv4_addr`.
    pub value_type: Option<String>,
    /// The type was given as `typeof …` (expressions, not type names).
    #[serde(rename = "typeof")]
    pub is_typeof: bool,
    /// `interval`, `timeout`, `constant`, `dynamic`.
    pub flags: Vec<String>,
    pub comment: Option<String>,
    pub size: Option<u64>,
    pub elements: Vec<Element>,
    pub handle: Option<u64>,
}

/// One element of `elements = { … }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Element {
    pub line: usize,
    /// `10.96.0.1 . tcp . 443`.
    pub key: String,
    /// `goto service-2QRHZV4L-default/kubernetes/tcp/https`; `None` in a set.
    pub value: Option<String>,
    pub comment: Option<String>,
}

/// A `# Warning: …` or `Error: …` line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub line: usize,
    pub message: String,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "nft",
    aliases: &["nftables"],
    title: "nftables rulesets (nft list)",
    commands: &[
        "nft list ruleset",
        "nft -a list ruleset",
        "nft list table ip kube-proxy",
        "nft list chain ip kube-proxy services",
        "nft list map ip kube-proxy service-ips",
        "nft list tables",
    ],
    variants: &[
        "nftables 0.9.x–1.1.x",
        "iptables-nft translated tables (kube-proxy 1.28–1.31 iptables mode)",
        "kube-proxy 1.31+ nftables mode (table ip kube-proxy)",
    ],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    cmd.program == "nft"
        && cmd
            .args
            .iter()
            .find(|a| !a.starts_with('-'))
            .is_some_and(|verb| verb == "list")
}

fn sniff(head: &str) -> Option<f32> {
    let mut score: f32 = 0.0;
    for l in head.lines() {
        let t = l.trim();
        if t.starts_with("# Warning: table ") && t.contains("iptables-nft") {
            return Some(0.99);
        }
        if let Some(rest) = t.strip_prefix("table ") {
            let mut w = rest.split_whitespace();
            let fam = w.next().unwrap_or("");
            let name = w.next();
            let brace = w.next();
            if matches!(fam, "ip" | "ip6" | "inet" | "arp" | "bridge" | "netdev") && name.is_some()
            {
                score = score.max(if brace == Some("{") { 0.97 } else { 0.6 });
            }
        } else if t.starts_with("chain ") && t.ends_with('{') {
            score = score.max(0.7);
        } else if t.starts_with("type ") && t.contains(" hook ") && t.contains(" priority ") {
            score = score.max(0.9);
        }
    }
    (score > 0.0).then_some(score)
}

/// An open block.
#[derive(Debug)]
enum Block {
    Table {
        line: usize,
        idx: usize,
    },
    /// `idx` of the chain record.
    Chain {
        line: usize,
        idx: usize,
    },
    Set {
        line: usize,
        idx: usize,
    },
    /// A stateful object or an unknown block: its body is skipped.
    Object {
        line: usize,
    },
}

impl Block {
    fn line(&self) -> usize {
        match self {
            Block::Table { line, .. }
            | Block::Chain { line, .. }
            | Block::Set { line, .. }
            | Block::Object { line } => *line,
        }
    }
}

/// `elements = { …` being read.
#[derive(Debug)]
struct Elements {
    set: usize,
    /// The element being gathered and the line it started on.
    buf: String,
    start: Option<usize>,
    depth: usize,
    in_quote: bool,
    /// Line of `elements = {`, for a paste that ends inside the list.
    opened: usize,
}

/// A rule whose `{ … }` is not closed on its own line.
#[derive(Debug)]
struct Pending {
    line: usize,
    text: String,
    lines: usize,
    /// Open braces so far (each line is scanned once).
    depth: i64,
}

const MAX_JOINED_LINES: usize = 256;

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut st = State::default();
    for (n, raw) in seg.lines() {
        let text = super::probe::capped(raw).trim();
        if text.is_empty() {
            continue;
        }
        st.line(n, text);
    }
    st.finish()
}

#[derive(Default)]
struct State {
    out: Output<Record>,
    stack: Vec<Block>,
    elements: Option<Elements>,
    pending: Option<Pending>,
    /// After `Error:`: the echoed command line that follows is part of the message.
    after_error: bool,
    /// `# Warning: table ip nat is managed by iptables-nft` → (`ip`, `nat`).
    iptables_nft: Vec<(String, String)>,
}

impl State {
    fn line(&mut self, n: usize, text: &str) {
        if self.elements.is_some() {
            self.element_text(n, text);
            return;
        }
        if let Some(mut p) = self.pending.take() {
            p.depth += brace_depth(text);
            p.text.push(' ');
            p.text.push_str(text);
            p.lines += 1;
            if p.depth <= 0 || p.lines >= MAX_JOINED_LINES {
                self.rule(p.line, &p.text);
            } else {
                self.pending = Some(p);
            }
            return;
        }
        let (text, handle) = split_handle(text);
        let pair = P::parse(Rule::nft_line, text)
            .ok()
            .and_then(|mut p| p.next())
            .and_then(|l| l.into_inner().next());
        let after_error = std::mem::take(&mut self.after_error);
        let rule = pair.as_ref().map(|p| p.as_rule());
        // Block openers and closers mean the same everywhere.
        match (rule, pair) {
            (Some(Rule::close), _) => {
                if self.stack.pop().is_none() {
                    self.out
                        .problem(n, "`}` closes nothing: no table, chain or set is open here");
                }
            }
            (Some(Rule::warning_line), Some(p)) => {
                let message = inner(&p, Rule::rest).unwrap_or_default();
                if let Some(t) = message
                    .strip_prefix("table ")
                    .and_then(|r| r.split_once(" is managed by iptables-nft"))
                {
                    let mut w = t.0.split_whitespace();
                    if let (Some(f), Some(name)) = (w.next(), w.next()) {
                        self.iptables_nft.push((f.to_string(), name.to_string()));
                    }
                }
                self.out.records.push(Record::Warning(Message {
                    line: n,
                    message: message.to_string(),
                }));
            }
            (Some(Rule::error_line), Some(p)) => {
                self.after_error = true;
                let message = inner(&p, Rule::rest).unwrap_or_default().to_string();
                self.out
                    .records
                    .push(Record::Error(Message { line: n, message }));
            }
            (Some(Rule::caret_line), _) => {}
            (Some(Rule::table_open | Rule::table_decl), Some(p)) if self.stack.is_empty() => {
                let family = inner(&p, Rule::family).unwrap_or_default().to_string();
                let name = unquote(inner(&p, Rule::block_name).unwrap_or_default());
                let iptables_nft = self
                    .iptables_nft
                    .iter()
                    .any(|(f, t)| *f == family && *t == name);
                let idx = self.out.records.len();
                self.out.records.push(Record::Table(Table {
                    line: n,
                    family,
                    name,
                    comment: None,
                    flags: Vec::new(),
                    iptables_nft,
                    handle,
                }));
                if rule == Some(Rule::table_open) {
                    self.stack.push(Block::Table { line: n, idx });
                }
            }
            (_, p) if self.stack.is_empty() => {
                if after_error && p.is_none() {
                    // nft echoes the command it could not run under `Error:`.
                    return;
                }
                self.out.problem(
                    n,
                    "not inside a table: expected `table FAMILY NAME {`, `# Warning: …` or `Error: …`",
                );
            }
            (r, p) => self.in_block(n, text, handle, r, p),
        }
    }

    fn in_block(
        &mut self,
        n: usize,
        text: &str,
        handle: Option<u64>,
        rule: Option<Rule>,
        pair: Option<Pair<'_, Rule>>,
    ) {
        let Some(top) = self.stack.last() else { return };
        match top {
            Block::Object { .. } => {
                // A stateful object's body: skipped, but its nested braces still count.
                if matches!(
                    rule,
                    Some(Rule::table_open | Rule::chain_open | Rule::set_open | Rule::object_open)
                ) || (text.ends_with('{') && !text.starts_with('#'))
                {
                    self.stack.push(Block::Object { line: n });
                }
            }
            Block::Table { idx, .. } => {
                let idx = *idx;
                let (family, table) = self.table_of();
                match (rule, pair) {
                    (Some(Rule::chain_open), Some(p)) => {
                        let name = unquote(inner(&p, Rule::block_name).unwrap_or_default());
                        let cidx = self.out.records.len();
                        self.out.records.push(Record::Chain(Chain {
                            line: n,
                            family,
                            table,
                            name,
                            handle,
                            ..Chain::default()
                        }));
                        self.stack.push(Block::Chain { line: n, idx: cidx });
                    }
                    (Some(Rule::set_open), Some(p)) => {
                        let name = unquote(inner(&p, Rule::block_name).unwrap_or_default());
                        let kind = inner(&p, Rule::set_kind).unwrap_or("set").to_string();
                        let sidx = self.out.records.len();
                        self.out.records.push(Record::Set(NftSet {
                            line: n,
                            family,
                            table,
                            name,
                            kind,
                            handle,
                            ..NftSet::default()
                        }));
                        self.stack.push(Block::Set { line: n, idx: sidx });
                    }
                    (Some(Rule::object_open), _) => self.stack.push(Block::Object { line: n }),
                    (Some(Rule::comment_line), Some(p)) => {
                        if let Some(Record::Table(t)) = self.out.records.get_mut(idx) {
                            t.comment = inner(&p, Rule::quoted).map(unquote);
                        }
                    }
                    (Some(Rule::property), Some(p))
                        if inner(&p, Rule::property_key) == Some("flags") =>
                    {
                        if let Some(Record::Table(t)) = self.out.records.get_mut(idx) {
                            t.flags = split_list(inner(&p, Rule::rest).unwrap_or_default());
                        }
                    }
                    _ => self.out.problem(
                        n,
                        "not a table item: expected `chain NAME {`, `set NAME {`, `map NAME {`, `comment \"…\"` or `}`",
                    ),
                }
            }
            Block::Chain { idx, .. } => {
                let idx = *idx;
                match (rule, pair) {
                    (Some(Rule::hook_line), Some(p)) => {
                        if let Some(Record::Chain(c)) = self.out.records.get_mut(idx) {
                            for x in p.into_inner() {
                                let s = x.as_str().trim();
                                match x.as_rule() {
                                    Rule::chain_type => c.chain_type = Some(s.to_string()),
                                    Rule::hook => c.hook = Some(s.to_string()),
                                    Rule::device => c.device = Some(unquote(s)),
                                    Rule::priority => c.priority = Some(s.to_string()),
                                    Rule::policy => c.policy = Some(s.to_string()),
                                    _ => {}
                                }
                            }
                        }
                    }
                    (Some(Rule::policy_line), Some(p)) => {
                        if let Some(Record::Chain(c)) = self.out.records.get_mut(idx) {
                            c.policy = inner(&p, Rule::policy).map(str::to_string);
                        }
                    }
                    (Some(Rule::comment_line), Some(p)) => {
                        if let Some(Record::Chain(c)) = self.out.records.get_mut(idx) {
                            c.comment = inner(&p, Rule::quoted).map(unquote);
                        }
                    }
                    (Some(Rule::table_open | Rule::chain_open | Rule::set_open), _) => {
                        // A block opener inside a chain: the chain above was never closed.
                        self.out.problem(
                            n,
                            "block opened inside a chain: the chain above is missing its `}`",
                        );
                        self.stack.push(Block::Object { line: n });
                    }
                    _ => {
                        let mut text = text.to_string();
                        if let Some(h) = handle {
                            // Keep the handle for the rule record below.
                            text.push_str(&format!(" # handle {h}"));
                        }
                        let depth = brace_depth(&text);
                        if depth <= 0 {
                            self.rule(n, &text);
                        } else {
                            self.pending = Some(Pending {
                                line: n,
                                text,
                                lines: 1,
                                depth,
                            });
                        }
                    }
                }
            }
            Block::Set { idx, .. } => {
                let idx = *idx;
                match (rule, pair) {
                    (Some(Rule::elements_open), Some(p)) => {
                        let rest = inner(&p, Rule::rest).unwrap_or_default().to_string();
                        self.elements = Some(Elements {
                            set: idx,
                            buf: String::new(),
                            start: None,
                            depth: 0,
                            in_quote: false,
                            opened: n,
                        });
                        self.element_text(n, &rest);
                    }
                    (Some(Rule::comment_line), Some(p)) => {
                        if let Some(Record::Set(s)) = self.out.records.get_mut(idx) {
                            s.comment = inner(&p, Rule::quoted).map(unquote);
                        }
                    }
                    (Some(Rule::property), Some(p)) => {
                        let key = inner(&p, Rule::property_key).unwrap_or_default();
                        let val = inner(&p, Rule::rest).unwrap_or_default().trim();
                        if let Some(Record::Set(s)) = self.out.records.get_mut(idx) {
                            match key {
                                "type" | "typeof" => {
                                    s.is_typeof = key == "typeof";
                                    match val.split_once(" : ") {
                                        Some((k, v)) => {
                                            s.key_type = Some(k.trim().to_string());
                                            s.value_type = Some(v.trim().to_string());
                                        }
                                        None => s.key_type = Some(val.to_string()),
                                    }
                                }
                                "flags" => s.flags = split_list(val),
                                "size" => s.size = val.parse().ok(),
                                // timeout, gc-interval, policy, auto-merge, counter: not kept.
                                _ => {}
                            }
                        }
                    }
                    _ => self.out.problem(
                        n,
                        "not a set property: expected `type …`, `flags …`, `comment \"…\"`, `elements = { … }` or `}`",
                    ),
                }
            }
        }
    }

    /// Family and name of the innermost table.
    fn table_of(&self) -> (String, String) {
        for b in self.stack.iter().rev() {
            if let Block::Table { idx, .. } = b {
                if let Some(Record::Table(t)) = self.out.records.get(*idx) {
                    return (t.family.clone(), t.name.clone());
                }
            }
        }
        (String::new(), String::new())
    }

    /// Feed text of an `elements = { … }` list; ends the list at its closing `}`.
    fn element_text(&mut self, n: usize, text: &str) {
        let Some(mut el) = self.elements.take() else {
            return;
        };
        let mut done = false;
        let mut prev = '\0';
        for c in text.chars() {
            if el.in_quote {
                el.buf.push(c);
                if c == '"' && prev != '\\' {
                    el.in_quote = false;
                }
                prev = c;
                continue;
            }
            prev = c;
            match c {
                '"' => {
                    el.in_quote = true;
                    el.buf.push(c);
                }
                '{' => {
                    el.depth += 1;
                    el.buf.push(c);
                }
                '}' if el.depth > 0 => {
                    el.depth -= 1;
                    el.buf.push(c);
                }
                '}' => {
                    self.push_element(&mut el);
                    done = true;
                    break;
                }
                ',' if el.depth == 0 => self.push_element(&mut el),
                c => {
                    if el.start.is_none() && !c.is_whitespace() {
                        el.start = Some(n);
                    }
                    if el.buf.len() < super::probe::MAX_LINE {
                        el.buf.push(c);
                    }
                }
            }
        }
        if !done {
            // An element runs on over the line break: keep a space between the parts.
            if !el.buf.is_empty() {
                el.buf.push(' ');
            }
            self.elements = Some(el);
        }
    }

    fn push_element(&mut self, el: &mut Elements) {
        let text = std::mem::take(&mut el.buf);
        let Some(line) = el.start.take() else { return };
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        let (key, value) = match split_top(text, " : ") {
            Some((k, v)) => (k.trim(), Some(v.trim().to_string())),
            None => (text, None),
        };
        let (key, comment) = element_key(key);
        if let Some(Record::Set(s)) = self.out.records.get_mut(el.set) {
            s.elements.push(Element {
                line,
                key,
                value,
                comment,
            });
        }
    }

    fn rule(&mut self, n: usize, text: &str) {
        let (family, table) = self.table_of();
        let chain = match self.stack.last() {
            Some(Block::Chain { idx, .. }) => match self.out.records.get(*idx) {
                Some(Record::Chain(c)) => c.name.clone(),
                _ => String::new(),
            },
            _ => String::new(),
        };
        // `# Warning: XT target DNAT not found` then `xt target "DNAT"` on its own line: one rule.
        if text.starts_with("xt ") {
            if let Some(Record::Rule(prev)) = self.out.records.last_mut() {
                if prev.warning.is_some() && prev.chain == chain && prev.xt.is_empty() {
                    let extra = read_rule(text);
                    prev.text.push(' ');
                    prev.text.push_str(&extra.text);
                    prev.xt.extend(extra.xt);
                    prev.handle = prev.handle.or(extra.handle);
                    return;
                }
            }
        }
        if text.matches('"').count() % 2 == 1 {
            self.out.problem(
                n,
                "rule with an unclosed quote (cut off?): expected a closing `\"`",
            );
            return;
        }
        let mut r = read_rule(text);
        r.line = n;
        r.family = family;
        r.table = table;
        r.chain = chain;
        self.out.records.push(Record::Rule(r));
    }

    fn finish(mut self) -> Output<Record> {
        if let Some(p) = self.pending.take() {
            self.out.problem(
                p.line,
                "rule with an unclosed `{` (cut off?): expected a closing `}`",
            );
        }
        if let Some(el) = self.elements.take() {
            self.out.problem(
                el.opened,
                "`elements = {` is never closed (paste cut off?): the elements read so far are kept",
            );
        }
        while let Some(b) = self.stack.pop() {
            let what = match b {
                Block::Table { .. } => "table",
                Block::Chain { .. } => "chain",
                Block::Set { .. } => "set or map",
                Block::Object { .. } => "block",
            };
            self.out.problem(
                b.line(),
                format!("{what} opened here is never closed (paste cut off?): expected `}}`"),
            );
        }
        // Problems in line order (unclosed blocks are found at the end).
        self.out.problems.sort_by_key(|p| p.line);
        self.out
    }
}

fn inner<'a>(p: &Pair<'a, Rule>, rule: Rule) -> Option<&'a str> {
    p.clone()
        .into_inner()
        .find(|x| x.as_rule() == rule)
        .map(|x| x.as_str())
}

/// `"a \"b\""` → `a "b"`; a bare word as it is.
fn unquote(s: &str) -> String {
    match s.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        Some(inner) => inner.replace("\\\"", "\""),
        None => s.to_string(),
    }
}

/// `interval,timeout` / `interval, timeout` → words.
fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(|w| w.trim().to_string())
        .filter(|w| !w.is_empty())
        .take(64)
        .collect()
}

/// `… # handle 12` → (`…`, 12).
fn split_handle(text: &str) -> (&str, Option<u64>) {
    if let Some((before, h)) = text.rsplit_once("# handle ") {
        if let Ok(h) = h.trim().parse() {
            return (before.trim_end(), Some(h));
        }
    }
    (text, None)
}

/// Opened minus closed braces outside quotes.
fn brace_depth(text: &str) -> i64 {
    let mut depth: i64 = 0;
    let mut quote = false;
    for c in text.chars() {
        match c {
            '"' => quote = !quote,
            '{' if !quote => depth += 1,
            '}' if !quote => depth -= 1,
            _ => {}
        }
    }
    depth
}

/// `text` split at the first `sep` outside quotes and braces.
fn split_top<'a>(text: &'a str, sep: &str) -> Option<(&'a str, &'a str)> {
    let mut depth = 0i64;
    let mut quote = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' => quote = !quote,
            '{' if !quote => depth += 1,
            '}' if !quote => depth -= 1,
            _ if !quote && depth == 0 && text.get(i..).is_some_and(|t| t.starts_with(sep)) => {
                return Some((text.get(..i)?, text.get(i + sep.len()..)?));
            }
            _ => {}
        }
    }
    None
}

/// An element key without its options: `10.96.44.201 . tcp . 443 comment "x"` →
/// (`10.96.44.201 . tcp . 443`, `x`); `timeout 30s expires 12s`, `counter packets 0 bytes 0`
/// are dropped.
fn element_key(key: &str) -> (String, Option<String>) {
    let toks = tokens(key);
    let mut out: Vec<&str> = Vec::new();
    let mut comment = None;
    let mut i = 0;
    let mut options = false;
    while let Some(t) = toks.get(i) {
        match *t {
            "comment" => {
                comment = toks.get(i + 1).map(|c| unquote(c));
                options = true;
                i += 2;
                continue;
            }
            "timeout" | "expires" | "counter" => options = true,
            _ => {}
        }
        if !options {
            out.push(t);
        }
        i += 1;
    }
    (out.join(" "), comment)
}

/// Words of a rule: quoted strings whole; `{`, `}`, `,` on their own.
fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut quote = false;
    for (i, c) in text.char_indices() {
        if quote {
            if c == '"' {
                quote = false;
            }
            continue;
        }
        match c {
            '"' => {
                if start.is_none() {
                    start = Some(i);
                }
                quote = true;
            }
            c if c.is_whitespace() || matches!(c, '{' | '}' | ',') => {
                if let Some(s) = start.take() {
                    if let Some(w) = text.get(s..i) {
                        out.push(w);
                    }
                }
                if matches!(c, '{' | '}' | ',') {
                    if let Some(w) = text.get(i..i + 1) {
                        out.push(w);
                    }
                }
            }
            _ => {
                if start.is_none() {
                    start = Some(i);
                }
            }
        }
        if out.len() >= 4096 {
            break;
        }
    }
    if let Some(s) = start {
        if let Some(w) = text.get(s..) {
            out.push(w);
        }
    }
    out
}

const VERDICTS: &[&str] = &[
    "accept",
    "drop",
    "reject",
    "return",
    "continue",
    "masquerade",
    "redirect",
    "queue",
];

/// Read the fields of one rule's text.
fn read_rule(text: &str) -> NftRule {
    let (text, handle) = split_handle(text);
    let (text, warning) = match text.split_once("# Warning:") {
        Some((before, w)) => (before.trim_end(), Some(w.trim().to_string())),
        None => (text, None),
    };
    let mut r = NftRule {
        text: text.to_string(),
        handle,
        warning,
        ..NftRule::default()
    };
    let toks = tokens(text);
    let mut depth = 0usize;
    let mut i = 0;
    // The value after a selector: a word, `!= word`, or a `{ … }` group; `None` for a
    // concatenation (`ip daddr . meta l4proto …`).
    let value = |i: usize| -> (Option<String>, bool, usize) {
        let mut j = i;
        let mut neg = false;
        if toks.get(j) == Some(&"!=") {
            neg = true;
            j += 1;
        }
        match toks.get(j) {
            Some(&"{") => {
                let mut d = 0;
                let mut parts = Vec::new();
                while let Some(t) = toks.get(j) {
                    if *t == "{" {
                        d += 1;
                    } else if *t == "}" {
                        d -= 1;
                    }
                    parts.push(*t);
                    j += 1;
                    if d == 0 {
                        break;
                    }
                }
                (Some(parts.join(" ").replace(" ,", ",")), neg, j)
            }
            Some(&".") | Some(&"vmap") | Some(&"map") | None => (None, neg, i),
            Some(v) => (Some(v.to_string()), neg, j + 1),
        }
    };
    while let Some(&t) = toks.get(i) {
        i += 1;
        let next = toks.get(i).copied();
        match t {
            "{" => depth += 1,
            "}" => depth = depth.saturating_sub(1),
            "jump" | "goto" => {
                if let Some(target) = next {
                    if depth > 0 {
                        r.vmap_targets.push(target.to_string());
                    } else if t == "jump" {
                        r.jump = Some(target.to_string());
                    } else {
                        r.goto = Some(target.to_string());
                    }
                    i += 1;
                }
            }
            "comment" if depth == 0 => {
                r.comment = next.map(unquote);
                i += 1;
            }
            "counter" if next == Some("packets") => {
                r.counter_packets = toks.get(i + 1).and_then(|v| v.parse().ok());
                if toks.get(i + 2) == Some(&"bytes") {
                    r.counter_bytes = toks.get(i + 3).and_then(|v| v.parse().ok());
                    i += 4;
                } else {
                    i += 2;
                }
            }
            "ip" | "ip6" if matches!(next, Some("saddr" | "daddr")) => {
                let (v, neg, j) = value(i + 1);
                if v.is_some() {
                    if next == Some("saddr") {
                        r.saddr = v;
                        r.saddr_negated = neg;
                    } else {
                        r.daddr = v;
                        r.daddr_negated = neg;
                    }
                }
                i = j.max(i + 1);
            }
            "ip" | "ip6" | "meta" if matches!(next, Some("protocol" | "l4proto" | "nexthdr")) => {
                let (v, _, j) = value(i + 1);
                if v.is_some() {
                    r.l4proto = v;
                }
                i = j.max(i + 1);
            }
            "tcp" | "udp" | "sctp" | "th" if matches!(next, Some("dport" | "sport")) => {
                let (v, _, j) = value(i + 1);
                if v.is_some() {
                    if next == Some("dport") {
                        r.dport = v;
                    } else {
                        r.sport = v;
                    }
                }
                i = j.max(i + 1);
            }
            "dnat" | "snat" => {
                // `dnat to X`, `dnat ip to X`, `dnat ip6 to X`
                let mut j = i;
                if matches!(toks.get(j), Some(&"ip") | Some(&"ip6")) {
                    j += 1;
                }
                if toks.get(j) == Some(&"to") {
                    let v = toks.get(j + 1).map(|s| s.to_string());
                    if t == "dnat" {
                        r.dnat_to = v;
                    } else {
                        r.snat_to = v;
                    }
                    i = j + 2;
                } else if r.verdict.is_none() && depth == 0 {
                    r.verdict = Some(t.to_string());
                }
            }
            "vmap" => {
                if let Some(set) = next.filter(|s| s.starts_with('@')) {
                    r.vmap_set = Some(set.to_string());
                    i += 1;
                }
            }
            "xt" => {
                if let (Some(kind), Some(name)) = (next, toks.get(i + 1)) {
                    r.xt.push(format!("{kind} {}", unquote(name)));
                    i += 2;
                }
            }
            v if depth == 0 && r.verdict.is_none() && VERDICTS.contains(&v) => {
                r.verdict = Some(v.to_string());
            }
            _ => {}
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_fields() {
        let r = read_rule("meta l4proto tcp ip saddr != 172.17.0.0/16 ip daddr 10.96.0.1  tcp dport 443 counter packets 16 bytes 960 jump KUBE-MARK-MASQ");
        assert_eq!(r.l4proto.as_deref(), Some("tcp"));
        assert_eq!(
            (r.saddr.as_deref(), r.saddr_negated),
            (Some("172.17.0.0/16"), true)
        );
        assert_eq!(r.daddr.as_deref(), Some("10.96.0.1"));
        assert_eq!(r.dport.as_deref(), Some("443"));
        assert_eq!((r.counter_packets, r.counter_bytes), (Some(16), Some(960)));
        assert_eq!(r.jump.as_deref(), Some("KUBE-MARK-MASQ"));
        let r = read_rule("numgen random mod 2 vmap { 0 : goto endpoint-A__10.0.0.1/80 , 1 : goto endpoint-B__10.0.0.2/80 }");
        assert_eq!(
            r.vmap_targets,
            vec!["endpoint-A__10.0.0.1/80", "endpoint-B__10.0.0.2/80"]
        );
        assert_eq!(r.goto, None);
        let r = read_rule("ip daddr . meta l4proto . th dport vmap @service-ips");
        assert_eq!(
            (r.daddr, r.dport, r.vmap_set.as_deref()),
            (None, None, Some("@service-ips"))
        );
        let r = read_rule("ip daddr @cluster-ips reject comment \"Reject traffic\"");
        assert_eq!(r.daddr.as_deref(), Some("@cluster-ips"));
        assert_eq!(r.verdict.as_deref(), Some("reject"));
        assert_eq!(r.comment.as_deref(), Some("Reject traffic"));
        let r = read_rule("meta l4proto tcp dnat ip to 10.180.0.5:80 # handle 7");
        assert_eq!(
            (r.dnat_to.as_deref(), r.handle),
            (Some("10.180.0.5:80"), Some(7))
        );
        let r = read_rule("tcp dport { 80, 443 } accept");
        assert_eq!(r.dport.as_deref(), Some("{ 80, 443 }"));
        assert_eq!(r.verdict.as_deref(), Some("accept"));
    }

    #[test]
    fn unclosed_blocks_are_problems() {
        let out = parse(&Segment::new(
            "table ip nat {\n\tchain KUBE-SERVICES {\n\t\tjump X\n",
            10,
        ));
        let lines: Vec<usize> = out.problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![10, 11]);
        assert_eq!(out.records.len(), 3);
        let out = parse(&Segment::new("}\n}", 1));
        assert_eq!(out.problems.len(), 2);
    }

    #[test]
    fn hostile_input_does_not_panic() {
        for input in [
            "{\n{\n}}}}",
            "elements = {",
            "table ip t {\n set s {\n elements = { \"a, {",
            "table ip t {\n chain c {\n tcp dport {\n 80,\n",
            "table ip t {\n chain c {\n xt\n dnat\n ip daddr !=\n counter packets\n",
            "table ip t {\n flowtable f {\n { {\n",
            "table",
            "\u{0}ä€ { } \"",
        ] {
            let _ = parse(&Segment::new(input, 1));
        }
        let deep = "table ip t {\n chain c {\n".to_string() + &"tcp dport {\n".repeat(2000);
        let out = parse(&Segment::new(&deep, 1));
        assert!(!out.problems.is_empty());
    }

    #[test]
    fn elements_over_lines() {
        let out = parse(&Segment::new(
            "table ip kube-proxy {\n map service-ips {\n  type ipv4_addr . inet_proto . inet_service : verdict\n  elements = { 10.96.0.1 . tcp . 443 : goto a,\n    10.96.0.10 . udp . 53 comment \"dns, udp\" : goto b }\n }\n}",
            1,
        ));
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let Some(Record::Set(s)) = out.records.get(1) else {
            panic!("no set")
        };
        assert_eq!(s.value_type.as_deref(), Some("verdict"));
        assert_eq!(s.elements.len(), 2);
        assert_eq!(s.elements[1].line, 5);
        assert_eq!(s.elements[1].key, "10.96.0.10 . udp . 53");
        assert_eq!(s.elements[1].comment.as_deref(), Some("dns, udp"));
        assert_eq!(s.elements[1].value.as_deref(), Some("goto b"));
    }
}
