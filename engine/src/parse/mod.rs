//! Parsers: one module per command, one pest grammar per module (`grammar/<kind>.pest`).
//!
//! Every parser reads a [`Segment`] and returns an [`Output`]: typed records, each
//! carrying the 1-based input line it came from, and the [`Problem`]s met on the way
//! (a line that fits no rule is reported with its number, never dropped). Zero records
//! and zero problems means the output really was empty; a segment whose every line
//! failed is an `error`, some failed lines make it `partial`.
//!
//! The list of parsers lives in [`registry`]; detection, `netdoc parse --as`, the docs
//! and the meta-tests all read it.

use crate::cmdline::CommandLine;
use serde::Serialize;

pub mod json;
pub mod registry;
pub use registry::{parse_as, parse_stream, Parse, Parsed, Records, Streamed, ALL, STREAMING};

pub mod common;
pub mod iproute;

pub mod cluster_config;
pub mod cni_agent_log;
pub mod cni_config;
pub mod conntrack;
pub mod coredns_log;
pub mod curl;
pub mod dig;
pub mod ethtool_features;
pub mod getent;
pub mod host;
pub mod ip_addr;
pub mod ip_link;
pub mod ip_neigh;
pub mod ip_route;
pub mod ip_route_get;
pub mod ip_rule;
pub mod ipset;
pub mod iptables_list;
pub mod iptables_save;
pub mod iptables_version;
pub mod ipvsadm;
pub mod k8s_objects;
pub mod kernel_log;
pub mod kube_proxy_config;
pub mod kube_proxy_log;
pub mod kubectl_describe;
pub mod kubectl_describe_endpoints;
pub mod kubectl_describe_netpol;
pub mod kubectl_describe_node;
pub mod kubectl_describe_pod;
pub mod kubectl_describe_svc;
pub mod kubectl_error;
pub mod kubectl_get_deploy;
pub mod kubectl_get_endpoints;
pub mod kubectl_get_endpointslices;
pub mod kubectl_get_events;
pub mod kubectl_get_netpol;
pub mod kubectl_get_nodes;
pub mod kubectl_get_ns;
pub mod kubectl_get_pods;
pub mod kubectl_get_svc;
pub mod kubectl_jsonpath;
pub mod kubectl_table;
pub mod kubelet_config;
pub mod kubelet_log;
pub mod mtr;
pub mod nc;
pub mod net_errors;
pub mod netstat;
pub mod nft;
pub mod nslookup;
pub mod ping;
pub mod probe;
pub mod resolv_conf;
pub mod ss;
pub mod sysctl;
pub mod tcpdump;
pub mod telnet;
pub mod tracepath;
pub mod traceroute;
pub mod wget;
pub(crate) mod yaml;

/// What a parser declares about itself, once.
#[derive(Debug, Clone, Copy)]
pub struct ParserInfo {
    /// Stable kind id (`kubectl-get-svc`): the JSON `kind`, `--as` value and docs slug.
    pub kind: &'static str,
    /// Other names `--as` accepts.
    pub aliases: &'static [&'static str],
    /// One-line title for docs and the UI.
    pub title: &'static str,
    /// The command lines whose output it reads, for docs and help.
    pub commands: &'static [&'static str],
    /// Tool variants and versions it knows.
    pub variants: &'static [&'static str],
    /// Does this command line produce this kind of output?
    pub matches_command: fn(&CommandLine) -> bool,
    /// Given the first lines of a segment without a command line, how sure (0..=1) is it
    /// that this is its output? `None` for "not mine".
    pub sniff: fn(&str) -> Option<f32>,
}

/// A line that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// 1-based line in the whole input.
    pub line: usize,
    pub message: String,
}

/// What one parser made of one segment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Output<T> {
    pub records: Vec<T>,
    pub problems: Vec<Problem>,
}

impl<T> Default for Output<T> {
    fn default() -> Self {
        Output {
            records: Vec::new(),
            problems: Vec::new(),
        }
    }
}

impl<T> Output<T> {
    /// Record a problem at a line.
    pub fn problem(&mut self, line: usize, message: impl Into<String>) {
        // A garbage paste must not turn into millions of messages: keep the first ones
        // and one line saying how many more there were.
        const MAX_PROBLEMS: usize = 200;
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(Problem {
                line,
                message: message.into(),
            });
        } else if self.problems.len() == MAX_PROBLEMS {
            self.problems.push(Problem {
                line,
                message: "more lines could not be read; only the first 200 are listed".into(),
            });
        }
    }
}

/// Records a big segment's parser hands on at a time: a few hundred KB of records, few
/// enough calls that handing them on costs nothing.
pub const CHUNK_RECORDS: usize = 1024;

