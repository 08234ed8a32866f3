//! kubelet logs (klog; Kubernetes 1.1x–1.3x) as people paste them.
//!
//! Commands: `journalctl -u kubelet`, `journalctl -xeu kubelet`, `journalctl -u kubelet
//! --no-pager -o cat` / `-o short-iso`, `systemctl status kubelet` (the log tail under the
//! unit's status), `tail /var/log/kubelet.log` (and `cat`/`grep` of it). kubelet is not a pod:
//! `kubectl logs` never prints it.
//!
//! Variants: journald / syslog prefixes (`Nov 23 10:01:44 node-1 kubelet[1234]: `, `-o
//! short-iso` times, `kubelet: ` without a pid, no host in some `systemctl status` tails);
//! bare klog lines (`-o cat`, log files); plain klog messages (`Readiness probe for "…"
//! failed (failure): …`, before 1.20) and structured ones (`"Probe failed" probeType="Readiness"
//! pod="shop/web-…" …`, 1.20 on).
//!
//! Record: one per line with a known signature: `level` (klog letter `I`/`W`/`E`/`F`, `null`
//! for a journal line without a klog header), `file` (`pod_workers.go:1298`), `signature`,
//! `detail` (the message as printed, continuation lines joined by `\n`) and `fields` (every
//! `key=value` of a structured message, unescaped, plus the signature's own):
//!
//! | signature | from | fields |
//! |---|---|---|
//! | `cni-not-initialized` | `network plugin is not ready: cni config uninitialized`, `"Container runtime network not ready" networkReady="… cni plugin not initialized"`, `Unable to update cni config: no networks found in /etc/cni/net.d` | `detail` (`cni config uninitialized`, `cni plugin not initialized`, `no networks found in /etc/cni/net.d`) |
//! | `sandbox-network-failed` | `Failed to create pod sandbox` / `CreatePodSandbox` / `RunPodSandbox` errors with `failed to setup network for sandbox`, `failed to set up sandbox container … network`, `NetworkPlugin cni failed to set up pod` | `pod` (`namespace/name` when printed), `plugin` (`calico`, `cni`), `error` |
//! | `ipam-exhausted` | the same with `failed to allocate for range 0: no IP addresses available in range set: 10.42.0.1-10.42.0.254` | `pod`, `range` (the set, when printed), `range_index` |
//! | `probe-failed` | `"Probe failed" probeType="Readiness" pod=… containerName=… output="Get \"http://10.244.1.7:8080/healthz\": dial tcp …: connect: connection refused"`, `Readiness probe for "web_shop(uid):web" failed (failure): …` | `probe_type`, `pod`, `container`, `output`, `address`, `port`, `error` (`connection refused`, `i/o timeout`, `context deadline exceeded`, `no route to host`, `connection reset by peer`, `statuscode: 503`, …) |
//! | `nameserver-limit-exceeded` | `Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 10.0.0.2 10.0.0.3 10.0.0.4`, `"Nameserver limits exceeded" err=…` | `applied` (when printed) |
//! | `search-limit-exceeded` | `Search Line limits were exceeded, some search paths have been omitted, the applied search line is: …` | `applied` (when printed) |
//! | `hairpin-mode-fallback` | `Hairpin mode set to "promiscuous-bridge" but kubenet is not enabled, falling back to "hairpin-veth"`, `… but container runtime is "rkt", ignoring`, `"Hairpin mode is set but kubenet is not enabled, falling back to HairpinVeth" hairpinMode=…` | `requested`, `effective` (`none` when ignored) |
//! | `node-ip-problem` | `Failed to get node IP`, `No node IP`, `unable to determine node IP`, `can't get ip address of node …`, `failed to get node address …` | (`err`) |
//! | `cluster-dns-unset` | `kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.`, `Cluster DNS IP is not set` | `pod` |
//!
//! Pods read as `namespace/name`: structured `pod="shop/web"` as is, old `web_shop(uid)` turned
//! round.
//!
//! Known lines skipped deliberately: well-formed kubelet lines with no known signature (most of
//! a kubelet log), journal lines of other programs (`systemd[1]: kubelet.service: Main process
//! exited …`, containerd), kubelet's own non-klog stderr lines (`Flag --network-plugin has been
//! deprecated …`) without a signature, journalctl's `-- Logs begin at … --` / `-x` catalog lines
//! (`-- Subject: …`, `░░ …`) and pager line, the status part of `systemctl status` (`●
//! kubelet.service - …`, `Loaded:`, `Active:`, the `└─` tree, `Hint:`), glog's file header (`Log
//! file created at: …`), and continuation lines (indented) after a line without a signature.
//! Lines that are none of these are problems with their line number.
//!
//! ```text
//! Nov 23 10:01:44 node-1 kubelet[1234]: E1123 10:01:44.781102    1234 dns.go:153] "Nameserver limits exceeded" err="Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 10.0.0.2 10.0.0.3 10.0.0.4"
//! → { line: 1, level: "E", file: "dns.go:153", signature: "nameserver-limit-exceeded",
//!     detail: "\"Nameserver limits exceeded\" err=…", fields: { err: "…", applied: "10.0.0.2 10.0.0.3 10.0.0.4" } }
//! ```

