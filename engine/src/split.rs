//! Split a paste into segments: one per command output.
//!
//! A segment starts at a command line — a shell prompt (`$ cmd`, `# cmd`,
//! `user@host:~$ cmd`, `[root@node ~]# cmd`, busybox `/ # cmd`) or a bare line that starts
//! with a known command (`kubectl get pods -n shop`) — and runs to the next one. Text with
//! no command line is cut at blank lines where the next block looks like the start of a
//! different output (the content sniffers of the parser registry decide), so a
//! resolv.conf followed by a dig answer becomes two segments while a dig answer's own blank
//! lines do not split it.
//!
//! Every segment knows its 1-based line range in the whole input; the body is a slice of
//! the input, never a copy, so a 100 MB paste costs one pass and no second buffer.

use crate::cmdline::{self, CommandLine};
use serde::Serialize;

/// One command's output within the paste.
#[derive(Debug, Clone, Serialize)]
pub struct Segment<'a> {
    /// Position of this segment in the paste, from 0.
    pub index: usize,
    /// The command that introduced the output, if the paste shows one.
    pub command: Option<CommandLine>,
    /// 1-based line of that command line.
    pub command_line: Option<usize>,
    /// 1-based line number of the first body line in the whole input.
    pub first_line: usize,
    /// Number of body lines.
    pub line_count: usize,
    /// The output itself: lines `first_line ..= first_line + line_count - 1`, `\n`-joined
    /// exactly as pasted (a `\r` before `\n` is kept; parsers trim it).
    #[serde(skip)]
    pub body: &'a str,
}