/// Hands a big segment's records on in chunks while its parser is still reading, so
/// the caller never holds them all: a 160 MB `conntrack -L` costs one chunk of records,
/// not a million.
///
/// A parser that streams reads its lines into an [`Output`] as usual and calls
/// [`Chunker::next_line`] before each line. The record read last stays behind until the
/// next line is read, because a following line may still add to it (`ss -p` wrapped
/// onto its own line, an ipvsadm real server under its virtual server). Problems stay
/// in the `Output`, so their cap holds for the whole segment.
pub struct Chunker<'s, T> {
    sink: Option<&'s mut dyn FnMut(Vec<T>)>,
    size: usize,
    handed: usize,
}

impl<'s, T> Chunker<'s, T> {
    /// Keep every record in the `Output` (what `parse` does).
    pub fn keep_all() -> Self {
        Chunker {
            sink: None,
            size: usize::MAX,
            handed: 0,
        }
    }

    /// Hand records to `sink` once more than `size` have gathered.
    pub fn new(size: usize, sink: &'s mut dyn FnMut(Vec<T>)) -> Self {
        Chunker {
            sink: Some(sink),
            size: size.max(1),
            handed: 0,
        }
    }

    /// Before each line: hand on all gathered records but the last once there are
    /// more than the chunk size.
    pub fn next_line(&mut self, out: &mut Output<T>) {
        let Some(sink) = self.sink.as_mut() else {
            return;
        };
        if out.records.len() <= self.size {
            return;
        }
        let last = out.records.pop();
        let full = std::mem::replace(&mut out.records, Vec::with_capacity(self.size + 1));
        self.handed += full.len();
        sink(full);
        out.records.extend(last);
    }

    /// How many records have been handed on so far.
    pub fn handed(&self) -> usize {
        self.handed
    }

    /// After the last line: hand on what is left, an empty chunk when the segment had
    /// no records at all (so the sink always hears of the segment). Returns how many
    /// records were handed on in all (0 for [`Chunker::keep_all`], whose records stay
    /// in `out`).
    pub fn finish(&mut self, out: &mut Output<T>) -> usize {
        if let Some(sink) = self.sink.as_mut() {
            if !out.records.is_empty() || self.handed == 0 {
                let rest = std::mem::take(&mut out.records);
                self.handed += rest.len();
                sink(rest);
            }
        }
        self.handed
    }
}

/// `parsed`, `partial` (some lines unread), `error` (nothing read), `unrecognized`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Parsed,
    Partial,
    Error,
    Unrecognized,
}

impl Status {
    pub fn of(records: usize, problems: usize) -> Status {
        match (records, problems) {
            (_, 0) => Status::Parsed,
            (0, _) => Status::Error,
            _ => Status::Partial,
        }
    }
}

/// Turn a pest error into a message with a whole-input line number. `first_line` is the
/// 1-based input line of the text the grammar was run on.
pub fn pest_problem<R: pest::RuleType>(
    err: &pest::error::Error<R>,
    first_line: usize,
    what: &str,
) -> Problem {
    let (line, col) = match err.line_col {
        pest::error::LineColLocation::Pos((l, c)) => (l, c),
        pest::error::LineColLocation::Span((l, c), _) => (l, c),
    };
    let expected = match &err.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } if !positives.is_empty() => {
            let names: Vec<String> = positives
                .iter()
                .map(|r| format!("{r:?}").replace('_', " "))
                .collect();
            format!("expected {}", names.join(" or "))
        }
        pest::error::ErrorVariant::CustomError { message } => message.clone(),
        _ => "unexpected text".to_string(),
    };
    Problem {
        line: first_line + line - 1,
        message: format!("{what}: {expected} at column {col}"),
    }
}

#[cfg(test)]
mod tests {
    use pest::Parser;

    #[derive(pest_derive::Parser)]
    #[grammar = "../grammar/common.pest"]
    #[grammar_inline = "one_nonblank = { SOI ~ nonblank ~ EOI }\none_unquote = { SOI ~ unquote ~ EOI }"]
    struct P;

    /// The character ranges stand for `!(" " | "\t") ~ ANY` and `!"\"" ~ ANY` exactly.
    #[test]
    fn character_ranges_mean_what_they_replace() {
        let chars = (0u32..0x300)
            .chain([0x2028, 0xfeff, 0xfffd, 0x1f600, 0x10ffff])
            .filter_map(char::from_u32);
        for c in chars {
            let s = c.to_string();
            assert_eq!(
                P::parse(Rule::one_nonblank, &s).is_ok(),
                c != ' ' && c != '\t',
                "nonblank {c:?}"
            );
            assert_eq!(
                P::parse(Rule::one_unquote, &s).is_ok(),
                c != '"',
                "unquote {c:?}"
            );
        }
    }
}
