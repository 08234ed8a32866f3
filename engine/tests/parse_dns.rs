//! DNS parsers (resolv-conf, nslookup, dig) over every fixture in `tests/fixtures/<kind>/`,
//! snapshotted, plus explicit checks of the key facts and of the real corpus cases.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::*;

use netdoc::parse::nslookup::LookupStatus;
use netdoc::parse::{dig, nslookup, resolv_conf, Parsed, Records, Status};
use std::net::IpAddr;
use std::path::Path;

const KINDS: &[&str] = &["resolv-conf", "nslookup", "dig"];

/// Fixtures whose meaning depends on the command line that produced them.
const COMMANDS: &[(&str, &str)] = &[
    (
        "nslookup/bind-9.18--answer.txt",
        "kubectl exec -it debug -- nslookup backend",
    ),
    ("dig/dig-9.18--short.txt", "dig +short payments.shop.svc.cluster.local"),
    (
        "resolv-conf/glibc--kubectl-run-noise.txt",
        "kubectl run -it --rm dnsutils --image=registry.k8s.io/e2e-test-images/jessie-dnsutils:1.3 --restart=Never -n shop -- cat /etc/resolv.conf",
    ),
];

fn run(kind: &str, rel: &str) -> Parsed {
    common::run_with(kind, rel, COMMANDS)
}

fn resolv(rel: &str) -> (Vec<resolv_conf::Record>, Parsed) {
    let p = run("resolv-conf", rel);
    match &p.records {
        Records::ResolvConf(r) => (r.clone(), p),
        _ => panic!("not resolv-conf"),
    }
}

fn lookups(rel: &str) -> (Vec<nslookup::Record>, Parsed) {
    let p = run("nslookup", rel);
    match &p.records {
        Records::Nslookup(r) => (r.clone(), p),
        _ => panic!("not nslookup"),
    }
}