impl<'a> Segment<'a> {
    /// Build a segment over `body`, which starts at 1-based line `first_line`.
    pub fn new(body: &'a str, first_line: usize) -> Segment<'a> {
        let line_count = if body.is_empty() {
            0
        } else {
            body.lines().count()
        };
        Segment {
            index: 0,
            command: None,
            command_line: None,
            first_line,
            line_count,
            body,
        }
    }

    /// Like [`Segment::new`] with a command line (for tests and `netdoc parse --as`).
    pub fn with_command(body: &'a str, first_line: usize, command: &str) -> Segment<'a> {
        let mut s = Segment::new(body, first_line);
        s.command = cmdline::parse(command);
        s
    }

    /// The last line of the segment (its command line if the body is empty).
    pub fn last_line(&self) -> usize {
        if self.line_count == 0 {
            self.command_line.unwrap_or(self.first_line)
        } else {
            self.first_line + self.line_count - 1
        }
    }

    /// The body's lines with their 1-based numbers in the whole input; `\r` trimmed. The
    /// lines kubectl itself prints around `kubectl exec`/`run` (`command terminated with
    /// exit code 1`, …) are not the command's output and are skipped here, for every parser.
    pub fn lines(&self) -> impl Iterator<Item = (usize, &'a str)> + 'a {
        let first = self.first_line;
        self.body
            .lines()
            .enumerate()
            .map(move |(i, l)| (first + i, l.strip_suffix('\r').unwrap_or(l)))
            .filter(|(_, l)| !crate::parse::resolv_conf::is_kubectl_noise(l.trim()))
    }

    /// The first `n` lines of the body, for sniffing.
    pub fn head(&self, n: usize) -> &'a str {
        head(self.body, n)
    }

    /// The kubectl flags of the command line, if it was kubectl.
    pub fn kubectl(&self) -> Option<&cmdline::Kubectl> {
        self.command.as_ref().and_then(|c| c.kubectl.as_ref())
    }
}

/// The first `n` lines of `text`.
pub fn head(text: &str, n: usize) -> &str {
    let mut end = 0;
    for (count, (i, _)) in text.match_indices('\n').enumerate() {
        if count + 1 >= n {
            return &text[..i];
        }
        end = i;
    }
    let _ = end;
    text
}

/// Programs whose command line, typed bare without a prompt, starts a segment.
pub const KNOWN_COMMANDS: &[&str] = &[
    "kubectl",
    "k",
    "oc",
    "microk8s",
    "dig",
    "nslookup",
    "host",
    "getent",
    "curl",
    "wget",
    "nc",
    "ncat",
    "telnet",
    "ss",
    "netstat",
    "cat",
    "ip",
    "iptables",
    "iptables-save",
    "iptables-legacy-save",
    "iptables-nft-save",
    "ip6tables",
    "ip6tables-save",
    "ipvsadm",
    "nft",
    "conntrack",
    "ping",
    "tracepath",
    "traceroute",
    "mtr",
    "sysctl",
    "dmesg",
    "journalctl",
    "ethtool",
    "tcpdump",
    "crictl",
    "docker",
    "sudo",
    "calicoctl",
    "cilium",
    "ipset",
    "systemctl",
    "grep",
    "tail",
    "head",
    "kubeadm",
    "kubelet",
    "kube-proxy",
    "bridge",
    "brctl",
    "arp",
    "route",
    "ifconfig",
    "resolvectl",
    "nsenter",
];

/// If `line` is a command line, the command text after the prompt.
pub fn command_of(line: &str) -> Option<&str> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    let t = line.trim_start();
    if t.is_empty() || t.len() > 4096 {
        return None;
    }
    // `$ cmd` — an unmistakable prompt.
    if let Some(rest) = t.strip_prefix("$ ").or_else(|| t.strip_prefix("% ")) {
        let rest = rest.trim();
        return (!rest.is_empty()).then_some(rest);
    }
    // `# cmd` — also a comment marker in configs, so only with a known command after it.
    if let Some(rest) = t.strip_prefix('#') {
        let rest = rest.trim_start();
        return starts_with_known_command(rest).then_some(rest.trim_end());
    }
    // `user@host:~$ cmd`, `[root@node ~]# cmd`, `bash-5.1# cmd`, `/ # cmd`, `~ $ cmd`, `PS C:\> cmd`
    if let Some((prefix, rest, strong)) = split_prompt(t) {
        let rest = rest.trim();
        if rest.is_empty() || prefix.is_empty() {
            return None;
        }
        if strong || starts_with_known_command(rest) {
            return Some(rest);
        }
        return None;
    }
    // oh-my-zsh: `➜  ~ kubectl get pods`, `docker1.node ➜  kubectl logs …` (host, arrow,
    // maybe a directory): only with a known command after it.
    if let Some((before, after)) = t.split_once("➜ ") {
        let before = before.trim();
        if before.len() <= 64 && !before.contains(' ') {
            let rest = after.trim_start();
            if starts_with_known_command(rest) {
                return Some(rest.trim_end());
            }
            // Skip a directory word (`~`, `k8s`, `git:(main)`) once.
            if let Some((_, cmd)) = rest.split_once(' ') {
                let cmd = cmd.trim_start();
                if starts_with_known_command(cmd) {
                    return Some(cmd.trim_end());
                }
            }
        }
    }
    // A bare command typed without its prompt.
    if starts_with_known_command(t) && !is_known_output_banner(t) {
        return Some(t.trim_end());
    }
    None
}

fn is_known_output_banner(t: &str) -> bool {
    t.starts_with("traceroute to ")
        || t.starts_with("traceroute6 to ")
        || is_version_banner(t)
        // `ip -d link` prints a bridge's details as `bridge forward_delay 1500 hello_time …`.
        || t.starts_with("bridge forward_delay ")
        || is_nft_expression(t)
}

/// `ip daddr 10.96.0.1 tcp dport 443 …`, `ip saddr != 10.244.0.0/16 …`: a rule line of `nft
/// list` output, whose `ip` is nftables' IPv4 header selector, not the iproute2 command.
fn is_nft_expression(t: &str) -> bool {
    let mut words = t.split_whitespace();
    words.next() == Some("ip")
        && words.next().is_some_and(|w| {
            matches!(
                w,
                "daddr"
                    | "saddr"
                    | "protocol"
                    | "version"
                    | "dscp"
                    | "ttl"
                    | "length"
                    | "id"
                    | "hdrlength"
                    | "frag-off"
                    | "checksum"
                    | "ecn"
            )
        })
}

/// `iptables v1.8.7 (nf_tables)`, `iptables v1.6.0: can't initialize …`: a program name then
/// ` v<digit>` is what a tool prints about itself, not a command someone typed.
fn is_version_banner(t: &str) -> bool {
    let mut words = t.split_whitespace();
    let _program = words.next();
    words.next().is_some_and(|w| {
        let mut c = w.chars();
        c.next() == Some('v') && c.next().is_some_and(|d| d.is_ascii_digit())
    })
}

fn starts_with_known_command(t: &str) -> bool {
    let word_end = t.find(|c: char| c.is_whitespace()).unwrap_or(t.len());
    let word = &t[..word_end];
    let name = word.rsplit('/').next().unwrap_or(word);
    // `curl: (7) …` and `nslookup: can't resolve` are output, not commands; nor is a
    // config line such as `ExecStart=/usr/bin/kubelet …`.
    if word.contains('=') || !KNOWN_COMMANDS.contains(&name) {
        return false;
    }
    let rest = t[word_end..].trim_start();
    // A bare program name alone on a line (`dmesg`) counts; a program followed by prose
    // does not: arguments of real commands start with a flag, a name, a path or an address.
    if rest.is_empty() {
        return true;
    }
    let first = rest.chars().next().unwrap_or(' ');
    first == '-'
        || first == '+'
        || first == '@'
        || first == '/'
        || first == '\''
        || first == '"'
        || first.is_ascii_alphanumeric()
        || first == '$'
        || first == '.'
        || first == '~'
}

/// Split `t` into (prompt prefix, command, strong): strong when the prefix is a
/// `user@host` or `[…]` prompt, which never starts an output line.
fn split_prompt(t: &str) -> Option<(&str, &str, bool)> {
    let bytes = t.as_bytes();
    // `[root@k8s-master ~]# cmd` (also without the space after `#`).
    if t.starts_with('[') {
        let close = t.find(']')?;
        let inside = &t[1..close];
        if !inside.contains('@') && !inside.contains(' ') {
            return None;
        }
        let after = &t[close + 1..];
        let after_trim = after.trim_start();
        let c = after_trim.chars().next()?;
        if matches!(c, '$' | '#' | '%' | '>') {
            return Some((&t[..=close], &after_trim[1..], inside.contains('@')));
        }
        return None;
    }
    // Find the prompt character ending the first word(s): `user@host:~/dir$ `, `bash-5.1# `, `/ # `.
    for (i, &b) in bytes.iter().enumerate().take(128) {
        if matches!(b, b'$' | b'#' | b'>') {
            let prefix = t[..i].trim_end();
            let rest = &t[i + 1..];
            if !(rest.starts_with(' ') || rest.is_empty()) && b != b'#' {
                continue;
            }
            if prefix.is_empty() {
                return None;
            }
            let user_host = prefix.contains('@') && !prefix.contains(' ') && !prefix.contains('=');
            let shellish = prefix.starts_with("bash-")
                || prefix.starts_with("sh-")
                || prefix == "/"
                || prefix.starts_with('~')
                || (prefix.starts_with('/') && !prefix.contains(' '))
                || prefix.starts_with("PS ")
                || prefix.starts_with('(') && prefix.contains(')');
            if user_host || shellish {
                return Some((prefix, rest, user_host));
            }
            return None;
        }
        if b == b' '
            && i > 0
            && !t[..i].starts_with('(')
            && !t[..i].starts_with("PS")
            && !t[..i].contains('@')
        {
            // A prompt prefix is one word (`/`, `~`, `bash-5.1`), except busybox's `/ #`.
            if !(t[..i] == *"/" || t[..i].starts_with('~')) {
                return None;
            }
        }
    }
    None
}

/// A boundary sniffer, supplied by the detection stage: given the first lines of a
/// block, does it look like the start of an output (and which kind)? Any
/// `Fn(&str) -> Option<&'static str>` is one.
pub trait Sniff {
    /// The kind of output `head` starts, if any.
    fn kind(&self, head: &str) -> Option<&'static str>;
    /// Is `head` surely more of `kind`'s output, so that [`Sniff::kind`] would name
    /// `kind` too? A cheap answer for the common case (the next chain of an `iptables
    /// -L` listing) that spares asking every sniffer; `false` means "ask `kind`".
    fn continues(&self, _kind: &'static str, _head: &str) -> bool {
        false
    }
}

impl<F: Fn(&str) -> Option<&'static str>> Sniff for F {
    fn kind(&self, head: &str) -> Option<&'static str> {
        self(head)
    }
}

