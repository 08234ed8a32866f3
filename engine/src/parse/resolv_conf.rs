//! /etc/resolv.conf: the resolver configuration a pod or node uses.
//!
//! Commands: `cat /etc/resolv.conf`, `kubectl exec POD -- cat /etc/resolv.conf`,
//! `cat /run/systemd/resolve/resolv.conf` (any `cat`/`less`/`head`/`tail` of a file whose
//! name contains `resolv.conf`), also `kubectl run … -- cat /etc/resolv.conf`.
//!
//! Variants: kubelet-written pod files (`search <ns>.svc.cluster.local svc.cluster.local
//! cluster.local` / `nameserver 10.96.0.10` / `options ndots:5`), the systemd-resolved stub
//! (`nameserver 127.0.0.53`, `options edns0 trust-ad`, its long comment header) and uplink
//! file, node files from cloud images (`search ec2.internal`, `domain …`), dhclient and
//! NetworkManager files.
//!
//! Semantics are glibc's (`resolv/res_init.c`): a keyword at the start of a line; `#` and
//! `;` start comment lines; the LAST `search` or `domain` line wins (`domain` is the
//! obsolete one-domain search list) and gives `effective_search`; `search` keeps every
//! domain of every `search` line as written and `domain` the domain of the last `domain`
//! line (jc's `resolve_conf` names and meanings). glibc before 2.26 kept at most 6 domains and 256
//! characters; 2.26+ has no limit: every domain is kept here (musl keeps 256 characters).
//! `options` words are kept verbatim in `options` (`timeout:2`, `attempts:3`, `rotate`,
//! `single-request-reopen`, `edns0`, `use-vc`, `trust-ad`, …); the last `ndots:N` gives
//! `ndots`, clamped to 15 as glibc does. glibc uses only the first 3 `nameserver` lines
//! (`MAXNS`); all are kept here, in order. A `nameserver` whose address is not an IP is
//! kept with `ip: None` and reported (glibc ignores such a line). `sortlist` is read and not
//! modelled. Any other line is a problem. Lines `kubectl exec`/`kubectl run` print around
//! the output (`command terminated with exit code 1`, `pod "x" deleted`, …) are skipped.
//!
//! Record: one per segment: `line` (the first line of the file), `nameservers` (`ip`,
//! `raw`, `line`), `search`, `domain`, `search_line` (the winning line), `effective_search`, `ndots`,
//! `ndots_line`, `options`.
//!
//! ```text
//! search default.svc.cluster.local svc.cluster.local cluster.local
//! nameserver 10.96.0.10
//! options ndots:5
//! → { line: 1, nameservers: [{ ip: 10.96.0.10, raw: "10.96.0.10", line: 2 }],
//!     search: [default.svc.cluster.local, svc.cluster.local, cluster.local], domain: null, search_line: 1,
//!     effective_search: (same), ndots: 5, ndots_line: 3, options: ["ndots:5"] }
//! ```

use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use pest::Parser;
use serde::Serialize;
use std::net::IpAddr;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/resolv_conf.pest"]
struct P;

/// One resolv.conf file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    /// 1-based input line of the first line of the file.
    pub line: usize,
    pub nameservers: Vec<Nameserver>,
    /// Every domain of every `search` line, as written (jc's `search`).
    pub search: Vec<String>,
    /// The domain of the last `domain` line (jc's `domain`).
    pub domain: Option<String>,
    /// The line of the `search`/`domain` line that wins (the last one).
    pub search_line: Option<usize>,
    /// The search list glibc uses: the domains of the last `search`/`domain` line.
    pub effective_search: Vec<String>,
    /// `options ndots:N` (the last one), clamped to 15.
    pub ndots: Option<u32>,
    pub ndots_line: Option<usize>,
    /// Every `options` word, verbatim, in order.
    pub options: Vec<String>,
}

/// One `nameserver` line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Nameserver {
    /// The address, when it is one (`%scope` of a link-local IPv6 address dropped).
    pub ip: Option<IpAddr>,
    /// The address as written.
    pub raw: String,
    pub line: usize,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "resolv-conf",
    aliases: &["resolv.conf"],
    title: "/etc/resolv.conf",
    commands: &[
        "cat /etc/resolv.conf",
        "kubectl exec POD -- cat /etc/resolv.conf",
        "cat /run/systemd/resolve/resolv.conf",
    ],
    variants: &[
        "kubelet pod resolv.conf (ClusterFirst, ndots:5)",
        "systemd-resolved stub (127.0.0.53) and uplink file",
        "node files: cloud images, dhclient, NetworkManager",
        "glibc semantics (last search/domain wins, ndots clamped to 15)",
    ],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    let (program, args) = inner_command(cmd);
    matches!(program, "cat" | "less" | "more" | "head" | "tail")
        && args
            .iter()
            .any(|a| !a.starts_with('-') && a.contains("resolv.conf"))
}

