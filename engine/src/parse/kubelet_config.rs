//! kubelet command-line flags as written in systemd units, env files and process lists.
//!
//! # Commands
//! - `systemctl cat kubelet`
//! - `cat /etc/systemd/system/kubelet.service.d/10-kubeadm.conf` (any `*.service`/`*.conf` drop-in)
//! - `cat /var/lib/kubelet/kubeadm-flags.env`, `cat /etc/default/kubelet`, `cat /etc/sysconfig/kubelet`
//! - `ps aux | grep kubelet`, `ps -ef | grep kubelet`
//!
//! `cat /var/lib/kubelet/config.yaml` (a `KubeletConfiguration` object) belongs to
//! `k8s-objects`, which reads `clusterDNS`, `clusterDomain`, `resolvConf`, `hairpinMode`.
//!
//! # Variants
//! - kubeadm 1.5–1.10 drop-in with `KUBELET_DNS_ARGS=--cluster-dns=… --cluster-domain=…`
//!   (kubernetes/release#188), kubeadm 1.11+ drop-in with `EnvironmentFile=` and
//!   `kubeadm-flags.env`
//! - `ExecStart=` lines, with `\` continuation lines (kubernetes-the-hard-way style units)
//! - procps `ps aux` / `ps -ef` lines, the `grep kubelet` line itself, headers
//! - flags as `--flag=value`, `--flag value`, bare `--flag` (boolean, read as `true`)
//!
//! # Record schema
//! `Record { line: usize, flag: String, value: String, values: Vec<String>, variable:
//! Option<String> }`: one per flag seen. `flag` has no leading dashes (`cluster-dns`);
//! `value` is unquoted (`"true"` for a bare boolean flag); `values` is `value` split at commas
//! (`--cluster-dns=10.96.0.10,169.254.20.10` → two); `variable` names the environment
//! variable the flag was set in (`KUBELET_DNS_ARGS`), `None` on command lines.
//!
//! # Example
//! `Environment="KUBELET_DNS_ARGS=--cluster-dns=10.12.0.10 --cluster-domain=cluster.local"`
//! → `{flag: "cluster-dns", value: "10.12.0.10", values: ["10.12.0.10"], variable:
//! Some("KUBELET_DNS_ARGS")}` and `{flag: "cluster-domain", value: "cluster.local", …}`.

use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use pest::iterators::Pair;
use pest::Parser as _;
use serde::Serialize;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/kubelet_config.pest"]
struct P;

/// One kubelet flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    /// 1-based input line (the first physical line of a `\`-continued line).
    pub line: usize,
    /// Flag name without dashes: `cluster-dns`, `resolv-conf`, `node-ip`, …
    pub flag: String,
    /// Value, unquoted; `true` for a bare boolean flag.
    pub value: String,
    /// `value` split at commas, empty parts dropped.
    pub values: Vec<String>,
    /// The environment variable that carried the flag (`KUBELET_DNS_ARGS`), if any.
    pub variable: Option<String>,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "kubelet-config",
    aliases: &["kubelet-flags"],
    title: "kubelet flags in systemd units, env files and process lists",
    commands: &[
        "systemctl cat kubelet",
        "cat /etc/systemd/system/kubelet.service.d/10-kubeadm.conf",
        "cat /var/lib/kubelet/kubeadm-flags.env",
        "ps aux | grep kubelet",
    ],
    variants: &[
        "kubeadm 1.5-1.10 drop-in (KUBELET_DNS_ARGS)",
        "kubeadm 1.11+ drop-in and kubeadm-flags.env",
        "ExecStart with continuation lines",
        "procps ps aux / ps -ef",
    ],
    matches_command,
    sniff,
};

fn matches_command(cmd: &CommandLine) -> bool {
    let args = || cmd.args.iter().filter(|a| !a.starts_with('-'));
    match cmd.program.as_str() {
        "systemctl" => {
            cmd.args.first().is_some_and(|a| a == "cat") && args().any(|a| a.starts_with("kubelet"))
        }
        "cat" | "less" | "more" | "head" | "tail" => args().any(|a| {
            let file = a.rsplit('/').next().unwrap_or(a);
            file == "kubeadm-flags.env"
                || file == "10-kubeadm.conf"
                || file == "kubelet.service"
                || (a.contains("kubelet") && (file.ends_with(".conf") || file.ends_with(".env")))
                || a == "/etc/default/kubelet"
                || a == "/etc/sysconfig/kubelet"
        }),
        // `ps aux | grep kubelet`: cmdline keeps the whole text.
        "ps" => cmd.text.contains("kubelet"),
        "pgrep" => cmd.text.contains("kubelet"),
        _ => false,
    }
}