use super::common::{capped_at, unescape_go, MAX_LOG_LINE};
use super::{Output, ParserInfo};
use crate::cmdline::CommandLine;
use crate::split::Segment;
use pest::iterators::Pair;
use pest::Parser;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/common.pest"]
#[grammar = "../grammar/kubelet_log.pest"]
struct P;

/// One kubelet log line with a known signature.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    /// 1-based input line.
    pub line: usize,
    /// klog severity letter: `I`, `W`, `E`, `F`; `None` for a line without a klog header.
    pub level: Option<String>,
    /// `pod_workers.go:1298`.
    pub file: Option<String>,
    /// `cni-not-initialized`, `sandbox-network-failed`, `ipam-exhausted`, `probe-failed`,
    /// `nameserver-limit-exceeded`, `search-limit-exceeded`, `hairpin-mode-fallback`,
    /// `node-ip-problem`, `cluster-dns-unset`.
    pub signature: String,
    /// The message as printed, continuation lines joined with `\n`.
    pub detail: String,
    pub fields: BTreeMap<String, String>,
}

pub const INFO: ParserInfo = ParserInfo {
    kind: "kubelet-log",
    aliases: &["kubelet-logs", "kubelet-journal"],
    title: "kubelet logs (journalctl -u kubelet, systemctl status kubelet, kubelet.log)",
    commands: &[
        "journalctl -u kubelet",
        "journalctl -xeu kubelet",
        "journalctl -u kubelet --no-pager -o cat",
        "systemctl status kubelet",
        "tail /var/log/kubelet.log",
    ],
    variants: &[
        "journald / syslog prefixes (short, short-iso), bare klog lines (-o cat, log files)",
        "klog plain messages (Kubernetes 1.1x)",
        "klog structured messages (1.20–1.3x)",
    ],
    matches_command,
    sniff,
};

/// Programs whose journal lines are kubelet's.
const KUBELET_PROGRAMS: &[&str] = &["kubelet", "hyperkube"];

