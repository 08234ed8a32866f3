//! iptables -V: the iptables build and its backend.
//!
//! Commands: `iptables -V`, `iptables --version`, `ip6tables -V`, `iptables-legacy -V`,
//! `iptables-nft -V`, `iptables-save -V`, also inside `docker run … iptables -V`.
//!
//! Variants: iptables 1.8.x names its backend (`iptables v1.8.7 (nf_tables)`, `iptables
//! v1.8.4 (legacy)`); before 1.8 there is only the legacy one and no tag (`iptables v1.6.1`).
//!
//! Record: `line`, `program` (`iptables`, `ip6tables`, `iptables-legacy`, …), `version`
//! (`1.8.7`), `backend` (`nf_tables` or `legacy`; `legacy` when untagged), `explicit` (the
//! output named the backend).
//!
//! Every other line is a problem with its line number.
//!
//! ```text
//! iptables v1.8.7 (nf_tables)
//! → { line: 1, program: "iptables", version: "1.8.7", backend: "nf_tables", explicit: true }
//! ```

use super::iptables_save::{has_flag, iptables_command};
use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use pest::Parser;
use serde::Serialize;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/iptables_version.pest"]
struct P;

/// One version line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    /// 1-based input line.
    pub line: usize,
    pub program: String,
    /// `1.8.7`.
    pub version: String,
    /// `nf_tables` or `legacy`.
    pub backend: String,
    /// True when the output named the backend; false for a pre-1.8 untagged line.
    pub explicit: bool,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "iptables-version",
    aliases: &["iptables-V"],
    title: "iptables version and backend",
    commands: &["iptables -V", "iptables --version", "ip6tables -V"],
    variants: &[
        "iptables 1.4.21–1.6.x (untagged: legacy)",
        "iptables 1.8.x (legacy) / (nf_tables)",
    ],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    let Some((_, args)) = iptables_command(cmd) else {
        return false;
    };
    has_flag(args, 'V', "--version")
}

fn sniff(head: &str) -> Option<f32> {
    let mut lines = head.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next()?;
    let ok = P::parse(Rule::version_line, first).is_ok();
    // Only a whole output of version lines: an error `iptables v1.6.0: can't …` is not one.
    (ok && lines.all(|l| P::parse(Rule::version_line, l).is_ok())).then_some(0.9)
}

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out = Output::default();
    for (n, raw) in seg.lines() {
        let text = super::probe::capped(raw).trim();
        if text.is_empty() {
            continue;
        }
        let Some(v) = P::parse(Rule::version_line, text)
            .ok()
            .and_then(|mut p| p.next())
            .and_then(|l| l.into_inner().next())
        else {
            out.problem(
                n,
                "not an iptables version line: expected `iptables vX.Y.Z [(nf_tables|legacy)]`",
            );
            continue;
        };
        let (mut program, mut version, mut backend) = ("", "", None);
        for p in v.into_inner() {
            match p.as_rule() {
                Rule::program => program = p.as_str(),
                Rule::version => version = p.as_str(),
                Rule::backend => backend = Some(p.as_str()),
                _ => {}
            }
        }
        let (backend, explicit) = super::iptables_save::backend_of(program, backend);
        out.records.push(Record {
            line: n,
            program: program.to_string(),
            version: version.to_string(),
            backend: backend.to_string(),
            explicit,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        let out = parse(&Segment::new(
            "iptables v1.8.7 (nf_tables)\niptables v1.6.1\nip6tables-legacy v1.8.4\nnope",
            1,
        ));
        let got: Vec<_> = out
            .records
            .iter()
            .map(|r| (r.version.as_str(), r.backend.as_str(), r.explicit))
            .collect();
        assert_eq!(
            got,
            vec![
                ("1.8.7", "nf_tables", true),
                ("1.6.1", "legacy", false),
                ("1.8.4", "legacy", true)
            ]
        );
        assert_eq!(out.problems[0].line, 4);
    }
}