fn sniff(head: &str) -> Option<f32> {
    let mut score: f32 = 0.0;
    for line in head.lines() {
        let t = line.trim();
        if t.starts_with("Environment=\"KUBELET_")
            || t.starts_with("KUBELET_KUBEADM_ARGS=")
            || t.starts_with("KUBELET_EXTRA_ARGS=")
        {
            score = score.max(0.9);
        } else if t.starts_with("# /") && t.contains("kubelet") {
            // `systemctl cat kubelet` heads each file with its path.
            score = score.max(0.85);
        } else if t.starts_with("ExecStart=") && t.contains("kubelet") {
            score = score.max(0.8);
        } else if (t.contains("/kubelet --") || t.contains(" kubelet --")) && !t.starts_with('$') {
            score = score.max(0.7);
        }
    }
    (score > 0.0).then_some(score)
}

/// Lines longer than this are not kubelet settings; refuse them instead of scanning.
const MAX_LINE: usize = 64 * 1024;

/// One logical line: physical lines joined at a trailing `\`, with the byte offset where
/// each physical line starts so a flag keeps the line it was written on.
struct Logical {
    text: String,
    starts: Vec<(usize, usize)>,
}

impl Logical {
    /// Input line of the text at `offset`.
    fn line_at(&self, offset: usize) -> usize {
        self.starts
            .iter()
            .take_while(|(o, _)| *o <= offset)
            .last()
            .or(self.starts.first())
            .map_or(0, |(_, l)| *l)
    }
    /// Input line of `part`, a slice of `self.text`.
    fn line_of(&self, part: &str) -> usize {
        self.line_at((part.as_ptr() as usize).saturating_sub(self.text.as_ptr() as usize))
    }
}

/// Join `\`-continued lines.
fn logical_lines(seg: &Segment) -> Vec<Logical> {
    let mut out: Vec<Logical> = Vec::new();
    let mut pending: Option<Logical> = None;
    for (n, line) in seg.lines() {
        let mut cur = match pending.take() {
            Some(mut l) => {
                l.text.push(' ');
                l.starts.push((l.text.len(), n));
                l.text.push_str(line.trim_start());
                l
            }
            None => Logical {
                text: line.to_string(),
                starts: vec![(0, n)],
            },
        };
        if cur.text.len() <= MAX_LINE && cur.text.trim_end().ends_with('\\') {
            let keep = cur.text.trim_end().len() - 1;
            cur.text.truncate(keep);
            pending = Some(cur);
        } else {
            out.push(cur);
        }
    }
    if let Some(p) = pending {
        out.push(p);
    }
    out
}

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out = Output::default();
    for l in logical_lines(seg) {
        let n = l.line_at(0);
        if l.text.len() > MAX_LINE {
            out.problem(
                n,
                format!(
                    "line of {} bytes is too long for a kubelet setting",
                    l.text.len()
                ),
            );
            continue;
        }
        parse_line(&l, &mut out);
    }
    out
}

const LINE_RULES: &[Rule] = &[
    Rule::blank_line,
    Rule::comment_line,
    Rule::section_header,
    Rule::process_list_header,
    Rule::environment_setting,
    Rule::exec_start_setting,
    Rule::env_file_line,
    Rule::unit_setting,
    Rule::kubelet_command,
];