fn matches_command(cmd: &CommandLine) -> bool {
    let names_kubelet =
        |a: &String| a == "kubelet" || a == "kubelet.service" || a.starts_with("--unit=kubelet");
    match cmd.program.as_str() {
        // `journalctl -u kubelet`, `-xeu kubelet`, `--unit kubelet`, `--unit=kubelet.service`
        "journalctl" => {
            let mut prev_unit = false;
            for a in &cmd.args {
                if a.starts_with("--unit=kubelet") {
                    return true;
                }
                if prev_unit && names_kubelet(a) {
                    return true;
                }
                prev_unit = a == "--unit"
                    || (a.starts_with('-') && !a.starts_with("--") && a.ends_with('u'));
                if a.starts_with("-u") && a.len() > 2 && a[2..].starts_with("kubelet") {
                    return true;
                }
            }
            false
        }
        "systemctl" => cmd.args.iter().any(|a| a == "status") && cmd.args.iter().any(names_kubelet),
        "cat" | "tail" | "head" | "less" | "more" | "grep" | "zcat" => cmd.args.iter().any(|a| {
            let file = a.rsplit('/').next().unwrap_or(a);
            file.starts_with("kubelet") && file.contains(".log")
                || a.starts_with("/var/log/kubelet")
                || file.starts_with("kubelet.")
                    && (file.contains(".INFO")
                        || file.contains(".ERROR")
                        || file.contains(".WARNING"))
        }),
        _ => false,
    }
}

/// How a line reads.
enum Shape<'i> {
    /// A kubelet line: its klog header (if any) and message.
    Kubelet {
        level: Option<String>,
        file: Option<String>,
        message: Option<Pair<'i, Rule>>,
        text: &'i str,
        prefixed: bool,
    },
    /// A well-formed line that is not kubelet's own: another program's journal line, a
    /// journalctl note, `systemctl status` lines, glog's file header.
    Other,
}

fn shape(text: &str) -> Option<Shape<'_>> {
    for rule in [Rule::journal_note, Rule::unit_status, Rule::glog_header] {
        if P::parse(rule, text).is_ok() {
            return Some(Shape::Other);
        }
    }
    let line = P::parse(Rule::kubelet_line, text).ok()?.next()?;
    let (mut level, mut file, mut message, mut body, mut prefixed) = (None, None, None, "", false);
    for part in line.into_inner() {
        match part.as_rule() {
            Rule::syslog_head => {
                prefixed = true;
                let program = part
                    .into_inner()
                    .flat_map(|p| {
                        if p.as_rule() == Rule::program_pid {
                            p.into_inner().collect::<Vec<_>>()
                        } else {
                            vec![p]
                        }
                    })
                    .find(|p| p.as_rule() == Rule::program)
                    .map(|p| p.as_str())
                    .unwrap_or("");
                if !KUBELET_PROGRAMS.contains(&program) {
                    return Some(Shape::Other);
                }
            }
            Rule::klog => {
                let mut name = "";
                for k in part.into_inner() {
                    match k.as_rule() {
                        Rule::klog_header => {
                            for h in k.into_inner() {
                                match h.as_rule() {
                                    Rule::level => level = Some(h.as_str().to_string()),
                                    Rule::source_file => name = h.as_str(),
                                    Rule::source_line => {
                                        file = Some(format!("{name}:{}", h.as_str()))
                                    }
                                    _ => {}
                                }
                            }
                        }
                        Rule::message => {
                            body = k.as_str();
                            message = Some(k);
                        }
                        _ => {}
                    }
                }
            }
            Rule::text => body = part.as_str(),
            _ => {}
        }
    }
    Some(Shape::Kubelet {
        level,
        file,
        message,
        text: body,
        prefixed,
    })
}

/// Files of kubelet itself (pkg/kubelet, its CRI, prober, network and dns packages).
const OWN_FILES: &[&str] = &[
    "kubelet.go",
    "kubelet_network.go",
    "kubelet_network_linux.go",
    "kubelet_node_status.go",
    "kubelet_pods.go",
    "kubelet_getters.go",
    "pod_workers.go",
    "prober.go",
    "prober_manager.go",
    "worker.go",
    "kuberuntime_manager.go",
    "kuberuntime_sandbox.go",
    "kuberuntime_container.go",
    "remote_runtime.go",
    "cni.go",
    "docker_service.go",
    "reconciler.go",
    "reconciler_common.go",
    "operation_generator.go",
    "container_manager_linux.go",
    "eviction_manager.go",
    "generic.go",
    "status_manager.go",
    "volume_manager.go",
];