/// A boundary sniffer (see [`Sniff`]).
pub type Sniffer<'s> = &'s dyn Sniff;

/// Split `input` into segments. `sniff` names the output kind a block of text starts,
/// so that command-less text is cut only where a new output begins.
pub fn split<'a>(input: &'a str, sniff: Sniffer<'_>) -> Vec<Segment<'a>> {
    // Pass 1: line offsets and command lines.
    let mut segments: Vec<Segment<'a>> = Vec::new();
    let mut cur_cmd: Option<(usize, CommandLine)> = None;
    let mut body_start: Option<(usize, usize)> = None; // (byte offset, line no)
    let mut last_end = 0usize; // byte offset just past the last line added
    let mut last_line = 0usize;
    let mut offset = 0usize;
    let mut line_no = 0usize;

    let flush = |cmd: Option<(usize, CommandLine)>,
                 start: Option<(usize, usize)>,
                 end: usize,
                 end_line: usize,
                 segments: &mut Vec<Segment<'a>>| {
        match (cmd, start) {
            (Some((cl, c)), Some((s, sl))) => {
                let body = input.get(s..end).unwrap_or("");
                // A log pasted below a command's output, after a blank line, is not its
                // output: cut it off and split it by content.
                let (own, tail) = log_tail(body, sl, sniff);
                let own_end = own.map_or(end, |(e, _)| s + e);
                let own_last = own.map_or(end_line, |(_, l)| l);
                let body = input.get(s..own_end).unwrap_or("");
                let mut seg = Segment::new(body, sl);
                seg.line_count = own_last + 1 - sl;
                seg.command = Some(c);
                seg.command_line = Some(cl);
                segments.push(seg);
                if let Some((t, tl)) = tail {
                    let body = input.get(s + t..end).unwrap_or("");
                    content_split(body, tl, sniff, segments);
                }
            }
            (Some((cl, c)), None) => {
                let mut seg = Segment::new("", cl + 1);
                seg.command = Some(c);
                seg.command_line = Some(cl);
                segments.push(seg);
            }
            (None, Some((s, sl))) => {
                let body = input.get(s..end).unwrap_or("");
                content_split(body, sl, sniff, segments);
            }
            (None, None) => {}
        }
    };

    // `kubectl apply -f- <<EOF`: the body runs to the delimiter line, which is dropped.
    let mut heredoc: Option<String> = None;
    for raw in input.split_inclusive('\n') {
        line_no += 1;
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        if let Some(delim) = &heredoc {
            if line.trim() == delim {
                heredoc = None;
                flush(
                    cur_cmd.take(),
                    body_start.take(),
                    last_end,
                    last_line,
                    &mut segments,
                );
                continue;
            }
        } else if let Some(cmd_text) = command_of(line) {
            if let Some(cmd) = cmdline::parse(cmd_text) {
                flush(
                    cur_cmd.take(),
                    body_start.take(),
                    last_end,
                    last_line,
                    &mut segments,
                );
                heredoc = heredoc_delimiter(cmd_text);
                cur_cmd = Some((line_no, cmd));
                continue;
            }
        }
        if line.trim().is_empty() {
            continue;
        }
        if body_start.is_none() {
            body_start = Some((start, line_no));
        }
        last_end = start + line.len();
        last_line = line_no;
    }
    flush(
        cur_cmd.take(),
        body_start.take(),
        last_end,
        last_line,
        &mut segments,
    );
    for (i, s) in segments.iter_mut().enumerate() {
        s.index = i;
    }
    segments
}