fn parse_line(l: &Logical, out: &mut Output<Record>) {
    let text = l.text.as_str();
    let n = l.line_at(0);
    for rule in LINE_RULES {
        let Ok(mut pairs) = P::parse(*rule, text) else {
            continue;
        };
        let Some(pair) = pairs.next() else { return };
        match rule {
            Rule::environment_setting | Rule::env_file_line => {
                for a in pair
                    .into_inner()
                    .filter(|p| p.as_rule() == Rule::assignment)
                {
                    assignment(l, a, out);
                }
            }
            Rule::exec_start_setting => {
                let cmd = pair
                    .into_inner()
                    .find(|p| p.as_rule() == Rule::command_text)
                    .map(|p| p.as_str())
                    .unwrap_or("");
                // `ExecStart=` (reset) and other programs carry no kubelet flags.
                if let Ok(mut c) = P::parse(Rule::kubelet_command, cmd) {
                    if let Some(c) = c.next() {
                        command(l, c, out);
                    }
                }
            }
            Rule::kubelet_command => command(l, pair, out),
            _ => {}
        }
        return;
    }
    out.problem(
        n,
        "expected a systemd setting (Environment=, ExecStart=, Key=value), a [Section], a VAR=\"--flags\" assignment or a kubelet command line",
    );
}

fn assignment(l: &Logical, pair: Pair<'_, Rule>, out: &mut Output<Record>) {
    let mut variable = None;
    let mut value = "";
    for p in pair.into_inner().flat_map(|p| {
        // quoted_assignment / bare_assignment wrap the parts.
        let r = p.as_rule();
        if r == Rule::quoted_assignment || r == Rule::bare_assignment {
            p.into_inner().collect::<Vec<_>>()
        } else {
            vec![p]
        }
    }) {
        match p.as_rule() {
            Rule::variable_name => variable = Some(p.as_str().to_string()),
            Rule::double_quoted_text | Rule::single_quoted_text | Rule::bare_text => {
                value = p.as_str()
            }
            _ => {}
        }
    }
    match P::parse(Rule::argument_list, value) {
        Ok(mut pairs) => {
            if let Some(list) = pairs.next() {
                flags(l, list, variable.as_deref(), false, out);
            }
        }
        Err(e) => {
            let p = super::pest_problem(&e, l.line_of(value), "kubelet arguments");
            out.problem(p.line, p.message);
        }
    }
}

fn command(l: &Logical, pair: Pair<'_, Rule>, out: &mut Output<Record>) {
    if let Some(args) = pair.into_inner().find(|p| p.as_rule() == Rule::arguments) {
        flags(l, args, None, true, out);
    }
}

/// Turn an argument list into records. On a command line (`strict`), a plain word that is
/// not the value of the flag before it is a problem: ps prints only flags after kubelet.
fn flags(
    l: &Logical,
    list: Pair<'_, Rule>,
    variable: Option<&str>,
    strict: bool,
    out: &mut Output<Record>,
) {
    // The last flag written without `=`, which a following word may give a value to.
    let mut bare: Option<usize> = None;
    let mut reported = false;
    for p in list.into_inner() {
        let n = l.line_of(p.as_str());
        match p.as_rule() {
            Rule::flag => {
                let mut name = "";
                let mut value: Option<&str> = None;
                for part in p.into_inner() {
                    match part.as_rule() {
                        Rule::flag_name => name = part.as_str(),
                        Rule::flag_value => value = Some(part.as_str()),
                        _ => {}
                    }
                }
                bare = if value.is_none() {
                    Some(out.records.len())
                } else {
                    None
                };
                let value = unquote(value.unwrap_or("true"));
                out.records.push(record(n, name, value, variable));
            }
            Rule::plain_word => match bare.take() {
                Some(i) => {
                    if let Some(r) = out.records.get_mut(i) {
                        r.value = unquote(p.as_str()).to_string();
                        r.values = split_values(&r.value);
                    }
                }
                None if strict && !reported => {
                    reported = true;
                    out.problem(
                        n,
                        format!("unexpected word `{}` among kubelet flags", p.as_str()),
                    );
                }
                None => {}
            },
            _ => bare = None,
        }
    }
}

fn unquote(v: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q).and_then(|s| s.strip_suffix(q)) {
            return inner;
        }
    }
    v
}