fn sniff(head: &str) -> Option<f32> {
    let (mut journal, mut other_journal, mut status, mut sig, mut own) = (0, 0, 0, 0, 0);
    for l in head.lines() {
        let t = capped_at(l.trim_end_matches('\r'), MAX_LOG_LINE).trim();
        if t.starts_with("● kubelet.service")
            || t.starts_with("○ kubelet.service")
            || t.starts_with("× kubelet.service")
        {
            status += 1;
            continue;
        }
        match shape(t) {
            Some(Shape::Kubelet {
                file,
                text,
                prefixed,
                ..
            }) => {
                if prefixed {
                    journal += 1;
                }
                if signature(text).is_some() {
                    sig += 1;
                }
                if file
                    .as_deref()
                    .and_then(|f| f.split(':').next())
                    .is_some_and(|f| OWN_FILES.contains(&f))
                {
                    own += 1;
                }
            }
            Some(Shape::Other) if t.contains(": ") && !t.starts_with("--") => other_journal += 1,
            _ => {}
        }
    }
    if status > 0 || (journal > 0 && journal >= other_journal) {
        Some(0.95)
    } else if sig > 0 {
        Some(if journal > 0 || own > 0 { 0.93 } else { 0.85 })
    } else if own > 0 {
        Some(0.6)
    } else if journal > 0 {
        Some(0.5)
    } else {
        None
    }
}

/// The signature of a message: `ipam-exhausted` first (it sits behind the sandbox phrase).
fn signature(msg: &str) -> Option<Pair<'_, Rule>> {
    for rule in [Rule::ipam_in, Rule::signature_in] {
        if let Some(sig) = P::parse(rule, msg)
            .ok()
            .and_then(|mut p| p.next())
            .and_then(|s| s.into_inner().next())
        {
            return Some(sig);
        }
    }
    None
}

/// Parse one segment.
pub fn parse(seg: &Segment) -> Output<Record> {
    let mut out = Output::default();
    // Whether the last kubelet line made a record (continuation lines join it).
    let mut last: Option<bool> = None;
    for (n, raw) in seg.lines() {
        let text = capped_at(raw, MAX_LOG_LINE);
        let t = text.trim();
        if t.is_empty() {
            continue;
        }
        match shape(text.trim_end()) {
            Some(Shape::Other) => {
                last = None;
            }
            Some(Shape::Kubelet {
                level,
                file,
                message,
                text: body,
                prefixed,
            }) => {
                // A journal line of kubelet without a klog header and indented: the next
                // line of a multi-line message.
                if level.is_none() && prefixed && body.starts_with([' ', '\t']) {
                    if let Some(true) = last {
                        continue_record(&mut out, body.trim());
                    }
                    continue;
                }
                let rec = record(n, level, file, message, body.trim());
                last = Some(rec.is_some());
                if let Some(r) = rec {
                    out.records.push(r);
                }
            }
            None => {
                if text.starts_with([' ', '\t']) && last.is_some() {
                    if let Some(true) = last {
                        continue_record(&mut out, t);
                    }
                    continue;
                }
                // A kubelet message without any prefix still counts when it has a signature
                // (a line copied out of an event or a wrapped paste).
                match record(n, None, None, None, t) {
                    Some(r) => {
                        last = Some(true);
                        out.records.push(r);
                    }
                    None => {
                        last = None;
                        out.problem(
                            n,
                            "expected a kubelet log line (`Nov 23 10:01:44 node-1 kubelet[1234]: E1123 10:01:44.781102    1234 file.go:12] message`, or the klog line alone)",
                        );
                    }
                }
            }
        }
    }
    out
}

fn continue_record(out: &mut Output<Record>, rest: &str) {
    if let Some(r) = out.records.last_mut() {
        r.detail.push('\n');
        r.detail.push_str(rest);
    }
}