/// The delimiter of a here-document on a command line: `<<EOF`, `<< 'EOF'`, `<<-"END"`.
fn heredoc_delimiter(cmd: &str) -> Option<String> {
    let (_, rest) = cmd.split_once("<<")?;
    if rest.starts_with('<') {
        return None; // `<<<` is a here-string: no body follows
    }
    let rest = rest.trim_start_matches('-').trim_start();
    let word: String = rest
        .chars()
        .take_while(|c| !c.is_whitespace() && *c != ';' && *c != '|' && *c != '&')
        .collect();
    let word = word.trim_matches(['\'', '"']);
    (!word.is_empty() && word.len() <= 64).then(|| word.to_string())
}

/// Cut command-less text at blank lines where the next block starts a new kind of output.
fn content_split<'a>(
    body: &'a str,
    first_line: usize,
    sniff: Sniffer<'_>,
    out: &mut Vec<Segment<'a>>,
) {
    // Blocks separated by blank lines: (start offset, end offset, first line, last line)
    let mut blocks: Vec<(usize, usize, usize, usize)> = Vec::new();
    let mut offset = 0;
    let mut open: Option<(usize, usize)> = None;
    let mut last: (usize, usize) = (0, first_line);
    for (line_no, raw) in (first_line..).zip(body.split_inclusive('\n')) {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        if line.trim().is_empty() {
            if let Some((s, sl)) = open.take() {
                blocks.push((s, last.0, sl, last.1));
            }
        } else {
            if open.is_none() {
                open = Some((start, line_no));
            }
            last = (start + line.len(), line_no);
        }
    }
    if let Some((s, sl)) = open.take() {
        blocks.push((s, last.0, sl, last.1));
    }
    // Merge a block into the previous one unless it starts a different kind of output.
    let mut merged: Vec<(usize, usize, usize, usize, Option<&'static str>)> = Vec::new();
    for (s, e, sl, el) in blocks {
        let h = head(&body[s..e], 12);
        let kind = match merged.last().and_then(|prev| prev.4) {
            Some(k) if !starts_repeatable(Some(k)) && sniff.continues(k, h) => Some(k),
            _ => sniff.kind(h),
        };
        match merged.last_mut() {
            Some(prev) if kind.is_none() || kind == prev.4 && !starts_repeatable(kind) => {
                prev.1 = e;
                prev.3 = el;
            }
            // bind's closing failure lines after a blank line (`dig +trace` prints one after
            // each step) end the dig/nslookup/host output above them.
            Some(prev)
                if matches!(prev.4, Some("dig" | "nslookup" | "host"))
                    && is_bind_failure_block(&body[s..e]) =>
            {
                prev.1 = e;
                prev.3 = el;
            }
            // A comment header above a blank line (systemd-resolved's resolv.conf,
            // `systemctl cat`'s file name) belongs to the output below it.
            Some(prev) if prev.4.is_none() && is_comment_block(&body[prev.0..prev.1]) => {
                prev.1 = e;
                prev.3 = el;
                prev.4 = kind;
            }
            _ => merged.push((s, e, sl, el, kind)),
        }
    }
    for (s, e, sl, el, _) in merged {
        let mut seg = Segment::new(&body[s..e], sl);
        seg.line_count = el + 1 - sl;
        out.push(seg);
    }
}

/// Kinds whose lines carry their own source prefix (a dmesg stamp, a klog header, a CoreDNS
/// level tag, an `-A CHAIN` rule spec): a block of them after a blank line below another
/// command's output is a second paste, not that output.
/// Every non-blank line starts with `#`.
fn is_comment_block(text: &str) -> bool {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .all(|l| l.trim_start().starts_with('#'))
}

/// Only the failure lines bind's dig, nslookup and host share, and kubectl's exit line.
fn is_bind_failure_block(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .all(|l| {
            l.starts_with(";; connection timed out;")
                || l.starts_with(";; no servers could be reached")
                || l.starts_with(";; communications error to ")
                || l.starts_with("command terminated with exit code ")
        })
}

fn is_log_kind(kind: Option<&'static str>) -> bool {
    // `iptables-save | grep` rule lines (`-A KUBE-SVC-… -j …`) are never a table's rows
    // either, nor is a manifest (`apiVersion:` … `kind:`) or an installer's cluster config
    // (`network:` … `service_cidr:`) pasted below a command's output.
    matches!(
        kind,
        Some(
            "kernel-log"
                | "kube-proxy-log"
                | "coredns-log"
                | "iptables-save"
                | "k8s-objects"
                | "cluster-config"
        )
    )
}

/// In a command's body, the first blank-line block (after the first) that sniffs as a log
/// kind the first block is not. Returns `(end of the command's own part, its last line)`
/// and `(offset of the log part, its first line)`, offsets relative to `body`.
#[allow(clippy::type_complexity)]
fn log_tail(
    body: &str,
    first_line: usize,
    sniff: Sniffer<'_>,
) -> (Option<(usize, usize)>, Option<(usize, usize)>) {
    let mut offset = 0;
    let mut prev_blank = false;
    let mut last_text: Option<(usize, usize)> = None;
    let mut first_kind: Option<Option<&'static str>> = None;
    for (line_no, raw) in (first_line..).zip(body.split_inclusive('\n')) {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        if line.trim().is_empty() {
            prev_blank = true;
            continue;
        }
        let kind_here = || {
            let h = head(block_at(body.get(start..).unwrap_or("")), 12);
            match first_kind.flatten() {
                Some(k) if sniff.continues(k, h) => Some(k),
                _ => sniff.kind(h),
            }
        };
        match first_kind {
            None => first_kind = Some(kind_here()),
            Some(first) if prev_blank && last_text.is_some() => {
                let k = kind_here();
                if is_log_kind(k) && k != first {
                    return (last_text, Some((start, line_no)));
                }
            }
            Some(_) => {}
        }
        prev_blank = false;
        last_text = Some((start + line.len(), line_no));
    }
    (None, None)
}

/// The text up to the first blank line.
fn block_at(text: &str) -> &str {
    let mut end = 0;
    for raw in text.split_inclusive('\n') {
        if raw.trim().is_empty() {
            break;
        }
        end += raw.len();
    }
    text.get(..end).unwrap_or(text)
}

/// Kinds whose every block is a whole output of its own (two tables pasted one after the
/// other are two outputs).
fn starts_repeatable(kind: Option<&'static str>) -> bool {
    kind.is_some_and(|k| k.starts_with("kubectl-get-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_sniff(_: &str) -> Option<&'static str> {
        None
    }

    #[test]
    fn prompts_of_every_shape() {
        assert_eq!(command_of("$ kubectl get svc"), Some("kubectl get svc"));
        assert_eq!(command_of("root@node-1:~# ss -tlnp"), Some("ss -tlnp"));
        assert_eq!(
            command_of("ubuntu@ip-10-0-0-1:~/k8s$ dig +search backend"),
            Some("dig +search backend")
        );
        assert_eq!(
            command_of("[root@k8s-master ~]#kubectl get svc --namespace=kube-system"),
            Some("kubectl get svc --namespace=kube-system")
        );
        assert_eq!(command_of("/ # nslookup backend"), Some("nslookup backend"));
        assert_eq!(
            command_of("bash-5.1# curl -v http://backend"),
            Some("curl -v http://backend")
        );
        assert_eq!(
            command_of("# cat /etc/resolv.conf"),
            Some("cat /etc/resolv.conf")
        );
        assert_eq!(
            command_of("kubectl get pod --selector=app=nginx-ingress"),
            Some("kubectl get pod --selector=app=nginx-ingress")
        );
    }

    #[test]
    fn output_lines_are_not_prompts() {
        for l in [
            "# Generated by NetworkManager",
            "# Generated by iptables-save v1.8.7 on Mon",
            "curl: (7) Failed to connect to backend port 80: Connection refused",
            "nslookup: can't resolve 'backend'",
            "default   backend   ClusterIP   10.96.0.10   <none>   80/TCP   1d",
            "traceroute to 10.0.0.1 (10.0.0.1), 30 hops max, 60 byte packets",
            "telnet: Unable to connect to remote host: Connection refused",
            "; <<>> DiG 9.18.1 <<>> backend",
            "search default.svc.cluster.local svc.cluster.local cluster.local",
            "  app: backend  # a comment",
            "State  Recv-Q Send-Q Local Address:Port Peer Address:Port",
            "ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_DNS_ARGS",
            "iptables v1.8.7 (nf_tables)",
            "iptables v1.6.1",
            "iptables v1.6.0: can't initialize iptables table `nat': Table does not exist",
            "    bridge forward_delay 1500 hello_time 200 max_age 2000 ageing_time 30000 stp_state 0",
            "ip daddr 10.96.0.1 tcp dport 443 ip saddr != 10.244.0.0/16 jump mark-for-masquerade",
            "ip saddr 10.244.1.5 jump mark-for-masquerade",
            "ip protocol tcp   counter packets 81 bytes 4860",
        ] {
            assert_eq!(command_of(l), None, "{l}");
        }
    }

    #[test]
    fn segments_keep_whole_input_line_numbers() {
        let input = "$ kubectl get svc\nNAME  TYPE\nbackend ClusterIP\n\n$ cat /etc/resolv.conf\nnameserver 10.96.0.10\n";
        let segs = split(input, &no_sniff);
        assert_eq!(segs.len(), 2);
        assert_eq!(segs[0].command_line, Some(1));
        assert_eq!((segs[0].first_line, segs[0].last_line()), (2, 3));
        assert_eq!(segs[0].body, "NAME  TYPE\nbackend ClusterIP");
        assert_eq!(segs[1].command.as_ref().unwrap().program, "cat");
        let lines: Vec<_> = segs[1].lines().collect();
        assert_eq!(lines, vec![(6, "nameserver 10.96.0.10")]);
    }

    #[test]
    fn content_blocks_split_only_where_a_new_kind_starts() {
        let input = "nameserver 10.0.0.10\noptions ndots:5\n\n; <<>> DiG 9.8 <<>> a\n;; QUESTION\n\n;; ANSWER SECTION:\na. 1 IN A 1.2.3.4\n";
        let sniff = |h: &str| {
            if h.starts_with("nameserver") {
                Some("resolv-conf")
            } else if h.starts_with("; <<>> DiG") {
                Some("dig")
            } else {
                None
            }
        };
        let segs = split(input, &sniff);
        assert_eq!(segs.len(), 2);
        assert_eq!((segs[1].first_line, segs[1].last_line()), (4, 8));
    }

    #[test]
    fn here_documents_end_at_their_delimiter() {
        let input = "$ kubectl apply -n x -f- <<'EOF'\napiVersion: v1\nkind: Service\nEOF\n\n$ cat <<EOF | kubectl apply -f -\nkind: Pod\nEOF\nafter\n";
        let segs = split(input, &no_sniff);
        let shape: Vec<(usize, usize, Option<usize>)> = segs
            .iter()
            .map(|s| (s.first_line, s.last_line(), s.command_line))
            .collect();
        assert_eq!(shape, vec![(2, 3, Some(1)), (7, 7, Some(6)), (9, 9, None)]);
        assert_eq!(heredoc_delimiter("cat <<< \"x\""), None);
        assert_eq!(
            heredoc_delimiter("kubectl apply -f - <<-\"END\""),
            Some("END".into())
        );
    }

    #[test]
    fn zsh_arrow_prompts() {
        assert_eq!(
            command_of("docker1.node ➜  kubectl logs coredns-55f86bf584-7sbtj -n kube-system"),
            Some("kubectl logs coredns-55f86bf584-7sbtj -n kube-system")
        );
        assert_eq!(
            command_of("➜  ~ kubectl get pods"),
            Some("kubectl get pods")
        );
        assert_eq!(command_of("a ➜ b means nothing"), None);
    }

    #[test]
    fn a_bind_timeout_after_a_blank_line_ends_the_dig_above() {
        let input = "; <<>> DiG 9.16.1 <<>> +trace example.com\n;; Received 239 bytes from 10.96.0.10#53(10.96.0.10) in 4 ms\n\n;; connection timed out; no servers could be reached\n";
        let sniff = |h: &str| {
            if h.starts_with("; <<>>") {
                Some("dig")
            } else if h.starts_with(";; connection") {
                Some("nslookup")
            } else {
                None
            }
        };
        let segs = split(input, &sniff);
        assert_eq!(segs.len(), 1);
        assert_eq!(segs[0].last_line(), 4);
        // Alone, the same line is still its own output.
        let segs = split(
            "nameserver 10.96.0.10\n\n;; connection timed out; no servers could be reached\n",
            &sniff,
        );
        assert_eq!(segs.len(), 2);
    }

    #[test]
    fn a_log_below_a_command_output_is_its_own_segment() {
        let input = "$ iptables -t nat -nL\nChain PREROUTING\n\n[1.0] TRACE: x\n[1.1] TRACE: y\n";
        let sniff = |h: &str| {
            if h.starts_with('[') {
                Some("kernel-log")
            } else {
                None
            }
        };
        let segs = split(input, &sniff);
        assert_eq!(segs.len(), 2);
        assert_eq!((segs[0].first_line, segs[0].last_line()), (2, 2));
        assert_eq!(segs[0].body, "Chain PREROUTING");
        assert!(segs[1].command.is_none());
        assert_eq!((segs[1].first_line, segs[1].last_line()), (4, 5));
        // A log command's own blank lines do not cut it.
        let input = "$ dmesg\n[1.0] a\n\n[2.0] b\n";
        assert_eq!(split(input, &sniff).len(), 1);
    }

    #[test]
    fn hostile_input_does_not_panic() {
        for input in [
            "",
            "\n\n\n",
            "\r\n",
            "$ ",
            "#",
            "[",
            "[root@x",
            "\u{0}\u{1}binary\u{7f}",
            "ä€$ ü",
            "$ \n$ \n",
        ] {
            let _ = split(input, &no_sniff);
        }
        let big = "x".repeat(10_000);
        let _ = split(&big, &no_sniff);
    }
}