/// The program and arguments a command line runs, looking inside `kubectl run … -- cmd`
/// (cmdline unwraps `kubectl exec`/`debug` itself).
pub(crate) fn inner_command(cmd: &CommandLine) -> (&str, &[String]) {
    if cmd.program == "kubectl" && cmd.kubectl.as_ref().is_some_and(|k| k.verb == "run") {
        if let Some(pos) = cmd.args.iter().position(|a| a == "--") {
            if let (Some(p), Some(rest)) = (cmd.args.get(pos + 1), cmd.args.get(pos + 2..)) {
                return (p.rsplit('/').next().unwrap_or(p), rest);
            }
        }
    }
    (cmd.program.as_str(), cmd.args.as_slice())
}

/// Lines kubectl prints around a command run with `kubectl exec` or `kubectl run --rm -it`:
/// not the command's output, skipped by the DNS parsers.
pub(crate) fn is_kubectl_noise(t: &str) -> bool {
    t.starts_with("If you don't see a command prompt, try pressing enter.")
        || t.starts_with("command terminated with exit code ")
        || (t.starts_with("pod \"") && t.ends_with("\" deleted"))
        || (t.starts_with("pod \"") && t.contains("\" deleted from "))
        || t.starts_with("Defaulted container \"")
        || t.starts_with("Unable to use a TTY")
        || t.starts_with("Session ended, resume using ")
        || t.starts_with("error: timed out waiting for the condition")
        || t.starts_with("warning: couldn't attach to pod/")
}

fn sniff(head: &str) -> Option<f32> {
    let mut score: f32 = 0.0;
    for l in head.lines() {
        let t = l.trim_end_matches('\r');
        if let Some(rest) = t.strip_prefix("nameserver") {
            let first = rest.split_whitespace().next();
            if rest.starts_with([' ', '\t']) && first.is_some_and(|a| parse_ip(a).is_some()) {
                score = score.max(0.9);
            }
        } else if t.starts_with("options ") && t.contains("ndots:") {
            score = score.max(0.85);
        } else if t.starts_with("search ") || t.starts_with("search\t") {
            // `search` followed by domains only (no prose).
            let words: Vec<&str> = t.split_whitespace().skip(1).take(8).collect();
            if !words.is_empty()
                && words
                    .iter()
                    .all(|w| w.contains('.') && !w.ends_with(':') && !w.contains('='))
            {
                score = score.max(0.7);
            }
        }
    }
    (score > 0.0).then_some(score)
}

/// glibc's cap on `ndots` (`RES_MAXNDOTS`).
const MAX_NDOTS: u32 = 15;