fn kvs(message: Option<Pair<'_, Rule>>) -> BTreeMap<String, String> {
    let mut fields = BTreeMap::new();
    let Some(message) = message else {
        return fields;
    };
    for part in message.into_inner().flat_map(|m| m.into_inner()) {
        if part.as_rule() == Rule::kv {
            let mut key = "";
            for p in part.into_inner() {
                match p.as_rule() {
                    Rule::kv_key => key = p.as_str(),
                    Rule::quoted_value | Rule::bare_value => {
                        fields.insert(key.to_string(), unescape_go(p.as_str()));
                    }
                    _ => {}
                }
            }
        }
    }
    fields
}

fn record(
    n: usize,
    level: Option<String>,
    file: Option<String>,
    message: Option<Pair<'_, Rule>>,
    msg: &str,
) -> Option<Record> {
    let sig = signature(msg)?;
    let mut fields = kvs(message);
    // The text values are read from: the message with its structured values unescaped once.
    let unescaped = unescape_go(msg);
    let inner = |rule: Rule| {
        sig.clone()
            .into_inner()
            .find(|p| p.as_rule() == rule)
            .map(|p| p.as_str().to_string())
    };
    let id = match sig.as_rule() {
        Rule::cni_not_init | Rule::cni_reason => {
            let reason = if sig.as_rule() == Rule::cni_reason {
                Some(sig.as_str().to_string())
            } else {
                inner(Rule::cni_reason)
            };
            if let Some(r) = reason {
                fields.insert("detail".into(), r);
            }
            "cni-not-initialized"
        }
        Rule::ipam_full => {
            if let Some(r) = inner(Rule::ip_range) {
                fields.insert("range".into(), trim_value(&r).to_string());
            }
            if let Some(i) = inner(Rule::range_index) {
                fields.insert("range_index".into(), i);
            }
            put_pod(&mut fields, &unescaped);
            "ipam-exhausted"
        }
        Rule::sandbox_net => {
            put_pod(&mut fields, &unescaped);
            if let Some(p) = plugin_of(&unescaped) {
                fields.insert("plugin".into(), p);
            }
            // A structured line carries the runtime's error in `err`: read it there.
            let err = fields
                .get("err")
                .cloned()
                .unwrap_or_else(|| unescaped.clone());
            if let Some(e) = sandbox_error(&err) {
                fields.insert("error".into(), e);
            }
            "sandbox-network-failed"
        }
        Rule::probe_old => {
            if let Some(k) = inner(Rule::probe_kind) {
                fields.insert("probe_type".into(), k);
            }
            if let Some(target) = inner(Rule::probe_target) {
                // `web-7d4b9c_shop(uid):web`
                let (pod, container) = match target.rsplit_once(':') {
                    Some((p, c)) if !c.contains(')') => (p, Some(c)),
                    _ => (target.as_str(), None),
                };
                fields.insert("pod".into(), normal_pod(pod));
                if let Some(c) = container {
                    fields.insert("container".into(), c.to_string());
                }
            }
            if let Some(o) = inner(Rule::text) {
                fields.insert("output".into(), o.trim().to_string());
            }
            probe_output(&mut fields);
            "probe-failed"
        }
        Rule::probe_new => {
            for (from, to) in [("probeType", "probe_type"), ("containerName", "container")] {
                if let Some(v) = fields.get(from).cloned() {
                    fields.insert(to.into(), v);
                }
            }
            probe_output(&mut fields);
            "probe-failed"
        }
        Rule::ns_limit | Rule::search_limit => {
            if let Some(a) = applied(&unescaped) {
                fields.insert("applied".into(), a);
            }
            if sig.as_rule() == Rule::ns_limit {
                "nameserver-limit-exceeded"
            } else {
                "search-limit-exceeded"
            }
        }
        Rule::hairpin => {
            let modes: Vec<String> = sig
                .clone()
                .into_inner()
                .filter(|p| p.as_rule() == Rule::hairpin_mode)
                .map(|p| p.as_str().to_string())
                .collect();
            let ignored = sig.as_str().ends_with("ignoring");
            let (requested, effective) = match (modes.as_slice(), ignored) {
                ([r, e], _) => (Some(r.clone()), Some(e.clone())),
                ([r], true) => (Some(r.clone()), Some("none".to_string())),
                ([e], false) => (fields.get("hairpinMode").cloned(), Some(e.clone())),
                _ => (fields.get("hairpinMode").cloned(), None),
            };
            if let Some(r) = requested {
                fields.insert("requested".into(), hairpin_name(&r));
            }
            if let Some(e) = effective {
                fields.insert("effective".into(), hairpin_name(&e));
            }
            "hairpin-mode-fallback"
        }
        Rule::node_ip => "node-ip-problem",
        Rule::dns_unset => {
            put_pod(&mut fields, &unescaped);
            "cluster-dns-unset"
        }
        _ => return None,
    };
    Some(Record {
        line: n,
        level,
        file,
        signature: id.to_string(),
        detail: msg.to_string(),
        fields,
    })
}

