//! Predicates: one question each over [`Facts`], answering
//! `Yes(proof)`, `No(proof)` or `Unknown(next commands)`.
//!
//! Trees (`runbooks/trees/*.toml`) name them; [`ALL`] is the list the trees are checked
//! against. A proof carries the input lines that decide the answer, the values a runbook
//! needs (`vars`), a sentence for the report, and keys that relate it to other findings
//! (a Service, a client namespace, a lookup) so causes can be linked to their symptoms.

use crate::facts::{Facts, Lookup, Policy, Probe, Resolver, Service, Signal};
use crate::report::Missing;
use std::collections::BTreeMap;

mod datapath;
mod dns;
mod mtu;
mod policy;
mod ranges;
mod service;
mod signals;
mod transport;

/// What a predicate is asked about.
#[derive(Debug, Clone, Copy)]
pub enum Subject<'a> {
    /// The whole paste.
    Once,
    Service(&'a Service),
    Lookup(&'a Lookup),
    Probe(&'a Probe),
    Policy(&'a Policy),
    Resolver(&'a Resolver),
    Signal(&'a Signal),
}

impl Subject<'_> {
    /// A short label for the trace (`service broken-net/backend`).
    pub fn label(&self) -> String {
        match self {
            Subject::Once => "the paste".into(),
            Subject::Service(s) => {
                format!("service {}", qualified(s.namespace.as_deref(), &s.name))
            }
            Subject::Lookup(l) => format!("lookup of {} (line {})", l.name, l.line),
            Subject::Probe(p) => format!(
                "{} to {} (line {})",
                p.tool,
                p.host
                    .clone()
                    .or(p.ip.map(|i| i.to_string()))
                    .unwrap_or_default(),
                p.line
            ),
            Subject::Policy(p) => format!("policy {}", qualified(p.namespace.as_deref(), &p.name)),
            Subject::Resolver(r) => format!("resolv.conf (line {})", r.line),
            Subject::Signal(s) => format!(
                "{} `{}` (line {})",
                s.source,
                s.signature,
                s.lines.first().copied().unwrap_or(0)
            ),
        }
    }
}

/// `ns/name`, or `name` when the namespace is unknown.
pub fn qualified(ns: Option<&str>, name: &str) -> String {
    match ns {
        Some(ns) => format!("{ns}/{name}"),
        None => name.to_string(),
    }
}

/// What a predicate sees.
pub struct Ctx<'a> {
    pub facts: &'a Facts,
    pub subject: Subject<'a>,
}

/// Why an answer is what it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Proof {
    /// Input lines that prove it.
    pub lines: Vec<usize>,
    /// Calculations or inferences that prove it, in words (evidence without a line).
    pub notes: Vec<String>,
    /// One or two sentences with the user's names, for the finding's summary.
    pub summary: String,
    /// Values for the runbook.
    pub vars: BTreeMap<String, String>,
    /// Relations to other findings (`svc:ns/name`, `client-ns:ns`, `lookup:12`).
    pub keys: Vec<String>,
    /// Commands that would confirm an inference (the answer stands, but is not certain).
    pub confirm: Vec<Missing>,
    /// Further instances of the same answer (two policies with the same fault): each
    /// becomes its own proof of the finding.
    pub more: Vec<Proof>,
}

impl Proof {
    pub fn new(summary: impl Into<String>) -> Proof {
        Proof {
            summary: summary.into(),
            ..Proof::default()
        }
    }
    pub fn line(mut self, line: usize) -> Proof {
        if line > 0 && !self.lines.contains(&line) {
            self.lines.push(line);
        }
        self
    }
    pub fn lines(mut self, lines: impl IntoIterator<Item = usize>) -> Proof {
        for l in lines {
            self = self.line(l);
        }
        self
    }
    pub fn note(mut self, note: impl Into<String>) -> Proof {
        self.notes.push(note.into());
        self
    }
    pub fn var(mut self, k: &str, v: impl Into<String>) -> Proof {
        self.vars.insert(k.to_string(), v.into());
        self
    }
    pub fn key(mut self, k: impl Into<String>) -> Proof {
        let k = k.into();
        if !self.keys.contains(&k) {
            self.keys.push(k);
        }
        self
    }
    pub fn confirm(mut self, question: impl Into<String>, command: impl Into<String>) -> Proof {
        self.confirm.push(Missing {
            question: question.into(),
            command: command.into(),
        });
        self
    }
}

/// A predicate's answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Yes(Proof),
    No(Proof),
    /// The paste cannot decide: the commands that would.
    Unknown(Vec<Missing>),
}

impl Answer {
    pub fn unknown(question: impl Into<String>, command: impl Into<String>) -> Answer {
        Answer::Unknown(vec![Missing {
            question: question.into(),
            command: command.into(),
        }])
    }
    /// `yes`, `no`, `unknown`.
    pub fn word(&self) -> &'static str {
        match self {
            Answer::Yes(_) => "yes",
            Answer::No(_) => "no",
            Answer::Unknown(_) => "unknown",
        }
    }
}