fn digs(rel: &str) -> (Vec<dig::Record>, Parsed) {
    let p = run("dig", rel);
    match &p.records {
        Records::Dig(r) => (r.clone(), p),
        _ => panic!("not dig"),
    }
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn problem_lines(p: &Parsed) -> Vec<usize> {
    p.problems.iter().map(|p| p.line).collect()
}

#[test]
fn every_fixture_snapshot() {
    let mut seen = 0;
    for kind in KINDS {
        let dir = fixtures_dir().join(kind);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .filter(|f| f.ends_with(".txt"))
            .collect();
        files.sort();
        assert!(
            files.iter().any(|f| f.ends_with("--empty.txt")),
            "{kind} needs an empty fixture"
        );
        assert!(files.len() >= 8, "{kind}: only {} fixtures", files.len());
        for f in files {
            let rel = format!("{kind}/{f}");
            let parsed = run(kind, &rel);
            let name = format!("{kind}__{}", f.trim_end_matches(".txt"));
            insta::assert_json_snapshot!(name, parsed);
            seen += 1;
        }
    }
    assert!(seen >= 30, "only {seen} fixtures");
}

#[test]
fn empty_fixtures_are_empty() {
    assert_empty_fixtures_read_empty(KINDS);
}

// ---------------------------------------------------------------- resolv.conf

#[test]
fn resolv_conf_pod_files() {
    let (r, p) = resolv("resolv-conf/glibc--k8s-pod.txt");
    assert_eq!(p.status, Status::Parsed);
    let r = &r[0];
    assert_eq!(r.line, 1);
    assert_eq!(r.nameservers.len(), 1);
    assert_eq!(
        (r.nameservers[0].ip, r.nameservers[0].line),
        (Some(ip("10.96.0.10")), 2)
    );
    assert_eq!(
        r.effective_search,
        vec![
            "default.svc.cluster.local",
            "svc.cluster.local",
            "cluster.local"
        ]
    );
    assert_eq!(r.search_line, Some(1));
    assert_eq!((r.ndots, r.ndots_line), (Some(5), Some(3)));
    assert_eq!(r.options, vec!["ndots:5"]);

    let (r, _) = resolv("resolv-conf/glibc--k8s-pod-gce.txt");
    assert_eq!(r[0].effective_search.len(), 5);

    let (r, _) = resolv("resolv-conf/glibc--wrong-cluster-dns.txt");
    assert_eq!(r[0].nameservers[0].ip, Some(ip("10.12.0.10")));

    // kubectl's own lines around the output are skipped; line numbers stay whole-input.
    let (r, p) = resolv("resolv-conf/glibc--kubectl-run-noise.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r[0].line, 2);
    assert_eq!(r[0].search_line, Some(3));
    assert_eq!((r[0].ndots, r[0].ndots_line), (Some(5), Some(5)));
    assert_eq!(r[0].options, vec!["ndots:5", "timeout:1", "attempts:2"]);
}

#[test]
fn resolv_conf_node_files() {
    let (r, p) = resolv("resolv-conf/systemd-resolved-249--stub.txt");
    assert_eq!(p.status, Status::Parsed);
    let r = &r[0];
    assert_eq!(r.nameservers[0].ip, Some(ip("127.0.0.53")));
    assert_eq!(r.nameservers[0].line, 21);
    assert_eq!(r.options, vec!["edns0", "trust-ad"]);
    assert_eq!(r.ndots, None);
    assert_eq!(
        (r.effective_search.clone(), r.search_line),
        (vec!["ec2.internal".to_string()], Some(23))
    );

    let (r, p) = resolv("resolv-conf/systemd-resolved-249--uplink.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r[0].nameservers[1].ip, Some(ip("fe80::1")));
    assert_eq!(r[0].nameservers[1].raw, "fe80::1%ens5");

    let (r, p) = resolv("resolv-conf/dhclient--node-ec2.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r[0].options, vec!["timeout:2", "attempts:5"]);
    assert_eq!(r[0].ndots, None);

    // The last `search`/`domain` wins; ndots is clamped to 15; all nameservers kept.
    let (r, p) = resolv("resolv-conf/glibc--domain-then-search.txt");
    assert_eq!(p.status, Status::Parsed);
    let r = &r[0];
    assert_eq!(r.effective_search, vec!["lab.example.com"]);
    assert_eq!(r.search_line, Some(9));
    // jc's meanings: `search` the `search` lines' domains, `domain` the last `domain` line's.
    assert_eq!(r.search, vec!["corp.example.com", "lab.example.com"]);
    assert_eq!(r.domain.as_deref(), Some("lab.example.com"));
    assert_eq!((r.ndots, r.ndots_line), (Some(15), Some(8)));
    assert_eq!(r.nameservers.len(), 4);
}

#[test]
fn resolv_conf_broken_files() {
    let (r, p) = resolv("resolv-conf/glibc--truncated.txt");
    assert_eq!(p.status, Status::Partial);
    assert_eq!(problem_lines(&p), vec![4]);
    // `options nd` is a well-formed options line with an unknown option.
    assert_eq!(r[0].options, vec!["nd"]);

    let (r, p) = resolv("resolv-conf/glibc--garbled.txt");
    assert_eq!(p.status, Status::Partial);
    assert_eq!(problem_lines(&p), vec![2, 4, 5, 6]);
    assert_eq!(r[0].nameservers.len(), 2);
    assert_eq!(r[0].nameservers[1].ip, None);
    // Leading blanks are tolerated (glibc itself would not read this line).
    assert_eq!(r[0].search_line, Some(3));
}

// ---------------------------------------------------------------- nslookup

#[test]
fn nslookup_bind() {
    let (r, p) = lookups("nslookup/bind-9.18--answer.txt");
    assert_eq!(p.status, Status::Parsed);
    let r = &r[0];
    assert_eq!(r.line, 2);
    assert_eq!(
        r.name.as_deref(),
        Some("backend"),
        "the command line's name"
    );
    assert_eq!(r.server.as_deref(), Some("10.96.0.10"));
    assert_eq!(r.server_address.as_deref(), Some("10.96.0.10"));
    assert_eq!(r.answers.len(), 1);
    assert_eq!(r.answers[0].name, "backend.default.svc.cluster.local");
    assert_eq!(
        (r.answers[0].address, r.answers[0].line),
        (ip("10.96.12.7"), 6)
    );
    assert_eq!(
        (r.status.clone(), r.status_line),
        (LookupStatus::Answered, Some(6))
    );

    let (r, p) = lookups("nslookup/bind-9.18--nxdomain.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(
        (r[0].status.clone(), r[0].status_line),
        (LookupStatus::Nxdomain, Some(4))
    );
    assert_eq!(r[0].name.as_deref(), Some("foo.default.svc.cluster.local"));
    assert_eq!(r[0].attempts.len(), 1);

    let (r, p) = lookups("nslookup/bind-9.16--servfail.txt");
    assert_eq!((p.status, r.len()), (Status::Parsed, 1));
    assert_eq!(
        (r[0].status.clone(), r[0].status_line),
        (LookupStatus::Servfail, Some(5))
    );
    assert_eq!(r[0].line, 1);

    let (r, _) = lookups("nslookup/bind-9.18--refused.txt");
    assert_eq!(r[0].status, LookupStatus::Refused);

    let (r, p) = lookups("nslookup/bind-9.18--timeout.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(
        (r[0].status.clone(), r[0].status_line),
        (LookupStatus::Timeout, Some(1))
    );

    let (r, _) = lookups("nslookup/bind-9.18--comm-error-timeout.txt");
    assert_eq!(
        (r[0].status.clone(), r[0].status_line),
        (LookupStatus::Timeout, Some(3))
    );
    let (r, _) = lookups("nslookup/bind-9.18--comm-error-refused.txt");
    assert_eq!(r[0].status, LookupStatus::Refused);

    let (r, p) = lookups("nslookup/bind-9.16--cname.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r[0].answers.len(), 2);
    assert_eq!(
        r[0].answers[1].address,
        ip("2606:2800:220:1:248:1893:25c8:1946")
    );

    let (r, _) = lookups("nslookup/bind-9.16--no-answer.txt");
    assert_eq!(r[0].status, LookupStatus::NoAnswer);

    // An NXDOMAIN for another type after answers: still answered.
    let (r, _) = lookups("nslookup/bind-9.18--answer-then-nxdomain-aaaa.txt");
    assert_eq!(
        (r[0].status.clone(), r[0].status_line),
        (LookupStatus::Answered, Some(5))
    );
    assert_eq!(r[0].attempts.len(), 1);

    let (r, p) = lookups("nslookup/bind-9.18--concatenated.txt");
    assert_eq!((p.status, r.len()), (Status::Parsed, 2));
    assert_eq!(
        (r[0].line, r[0].status.clone()),
        (1, LookupStatus::Answered)
    );
    assert_eq!(
        (r[1].line, r[1].status.clone()),
        (7, LookupStatus::Nxdomain)
    );
    assert_eq!(r[1].name.as_deref(), Some("backend.shop"));

    let (r, p) = lookups("nslookup/bind-9.18--kubectl-run-noise.txt");
    assert_eq!((p.status, r.len()), (Status::Parsed, 1));
    assert_eq!(r[0].line, 2);
}

#[test]
fn nslookup_busybox() {
    let (r, p) = lookups("nslookup/busybox-1.28--answer.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r[0].server_address.as_deref(), Some("10.96.0.10"));
    assert_eq!(r[0].name.as_deref(), Some("kubernetes.default"));
    assert_eq!(r[0].answers[0].address, ip("10.96.0.1"));
    assert_eq!(r[0].answers[0].name, "kubernetes.default");

    let (r, p) = lookups("nslookup/busybox-1.28--cant-resolve.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(
        (r[0].status.clone(), r[0].status_line),
        (LookupStatus::CantResolve, Some(4))
    );
    assert_eq!(r[0].name.as_deref(), Some("kubernetes.default"));

    let (r, p) = lookups("nslookup/busybox-1.28--alpine-null.txt");
    assert_eq!((p.status, r.len()), (Status::Parsed, 1));
    assert_eq!(r[0].status, LookupStatus::Answered);

    let (r, p) = lookups("nslookup/busybox-1.31--search-then-answer.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r[0].attempts.len(), 4);
    assert_eq!(
        r[0].name.as_deref(),
        Some("backend.default.svc.cluster.local")
    );
    assert!(r[0]
        .attempts
        .iter()
        .all(|a| a.status == LookupStatus::Nxdomain));
    assert_eq!(r[0].server_address.as_deref(), Some("10.96.0.10"));
    assert_eq!(
        (r[0].status.clone(), r[0].status_line),
        (LookupStatus::Answered, Some(13))
    );

    let (r, _) = lookups("nslookup/busybox-1.36--nxdomain-no-answer.txt");
    assert_eq!(
        (r[0].status.clone(), r[0].status_line),
        (LookupStatus::Nxdomain, Some(4))
    );
    assert_eq!(r[0].name.as_deref(), Some("kubernetes.default"));

    let (r, p) = lookups("nslookup/busybox-1.36--refused.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(
        (r[0].status.clone(), r[0].status_line),
        (LookupStatus::Refused, Some(1))
    );

    let (r, _) = lookups("nslookup/busybox-1.36--timeout.txt");
    assert_eq!(r[0].status, LookupStatus::Timeout);
}

#[test]
fn nslookup_broken_output() {
    let (r, p) = lookups("nslookup/bind-9.18--truncated.txt");
    assert_eq!(p.status, Status::Partial);
    assert_eq!(r[0].status, LookupStatus::Unknown);
    assert_eq!(problem_lines(&p), vec![4]);

    let (r, p) = lookups("nslookup/bind-9.18--garbled.txt");
    assert_eq!(p.status, Status::Partial);
    assert_eq!(problem_lines(&p), vec![5, 6, 7]);
    assert_eq!(r[0].answers.len(), 1);
    assert_eq!(r[0].answers[0].line, 8);
}

// ---------------------------------------------------------------- dig

#[test]
fn dig_messages() {
    let (r, p) = digs("dig/dig-9.18--noerror.txt");
    assert_eq!((p.status, r.len()), (Status::Parsed, 1));
    let r = &r[0];
    assert_eq!(r.line, 2);
    assert_eq!(r.args.as_deref(), Some("backend.default.svc.cluster.local"));
    assert_eq!(r.status.as_deref(), Some("NOERROR"));
    let q = r.question.as_ref().unwrap();
    assert_eq!(
        (q.line, q.name.as_str(), q.class.as_str(), q.rtype.as_str()),
        (13, "backend.default.svc.cluster.local.", "IN", "A")
    );
    assert_eq!(r.answer.len(), 1);
    let a = &r.answer[0];
    assert_eq!(
        (a.line, a.ttl, a.rtype.as_str(), a.data.as_str(), a.ip),
        (16, Some(30), "A", "10.96.12.7", Some(ip("10.96.12.7")))
    );
    assert_eq!(r.server.as_deref(), Some("10.96.0.10"));
    assert!(!r.timed_out && !r.short);

    // NXDOMAIN: the SOA of the AUTHORITY section stays out of `answer`.
    let (r, p) = digs("dig/dig-9.18--nxdomain.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r[0].status.as_deref(), Some("NXDOMAIN"));
    assert!(r[0].answer.is_empty());

    let (r, p) = digs("dig/dig-9.11--noerror.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r[0].server.as_deref(), Some("10.96.0.10"));
    assert_eq!(r[0].answer[0].ip, Some(ip("10.96.0.1")));

    let (r, p) = digs("dig/dig-9.16--servfail.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r[0].status.as_deref(), Some("SERVFAIL"));
    assert_eq!(r[0].args.as_deref(), Some("@10.96.0.10 example.com"));

    let (r, p) = digs("dig/dig-9.20--aaaa.txt");
    assert_eq!(p.status, Status::Parsed);
    assert_eq!(r[0].question.as_ref().unwrap().rtype, "AAAA");
    assert_eq!(r[0].answer[0].ip, Some(ip("fd00:10:96::c07")));

    let (r, p) = digs("dig/dig-9.18--noall-answer.txt");
    assert_eq!((p.status, r.len()), (Status::Parsed, 1));
    assert_eq!((r[0].line, r[0].args.clone()), (1, None));
    assert_eq!(r[0].answer[0].ttl, Some(5));
}

#[test]
fn dig_showsearch() {
    let (r, p) = digs("dig/dig-9.18--showsearch.txt");
    assert_eq!((p.status, r.len()), (Status::Parsed, 1));
    assert_eq!(r[0].args.as_deref(), Some("+showsearch backend"));

    let (r, p) = digs("dig/dig-9.18--showsearch-nxdomain-walk.txt");
    assert_eq!((p.status, r.len()), (Status::Parsed, 3));
    let statuses: Vec<_> = r.iter().map(|m| m.status.as_deref().unwrap()).collect();
    assert_eq!(statuses, vec!["NXDOMAIN", "NXDOMAIN", "NOERROR"]);
    let lines: Vec<_> = r.iter().map(|m| m.line).collect();
    assert_eq!(lines, vec![2, 16, 27]);
    assert!(r
        .iter()
        .all(|m| m.args.as_deref() == Some("+showsearch google.com")));
    assert_eq!(
        r[1].question.as_ref().unwrap().name,
        "google.com.svc.cluster.local."
    );
    assert!(r[0].answer.is_empty() && r[1].answer.is_empty());
    assert_eq!(r[2].answer[0].ip, Some(ip("142.250.74.46")));
    assert_eq!(r[2].server.as_deref(), Some("10.96.0.10"));

    // The cut-down paste of the real case: a banner per query, no HEADER, answers bare.
    let (r, p) = digs("dig/dig-9.8--showsearch-cut.txt");
    assert_eq!((p.status, r.len()), (Status::Parsed, 4));
    let names: Vec<_> = r
        .iter()
        .map(|m| m.question.as_ref().unwrap().name.as_str())
        .collect();
    assert_eq!(
        names,
        vec![
            "google.com.default.svc.cluster.local.",
            "google.com.svc.cluster.local.",
            "google.com.cluster.local.",
            "google.com."
        ]
    );
    assert_eq!(r[3].answer.len(), 2);
    assert_eq!(r[3].answer[1].line, 10);
}

#[test]
fn dig_short_and_timeouts() {
    let (r, p) = digs("dig/dig-9.18--short.txt");
    assert_eq!((p.status, r.len()), (Status::Parsed, 1));
    let r = &r[0];
    assert!(r.short);
    assert_eq!(r.line, 2);
    assert_eq!(
        r.args.as_deref(),
        Some("+short payments.shop.svc.cluster.local")
    );
    let types: Vec<_> = r.answer.iter().map(|a| a.rtype.as_str()).collect();
    assert_eq!(types, vec!["CNAME", "A"]);
    assert!(r.answer.iter().all(|a| a.name.is_empty()));
    assert_eq!(r.answer[1].ip, Some(ip("93.184.216.34")));

    let (r, _) = digs("dig/dig-9.18--short-aaaa.txt");
    assert_eq!(r[0].answer[0].rtype, "AAAA");

    let (r, p) = digs("dig/dig-9.11--timeout.txt");
    assert_eq!((p.status, r.len()), (Status::Parsed, 1));
    assert!(r[0].timed_out);
    assert_eq!(r[0].status, None);

    let (r, p) = digs("dig/dig-9.18--comm-error-timeout.txt");
    assert_eq!((p.status, r.len()), (Status::Parsed, 1));
    assert!(r[0].timed_out);
    assert_eq!(
        r[0].args.as_deref(),
        Some("kubernetes.default.svc.cluster.local")
    );
}

#[test]
fn dig_broken_output() {
    let (r, p) = digs("dig/dig-9.18--truncated.txt");
    assert_eq!(p.status, Status::Partial);
    assert_eq!(problem_lines(&p), vec![12]);
    assert!(r[0].answer.is_empty());

    let (r, p) = digs("dig/dig-9.18--garbled.txt");
    assert_eq!(p.status, Status::Partial);
    assert_eq!(problem_lines(&p), vec![6, 9, 10]);
    assert_eq!(r[0].answer.len(), 1);
}

#[test]
fn dig_trace_steps_and_answer() {
    let (r, p) = digs("dig/dig-9.18--trace-answer.txt");
    assert_eq!(
        (p.status, r.len(), p.problems.len()),
        (Status::Parsed, 1, 0)
    );
    let r = &r[0];
    assert_eq!(r.args.as_deref(), Some("+trace example.com"));
    assert_eq!(
        (r.status.as_deref(), r.timed_out, r.error.as_deref()),
        (None, false, None)
    );
    let steps: Vec<_> = r
        .trace
        .iter()
        .map(|s| {
            (
                s.line,
                s.records.len(),
                s.received_bytes,
                s.server.as_deref(),
                s.port,
                s.server_name.as_deref(),
                s.time_ms,
            )
        })
        .collect();
    assert_eq!(
        steps,
        vec![
            (
                18,
                14,
                Some(525),
                Some("10.96.0.10"),
                Some(53),
                Some("10.96.0.10"),
                Some(0)
            ),
            (
                36,
                15,
                Some(1170),
                Some("199.7.91.13"),
                Some(53),
                Some("d.root-servers.net"),
                Some(12)
            ),
            (
                42,
                4,
                Some(756),
                Some("192.5.6.30"),
                Some(53),
                Some("a.gtld-servers.net"),
                Some(24)
            ),
            (
                46,
                2,
                Some(127),
                Some("199.43.135.53"),
                Some(53),
                Some("a.iana-servers.net"),
                Some(20)
            ),
        ]
    );
    // The root list: 13 NS for `.` and their RRSIG.
    let root = &r.trace[0].records;
    assert!(root[..13]
        .iter()
        .all(|rr| rr.name == "." && rr.rtype == "NS"));
    assert_eq!(root[0].data, "k.root-servers.net.");
    assert_eq!(root[13].rtype, "RRSIG");
    // The final answer: the A record, not its RRSIG nor the referrals' NS records.
    assert_eq!(r.answer.len(), 1);
    assert_eq!(
        (r.answer[0].line, r.answer[0].ip),
        (44, Some(ip("93.184.215.14")))
    );
    assert_eq!(r.status_line, Some(46));

    // The tail of a trace without banner or command line; an IPv6 server address.
    let (r, p) = digs("dig/dig-9.18--trace-cut.txt");
    assert_eq!((p.status, r.len()), (Status::Parsed, 1));
    assert_eq!(r[0].trace.len(), 2);
    assert_eq!(r[0].trace[0].server.as_deref(), Some("2001:503:a83e::2:30"));
    assert_eq!(r[0].answer[0].ip, Some(ip("93.184.215.14")));
}

#[test]
fn dig_trace_failures() {
    // 9.16 in a pod: the root list comes from CoreDNS, the root servers never answer.
    let (r, p) = digs("dig/dig-9.16--trace-root-timeout.txt");
    assert_eq!(
        (p.status, r.len(), p.problems.len()),
        (Status::Parsed, 1, 0)
    );
    let r = &r[0];
    assert_eq!(r.trace.len(), 1);
    assert_eq!(r.trace[0].records.len(), 13);
    assert_eq!(r.trace[0].server.as_deref(), Some("10.96.0.10"));
    assert!(r.timed_out && r.answer.is_empty());
    assert_eq!(r.status_line, Some(19));

    // 9.18: communications errors to the root servers, then `no servers could be reached`.
    let (r, p) = digs("dig/dig-9.18--trace-comm-error.txt");
    assert_eq!((p.status, p.problems.len()), (Status::Parsed, 0));
    assert_eq!(r[0].trace.len(), 1);
    assert!(r[0].timed_out && r[0].answer.is_empty());
    assert_eq!(r[0].status_line, Some(21));

    // The root servers' names do not resolve: an error, not a problem.
    let (r, p) = digs("dig/dig-9.16--trace-no-root-address.txt");
    assert_eq!((p.status, p.problems.len()), (Status::Parsed, 0));
    let r = &r[0];
    assert_eq!(
        r.error.as_deref(),
        Some("couldn't get address for 'd.root-servers.net': not found")
    );
    assert_eq!((r.error_line, r.status_line), (Some(19), Some(19)));
    assert!(!r.timed_out && r.answer.is_empty());
}

#[test]
fn dig_trace_reply_after_comm_error_is_not_a_timeout() {
    let text = "; <<>> DiG 9.18.28 <<>> +trace example.com\n\
.\t30\tIN\tNS\ta.root-servers.net.\n\
;; Received 239 bytes from 10.96.0.10#53(10.96.0.10) in 0 ms\n\
;; communications error to 198.41.0.4#53: timed out\n\
com.\t172800\tIN\tNS\ta.gtld-servers.net.\n\
;; Received 828 bytes from 199.9.14.201#53(b.root-servers.net) in 8 ms\n\
example.com.\t3600\tIN\tA\t93.184.215.14\n\
;; Received 56 bytes from 199.43.135.53#53(a.iana-servers.net) in 20 ms\n";
    let seg = netdoc::split::Segment::new(text, 1);
    let p = netdoc::parse::parse_as("dig", &seg).unwrap();
    let Records::Dig(r) = &p.records else {
        panic!("not dig")
    };
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    assert!(!r[0].timed_out);
    assert_eq!(r[0].trace.len(), 3);
    assert_eq!(r[0].answer.len(), 1);
}

#[test]
fn dig_trace_detected_with_and_without_command() {
    let body = read("dig/dig-9.18--trace-answer.txt");
    let tail = read("dig/dig-9.18--trace-cut.txt");
    for input in [
        format!("$ dig +trace example.com{body}"),
        format!("$ kubectl exec -it web -- dig +trace example.com{body}"),
        body.clone(),
        tail.clone(),
        format!("$ dig +trace example.com\n{tail}"),
    ] {
        assert_eq!(
            dns_segments(&input),
            vec![("dig".to_string(), "parsed".to_string(), 0)],
            "{input}"
        );
    }
}

/// `dig +trace` resolves from the root itself: the engine must call the tool misleading,
/// not blame the cluster DNS, whether or not the paste shows the command line.
#[test]
fn dig_trace_lookups_are_flagged_misleading() {
    let ids = |input: &str| -> Vec<String> {
        netdoc::diagnose(input)
            .findings
            .iter()
            .map(|f| f.id.clone())
            .collect()
    };
    for rel in [
        "dig/dig-9.16--trace-root-timeout.txt",
        "dig/dig-9.18--trace-comm-error.txt",
        "dig/dig-9.18--trace-answer.txt",
        "dig/dig-9.18--trace-cut.txt",
        "dig/dig-9.16--trace-no-root-address.txt",
    ] {
        let body = read(rel);
        for input in [
            body.clone(),
            format!("$ kubectl exec -it web -- dig +trace example.com\n{body}"),
        ] {
            let found = ids(&input);
            assert!(
                found.iter().any(|f| f == "dns-tool-misleading"),
                "{rel}: {found:?}"
            );
            assert!(
                !found.iter().any(|f| f == "dns-resolver-unreachable"),
                "{rel}: {found:?}"
            );
        }
    }
}

// ---------------------------------------------------------------- whole pastes

fn corpus_input(prefix: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/real");
    let case = std::fs::read_dir(&dir)
        .expect("../shared/corpus/real is beside the project")
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .unwrap_or_else(|| panic!("case {prefix} missing"));
    std::fs::read_to_string(case.join("input.txt")).unwrap()
}

/// (kind, status) of every segment whose kind is a DNS one, with its problems.
fn dns_segments(input: &str) -> Vec<(String, String, usize)> {
    let all = netdoc::parse_all(input);
    all.as_array()
        .unwrap()
        .iter()
        .filter_map(|s| {
            let parsed = s.get("parsed")?;
            let kind = parsed.get("kind")?.as_str()?.to_string();
            KINDS.contains(&kind.as_str()).then(|| {
                (
                    kind,
                    parsed["status"].as_str().unwrap_or("").to_string(),
                    parsed["problems"].as_array().map_or(0, Vec::len),
                )
            })
        })
        .collect()
}

#[test]
fn real_corpus_dns_segments_parse_cleanly() {
    // 19: a pod resolv.conf (5 search domains, ndots:5), then dig +showsearch.
    let segs = dns_segments(&corpus_input("19-"));
    assert_eq!(
        segs,
        vec![
            ("resolv-conf".into(), "parsed".into(), 0),
            ("dig".into(), "parsed".into(), 0)
        ]
    );
    let all = netdoc::parse_all(&corpus_input("19-"));
    let resolv = &all[0]["parsed"]["records"]["records"][0];
    assert_eq!(resolv["ndots"], 5);
    assert_eq!(resolv["effective_search"].as_array().unwrap().len(), 5);
    let dig = all[1]["parsed"]["records"]["records"].as_array().unwrap();
    assert_eq!(dig.len(), 6);
    assert_eq!(dig[5]["answer"].as_array().unwrap().len(), 6);

    // 21 and 28 carry no resolv.conf/nslookup/dig output: none may be claimed as DNS.
    for case in ["21-", "28-"] {
        for (kind, status, problems) in dns_segments(&corpus_input(case)) {
            assert_eq!((status.as_str(), problems), ("parsed", 0), "{case} {kind}");
        }
    }
}

#[test]
fn mixed_paste_detects_each_kind() {
    let input = "\
$ kubectl exec -it web -- cat /etc/resolv.conf
search shop.svc.cluster.local svc.cluster.local cluster.local
nameserver 10.96.0.10
options ndots:5
$ kubectl exec -it web -- nslookup backend
Server:\t\t10.96.0.10
Address:\t10.96.0.10#53

** server can't find backend.shop.svc.cluster.local: NXDOMAIN

command terminated with exit code 1
$ kubectl exec -it web -- dig +search backend.shop

; <<>> DiG 9.18.28 <<>> +search backend.shop
;; global options: +cmd
;; Got answer:
;; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN, id: 1
";
    let segs = dns_segments(input);
    let kinds: Vec<_> = segs
        .iter()
        .map(|(k, s, p)| (k.as_str(), s.as_str(), *p))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("resolv-conf", "parsed", 0),
            ("nslookup", "parsed", 0),
            ("dig", "parsed", 0)
        ]
    );
    // Without command lines, the sniffers tell the three apart.
    let bare = "nameserver 10.96.0.10\noptions ndots:5\n\nServer:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\nName:\tbackend.shop.svc.cluster.local\nAddress: 10.96.12.7\n\n; <<>> DiG 9.18.28 <<>> backend\n;; global options: +cmd\n";
    let kinds: Vec<_> = dns_segments(bare).into_iter().map(|(k, _, _)| k).collect();
    assert_eq!(kinds, vec!["resolv-conf", "nslookup", "dig"]);
}