/// `HairpinVeth` → `hairpin-veth`, `PromiscuousBridge` → `promiscuous-bridge`.
fn hairpin_name(s: &str) -> String {
    if s.contains('-') || s.chars().all(|c| c.is_ascii_lowercase()) {
        return s.to_string();
    }
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// A value cut out of a message, without the quotes and backslashes around it.
fn trim_value(s: &str) -> &str {
    s.trim().trim_matches(|c| c == '"' || c == '\\').trim()
}

/// `web-7d4b9c_shop(uid)` → `shop/web-7d4b9c`; `shop/web` stays.
fn normal_pod(s: &str) -> String {
    let s = trim_value(s);
    let s = s.split('(').next().unwrap_or(s);
    if s.contains('/') {
        return s.to_string();
    }
    match s.rsplit_once('_') {
        Some((name, ns)) if !name.is_empty() && !ns.is_empty() => format!("{ns}/{name}"),
        _ => s.to_string(),
    }
}

/// The pod a message names: a structured `pod=` value, else the first `pod "…"` reference
/// with a namespace, else the first at all.
fn put_pod(fields: &mut BTreeMap<String, String>, text: &str) {
    if let Some(p) = fields.get("pod").cloned() {
        fields.insert("pod".into(), normal_pod(&p));
        return;
    }
    let mut first = None;
    let mut rest = text;
    for _ in 0..16 {
        let Some(found) = P::parse(Rule::pod_in, rest)
            .ok()
            .and_then(|mut p| p.next())
            .and_then(|p| p.into_inner().next())
        else {
            break;
        };
        let end = found.as_span().end();
        let name = found
            .into_inner()
            .find(|p| p.as_rule() == Rule::pod_name)
            .map(|p| p.as_str().to_string());
        if let Some(name) = name {
            if name.contains('_') || name.contains('/') {
                fields.insert("pod".into(), normal_pod(&name));
                return;
            }
            first.get_or_insert(name);
        }
        rest = rest.get(end..).unwrap_or("");
    }
    if let Some(name) = first {
        fields.insert("pod".into(), name);
    }
}

fn plugin_of(text: &str) -> Option<String> {
    let p = P::parse(Rule::plugin_in, text)
        .ok()?
        .next()?
        .into_inner()
        .next()?;
    p.into_inner()
        .find(|w| w.as_rule() == Rule::word)
        .map(|w| w.as_str().to_ascii_lowercase())
}

/// The CNI's own words: after `failed (add): `, after `… network: `, or after the sandbox
/// id.
fn sandbox_error(text: &str) -> Option<String> {
    let tail = if let Some((_, e)) = text.split_once("failed (add): ") {
        e
    } else if let Some((_, e)) = text.rsplit_once("\" network: ") {
        e
    } else if let Some((_, e)) = text.split_once("failed to setup network for sandbox ") {
        e.split_once(": ").map_or(e, |(_, r)| r)
    } else {
        return None;
    };
    let e = trim_value(tail);
    (!e.is_empty()).then(|| e.to_string())
}

fn applied(text: &str) -> Option<String> {
    let a = P::parse(Rule::applied_in, text)
        .ok()?
        .next()?
        .into_inner()
        .find(|p| p.as_rule() == Rule::applied)?;
    let v = trim_value(a.as_str());
    (!v.is_empty()).then(|| v.to_string())
}

/// Phrases of a failed probe's output, most specific first.
const PROBE_ERRORS: &[&str] = &[
    "connection refused",
    "i/o timeout",
    "context deadline exceeded",
    "no route to host",
    "connection reset by peer",
    "network is unreachable",
    "use of closed network connection",
    "Client.Timeout exceeded",
    "EOF",
];

/// `address`, `port` and `error` out of a probe's `output`.
fn probe_output(fields: &mut BTreeMap<String, String>) {
    let Some(output) = fields.get("output").cloned() else {
        return;
    };
    if let Some(t) = P::parse(Rule::dial_in, &output)
        .ok()
        .and_then(|mut p| p.next())
        .and_then(|p| p.into_inner().next())
    {
        for p in t.into_inner() {
            match p.as_rule() {
                Rule::dial_addr => {
                    let a = p.as_str().trim_start_matches('[').trim_end_matches(']');
                    fields.insert("address".into(), a.to_string());
                }
                Rule::port => {
                    fields.insert("port".into(), p.as_str().to_string());
                }
                _ => {}
            }
        }
    }
    let error = PROBE_ERRORS
        .iter()
        .find(|e| output.contains(*e))
        .map(|e| e.to_string())
        .or_else(|| {
            output
                .split_once("statuscode: ")
                .map(|(_, c)| format!("statuscode: {}", c.trim()))
        });
    if let Some(e) = error {
        fields.insert("error".into(), e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> Option<Record> {
        parse(&Segment::new(line, 1)).records.into_iter().next()
    }

    #[test]
    fn prefixes_and_signatures() {
        let r = one(r#"Nov 23 10:01:44 node-1 kubelet[1234]: E1123 10:01:44.781102    1234 prober.go:107] "Probe failed" probeType="Readiness" pod="shop/web-7d4b9c-x2x" podUID=1 containerName="web" probeResult="failure" output="Get \"http://10.244.1.7:8080/healthz\": dial tcp 10.244.1.7:8080: connect: connection refused""#)
            .unwrap_or_else(|| panic!("no record"));
        assert_eq!(r.signature, "probe-failed");
        assert_eq!(
            r.fields.get("address").map(String::as_str),
            Some("10.244.1.7")
        );
        assert_eq!(r.fields.get("port").map(String::as_str), Some("8080"));
        assert_eq!(
            r.fields.get("error").map(String::as_str),
            Some("connection refused")
        );
        assert_eq!(
            r.fields.get("pod").map(String::as_str),
            Some("shop/web-7d4b9c-x2x")
        );
        let r = one("W0111 11:39:20.209289    4997 docker_service.go:545] Hairpin mode set to \"promiscuous-bridge\" but kubenet is not enabled, falling back to \"hairpin-veth\"")
            .unwrap_or_else(|| panic!("no record"));
        assert_eq!(
            r.fields.get("requested").map(String::as_str),
            Some("promiscuous-bridge")
        );
        assert_eq!(
            r.fields.get("effective").map(String::as_str),
            Some("hairpin-veth")
        );
        assert!(one("I0501 10:00:00.000000    1 kubelet.go:1] Started kubelet").is_none());
        assert!(one(
            "Feb 09 11:26:41 edgemaster systemd[1]: Stopping kubelet: The Kubernetes Node Agent..."
        )
        .is_none());
        assert_eq!(parse(&Segment::new("hello", 4)).problems[0].line, 4);
    }
}