/// An address as written in `nameserver`: IPv4, IPv6, IPv6 with `%scope`.
fn parse_ip(s: &str) -> Option<IpAddr> {
    if let Ok(ip) = s.parse() {
        return Some(ip);
    }
    let (addr, scope) = s.split_once('%')?;
    (!scope.is_empty() && addr.contains(':'))
        .then(|| addr.parse().ok())
        .flatten()
}

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out = Output::default();
    let mut rec: Option<Record> = None;
    for (n, raw) in seg.lines() {
        let text = super::probe::capped(raw).trim_end();
        let t = text.trim_start();
        if t.is_empty() || is_kubectl_noise(t) {
            continue;
        }
        let Some(pair) = P::parse(Rule::resolv_line, text)
            .ok()
            .and_then(|mut p| p.next())
            .and_then(|l| l.into_inner().next())
        else {
            let word: String = t
                .split_whitespace()
                .next()
                .unwrap_or("")
                .chars()
                .take(40)
                .collect();
            out.problem(
                n,
                format!("not a resolv.conf line: `{word}` is not nameserver, search, domain, options or sortlist"),
            );
            continue;
        };
        let r = rec.get_or_insert_with(|| Record {
            line: seg.first_line,
            nameservers: Vec::new(),
            search: Vec::new(),
            domain: None,
            search_line: None,
            effective_search: Vec::new(),
            ndots: None,
            ndots_line: None,
            options: Vec::new(),
        });
        match pair.as_rule() {
            Rule::nameserver => {
                let Some(addr) = pair.into_inner().find(|p| p.as_rule() == Rule::address) else {
                    continue;
                };
                let raw = addr.as_str();
                let ip = parse_ip(raw);
                if ip.is_none() {
                    out.problem(
                        n,
                        format!(
                            "nameserver `{raw}` is not an IP address (glibc ignores this line)"
                        ),
                    );
                }
                r.nameservers.push(Nameserver {
                    ip,
                    raw: raw.to_string(),
                    line: n,
                });
            }
            Rule::search | Rule::domain_kw => {
                let pair_is_search = pair.as_rule() == Rule::search;
                let domains: Vec<String> = pair
                    .into_inner()
                    .filter(|p| p.as_rule() == Rule::domain)
                    .map(|p| p.as_str().to_string())
                    .collect();
                if pair_is_search {
                    r.search.extend(domains.iter().cloned());
                } else {
                    r.domain = domains.first().cloned();
                }
                r.effective_search = domains;
                r.search_line = Some(n);
            }
            Rule::options => {
                for o in pair.into_inner().filter(|p| p.as_rule() == Rule::option) {
                    let o = o.as_str();
                    if let Some(v) = o.strip_prefix("ndots:") {
                        match v.parse::<u64>() {
                            Ok(v) => {
                                r.ndots = Some(
                                    u32::try_from(v.min(u64::from(MAX_NDOTS))).unwrap_or(MAX_NDOTS),
                                );
                                r.ndots_line = Some(n);
                            }
                            Err(_) => out.problem(n, format!("`{o}`: ndots is not a number")),
                        }
                    }
                    r.options.push(o.to_string());
                }
            }
            // Comments and sortlist: read, nothing to keep.
            _ => {}
        }
    }
    out.records.extend(rec);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> (Record, Vec<super::super::Problem>) {
        let out = parse(&Segment::new(text, 1));
        (
            out.records
                .into_iter()
                .next()
                .unwrap_or_else(|| panic!("no record")),
            out.problems,
        )
    }

    #[test]
    fn last_search_or_domain_wins() {
        let (r, p) = one("domain corp.example\nsearch a.example b.example\nnameserver 10.0.0.2\n");
        assert!(p.is_empty());
        assert_eq!(r.effective_search, vec!["a.example", "b.example"]);
        assert_eq!(r.search_line, Some(2));
        assert_eq!(r.search, vec!["a.example", "b.example"]);
        assert_eq!(r.domain.as_deref(), Some("corp.example"));
        let (r, _) = one("search a.example b.example\ndomain corp.example\n");
        assert_eq!(r.effective_search, vec!["corp.example"]);
        assert_eq!(r.search_line, Some(2));
    }

    #[test]
    fn ndots_is_clamped_and_the_last_wins() {
        let (r, p) = one("options ndots:5\noptions timeout:2 ndots:40 rotate\n");
        assert!(p.is_empty());
        assert_eq!((r.ndots, r.ndots_line), (Some(15), Some(2)));
        assert_eq!(
            r.options,
            vec!["ndots:5", "timeout:2", "ndots:40", "rotate"]
        );
        let (r, p) = one("options ndots:x\n");
        assert_eq!(r.ndots, None);
        assert_eq!(p.len(), 1);
    }

    #[test]
    fn tricky_lines() {
        let (r, p) = one(
            "# comment\n; also a comment\n  nameserver\tfe80::1%eth0\nnameserver kube-dns\nsortlist 10.0.0.0/255.0.0.0\nsearch\t\n",
        );
        assert_eq!(r.nameservers[0].ip, "fe80::1".parse().ok());
        assert_eq!((r.nameservers[1].ip, r.nameservers[1].line), (None, 4));
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].line, 4);
        assert_eq!((r.effective_search.len(), r.search_line), (0, Some(6)));
        // Not a keyword: reported, not dropped.
        let out = parse(&Segment::new("nameservers 10.0.0.1\nsearchdomain x\n", 7));
        assert!(out.records.is_empty());
        assert_eq!(
            out.problems.iter().map(|p| p.line).collect::<Vec<_>>(),
            vec![7, 8]
        );
    }

    #[test]
    fn sniffs_resolv_conf_only() {
        assert!(sniff("nameserver 10.96.0.10\n").is_some_and(|c| c >= 0.9));
        assert!(sniff("options ndots:5\n").is_some());
        assert!(sniff("search the logs for errors\n").is_none());
        assert!(sniff("nameserver is broken\n").is_none());
    }

    #[test]
    fn commands() {
        let m = |c: &str| crate::cmdline::parse(c).is_some_and(|c| matches_command(&c));
        assert!(m("cat /etc/resolv.conf"));
        assert!(m("kubectl exec -it web -- cat /etc/resolv.conf"));
        assert!(m(
            "kubectl run -it --rm dnsutils --image=busybox:1.28 --restart=Never -- cat /etc/resolv.conf"
        ));
        assert!(!m("cat /etc/hosts"));
    }
}