fn split_values(v: &str) -> Vec<String> {
    v.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn record(n: usize, flag: &str, value: &str, variable: Option<&str>) -> Record {
    Record {
        line: n,
        flag: flag.to_string(),
        value: value.to_string(),
        values: split_values(value),
        variable: variable.map(str::to_string),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(rule: Rule, text: &str) -> bool {
        P::parse(rule, text).is_ok()
    }

    #[test]
    fn grammar_rules() {
        assert!(ok(Rule::section_header, "[Service]"));
        assert!(!ok(Rule::section_header, "[Service"));
        assert!(ok(
            Rule::environment_setting,
            r#"Environment="KUBELET_EXTRA_ARGS=--v=4""#
        ));
        assert!(ok(
            Rule::environment_setting,
            r#"Environment="A=1" "B=--x=y""#
        ));
        assert!(!ok(
            Rule::environment_setting,
            r#"Environment="KUBELET_DNS_ARGS=--cluster-dns=10.96.0.10"#
        ));
        assert!(ok(Rule::exec_start_setting, "ExecStart="));
        assert!(ok(
            Rule::exec_start_setting,
            "ExecStart=/usr/bin/kubelet $KUBELET_ARGS"
        ));
        assert!(ok(
            Rule::env_file_line,
            r#"KUBELET_KUBEADM_ARGS="--node-ip=10.0.0.5""#
        ));
        assert!(!ok(Rule::env_file_line, "not an assignment"));
        assert!(ok(Rule::unit_setting, "Restart=always"));
        assert!(!ok(Rule::unit_setting, r#"Environment="X"#));
        assert!(ok(
            Rule::kubelet_command,
            "root 1 0.0 0.1 1 2 ? Ssl 09:13 3:12 /usr/bin/kubelet --v=2"
        ));
        assert!(ok(Rule::kubelet_command, "kubelet"));
        assert!(!ok(Rule::kubelet_command, "/usr/bin/kubelets --v=2"));
        assert!(ok(
            Rule::argument_list,
            "--cluster-dns=10.96.0.10 --cluster-domain=cluster.local"
        ));
        assert!(ok(Rule::argument_list, ""));
        assert!(ok(Rule::flag, "--node-labels=\"a=b c\""));
        assert!(!ok(Rule::flag, "node-ip"));
    }

    #[test]
    fn flags_with_values_and_variables() {
        let seg = Segment::new(
            "Environment=\"KUBELET_DNS_ARGS=--cluster-dns=10.12.0.10,10.12.0.11 --cluster-domain=cluster.local\"\nExecStart=/usr/bin/kubelet $KUBELET_DNS_ARGS --hostname-override node-1 --fail-swap-on",
            5,
        );
        let out = parse(&seg);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert_eq!(out.records[0].flag, "cluster-dns");
        assert_eq!(out.records[0].values, vec!["10.12.0.10", "10.12.0.11"]);
        assert_eq!(out.records[0].variable.as_deref(), Some("KUBELET_DNS_ARGS"));
        assert_eq!(out.records[0].line, 5);
        assert_eq!(out.records[2].flag, "hostname-override");
        assert_eq!(out.records[2].value, "node-1");
        assert_eq!(out.records[2].line, 6);
        assert_eq!(out.records[3].value, "true");
    }

    #[test]
    fn empty_and_garbage() {
        let out = parse(&Segment::new("", 1));
        assert!(out.records.is_empty() && out.problems.is_empty());
        let out = parse(&Segment::new("@@@ ???\n", 3));
        assert_eq!(out.problems.len(), 1);
        assert_eq!(out.problems[0].line, 3);
        let long = format!("--x={}", "a".repeat(100_000));
        let out = parse(&Segment::new(&long, 1));
        assert_eq!(out.problems.len(), 1);
    }

    #[test]
    fn commands_and_sniffing() {
        let c = |s: &str| crate::cmdline::parse(s).unwrap_or_else(|| unreachable!());
        assert!(matches_command(&c("systemctl cat kubelet")));
        assert!(matches_command(&c(
            "cat /etc/systemd/system/kubelet.service.d/10-kubeadm.conf"
        )));
        assert!(matches_command(&c(
            "sudo cat /var/lib/kubelet/kubeadm-flags.env"
        )));
        assert!(matches_command(&c("ps aux | grep kubelet")));
        assert!(!matches_command(&c("cat /var/lib/kubelet/config.yaml")));
        assert!(!matches_command(&c("cat /etc/resolv.conf")));
        assert!(
            sniff("[Service]\nEnvironment=\"KUBELET_KUBECONFIG_ARGS=--kubeconfig=/x\"\n").is_some()
        );
        assert_eq!(
            sniff("apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"),
            None
        );
    }
}