/// A predicate: a name the trees use, the question it answers, the subject it needs.
pub struct PredicateInfo {
    pub name: &'static str,
    pub question: &'static str,
    /// `service`, `lookup`, `probe`, `policy`, `resolver`, `signal` or `once`.
    pub subject: &'static str,
    pub eval: fn(&Ctx) -> Answer,
}

/// Every predicate.
pub const ALL: &[PredicateInfo] = &[
    service::HAS_READY_ENDPOINTS,
    service::SELECTOR_MATCHES_PODS,
    service::SELECTED_PODS_READY,
    service::TARGET_PORT_ACCEPTED,
    service::TARGET_PORT_HAS_LISTENER,
    service::LISTENER_NOT_LOOPBACK_ONLY,
    service::NAMED_TARGET_PORTS_RESOLVE,
    transport::PROBE_REFUSED,
    transport::PROBE_TIMED_OUT,
    transport::PROBE_RESET,
    transport::PROBE_PORT_HAS_LISTENER,
    transport::PROBE_LISTENER_NOT_LOOPBACK_ONLY,
    dns::LOOKUP_TIMED_OUT,
    dns::LOOKUP_NXDOMAIN,
    dns::LOOKUP_SERVFAIL,
    dns::SHORT_NAME_FROM_OTHER_NAMESPACE,
    dns::NAME_EXPANDS_THROUGH_SEARCH_LIST,
    dns::NAMESERVER_IS_CLUSTER_DNS,
    dns::COREDNS_PODS_NOT_READY,
    dns::LOOKUP_TOOL_MISLEADS,
    dns::NODELOCAL_EGRESS_UNPROVEN,
    policy::POLICY_DENIES_BY_DEFAULT,
    policy::DNS_EGRESS_ALLOWED,
    policy::POLICIES_ALLOW_PROBED_FLOWS,
    policy::POLICY_NAMESPACE_LABELS_EXIST,
    policy::POLICY_SELECTS_PODS,
    policy::POLICY_PORTS_MATCH_TARGETS,
    ranges::POD_CIDR_HAS_ROOM,
    datapath::KUBE_PROXY_MODE_MATCHES_DUMP,
    datapath::PROBE_NOT_SELF_HAIRPIN,
    signals::COREDNS_LOOP_DETECTED,
    signals::CONNTRACK_TABLE_FULL_LOGGED,
    signals::NODEPORT_REJECTED,
    signals::IPTABLES_BACKEND_SPLIT_LOGGED,
    signals::KUBE_PROXY_CANNOT_PROGRAM,
    signals::KUBE_PROXY_NO_LOCAL_ENDPOINTS,
    signals::KUBE_PROXY_FELL_BACK,
    signals::SYN_SENT_PILEUP,
    signals::CLOSE_WAIT_PILEUP,
    signals::NO_ROUTE,
    signals::NEIGHBOR_FAILED,
    signals::RP_FILTER_STRICT,
    signals::HAIRPIN_OFF,
    signals::BGP_NOT_ESTABLISHED,
    signals::KUBELET_CLUSTER_DNS_UNSET,
    signals::CONNTRACK_NEAR_MAX,
    signals::CONNTRACK_DROPS,
    mtu::PATH_MTU_BELOW_INTERFACE,
    mtu::OVERLAY_MTU_FITS,
    ranges::ADDRESS_RANGES_DISJOINT,
    ranges::ADDRESSES_IN_THEIR_RANGES,
    datapath::SERVICE_HAS_PROXY_RULES,
    datapath::DNAT_TARGETS_MATCH_ENDPOINTS,
    datapath::CONNTRACK_MATCHES_ENDPOINTS,
];

/// Look a predicate up by name.
pub fn get(name: &str) -> Option<&'static PredicateInfo> {
    ALL.iter().find(|p| p.name == name)
}

/// Shell-quote a value for a copy-paste command when it needs it.
pub fn sh(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=,@".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// `-n ns` for a command, or nothing when the namespace is unknown.
pub fn ns_flag(ns: Option<&str>) -> String {
    match ns {
        Some(ns) => format!(" -n {}", sh(ns)),
        None => String::new(),
    }
}
